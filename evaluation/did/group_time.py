"""Group-time average treatment effects: the 2x2 estimators and their influence functions.

Each cell ATT(g, t) of Callaway and Sant'Anna (2021) is a two-period, two-group
DiD: units of cohort ``g`` against a comparison group, outcome change from a
base period to ``t``. Three estimators of that 2x2 are implemented for panel
data, following Sant'Anna and Zhao (2020) and R's ``DRDID`` as called by R
``did`` 2.5.0:

- ``"dr"``: locally efficient doubly robust DiD (``drdid_panel``): logit
  propensity score by maximum likelihood, linear outcome-change regression on the
  comparison units, both estimation effects in the influence function;
- ``"ipw"``: normalised (Hajek) inverse probability weighting (``std_ipw_did_panel``);
- ``"reg"``: outcome regression (``reg_did_panel``).

Comparison units with an estimated propensity score of 0.995 or more are
trimmed (weight zero) in ``dr`` and ``ipw``, as in ``DRDID``; a cell whose
unweighted score reaches 0.999 is not estimated (R did 2.5.1's overlap guard).
Covariates are centred and scaled within each cell before any rank check or
solve, which leaves every estimate unchanged; the logit lives in :mod:`._logit`. With no covariates
all three reduce to the weighted difference in mean outcome changes; that case
takes a closed form (same numbers, no regressions).

Influence functions are returned on the unit scale used by R ``did``: for a
cell estimated on ``n1`` of the ``n`` units, ``(n / n1) * psi`` for the units
in the cell and 0 elsewhere, so that ``Var(att) = sum(IF**2) / n**2`` and any
aggregation is a linear combination of columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.linalg import lapack as _lapack
from scipy.special import expit

from . import drdid_improved as _imp
from ._logit import extreme_scores, fit_logit, fit_logit_irls
from .panel import NEVER_TREATED, Panel, _as_number

#: Comparison units with a propensity score at or above this are trimmed (DRDID's trim.level).
TRIM_LEVEL = 0.995
#: A cell whose largest propensity score reaches this has no overlap (R did's check).
OVERLAP_LIMIT = 0.999
#: Fewest treated and fewest comparison units a cell needs.
MIN_UNITS = 2
#: Relative residual variance under which a covariate counts as collinear with the others.
_COLLINEAR_TOL = 1e-10
#: A covariate whose spread within a cell is below this fraction of its magnitude is constant.
_CONSTANT_TOL = 1e-12
_EPS = np.finfo(float).eps


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    # einsum, not BLAS: a threaded ddot stalls badly when the cores are busy.
    return float(np.einsum("i,i->", a, b))


@dataclass(frozen=True)
class CellPlan:
    cohort: float
    time_index: int
    base_index: int | None
    reference: bool = False
    note: str = ""


@dataclass(eq=False)
class CellEstimates:
    """Everything estimated for the group-time cells, before inference."""

    cohort: np.ndarray
    time: np.ndarray
    base_time: np.ndarray
    estimate: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    identified: np.ndarray
    reference: np.ndarray
    note: list[str]
    influence: np.ndarray  # (n, K), column-major
    roles: np.ndarray  # (n, K) int8: 1 treated, 0 comparison, -1 not used
    issues: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def empty(cls, plans: list[CellPlan], times: np.ndarray, n_units: int) -> CellEstimates:
        """Nothing estimated yet for these planned cells (panel or cross-section estimators fill it in)."""
        k = len(plans)
        times_f = times.astype(float)
        return cls(
            cohort=np.array([p.cohort for p in plans], dtype=float),
            time=np.array([times[p.time_index] for p in plans], dtype=times.dtype),
            base_time=np.array([times_f[p.base_index] if p.base_index is not None else np.nan for p in plans], dtype=float),
            estimate=np.full(k, np.nan),
            n_treated=np.zeros(k, dtype=np.int64),
            n_control=np.zeros(k, dtype=np.int64),
            identified=np.zeros(k, dtype=bool),
            reference=np.zeros(k, dtype=bool),
            note=[""] * k,
            influence=np.zeros((n_units, k), order="F"),
            roles=np.full((n_units, k), -1, dtype=np.int8, order="F"),
            issues={},
        )


def plan_cells(times: np.ndarray, cohorts: np.ndarray, anticipation: int, base_period: str) -> list[CellPlan]:
    """Which (cohort, period) cells to estimate and the base period of each.

    A post-adoption cell (``t >= g``) compares with the last period before
    ``g - anticipation``. A pre-adoption cell compares with the period just
    before it (``base_period="varying"``) or with that same last pre-adoption
    period (``"universal"``, where the base period itself is a reference cell
    fixed at 0). With a varying base the first period has no cell, as in R did.
    """
    times_f = times.astype(float)
    plans: list[CellPlan] = []
    first_index = 1 if base_period == "varying" else 0
    for g in cohorts:
        before = np.nonzero(times_f + anticipation < g)[0]
        base_g = int(before[-1]) if before.size else None
        missing = (
            f"no pre-adoption period: cohort {_as_number(g)} has no period before "
            + (f"{_as_number(g)}" if anticipation == 0 else f"{_as_number(g)} - {anticipation} (anticipation)")
            + " in the data"
        )
        for ti in range(first_index, len(times_f)):
            post = g <= times_f[ti]
            if base_period == "universal":
                bi = base_g
            else:
                bi = base_g if post else ti - 1
            if bi is None:
                plans.append(CellPlan(g, ti, None, note=missing))
            elif base_period == "universal" and bi == ti:
                plans.append(CellPlan(g, ti, bi, reference=True, note="reference period (normalised to 0)"))
            else:
                plans.append(CellPlan(g, ti, bi))
    return plans


# --------------------------------------------------------------------------------------
# nuisance models
# --------------------------------------------------------------------------------------


def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Columns of ``x`` (intercept first) that are not constant or collinear, in order.

    Works on the centred Gram matrix (one pass over the units), so an
    intercept-collinear (constant) column and exact linear combinations are
    both caught; the first column of a collinear set is kept. With one column
    kept so far the projection is a scalar division, written out (it is what
    the 1x1 solve computes), since a solve per covariate costs more than the
    rest of the check.
    """
    k = x.shape[1]
    keep = [0]
    if k == 1:
        return np.array(keep)
    n1 = x.shape[0]
    raw = x.T @ x / n1
    mean = raw[0, 1:]  # column 0 is the intercept, so these are the column means
    gram = raw[1:, 1:] - mean[:, None] * mean[None, :]
    # Scale by the raw second moments so the tolerance is relative to the data's magnitude.
    scale = np.diag(raw)[1:].tolist()
    kept_z: list[int] = []
    for j in range(k - 1):
        if not scale[j] > 0 or not np.isfinite(scale[j]):
            continue
        if len(kept_z) == 1:
            i = kept_z[0]
            sub, cross = float(gram[i, i]), float(gram[i, j])
            if sub == 0.0:  # the solve's singular matrix
                continue
            resid = float(gram[j, j]) - cross * (cross / sub)
        elif kept_z:
            sub = gram[np.ix_(kept_z, kept_z)]
            cross = gram[kept_z, j]
            try:
                resid = gram[j, j] - cross @ np.linalg.solve(sub, cross)
            except np.linalg.LinAlgError:
                continue
        else:
            resid = gram[j, j]
        if resid > _COLLINEAR_TOL * scale[j]:
            kept_z.append(j)
            keep.append(j + 1)
    return np.array(keep)


