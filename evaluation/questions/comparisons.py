"""The naive numbers a reader might compute, shown beside the correct estimate.

They are here to be compared, not trusted: a before/after difference ignores
what would have happened anyway, and a two-way fixed-effects regression is
biased under staggered adoption when effects grow with time since adoption
(Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020).

Numbers only. A row names its estimator by an id (``ESTIMATORS``) and carries
the counts a sentence needs (``n_units``, ``n_obs``, ``n_clusters``,
``n_cells``); the words are in ``evaluation.text.impact``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from evaluation.did.distributions import normal_quantile

#: Estimator ids of the comparison rows (the words are in ``evaluation.text.impact.estimator_name``).
BEFORE_AFTER = "before_after"
TWFE = "twfe"
CALLAWAY_SANTANNA = "callaway_santanna"
ESTIMATORS = (BEFORE_AFTER, TWFE, CALLAWAY_SANTANNA)

#: Columns of a comparison table (``estimator`` is an id of ``ESTIMATORS``; ``covariates`` True when the
#: estimator conditions on covariates; ``control_group`` for Callaway-Sant'Anna rows; ``note`` the
#: estimator's own message when the row could not be estimated).
ROW_COLUMNS = ["estimator", "estimate", "std_error", "conf_low", "conf_high", "covariates", "control_group",
               "n_units", "n_obs", "n_clusters", "n_cells", "identified", "note"]

#: The columns of the rows ``before_after`` and ``twfe`` return (kept for the robustness report).
COLUMNS = ["estimator", "estimate", "std_error", "conf_low", "conf_high", "reading"]


def _row(estimator: str, estimate=np.nan, std_error=np.nan, conf_low=np.nan, conf_high=np.nan, **data) -> dict:
    row: dict[str, Any] = {c: None for c in ROW_COLUMNS}
    row.update(estimator=estimator, estimate=float(estimate), std_error=float(std_error),
               conf_low=float(conf_low), conf_high=float(conf_high), covariates=False, control_group="",
               note="")
    row.update(data)
    row["identified"] = bool(np.isfinite(row["estimate"])) if row.get("identified") is None else row["identified"]
    return row


def before_after_row(panel: pd.DataFrame, *, outcome: str = "value", unit: str = "entity_id",
                     time: str = "year", cohort: str = "cohort", alpha: float = 0.05) -> dict:
    """Mean change of adopters' scores from before to after adoption, with no comparison group.

    Each adopter contributes the difference between its mean score after and
    before adoption; entities without both are left out (``n_units`` counts
    those kept). The standard error is that of the mean of those differences.
    """
    adopters = panel[panel[cohort].fillna(0) > 0]
    after = adopters[adopters[time] >= adopters[cohort]].groupby(unit)[outcome].mean()
    before = adopters[adopters[time] < adopters[cohort]].groupby(unit)[outcome].mean()
    diff = (after - before).dropna()
    n = len(diff)
    estimate = float(diff.mean()) if n else np.nan
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    z = normal_quantile(1 - alpha / 2)
    return _row(BEFORE_AFTER, estimate, se, estimate - z * se, estimate + z * se, n_units=n)


def twfe_row(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str,
             cluster: str | None = None, alpha: float = 0.05) -> dict:
    """Static two-way fixed-effects coefficient of ``treated`` with a cluster-robust SE, as a table row.

    The estimation is :func:`evaluation.did.twfe` (unit and year effects
    absorbed exactly; standard errors clustered by ``cluster``, default
    ``unit``, with the small-sample factor of ``reghdfe``/``fixest``).
    """
    from evaluation.did import twfe as _twfe

    res = _twfe(data, outcome, unit, time, treated, cluster=cluster, alpha=alpha)
    return _row(TWFE, res.estimate, res.std_error, res.conf_low, res.conf_high, n_obs=int(res.n_obs),
                n_clusters=int(res.n_clusters))


def failed_row(estimator: str, exc: Exception, **data) -> dict:
    """A row that could not be estimated: NaN numbers, ``identified`` False and the estimator's message."""
    return _row(estimator, identified=False, note=str(exc), **data)


def rows_table(rows: list[dict]) -> pd.DataFrame:
    """Stack id rows (``before_after_row``, ``twfe_row``, ...) into one comparison table."""
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    counts = ["n_units", "n_obs", "n_clusters", "n_cells"]
    frame[counts] = frame[counts].astype("Int64")  # counts stay whole numbers in the CSV, blank where not used
    return frame


# ------------------------------------------------------------------ the rows as the robustness report reads them
# ``questions/robustness.py`` (converted separately) still builds its table from these English rows; they are
# the id rows above with the label and reading its tests expect, and go once robustness reads the id rows.


def before_after(panel: pd.DataFrame, *, outcome: str = "value", unit: str = "entity_id",
                 time: str = "year", cohort: str = "cohort", alpha: float = 0.05) -> dict:
    """:func:`before_after_row` with an English label and reading (``COLUMNS``)."""
    row = before_after_row(panel, outcome=outcome, unit=unit, time=time, cohort=cohort, alpha=alpha)
    out = {"estimator": "Naive before/after (adopters only)", **{k: row[k] for k in COLUMNS[1:5]},
           "reading": f"{row['n_units']} adopters with scores before and after; ignores the common trend"}
    return {k: out[k] for k in COLUMNS}


def twfe(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str,
         cluster: str | None = None, alpha: float = 0.05) -> dict:
    """:func:`twfe_row` with an English label and reading (``COLUMNS``)."""
    row = twfe_row(data, outcome, unit, time, treated, cluster=cluster, alpha=alpha)
    out = {"estimator": "Two-way fixed effects (static)", **{k: row[k] for k in COLUMNS[1:5]},
           "reading": f"{row['n_obs']} entity-years, {row['n_clusters']} clusters; biased when effects vary over time"}
    return {k: out[k] for k in COLUMNS}


def table(rows: list[dict]) -> pd.DataFrame:
    """Stack ``before_after``/``twfe`` rows into one comparison table (``COLUMNS``)."""
    return pd.DataFrame(rows, columns=COLUMNS)
