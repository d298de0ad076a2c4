"""Findings along the OECD DAC criteria: numbers only, each verdict chosen by a stated rule.

``evaluate(dataset, ...)`` builds one frozen :class:`Finding` per criterion --
relevance, coherence, effectiveness, impact, efficiency, sustainability --
holding the numbers the verdict rests on (``numbers``), the key number with
its interval, supporting tables, and the verdict identifier chosen by
:func:`evaluation.questions.verdicts.decide` from those numbers. The words
(verdicts, sentences, table headers) are in ``evaluation.text.findings``.

It recomputes what it needs by calling the numeric functions of the other
reports' modules (surveys, monitoring, impact, costs, heterogeneity) and
``evaluation.did`` directly (the sensitivity analyses of Rambachan & Roth 2023,
the pre-test power of Roth 2022, placebos, randomization inference and the
minimum detectable effect), never their text, so every report runs alone.

One number, one interval: the effect's interval quoted everywhere is the one
``impact.estimate`` gives with the run's ``bootstrap`` and ``seed`` (the
multiplier bootstrap when ``bootstrap > 0``), the same the impact report shows.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy import stats

from evaluation import did
from evaluation.panel import ENTITY_GROUPS, PANEL_KEYS, analysis_panel, late_adopters, resolve_covariates
from evaluation.questions import (
    costs,
    data_quality,
    heterogeneity,
    impact,
    monitoring,
    robustness as shared_checks,
    surveys,
    verdicts,
)

CRITERIA = verdicts.CRITERIA
#: Default number of random reassignments of adoption dates and of simulated panels (as the robustness report).
PLACEBO_DRAWS = 99
POWER_SIMULATIONS = 200


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


# ------------------------------------------------------------------ result types


@dataclass(frozen=True, eq=False)
class Finding:
    """What the evaluation concludes on one DAC criterion, as numbers and a verdict identifier.

    Attributes
    ----------
    criterion_id : str
        ``relevance``, ``coherence``, ``effectiveness``, ``impact``, ``efficiency``, ``sustainability``.
    verdict_id : str
        The identifier of the rule that applied (``verdicts.RULES``).
    strength : str
        Strength of the evidence, from the rule (``strong``, ``moderate``, ``weak``, ``none``).
    estimate, conf_low, conf_high : float
        The key number and its interval (NaN where the key number has none).
    numbers : mapping
        Every named number the rules and the sentences use.
    tables : mapping of str to DataFrame
        Supporting tables (needs, outputs, placebos, ...).
    """

    criterion_id: str
    verdict_id: str
    strength: str
    estimate: float = float("nan")
    conf_low: float = float("nan")
    conf_high: float = float("nan")
    numbers: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def rule(self) -> verdicts.Rule:
        return verdicts.rule(self.verdict_id)

    def failed(self) -> list[str]:
        """Conditions of the strongest verdict of this criterion that do not hold (why it was not given)."""
        strongest = next(r for r in verdicts.RULES[self.criterion_id] if r.conditions and r.strength != "none")
        return verdicts.failed_conditions(strongest.id, self.numbers)

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"criterion_id": self.criterion_id, "verdict_id": self.verdict_id,
                              "strength": self.strength, "estimate": self.estimate, "conf_low": self.conf_low,
                              "conf_high": self.conf_high}])

    def __repr__(self) -> str:
        return f"<Finding {self.criterion_id}: {self.verdict_id}>"


def _finding(criterion: str, numbers: Mapping, *, estimate=np.nan, conf_low=np.nan, conf_high=np.nan,
             tables: Mapping | None = None) -> Finding:
    chosen = verdicts.decide(criterion, numbers)
    return Finding(criterion, chosen.id, chosen.strength, float(estimate), float(conf_low), float(conf_high),
                   _frozen(numbers), _frozen(tables or {}))


@dataclass(frozen=True, eq=False)
class Findings:
    """The six findings, in DAC order, with the settings they were made with."""

    findings: tuple[Finding, ...]
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False)
    synthetic: bool = False

    def __getitem__(self, criterion: str) -> Finding:
        for finding in self.findings:
            if finding.criterion_id == criterion.lower():
                return finding
        raise KeyError(f"no finding for {criterion!r}; criteria: {', '.join(CRITERIA)}")

    def __iter__(self):
        return iter(self.findings)

    def tidy(self) -> pd.DataFrame:
        """One row per criterion: ``criterion_id, verdict_id, strength, estimate, conf_low, conf_high``."""
        return pd.concat([f.tidy() for f in self.findings], ignore_index=True)

    def __repr__(self) -> str:
        return "<Findings " + "; ".join(f"{f.criterion_id}: {f.verdict_id}" for f in self.findings) + ">"


# ------------------------------------------------------------------ shared evidence: the impact estimate


@dataclass(frozen=True, eq=False)
class ImpactEvidence:
    """The impact estimate the impact, efficiency and sustainability findings share, with its robustness checks.

    Made exactly as the impact report makes it (``analysis_panel``,
    ``resolve_covariates``, ``impact.estimate`` with the run's bootstrap and
    seed), plus: the event study with a universal base period and both
    HonestDiD sensitivity analyses, the pre-test power against a linear trend,
    placebo adoption dates, randomization inference, the minimum detectable
    effect and, for the demo data, the true effects.
    """

    indicator: str
    entities: str
    covariates: tuple[str, ...]
    control_group: str
    alpha: float
    panel: pd.DataFrame = field(repr=False)
    result: Any = field(repr=False)
    overall: Any = None
    dynamic: Any = field(repr=False, default=None)
    pretest: Any = None
    pretest_calibration: Any = None  # did.PretestCalibration of the pre-test (impact.pretest_calibration), or None
    notes: tuple[str, ...] = ()
    truth: dict | None = field(repr=False, default=None)
    pre_years: pd.DataFrame = field(repr=False, default=None)
    late_adopters: int = 0
    all_adopters: int = 0
    evaluated_cohorts: tuple[int, ...] = ()
    error: str = ""
    robustness: Mapping[str, Any] = field(default_factory=dict, repr=False)
    placebos: pd.DataFrame = field(repr=False, default=None)

    @property
    def estimated(self) -> bool:
        return self.overall is not None and bool(self.overall.identified) and np.isfinite(self.overall.estimate)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def smallest_smoothness_bound(dynamic) -> float:
    """The smallest M of the smoothness restriction the pre-adoption coefficients are consistent with.

    The largest absolute second difference of the pre-adoption event-study
    coefficients (reference period at zero): for a smaller M the pre-adoption
    drift itself bends more than M allows, so the identified set is empty
    (Rambachan & Roth 2023, section 2.3). 0 with fewer than two pre-adoption
    coefficients (no second difference is observed).
    """
    from evaluation.did.honest import _event_time_inputs, sd_constraints

    beta, _, pre, _, _ = _event_time_inputs(dynamic)
    if len(pre) < 2:
        return 0.0
    return float(np.max(np.abs(sd_constraints(len(pre), 0) @ beta[:len(pre)])))


def robustness_numbers(panel: pd.DataFrame, covariates: list[str], overall, *, method: str = "dr",
                       control_group: str = "never_treated", alpha: float = 0.05, seed: int | None = 2016,
                       placebo_draws: int = PLACEBO_DRAWS, power_simulations: int = POWER_SIMULATIONS,
                       ) -> tuple[dict, pd.DataFrame]:
    """The sensitivity, pre-test power, placebo, randomization and power results behind the impact verdict.

    Returns the named numbers (NaN where a check cannot be computed, with its
    reason under ``<check>_note``) and the placebo table.
    """
    nan = float("nan")
    out: dict[str, Any] = {}
    covs = list(covariates) or None
    sign = np.sign(overall.estimate) if overall is not None and np.isfinite(overall.estimate) else 0.0
    try:
        dyn = shared_checks.event_study(panel, covs, method=method if covs else "dr", control_group=control_group,
                                     alpha=alpha)
        rm = shared_checks.from_dynamic(did.honest, dyn, "relative_magnitude", alpha=alpha, seed=seed or 0)
        sd = shared_checks.from_dynamic(did.honest, dyn, "smoothness", alpha=alpha)
        m_pre = smallest_smoothness_bound(dyn)
        at_pre = shared_checks.from_dynamic(did.honest, dyn, "smoothness", grid=[m_pre], alpha=alpha).frame.iloc[1]
        original = rm.original
        covered = original["conf_low"] <= 0 <= original["conf_high"]
        out.update(honest_target_estimate=rm.estimate, honest_low=float(original["conf_low"]),
                   honest_high=float(original["conf_high"]),
                   rm_breakdown=0.0 if covered else float(rm.breakdown),
                   rm_grid_max=float(rm.frame["parameter"].max()),
                   sd_breakdown=0.0 if covered else float(sd.breakdown),
                   sd_grid_max=float(sd.frame["parameter"].max()), sd_m_pre=m_pre,
                   sd_pre_low=float(at_pre["conf_low"]), sd_pre_high=float(at_pre["conf_high"]),
                   post_first=int(min(t for t in rm.post_event_times if t >= 0)),
                   post_last=int(max(rm.post_event_times)))
        out["sd_keeps_sign"] = bool((sign > 0 and at_pre["conf_low"] > 0) or (sign < 0 and at_pre["conf_high"] < 0))
        found = shared_checks.pretrend_power(dyn, target_power=0.5)  # the robustness report's, computed once
        if isinstance(found, str):
            out.update(pretrend_slope_half=nan, pretrend_note=found)
        else:
            post = [t for t in rm.post_event_times if t >= 0]
            reference = found.settings.get("reference", -1)
            bias = found.slope * float(np.mean([t - reference for t in post]))
            out.update(pretrend_slope_half=float(found.slope), pretrend_bias=bias,
                       pretrend_bias_share=abs(bias) / abs(rm.estimate) if rm.estimate else np.inf,
                       pretrend_size=float(found.size))
    except (ValueError, TypeError) as exc:
        out.update(rm_breakdown=nan, sd_breakdown=nan, sd_keeps_sign=False, honest_note=str(exc),
                   pretrend_slope_half=nan)
    try:
        pl = shared_checks.computed_once(did.placebo, panel, **PANEL_KEYS, covariates=covs, method=method, alpha=alpha,
                                      control_group=control_group).tidy()
    except ValueError as exc:
        pl = pd.DataFrame(columns=["shift", "estimate", "conf_low", "conf_high", "p_value", "identified"])
        out["placebo_note"] = str(exc)
    ok = pl[pl["identified"].astype(bool)] if len(pl) else pl
    out.update(placebos_estimated=int(len(ok)), placebos_rejecting=int((ok["p_value"] < alpha).sum()) if len(ok) else 0)
    try:
        ri = shared_checks.computed_once(did.randomization_inference, panel, **PANEL_KEYS, draws=int(placebo_draws),
                                      seed=seed, covariates=covs, method=method, control_group=control_group)
        out.update(ri_p_value=float(ri.p_value), ri_draws=int(ri.n_valid))
    except ValueError as exc:
        out.update(ri_p_value=nan, ri_draws=0, ri_note=str(exc))
    try:
        pw = shared_checks.computed_once(did.power, panel, **PANEL_KEYS, simulations=int(power_simulations), seed=seed,
                                      alpha=alpha, covariates=covs, control_group=control_group)
        out.update(mde=float(pw.mde), mde_power=float(pw.target_power), mde_simulations=int(pw.simulations))
    except ValueError as exc:
        out.update(mde=nan, mde_note=str(exc))
    return out, pl.reset_index(drop=True)


def impact_evidence(dataset, *, year: int, outcome: str = "POL07", entities: str = "territorial",
                    covariates: str = "default", control_group: str = "never_treated", method: str = "dr",
                    alpha: float = 0.05, bootstrap: int | None = None, seed: int | None = 2016,
                    placebo_draws: int = PLACEBO_DRAWS, power_simulations: int = POWER_SIMULATIONS,
                    robustness: bool = True) -> ImpactEvidence:
    """Estimate the average effect as the impact report does, and its robustness checks; never raises for data
    that cannot support it (the reason is kept in ``error``)."""
    covs = tuple(resolve_covariates(dataset, covariates, entities))
    pre_years = data_quality.pre_adoption_years(dataset, until_year=year)
    pre_years = pre_years[pre_years["indicator"] == outcome]
    empty = dict(indicator=outcome, entities=entities, covariates=covs, control_group=control_group, alpha=alpha,
                 pre_years=pre_years, late_adopters=late_adopters(dataset, outcome, year),
                 all_adopters=costs.adopters_in_scope(dataset, entities, year) if len(dataset.adoption) else 0)
    try:
        panel = analysis_panel(dataset, outcome, entities, year)
        result, notes = impact.estimate(panel, list(covs), control_group=control_group, method=method,
                                        bootstrap=bootstrap or None, seed=seed, alpha=alpha)
    except ValueError as exc:
        return ImpactEvidence(panel=pd.DataFrame(), result=None, error=str(exc), **empty)
    overall = result.aggregate("simple").overall
    cells = result.tidy()
    evaluated = tuple(int(c) for c in sorted(cells.loc[cells["identified"] & (cells["time"] >= cells["cohort"]),
                                                       "cohort"].unique()))
    checks: dict = {}
    placebos = None
    calibration = None
    if robustness:
        # the impact report's, computed once: the pre-test judged against panels simulated like this one
        calibration = impact.pretest_calibration(panel, list(covs), control_group=control_group, method=method,
                                                 alpha=alpha, seed=seed)
    if robustness and overall.identified and np.isfinite(overall.estimate):
        checks, placebos = robustness_numbers(panel, list(covs), overall, method=method, control_group=control_group,
                                              alpha=alpha, seed=seed, placebo_draws=placebo_draws,
                                              power_simulations=power_simulations)
    return ImpactEvidence(panel=panel, result=result, overall=overall, dynamic=result.aggregate("dynamic"),
                          pretest=result.pretest(), pretest_calibration=calibration, notes=tuple(notes),
                          truth=impact.true_effects(dataset, outcome, panel, result, until_year=year),
                          evaluated_cohorts=evaluated, robustness=_frozen(checks), placebos=placebos, **empty)


# ------------------------------------------------------------------ relevance


#: The conditions the design targets, as the surveys measure them: (survey, kind, measure).
DESIGN_NEEDS = (
    ("survey_ict_offices", "item", "q_align_committee"),
    ("survey_ict_offices", "scale", "alignment"),
    ("survey_ict_offices", "scale", "skills"),
    ("survey_directors", "scale", "alignment"),
)


def needs_table(dataset, *, alpha: float = 0.05, min_group_size: int = surveys.MIN_GROUP_SIZE) -> pd.DataFrame:
    """Share of respondents already reporting each condition the design targets (``DESIGN_NEEDS``), Wilson intervals.

    ``reading``: ``need_confirmed`` when the whole interval is below one half
    (most lacked the condition), ``not_widespread`` above it, ``unclear``
    otherwise, ``not_assessable`` when suppressed or missing.
    """
    rows = []
    for name, kind, measure in DESIGN_NEEDS:
        survey = surveys.read(dataset, name, min_group_size=min_group_size)
        found = surveys.need(survey, alpha=alpha, min_group_size=min_group_size, **{kind: measure})
        reading = {"need confirmed": "need_confirmed", "no widespread need": "not_widespread"}.get(
            found.reading, found.reading.replace(" ", "_"))
        rows.append({"survey": name, "kind": kind, "measure": measure, "respondents": found.respondents,
                     "share": found.share, "conf_low": found.conf_low, "conf_high": found.conf_high,
                     "reading": reading, "available": survey.available})
    return pd.DataFrame(rows)


def relevance(dataset, *, alpha: float = 0.05, min_group_size: int = surveys.MIN_GROUP_SIZE, seed: int = 2016) -> Finding:
    """Relevance from the 2015 diagnosis surveys: how many of the needs the design targets the surveys confirm."""
    table = needs_table(dataset, alpha=alpha, min_group_size=min_group_size)
    usable = table[table["reading"] != "not_assessable"]
    numbers = {"needs_measured": len(usable), "needs_confirmed": int((usable["reading"] == "need_confirmed").sum()),
               "needs_not_widespread": int((usable["reading"] == "not_widespread").sum()),
               "needs_listed": len(table), "alpha": alpha,
               "surveys_missing": tuple(n for n in surveys.SURVEYS if getattr(dataset, n) is None)}
    key = usable.iloc[0] if len(usable) else None
    return _finding("relevance", numbers, tables={"needs": table},
                    estimate=key["share"] if key is not None else np.nan,
                    conf_low=key["conf_low"] if key is not None else np.nan,
                    conf_high=key["conf_high"] if key is not None else np.nan)


# ------------------------------------------------------------------ coherence


@dataclass(frozen=True, eq=False)
class PriorPerformance:
    """How entities that later adopted scored before the programme, against those that never adopted.

    ``by_cohort``: mean score (t interval) by eventual adoption cohort (``group``
    is the cohort year, or ``never``); ``difference``: adopters minus
    never-adopters (Welch interval); ``adjusted``: the same gap from an OLS with
    the trend covariates (HC1); ``rank_correlation``: Spearman correlation of
    adoption year with the score among adopters.
    """

    indicator: str
    year: int
    by_cohort: pd.DataFrame = field(repr=False)
    adopters: int
    never: int
    difference: float
    conf_low: float
    conf_high: float
    adjusted: float
    adjusted_low: float
    adjusted_high: float
    covariates: tuple[str, ...]
    rank_correlation: float
    rank_p_value: float

    def tidy(self) -> pd.DataFrame:
        return self.by_cohort.copy()


def prior_performance(dataset, *, entities: str = "territorial", covariates: str = "default",
                      until_year: int | None = None, alpha: float = 0.05) -> PriorPerformance | None:
    """Scores of the last year before the first adoption, adopters against never-adopters.

    Takes the indicator with the most entities scored in the latest year before
    the first cohort (for the demo, GEL in 2015). None when no outcome was
    measured before the first adoption, or a group has fewer than two entities.
    """
    adoption = dataset.adoption
    if until_year is not None:
        adoption = adoption[adoption["cohort"] <= until_year]
    if adoption.empty:
        return None
    first = int(adoption["cohort"].min())
    outcomes = dataset.outcomes
    before = outcomes[outcomes["value"].notna() & (outcomes["year"] < first)]  # not a copy of every scored row
    if before.empty:
        return None
    year = int(before["year"].max())
    latest = before[before["year"] == year]
    indicator = latest.groupby("indicator")["entity_id"].nunique().idxmax()
    levels = ENTITY_GROUPS[entities]
    ents = dataset.entities if levels is None else dataset.entities[dataset.entities["level"].isin(levels)]
    frame = latest[latest["indicator"] == indicator].merge(ents, on="entity_id")
    frame["cohort"] = frame["entity_id"].map(adoption.set_index("entity_id")["cohort"])
    adopters, never = frame[frame["cohort"].notna()], frame[frame["cohort"].isna()]
    if len(adopters) < 2 or len(never) < 2:
        return None
    rows = []
    for label, part in [*((str(int(c)), g) for c, g in adopters.groupby("cohort")), ("never", never)]:
        values = part["value"].to_numpy(float)
        half = stats.t.ppf(1 - alpha / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) \
            if len(values) > 1 else np.nan
        rows.append({"group": label, "entities": len(values), "mean": values.mean(),
                     "conf_low": values.mean() - half, "conf_high": values.mean() + half})
    a, b = adopters["value"].to_numpy(float), never["value"].to_numpy(float)
    low, high = stats.ttest_ind(a, b, equal_var=False).confidence_interval(1 - alpha)
    # the regression module only: ``statsmodels.api`` also loads formulas, datasets and polars (about 1 s per kernel)
    from statsmodels.regression.linear_model import OLS
    from statsmodels.tools.tools import add_constant

    covs = tuple(c for c in resolve_covariates(dataset, covariates, entities) if frame[c].notna().all())
    design = add_constant(pd.DataFrame({"adopter": frame["cohort"].notna().astype(float),
                                           **{c: frame[c].astype(float) for c in covs}}))
    fit = OLS(frame["value"].astype(float), design).fit(cov_type="HC1")
    adj_low, adj_high = fit.conf_int(alpha).loc["adopter"]
    rho = stats.spearmanr(adopters["cohort"], adopters["value"])
    return PriorPerformance(indicator, year, pd.DataFrame(rows), len(a), len(b), float(a.mean() - b.mean()),
                            float(low), float(high), float(fit.params["adopter"]), float(adj_low), float(adj_high),
                            covs, float(rho.statistic), float(rho.pvalue))


def _prior_numbers(prior: PriorPerformance | None) -> dict:
    if prior is None:
        return {"prior_measured": False}
    return {"prior_measured": True, "gap": prior.difference, "gap_low": prior.conf_low, "gap_high": prior.conf_high,
            "gap_indicator": prior.indicator, "gap_year": prior.year, "gap_adjusted": prior.adjusted,
            "gap_adjusted_low": prior.adjusted_low, "gap_adjusted_high": prior.adjusted_high,
            "gap_covariates": prior.covariates, "adopters_before": prior.adopters, "never_before": prior.never,
            "rank_correlation": prior.rank_correlation, "rank_p_value": prior.rank_p_value}


def coherence(dataset, *, entities: str = "territorial", covariates: str = "default", until_year: int | None = None,
              alpha: float = 0.05) -> Finding:
    """Coherence, read modestly from who adopted: how adopters scored before the programme against never-adopters.

    A gap describes who chose to adopt (selection), not whether the GCIO role
    and the MIPG / Gobierno Digital policies reinforce each other.
    """
    prior = prior_performance(dataset, entities=entities, covariates=covariates, until_year=until_year, alpha=alpha)
    numbers = {**_prior_numbers(prior), "alpha": alpha, "entities": entities}
    return _finding("coherence", numbers, tables={"by_cohort": prior.by_cohort} if prior else {},
                    estimate=prior.difference if prior else np.nan, conf_low=prior.conf_low if prior else np.nan,
                    conf_high=prior.conf_high if prior else np.nan)


# ------------------------------------------------------------------ effectiveness


def effectiveness(dataset, *, until_year: int | None = None) -> Finding:
    """Effectiveness from the monitoring table: how many outputs with a target reached 90 % of it."""
    table = monitoring.progress(dataset, until_year)
    planned = table[table["reading"] != "no target"] if len(table) else table
    reached = int((planned["progress"] >= monitoring.NEARLY_MET).sum()) if len(planned) else 0
    numbers = {"monitoring_available": bool(len(table)), "outputs_with_target": len(planned), "reached": reached,
               "share_reached": reached / len(planned) if len(planned) else np.nan,
               "threshold": monitoring.NEARLY_MET}
    primary = planned[planned["output"] == "cio_posts_created"] if len(planned) else planned
    primary = primary.iloc[0] if len(primary) else (planned.iloc[0] if len(planned) else None)
    if primary is not None:
        numbers.update(key_output=primary["output"], key_delivered=float(primary["delivered_in_planned_years"]),
                       key_planned=float(primary["planned"]), key_progress=float(primary["progress"]))
    shown = planned[["output", "delivered_in_planned_years", "planned", "progress", "first_year", "last_year"]] \
        if len(planned) else pd.DataFrame()
    return _finding("effectiveness", numbers, tables={"outputs": shown.reset_index(drop=True)},
                    estimate=numbers.get("key_progress", np.nan))


# ------------------------------------------------------------------ impact


def _impact_numbers(evidence: ImpactEvidence, *, min_effect: float = 0.0, selection: Mapping | None = None) -> dict:
    pre = evidence.pre_years
    unevaluable = pre[~pre["evaluable"]] if pre is not None and len(pre) else pd.DataFrame(columns=["cohort"])
    numbers: dict[str, Any] = {
        "estimated": evidence.estimated, "indicator": evidence.indicator, "entities": evidence.entities,
        "alpha": evidence.alpha, "control_group": evidence.control_group, "covariates": evidence.covariates,
        "all_adopters": evidence.all_adopters, "late_adopters": evidence.late_adopters,
        "evaluated_cohorts": evidence.evaluated_cohorts,
        "unevaluable_cohorts": tuple(int(c) for c in unevaluable["cohort"]),
        "unevaluable_adopters": int(unevaluable["adopters"].sum()) if len(unevaluable) else 0,
        "indicator_first_year": int(pre["first_year"].iloc[0]) if pre is not None and len(pre) else np.nan,
        "error": evidence.error,
        **{f"selection_{k}": v for k, v in (selection or {}).items()},
    }
    if not evidence.estimated:
        return numbers
    o = evidence.overall
    r = dict(evidence.robustness)
    mde = r.get("mde", np.nan)
    size = float(min_effect) if min_effect and min_effect > 0 else mde
    p = evidence.pretest.p_value if evidence.pretest is not None else np.nan
    # The verdict reads the pre-test against panels simulated like these (its chi-square reference rejects true
    # parallel trends far more often than alpha when cohorts are small: evaluation.did.pretest_calibration).
    calibration = evidence.pretest_calibration
    judged = calibration.p_simulated if calibration is not None else p
    if calibration is not None:
        numbers.update(pretest_p_simulated=calibration.p_simulated, pretest_size_chi2=calibration.size_chi2,
                       pretest_simulations=calibration.simulations, pretest_df=calibration.df,
                       pretest_size_off=calibration.size_is_off)
    numbers.update(
        estimate=o.estimate, conf_low=o.conf_low, conf_high=o.conf_high, n_treated=int(o.n_treated),
        n_control=int(o.n_control), bootstrap=int(evidence.result.inference.bootstrap or 0),
        excludes_zero=bool(o.conf_low > 0 or o.conf_high < 0),
        # no pre-test (no pre-adoption cell): None, so a rule that needs "does not reject" does not hold
        pretest_p=p, pretest_rejects=bool(judged < evidence.alpha) if np.isfinite(p) else None,
        min_effect=size, min_effect_is_mde=not (min_effect and min_effect > 0),
        excludes_min_effect=bool(np.isfinite(size) and -size < o.conf_low and o.conf_high < size),
        **r)
    numbers["robust_checks_passed"] = int(bool(r.get("rm_breakdown", np.nan) >= 1)) + int(bool(r.get("sd_keeps_sign")))
    if evidence.truth is not None and np.isfinite(evidence.truth["overall"]):
        numbers["truth"] = evidence.truth["overall"]
    return numbers


def impact_finding(dataset, evidence: ImpactEvidence, *, min_effect: float = 0.0,
                   selection: Mapping | None = None) -> Finding:
    """Impact from the Callaway-Sant'Anna average effect since adoption, judged with its robustness checks.

    ``min_effect``: smallest effect worth detecting; 0 takes the minimum
    detectable effect. ``selection``: the coherence finding's numbers (the
    pre-programme gap), which the impact section reports as selection.
    """
    numbers = _impact_numbers(evidence, min_effect=min_effect, selection=selection)
    tables = {}
    if evidence.estimated:
        tables["dynamic"] = evidence.dynamic.tidy()
        if evidence.placebos is not None:
            tables["placebos"] = evidence.placebos
        if evidence.truth is not None:
            tables["truth_event_time"] = evidence.truth["event_time"]
    return _finding("impact", numbers, tables=tables, estimate=numbers.get("estimate", np.nan),
                    conf_low=numbers.get("conf_low", np.nan), conf_high=numbers.get("conf_high", np.nan))


# ------------------------------------------------------------------ efficiency


def resolve_price_year(price_year: int, year: int) -> int:
    """The price year parameter, interpreted as the cost report does: a year given is used as given; 0 means the
    evaluation year, or the CPI table's last year when the table has no figure for it yet."""
    if price_year:
        return int(price_year)
    return int(min(int(year), max(costs.COP_CPI_INFLATION)))