def _rcond_inverse(a: np.ndarray) -> tuple[float, np.ndarray | None]:
    """Reciprocal 1-norm condition number (R's ``rcond``, computed exactly for small matrices)
    and the inverse it is computed from (``None`` when singular), which the caller keeps.
    The 1-norms are the largest absolute column sums (what ``numpy.linalg.norm(a, 1)``
    computes, without its argument handling)."""
    # numpy.linalg.inv solves a x = I by LAPACK's dgesv; called directly it costs a fifth
    # (same routine, same numbers). info > 0: exactly singular, where numpy raises.
    k = a.shape[0]
    eye = _EYES.get(k)
    if eye is None:
        eye = _EYES[k] = np.eye(k)
        eye.flags.writeable = False
    _, _, inv, info = _lapack.dgesv(a, eye)
    if info != 0:
        return 0.0, None
    return float(1.0 / (_norm1(a) * _norm1(inv))), inv


#: Identity matrices by size, the right-hand side of the inverses (read-only: dgesv copies it).
_EYES: dict[int, np.ndarray] = {}


def _norm1(a: np.ndarray) -> float:
    """The 1-norm (largest absolute column sum) of a small matrix, on Python floats: each
    column summed from the first row down, as ``numpy.linalg.norm(a, 1)`` sums it."""
    return max(sum(map(abs, col)) for col in zip(*a.tolist()))


@dataclass(eq=False)
class _Design:
    """Nuisance pieces that depend on the cell sample, not on the outcome change.

    Reused across cells with the same sample (e.g. a cohort against the
    never-treated with time-invariant covariates), so each logit runs once.
    ``x`` is column-major (each covariate contiguous), which is what the
    products ``x.T @ ...`` of the fits and estimators read fastest.
    """

    x: np.ndarray
    dropped: tuple[str, ...]
    problem: str = ""
    # outcome regression on comparison units
    gram_c_inv: np.ndarray | None = None
    # propensity score
    ps: np.ndarray | None = None
    hess_ps_inv: np.ndarray | None = None
    control_weight: np.ndarray | None = None  # trimmed odds weights w * ps / (1 - ps) of comparison units
    n_trimmed: int = 0
    converged: bool = True
    n_separated: int = 0  # units whose fitted score is numerically 0 or 1 (quasi-separation)
    # per-sample pieces of the 2x2 estimator that do not depend on the outcome change
    pre: dict | None = None
    unit_weights: bool = False  # every weight of the sample is exactly 1


