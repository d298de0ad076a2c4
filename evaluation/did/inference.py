"""Standard errors and confidence limits from influence functions.

Every estimate in this package -- a group-time cell, an event-time average, an
overall summary -- is a linear combination of

- the cell influence functions (units x cells), and
- the influence functions of the cohort shares used as aggregation weights,
  ``w_i * 1{G_i = g} - P(G = g)`` (units x cohorts),

so its analytic variance is ``sum_c (sum_{i in c} IF_i)^2 / n^2`` (clusters
``c``; each unit its own cluster when unclustered), and its bootstrap draws are
the stored draws of those columns times the combination's coefficients. No
aggregation or change of inference re-estimates anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import bootstrap as _boot
from .distributions import normal_quantile
from .results import cluster_sums, covariance  # noqa: F401  (defined with the results, which hold the IFs)


def analytic_se(if_rows: np.ndarray, codes: np.ndarray | None, n_clusters: int, n_units: int) -> np.ndarray:
    sums = cluster_sums(if_rows, codes, n_clusters)
    return np.sqrt(np.einsum("ij,ij->j", sums, sums)) / n_units


def share_influence(unit_cohort: np.ndarray, weights: np.ndarray, cohorts: np.ndarray) -> np.ndarray:
    """Influence functions of the cohort shares ``P(G = g)`` (units x cohorts)."""
    member = weights[:, None] * (unit_cohort[:, None] == cohorts[None, :])
    return member - member.mean(axis=0)


#: Standard errors at or below this are numerically zero and reported as NaN (R did's
#: ``sqrt(.Machine$double.eps) * 10``, about 1.49e-7; e.g. a single cluster).
SE_FLOOR = float(np.sqrt(np.finfo(float).eps) * 10)


@lru_cache(maxsize=64)
def _normal_critical(alpha: float) -> float:
    """Two-sided normal critical value (cached: scipy's ppf has a large fixed cost)."""
    return float(normal_quantile(1 - alpha / 2))


@dataclass(frozen=True, eq=False)
class Uncertainty:
    std_error: np.ndarray
    conf_low: np.ndarray
    conf_high: np.ndarray
    critical_value: float
    band: str
    #: Estimates with sampling variation whose standard error vanished numerically (set to NaN).
    vanished: np.ndarray | None = None


#: How :func:`vanished_message` begins (so a result can replace an earlier one).
VANISHED_PREFIX = "Standard errors of "


def vanished_message(count: int, n_clusters: int, what: str = "estimate(s)", bootstrap: bool = False) -> str:
    """The warning for standard errors set to NaN because they are numerically zero."""
    if n_clusters == 1:
        why = "there is a single cluster, so the clustered variance cannot be estimated"
    elif n_clusters == 2 and bootstrap:
        why = ("with two clusters the cluster sums of the influence function are equal and opposite, so the "
               "multiplier bootstrap's draws take three values and their interquartile range is often 0: use the "
               "analytic standard errors (bootstrap=None), cluster_bootstrap='wild', or more clusters")
    else:
        why = "the influence functions cancel within clusters or are numerically zero"
    return (
        f"{VANISHED_PREFIX}{count} {what} are numerically zero (<= {SE_FLOOR:.3g}) and are reported as "
        f"NaN, as R did does: {why}."
    )


def summarize(
    estimate: np.ndarray,
    usable: np.ndarray,
    if_rows: np.ndarray,
    draws: np.ndarray | None,
    *,
    codes: np.ndarray | None,
    n_clusters: int,
    n_units: int,
    alpha: float,
    uniform: bool,
) -> Uncertainty:
    """Standard errors and limits for estimates whose influence functions are ``if_rows``.

    Without draws: analytic standard errors and pointwise normal limits. With
    draws: bootstrap standard errors; limits form a uniform (sup-t) band over
    the usable estimates when ``uniform`` is true, pointwise otherwise.
    ``usable`` marks estimates that are identified and not a normalisation;
    the rest get NaN standard errors.
    """
    m = estimate.shape[0]
    se = np.full(m, np.nan)
    if usable.any():
        se_a = analytic_se(if_rows if usable.all() else if_rows[:, usable], codes, n_clusters, n_units)
        se[usable] = se_a
    # An estimate with a zero influence function (a normalised reference cell,
    # or a combination of them) has no sampling variation to report; one whose
    # standard error is numerically zero (a single cluster) has none that can be
    # estimated. Both become NaN; only the second is a problem worth a warning.
    tiny = se <= SE_FLOOR
    se[tiny] = np.nan
    band = "pointwise"
    if draws is None:
        crit = _normal_critical(float(alpha))
    else:
        se_b = np.full(m, np.nan)
        ok = np.isfinite(se)
        if ok.any():
            se_b[ok] = _boot.bootstrap_se(draws[:, ok])
        small = ~(se_b > SE_FLOOR) & ok
        tiny |= small
        se_b[small] = np.nan
        se = se_b
        if uniform:
            crit = _boot.uniform_critical_value(draws, se, alpha)
            band = "uniform"
        else:
            crit = _normal_critical(float(alpha))
    vanished = None
    if tiny.any():
        cols = np.flatnonzero(tiny)
        nonzero = np.any(if_rows[:, cols] != 0, axis=0)  # a reference cell's influence function is exactly 0
        vanished = np.zeros(m, dtype=bool)
        vanished[cols[nonzero]] = True
    return Uncertainty(se, estimate - crit * se, estimate + crit * se, crit, band, vanished)
