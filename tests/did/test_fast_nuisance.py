"""The rewritten nuisance models, 2x2 estimators and cell loop give the numbers of the code they replaced.

``tests/did/nuisance_before.py`` keeps the logit, the design builder, the 2x2
estimators and ``estimate_cells`` as they were before they were rewritten for
speed (fewer numpy calls per design and per cell, LAPACK called directly). Each
is compared here with its replacement on the same inputs, including the edge
cases the design rules are about: no overlap, quasi-separation, constant and
collinear covariates, covariates collinear among the comparison units only,
trimmed comparison units, zero weights, cells with too few units. Decisions
(notes, dropped covariates, trimming, convergence) must be identical; numbers
may differ only by rounding.
"""

from __future__ import annotations

import warnings

import nuisance_before as before
import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from evaluation.did import group_time as gt
from evaluation.did._logit import fit_logit_irls
from evaluation.did.estimate import _Variants
from evaluation.did.panel import build_panel

RTOL = 1e-9  # rounding only: the old and new code run the same algorithm in another order


def _close(new, old, *, scale=None) -> None:
    """Equal up to rounding, relative to the size of the old values (or ``scale``)."""
    if old is None or new is None:
        assert old is None and new is None
        return
    new, old = np.asarray(new, dtype=float), np.asarray(old, dtype=float)
    assert new.shape == old.shape
    assert np.array_equal(np.isfinite(new), np.isfinite(old))
    ok = np.isfinite(old)
    size = scale if scale is not None else (np.max(np.abs(old[ok])) if ok.any() else 1.0)
    np.testing.assert_allclose(new[ok], old[ok], rtol=0, atol=RTOL * max(size, 1e-300))


# --------------------------------------------------------------------------------------
# samples for one cell: (raw covariates, number of treated rows first, weights)
# --------------------------------------------------------------------------------------


