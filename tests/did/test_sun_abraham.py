"""Sun & Abraham (2021): diff-diff's SunAbraham on random panels, R staggered's printed number on the
police-training panel, the one-cohort case against the TWFE event study, schema and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE

from evaluation import did


def _panel(seed: int, n: int = 240, periods: int = 8, cohorts=(3, 5, 6, 0), unbalanced: float = 0.0,
           covariate: bool = False) -> pd.DataFrame:
    """Staggered panel with effects that differ by cohort and grow with exposure (where TWFE goes wrong)."""
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(n), periods)
    time = np.tile(np.arange(1, periods + 1), n)
    cohort = rng.choice(cohorts, n)[unit]
    effect = np.where((cohort > 0) & (time >= cohort), 1 + 0.2 * (time - cohort) + 0.1 * cohort, 0.0)
    y = rng.normal(size=n)[unit] + 0.3 * time + effect + rng.normal(size=n * periods)
    frame = pd.DataFrame({"unit": unit, "time": time, "g": cohort, "y": y, "state": unit % 17})
    if covariate:
        frame["x"] = rng.normal(size=len(frame)) + 0.1 * time
        frame["y"] += 0.5 * frame["x"]
    if unbalanced:
        frame = frame.sample(frac=1 - unbalanced, random_state=seed).sort_values(["unit", "time"])
    return frame.reset_index(drop=True)


def _diff_diff(frame, covariates=None, cluster=None):
    dd = pytest.importorskip("diff_diff", reason="diff-diff (test-only dependency) is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dd.SunAbraham(cluster=cluster).fit(frame, "y", "unit", "time", "g", covariates=covariates)


def _diff_diff_k_ratio(res: did.SunAbrahamResult, n_periods: int) -> float:
    """diff-diff counts one more absorbed parameter than fixest/reghdfe's (N-1)/(N-K) (its "CR1 K increment"
    for the constant absorbed by the fixed effects), so its SEs are ours times sqrt((N-K)/(N-K-1)), where K =
    cohort x event-time coefficients + covariates + the period effects (unit effects are nested in clusters)."""
    k = len(res.cells) + res.settings["covariate terms"] + n_periods - 1
    return float(np.sqrt((res.n_obs - k) / (res.n_obs - k - 1)))


@pytest.mark.parametrize("case", [
    {"seed": 1},
    {"seed": 2, "unbalanced": 0.15},
    {"seed": 3, "covariate": True},
    {"seed": 4, "covariate": True, "unbalanced": 0.15},
])
def test_matches_diff_diff_sunabraham_on_random_panels(case):
    frame = _panel(**case)
    covs = ["x"] if case.get("covariate") else None
    ours = did.sun_abraham(frame, "y", "unit", "time", "g", covariates=covs)
    theirs = _diff_diff(frame, covariates=covs)
    es = theirs.event_study_effects
    assert set(es) == set(ours.event_time) - {-1}
    ratio = _diff_diff_k_ratio(ours, frame["time"].nunique())
    for e, row in es.items():
        assert ours.coefficients.loc[e] == pytest.approx(row["effect"], rel=1e-9, abs=1e-11)
        assert ours.vcov.loc[e, e] ** 0.5 * ratio == pytest.approx(row["se"], rel=1e-8)
    assert ours.overall.estimate == pytest.approx(theirs.overall_att, rel=1e-9)
    assert ours.overall.std_error * ratio == pytest.approx(theirs.overall_se, rel=1e-8)
    # the interaction weights are the cohort shares of the observations at each event time
    w = ours.weights.set_index(["event_time", "cohort"])["weight"]
    for e, shares in theirs.cohort_weights.items():
        for g, share in shares.items():
            assert w.loc[(e, g)] == pytest.approx(share, rel=1e-12)


def test_clustered_by_a_coarser_level_matches_diff_diff():
    frame = _panel(5)
    ours = did.sun_abraham(frame, "y", "unit", "time", "g", cluster="state")
    theirs = _diff_diff(frame, cluster="state")
    assert ours.n_clusters == 17
    ratio = np.array([theirs.event_study_effects[e]["se"] / ours.vcov.loc[e, e] ** 0.5
                      for e in theirs.event_study_effects])
    # units are nested in states, so both count K as with unit clusters: one constant ratio, as above
    assert ratio == pytest.approx(_diff_diff_k_ratio(ours, 8), rel=1e-8)


def test_one_cohort_equals_the_twfe_event_study():
    """With one adoption cohort and never-treated controls the saturated regression is the dynamic TWFE."""
    frame = _panel(6, cohorts=(4, 0), unbalanced=0.1)
    sa = did.sun_abraham(frame, "y", "unit", "time", "g")
    es = did.event_study(frame, "y", "unit", "time", "g")
    assert np.allclose(sa.coefficients.to_numpy(), es.coefficients.loc[sa.event_time].to_numpy(), atol=1e-10)
    assert np.allclose(sa.covariance, es.vcov.loc[sa.event_time, sa.event_time].to_numpy(), atol=1e-12)


def test_recovers_effects_that_differ_by_cohort_and_exposure():
    frame = _panel(7, n=3000)
    sa = did.sun_abraham(frame, "y", "unit", "time", "g")
    cells = sa.cohort_effects().set_index(["cohort", "event_time"])
    for (g, e), row in cells.iterrows():
        truth = 1 + 0.2 * e + 0.1 * g if e >= 0 else 0.0
        assert abs(row["estimate"] - truth) < 4 * row["std_error"]
    # each event-time effect targets the cohort-share average of the true cohort effects at that event time
    weights = sa.weights
    for e in range(0, 6):
        w = weights[weights["event_time"] == e]
        truth_e = float((w["weight"] * (1 + 0.2 * e + 0.1 * w["cohort"])).sum())
        k = list(sa.event_time).index(e)
        assert abs(sa.estimate[k] - truth_e) < 4 * sa.std_error[k]


def test_last_cohort_control_equals_never_treated_coding_in_diff_diff():
    """control='last_cohort' is the never-treated estimator on the periods before the last cohort adopts,
    with that cohort as the never-treated group (and never-treated units left out)."""
    frame = _panel(8, cohorts=(3, 4, 7, 0))
    ours = did.sun_abraham(frame, "y", "unit", "time", "g", control="last_cohort")
    assert any("never-treated" in m for m in ours.messages)
    recoded = frame[(frame["g"] > 0) & (frame["time"] < 7)].assign(g=lambda f: f["g"].where(f["g"] != 7, 0))
    theirs = _diff_diff(recoded)
    for e, row in theirs.event_study_effects.items():
        assert ours.coefficients.loc[e] == pytest.approx(row["effect"], rel=1e-9, abs=1e-11)
    assert ours.overall.estimate == pytest.approx(theirs.overall_att, rel=1e-9)


@pytest.fixture(scope="module")
def police() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "pj_officer_level_balanced.csv.gz")


@pytest.mark.slow  # 560,520 officer-months: about 10 s
def test_police_training_panel_reproduces_staggered_sa(police):
    res = did.sun_abraham(police, "complaints", "uid", "period", "first_trained", control="last_cohort")
    # Printed in the staggered README (github.com/jonathandroth/staggered, README.md, "Other Estimators"):
    # staggered_sa(df = pj_officer_level_balanced, i = "uid", t = "period", g = "first_trained",
    #              y = "complaints", estimand = "simple")  ->  estimate 0.01153851, se 0.01730161, se_neyman 0.01730234
    # (no never-treated officers: the last cohort trained, period 72, is the control, as use_last_treated_only).
    assert res.overall.estimate == pytest.approx(0.01153851, abs=5e-9)
    # The standard errors are not the same estimator: staggered's Neyman SE sums N_g/(N_g - 1)-scaled cohort
    # variances, ours is the cluster-robust regression SE with one G/(G-1) factor for all 7,785 officers. With a
    # control cohort of 13 officers that is about sqrt(12/13) smaller on the control's share of the variance,
    # so ours is 3-4 % below; not closer than 5 % is a real discrepancy.
    assert res.overall.std_error == pytest.approx(0.01730234, rel=0.05)
    assert res.overall.std_error < 0.01730234
    assert res.n_control[0] == 13 and res.n_units == 7785


@pytest.mark.slow  # diff-diff's dense design on 32,000 rows: about 10 s
def test_police_subset_matches_diff_diff(police):
    """Deterministic subset small enough for diff-diff's dense design: cohorts 19, 20, 21 and the last (72)."""
    sub = police[police["first_trained"].isin([19, 20, 21, 72])].rename(
        columns={"uid": "unit", "period": "time", "first_trained": "g", "complaints": "y"})
    ours = did.sun_abraham(sub, "y", "unit", "time", "g", control="last_cohort")
    recoded = sub[sub["time"] < 72].assign(g=lambda f: f["g"].where(f["g"] != 72, 0))
    theirs = _diff_diff(recoded)
    ratio = _diff_diff_k_ratio(ours, 71)
    for e, row in theirs.event_study_effects.items():
        assert ours.coefficients.loc[e] == pytest.approx(row["effect"], rel=1e-8, abs=1e-12)
        assert ours.vcov.loc[e, e] ** 0.5 * ratio == pytest.approx(row["se"], rel=1e-7)
    assert ours.overall.estimate == pytest.approx(theirs.overall_att, rel=1e-9)


