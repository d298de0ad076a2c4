"""Sensitivity of an effect to violations of parallel trends (Rambachan and Roth 2023).

Parallel trends cannot be tested after adoption; the pre-adoption coefficients
only say how far adopters and comparisons drifted apart *before*. Rambachan and
Roth replace "no drift after adoption" by a bounded drift and report the
confidence interval under each bound:

- **relative magnitudes**, ``Delta^RM(Mbar)``: no post-adoption change in the
  drift (between consecutive periods) is larger than ``Mbar`` times the largest
  pre-adoption one. Intervals: the conditional-least-favourable hybrid
  ("C-LF") of Andrews, Roth and Pakes (2023), the default of R's ``HonestDiD``.
- **smoothness**, ``Delta^SD(M)``: the slope of the drift changes by at most
  ``M`` (outcome units) between consecutive periods; ``M = 0`` allows exactly a
  linear extrapolation of the pre-trend. Intervals: the optimal fixed-length
  confidence interval ("FLCI"), HonestDiD's default for this restriction.

The *breakdown value* is the smallest bound at which the interval includes zero.

This is a re-implementation (numpy/scipy only) that follows R ``HonestDiD``'s
algorithms; it is validated against the published HonestDiD results on the
Medicaid-expansion example and against ``diff-diff``'s implementation (tests).
Two deliberate differences from R: interval end points are located by bisection
rather than read off a 1,000-point grid, and the least-favourable critical value
is simulated with numpy's generator (so the last digit can differ from R's).

Notation: event-study coefficients ``beta = (beta_pre, beta_post)`` relative to a
reference period normalised to zero; ``beta = tau + delta`` with ``tau_pre = 0``
and ``delta`` the drift; the target is ``theta = l' tau_post``.
"""

from __future__ import annotations

import functools
import html
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .distributions import normal_quantile

# scipy.optimize and scipy.stats are imported by the functions that use them: a notebook that only
# imports evaluation.did does not pay for them (see evaluation.did.distributions).

METHODS = ("relative_magnitude", "smoothness")
_LF_SIMULATIONS = 1000  # as R HonestDiD
_MAX_VERTEX_SETS = 400_000


# --------------------------------------------------------------------------------------
# result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class HonestResult:
    """A sensitivity analysis (:func:`honest`).

    Attributes
    ----------
    method : str
        ``relative_magnitude`` (parameter ``Mbar``) or ``smoothness`` (parameter ``M``).
    target : str or int
        ``"average"`` of the post-adoption event times, or one event time.
    estimate, std_error : float
        The original estimate of the target and its standard error.
    breakdown : float
        Smallest parameter at which the interval includes 0 (0 when the original
        interval already does; ``inf`` when no parameter in the grid reaches it).
    pre_event_times, post_event_times : tuple
        The event times used.
    """

    method: str
    target: str | int
    alpha: float
    estimate: float
    std_error: float
    breakdown: float
    frame: pd.DataFrame = field(repr=False)
    pre_event_times: tuple = ()
    post_event_times: tuple = ()
    weights: tuple = ()
    notes: tuple[str, ...] = ()

    @property
    def parameter_name(self) -> str:
        return "Mbar" if self.method == "relative_magnitude" else "M"

    @property
    def original(self) -> pd.Series:
        return self.frame.iloc[0]

    def tidy(self) -> pd.DataFrame:
        """Rows: the original interval (``parameter`` NaN), then one per parameter value.

        Columns ``parameter, conf_low, conf_high, id_low, id_high, method``:
        the robust interval and the identified set at that parameter (the set
        of effects consistent with the point estimates and the restriction).
        """
        return self.frame.copy()

    def _repr_html_(self) -> str:
        def cell(v):
            return "" if pd.isna(v) else (f"{v:.4f}" if isinstance(v, float) else html.escape(str(v)))

        rows = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>"
                       for r in self.frame.itertuples(index=False))
        head = "".join(f"<th>{c}</th>" for c in self.frame.columns)
        target = "average of post-adoption event times" if self.target == "average" else f"event time {self.target}"
        bd = "beyond the grid" if np.isinf(self.breakdown) else f"{self.breakdown:.3g}"
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return (f"<div><strong>Sensitivity to violations of parallel trends ({self.method}, {target})</strong>"
                f"<p>Breakdown value of {self.parameter_name}: {bd}</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{notes}</div>")


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------


