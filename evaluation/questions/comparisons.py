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
    """Static two-way fixed-effects coefficient of ``treated`` with a cluster-robust SE, as a table row.

    The estimation is :func:`evaluation.did.twfe` (unit and year effects
    absorbed exactly; standard errors clustered by ``cluster``, default
    ``unit``, with the small-sample factor of ``reghdfe``/``fixest``).
    """
    from evaluation.did import twfe as _twfe

    res = _twfe(data, outcome, unit, time, treated, cluster=cluster, alpha=alpha)
    return {"estimator": "Two-way fixed effects (static)", "estimate": res.estimate, "std_error": res.std_error,
            "conf_low": res.conf_low, "conf_high": res.conf_high,
            "reading": f"{res.n_obs} entity-years, {res.n_clusters} clusters; biased when effects vary over time"}


def table(rows: list[dict]) -> pd.DataFrame:
    """Stack estimator rows into one comparison table."""
    return pd.DataFrame(rows, columns=COLUMNS)
