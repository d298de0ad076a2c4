"""Adversarial panels (issue 9): agree with R ``did`` 2.5.1 wherever R gives an answer,
and never return a silently wrong number.

Each test states the R behaviour it checks, read from the R sources of did 2.5.1
(github.com/bcallaway11/did, ``R/pre_process_did2.R``, ``R/compute.att_gt2.R``,
``R/utility_functions.R``, ``R/att_gt.R``, ``R/compute.aggte.R``, ``R/mboot.R``),
and checks it first by a computation written out in the test. Where the Python
port ``csdid`` 0.4.3 (which follows R did 2.5.1, e.g. its ``overlap_check_fail``
and the PR #266 fix) is installed, every cell and aggregation is also compared
with it; that comparison is skipped when it is not installed.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from did_testdata import MPDTA_COLUMNS

from evaluation import did

SIM = dict(outcome="y", unit="id", time="t", cohort="g")


def fit(data, columns=MPDTA_COLUMNS, **kw):
    return did.att_gt(data, **columns, **kw)


def quiet(data, columns=MPDTA_COLUMNS, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(data, columns, **kw)


def caught_messages(data, columns=MPDTA_COLUMNS, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit(data, columns, **kw)
    return res, " ".join(str(w.message) for w in caught)


def long_panel(cohort, covariate, periods, outcome_fn, seed, weights=None):
    """One row per unit and period; ``outcome_fn(rng, i, t)`` gives y."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(len(cohort)):
        for t in periods:
            rows.append((i + 1, t, cohort[i], covariate[i], 1.0 if weights is None else weights[i], outcome_fn(rng, i, t)))
    return pd.DataFrame(rows, columns=["id", "t", "g", "z", "w", "y"])


# --------------------------------------------------------------------------------------
# peers
# --------------------------------------------------------------------------------------


def csdid_fit(data, columns=MPDTA_COLUMNS, *, control_group="never_treated", method="dr", base_period="varying",
              covariates=None, weights=None, anticipation=0):
    """R did 2.5.1 as ported by csdid 0.4.3: the (cohort, time)-indexed cells and the fit object."""
    ATTgt = pytest.importorskip("csdid.att_gt").ATTgt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ATTgt(
            yname=columns["outcome"], tname=columns["time"], idname=columns["unit"], gname=columns["cohort"],
            data=data, control_group={"never_treated": "nevertreated", "not_yet_treated": "notyettreated"}[control_group],
            xformla=None if covariates is None else "~" + "+".join(covariates), weights_name=weights,
            anticipation=anticipation,
        ).fit(est_method=method, base_period=base_period, bstrap=False)
    cells = pd.DataFrame({k: np.asarray(model.results[k], dtype=float) for k in ("group", "year", "att", "se")})
    return cells.set_index(["group", "year"]), model


def moderndid_cells(data, columns=MPDTA_COLUMNS, *, control_group="never_treated", base_period="varying"):
    """The same cells from moderndid 0.2.0 (a port of R did written before 2.5.1; used
    here only where 2.5.1 did not change the behaviour)."""
    md = pytest.importorskip("moderndid")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = md.att_gt(
            data=data, yname=columns["outcome"], tname=columns["time"], idname=columns["unit"],
            gname=columns["cohort"], boot=False, cband=False, base_period=base_period,
            control_group={"never_treated": "nevertreated", "not_yet_treated": "notyettreated"}[control_group],
        )
    cells = pd.DataFrame({"group": out.groups, "year": out.times, "att": out.att_gt, "se": out.se_gt}).astype(float)
    return cells.set_index(["group", "year"])


