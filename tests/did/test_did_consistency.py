"""Layer 3: consistency -- fast and slow paths agree, results do not depend on how data arrive."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from did_testdata import MPDTA_COLUMNS, SIM_COLUMNS, sim_effect

from evaluation import did
from evaluation.did.group_time import estimate_cells, fit_logit
from evaluation.did.panel import build_panel


def fit(data, **kw):
    return did.att_gt(data, **MPDTA_COLUMNS, **kw)


@pytest.mark.parametrize("kw", [{}, dict(covariates=["lpop"], control_group="not_yet_treated")])
def test_row_order_does_not_matter(mpdta, kw):
    shuffled = mpdta.sample(frac=1.0, random_state=7)
    a, b = fit(mpdta, **kw), fit(shuffled, **kw)
    pd.testing.assert_frame_equal(a.tidy(), b.tidy())
    pd.testing.assert_frame_equal(a.aggregate("dynamic").tidy(), b.aggregate("dynamic").tidy())
    np.testing.assert_array_equal(a.unit_ids, b.unit_ids)
    np.testing.assert_array_equal(a.influence, b.influence)


def test_callers_data_not_modified(mpdta):
    data = mpdta.copy()
    data.loc[data["first.treat"] == 0, "first.treat"] = np.nan  # exercise the recoding path
    before = data.copy(deep=True)
    res = fit(data, covariates=["lpop"], bootstrap=50, seed=1)
    res.aggregate("dynamic")
    res.pretest()
    pd.testing.assert_frame_equal(data, before)


def test_never_treated_coded_zero_or_nan(mpdta):
    as_nan = mpdta.astype({"first.treat": float})
    as_nan.loc[as_nan["first.treat"] == 0, "first.treat"] = np.nan
    for kw in ({}, dict(control_group="not_yet_treated", method="reg", covariates=["lpop"])):
        a, b = fit(mpdta, **kw), fit(as_nan, **kw)
        pd.testing.assert_frame_equal(a.tidy(), b.tidy())
        for kind in ("simple", "group", "dynamic", "calendar"):
            pd.testing.assert_frame_equal(a.aggregate(kind).tidy(), b.aggregate(kind).tidy())


def test_string_unit_ids(mpdta):
    data = mpdta.assign(countyreal="c" + mpdta["countyreal"].astype(str))
    a, b = fit(mpdta), fit(data)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=0, atol=0)
    np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-14)


# --------------------------------------------------------------------------------------
# unbalanced panels
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [dict(method="dr"), dict(method="dr", covariates=["lpop"], control_group="not_yet_treated")])
def test_balanced_panel_same_on_both_paths(mpdta, kw):
    """The observed-in-both-periods path gives the balanced panel's numbers exactly."""
    panel = build_panel(mpdta, covariates=tuple(kw.get("covariates", ())), **MPDTA_COLUMNS)
    assert panel.complete
    args = dict(
        control_group=kw.get("control_group", "never_treated"), method=kw["method"], anticipation=0, base_period="varying"
    )
    fast = estimate_cells(panel, **args)
    slow = estimate_cells(dataclasses.replace(panel, complete=False), **args)
    np.testing.assert_allclose(slow.estimate, fast.estimate, rtol=1e-12)
    np.testing.assert_allclose(slow.influence, fast.influence, rtol=1e-10, atol=1e-12)

    # Through the public API: a unit never observed forces the unbalanced path and changes nothing.
    ghost = pd.DataFrame({"year": [2003, 2004], "countyreal": [1, 1], "lpop": [1.0, 1.0], "lemp": [np.nan, np.nan],
                          "first.treat": [0, 0], "treat": [0, 0]})
    a = fit(mpdta, **kw)
    b = fit(pd.concat([mpdta, ghost], ignore_index=True), **kw)
    np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-12)
    np.testing.assert_allclose(b.std_error, a.std_error, rtol=1e-10)
    for kind in ("simple", "dynamic"):
        np.testing.assert_allclose(b.aggregate(kind).overall.std_error, a.aggregate(kind).overall.std_error, rtol=1e-10)


def test_unbalanced_cell_uses_units_observed_in_both_periods(mpdta):
    data = mpdta.copy()
    drop = (data["countyreal"].isin([17005, 17015])) & (data["year"] == 2005)  # two cohort-2004 units
    res = fit(data[~drop])
    tidy = res.tidy().set_index(["cohort", "time"])
    cell = tidy.loc[(2004, 2005)]
    assert cell["n_treated"] == 18  # 20 in the cohort, 2 not observed in 2005
    manual = fit(mpdta[~mpdta["countyreal"].isin([17005, 17015])]).tidy().set_index(["cohort", "time"])
    # A cell that needs 2005 equals the estimate without those two units ...
    assert cell["estimate"] == pytest.approx(manual.loc[(2004, 2005), "estimate"], rel=1e-12)
    # ... with the same standard error (the n/n1 scaling of the influence function cancels).
    assert cell["std_error"] == pytest.approx(manual.loc[(2004, 2005), "std_error"], rel=1e-12)
    # Cells comparing 2003 with 2006 still use all 20 units.
    assert tidy.loc[(2004, 2006), "n_treated"] == 20
    full = fit(mpdta).tidy().set_index(["cohort", "time"])
    assert tidy.loc[(2004, 2006), "estimate"] == pytest.approx(full.loc[(2004, 2006), "estimate"], rel=1e-12)