def _sample(kind: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    n, nt = 180, 60
    z = rng.normal(size=(n, 3))
    z[:nt] += 0.4  # treated a little apart
    w = np.ones(n)
    if kind == "plain":
        x = z[:, :2]
    elif kind == "weights":
        x = z[:, :2]
        w = rng.uniform(0.2, 3.0, n)
    elif kind == "zero_weights":
        x = z[:, :2]
        w = rng.uniform(0.5, 2.0, n)
        w[rng.random(n) < 0.15] = 0.0
    elif kind == "equal_weights":
        x = z[:, :2]
        w = np.full(n, 2.5)
    elif kind == "constant":
        x = np.column_stack([z[:, 0], np.full(n, 7.0), z[:, 1]])
    elif kind == "collinear":
        x = np.column_stack([z[:, 0], z[:, 1], 2.0 * z[:, 0] - z[:, 1]])
    elif kind == "duplicate":
        x = np.column_stack([z[:, 0], z[:, 0]])
    elif kind == "huge_offset":  # a year or an ID-like code: big constant, small spread
        x = np.column_stack([2016.0 + 1e-3 * z[:, 0], 1e9 + z[:, 1]])
    elif kind == "separation":  # a value that occurs only among comparison units
        b = (rng.random(n) < 0.3).astype(float)
        b[:nt] = 0.0
        x = np.column_stack([b, z[:, 1]])
    elif kind == "no_overlap":  # the covariate all but decides treatment
        x = np.column_stack([np.r_[rng.normal(6.0, 0.5, nt), rng.normal(0.0, 0.5, n - nt)], z[:, 1]])
    elif kind == "trimmed":  # a few comparison units look just like treated ones
        s = np.r_[rng.normal(2.0, 0.3, nt), rng.normal(-2.0, 0.6, n - nt)]
        s[nt:nt + 4] = 3.5
        x = np.column_stack([s, z[:, 1]])
    elif kind == "collinear_among_comparisons":  # varies among treated only
        c = np.zeros(n)
        c[:nt] = rng.normal(size=nt)
        x = np.column_stack([z[:, 0], c])
    elif kind == "one_covariate":
        x = z[:, :1]
    else:
        raise AssertionError(kind)
    return x, nt, w / w.mean()


KINDS = ["plain", "weights", "zero_weights", "equal_weights", "constant", "collinear", "duplicate", "huge_offset",
         "separation", "no_overlap", "trimmed", "collinear_among_comparisons", "one_covariate"]


def _design_matrix(xraw):
    x = np.empty((xraw.shape[0], xraw.shape[1] + 1))
    x[:, 0] = 1.0
    x[:, 1:] = before._standardize(xraw)
    return x


@pytest.mark.parametrize("kind", KINDS)
def test_logit_equals_the_old_fit(kind):
    xraw, nt, w = _sample(kind)
    x = _design_matrix(xraw)
    x = x[:, before._independent_columns(x)]
    d = np.zeros(x.shape[0])
    d[:nt] = 1.0
    old = before.fit_logit_irls(x, d, w)
    for layout in (np.ascontiguousarray(x), np.asfortranarray(x)):
        new = fit_logit_irls(layout, d, w)
        assert (new.converged, new.separated, new.iterations) == (old.converged, old.separated, old.iterations)
        if old.separated:
            # The separating coefficient runs off to infinity and stops where the deviance settles: the
            # likelihood is flat along it, so rounding moves it far more than it moves the fitted scores
            # (any change of summation order does, the old code's included). Compare the scores.
            np.testing.assert_allclose(new.coefficients, old.coefficients, rtol=1e-5)
            np.testing.assert_allclose(new.scores, expit(x @ old.coefficients), rtol=0, atol=1e-9)
        else:
            _close(new.coefficients, old.coefficients)
        # the scores kept by the fit are the ones the design used to compute from the coefficients
        np.testing.assert_array_equal(new.scores, expit(layout @ new.coefficients))


def test_logit_on_a_singular_hessian_falls_back_to_least_squares_as_before():
    rng = np.random.default_rng(3)
    z = rng.normal(size=100)
    x = np.column_stack([np.ones(100), z, z])  # rank 2: every Newton system is singular
    d = (rng.random(100) < 0.4).astype(float)
    old, new = before.fit_logit_irls(x, d, np.ones(100)), fit_logit_irls(x, d, np.ones(100))
    assert (new.converged, new.separated, new.iterations) == (old.converged, old.separated, old.iterations)
    _close(new.coefficients, old.coefficients)


def test_logit_with_no_iteration_allowed_is_refused():
    """max_iter < 1 would leave no coefficients to return: a clear error, not a fit of None."""
    x = np.column_stack([np.ones(6), np.arange(6.0)])
    d = np.array([0.0, 1, 0, 1, 1, 0])
    with pytest.raises(ValueError, match="max_iter must be at least 1, not 0"):
        fit_logit_irls(x, d, np.ones(6), max_iter=0)
    assert fit_logit_irls(x, d, np.ones(6), max_iter=1).coefficients.shape == (2,)


def test_logit_deviance_far_in_the_tail_is_the_exact_one():
    """Scores below exp(-700) are subnormal or 0; the deviance then comes from logaddexp, as before."""
    from evaluation.did._logit import _deviance, _scores_deviance

    eta = np.array([-800.0, -720.0, -3.0, 0.5, 40.0, 800.0])
    d = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    p, dev = _scores_deviance(eta, d, 1.0 - d, None)
    assert dev == _deviance(eta, d, np.ones(6)) and np.isfinite(dev)
    np.testing.assert_array_equal(p, expit(eta))
    eta = np.array([-30.0, -3.0, 0.5, 12.0, 40.0])
    d = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    w = np.array([1.0, 2.0, 0.0, 0.5, 1.5])
    assert _scores_deviance(eta, d, 1.0 - d, w)[1] == pytest.approx(_deviance(eta, d, w), rel=1e-14)


@pytest.mark.parametrize("method", ["dr", "ipw", "reg", "dr_imp"])
@pytest.mark.parametrize("kind", KINDS)
def test_design_and_cell_equal_the_old_ones(kind, method):
    xraw, nt, w = _sample(kind)
    names = tuple(f"c{j}" for j in range(xraw.shape[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = before._build_design(xraw, nt, w, method, names)
        news = [gt._build_design(xraw, nt, w, method, names),
                gt._build_design(np.asfortranarray(xraw), nt, w, method, names,
                                 unit_weights=bool(np.all(w == 1.0)))]
    for new in news:
        assert new.problem == old.problem
        assert new.dropped == old.dropped
        assert (new.n_trimmed, new.converged, new.n_separated) == (old.n_trimmed, old.converged, old.n_separated)
        # the standardised covariates are the same numbers (the sums run in the same order)
        np.testing.assert_array_equal(new.x, old.x)
        names_ = ("gram_c_inv", "ps", "control_weight")
        if not old.n_separated:
            # Under quasi-separation the score's Hessian is nearly singular along the separating
            # coefficient: its inverse has entries of 1e7 there, known only to about 1e-6 relative
            # (rounding in the Hessian's sums, in any order). The estimates below do not depend on
            # that direction (those units' scores are numerically 0), so they are still compared.
            names_ += ("hess_ps_inv",)
        for name in names_:
            _close(getattr(new, name), getattr(old, name))
        if new.problem:
            continue
        rng = np.random.default_rng(1)
        for _ in range(2):  # the outcome-free pieces kept by the first cell serve the next one
            dy = rng.normal(size=w.shape[0]) + 0.5 * xraw[:, 0] / (1.0 + np.abs(xraw[:, 0]).max())
            if method == "dr_imp":
                att_old, psi_old = before._imp.two_by_two(dy, nt, w, old.x, old.pre)
            else:
                att_old, psi_old = before._ESTIMATORS[method](dy, nt, w, old)
            att_new, psi_new = gt._ESTIMATORS[method](dy, nt, w, new)
            _close(att_new, att_old, scale=np.abs(psi_old).max() / w.shape[0] ** 0.5)
            _close(psi_new, psi_old)


def test_the_edge_cases_reach_their_rules():
    """The samples above do exercise the rules they are named after (on the new code)."""
    def design(kind, method="dr"):
        xraw, nt, w = _sample(kind)
        return gt._build_design(xraw, nt, w, method, tuple(f"c{j}" for j in range(xraw.shape[1])))

    assert design("no_overlap").problem.startswith("overlap fails")
    assert design("separation").n_separated > 0
    assert design("trimmed").n_trimmed > 0
    assert design("constant").dropped == ("c1",) and design("collinear").dropped == ("c2",)
    assert design("duplicate").dropped == ("c1",)
    assert design("collinear_among_comparisons").problem.startswith("outcome regression not identified")
    assert not design("huge_offset").dropped


# --------------------------------------------------------------------------------------
# the cell loop
# --------------------------------------------------------------------------------------


def _long_panel(seed: int, *, unbalanced: bool, weights: str, n_units: int = 150) -> pd.DataFrame:
    """Periods 2..7, cohorts 4, 5, 6 (cohort 6 has 2 units: cells with too few units once some are
    missing), never treated (0); covariates ``x`` (binary), ``z`` and ``v`` (time-varying)."""
    rng = np.random.default_rng(seed)
    periods = np.arange(2, 8)
    cohort = rng.choice([0, 0, 4, 5], n_units)
    cohort[:2] = 6
    x = rng.integers(0, 2, n_units).astype(float)
    z = rng.normal(size=n_units) + 0.3 * (cohort > 0)
    y = (rng.normal(size=n_units)[:, None] + 0.2 * periods + 0.4 * (x + z)[:, None] * periods
         + 0.5 * ((cohort[:, None] > 0) & (periods >= cohort[:, None])) + rng.normal(size=(n_units, periods.size)))
    wt = np.ones(n_units)
    if weights == "random":
        wt = rng.uniform(0.5, 2.0, n_units)
    elif weights == "zero_cohort":  # every unit of cohort 5 has weight 0
        wt = rng.uniform(0.5, 2.0, n_units)
        wt[cohort == 5] = 0.0
    frame = pd.DataFrame({"unit": np.repeat(np.arange(n_units), periods.size), "period": np.tile(periods, n_units),
                          "cohort": np.repeat(cohort, periods.size), "x": np.repeat(x, periods.size),
                          "z": np.repeat(z, periods.size), "v": rng.normal(size=n_units * periods.size),
                          "w": np.repeat(wt, periods.size), "y": y.ravel()})
    if unbalanced:
        frame.loc[rng.random(len(frame)) < 0.08, "y"] = np.nan
        frame.loc[rng.random(len(frame)) < 0.03, "z"] = np.nan
        frame = frame[rng.random(len(frame)) >= 0.05]
    return frame


def _same_cells(new, old) -> None:
    assert new.note == old.note
    assert new.issues == old.issues
    for name in ("n_treated", "n_control", "identified", "reference", "roles", "cohort", "time", "base_time"):
        np.testing.assert_array_equal(getattr(new, name), getattr(old, name))
    _close(new.estimate, old.estimate)
    _close(new.influence, old.influence)


@pytest.mark.parametrize("weights", ["none", "random", "zero_cohort"])
@pytest.mark.parametrize("unbalanced", [False, True], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("covariates", [(), ("x", "z"), ("z", "v")], ids=["none", "fixed", "varying"])
@pytest.mark.parametrize("method", ["dr", "ipw", "reg", "dr_imp"])
def test_estimate_cells_equals_the_old_loop(method, covariates, unbalanced, weights):
    data = _long_panel(4, unbalanced=unbalanced, weights=weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = build_panel(data, outcome="y", unit="unit", time="period", cohort="cohort", covariates=covariates,
                            weights=None if weights == "none" else "w")
    for control_group in ("never_treated", "not_yet_treated"):
        for post_only in (False, True):
            kw = dict(control_group=control_group, method=method, anticipation=0, base_period="varying",
                      post_only=post_only)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _same_cells(gt.estimate_cells(panel, **kw), before.estimate_cells(panel, **kw))


def test_the_cell_loop_cases_reach_their_rules():
    data = _long_panel(4, unbalanced=True, weights="zero_cohort")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = build_panel(data, outcome="y", unit="unit", time="period", cohort="cohort", covariates=("x", "z"),
                            weights="w")
        cells = gt.estimate_cells(panel, control_group="never_treated", method="dr", anticipation=0,
                                  base_period="varying")
    assert any(n.startswith("too few units") for n in cells.note)
    assert any(n.startswith("all treated or all comparison units have zero weight") for n in cells.note)


# --------------------------------------------------------------------------------------
# randomization inference's estimate-only path
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("unbalanced", [False, True], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
@pytest.mark.parametrize("control_group", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("covariates", [None, ["x", "z"]], ids=["none", "covariates"])
def test_the_simple_estimate_alone_equals_the_aggregation(covariates, control_group, method, unbalanced):
    data = _long_panel(8, unbalanced=unbalanced, weights="none").drop(columns=["w", "v"])
    options = dict(method=method, control_group=control_group, covariates=covariates)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        variants = _Variants(data, outcome="y", unit="unit", time="period", cohort="cohort", **options)
        codes, _ = pd.factorize(data["unit"])
        per_unit = data.groupby(codes)["cohort"].first().sort_index().to_numpy()
        rng = np.random.default_rng(5)
        for _ in range(3):
            assigned = rng.permutation(per_unit)[codes]
            full = variants.with_cohorts(assigned, post_only=True).aggregate("simple").overall.estimate
            alone = variants.simple_with_cohorts(assigned)
            assert alone == full or (np.isnan(alone) and np.isnan(full))