def csdid_aggregate(model, typec, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.aggte(typec=typec, na_rm=True, **kw).atte


def assert_cells_match(res, peer, rtol=1e-8):
    tidy = res.tidy().set_index(["cohort", "time"])
    tidy.index = tidy.index.set_levels([lvl.astype(float) for lvl in tidy.index.levels])
    assert set(tidy.index) == set(peer.index)
    peer = peer.loc[tidy.index]
    np.testing.assert_allclose(tidy["estimate"], peer["att"], rtol=rtol, atol=1e-12)
    se_ok = tidy["std_error"].notna()
    assert (se_ok == peer["se"].notna()).all()
    np.testing.assert_allclose(tidy.loc[se_ok, "std_error"], peer.loc[se_ok, "se"], rtol=rtol)


def assert_dynamic_matches(agg, peer_agg, rtol=1e-8):
    np.testing.assert_allclose(np.asarray(agg.index, dtype=float), np.asarray(peer_agg["egt"], dtype=float))
    np.testing.assert_allclose(agg.estimate, np.asarray(peer_agg["att_egt"], dtype=float), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(agg.overall.estimate, peer_agg["overall_att"], rtol=rtol)
    np.testing.assert_allclose(agg.overall.std_error, peer_agg["overall_se"], rtol=rtol)


# --------------------------------------------------------------------------------------
# 1. overlap guard: unweighted scores, as R's overlap_check_fail
# --------------------------------------------------------------------------------------


def weighted_overlap_panel():
    """Treated units sit at high z; the comparison units there carry weight 1e-3.

    The *weighted* logit then gives some treated unit a score above 0.999, the
    unweighted one does not (checked below), so R did 2.5.1 estimates the cells.
    """
    rng = np.random.default_rng(0)
    n_t, n_c = 40, 200
    g = np.r_[np.full(n_t, 3), np.zeros(n_c)]
    z = np.r_[rng.normal(2.0, 1.0, n_t), rng.normal(0.0, 1.0, n_c)]
    w = np.where((g == 0) & (z > 1.0), 1e-3, 1.0)
    a = rng.normal(size=g.size)
    return long_panel(
        g, z, range(1, 5),
        lambda r, i, t: a[i] + 0.2 * t + 0.3 * z[i] * t + (1.0 if g[i] and t >= g[i] else 0.0) + r.normal(), 1, w,
    )


def test_overlap_guard_uses_the_unweighted_propensity_score():
    data = weighted_overlap_panel()
    first = data[data["t"] == 1]
    x = np.column_stack([np.ones(len(first)), first["z"]])
    d = (first["g"] == 3).to_numpy(float)
    w = first["w"].to_numpy()
    weighted = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=w / w.mean()).fit(tol=1e-12).fittedvalues
    unweighted = sm.GLM(d, x, family=sm.families.Binomial()).fit(tol=1e-12).fittedvalues
    assert weighted.max() >= 0.999 > unweighted.max()  # the scenario is the one the issue describes

    res = quiet(data, SIM, covariates="z", weights="w", method="ipw")
    tidy = res.tidy().set_index("time")
    assert tidy["identified"].all(), tidy["note"].tolist()
    # Hajek IPW by hand (DRDID's std_ipw_did_panel): weighted logit, scores capped at
    # 1 - 1e-6, comparison units with a score >= 0.995 trimmed.
    ps = np.minimum(np.asarray(weighted), 1 - 1e-6)
    wide = data.pivot(index="id", columns="t", values="y")
    wn = w / w.mean()
    keep = (d == 1) | (ps < 0.995)
    odds = np.where(keep & (d == 0), wn * ps / (1 - ps), 0.0)
    for t in (3, 4):  # post-adoption cells compare with period 2
        dy = (wide[t] - wide[2]).to_numpy()
        att = np.sum(wn * d * dy) / np.sum(wn * d) - np.sum(odds * dy) / np.sum(odds)
        assert tidy.loc[t, "estimate"] == pytest.approx(att, rel=1e-8)


@pytest.mark.parametrize("method", ["dr", "ipw"])
def test_overlap_guard_with_weights_matches_csdid(method):
    data = weighted_overlap_panel()
    res = quiet(data, SIM, covariates="z", weights="w", method=method)
    peer, _ = csdid_fit(data, SIM, covariates=["z"], weights="w", method=method)
    assert_cells_match(res, peer, rtol=1e-7)


# --------------------------------------------------------------------------------------
# 2. no never-treated units, not-yet-treated comparisons: R's pre_process_did2
# --------------------------------------------------------------------------------------


def test_no_never_treated_drops_the_last_cohorts_periods(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    with pytest.warns(UserWarning, match="periods from the last cohort's adoption"):
        res = fit(data, control_group="not_yet_treated")
    tidy = res.tidy()
    # R: periods >= 2007 (the last cohort) are dropped, cohort 2007 is only a comparison group.
    assert tidy["time"].max() == 2006 and set(tidy["cohort"]) == {2004, 2006}
    assert tidy["identified"].all()
    assert any("year = 2007" in m and "cohort 2007 serves only as" in m for m in res.messages)
    # The pre-adoption row e = -1 is cohort 2006's cell alone (2005 vs 2004, compared with
    # cohort 2007), no longer averaged with mirror images from the 2007 cohort.
    wide = data.pivot(index="countyreal", columns="year", values="lemp")
    cohort = data.groupby("countyreal")["first.treat"].first()
    dy = wide[2005] - wide[2004]
    by_hand = dy[cohort == 2006].mean() - dy[cohort == 2007].mean()
    dyn = res.aggregate("dynamic").tidy().set_index("event_time")
    assert dyn.loc[-1, "estimate"] == pytest.approx(by_hand, rel=1e-10)
    assert list(dyn.index) == [-2, -1, 0, 1, 2]
    # The pre-test is no longer singular.
    pre = res.pretest()
    assert pre.df == 2 and np.isfinite(pre.p_value)


def test_no_never_treated_matches_csdid(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    res = quiet(data, control_group="not_yet_treated")
    peer, model = csdid_fit(data, control_group="not_yet_treated")
    assert_cells_match(res, peer)
    assert_dynamic_matches(res.aggregate("dynamic"), csdid_aggregate(model, "dynamic"))
    assert res.pretest().statistic == pytest.approx(float(np.ravel(model.MP["W"])[0]), rel=1e-8)


def test_no_never_treated_with_anticipation(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    res = quiet(data, control_group="not_yet_treated", anticipation=1)
    # cutoff 2007 - 1: periods 2006 and 2007 dropped
    assert res.tidy()["time"].max() == 2005
    assert any("minus anticipation (2006)" in m for m in res.messages)


# --------------------------------------------------------------------------------------
# Also: R did PR #266 -- no never-treated group, not-yet-treated controls, always treated
# --------------------------------------------------------------------------------------


def pr266_design(cohorts, n_periods, seed, n=25):
    """The design of R did's tests/testthat/test-always-treated-invariance.R (its .mk_design):
    25 units per cohort, y = b + 50 (t - 1) + 200 1{t >= g} + N(0, 5^2), b lognormal."""
    rng = np.random.default_rng(seed)
    g = np.repeat(np.asarray(cohorts, dtype=float), n)
    b = np.exp(rng.normal(np.log(1e5), 1.2, g.size))
    return long_panel(
        g, np.zeros(g.size), range(1, n_periods + 1),
        lambda r, i, t: b[i] + 50 * (t - 1) + 200 * (t >= g[i] > 0) + r.normal(0, 5), seed + 1,
    )


@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
@pytest.mark.parametrize(
    "cohorts, n_periods, anticipation, early",
    [((1, 2, 3, 4), 4, 0, 1), ((2, 3, 5), 5, 1, 2)],  # P1: always treated; P2: anticipation promotes cohort 2
)
def test_always_treated_units_do_not_change_other_cohorts(cohorts, n_periods, anticipation, early, method):
    data = pr266_design(cohorts, n_periods, seed=2024)
    kw = dict(control_group="not_yet_treated", method=method, anticipation=anticipation)
    full = quiet(data, SIM, **kw).tidy().set_index(["cohort", "time"])
    without = quiet(data[data["g"] != early], SIM, **kw).tidy().set_index(["cohort", "time"])
    common = full.index.intersection(without.index)
    assert len(common) > 0
    assert (full.loc[common, "identified"] == without.loc[common, "identified"]).all()
    ok = full.loc[common, "identified"]
    np.testing.assert_allclose(full.loc[common].loc[ok, "estimate"], without.loc[common].loc[ok, "estimate"], rtol=1e-8)
    np.testing.assert_allclose(full.loc[common].loc[ok, "std_error"], without.loc[common].loc[ok, "std_error"], rtol=1e-8)
    # The last cohort is kept as the comparison group and gets no effect of its own.
    last = max(cohorts)
    assert last not in set(full.index.get_level_values("cohort"))
    assert (full.loc[ok[ok].index, "n_control"] > 0).all()


def test_pr266_latest_cohort_is_the_comparison_group_as_in_csdid():
    data = pr266_design((1, 2, 3, 4, 5), 5, seed=5)
    res = quiet(data, SIM, control_group="not_yet_treated")
    tidy = res.tidy()
    assert set(tidy["cohort"]) == {1, 2, 3, 4}  # 1: labelled gap (no pre-period); 5: comparison only
    assert not tidy.loc[tidy["cohort"] == 1, "identified"].any()
    cell = tidy[(tidy["cohort"] == 4) & (tidy["time"] == 4)].iloc[0]
    assert cell["n_control"] == 25  # cohort 5, not yet treated in 4
    peer, _ = csdid_fit(data, SIM, control_group="not_yet_treated")
    # csdid (as R) drops cohort 1 entirely; ours keeps it as labelled gaps.
    mine = tidy[tidy["cohort"] != 1].set_index(["cohort", "time"])
    mine.index = mine.index.set_levels([lvl.astype(float) for lvl in mine.index.levels])
    assert set(mine.index) == set(peer.index)
    np.testing.assert_allclose(mine["estimate"], peer.loc[mine.index, "att"], rtol=1e-8)
    np.testing.assert_allclose(mine["std_error"], peer.loc[mine.index, "se"], rtol=1e-8)


# --------------------------------------------------------------------------------------
# 3. balance: a cohort is kept only if its cells at event times 0..balance are estimated
# --------------------------------------------------------------------------------------


def test_balance_leaves_out_cohorts_with_unidentified_cells(mpdta):
    data = mpdta.copy()
    cohort_2006 = data.loc[data["first.treat"] == 2006, "countyreal"].unique()
    # Only one county of cohort 2006 reports in 2007: cell (2006, 2007) is not identified.
    data.loc[data["countyreal"].isin(cohort_2006[1:]) & (data["year"] == 2007), "lemp"] = np.nan
    res = quiet(data)
    tidy = res.tidy().set_index(["cohort", "time"])
    assert not tidy.loc[(2006, 2007), "identified"]
    agg = res.aggregate("dynamic", balance=1)
    rows = agg.tidy().set_index("event_time")
    # t_max - 2006 = 1 >= 1, so R's rule alone would keep cohort 2006 at e = 0 but not at
    # e = 1; balanced, both rows are cohort 2004 alone.
    assert rows.loc[0, "estimate"] == pytest.approx(tidy.loc[(2004, 2004), "estimate"], rel=1e-12)
    assert rows.loc[1, "estimate"] == pytest.approx(tidy.loc[(2004, 2005), "estimate"], rel=1e-12)
    assert "leaves out 2006, 2007" in agg.overall.note


def test_balance_matches_csdid_when_every_cell_is_identified(mpdta):
    res = quiet(mpdta)
    _, model = csdid_fit(mpdta)
    for b in (0, 1, 2):
        assert_dynamic_matches(res.aggregate("dynamic", balance=b), csdid_aggregate(model, "dynamic", balance_e=b))


def test_balance_without_never_treated_matches_csdid(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    res = quiet(data, control_group="not_yet_treated")
    _, model = csdid_fit(data, control_group="not_yet_treated")
    assert_dynamic_matches(res.aggregate("dynamic", balance=1), csdid_aggregate(model, "dynamic", balance_e=1))


# --------------------------------------------------------------------------------------
# 4. quasi-separation: converge on the deviance, finite numbers, a warning
# --------------------------------------------------------------------------------------


def separated_panel():
    """Cohort 3 (8 units) has z = 0 only; z = 1 occurs among never-treated units."""
    rng = np.random.default_rng(0)
    g = np.r_[np.full(8, 3), np.full(40, 4), np.zeros(120)]
    z = rng.integers(0, 2, g.size).astype(float)
    z[:8] = 0.0
    a = rng.normal(size=g.size)
    return long_panel(
        g, z, range(1, 6),
        lambda r, i, t: a[i] + 0.2 * t + 0.5 * z[i] * t + (1 + 0.5 * (t - g[i]) if g[i] and t >= g[i] else 0) + r.normal(),
        1,
    )


@pytest.mark.parametrize("method", ["dr", "ipw"])
def test_quasi_separation_gives_the_limit_with_a_warning(method):
    data = separated_panel()
    res, text = caught_messages(data, SIM, covariates="z", method=method)
    assert "quasi-separated" in text and "(3, 2)" in text
    tidy = res.tidy()
    c3 = tidy[tidy["cohort"] == 3].reset_index(drop=True)
    assert c3["identified"].all() and np.isfinite(c3["std_error"]).all()
    # The limit of the MLE gives the z = 1 comparison units zero weight: cohort 3's cells
    # are then the plain DiD against the z = 0 never-treated units (for dr and ipw alike).
    limit = quiet(data[~((data["g"] == 0) & (data["z"] == 1))], SIM).tidy()
    limit = limit[limit["cohort"] == 3].reset_index(drop=True)
    np.testing.assert_allclose(c3["estimate"], limit["estimate"], rtol=1e-8)
    np.testing.assert_allclose(c3["std_error"], limit["std_error"], rtol=1e-6)
    assert tidy.loc[tidy["cohort"] == 4, "identified"].all()


def test_quasi_separation_matches_csdid():
    data = separated_panel()
    res = quiet(data, SIM, covariates="z", method="dr")
    peer, _ = csdid_fit(data, SIM, covariates=["z"], method="dr")
    assert_cells_match(res, peer, rtol=1e-6)


def test_logit_stops_on_the_deviance_under_separation():
    from evaluation.did.group_time import fit_logit

    rng = np.random.default_rng(1)
    z = rng.integers(0, 2, 200).astype(float)
    d = np.zeros(200)
    d[:10] = 1.0
    z[:10] = 0.0
    x = np.column_stack([np.ones(200), z])
    beta, converged = fit_logit(x, d, np.ones(200))
    assert converged and np.all(np.isfinite(beta))
    assert -60 < beta[1] < -15  # running off to -inf, stopped where the deviance settled
    # the intercept is the logit of the treated share among z = 0 units
    assert beta[0] == pytest.approx(np.log(10 / (np.sum(z == 0) - 10)), rel=1e-8)
    from evaluation.did._logit import fit_logit_irls

    assert fit_logit_irls(x, d, np.ones(200)).separated
    assert not fit_logit_irls(x, (rng.random(200) < 0.3).astype(float), np.ones(200)).separated


# --------------------------------------------------------------------------------------
# 5. standard errors that vanish numerically: NaN, with a warning (R: <= 10 sqrt(eps))
# --------------------------------------------------------------------------------------


def test_single_cluster_standard_errors_are_nan(mpdta):
    data = mpdta.assign(state=1)
    with pytest.warns(UserWarning, match=r"numerically zero .*single cluster"):
        res = fit(data, cluster="state")
    assert res.tidy()["std_error"].isna().all()
    base = fit(mpdta)
    np.testing.assert_allclose(res.estimate, base.estimate)
    assert np.isnan(res.conf_low).all()
    with pytest.warns(UserWarning, match="numerically zero"):
        agg = res.aggregate("dynamic")
    assert agg.tidy()["std_error"].isna().all() and np.isnan(agg.overall.std_error)
    with pytest.warns(UserWarning, match="numerically zero"):
        booted = res.with_inference(bootstrap=99, seed=1)
    assert booted.tidy()["std_error"].isna().all()
    assert any("numerically zero" in m for m in booted.messages)


def test_se_floor_is_r_did_value():
    from evaluation.did.inference import SE_FLOOR

    assert SE_FLOOR == pytest.approx(1.4901161193847656e-07)  # R: sqrt(.Machine$double.eps) * 10


def test_reference_cells_do_not_raise_the_vanishing_warning(mpdta):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit(mpdta, base_period="universal")
        res.aggregate("dynamic")
    assert not any("numerically zero" in str(w.message) for w in caught)
    assert res.tidy().loc[res.reference, "std_error"].isna().all()


# --------------------------------------------------------------------------------------
# 6. covariates far from zero or badly scaled: estimates invariant
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
@pytest.mark.parametrize("transform", [lambda x: x + 1e4, lambda x: x + 1e6, lambda x: x * 1e6, lambda x: x * 1e-6])
def test_covariate_shift_and_scale_do_not_change_estimates(mpdta, method, transform):
    base = fit(mpdta, covariates="lpop", method=method)
    moved = mpdta.assign(lpop=transform(mpdta["lpop"]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "collinear" or other warning
        res = fit(moved, covariates="lpop", method=method)
    assert res.identified.all()
    np.testing.assert_allclose(res.estimate, base.estimate, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(res.std_error, base.std_error, rtol=1e-7)


# --------------------------------------------------------------------------------------
# 7. time coding: any increasing (affine) coding of the periods gives the same answers
# --------------------------------------------------------------------------------------


def coded(data, how):
    out = data.copy()
    if how == "tenths":
        out["t"] = data["t"] / 10
        out["g"] = data["g"] / 10
    elif how == "tenths, cohort rounded differently":
        out["t"] = data["t"] / 10
        out["g"] = np.where(data["g"] > 0, 0.1 * data["g"], 0.0)  # 0.1 * 3 = 0.30000000000000004, not 3 / 10
    elif how == "years":
        out["t"] = data["t"] + 2000
        out["g"] = np.where(data["g"] > 0, data["g"] + 2000, 0)
    return out


@pytest.mark.parametrize("how", ["tenths", "tenths, cohort rounded differently", "years"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_time_coding_does_not_change_the_answers(simulate, how, base_period):
    data = simulate(300, seed=2).rename(columns={"unit": "id", "period": "t", "cohort": "g"})
    base = quiet(data, SIM, base_period=base_period)
    res = quiet(coded(data, how), SIM, base_period=base_period)
    np.testing.assert_allclose(res.estimate, base.estimate, rtol=1e-12)
    np.testing.assert_allclose(res.std_error, base.std_error, rtol=1e-12)
    factor = 0.1 if how.startswith("tenths") else 1.0
    np.testing.assert_allclose(res.event_time, base.event_time * factor, rtol=1e-12)
    for kind in ("dynamic", "group", "calendar", "simple"):
        a, b = res.aggregate(kind), base.aggregate(kind)
        assert len(a.estimate) == len(b.estimate)
        np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
        assert a.overall.estimate == pytest.approx(b.overall.estimate, rel=1e-12)
        assert a.overall.std_error == pytest.approx(b.overall.std_error, rel=1e-12)
    a, b = res.aggregate("dynamic", balance=1 * factor), base.aggregate("dynamic", balance=1)
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
    assert res.pretest().statistic == pytest.approx(base.pretest().statistic, rel=1e-10)


# --------------------------------------------------------------------------------------
# 8. infinite values are refused, rows named
# --------------------------------------------------------------------------------------


def test_infinite_outcome_is_refused_with_rows(mpdta):
    data = mpdta.copy()
    data.loc[[5, 17], "lemp"] = [np.inf, -np.inf]
    with pytest.raises(ValueError, match=r"outcome column 'lemp' has 2 infinite value\(s\), in rows 5, 17"):
        fit(data)
    data = mpdta.copy()
    data.loc[9, "lpop"] = np.inf
    with pytest.raises(ValueError, match=r"covariate column 'lpop' has 1 infinite value\(s\), in rows 9"):
        fit(data, covariates="lpop")


# --------------------------------------------------------------------------------------
# 9. a cohort adopting in a year with no measurement: as R did
# --------------------------------------------------------------------------------------


def test_cohort_between_periods_is_estimated_as_r_does(mpdta):
    data = mpdta[mpdta["year"] != 2006]  # cohort 2006 now adopts in a year with no data
    with pytest.warns(UserWarning, match=r"Cohort\(s\) 2006 of 'first.treat' are not periods of 'year'"):
        res = fit(data)
    tidy = res.tidy().set_index(["cohort", "time"])
    # R (compute.att_gt2): base period = last period before adoption, 2005; post cells t >= 2006.
    assert res.base_time[(res.cohort == 2006) & (res.time == 2007)][0] == 2005
    wide = data.pivot(index="countyreal", columns="year", values="lemp")
    cohort = data.groupby("countyreal")["first.treat"].first()
    dy = wide[2007] - wide[2005]
    assert tidy.loc[(2006, 2007), "estimate"] == pytest.approx(dy[cohort == 2006].mean() - dy[cohort == 0].mean(), rel=1e-10)
    assert tidy.loc[(2006, 2007), "event_time"] == 1
    # R (compute.aggte): event times in years, so cohort 2006 has no event time 0.
    dyn = res.aggregate("dynamic").tidy().set_index("event_time")
    assert dyn.loc[0, "estimate"] == pytest.approx(
        np.average([tidy.loc[(2004, 2004), "estimate"], tidy.loc[(2007, 2007), "estimate"]],
                   weights=[(cohort == 2004).sum(), (cohort == 2007).sum()]), rel=1e-10)
    assert list(dyn.index) == [-3, -2, -1, 0, 1, 3]


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_cohort_between_periods_matches_csdid(mpdta, control_group, base_period):
    data = mpdta[mpdta["year"] != 2006]
    res = quiet(data, control_group=control_group, base_period=base_period)
    peer, model = csdid_fit(data, control_group=control_group, base_period=base_period)
    assert_cells_match(res, peer)
    assert_dynamic_matches(res.aggregate("dynamic"), csdid_aggregate(model, "dynamic"))
    for kind in ("group", "calendar", "simple"):
        peer_agg = csdid_aggregate(model, kind)
        assert res.aggregate(kind).overall.estimate == pytest.approx(peer_agg["overall_att"], rel=1e-8)
        assert res.aggregate(kind).overall.std_error == pytest.approx(peer_agg["overall_se"], rel=1e-8)


@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_cohort_between_periods_matches_moderndid(mpdta, control_group, base_period):
    data = mpdta[mpdta["year"] != 2006]
    res = quiet(data, control_group=control_group, base_period=base_period)
    assert_cells_match(res, moderndid_cells(data, control_group=control_group, base_period=base_period))


# --------------------------------------------------------------------------------------
# Also: the clustered bootstrap draws one multiplier per cluster (R's mboot, Remark 10)
# --------------------------------------------------------------------------------------


def test_clustered_bootstrap_draws_one_multiplier_per_cluster(mpdta):
    data = mpdta.assign(region=mpdta["countyreal"] % 4)
    res = fit(data, cluster="region", bootstrap=499, seed=3)
    draws = res.bootstrap_draws[:, : res.n_cells]
    # With 4 clusters and Rademacher multipliers a draw is one of 2**4 sign patterns,
    # so each cell's draws take at most 16 values (with one multiplier per county: hundreds).
    for k in range(res.n_cells):
        assert len(np.unique(np.round(draws[:, k], 12))) <= 16
    # and they are exactly sum_c v_c S_c / n for S_c the cluster sums of the influence function
    sums = pd.DataFrame(res.influence).groupby(data.groupby("countyreal")["region"].first().loc[res.unit_ids].to_numpy()).sum()
    signs = np.array([[1 if (p >> c) & 1 else -1 for c in range(4)] for p in range(16)], dtype=float)
    patterns = signs @ sums.to_numpy() / res.n_units
    for k in range(res.n_cells):
        assert np.all(np.min(np.abs(draws[:, k][:, None] - patterns[:, k][None, :]), axis=1) < 1e-6 * np.abs(patterns[:, k]).max())
