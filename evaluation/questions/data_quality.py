"""What the data can and cannot support: coverage, adoption timing, pre-adoption years.

These tables feed the data-quality notebook. They describe; they never
estimate, and they hold numbers and codes only: the sentences made from them
are in ``evaluation.text.data_quality``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.load.contract import LEVELS
from evaluation.load.readers import release_freed_memory


def _levels(dataset) -> pd.DataFrame:
    return dataset.entities[["entity_id", "level"]]


def level_order(present) -> list[str]:
    """The levels found, the contract's first (national, departmental, municipal), then any other.

    A dataset that declares its own levels in ``dataset.yml`` (``checks.levels``,
    e.g. ``state``) keeps them in the tables, in the order they first appear,
    instead of losing them to a reindex on the contract's three.
    """
    present = list(dict.fromkeys(lv for lv in present if isinstance(lv, str)))
    return [lv for lv in LEVELS if lv in present] + [lv for lv in present if lv not in LEVELS]


def overview(dataset, until_year: int | None = None) -> pd.DataFrame:
    """One row per level: entities, adopters, never adopters, first and last outcome year."""
    ents = _levels(dataset).merge(dataset.adoption[["entity_id", "cohort"]], on="entity_id", how="left")
    if until_year is not None:
        ents.loc[ents["cohort"] > until_year, "cohort"] = pd.NA
    out = (ents.groupby("level", observed=True)
               .agg(entities=("entity_id", "size"), adopters=("cohort", "count"))
               .reindex(level_order(ents["level"])))
    out["never_adopted"] = out["entities"] - out["adopters"]
    out.loc["all"] = out.sum()
    return out.reset_index()


#: Largest (indicator, year, entity) grid coverage flags in memory (one byte each); beyond it, sorted triples.
_GRID_LIMIT = 200_000_000
#: Outcome rows worked on at a time: on 6 million rows, whole-column integer arrays and their products
#: held several hundred MB at once; a million rows at a time hold a few tens.
_CHUNK = 1_000_000


def _chunks(n: int):
    """``slice`` objects over ``n`` rows, ``_CHUNK`` rows each."""
    return (slice(start, min(start + _CHUNK, n)) for start in range(0, n, _CHUNK))


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(values)`` (the same codes, distinct values in order of first appearance), chunk by chunk.

    The codes are int32 (half of factorize's int64) and no whole-column temporary is made.
    """
    codes = np.empty(len(values), dtype=np.int32)
    names = pd.Index(values.iloc[:0].unique())
    for rows in _chunks(len(values)):
        local, distinct = pd.factorize(values.iloc[rows])
        if not len(distinct):  # every value of this chunk missing
            codes[rows] = -1
            continue
        where = names.get_indexer(distinct)
        new = where < 0
        if new.any():
            where[new] = len(names) + np.arange(int(new.sum()))
            names = names.append(pd.Index(distinct[new]))
        codes[rows] = np.where(local >= 0, where[local], -1)
    return codes, names


def _positions(values: pd.Series, table_ids: pd.Series) -> np.ndarray:
    """For each of ``values``, the row of ``table_ids`` holding it (-1 if none), by the distinct values only (int32)."""
    codes, distinct = _codes(values)
    where = pd.Index(table_ids).get_indexer(distinct).astype(np.int32)
    for rows in _chunks(len(codes)):  # in place: the codes become the positions
        part = codes[rows]
        codes[rows] = np.where(part >= 0, where[part], -1)
    return codes


def _scored_rows(dataset, until_year: int | None) -> np.ndarray:
    """Which outcome rows hold a score (and are not after ``until_year``), as a boolean array."""
    outcomes = dataset.outcomes
    keep = outcomes["value"].notna().to_numpy()
    if until_year is not None:
        keep = keep & (outcomes["year"] <= until_year).to_numpy()
    return keep