def honest(result, method: str = "relative_magnitude", grid=None, target: str | int = "average",
           alpha: float = 0.05, *, seed: int = 0) -> HonestResult:
    """Rambachan-Roth sensitivity analysis of a post-adoption effect.

    Parameters
    ----------
    result
        Anything with event-time ``coefficients`` (a Series indexed by event
        time) and their ``vcov``: an :func:`evaluation.did.event_study` result,
        or ``att_gt(..., base_period="universal").aggregate("dynamic")``. A
        varying base period is refused: its pre-adoption coefficients are not
        measured from one reference period, which the restrictions assume.
    method : {"relative_magnitude", "smoothness"}
    grid : sequence of float, optional
        Values of the parameter. Default: ``Mbar`` in 0, 0.25, ..., 2; ``M`` in
        10 values from 0 to the upper one-sided 95% bound of the largest
        pre-adoption second difference (HonestDiD's ``DeltaSD_upperBound_Mpre``).
    target : "average" or int
        ``"average"``: the mean of the effects at event times 0, 1, ...;
        an integer: the effect at that event time.
    alpha : float
        One minus the confidence level.
    seed : int
        Seed of the simulated least-favourable critical value (relative magnitudes).

    Returns
    -------
    HonestResult
        ``tidy()`` has the original interval and one row per parameter value;
        ``breakdown`` the breakdown value, located by bisection between grid points.

    Notes
    -----
    At parameter 0 the relative-magnitudes identified set is the point estimate
    (no drift after adoption), but the interval is the conditional test's, not
    the original one: it still conditions on which pre-adoption change is the
    largest, so it is close to, not equal to, the original interval. Under
    smoothness, ``M = 0`` extrapolates the pre-trend linearly, so the interval
    differs from the original whenever the pre-trend is not flat.

    Only consecutive event times next to the reference period are used (a gap
    ends the sequence, with a note), since the restrictions compare consecutive
    periods.

    References
    ----------
    Rambachan, A. and Roth, J. (2023). A more credible approach to parallel
    trends. Review of Economic Studies 90(5), 2555-2591.
    Andrews, I., Roth, J. and Pakes, A. (2023). Inference for linear conditional
    moment inequalities. Review of Economic Studies 90(6), 2763-2791.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    beta, sigma, pre_times, post_times, notes = _event_time_inputs(result)
    num_pre = len(pre_times)
    post_arr = np.asarray(post_times)
    if target == "average":
        l_vec = (post_arr >= 0).astype(float)
        if l_vec.sum() == 0:
            raise ValueError("no post-adoption event time (>= 0) to average")
        l_vec /= l_vec.sum()
    else:
        if target not in post_times:
            raise ValueError(f"target event time {target!r} is not among the usable post-adoption event times "
                             f"{list(post_times)}")
        l_vec = (post_arr == target).astype(float)
    if grid is None:
        grid = np.linspace(0, 2, 9) if method == "relative_magnitude" else _default_sd_grid(beta, sigma, num_pre, alpha)
    grid = np.asarray(sorted(set(float(g) for g in grid)))
    if (grid < 0).any():
        raise ValueError("grid values must be non-negative")

    problem = _RelativeMagnitudes(beta, sigma, num_pre, l_vec, alpha, seed) if method == "relative_magnitude" else None

    def interval(value: float) -> tuple[float, float]:
        if problem is not None:
            return problem.interval(value)
        return sd_flci(beta, sigma, num_pre, l_vec, value, alpha)

    def covers_zero(value: float) -> bool:
        if problem is not None:  # one test of theta = 0 instead of a whole interval
            return problem.accepts(0.0, value)
        return _covers_zero(*interval(value))

    def id_set(value: float) -> tuple[float, float]:
        if method == "relative_magnitude":
            return rm_identified_set(beta, num_pre, l_vec, value)
        return sd_identified_set(beta, num_pre, l_vec, value)

    est = float(l_vec @ beta[num_pre:])
    se = float(np.sqrt(l_vec @ sigma[num_pre:, num_pre:] @ l_vec))
    z = normal_quantile(1 - alpha / 2)
    rows = [{"parameter": np.nan, "conf_low": est - z * se, "conf_high": est + z * se,
             "id_low": est, "id_high": est, "method": "original"}]
    label = "C-LF" if method == "relative_magnitude" else "FLCI"
    intervals = {}
    for value in grid:
        lo, hi = interval(value)
        intervals[value] = (lo, hi)
        id_lo, id_hi = id_set(value)
        rows.append({"parameter": value, "conf_low": lo, "conf_high": hi, "id_low": id_lo, "id_high": id_hi,
                     "method": label})
    frame = pd.DataFrame(rows)
    breakdown = _breakdown(grid, intervals, covers_zero)
    return HonestResult(method=method, target=target, alpha=alpha, estimate=est, std_error=se, breakdown=breakdown,
                        frame=frame, pre_event_times=tuple(pre_times), post_event_times=tuple(post_times),
                        weights=tuple(l_vec), notes=tuple(notes))


def _covers_zero(lo: float, hi: float) -> bool:
    return bool(np.isnan(lo) or np.isnan(hi) or (lo <= 0 <= hi))


def _breakdown(grid, intervals, covers_zero, iterations: int = 7) -> float:
    """Smallest parameter at which the interval covers 0: the first grid value that does,
    refined by bisection from the grid value below it."""
    covering = [g for g in grid if _covers_zero(*intervals[g])]
    if not covering:
        return np.inf
    first = covering[0]
    below = [g for g in grid if g < first]
    if not below:
        return float(first)
    lo, hi = below[-1], first
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if covers_zero(mid):
            hi = mid
        else:
            lo = mid
    return float(hi)


def _event_time_inputs(result):
    """Pre- and post-adoption coefficients and covariance, reference period removed."""
    if not hasattr(result, "coefficients") or not hasattr(result, "vcov"):
        raise TypeError("honest() needs a result with event-time 'coefficients' and 'vcov' "
                        "(did.event_study, or att_gt(...).aggregate('dynamic') with base_period='universal')")
    from .imputation import ImputationResult

    if isinstance(result, ImputationResult):
        raise TypeError("honest() cannot use an imputation result: its pre-adoption rows are pre-trend test "
                        "coefficients measured from earlier untreated years, not event-study coefficients relative "
                        "to one reference period; use did.event_study or att_gt(..., base_period='universal')")
    notes = []
    settings = getattr(result, "settings", None)
    if getattr(result, "index_name", "event_time") != "event_time":
        raise ValueError("honest() needs event-time coefficients: use aggregate('dynamic')")
    if hasattr(settings, "base_period"):
        if settings.base_period != "universal":
            raise ValueError("honest() needs a universal base period: estimate with "
                             "att_gt(..., base_period='universal'); with a varying base period the pre-adoption "
                             "coefficients are not measured from one reference period")
        reference = -1 - int(settings.anticipation)
    else:
        reference = int(getattr(result, "reference", -1))
    coef = result.coefficients
    vcov = result.vcov
    times = [t for t in coef.index if t != reference]
    var = np.array([vcov.loc[t, t] for t in times], dtype=float)
    usable = {t for t, v in zip(times, var) if np.isfinite(coef.loc[t]) and np.isfinite(v) and v > 0}
    pre, post = [], []
    t = reference - 1
    while t in usable:
        pre.insert(0, t)
        t -= 1
    t = reference + 1
    while t in usable:
        post.append(t)
        t += 1
    left = sorted(set(usable) - set(pre) - set(post))
    if left:
        notes.append(f"Event times {left} were left out: they are not consecutive with the reference period "
                     f"({reference}) after a missing or unidentified event time.")
    if not pre:
        raise ValueError("no usable pre-adoption coefficient before the reference period; the sensitivity analysis "
                         "bounds post-adoption drift by pre-adoption drift and needs at least one")
    if not post:
        raise ValueError("no usable post-adoption coefficient")
    order = pre + post
    beta = coef.loc[order].to_numpy(dtype=float)
    sigma = vcov.loc[order, order].to_numpy(dtype=float)
    sigma = (sigma + sigma.T) / 2
    return beta, sigma, pre, post, notes


# --------------------------------------------------------------------------------------
# constraint matrices
# --------------------------------------------------------------------------------------


def _first_differences(num_pre: int, num_post: int) -> np.ndarray:
    """Rows ``delta_{r+1} - delta_r`` on the padded vector (pre, reference = 0, post)."""
    n = num_pre + num_post + 1
    out = np.zeros((n - 1, n))
    for r in range(n - 1):
        out[r, r], out[r, r + 1] = -1.0, 1.0
    return out


def rm_constraints(num_pre: int, num_post: int, mbar: float, s: int, positive: bool) -> np.ndarray:
    """``A`` with ``Delta^RM_{s,sign}(Mbar) = {delta: A delta <= 0}`` (reference column dropped).

    ``s`` indexes the pre-adoption first difference (0 = earliest, ``num_pre-1``
    = the one into the reference period) assumed to be the largest in absolute
    value, with sign ``+`` when ``positive``: every pre-adoption change is at most
    that one, every post-adoption change at most ``Mbar`` times it.
    """
    diffs = _first_differences(num_pre, num_post)
    bound = diffs[s] * (1.0 if positive else -1.0)
    scale = np.r_[np.ones(num_pre), np.full(num_post, mbar)][:, None]
    a = np.vstack([diffs - scale * bound, -diffs - scale * bound])
    a = a[np.einsum("ij,ij->i", a, a) > 1e-10]
    return np.delete(a, num_pre, axis=1)


def sd_constraints(num_pre: int, num_post: int) -> np.ndarray:
    """Second differences of the padded drift; ``Delta^SD(M) = {|S delta| <= M}`` (reference dropped)."""
    n = num_pre + num_post + 1
    out = np.zeros((n - 2, n))
    for r in range(n - 2):
        out[r, r:r + 3] = (1.0, -2.0, 1.0)
    return np.delete(out, num_pre, axis=1)


def _lp_bounds(objective: np.ndarray, a_ub: np.ndarray, b_ub: np.ndarray, a_eq: np.ndarray, b_eq: np.ndarray):
    """(min, max) of ``objective' x`` over a polyhedron; NaN when infeasible."""
    from scipy import optimize

    bounds = [(None, None)] * objective.size
    out = []
    for sign in (1.0, -1.0):
        res = optimize.linprog(sign * objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                               method="highs")
        out.append(sign * res.fun if res.status == 0 else (np.nan if res.status == 2 else -sign * np.inf))
    return out[0], out[1]


