"""The normal and chi-square values the estimators need, from ``scipy.special``.

Importing ``scipy.stats`` costs about a quarter of a second (it builds every
distribution's documentation as it loads), more than the rest of an estimate
on the demo data. Most notebooks need nothing from it but normal critical
values, normal tail probabilities and a chi-square p-value, and ``scipy.stats``
computes each of these with the ``scipy.special`` function called here. The
values are the same bit for bit (``tests/did/test_distributions.py`` compares
them, edge cases included), so a notebook imports ``scipy.stats`` only when it
uses something else from it (HonestDiD's truncated normal, the pre-trend
test's multivariate normal, the surveys' rank test).
"""

from __future__ import annotations

import numpy as np
from scipy import special


def normal_quantile(p):
    """Standard normal quantile: ``scipy.stats.norm.ppf(p)``."""
    return special.ndtri(p)


def normal_cdf(x):
    """Standard normal distribution function: ``scipy.stats.norm.cdf(x)``."""
    return special.ndtr(x)


def normal_sf(x):
    """Standard normal upper tail ``1 - cdf(x)``, computed as ``cdf(-x)``: ``scipy.stats.norm.sf(x)``."""
    return special.ndtr(-np.asarray(x, dtype=float))


def chi2_sf(x, df):
    """Chi-square upper tail probability with ``df`` degrees of freedom: ``scipy.stats.chi2.sf(x, df)``.

    As in ``scipy.stats``, a statistic below zero has tail probability 1 and ``df <= 0`` gives NaN
    (``chdtrc`` alone answers NaN and 0 there).
    """
    x, df = np.asarray(x, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(df > 0, special.chdtrc(df, np.maximum(x, 0.0)), np.nan)
    return out[()]


def t_quantile(p, df):
    """Student's t quantile with ``df`` degrees of freedom: ``scipy.stats.t.ppf(p, df)`` (NaN for ``df <= 0``)."""
    p, df = np.asarray(p, dtype=float), np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1.0), p), np.nan)
    return out[()]


def f_sf(x, df_num, df_den):
    """F distribution upper tail: ``scipy.stats.f.sf(x, df_num, df_den)`` (1 below zero, NaN for a df <= 0)."""
    x = np.asarray(x, dtype=float)
    df_num, df_den = np.asarray(df_num, dtype=float), np.asarray(df_den, dtype=float)
    ok = (df_num > 0) & (df_den > 0)
    with np.errstate(invalid="ignore"):
        out = np.where(ok, special.fdtrc(np.where(ok, df_num, 1.0), np.where(ok, df_den, 1.0), np.maximum(x, 0.0)),
                       np.nan)
    return out[()]
