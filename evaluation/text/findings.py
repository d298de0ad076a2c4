"""Sentences of the findings report, from the numbers of ``evaluation.questions.findings``.

Every verdict word is the word of a rule in ``evaluation.questions.verdicts``
(keyed by its identifier); every sentence that states a direction or a size is
made from the finding's numbers, through ``Format`` (numbers, intervals) and
``Wording`` (units, effect unit, outcome), in the report's language.
"""

from __future__ import annotations

import math

import pandas as pd

from evaluation.questions import verdicts
from evaluation.text import frame
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "findings"


def _finite(x) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


class FindingsText:
    """The words of the findings report in one language, for one dataset's wording."""

    def __init__(self, language: str, fmt: Format | None = None, words: Wording | None = None):
        self._ = Messages(language, DOMAIN)
        self.language = self._.language
        self.fmt = fmt or Format(self.language)
        self.words = words or Wording.for_dataset(None, self.language)

    # ------------------------------------------------------------ fixed vocabularies
    def criterion(self, cid: str) -> str:
        _ = self._
        return {"relevance": _("Relevance"), "coherence": _("Coherence"), "effectiveness": _("Effectiveness"),
                "impact": _("Impact"), "efficiency": _("Efficiency"), "sustainability": _("Sustainability")}[cid]

    def question_of(self, cid: str, outcome: str = "") -> str:
        _, w = self._, self.words
        return {
            "relevance": _("Did the design answer the needs found in the diagnosis surveys?"),
            "coherence": _("Does adoption line up with the wider digital-government policies, and who chose to adopt?")
            if w.programme else _("Did the {units} that {adopted} differ from the others before adopting?",
                                  units=w.units, adopted=w.adopted),
            "effectiveness": _("Were the planned outputs delivered?"),
            "impact": _("Did {units} that {adopted} improve {outcome} compared with what would have happened without it?",
                        units=w.units, adopted=w.adopted, outcome=outcome),
            "efficiency": _("What did each output and each point of impact cost?"),
            "sustainability": _("Does the effect persist, grow or fade with years since adoption?"),
        }[cid]

    def strength(self, code: str) -> str:
        _ = self._
        return {"strong": _("strong"), "moderate": _("moderate"), "weak": _("weak"), "none": _("none")}[code]

    def verdict(self, vid: str) -> str:
        """The verdict word of a rule."""
        _ = self._
        return {
            "relevance_not_assessable": _("not assessable"),
            "relevance_need_confirmed": _("need confirmed"),
            "relevance_need_partly_confirmed": _("need partly confirmed"),
            "relevance_no_widespread_need": _("no widespread need"),
            "relevance_unclear": _("unclear"),
            "coherence_not_assessable": _("not assessable"),
            "coherence_adopters_ahead": _("adopters were already ahead"),
            "coherence_adopters_behind": _("adopters were behind"),
            "coherence_no_gap_detected": _("no prior gap detected"),
            "effectiveness_not_assessable": _("not assessable"),
            "effectiveness_delivered": _("delivered"),
            "effectiveness_mostly_delivered": _("mostly delivered"),
            "effectiveness_partly_delivered": _("partly delivered"),
            "effectiveness_not_delivered": _("mostly not delivered"),
            "impact_not_estimable": _("not estimable"),
            "impact_detected": _("impact detected"),
            "impact_suggestive": _("suggestive impact"),
            "impact_not_robust": _("not robust to modest violations of parallel trends"),
            "no_impact_detected": _("no impact detected"),
            "impact_inconclusive": _("inconclusive"),
            "efficiency_not_assessable": _("not assessable"),
            "efficiency_outputs_only": _("outputs costed only"),
            "efficiency_costed": _("costed"),
            "efficiency_costed_provisional": _("costed, on an impact that is not robust"),
            "efficiency_no_gain": _("no gain to cost"),
            "efficiency_cost_unbounded": _("cost per point unbounded"),
            "sustainability_not_assessable": _("not assessable"),
            "sustainability_effects_grow": _("effects grow"),
            "sustainability_effects_fade": _("effects fade"),
            "sustainability_effects_persist": _("effects persist"),
            "sustainability_not_robust": _("lasting effect, not robust"),
            "sustainability_no_lasting_effect": _("no lasting effect detected"),
        }[vid]

    def condition(self, vid: str) -> str:
        """The conditions of a rule in plain words (the rules table of the method note)."""
        _ = self._
        return {
            "relevance_not_assessable": _("no survey measured any condition the design targets"),
            "relevance_need_confirmed": _("for every condition measured, the whole interval of the share of "
                                          "respondents who already had it is below one half"),
            "relevance_need_partly_confirmed": _("that holds for at least one condition measured, not for all"),
            "relevance_no_widespread_need": _("for every condition measured, the whole interval is above one half"),
            "relevance_unclear": _("otherwise"),
            "coherence_not_assessable": _("no outcome was measured before the first adoption"),
            "coherence_adopters_ahead": _("before the programme, future adopters scored higher than never-adopters "
                                          "(the whole interval of the gap is above zero)"),
            "coherence_adopters_behind": _("the whole interval of the gap is below zero"),
            "coherence_no_gap_detected": _("otherwise (the interval of the gap includes zero)"),
            "effectiveness_not_assessable": _("no output has a target"),
            "effectiveness_delivered": _("every output with a target reached at least 90% of it"),
            "effectiveness_mostly_delivered": _("at least three quarters of the outputs with a target did"),
            "effectiveness_partly_delivered": _("at least one quarter did"),
            "effectiveness_not_delivered": _("fewer than one quarter did"),
            "impact_not_estimable": _("no cohort has a year before adoption and a comparison group"),
            "impact_detected": _("the effect's interval excludes zero, and the pre-adoption test does not reject "
                                 "parallel trends, and the relative-magnitudes breakdown value (HonestDiD) is at "
                                 "least 1, and under the smoothness restriction the interval keeps the sign at the "
                                 "smallest M the pre-adoption years allow"),
            "impact_suggestive": _("the interval excludes zero and the pre-adoption test does not reject, but only "
                                   "one of the two sensitivity analyses keeps the finding"),
            "impact_not_robust": _("the interval excludes zero, but the pre-adoption test rejects parallel trends or "
                                   "neither sensitivity analysis keeps the finding"),
            "no_impact_detected": _("the interval includes zero and excludes effects of the minimum size of interest "
                                    "(by default the minimum detectable effect)"),
            "impact_inconclusive": _("otherwise: the interval includes both zero and effects of the minimum size of "
                                     "interest"),
            "efficiency_not_assessable": _("the costs table is missing"),
            "efficiency_outputs_only": _("there is no effect estimate"),
            "efficiency_costed": _("the effect's interval is above zero and the impact verdict is 'impact detected'"),
            "efficiency_costed_provisional": _("the effect's interval is above zero but the impact is not robust"),
            "efficiency_no_gain": _("the whole interval of the effect is zero or below"),
            "efficiency_cost_unbounded": _("otherwise: the effect's interval includes zero"),
            "sustainability_not_assessable": _("no separate early and late years since adoption with enough adopters"),
            "sustainability_effects_grow": _("the late effect minus the early effect has an interval above zero and "
                                             "the impact verdict is 'impact detected'"),
            "sustainability_effects_fade": _("the difference has an interval below zero"),
            "sustainability_effects_persist": _("the late effect's interval excludes zero and the impact verdict is "
                                                "'impact detected'"),
            "sustainability_not_robust": _("the late effect's interval excludes zero, but the impact is not robust"),
            "sustainability_no_lasting_effect": _("otherwise"),
        }[vid]

    def rules_table(self) -> pd.DataFrame:
        """The rules of every criterion, in order, in words: criterion, verdict, when, strength."""
        rows = []
        for r in verdicts.table().itertuples():
            rows.append({"criterion": self.criterion(r.criterion_id), "order": r.order,
                         "verdict": self.verdict(r.verdict_id), "condition": self.condition(r.verdict_id),
                         "strength": self.strength(r.strength), "verdict_id": r.verdict_id})
        return pd.DataFrame(rows)

    def rules_headers(self) -> dict:
        _ = self._
        return {"criterion": _("Criterion"), "order": _("Order tried"), "verdict": _("Verdict"),
                "condition": _("When (all conditions hold)"), "strength": _("Evidence strength")}

    # ------------------------------------------------------------ page furniture
    def title(self) -> str:
        _ = self._
        return _("Findings: what the GCIO programme achieved, how sure we are, and what would change our mind") \
            if self.words.programme else _("Findings: what the evaluation concludes, how sure we are, and what "
                                            "would change our mind")

    def labels(self) -> dict:
        _ = self._
        return {"question": _("Question:"), "answer": _("Short answer:"), "source": _("Source:"),
                "verdict": _("Verdict:"), "key": _("Key number:"), "strength": _("Evidence strength:"),
                "rests": _("What it rests on:"), "change": _("What would change our mind:"),
                "robustness": _("Robustness of the estimate:"), "scope": _("What was evaluated:"),
                "selection": _("Selection into adoption:"), "costs": _("How the costs are counted:")}

    def report_question(self) -> str:
        _ = self._
        return _("Along the OECD DAC criteria, what do the data say about the programme, and how strongly?")

    def intro(self) -> str:
        _ = self._
        return _("One section per OECD DAC evaluation criterion. Each verdict is chosen by a stated rule from the "
                 "numbers shown (the rules are in the method note at the end); every sentence that states a "
                 "direction or a size is computed from the data.")

    def summary_caption(self, year) -> str:
        return self._("Findings by DAC criterion, evaluation year {year}", year=self.fmt.year(year))

    def summary_headers(self) -> dict:
        _ = self._
        return {"criterion": _("Criterion"), "verdict": _("Verdict"), "key": _("Key number (interval)"),
                "strength": _("Evidence strength"), "rests_on": _("What it rests on")}

    def method_heading(self) -> str:
        return self._("How these findings were made")

    def method_note(self) -> str:
        _ = self._
        return _("Each section is recomputed from the data folder, not copied from the other reports, and uses the "
                 "same estimate and interval as the impact report (one designated inference: the multiplier "
                 "bootstrap when bootstrap draws are requested). The verdict of each criterion is the first rule "
                 "of its table below whose conditions all hold; the evidence strength comes with the rule. Survey "
                 "groups below the minimum size are suppressed and free-text answers are never read into a report.")

    def rules_caption(self) -> str:
        return self._("Verdict rules, criterion by criterion, in the order they are tried")

    def synthetic_caveat(self) -> str:
        return self._("The data are synthetic demo data: these numbers show how the evaluation works, not how the "
                      "programme performed.")

    # ------------------------------------------------------------ helpers
    def _level(self, alpha) -> str:
        return self.fmt.confidence(alpha)

    def _ci(self, low, high, alpha, digits=2, signed=True) -> str:
        return self._("{level} interval {interval}", level=self._level(alpha),
                      interval=self.fmt.interval(low, high, digits, signed=signed))

    def _outcome(self, n) -> str:
        return self.words.outcome(n.get("indicator", ""), with_code=False) or n.get("indicator", "")

    def output_name(self, code: str) -> str:
        _ = self._
        # the same names as the monitoring and costs reports give these outputs
        return {"cio_posts_created": _("CIO posts created"), "leaders_trained": _("IT leaders trained"),
                "bulletins": _("bulletins sent"), "magazine_issues": _("CIO Magazine issues"),
                "workshops": _("territorial workshops"), "workshop_participants": _("workshop participants"),
                "entities_reached": _("entities reached")}.get(code, code)

    # ------------------------------------------------------------ key numbers and summary
    def key_number(self, f) -> str:
        n, fmt, _ = f.numbers, self.fmt, self._
        if f.criterion_id == "relevance":
            if not n.get("needs_measured"):
                return _("no survey answers")
            return _("{confirmed} of {measured} needs confirmed", confirmed=n["needs_confirmed"],
                     measured=n["needs_measured"])
        if f.criterion_id == "coherence":
            if not n.get("prior_measured"):
                return _("no pre-programme scores")
            return _("{gap} {unit} on {indicator} in {year} ({interval})", gap=fmt.signed(n["gap"], 1), unit=self.words.effect_unit,
                     indicator=n["gap_indicator"], year=fmt.year(n["gap_year"]),
                     interval=self._ci(n["gap_low"], n["gap_high"], n["alpha"], 1))
        if f.criterion_id == "effectiveness":
            if not n.get("outputs_with_target"):
                return _("no targets")
            return _("{reached} of {total} outputs at 90% of target or more", reached=n["reached"],
                     total=n["outputs_with_target"])
        if f.criterion_id == "impact":
            if not n.get("estimated"):
                return _("no estimate")
            return _("{estimate} {unit} ({interval})", estimate=fmt.signed(n["estimate"], 2),
                     unit=self.words.effect_unit, interval=self._ci(n["conf_low"], n["conf_high"], n["alpha"]))
        if f.criterion_id == "efficiency":
            if "cost_per_point_cop" in n and _finite(n["cost_per_point_cop"]):
                high = fmt.money(n["cost_high_cop"]) if _finite(n["cost_high_cop"]) else _("no upper limit")
                return _("{cost} per point per evaluated adopter ({level} interval {low} to {high})",
                         cost=fmt.money(n["cost_per_point_cop"]), level=self._level(n["alpha"]),
                         low=fmt.money(n["cost_low_cop"]), high=high)
            if "cost_per_post_cop" in n:
                return _("{cost} per CIO post created", cost=fmt.money(n["cost_per_post_cop"]))
            return _("no budget")
        if f.criterion_id == "sustainability":
            if not n.get("assessable"):
                return _("not assessable")
            return _("{late} {unit} in years {years} after adoption ({interval})", late=fmt.signed(n["late"], 2),
                     unit=self.words.effect_unit, years=fmt.join([str(e) for e in n["late_event_times"]]),
                     interval=self._ci(n["late_low"], n["late_high"], n["alpha"]))
        return ""

    def rests_on(self, f) -> str:
        n, _ = f.numbers, self._
        return {
            "relevance": _("2015 diagnosis surveys (respondents not drawn at random)"),
            "coherence": _("scores before the first adoption; describes who adopted"),
            "effectiveness": _("monitoring records against their targets (administrative counts)"),
            "impact": _("Callaway & Sant'Anna (2021) on {n} adopters of cohorts {cohorts}; HonestDiD, pre-test power, "
                        "placebos, randomization inference, MDE", n=n.get("n_treated", 0),
                        cohorts=self.fmt.years(n.get("evaluated_cohorts", ()))) if n.get("estimated") else
            _("no estimable cohort"),
            "efficiency": _("costs table, monitoring, the impact estimate"),
            "sustainability": _("effects by years since adoption, from the earliest evaluable cohorts"),
        }[f.criterion_id]

    def summary(self, results) -> pd.DataFrame:
        """The summary table at the top, in words (``criterion_id`` and ``verdict_id`` kept for the CSV)."""
        return pd.DataFrame([{"criterion_id": f.criterion_id, "verdict_id": f.verdict_id,
                              "criterion": self.criterion(f.criterion_id), "verdict": self.verdict(f.verdict_id),
                              "key": self.key_number(f), "strength": self.strength(f.strength),
                              "rests_on": self.rests_on(f)} for f in results])

    # ------------------------------------------------------------ the answer box
    def answer(self, results) -> str:
        f = results["impact"]
        n, _, fmt = f.numbers, self._, self.fmt
        verdict = self.verdict(f.verdict_id)
        if not n.get("estimated"):
            return _("Impact: {verdict}. {reason}", verdict=verdict, reason=self.scope(f))
        return _("Impact on {outcome}: {verdict}. The estimate is {estimate} {unit} ({interval}) for the {n} of "
                 "{total} adopting {units} in cohorts {cohorts}, the only ones that could be evaluated. "
                 "Evidence strength: {strength}.",
                 outcome=self._outcome(n), verdict=verdict, estimate=fmt.signed(n["estimate"], 2),
                 unit=self.words.effect_unit, interval=self._ci(n["conf_low"], n["conf_high"], n["alpha"]),
                 n=fmt.count(n["n_treated"]), total=fmt.count(n["all_adopters"]), units=self.words.units,
                 cohorts=fmt.years(n["evaluated_cohorts"]), strength=self.strength(f.strength))

    # ------------------------------------------------------------ sections
    def heading(self, cid: str) -> str:
        return self.criterion(cid)

    def question(self, f) -> str:
        return self.question_of(f.criterion_id, self._outcome(f.numbers))

    def verdict_line(self, f) -> str:
        return self._("{verdict} (evidence strength: {strength})", verdict=self.verdict(f.verdict_id),
                      strength=self.strength(f.strength))

    def explanation(self, f) -> str:
        """The headline sentence of a section."""
        return getattr(self, "_" + f.criterion_id)(f)

    # relevance
    def _who(self, survey: str) -> str:
        return self._("ICT offices") if survey == "survey_ict_offices" else self._("directors")

    def _measure(self, measure: str, kind: str) -> str:
        _ = self._
        return {"q_align_committee": _("agreed that IT takes part in the directors' committee"),
                "alignment": _("scored above neutral on the alignment scale"),
                "skills": _("scored above neutral on the skills scale")}.get(
            measure, _("agreed with {measure}", measure=measure) if kind == "item" else measure)

    def need_lines(self, f) -> list[str]:
        _, fmt = self._, self.fmt
        reading = {"need_confirmed": _("need confirmed"), "not_widespread": _("no widespread need"),
                   "unclear": _("unclear"), "not_assessable": _("not assessable")}
        out = []
        for r in f.tables.get("needs", pd.DataFrame()).itertuples():
            if r.reading == "not_assessable":
                continue
            out.append(_("{share} of {n} {who} {measure} ({interval}): {reading}.", share=fmt.percent(r.share),
                         n=fmt.count(r.respondents), who=self._who(r.survey), measure=self._measure(r.measure, r.kind),
                         interval=_("{level} interval {low} to {high}", level=self._level(f.numbers["alpha"]),
                                    low=fmt.percent(r.conf_low), high=fmt.percent(r.conf_high)),
                         reading=reading[r.reading]))
        return out

    def _relevance(self, f) -> str:
        n, _ = f.numbers, self._
        if not n["needs_measured"]:
            return _("Relevance cannot be judged from the data: the diagnosis surveys are missing or too few "
                     "respondents answered.")
        return _("{confirmed} of the {measured} conditions the design targets were lacking for most respondents "
                 "(the whole interval of the share who already had them is below one half); the others were not "
                 "shown to be lacking. A need measured in 2015 shows the design was pertinent then, not that the "
                 "need persists.", confirmed=n["needs_confirmed"], measured=n["needs_measured"])

    # coherence
    def _coherence(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n["prior_measured"]:
            return _("No outcome was measured before the first adoption, so adoption cannot be set against prior "
                     "performance.")
        text = _("Before the programme ({year}), {units} that later {adopted} scored {gap} {unit} on {indicator} "
                 "against those that never did ({interval}; {a} adopters, {b} never-adopters).",
                 year=fmt.year(n["gap_year"]), units=self.words.units, adopted=self.words.adopted, unit=self.words.effect_unit,
                 gap=fmt.signed(n["gap"], 1), indicator=n["gap_indicator"],
                 interval=self._ci(n["gap_low"], n["gap_high"], n["alpha"], 1), a=fmt.count(n["adopters_before"]),
                 b=fmt.count(n["never_before"]))
        if n.get("gap_covariates"):
            text += " " + _("Among {units} alike in {covariates}, the gap is {gap} {unit} ({interval}).",
                            units=self.words.units, unit=self.words.effect_unit, covariates=fmt.join(n["gap_covariates"]),
                            gap=fmt.signed(n["gap_adjusted"], 1),
                            interval=self._ci(n["gap_adjusted_low"], n["gap_adjusted_high"], n["alpha"], 1))
        text += " " + _("This describes who chose to adopt (selection), not whether the policies reinforce each "
                        "other, which needs a review of the policies themselves.")
        return text

    # effectiveness
    def _effectiveness(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n.get("monitoring_available"):
            return _("The monitoring table is missing, so outputs cannot be set against targets.")
        if not n["outputs_with_target"]:
            return _("No output in the monitoring table has a target, so delivery cannot be judged against a plan.")
        return _("{reached} of {total} outputs with a target reached at least {threshold} of it; {output}: "
                 "{delivered} of {planned} planned ({progress}) in the years that had a target.",
                 reached=n["reached"], total=n["outputs_with_target"], threshold=fmt.percent(n["threshold"]),
                 output=self.output_name(n["key_output"]), delivered=fmt.count(n["key_delivered"]),
                 planned=fmt.count(n["key_planned"]), progress=fmt.percent(n["key_progress"]))

    def output_lines(self, f) -> list[str]:
        fmt = self.fmt
        return [self._("{output}: {delivered} of {planned} ({progress}).", output=self.output_name(r.output),
                       delivered=fmt.count(r.delivered_in_planned_years), planned=fmt.count(r.planned),
                       progress=fmt.percent(r.progress)) for r in f.tables.get("outputs", pd.DataFrame()).itertuples()]

    # impact
    def _impact(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n["estimated"]:
            return _("No average effect on {outcome} could be estimated: {reason}.", outcome=self._outcome(n),
                     reason=n.get("error") or _("no cohort has a year before adoption and a comparison group"))
        common = dict(estimate=fmt.signed(n["estimate"], 2), unit=self.words.effect_unit,
                      interval=self._ci(n["conf_low"], n["conf_high"], n["alpha"]), outcome=self._outcome(n),
                      mde=fmt.number(n.get("mde"), 2), size=fmt.number(n.get("min_effect"), 2))
        return {
            "impact_detected": _("The estimate is {estimate} {unit} on {outcome} ({interval}); it excludes zero and "
                                 "passes every robustness condition of the rule.", **common),
            "impact_suggestive": _("The estimate is {estimate} {unit} on {outcome} ({interval}); it excludes zero and "
                                   "the pre-adoption test does not reject, but only one of the two sensitivity "
                                   "analyses keeps it, so the impact is suggestive, not established.", **common),
            "impact_not_robust": (_("The estimate is {estimate} {unit} on {outcome} ({interval}) and excludes zero, "
                                    "but the pre-adoption years contradict the parallel-trends assumption the "
                                    "estimate rests on (the pre-adoption test rejects it), so the result is not "
                                    "robust.", **common) if n.get("pretest_rejects") else
                                  _("The estimate is {estimate} {unit} on {outcome} ({interval}) and excludes zero, "
                                    "but parallel trends cannot be tested before adoption (no pre-adoption cell), so "
                                    "the result is not robust.", **common) if n.get("pretest_rejects") is None else
                                  _("The estimate is {estimate} {unit} on {outcome} ({interval}) and excludes zero, "
                                    "but neither sensitivity analysis keeps it under modest violations of parallel "
                                    "trends, so the result is not robust.", **common)),
            "no_impact_detected": _("No impact on {outcome} was detected: the estimate is {estimate} {unit} "
                                    "({interval}), an interval that includes zero and excludes effects of {size} "
                                    "{unit} or more (the minimum detectable effect is {mde}).", **common),
            "impact_inconclusive": _("The result is inconclusive: the estimate is {estimate} {unit} on {outcome} "
                                     "({interval}), an interval that includes both zero and effects of {size} {unit} "
                                     "(the minimum detectable effect is {mde}); the data cannot tell a null from a "
                                     "meaningful effect.", **common),
        }[f.verdict_id]

    def scope(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        parts = []
        if n.get("estimated"):
            parts.append(_("The estimate rests on the {n} of {total} adopting {units} in cohorts {cohorts}, compared "
                           "with {controls} that had not adopted.", n=fmt.count(n["n_treated"]),
                           total=fmt.count(n["all_adopters"]), units=self.words.units,
                           cohorts=fmt.years(n["evaluated_cohorts"]), controls=fmt.count(n["n_control"])))
        if n.get("unevaluable_cohorts"):
            parts.append(_("Cohorts {cohorts} ({adopters} adopters, all levels) cannot be evaluated: {indicator} "
                           "starts in {first}, so they have no score before they adopted.",
                           cohorts=fmt.years(n["unevaluable_cohorts"]), adopters=fmt.count(n["unevaluable_adopters"]),
                           indicator=self.words.outcome(n["indicator"], with_code=False),
                           first=fmt.year(n["indicator_first_year"])))
        if n.get("late_adopters"):
            parts.append(_("{n} adopted after the last year of data used and count as not (yet) adopted.",
                           n=fmt.count(n["late_adopters"])))
        return " ".join(parts)

    def robustness_lines(self, n) -> list[str]:
        """Both HonestDiD results, the pre-test and its power, placebos, randomization inference, the MDE."""
        _, fmt, unit = self._, self.fmt, self.words.effect_unit
        lines = []
        if "pretest_p" in n and not _finite(n["pretest_p"]):
            lines.append(_("Pre-adoption test of parallel trends: not computed (no pre-adoption cell to test)."))
        elif "pretest_p" in n:
            reading = (_("rejected: the pre-adoption years contradict the assumption") if n["pretest_rejects"]
                       else _("not rejected"))
            if _finite(n.get("pretest_p_simulated")):
                lines.append(_("Pre-adoption test of parallel trends: {p_sim}, {reading} (judged against {sims} panels "
                               "simulated from these data with parallel trends true; the usual chi-square reference "
                               "gives {p}, but on those panels it rejects {size} of the time instead of {alpha}).",
                               p_sim=fmt.p_value(n["pretest_p_simulated"]), reading=reading,
                               sims=fmt.count(n["pretest_simulations"]), p=fmt.p_value(n["pretest_p"]),
                               size=fmt.percent(n["pretest_size_chi2"], 1), alpha=fmt.percent(n["alpha"])))
            else:
                lines.append(_("Pre-adoption test of parallel trends: {p}, {reading}.", p=fmt.p_value(n["pretest_p"]),
                               reading=reading))
        if _finite(n.get("rm_breakdown")):
            bd = n["rm_breakdown"]
            lines.append(_("Relative magnitudes (Rambachan & Roth 2023): the finding survives post-adoption "
                           "violations up to {bd} times the largest pre-adoption one (breakdown value; at least 1 is "
                           "required).", bd=fmt.number(bd, 2) if math.isfinite(bd) else
                           _("more than {m}", m=fmt.number(n["rm_grid_max"], 1))))
        if _finite(n.get("sd_m_pre")):
            lines.append(_("Smoothness: the smallest change of slope the pre-adoption years are consistent with is "
                           "M = {m} {unit} a year; at that M the interval is {interval}, which {keeps} (the interval "
                           "includes zero from M = {bd}).", m=fmt.number(n["sd_m_pre"], 2), unit=unit,
                           interval=fmt.interval(n["sd_pre_low"], n["sd_pre_high"], 2, signed=True),
                           keeps=_("keeps the sign") if n["sd_keeps_sign"] else _("does not keep the sign"),
                           bd=fmt.number(n["sd_breakdown"], 2)))
        elif n.get("honest_note"):
            lines.append(_("The sensitivity analyses could not be computed: {note}.", note=n["honest_note"]))
        if _finite(n.get("pretrend_slope_half")):
            lines.append(_("The pre-test would catch a linear trend of {slope} {unit} a year only half the time "
                           "(Roth 2022); such a trend, continued after adoption, would add {bias} {unit}, {share} of "
                           "the effect.", slope=fmt.number(n["pretrend_slope_half"], 2), unit=unit,
                           bias=fmt.signed(n["pretrend_bias"], 2), share=fmt.percent(n["pretrend_bias_share"])))
        if n.get("placebos_estimated"):
            lines.append(_("Placebo adoption dates: {k} of {m} find an effect before adoption.",
                           k=n["placebos_rejecting"], m=n["placebos_estimated"]))
        if _finite(n.get("ri_p_value")):
            lines.append(_("Randomization inference: reassigning adoption dates at random ({draws} draws) gives an "
                           "effect as large in a share {p} of draws.", draws=fmt.count(n["ri_draws"]),
                           p=fmt.p_value(n["ri_p_value"])))
        if _finite(n.get("mde")):
            lines.append(_("Minimum detectable effect: {mde} {unit} ({power} power, {size} test).",
                           mde=fmt.number(n["mde"], 2), unit=unit, power=fmt.percent(n.get("mde_power", 0.8)),
                           size=fmt.percent(n["alpha"])))
        return lines

    def selection(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not _finite(n.get("selection_gap")) or not n.get("estimated"):
            return ""
        if n["selection_gap_low"] > 0 or n["selection_gap_high"] < 0:
            size = (_("larger than the estimated effect") if abs(n["selection_gap"]) > abs(n["estimate"])
                    else _("smaller than the estimated effect"))
            return _("Adopters differed before the programme: in {year} they scored {gap} {unit} on {indicator} "
                     "against never-adopters ({interval}), a gap {size}. The estimator "
                     "compares changes, not levels, so a fixed gap cancels out; it adjusts for {covariates}, but a "
                     "gap that came with faster improvement would bias it, which is what the robustness checks "
                     "above test.", year=fmt.year(n["selection_gap_year"]), gap=fmt.signed(n["selection_gap"], 1),
                     indicator=n["selection_gap_indicator"],
                     interval=self._ci(n["selection_gap_low"], n["selection_gap_high"], n["alpha"], 1),
                     covariates=fmt.join(n["covariates"]) or _("no covariates"), size=size,
                     unit=self.words.effect_unit)
        return _("No pre-programme gap between adopters and never-adopters was detected ({interval}).",
                 interval=self._ci(n["selection_gap_low"], n["selection_gap_high"], n["alpha"], 1))

    def truth_line(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not _finite(n.get("truth")):
            return ""
        covered = n["conf_low"] <= n["truth"] <= n["conf_high"]
        return _("In these synthetic data the true average effect over the same cohorts is {truth} {unit}, which "
                 "the interval {covers}.", truth=fmt.signed(n["truth"], 2), unit=self.words.effect_unit,
                 covers=_("covers") if covered else _("does not cover"))

    def change_mind(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        cid = f.criterion_id
        if cid == "impact" and n.get("estimated"):
            if n["excludes_zero"] and _finite(n.get("rm_breakdown")):
                return _("The sensitivity analysis: post-adoption departures from parallel trends of {bd} times the "
                         "largest pre-adoption one, or a change of slope of {m} {unit} a year, would make the "
                         "interval include zero.", bd=fmt.number(n["rm_breakdown"], 2),
                         m=fmt.number(n["sd_breakdown"], 2), unit=self.words.effect_unit)
            return _("More entities or more years before adoption: with this interval, effects of {size} {unit} "
                     "cannot be ruled out or detected.", size=fmt.number(n.get("min_effect"), 2),
                     unit=self.words.effect_unit)
        if cid == "sustainability" and n.get("assessable"):
            return _("A change between early and late years outside {interval} would reverse the reading; the same "
                     "sensitivity to parallel trends as the impact applies.",
                     interval=fmt.interval(n["difference_low"], n["difference_high"], 2, signed=True))
        if cid == "relevance" and n.get("needs_measured"):
            return _("A representative survey in which at least half of the respondents already had the conditions "
                     "the design targets.")
        if cid == "coherence" and n.get("prior_measured") and not self.words.programme:
            return _("A gap that vanished among comparable {units}.", units=self.words.units)
        if cid == "coherence" and n.get("prior_measured"):
            return _("Documents showing the GCIO role duplicating MIPG's own governance bodies, or the gap vanishing "
                     "among comparable entities.")
        if cid == "effectiveness" and n.get("outputs_with_target"):
            return _("Evidence that created posts were left vacant or filled below the managerial level the decree "
                     "requires.")
        if cid == "efficiency" and n.get("budget_available"):
            return _("A benchmark of similar programmes' cost per post or per point; without one these costs are "
                     "stated, not judged.")
        return _("More data for this criterion.")

    # efficiency
    def _efficiency(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n["budget_available"]:
            return _("The costs table is missing, so no cost per output or per point can be computed.")
        parts = []
        if "cost_per_post_cop" in n:
            parts.append(_("Each CIO post created cost {cost} of the budget attributed to it ({share} of the budget, "
                           "{posts} posts).", cost=fmt.money(n["cost_per_post_cop"]), share=fmt.percent(n["posts_share"]),
                           posts=fmt.count(n["posts"])))
        if "cost_per_point_cop" in n:
            if _finite(n["cost_per_point_cop"]) and n["effect_low"] > 0:
                parts.append(_("Dividing the whole budget by the points gained by the {n} evaluated adopters (the "
                               "effect times the adopters, one point per adopting entity in an average year since "
                               "adoption, not per entity-year) gives {cost} per point ({level} interval {low} to "
                               "{high}).", n=fmt.count(n["evaluated_adopters"]), cost=fmt.money(n["cost_per_point_cop"]),
                               level=self._level(n["alpha"]), low=fmt.money(n["cost_low_cop"]),
                               high=fmt.money(n["cost_high_cop"])))
                parts.append(_("Extrapolation, not measured: if all {all} adopters gained the same, {cost} per point.",
                               all=fmt.count(n["all_adopters"]), cost=fmt.money(n["all_cost_per_point_cop"])))
            elif n["effect_high"] <= 0:
                parts.append(_("No gain was estimated, so there is no cost per point."))
            else:
                parts.append(_("The effect's interval includes zero, so the cost per point has no upper limit."))
        else:
            parts.append(_("With no impact estimate, no cost per point can be given."))
        return " ".join(parts)

    def cost_notes(self, f) -> list[str]:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n.get("budget_available"):
            return []
        out = [_("The budget covers {budget_years}; the outputs counted were delivered in {output_years}.",
                 budget_years=fmt.years(n["budget_years"]),
                 output_years=fmt.years(range(n["output_years"][0], n["output_years"][1] + 1))
                 if "output_years" in n else "–")]
        if n["price_year"] != n["price_year_wanted"]:
            out.append(_("Amounts are in {year} pesos: the consumer price table has no figure for {wanted} yet.",
                         year=fmt.year(n["price_year"]), wanted=fmt.year(n["price_year_wanted"])))
        else:
            out.append(_("Amounts are in {year} pesos.", year=fmt.year(n["price_year"])))
        out.append(_("Deflator: Colombia's consumer price index (DANE, IPC, December-to-December change), years "
                     "{first}–{last}.",
                     first=fmt.year(n["cpi_years"][0]), last=fmt.year(n["cpi_years"][1])))
        if not n.get("impact_robust") and "cost_per_point_cop" in n:
            out.append(_("The cost per point divides by an impact that is not robust (see the impact section): "
                         "read it as provisional."))
        return out

    # sustainability
    def _sustainability(self, f) -> str:
        n, _, fmt = f.numbers, self._, self.fmt
        if not n["assessable"]:
            return _("Persistence cannot be assessed: there are no separate early and late years since adoption "
                     "with enough adopters.")
        common = dict(early=fmt.signed(n["early"], 2), late=fmt.signed(n["late"], 2), unit=self.words.effect_unit,
                      years=fmt.join([str(e) for e in n["late_event_times"]]),
                      diff=fmt.signed(n["difference"], 2),
                      interval=self._ci(n["difference_low"], n["difference_high"], n["alpha"]),
                      a=n["late_adopters_min"], b=n["late_adopters_max"])
        text = _("The effect is {early} {unit} in the first years after adoption and {late} {unit} in years {years}; "
                 "the change is {diff} ({interval}). The late years rest on the {a}–{b} adopters observed that long "
                 "(the earliest evaluable cohorts), so growth over time and differences between cohorts are mixed.",
                 **common)
        if not n.get("impact_robust"):
            text += " " + _("They rest on the same parallel-trends assumption as the impact, which the robustness "
                            "checks do not support, so the pattern is not established.")
        return text

    # ------------------------------------------------------------ banner and source
    def banner(self, dataset) -> tuple[str, str, bool]:
        """(lead, text, warning) of the box at the top of the page."""
        return frame.banner(dataset, self.language)

    def source(self, dataset) -> str:
        """The source line of the summary table: the dataset and the files the findings read."""
        meta = getattr(dataset, "metadata", None) or {}
        name = meta.get("name") or getattr(getattr(dataset, "folder", None), "name", "")
        files = self.fmt.join([dataset.files[t].name for t in ("outcomes", "adoption", "entities", "monitoring",
                                                               "survey_ict_offices", "survey_directors", "costs")
                               if t in getattr(dataset, "files", {})])
        return self._("{name}: {files}; methods in each section.", name=name, files=files)

    def table_row(self, f) -> dict:
        """The words of one finding for tables/findings.csv (beside criterion_id and verdict_id)."""
        return {"criterion": self.criterion(f.criterion_id), "verdict": self.verdict(f.verdict_id),
                "key_number": self.key_number(f), "evidence_strength": self.strength(f.strength),
                "rests_on": self.rests_on(f), "explanation": self.explanation(f)}