def rm_identified_set(beta: np.ndarray, num_pre: int, l_vec: np.ndarray, mbar: float) -> tuple[float, float]:
    """Identified set of ``l' tau_post`` under ``Delta^RM(Mbar)`` given ``delta_pre = beta_pre``.

    The union over the choice of the largest pre-adoption change (``s``) and its sign.
    """
    num_post = beta.size - num_pre
    point = float(l_vec @ beta[num_pre:])
    objective = np.r_[np.zeros(num_pre), l_vec]
    a_eq = np.hstack([np.eye(num_pre), np.zeros((num_pre, num_post))])
    lows, highs = [point], [point]
    for s in range(num_pre):
        for positive in (True, False):
            a = rm_constraints(num_pre, num_post, mbar, s, positive)
            lo, hi = _lp_bounds(objective, a, np.zeros(a.shape[0]), a_eq, beta[:num_pre])
            if np.isnan(lo):
                continue
            lows.append(point - hi)
            highs.append(point - lo)
    return float(min(lows)), float(max(highs))


def sd_identified_set(beta: np.ndarray, num_pre: int, l_vec: np.ndarray, m: float) -> tuple[float, float]:
    """Identified set under ``Delta^SD(M)`` given ``delta_pre = beta_pre``.

    NaN when the pre-adoption coefficients themselves bend more than ``M`` allows (no drift fits).
    """
    num_post = beta.size - num_pre
    s = sd_constraints(num_pre, num_post)
    objective = np.r_[np.zeros(num_pre), l_vec]
    a_eq = np.hstack([np.eye(num_pre), np.zeros((num_pre, num_post))])
    lo, hi = _lp_bounds(objective, np.vstack([s, -s]), np.full(2 * s.shape[0], m), a_eq, beta[:num_pre])
    if np.isnan(lo):
        return np.nan, np.nan
    point = float(l_vec @ beta[num_pre:])
    return point - hi, point - lo


