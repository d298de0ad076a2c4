"""Linear algebra shared by the regression-based estimators: absorbing unit and
period effects exactly, and cluster-robust covariance.

Absorbing two sets of fixed effects is done by the Frisch-Waugh-Lovell theorem
in two exact steps rather than by alternating projections: demean within
units, then project out the within-unit-demeaned period dummies (a small dense
least-squares problem, one column per period). This is exact for balanced and
unbalanced panels alike, with no convergence tolerance to tune.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from .checks import PanelInputError, check_long_panel, message
from .distributions import normal_quantile


def codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (0..k-1, sorted by value) and the sorted unique values."""
    codes_, uniques = pd.factorize(pd.Series(values), sort=True)
    return codes_.astype(np.int64), np.asarray(uniques)


def group_means(matrix: np.ndarray, group: np.ndarray, n_groups: int | None = None) -> np.ndarray:
    """Per-group column means of ``matrix`` (groups x columns)."""
    n_groups = int(group.max()) + 1 if n_groups is None else n_groups
    ind = sparse.csr_matrix((np.ones(group.size), (group, np.arange(group.size))), shape=(n_groups, group.size))
    counts = np.asarray(ind.sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(ind @ matrix) / counts[:, None]


def absorb(matrix: np.ndarray, unit: np.ndarray, time: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
    """Residuals of the columns of ``matrix`` on unit effects, period effects and ``extra`` columns.

    ``unit`` and ``time`` are integer codes. ``extra`` holds further absorbed
    regressors (e.g. covariate-by-period terms). The projection is unique even
    when the absorbed design is rank deficient (least squares with minimum norm).
    """
    matrix = np.asarray(matrix, dtype=float)
    squeeze = matrix.ndim == 1
    if squeeze:
        matrix = matrix[:, None]
    n_units = int(unit.max()) + 1
    within = matrix - group_means(matrix, unit, n_units)[unit]
    n_periods = int(time.max()) + 1
    dummies = np.zeros((unit.size, n_periods))
    dummies[np.arange(unit.size), time] = 1.0
    if extra is not None and np.size(extra):
        dummies = np.hstack([dummies, np.asarray(extra, dtype=float).reshape(unit.size, -1)])
    dummies_w = dummies - group_means(dummies, unit, n_units)[unit]
    coef, *_ = np.linalg.lstsq(dummies_w, within, rcond=None)
    out = within - dummies_w @ coef
    return out[:, 0] if squeeze else out


def nested(inner: np.ndarray, outer: np.ndarray) -> bool:
    """True when every ``inner`` group lies inside one ``outer`` group."""
    frame = pd.DataFrame({"inner": inner, "outer": outer})
    return bool((frame.groupby("inner")["outer"].nunique() <= 1).all())


def cluster_vcov(x: np.ndarray, resid: np.ndarray, cluster: np.ndarray,
                 n_absorbed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cluster-robust covariance of OLS coefficients on already-absorbed regressors ``x``.

    Small-sample factor ``G/(G-1) * (N-1)/(N-K)`` with ``K`` the coefficients
    plus ``n_absorbed`` absorbed parameters that are not nested in the clusters,
    as Stata's ``reghdfe`` and R's ``fixest`` (``fixef.K = "nested"``) count them.
    Returns the covariance and the cluster scores (clusters x coefficients),
    the latter scaled so that ``scores.T @ scores`` is the covariance.
    """
    x = np.asarray(x, dtype=float).reshape(resid.size, -1)
    bread = np.linalg.inv(x.T @ x)
    n_groups = int(cluster.max()) + 1
    ind = sparse.csr_matrix((np.ones(cluster.size), (cluster, np.arange(cluster.size))), shape=(n_groups, cluster.size))
    scores = np.asarray(ind @ (x * resid[:, None])) @ bread
    n_obs, k = x.shape[0], x.shape[1] + n_absorbed
    factor = n_groups / (n_groups - 1) * (n_obs - 1) / (n_obs - k) if n_groups > 1 and n_obs > k else np.nan
    scores = scores * np.sqrt(factor)
    return scores.T @ scores, scores


def interval(estimate, std_error, alpha: float):
    """Normal-approximation limits."""
    z = normal_quantile(1 - alpha / 2)
    estimate, std_error = np.asarray(estimate, dtype=float), np.asarray(std_error, dtype=float)
    return estimate - z * std_error, estimate + z * std_error


def prepare(data: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str | None = None,
            columns: tuple[str, ...] = (), covariates: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check a long panel and return a clean copy with codes (the caller's frame is not modified).

    Columns of the result: ``y``, ``unit_code``, ``time_code``, ``time``, the
    ``columns`` asked for, and with ``cohort`` a float ``cohort`` in which
    never-treated units (0, missing or inf) are ``inf``. Rows with a missing
    outcome are dropped. Every problem found is reported at once.
    """
    # The check every long-panel estimator shares with att_gt: same problems, same messages.
    # ``covariates`` (a subset of ``columns``) only name those columns as covariates in messages.
    problems = check_long_panel(data, outcome=outcome, unit=unit, time=time, cohort=cohort,
                                covariates=tuple(c for c in covariates if c in columns), columns=columns)
    wanted = [outcome, unit, time] + ([cohort] if cohort else []) + list(columns)
    frame = data[list(dict.fromkeys(wanted))].copy()
    frame[outcome] = pd.to_numeric(frame[outcome], errors="coerce")
    frame = frame[frame[outcome].notna()]
    if frame.empty:
        raise ValueError(f"'{outcome}' has no numeric values")
    times = pd.to_numeric(frame[time], errors="coerce")
    out = pd.DataFrame({"y": frame[outcome].to_numpy(float), "unit": frame[unit].to_numpy(),
                        "time": times.to_numpy(float)})
    for c in columns:
        out[c] = frame[c].to_numpy()
    if cohort:
        raw = pd.to_numeric(frame[cohort], errors="coerce").to_numpy(dtype=float)
        raw = np.where(np.isnan(raw) | (raw == 0), np.inf, raw)
        out["cohort"] = raw
        # periods are numeric and present here (check_long_panel refused anything else)
        grid = np.unique(out["time"])
        finite = np.isfinite(raw)
        late = finite & (raw > grid[-1])
        if late.any():
            examples = out.loc[late, "unit"].unique()[:5]
            problems.append(f"{len(out.loc[late, 'unit'].unique())} unit(s) adopt after the last period of data "
                            f"({grid[-1]:g}), e.g. {unit}={', '.join(map(str, examples))}; if they should serve as "
                            "never-treated comparisons, code their cohort as 0 or missing")
        off = finite & ~late & (raw >= grid[0]) & ~np.isin(raw, grid)
        if off.any():
            problems.append(f"cohorts {sorted(set(raw[off]))[:5]} are not periods of '{time}'")
    if problems:
        raise PanelInputError(message(problems))
    out["unit_code"], _ = codes(out["unit"])
    out["time_code"], _ = codes(out["time"])
    return out.reset_index(drop=True)
