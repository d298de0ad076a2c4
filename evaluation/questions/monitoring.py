"""Programme monitoring: outputs delivered against targets, and where CIO posts were created.

Answers the effectiveness question (were the outputs delivered, against what
was planned?) from the optional ``monitoring`` table (outputs by year, with
targets where known) and, for CIO posts by level and department, from the
required ``adoption`` and ``entities`` tables.

Progress is measured only over the years that have a target: outputs delivered
in a year without a target are counted in the total but not set against a
plan that was never made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from IPython.display import Markdown

from evaluation.load.contract import LEVELS

#: The contract's outputs in the order the programme lists them: plain name, unit, one unit in words.
OUTPUTS = {
    "cio_posts_created": ("CIO posts created", "posts", "CIO post created"),
    "leaders_trained": ("IT leaders trained", "leaders", "IT leader trained"),
    "bulletins": ("bulletins sent", "bulletins", "bulletin"),
    "magazine_issues": ("CIO Magazine issues", "issues", "magazine issue"),
    "workshops": ("territorial workshops", "workshops", "workshop"),
    "workshop_participants": ("workshop participants", "participants", "workshop participant"),
}
#: A target counts as met at or above this share (rounding, a late delivery).
MET = 1.0
NEARLY_MET = 0.9


def output_label(output: str) -> str:
    """``cio_posts_created`` -> ``CIO posts created``."""
    return OUTPUTS.get(output, (output.replace("_", " "),))[0]


def output_unit(output: str) -> str:
    """One unit of an output in words: ``cio_posts_created`` -> ``CIO post created``."""
    return OUTPUTS.get(output, ("", "", output.replace("_", " ")))[2]


def whole(column: pd.Series) -> pd.Series:
    """A count column as nullable integers when every value is whole (so tables show 286, not 286.000)."""
    values = pd.to_numeric(column, errors="coerce").astype(float)
    finite = values.dropna()
    return values.round().astype("Int64") if (finite == finite.round()).all() else values


def available(dataset) -> bool:
    """True when the dataset has a monitoring table with at least one row."""
    return dataset.monitoring is not None and len(dataset.monitoring) > 0


DELIVERY_COLUMNS = ["output", "label", "year", "delivered", "target", "ratio", "cumulative_delivered",
                    "cumulative_target"]


def delivery(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Outputs delivered and planned, one row per output and year.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    until_year : int, optional
        Keep years up to and including this one.

    Returns
    -------
    pandas.DataFrame
        ``output, label, year, delivered, target`` (NaN when no target was
        set), ``ratio`` (delivered / target, NaN without a target or with a
        target of 0), and running totals ``cumulative_delivered`` and
        ``cumulative_target`` (targets of the years that have one). Empty, with
        these columns, when the monitoring table is missing.
    """
    if not available(dataset):
        return pd.DataFrame(columns=DELIVERY_COLUMNS)
    rows = dataset.monitoring
    if until_year is not None:
        rows = rows[rows["year"] <= until_year]
    out = pd.DataFrame({"output": rows["output"].astype(str), "year": rows["year"].astype("int64"),
                        "delivered": rows["value"].astype(float), "target": rows["target"].astype(float)})
    out.insert(1, "label", out["output"].map(output_label))
    out["ratio"] = (out["delivered"] / out["target"].where(out["target"] > 0)).astype(float)
    out = out.sort_values(["output", "year"], key=_output_order, kind="stable").reset_index(drop=True)
    grouped = out.groupby("output", sort=False)
    out["cumulative_delivered"] = grouped["delivered"].cumsum()
    out["cumulative_target"] = grouped["target"].transform(lambda t: t.fillna(0).cumsum().where(t.notna().cummax()))
    for column in ("delivered", "target", "cumulative_delivered", "cumulative_target"):
        out[column] = whole(out[column])
    return out[DELIVERY_COLUMNS]


def _output_order(column: pd.Series) -> pd.Series:
    if column.name != "output":
        return column
    order = list(OUTPUTS)
    return column.map(lambda o: order.index(o) if o in order else len(order))


PROGRESS_COLUMNS = ["output", "label", "first_year", "last_year", "delivered", "planned",
                    "delivered_in_planned_years", "progress", "years_planned", "years_met", "reading"]