def _default_sd_grid(beta, sigma, num_pre, alpha) -> np.ndarray:
    if num_pre == 1:
        return np.linspace(0, float(np.sqrt(sigma[0, 0])), 10)
    s = sd_constraints(num_pre, 0)
    diffs = s @ beta[:num_pre]
    se = np.sqrt(np.diag(s @ sigma[:num_pre, :num_pre] @ s.T))
    upper = float(np.max(np.abs(diffs) + normal_quantile(1 - alpha) * se))
    return np.linspace(0, upper, 10)


# --------------------------------------------------------------------------------------
# ARP conditional / least-favourable hybrid test (relative magnitudes)
# --------------------------------------------------------------------------------------


class _MomentTest:
    """ARP test of ``E[y - X nu] <= 0`` for some nuisance ``nu``, with ``y ~ N(mu, Sigma)``.

    The statistic ``eta = min_nu max_j (y - X nu)_j / sd_j`` is a linear program
    whose dual is ``max_g g'y`` over ``{g >= 0, g'sd = 1, g'X = 0}``. That
    polytope does not depend on ``y``, so its vertices are enumerated once and
    every statistic, the optimal dual vertex, and the conditioning interval
    ``[v_lo, v_up]`` of ARP (2023) follow by matrix products (ARP's "dual
    approach", exact here rather than by bisection).
    """

    def __init__(self, x: np.ndarray, sigma: np.ndarray):
        self.sigma = sigma
        sd = np.sqrt(np.diag(sigma))
        self.unbounded = False
        if x.size:
            q, r, piv = _qr_pivot(x)
            rank = int((np.abs(np.diag(r)) > 1e-10 * max(1.0, np.abs(r).max())).sum()) if r.size else 0
            x = x[:, np.sort(piv[:rank])]
            w = np.column_stack([sd, x])
            if np.linalg.matrix_rank(w) < w.shape[1]:
                # sd is in the span of the nuisance directions: eta is unbounded below, nothing is rejected
                self.unbounded = True
                return
        else:
            w = sd[:, None]
        self.vertices = _dual_vertices(w)
        if self.vertices.shape[0] == 0:
            self.unbounded = True

    def statistic(self, y: np.ndarray) -> np.ndarray:
        """``eta`` for each row of ``y`` (max over the dual vertices)."""
        # einsum, not BLAS: a threaded matrix product of this size mostly waits when the cores are busy
        return np.einsum("ij,kj->ik", y, self.vertices).max(axis=1)

    def least_favourable_cv(self, kappa: float, rng: np.random.Generator, sims: int = _LF_SIMULATIONS) -> float:
        draws = rng.multivariate_normal(np.zeros(self.sigma.shape[0]), self.sigma, size=sims, method="svd")
        return float(np.quantile(self.statistic(draws), 1 - kappa))

    def rejects(self, y: np.ndarray, alpha: float, kappa: float, lf_cv: float) -> bool:
        if self.unbounded:
            return False
        values = self.vertices @ y
        j = int(np.argmax(values))
        eta = float(values[j])
        if eta > lf_cv:
            return True  # first stage of the hybrid
        gamma = self.vertices[j]
        var_b = float(gamma @ self.sigma @ gamma)
        if var_b < 1e-20:
            return eta > 0
        sigma_b = math.sqrt(var_b)
        b = self.sigma @ gamma / var_b
        s = y - b * float(gamma @ y)
        slope = 1.0 - self.vertices @ b
        level = self.vertices @ s
        tol = 1e-10
        lower = slope > tol
        upper = slope < -tol
        v_lo = float(np.max(level[lower] / slope[lower])) if lower.any() else -np.inf
        v_up = float(np.min(level[upper] / slope[upper])) if upper.any() else np.inf
        z_lo, z_up = v_lo / sigma_b, min(v_up, lf_cv) / sigma_b
        stat = eta / sigma_b
        if not (z_lo <= stat <= z_up):
            return False
        size = (alpha - kappa) / (1 - kappa)
        if z_up - z_lo < 1e-12:
            return False
        cv = max(0.0, _truncnorm_quantile(1 - size, z_lo, z_up))
        return stat > cv


