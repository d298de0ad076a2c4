"""Findings along the OECD DAC criteria, for readers who never open a notebook.

``evaluate(dataset, ...)`` builds one frozen :class:`Finding` per criterion --
Relevance, Coherence, Effectiveness, Impact, Efficiency, Sustainability -- with
its verdict, key figure, the number behind it with its uncertainty, the
caveats, and what would change the conclusion. It recomputes what it needs by
calling the other modules (surveys, monitoring, impact, costs, heterogeneity)
rather than reading other reports' outputs, so the reports stay independent
and can run in parallel.

Every sentence that states a direction or a size is generated here from the
results: the same code run on other data says other things. The verdict words
(``status``) are fixed vocabularies, each chosen by a rule stated in the
function that makes it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from types import MappingProxyType
from functools import cached_property
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from evaluation.questions import costs
from evaluation.questions import data_quality
from evaluation.questions import heterogeneity
from evaluation.questions import impact
from evaluation.questions import monitoring
from evaluation.report import narrative
from evaluation.questions import surveys
from evaluation.plots import core as core_plots
from evaluation.plots import programme as programme_plots
from evaluation.panel import ENTITY_GROUPS, analysis_panel, late_adopters, resolve_covariates

CRITERIA = ("Relevance", "Coherence", "Effectiveness", "Impact", "Efficiency", "Sustainability")
#: The evaluation questions (docs/programme.md), as the report asks them.
QUESTIONS = {
    "Relevance": "Did the design answer the needs found in the diagnosis (skills and perception survey, "
                 "alignment survey)?",
    "Coherence": "Does adoption line up with the wider digital-government and institutional-performance policies "
                 "(MIPG, Gobierno Digital)?",
    "Effectiveness": "Were the outputs delivered (CIO posts, leaders trained, bulletins, magazine issues, "
                     "workshops), against what was planned?",
    "Impact": "Did entities that created the GCIO post improve their digital-government performance compared "
              "with what would have happened without it?",
    "Efficiency": "What did each output and each point of impact cost?",
    "Sustainability": "Do effects persist or fade with years since adoption? Do the conditions the programme "
                      "names (commitment, alignment, team capacity) predict larger effects?",
}
SYNTHETIC_CAVEAT = ("The data are synthetic demo data: these numbers show how the evaluation works, not how the "
                    "programme performed.")


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):.0f}%"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _list(values) -> str:
    values = [str(v) for v in values]
    if len(values) <= 2:
        return " and ".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


def _years(values) -> str:
    values = sorted(int(v) for v in values)
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return _list(values)


# ------------------------------------------------------------------ result types


@dataclass(frozen=True, eq=False)
class Finding:
    """What the evaluation concludes on one DAC criterion.

    Attributes
    ----------
    criterion, question : str
    status : str
        The verdict in a few fixed words ("impact detected", "need confirmed", ...).
    verdict : str
        The headline sentence, generated from the results.
    number : str
        The key number, with its unit.
    uncertainty : str
        How sure: the interval, the test, what the number rests on.
    caveats : tuple of str
    change_mind : str
        What evidence would change the conclusion, with the numbers it would take.
    draw : callable
        Makes the key figure; ``figure`` calls it once, when the figure is first shown.
    figure : Chart or Markdown
        The key figure (a sentence when there is nothing to draw).
    details : tuple of str
        Supporting sentences.
    values : mapping
        The numbers behind the sentences (for tests and for tables).
    """

    criterion: str
    question: str
    status: str
    verdict: str
    number: str
    uncertainty: str
    caveats: tuple[str, ...]
    change_mind: str
    draw: Callable[[], Any] = field(repr=False, default=lambda: None)
    details: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @cached_property
    def figure(self):
        """The key figure, drawn the first time it is asked for (the numbers never change after)."""
        return self.draw()

    def _repr_markdown_(self) -> str:
        parts = [f"**Verdict: {self.status}.** {self.verdict}", "",
                 f"**Key number:** {self.number}", "", f"**How sure:** {self.uncertainty}", ""]
        if self.details:
            parts += [*(f"- {d}" for d in self.details), ""]
        parts += ["**Caveats:**", *(f"- {c}" for c in self.caveats), "",
                  f"**What would change our mind:** {self.change_mind}"]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"<Finding {self.criterion}: {self.status}>"


def _finding(criterion: str, **kwargs) -> Finding:
    values = MappingProxyType(dict(kwargs.pop("values", {})))
    return Finding(criterion=criterion, question=QUESTIONS[criterion], values=values, **kwargs)


@dataclass(frozen=True, eq=False)
class Findings:
    """The six findings, in DAC order, with the settings they were made with."""

    findings: tuple[Finding, ...]
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __getitem__(self, criterion: str) -> Finding:
        for finding in self.findings:
            if finding.criterion.lower() == criterion.lower():
                return finding
        raise KeyError(f"no finding for {criterion!r}; criteria: {', '.join(CRITERIA)}")

    def __iter__(self):
        return iter(self.findings)

    def summary_table(self, *, source: str, caption: str = ""):
        """The summary for the report: text left-aligned (it is read, not compared), with its source line."""
        styler = (self.summary().style.hide(axis="index").format(escape="html").format_index(escape="html", axis=1)
                  .set_properties(**{"text-align": "left", "vertical-align": "top"})
                  .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))
        styler = styler.set_caption(html.escape(caption)) if caption else styler
        footer = f'<p style="font-size: 12px; color: #555">Source: {html.escape(source)}</p>'
        return _HTML(styler.to_html() + footer)

    def summary(self) -> pd.DataFrame:
        """One row per criterion: verdict, key number, how sure."""
        return pd.DataFrame([{"criterion": f.criterion, "verdict": f.status, "key number": f.number,
                              "how sure": f.uncertainty} for f in self.findings])

    def tidy(self) -> pd.DataFrame:
        """Every text field of every finding, one row per criterion (for the run's tables folder)."""
        return pd.DataFrame([{"criterion": f.criterion, "question": f.question, "status": f.status,
                              "verdict": f.verdict, "number": f.number, "uncertainty": f.uncertainty,
                              "caveats": " | ".join(f.caveats), "change_mind": f.change_mind,
                              "details": " | ".join(f.details)} for f in self.findings])

    def __repr__(self) -> str:
        return "<Findings " + "; ".join(f"{f.criterion}: {f.status}" for f in self.findings) + ">"


class _HTML:
    """Rendered HTML for a notebook output."""

    def __init__(self, text: str):
        self._text = text

    def _repr_html_(self) -> str:
        return self._text


# ------------------------------------------------------------------ shared evidence: the impact estimate


@dataclass(frozen=True, eq=False)
class ImpactEvidence:
    """The impact estimate the Impact, Efficiency and Sustainability findings share.

    Made exactly as the impact report makes it (``select_entities``,
    ``resolve_covariates``, ``impact.estimate``), plus the same estimate
    with the other comparison group, the pre-adoption test and, for the demo
    data, the true effects.
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
    notes: tuple[str, ...] = ()
    truth: dict | None = field(repr=False, default=None)
    alternative: Any = None
    alternative_control: str = ""
    pre_years: pd.DataFrame = field(repr=False, default=None)
    late_adopters: int = 0
    error: str = ""

    @property
    def estimated(self) -> bool:
        return self.overall is not None and bool(self.overall.identified) and np.isfinite(self.overall.estimate)


def impact_evidence(dataset, *, year: int, outcome: str = "POL07", entities: str = "territorial",
                    covariates: str = "default", control_group: str = "never_treated", method: str = "dr",
                    alpha: float = 0.05, bootstrap: int | None = None, seed: int | None = 2016) -> ImpactEvidence:
    """Estimate the average effect as the impact report does; never raises for data that cannot support it."""
    covs = tuple(resolve_covariates(dataset, covariates, entities))
    pre_years = data_quality.pre_adoption_years(dataset, until_year=year)
    pre_years = pre_years[pre_years["indicator"] == outcome]
    empty = dict(indicator=outcome, entities=entities, covariates=covs, control_group=control_group, alpha=alpha,
                 pre_years=pre_years, late_adopters=late_adopters(dataset, outcome, year))
    try:
        panel = analysis_panel(dataset, outcome, entities, year)
        result, notes = impact.estimate(panel, list(covs), control_group=control_group, method=method,
                                        bootstrap=bootstrap or None, seed=seed, alpha=alpha)
    except ValueError as exc:
        return ImpactEvidence(panel=pd.DataFrame(), result=None, error=str(exc), **empty)
    other = "not_yet_treated" if control_group == "never_treated" else "never_treated"
    try:
        alt_result, _ = impact.estimate(panel, list(covs), control_group=other, method=method, alpha=alpha)
        alternative = alt_result.aggregate("simple").overall
    except ValueError:
        alternative = None
    return ImpactEvidence(panel=panel, result=result, overall=result.aggregate("simple").overall,
                          dynamic=result.aggregate("dynamic"), pretest=result.pretest(), notes=tuple(notes),
                          truth=impact.true_effects(dataset, outcome, panel, result, until_year=year),
                          alternative=alternative, alternative_control=other, **empty)


def _common_caveats(dataset) -> list[str]:
    return [SYNTHETIC_CAVEAT] if dataset.synthetic else []


def _evaluability_caveat(evidence: ImpactEvidence) -> list[str]:
    pre = evidence.pre_years
    if pre is None or pre.empty:
        return [f"No adopting cohort has {evidence.indicator} scores."]
    late = evidence.late_adopters
    if late:
        last = int(evidence.panel["year"].max()) if len(evidence.panel) else None
        late_text = [f"{late} entities created the post after {last}, the last year of {evidence.indicator} data "
                     "used; they count as not (yet) adopted."]
    else:
        late_text = []
    bad, good = pre[~pre["evaluable"]], pre[pre["evaluable"]]
    if bad.empty:
        return late_text
    text = (f"Cohorts {_years(bad['cohort'])} ({int(bad['adopters'].sum())} adopting entities, all levels) have no "
            f"{evidence.indicator} score before they adopted ({evidence.indicator} starts in "
            f"{int(pre['first_year'].iloc[0])}), so their effect cannot be estimated")
    text += (f"; the estimate rests on cohorts {_years(good['cohort'])} only." if len(good)
             else "; no cohort can be evaluated.")
    return [text, *late_text]


def _assumption_caveat(evidence: ImpactEvidence) -> str:
    covs = ", ".join(evidence.covariates) or "no covariates"
    controls = {"never_treated": "entities that never created the post",
                "not_yet_treated": "entities that had not yet created it"}[evidence.control_group]
    return (f"The estimate (Callaway & Sant'Anna 2021) assumes parallel trends conditional on {covs}: without the "
            f"post, adopters would have moved like comparable {controls}; no anticipation (no effect before the "
            "post was created); and overlap (comparable non-adopters exist for every adopter).")


# ------------------------------------------------------------------ Relevance


#: What the surveys can say about the design: (condition asked, design element answering it, survey, kind, measure).
DESIGN_NEEDS = (
    ("IT takes part in the directors' committee", "the seat on the committee that Decree 415 creates",
     "survey_ict_offices", "item", "q_align_committee"),
    ("IT is aligned with the entity's strategy", "the strategic, managerial role the decree gives IT",
     "survey_ict_offices", "scale", "alignment"),
    ("the IT team has the skills it needs", "the capacity-building strategy", "survey_ict_offices", "scale",
     "skills"),
    ("IT is aligned with the entity's strategy", "the strategic, managerial role the decree gives IT",
     "survey_directors", "scale", "alignment"),
)


def needs_table(dataset, *, alpha: float = 0.05, min_group_size: int = surveys.MIN_GROUP_SIZE) -> pd.DataFrame:
    """Share of respondents reporting each condition the design targets (``DESIGN_NEEDS``), with Wilson intervals."""
    rows = []
    for condition, element, name, kind, measure in DESIGN_NEEDS:
        survey = surveys.read(dataset, name, min_group_size=min_group_size)
        found = surveys.need(survey, alpha=alpha, min_group_size=min_group_size, **{kind: measure})
        rows.append({"label": condition, "element": element, "who": survey.respondents, "kind": kind,
                     "measure": measure, "respondents": found.respondents, "share": found.share,
                     "conf_low": found.conf_low, "conf_high": found.conf_high, "reading": found.reading,
                     "available": survey.available})
    return pd.DataFrame(rows)


def _need_phrase(row) -> str:
    """"18% of 95 ICT offices agreed that IT takes part in the directors' committee"."""
    head = f"{_pct(row['share'])} of {int(row['respondents'])} {row['who']}"
    if row["kind"] == "item":
        return f"{head} agreed that {row['label']}"
    return f"{head} scored above neutral on the {row['measure']} scale ({row['label']})"


def relevance(dataset, *, alpha: float = 0.05, min_group_size: int = surveys.MIN_GROUP_SIZE, seed: int = 2016) -> Finding:
    """Relevance from the 2015 diagnosis surveys.

    Status rule, on the first design element the survey measured (the seat on
    the directors' committee, else the alignment scale): "need confirmed" when
    the whole interval of the share reporting the condition lies below one half
    (most offices lacked it); "no widespread need" when it lies above one half;
    "unclear" otherwise; "not assessable" without survey answers.
    """
    table = needs_table(dataset, alpha=alpha, min_group_size=min_group_size)
    offices = surveys.read(dataset, "survey_ict_offices", min_group_size=min_group_size)
    directors = surveys.read(dataset, "survey_directors", min_group_size=min_group_size)
    caveats = _common_caveats(dataset)
    usable = table[table["reading"] != "not assessable"]
    if usable.empty:
        missing = [surveys.SURVEY_TITLES[n] for n in surveys.SURVEYS if getattr(dataset, n) is None]
        reason = (f"the {_list(missing)} {'is' if len(missing) == 1 else 'are'} missing" if missing
                  else "too few respondents answered")
        return _finding("Relevance", status="not assessable",
                        verdict=f"Relevance cannot be judged from the data: {reason}.",
                        number="no survey answers", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind="Adding the diagnosis surveys (survey_ict_offices, survey_directors) would "
                                    "allow this judgement.", draw=lambda: programme_plots.no_figure(reason))
    primary = usable.iloc[0]
    level = _level(alpha)
    share = _need_phrase(primary)
    interval = f"{level} interval {_pct(primary['conf_low'])} to {_pct(primary['conf_high'])}"
    verdict = {
        "need confirmed": f"The design answers a need the diagnosis found: only {share} ({interval}); "
                          f"{primary['element']} addresses it.",
        "no widespread need": f"The diagnosis does not show this need as widespread: {share} ({interval}), so "
                              f"{primary['element']} answered a need of a minority.",
        "unclear": f"The diagnosis is inconclusive on this need: {share} ({interval}), an interval that "
                   "includes one half.",
    }[primary["reading"]]
    details = []
    for _, row in usable.iloc[1:].iterrows():
        details.append(f"{_need_phrase(row)} ({level} interval {_pct(row['conf_low'])} to "
                       f"{_pct(row['conf_high'])}): {row['reading']}, for {row['element']}.")
    gap = surveys.perception_gap(directors, offices, min_group_size=min_group_size, alpha=alpha, seed=seed)
    if not gap.empty and not gap["suppressed"].iloc[0]:
        details.append(surveys.comparison_text(gap, alpha).data.removeprefix("- "))
    reliability = surveys.reliability(offices, alpha=alpha, min_group_size=min_group_size)
    consistent = reliability[reliability["cronbach_alpha"].notna()]
    uncertainty = (f"{level} Wilson interval {_pct(primary['conf_low'])} to {_pct(primary['conf_high'])}. "
                   "The respondents answered a 2015 diagnosis survey and were not drawn at random, so the interval "
                   "covers chance only, not who chose to answer.")
    if len(consistent):
        uncertainty += " Scale consistency (Cronbach's alpha): " + ", ".join(
            f"{r.scale} {r.cronbach_alpha:.2f}" for r in consistent.itertuples()) + "."
    caveats += [f"Groups of fewer than {min_group_size} respondents are suppressed; free-text answers are not used.",
                "A need measured in 2015 shows the design was pertinent then; it does not show the need persists."]
    if primary["reading"] == "need confirmed":
        change = (f"A representative survey in which at least half of {primary['who']} already reported the "
                  f"condition (the interval's upper end is {_pct(primary['conf_high'])}) would mean the decree "
                  "answered a need that was not widespread.")
    elif primary["reading"] == "no widespread need":
        change = (f"Evidence that the respondents were the best-equipped offices would reverse this reading: "
                  f"the share would have to fall below one half (the interval's lower end is "
                  f"{_pct(primary['conf_low'])}) among all offices.")
    else:
        change = (f"More respondents: with {int(primary['respondents'])} answers the interval spans "
                  f"{_pct(primary['conf_low'])} to {_pct(primary['conf_high'])}; a narrower interval on either side "
                  "of one half would settle it.")
    title = _needs_title(usable)
    return _finding("Relevance", status=f"{primary['reading']}", verdict=verdict, number=share,
                    uncertainty=uncertainty, caveats=tuple(caveats), change_mind=change,
                    draw=lambda: programme_plots.needs(table, title), details=tuple(details),
                    values={"share": primary["share"], "conf_low": primary["conf_low"],
                            "conf_high": primary["conf_high"], "measure": primary["measure"]})


def _needs_title(table: pd.DataFrame) -> str:
    lacking = table[table["share"] < 0.5]
    if lacking.empty:
        return "Most respondents already reported each condition the design targets"
    lowest = lacking.sort_values("share").iloc[0]
    verb = "agreed that" if lowest["kind"] == "item" else "scored above neutral on:"
    return f"Only {_pct(lowest['share'])} of {lowest['who']} {verb} {lowest['label']}"


# ------------------------------------------------------------------ Coherence


@dataclass(frozen=True, eq=False)
class PriorPerformance:
    """How entities that later adopted scored before the programme, against those that never adopted.

    ``by_cohort`` holds the mean score (and t interval) by eventual adoption
    cohort; ``difference`` is adopters minus never-adopters (Welch interval);
    ``adjusted`` the same gap from an OLS with the trend covariates
    (HC1 errors); ``rank_correlation`` the Spearman correlation of adoption
    year with the score among adopters (negative: earlier adopters scored higher).
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


def prior_performance(dataset, *, entities: str = "territorial", covariates: str = "default",
                      until_year: int | None = None, alpha: float = 0.05) -> PriorPerformance | None:
    """Scores of the last year before the first adoption, adopters against never-adopters.

    Takes the indicator with the most entities scored in the latest year before
    the first cohort (for the demo, GEL in 2015). Returns None when no outcome
    was measured before the first adoption, or a group is empty.
    """
    adoption = dataset.adoption
    if until_year is not None:
        adoption = adoption[adoption["cohort"] <= until_year]
    if adoption.empty:
        return None
    first = int(adoption["cohort"].min())
    scores = dataset.outcomes.dropna(subset=["value"])
    before = scores[scores["year"] < first]
    if before.empty:
        return None
    year = int(before["year"].max())
    latest = before[before["year"] == year]
    indicator = latest.groupby("indicator")["entity_id"].nunique().idxmax()
    levels = ENTITY_GROUPS[entities]
    ents = dataset.entities if levels is None else dataset.entities[dataset.entities["level"].isin(levels)]
    frame = latest[latest["indicator"] == indicator].merge(ents, on="entity_id")
    cohorts = adoption.set_index("entity_id")["cohort"]
    frame["cohort"] = frame["entity_id"].map(cohorts)
    adopters, never = frame[frame["cohort"].notna()], frame[frame["cohort"].isna()]
    if len(adopters) < 2 or len(never) < 2:
        return None
    rows = []
    for label, part in [*((str(int(c)), g) for c, g in adopters.groupby("cohort")), ("never adopted", never)]:
        values = part["value"].to_numpy(float)
        half = stats.t.ppf(1 - alpha / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) \
            if len(values) > 1 else np.nan
        rows.append({"group": label, "entities": len(values), "mean": values.mean(), "conf_low": values.mean() - half,
                     "conf_high": values.mean() + half})
    a, b = adopters["value"].to_numpy(float), never["value"].to_numpy(float)
    welch = stats.ttest_ind(a, b, equal_var=False)
    low, high = welch.confidence_interval(1 - alpha)
    covs = tuple(c for c in resolve_covariates(dataset, covariates, entities) if frame[c].notna().all())
    design = sm.add_constant(pd.DataFrame({"adopter": frame["cohort"].notna().astype(float),
                                           **{c: frame[c].astype(float) for c in covs}}))
    fit = sm.OLS(frame["value"].astype(float), design).fit(cov_type="HC1")
    adj_low, adj_high = fit.conf_int(alpha).loc["adopter"]
    rho = stats.spearmanr(adopters["cohort"], adopters["value"])
    return PriorPerformance(indicator, year, pd.DataFrame(rows), len(a), len(b), float(a.mean() - b.mean()),
                            float(low), float(high), float(fit.params["adopter"]), float(adj_low), float(adj_high),
                            covs, float(rho.statistic), float(rho.pvalue))


def coherence(dataset, *, entities: str = "territorial", covariates: str = "default", until_year: int | None = None,
              alpha: float = 0.05) -> Finding:
    """Coherence, read modestly from who adopted: did adoption go with prior digital-government performance?

    Status rule: "lines up" when future adopters already scored higher before
    the programme (interval above zero); "runs against" when lower (below
    zero); "no link detected" when the interval includes zero; "not
    assessable" when no outcome predates the first adoption.
    """
    prior = prior_performance(dataset, entities=entities, covariates=covariates, until_year=until_year, alpha=alpha)
    caveats = _common_caveats(dataset)
    caveats.append("This describes who adopted; it does not show that the GCIO role and the MIPG / Gobierno Digital "
                   "policies reinforce each other, which needs a review of the policies themselves.")
    if prior is None:
        return _finding("Coherence", status="not assessable",
                        verdict="No outcome was measured before the first entity adopted, so adoption cannot be set "
                                "against prior digital-government performance.",
                        number="no pre-programme scores", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind="Scores from before 2016 (e.g. MinTIC's Gobierno en Línea index) would allow it.",
                        draw=lambda: programme_plots.no_figure("no outcome before the first adoption"))
    level = _level(alpha)
    gap = f"{prior.difference:+.1f} points on {prior.indicator} in {prior.year}"
    interval = f"{level} interval {prior.conf_low:+.1f} to {prior.conf_high:+.1f}"
    if prior.conf_low > 0:
        status = "lines up"
        verdict = (f"Adoption lines up with digital-government performance: {entities} entities that later created "
                   f"the post already scored {prior.difference:.1f} points higher on {prior.indicator} in "
                   f"{prior.year} than those that never did ({interval}).")
    elif prior.conf_high < 0:
        status = "runs against"
        verdict = (f"Adoption ran against prior digital-government performance: {entities} entities that later "
                   f"created the post scored {abs(prior.difference):.1f} points lower on {prior.indicator} in "
                   f"{prior.year} than those that never did ({interval}).")
    else:
        status = "no link detected"
        verdict = (f"No link between prior digital-government performance and adoption was detected: the gap is "
                   f"{gap} ({interval}).")
    if prior.rank_p_value < alpha:
        order = "earlier adopters scored higher" if prior.rank_correlation < 0 else "later adopters scored higher"
    else:
        order = "no ordering by adoption year was detected"
    details = [f"Among adopters, {order} (Spearman correlation of adoption year with the {prior.year} score "
               f"{prior.rank_correlation:+.2f}, p = {prior.rank_p_value:.3f})."]
    if prior.covariates:
        details.append(f"Among entities alike in {', '.join(prior.covariates)}, the gap is {prior.adjusted:+.1f} "
                       f"points ({level} interval {prior.adjusted_low:+.1f} to {prior.adjusted_high:+.1f}).")
    if prior.covariates and prior.adjusted_low <= 0 <= prior.adjusted_high and status != "no link detected":
        change = ("The gap vanishes among entities of similar urbanisation and poverty, so it may reflect "
                  "capacity rather than policy: evidence that adopters used the post to implement Gobierno Digital "
                  "would be needed to call the policies coherent.")
    else:
        change = (f"A gap that vanished among entities of similar characteristics (now {prior.adjusted:+.1f} after "
                  "adjustment), or documents showing the GCIO role duplicating MIPG's own governance bodies, "
                  "would change this reading.")
    title = (f"Before the programme ({prior.year}), entities that later adopted scored {prior.difference:+.1f} "
             f"points on {prior.indicator} against those that never did; {order}")
    draw = lambda: programme_plots.pre_programme_scores(  # noqa: E731 -- drawn only when shown
        prior.by_cohort, title, ylabel=f"{prior.indicator} score in {prior.year} (0–100)")
    return _finding("Coherence", status=status, verdict=verdict, number=f"{gap} (adopters minus never-adopters)",
                    uncertainty=f"{interval} (Welch); {prior.adopters} adopters, {prior.never} never-adopters.",
                    caveats=tuple(caveats), change_mind=change, draw=draw, details=tuple(details),
                    values={"difference": prior.difference, "conf_low": prior.conf_low,
                            "conf_high": prior.conf_high, "indicator": prior.indicator, "year": prior.year})


# ------------------------------------------------------------------ Effectiveness


def effectiveness(dataset, *, until_year: int | None = None) -> Finding:
    """Effectiveness from the monitoring table: outputs against targets.

    Status rule, over outputs that have a target: "delivered" when every one
    reached at least 90% of it; "mostly delivered" when at least half did;
    "partly delivered" otherwise; "not assessable" without monitoring or targets.
    """
    table = monitoring.progress(dataset, until_year)
    caveats = _common_caveats(dataset)
    if table.empty:
        return _finding("Effectiveness", status="not assessable",
                        verdict="The monitoring table is missing, so outputs cannot be set against targets.",
                        number="no monitoring records", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind="Adding the programme's monitoring records (monitoring.csv) would allow it.",
                        draw=lambda: programme_plots.no_figure("the monitoring table is missing"))
    planned = table[table["reading"] != "no target"]
    if planned.empty:
        return _finding("Effectiveness", status="not assessable",
                        verdict="No output in the monitoring table has a target, so delivery cannot be judged "
                                "against a plan.", number="no targets", uncertainty="not applicable",
                        caveats=tuple(caveats), change_mind="Recording the planned outputs per year would allow it.",
                        draw=lambda: programme_plots.delivery_progress(table, "Outputs delivered (no targets recorded)"))
    reached = int((planned["progress"] >= monitoring.NEARLY_MET).sum())
    status = ("delivered" if reached == len(planned) else "mostly delivered" if 2 * reached >= len(planned)
              else "partly delivered")
    primary = planned[planned["output"] == "cio_posts_created"]
    primary = primary.iloc[0] if len(primary) else planned.iloc[0]
    key = (f"{primary['delivered_in_planned_years']:,.0f} of {primary['planned']:,.0f} planned "
           f"{primary['label'].lower().replace('cio', 'CIO')} ({primary['progress']:.0%})")
    verdict = (f"{reached} of {len(planned)} outputs with a target reached at least "
               f"{monitoring.NEARLY_MET:.0%} of it; {key} in the years that had a target.")
    short = planned[planned["progress"] < monitoring.NEARLY_MET]
    details = [f"{r.label}: {r.delivered_in_planned_years:,.0f} of {r.planned:,.0f} ({r.progress:.0%})."
               for r in short.itertuples()]
    reconciliation = monitoring.posts_reconciliation(dataset, until_year)
    check = monitoring.reconciliation_text(reconciliation).data
    caveats.append("Targets are those in the monitoring table; outputs in years without a target are not counted "
                   "against any plan.")
    shortfall = primary["planned"] - primary["delivered_in_planned_years"]
    change = (f"Evidence that created posts were left vacant or filled below the managerial level the decree "
              f"requires would lower this count; "
              + (f"{shortfall:,.0f} more {primary['label'].lower().replace('cio', 'CIO')} would have been needed "
                 "to meet the target." if shortfall > 0 else "the target was met with a margin of "
                 f"{-shortfall:,.0f}."))
    return _finding("Effectiveness", status=status, verdict=verdict, number=key,
                    uncertainty=f"Administrative counts, without sampling error. {check}", caveats=tuple(caveats),
                    change_mind=change, details=tuple(details),
                    draw=lambda: programme_plots.delivery_progress(table, monitoring.progress_title(table)),
                    values={"outputs_with_target": len(planned), "reached": reached,
                            "progress": primary["progress"]})


# ------------------------------------------------------------------ Impact


def impact_finding(dataset, evidence: ImpactEvidence) -> Finding:
    """Impact from the Callaway-Sant'Anna average effect since adoption.

    Status rule: "impact detected" when the interval excludes zero
    (``narrative.detected``), "no impact detected" when it includes zero,
    "not estimable" when no cohort could be evaluated.
    """
    alpha, indicator = evidence.alpha, evidence.indicator
    level = _level(alpha)
    caveats = _common_caveats(dataset) + _evaluability_caveat(evidence) + [_assumption_caveat(evidence)]
    if not evidence.estimated:
        reason = evidence.error or (evidence.overall.note if evidence.overall is not None else "")
        return _finding("Impact", status="not estimable",
                        verdict=f"No average effect on {indicator} could be estimated for {evidence.entities} "
                                f"entities: {reason or 'no cohort has a year before adoption and a comparison group'}.",
                        number="no estimate", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind=f"Outcome years before adoption ({indicator} scores for earlier years, or an "
                                    "earlier index) would make the later cohorts' effects estimable.",
                        draw=lambda: programme_plots.no_figure("no effect could be estimated"))
    o = evidence.overall
    interval = f"{level} interval {o.conf_low:+.2f} to {o.conf_high:+.2f}"
    detected = narrative.detected(o)
    if detected:
        direction = "higher" if o.estimate > 0 else "lower"
        status = "impact detected"
        verdict = (f"{evidence.entities.capitalize()} entities that created the GCIO post scored "
                   f"{abs(o.estimate):.2f} points {direction} on {indicator} than comparable entities that had not "
                   f"(yet), on average over the years since adoption ({interval}).")
    else:
        status = "no impact detected"
        verdict = (f"No impact on {indicator} was detected for {evidence.entities} entities: the estimate is "
                   f"{o.estimate:+.2f} points ({interval}), an interval that includes zero.")
    band = "bootstrap" if evidence.result.inference.bootstrap else "analytic"
    uncertainty = (f"{interval} ({band} standard errors), from {o.n_treated} adopting entities compared with "
                   f"{o.n_control}. {narrative.pretest_reading(evidence.pretest, alpha).data}")
    details = []
    if evidence.truth is not None and np.isfinite(evidence.truth["overall"]):
        covered = o.conf_low <= evidence.truth["overall"] <= o.conf_high
        details.append(f"In these synthetic data the true average effect over the same cohorts is "
                       f"{evidence.truth['overall']:+.2f} points, which the interval "
                       f"{'covers' if covered else 'does not cover'}.")
    alt = evidence.alternative
    alt_text = ""
    if alt is not None and alt.identified and np.isfinite(alt.estimate):
        words = evidence.alternative_control.replace("_", "-").replace("-treated", "-adopting")
        alt_text = (f" With {words} entities as the comparison group the estimate is {alt.estimate:+.2f} "
                    f"({alt.conf_low:+.2f} to {alt.conf_high:+.2f}).")
    if detected:
        bound = min(abs(o.conf_low), abs(o.conf_high))
        change = (f"Adopters' scores would have to have drifted {'up' if o.estimate > 0 else 'down'} by more than "
                  f"{bound:.2f} points relative to comparable non-adopters for reasons other than the post (a "
                  "violation of conditional parallel trends) to erase the effect; a pre-adoption test that rejected "
                  f"parallel trends would be a warning sign.{alt_text}")
    else:
        bound = max(abs(o.conf_low), abs(o.conf_high))
        change = (f"Effects larger than about {bound:.1f} points are ruled out by the interval; detecting a smaller "
                  f"one would need more entities or more years of {indicator} before adoption.{alt_text}")
    dynamic = evidence.dynamic
    truth_curve = evidence.truth["event_time"] if evidence.truth else None
    draw = lambda: core_plots.event_study(  # noqa: E731 -- drawn only when shown
        dynamic.tidy(), title=narrative.event_study_title(dynamic, indicator), truth=truth_curve,
        band_label=f"{level} {dynamic.inference.band} band")
    return _finding("Impact", status=status, verdict=verdict,
                    number=f"{o.estimate:+.2f} points on {indicator} (0–100 scale)", uncertainty=uncertainty,
                    caveats=tuple(caveats), change_mind=change, draw=draw, details=tuple(details),
                    values={"estimate": o.estimate, "conf_low": o.conf_low, "conf_high": o.conf_high,
                            "detected": detected, "n_treated": o.n_treated,
                            "truth": evidence.truth["overall"] if evidence.truth else np.nan})


# ------------------------------------------------------------------ Efficiency


def efficiency(dataset, evidence: ImpactEvidence, *, until_year: int | None = None,
               price_year: int = costs.DEFAULT_PRICE_YEAR,
               exchange_rate: float = costs.DEFAULT_EXCHANGE_RATE_COP_PER_USD, budget_shares: str = "") -> Finding:
    """Efficiency: cost per CIO post created and per index point gained.

    Status rule: "costed" when the cost per index point has a bounded
    interval; "cost per point unbounded" when the effect's interval includes
    zero; "no gain to cost" when the whole interval is at or below zero;
    "outputs costed only" when there is no effect estimate; "not assessable"
    without a costs table. No benchmark is in the data, so costs are stated,
    not judged.
    """
    caveats = _common_caveats(dataset)
    if not costs.available(dataset):
        return _finding("Efficiency", status="not assessable",
                        verdict="The costs table is missing, so no cost per output or per index point can be computed.",
                        number="no budget", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind="Adding the programme's budget lines (costs.csv) would allow it.",
                        draw=lambda: programme_plots.no_figure("the costs table is missing"))
    result = costs.cost_per_output(dataset, until_year=until_year, shares=budget_shares, price_year=price_year,
                                   exchange_rate=exchange_rate)
    table = result.table
    posts = table[(table["output"] == "cio_posts_created") & np.isfinite(table["cost_per_unit_cop"].astype(float))]
    post_text = (f"each CIO post created cost about {costs.money(posts['cost_per_unit_cop'].iloc[0], exchange_rate)} "
                 f"of the budget attributed to it ({posts['share'].iloc[0]:.0%} of the budget, "
                 f"{posts['units'].iloc[0]:,.0f} posts)") if len(posts) else "CIO posts could not be costed"
    caveats.append(f"Amounts are in {price_year} pesos (consumer price inflation applied) and dollars at "
                   f"{exchange_rate:,.0f} pesos per dollar, an assumed average rate.")
    caveats.append("Shared budget lines (design, coordination, network) are spread over outputs in proportion to "
                   "direct costs; the cost report shows how the numbers move with other shares.")
    if not evidence.estimated:
        return _finding("Efficiency", status="outputs costed only",
                        verdict=f"In {price_year} pesos, {post_text}; with no impact estimate, no cost per index "
                                "point can be given.", number=post_text, uncertainty="Attribution of shared lines "
                        "is an assumption; see the cost report's sensitivity table.", caveats=tuple(caveats),
                        change_mind="An impact estimate would allow a cost per index point.",
                        draw=lambda: programme_plots.cost_per_unit(table, costs.cost_title(result),
                                                             exchange_rate=exchange_rate, price_year=price_year))
    per_point = costs.per_point_table(dataset, evidence.overall, entities=evidence.entities, until_year=until_year,
                                      price_year=price_year, exchange_rate=exchange_rate)
    everyone, measured = per_point.iloc[0], per_point.iloc[1]
    level = _level(evidence.alpha)
    indicator = evidence.indicator
    if everyone["reading"] == "bounded":
        status = "costed"
        point_text = (f"each {indicator} point gained cost {costs.money(everyone['cost_per_point_cop'], exchange_rate)} "
                      f"per adopting entity and year")
        uncertainty = (f"{level} interval {costs.money(everyone['conf_low_cop'])} to "
                       f"{costs.money(everyone['conf_high_cop'])} per point, from the effect's interval; counting "
                       f"only the {int(evidence.overall.n_treated)} adopters whose effect was measured, "
                       f"{costs.money(measured['cost_per_point_cop'])}.")
    elif everyone["reading"].startswith("unbounded"):
        status = "cost per point unbounded"
        point_text = (f"the cost per {indicator} point is unbounded, because the effect's interval includes zero "
                      f"(at best {costs.money(everyone['conf_low_cop'])} per point)")
        uncertainty = (f"The effect's {level} interval ({everyone['effect_low']:+.2f} to {everyone['effect_high']:+.2f}) "
                       "includes zero, so the data cannot rule out that the budget bought no gain.")
    else:
        status = "no gain to cost"
        point_text = f"no gain on {indicator} was estimated, so there is no cost per point"
        uncertainty = (f"The effect's {level} interval ({everyone['effect_low']:+.2f} to "
                       f"{everyone['effect_high']:+.2f}) lies at or below zero.")
    sensitivity = result.sensitivity()
    posts_range = sensitivity[sensitivity["output"] == "cio_posts_created"]
    verdict = (f"In {price_year} pesos, {post_text}, and {point_text}. No benchmark from comparable programmes is "
               "in the data, so these costs are stated, not judged.")
    change = ("A different attribution of the budget moves the cost per post"
              + (f" between {costs.money(posts_range['cost_per_unit_cop'].min())} (10% of the budget) and "
                 f"{costs.money(posts_range['cost_per_unit_cop'].max())} (all of it)" if len(posts_range) else "")
              + "; a benchmark of similar programmes' cost per post or per point would allow a judgement of "
                "efficiency.")
    return _finding("Efficiency", status=status, verdict=verdict,
                    number=f"{costs.money(everyone['cost_per_point_cop'], exchange_rate)} per {indicator} point"
                    if status == "costed" else post_text,
                    uncertainty=uncertainty, caveats=tuple(caveats), change_mind=change,
                    draw=lambda: programme_plots.cost_per_unit(table, costs.cost_title(result), exchange_rate=exchange_rate,
                                                         price_year=price_year),
                    details=tuple(line.removeprefix("- ").replace("**", "") for line in costs.per_point_text(
                        per_point, indicator=indicator, exchange_rate=exchange_rate,
                        alpha=evidence.alpha).data.split("\n")),
                    values={"cost_per_point_cop": everyone["cost_per_point_cop"],
                            "conf_low_cop": everyone["conf_low_cop"], "conf_high_cop": everyone["conf_high_cop"],
                            "budget_cop": result.budget_cop})


# ------------------------------------------------------------------ Sustainability


def sustainability(dataset, evidence: ImpactEvidence, *, covariates: str = "default", method: str = "dr",
                   until_year: int | None = None, min_adopters: int = heterogeneity.MIN_ADOPTERS,
                   min_group_size: int = surveys.MIN_GROUP_SIZE) -> Finding:
    """Sustainability: persistence by years since adoption, and whether the named conditions predict larger effects.

    Status: the persistence reading ("effects grow", "effects persist",
    "effects fade", "no lasting effect detected", "not assessable"); see
    ``heterogeneity.persistence``. Conditions: IT team size (thirds) and the
    alignment and commitment reported in the 2015 surveys, by subgroup estimates.
    """
    caveats = _common_caveats(dataset) + _evaluability_caveat(evidence)
    if not evidence.estimated:
        return _finding("Sustainability", status="not assessable",
                        verdict=f"Without an effect estimate on {evidence.indicator}, persistence cannot be assessed.",
                        number="no estimate", uncertainty="not applicable", caveats=tuple(caveats),
                        change_mind="Outcome years before adoption for more cohorts would allow it.",
                        draw=lambda: programme_plots.no_figure("no effect could be estimated"))
    alpha, indicator = evidence.alpha, evidence.indicator
    level = _level(alpha)
    result = heterogeneity.persistence(evidence.dynamic, alpha=alpha, min_adopters=min_adopters)
    status = {"grow": "effects grow", "persist": "effects persist", "fade": "effects fade"}.get(result.reading,
                                                                                              result.reading)
    conditions = heterogeneity.subgroup_effects(
        dataset, indicator, ("it_team", "alignment", "commitment"), entities=evidence.entities, covariates=covariates,
        control_group=evidence.control_group, method=method, alpha=alpha, until_year=until_year,
        min_adopters=min_adopters, min_group_size=min_group_size)
    details = [line.removeprefix("- ") for line in heterogeneity.subgroup_text(conditions).data.split("\n")]
    if result.reading == "not assessable":
        verdict = f"Persistence of the effect on {indicator} cannot be assessed: {result.note}."
        number, uncertainty = "not assessable", "not applicable"
        change = "More years after adoption for more cohorts would allow it."
    else:
        verdict = heterogeneity.persistence_sentence(result, indicator)
        number = (f"{result.late:+.2f} points on {indicator} in {heterogeneity._years(result.late_event_times)} after "
                  "adoption")
        late = evidence.dynamic.tidy()
        reached = late[late["event_time"].isin(result.late_event_times)]["n_treated"]
        uncertainty = (f"{level} interval {result.late_conf_low:+.2f} to {result.late_conf_high:+.2f} for the late "
                       f"years, which rest on the {int(reached.min())}–{int(reached.max())} adopters observed that "
                       "long (the earliest evaluable cohorts).")
        if result.reading == "grow":
            change = (f"Fading would show as later years falling back towards the early effect; the change is "
                      f"{result.difference:+.2f} points ({level} interval {result.conf_low:+.2f} to "
                      f"{result.conf_high:+.2f}), so a fall of that size in the coming years' data would reverse it.")
        elif result.reading == "fade":
            change = (f"The effect fell by {abs(result.difference):.2f} points; later cohorts' years would show "
                      "whether this is a pattern or a feature of the early adopters.")
        elif result.reading == "persist":
            change = (f"A change outside {result.conf_low:+.2f} to {result.conf_high:+.2f} points between early and "
                      "late years would mean growth or fading; more years of data will narrow this.")
        else:
            change = (f"A late effect outside {result.late_conf_low:+.2f} to {result.late_conf_high:+.2f} would be "
                      "needed to conclude the effect lasts.")
    caveats.append("Effects several years after adoption are measured only on the earliest evaluable cohorts, so "
                   "growth over time and differences between cohorts are mixed.")
    caveats.append("The programme also names high-level commitment and alignment with Función Pública; the data "
                   "measure them only through the 2015 surveys' alignment items, for the few entities they reached.")
    dynamic = evidence.dynamic
    draw = lambda: programme_plots.persistence(  # noqa: E731 -- drawn only when shown
        dynamic.tidy(), heterogeneity.persistence_title(result, indicator), early=result.early_event_times,
        late=result.late_event_times, truth=evidence.truth["event_time"] if evidence.truth else None,
        band_label=f"{level} {dynamic.inference.band} interval")
    return _finding("Sustainability", status=status, verdict=verdict, number=number, uncertainty=uncertainty,
                    caveats=tuple(caveats), change_mind=change, draw=draw, details=tuple(details),
                    values={"reading": result.reading, "early": result.early, "late": result.late,
                            "difference": result.difference})


# ------------------------------------------------------------------ all together


def evaluate(dataset, *, year: int | None = None, outcome: str = "POL07", entities: str = "territorial",
             covariates: str = "default", control_group: str = "never_treated", method: str = "dr",
             alpha: float = 0.05, bootstrap: int | None = None, seed: int = 2016,
             min_group_size: int = surveys.MIN_GROUP_SIZE, min_adopters: int = heterogeneity.MIN_ADOPTERS,
             exchange_rate: float = costs.DEFAULT_EXCHANGE_RATE_COP_PER_USD,
             price_year: int = costs.DEFAULT_PRICE_YEAR, budget_shares: str = "") -> Findings:
    """Every DAC finding for ``dataset`` up to evaluation ``year``.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    year : int, optional
        Last year of outcome data used; default the latest.
    outcome, entities, covariates, control_group, method, alpha, bootstrap, seed
        The impact estimate, as in the impact report.
    min_group_size : int
        Survey groups smaller than this are suppressed.
    min_adopters : int
        Fewest adopters a subgroup estimate needs.
    exchange_rate, price_year, budget_shares
        As in the cost report.

    Returns
    -------
    Findings
        Relevance, Coherence, Effectiveness, Impact, Efficiency, Sustainability.
    """
    year = year or max(dataset.years)
    evidence = impact_evidence(dataset, year=year, outcome=outcome, entities=entities, covariates=covariates,
                               control_group=control_group, method=method, alpha=alpha, bootstrap=bootstrap,
                               seed=seed)
    found = (
        relevance(dataset, alpha=alpha, min_group_size=min_group_size, seed=seed),
        coherence(dataset, entities=entities, covariates=covariates, until_year=year, alpha=alpha),
        effectiveness(dataset, until_year=year),
        impact_finding(dataset, evidence),
        efficiency(dataset, evidence, until_year=year, price_year=price_year, exchange_rate=exchange_rate,
                   budget_shares=budget_shares),
        sustainability(dataset, evidence, covariates=covariates, method=method, until_year=year,
                       min_adopters=min_adopters, min_group_size=min_group_size),
    )
    settings = dict(year=year, outcome=outcome, entities=entities, covariates=covariates,
                    control_group=control_group, method=method, alpha=alpha, bootstrap=bootstrap, seed=seed,
                    min_group_size=min_group_size, exchange_rate=exchange_rate, price_year=price_year,
                    budget_shares=budget_shares)
    return Findings(found, MappingProxyType(settings))


def overview(results: Findings) -> str:
    """Plain-text verdicts, one line per criterion (for the report's checked summary cell)."""
    return "\n".join(f"{f.criterion}: {f.status}" for f in results)
