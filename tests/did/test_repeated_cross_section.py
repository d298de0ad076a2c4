"""``att_gt(..., panel=False)``: repeated cross-sections (R did's ``panel = FALSE``; DRDID's RC estimators).

Layer 1: DRDID's manual examples on its ``sim_rc`` data (tests/reference/sim_rc.csv):
https://psantanna.com/DRDID/reference/drdid_rc.html, reg_did_rc.html and
std_ipw_did_rc.html (github:pedrohcgs/DRDID, docs/reference/), each called as
``f(y = sim_rc$y, post = sim_rc$post, D = sim_rc$d, covariates = as.matrix(sim_rc[, 5:8]))``.
Those pages were rendered when DRDID's analytic SE was ``sd(IF) / sqrt(n)``; the
tests compute that form from our influence function before comparing digits.
Layer 2 (slow): coverage of the intervals on simulated repeated cross-sections.
Layer 3: the influence functions equal the numerical derivative of each estimator,
and a balanced panel read as cross-sections gives the panel's point estimates.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE, SIM_COLUMNS, sim_truth_simple, simulate_staggered

from evaluation import did
from evaluation.did import drdid_improved, repeated_cross_section as rcs

COVS = ["x1", "x2", "x3", "x4"]


@pytest.fixture(scope="module")
def sim_rc() -> pd.DataFrame:
    data = pd.read_csv(REFERENCE / "sim_rc.csv")
    # one period before (post = 0, coded 1) and one after (post = 1, coded 2); d = 1 adopts in period 2
    return data.assign(period=data["post"] + 1, cohort=np.where(data["d"] == 1, 2, 0))


def _fit(data, method, **kw):
    return did.att_gt(data, outcome="y", unit=None, time="period", cohort="cohort", covariates=COVS,
                      method=method, panel=False, **kw)


# (ATT, SE) as printed on the DRDID manual pages named in the module docstring.
PRINTED = {"dr": (-0.1678, 0.2009), "reg": (-8.791, 7.7785), "ipw": (-15.8033, 9.0879)}


def _printed_se(res):
    psi = res.influence[:, 0]
    return float(np.std(psi, ddof=1) / np.sqrt(psi.shape[0]))


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_att_reproduces_drdid_manual_on_sim_rc(sim_rc, method):
    res = _fit(sim_rc, method)
    assert res.n_units == 1000 and res.identified.all()
    att, _ = PRINTED[method]
    assert round(float(res.estimate[0]), 4) == att
    assert res.settings.panel is False and res.settings.method == method


@pytest.mark.parametrize("method", ["reg", "ipw"])
def test_se_reproduces_drdid_manual_on_sim_rc(sim_rc, method):
    res = _fit(sim_rc, method)
    assert round(_printed_se(res), 4) == PRINTED[method][1]
    np.testing.assert_allclose(res.std_error[0], np.sqrt(np.sum(res.influence[:, 0] ** 2)) / 1000, rtol=1e-12)


def _rc_arrays(sim_rc):
    order = np.r_[np.flatnonzero(sim_rc["d"] == 1), np.flatnonzero(sim_rc["d"] == 0)]
    x = np.column_stack([np.ones(len(sim_rc)), sim_rc[COVS].to_numpy()])[order]
    return (sim_rc["y"].to_numpy()[order], sim_rc["post"].to_numpy(float)[order],
            sim_rc["d"].to_numpy(float)[order], np.ones(len(sim_rc)), x)


def test_dr_se_differs_from_drdid_only_by_its_base_period_regression_sign(sim_rc):
    """The one documented departure from DRDID (see evaluation/did/repeated_cross_section.py).

    DRDID's ``drdid_rc`` adds the estimation effect of the comparison group's base-period
    regression on the two base-period means with the opposite sign to the derivative of the
    estimator. Our SE (0.2027 in the printed convention) is therefore not DRDID's printed
    0.2009; flipping that one term in our influence function gives DRDID's number, and
    ``test_influence_functions_are_derivatives`` shows ours is the derivative.
    """
    res = _fit(sim_rc, "dr")
    ours = _printed_se(res)
    assert round(ours, 4) == 0.2027
    y, post, d, w, x = _rc_arrays(sim_rc)
    n1 = y.shape[0]
    ps, _, trim, _ = rcs._propensity(x, d, w, n1)
    _, lin_c0 = rcs._wls(x, y, w, (d == 0) & (post == 0), n1, "")
    w_t0 = trim * w * d * (1 - post)
    w_c0 = trim * w * ps / (1 - ps) * (1 - d) * (1 - post)
    term = lin_c0 @ (w_t0 @ x / n1 / np.mean(w_t0)) - lin_c0 @ (w_c0 @ x / n1 / np.mean(w_c0))
    _, psi, _ = rcs.rc_dr(y, post, d, w, x)
    drdid_psi = psi - 2 * term
    assert round(float(np.std(drdid_psi, ddof=1) / np.sqrt(n1)), 4) == PRINTED["dr"][1]


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_influence_functions_are_derivatives(sim_rc, method):
    """psi_i = n * d att / d w_i (the empirical influence function), checked numerically."""
    y, post, d, w, x = _rc_arrays(sim_rc)
    n = y.shape[0]
    estimator = rcs.ESTIMATORS[method]
    att, psi, _ = estimator(y, post, d, w, x)
    eps = 1e-6
    for i in range(0, n, 97):
        w2 = w.copy()
        w2[i] += eps
        att2, _, _ = estimator(y, post, d, w2, x)
        assert (att2 - att) / eps * n == pytest.approx(psi[i], rel=1e-4, abs=1e-4 * np.abs(psi).max())


def test_improved_dr_influence_function_is_derivative(sim_rc):
    """Same check for the panel improved DR (its influence function is the plug-in one)."""
    rng = np.random.default_rng(5)
    n, nt = 400, 150
    x = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    x[:nt, 1] += 0.5
    dy = x @ np.array([1.0, 0.5, -0.3]) + rng.normal(size=n)
    w = np.ones(n)

    def fit(weights):
        pre = drdid_improved.prepare(x, nt, weights)
        return drdid_improved.two_by_two(dy, nt, weights, x, pre)

    att, psi = fit(w)
    for i in range(0, n, 37):
        w2 = w.copy()
        w2[i] += 1e-6
        assert (fit(w2)[0] - att) / 1e-6 * n == pytest.approx(psi[i], rel=1e-4, abs=1e-4 * np.abs(psi).max())


def test_balanced_panel_read_as_cross_sections_gives_panel_point_estimates(mpdta):
    cols = dict(outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
    panel = did.att_gt(mpdta, **cols)
    cross = did.att_gt(mpdta, **cols, panel=False, cluster="countyreal")
    # mean(y_t - y_b) = mean(y_t) - mean(y_b) over the same units, so the DiD of means is the same
    np.testing.assert_allclose(cross.estimate, panel.estimate, rtol=1e-10, atol=1e-12)
    assert cross.n_units == len(mpdta) and panel.n_units == mpdta["countyreal"].nunique()
    # clustered by county, the summed cross-section influence functions of a county are its panel
    # influence function, so the SEs are the panel's; unclustered, they ignore the pairing of periods
    np.testing.assert_allclose(cross.std_error, panel.std_error, rtol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        independent = did.att_gt(mpdta, **cols, panel=False)
    assert np.all(independent.std_error > 1.5 * panel.std_error)


def test_cross_sections_without_never_treated_follow_the_panel_rule(mpdta):
    # No never-treated units: R did drops the periods from the last cohort's adoption onward (and the
    # last cohort is only a comparison group) for panels and cross-sections alike; read as cross-sections
    # clustered by county, the balanced panel must give the panel's cells and standard errors.
    data = mpdta[mpdta["first.treat"] != 0]
    cols = dict(outcome="lemp", unit="countyreal", time="year", cohort="first.treat", control_group="not_yet_treated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        panel = did.att_gt(data, **cols)
        cross = did.att_gt(data, **cols, panel=False, cluster="countyreal")
    assert set(cross.time) == set(panel.time) and max(panel.time) < data["first.treat"].max()
    assert set(cross.cohort) == set(panel.cohort) and data["first.treat"].max() not in set(cross.cohort)
    np.testing.assert_allclose(cross.estimate, panel.estimate, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cross.std_error, panel.std_error, rtol=1e-8)
    assert any("No never-treated units" in m for m in cross.messages)


def _as_cross_sections(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Each simulated entity is surveyed in one random period only."""
    rng = np.random.default_rng(seed)
    periods = np.sort(frame["period"].unique())
    chosen = rng.choice(periods, size=frame["unit"].nunique())
    pick = frame["period"].to_numpy() == chosen[frame["unit"].to_numpy()]
    return frame[pick].reset_index(drop=True)