def _truncnorm_quantile(p: float, lo: float, hi: float) -> float:
    """``p``-quantile of N(0, 1) truncated to ``[lo, hi]``, accurate in the tails."""
    if lo >= 0:  # right tail: work with survival probabilities
        s_lo, s_hi = special.ndtr(-lo), special.ndtr(-hi)
        if s_lo > 1e-300:
            return float(-special.ndtri(s_hi + (1 - p) * (s_lo - s_hi)))
    else:
        c_lo, c_hi = special.ndtr(lo), special.ndtr(hi)
        if c_hi - c_lo > 1e-300:
            return float(special.ndtri(c_lo + p * (c_hi - c_lo)))
    from scipy import stats  # only for probabilities below 1e-300

    return float(stats.truncnorm.ppf(p, lo, hi))


def _qr_pivot(x):
    from scipy.linalg import qr

    return qr(x, mode="economic", pivoting=True)


def _dual_vertices(w: np.ndarray) -> np.ndarray:
    """Vertices of ``{g >= 0 : w' g = e_1}`` (basic feasible solutions)."""
    m, r = w.shape
    n_sets = math.comb(m, r)
    if n_sets > _MAX_VERTEX_SETS:
        raise ValueError(f"too many post-adoption periods for the relative-magnitudes test ({n_sets:,} candidate "
                         "vertices); estimate fewer post-adoption event times (lags in event_study, max_event in "
                         "aggregate) or use method='smoothness'")
    combos = _combinations(m, r)
    e1 = np.zeros(r)
    e1[0] = 1.0
    out = []
    for start in range(0, combos.shape[0], 50_000):
        chunk = combos[start:start + 50_000]
        blocks = np.transpose(w[chunk], (0, 2, 1))  # w_B' : (sets, r, r)
        det = np.linalg.det(blocks)
        scale = np.abs(blocks).max(axis=(1, 2)) ** r
        ok = np.abs(det) > 1e-12 * np.maximum(scale, 1e-300)
        if not ok.any():
            continue
        sol = np.linalg.solve(blocks[ok], np.broadcast_to(e1, (int(ok.sum()), r))[..., None])[..., 0]
        feasible = (sol >= -1e-10).all(axis=1)
        full = np.zeros((int(feasible.sum()), m))
        rows = np.repeat(np.arange(full.shape[0]), r)
        full[rows, chunk[ok][feasible].ravel()] = np.clip(sol[feasible], 0, None).ravel()
        out.append(full)
    if not out:
        return np.zeros((0, m))
    vertices = np.vstack(out)
    # A degenerate vertex is the solution of many bases (here often hundreds of copies of a
    # few dozen vertices). Keep one copy of each bit-identical row, in first-seen order:
    # every maximum, argmax (first index) and min/max over the vertices is unchanged, and
    # the statistic and the test cost a fraction.
    first: dict[bytes, int] = {}
    for i, row in enumerate(vertices):
        first.setdefault(row.tobytes(), i)
    return vertices[np.fromiter(first.values(), dtype=np.int64, count=len(first))]