def efficiency(dataset, evidence: ImpactEvidence, *, until_year: int | None = None, price_year: int = 0,
               exchange_rate: float = costs.DEFAULT_EXCHANGE_RATE_COP_PER_USD, budget_shares: str = "",
               impact_robust: bool = False) -> Finding:
    """Efficiency: budget per CIO post created and per index point gained by the evaluated adopters.

    The cost per point divides the whole budget by the points gained in an
    average year since adoption: the effect times the adopters whose effect was
    estimated (``per adopting entity``, not per entity-year). The same budget
    spread over every adopter of the group is kept as a labelled extrapolation.
    """
    year = until_year or max(dataset.years)
    wanted = int(price_year or year)
    price = resolve_price_year(price_year, year)
    numbers: dict[str, Any] = {"budget_available": costs.available(dataset), "estimated": evidence.estimated,
                               "price_year": price, "price_year_wanted": wanted,
                               "cpi_years": (min(costs.COP_CPI_INFLATION), max(costs.COP_CPI_INFLATION)),
                               "exchange_rate": exchange_rate, "impact_robust": bool(impact_robust),
                               "indicator": evidence.indicator, "alpha": evidence.alpha}
    if not numbers["budget_available"]:
        return _finding("efficiency", numbers)
    result = costs.cost_per_output(dataset, until_year=until_year, shares=budget_shares, price_year=price,
                                   exchange_rate=exchange_rate)
    table = result.table
    numbers["budget_cop"] = float(result.budget_cop)
    numbers["budget_years"] = tuple(sorted(int(y) for y in dataset.costs["year"].unique()))
    posts = table[(table["output"] == "cio_posts_created") & np.isfinite(table["cost_per_unit_cop"].astype(float))]
    if len(posts):
        numbers.update(cost_per_post_cop=float(posts["cost_per_unit_cop"].iloc[0]),
                       posts=float(posts["units"].iloc[0]), posts_share=float(posts["share"].iloc[0]))
    delivered = monitoring.delivery(dataset, until_year) if monitoring.available(dataset) else pd.DataFrame()
    if len(delivered):
        numbers["output_years"] = (int(delivered["year"].min()), int(delivered["year"].max()))
    tables = {"outputs": table}
    if not evidence.estimated:
        return _finding("efficiency", numbers, tables=tables)
    per_point = costs.per_point_table(dataset, evidence.overall, entities=evidence.entities, until_year=until_year,
                                      price_year=price, exchange_rate=exchange_rate)
    if "scope" in per_point:  # rows named by scope (all_adopters / evaluated) where costs.py names them
        everyone = per_point[per_point["scope"] == "all_adopters"].iloc[0]
        evaluated = per_point[per_point["scope"] == "evaluated"].iloc[0]
    else:  # first row: every adopter of the group; second: the evaluated adopters
        everyone, evaluated = per_point.iloc[0], per_point.iloc[1]
    numbers.update(effect=evidence.overall.estimate, effect_low=evidence.overall.conf_low,
                   effect_high=evidence.overall.conf_high, evaluated_adopters=int(evaluated["entities"]),
                   all_adopters=int(everyone["entities"]),
                   cost_per_point_cop=float(evaluated["cost_per_point_cop"]),
                   cost_low_cop=float(evaluated["conf_low_cop"]), cost_high_cop=float(evaluated["conf_high_cop"]),
                   all_cost_per_point_cop=float(everyone["cost_per_point_cop"]),
                   all_cost_low_cop=float(everyone["conf_low_cop"]), all_cost_high_cop=float(everyone["conf_high_cop"]))
    tables["per_point"] = per_point
    return _finding("efficiency", numbers, tables=tables, estimate=numbers["cost_per_point_cop"],
                    conf_low=numbers["cost_low_cop"], conf_high=numbers["cost_high_cop"])


