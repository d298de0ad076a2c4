"""The true effects of the demo data, aggregated the way Callaway & Sant'Anna aggregate estimates.

``truth.csv`` holds one row per treated entity, year and indicator. The true
group-time effect ``ATT(g, t)`` is the mean of ``effect`` over the entities
of cohort ``g`` in year ``t``; the aggregations then weight group-time cells
as R's ``did::aggte`` does (Callaway & Sant'Anna 2021, section 3.3):

* ``"overall"`` (``aggte(type = "simple")``): the mean of every post-adoption
  ``ATT(g, t)`` weighted by cohort size;
* ``"event_time"`` (``type = "dynamic"``): for each ``e = t - g``, the
  cohort-size-weighted mean of ``ATT(g, g + e)``;
* ``"cohort"`` (``type = "group"``): for each cohort, the plain mean of its
  ``ATT(g, t)`` over post-adoption years;
* ``"year"`` (``type = "calendar"``): for each year, the cohort-size-weighted
  mean of ``ATT(g, t)`` over cohorts already treated;
* ``"cohort_year"``: the ``ATT(g, t)`` cells themselves.

Pre-adoption true effects are zero (no anticipation) and are not listed.
To compare with an estimate, pass the cohorts (and entities) the estimator
could use: with the FURAG indices starting in 2018, cohorts up to 2018 have
no pre-adoption year and no estimator identifies their effects.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

AGGREGATIONS = ("overall", "event_time", "cohort", "year", "cohort_year")


def true_effects(truth: pd.DataFrame, by: str = "overall", *, indicator: str | Iterable[str] | None = None,
                 cohorts: Iterable[int] | None = None, entity_ids: Iterable[str] | None = None,
                 reported_only: bool = False) -> pd.DataFrame:
    """Aggregate the cell-level true effects like the estimators aggregate theirs.

    Parameters
    ----------
    truth : DataFrame
        ``truth.csv`` (columns ``entity_id, year, indicator, cohort, event_time,
        effect, reported``). Not modified.
    by : {"overall", "event_time", "cohort", "year", "cohort_year"}
        The aggregation (see the module docstring).
    indicator : str or iterable of str, optional
        Keep these indicators only. Results are always per indicator.
    cohorts : iterable of int, optional
        Keep these adoption cohorts only (e.g. the cohorts an estimator identified).
    entity_ids : iterable of str, optional
        Keep these entities only (e.g. one level of government).
    reported_only : bool, default False
        Use only the cells whose score was reported. The default uses every
        treated cell, which weights cohorts exactly as the estimators' target
        parameter does; with reported cells only, years with missing reports
        weigh a little less.

    Returns
    -------
    DataFrame
        ``indicator``, the grouping column(s) of ``by`` (none for ``"overall"``),
        ``effect`` (the true average effect), ``cells`` (entity-years behind it)
        and ``entities``.
    """
    if by not in AGGREGATIONS:
        raise ValueError(f"by must be one of {', '.join(AGGREGATIONS)}, not {by!r}")
    data = truth
    if indicator is not None:
        keep = [indicator] if isinstance(indicator, str) else list(indicator)
        data = data[data["indicator"].isin(keep)]
    if cohorts is not None:
        data = data[data["cohort"].isin(list(cohorts))]
    if entity_ids is not None:
        data = data[data["entity_id"].isin(list(entity_ids))]
    if reported_only:
        data = data[data["reported"] == 1]
    data = data[data["event_time"] >= 0]

    cells = (data.groupby(["indicator", "cohort", "year"], sort=True)
             .agg(effect=("effect", "mean"), cells=("effect", "size"))
             .reset_index())
    size = data.groupby(["indicator", "cohort"])["entity_id"].nunique().rename("cohort_size").reset_index()
    cells = cells.merge(size, on=["indicator", "cohort"], how="left")
    cells["event_time"] = cells["year"] - cells["cohort"]
    entities = data.groupby(["indicator"])["entity_id"].nunique()

    if by == "cohort_year":
        out = cells[["indicator", "cohort", "year", "event_time", "effect", "cells", "cohort_size"]]
        return out.rename(columns={"cohort_size": "entities"}).reset_index(drop=True)
    if by == "cohort":
        out = cells.groupby(["indicator", "cohort"]).agg(effect=("effect", "mean"), cells=("cells", "sum"),
                                                          entities=("cohort_size", "first"))
        return out.reset_index()
    keys = {"overall": ["indicator"], "event_time": ["indicator", "event_time"], "year": ["indicator", "year"]}[by]
    cells["weighted"] = cells["effect"] * cells["cohort_size"]
    grouped = cells.groupby(keys)
    out = pd.DataFrame({"effect": grouped["weighted"].sum() / grouped["cohort_size"].sum(),
                        "cells": grouped["cells"].sum()})
    if by == "overall":
        out["entities"] = entities
    else:
        out["entities"] = grouped["cohort_size"].sum()
    return out.reset_index()
