"""The impact question: which entities, which covariates, and the estimates beside each other.

The notebook ``02_impact`` calls these; the estimator itself lives in
``evaluation.did``. Everything here works on the analysis panel returned by
``Dataset.panel`` (columns ``entity_id, year, value, cohort, level, ...``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from . import comparisons, did

#: Which entities enter an estimate, by the evaluator's word for them.
ENTITY_GROUPS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "territorial": ("departmental", "municipal"),
    "national": ("national",),
    "municipal": ("municipal",),
    "departmental": ("departmental",),
}

PANEL_KEYS = dict(outcome="value", unit="entity_id", time="year", cohort="cohort")


def select_entities(panel: pd.DataFrame, group: str) -> pd.DataFrame:
    """Rows of ``panel`` whose entity belongs to ``group`` (see ``ENTITY_GROUPS``)."""
    if group not in ENTITY_GROUPS:
        raise ValueError(f"entities={group!r} is not a group; use one of {', '.join(ENTITY_GROUPS)}.")
    levels = ENTITY_GROUPS[group]
    return panel if levels is None else panel[panel["level"].isin(levels)].reset_index(drop=True)


def analysis_panel(dataset, outcome: str, entities: str = "all", until_year: int | None = None) -> pd.DataFrame:
    """The outcome panel of ``entities`` up to ``until_year``, as it could be analysed that year.

    Entities that created the post after the panel's last year had not adopted
    by then: their cohort is set to 0 (not adopted), so they serve as
    comparisons, as R ``did`` does. ``did.att_gt`` refuses such cohorts rather
    than guess; this is the guess, stated (see :func:`late_adopters`).
    ``Dataset.panel`` and :func:`select_entities` do the rest; a new frame.
    """
    panel = select_entities(dataset.panel(outcome, until_year=until_year), entities).copy()
    last = panel["year"].max()
    panel.loc[panel["cohort"] > last, "cohort"] = 0
    return panel


def late_adopters(dataset, outcome: str, until_year: int | None = None) -> int:
    """How many entities adopted after the last year of ``outcome`` data used (counted as not adopted)."""
    years = dataset.outcomes.loc[(dataset.outcomes["indicator"] == outcome) & dataset.outcomes["value"].notna(), "year"]
    if until_year is not None:
        years = years[years <= until_year]
    if years.empty:
        return 0
    return int((dataset.adoption["cohort"] > years.max()).sum())


def resolve_covariates(dataset, spec: str, group: str) -> list[str]:
    """Turn the notebook's ``covariates`` parameter into column names.

    ``"default"`` takes the covariates the dataset's ``dataset.yml`` names for
    the conditional parallel-trends assumption (``trend_covariates``, a list or
    a mapping by ``national``/``territorial``); ``"none"`` or ``""`` takes
    none; anything else is a comma-separated list of entity covariates.
    """
    spec = (spec or "").strip()
    if spec.lower() in {"", "none"}:
        return []
    if spec.lower() == "default":
        declared = dataset.metadata.get("trend_covariates") or []
        if isinstance(declared, dict):
            keys = {"national": ["national"], "all": list(declared)}.get(group, ["territorial"])
            names = [c for key in keys for c in declared.get(key, [])]
        else:
            names = list(declared)
        names = list(dict.fromkeys(names))
    else:
        names = [c.strip() for c in spec.split(",") if c.strip()]
    unknown = [c for c in names if c not in dataset.covariates]
    if unknown:
        raise ValueError(f"covariate(s) {unknown} are not numeric columns of the entities table; "
                         f"available: {', '.join(dataset.covariates) or 'none'}.")
    return names


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


def add_treated(panel: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``panel`` with ``treated`` = 1 from the adoption year on."""
    out = panel.copy()
    out["treated"] = ((out["cohort"] > 0) & (out["year"] >= out["cohort"])).astype(float)
    return out


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
    from .demo import load_truth
    from .demo import true_effects as aggregate_truth

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
