"""coverage and pre_adoption_years on integer codes give exactly what the merge-based formulas gave."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evaluation.load import dataset as datasets
from evaluation.questions import data_quality


def _coverage_by_merge(dataset, until_year=None):
    # the formula before the rewrite (a merged copy of the outcomes with the entities' levels)
    outcomes = dataset.outcomes.dropna(subset=["value"])
    if until_year is not None:
        outcomes = outcomes[outcomes["year"] <= until_year]
    levels = dataset.entities[["entity_id", "level"]]
    totals = levels.groupby("level", observed=True).size().rename("entities")
    counts = (outcomes.merge(levels, on="entity_id")
                      .groupby(["indicator", "year", "level"], observed=True)["entity_id"]
                      .nunique().rename("reporting").reset_index())
    counts = counts.merge(totals.reset_index(), on="level")
    counts["share"] = counts["reporting"] / counts["entities"]
    return counts.sort_values(["indicator", "year", "level"]).reset_index(drop=True)


# the formula before the rewrite (a merged copy of the outcomes with the adopters' cohorts)
def _pre_adoption_years_by_merge(dataset, until_year: int | None = None, anticipation: int = 0) -> pd.DataFrame:
    """For each indicator and cohort: how many years of data come before adoption.

    A cohort needs at least one year of the indicator before it adopts (before
    ``cohort - anticipation``) to be compared with itself; without one, its
    effect on that indicator cannot be estimated and the suite says so.
    ``reason`` is ``""`` for an evaluable cohort, ``"no_pre_year"`` when its
    scores all come from adoption on, ``"no_scores"`` when it has none.
    """
    outcomes = dataset.outcomes.dropna(subset=["value"])
    if until_year is not None:
        outcomes = outcomes[outcomes["year"] <= until_year]
    adopt = dataset.adoption[["entity_id", "cohort"]]
    if until_year is not None:
        adopt = adopt[adopt["cohort"] <= until_year]
    # Whole tables, never a loop over indicators x cohorts: the years each cohort has scores of each
    # indicator, from the distinct (indicator, entity, year) triples.
    columns = ["indicator", "cohort", "adopters", "pre_adoption_years", "post_adoption_years", "first_year",
               "evaluable", "reason"]
    cohorts = adopt.groupby("cohort").size()
    indicators = sorted(outcomes["indicator"].unique())
    if not indicators or cohorts.empty:
        return pd.DataFrame([], columns=columns)
    first_year = outcomes.groupby("indicator")["year"].min()
    scored = (outcomes[["indicator", "entity_id", "year"]].merge(adopt, on="entity_id")
              [["indicator", "cohort", "year"]].drop_duplicates())
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


@pytest.fixture(scope="module")
def demo():
    return datasets.load(None)


@pytest.fixture(scope="module")
def holes(demo):
    """The demo with a third of the scores blank and one indicator blank in its first two years."""
    outcomes = demo.outcomes.copy()
    rng = np.random.default_rng(7)
    outcomes.loc[rng.random(len(outcomes)) < 1 / 3, "value"] = np.nan
    first = outcomes["indicator"] == outcomes["indicator"].iloc[0]
    outcomes.loc[first & (outcomes["year"] <= outcomes["year"].min() + 1), "value"] = np.nan
    return dataclasses.replace(demo, outcomes=outcomes.sample(frac=1, random_state=3).reset_index(drop=True))


@pytest.mark.parametrize("which", ["demo", "holes"])
@pytest.mark.parametrize("until", [None, 2021, 2016])
def test_coverage_equals_the_merge_formula(request, which, until):
    data = request.getfixturevalue(which)
    pd.testing.assert_frame_equal(data_quality.coverage(data, until_year=until), _coverage_by_merge(data, until))


@pytest.mark.parametrize("which", ["demo", "holes"])
@pytest.mark.parametrize("until", [None, 2021, 2016])
@pytest.mark.parametrize("anticipation", [0, 1])
def test_pre_adoption_years_equal_the_merge_formula(request, which, until, anticipation):
    data = request.getfixturevalue(which)
    pd.testing.assert_frame_equal(data_quality.pre_adoption_years(data, until_year=until, anticipation=anticipation),
                                  _pre_adoption_years_by_merge(data, until_year=until, anticipation=anticipation))


@pytest.mark.parametrize("which", ["demo", "holes"])
def test_coverage_without_the_grid_is_the_same(request, which, monkeypatch):
    data = request.getfixturevalue(which)
    monkeypatch.setattr(data_quality, "_GRID_LIMIT", 0)  # the sorted-triples branch
    pd.testing.assert_frame_equal(data_quality.coverage(data, until_year=2021), _coverage_by_merge(data, 2021))


@pytest.mark.parametrize("which", ["demo", "holes"])
@pytest.mark.parametrize("grid_limit", [None, 0])
def test_a_few_rows_at_a_time_give_the_same_tables(request, which, grid_limit, monkeypatch):
    # chunks of 97 rows: codes, flags and triples are combined across several hundred chunks
    data = request.getfixturevalue(which)
    monkeypatch.setattr(data_quality, "_CHUNK", 97)
    if grid_limit is not None:
        monkeypatch.setattr(data_quality, "_GRID_LIMIT", grid_limit)
    assert len(data.outcomes) > 20 * 97
    for until in (None, 2021):
        pd.testing.assert_frame_equal(data_quality.coverage(data, until_year=until), _coverage_by_merge(data, until))
        pd.testing.assert_frame_equal(data_quality.pre_adoption_years(data, until_year=until, anticipation=1),
                                      _pre_adoption_years_by_merge(data, until_year=until, anticipation=1))


def test_codes_are_factorize_by_chunks(demo, monkeypatch):
    monkeypatch.setattr(data_quality, "_CHUNK", 101)
    for column in ("entity_id", "indicator"):
        values = demo.outcomes[column].sample(frac=1, random_state=5)
        codes, names = data_quality._codes(values)
        expected_codes, expected_names = pd.factorize(values)
        np.testing.assert_array_equal(codes, expected_codes)
        assert list(names) == list(expected_names)
