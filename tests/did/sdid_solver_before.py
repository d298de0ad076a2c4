"""The synthetic DiD weight solver as it was before the faster solver (commit 7b08d6e), kept verbatim.

The oracle of ``test_sdid_fast_solver.py`` and ``benchmarks/sdid_solver.py``: the new solver in
``evaluation.did.synthetic_did`` must give the same weights (to 1e-12) as these functions.
"""
# ruff: noqa

from __future__ import annotations

import numpy as np

#: Iterations of the first Frank-Wolfe pass before sparsifying, and of the second (synthdid's defaults).
FIRST_PASS_ITERATIONS = 100
MAX_ITERATIONS = 10_000


# --------------------------------------------------------------------------------------
# the weight solver
# --------------------------------------------------------------------------------------


def _frank_wolfe(a: np.ndarray, b: np.ndarray, eta: float, zeta2: float, x: np.ndarray,
                 min_decrease: float, max_iter: int) -> np.ndarray:
    """Minimise ``zeta2 |x|^2 + |A x - b|^2 / n`` over the simplex (``eta = n zeta2``), for a batch.

    ``a`` is (batch, n, k), ``b`` (batch, n), ``x`` (batch, k): each problem of
    the batch is solved independently (the placebo draws are solved together,
    which is what makes them fast in numpy). Frank-Wolfe with the exact line
    search for a quadratic: move toward the vertex with the smallest
    half-gradient by the step that minimises the loss along that segment. A
    problem stops after ``max_iter`` iterations or when an iteration lowers its
    loss by less than ``min_decrease**2`` (the rule of synthdid's
    ``sc.weight.fw``, which compares the last two iterations).
    """
    if a.shape[1] > 4 * a.shape[2]:
        return _frank_wolfe_tall(a, b, eta, zeta2, x, min_decrease, max_iter)
    if a.shape[0] == 1:
        return _frank_wolfe_one(a[0], b[0], eta, zeta2, x[0], min_decrease, max_iter)[None]
    n = a.shape[1]
    out = x.copy()
    x = x.copy()
    # track the residual err = A x - b; columns minus b give each vertex's residual direction
    err = np.matmul(a, x[:, :, None])[:, :, 0] - b
    cols_minus_b = a.transpose(0, 2, 1) - b[:, None, :]
    before = np.full(a.shape[0], np.inf)
    active = np.ones(a.shape[0], dtype=bool)
    where = np.arange(a.shape[0])  # rows of the output the working problems belong to
    threshold = min_decrease ** 2
    xx = (x * x).sum(axis=1)
    for it in range(max_iter):
        rows = np.arange(x.shape[0])
        half_grad = np.matmul(err[:, None, :], a)[:, 0, :]
        half_grad += eta * x
        i = np.argmin(half_grad, axis=1)
        x_i = x[rows, i]
        d_err = cols_minus_b[rows, i] - err
        # the step direction is e_i - x; its products in O(n), not O(k): x'(A'err + eta x) = err'(err + b) + eta x'x
        denom = (d_err * d_err).sum(axis=1) + eta * (xx - 2 * x_i + 1)
        num = -(half_grad[rows, i] - (err * (err + b)).sum(axis=1) - eta * xx)
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(denom > 0, num / denom, 0.0)
        step = np.where(active, np.clip(step, 0.0, 1.0), 0.0)
        x *= (1 - step)[:, None]
        x[rows, i] += step
        xx = (x * x).sum(axis=1)
        err += step[:, None] * d_err
        val = zeta2 * xx + (err * err).sum(axis=1) / n
        if it >= 1:
            active &= before - val > threshold
            if not active.any():
                break
            if active.sum() * 2 <= active.size:
                # most problems have stopped: keep iterating on the others only
                out[where[~active]] = x[~active]
                where, x, err, a, cols_minus_b = where[active], x[active], err[active], a[active], cols_minus_b[active]
                val, xx, b = val[active], xx[active], b[active]
                active = active[active]
        before = val
    out[where] = x
    return out


