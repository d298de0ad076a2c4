"""The propensity-score logit: IRLS with step halving, converged on the deviance.

R ``did`` 2.5.1 fits every propensity score with ``fastglm`` (through ``DRDID``
for the estimate, ``fastglmPure`` for the overlap guard): iteratively reweighted
least squares from ``glm``'s starting values, halving a step that makes the
deviance worse (Marschner 2011, the ``glm2`` safeguard), and stopping when the
relative change in deviance is small. Stopping on the deviance, not on the
coefficients, is what makes a quasi-separated sample end with finite numbers:
when a covariate value occurs only among comparison units, the likelihood keeps
rising as that coefficient goes to minus infinity, so the coefficients never
settle, but the deviance does -- the separated units' fitted scores are then
numerically 0 and they get (numerically) zero weight in the comparison, which
is the limit of the estimator. :class:`LogitFit` flags that case so the caller
can warn.

References
----------
Marschner, I. C. (2011). glm2: Fitting generalized linear models with
convergence problems. The R Journal 3(2), 12-15.
McCullagh, P. and Nelder, J. A. (1989). Generalized Linear Models, 2nd ed.,
section 2.5 (IRLS).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import lapack as _lapack
from scipy.special import expit

#: Relative change in deviance, |D_k - D_{k-1}| / (|D_k| + 0.1), below which the fit has
#: converged (glm's criterion; glm's default is 1e-8, a little looser).
DEVIANCE_TOL = 1e-10
#: Fitted probabilities closer than this to 0 or 1 count as numerically 0 or 1.
SEPARATION_LEVEL = 1e-8
#: A last Newton step larger than this (on centred and scaled covariates) when the
#: deviance has converged means a coefficient is running off to infinity.
DRIFT = 1e-2
_MAX_HALVINGS = 40


def _deviance(eta: np.ndarray, d: np.ndarray, w: np.ndarray) -> float:
    # -2 log-likelihood of a 0/1 response, written with logaddexp so it stays finite
    # for any eta (log(1 + e^eta) - d * eta).
    return float(2.0 * np.sum(w * (np.logaddexp(0.0, eta) - d * eta)))


#: Below this linear predictor a fitted score is subnormal or 0, and log(score) loses its precision.
_LOG_SAFE = -700.0


def _scores_deviance(eta: np.ndarray, d: np.ndarray, not_d: np.ndarray, w: np.ndarray | None
                     ) -> tuple[np.ndarray, float]:
    """Fitted scores ``expit(eta)`` and the deviance at ``eta``, sharing one transcendental pass.

    ``log(1 + e^eta) - d * eta = (1 - d) * eta - log(expit(eta))``, so the deviance
    needs only a logarithm of the scores the next Newton step needs anyway (``log``
    is vectorised, ``logaddexp`` is not, and costs several times more). The scores
    are relative-accurate for every ``eta``, so the two forms agree to rounding;
    when a score is subnormal or 0 (``eta`` below -700, quasi-separation) the
    logarithm would not be, and :func:`_deviance` is used. ``w`` None: unit weights.
    """
    p = expit(eta)
    if eta.shape[0] and float(eta.min()) < _LOG_SAFE:
        return p, _deviance(eta, d, np.ones_like(eta) if w is None else w)
    term = not_d * eta
    term -= np.log(p)
    if w is not None:
        term *= w
    return p, 2.0 * float(term.sum())


def _newton_solve(hess: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``hess^{-1} rhs`` by LAPACK's ``dgesv`` (LU with partial pivoting, what
    ``numpy.linalg.solve`` runs), called directly: on a 3x3 system numpy's checks and
    error-state handling cost four times the solve. A singular matrix (``info > 0``,
    where numpy raises) falls back to least squares, as before."""
    _, _, sol, info = _lapack.dgesv(hess, rhs)
    if info == 0:
        return sol
    return np.linalg.lstsq(hess, rhs, rcond=None)[0]