def progress(dataset, until_year: int | None = None) -> pd.DataFrame:
    """One row per output: total delivered, planned, and progress against the plan.

    ``progress`` is what was delivered in the years that had a target, divided
    by the sum of those targets (NaN for an output that never had one).
    ``reading`` is "met" (at least 100%), "nearly met" (90-100%), "short"
    (below 90%) or "no target".
    """
    table = delivery(dataset, until_year)
    if table.empty:
        return pd.DataFrame(columns=PROGRESS_COLUMNS)
    table = table.astype({"delivered": float, "target": float})
    rows = []
    for output, part in table.groupby("output", sort=False):
        planned_years = part[part["target"].notna()]
        planned = planned_years["target"].sum() if len(planned_years) else np.nan
        done = planned_years["delivered"].sum() if len(planned_years) else np.nan
        ratio = done / planned if len(planned_years) and planned > 0 else np.nan
        rows.append({"output": output, "label": output_label(output), "first_year": int(part["year"].min()),
                     "last_year": int(part["year"].max()), "delivered": part["delivered"].sum(),
                     "planned": planned, "delivered_in_planned_years": done, "progress": ratio,
                     "years_planned": len(planned_years),
                     "years_met": int((planned_years["delivered"] >= MET * planned_years["target"]).sum()),
                     "reading": _reading(ratio)})
    out = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    for column in ("delivered", "planned", "delivered_in_planned_years"):
        out[column] = whole(out[column])
    return out