def test_staggered_cross_sections_aggregate_bootstrap_and_schema():
    data = _as_cross_sections(simulate_staggered(n_units=1800, seed=1), seed=2)
    before = data.copy()
    res = did.att_gt(data, **SIM_COLUMNS, covariates="x", panel=False, bootstrap=199, seed=3)
    pd.testing.assert_frame_equal(data, before)  # the caller's frame is not modified
    assert res.identified.sum() > 0 and res.band == "uniform"
    assert res.influence.shape == (len(data), res.n_cells)
    assert set(res.unit_ids) == set(data.index)
    assert list(res.tidy().columns) == did.tidy_columns(("cohort", "time", "event_time"))
    for kind in ("simple", "dynamic", "group", "calendar"):
        agg = res.aggregate(kind)
        assert np.isfinite(agg.overall.estimate) and np.isfinite(agg.overall.std_error)
    # rows in another order: same numbers (aligned by row label)
    shuffled = did.att_gt(data.sample(frac=1, random_state=4), **SIM_COLUMNS, covariates="x", panel=False)
    np.testing.assert_allclose(shuffled.estimate, res.estimate, rtol=1e-9)
    np.testing.assert_allclose(shuffled.std_error, did.att_gt(data, **SIM_COLUMNS, covariates="x", panel=False).std_error, rtol=1e-9)


