"""The robustness question, in numbers: would the estimated effect survive other estimators, weaker
assumptions, placebo adoption dates, and is the data able to detect an effect at all?

The notebook ``03_robustness`` calls these; :mod:`evaluation.text.robustness`
turns their results into sentences in the report's language. Estimators live in
:mod:`evaluation.did`; this module picks their inputs from the analysis panel
(``entity_id, year, value, cohort, ...``), stacks their results into tables and
computes the comparisons a reading needs (shares, spreads, breakdown values).
Nothing here writes a sentence: rows carry ids (``estimator = "twfe"``) and
reason codes (``note = "no_sector"``) with the data a sentence needs beside
them, and the words come from ``evaluation.text.robustness``.

The checks the findings report reads (:mod:`evaluation.questions.findings`) are
functions returning frozen results: :func:`sensitivity` (HonestDiD breakdown
values under relative magnitudes and smoothness), :func:`placebo`,
:func:`randomization`, :func:`minimum_detectable_effect` and
:func:`pretrend_check`.
"""

from __future__ import annotations

import inspect
import warnings
import weakref
from dataclasses import dataclass, field
from typing import Any, Sequence, TypedDict, Unpack

import numpy as np
import pandas as pd

from evaluation import cache, did
from evaluation.load.contract import INDICATORS
from evaluation.panel import PANEL_KEYS, add_treated

#: Columns of :func:`estimator_comparison` (and of :meth:`FirstCohortSynthetic.tidy`).
COMPARISON_COLUMNS = ["estimator", "estimate", "std_error", "conf_low", "conf_high", "identified", "note",
                      "n_units", "n_obs", "n_clusters", "cells", "control", "control_cohort", "covariates"]
#: Estimator ids of the comparison table, in its order (the words are in ``evaluation.text.robustness``).
NAIVE_ESTIMATOR = "before_after"
TWFE_ESTIMATOR = "twfe"
#: The row of the estimator comparison the others are measured against.
REFERENCE_ESTIMATOR = "cs_never_treated"
NOT_YET_ESTIMATOR = "cs_not_yet_treated"
IMPUTATION_ESTIMATOR = "imputation"
SUN_ABRAHAM_ESTIMATOR = "sun_abraham"
ESTIMATORS = (NAIVE_ESTIMATOR, TWFE_ESTIMATOR, REFERENCE_ESTIMATOR, NOT_YET_ESTIMATOR, IMPUTATION_ESTIMATOR,
              SUN_ABRAHAM_ESTIMATOR)
#: The estimators built for staggered adoption.
MODERN = (REFERENCE_ESTIMATOR, NOT_YET_ESTIMATOR, IMPUTATION_ESTIMATOR, SUN_ABRAHAM_ESTIMATOR)
#: Ids of the event-time profiles of :func:`event_time_profiles`, in their order.
PROFILES = ("cs_universal", "imputation", "sun_abraham", "twfe_event_study")
#: The kinds of 2x2 comparison of the Goodman-Bacon decomposition (as :func:`evaluation.did.bacon` names them).
BACON_KINDS = ("treated vs never treated", "earlier vs later treated", "later vs earlier treated",
               "treated vs always treated")
#: The 2x2 comparisons that use already-treated units as controls.
FORBIDDEN = ("later vs earlier treated", "treated vs always treated")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


# --------------------------------------------------------------------------------------
# computed once per run: the checks the robustness report and the findings both quote
# --------------------------------------------------------------------------------------

#: Where a result of :func:`computed_once` came from: ``id(result) -> (weak reference, cache key)``, so a check
#: computed from it (HonestDiD, the pre-test power) can be keyed on the panel and parameters behind it.
_ORIGIN: dict[int, tuple[weakref.ref, str]] = {}


def _arguments(fn, args: tuple, kwargs: dict) -> dict:
    """Every argument of ``fn`` by name, defaults filled in (two calls that differ only in spelling share a key)."""
    bound = inspect.signature(fn).bind(None, *args, **kwargs)
    bound.apply_defaults()
    named = dict(bound.arguments)
    named.pop(next(iter(named)))  # the data (or the event study), keyed on its content instead
    return named


def _remember(result, digest: str):
    for gone in [k for k, (ref, _) in _ORIGIN.items() if ref() is None]:
        del _ORIGIN[gone]
    try:
        _ORIGIN[id(result)] = (weakref.ref(result), digest)
    except TypeError:  # not weakly referenceable: its checks are simply computed, not shared
        pass
    return result


def _origin(result) -> str | None:
    found = _ORIGIN.get(id(result))
    return found[1] if found is not None and found[0]() is result else None


def computed_once(fn, panel: pd.DataFrame, *args, **kwargs):
    """``fn`` (an estimator of :mod:`evaluation.did`) on ``panel`` and the other arguments, warnings silenced,
    computed once per run (:func:`evaluation.cache.memo`, keyed on the panel's content and every argument with
    its default).

    The findings (:func:`evaluation.questions.findings.robustness_numbers`) and the robustness report call
    the same checks through here, so with the same parameters a run computes each once.
    """
    params = _arguments(fn, args, kwargs)
    name = f"robustness.{fn.__name__}"
    digest = cache.key(name, panel, **params)
    result = cache.memo(name, lambda: _quiet(fn, panel, *args, **kwargs), panel, **params)
    return _remember(result, digest)


def from_dynamic(fn, dynamic, *args, **kwargs):
    """``fn`` on an event study of :func:`event_study` and the other arguments, computed once per run.

    Keyed on the panel and parameters the event study came from (and ``fn``'s own
    arguments); an event study computed elsewhere is simply passed to ``fn``.
    """
    origin = _origin(dynamic)
    if origin is None:
        return _quiet(fn, dynamic, *args, **kwargs)
    params = _arguments(fn, args, kwargs)
    return cache.memo(f"robustness.{fn.__name__}", lambda: _quiet(fn, dynamic, *args, **kwargs),
                      origin=origin, **params)


def _covers_zero(low: float, high: float) -> bool:
    return bool(low <= 0 <= high)


def log_outcome(dataset, outcome: str) -> bool:
    """True when the dataset's label says ``outcome`` is a logarithm (effects are then in log points)."""
    labels = ((getattr(dataset, "metadata", None) or {}).get("labels") or {}) if dataset is not None else {}
    if isinstance(labels, dict):
        for block in [labels] + [v for v in labels.values() if isinstance(v, dict)]:
            label = (block.get("outcomes") or {}).get(outcome) if isinstance(block.get("outcomes"), dict) else None
            if label:
                return str(label).strip().lower().startswith("log")
    return False


def units_label(dataset, outcome: str) -> str:
    """A code for the unit an effect on ``outcome`` is measured in: ``points``, ``log points`` or ``units``.

    FURAG indicators are 0-100 indices (``points``); an outcome whose label says it
    is a log (castle's "log homicides per 100,000") moves in ``log points``; otherwise
    the outcome's own ``units``. ``evaluation.text.robustness.effect_unit`` gives the words.
    """
    if outcome in INDICATORS:
        return "points"
    return "log points" if log_outcome(dataset, outcome) else "units"


