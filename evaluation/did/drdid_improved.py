"""The improved locally efficient doubly robust 2x2 DiD for panel data (``method="dr_imp"``).

Sant'Anna and Zhao (2020, section 3.1) show that the doubly robust DiD
estimator becomes *improved* -- its influence function no longer depends on the
estimation of the nuisance models, and it is locally efficient and
doubly robust at once -- when

- the propensity score is fitted by inverse probability tilting (Graham, Pinto
  and Egel 2012; the calibration loss of Tan 2019): the odds ``exp(x'g)`` of the
  comparison units reweight their covariates to the treated units' covariate
  totals exactly, and
- the outcome-change regression on the comparison units is weighted least
  squares with those odds as weights.

With both first-order conditions holding, the estimation effects of the two
nuisance models cancel, so the influence function is the plug-in one. R's
``DRDID::drdid_imp_panel`` computes the same estimator; this module reproduces
its printed results (``tests/did/test_drdid_improved.py``).

Overlap: a cell is not identified when the tilting problem has no solution (the
treated units' covariate means cannot be matched by reweighting the comparison
units) or when every comparison unit has a score of 0.995 or more (trimmed, as
in DRDID). The maximum-likelihood check on scores of 0.999 that R did applies to
the traditional estimator is not used here.

Units come treated first (``nt`` of them), then the comparison units, as in
:mod:`evaluation.did.group_time`; ``x`` has the intercept in column 0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

#: Comparison units with a propensity score at or above this are trimmed (DRDID's trim.level).
TRIM_LEVEL = 0.995
#: Largest linear index accepted while searching (exp would overflow beyond ~709).
_MAX_INDEX = 700.0


def fit_tilting(x: np.ndarray, treated: np.ndarray, w: np.ndarray, max_iter: int = 200) -> tuple[np.ndarray | None, str]:
    """Inverse probability tilting propensity score: coefficients, or None and the reason.

    Minimises the convex calibration loss ``mean(w * (-D * x'g + (1 - D) * exp(x'g)))``
    by Newton's method with backtracking. At the minimum the comparison units'
    odds-weighted covariate totals equal the treated units' totals. The minimum
    exists only when the treated covariate means lie inside the range the
    comparison units can be reweighted to; otherwise the loss decreases without
    bound and the cell has no overlap in this sense.
    """
    n1, k = x.shape
    dw = w * treated
    cw = w * (1.0 - treated)
    if dw.sum() <= 0 or cw.sum() <= 0:
        return None, "no treated or no comparison units with positive weight"
    gamma = np.zeros(k)
    gamma[0] = np.log(dw.sum() / cw.sum())
    target = dw @ x

    def loss(index):
        if np.max(index[cw > 0], initial=-np.inf) > _MAX_INDEX:
            return np.inf
        return float(-(dw @ index) + cw @ np.exp(np.minimum(index, _MAX_INDEX))) / n1

    def balanced(g):
        # The minimum exists only if the tilted comparison totals can equal the treated ones;
        # a loss that flattened out while still unbalanced is the unbounded case.
        odds_g = cw * np.exp(np.minimum(x @ g, _MAX_INDEX))
        gap = np.abs(odds_g @ x - target)
        return (g, "") if np.all(gap <= 1e-6 * (np.abs(target) + dw.sum())) else (None, _NO_TILTING)

    index = x @ gamma
    value = loss(index)
    for _ in range(max_iter):
        grad, hess = _derivatives(x, cw, target, n1, index)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None, "propensity score (inverse probability tilting) is singular: covariates collinear among the comparison units"
        decrement = float(grad @ step)
        if decrement <= 1e-24 * max(1.0, abs(value)) or np.max(np.abs(grad)) <= 1e-12 * max(1.0, np.max(np.abs(target)) / n1):
            return balanced(gamma)
        if decrement <= _LOSS_RESOLUTION * max(1.0, abs(value)):
            # The decrease a step promises is below the loss's rounding, so the line search can no longer
            # tell a better point from a worse one (it would shrink the step to nothing and stall, at a
            # gradient that depends on the machine's summation order). This close to the minimum Newton's
            # method converges quadratically: take full steps while they shrink the gradient.
            return balanced(_newton_polish(x, cw, target, n1, gamma, grad, step))
        t = 1.0
        while True:
            new_gamma = gamma - t * step
            new_index = x @ new_gamma
            new_value = loss(new_index)
            if new_value <= value - 0.25 * t * decrement:
                break
            t /= 2
            if t < 1e-12:
                # No descent possible: converged to machine precision, or unbounded below.
                if np.max(np.abs(grad)) <= 1e-8 * max(1.0, np.max(np.abs(target)) / n1):
                    return balanced(gamma)
                return None, _NO_TILTING
        gamma, index, value = new_gamma, new_index, new_value
        if not np.isfinite(value) or value < -1e12:
            return None, _NO_TILTING
    return None, _NO_TILTING


#: A step is judged by the gradient instead of the loss once the decrease it promises (the Newton decrement)
#: is below this many units of the loss's last place.
_LOSS_RESOLUTION = 64 * np.finfo(float).eps
_POLISH_STEPS = 8


def _derivatives(x, cw, target, n1, index):
    """Gradient and Hessian of the tilting loss at the linear index ``index = x @ gamma``."""
    odds = cw * np.exp(np.minimum(index, _MAX_INDEX))
    return (odds @ x - target) / n1, (x.T * odds) @ x / n1


def _newton_polish(x, cw, target, n1, gamma, grad, step):
    """Full Newton steps from ``gamma`` while each lowers the largest gradient component; the last such point."""
    size = np.max(np.abs(grad))
    for _ in range(_POLISH_STEPS):
        new_gamma = gamma - step
        new_grad, hess = _derivatives(x, cw, target, n1, x @ new_gamma)
        if not np.max(np.abs(new_grad)) < size:
            break
        gamma, size = new_gamma, np.max(np.abs(new_grad))
        try:
            step = np.linalg.solve(hess, new_grad)
        except np.linalg.LinAlgError:
            break
    return gamma


_NO_TILTING = (
    "overlap fails: the inverse probability tilting propensity score has no solution (the treated units' "
    "covariate means cannot be matched by reweighting the comparison units)"
)


def prepare(x: np.ndarray, nt: int, w: np.ndarray) -> dict | str:
    """Outcome-free pieces of the improved DR estimator for one cell sample, or the reason it fails.

    Reused by every cell with the same sample and covariates (the propensity
    score and the weighted least squares projection do not depend on the outcome).
    """
    n1 = x.shape[0]
    treated = np.zeros(n1)
    treated[:nt] = 1.0
    gamma, problem = fit_tilting(x, treated, w)
    if gamma is None:
        return problem
    ps = np.minimum(expit(x @ gamma), 1 - 1e-6)
    odds_c = ps[nt:] / (1 - ps[nt:])
    wls_w = w[nt:] * odds_c  # weighted least squares weights of the comparison units (untrimmed, as DRDID)
    xc = x[nt:]
    gram = (xc.T * wls_w) @ xc
    try:
        inv = np.linalg.inv(gram)
        rcond = float(1.0 / (np.linalg.norm(gram, 1) * np.linalg.norm(inv, 1)))
    except np.linalg.LinAlgError:
        rcond = 0.0
    if not rcond >= np.finfo(float).eps:
        return "outcome regression not identified: covariates collinear among the comparison units"
    keep_c = ps[nt:] < TRIM_LEVEL
    control_weight = np.where(keep_c, wls_w, 0.0)
    if not np.any(control_weight > 0):
        return f"overlap fails: every comparison unit has propensity score >= {TRIM_LEVEL} (trimmed)"
    return {
        "projection": inv @ (xc.T * wls_w),  # k x nc: dy_c -> WLS coefficients
        "control_weight": control_weight,
        "n_trimmed": int((~keep_c).sum()),
        "mean_wt": w[:nt].sum() / n1,
    }


def two_by_two(dy: np.ndarray, nt: int, w: np.ndarray, x: np.ndarray, pre: dict) -> tuple[float, np.ndarray]:
    """ATT and influence function (on the cell sample) of the improved DR DiD.

    ``att = [sum_treated w (dy - m(x)) - sum_comparison w odds (dy - m(x))] / sum_treated w``
    with ``m`` the odds-weighted least squares fit of ``dy`` on the comparison
    units. The influence function is the plug-in one (Sant'Anna and Zhao 2020,
    Theorem 3): ``psi_i = w_i (D_i (r_i - att) - (1 - D_i) odds_i r_i) / mean(D w)``,
    ``r = dy - m(x)``.
    """
    beta = pre["projection"] @ dy[nt:]
    resid = dy - x @ beta
    wt = w[:nt]
    cw = pre["control_weight"]
    mean_wt = pre["mean_wt"]
    n1 = dy.shape[0]
    att = (float(wt @ resid[:nt]) - float(cw @ resid[nt:])) / (mean_wt * n1)
    psi = np.empty(n1)
    psi[:nt] = wt * (resid[:nt] - att) / mean_wt
    psi[nt:] = -cw * resid[nt:] / mean_wt
    return att, psi


__all__ = ["fit_tilting", "prepare", "two_by_two", "TRIM_LEVEL"]
