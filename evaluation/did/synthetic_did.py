"""Synthetic difference-in-differences for a block of treated units (Arkhangelsky et al. 2021).

A block: some units (the treated) start treatment in the same period and stay
treated; the others are never treated in the window. The estimate is a
weighted two-way comparison,

    tau = (mean_treated(post) - sum_t lambda_t mean_treated(t))
          - sum_i omega_i (mean_i(post) - sum_t lambda_t Y_it),

with *unit weights* ``omega`` (controls whose pre-period path, up to a constant,
tracks the treated units', with a ridge penalty that spreads the weight) and
*time weights* ``lambda`` (pre-periods whose control outcomes, up to a
constant, predict the controls' post-period average). Uniform weights give the
plain difference-in-differences; unit weights fitted without intercept and no
time weights give the synthetic control (the paper's Table 1 comparisons, and
``synthdid``'s ``did_estimate``/``sc_estimate``).

The weights are solved as in R ``synthdid`` 0.0.9 (Algorithm 1 of the paper):
Frank-Wolfe with exact line search on the simplex, a first pass of at most 100
iterations, weights below a quarter of the largest set to zero, then a second
pass of at most 10,000 iterations from there; stop when an iteration lowers the
penalised loss by less than ``(1e-5 sigma)^2``. The penalties are
``zeta_omega = (N_treated T_post)^(1/4) sigma`` and ``zeta_lambda = 1e-6 sigma``,
with ``sigma`` the standard deviation of the first differences of the controls'
pre-period outcomes.

Standard errors (Section 5 of the paper): ``"placebo"`` (Algorithm 4: assign
the treatment to random sets of controls, re-fit, take the standard deviation;
the only option with one treated unit), ``"jackknife"`` (Algorithm 3, weights
held fixed; needs two or more treated units) and ``"bootstrap"`` (Algorithm 2,
units resampled, weights re-fitted).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from .distributions import normal_quantile
from .results import Estimate, WithEstimate, _html_table, _tidy_frame

SE_METHODS = ("placebo", "jackknife", "bootstrap")
SeMethod = Literal["placebo", "jackknife", "bootstrap"]
ESTIMATORS = {"sdid": "Synthetic DiD", "sc": "Synthetic control", "did": "Difference-in-differences"}

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
    n, k = a.shape[1], a.shape[2]
    out = x.copy()
    x = x.copy()
    # track the residual err = A x - b; columns minus b give each vertex's residual direction
    err = np.matmul(a, x[:, :, None])[:, :, 0] - b
    cols_minus_b = np.ascontiguousarray(a.transpose(0, 2, 1) - b[:, None, :])
    where = np.arange(a.shape[0])  # rows of the output the working problems belong to
    threshold = min_decrease ** 2
    xx = (x * x).sum(axis=1)
    val = np.full(a.shape[0], np.inf)
    # flat offsets of each working problem's row, to pick one entry per row with np.take (cheaper than x[rows, i]);
    # the same offsets pick row i of each problem's k x n block of cols_minus_b
    row_offsets = np.arange(x.shape[0]) * k
    # work buffers, reused by every iteration (the first m rows while m problems still run)
    grad_buf, tmp_buf = np.empty((x.shape[0], 1, k)), np.empty((x.shape[0], k))
    for it in range(max_iter):
        m = x.shape[0]
        half_grad, tmp = grad_buf[:m, 0], tmp_buf[:m]
        np.matmul(err[:, None, :], a, out=grad_buf[:m])
        half_grad += np.multiply(x, eta, out=tmp)
        i = half_grad.argmin(axis=1)
        flat = row_offsets + i
        x_i = x.take(flat)
        d_err = cols_minus_b.reshape(-1, n).take(flat, axis=0)
        d_err -= err
        # the step direction is e_i - x; its products in O(n), not O(k): x'(A'err + eta x) = err'(err + b) + eta x'x
        denom = (d_err * d_err).sum(axis=1) + eta * (xx - 2 * x_i + 1)
        num = -(half_grad.take(flat) - (err * (err + b)).sum(axis=1) - eta * xx)
        step = np.zeros(m)
        np.divide(num, denom, out=step, where=denom > 0)
        np.minimum(np.maximum(step, 0.0, out=step), 1.0, out=step)
        x *= (1 - step)[:, None]
        x.ravel()[flat] += step
        xx = np.multiply(x, x, out=tmp).sum(axis=1)
        d_err *= step[:, None]
        err += d_err
        before, val = val, zeta2 * xx + (err * err).sum(axis=1) / n
        if it >= 1:
            going = before - val > threshold
            if not going.all():
                # the stopped problems leave the batch, so later iterations cost only what still runs
                out[where[~going]] = x[~going]
                if not going.any():
                    return out
                where, x, err, a, cols_minus_b = where[going], x[going], err[going], a[going], cols_minus_b[going]
                val, xx, b = val[going], xx[going], b[going]
                row_offsets = np.arange(x.shape[0]) * k
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


def _sum_normalize(x: np.ndarray) -> np.ndarray:
    """Rows rescaled to sum to one; a row of zeros becomes uniform (synthdid's ``sum_normalize``)."""
    s = x.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s != 0, x / s, 1.0 / x.shape[-1])


