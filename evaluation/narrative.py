"""Plain-language sentences generated from results, for readers who never see code.

Nothing here hard-codes a conclusion: every sentence that states a direction,
a size or a gap is computed from the tables it is given, so the same notebook
run on other data says other things.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import Markdown


def _years(values) -> str:
    values = sorted(int(v) for v in values)
    if not values:
        return "none"
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values[:-1]) + (" and " if len(values) > 1 else "") + str(values[-1])


def data_banner(dataset) -> Markdown:
    """A warning that the data are synthetic, or the data's provenance when they are real."""
    name = dataset.metadata.get("name", dataset.folder.name)
    if dataset.synthetic:
        return Markdown(
            f"> **Synthetic demo data ({name}).** Adoption dates and outcome scores are simulated to look like "
            "Colombia's programme data; they are not real records of any entity. Numbers in this report show "
            "how the suite works, not how the programme performed.")
    source = dataset.metadata.get("source", "not stated in dataset.yml")
    return Markdown(f"> **Data:** {name}. Source: {source}.")


def evaluability(pre_years: pd.DataFrame) -> Markdown:
    """One bullet per indicator: which cohorts can be evaluated on it, which cannot, and why."""
    bullets = [f"- {_evaluability(pre_years, ind)}" for ind in dict.fromkeys(pre_years["indicator"])]
    return Markdown("\n".join(bullets) or "No adopting entity has any outcome score.")


def _evaluability(pre_years: pd.DataFrame, indicator: str) -> str:
    rows = pre_years[pre_years["indicator"] == indicator]
    good, bad = rows[rows["evaluable"]], rows[~rows["evaluable"]]
    first = int(rows["first_year"].iloc[0])
    parts = [f"**{indicator}** is observed from {first}."]
    if len(bad):
        parts.append(
            f"Cohorts {_years(bad['cohort'])} ({int(bad['adopters'].sum())} adopting entities) have no "
            f"{indicator} score before they adopted, so their effect on {indicator} cannot be estimated: "
            "they are reported as not identified, not dropped silently.")
    if len(good):
        parts.append(
            f"Cohorts {_years(good['cohort'])} ({int(good['adopters'].sum())} entities) have between "
            f"{int(good['pre_adoption_years'].min())} and {int(good['pre_adoption_years'].max())} "
            "years of data before adoption.")
    return " ".join(parts)


def save_table(table: pd.DataFrame, output_dir: str, name: str) -> None:
    """Write ``table`` as CSV into the run's output folder (no-op when run interactively)."""
    if output_dir:
        folder = Path(output_dir) / "tables"
        folder.mkdir(parents=True, exist_ok=True)
        table.to_csv(folder / name, index=False)