def _frank_wolfe_tall(a, b, eta, zeta2, x, min_decrease, max_iter):
    """:func:`_frank_wolfe` for problems with many more rows than weights (the time weights: rows are the
    control units). The same iterations, in the Gram form: ``A'A`` and ``A'b`` once, then every step costs
    O(k^2) instead of O(n k). ``|Ax - b|^2`` is ``x'A'Ax - 2 b'Ax + b'b``, accurate to about 1e-16 of
    ``b'b`` -- far below the stopping threshold relative to the loss."""
    n = a.shape[1]
    gram = np.matmul(a.transpose(0, 2, 1), a)
    ab = np.matmul(a.transpose(0, 2, 1), b[:, :, None])[:, :, 0]
    bb = (b * b).sum(axis=1)
    rows = np.arange(a.shape[0])
    x = x.copy()
    gx = np.matmul(gram, x[:, :, None])[:, :, 0]
    before = np.full(a.shape[0], np.inf)
    active = np.ones(a.shape[0], dtype=bool)
    threshold = min_decrease ** 2
    diag = np.diagonal(gram, axis1=1, axis2=2)
    for it in range(max_iter):
        half_grad = gx - ab + eta * x
        i = np.argmin(half_grad, axis=1)
        step_dir = -x
        step_dir[rows, i] += 1.0
        xgx = (x * gx).sum(axis=1)
        # |A e_i - A x|^2 and the directional derivative, from the Gram matrix
        d_err2 = diag[rows, i] - 2 * gx[rows, i] + xgx
        denom = d_err2 + eta * (step_dir * step_dir).sum(axis=1)
        num = -(half_grad * step_dir).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(denom > 0, num / denom, 0.0)
        step = np.where(active, np.clip(step, 0.0, 1.0), 0.0)
        x += step[:, None] * step_dir
        gx += step[:, None] * (gram[rows, :, i] - gx)
        sq_err = (x * gx).sum(axis=1) - 2 * (ab * x).sum(axis=1) + bb
        val = zeta2 * (x * x).sum(axis=1) + sq_err / n
        if it >= 1:
            active &= before - val > threshold
            if not active.any():
                break
        before = val
    return x


def _frank_wolfe_one(a, b, eta, zeta2, x, min_decrease, max_iter):
    """:func:`_frank_wolfe` for one problem (1-D arrays: fewer numpy calls per iteration)."""
    n = a.shape[0]
    x = x.copy()
    err = a @ x - b
    cols_minus_b = np.ascontiguousarray(a.T) - b
    before = np.inf
    threshold = min_decrease ** 2
    xx = x @ x
    for it in range(max_iter):
        half_grad = err @ a
        half_grad += eta * x
        i = int(half_grad.argmin())
        x_i = x[i]
        d_err = cols_minus_b[i] - err
        denom = d_err @ d_err + eta * (xx - 2 * x_i + 1)
        if denom > 0:
            step = min(1.0, max(0.0, -(half_grad[i] - err @ (err + b) - eta * xx) / denom))
            x *= 1 - step
            x[i] += step
            err += step * d_err
            xx = x @ x
        val = zeta2 * xx + (err @ err) / n
        if it >= 1 and before - val <= threshold:
            break
        before = val
    return x


def _sparsify(x: np.ndarray) -> np.ndarray:
    y = np.where(x <= x.max(axis=1, keepdims=True) / 4, 0.0, x)
    return y / y.sum(axis=1, keepdims=True)


def _solve(a: np.ndarray, b: np.ndarray, zeta: float, intercept: bool, start: np.ndarray | None,
           min_decrease: float) -> np.ndarray:
    """Weights on the columns of each ``a[r]`` (rows: observations): two passes, sparsified between."""
    if intercept:
        a = a - a.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
    batch, n, k = a.shape
    zeta2 = zeta ** 2
    x = np.full((batch, k), 1.0 / k) if start is None else np.broadcast_to(start, (batch, k)).astype(float)
    x = _frank_wolfe(a, b, n * zeta2, zeta2, x, min_decrease, FIRST_PASS_ITERATIONS)
    return _frank_wolfe(a, b, n * zeta2, zeta2, _sparsify(x), min_decrease, MAX_ITERATIONS)