def _column_sums(a: np.ndarray) -> np.ndarray:
    """Column sums of a column-major ``a``, added in the order a row-major ``a.sum(axis=0)`` adds them.

    With several columns that reduction runs down the rows one unit at a time (here: the
    last row of a running sum); a single column is contiguous either way and is summed
    pairwise. The centre and spread of the covariates are then the same numbers, to the
    last bit, as when they were computed on row-major arrays.
    """
    if a.shape[1] == 1:
        return a.sum(axis=0)
    return np.cumsum(a, axis=0)[-1]


def _standardize(xraw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Covariates centred and scaled over the cell sample.

    Every estimator here is invariant to an affine change of a covariate (the
    intercept absorbs the shift, the coefficient the scale), but the rank checks
    and the solves are not: a year, a population count or an ID-like code adds
    a huge constant next to a small spread, and rounding then makes the column
    look collinear with the intercept. Centring and scaling first keeps every
    Gram matrix close to a correlation matrix. A column whose spread is below
    ``1e-12`` of its magnitude is constant to rounding; it becomes a zero column
    and is dropped as constant.

    ``out``: where to write the result (a column-major block of the design
    matrix); the column sums then run over contiguous memory.
    """
    n1 = xraw.shape[0]
    if out is None:
        out = np.empty(xraw.shape, order="F")
    if n1 == 0:
        return out
    xraw = np.asfortranarray(xraw)  # column sums over contiguous memory (a row-major one is several times slower)
    np.subtract(xraw, _column_sums(xraw) / n1, out=out)
    spread = np.sqrt(_column_sums(np.square(out)) / n1)
    magnitude = np.abs(xraw).max(axis=0)
    constant = ~(spread > _CONSTANT_TOL * magnitude)
    if constant.any():
        out /= np.where(constant, 1.0, spread)
        out[:, constant] = 0.0
    else:
        out /= spread
    return out


def _overlap_fails(x: np.ndarray, d: np.ndarray, w: np.ndarray, ps_weighted: np.ndarray,
                   equal_weights: bool | None = None) -> bool:
    """R did 2.5.1's overlap guard (``overlap_check_fail``): an *unweighted* logit of
    treatment on the covariates over the cell sample, failing when its largest
    fitted score reaches :data:`OVERLAP_LIMIT`. Units with zero sampling weight
    are not part of the sample and are left out (as the ``csdid`` port does).
    With equal weights the weighted fit already is that logit (``equal_weights``:
    the caller already knows whether they are all equal and positive).
    """
    if equal_weights is None:
        equal_weights = bool(w.shape[0]) and bool(w.min() == w.max()) and bool(w[0] > 0)
    if equal_weights:
        return bool(np.max(ps_weighted) >= OVERLAP_LIMIT)
    pos = w > 0
    xs, ds = x[pos], d[pos]
    beta, _ = fit_logit(xs, ds, np.ones(xs.shape[0]))
    return bool(np.max(expit(xs @ beta)) >= OVERLAP_LIMIT)


def _build_design(xraw: np.ndarray, n_treated: int, w: np.ndarray, method: str, names: tuple[str, ...],
                  unit_weights: bool | None = None) -> _Design:
    """The nuisance design of a cell sample (treated rows first): standardised covariates
    without the constant or collinear ones, and the fits ``method`` needs.

    ``unit_weights``: whether every weight is exactly 1 (found here when not given);
    those weights skip their multiplications, which changes no number.
    """
    n1 = xraw.shape[0]
    x = np.empty((n1, xraw.shape[1] + 1), order="F")
    x[:, 0] = 1.0
    _standardize(xraw, out=x[:, 1:])
    keep = _independent_columns(x)
    if keep.shape[0] < x.shape[1]:
        kept = set(keep.tolist())
        dropped = tuple(names[j - 1] for j in range(1, x.shape[1]) if j not in kept)
        x = np.asfortranarray(x[:, keep])
    else:
        dropped = ()
    if unit_weights is None:
        unit_weights = bool(n1) and bool(w.min() == 1.0) and bool(w.max() == 1.0)
    design = _Design(x=x, dropped=dropped, unit_weights=unit_weights)

    if method == "dr_imp":  # improved DR: its own nuisance models, in evaluation.did.drdid_improved
        # row-major, as that module has always received it (its products then round as they did)
        x = design.x = np.ascontiguousarray(x)
        pre = _imp.prepare(x, n_treated, w)
        if isinstance(pre, str):
            design.problem = pre
        else:
            design.pre, design.n_trimmed = pre, pre["n_trimmed"]
        return design

    ps = None
    if method in ("dr", "ipw"):
        # Overlap first, as R did: a cell that fails it is not estimated at all.
        d = np.zeros(n1)
        d[:n_treated] = 1.0
        fit = fit_logit_irls(x, d, w)
        design.converged = fit.converged
        ps = fit.scores  # expit(x @ coefficients), from the fit's last deviance
        assert ps is not None  # fit_logit_irls always returns them
        equal = unit_weights or (bool(n1) and bool(w.min() == w.max()) and bool(w[0] > 0))
        if _overlap_fails(x, d, w, ps, equal_weights=equal):
            design.problem = f"overlap fails: an unweighted propensity score reaches {OVERLAP_LIMIT}"
            return design
        if fit.separated:
            design.n_separated = max(1, extreme_scores(ps, w))

    if method in ("dr", "reg"):
        xc = x[n_treated:]
        gram = xc.T @ (xc if unit_weights else w[n_treated:, None] * xc)
        rcond, gram_inv = _rcond_inverse(gram)
        if rcond < _EPS:
            design.problem = "outcome regression not identified: covariates collinear among the comparison units"
            return design
        design.gram_c_inv = gram_inv

    if ps is not None:
        ps = np.minimum(ps, 1 - 1e-6)
        q = 1 - ps
        v = ps * q if unit_weights else w * ps * q
        hess = x.T @ (x * v[:, None])
        rcond, hess_inv = _rcond_inverse(hess)
        if rcond < _EPS:
            design.problem = "propensity score model singular"
            return design
        design.hess_ps_inv = hess_inv
        ps_c = ps[n_treated:]
        cw = ps_c / q[n_treated:] if unit_weights else w[n_treated:] * ps_c / q[n_treated:]
        if ps_c.shape[0] and float(ps_c.max()) < TRIM_LEVEL:  # nothing trimmed, the common case
            design.n_trimmed = 0
        else:
            keep_c = ps_c < TRIM_LEVEL
            design.n_trimmed = int((~keep_c).sum())
            cw = np.where(keep_c, cw, 0.0)
        if not (cw.shape[0] and float(cw.max()) > 0):
            design.problem = f"overlap fails: every comparison unit has propensity score >= {TRIM_LEVEL} (trimmed)"
            return design
        design.ps = ps
        design.control_weight = cw
    return design


# --------------------------------------------------------------------------------------
# 2x2 estimators: return (att, psi) with psi the influence function on the cell sample
# --------------------------------------------------------------------------------------


def _two_by_two_means(dy: np.ndarray, nt: int, w: np.ndarray) -> tuple[float, np.ndarray]:
    """No covariates: every method is the weighted difference in mean changes."""
    n1 = dy.shape[0]
    wt, wc = w[:nt], w[nt:]
    st, sc = wt.sum(), wc.sum()
    mu_t = _dot(wt, dy[:nt]) / st
    mu_c = _dot(wc, dy[nt:]) / sc
    psi = np.empty(n1)
    psi[:nt] = wt * (dy[:nt] - mu_t) * (n1 / st)
    psi[nt:] = -wc * (dy[nt:] - mu_c) * (n1 / sc)
    return mu_t - mu_c, psi


def _ps_pre(nt: int, w: np.ndarray, des: _Design) -> dict:
    """Outcome-free pieces of the propensity-score terms (DR and IPW), computed once per design.

    The pscore estimation effect of a cell is ``ps_score * (x @ (H^{-1} m2))`` with
    ``ps_score = n1 w (D - ps)``; ``ps_x`` keeps ``x`` times ``ps_score`` row by row, so a
    cell computes it as one matrix-vector product.
    """
    n1 = w.shape[0]
    x, xc = des.x, des.x[nt:]
    wt = w[:nt]
    cw, ps = des.control_weight, des.ps
    assert cw is not None and ps is not None  # _build_design sets both for DR and IPW
    wt_sum, cw_sum = wt.sum(), cw.sum()
    mean_wt, mean_cw = wt_sum / n1, cw_sum / n1
    score = -ps
    score[:nt] += 1.0  # D - ps
    ps_score = (n1 * w) * score
    return {"xc": xc, "wt": wt, "cw": cw, "wt_sum": wt_sum, "cw_sum": cw_sum, "mean_wt": mean_wt,
            "mean_cw": mean_cw, "ps_score": ps_score, "ps_x": x * ps_score[:, None], "wt_over": wt / mean_wt,
            "xc_t": np.ascontiguousarray(xc.T)}


def _dr_pre(nt: int, w: np.ndarray, des: _Design) -> dict:
    """Outcome-free pieces of the DR influence function, computed once per design.

    The comparison rows of the influence function are
    ``-ols_t rc / mean_wt - (cw (rc - eta_c) + inf_c2 - ols_c rc) / mean_cw``;
    the coefficient of ``rc`` does not depend on the outcome, so it is kept
    here (``rc_coef``) and a cell pays one product for it.
    """
    pre = _ps_pre(nt, w, des)
    n1 = w.shape[0]
    xt, xc = des.x[:nt], pre["xc"]
    wc = w[nt:]
    m1 = (pre["wt"] @ xt) / n1
    m3 = (pre["cw"] @ xc) / n1
    # n1 * wc * (xc @ G^{-1} m1) and the same with m3: the OLS estimation effects up to rc
    nwc = n1 * wc
    ols_t = nwc * (xc @ (des.gram_c_inv @ m1))
    ols_c = nwc * (xc @ (des.gram_c_inv @ m3))
    pre["xtw_c"] = pre["xc_t"] if des.unit_weights else np.ascontiguousarray(xc.T * wc)
    pre["rc_coef"] = ols_c / pre["mean_cw"] - ols_t / pre["mean_wt"]
    return pre


def _two_by_two_dr(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    pre = des.pre
    if pre is None:
        pre = des.pre = _dr_pre(nt, w, des)
    x = des.x
    cw = pre["cw"]
    dyc = dy[nt:]
    beta = des.gram_c_inv @ (pre["xtw_c"] @ dyc)
    resid = dy - x @ beta
    rt, rc = resid[:nt], resid[nt:]
    mean_cw = pre["mean_cw"]
    eta_t = _dot(pre["wt"], rt) / pre["wt_sum"]
    eta_c = _dot(cw, rc) / pre["cw_sum"]
    cw_rc = rc - eta_c
    cw_rc *= cw
    m2 = (pre["xc_t"] @ cw_rc) / n1
    # the pscore estimation effect ps_score * (x @ (H^{-1} m2)), already divided by mean_cw
    inf_c2 = pre["ps_x"] @ (des.hess_ps_inv @ (m2 / mean_cw))
    psi = np.empty(n1)
    # treated rows: only the leading terms and the pscore estimation effect
    pt = psi[:nt]
    np.subtract(rt, eta_t, out=pt)
    pt *= pre["wt_over"]
    pt -= inf_c2[:nt]
    # comparison rows: OLS estimation effects enter both components
    pc = psi[nt:]
    np.multiply(pre["rc_coef"], rc, out=pc)
    pc -= cw_rc / mean_cw
    pc -= inf_c2[nt:]
    return eta_t - eta_c, psi


def _two_by_two_ipw(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    pre = des.pre
    if pre is None:
        pre = des.pre = _ps_pre(nt, w, des)
    cw, mean_cw = pre["cw"], pre["mean_cw"]
    dyt, dyc = dy[:nt], dy[nt:]
    eta_t = _dot(pre["wt"], dyt) / pre["wt_sum"]
    eta_c = _dot(cw, dyc) / pre["cw_sum"]
    cw_dc = dyc - eta_c
    cw_dc *= cw
    m2 = (pre["xc_t"] @ cw_dc) / n1
    # the pscore estimation effect, already divided by mean_cw
    inf_c2 = pre["ps_x"] @ (des.hess_ps_inv @ (m2 / mean_cw))
    psi = np.empty(n1)
    pt = psi[:nt]
    np.subtract(dyt, eta_t, out=pt)
    pt *= pre["wt_over"]
    pt -= inf_c2[:nt]
    pc = psi[nt:]
    np.divide(cw_dc, -mean_cw, out=pc)
    pc -= inf_c2[nt:]
    return eta_t - eta_c, psi


def _reg_pre(nt: int, w: np.ndarray, des: _Design) -> dict:
    """Outcome-free pieces of the regression estimator, computed once per design: the
    comparison rows of its influence function are ``rc`` times ``-n1 wc (xc @ G^{-1} m1) / mean_wt``."""
    n1 = w.shape[0]
    xt, xc = des.x[:nt], des.x[nt:]
    wt, wc = w[:nt], w[nt:]
    wt_sum = wt.sum()
    mean_wt = wt_sum / n1
    m1 = (wt @ xt) / n1
    return {"wt": wt, "wt_sum": wt_sum, "wt_over": wt / mean_wt,
            "xtw_c": np.ascontiguousarray(xc.T if des.unit_weights else xc.T * wc),
            "rc_coef": -((n1 * wc) * (xc @ (des.gram_c_inv @ m1))) / mean_wt}


def _two_by_two_reg(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    pre = des.pre
    if pre is None:
        pre = des.pre = _reg_pre(nt, w, des)
    dyt, dyc = dy[:nt], dy[nt:]
    beta = des.gram_c_inv @ (pre["xtw_c"] @ dyc)
    fitted = des.x @ beta  # out_t on the treated rows, the comparison rows' fit on the others
    out_t = fitted[:nt]
    wt, wt_sum = pre["wt"], pre["wt_sum"]
    eta_t = _dot(wt, dyt) / wt_sum
    eta_c = _dot(wt, out_t) / wt_sum
    psi = np.empty(n1)
    pt = psi[:nt]
    np.subtract(dyt, eta_t, out=pt)
    pt -= out_t - eta_c
    pt *= pre["wt_over"]
    pc = psi[nt:]
    np.subtract(dyc, fitted[nt:], out=pc)  # rc
    pc *= pre["rc_coef"]
    return eta_t - eta_c, psi


_ESTIMATORS = {"dr": _two_by_two_dr, "ipw": _two_by_two_ipw, "reg": _two_by_two_reg}


def _two_by_two_dr_imp(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    """Improved DR (evaluation.did.drdid_improved) on the pieces its ``prepare`` made."""
    assert des.pre is not None  # _build_design sets them, or the cell has a problem and is not estimated
    return _imp.two_by_two(dy, nt, w, des.x, des.pre)


_ESTIMATORS["dr_imp"] = _two_by_two_dr_imp


# --------------------------------------------------------------------------------------
# all cells
# --------------------------------------------------------------------------------------


class DesignCache:
    """The nuisance designs of every cell, kept across estimates on panels that differ only in the outcome.

    A cell's design (standardised covariates, propensity score, outcome-regression
    Gram matrix) depends on which units are in the cell, their covariates and
    weights, never on the outcome. :func:`evaluation.did.power` estimates hundreds
    of simulated panels with the real panel's units, cohorts, covariates, weights
    and missing observations, so each design is computed once; after the first
    estimate it also keeps each cell's sample, roles and notes, and later estimates
    only recompute the cells' 2x2 estimates and influence functions. The cache is bound
    to the first panel (and settings) it serves; :meth:`bind` refuses any other,
    so a design can never be reused for a panel it was not computed on.
    """

    def __init__(self) -> None:
        self.designs: dict[tuple, _Design] = {}
        self.replay: tuple | None = None  # (cells, steps) of the first estimate, see _replay
        self._structure: tuple | None = None

    @staticmethod
    def _structure_of(panel: Panel, settings: tuple) -> tuple:
        return (settings, panel.times, panel.unit_cohort, panel.weights, panel.covariates, panel.covariate_names,
                panel.covariates_time_invariant, np.isfinite(panel.outcome))

    def bind(self, panel: Panel, settings: tuple) -> None:
        """Use the cache for ``panel``: the first panel sets it; another one must have the same structure."""
        structure = self._structure_of(panel, settings)
        if self._structure is None:
            self._structure = tuple(v.copy() if isinstance(v, np.ndarray) else v for v in structure)
            return
        if not all(_same(a, b) for a, b in zip(self._structure, structure)):
            raise ValueError("this design cache was computed on another panel (units, cohorts, covariates, weights, "
                             "missing observations or settings differ); use a new DesignCache")


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if a is None or b is None:
            return a is b
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return a == b


def _label(g: float, t) -> str:
    return f"({_as_number(g)}, {_as_number(t)})"


def estimate_cells(
    panel: Panel,
    *,
    control_group: str,
    method: str,
    anticipation: int,
    base_period: str,
    cohorts: np.ndarray | None = None,
    designs: DesignCache | None = None,
    post_only: bool = False,
) -> CellEstimates:
    """Estimate every ATT(g, t) cell and its influence function.

    Sample of a cell: units of cohort ``g`` (treated) and the comparison units
    -- never treated, or (``not_yet_treated``) also units whose cohort is after
    ``max(t, base) + anticipation`` other than ``g`` -- that are observed (outcome
    and covariates not missing) in both the base period and ``t``.
    Covariates and weights are taken from the earlier of the two periods, as in R did.
    ``cohorts``: the cohorts to estimate (default: all); the others' units still
    serve as comparisons. ``designs``: a :class:`DesignCache` kept across calls on
    panels that differ only in the outcome (refused for any other panel).
    ``post_only``: estimate only the post-adoption cells (``t >= g``), the only ones
    the simple aggregation uses; the others stay unidentified with a note.

    A cell's nuisance design is computed once per distinct cell sample: with
    time-invariant covariates, cells of a cohort with the same comparison units
    observed share it (e.g. every period against the never-treated on a balanced
    panel), since it does not depend on the outcome.
    """
    times = panel.times
    times_f = times.astype(float)
    n = panel.n_units
    cohorts = panel.cohorts if cohorts is None else np.asarray(cohorts, dtype=float)
    plans = plan_cells(times, cohorts, anticipation, base_period)
    cells = CellEstimates.empty(plans, times, n)
    # the loop below fills these arrays in place
    estimate, n_treated, n_control = cells.estimate, cells.n_treated, cells.n_control
    identified, reference, notes, issues = cells.identified, cells.reference, cells.note, cells.issues
    influence, roles = cells.influence, cells.roles

    y = panel.outcome
    xcov = panel.covariates
    has_x = xcov is not None
    w_all = panel.weights
    # Exactly unit weights (no weights given): every cell's normalised weights are ones
    # (w / w.mean() of ones is ones), so they are not gathered, summed and divided per cell.
    unit_weights = bool(np.all(w_all == 1.0))
    never_lo = panel.first_after(np.finfo(float).max)  # start of the never-treated block
    blocks = {g: panel.block(g) for g in {p.cohort for p in plans}}
    if not panel.complete:
        # Which units are observed in each period (outcome, and covariates when there are any),
        # found once for the panel instead of once per cell.
        observed_y = np.isfinite(y)
        observed_x = np.isfinite(xcov).all(axis=2) if xcov is not None else None
        # covariates as (period, covariate, unit): a cell's gather is then column-major, as designs are
        xcov_t = np.ascontiguousarray(xcov.transpose(0, 2, 1)) if xcov is not None else None
    if designs is not None:
        designs.bind(panel, (control_group, method, anticipation, base_period, tuple(np.asarray(cohorts).tolist()),
                             post_only))
    design_cache: dict[tuple, _Design] = {} if designs is None else designs.designs
    if designs is not None and designs.replay is not None:
        replayed = _replay(panel, method, designs.replay)
        if replayed is not None:
            return replayed
    steps: list[tuple] = []  # what the identified cells were computed from, for the replay
    replayable = designs is not None and designs.replay is None
    sample_w: dict[tuple, np.ndarray | None] = {}
    comparison = "never-treated" if control_group == "never_treated" else "not-yet-treated"
    changes: dict[tuple[int, int], np.ndarray] = {}

    for k, plan in enumerate(plans):
        g = plan.cohort
        t_val = times[plan.time_index]
        if plan.base_index is None:
            notes[k] = plan.note
            continue
        if post_only and g > times_f[plan.time_index]:
            notes[k] = "not estimated: only the post-adoption cells were asked for"
            continue
        ti, bi = plan.time_index, plan.base_index

        glo, ghi = blocks[g]
        if control_group == "never_treated":
            ranges = [(never_lo, n)]
        else:
            start = panel.first_after(max(times_f[ti], times_f[bi]) + anticipation)
            if glo >= start:  # the cohort itself is not yet treated: keep it out of its own comparison group
                ranges = [(start, glo), (ghi, n)]
            else:
                ranges = [(start, n)]
        ranges = [(a, b) for a, b in ranges if b > a]
        segs = [(glo, ghi)] + ranges
        nt0 = ghi - glo
        cov_period = min(ti, bi)
        masked = False
        idx = None  # None: the cell sample is the contiguous unit blocks ``segs``
        if panel.complete:
            yt, yb = y[ti], y[bi]
            dy = np.concatenate([yt[a:b] - yb[a:b] for a, b in segs])
            xraw = None  # gathered only when the design is not cached
        else:
            pair = (ti, bi)
            if pair not in changes:  # the outcome change of every unit between the two periods
                changes[pair] = y[ti] - y[bi]
            # units of the segments observed in both periods (and with covariates in the earlier one),
            # treated first, each segment in unit order
            ok = observed_y[ti] & observed_y[bi]
            if observed_x is not None:  # the panel has covariates
                ok &= observed_x[cov_period]
            parts = [ok[a:b].nonzero()[0] + a for a, b in segs]
            nt0 = parts[0].shape[0]
            idx = np.concatenate(parts)
            masked = idx.shape[0] < sum(b - a for a, b in segs)
            dy = changes[pair][idx]
            xraw = None
        n1 = dy.shape[0]
        nt, nc = nt0, n1 - nt0
        n_treated[k], n_control[k] = nt, nc
        if idx is None:
            roles[glo:ghi, k] = 1
            for a, b in ranges:
                roles[a:b, k] = 0
        else:
            roles[idx[:nt], k] = 1
            roles[idx[nt:], k] = 0

        if plan.reference:
            estimate[k] = 0.0
            identified[k] = True
            reference[k] = True
            notes[k] = plan.note
            continue

        if nt < MIN_UNITS or nc < MIN_UNITS:
            period_text = f"{_as_number(times[bi])} and {_as_number(t_val)}"
            parts = []
            if nt < MIN_UNITS:
                parts.append(f"{nt} treated unit(s)")
            if nc < MIN_UNITS:
                parts.append(f"{nc} {comparison} comparison unit(s)")
            notes[k] = f"too few units: {' and '.join(parts)} observed in both {period_text} (need {MIN_UNITS})"
            continue

        w: np.ndarray | None
        if unit_weights:
            w = np.ones(n1)
        elif idx is None:
            skey = tuple(segs)
            if skey in sample_w:
                w = sample_w[skey]
            else:
                w = np.concatenate([w_all[a:b] for a, b in segs])
                w = sample_w[skey] = None if (w[:nt].sum() <= 0 or w[nt:].sum() <= 0) else w / w.mean()
            if w is None:
                notes[k] = "all treated or all comparison units have zero weight"
                continue
        else:
            w = w_all[idx]
            if w[:nt].sum() <= 0 or w[nt:].sum() <= 0:
                notes[k] = "all treated or all comparison units have zero weight"
                continue
            w = w / w.mean()

        if xcov is None:  # no covariates
            if method in ("dr", "ipw", "dr_imp") and np.count_nonzero(w[:nt] > 0) >= OVERLAP_LIMIT * np.count_nonzero(w > 0):
                # R did's guard with no covariates: the unweighted treated share.
                notes[k] = f"overlap fails: treated share of the cell (unweighted) is >= {OVERLAP_LIMIT}"
                issues.setdefault("overlap", []).append(_label(g, t_val))
                continue
            if method in ("dr", "ipw", "dr_imp") and w[:nt].sum() / w.sum() >= TRIM_LEVEL:
                # DRDID trims comparison units at this propensity score; with no covariates
                # that is all of them, so R did returns NA for the cell.
                notes[k] = f"overlap fails: treated share of the cell is >= {TRIM_LEVEL}, so every comparison unit is trimmed"
                issues.setdefault("overlap", []).append(_label(g, t_val))
                continue
            att, psi = _two_by_two_means(dy, nt, w)
        else:
            # The design depends on the sample (which units, and for time-varying covariates
            # the period they are read from), not on the outcome: keyed on exactly that.
            period_key = None if panel.covariates_time_invariant else cov_period
            key: tuple
            if masked and idx is not None:  # masked: some units of the segments are not observed
                key = (g, period_key, nt, idx.tobytes())
            else:
                key = (g, tuple(ranges), period_key)
            des = design_cache.get(key)
            if des is None:
                if idx is not None:
                    assert xcov_t is not None  # made for an incomplete panel with covariates
                    xraw = xcov_t[cov_period][:, idx].T
                else:
                    xraw = np.concatenate([xcov[cov_period, a:b] for a, b in segs])
                des = design_cache[key] = _build_design(xraw, nt, w, method, panel.covariate_names,
                                                        unit_weights=unit_weights or None)
            if des.dropped:
                issues.setdefault("collinear", []).append(f"{_label(g, t_val)}: {', '.join(des.dropped)}")
            if des.problem:
                notes[k] = des.problem
                issues.setdefault("problem", []).append(f"{_label(g, t_val)}: {des.problem}")
                continue
            if not des.converged:
                issues.setdefault("convergence", []).append(_label(g, t_val))
            att, psi = _ESTIMATORS[method](dy, nt, w, des)
            extra = []
            if des.n_separated:
                extra.append(f"propensity score numerically 0 or 1 for {des.n_separated} unit(s) (quasi-separation)")
                issues.setdefault("separation", []).append(_label(g, t_val))
            if des.dropped:
                extra.append(f"dropped collinear covariate(s) {', '.join(des.dropped)}")
            if des.n_trimmed:
                extra.append(f"trimmed {des.n_trimmed} comparison unit(s) with propensity score >= {TRIM_LEVEL}")
                issues.setdefault("trimmed", []).append(_label(g, t_val))
            notes[k] = "; ".join(extra)

        if not math.isfinite(att):
            notes[k] = "estimate is not finite"
            replayable = False
            continue
        estimate[k] = att
        identified[k] = True
        _place(influence, k, psi, idx, segs, n)
        steps.append((k, ti, bi, segs, idx, nt, w, des if has_x else None))

    if designs is not None and replayable:
        designs.replay = (cells, steps)
    return cells


def _place(influence: np.ndarray, k: int, psi: np.ndarray, idx: np.ndarray | None, segs: list, n: int) -> None:
    """Column ``k`` of the influence functions: the cell's ``psi`` on the unit scale (``n / n1``)."""
    if idx is None:
        psi *= n / psi.shape[0]
        off = 0
        for a, b in segs:
            influence[a:b, k] = psi[off : off + b - a]
            off += b - a
    else:
        influence[idx, k] = psi * (n / idx.shape[0])