# ------------------------------------------------------------------ sustainability


#: The impact's robustness numbers the sustainability section repeats (its late years rest on the same assumption).
ROBUSTNESS_KEYS = ("pretest_p", "pretest_rejects", "pretest_p_simulated", "pretest_size_chi2", "pretest_simulations",
                   "pretest_df", "pretest_size_off", "rm_breakdown", "rm_grid_max", "sd_breakdown", "sd_grid_max",
                   "sd_m_pre", "sd_pre_low", "sd_pre_high", "sd_keeps_sign", "honest_note", "pretrend_slope_half",
                   "pretrend_bias", "pretrend_bias_share", "placebos_rejecting", "placebos_estimated", "ri_p_value",
                   "ri_draws", "mde", "mde_power")


def sustainability(dataset, evidence: ImpactEvidence, *, min_adopters: int = heterogeneity.MIN_ADOPTERS,
                   impact_numbers: Mapping | None = None, impact_robust: bool = False) -> Finding:
    """Sustainability: does the effect grow, persist or fade with years since adoption (``heterogeneity.persistence``)?

    The late years rest on the earliest evaluable cohorts and on the same
    parallel-trends assumption as the impact, so growth or persistence is
    stated as robust only when the impact verdict is ``impact_detected``.
    """
    numbers: dict[str, Any] = {"assessable": False, "impact_robust": bool(impact_robust),
                               "indicator": evidence.indicator, "alpha": evidence.alpha}
    for key in ROBUSTNESS_KEYS:
        if impact_numbers and key in impact_numbers:
            numbers[key] = impact_numbers[key]
    if not evidence.estimated:
        return _finding("sustainability", numbers)
    result = heterogeneity.persistence(evidence.dynamic, alpha=evidence.alpha, min_adopters=min_adopters)
    if result.reading == "not assessable":
        return _finding("sustainability", numbers)
    late = evidence.dynamic.tidy()
    reached = late[late["event_time"].isin(result.late_event_times)]["n_treated"]
    numbers.update(assessable=True, early=result.early, late=result.late, late_low=result.late_conf_low,
                   late_high=result.late_conf_high, difference=result.difference, difference_low=result.conf_low,
                   difference_high=result.conf_high, early_event_times=result.early_event_times,
                   late_event_times=result.late_event_times,
                   late_excludes_zero=bool(result.late_conf_low > 0 or result.late_conf_high < 0),
                   late_adopters_min=int(reached.min()), late_adopters_max=int(reached.max()))
    tables = {"dynamic": late}
    if evidence.truth is not None:
        tables["truth_event_time"] = evidence.truth["event_time"]
    return _finding("sustainability", numbers, tables=tables, estimate=result.late, conf_low=result.late_conf_low,
                    conf_high=result.late_conf_high)