# ------------------------------------------------------------------------------------ conventions


def test_tidy_schema_settings_and_html():
    frame = _panel(9)
    before = frame.copy()
    res = did.sun_abraham(frame, "y", "unit", "time", "g")
    pd.testing.assert_frame_equal(frame, before)  # the caller's data are not modified
    tidy = res.tidy()
    assert list(tidy.columns) == did.tidy_columns(("event_time",))
    ref = tidy.set_index("event_time").loc[-1]
    assert ref["estimate"] == 0 and np.isnan(ref["std_error"]) and "reference" in ref["note"]
    assert list(res.cohort_effects().columns) == did.tidy_columns(("cohort", "time", "event_time"))
    assert list(res.overall.tidy().columns) == did.tidy_columns(())
    assert res.settings["control"] == "never_treated" and res.settings["outcome"] == "y"
    assert res.weights.groupby("event_time")["weight"].sum().to_numpy() == pytest.approx(1.0)
    html = res._repr_html_()
    assert "Sun and Abraham" in html and "never_treated" in html
    with pytest.raises(Exception):
        res.alpha = 0.1  # frozen


def test_rows_in_any_order_give_the_same_result():
    frame = _panel(10, unbalanced=0.1, covariate=True)
    a = did.sun_abraham(frame, "y", "unit", "time", "g", covariates="x")
    b = did.sun_abraham(frame.sample(frac=1, random_state=0), "y", "unit", "time", "g", covariates="x")
    assert np.allclose(a.estimate, b.estimate, equal_nan=True) and np.allclose(a.covariance, b.covariance)


