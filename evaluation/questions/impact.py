"""The impact question: did adoption raise the outcome? Numbers only.

The notebook ``02_impact`` calls these; the estimator itself lives in
``evaluation.did`` (Callaway & Sant'Anna 2021: group-time effects ATT(g, t)
of each adoption cohort g in each year t against never-treated or
not-yet-treated units, aggregated without re-estimating). Everything here
works on the analysis panel of ``evaluation.panel.analysis_panel`` (columns
``entity_id, year, value, cohort, level, ...``).

Nothing here is a sentence: estimators are named by ids
(``comparisons.ESTIMATORS``), the reasons a cell could not be estimated and
the estimator's messages by codes (``CELL_REASONS``, ``NOTE_CODES``) with the
numbers they need; the words are in ``evaluation.text.impact``.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import cache, did
from evaluation.panel import PANEL_KEYS, add_treated
from evaluation.questions import comparisons

#: Why a group-time cell has no estimate, recognised from the estimator's ``note`` (``reason`` column).
CELL_REASONS = ("no_pre_period", "too_few_units", "overlap", "zero_weight", "reference", "not_finite", "other")
_CELL_PATTERNS = (("no_pre_period", "no pre-adoption period"), ("too_few_units", "too few units"),
                  ("overlap", "overlap fails"), ("zero_weight", "zero weight"), ("reference", "reference period"),
                  ("not_finite", "not finite"))

#: Codes of the estimator's messages (``EstimatorNote.code``); ``other`` keeps the estimator's own text.
NOTE_CODES = ("dropped_already_treated", "cells_not_identified", "other")
_DROPPED = re.compile(r"Dropped (\d+) unit\(s\) already treated before the first period \(([^)]*)\)")
_NOT_IDENTIFIED = re.compile(r"(\d+) of (\d+) group-time cells are not identified")


def estimate(panel: pd.DataFrame, covariates: list[str], **options) -> tuple["did.GroupTimeResult", list[str]]:
    """``did.att_gt`` on the analysis panel, returning its warnings as notes for the reader.

    The estimator warns about dropped entities, cells it cannot identify and
    extreme propensity scores; a report should say these things in its text,
    not as a console warning, so they are collected and returned (in the
    estimator's words; :func:`note_codes` turns them into codes).

    Within a run the result is computed once and shared by the reports that
    quote it (impact, findings, costs, heterogeneity): ``evaluation.cache``,
    keyed by the panel's content, the covariates, the options and the code.
    """
    def compute():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = did.att_gt(panel, **PANEL_KEYS, covariates=covariates or None, **options)
        return result, list(dict.fromkeys(str(w.message) for w in caught))

    return cache.memo("impact.estimate", compute, panel, covariates=list(covariates or []), **options)


@dataclass(frozen=True)
class EstimatorNote:
    """One message of the estimator as a code and its numbers.

    ``code`` is one of ``NOTE_CODES``: ``dropped_already_treated`` (``count``
    units treated before the first period, ``period``), ``cells_not_identified``
    (``count`` of ``total`` cells), ``other`` (``text`` is the estimator's message).
    """

    code: str
    count: int | None = None
    total: int | None = None
    period: str = ""
    text: str = ""


def note_codes(messages: list[str]) -> tuple[EstimatorNote, ...]:
    """The estimator's warnings (:func:`estimate`) as codes with their numbers."""
    out = []
    for message in messages:
        if (m := _DROPPED.search(message)):
            out.append(EstimatorNote("dropped_already_treated", count=int(m.group(1)), period=m.group(2),
                                     text=message))
        elif (m := _NOT_IDENTIFIED.search(message)):
            out.append(EstimatorNote("cells_not_identified", count=int(m.group(1)), total=int(m.group(2)),
                                     text=message))
        else:
            out.append(EstimatorNote("other", text=message))
    return tuple(out)


def cell_reason(note: str, identified: bool) -> str:
    """The code (``CELL_REASONS``) of an unidentified cell's ``note``; ``""`` for an estimated cell."""
    if identified:
        return ""
    text = str(note or "").lower()
    return next((code for code, start in _CELL_PATTERNS if start in text), "other")


def cells_table(result: "did.GroupTimeResult") -> pd.DataFrame:
    """The group-time cells (``result.tidy()``) with a ``reason`` code for those not estimated."""
    cells = result.tidy()
    cells["reason"] = [cell_reason(n, bool(i)) for n, i in zip(cells["note"], cells["identified"])]
    return cells


def not_identified(cells: pd.DataFrame) -> pd.DataFrame:
    """One row per cohort with cells not estimated: ``cohort, cells, reason, note`` (the first such cell's)."""
    cells = cells if "reason" in cells else cells.assign(
        reason=[cell_reason(n, bool(i)) for n, i in zip(cells["note"], cells["identified"])])
    missing = cells[~cells["identified"].astype(bool)]
    rows = [{"cohort": cohort, "cells": len(part), "reason": part["reason"].iloc[0], "note": part["note"].iloc[0]}
            for cohort, part in missing.groupby("cohort", sort=True)]
    return pd.DataFrame(rows, columns=["cohort", "cells", "reason", "note"])


def estimator_comparison(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                         alpha: float = 0.05) -> pd.DataFrame:
    """Overall effect by five estimators, from the most naive to the one we rely on.

    Rows (``comparisons.ROW_COLUMNS``; ``estimator`` an id): before/after for
    adopters only; static two-way fixed effects; Callaway-Sant'Anna without
    covariates (never-treated controls); and Callaway-Sant'Anna with
    ``covariates`` against never-treated and against not-yet-treated controls
    (without covariates: the not-yet-treated variant). Analytic standard errors
    throughout. A variant that cannot be estimated stays as a row with
    ``identified`` False and the estimator's message in ``note``.
    """
    rows = [comparisons.before_after_row(panel, alpha=alpha)]
    try:
        rows.append(comparisons.twfe_row(add_treated(panel), "value", "entity_id", "year", "treated", alpha=alpha))
    except ValueError as exc:
        rows.append(comparisons.failed_row(comparisons.TWFE, exc))
    variants: list[tuple[list[str], str]] = [([], "never_treated")]
    variants += [(covariates, "never_treated"), (covariates, "not_yet_treated")] if covariates else \
        [([], "not_yet_treated")]
    for covs, control in variants:
        data = {"covariates": bool(covs), "control_group": control}
        try:
            res, _ = estimate(panel, covs, control_group=control, method=method if covs else "dr", alpha=alpha)
            overall = res.aggregate("simple").overall
            rows.append(comparisons._row(comparisons.CALLAWAY_SANTANNA, overall.estimate, overall.std_error,
                                         overall.conf_low, overall.conf_high, n_cells=int(res.usable.sum()),
                                         identified=bool(overall.identified), **data))
        except ValueError as exc:  # e.g. no never-treated entities in this group
            rows.append(comparisons.failed_row(comparisons.CALLAWAY_SANTANNA, exc, **data))
    return comparisons.rows_table(rows)


TRUTH_PARTS = ("overall", "event_time", "cohort")


#: Simulated panels of the pre-test's calibration (:func:`pretest_calibration`), the same in every report.
PRETEST_SIMULATIONS = 200


def pretest_calibration(panel: pd.DataFrame, covariates: list[str], *, control_group: str = "never_treated",
                        method: str = "dr", alpha: float = 0.05,
                        seed: int | None = 2016) -> "did.PretestCalibration | None":
    """The Wald pre-test of :func:`estimate`'s result with its size and p-value from simulated panels
    (:func:`evaluation.did.pretest_calibration`), or None when the pre-test cannot be computed.

    The chi-square reference of R ``did``'s pre-test rejects true parallel trends far more often than its
    nominal size when cohorts are small and pre-adoption cells many; the impact report and the findings both
    judge the pre-test by the simulated p-value, computed once per run (``evaluation.cache``).
    """
    params = dict(covariates=list(covariates) or None, control_group=control_group, method=method,
                  alpha=float(alpha), seed=0 if seed is None else int(seed), simulations=PRETEST_SIMULATIONS)

    def compute():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return did.pretest_calibration(panel, **PANEL_KEYS, **params)
        except ValueError:  # no pre-adoption cell, a singular covariance, too few never-treated paths
            return None

    return cache.memo("impact.pretest_calibration", compute, panel, **params)


def true_effects(dataset, indicator: str, panel: pd.DataFrame, result, until_year: int, *,
                 parts: tuple[str, ...] = TRUTH_PARTS) -> dict | None:
    """The demo data's true effects over the same cohorts and entities the estimate uses.

    ``parts`` names the aggregations wanted (``"overall"``: a number; ``"event_time"``,
    ``"cohort"``: tables); the heterogeneity report's subgroups need only the first.
    Returns None for data without a ``truth.csv`` (real data have no known truth).
    """
    truth_file = dataset.folder / "truth.csv"
    if not dataset.synthetic or not truth_file.is_file():
        return None
    unknown = set(parts) - set(TRUTH_PARTS)
    if unknown:
        raise ValueError(f"parts must be among {', '.join(TRUTH_PARTS)}, not {', '.join(sorted(unknown))}")
    from evaluation.demo import true_effects as aggregate_truth

    truth = _truth_table(truth_file)
    truth = truth[(truth["year"] <= until_year) & (truth["indicator"] == indicator)]
    cells = result.tidy()
    cohorts = sorted(cells.loc[cells["identified"] & (cells["time"] >= cells["cohort"]), "cohort"].unique())
    entities = panel["entity_id"].unique()
    kwargs = dict(indicator=indicator, cohorts=cohorts, entity_ids=entities)
    out: dict = {}
    if "overall" in parts:
        overall = aggregate_truth(truth, "overall", **kwargs)
        out["overall"] = float(overall["effect"].iloc[0]) if len(overall) else np.nan
    if "event_time" in parts:
        out["event_time"] = aggregate_truth(truth, "event_time", **kwargs)[["event_time", "effect"]]
    if "cohort" in parts:
        out["cohort"] = aggregate_truth(truth, "cohort", **kwargs)[["cohort", "effect"]]
    return out


def _truth_table(path) -> pd.DataFrame:
    """``truth.csv`` as :func:`evaluation.demo.load_truth` reads it, read once per file version in a kernel
    (the heterogeneity report compares every subgroup with it). Callers filter it, never change it."""
    stat = os.stat(path)
    return _read_truth(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _read_truth(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    from evaluation.demo import load_truth

    return load_truth(Path(path).parent)


def detected(overall) -> bool:
    """An effect is 'detected' when it is identified and its interval excludes zero."""
    return bool(overall.identified) and bool(overall.conf_low > 0 or overall.conf_high < 0)


@dataclass(frozen=True)
class ImpactResult:
    """Everything the impact report states, computed once (:func:`evaluate`).

    Attributes
    ----------
    outcome, entities : str
        The indicator code and the entity group of the panel.
    cells : did.GroupTimeResult
        The group-time effects ATT(g, t); ``simple``, ``dynamic``, ``group`` and
        ``calendar`` are its aggregations (Callaway & Sant'Anna 2021, section 3).
    pretest : did.PretestResult
        Wald test of the pre-adoption cells (parallel trends before adoption).
    pretest_calibration : did.PretestCalibration or None
        The same test's size and p-value from panels simulated like this one (:func:`pretest_calibration`);
        the report judges the pre-test by its simulated p-value.
    comparison : DataFrame
        :func:`estimator_comparison` (ids, analytic standard errors).
    notes : tuple of EstimatorNote
        The estimator's messages as codes.
    truth : dict or None
        The demo data's true effects over the same cohorts and entities.
    bootstrap : int
        Multiplier-bootstrap draws (0: analytic standard errors). With draws,
        the overall effect's interval is the bootstrap one and the event-study
        band is uniform (sup-t) over event times.
    """

    outcome: str
    entities: str
    alpha: float
    cells: did.GroupTimeResult = field(repr=False)
    simple: did.AggregateResult = field(repr=False)
    dynamic: did.AggregateResult = field(repr=False)
    group: did.AggregateResult = field(repr=False)
    calendar: did.AggregateResult = field(repr=False)
    pretest: did.PretestResult = field(repr=False)
    comparison: pd.DataFrame = field(repr=False)
    notes: tuple = ()
    truth: dict | None = field(default=None, repr=False)
    #: the pre-test's size and p-value from simulated panels (:func:`pretest_calibration`); None when not computed
    pretest_calibration: "did.PretestCalibration | None" = field(default=None, repr=False)
    n_units: int = 0
    n_adopters: int = 0
    first_year: int = 0
    last_year: int = 0
    covariates: tuple = ()
    control_group: str = "never_treated"
    method: str = "dr"
    bootstrap: int = 0

    @property
    def overall(self):
        """The average effect since adoption (simple aggregation), with its designated interval."""
        return self.simple.overall

    @property
    def detected(self) -> bool:
        return detected(self.overall)

    @property
    def interval(self) -> str:
        """``"bootstrap"`` when the overall interval comes from the multiplier bootstrap, else ``"analytic"``."""
        return "bootstrap" if self.cells.inference.bootstrap else "analytic"

    @property
    def band(self) -> str:
        """The event-study band: ``"uniform"`` (bootstrap sup-t) or ``"pointwise"``."""
        return self.dynamic.inference.band

    @property
    def true_overall(self) -> float | None:
        value = (self.truth or {}).get("overall")
        return None if value is None or not np.isfinite(value) else float(value)

    def cells_table(self) -> pd.DataFrame:
        """The group-time cells with a ``reason`` code for those not estimated."""
        return cells_table(self.cells)

    def not_identified(self) -> pd.DataFrame:
        return not_identified(self.cells_table())

    def tidy(self) -> pd.DataFrame:
        """The overall effect and the dynamic, cohort and calendar rows, one schema, with ``aggregation``."""
        parts = [self.simple.tidy().assign(aggregation="simple")]
        for name in ("dynamic", "group", "calendar"):
            parts.append(getattr(self, name).tidy().assign(aggregation=name))
        frame = pd.concat(parts, ignore_index=True)
        return frame[["aggregation"] + [c for c in frame.columns if c != "aggregation"]]


def evaluate(panel: pd.DataFrame, covariates: list[str], *, outcome: str, entities: str, dataset=None,
             until_year: int | None = None, control_group: str = "never_treated", method: str = "dr",
             bootstrap: int = 0, seed: int | None = None, alpha: float = 0.05) -> ImpactResult:
    """Estimate, aggregate, test and compare once, for the whole report.

    ``bootstrap`` draws (0: analytic) give the bootstrap standard errors, the
    overall effect's interval and the uniform event-study band (Callaway &
    Sant'Anna 2021, section 4.1; R ``did``'s ``mboot``).
    """
    bootstrap = int(bootstrap or 0)
    result, messages = estimate(panel, covariates, control_group=control_group, method=method,
                                bootstrap=bootstrap or None, seed=seed, alpha=alpha)
    truth = None
    if dataset is not None:
        truth = true_effects(dataset, outcome, panel, result, until_year or int(panel["year"].max()))
    years = panel["year"]
    return ImpactResult(
        outcome=outcome, entities=entities, alpha=float(alpha), cells=result,
        simple=result.aggregate("simple"), dynamic=result.aggregate("dynamic"),
        group=result.aggregate("group"), calendar=result.aggregate("calendar"), pretest=result.pretest(),
        pretest_calibration=pretest_calibration(panel, covariates, control_group=control_group, method=method,
                                                alpha=alpha, seed=seed),
        comparison=estimator_comparison(panel, covariates, method=method, alpha=alpha),
        notes=note_codes(messages), truth=truth, n_units=int(panel["entity_id"].nunique()),
        n_adopters=int(panel.loc[panel["cohort"].fillna(0) > 0, "entity_id"].nunique()),
        first_year=int(years.min()), last_year=int(years.max()), covariates=tuple(covariates),
        control_group=control_group, method=method, bootstrap=bootstrap)