def coverage(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Share of entities with a score, by indicator, year and level.

    Works on integer codes of the outcome rows (which entity, which indicator), never on a merged
    copy of the outcomes table (on 6 million rows a merge with the entities' levels held the table
    twice more in memory), and on a million rows at a time.
    """
    outcomes = dataset.outcomes
    levels = _levels(dataset)
    totals = levels.groupby("level", observed=True).size().rename("entities")
    keep = _scored_rows(dataset, until_year)
    entity = _positions(outcomes["entity_id"], levels["entity_id"])
    keep = keep & (entity >= 0)  # an outcome row of an entity not in the entities table has no level
    level_code, level_name = pd.factorize(levels["level"])
    indicator, indicator_name = _codes(outcomes["indicator"])
    years = outcomes["year"].to_numpy()
    span: tuple[int, int] | None = None  # (first, last) year of the kept rows
    for rows in _chunks(len(keep)):
        kept = years[rows][keep[rows]]
        if len(kept):
            low, high = int(kept.min()), int(kept.max())
            span = (low, high) if span is None else (min(span[0], low), max(span[1], high))
    first = span[0] if span is not None else 0
    n_years = span[1] - first + 1 if span is not None else 1
    n_entities, n_levels = len(levels), len(level_name)
    size = len(indicator_name) * n_years * n_entities

    def cells():
        # which (indicator, year, entity) a scored row is, as one number, a chunk of rows at a time
        for rows in _chunks(len(keep)):
            part = keep[rows]
            yield ((indicator[rows][part].astype(np.int64) * n_years + (years[rows][part] - first)) * n_entities
                   + entity[rows][part])

    # which (indicator, year, entity) has a score: one flag per possible triple (a few MB for the real
    # data), or the sorted distinct triples when that grid would be too large
    if size <= _GRID_LIMIT:
        seen = np.zeros(size, dtype=bool)
        for cell in cells():
            seen[cell] = True
        del entity, indicator, keep
        grid = seen.reshape(len(indicator_name) * n_years, n_entities)
        reporting = np.stack([grid[:, level_code == lv].sum(axis=1) for lv in range(n_levels)], axis=1).ravel()
        del seen, grid
    else:
        distinct = np.unique(np.concatenate([np.unique(cell) for cell in cells()] or [np.empty(0, np.int64)]))
        del entity, indicator, keep
        group = (distinct // n_entities) * n_levels + level_code[distinct % n_entities]
        reporting = np.bincount(group, minlength=len(indicator_name) * n_years * n_levels)
    found = np.flatnonzero(reporting)  # (indicator, year, level) groups with at least one entity
    counts = pd.DataFrame({
        "indicator": pd.Series(np.asarray(indicator_name, dtype=object)[found // (n_years * n_levels)],
                               dtype=outcomes["indicator"].dtype),
        "year": (first + (found // n_levels) % n_years).astype(outcomes["year"].dtype),
        "level": pd.Series(np.asarray(level_name, dtype=object)[found % n_levels],
                           dtype=levels["level"].dtype),
        "reporting": reporting[found].astype("int64")})
    counts = counts.merge(totals.reset_index(), on="level")
    counts["share"] = counts["reporting"] / counts["entities"]
    release_freed_memory()  # the row-sized arrays above, back to the system (for the other kernels of a run)
    return counts.sort_values(["indicator", "year", "level"]).reset_index(drop=True)


def adoption_timeline(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Adopters per cohort (year of the act) and level, with cumulative totals."""
    adopt = dataset.adoption[["entity_id", "cohort"]].merge(_levels(dataset), on="entity_id")
    if until_year is not None:
        adopt = adopt[adopt["cohort"] <= until_year]
    table = (adopt.groupby(["cohort", "level"], observed=True).size()
                  .unstack("level", fill_value=0)
                  .reindex(columns=level_order(adopt["level"]), fill_value=0))
    table["all"] = table.sum(axis=1)
    table.columns.name = None
    table = table.reset_index()
    table["cumulative"] = table["all"].cumsum()
    return table


def pre_adoption_years(dataset, until_year: int | None = None, anticipation: int = 0) -> pd.DataFrame:
    """For each indicator and cohort: how many years of data come before adoption.

    A cohort needs at least one year of the indicator before it adopts (before
    ``cohort - anticipation``) to be compared with itself; without one, its
    effect on that indicator cannot be estimated and the suite says so.
    ``reason`` is ``""`` for an evaluable cohort, ``"no_pre_year"`` when its
    scores all come from adoption on, ``"no_scores"`` when it has none.
    """
    outcomes = dataset.outcomes
    keep = _scored_rows(dataset, until_year)
    adopt = dataset.adoption[["entity_id", "cohort"]]
    if until_year is not None:
        adopt = adopt[adopt["cohort"] <= until_year]
    # Whole tables, never a loop over indicators x cohorts: the years each cohort has scores of each
    # indicator, from the distinct (indicator, cohort, year) triples, found a million rows at a time.
    columns = ["indicator", "cohort", "adopters", "pre_adoption_years", "post_adoption_years", "first_year",
               "evaluable", "reason"]
    cohorts = adopt.groupby("cohort").size()
    indicator_code, indicator_name = _codes(outcomes["indicator"])
    years = outcomes["year"].to_numpy()
    # integer codes, not a merged copy of the outcomes table (see coverage)
    adopter = _positions(outcomes["entity_id"], adopt["entity_id"])
    cohort_code, cohort_value = pd.factorize(adopt["cohort"].to_numpy())
    n_indicators, n_cohorts = len(indicator_name), len(cohort_value)
    first_year = np.full(n_indicators, np.iinfo(np.int64).max, dtype=np.int64)
    low = int(years.min()) if len(years) else 0
    n_years = int(years.max()) - low + 1 if len(years) else 1
    triples = []
    for rows in _chunks(len(keep)):
        part = keep[rows]
        code, year, who = indicator_code[rows][part], years[rows][part], adopter[rows][part]
        np.minimum.at(first_year, code, year)  # the first year each indicator has a score
        adopted = who >= 0
        triples.append(np.unique((code[adopted].astype(np.int64) * n_cohorts + cohort_code[who[adopted]])
                                 * n_years + (year[adopted] - low)))
    present = np.flatnonzero(first_year != np.iinfo(np.int64).max)
    indicators = sorted(indicator_name[present])
    if not indicators or cohorts.empty:
        return pd.DataFrame([], columns=columns)
    first_year = pd.Series(first_year[present], index=indicator_name[present])
    triple = np.unique(np.concatenate(triples))
    del triples, indicator_code, adopter, keep
    release_freed_memory()  # as in coverage
    scored = pd.DataFrame({"indicator": np.asarray(indicator_name, dtype=object)[triple // (n_cohorts * n_years)],
                           "cohort": cohort_value[(triple // n_years) % n_cohorts],
                           "year": low + triple % n_years})
    scored["pre"] = scored["year"] < scored["cohort"] - anticipation
    counts = scored.groupby(["indicator", "cohort"])["pre"].agg(pre="sum", scored="size")
    grid = pd.MultiIndex.from_product([indicators, cohorts.index], names=["indicator", "cohort"])
    counts = counts.reindex(grid, fill_value=0)
    table = pd.DataFrame({
        "indicator": grid.get_level_values("indicator"),
        "cohort": grid.get_level_values("cohort").astype(int),
        "adopters": cohorts.reindex(grid.get_level_values("cohort")).to_numpy().astype(int),
        "pre_adoption_years": counts["pre"].to_numpy().astype(int),
        "post_adoption_years": (counts["scored"] - counts["pre"]).to_numpy().astype(int),
        "first_year": first_year.reindex(grid.get_level_values("indicator")).to_numpy().astype(int),
    })
    table["evaluable"] = table["pre_adoption_years"] > 0
    # Why a cohort cannot be evaluated, as a code (the words are in evaluation.text.data_quality).
    n_scored = counts["scored"].to_numpy()
    table["reason"] = ["" if ok else ("no_scores" if not n else "no_pre_year")
                       for ok, n in zip(table["evaluable"], n_scored)]
    return table[columns]


def indicator_label(code: str, dataset=None, language: str = "en") -> str:
    """``POL07`` -> ``POL07 – Gobierno Digital policy index (FURAG)``.

    With ``dataset``, a label its ``dataset.yml`` gives the outcome
    (``labels: {outcomes: {l_homicide: ...}}``, written for converted panels)
    is used first. The words come from ``evaluation.text.wording.Wording``
    (English by default, as before; ``language="es"`` for Spanish).
    """
    from evaluation.text.wording import Wording

    return Wording.for_dataset(dataset, language).outcome(code)


#: How the English reports speak of the GCIO programme's data (the ``wording`` of a dataset without labels).
GCIO_WORDING = {"unit": "entity", "units": "entities", "treatment": "GCIO post",
                "adopted": "created the GCIO post", "outcomes": {}}


def wording(dataset, language: str = "en") -> dict:
    """The words a report uses for this dataset's units, treatment and outcomes, as a dict.

    Kept for the reports not yet converted to ``evaluation.text``; it is
    ``Wording.for_dataset(dataset, language)`` as a dict. GCIO data speak of
    entities that created the GCIO post; a dataset whose ``dataset.yml`` has a
    ``labels:`` block speaks of, say, states that adopted a castle-doctrine law.

    Returns
    -------
    dict
        ``unit``, ``units``, ``treatment`` (short form), ``adopted`` (a verb phrase:
        "created the GCIO post", "adopted the castle-doctrine law") and
        ``outcomes`` (code to label, as the dataset gives them; empty for GCIO data).
    """
    from evaluation.text.wording import Wording

    words = Wording.for_dataset(dataset, language)
    return {"unit": words.unit, "units": words.units, "treatment": words.treatment_short,
            "adopted": words.adopted, "outcomes": {} if words.programme else dict(words.outcomes)}


def warnings_by_column(problems: pd.DataFrame) -> pd.DataFrame:
    """How many warnings the contract checks gave for each file and column (``file, column, warnings``)."""
    if problems is None or not len(problems):
        return pd.DataFrame(columns=["file", "column", "warnings"])
    table = problems.assign(column=problems["column"].fillna("").astype(str))
    return (table.groupby(["file", "column"], sort=True).size().rename("warnings").reset_index())