def panel_facts(panel: pd.DataFrame, outcome: str, covariates: list[str]) -> dict:
    """Counts that describe the analysis panel: units, adopters, years, units observed every year."""
    years = sorted(int(y) for y in panel["year"].unique())
    return {"outcome": outcome, "first_year": years[0], "last_year": years[-1],
            "units": int(panel["entity_id"].nunique()),
            "adopters": int(panel.loc[panel["cohort"] > 0, "entity_id"].nunique()),
            "balanced": int(balanced_panel(panel)["entity_id"].nunique()), "covariates": list(covariates)}


def _lines(values: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in values.items())


def panel_summary(panel: pd.DataFrame, outcome: str, covariates: list[str], dataset=None) -> str:
    """:func:`panel_facts` as ``key: value`` lines, for the notebook's checked cell (no sentences)."""
    facts = panel_facts(panel, outcome, covariates)
    facts["covariates"] = ", ".join(facts["covariates"]) or "none"
    return _lines(facts)


# --------------------------------------------------------------------------------------
# 1. Goodman-Bacon decomposition
# --------------------------------------------------------------------------------------


def balanced_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """The entities observed in every year of ``panel`` (the decomposition needs a balanced panel)."""
    n_years = panel["year"].nunique()
    counts = panel.groupby("entity_id")["year"].nunique()
    keep = counts.index[counts == n_years]
    return panel[panel["entity_id"].isin(keep)].reset_index(drop=True)


def bacon(panel: pd.DataFrame) -> did.BaconResult:
    """Goodman-Bacon decomposition of the static TWFE on the entities observed every year."""
    balanced = add_treated(balanced_panel(panel))
    return did.bacon(balanced, "value", "entity_id", "year", "treated")


@dataclass(frozen=True)
class BaconShares:
    """Where the weight of the TWFE coefficient sits (Goodman-Bacon 2021), from :func:`bacon_shares`.

    Attributes
    ----------
    twfe : float
        The static TWFE coefficient the comparisons average to.
    n_comparisons, n_units, n_periods : int
        2x2 comparisons, and the balanced panel they come from.
    clean_weight : float
        Weight on comparisons with never-treated units.
    forbidden_weight, forbidden_estimate : float
        Weight on comparisons that use already-treated units as controls, and their weighted average.
    other_estimate : float
        Weighted average of the other comparisons.
    by_kind : DataFrame
        ``comparison, weight, estimate`` per kind (``BaconResult.summary()``).
    """

    twfe: float
    n_comparisons: int
    n_units: int
    n_periods: int
    clean_weight: float
    forbidden_weight: float
    forbidden_estimate: float
    other_estimate: float
    by_kind: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        return self.by_kind.copy()


def bacon_shares(decomposition: did.BaconResult) -> BaconShares:
    """The weights and averages a reading of the decomposition states."""
    s = decomposition.summary().set_index("comparison")
    clean = float(s.loc["treated vs never treated", "weight"]) if "treated vs never treated" in s.index else 0.0
    bad = [k for k in FORBIDDEN if k in s.index]
    bad_weight = float(s.loc[bad, "weight"].sum()) if bad else 0.0
    bad_est = float((s.loc[bad, "weight"] * s.loc[bad, "estimate"]).sum() / bad_weight) if bad_weight > 0 else np.nan
    rest = s.drop(index=bad)
    rest_est = (float((rest["weight"] * rest["estimate"]).sum() / rest["weight"].sum())
                if len(rest) and rest["weight"].sum() > 0 else np.nan)
    return BaconShares(float(decomposition.twfe), len(decomposition.frame), int(decomposition.n_units),
                       int(decomposition.n_periods), clean, bad_weight, bad_est, rest_est, s.reset_index())


# --------------------------------------------------------------------------------------
# 2. estimator comparison
# --------------------------------------------------------------------------------------


def _row(estimator: str, overall=None, **info) -> dict:
    row: dict[str, Any] = dict.fromkeys(COMPARISON_COLUMNS, np.nan)
    row.update(estimator=estimator, identified=False, note="", cells=np.nan, control="", control_cohort=np.nan,
               covariates="")
    if overall is not None:
        row.update(estimate=overall.estimate, std_error=overall.std_error, conf_low=overall.conf_low,
                   conf_high=overall.conf_high, identified=bool(np.isfinite(overall.estimate)))
    row.update(info)
    return row


def _failed(estimator: str, exc: Exception) -> dict:
    """A row for an estimator that refused these data: ``note`` is the estimator's own message."""
    return _row(estimator, note=str(exc))


def sun_abraham(panel: pd.DataFrame, covariates: list[str], *, alpha: float = 0.05) -> did.SunAbrahamResult:
    """Sun-Abraham on the analysis panel: never-treated controls when there are any, else the last cohort.

    The entity covariates of the contract are fixed over time, so they enter interacted with the years
    (trends may differ with them: parallel trends conditional on them, as in the other estimators).
    """
    never = ~(pd.to_numeric(panel["cohort"], errors="coerce") > 0)
    return _quiet(did.sun_abraham, panel, **PANEL_KEYS, control="never_treated" if never.any() else "last_cohort",
                  covariates=list(covariates) or None, alpha=alpha)


def _before_after(panel: pd.DataFrame, alpha: float) -> dict:
    """Mean change of adopters from before to after adoption (no comparison group), as a table row."""
    from evaluation.questions import comparisons

    row = comparisons.before_after(panel, alpha=alpha)
    adopters = panel[panel["cohort"].fillna(0) > 0]
    after = adopters[adopters["year"] >= adopters["cohort"]].groupby("entity_id")["value"].mean()
    before = adopters[adopters["year"] < adopters["cohort"]].groupby("entity_id")["value"].mean()
    n = int((after - before).dropna().size)
    return _row(NAIVE_ESTIMATOR, estimate=row["estimate"], std_error=row["std_error"], conf_low=row["conf_low"],
                conf_high=row["conf_high"], identified=bool(np.isfinite(row["estimate"])), n_units=n)