@functools.lru_cache(maxsize=32)
def _combinations(m: int, r: int) -> np.ndarray:
    return np.array(list(itertools.combinations(range(m), r)), dtype=np.int64).reshape(-1, r)


def _gamma_completion(l_vec: np.ndarray) -> np.ndarray:
    """An invertible matrix whose first row is ``l'`` (the rest are unit vectors)."""
    rows = [l_vec]
    for j in range(l_vec.size):
        e = np.zeros(l_vec.size)
        e[j] = 1.0
        if np.linalg.matrix_rank(np.vstack(rows + [e])) == len(rows) + 1:
            rows.append(e)
        if len(rows) == l_vec.size:
            break
    return np.vstack(rows)


class _RelativeMagnitudes:
    """The C-LF tests of every ``(s, sign)`` piece of ``Delta^RM(Mbar)``, cached by ``Mbar``."""

    def __init__(self, beta, sigma, num_pre, l_vec, alpha, seed, kappa=None) -> None:
        self.beta, self.sigma, self.num_pre, self.l_vec = beta, sigma, num_pre, l_vec
        self.num_post = beta.size - num_pre
        self.alpha, self.seed = alpha, seed
        self.kappa = alpha / 10 if kappa is None else kappa
        self._pieces: dict[float, list] = {}

    def pieces(self, mbar: float) -> list:
        if mbar in self._pieces:
            return self._pieces[mbar]
        num_pre, num_post, beta, sigma = self.num_pre, self.num_post, self.beta, self.sigma
        out = []
        for s in range(num_pre):
            for positive in (True, False):
                a = rm_constraints(num_pre, num_post, mbar, s, positive)
                if num_post == 1:  # no nuisance parameter: every moment is used, as in HonestDiD
                    rows = np.arange(a.shape[0])
                    direction, x = a[:, num_pre], np.zeros((a.shape[0], 0))
                else:  # only moments that involve post-adoption periods (postPeriodMomentsOnly)
                    rows = np.nonzero(np.abs(a[:, num_pre:]).sum(axis=1) > 0)[0]
                    a_gamma = a[:, num_pre:] @ np.linalg.inv(_gamma_completion(self.l_vec))
                    direction, x = a_gamma[:, 0], a_gamma[:, 1:]
                sigma_y = (a @ sigma @ a.T)[np.ix_(rows, rows)]
                test = _MomentTest(x[rows], sigma_y)
                rng = np.random.default_rng(self.seed)
                lf_cv = np.inf if test.unbounded else test.least_favourable_cv(self.kappa, rng)
                out.append((test, (a @ beta)[rows], direction[rows], lf_cv))
        self._pieces[mbar] = out
        return out

    def accepts(self, theta: float, mbar: float) -> bool:
        """Whether ``theta`` is in the confidence set (the union over the pieces)."""
        return any(not test.rejects(y - direction * theta, self.alpha, self.kappa, lf_cv)
                   for test, y, direction, lf_cv in self.pieces(mbar))

    def interval(self, mbar: float) -> tuple[float, float]:
        sd_theta = float(np.sqrt(self.l_vec @ self.sigma[self.num_pre:, self.num_pre:] @ self.l_vec))
        center = float(self.l_vec @ self.beta[self.num_pre:])
        id_lo, id_hi = rm_identified_set(self.beta, self.num_pre, self.l_vec, mbar)
        lows, highs = [], []
        for test, y, direction, lf_cv in self.pieces(mbar):
            if test.unbounded:
                return -np.inf, np.inf

            def accept(theta, test=test, y=y, direction=direction, lf_cv=lf_cv):
                return not test.rejects(y - direction * theta, self.alpha, self.kappa, lf_cv)

            lo, hi = _accepted_range(accept, center, id_lo, id_hi, sd_theta)
            if not np.isnan(lo):
                lows.append(lo)
                highs.append(hi)
        if not lows:
            return np.nan, np.nan
        return float(min(lows)), float(max(highs))