@dataclass(frozen=True)
class _Options:
    """What fixes one estimator: the penalties and which weights are fitted (kept for the re-fits)."""

    kind: str
    zeta_omega: float
    zeta_lambda: float
    min_decrease: float


def _fit(y: np.ndarray, n0: int, t0: int, opt: _Options, omega0=None, lambda0=None,
         fixed: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates on a batch of outcome matrices ``y`` (batch, units, periods; controls and pre-periods first).

    ``fixed`` uses ``omega0``/``lambda0`` as they are (the jackknife); otherwise
    they only start the solver (placebo and bootstrap re-fits, as synthdid).
    Returns the estimates (batch,), unit weights (batch, n0), time weights (batch, t0).
    """
    batch, n_units, n_periods = y.shape
    n1, t1 = n_units - n0, n_periods - t0
    if opt.kind == "did":
        omega, lam = np.full((batch, n0), 1.0 / n0), np.full((batch, t0), 1.0 / t0)
    elif fixed:
        omega = np.broadcast_to(omega0, (batch, n0))
        lam = np.broadcast_to(lambda0, (batch, t0))
    else:
        pre_c = y[:, :n0, :t0]
        if opt.kind == "sdid":
            post_c = y[:, :n0, t0:].mean(axis=2)
            lam = _solve(pre_c, post_c, opt.zeta_lambda, True, lambda0, opt.min_decrease)
        else:  # synthetic control: no time weights, no intercept in the unit weights
            lam = np.zeros((batch, t0))
        treated_pre = y[:, n0:, :t0].mean(axis=1)
        omega = _solve(pre_c.transpose(0, 2, 1), treated_pre, opt.zeta_omega, opt.kind == "sdid", omega0,
                       opt.min_decrease)
    unit_w = np.concatenate([-omega, np.full((batch, n1), 1.0 / n1)], axis=1)
    time_w = np.concatenate([-lam, np.full((batch, t1), 1.0 / t1)], axis=1)
    est = np.einsum("ru,rut,rt->r", unit_w, y, time_w)
    return est, omega, lam


# --------------------------------------------------------------------------------------
# standard errors
# --------------------------------------------------------------------------------------

#: Placebo draws are solved together in chunks of at most this many matrix cells (memory bound).
_CHUNK_CELLS = 4_000_000


def _placebo(y, n0, t0, opt, omega, lam, replications, rng) -> np.ndarray:
    """Algorithm 4: random controls take the treated units' place, weights re-fitted."""
    n1 = y.shape[0] - n0
    controls = y[:n0]
    n0p = n0 - n1
    # the permutations are drawn first, in order, so the draws do not depend on the chunking
    perms = np.array([rng.permutation(n0) for _ in range(replications)])
    chunk = max(1, _CHUNK_CELLS // controls.size)
    out = []
    for lo in range(0, replications, chunk):
        p = perms[lo:lo + chunk]
        out.append(_fit(controls[p], n0p, t0, opt, _sum_normalize(omega[p[:, :n0p]]), lam)[0])
    return np.concatenate(out)


def _jackknife(y, n0, t0, opt, omega, lam) -> np.ndarray:
    """Algorithm 3: leave one unit out, weights held fixed (renormalised over the remaining controls).

    Closed form, since the weights do not move: with ``d_i`` a control's
    weighted post-minus-pre difference and ``S = sum_i omega_i d_i``, leaving
    control ``j`` out gives ``treated - (S - omega_j d_j) / (1 - omega_j)``
    (uniform weights if ``omega_j = 1``, as synthdid's ``sum_normalize``);
    leaving a treated unit out averages the other treated units.
    """
    n1 = y.shape[0] - n0
    diff = y[:, t0:].mean(axis=1) - y[:, :t0] @ lam  # each unit's post mean minus its weighted pre level
    d_control, d_treated = diff[:n0], diff[n0:]
    s = omega @ d_control
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = np.where(omega < 1, (s - omega * d_control) / (1 - omega),
                        (d_control.sum() - d_control) / max(n0 - 1, 1))
    leave_control = d_treated.mean() - rest
    leave_treated = (d_treated.sum() - d_treated) / (n1 - 1) - s
    return np.r_[leave_control, leave_treated]


def _bootstrap(y, n0, t0, opt, omega, lam, replications, rng) -> np.ndarray:
    """Algorithm 2: resample units with replacement (draws without a control or a treated unit redrawn)."""
    n = y.shape[0]
    out: list[float] = []
    while len(out) < replications:
        ind = np.sort(rng.integers(0, n, n))
        n0b = int((ind < n0).sum())
        if n0b == 0 or n0b == n:
            continue
        out.append(_fit(y[ind][None], n0b, t0, opt, _sum_normalize(omega[ind[:n0b]]), lam)[0][0])
    return np.array(out)


def _se(draws: np.ndarray, method: str) -> float:
    n = draws.size
    if method == "jackknife":
        return float(np.sqrt((n - 1) / n * np.sum((draws - draws.mean()) ** 2)))
    return float(np.sqrt((n - 1) / n) * np.std(draws, ddof=1))


# --------------------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------------------


def _block(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str):
    """The outcome matrix (controls first, periods in order) and the block's shape, or one clear error."""
    missing = [c for c in (outcome, unit, time, treated) if c not in data.columns]
    if missing:
        raise ValueError(f"synthetic_did: column(s) {missing} not in the data; columns are {list(data.columns)}")
    frame = data[[unit, time, outcome, treated]].copy()
    y = pd.to_numeric(frame[outcome], errors="coerce")
    w = pd.to_numeric(frame[treated], errors="coerce")
    problems = []
    if frame.duplicated([unit, time]).any():
        dup = frame.loc[frame.duplicated([unit, time], keep=False), [unit, time]].head(3)
        problems.append(f"more than one row per {unit} and {time} (e.g. {dup.to_dict('records')}); keep one row each")
    bad_w = ~w.isin([0, 1])
    if bad_w.any():
        problems.append(f"'{treated}' must be 0 or 1 in every row (row {int(np.flatnonzero(bad_w)[0])} is "
                        f"{frame[treated].iloc[int(np.flatnonzero(bad_w)[0])]!r}); it marks the treated periods")
    if np.isinf(y).any():
        rows = frame.index[np.isinf(y)].tolist()
        problems.append(f"'{outcome}' has {len(rows)} infinite value(s), in rows {', '.join(map(str, rows[:5]))}"
                        f"{' ...' if len(rows) > 5 else ''}; correct them, or leave them blank if they are missing")
    if y.isna().any():
        r = int(np.flatnonzero(y.isna())[0])
        problems.append(f"'{outcome}' is missing or not a number in {int(y.isna().sum())} row(s) (first: "
                        f"{unit} {frame[unit].iloc[r]!r}, {time} {frame[time].iloc[r]!r}); synthetic DiD needs a "
                        "balanced panel: fill or drop those units")
    if problems:
        raise ValueError("synthetic_did cannot use these data: " + "; ".join(problems))
    frame[outcome], frame[treated] = y.astype(float), w.astype(int)
    wide_y = frame.pivot(index=unit, columns=time, values=outcome).sort_index().sort_index(axis=1)
    wide_w = frame.pivot(index=unit, columns=time, values=treated).reindex_like(wide_y)
    if wide_y.isna().any().any():
        holes = wide_y.isna().sum(axis=1)
        holes = holes[holes > 0]
        raise ValueError(f"synthetic_did needs a balanced panel: {holes.size} {unit}(s) miss some {time}s "
                         f"(e.g. {holes.index[0]!r} misses {int(holes.iloc[0])}); keep the {time}s every "
                         f"{unit} reports, or drop those {unit}s")
    wmat = wide_w.to_numpy(int)
    ever = wmat.any(axis=1)
    if not ever.any():
        raise ValueError(f"synthetic_did: no row has {treated} = 1; mark the treated units' treated periods")
    if ever.all():
        raise ValueError(f"synthetic_did: every {unit} is treated at some point; it needs never-treated "
                         "comparison units")
    starts = wmat[ever].argmax(axis=1)
    periods = wide_y.columns
    reasons = []
    if np.unique(starts).size > 1:
        first = pd.Series(periods[starts], index=wide_y.index[ever])
        reasons.append(f"the treated {unit}s start in different {time}s ({first.value_counts().sort_index().to_dict()}"
                       f"); synthetic DiD needs one start: estimate one adoption cohort at a time, dropping the "
                       "others, or use att_gt for staggered adoption")
    else:
        start = int(starts[0])
        switch_off = wmat[ever][:, start:].min(axis=1) == 0
        if switch_off.any():
            reasons.append(f"{int(switch_off.sum())} treated {unit}(s) (e.g. {wide_y.index[ever][switch_off][0]!r}) "
                           f"leave treatment after it starts; the block design needs treatment to stay on: end the "
                           f"panel before they leave, or drop them")
        if start == 0:
            reasons.append(f"treatment starts in the first {time} ({periods[0]}), so there is no pre-treatment "
                           f"period; add earlier {time}s")
    if reasons:
        raise ValueError("synthetic_did: the treated units are not a block: " + "; ".join(reasons))
    start = int(starts[0])
    order = np.r_[np.flatnonzero(~ever), np.flatnonzero(ever)]
    return (wide_y.to_numpy(float)[order], int((~ever).sum()), start, wide_y.index[order], periods)


# --------------------------------------------------------------------------------------
# the result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SyntheticDidResult(WithEstimate):
    """Synthetic DiD on a block, with the synthetic-control and DiD comparisons (:func:`synthetic_did`).

    ``tidy()`` has one row per estimator (``sdid``, ``sc``, ``did``, in that
    order; only ``sdid`` when made with ``compare=False``; the ``cohort`` column is the first treated period) in the shared
    schema; ``weights()`` lists the unit and time weights (``unit_weights``,
    ``time_weights`` as Series). ``estimates`` holds the three point estimates
    and ``draws`` the placebo / jackknife / bootstrap replicates of each.
    ``values`` (read as ``estimate``, ``std_error``, ...) is the synthetic DiD
    estimate with ``n_control`` counting every control unit; ``overall`` is the
    same estimate with ``n_control`` counting the controls with positive weight.
    """

    settings: dict[str, Any]
    alpha: float
    cohort: Any
    values: Estimate
    n_pre: int
    n_post: int
    unit_weights: pd.Series
    time_weights: pd.Series
    comparisons: dict[str, Estimate]
    draws: dict[str, np.ndarray] = field(repr=False)
    noise_level: float = 0.0
    zeta_omega: float = 0.0
    zeta_lambda: float = 0.0
    sc_unit_weights: pd.Series | None = field(default=None, repr=False)

    @property
    def overall(self) -> Estimate:
        return self.comparisons["sdid"]

    @property
    def estimates(self) -> dict[str, float]:
        return {k: v.estimate for k, v in self.comparisons.items()}

    def tidy(self) -> pd.DataFrame:
        keys = [k for k in ESTIMATORS if k in self.comparisons]
        rows = [self.comparisons[k] for k in keys]
        frame = _tidy_frame({"cohort": np.full(len(keys), self.cohort)},
                            {"estimate": [r.estimate for r in rows], "std_error": [r.std_error for r in rows],
                             "conf_low": [r.conf_low for r in rows], "conf_high": [r.conf_high for r in rows],
                             "n_treated": [r.n_treated for r in rows], "n_control": [r.n_control for r in rows],
                             "identified": [r.identified for r in rows], "note": [r.note for r in rows]})
        return frame.assign(estimator=keys)

    def weights(self) -> pd.DataFrame:
        """Unit weights (controls) and time weights (pre-periods) of the synthetic DiD, largest first."""
        u = self.unit_weights.sort_values(ascending=False)
        t = self.time_weights.sort_values(ascending=False)
        return pd.concat([pd.DataFrame({"kind": "unit", "label": u.index.astype(str), "weight": u.to_numpy()}),
                          pd.DataFrame({"kind": "time", "label": t.index.astype(str), "weight": t.to_numpy()})],
                         ignore_index=True)

    def _repr_html_(self) -> str:
        method = self.settings["se"]
        header = {"outcome": self.settings["outcome"], "treated units": self.n_treated,
                  "control units": self.n_control, "treatment starts": self.cohort,
                  "pre / post periods": f"{self.n_pre} / {self.n_post}",
                  "standard errors": f"{method}" + ("" if method == "jackknife" else
                                                    f", {self.settings['replications']} draws, seed "
                                                    f"{self.settings['seed']}"),
                  "effective controls (1 / sum w^2)": f"{1 / np.sum(self.unit_weights ** 2):.1f}"}
        top = self.weights().groupby("kind").head(5)
        return (_html_table(self.tidy(), "Synthetic difference-in-differences (Arkhangelsky et al. 2021)", header)
                + _html_table(top, "Largest unit and time weights", {}))


def synthetic_did(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str, *,
                  se: SeMethod = "placebo", replications: int = 200, seed: int | None = 0,
                  alpha: float = 0.05, compare: bool = True) -> SyntheticDidResult:
    """Synthetic difference-in-differences (Arkhangelsky et al. 2021) for a block of treated units.

    Identifying assumption (the paper's Section 4): the untreated outcomes
    follow a low-rank factor model plus noise, and the unit and time weights
    balance the treated units' exposure to the factors; no anticipation before
    the common start. It is robust to the level differences DiD removes and,
    unlike synthetic control, does not need the treated units' path to lie
    inside the controls'.

    Parameters
    ----------
    data : DataFrame
        Long balanced panel, one row per unit and period. Not modified.
    outcome, unit, time : str
        Column names.
    treated : str
        0/1 column: 1 in the treated periods of treated units (synthdid's ``W``).
        Every treated unit must start in the same period and stay treated.
    se : {"placebo", "jackknife", "bootstrap"}
        Placebo (Algorithm 4; needs more controls than treated units),
        fixed-weight jackknife (Algorithm 3; needs two treated units) or unit
        bootstrap (Algorithm 2; needs two treated units).
    replications : int
        Placebo or bootstrap draws (synthdid's default 200).
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the draws; each draw is one
        ``rng.permutation`` of the controls (placebo), as diff-diff's ``SyntheticDiD``.
    alpha : float
        One minus the confidence level; intervals are estimate +- z * se.
    compare : bool
        Also estimate the synthetic control and DiD comparisons, with the same
        draws (default). False estimates synthetic DiD only (a third of the time).

    Returns
    -------
    SyntheticDidResult

    References
    ----------
    Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. and Wager, S.
    (2021). Synthetic difference-in-differences. American Economic Review
    111(12), 4088-4118.
    """
    if se not in SE_METHODS:
        raise ValueError(f"se must be one of {SE_METHODS}, not {se!r}")
    if se != "jackknife" and (not isinstance(replications, int | np.integer) or replications < 2):
        raise ValueError(f"replications must be an integer of at least 2 (got {replications!r})")
    y, n0, t0, units, periods = _block(data, outcome, unit, time, treated)
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    if t0 < 2:
        raise ValueError(f"synthetic_did needs at least two pre-treatment {time}s to fit the weights "
                         f"(treatment starts in {periods[t0]}, only {periods[0]} before); add earlier {time}s")
    if se == "placebo" and n0 <= n1:
        raise ValueError(f"placebo standard errors need more control units than treated ones ({n0} controls, "
                         f"{n1} treated); use se='jackknife' or se='bootstrap', or add controls")
    if se in ("jackknife", "bootstrap") and n1 < 2:
        raise ValueError(f"se='{se}' needs at least two treated units (there is {n1}); with one treated unit use "
                         "se='placebo'")
    noise = float(np.std(np.diff(y[:n0, :t0], axis=1), ddof=1))
    min_decrease = 1e-5 * noise
    opts = {"sdid": _Options("sdid", (n1 * t1) ** 0.25 * noise, 1e-6 * noise, min_decrease),
            "sc": _Options("sc", 1e-6 * noise, 1e-6 * noise, min_decrease),
            "did": _Options("did", 0.0, 0.0, min_decrease)}
    z = float(normal_quantile(1 - alpha / 2))
    comps: dict[str, Estimate] = {}
    draws: dict[str, np.ndarray] = {}
    fitted = {}
    for key, opt in opts.items():
        if key != "sdid" and not compare:
            continue
        est_b, omega_b, lam_b = _fit(y[None], n0, t0, opt)
        est, omega, lam = float(est_b[0]), omega_b[0], lam_b[0]
        fitted[key] = (omega, lam)
        # the same draws for the three estimators, so their standard errors are comparable
        rng = np.random.default_rng(seed)
        if se == "placebo":
            d = _placebo(y, n0, t0, opt, omega, lam, replications, rng)
        elif se == "jackknife":
            d = _jackknife(y, n0, t0, opt, omega, lam)
        else:
            d = _bootstrap(y, n0, t0, opt, omega, lam, replications, rng)
        s = _se(d, se)
        note = ""
        if se == "jackknife" and opt.kind != "did" and np.count_nonzero(omega) < 2:
            s, note = np.nan, "jackknife undefined: only one control has weight; use se='placebo'"
        draws[key] = d
        comps[key] = Estimate(est, s, est - z * s, est + z * s, n1, int(np.count_nonzero(omega)),
                              bool(np.isfinite(est)), note or ESTIMATORS[key])
    omega, lam = fitted["sdid"]
    o = comps["sdid"]
    settings = {"outcome": outcome, "unit": unit, "time": time, "treated": treated, "se": se,
                "replications": None if se == "jackknife" else replications, "seed": seed}
    return SyntheticDidResult(settings=settings, alpha=alpha, cohort=periods[t0],
                              values=replace(o, n_treated=n1, n_control=n0), n_pre=t0, n_post=t1,
                              unit_weights=pd.Series(omega, index=pd.Index(units[:n0], name=unit), name="omega"),
                              time_weights=pd.Series(lam, index=pd.Index(periods[:t0], name=time), name="lambda"),
                              comparisons=comps, draws=draws, noise_level=noise, zeta_omega=opts["sdid"].zeta_omega,
                              zeta_lambda=opts["sdid"].zeta_lambda,
                              sc_unit_weights=pd.Series(fitted["sc"][0], index=pd.Index(units[:n0], name=unit),
                                                        name="omega") if compare else None)
