"""Rambachan-Roth sensitivity analysis: HonestDiD's published intervals, an independent implementation
(diff-diff), behaviour at parameter 0, monotone widening and the breakdown value."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE
from scipy import optimize

from evaluation import did
from evaluation.did.honest import (
    _event_time_inputs,
    rm_identified_set,
    rm_interval,
    sd_constraints,
    sd_flci,
    sd_identified_set,
)


@pytest.fixture(scope="module")
def ehec_study():
    e = pd.read_csv(REFERENCE / "ehec.csv")
    e = e[(e["year"] < 2016) & (e["yexp2"].isna() | (e["yexp2"] != 2015))].copy()
    e["cohort"] = np.where(e["yexp2"] == 2014, 2014, 0)
    return did.event_study(e, "dins", "stfips", "year", "cohort")


@pytest.fixture(scope="module")
def ehec_inputs(ehec_study):
    beta, sigma, pre, post, _ = _event_time_inputs(ehec_study)
    return beta, sigma, len(pre)


@pytest.fixture(scope="module")
def castle_dynamic():
    castle = pd.read_csv(REFERENCE / "castle.csv")
    first = castle[castle["post"] == 1].groupby("state")["year"].min()
    data = pd.DataFrame({"state": castle["state"], "year": castle["year"], "y": castle["l_homicide"],
                         "cohort": castle["state"].map(first).fillna(0)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return did.att_gt(data, "y", "state", "year", "cohort", base_period="universal").aggregate("dynamic")


def test_replicates_published_honestdid_intervals(ehec_study):
    """R HonestDiD README (Medicaid example), first post period: C-LF under relative magnitudes, FLCI under
    smoothness. R reads C-LF end points off a grid of step ~4e-4 and simulates its critical value."""
    published = pd.read_csv(REFERENCE / "honestdid_ehec_published.csv")
    for method, rows in published.groupby("restriction"):
        res = did.honest(ehec_study, method, grid=rows["parameter"].tolist(), target=0)
        ours = res.tidy().iloc[1:].set_index("parameter")
        for r in rows.itertuples():
            assert ours.loc[r.parameter, "conf_low"] == pytest.approx(r.lb, abs=5e-4)
            assert ours.loc[r.parameter, "conf_high"] == pytest.approx(r.ub, abs=5e-4)
    # and the README's conclusion: "the breakdown value for a significant effect is Mbar = 2"
    rm = did.honest(ehec_study, "relative_magnitude", grid=[0, 0.5, 1, 1.5, 2], target=0)
    assert 1.5 < rm.breakdown <= 2


def test_matches_an_independent_implementation(ehec_inputs):
    """diff-diff implements the optimal FLCI and the identified sets; its relative-magnitudes interval is not
    the C-LF test (it pads the identified set by z * SE), so only the identified sets are compared there."""
    pytest.importorskip("diff_diff", reason="diff-diff (test-only dependency) is not installed")
    from diff_diff.honest_did import HonestDiD
    from diff_diff.results import MultiPeriodDiDResults, PeriodEffect

    beta, sigma, num_pre = ehec_inputs
    labels = list(range(-num_pre, 0)) + list(range(1, beta.size - num_pre + 1))
    se = np.sqrt(np.diag(sigma))
    results = MultiPeriodDiDResults(
        period_effects={p: PeriodEffect(p, float(b), float(s), b / s, 0.5, (b - 2 * s, b + 2 * s))
                        for p, b, s in zip(labels, beta, se)},
        avg_att=0.0, avg_se=1.0, avg_t_stat=0.0, avg_p_value=1.0, avg_conf_int=(0.0, 0.0), n_obs=1, n_treated=1,
        n_control=1, pre_periods=labels[:num_pre] + [0], post_periods=labels[num_pre:], vcov=sigma,
        reference_period=0, interaction_indices={p: i for i, p in enumerate(labels)})
    for l_vec in (np.array([1.0, 0.0]), np.array([0.5, 0.5])):
        for m in (0.0, 0.02):
            theirs = HonestDiD(method="smoothness", M=m, l_vec=l_vec).fit(results)
            lo, hi = sd_flci(beta, sigma, num_pre, l_vec, m)
            assert lo == pytest.approx(theirs.ci_lb, abs=1e-7) and hi == pytest.approx(theirs.ci_ub, abs=1e-7)
            id_lo, id_hi = sd_identified_set(beta, num_pre, l_vec, m)
            np.testing.assert_allclose([id_lo, id_hi], [theirs.lb, theirs.ub], atol=1e-10)
        for mbar in (0.0, 1.0, 2.0):
            theirs = HonestDiD(method="relative_magnitude", M=mbar, l_vec=l_vec).fit(results)
            ours = rm_identified_set(beta, num_pre, l_vec, mbar)
            np.testing.assert_allclose(ours, [theirs.lb, theirs.ub], atol=1e-10)


def test_parameter_zero(ehec_study):
    """At Mbar = 0 no drift is allowed after adoption: the identified set is the point estimate. The C-LF
    interval still conditions on which pre-adoption change is largest, so it is close to -- not equal to --
    the original interval; under smoothness, M = 0 extrapolates the pre-trend linearly instead."""
    rm = did.honest(ehec_study, "relative_magnitude", grid=[0, 1], target=0)
    orig, zero = rm.tidy().iloc[0], rm.tidy().iloc[1]
    assert zero["id_low"] == pytest.approx(rm.estimate, abs=1e-12)
    assert zero["id_high"] == pytest.approx(rm.estimate, abs=1e-12)
    assert zero["conf_low"] < rm.estimate < zero["conf_high"]
    assert abs(zero["conf_low"] - orig["conf_low"]) < 0.1 * rm.std_error
    assert abs(zero["conf_high"] - orig["conf_high"]) < 0.1 * rm.std_error
    assert orig["conf_low"] == pytest.approx(rm.estimate - 1.959964 * rm.std_error, rel=1e-6)


@pytest.mark.parametrize("method", ["relative_magnitude", "smoothness"])
def test_intervals_widen_monotonically(method, ehec_study, castle_dynamic):
    for result, top in ((ehec_study, 2.0 if method == "relative_magnitude" else 0.06),
                        (castle_dynamic, 1.0 if method == "relative_magnitude" else 0.3)):
        res = did.honest(result, method, grid=np.linspace(0, top, 6))
        rows = res.tidy().iloc[1:]
        tol = 1e-6 * res.std_error
        assert (np.diff(rows["conf_low"]) <= tol).all()
        assert (np.diff(rows["conf_high"]) >= -tol).all()
        ident = rows.dropna(subset=["id_low"])
        assert (np.diff(ident["id_low"]) <= 1e-12).all() and (np.diff(ident["id_high"]) >= -1e-12).all()
        assert (rows["conf_low"] <= rows["id_low"].fillna(np.inf)).all()


def test_breakdown_value_is_where_zero_enters(ehec_study):
    res = did.honest(ehec_study, "relative_magnitude", grid=[0, 1, 2, 3], target="average")
    beta, sigma, pre, post, _ = _event_time_inputs(ehec_study)
    l_vec = np.full(len(post), 1 / len(post))
    lo, hi = rm_interval(beta, sigma, len(pre), l_vec, res.breakdown)
    assert lo <= 0 <= hi
    lo, hi = rm_interval(beta, sigma, len(pre), l_vec, res.breakdown * 0.97)
    assert lo > 0 or hi < 0
    sd = did.honest(ehec_study, "smoothness", grid=np.linspace(0, 0.05, 6), target="average")
    assert np.isfinite(sd.breakdown) and sd.tidy()["parameter"].max() >= sd.breakdown


def test_flci_worst_case_bias_matches_a_linear_program(ehec_inputs):
    """The FLCI's closed-form worst-case bias (HonestDiD's parametrisation) against a direct LP over Delta^SD."""
    beta, sigma, num_pre = ehec_inputs
    num_post = beta.size - num_pre
    rng = np.random.default_rng(0)
    a = sd_constraints(num_pre, num_post)
    for _ in range(5):
        l_vec = rng.random(num_post)
        w = rng.normal(size=num_pre)
        w[-1] = np.arange(1, num_post + 1) @ l_vec - w[:-1].sum()  # sum(w) = sum t l_t: linear drifts cancel
        d = np.eye(num_pre) - np.eye(num_pre, k=-1)
        v = np.r_[d @ w, l_vec]
        lp = optimize.linprog(-v, A_ub=np.vstack([a, -a]), b_ub=np.ones(2 * a.shape[0]),
                              bounds=[(None, None)] * v.size, method="highs")
        u = np.cumsum(w)
        constant = sum(abs(np.arange(1, s + 1) @ l_vec[num_post - s:]) for s in range(1, num_post + 1))
        formula = constant - u[-1] + np.abs(u).sum()
        assert -lp.fun == pytest.approx(formula, rel=1e-8)


def test_inputs_are_checked(castle_dynamic):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        castle = pd.read_csv(REFERENCE / "castle.csv", usecols=["state", "year", "l_homicide", "treatment_date"])
        data = castle.assign(cohort=castle["treatment_date"].fillna(0))
        varying = did.att_gt(data, "l_homicide", "state", "year", "cohort").aggregate("dynamic")
    with pytest.raises(ValueError, match="universal base period"):
        did.honest(varying)
    with pytest.raises(ValueError, match="method"):
        did.honest(castle_dynamic, "monotone")
    with pytest.raises(ValueError, match="not among"):
        did.honest(castle_dynamic, target=40)
    # castle: event time -9 has no identified cell, so the pre-adoption sequence stops at -8
    res = did.honest(castle_dynamic, grid=[0, 1])
    assert res.pre_event_times[0] == -8 and res.post_event_times == (0, 1, 2, 3, 4)  # 5: one state only
    assert list(res.tidy().columns) == ["parameter", "conf_low", "conf_high", "id_low", "id_high", "method"]
    assert res.tidy()["method"].iloc[0] == "original" and np.isnan(res.tidy()["parameter"].iloc[0])


def test_refuses_an_imputation_result():
    """Its pre-adoption rows are pre-trend coefficients against earlier years, not event-study coefficients."""
    castle = pd.read_csv(REFERENCE / "castle.csv", usecols=["state", "year", "l_homicide", "treatment_date"])
    data = castle.assign(cohort=castle["treatment_date"].fillna(0))
    with pytest.raises(TypeError, match="imputation"):
        did.honest(did.imputation(data, "l_homicide", "state", "year", "cohort"))