def test_cross_sections_refuse_what_they_cannot_estimate(sim_rc):
    with pytest.raises(ValueError, match="not available for repeated cross-sections.*'dr', 'reg', 'ipw'"):
        _fit(sim_rc, "dr_imp")
    with pytest.raises(ValueError, match="unit is required for panel data; for repeated cross-sections use panel=False"):
        did.att_gt(sim_rc, "y", None, "period", "cohort")
    with pytest.raises(ValueError, match="panel must be True"):
        did.att_gt(sim_rc, "y", None, "period", "cohort", panel="no")


def test_repeated_unit_ids_are_flagged(mpdta):
    with pytest.warns(UserWarning, match="appear in more than one period.*cluster='countyreal'"):
        did.att_gt(mpdta, "lemp", "countyreal", "year", "first.treat", panel=False)


def test_too_few_observations_is_a_labelled_gap(sim_rc):
    small = sim_rc[~((sim_rc["d"] == 1) & (sim_rc["post"] == 0))].iloc[:0]
    tiny = pd.concat([sim_rc[(sim_rc["d"] == 0)], sim_rc[(sim_rc["d"] == 1) & (sim_rc["post"] == 1)], small])
    tiny = pd.concat([tiny, sim_rc[(sim_rc["d"] == 1) & (sim_rc["post"] == 0)].iloc[:1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        res = _fit(tiny, "reg")
    assert not res.identified[0]
    assert "too few observations: 1 treated observations in the base period" in res.note[0]


@pytest.mark.slow
@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_coverage_of_cross_section_intervals(method):
    """95% intervals for the overall (simple) ATT cover the truth about 95% of the time."""
    truth = sim_truth_simple()
    reps, covered, estimates = 300, 0, []
    for r in range(reps):
        data = _as_cross_sections(simulate_staggered(n_units=1500, seed=1000 + r), seed=5000 + r)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            overall = did.att_gt(data, **SIM_COLUMNS, covariates="x", method=method, panel=False).aggregate("simple").overall
        covered += overall.conf_low <= truth <= overall.conf_high
        estimates.append(overall.estimate)
    rate = covered / reps
    print(method, "coverage", rate, "mean estimate", np.mean(estimates), "truth", truth)
    # 300 replications: a 95% rate has a standard error of 1.26 points
    assert 0.915 <= rate <= 0.98, rate
    assert abs(np.mean(estimates) - truth) < 4 * np.std(estimates) / np.sqrt(reps)


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_sampling_weights_act_as_frequencies(sim_rc, method):
    """Weight 2 on an observation gives the point estimate of the data with that row twice."""
    doubled = sim_rc.index[::4]
    weighted = sim_rc.assign(w=np.where(sim_rc.index.isin(doubled), 2.0, 1.0))
    duplicated = pd.concat([sim_rc, sim_rc.loc[doubled]], ignore_index=True)
    res_w = _fit(weighted, method, weights="w")
    res_d = _fit(duplicated, method)
    np.testing.assert_allclose(res_w.estimate, res_d.estimate, rtol=1e-8)