def rm_interval(beta: np.ndarray, sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, mbar: float,
                alpha: float = 0.05, *, seed: int = 0, hybrid_kappa: float | None = None) -> tuple[float, float]:
    """C-LF confidence interval for ``l' tau_post`` under ``Delta^RM(Mbar)`` (R ``HonestDiD`` defaults).

    The union over the choice of the largest pre-adoption change (``s``, sign)
    of ARP hybrid confidence sets (first-stage size ``alpha/10``); with several
    post-adoption periods only the moments involving them are tested
    (HonestDiD's ``postPeriodMomentsOnly``).
    """
    return _RelativeMagnitudes(beta, sigma, num_pre, l_vec, alpha, seed, hybrid_kappa).interval(mbar)


def _accepted_range(accept, center, id_lo, id_hi, scale, points: int = 81, tol: float = 1e-6):
    """Lowest and highest accepted ``theta``: a grid search, widened while the ends are
    accepted, then bisection at the outermost changes (R reads them off a fixed grid)."""
    half = 20 * scale + max(abs(id_lo - center), abs(id_hi - center))
    for _ in range(4):
        grid = np.linspace(center - half, center + half, points)
        ok = np.array([accept(t) for t in grid])
        if not ok.any():
            return np.nan, np.nan
        if not (ok[0] or ok[-1]):
            break
        half *= 4

    def refine(rejected, accepted):
        while abs(accepted - rejected) > tol * max(scale, 1e-12):
            mid = (rejected + accepted) / 2
            if accept(mid):
                accepted = mid
            else:
                rejected = mid
        return float(accepted)

    first, last = int(np.argmax(ok)), int(len(ok) - 1 - np.argmax(ok[::-1]))
    lo = -np.inf if ok[0] else refine(grid[first - 1], grid[first])
    hi = np.inf if ok[-1] else refine(grid[last + 1], grid[last])
    return lo, hi


# --------------------------------------------------------------------------------------
# optimal FLCI (smoothness)
# --------------------------------------------------------------------------------------


def _folded_normal_quantile(p: float, mu: float) -> float:
    """``p``-quantile of ``|N(mu, 1)|``."""
    from scipy import optimize

    mu = abs(mu)
    f = lambda x: special.ndtr(x - mu) - special.ndtr(-x - mu) - p  # noqa: E731
    return float(optimize.brentq(f, 0.0, mu + 10.0, xtol=1e-14))


