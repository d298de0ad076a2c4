"""Goodman-Bacon decomposition: the identity, the published castle numbers, always-treated units, refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE

from evaluation import did

LABELS = {"Earlier vs Later Treated": "earlier vs later treated",
          "Later vs Earlier Treated": "later vs earlier treated",
          "Treated vs Untreated": "treated vs never treated"}


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "castle.csv").copy()


def _staggered(seed: int, cohorts=(0, 3, 5, 7), n_units=90, periods=8, always=False) -> pd.DataFrame:
    """A balanced panel with effects that grow with time since adoption (so 2x2s differ)."""
    rng = np.random.default_rng(seed)
    g = rng.choice(cohorts, n_units)
    if always:
        g[:12] = 1  # treated from the first period on
    t = np.arange(1, periods + 1)
    treated = (g[:, None] > 0) & (t[None, :] >= g[:, None])
    effect = np.where(treated, 1 + 0.6 * (t[None, :] - g[:, None]), 0.0)
    y = rng.normal(size=n_units)[:, None] + 0.2 * t + effect + rng.normal(size=(n_units, periods))
    return pd.DataFrame({"unit": np.repeat(np.arange(n_units), periods), "time": np.tile(t, n_units),
                         "d": treated.ravel().astype(int), "y": y.ravel()})


def test_castle_identity_and_published_decomposition(castle):
    res = did.bacon(castle, "l_homicide", "state", "year", "post")
    tidy = res.tidy()
    assert list(tidy.columns) == ["comparison", "treated_cohort", "control_cohort", "estimate", "weight"]
    assert tidy["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    twfe = did.twfe(castle, "l_homicide", "state", "year", "post").estimate
    assert (tidy["weight"] * tidy["estimate"]).sum() == pytest.approx(twfe, abs=1e-8)
    assert res.twfe == pytest.approx(twfe, abs=1e-8)
    published = pd.read_csv(REFERENCE / "bacondecomp_castle_summary.csv")
    summary = res.summary().set_index("comparison")
    for row in published.itertuples():
        ours = summary.loc[LABELS[row.type]]
        assert ours["weight"] == pytest.approx(row.weight, abs=5e-6)
        assert ours["estimate"] == pytest.approx(row.avg_est, abs=5e-6)
    # never-treated controls are missing, not a fake cohort
    never = tidy[tidy["comparison"] == "treated vs never treated"]
    assert never["control_cohort"].isna().all() and len(never) == 5


@pytest.mark.parametrize("cohorts", [(0, 3, 5, 7), (3, 5, 7)], ids=["with-never-treated", "timing-only"])
def test_identity_on_simulated_panels(cohorts):
    data = _staggered(4, cohorts)
    res = did.bacon(data, "y", "unit", "time", "d")
    assert res.frame["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert res.twfe == pytest.approx(did.twfe(data, "y", "unit", "time", "d").estimate, abs=1e-10)
    kinds = set(res.frame["comparison"])
    assert ("treated vs never treated" in kinds) == (0 in cohorts)
    assert "later vs earlier treated" in kinds


def test_identity_with_always_treated_units():
    data = _staggered(5, always=True)
    res = did.bacon(data, "y", "unit", "time", "d")
    always = res.frame[res.frame["comparison"] == "treated vs always treated"]
    assert len(always) == 3 and (always["control_cohort"] == 1).all()
    assert res.frame["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert res.twfe == pytest.approx(did.twfe(data, "y", "unit", "time", "d").estimate, abs=1e-10)


def test_forbidden_comparisons_are_biased_when_effects_grow():
    """With effects growing since adoption, already-treated controls pull their 2x2s down."""
    res = did.bacon(_staggered(6, n_units=400), "y", "unit", "time", "d")
    s = res.summary().set_index("comparison")
    assert s.loc["later vs earlier treated", "estimate"] < s.loc["treated vs never treated", "estimate"] - 1


def test_matches_an_independent_implementation(castle):
    dd = pytest.importorskip("diff_diff", reason="diff-diff (test-only dependency) is not installed")
    first = castle[castle["post"] == 1].groupby("state")["year"].min()
    data = castle.assign(first_treat=castle["state"].map(first).fillna(0))
    theirs = dd.BaconDecomposition().fit(data, "l_homicide", "state", "year", "first_treat")
    s = did.bacon(castle, "l_homicide", "state", "year", "post").summary().set_index("comparison")
    assert s.loc["treated vs never treated", "weight"] == pytest.approx(theirs.total_weight_treated_vs_never, abs=1e-10)
    assert s.loc["earlier vs later treated", "weight"] == pytest.approx(theirs.total_weight_earlier_vs_later, abs=1e-10)
    assert s.loc["later vs earlier treated", "weight"] == pytest.approx(theirs.total_weight_later_vs_earlier, abs=1e-10)


def test_refuses_unbalanced_switching_and_non_binary_panels(castle):
    with pytest.raises(ValueError, match="balanced panel"):
        did.bacon(castle.iloc[5:], "l_homicide", "state", "year", "post")
    switching = castle.copy()
    switching.loc[(switching["state"] == "Florida") & (switching["year"] == 2010), "post"] = 0
    with pytest.raises(ValueError, match="switches off"):
        did.bacon(switching, "l_homicide", "state", "year", "post")
    with pytest.raises(ValueError, match="0/1"):
        did.bacon(castle, "l_homicide", "state", "year", "cdl")
