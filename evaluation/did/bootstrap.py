"""Multiplier bootstrap on influence functions (Callaway and Sant'Anna 2021, section 4.1).

A draw perturbs each unit's (or, with clustering, each cluster's summed)
influence function by an independent multiplier ``v`` with mean 0 and variance
1 (Rademacher by default, as R did; or Mammen's two-point law), so the bootstrap deviation of every estimate is one row of
``V @ S / n`` -- ``V`` (draws x clusters) of multipliers, ``S`` (clusters x
estimates) of influence functions. That is one matrix product; it is done over
blocks of clusters so memory stays at a few tens of megabytes whatever ``n``.

Standard errors are the interquartile range of the draws over that of the
standard normal, and the uniform band's critical value is the ``1 - alpha``
quantile of the largest studentised deviation across estimates, both as in R
``did``'s ``mboot``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .distributions import normal_quantile

_SQRT5 = np.sqrt(5.0)
#: Mammen's two-point multipliers and the probability of the low value.
MAMMEN_LOW = (1 - _SQRT5) / 2
MAMMEN_HIGH = (1 + _SQRT5) / 2
MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
#: Target size (elements) of one block of multipliers.
_BLOCK_ELEMENTS = 1 << 22
_IQR_NORMAL = normal_quantile(0.75) - normal_quantile(0.25)

MULTIPLIERS = ("rademacher", "mammen")


def multiplier_draws(
    cluster_scores: np.ndarray, n_units: int, draws: int, seed: int | None, kind: str = "rademacher"
) -> np.ndarray:
    """Bootstrap deviations of the estimates, shape ``(draws, m)``.

    Parameters
    ----------
    cluster_scores : ndarray (C, m)
        Influence functions summed within clusters (per unit when unclustered).
    n_units : int
        Number of units ``n``; deviations are ``sum_c v_c S_c / n``.
    draws : int
        Number of bootstrap draws.
    seed : int or None
        Seed of the multipliers. The same seed gives the same multipliers, so
        results made from one estimate agree draw by draw.
    kind : {"rademacher", "mammen"}
        Multiplier distribution. R did's ``mboot`` (through ``BMisc``) draws
        Rademacher multipliers; Mammen's two-point weights are what ``DRDID``
        uses for a single 2x2 estimate.

    Notes
    -----
    Clusters are processed in blocks of about four million multipliers. Each
    block draws from its own stream, spawned from ``seed`` by
    ``numpy.random.SeedSequence``, so blocks can run on two threads and the
    result still depends only on the seed. Block sums are added in block order.
    """
    if kind not in MULTIPLIERS:
        raise ValueError(f"bootstrap multipliers must be one of {MULTIPLIERS}, not {kind!r}")
    n_clusters, m = cluster_scores.shape
    block = max(1, _BLOCK_ELEMENTS // max(draws, 1))
    starts = list(range(0, n_clusters, block))
    streams = np.random.SeedSequence(seed).spawn(len(starts))
    tasks = [(lo, min(n_clusters, lo + block), stream) for lo, stream in zip(starts, streams)]

    def run(task):
        lo, hi, stream = task
        return _block_draws(cluster_scores[lo:hi], draws, stream, kind)

    out = np.zeros((draws, m))
    workers = min(2, os.cpu_count() or 1, len(tasks))
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            results = pool.map(run, tasks)
            for cols, block_draws in results:
                _accumulate(out, cols, block_draws)
    else:
        for task in tasks:
            _accumulate(out, *run(task))
    out /= n_units
    return out


def _accumulate(out: np.ndarray, cols: np.ndarray | None, block_draws: np.ndarray | None) -> None:
    if block_draws is None:
        return
    if cols is None:
        out += block_draws
    else:
        out[:, cols] += block_draws


def _block_draws(scores: np.ndarray, draws: int, stream: np.random.SeedSequence, kind: str):
    """``V @ scores`` for one block of clusters, V drawn from ``stream``."""
    m = scores.shape[1]
    # Units come sorted by cohort, so a block touches only the cells its cohort
    # enters (its own cells, and the comparison cells): skip the zero columns.
    nonzero = np.flatnonzero(np.any(scores != 0, axis=0))
    if nonzero.size == 0:
        return None, None
    cols: np.ndarray | None = None  # None: every column
    if nonzero.size < m:
        cols = nonzero
        scores = scores[:, cols]
    size = scores.shape[0]
    count = draws * size
    bitgen = np.random.PCG64(stream)
    if kind == "rademacher":
        # One random bit per multiplier: P(low) = 1/2 exactly.
        n_bytes = (count + 7) // 8
        raw = bitgen.random_raw((n_bytes + 7) // 8).view(np.uint8)[:n_bytes]
        is_low = np.unpackbits(raw, count=count).reshape(draws, size).astype(np.float64)
        low, high = -1.0, 1.0
    else:
        # Mammen: low when a uniform 32-bit integer falls under p_low * 2**32 (exact to 2**-32).
        threshold = np.uint32(int(MAMMEN_P_LOW * 2**32))
        bits = bitgen.random_raw((count + 1) // 2).view(np.uint32)[:count].reshape(draws, size)
        is_low = (bits < threshold).astype(np.float64)
        low, high = MAMMEN_LOW, MAMMEN_HIGH
    # v = high + (low - high) * is_low, so v @ S = high * colsum(S) + (low - high) * (is_low @ S), in double
    # precision. In single precision the product is about twice as fast, but it rounds at ~1e-7 and different
    # processors' matrix kernels round differently: a rerun on another machine would then print other last
    # digits (a cost per point of COP 9,514,848 on one, 9,514,849 on another).
    return cols, high * scores.sum(axis=0) + (low - high) * (is_low @ scores)


def _quantile(x: np.ndarray, q, axis=0) -> np.ndarray:
    # R's quantile(type = 1), the inverse of the empirical distribution function.
    return np.quantile(x, q, axis=axis, method="inverted_cdf")


def bootstrap_se(draws: np.ndarray) -> np.ndarray:
    """Standard error of each column from the interquartile range of its draws."""
    q25, q75 = _quantile(draws, [0.25, 0.75], axis=0)
    return (q75 - q25) / _IQR_NORMAL


def uniform_critical_value(draws: np.ndarray, se: np.ndarray, alpha: float) -> float:
    """Critical value of the sup-t band over the columns with a positive, finite ``se``."""
    usable = np.isfinite(se) & (se > 0)
    if not usable.any():
        return float("nan")
    t_max = np.max(np.abs(draws[:, usable] / se[usable]), axis=1)
    t_max = t_max[np.isfinite(t_max)]
    return float(_quantile(t_max, 1 - alpha))