def estimator_comparison(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                         alpha: float = 0.05) -> pd.DataFrame:
    """The average effect since adoption by six estimators, from the most naive (one row each, ids in ``estimator``).

    Rows (:data:`ESTIMATORS`): before/after for adopters only; static TWFE
    (:func:`evaluation.did.twfe`, clustered by entity); Callaway & Sant'Anna (2021)
    against never-treated and against not-yet-treated controls; the imputation
    estimator of Borusyak, Jaravel & Spiess (2024); the interaction-weighted
    estimator of Sun & Abraham (2021). The last four are built for staggered
    adoption and use ``covariates`` (conditional parallel trends; Sun-Abraham
    with each covariate interacted with the years). Analytic standard errors
    throughout (BJS's conservative ones for imputation).

    Besides the estimate and its interval, a row says what it rests on:
    ``n_units`` (adopters with scores before and after, for the naive row),
    ``n_obs``/``n_clusters`` (TWFE), ``cells`` (group-time or cohort-event-time
    cells used), ``control`` (``never_treated``, ``not_yet_treated``,
    ``last_cohort`` with ``control_cohort``), ``covariates`` (comma-separated).
    An estimator that refuses the data gives a row with ``identified`` False and
    its message in ``note``.
    """
    covs = list(covariates) or None
    names = ", ".join(covariates)
    rows = [_before_after(panel, alpha)]
    try:
        res = did.twfe(add_treated(panel), "value", "entity_id", "year", "treated", alpha=alpha)
        rows.append(_row(TWFE_ESTIMATOR, estimate=res.estimate, std_error=res.std_error, conf_low=res.conf_low,
                         conf_high=res.conf_high, identified=bool(np.isfinite(res.estimate)), n_obs=int(res.n_obs),
                         n_clusters=int(res.n_clusters)))
    except ValueError as exc:
        rows.append(_failed(TWFE_ESTIMATOR, exc))
    for estimator, control in ((REFERENCE_ESTIMATOR, "never_treated"), (NOT_YET_ESTIMATOR, "not_yet_treated")):
        try:
            res = _quiet(did.att_gt, panel, **PANEL_KEYS, control_group=control, covariates=covs,
                         method=method if covs else "dr", alpha=alpha)
            rows.append(_row(estimator, res.aggregate("simple").overall, cells=int(res.usable.sum()),
                             control=control, covariates=names))
        except ValueError as exc:
            rows.append(_failed(estimator, exc))
    try:
        imp = _quiet(did.imputation, panel, **PANEL_KEYS, covariates=covs, alpha=alpha)
        rows.append(_row(IMPUTATION_ESTIMATOR, imp.overall, control="not_yet_treated", covariates=names))
    except ValueError as exc:
        rows.append(_failed(IMPUTATION_ESTIMATOR, exc))
    try:
        sa = sun_abraham(panel, covariates, alpha=alpha)
        rows.append(_row(SUN_ABRAHAM_ESTIMATOR, sa.overall, cells=int(sa.cells["identified"].sum()),
                         control=sa.settings["control"],
                         control_cohort=(float(sa.settings["control cohort"]) if sa.settings["control"] == "last_cohort"
                                         else np.nan),
                         covariates=names))
    except ValueError as exc:
        rows.append(_failed(SUN_ABRAHAM_ESTIMATOR, exc))
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    table["identified"] = table["identified"].astype(bool)
    return table


@dataclass(frozen=True)
class Agreement:
    """Do the estimators built for staggered adoption agree (:func:`agreement`)?

    ``n`` of them have an estimate, ranging from ``low`` to ``high``; ``overlap``
    is True when all their intervals share a point; ``n_excluding_zero`` exclude
    zero; ``same_sign`` when all estimates have one sign. ``twfe`` and ``naive``
    are those rows' estimates (NaN when absent), ``twfe_inside`` whether TWFE
    sits in the range, ``midpoint`` the middle of the range; ``covering`` the
    ids of the estimators whose interval covers ``truth`` (demo data only).
    """

    n: int
    low: float = np.nan
    high: float = np.nan
    max_std_error: float = np.nan
    median_std_error: float = np.nan
    overlap: bool = False
    n_excluding_zero: int = 0
    same_sign: bool = True
    reference: float = np.nan
    twfe: float = np.nan
    naive: float = np.nan
    truth: float = np.nan
    covering: tuple[str, ...] = ()

    @property
    def spread(self) -> float:
        return self.high - self.low

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    @property
    def twfe_inside(self) -> bool:
        return bool(self.low <= self.twfe <= self.high)


def agreement(table: pd.DataFrame, truth: float | None = None) -> Agreement:
    """How far the estimators of :func:`estimator_comparison` agree, and where TWFE and the naive number sit."""
    t = table.set_index("estimator")

    def value(estimator):
        return float(t.loc[estimator, "estimate"]) if estimator in t.index else np.nan

    ok = t.loc[[e for e in MODERN if e in t.index]].dropna(subset=["estimate"])
    covering = ()
    if truth is not None and np.isfinite(truth):
        covering = tuple(e for e, r in t.dropna(subset=["estimate"]).iterrows()
                         if r["conf_low"] <= truth <= r["conf_high"])
    base = dict(reference=value(REFERENCE_ESTIMATOR), twfe=value(TWFE_ESTIMATOR), naive=value(NAIVE_ESTIMATOR),
                truth=np.nan if truth is None else float(truth), covering=covering)
    if ok.empty:
        return Agreement(n=0, **base)
    return Agreement(n=len(ok), low=float(ok["estimate"].min()), high=float(ok["estimate"].max()),
                     max_std_error=float(ok["std_error"].max()), median_std_error=float(ok["std_error"].median()),
                     overlap=bool(float(ok["conf_low"].max()) <= float(ok["conf_high"].min())),
                     n_excluding_zero=int(sum(not _covers_zero(r["conf_low"], r["conf_high"])
                                              for _, r in ok.iterrows())),
                     same_sign=len({bool(v > 0) for v in ok["estimate"]}) == 1, **base)


