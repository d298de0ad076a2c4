"""The naive numbers a reader might compute, shown beside the correct estimate.

They are here to be compared, not trusted: a before/after difference ignores
what would have happened anyway, and a two-way fixed-effects regression is
biased under staggered adoption when effects grow with time since adoption
(Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

COLUMNS = ["estimator", "estimate", "std_error", "conf_low", "conf_high", "reading"]


def before_after(panel: pd.DataFrame, *, outcome: str = "value", unit: str = "entity_id",
                 time: str = "year", cohort: str = "cohort", alpha: float = 0.05) -> dict:
    """Mean change of adopters' scores from before to after adoption, with no comparison group.

    Each adopter contributes the difference between its mean score after and
    before adoption; entities without both are left out. The standard error is
    that of the mean of those differences.
    """
    adopters = panel[panel[cohort].fillna(0) > 0]
    after = adopters[adopters[time] >= adopters[cohort]].groupby(unit)[outcome].mean()
    before = adopters[adopters[time] < adopters[cohort]].groupby(unit)[outcome].mean()
    diff = (after - before).dropna()
    n = len(diff)
    estimate = float(diff.mean()) if n else np.nan
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    z = stats.norm.ppf(1 - alpha / 2)
    return {"estimator": "Naive before/after (adopters only)", "estimate": estimate, "std_error": se,
            "conf_low": estimate - z * se, "conf_high": estimate + z * se,
            "reading": f"{n} adopters with scores before and after; ignores the common trend"}


def twfe(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str,
         cluster: str | None = None, alpha: float = 0.05) -> dict:
    """Static two-way fixed-effects coefficient of ``treated`` with a cluster-robust SE.

    Fits ``outcome ~ treated + unit effects + time effects`` by alternating
    demeaning (exact for balanced and unbalanced panels at convergence), then
    OLS on the demeaned data. Standard errors are clustered by ``cluster``
    (default: ``unit``) with the usual small-sample factor G/(G-1)·(N-1)/(N-K),
    K counting the absorbed effects as Stata's ``reghdfe`` does for nested clusters.
    """
    cluster = cluster or unit
    cols = [outcome, unit, time, treated] + ([cluster] if cluster not in (unit, time) else [])
    df = data[cols].dropna().reset_index(drop=True)
    y = df[outcome].to_numpy(float)
    d = df[treated].to_numpy(float)
    unit_codes = pd.factorize(df[unit])[0]
    time_codes = pd.factorize(df[time])[0]
    y_dm, d_dm = _demean_two_way(y, unit_codes, time_codes), _demean_two_way(d, unit_codes, time_codes)
    denom = float(d_dm @ d_dm)
    if denom <= 1e-12:
        raise ValueError(f"'{treated}' does not vary within units and years; the TWFE coefficient is not identified.")
    beta = float(d_dm @ y_dm) / denom
    resid = y_dm - beta * d_dm
    groups = pd.factorize(df[cluster])[0]
    scores = np.bincount(groups, weights=d_dm * resid)
    n_groups, n_obs = groups.max() + 1, len(y)
    # Unit effects are nested in clusters of unit (or coarser), so they do not count in K.
    k = 1 + (time_codes.max() + 1 - 1)  # the coefficient plus T-1 year effects
    factor = n_groups / (n_groups - 1) * (n_obs - 1) / (n_obs - k)
    se = float(np.sqrt(factor * (scores @ scores)) / denom)
    z = stats.norm.ppf(1 - alpha / 2)
    return {"estimator": "Two-way fixed effects (static)", "estimate": beta, "std_error": se,
            "conf_low": beta - z * se, "conf_high": beta + z * se,
            "reading": f"{n_obs} entity-years, {n_groups} clusters; biased when effects vary over time"}


def _demean_two_way(values: np.ndarray, first: np.ndarray, second: np.ndarray,
                    tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    """Remove unit and time means by alternating projections (Gauss-Seidel)."""
    out = values - values.mean()
    n1, n2 = np.bincount(first), np.bincount(second)
    for _ in range(max_iter):
        out = out - (np.bincount(first, weights=out) / n1)[first]
        shift = (np.bincount(second, weights=out) / n2)[second]
        out = out - shift
        if np.max(np.abs(shift)) < tol:
            break
    return out


def table(rows: list[dict]) -> pd.DataFrame:
    """Stack estimator rows into one comparison table."""
    return pd.DataFrame(rows, columns=COLUMNS)
