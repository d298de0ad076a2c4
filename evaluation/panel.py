"""The analysis panel: the one place that decides which rows and columns an estimate uses.

Which entities form a group (``ENTITY_GROUPS``), which covariates the
``covariates`` parameter means, and how late adopters are counted (as not yet
adopted, as R ``did`` does) are decided here, so every report estimates on the
same panel.
"""

from __future__ import annotations

import pandas as pd

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


def add_treated(panel: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``panel`` with ``treated`` = 1 from the adoption year on."""
    out = panel.copy()
    out["treated"] = ((out["cohort"] > 0) & (out["year"] >= out["cohort"])).astype(float)
    return out