def test_unbalanced_panel_recovers_the_truth(simulate):
    """Every cell is unbiased on unbalanced panels: eight independent panels, z-scores per cell.

    Averaging a cell's z-score over independent panels shrinks noise, not bias: a cell off by
    b standard errors has a mean z of about b with standard error 1/sqrt(8), so the bound
    3.5/sqrt(8) = 1.24 (a 15-cell family-wise false alarm of about 0.7%) catches an error of
    about 1.3 SE in a single cell, where one panel's max |z| < 4.5 let a 4.5-SE error through.
    """
    zs = []
    for seed in range(11, 19):
        res = did.att_gt(simulate(6000, seed=seed, drop=0.15), **SIM_COLUMNS, covariates=["x"], method="dr")
        tidy = res.tidy()
        assert tidy["identified"].all()
        zs.append(((tidy["estimate"] - sim_effect(tidy["cohort"], tidy["time"])) / tidy["std_error"]).to_numpy())
    zs = np.array(zs)  # seeds x cells
    # per panel and cell: Bonferroni over the 8 x 15 z-scores at 1%
    assert np.abs(zs).max() < 4.0, np.abs(zs).max()
    mean_z = zs.mean(axis=0)
    assert np.abs(mean_z).max() < 3.5 / np.sqrt(len(zs)), mean_z.round(2)


# --------------------------------------------------------------------------------------
# the estimators against direct computation
# --------------------------------------------------------------------------------------


def test_no_covariate_cell_is_a_difference_in_mean_changes(mpdta):
    res = fit(mpdta)
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    cohort = mpdta.groupby("countyreal")["first.treat"].first()
    d = wide[2006] - wide[2003]
    treated, control = d[cohort == 2004], d[cohort == 0]
    att = treated.mean() - control.mean()
    se = np.sqrt(treated.var(ddof=0) / len(treated) + control.var(ddof=0) / len(control))
    cell = res.tidy().set_index(["cohort", "time"]).loc[(2004, 2006)]
    assert cell["estimate"] == pytest.approx(att, rel=1e-12)
    # Influence-function SE: sum(psi^2)/n1^2 with psi scaled by the group shares.
    assert cell["std_error"] == pytest.approx(se, rel=1e-12)


def test_universal_base_period(mpdta):
    var = fit(mpdta).tidy().set_index(["cohort", "time"])
    uni_res = fit(mpdta, base_period="universal")
    uni = uni_res.tidy().set_index(["cohort", "time"])
    # Reference cells: 0 by construction, no standard error, flagged.
    for g in (2004, 2006, 2007):
        ref = uni.loc[(g, g - 1)]
        assert ref["estimate"] == 0 and np.isnan(ref["std_error"]) and "reference period" in ref["note"]
    # Post-adoption cells have the same base period either way.
    for g, t in [(2004, 2004), (2006, 2007), (2007, 2007)]:
        assert uni.loc[(g, t), "estimate"] == pytest.approx(var.loc[(g, t), "estimate"], rel=1e-12)
    # Long differences are minus the sum of the short ones (difference in means is linear).
    expected = -(var.loc[(2007, 2005), "estimate"] + var.loc[(2007, 2006), "estimate"])
    assert uni.loc[(2007, 2004), "estimate"] == pytest.approx(expected, rel=1e-10)
    dyn = uni_res.aggregate("dynamic").tidy().set_index("event_time")
    assert dyn.loc[-1, "estimate"] == 0 and np.isnan(dyn.loc[-1, "std_error"])
    assert dyn.loc[-1, "identified"]
    # The pre-test leaves the reference cells out; long differences are an invertible
    # transformation of the short ones, so the Wald statistic is the same.
    test = uni_res.pretest()
    assert test.df == 5 and (2007, 2006) not in test.cells
    assert test.statistic == pytest.approx(fit(mpdta).pretest().statistic, rel=1e-9)


def test_anticipation_shifts_the_base_period(mpdta):
    with pytest.warns(UserWarning, match="not identified"):
        res = fit(mpdta, anticipation=1)
    tidy = res.tidy().set_index(["cohort", "time"])
    # Cohort 2004 has no period before 2004 - 1: a labelled gap.
    assert not tidy.loc[2004, "identified"].any()
    wide = mpdta.pivot(index="countyreal", columns="year", values="lemp")
    cohort = mpdta.groupby("countyreal")["first.treat"].first()
    d = wide[2007] - wide[2004]  # cohort 2006 compares with 2006 - 1 - 1 = 2004
    att = d[cohort == 2006].mean() - d[cohort == 0].mean()
    assert tidy.loc[(2006, 2007), "estimate"] == pytest.approx(att, rel=1e-12)
    assert res.base_time[(res.cohort == 2006) & (res.time == 2007)][0] == 2004


