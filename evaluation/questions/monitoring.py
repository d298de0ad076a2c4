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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.load.contract import LEVELS

#: The contract's outputs in the order the programme lists them, with English names (plain name, unit, one
#: unit in words). The monitoring report takes its words from ``evaluation.text.monitoring``; these English
#: names stay for ``evaluation.questions.costs``, which reads them (``output_label``, ``output_unit``).
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
#: The codes of ``progress()['reading']``, best first.
READINGS = ("met", "nearly met", "short", "no target")
NO_TARGET = "no target"


def output_label(output: str) -> str:
    """``cio_posts_created`` -> ``CIO posts created`` (English; kept for ``questions.costs``)."""
    return OUTPUTS.get(output, (output.replace("_", " "),))[0]


def output_unit(output: str) -> str:
    """One unit of an output in English: ``cio_posts_created`` -> ``CIO post created`` (for ``questions.costs``)."""
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
        ``output`` (the contract's code), ``label`` (its English name, for
        ``questions.findings``; reports take words from ``evaluation.text.monitoring``),
        ``year, delivered, target`` (NaN when no target was
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
    ``reading`` is a code (``READINGS``; its words are in ``evaluation.text.monitoring``):
    ``met`` (at least 100%), ``nearly met`` (90-100%), ``short`` (below 90%) or ``no target``.
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
        return NO_TARGET
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


DEPARTMENT_COLUMNS = ["department", "entities", "adopters", "share", "first_year", "departmental_adopters",
                      "municipal_adopters"]


def posts_by_department(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Territorial entities (governorship and mayoralties) that created the post, per department.

    Returns
    -------
    pandas.DataFrame
        ``department, entities`` (territorial entities in it), ``adopters``
        (created the post by ``until_year``), ``share`` (adopters / entities),
        ``first_year`` (earliest adoption) and the adopters by level
        (``departmental_adopters``, ``municipal_adopters``). Sorted by share,
        highest first. Entities without a department are grouped in one row
        whose ``department`` is missing (the report names it in words).
    """
    entities = dataset.entities[dataset.entities["level"] != "national"][["entity_id", "level", "department"]]
    if entities.empty:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    cohorts = dataset.adoption.set_index("entity_id")["cohort"]
    frame = entities.assign(cohort=entities["entity_id"].map(cohorts))
    if until_year is not None:
        frame.loc[frame["cohort"] > until_year, "cohort"] = np.nan
    rows = []
    for department, part in frame.groupby("department", sort=True, dropna=False):
        adopted = part[part["cohort"].notna()]
        by_level = adopted["level"].value_counts()
        rows.append({"department": department if isinstance(department, str) else np.nan,
                     "entities": len(part), "adopters": len(adopted), "share": len(adopted) / len(part),
                     "first_year": float(adopted["cohort"].min()) if len(adopted) else np.nan,
                     **{f"{lv}_adopters": int(by_level.get(lv, 0)) for lv in LEVELS if lv != "national"}})
    out = pd.DataFrame(rows, columns=DEPARTMENT_COLUMNS)
    out["first_year"] = whole(out["first_year"])
    return out.sort_values(["share", "adopters"], ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ the numbers the report states


@dataclass(frozen=True)
class ProgressSummary:
    """How many outputs with a target met it, and which fell furthest short.

    Attributes
    ----------
    with_target : int
        Outputs that had a target in at least one year.
    met, nearly_met, short : int
        Outputs by ``reading`` (``met`` at least 100% of the plan, ``nearly met`` 90-100%, ``short`` below).
    worst_output : str or None
        The output code with the lowest progress among the ``short`` ones (None when none is short).
    worst_progress : float
        Its progress (NaN when none is short).
    """

    with_target: int
    met: int
    nearly_met: int
    short: int
    worst_output: str | None
    worst_progress: float

    @property
    def reached_nearly(self) -> int:
        """Outputs that reached at least ``NEARLY_MET`` of their target."""
        return self.met + self.nearly_met

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"with_target": self.with_target, "met": self.met, "nearly_met": self.nearly_met,
                              "short": self.short, "worst_output": self.worst_output,
                              "worst_progress": self.worst_progress}])


def progress_summary(table: pd.DataFrame) -> ProgressSummary:
    """The counts behind the effectiveness reading, from :func:`progress`."""
    readings = table["reading"] if not table.empty else pd.Series([], dtype=object)
    short = table[readings == "short"] if not table.empty else table
    worst = short.sort_values("progress", kind="stable").iloc[0] if len(short) else None
    return ProgressSummary(with_target=int((readings != NO_TARGET).sum()), met=int((readings == "met").sum()),
                           nearly_met=int((readings == "nearly met").sum()), short=int(len(short)),
                           worst_output=None if worst is None else str(worst["output"]),
                           worst_progress=float("nan") if worst is None else float(worst["progress"]))


@dataclass(frozen=True)
class DeliveryYear:
    """The year delivery fell furthest behind its targets (mean of delivered / target over the outputs planned).

    ``year`` is None when no output had a target; ``all_met`` is True when every output met its
    target in every year that had one.
    """

    year: int | None
    mean_ratio: float
    outputs: int
    all_met: bool

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"year": self.year, "mean_ratio": self.mean_ratio, "outputs": self.outputs,
                              "all_met": self.all_met}])


def worst_year(table: pd.DataFrame) -> DeliveryYear:
    """The year of :func:`delivery` with the lowest mean ratio of delivered to target."""
    planned = table[table["ratio"].notna()] if not table.empty else table
    if planned.empty:
        return DeliveryYear(None, float("nan"), 0, False)
    by_year = planned.groupby("year")["ratio"].agg(["mean", "size"])
    year = int(by_year["mean"].idxmin())
    return DeliveryYear(year, float(by_year.loc[year, "mean"]), int(by_year.loc[year, "size"]),
                        bool((planned["ratio"] >= MET).all()))


@dataclass(frozen=True)
class ReconciliationSummary:
    """Do the monitoring and the adoption records count the same territorial posts?

    ``available`` is False without monitoring rows for CIO posts; ``years_differ`` lists the years
    whose counts disagree (a year missing from one record counts as disagreeing).
    """

    available: bool
    years_differ: tuple[int, ...]
    monitoring_total: float
    adoption_total: float

    @property
    def agree(self) -> bool:
        return self.available and not self.years_differ

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"available": self.available, "years_differ": len(self.years_differ),
                              "monitoring_total": self.monitoring_total, "adoption_total": self.adoption_total}])


def reconciliation_summary(table: pd.DataFrame) -> ReconciliationSummary:
    """The totals and the disagreeing years of :func:`posts_reconciliation`."""
    if table.empty:
        return ReconciliationSummary(False, (), float("nan"), float("nan"))
    difference = table["difference"].astype(float).fillna(table["adoption_records"].astype(float))
    differ = tuple(int(y) for y in table.loc[difference != 0, "year"])
    return ReconciliationSummary(True, differ, float(table["monitoring"].astype(float).sum()),
                                 float(table["adoption_records"].astype(float).sum()))
