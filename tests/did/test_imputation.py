"""Imputation estimator (Borusyak, Jaravel & Spiess 2024): where it equals Callaway-Sant'Anna, recovery of
known effects, its pre-trend test, and an independent implementation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE, SIM_COLUMNS, sim_truth_simple

from evaluation import did, paths
from evaluation.load import dataset
from evaluation.panel import PANEL_KEYS, resolve_covariates, select_entities
from evaluation.questions import impact


def _single_cohort(seed: int, periods: int, n_units: int = 60) -> pd.DataFrame:
    """One cohort adopting in period 2 (one pre-adoption period) and never-treated units; growing effects."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n_units), periods)
    t = np.tile(np.arange(1, periods + 1), n_units)
    cohort = np.where(np.arange(n_units) < n_units // 2, 2, 0)[unit]
    effect = np.where((cohort > 0) & (t >= cohort), 1 + 0.5 * (t - cohort), 0.0)
    y = rng.normal(size=n_units)[unit] + 0.3 * t + effect + rng.normal(size=unit.size)
    return pd.DataFrame({"u": unit, "t": t, "c": cohort, "y": y})


@pytest.mark.parametrize("periods", [2, 5])
def test_equals_callaway_santanna_with_one_pre_period(periods):
    """With a single cohort whose only pre-adoption period is the one before adoption, and never-treated
    comparisons, the imputed untreated outcome is the unit's pre-adoption value plus the never-treated
    change, so every horizon is the same 2x2 as CS's (and so are the standard errors: both are the
    sample variance of the same unit-level differences)."""
    data = _single_cohort(7, periods)
    imp = did.imputation(data, "y", "u", "t", "c").tidy().set_index("event_time")
    for control in ("never_treated", "not_yet_treated"):
        cs = did.att_gt(data, "y", "u", "t", "c", control_group=control).aggregate("dynamic").tidy()
        cs = cs.set_index("event_time").loc[lambda f: f.index >= 0]
        np.testing.assert_allclose(imp.loc[cs.index, "estimate"], cs["estimate"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(imp.loc[cs.index, "std_error"], cs["std_error"], rtol=1e-10)


def test_differs_from_callaway_santanna_with_several_pre_periods(simulate):
    """Not identical in general: imputation compares with the average of all untreated periods, CS with one."""
    data = simulate(n_units=300, seed=2, x_trend=0.0)
    imp = did.imputation(data, **SIM_COLUMNS).tidy().set_index("event_time")
    cs = did.att_gt(data, **SIM_COLUMNS).aggregate("dynamic").tidy().set_index("event_time")
    assert np.abs(imp.loc[[0, 1], "estimate"] - cs.loc[[0, 1], "estimate"]).max() > 1e-4


def test_recovers_the_truth_with_conditional_parallel_trends(simulate):
    """Adoption and the outcome trend both depend on x: only the covariate-adjusted estimate is unbiased."""
    data = simulate(n_units=3000, seed=11, x_trend=0.5)
    adjusted = did.imputation(data, **SIM_COLUMNS, covariates="x").overall
    naive = did.imputation(data, **SIM_COLUMNS).overall
    truth = sim_truth_simple()
    assert abs(adjusted.estimate - truth) < 3 * adjusted.std_error
    assert abs(naive.estimate - truth) > 5 * naive.std_error


def test_demo_data_both_estimators_cover_the_truth():
    data = dataset.load(paths.resolve_data_dir(""))
    panel = select_entities(data.panel("POL07"), "territorial")
    covs = resolve_covariates(data, "default", "territorial")
    cs, _ = impact.estimate(panel, covs)
    truth = impact.true_effects(data, "POL07", panel, cs, max(data.years))["overall"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imp = did.imputation(panel, **PANEL_KEYS, covariates=covs).overall
    simple = cs.aggregate("simple").overall
    for est in (imp, simple):
        assert est.conf_low <= truth <= est.conf_high
        assert abs(est.estimate - truth) < 2 * est.std_error


def test_matches_an_independent_implementation():
    dd = pytest.importorskip("diff_diff", reason="diff-diff (test-only dependency) is not installed")
    castle = pd.read_csv(REFERENCE / "castle.csv").copy()
    first = castle[castle["post"] == 1].groupby("state")["year"].min()
    castle = castle.assign(first_treat=castle["state"].map(first).fillna(0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = dd.ImputationDiD().fit(castle, "l_homicide", "state", "year", "first_treat",
                                        aggregate="event_study")
    ours = did.imputation(castle, "l_homicide", "state", "year", "first_treat", pretrends=0)
    tidy = ours.tidy().set_index("event_time")
    for h, row in theirs.event_study_effects.items():
        if h < 0:
            continue
        assert tidy.loc[h, "estimate"] == pytest.approx(row["effect"], abs=1e-10)
        assert tidy.loc[h, "std_error"] == pytest.approx(row["se"], rel=1e-8)
    assert ours.overall.estimate == pytest.approx(theirs.overall_att, abs=1e-10)
    assert ours.overall.std_error == pytest.approx(theirs.overall_se, rel=1e-8)


def test_pretrend_test_detects_a_pre_trend_and_passes_without_one(simulate):
    flat = simulate(n_units=800, seed=3, x_trend=0.0)
    assert did.imputation(flat, **SIM_COLUMNS).pretest().p_value > 0.01
    tilted = flat.copy()
    adopter = tilted["cohort"] > 0
    # adopters drift upwards before adoption: 0.4 per period until they adopt
    tilted.loc[adopter, "y"] += 0.4 * np.minimum(tilted.loc[adopter, "period"], tilted.loc[adopter, "cohort"])
    pre = did.imputation(tilted, **SIM_COLUMNS)
    assert pre.pretest().p_value < 1e-6
    # cohorts 3-5 in periods 1-6: event times -4 to -1 before adoption; the default tests the last three
    # and keeps -4 (cohort 5 in period 1) with the never-treated units as the reference
    assert pre.pretest().df == 3
    rows = pre.tidy()
    assert (rows.loc[rows["event_time"] < 0, "note"].str.contains("pre-trend")).all()


def test_schema_notes_and_untouched_input(simulate):
    data = simulate(n_units=200, seed=5)
    data.loc[data["unit"] < 5, "cohort"] = 1  # treated from the first period: nothing to impute from
    before = data.copy()
    res = did.imputation(data, **SIM_COLUMNS, horizons=[0, 1, 2])
    pd.testing.assert_frame_equal(data, before)
    tidy = res.tidy()
    assert list(tidy.columns) == did.tidy_columns(("event_time",))
    assert list(tidy.loc[tidy["event_time"] >= 0, "event_time"]) == [0, 1, 2]
    assert any("could not be imputed" in m for m in res.messages)
    assert res.overall.n_treated == res.effects.loc[res.effects["effect"].notna() & res.effects["event_time"].le(2),
                                                    "unit"].nunique()
    assert list(res.vcov.index) == [0, 1, 2] and np.allclose(np.diag(res.vcov), tidy["std_error"].iloc[-3:] ** 2)


@pytest.mark.slow
def test_conservative_standard_errors_cover(simulate):
    """Coverage of the overall effect: at least nominal (the SEs are conservative), but not inflated.

    Borusyak, Jaravel and Spiess's (2024) variance is conservative only through effect
    heterogeneity, which this design keeps mild; the intervals must therefore cover about 95%
    and the average SE must be close to the Monte Carlo SD of the estimate. Measured on these
    150 panels: coverage 0.967, mean SE / MC SD 1.04. Too wide intervals (SE x 1.5: coverage
    1.0, ratio 1.56) fail the upper bounds.
    """
    truth = sim_truth_simple()
    covered, estimates, ses = [], [], []
    for seed in range(150):
        res = did.imputation(simulate(n_units=200, seed=1000 + seed, x_trend=0.0), **SIM_COLUMNS, pretrends=0)
        covered.append(res.overall.conf_low <= truth <= res.overall.conf_high)
        estimates.append(res.overall.estimate)
        ses.append(res.overall.std_error)
    rate = float(np.mean(covered))
    margin = 2.6 * np.sqrt(0.95 * 0.05 / 150)  # binomial: about 2.6 standard errors (0.018) at 95%
    assert rate >= 0.95 - margin
    assert rate <= 0.99, f"coverage {rate:.3f}: intervals far too wide"
    # the MC SD from 150 draws has a relative standard error of about 1/sqrt(2 * 149) = 0.058;
    # 0.85..1.25 allows 2.6 of them below 1 and the conservative excess plus 2.6 of them above
    ratio = float(np.mean(ses) / np.std(estimates, ddof=1))
    assert 0.85 <= ratio <= 1.25, f"mean SE / Monte Carlo SD = {ratio:.3f}"