# ------------------------------------------------------------------ all together


def evaluate(dataset, *, year: int | None = None, outcome: str = "POL07", entities: str = "territorial",
             covariates: str = "default", control_group: str = "never_treated", method: str = "dr",
             alpha: float = 0.05, bootstrap: int | None = None, seed: int = 2016,
             min_group_size: int = surveys.MIN_GROUP_SIZE, min_adopters: int = heterogeneity.MIN_ADOPTERS,
             exchange_rate: float = costs.DEFAULT_EXCHANGE_RATE_COP_PER_USD, price_year: int = 0,
             budget_shares: str = "", min_effect: float = 0.0, placebo_draws: int = PLACEBO_DRAWS,
             power_simulations: int = POWER_SIMULATIONS) -> Findings:
    """Every DAC finding for ``dataset`` up to evaluation ``year``.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    year : int, optional
        Last year of outcome data used; default (None or 0) the latest.
    outcome, entities, covariates, control_group, method, alpha, bootstrap, seed
        The impact estimate, as in the impact report (same bootstrap and seed: the same interval).
    min_group_size : int
        Survey groups smaller than this are suppressed.
    min_adopters : int
        Fewest adopters a late event time needs in the persistence reading.
    exchange_rate, price_year, budget_shares
        As in the cost report; ``price_year`` 0 means the evaluation year (capped at the CPI table's last year).
    min_effect : float
        Smallest effect worth detecting; 0 means the minimum detectable effect.
    placebo_draws, power_simulations : int
        Random reassignments for randomization inference; simulated panels for the minimum detectable effect.

    Returns
    -------
    Findings
    """
    year = int(year or max(dataset.years))
    evidence = impact_evidence(dataset, year=year, outcome=outcome, entities=entities, covariates=covariates,
                               control_group=control_group, method=method, alpha=alpha, bootstrap=bootstrap,
                               seed=seed, placebo_draws=placebo_draws, power_simulations=power_simulations)
    coh = coherence(dataset, entities=entities, covariates=covariates, until_year=year, alpha=alpha)
    selection = {k: coh.numbers[k] for k in ("gap", "gap_low", "gap_high", "gap_indicator", "gap_year")
                 if k in coh.numbers}
    imp = impact_finding(dataset, evidence, min_effect=min_effect, selection=selection)
    robust = imp.verdict_id == "impact_detected"
    found = (
        relevance(dataset, alpha=alpha, min_group_size=min_group_size, seed=seed),
        coh,
        effectiveness(dataset, until_year=year),
        imp,
        efficiency(dataset, evidence, until_year=year, price_year=price_year, exchange_rate=exchange_rate,
                   budget_shares=budget_shares, impact_robust=robust),
        sustainability(dataset, evidence, min_adopters=min_adopters, impact_numbers=imp.numbers,
                       impact_robust=robust),
    )
    settings = dict(year=year, outcome=outcome, entities=entities, covariates=covariates,
                    control_group=control_group, method=method, alpha=alpha, bootstrap=bootstrap, seed=seed,
                    min_group_size=min_group_size, exchange_rate=exchange_rate,
                    price_year=resolve_price_year(price_year, year), budget_shares=budget_shares,
                    min_effect=min_effect, placebo_draws=placebo_draws, power_simulations=power_simulations)
    return Findings(found, MappingProxyType(settings), synthetic=bool(dataset.synthetic))


def overview(results: Findings) -> str:
    """Language-independent verdicts, one line per criterion (for the report's checked cell)."""
    return "\n".join(f"{f.criterion_id}: {f.verdict_id} ({f.strength})" for f in results)
