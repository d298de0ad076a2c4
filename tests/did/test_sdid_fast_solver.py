"""The faster synthetic DiD weight solver gives the weights of the solver it replaced.

``tests/did/sdid_solver_before.py`` keeps the Frank-Wolfe solver of
``evaluation/did/synthetic_did.py`` as it was before the batched loop was
sped up (problems leave the batch as soon as they stop, work buffers are
reused). Both are run on the same problems -- batches whose problems stop at
different iterations, tiny ones, one control, constant outcomes, the iteration
limit reached -- and on whole estimates (placebo, bootstrap and jackknife
standard errors, all three estimators). ``synthetic_did`` takes no covariates,
so there is no covariate case.
"""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
import sdid_solver_before as before

from evaluation import did

sdid_module = importlib.import_module("evaluation.did.synthetic_did")

TOL = 1e-12


def _problems(seed: int, batch: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=(batch, n, 1)) * rng.normal(size=(batch, 1, k))
    return factor + rng.normal(size=(batch, n, k)), rng.normal(size=(batch, n))


@pytest.mark.parametrize(("seed", "batch", "n", "k"), [(0, 60, 2, 87), (1, 50, 3, 40), (2, 30, 8, 20),
                                                       (3, 7, 5, 5), (4, 2, 2, 2), (5, 3, 1, 6)])
@pytest.mark.parametrize("intercept", [True, False])
def test_solve_matches_the_old_solver(seed, batch, n, k, intercept):
    a, b = _problems(seed, batch, n, k)
    for zeta in (1e-6, 0.3, 2.0):
        old = before._solve(a, b, zeta, intercept, None, 1e-5)
        new = sdid_module._solve(a, b, zeta, intercept, None, 1e-5)
        assert new.shape == (batch, k)
        np.testing.assert_allclose(new, old, rtol=0, atol=TOL)
        np.testing.assert_allclose(new.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_problems_stop_at_different_iterations_and_at_the_limit():
    # a loose threshold stops some problems early; min_decrease = 0 runs the others to max_iter
    a, b = _problems(11, 40, 3, 30)
    x0 = np.full((40, 30), 1 / 30)
    for min_decrease, max_iter in ((1e-2, 500), (0.0, 37), (0.0, 1), (1e-3, 2)):
        old = before._frank_wolfe(a, b, 3 * 0.1, 0.1, x0, min_decrease, max_iter)
        new = sdid_module._frank_wolfe(a, b, 3 * 0.1, 0.1, x0, min_decrease, max_iter)
        np.testing.assert_allclose(new, old, rtol=0, atol=TOL)
    # the start is not modified
    assert np.all(x0 == 1 / 30)


def test_one_control_and_constant_outcomes():
    a, b = _problems(12, 5, 4, 1)
    old = before._solve(a, b, 0.5, True, None, 1e-5)
    new = sdid_module._solve(a, b, 0.5, True, None, 1e-5)
    np.testing.assert_array_equal(new, old)
    assert np.all(new == 1.0)
    # zero variance: every column and the target constant (zero after the intercept), with and without penalty
    flat = np.ones((6, 3, 9))
    for zeta in (0.0, 1e-6, 1.0):
        old = before._solve(flat, np.ones((6, 3)), zeta, True, None, 0.0)
        new = sdid_module._solve(flat, np.ones((6, 3)), zeta, True, None, 0.0)
        np.testing.assert_allclose(new, old, rtol=0, atol=TOL)
        assert np.all(np.isfinite(new))


def _panel(seed: int, n_units: int, n_treated: int, n_periods: int, start: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.normal(size=(n_units, 1)) + rng.normal(size=(n_units, 1)) * rng.normal(size=(1, n_periods))
    y = level + 0.5 * rng.normal(size=(n_units, n_periods))
    w = np.zeros((n_units, n_periods), dtype=int)
    w[n_units - n_treated:, start:] = 1
    y[n_units - n_treated:, start:] += 1.0
    return pd.DataFrame({"u": np.repeat(np.arange(n_units), n_periods), "t": np.tile(np.arange(n_periods), n_units),
                         "y": y.ravel(), "d": w.ravel()})


def _with_old_solver(monkeypatch, call):
    with monkeypatch.context() as m:
        for name in ("_frank_wolfe", "_frank_wolfe_tall", "_frank_wolfe_one", "_sparsify", "_solve"):
            m.setattr(sdid_module, name, getattr(before, name))
        return call()


@pytest.mark.parametrize(("seed", "n_units", "n_treated", "n_periods", "start", "se"),
                         [(0, 90, 1, 4, 2, "placebo"), (1, 40, 3, 12, 8, "placebo"), (2, 25, 2, 30, 25, "placebo"),
                          (3, 4, 1, 3, 2, "placebo"), (4, 30, 4, 10, 6, "bootstrap"), (5, 30, 4, 10, 6, "jackknife")])
def test_estimates_match_the_old_solver(monkeypatch, seed, n_units, n_treated, n_periods, start, se):
    data = _panel(seed, n_units, n_treated, n_periods, start)
    kw = dict(outcome="y", unit="u", time="t", treated="d", se=se, seed=seed)
    if se != "jackknife":
        kw["replications"] = 40
    old = _with_old_solver(monkeypatch, lambda: did.synthetic_did(data, **kw))
    new = did.synthetic_did(data, **kw)
    np.testing.assert_allclose(new.unit_weights, old.unit_weights, rtol=0, atol=TOL)
    np.testing.assert_allclose(new.time_weights, old.time_weights, rtol=0, atol=TOL)
    np.testing.assert_allclose(new.sc_unit_weights, old.sc_unit_weights, rtol=0, atol=TOL)
    for key in ("sdid", "sc", "did"):
        assert new.estimates[key] == pytest.approx(old.estimates[key], rel=0, abs=TOL)
        np.testing.assert_allclose(new.draws[key], old.draws[key], rtol=0, atol=TOL)
        assert new.comparisons[key].std_error == pytest.approx(old.comparisons[key].std_error, rel=0, abs=TOL)