def _reading(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "no target"
    return "met" if ratio >= MET else "nearly met" if ratio >= NEARLY_MET else "short"


def posts_reconciliation(dataset, until_year: int | None = None) -> pd.DataFrame:
    """CIO posts per year in the monitoring table against territorial adoptions in the adoption table.

    The programme counted territorial posts (the OECD sheet's 286); the two
    records should agree. Returns ``year, monitoring, adoption_records,
    difference`` (monitoring minus adoption records); empty when the
    monitoring table is missing or has no ``cio_posts_created`` rows.
    """
    columns = ["year", "monitoring", "adoption_records", "difference"]
    table = delivery(dataset, until_year)
    posts = table[table["output"] == "cio_posts_created"].set_index("year")["delivered"]
    if posts.empty:
        return pd.DataFrame(columns=columns)
    level = dataset.adoption["entity_id"].map(dataset.entities.set_index("entity_id")["level"])
    adopted = dataset.adoption.loc[level != "national", "cohort"]
    if until_year is not None:
        adopted = adopted[adopted <= until_year]
    counted = adopted.value_counts()
    years = sorted(set(posts.index) | set(int(y) for y in counted.index))
    out = pd.DataFrame({"year": years})
    out["monitoring"] = out["year"].map(posts).astype(float)
    out["adoption_records"] = out["year"].map(counted).fillna(0).astype(float)
    out["difference"] = out["monitoring"] - out["adoption_records"]
    for column in ("monitoring", "adoption_records", "difference"):
        out[column] = whole(out[column])
    return out


DEPARTMENT_COLUMNS = ["department", "entities", "adopters", "share", "first_year", "adopters_by_level"]


def posts_by_department(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Territorial entities (governorship and mayoralties) that created the post, per department.

    Returns
    -------
    pandas.DataFrame
        ``department, entities`` (territorial entities in it), ``adopters``
        (created the post by ``until_year``), ``share`` (adopters / entities),
        ``first_year`` (earliest adoption) and ``adopters_by_level`` (text,
        e.g. "1 departmental, 12 municipal"). Sorted by share, highest first.
        Entities without a department are grouped as "(no department)".
    """
    entities = dataset.entities[dataset.entities["level"] != "national"][["entity_id", "level", "department"]]
    if entities.empty:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    cohorts = dataset.adoption.set_index("entity_id")["cohort"]
    frame = entities.assign(cohort=entities["entity_id"].map(cohorts),
                            department=entities["department"].fillna("(no department)"))
    if until_year is not None:
        frame.loc[frame["cohort"] > until_year, "cohort"] = np.nan
    rows = []
    for department, part in frame.groupby("department", sort=True):
        adopted = part[part["cohort"].notna()]
        by_level = adopted["level"].value_counts()
        rows.append({"department": department, "entities": len(part), "adopters": len(adopted),
                     "share": len(adopted) / len(part),
                     "first_year": float(adopted["cohort"].min()) if len(adopted) else np.nan,
                     "adopters_by_level": ", ".join(f"{int(by_level[lv])} {lv}" for lv in LEVELS if lv in by_level)
                     or "none"})
    out = pd.DataFrame(rows, columns=DEPARTMENT_COLUMNS)
    out["first_year"] = whole(out["first_year"])
    return out.sort_values(["share", "adopters"], ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ sentences


def missing_text() -> Markdown:
    """What the report says when there is no monitoring table."""
    return Markdown("**The monitoring table is missing from this dataset** (no `monitoring` file), so outputs "
                    "cannot be set against targets. CIO posts by level and department below come from the "
                    "adoption records instead.")


def _count(x: float) -> str:
    return f"{x:,.0f}"


def progress_text(table: pd.DataFrame) -> Markdown:
    """The effectiveness reading: how many outputs met their targets, output by output."""
    if table.empty:
        return missing_text()
    planned = table[table["reading"] != "no target"]
    lines = []
    if len(planned):
        met = int((planned["reading"] == "met").sum())
        nearly = int((planned["reading"] == "nearly met").sum())
        lines.append(f"**{met} of {len(planned)} outputs with a target met it**"
                     + (f", and {nearly} more reached at least {NEARLY_MET:.0%} of it" if nearly else "")
                     + ", counting only the years that had a target.")
    else:
        lines.append("**No output has a target**, so delivery cannot be set against a plan.")
    for row in table.itertuples():
        if row.reading == "no target":
            lines.append(f"- {row.label}: {_count(row.delivered)} delivered in {row.first_year}–{row.last_year}; "
                         "no target was recorded.")
            continue
        extra = row.delivered - row.delivered_in_planned_years
        lines.append(f"- {row.label}: {_count(row.delivered_in_planned_years)} of {_count(row.planned)} planned "
                     f"({row.progress:.0%}, {row.reading}; the target was met in {row.years_met} of "
                     f"{row.years_planned} years)"
                     + (f", plus {_count(extra)} in years without a target" if extra > 0 else "") + ".")
    return Markdown("\n".join(lines))


def progress_title(table: pd.DataFrame) -> str:
    """Figure title stating the finding of the progress chart."""
    planned = table[table["reading"] != "no target"]
    if planned.empty:
        return "No output has a target to measure progress against"
    short = planned[planned["reading"] == "short"]
    if short.empty:
        return f"Every output with a target reached at least {NEARLY_MET:.0%} of it"
    worst = short.sort_values("progress").iloc[0]
    return (f"{len(planned) - len(short)} of {len(planned)} outputs reached {NEARLY_MET:.0%} of target; "
            f"{worst['label']} fell furthest short ({worst['progress']:.0%})")


def delivery_title(table: pd.DataFrame) -> str:
    """Title of the outputs-by-year chart: the year delivery fell furthest behind its targets."""
    planned = table[table["ratio"].notna()]
    if planned.empty:
        return "Outputs delivered by year (no targets recorded)"
    by_year = planned.groupby("year")["ratio"].agg(["mean", "size"])
    if (planned["ratio"] >= MET).all():
        return "Every output met its target in every year that had one"
    worst = int(by_year["mean"].idxmin())
    return (f"Delivery fell furthest behind target in {worst}: on average {by_year.loc[worst, 'mean']:.0%} of "
            f"target across {int(by_year.loc[worst, 'size'])} outputs")


def reconciliation_text(table: pd.DataFrame) -> Markdown:
    """Do the monitoring records and the adoption records count the same CIO posts?"""
    if table.empty:
        return Markdown("CIO posts in the monitoring records cannot be checked against the adoption records "
                        "(no monitoring rows for CIO posts).")
    differ = table[table["difference"].astype(float).fillna(table["adoption_records"].astype(float)) != 0]
    total_m, total_a = table["monitoring"].sum(), table["adoption_records"].sum()
    if differ.empty:
        return Markdown(f"The monitoring records and the adoption records agree year by year: "
                        f"{_count(total_m)} territorial CIO posts in both.")
    years = ", ".join(str(int(y)) for y in differ["year"])
    return Markdown(f"**The monitoring records and the adoption records disagree in {len(differ)} year(s)** "
                    f"({years}): {_count(total_m)} territorial CIO posts reported against {_count(total_a)} "
                    "adoption acts recorded. Check which record is right before quoting either.")


def department_title(table: pd.DataFrame) -> str:
    """Title of the department chart: the spread of adoption across departments."""
    if table.empty:
        return "No territorial entities in the data"
    top, bottom = table.iloc[0], table.iloc[-1]
    return (f"The share of territorial entities that created the post ranges from {bottom['share']:.0%} "
            f"({bottom['department']}) to {top['share']:.0%} ({top['department']})")
