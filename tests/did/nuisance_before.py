"""The nuisance models and 2x2 estimators as they were before they were rewritten for speed.

A verbatim copy of ``evaluation/did/_logit.py``'s ``fit_logit_irls`` and of
``evaluation/did/group_time.py``'s design and estimator functions and
``estimate_cells`` at commit 238a490 (only the imports differ; the helpers that
did not change are imported), kept so the tests can compare the fast code with
the code it replaced on the same inputs, edge cases included. Not used by the
package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from evaluation.did import drdid_improved as _imp
from evaluation.did._logit import _MAX_HALVINGS, DEVIANCE_TOL, DRIFT, extreme_scores
from evaluation.did.group_time import (
    _COLLINEAR_TOL,
    _CONSTANT_TOL,
    _EPS,
    MIN_UNITS,
    OVERLAP_LIMIT,
    TRIM_LEVEL,
    CellEstimates,
    DesignCache,
    _dot,
    _label,
    _place,
    _replay,
    plan_cells,
)
from evaluation.did.panel import Panel, _as_number


def _deviance(eta: np.ndarray, d: np.ndarray, w: np.ndarray) -> float:
    # -2 log-likelihood of a 0/1 response, written with logaddexp so it stays finite
    # for any eta (log(1 + e^eta) - d * eta).
    return float(2.0 * np.sum(w * (np.logaddexp(0.0, eta) - d * eta)))


def _newton_solve(hess: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(hess, rhs)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(hess, rhs, rcond=None)[0]


@dataclass(frozen=True)
class LogitFit:
    """A fitted logit: coefficients, whether the deviance converged, and whether
    the coefficients were still drifting when it did (quasi-separation)."""

    coefficients: np.ndarray
    converged: bool
    separated: bool
    iterations: int


def fit_logit_irls(
    x: np.ndarray, d: np.ndarray, w: np.ndarray, max_iter: int = 100, tol: float = DEVIANCE_TOL
) -> LogitFit:
    """Weighted logit of ``d`` on ``x`` (intercept included in ``x``).

    IRLS (Newton's method for the canonical link) from ``glm``'s starting
    values ``mu = (w d + 0.5) / (w + 1)``. A step that increases the deviance,
    or makes it non-finite, is halved (up to 40 times). Converged when the
    relative change in deviance falls below ``tol`` or the step is negligible
    relative to the coefficients. ``separated`` is set when the deviance
    converged while the last step still moved a coefficient by more than
    :data:`DRIFT`: near a finite optimum Newton steps shrink quadratically, so a
    step that large means the optimum is at infinity.
    """
    mu0 = (w * d + 0.5) / (w + 1.0)
    eta = np.log(mu0 / (1.0 - mu0))  # starting linear predictor; not in x's column space
    beta = None
    dev = np.inf
    for it in range(1, max_iter + 1):
        p = expit(eta)
        v = w * p * (1.0 - p)
        hess = x.T @ (v[:, None] * x)
        # beta_new = (X'VX)^{-1} X'V z with z = eta + (d - p) / (p (1 - p)): one Newton step.
        target = _newton_solve(hess, x.T @ (v * eta + w * (d - p)))
        eta_new = x @ target
        dev_new = _deviance(eta_new, d, w)
        if beta is not None:
            halvings = 0
            while (not np.isfinite(dev_new) or dev_new > dev * (1 + 1e-12)) and halvings < _MAX_HALVINGS:
                target = (target + beta) / 2.0
                eta_new = x @ target
                dev_new = _deviance(eta_new, d, w)
                halvings += 1
        step = np.inf if beta is None else float(np.max(np.abs(target - beta)))
        dev_prev = dev
        beta, eta, dev = target, eta_new, dev_new
        if it == 1:
            continue
        if step <= 1e-12 * (1.0 + np.max(np.abs(beta))):
            return LogitFit(beta, True, False, it)
        if abs(dev - dev_prev) / (abs(dev) + 0.1) < tol:
            return LogitFit(beta, True, step > DRIFT, it)
    return LogitFit(beta, False, False, max_iter)



def fit_logit(x, d, w, max_iter=100, tol=DEVIANCE_TOL):
    fit = fit_logit_irls(x, d, w, max_iter=max_iter, tol=tol)
    return fit.coefficients, fit.converged


def _independent_columns(x: np.ndarray) -> np.ndarray:
    """Columns of ``x`` (intercept first) that are not constant or collinear, in order.

    Works on the centred Gram matrix (one pass over the units), so an
    intercept-collinear (constant) column and exact linear combinations are
    both caught; the first column of a collinear set is kept.
    """
    k = x.shape[1]
    keep = [0]
    if k == 1:
        return np.array(keep)
    n1 = x.shape[0]
    raw = x.T @ x / n1
    mean = raw[0, 1:]  # column 0 is the intercept, so these are the column means
    gram = raw[1:, 1:] - np.outer(mean, mean)
    # Scale by the raw second moments so the tolerance is relative to the data's magnitude.
    scale = np.diag(raw)[1:]
    kept_z: list[int] = []
    for j in range(k - 1):
        if not scale[j] > 0 or not np.isfinite(scale[j]):
            continue
        if kept_z:
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
    and the inverse it is computed from (``None`` when singular), which the caller keeps."""
    try:
        inv = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return 0.0, None
    return float(1.0 / (np.linalg.norm(a, 1) * np.linalg.norm(inv, 1))), inv


@dataclass(eq=False)
class _Design:
    """Nuisance pieces that depend on the cell sample, not on the outcome change.

    Reused across cells with the same sample (e.g. a cohort against the
    never-treated with time-invariant covariates), so each logit runs once.
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


def _standardize(xraw: np.ndarray) -> np.ndarray:
    """Covariates centred and scaled over the cell sample.

    Every estimator here is invariant to an affine change of a covariate (the
    intercept absorbs the shift, the coefficient the scale), but the rank checks
    and the solves are not: a year, a population count or an ID-like code adds
    a huge constant next to a small spread, and rounding then makes the column
    look collinear with the intercept. Centring and scaling first keeps every
    Gram matrix close to a correlation matrix. A column whose spread is below
    ``1e-12`` of its magnitude is constant to rounding; it becomes a zero column
    and is dropped as constant.
    """
    centre = xraw.mean(axis=0)
    dev = xraw - centre
    spread = np.sqrt(np.mean(dev * dev, axis=0))
    magnitude = np.max(np.abs(xraw), axis=0) if xraw.shape[0] else np.zeros(xraw.shape[1])
    constant = ~(spread > _CONSTANT_TOL * magnitude)
    z = dev / np.where(constant, 1.0, spread)
    z[:, constant] = 0.0
    return z


def _overlap_fails(x: np.ndarray, d: np.ndarray, w: np.ndarray, ps_weighted: np.ndarray) -> bool:
    """R did 2.5.1's overlap guard (``overlap_check_fail``): an *unweighted* logit of
    treatment on the covariates over the cell sample, failing when its largest
    fitted score reaches :data:`OVERLAP_LIMIT`. Units with zero sampling weight
    are not part of the sample and are left out (as the ``csdid`` port does).
    With equal weights the weighted fit already is that logit.
    """
    pos = w > 0
    if pos.all() and np.all(w == w[0]):
        return bool(np.max(ps_weighted) >= OVERLAP_LIMIT)
    xs, ds = x[pos], d[pos]
    beta, _ = fit_logit(xs, ds, np.ones(xs.shape[0]))
    return bool(np.max(expit(xs @ beta)) >= OVERLAP_LIMIT)


def _build_design(xraw: np.ndarray, n_treated: int, w: np.ndarray, method: str, names: tuple[str, ...]) -> _Design:
    n1 = xraw.shape[0]
    x = np.empty((n1, xraw.shape[1] + 1))
    x[:, 0] = 1.0
    x[:, 1:] = _standardize(xraw)
    keep = _independent_columns(x)
    dropped = tuple(names[j - 1] for j in range(1, x.shape[1]) if j not in set(keep.tolist()))
    x = np.ascontiguousarray(x[:, keep])
    design = _Design(x=x, dropped=dropped)

    if method == "dr_imp":  # improved DR: its own nuisance models, in evaluation.did.drdid_improved
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
        ps = expit(x @ fit.coefficients)
        if _overlap_fails(x, d, w, ps):
            design.problem = f"overlap fails: an unweighted propensity score reaches {OVERLAP_LIMIT}"
            return design
        if fit.separated:
            design.n_separated = max(1, extreme_scores(ps, w))

    if method in ("dr", "reg"):
        xc = x[n_treated:]
        gram = xc.T @ (w[n_treated:, None] * xc)
        rcond, gram_inv = _rcond_inverse(gram)
        if rcond < _EPS:
            design.problem = "outcome regression not identified: covariates collinear among the comparison units"
            return design
        design.gram_c_inv = gram_inv

    if ps is not None:
        ps = np.minimum(ps, 1 - 1e-6)
        hess = x.T @ ((w * ps * (1 - ps))[:, None] * x)
        rcond, hess_inv = _rcond_inverse(hess)
        if rcond < _EPS:
            design.problem = "propensity score model singular"
            return design
        design.hess_ps_inv = hess_inv
        ps_c = ps[n_treated:]
        keep_c = ps_c < TRIM_LEVEL
        design.n_trimmed = int((~keep_c).sum())
        cw = np.where(keep_c, w[n_treated:] * ps_c / (1 - ps_c), 0.0)
        if not np.any(cw > 0):
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


def _dr_pre(nt: int, w: np.ndarray, des: _Design) -> dict:
    """Outcome-free pieces of the DR influence function, computed once per design."""
    n1 = w.shape[0]
    x, xt, xc = des.x, des.x[:nt], des.x[nt:]  # noqa: F841 -- the old code verbatim (x was unused there)
    wt, wc = w[:nt], w[nt:]
    cw = des.control_weight
    wt_sum, cw_sum = wt.sum(), cw.sum()
    m1 = (wt @ xt) / n1
    m3 = (cw @ xc) / n1
    ps_score = n1 * w * (np.r_[np.ones(nt), np.zeros(n1 - nt)] - des.ps)
    return {
        "xc": xc,
        "wt": wt,
        "cw": cw,
        "xtw_c": np.ascontiguousarray(xc.T * wc),
        "wt_sum": wt_sum,
        "cw_sum": cw_sum,
        "mean_wt": wt_sum / n1,
        "mean_cw": cw_sum / n1,
        "ps_score": ps_score,
        # n1 * wc * (xc @ G^{-1} m1) and the same with m3: the OLS estimation effects up to rc
        "ols_t": (n1 * wc) * (xc @ (des.gram_c_inv @ m1)),
        "ols_c": (n1 * wc) * (xc @ (des.gram_c_inv @ m3)),
    }


def _two_by_two_dr(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    pre = des.pre
    if pre is None:
        pre = des.pre = _dr_pre(nt, w, des)
    x, xc = des.x, pre["xc"]
    wt, cw = pre["wt"], pre["cw"]
    beta = des.gram_c_inv @ (pre["xtw_c"] @ dy[nt:])
    resid = dy - x @ beta
    rt, rc = resid[:nt], resid[nt:]
    mean_wt, mean_cw = pre["mean_wt"], pre["mean_cw"]
    eta_t = _dot(wt, rt) / pre["wt_sum"]
    eta_c = _dot(cw, rc) / pre["cw_sum"]
    cw_rc = cw * (rc - eta_c)
    m2 = (cw_rc @ xc) / n1
    psi = np.empty(n1)
    inf_c2 = pre["ps_score"] * (x @ (des.hess_ps_inv @ m2))
    # treated rows: only the leading terms and the pscore estimation effect
    psi[:nt] = wt * (rt - eta_t) / mean_wt - inf_c2[:nt] / mean_cw
    # comparison rows: OLS estimation effects enter both components
    inf_treat_c = -(pre["ols_t"] * rc) / mean_wt
    inf_cont_c = (cw_rc + inf_c2[nt:] - pre["ols_c"] * rc) / mean_cw
    psi[nt:] = inf_treat_c - inf_cont_c
    return eta_t - eta_c, psi


def _two_by_two_ipw(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    x, xc = des.x, des.x[nt:]
    wt = w[:nt]
    cw = des.control_weight
    mean_wt, mean_cw = wt.sum() / n1, cw.sum() / n1
    eta_t = _dot(wt, dy[:nt]) / wt.sum()
    eta_c = _dot(cw, dy[nt:]) / cw.sum()
    m2 = ((cw * (dy[nt:] - eta_c)) @ xc) / n1
    ps_score = n1 * w * (np.r_[np.ones(nt), np.zeros(n1 - nt)] - des.ps)
    inf_c2 = ps_score * (x @ (des.hess_ps_inv @ m2))
    psi = np.empty(n1)
    psi[:nt] = wt * (dy[:nt] - eta_t) / mean_wt - inf_c2[:nt] / mean_cw
    psi[nt:] = -(cw * (dy[nt:] - eta_c) + inf_c2[nt:]) / mean_cw
    return eta_t - eta_c, psi


def _two_by_two_reg(dy: np.ndarray, nt: int, w: np.ndarray, des: _Design) -> tuple[float, np.ndarray]:
    n1 = dy.shape[0]
    xt, xc = des.x[:nt], des.x[nt:]
    wt, wc = w[:nt], w[nt:]
    beta = des.gram_c_inv @ (xc.T @ (wc * dy[nt:]))
    out_t = xt @ beta
    rc = dy[nt:] - xc @ beta
    mean_wt = wt.sum() / n1
    eta_t = _dot(wt, dy[:nt]) / wt.sum()
    eta_c = _dot(wt, out_t) / wt.sum()
    m1 = (wt @ xt) / n1
    psi = np.empty(n1)
    psi[:nt] = (wt * (dy[:nt] - eta_t) - wt * (out_t - eta_c)) / mean_wt
    psi[nt:] = -(n1 * wc * rc * (xc @ (des.gram_c_inv @ m1))) / mean_wt
    return eta_t - eta_c, psi


_ESTIMATORS = {"dr": _two_by_two_dr, "ipw": _two_by_two_ipw, "reg": _two_by_two_reg}
_ESTIMATORS["dr_imp"] = lambda dy, nt, w, des: _imp.two_by_two(dy, nt, w, des.x, des.pre)


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
    units = np.arange(n)
    never_lo = panel.first_after(np.finfo(float).max)  # start of the never-treated block
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

        glo, ghi = panel.block(g)
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
            idx = np.concatenate([units[a:b] for a, b in segs])
            dy = y[ti, idx] - y[bi, idx]
            xraw = xcov[cov_period, idx] if has_x else None
            ok = np.isfinite(dy)
            if has_x:
                ok &= np.isfinite(xraw).all(axis=1)
            if not ok.all():
                masked = True
                idx, dy = idx[ok], dy[ok]
                if has_x:
                    xraw = xraw[ok]
                nt0 = int(ok[:nt0].sum())
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

        period_text = f"{_as_number(times[bi])} and {_as_number(t_val)}"
        comparison = "never-treated" if control_group == "never_treated" else "not-yet-treated"
        if nt < MIN_UNITS or nc < MIN_UNITS:
            parts = []
            if nt < MIN_UNITS:
                parts.append(f"{nt} treated unit(s)")
            if nc < MIN_UNITS:
                parts.append(f"{nc} {comparison} comparison unit(s)")
            notes[k] = f"too few units: {' and '.join(parts)} observed in both {period_text} (need {MIN_UNITS})"
            continue

        if idx is None:
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

        if not has_x:
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
            if not masked:
                key = (g, tuple(ranges), period_key)
            else:
                key = (g, period_key, nt, idx.tobytes())
            des = design_cache.get(key)
            if des is None:
                if xraw is None:
                    xraw = np.concatenate([xcov[cov_period, a:b] for a, b in segs])
                des = design_cache[key] = _build_design(xraw, nt, w, method, panel.covariate_names)
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

        if not np.isfinite(att):
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
