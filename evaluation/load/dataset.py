"""Load a checked dataset folder into typed tables and build outcome panels.

``load(folder)`` is the first arrow of the pipeline
(``load -> panel -> estimate -> aggregate -> report``): it runs every check of
``evaluation.load.checks`` and refuses data with errors, raising ``ContractError``
whose message is the table of problems. What it returns, a ``Dataset``, is
what every later stage consumes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from evaluation.load import contract
from evaluation.load.checks import ContractError, Problems, parse_folder

__all__ = ["Dataset", "load", "ContractError", "PANEL_COLUMNS"]

#: Entity columns every panel carries, after entity_id, year, value and cohort.
PANEL_ENTITY_COLUMNS = ("level", "sector", "department", "divipola", "head_of_sector")
#: The fixed leading columns of ``Dataset.panel``; covariates follow.
PANEL_COLUMNS = ("entity_id", "year", "value", "cohort", *PANEL_ENTITY_COLUMNS)
#: ``cohort`` of entities that never adopted.
NEVER_ADOPTED = 0
#: Outcome rows ``years`` and ``indicators`` look at at a time.
_ROWS_AT_A_TIME = 1_000_000


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """One checked dataset: typed tables, where they came from, and what to know about them.

    The Dataset is read-only in spirit: its attributes cannot be reassigned,
    and ``panel`` returns a new frame each call, but the table attributes are
    plain DataFrames, so do not change them in place. Call ``.copy()`` first
    if you need to modify one.

    Attributes
    ----------
    folder : pathlib.Path
        The folder read.
    files : dict of str to pathlib.Path
        Table name to the file actually read.
    entities : pandas.DataFrame
        One row per entity: entity_id, name, level (str), sector, department
        (str, missing when blank), divipola, head_of_sector (Int64), then one
        float column per covariate. Optional columns absent from the file are
        present and all missing.
    adoption : pandas.DataFrame
        entity_id, adoption_date (datetime64), post_title, post_level, and
        ``cohort``, the calendar year of adoption_date (int).
    outcomes : pandas.DataFrame
        entity_id, year (int), indicator, value (float). Blank values stay as
        NaN rows here (they were reported in ``warnings``) but are left out of
        every panel.
    monitoring, survey_ict_offices, survey_directors, costs : pandas.DataFrame or None
        The optional tables, typed the same way, or None when absent. Survey
        ``q_`` items are Int64.
    metadata : dict
        From the folder's optional ``dataset.yml``: name (defaults to the
        folder's name), synthetic (bool, default False), source, description,
        plus any other keys it holds.
    warnings : Problems
        Problems that did not prevent loading.
    """

    folder: Path
    files: dict[str, Path]
    entities: pd.DataFrame
    adoption: pd.DataFrame
    outcomes: pd.DataFrame
    monitoring: pd.DataFrame | None
    survey_ict_offices: pd.DataFrame | None
    survey_directors: pd.DataFrame | None
    costs: pd.DataFrame | None
    metadata: dict
    warnings: Problems

    @property
    def synthetic(self) -> bool:
        """True when ``dataset.yml`` says the data are made up (the demo data)."""
        return bool(self.metadata.get("synthetic", False))

    @property
    def years(self) -> list[int]:
        """Years with at least one non-missing outcome value, ascending."""
        return sorted(int(y) for y in self._scored_values("year"))

    @property
    def indicators(self) -> list[str]:
        """Indicator codes with at least one non-missing value, sorted."""
        return sorted(self._scored_values("indicator"))

    def _scored_values(self, column: str) -> set:
        """The distinct values of an outcome column on rows with a value.

        A million rows at a time: on 6 million rows, selecting the scored rows of a column whole
        copied it (50-80 MB) every time a report asked for the years.
        """
        outcomes = self.outcomes
        scored = outcomes["value"].notna().to_numpy()
        values = outcomes[column]
        found = set()
        for start in range(0, len(outcomes), _ROWS_AT_A_TIME):
            rows = slice(start, start + _ROWS_AT_A_TIME)
            found.update(values.iloc[rows][scored[rows]].unique())
        return found

    @property
    def covariates(self) -> list[str]:
        """Extra numeric columns of entities, in file order."""
        known = {c.name for c in contract.ENTITIES.columns}
        return [c for c in self.entities.columns if c not in known]

    def panel(self, indicator: str, *, until_year: int | None = None) -> pd.DataFrame:
        """One indicator as an entity-year panel, ready for an estimator.

        Parameters
        ----------
        indicator : str
            An indicator code from ``indicators``, e.g. ``"POL07"``.
        until_year : int, optional
            Keep years up to and including this one (to reproduce an analysis
            as it could be done that year). Cohorts are not changed: an entity
            adopting after ``until_year`` keeps its adoption year, which lies
            beyond the panel, so estimators treat it as not yet treated.

        Returns
        -------
        pandas.DataFrame
            One row per entity and year with a non-missing value: entity_id,
            year, value, cohort (adoption year; 0 for entities that never
            adopted), level, sector, department, divipola, head_of_sector,
            then the covariates. Sorted by entity_id and year, with a fresh
            RangeIndex. A new frame each call.

        Raises
        ------
        ValueError
            If the indicator has no values, naming those that do; or if
            ``until_year`` leaves no year.
        """
        if indicator not in self.indicators:
            available = ", ".join(self.indicators) or "none"
            raise ValueError(f"There are no values of indicator '{indicator}' in {self.folder.name}. "
                             f"Indicators with values: {available}.")
        outcomes = self.outcomes
        rows = outcomes[(outcomes["indicator"] == indicator) & outcomes["value"].notna()]
        if until_year is not None:
            rows = rows[rows["year"] <= until_year]
            if rows.empty:
                raise ValueError(f"Indicator '{indicator}' has no values up to {until_year}; "
                                 f"its first year is {int(outcomes.loc[outcomes['indicator'] == indicator, 'year'].min())}.")
        cohorts = self.adoption.set_index("entity_id")["cohort"]
        panel = rows[["entity_id", "year", "value"]].merge(
            self.entities[["entity_id", *PANEL_ENTITY_COLUMNS, *self.covariates]],
            on="entity_id", how="left", validate="many_to_one")
        panel.insert(3, "cohort", panel["entity_id"].map(cohorts).fillna(NEVER_ADOPTED).astype("int64"))
        return panel.sort_values(["entity_id", "year"], kind="stable").reset_index(drop=True)

    def __repr__(self) -> str:
        adopters = self.adoption["cohort"]
        cohorts = f", cohorts {adopters.min()}–{adopters.max()}" if len(adopters) else ""
        years = self.years
        span = f" {years[0]}–{years[-1]}" if years else ""
        kind = "synthetic" if self.synthetic else "real"
        return (f"<Dataset '{self.metadata.get('name') or self.folder.name}' ({kind}): "
                f"{len(self.entities)} entities, {len(adopters)} adopted{cohorts}; "
                f"outcomes {', '.join(self.indicators) or 'none'}{span}; "
                f"{len(self.warnings)} warning{'' if len(self.warnings) == 1 else 's'}>")


def load(folder: str | os.PathLike[str] | None = None) -> Dataset:
    """Check a dataset folder and load it.

    Parameters
    ----------
    folder : str, path or None
        The dataset folder, as accepted by ``evaluation.paths.resolve_data_dir``:
        None or "" loads the demo data.

    Returns
    -------
    Dataset
        Typed tables; ``warnings`` holds problems that did not prevent loading.

    Raises
    ------
    ContractError
        If any check finds an error; the message lists every problem with
        file, row, column and fix, and ``error.problems`` holds them as a table.
    FileNotFoundError
        If the folder does not exist.

    Notes
    -----
    Files are only read, never written.
    """
    parsed = parse_folder(folder)
    if not parsed.problems.ok:
        raise ContractError(parsed.problems)
    tables = {name: frame.reset_index(drop=True) for name, frame in parsed.tables.items()}
    adoption = tables["adoption"]
    adoption["cohort"] = adoption["adoption_date"].dt.year.astype("int64")
    outcomes = tables["outcomes"]
    outcomes["year"] = outcomes["year"].astype("int64")
    for name in ("monitoring", "costs"):
        if name in tables:
            tables[name]["year"] = tables[name]["year"].astype("int64")
    return Dataset(
        folder=parsed.folder,
        files=dict(parsed.files),
        entities=tables["entities"],
        adoption=adoption,
        outcomes=outcomes,
        monitoring=tables.get("monitoring"),
        survey_ict_offices=tables.get("survey_ict_offices"),
        survey_directors=tables.get("survey_directors"),
        costs=tables.get("costs"),
        metadata=dict(parsed.metadata),
        warnings=parsed.problems.warnings,
    )