def test_logit_matches_statsmodels(mpdta):
    sm = pytest.importorskip("statsmodels.api")
    first = mpdta[mpdta["year"] == 2003]
    sub = first[first["first.treat"].isin([0, 2004])]
    x = np.column_stack([np.ones(len(sub)), sub["lpop"]])
    d = (sub["first.treat"] == 2004).to_numpy(float)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(sub))
    beta, converged = fit_logit(x, d, w)
    ref = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w).fit(tol=1e-12)
    assert converged
    np.testing.assert_allclose(beta, ref.params, rtol=1e-8)


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_influence_function_is_the_derivative_of_the_estimate(mpdta, method):
    """IF_i / n = d ATT / d w_i: checks every estimation-effect term, covariates included."""
    base_w = mpdta.assign(w=1.0)
    res = fit(base_w, covariates=["lpop"], method=method, weights="w")
    n = res.n_units
    eps = 1e-6
    rng = np.random.default_rng(5)
    for uid in rng.choice(res.unit_ids, 6, replace=False).tolist() + [17005, 8001]:
        bumped = base_w.copy()
        bumped.loc[bumped["countyreal"] == uid, "w"] = 1.0 + eps
        res_eps = fit(bumped, covariates=["lpop"], method=method, weights="w")
        numeric = (res_eps.estimate - res.estimate) / eps
        row = np.nonzero(res.unit_ids == uid)[0][0]
        analytic = res.influence[row] / n
        np.testing.assert_allclose(numeric, analytic, rtol=2e-4, atol=1e-9)


def test_frequency_weights_equal_duplicated_units(simulate):
    data = simulate(300, seed=2)
    dup_units = data["unit"].unique()[:60]
    dup = data[data["unit"].isin(dup_units)].assign(unit=lambda f: f["unit"] + 10_000)
    doubled = pd.concat([data, dup], ignore_index=True).assign(w=1.0)
    weighted = data.assign(w=np.where(data["unit"].isin(dup_units), 2.0, 1.0))
    for method in ("dr", "ipw", "reg"):
        a = did.att_gt(doubled, **SIM_COLUMNS, covariates=["x"], method=method)
        b = did.att_gt(weighted, **SIM_COLUMNS, covariates=["x"], method=method, weights="w")
        np.testing.assert_allclose(b.estimate, a.estimate, rtol=1e-9)
        np.testing.assert_allclose(
            b.aggregate("simple").overall.estimate, a.aggregate("simple").overall.estimate, rtol=1e-9
        )


def test_cluster_robust_standard_errors(mpdta):
    data = mpdta.assign(state=mpdta["countyreal"] // 1000)
    unit_level = fit(mpdta)
    same = fit(mpdta, cluster="countyreal")
    np.testing.assert_allclose(same.std_error, unit_level.std_error, rtol=1e-14)
    res = fit(data, cluster="state")
    assert res.inference.cluster == "state" and res.inference.n_clusters == data["state"].nunique()
    # Sum influence functions within clusters, then sqrt(sum of squares) / n.
    infl = unit_level.influence_frame()
    states = pd.Series(unit_level.unit_ids // 1000, index=infl.index)
    sums = infl.groupby(states.to_numpy()).sum()
    expected = np.sqrt((sums**2).sum().to_numpy()) / unit_level.n_units
    np.testing.assert_allclose(res.std_error, expected, rtol=1e-12)
    agg = res.aggregate("dynamic")
    agg_sums = pd.DataFrame(agg.influence).groupby(states.to_numpy()).sum()
    np.testing.assert_allclose(agg.std_error, np.sqrt((agg_sums**2).sum().to_numpy()) / res.n_units, rtol=1e-12)
    # The same clustering given after estimation.
    later = unit_level.with_inference(cluster=pd.Series(states.to_numpy(), index=infl.index, name="state"))
    np.testing.assert_allclose(later.std_error, res.std_error, rtol=1e-12)


def test_not_yet_treated_comparison_group(mpdta):
    res = fit(mpdta, control_group="not_yet_treated")
    tidy = res.tidy().set_index(["cohort", "time"])
    cohorts = mpdta.groupby("countyreal")["first.treat"].first()
    # (2004, 2005): comparison = never treated + cohorts 2006, 2007 (not yet treated in 2005).
    assert tidy.loc[(2004, 2005), "n_control"] == int(((cohorts == 0) | (cohorts > 2005)).sum())
    # (2006, 2004), a pre-period cell: cohort 2007 is a comparison, cohort 2006 itself is not.
    assert tidy.loc[(2006, 2004), "n_control"] == int(((cohorts == 0) | (cohorts == 2007)).sum())
    # (2004, 2007): nobody is untreated in 2007 except the never treated.
    assert tidy.loc[(2004, 2007), "n_control"] == int((cohorts == 0).sum())