@dataclass(frozen=True)
class LogitFit:
    """A fitted logit: coefficients, whether the deviance converged, and whether
    the coefficients were still drifting when it did (quasi-separation).
    ``scores`` are the fitted probabilities ``expit(x @ coefficients)``, computed
    on the way (the deviance of the last iterate needs them)."""

    coefficients: np.ndarray
    converged: bool
    separated: bool
    iterations: int
    scores: np.ndarray | None = None


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

    The cells' samples are small (hundreds of units, a few covariates), so the
    time goes in per-call overhead and in the transcendental functions: each
    iterate's scores are computed once and serve both its deviance and the next
    step (:func:`_scores_deviance`), unit weights skip their multiplications
    (exact: a product by 1.0 changes nothing), and a column-major ``x`` makes
    ``x.T @ ...`` a product of contiguous rows.
    """
    mu0 = (w * d + 0.5) / (w + 1.0)
    eta = np.log(mu0 / (1.0 - mu0))  # starting linear predictor; not in x's column space
    wn = None if bool(np.all(w == 1.0)) else w
    not_d = 1.0 - d
    xt = x.T
    beta = None
    dev = np.inf
    p = expit(eta)
    for it in range(1, max_iter + 1):
        v = p if wn is None else wn * p
        v = v * (1.0 - p)
        hess = xt @ (x * v[:, None])
        # beta_new = (X'VX)^{-1} X'V z with z = eta + (d - p) / (p (1 - p)): one Newton step.
        resid = d - p
        if wn is not None:
            resid *= wn
        rhs = v * eta
        rhs += resid
        target = _newton_solve(hess, xt @ rhs)
        eta_new = x @ target
        p_new, dev_new = _scores_deviance(eta_new, d, not_d, wn)
        if beta is not None:
            halvings = 0
            while (not math.isfinite(dev_new) or dev_new > dev * (1 + 1e-12)) and halvings < _MAX_HALVINGS:
                target = (target + beta) / 2.0
                eta_new = x @ target
                p_new, dev_new = _scores_deviance(eta_new, d, not_d, wn)
                halvings += 1
        # the step and the coefficients' size on a few numbers: Python floats, not array calls
        coef = target.tolist()
        step = np.inf if beta is None else max(abs(a - b) for a, b in zip(coef, beta.tolist()))
        dev_prev = dev
        beta, eta, dev, p = target, eta_new, dev_new, p_new
        if it == 1:
            continue
        if step <= 1e-12 * (1.0 + max(abs(c) for c in coef)):
            return LogitFit(beta, True, False, it, p)
        if abs(dev - dev_prev) / (abs(dev) + 0.1) < tol:
            return LogitFit(beta, True, step > DRIFT, it, p)
    if beta is None:  # the loop never ran
        raise ValueError(f"max_iter must be at least 1, not {max_iter}")
    return LogitFit(beta, False, False, max_iter, p)


def fit_logit(
    x: np.ndarray, d: np.ndarray, w: np.ndarray, max_iter: int = 100, tol: float = DEVIANCE_TOL
) -> tuple[np.ndarray, bool]:
    """:func:`fit_logit_irls`, returning only (coefficients, converged)."""
    fit = fit_logit_irls(x, d, w, max_iter=max_iter, tol=tol)
    return fit.coefficients, fit.converged


def extreme_scores(ps: np.ndarray, w: np.ndarray) -> int:
    """Number of units (with positive weight) whose fitted score is numerically 0 or 1."""
    extreme = (ps < SEPARATION_LEVEL) | (ps > 1.0 - SEPARATION_LEVEL)
    return int(np.count_nonzero(extreme & (w > 0)))


__all__ = ["DEVIANCE_TOL", "DRIFT", "SEPARATION_LEVEL", "LogitFit", "extreme_scores", "fit_logit", "fit_logit_irls"]
