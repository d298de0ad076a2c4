"""The impact question: which entities, which covariates, and the estimates beside each other.

The notebook ``02_impact`` calls these; the estimator itself lives in
``evaluation.did``. Everything here works on the analysis panel returned by
``Dataset.panel`` (columns ``entity_id, year, value, cohort, level, ...``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evaluation import did
from evaluation.panel import PANEL_KEYS, add_treated
from evaluation.questions import comparisons

def estimate(panel: pd.DataFrame, covariates: list[str], **options) -> tuple["did.GroupTimeResult", list[str]]:
    """``did.att_gt`` on the analysis panel, returning its warnings as notes for the reader.

    The estimator warns about dropped entities, cells it cannot identify and
    extreme propensity scores; a report should say these things in its text,
    not as a console warning, so they are collected and returned.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = did.att_gt(panel, **PANEL_KEYS, covariates=covariates or None, **options)
    return result, list(dict.fromkeys(str(w.message) for w in caught))


def estimator_comparison(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                         alpha: float = 0.05) -> pd.DataFrame:
    """Overall effect by five estimators, from the most naive to the one we rely on.

    Rows: before/after for adopters only; static two-way fixed effects;
    Callaway-Sant'Anna without covariates (never-treated controls); and
    Callaway-Sant'Anna with ``covariates`` against never-treated and against
    not-yet-treated controls. Analytic standard errors throughout.
    """
    rows = [comparisons.before_after(panel, alpha=alpha),
            comparisons.twfe(add_treated(panel), "value", "entity_id", "year", "treated", alpha=alpha)]
    variants = [("Callaway-Sant'Anna, no covariates, never-treated controls", [], "never_treated")]
    if covariates:
        variants += [
            (f"Callaway-Sant'Anna, covariates, never-treated controls", covariates, "never_treated"),
            (f"Callaway-Sant'Anna, covariates, not-yet-treated controls", covariates, "not_yet_treated"),
        ]
    else:
        variants += [("Callaway-Sant'Anna, no covariates, not-yet-treated controls", [], "not_yet_treated")]
    for label, covs, control in variants:
        try:
            res, _ = estimate(panel, covs, control_group=control, method=method if covs else "dr", alpha=alpha)
            overall = res.aggregate("simple").overall
            rows.append({"estimator": label, "estimate": overall.estimate, "std_error": overall.std_error,
                         "conf_low": overall.conf_low, "conf_high": overall.conf_high,
                         "reading": f"{int(res.usable.sum())} identified cohort-year cells"})
        except ValueError as exc:  # e.g. no never-treated entities in this group
            rows.append({"estimator": label, "estimate": np.nan, "std_error": np.nan, "conf_low": np.nan,
                         "conf_high": np.nan, "reading": f"not estimable: {exc}"})
    return comparisons.table(rows)


def true_effects(dataset, indicator: str, panel: pd.DataFrame, result, until_year: int) -> dict | None:
    """The demo data's true effects over the same cohorts and entities the estimate uses.

    Returns None for data without a ``truth.csv`` (real data have no known truth).
    """
    truth_file = dataset.folder / "truth.csv"
    if not dataset.synthetic or not truth_file.is_file():
        return None
    from evaluation.demo import load_truth
    from evaluation.demo import true_effects as aggregate_truth

    truth = load_truth(dataset.folder)
    truth = truth[truth["year"] <= until_year]
    cells = result.tidy()
    cohorts = sorted(cells.loc[cells["identified"] & (cells["time"] >= cells["cohort"]), "cohort"].unique())
    entities = panel["entity_id"].unique()
    kwargs = dict(indicator=indicator, cohorts=cohorts, entity_ids=entities)
    overall = aggregate_truth(truth, "overall", **kwargs)
    return {
        "overall": float(overall["effect"].iloc[0]) if len(overall) else np.nan,
        "event_time": aggregate_truth(truth, "event_time", **kwargs)[["event_time", "effect"]],
        "cohort": aggregate_truth(truth, "cohort", **kwargs)[["cohort", "effect"]],
    }