def test_sun_abraham_feeds_honest_and_pretrend_power():
    res = did.sun_abraham(_panel(11, n=600), "y", "unit", "time", "g")
    power = did.pretrend_power(res)
    assert power.settings["reference"] == -1 and (power.event_time < -1).all() and power.slope > 0
    sens = did.honest(res, "smoothness")
    assert np.isfinite(sens.original["conf_low"])


# ------------------------------------------------------------------------------------ bad input


def test_refuses_never_treated_control_without_never_treated_units():
    frame = _panel(12, cohorts=(3, 5, 6))
    with pytest.raises(ValueError, match="control='last_cohort'"):
        did.sun_abraham(frame, "y", "unit", "time", "g")
    res = did.sun_abraham(frame, "y", "unit", "time", "g", control="last_cohort")
    assert res.settings["control cohort"] == "6" and np.isfinite(res.overall.estimate)


def test_refuses_when_there_is_neither_a_never_treated_group_nor_a_last_cohort():
    frame = _panel(13, cohorts=(4,))
    for control in ("never_treated", "last_cohort"):
        with pytest.raises(ValueError, match="cannot|not possible"):
            did.sun_abraham(frame, "y", "unit", "time", "g", control=control)


def test_refuses_unknown_control_and_collinear_covariates():
    frame = _panel(14)
    with pytest.raises(ValueError, match="control must be one of"):
        did.sun_abraham(frame, "y", "unit", "time", "g", control="not_yet_treated")
    with pytest.raises(ValueError, match="collinear"):
        did.sun_abraham(frame.assign(x=frame["time"] * 2.0, z=frame["time"] * 3.0 + 1), "y", "unit", "time", "g",
                        covariates=["x", "z"])