def event_time_profiles(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                        alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """Effects by years since adoption from four estimators (tidy tables by id, :data:`PROFILES`).

    ``cs_universal``: Callaway-Sant'Anna with a universal base period (the input
    of the sensitivity analysis); ``imputation``: the imputation estimator
    (pre-adoption rows are its pre-trend coefficients); ``sun_abraham``:
    Sun-Abraham's interaction-weighted event study; ``twfe_event_study``: the
    dynamic TWFE event study (no covariates). Every interval is pointwise (one
    event time at a time). An estimator that refuses the data is left out.
    """
    covs = list(covariates) or None
    out = {}
    try:
        out["cs_universal"] = dynamic_effects(panel, covariates, method=method, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["imputation"] = _quiet(did.imputation, panel, **PANEL_KEYS, covariates=covs, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["sun_abraham"] = sun_abraham(panel, covariates, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["twfe_event_study"] = _quiet(did.event_study, panel, **PANEL_KEYS, alpha=alpha).tidy()
    except ValueError:
        pass
    return out


@dataclass(frozen=True)
class ProfileSpread:
    """The estimates at the longest horizon every profile estimates (``horizon`` None when there is none)."""

    horizon: int | None
    values: dict = field(default_factory=dict)

    @property
    def lowest(self) -> str | None:
        return min(self.values, key=self.values.__getitem__) if self.values else None

    @property
    def highest(self) -> str | None:
        return max(self.values, key=self.values.__getitem__) if self.values else None


def profile_spread(profiles: dict[str, pd.DataFrame]) -> ProfileSpread:
    """How far apart the event-time profiles are at the longest horizon they all estimate."""
    post = {}
    for key, frame in profiles.items():
        f = frame[(frame["event_time"] >= 0) & frame["identified"] & np.isfinite(frame["estimate"])]
        post[key] = f.set_index("event_time")["estimate"]
    common = set.intersection(*(set(v.index) for v in post.values())) if post else set()
    if not common:
        return ProfileSpread(None)
    h = max(common)
    return ProfileSpread(int(h), {key: float(v.loc[h]) for key, v in post.items()})


# --------------------------------------------------------------------------------------
# 3. sensitivity to parallel trends
# --------------------------------------------------------------------------------------


def dynamic_effects(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr", alpha: float = 0.05):
    """Callaway-Sant'Anna effects by event time with a universal base period (what ``did.honest`` needs)."""
    covs = list(covariates) or None
    return event_study(panel, covs, method=method if covs else "dr", control_group="never_treated", alpha=alpha)


def event_study(panel: pd.DataFrame, covariates, *, method: str, control_group: str, alpha: float):
    """The dynamic aggregation of ``att_gt`` with a universal base period, computed once per run.

    Shared by :func:`dynamic_effects` and the findings; a check computed from the
    result (:func:`from_dynamic`) is keyed on these inputs.
    """
    options = dict(**PANEL_KEYS, covariates=covariates, method=method, base_period="universal",
                   control_group=control_group, alpha=alpha)
    params = _arguments(did.att_gt, (), options)
    digest = cache.key("robustness.event_study", panel, **params)
    result = cache.memo("robustness.event_study", lambda: _quiet(did.att_gt, panel, **options).aggregate("dynamic"),
                        panel, **params)
    return _remember(result, digest)


#: Codes of the ``restriction`` column of :func:`sensitivity_table`.
RESTRICTIONS = {"original": "none", "relative_magnitude": "relative_magnitude", "smoothness": "smoothness"}


def sensitivity_table(*results) -> pd.DataFrame:
    """The sensitivity analyses stacked: ``restriction, parameter, conf_low, conf_high, id_low, id_high``.

    ``restriction`` is ``none`` (exact parallel trends), ``relative_magnitude``
    (the parameter is Mbar) or ``smoothness`` (M, in outcome units per period).
    """
    frames: list[pd.DataFrame] = []
    for r in results:
        if r is None:
            continue
        f = r.tidy()
        f.insert(0, "restriction", np.where(f["method"] == "original", "none", r.method))
        frames.append(f if not frames else f.iloc[1:])
    return pd.concat(frames, ignore_index=True).drop(columns="method")


@dataclass(frozen=True)
class Sensitivity:
    """HonestDiD sensitivity of the average effect since adoption (Rambachan & Roth 2023), from :func:`sensitivity`.

    Attributes
    ----------
    relative : HonestResult
        Relative magnitudes: post-adoption drift up to Mbar times the largest pre-adoption drift.
    smoothness : HonestResult or None
        Smoothness: the pre-adoption trend extrapolated with its slope changing by up to M a period.
    left_out : tuple of int
        Event times of the event study the analysis could not use (not consecutive with the base period,
        or not identified).
    """

    relative: did.HonestResult
    smoothness: did.HonestResult | None
    left_out: tuple[int, ...] = ()

    @property
    def significant(self) -> bool:
        """True when the interval under exact parallel trends excludes zero (there is a finding to overturn)."""
        o = self.relative.original
        return not _covers_zero(o["conf_low"], o["conf_high"])

    @property
    def breakdown_relative(self) -> float:
        """The smallest Mbar at which the interval includes zero (inf: none in the grid; 0: not significant)."""
        return float(self.relative.breakdown)

    @property
    def breakdown_smoothness(self) -> float:
        """The smallest M (outcome units per period) at which the interval includes zero (NaN without it)."""
        return float(self.smoothness.breakdown) if self.smoothness is not None else np.nan

    @property
    def largest_mbar(self) -> float:
        return float(self.relative.frame["parameter"].max())

    @property
    def largest_m(self) -> float:
        return float(self.smoothness.frame["parameter"].max()) if self.smoothness is not None else np.nan

    @property
    def contradicted_m(self) -> float:
        """The largest M whose restriction the pre-adoption coefficients already violate (NaN if none)."""
        if self.smoothness is None:
            return np.nan
        rows = self.smoothness.frame.iloc[1:]
        empty = rows[rows["id_low"].isna()]
        return float(empty["parameter"].max()) if len(empty) else np.nan

    def tidy(self) -> pd.DataFrame:
        """:func:`sensitivity_table` of both restrictions."""
        return sensitivity_table(self.relative, self.smoothness)


def _left_out(dynamic, relative: did.HonestResult) -> tuple[int, ...]:
    frame = dynamic.tidy()
    times = {int(t) for t in frame["event_time"].dropna()}
    used = set(relative.pre_event_times) | set(relative.post_event_times)
    # -1 is the universal base period (0 by construction), never an input of the analysis
    return tuple(sorted(t for t in times - used if t != -1))


def sensitivity(panel: pd.DataFrame | None = None, covariates: Sequence[str] = (), *, method: str = "dr",
                alpha: float = 0.05, seed: int = 2016, dynamic=None) -> Sensitivity:
    """Relative-magnitude and smoothness bounds on the average effect since adoption, with breakdown values.

    The event-time effects are Callaway-Sant'Anna's with a universal base period
    (:func:`dynamic_effects`; pass ``dynamic`` to reuse one), the target is the
    average over the event times since adoption, and the intervals are
    :func:`evaluation.did.honest`'s (Rambachan & Roth 2023). Identifying
    assumption relaxed: parallel trends after adoption, which may fail by a
    bounded amount. A smoothness analysis that cannot be computed is None.
    """
    if dynamic is None:
        dynamic = dynamic_effects(panel, list(covariates), method=method, alpha=alpha)
    relative = from_dynamic(did.honest, dynamic, "relative_magnitude", alpha=alpha, seed=seed)
    try:
        smooth = from_dynamic(did.honest, dynamic, "smoothness", alpha=alpha)
    except ValueError:
        smooth = None
    return Sensitivity(relative, smooth, _left_out(dynamic, relative))


@dataclass(frozen=True)
class PretrendPower:
    """Roth's (2022) power of the pre-test (:func:`pretrend_check`); ``result`` None when not computable.

    ``reason`` is then the estimator's message. ``bias`` is what the linear trend
    the pre-test detects ``target_power`` of the time would add, on average, to the
    post-adoption event times of the sensitivity target, and ``share`` its size
    relative to the estimated average effect (NaN without a sensitivity result).
    """

    result: did.PretrendPowerResult | None
    reason: str = ""
    bias: float = np.nan
    share: float = np.nan
    post_event_times: tuple[int, ...] = ()

    @property
    def computed(self) -> bool:
        return self.result is not None

    @property
    def slope(self) -> float:
        return float(self.result.slope) if self.result is not None else np.nan

    def tidy(self) -> pd.DataFrame:
        """The pre-adoption coefficients with the violation detected at the target power; one row if none."""
        if self.result is None:
            return pd.DataFrame({"identified": [False], "note": [self.reason]})
        return self.result.tidy()


def pretrend_power(dynamic, *, target_power: float = 0.5) -> did.PretrendPowerResult | str:
    """Roth's (2022) power of the pre-test on the event study, evaluated at the slope it detects
    ``target_power`` of the time (so the Bayes factor and likelihood ratio refer to that trend).

    Returns the estimator's reason instead when it cannot be computed on these data (no pre-adoption
    coefficient, or so many that the pre-test rejects more than ``target_power`` of the time even under
    parallel trends). :func:`pretrend_check` wraps the same in a frozen result.
    """
    try:
        return from_dynamic(pretrend_at_target_power, dynamic, target_power=target_power)
    except ValueError as exc:
        return str(exc)


def pretrend_at_target_power(dynamic, target_power: float = 0.5) -> did.PretrendPowerResult:
    """:func:`evaluation.did.pretrend_power` with its power, Bayes factor and likelihood ratio evaluated at the
    slope it finds; one computation (through :func:`from_dynamic`) for the findings and the robustness report."""
    found = did.pretrend_power(dynamic, target_power=target_power)
    return found.against(found.slope)


def pretrend_check(dynamic, sensitivity_result: Sensitivity | did.HonestResult | None = None, *,
                   target_power: float = 0.5) -> PretrendPower:
    """:func:`pretrend_power` as a frozen result, with the bias such a trend would cause after adoption."""
    found = pretrend_power(dynamic, target_power=target_power)
    if isinstance(found, str):
        return PretrendPower(None, found)
    rm = sensitivity_result.relative if isinstance(sensitivity_result, Sensitivity) else sensitivity_result
    if rm is None:
        return PretrendPower(found)
    post = tuple(int(t) for t in rm.post_event_times if t >= 0)
    reference = found.settings["reference"]
    if not post or reference is None or not np.isfinite(rm.estimate):
        return PretrendPower(found, post_event_times=post)
    bias = float(found.slope * np.mean([t - reference for t in post]))
    share = abs(bias) / abs(rm.estimate) if rm.estimate else np.inf
    return PretrendPower(found, bias=bias, share=float(share), post_event_times=post)


def pretrend_table(pp: did.PretrendPowerResult | PretrendPower | str) -> pd.DataFrame:
    """The pre-adoption coefficients with the violation detected at the target power (or why there is none)."""
    if isinstance(pp, PretrendPower):
        return pp.tidy()
    if isinstance(pp, str):
        return pd.DataFrame({"identified": [False], "note": [pp]})
    return pp.tidy()


# --------------------------------------------------------------------------------------
# 4. placebos
# --------------------------------------------------------------------------------------


def placebo(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr", alpha: float = 0.05,
            shifts=(1, 2, 3)) -> did.PlaceboResult:
    """Callaway-Sant'Anna with every adoption moved ``shifts`` years earlier, on the years before the real one."""
    return computed_once(did.placebo, panel, **PANEL_KEYS, shifts=shifts, covariates=list(covariates) or None,
                         method=method, alpha=alpha)


def randomization(panel: pd.DataFrame, covariates: list[str], *, draws: int = 99, seed: int = 2016,
                  method: str = "dr") -> did.RandomizationResult:
    """Randomization inference: the average effect with adoption dates reassigned at random, ``draws`` times."""
    return computed_once(did.randomization_inference, panel, **PANEL_KEYS, draws=draws, seed=seed,
                         covariates=list(covariates) or None, method=method)


def as_large(ri: did.RandomizationResult) -> tuple[int, int]:
    """(reassignments whose effect is at least as far from zero as the real one, valid reassignments)."""
    valid = ri.permuted[np.isfinite(ri.permuted)]
    return int((np.abs(valid) >= abs(ri.estimate)).sum()), int(valid.size)


@dataclass(frozen=True)
class PlaceboCounts:
    """Placebo dates estimated and those that find an 'effect' (p below alpha)."""

    estimated: int
    total: int
    rejected: int


def placebo_counts(placebos: did.PlaceboResult, alpha: float = 0.05) -> PlaceboCounts:
    f = placebos.tidy()
    ok = f[f["identified"].astype(bool)] if "identified" in f else f.iloc[0:0]
    rejected = int((ok["p_value"] < alpha).sum()) if "p_value" in ok else 0
    return PlaceboCounts(int(len(ok)), int(len(f)), rejected)


# --------------------------------------------------------------------------------------
# 5. power
# --------------------------------------------------------------------------------------


def minimum_detectable_effect(panel: pd.DataFrame, covariates: list[str], *, simulations: int = 200,
                              seed: int = 2016, alpha: float = 0.05) -> did.PowerResult:
    """The smallest average effect detected 80 % of the time on simulated panels shaped like this one."""
    return computed_once(did.power, panel, **PANEL_KEYS, simulations=simulations, seed=seed, alpha=alpha,
                         covariates=list(covariates) or None)


def size_is_off(pw: did.PowerResult) -> bool:
    """True when the simulated size is more than two binomial standard errors from alpha (not simulation noise)."""
    return bool(abs(pw.size - pw.alpha) > 2 * np.sqrt(pw.alpha * (1 - pw.alpha) / pw.simulations))


# --------------------------------------------------------------------------------------
# 6. key numbers for the checked cell
# --------------------------------------------------------------------------------------


def check_text(decomposition, table: pd.DataFrame, rm, placebos: did.PlaceboResult,
               pretrend=None, wild: "SectorWildBootstrap | None" = None) -> str:
    """Stable, rounded numbers and ids for the notebook's checked cell, as ``key: value`` lines (no sentences).

    Nothing that depends on the simulations' draws, except the wild-cluster-bootstrap interval of ``wild``:
    its draws are seeded, so it changes only when the estimate, its inputs or the bootstrap change.
    ``rm`` is a :class:`Sensitivity` or its relative-magnitude ``HonestResult``.
    """
    rm = rm.relative if isinstance(rm, Sensitivity) else rm
    t = table.set_index("estimator")
    values: dict[str, str | int | bool] = {}
    for name, row in t.iterrows():
        values[name] = (f"{row['estimate']:+.2f} (se {row['std_error']:.2f})" if np.isfinite(row["estimate"])
                        else "not identified")
    if decomposition is not None:
        shares = bacon_shares(decomposition)
        values["bacon comparisons"] = shares.n_comparisons
        values["bacon weight on already-treated controls"] = f"{shares.forbidden_weight:.2f}"
    values["estimators with an estimate"] = f"{int(t['estimate'].notna().sum())} of {len(t)}"
    values["signs"] = "".join("+" if v > 0 else "-" for v in t["estimate"].dropna())
    values["original interval excludes zero"] = not _covers_zero(rm.original["conf_low"], rm.original["conf_high"])
    post = [x for x in rm.post_event_times if x >= 0]
    values[f"sensitivity target (event times {min(post)}-{max(post)})"] = f"{rm.estimate:+.2f}"
    pl = placebos.tidy()
    values["placebo dates estimated"] = f"{int(pl['identified'].sum())} of {len(pl)}"
    if isinstance(pretrend, PretrendPower):
        pretrend = pretrend.result if pretrend.result is not None else pretrend.reason
    if isinstance(pretrend, str):
        values["pre-test power"] = "not computed"
    elif pretrend is not None:
        values["pre-test slope detected"] = (f"{pretrend.slope:.2f} at power {pretrend.target_power:.2f} "
                                             f"({len(pretrend.event_time)} pre-adoption coefficients)")
    if wild is not None:
        if wild.wild is None:
            values["wild by sector"] = f"not identified ({wild.note})"
        else:
            o = wild.tidy().iloc[0]
            values["wild by sector"] = (f"{wild.outcome}, {wild.n_clusters} clusters, {o['treated_sectors']} with "
                                        f"adopters; {o['estimate']:+.2f}, analytic [{o['analytic_low']:+.2f}, "
                                        f"{o['analytic_high']:+.2f}], wild [{o['wild_low']:+.2f}, "
                                        f"{o['wild_high']:+.2f}]")
    return _lines(values)


def truth(dataset, outcome: str, panel: pd.DataFrame, covariates: list[str], until_year: int,
          method: str = "dr") -> dict | None:
    """The demo data's true effects for the cohorts and entities the estimates use (None for real data)."""
    from evaluation.questions.impact import estimate, true_effects

    if not dataset.synthetic:
        return None
    try:
        result, _ = estimate(panel, covariates, method=method if covariates else "dr")
    except ValueError:
        return None
    return true_effects(dataset, outcome, panel, result, until_year)


# --------------------------------------------------------------------------------------
# synthetic difference-in-differences for the first national cohort (heads of sector)
# --------------------------------------------------------------------------------------

#: Estimator ids of the synthetic-DiD rows, in the order of ``SyntheticDidResult.tidy()``.
SDID_ESTIMATORS = ("sdid", "sc", "did")
#: Kept for callers of the former labels: id -> id (the words are in ``evaluation.text.robustness``).
SDID_LABELS = {k: k for k in SDID_ESTIMATORS}
#: Reason codes of :class:`FirstCohortSynthetic` (``reason``) and what each carries.
FIRST_COHORT_REASONS = {
    "no_head_of_sector_column": "the data do not say which entities are national heads of sector",
    "no_head_adopted": "no national head of sector adopted within the years of data",
    "few_pre_years": "fewer than two years of the outcome before the first cohort (cohort, first_year)",
    "head_not_complete": "no head of sector of the first cohort is observed in every year (cohort)",
    "no_comparison": "no national entity is left that had not adopted by the last year",
    "estimator": "synthetic_did refused the block (error)",
    "no_indicator": "the data have no indicator",
}


@dataclass(frozen=True)
class FirstCohortSynthetic:
    """Synthetic DiD for the national heads of sector that adopted first (:func:`first_cohort_synthetic_did`).

    ``outcome`` is the outcome used, which differs from ``requested`` when the
    requested one was not measured in two years before that cohort adopted
    (``requested_reason``/``requested_first_year`` say why). ``result`` is None
    when no outcome allows the estimate; ``reason`` is then a code of
    :data:`FIRST_COHORT_REASONS`, with ``first_year`` and ``error`` as it needs.
    """

    requested: str
    outcome: str | None
    cohort: int | None
    result: did.SyntheticDidResult | None
    reason: str = ""
    dropped: int = 0
    last_year: int | None = None
    first_year: int | None = None
    error: str = ""
    requested_reason: str = ""
    requested_first_year: int | None = None

    @property
    def substituted(self) -> bool:
        return self.result is not None and self.outcome != self.requested

    @property
    def note(self) -> str:
        """The reason code (kept for callers of the former sentence)."""
        return self.reason or self.requested_reason

    @property
    def effective_controls(self) -> float:
        """1 / sum of squared unit weights: how many comparison entities the weights amount to."""
        if self.result is None:
            return np.nan
        return 1 / float(np.sum(self.result.unit_weights.to_numpy() ** 2))

    def top_controls(self, n: int = 3) -> list:
        """Ids of the comparison entities with the largest synthetic-DiD weights."""
        if self.result is None:
            return []
        top = self.result.unit_weights.sort_values(ascending=False)
        return list(top[top > 0].head(n).index)

    def weighted_years(self, threshold: float = 0.05) -> list[int]:
        """Pre-adoption years with a time weight above ``threshold``, largest first."""
        if self.result is None:
            return []
        w = self.result.time_weights
        return [int(y) for y in w[w > threshold].sort_values(ascending=False).index]

    def tidy(self) -> pd.DataFrame:
        """The three estimators' rows (:data:`COMPARISON_COLUMNS`); one unidentified row with the reason if none.

        ``n_units`` is the treated entities, ``n_clusters`` the comparison entities
        (``sdid``, ``did``) or those with a weight (``sc``), ``cells`` the
        pre-adoption years.
        """
        if self.result is None:
            return pd.DataFrame([_row("sdid", note=self.reason)], columns=COMPARISON_COLUMNS)
        r = self.result
        t = r.tidy()
        rows = []
        for k, row in zip(t["estimator"], t.itertuples()):
            if k == "sc":
                assert r.sc_unit_weights is not None  # an "sc" row exists only when the comparisons were fitted
                controls = int(np.count_nonzero(r.sc_unit_weights))
            else:
                controls = int(r.n_control)
            rows.append(_row(k, estimate=row.estimate, std_error=row.std_error, conf_low=row.conf_low,
                             conf_high=row.conf_high, identified=bool(np.isfinite(row.estimate)),
                             n_units=int(r.n_treated), n_clusters=controls, cells=int(r.n_pre)))
        return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _first_cohort_block(panel: pd.DataFrame) -> tuple[pd.DataFrame | None, int | None, int, str, int | None]:
    """The block: national heads of sector of the first cohort, against national entities not adopted yet.

    Returns ``(block, first cohort, entities dropped, reason code, first year measured)``.
    """
    if not {"level", "head_of_sector"}.issubset(panel.columns):
        return None, None, 0, "no_head_of_sector_column", None
    national = panel[(panel["level"] == "national") & panel["value"].notna()]
    heads = national[(national["head_of_sector"] == 1) & (national["cohort"] > 0)]
    if heads.empty:
        return None, None, 0, "no_head_adopted", None
    first = int(heads["cohort"].min())
    treated_ids = set(heads.loc[heads["cohort"] == first, "entity_id"])
    keep = national[national["entity_id"].isin(treated_ids) | (national["cohort"] == 0)]
    years = np.sort(keep["year"].unique())
    counts = keep.groupby("entity_id")["year"].nunique()
    complete = counts.index[counts == years.size]
    dropped = int(counts.size - complete.size)
    keep = keep[keep["entity_id"].isin(complete)]
    if int((years < first).sum()) < 2:
        return None, first, dropped, "few_pre_years", int(years.min())
    if not set(keep["entity_id"]) & treated_ids:
        return None, first, dropped, "head_not_complete", int(years.min())
    if not (keep["cohort"] == 0).any():
        return None, first, dropped, "no_comparison", int(years.min())
    block = keep.assign(treated=((keep["cohort"] == first) & (keep["year"] >= first)).astype(int))
    return block, first, dropped, "", int(years.min())


def first_cohort_synthetic_did(dataset, outcome: str, until_year: int | None = None, *, replications: int = 200,
                               seed: int = 2016, alpha: float = 0.05) -> FirstCohortSynthetic:
    """Synthetic DiD (:func:`evaluation.did.synthetic_did`, Arkhangelsky et al. 2021) for the first national
    cohort of heads of sector.

    The heads of sector that created the post first are one block (same year,
    treated ever after); the comparisons are the national entities that had not
    created it by the last year used. Entities not observed in every year are
    left out (synthetic DiD needs a balanced block). If ``outcome`` was not
    measured in two years before that cohort adopted, the first of the
    dataset's other indicators that was is used instead, and
    ``requested_reason`` says why; the estimate is then about that indicator,
    not the report's outcome.
    """
    from evaluation.panel import analysis_panel

    reasons = []
    for candidate in [outcome] + [o for o in dataset.indicators if o != outcome]:
        block, first, dropped, reason, first_year = _first_cohort_block(
            analysis_panel(dataset, candidate, "national", until_year=until_year))
        if block is None:
            reasons.append((candidate, reason, first, first_year, dropped))
            if first is None:  # no heads of sector at all: another outcome will not help
                break
            continue
        substituted = candidate != outcome and bool(reasons)
        requested_reason = reasons[0][1] if substituted else ""
        requested_first_year = reasons[0][3] if substituted else None
        try:
            result = did.synthetic_did(block, "value", "entity_id", "year", "treated", replications=replications,
                                       seed=seed, alpha=alpha)
        except ValueError as exc:  # e.g. fewer comparisons than treated entities: say so in the table
            return FirstCohortSynthetic(outcome, candidate, first, None, "estimator", dropped,
                                        int(block["year"].max()), first_year, str(exc),
                                        requested_reason=requested_reason, requested_first_year=requested_first_year)
        return FirstCohortSynthetic(outcome, candidate, first, result, "", dropped, int(block["year"].max()),
                                    first_year, requested_reason=requested_reason,
                                    requested_first_year=requested_first_year)
    if not reasons:
        return FirstCohortSynthetic(outcome, None, None, None, "no_indicator")
    _, reason, first, first_year, dropped = reasons[0]
    return FirstCohortSynthetic(outcome, None, first, None, reason, dropped, first_year=first_year)


# --------------------------------------------------------------------------------------
# few-cluster inference: national entities clustered by sector (wild cluster bootstrap-t)
# --------------------------------------------------------------------------------------

#: Coverage of 95 % intervals for the overall ATT (and the event study's uniform band) measured by the slow
#: simulation in ``tests/did/test_wild_bootstrap.py`` (1,000 replications, Monte Carlo SE about 1 point), as
#: the README's few-cluster table states it; ``tests/test_robustness.py`` checks the README still says this.
WILD_COVERAGE = {
    24: {"analytic": 0.924, "wild": 0.951, "wild_band": 0.941},
    10: {"analytic": 0.888, "wild": 0.945, "wild_band": 0.947},
    "24, adopters in 3": {"analytic": 0.771, "wild": 0.888, "wild_band": 0.854},
}
#: Columns of :meth:`SectorWildBootstrap.tidy`: the two intervals side by side, one row per effect.
WILD_COLUMNS = ["effect", "event_time", "estimate", "std_error", "analytic_low", "analytic_high", "wild_low",
                "wild_high", "treated_sectors", "identified", "note"]
#: ``effect`` of the overall row (the others are ``event_time``).
OVERALL_EFFECT = "overall"
#: Reason codes of :class:`SectorWildBootstrap` (``note``); ``detail`` carries the data a code needs.
WILD_REASONS = {
    "no_outcome": "the outcome has no values up to that year (detail: the panel's message)",
    "no_national": "no national entities with values of the outcome",
    "no_sector": "entities.csv gives no sector for the national entities",
    "one_sector": "all national entities with a sector belong to one sector (detail: its name)",
    "estimator": "att_gt refused the data (detail: its message)",
    "not_identified": "no cohort-year cell is identified (detail: the estimator's note)",
}


@dataclass(frozen=True)
class SectorWildBootstrap:
    """Callaway-Sant'Anna on the national entities with standard errors clustered by sector (:func:`wild_by_sector`).

    ``analytic`` is ``att_gt(..., cluster="sector")`` (cluster-robust standard
    errors, normal intervals); ``wild`` the same estimate with
    ``cluster_bootstrap="wild"`` (wild cluster bootstrap-t, Webb weights drawn per
    sector; :mod:`evaluation.did.wild_bootstrap`). Both are None when the data do
    not allow it; ``note`` is then a code of :data:`WILD_REASONS` and ``detail``
    the data it needs.
    """

    outcome: str
    analytic: did.GroupTimeResult | None
    wild: did.GroupTimeResult | None
    note: str
    n_entities: int = 0
    n_sectors: int = 0
    no_sector: int = 0
    detail: str = ""

    @property
    def n_clusters(self) -> int:
        """Sectors among the entities the estimate uses (entities adopted before the first year drop out)."""
        return 0 if self.wild is None else int(self.wild.inference.n_clusters)

    @property
    def n_used(self) -> int:
        return 0 if self.wild is None else int(self.wild.n_units)

    def treated_sectors(self, cohorts) -> int:
        """Sectors holding at least one entity of ``cohorts`` among the entities the estimate uses."""
        if self.wild is None:
            return 0
        inside = np.isin(self.wild.unit_cohort, np.asarray(list(cohorts), dtype=float))
        assert self.wild.cluster_codes is not None  # the estimate is clustered by sector
        return int(np.unique(self.wild.cluster_codes[inside]).size)

    def tidy(self) -> pd.DataFrame:
        """The overall ATT and the event study: estimate, cluster-robust SE, the analytic and the wild limits.

        The overall row's two intervals are pointwise; on the event-time rows
        the analytic interval is pointwise and the wild limits are a uniform band
        over the event times (as every event-study band of the suite). When the
        estimate is not possible: one row, ``identified`` False, ``note`` the reason code.
        """
        if self.wild is None:
            return pd.DataFrame([{"effect": OVERALL_EFFECT, "event_time": np.nan, "estimate": np.nan,
                                  "std_error": np.nan, "analytic_low": np.nan, "analytic_high": np.nan,
                                  "wild_low": np.nan, "wild_high": np.nan, "treated_sectors": 0, "identified": False,
                                  "note": self.note}], columns=WILD_COLUMNS)
        assert self.analytic is not None  # None only together with wild
        cells = self.wild.tidy()
        cells = cells[cells["identified"]]
        a, w = self.analytic.aggregate("simple").overall, self.wild.aggregate("simple").overall
        rows = [{"effect": OVERALL_EFFECT, "event_time": np.nan, "estimate": w.estimate, "std_error": w.std_error,
                 "analytic_low": a.conf_low, "analytic_high": a.conf_high, "wild_low": w.conf_low,
                 "wild_high": w.conf_high,
                 "treated_sectors": self.treated_sectors(cells.loc[cells["event_time"] >= 0, "cohort"].unique()),
                 "identified": bool(w.identified), "note": w.note}]
        analytic, wild = self.analytic.aggregate("dynamic").tidy(), self.wild.aggregate("dynamic").tidy()
        for ra, rw in zip(analytic.itertuples(), wild.itertuples()):
            rows.append({"effect": "event_time", "event_time": rw.event_time,
                         "estimate": rw.estimate, "std_error": rw.std_error, "analytic_low": ra.conf_low,
                         "analytic_high": ra.conf_high, "wild_low": rw.conf_low, "wild_high": rw.conf_high,
                         "treated_sectors": self.treated_sectors(
                             cells.loc[cells["event_time"] == rw.event_time, "cohort"].unique()),
                         "identified": bool(rw.identified), "note": rw.note})
        return pd.DataFrame(rows, columns=WILD_COLUMNS)

    def event_time_counts(self) -> dict:
        """Event times (after, before adoption) whose analytic interval / wild band excludes zero, and totals."""
        table = self.tidy()
        es = table[table["event_time"].notna() & table["identified"].astype(bool)]
        pre, post = es[es["event_time"] < 0], es[es["event_time"] >= 0]

        def count(rows, low, high):
            return int(sum(not _covers_zero(lo, hi) for lo, hi in zip(rows[low], rows[high])))

        return {"event_times": len(es), "post": len(post), "pre": len(pre),
                "post_analytic": count(post, "analytic_low", "analytic_high"),
                "post_wild": count(post, "wild_low", "wild_high"),
                "pre_analytic": count(pre, "analytic_low", "analytic_high"),
                "pre_wild": count(pre, "wild_low", "wild_high")}


class _Counts(TypedDict, total=False):
    """The entity and sector counts of a :class:`SectorWildBootstrap`."""

    n_entities: int
    n_sectors: int
    no_sector: int


def _not_by_sector(outcome: str, note: str, detail: str = "", **counts: Unpack[_Counts]) -> SectorWildBootstrap:
    return SectorWildBootstrap(outcome, None, None, note, detail=detail, **counts)


def wild_by_sector(dataset, outcome: str, covariates: list[str] | str, until_year: int | None = None, *,
                   method: str = "dr", draws: int = 999, seed: int = 2016, alpha: float = 0.05) -> SectorWildBootstrap:
    """The impact estimate on the national entities with wild-cluster-bootstrap intervals by sector.

    National entities are clustered by their administrative sector (``sector`` of
    entities.csv; about 24 in the programme's data), so outcome shocks shared
    within a sector are allowed for. With so few clusters the analytic
    cluster-robust interval undercovers; the wild cluster bootstrap-t (Cameron,
    Gelbach & Miller 2008, Webb 2023 six-point weights; ``att_gt(...,
    cluster_bootstrap="wild", bootstrap=draws)``) is the interval to read, and
    both are returned. Callaway-Sant'Anna with never-treated comparisons (the
    not yet treated when no national entity is never treated), conditional on
    ``covariates``. National entities with a blank sector are left out
    (``no_sector`` counts them); no national entities, no sector, or fewer than
    two sectors give a result whose ``note`` says why (one unidentified row in
    ``tidy()``), never an error. ``covariates`` is a list of columns, or the notebook's
    ``covariates`` parameter (``"default"``, ``"none"``, names), read for the national entities.
    """
    from evaluation.panel import analysis_panel, resolve_covariates

    if isinstance(covariates, str):
        covariates = resolve_covariates(dataset, covariates, "national")

    try:
        panel = analysis_panel(dataset, outcome, "national", until_year=until_year)
    except ValueError as exc:  # e.g. the outcome has no values up to that year
        return _not_by_sector(outcome, "no_outcome", str(exc))
    panel = panel[panel["value"].notna()] if "value" in panel.columns else panel
    if panel.empty:
        return _not_by_sector(outcome, "no_national")
    if "sector" not in panel.columns or panel["sector"].isna().all():
        return _not_by_sector(outcome, "no_sector", n_entities=int(panel["entity_id"].nunique()))
    blank = panel["sector"].isna()
    no_sector = int(panel.loc[blank, "entity_id"].nunique())
    panel = panel[~blank]
    n_entities, sectors = int(panel["entity_id"].nunique()), panel["sector"].unique()
    counts = _Counts(n_entities=n_entities, n_sectors=int(sectors.size), no_sector=no_sector)
    if sectors.size < 2:
        return _not_by_sector(outcome, "one_sector", str(sectors[0]), **counts)
    never = ~(pd.to_numeric(panel["cohort"], errors="coerce") > 0)
    options = dict(**PANEL_KEYS, control_group="never_treated" if never.any() else "not_yet_treated",
                   covariates=list(covariates) or None, method=method if covariates else "dr", cluster="sector",
                   alpha=alpha)
    try:
        analytic = _quiet(did.att_gt, panel, **options)
        wild = _quiet(did.att_gt, panel, **options, cluster_bootstrap="wild", bootstrap=draws, seed=seed)
    except ValueError as exc:  # e.g. two sectors, one left once the already-treated entities drop out
        return _not_by_sector(outcome, "estimator", str(exc), **counts)
    if not wild.aggregate("simple").overall.identified:
        return _not_by_sector(outcome, "not_identified", wild.aggregate("simple").overall.note or "", **counts)
    return SectorWildBootstrap(outcome, analytic, wild, "", **counts)


def coverage_design(n_clusters: int) -> str:
    """Which design of the coverage simulation these data resemble: ``large`` (24+), ``between`` or ``fewer``."""
    return "large" if n_clusters >= 24 else "between" if n_clusters >= 10 else "fewer"