def sd_flci(beta: np.ndarray, sigma: np.ndarray, num_pre: int, l_vec: np.ndarray, m: float,
            alpha: float = 0.05) -> tuple[float, float]:
    """Optimal fixed-length confidence interval for ``l' tau_post`` under ``Delta^SD(M)``.

    Among affine estimators ``v' beta`` whose bias is unaffected by a linear
    drift, minimise the half-length ``h * q(M * B / h)``, with ``h`` the standard
    deviation, ``B`` the worst-case bias per unit of ``M`` and ``q(t)`` the
    ``1 - alpha`` quantile of ``|N(t, 1)|`` (Rambachan and Roth 2023, section 4.1;
    Armstrong and Kolesar 2018).

    Parametrisation (as HonestDiD's ``flci.R``): pre-adoption weights
    ``v_pre = D w`` (``D`` first differences); ``u = cumsum(w)`` has last element
    ``S = sum_t t l_t`` (so linear drifts cancel) and ``B = c + |S| + sum |u_j|``
    over the other elements. HonestDiD searches the standard deviation ``h``
    and, for each, the smallest bias; here the half-length is minimised over
    ``u`` directly, which is the same problem: ``h * q(M B / h)`` is jointly
    convex and increasing in ``(B, h)``, ``B`` and ``h`` are convex in ``u``, so
    the objective is convex and smooth once ``u = u_plus - u_minus`` with both
    parts non-negative.
    """
    from scipy import optimize, stats

    k, num_post = num_pre, l_vec.size
    t = np.arange(1, num_post + 1)
    total = float(t @ l_vec)
    constant = sum(abs(float(np.arange(1, s + 1) @ l_vec[num_post - s:])) for s in range(1, num_post + 1)) - total
    d = np.eye(k) - np.eye(k, k=-1)
    quad = d.T @ sigma[:k, :k] @ d
    lin = 2 * d.T @ sigma[:k, k:] @ l_vec
    const_var = float(l_vec @ sigma[k:, k:] @ l_vec)
    p = 1 - alpha

    def parts(u):
        w = d @ u
        var = float(w @ quad @ w + lin @ w + const_var)
        return w, var

    def v_of(u):
        return np.r_[d @ (d @ u), l_vec]

    # minimum-variance weights with sum(w) = S (an equality-constrained QP in closed form)
    kkt = np.block([[2 * quad, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
    w0 = np.linalg.lstsq(kkt, np.r_[-lin, total], rcond=None)[0][:k]
    u0 = np.cumsum(w0)
    u0[-1] = total
    if m == 0 or k == 1:
        u = u0 if m == 0 else np.array([total])
        _, var = parts(u)
        h = math.sqrt(max(var, 0.0))
        bias = constant + abs(total) + float(np.abs(u[:-1]).sum())
        half = normal_quantile(1 - alpha / 2) * h if m == 0 else _folded_normal_quantile(p, m * bias / h) * h
        center = float(v_of(u) @ beta)
        return center - half, center + half

    def unpack(z):
        return np.r_[z[:k - 1] - z[k - 1:], total]

    def objective(z):
        u = unpack(z)
        w, var = parts(u)
        h = math.sqrt(max(var, 1e-300))
        bias = constant + abs(total) + float(z.sum())
        t_ = m * bias / h
        q = _folded_normal_quantile(p, t_)
        a_, b_ = stats.norm.pdf(q - t_), stats.norm.pdf(q + t_)
        dq = (a_ - b_) / (a_ + b_)
        d_bias = m * dq
        d_h = q - t_ * dq
        grad_u = (d.T @ (2 * quad @ w + lin)) / (2 * h)
        g_free = d_h * grad_u[:k - 1]
        grad = np.r_[g_free, -g_free] + d_bias
        return h * q, grad

    start = np.r_[np.clip(u0[:-1], 0, None), np.clip(-u0[:-1], 0, None)]
    res = optimize.minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(0, None)] * (2 * (k - 1)),
                            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 2000})
    # the minimum-bias estimator (u_free = 0) is a candidate HonestDiD always considers
    candidates = [res.x, np.zeros(2 * (k - 1)), start]
    best = min(candidates, key=lambda z: objective(z)[0])
    half = objective(best)[0]
    center = float(v_of(unpack(best)) @ beta)
    return center - half, center + half