def test_time_invariant_covariate_enters_by_period_as_a_dummy_variable_ols():
    """An entity trait enters as trait x period indicators (fixest's i(time, x)); check against statsmodels OLS
    with every unit, period, cohort x event-time and trait x period dummy written out."""
    sm = pytest.importorskip("statsmodels.api")
    frame = _panel(16, n=150, periods=6, cohorts=(3, 5, 0), unbalanced=0.1)
    trait = np.random.default_rng(0).normal(size=150)
    frame["trait"] = trait[frame["unit"]]
    frame["y"] += frame["trait"] * frame["time"] * 0.3  # trends differ with the trait
    res = did.sun_abraham(frame, "y", "unit", "time", "g", covariates="trait")
    assert res.settings["covariate terms"] == 5
    cells = res.cohort_effects()
    design = {f"c{g}_{t}": ((frame["g"] == g) & (frame["time"] == t)).astype(float)
              for g, t in zip(cells["cohort"], cells["time"])}
    design |= {f"trait_{t}": frame["trait"] * (frame["time"] == t) for t in range(2, 7)}
    design |= {f"u{u}": (frame["unit"] == u).astype(float) for u in sorted(frame["unit"].unique())}
    design |= {f"t{t}": (frame["time"] == t).astype(float) for t in range(2, 7)}
    x = pd.DataFrame(design)
    fit = sm.OLS(frame["y"], x).fit(cov_type="cluster", cov_kwds={"groups": frame["unit"]})
    ols = fit.params[[f"c{g}_{t}" for g, t in zip(cells["cohort"], cells["time"])]].to_numpy()
    assert cells["estimate"].to_numpy() == pytest.approx(ols, rel=1e-8, abs=1e-10)
    # statsmodels counts the unit dummies in K; fixest/reghdfe (and we) do not when units are nested in clusters
    n, k_sm = len(frame), x.shape[1]
    k_ours = len(cells) + 5 + 6 - 1
    ratio = np.sqrt((n - k_ours) / (n - k_sm))
    se = fit.bse[[f"c{g}_{t}" for g, t in zip(cells["cohort"], cells["time"])]].to_numpy()
    assert cells["std_error"].to_numpy() * ratio == pytest.approx(se, rel=1e-7)


def test_a_cohort_without_its_reference_year_is_labelled_not_identified():
    frame = _panel(15)
    frame = frame[~((frame["g"] == 5) & (frame["time"] == 4))]  # cohort 5 never seen in its year -1
    res = did.sun_abraham(frame, "y", "unit", "time", "g")
    cells = res.cohort_effects()
    gone = cells[cells["cohort"] == 5]
    assert len(gone) and not gone["identified"].any() and gone["estimate"].isna().all()
    assert gone["note"].str.contains("year before adoption").all()
    assert np.isfinite(res.overall.estimate)
    assert res.weights.query("cohort == 5").empty


def test_clustering_by_period_and_the_last_cohort_messages():
    frame = _panel(17, cohorts=(3, 5, 7, 0))
    by_time = did.sun_abraham(frame, "y", "unit", "time", "g", cluster="time")
    assert by_time.n_clusters == 8 and np.isfinite(by_time.overall.std_error)
    last = did.sun_abraham(frame, "y", "unit", "time", "g", control="last_cohort")
    assert any("from period 7 on were left out" in m for m in last.messages)
    assert last.event_time.max() == 6 - 3  # cohort 3 seen up to period 6, the last before the control adopts


# ------------------------------------------------------------------------------------ review: odd codings


@pytest.mark.parametrize("recode", [lambda t: t / 10, lambda t: 2000 + 2 * t, lambda t: np.log(t + 1)],
                         ids=["tenths", "biennial", "uneven"])
def test_periods_not_one_apart_give_the_integer_answer(recode):
    """Periods coded 0.1, 0.2, ... (or every second year, or unevenly spaced) are the same panel.

    The reference is the period before adoption and event time counts periods, so every strictly
    increasing coding must give the integer coding's estimates. Before the fix the reference was
    looked up at ``cohort - 1`` in the time column's units: every cell was NaN (no error, no message).
    """
    frame = _panel(12, unbalanced=0.05)
    base = did.sun_abraham(frame, "y", "unit", "time", "g", cluster="state")
    coded = frame.assign(time=recode(frame["time"].astype(float)),
                         g=np.where(frame["g"] > 0, recode(frame["g"].astype(float)), 0))
    res = did.sun_abraham(coded, "y", "unit", "time", "g", cluster="state")
    assert res.identified.all() and np.isfinite(res.overall.estimate)
    np.testing.assert_array_equal(res.event_time, base.event_time)
    np.testing.assert_allclose(res.estimate, base.estimate, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.std_error, base.std_error, rtol=1e-10, equal_nan=True)
    assert res.overall.estimate == pytest.approx(base.overall.estimate, rel=1e-10)


def test_refuses_a_single_cluster():
    """One cluster: the cluster-robust variance is not estimable; before the fix every SE was NaN silently."""
    frame = _panel(13).assign(region=1)
    with pytest.raises(ValueError, match=r"cluster column 'region' has a single value .*at least two clusters"):
        did.sun_abraham(frame, "y", "unit", "time", "g", cluster="region")