def _replay(panel: Panel, method: str, replay: tuple) -> CellEstimates | None:
    """The cells of a panel that differs from the recorded one only in the outcome.

    Samples, weights, designs, roles and notes do not depend on the outcome, so
    only each identified cell's 2x2 estimate and influence function are computed,
    by the same functions as in :func:`estimate_cells`. ``None`` when an estimate
    is not finite (the caller then runs the full loop, which notes it).
    """
    recorded, steps = replay
    y, n = panel.outcome, panel.n_units
    estimate = np.full(recorded.estimate.shape, np.nan)
    influence = np.zeros(recorded.influence.shape, order="F")
    for k, ti, bi, segs, idx, nt, w, des in steps:
        if idx is None:
            yt, yb = y[ti], y[bi]
            dy = np.concatenate([yt[a:b] - yb[a:b] for a, b in segs])
        else:
            dy = y[ti, idx] - y[bi, idx]
        att, psi = _two_by_two_means(dy, nt, w) if des is None else _ESTIMATORS[method](dy, nt, w, des)
        if not np.isfinite(att):
            return None
        estimate[k] = att
        _place(influence, k, psi, idx, segs, n)
    return replace(recorded, estimate=estimate, influence=influence, n_treated=recorded.n_treated.copy(),
                   n_control=recorded.n_control.copy(), identified=recorded.identified.copy(),
                   reference=recorded.reference.copy(), note=list(recorded.note), roles=recorded.roles.copy(),
                   issues={key: list(v) for key, v in recorded.issues.items()})


__all__ = ["CellEstimates", "CellPlan", "DesignCache", "estimate_cells", "fit_logit", "plan_cells", "NEVER_TREATED"]
