"""What the robustness report says, in the reader's language, computed from the results of
:mod:`evaluation.questions.robustness`.

One :class:`Texts` per report run holds the language, the number formats and
the dataset's words; each method takes results and returns plain strings
(titles, the question and its short answer, headings, paragraphs, table
headers, figure words and alt text). Nothing here decides a conclusion in
advance: every sentence that states a direction, a size or a verdict is chosen
from the numbers it is given. Intervals are called what they are: a *pointwise
interval* covers one effect at the stated confidence, a *uniform band* covers
all the event times of an event study at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.questions import robustness as q
from evaluation.text import frame
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "robustness"


def effect_unit(words: Wording, dataset, outcome: str) -> str:
    """What an effect on ``outcome`` is measured in: the dataset's ``effect_unit`` label, else log points for a
    log outcome (castle's log homicides), else the generic words."""
    _ = Messages(words.language, DOMAIN)
    labels = (getattr(dataset, "metadata", None) or {}).get("labels") if dataset is not None else None
    declared = isinstance(labels, dict) and any(
        block.get("effect_unit") for block in [labels] + [v for v in labels.values() if isinstance(v, dict)])
    if words.programme or declared:
        return words.effect_unit
    if q.log_outcome(dataset, outcome):
        return _("log points")
    return words.effect_unit


def _paragraphs(parts) -> str:
    """Paragraphs separated by a blank line (``page.paragraph`` shows each as its own paragraph)."""
    return "\n\n".join(p for p in parts if p)


class Texts:
    """The words of the robustness report for one dataset, outcome and language.

    Parameters
    ----------
    fmt : Format
        Number formats of the report language.
    words : Wording
        The dataset's units, treatment and effect-unit words.
    outcome : str
        The outcome code the report is about.
    alpha : float
        One minus the confidence level of every interval.
    dataset : Dataset, optional
        For the data banner, source lines, entity names and the effect unit.
    """

    def __init__(self, fmt: Format, words: Wording, *, outcome: str, alpha: float = 0.05, dataset=None):
        self.fmt, self.words, self.outcome, self.alpha, self.dataset = fmt, words, outcome, float(alpha), dataset
        self._ = Messages(fmt.language, DOMAIN)
        self.unit = effect_unit(words, dataset, outcome)

    # small helpers ---------------------------------------------------------------------------
    def _e(self, value, digits: int = 2) -> str:
        return self.fmt.signed(value, digits)

    def _ci(self, low, high, digits: int = 2) -> str:
        return self.fmt.interval(low, high, digits)

    @property
    def level(self) -> str:
        return self.fmt.confidence(self.alpha)

    def number(self, value, digits: int = 2) -> str:
        """Tick labels of the figures (``Format.number``)."""
        return self.fmt.number(value, digits)

    # the page ---------------------------------------------------------------------------------
    def title(self) -> str:
        _ = self._
        return _("Robustness: would another method or a failure of parallel trends change the answer?")

    def subtitle(self, year: int) -> str:
        return self._("{outcome}; {units}; data up to {year}", outcome=self.words.outcome(self.outcome),
                      units=self.words.units, year=self.fmt.year(year))

    def labels(self) -> dict:
        """The lead words of the answer box and of source lines."""
        _ = self._
        return {"question": _("Question:"), "answer": _("Short answer:"), "source": _("Source:")}

    def banner(self) -> dict:
        """``text``, ``lead`` and ``warning`` of the data banner (``page.banner(**t.banner())``)."""
        lead, text, warning = frame.banner(self.dataset, self.fmt.language)
        return {"lead": lead, "text": text, "warning": warning}

    def source(self, *tables: str, method: str = "") -> str:
        """The source line under a table or figure: the dataset, its files and how the numbers were made."""
        _ = self._
        data = self.dataset
        meta = getattr(data, "metadata", None) or {}
        name = meta.get("name") or getattr(getattr(data, "folder", None), "name", "") or ""
        if getattr(data, "synthetic", False):
            name = _("{name} (synthetic)", name=name)
        files = getattr(data, "files", {}) or {}
        listed = ", ".join(files[t].name for t in tables if t in files)
        if method:
            return _("{name}: {files}. {method}.", name=name, files=listed, method=method)
        return _("{name}: {files}.", name=name, files=listed)

    def question(self) -> str:
        return self._("Would the estimated effect of the {treatment} on {outcome} survive other estimators, a "
                      "failure of parallel trends and placebo tests?", treatment=self.words.treatment,
                      outcome=self.outcome)

    def answer(self, table: pd.DataFrame, agreement: q.Agreement, sensitivity: q.Sensitivity,
               ri=None, designated=None, bootstrap: int = 0) -> str:
        """The short answer: the estimators' range, the reference estimate with its interval, the breakdown value.

        ``designated`` is the reference estimate as the impact report states it (``impact.estimate`` with the
        run's bootstrap): one number, one interval in every report that quotes it.
        """
        _ = self._
        ref = table.set_index("estimator")
        if agreement.n == 0 or q.REFERENCE_ESTIMATOR not in ref.index \
                or not np.isfinite(ref.loc[q.REFERENCE_ESTIMATOR, "estimate"]):
            return _("None of the estimators built for staggered adoption could be computed on these data.")
        row = ref.loc[q.REFERENCE_ESTIMATOR]
        estimate, low, high = row["estimate"], row["conf_low"], row["conf_high"]
        if designated is not None:
            estimate, low, high = designated.estimate, designated.conf_low, designated.conf_high
        if designated is not None and bootstrap:
            parts = [_("The {n} estimators built for staggered adoption give between {low} and {high} {unit}; "
                       "Callaway-Sant'Anna with never-treated comparisons estimates {estimate} ({level} confidence "
                       "interval {interval}, multiplier bootstrap with {draws} draws, as in the impact report).",
                       n=agreement.n, low=self._e(agreement.low), high=self._e(agreement.high), unit=self.unit,
                       estimate=self._e(estimate), level=self.level, interval=self._ci(low, high),
                       draws=self.fmt.count(bootstrap))]
        else:
            parts = [_("The {n} estimators built for staggered adoption give between {low} and {high} {unit}; "
                       "Callaway-Sant'Anna with never-treated comparisons estimates {estimate} ({level} confidence "
                       "interval {interval}).", n=agreement.n, low=self._e(agreement.low),
                       high=self._e(agreement.high), unit=self.unit, estimate=self._e(estimate), level=self.level,
                       interval=self._ci(low, high))]
        if not sensitivity.significant:
            parts.append(_("The average effect since adoption is not distinguishable from zero even under exact "
                           "parallel trends, so there is no finding for a failure of them to overturn."))
        elif np.isinf(sensitivity.breakdown_relative):
            parts.append(_("The finding survives post-adoption departures from parallel trends of every size "
                           "tried, up to {mbar} times the largest one seen before adoption.",
                           mbar=self.fmt.number(sensitivity.largest_mbar, 1)))
        else:
            parts.append(_("The finding survives post-adoption departures from parallel trends up to {mbar} times "
                           "the largest one seen before adoption (the breakdown value).",
                           mbar=self.fmt.number(sensitivity.breakdown_relative, 2)))
        if ri is not None:
            parts.append(_("Reassigning the adoption dates at random, randomization inference gives {p}.",
                           p=self.fmt.p_value(ri.p_value)))
        return " ".join(parts)

    def intro(self) -> str:
        return self._(
            "One number convinces nobody. This report puts the impact estimate through five checks: why the naive "
            "two-way fixed-effects number would mislead (Goodman-Bacon decomposition); whether other modern "
            "estimators agree (imputation, Borusyak, Jaravel & Spiess 2024; interaction-weighted, Sun & Abraham "
            "2021); how far parallel trends would have to fail to overturn the finding (Rambachan & Roth 2023) and "
            "what trend the pre-test could have missed (Roth 2022); whether placebo adoption dates find nothing; "
            "and what effect size the data could detect at all. Every sentence below is computed from the numbers "
            "it reads.")

    def panel_note(self, facts: dict) -> str:
        """One sentence on the panel the report analyses (from ``questions.robustness.panel_facts``)."""
        _ = self._
        covs = ", ".join(facts["covariates"]) or _("none")
        return _("Outcome {outcome}, {first}–{last}: {n} {units}, of which {adopters} adopted and {balanced} are "
                 "observed every year. Covariates: {covariates}.", outcome=self.words.outcome(facts["outcome"]),
                 first=self.fmt.year(facts["first_year"]), last=self.fmt.year(facts["last_year"]),
                 n=self.fmt.count(facts["units"]), units=self.words.units, adopters=self.fmt.count(facts["adopters"]),
                 balanced=self.fmt.count(facts["balanced"]), covariates=covs)

    # 1. Goodman-Bacon ---------------------------------------------------------------------------
    def bacon_heading(self) -> str:
        return self._("1. Why the naive two-way fixed-effects number would mislead")

    def bacon_intro(self) -> str:
        return self._(
            "The static two-way fixed-effects (TWFE) regression is what most evaluators would run first. "
            "Goodman-Bacon (2021) shows it is a weighted average of every simple before/after comparison between "
            "two groups that adopted in different years, including comparisons that use already-treated {units} "
            "as controls. Each point below is one such comparison: its estimate, and how much it weighs in the "
            "TWFE number.", units=self.words.units)

    def bacon_kinds(self) -> dict:
        """Words for the kinds of 2x2 comparison (the ids of ``did.bacon``)."""
        _ = self._
        return {"treated vs never treated": _("adopters against never adopters"),
                "earlier vs later treated": _("earlier against later adopters (before these adopted)"),
                "later vs earlier treated": _("later against earlier adopters (already adopted)"),
                "treated vs always treated": _("adopters against units treated in every year")}

    def bacon_title(self, shares: q.BaconShares) -> str:
        return self._("{clean} of the TWFE coefficient on {outcome} comes from comparisons with {units} that never "
                      "adopted; {rest} from comparisons between adoption cohorts",
                      clean=self.fmt.percent(shares.clean_weight), outcome=self.outcome, units=self.words.units,
                      rest=self.fmt.percent(1 - shares.clean_weight))

    def bacon_figure(self, shares: q.BaconShares, decomposition) -> dict:
        """Keyword arguments of ``plots.robustness.bacon_scatter`` in the report language."""
        _ = self._
        kinds = self.bacon_kinds()
        frame = decomposition.tidy()
        parts = []
        for kind in q.BACON_KINDS:
            part = frame[frame["comparison"] == kind]
            if part.empty:
                continue
            w = float(part["weight"].sum())
            parts.append(_("{kind}: {n} comparisons, total weight {weight}, weighted average {estimate}",
                           kind=kinds[kind], n=len(part), weight=self.fmt.number(w, 3),
                           estimate=self.fmt.number((part["weight"] * part["estimate"]).sum() / w if w else np.nan, 3)))
        alt = _("Scatter plot of {n} two-by-two comparisons, estimate against weight. {parts}. TWFE coefficient "
                "{twfe}.", n=len(frame), parts="; ".join(parts), twfe=self.fmt.number(shares.twfe, 3))
        return {"kind_labels": kinds, "units": self.unit,
                "twfe_label": _("TWFE coefficient ({value})", value=self._e(shares.twfe, 3)),
                "xlabel": _("Weight in the TWFE coefficient (share of 1)"),
                "ylabel": _("2x2 difference-in-differences ({unit})", unit=self.unit),
                "legend_title": _("Comparison (number of 2x2s)"), "alt": alt, "number": self.number}

    def bacon_reading(self, shares: q.BaconShares, n_units: int) -> str:
        """Paragraphs: what the TWFE number averages, and how much sits on already-treated controls."""
        _ = self._
        twfe = self._e(shares.twfe, 3)
        if shares.n_units == n_units:
            first = _("The two-way fixed-effects (TWFE) coefficient on {outcome}, {twfe} {unit}, is a weighted "
                      "average of {n} simple before/after comparisons between groups of {units} that adopted in "
                      "different years (Goodman-Bacon 2021).", outcome=self.outcome, twfe=twfe, unit=self.unit,
                      n=shares.n_comparisons, units=self.words.units)
        else:
            first = _("On the {used} of {all} {units} observed in all {years} years (the decomposition needs a "
                      "balanced panel), the two-way fixed-effects (TWFE) coefficient on {outcome}, {twfe} {unit}, "
                      "is a weighted average of {n} simple before/after comparisons between groups of {units} that "
                      "adopted in different years (Goodman-Bacon 2021).", used=self.fmt.count(shares.n_units),
                      all=self.fmt.count(n_units), units=self.words.units, years=shares.n_periods,
                      outcome=self.outcome, twfe=twfe, unit=self.unit, n=shares.n_comparisons)
        if shares.forbidden_weight > 0:
            below = shares.forbidden_estimate < shares.other_estimate
            values = dict(weight=self.fmt.percent(shares.forbidden_weight), units=self.words.units,
                          bad=self._e(shares.forbidden_estimate, 3),
                          gap=self.fmt.number(abs(shares.forbidden_estimate - shares.other_estimate), 3),
                          unit=self.unit, other=self._e(shares.other_estimate, 3))
            second = (_("{weight} of the weight sits on comparisons that use already-treated {units} as controls. "
                        "When effects change with years since adoption, the controls' own effect moves too and these "
                        "comparisons are biased; here they average {bad}, {gap} {unit} below the other comparisons "
                        "({other}), pulling the TWFE number down.", **values) if below else
                      _("{weight} of the weight sits on comparisons that use already-treated {units} as controls. "
                        "When effects change with years since adoption, the controls' own effect moves too and these "
                        "comparisons are biased; here they average {bad}, {gap} {unit} above the other comparisons "
                        "({other}), pulling the TWFE number up.", **values))
        else:
            second = _("No comparison uses already-treated {units} as controls, so TWFE is not contaminated that way.",
                       units=self.words.units)
        return _paragraphs([first, second])

    def bacon_table(self) -> dict:
        """``headers``, ``formats`` and ``caption`` of the decomposition's summary (one row per kind)."""
        _ = self._
        return {"headers": {"comparison": _("Comparison"), "weight": _("Weight in the TWFE coefficient"),
                            "estimate": _("Weighted average 2x2 estimate ({unit})", unit=self.unit)},
                "formats": {"weight": "percent", "estimate": 3}, "values": {"comparison": self.bacon_kinds()},
                "caption": _("Goodman-Bacon decomposition of the TWFE coefficient on {outcome}", outcome=self.outcome)}

    def bacon_detail_table(self) -> dict:
        """The appendix table of every 2x2 comparison."""
        _ = self._
        return {"headers": {"comparison": _("Comparison"), "treated_cohort": _("Treated cohort"),
                            "control_cohort": _("Comparison cohort (– = never adopted)"),
                            "estimate": _("2x2 estimate ({unit})", unit=self.unit), "weight": _("Weight")},
                "formats": {"treated_cohort": "year", "control_cohort": "year", "estimate": 3, "weight": 3},
                "values": {"comparison": self.bacon_kinds()},
                "caption": _("Every 2x2 comparison of the Goodman-Bacon decomposition on {outcome}",
                             outcome=self.outcome)}

    def bacon_method(self) -> str:
        return self._("Goodman-Bacon (2021), balanced panel")

    # 2. estimator comparison --------------------------------------------------------------------
    def comparison_heading(self) -> str:
        return self._("2. Do other modern estimators agree?")

    def comparison_intro(self) -> str:
        return self._(
            "The same data through six estimators. Callaway & Sant'Anna (2021), with never-treated or not-yet-"
            "treated comparisons, the imputation estimator of Borusyak, Jaravel & Spiess (2024) and the "
            "interaction-weighted event study of Sun & Abraham (2021) are built for staggered adoption and rest on "
            "different comparisons; if they agree, the finding does not hinge on one of them. Sun-Abraham "
            "saturates the event-study regression with one coefficient per cohort and year since adoption, "
            "compares each cohort only with never-treated {units} (or, without them, the last cohort before it "
            "adopts) and averages with the cohorts' shares; the covariates enter it year by year.",
            units=self.words.units)

    def estimator_names(self) -> dict:
        """Words for the estimator ids of the comparison and synthetic-DiD tables."""
        _ = self._
        return {q.NAIVE_ESTIMATOR: _("Naive before/after (adopters only)"),
                q.TWFE_ESTIMATOR: _("Two-way fixed effects (static)"),
                q.REFERENCE_ESTIMATOR: _("Callaway-Sant'Anna, never-treated comparisons"),
                q.NOT_YET_ESTIMATOR: _("Callaway-Sant'Anna, not-yet-treated comparisons"),
                q.IMPUTATION_ESTIMATOR: _("Imputation (Borusyak, Jaravel & Spiess)"),
                q.SUN_ABRAHAM_ESTIMATOR: _("Sun-Abraham interaction-weighted"),
                "sdid": _("Synthetic DiD (Arkhangelsky et al.)"),
                "sc": _("Synthetic control (no time weights)"),
                "did": _("DiD, equal weights")}

    def not_estimable(self, reason: str) -> str:
        return self._("not estimable: {reason}", reason=reason)

    def comparison_basis(self, table: pd.DataFrame) -> list[str]:
        """What each row of the estimator comparison rests on, in words (one string per row)."""
        _ = self._
        out = []
        for r in table.itertuples():
            if not r.identified:
                out.append(self.not_estimable(r.note))
                continue
            covs = r.covariates if isinstance(r.covariates, str) and r.covariates else ""
            if r.estimator == q.NAIVE_ESTIMATOR:
                text = _("{n} adopters with scores before and after; ignores the common trend",
                         n=self.fmt.count(r.n_units))
            elif r.estimator == q.TWFE_ESTIMATOR:
                text = _("{obs} observations, {clusters} clusters; biased when effects vary over time",
                         obs=self.fmt.count(r.n_obs), clusters=self.fmt.count(r.n_clusters))
            elif r.estimator in (q.REFERENCE_ESTIMATOR, q.NOT_YET_ESTIMATOR):
                text = _("{cells} cohort-year cells", cells=self.fmt.count(r.cells))
            elif r.estimator == q.IMPUTATION_ESTIMATOR:
                text = _("untreated observations impute the counterfactual; conservative standard errors")
            elif r.estimator == q.SUN_ABRAHAM_ESTIMATOR:
                text = (_("{cells} cohort-event-time cells, never-treated comparisons", cells=self.fmt.count(r.cells))
                        if r.control == "never_treated" else
                        _("{cells} cohort-event-time cells, the last cohort ({cohort}) as comparison, in the years "
                          "before it adopted", cells=self.fmt.count(r.cells), cohort=self.fmt.year(r.control_cohort)))
            else:
                text = ""
            if covs and r.estimator in q.MODERN:
                text = _("{basis}; conditional on {covariates}", basis=text, covariates=covs)
            out.append(text)
        return out

    def comparison_table(self) -> dict:
        _ = self._
        return {"headers": {"estimator": _("Estimator"), "estimate": _("Average effect ({unit})", unit=self.unit),
                            "std_error": _("Standard error"),
                            "conf_low": _("Lower limit, {level} pointwise interval", level=self.level),
                            "conf_high": _("Upper limit, {level} pointwise interval", level=self.level),
                            "basis": _("Based on")},
                "formats": {"estimate": self._e, "std_error": 2, "conf_low": 2, "conf_high": 2},
                "values": {"estimator": self.estimator_names()},
                "caption": _("Average effect on {outcome} since adoption, by estimator", outcome=self.outcome)}

    def comparison_title(self, agreement: q.Agreement) -> str:
        _ = self._
        if not np.isfinite(agreement.reference):
            return _("Average effect on {outcome} by estimator", outcome=self.outcome)
        if np.isfinite(agreement.twfe):
            gap = agreement.twfe - agreement.reference
            values = dict(gap=self.fmt.number(abs(gap), 2), unit=self.unit, reference=self._e(agreement.reference),
                          outcome=self.outcome)
            return (_("TWFE sits {gap} {unit} above Callaway-Sant'Anna ({reference}) on {outcome}", **values)
                    if gap > 0 else
                    _("TWFE sits {gap} {unit} below Callaway-Sant'Anna ({reference}) on {outcome}", **values))
        return _("Callaway-Sant'Anna estimates {reference} {unit} on {outcome}",
                 reference=self._e(agreement.reference), unit=self.unit, outcome=self.outcome)

    def truth_label(self) -> str:
        return self._("true effect (synthetic data)")

    def comparison_figure(self, table: pd.DataFrame) -> dict:
        """Keyword arguments of ``plots.robustness.estimator_intervals``."""
        _ = self._
        names = self.estimator_names()
        shown = table[table["estimate"].notna()]
        # each message its own call (Babel does not extract a _() nested in another's arguments)
        values = [_("{name}: {estimate} {interval}", name=names.get(r.estimator, r.estimator),
                    estimate=self._e(r.estimate), interval=self._ci(r.conf_low, r.conf_high))
                  for r in shown.itertuples()]
        alt = _("Estimates and {level} pointwise intervals by estimator: {values}.", level=self.level,
                values="; ".join(values))
        return {"labels": names, "xlabel": _("Average effect since adoption ({unit})", unit=self.unit),
                "truth_label": self.truth_label(), "alt": alt, "number": self.number}

    def comparison_reading(self, agreement: q.Agreement) -> str:
        """Do the estimators built for staggered adoption agree with each other, and with TWFE?"""
        _ = self._
        if agreement.n == 0:
            return _paragraphs([_("None of the estimators built for staggered adoption could be computed on these data.")])
        a = agreement
        first = [_("The {n} estimators built for staggered adoption give between {low} and {high} {unit}: a spread "
                   "of {spread}, {ratio} times the largest standard error ({se}).", n=a.n, low=self._e(a.low),
                   high=self._e(a.high), unit=self.unit, spread=self.fmt.number(a.spread, 2),
                   ratio=self.fmt.number(a.spread / a.max_std_error if a.max_std_error else np.nan, 1),
                   se=self.fmt.number(a.max_std_error, 2))]
        first.append(_("Their intervals share common ground, so they agree within sampling error.") if a.overlap else
                     _("Their intervals do not all overlap: they disagree by more than sampling error, which points "
                       "to a problem with one of their assumptions (comparison group, covariates)."))
        first.append(_("{k} of {n} exclude zero at the {level} level.", k=a.n_excluding_zero, n=a.n,
                       level=self.level) if a.same_sign else
                     _("{k} of {n} exclude zero at the {level} level; they do not even agree on the sign.",
                       k=a.n_excluding_zero, n=a.n, level=self.level))
        out = [" ".join(first)]
        second = []
        if np.isfinite(a.twfe):
            if a.twfe_inside:
                second.append(_("Static TWFE gives {twfe}, inside that range.", twfe=self._e(a.twfe)))
            else:
                values = dict(twfe=self._e(a.twfe), gap=self.fmt.number(abs(a.twfe - a.midpoint), 2), unit=self.unit)
                second.append(_("Static TWFE gives {twfe}, {gap} {unit} above their midpoint: the bias the "
                                "decomposition above explains.", **values) if a.twfe > a.midpoint else
                              _("Static TWFE gives {twfe}, {gap} {unit} below their midpoint: the bias the "
                                "decomposition above explains.", **values))
        if np.isfinite(a.naive):
            second.append(_("The naive before/after change of adopters, {naive}, also counts whatever every {unit_word} "
                            "gained over the same years.", naive=self._e(a.naive), unit_word=self.words.unit))
        if second:
            out.append(" ".join(second))
        if np.isfinite(a.truth):
            names = self.estimator_names()
            covering = self.fmt.join([names.get(e, e) for e in a.covering])
            out.append(_("In these synthetic data the true average effect is {truth}; the intervals of {covering} "
                         "cover it.", truth=self._e(a.truth), covering=covering) if a.covering else
                       _("In these synthetic data the true average effect is {truth}; the interval of no estimator "
                         "covers it.", truth=self._e(a.truth)))
        return _paragraphs(out)

    def profile_names(self) -> dict:
        _ = self._
        return {"cs_universal": _("Callaway-Sant'Anna (universal base period)"),
                "imputation": _("Imputation (before adoption: pre-trend test coefficients)"),
                "sun_abraham": _("Sun-Abraham"), "twfe_event_study": _("TWFE event study (no covariates)")}

    def profiles_title(self, spread: q.ProfileSpread) -> str:
        _ = self._
        if spread.horizon is None:
            return _("Effects on {outcome} by years since adoption", outcome=self.outcome)
        names = self.profile_names()
        return _.plural("{h} year after adoption the estimates of the effect on {outcome} range from {low} ({lowest}) "
                        "to {high} {unit} ({highest})",
                        "{h} years after adoption the estimates of the effect on {outcome} range from {low} ({lowest}) "
                        "to {high} {unit} ({highest})", spread.horizon, h=spread.horizon, outcome=self.outcome,
                        low=self._e(spread.values[spread.lowest]), lowest=names.get(spread.lowest, spread.lowest),
                        high=self._e(spread.values[spread.highest]), unit=self.unit,
                        highest=names.get(spread.highest, spread.highest))

    def profiles_figure(self, profiles: dict) -> dict:
        """Keyword arguments of ``plots.robustness.event_time_comparison`` (pointwise intervals)."""
        _ = self._
        names = self.profile_names()
        parts = []
        for key, table in profiles.items():
            shown = table[table["identified"]] if "identified" in table else table
            shown = shown[np.isfinite(shown["estimate"])]
            values = [_("{t}: {estimate}", t=int(r.event_time), estimate=self._e(r.estimate))
                      for r in shown.itertuples()]
            parts.append(_("{name}: {values}", name=names.get(key, key), values=", ".join(values)))
        alt = _("Effects by years since adoption with {level} pointwise intervals, by estimator. {parts}.",
                level=self.level, parts="; ".join(parts))
        return {"labels": names, "truth_label": self.truth_label(), "units": self.unit,
                "xlabel": _("Years since adoption (event time; negative = before)"),
                "ylabel": _("Effect ({unit}), {level} pointwise interval", unit=self.unit, level=self.level),
                "alt": alt, "number": self.number}

    # 3. sensitivity ---------------------------------------------------------------------------------
    def sensitivity_heading(self) -> str:
        return self._("3. How far would parallel trends have to fail to overturn the finding?")

    def sensitivity_intro(self) -> str:
        return self._(
            "Parallel trends after adoption cannot be tested. Rambachan & Roth (2023) let them fail by a bounded "
            "amount and report the confidence interval under each bound. Relative magnitudes: the drift between "
            "adopters and comparisons after adoption may be up to Mbar times the largest drift seen between "
            "consecutive years before adoption. Smoothness: the pre-adoption trend may be extrapolated with its "
            "slope changing by up to M per year. The breakdown value is the smallest bound at which the interval "
            "includes zero. The event-time effects are Callaway & Sant'Anna's with a universal base period (the "
            "year before adoption), and the target is the average effect over the years since adoption.")

    def sensitivity_title(self, s: q.Sensitivity) -> str:
        _ = self._
        if not s.significant:
            return _("The effect on {outcome} is not significant even under exact parallel trends",
                     outcome=self.outcome)
        if np.isinf(s.breakdown_relative):
            return _("The effect on {outcome} stays significant for every Mbar up to {mbar}", outcome=self.outcome,
                     mbar=self.fmt.number(s.largest_mbar, 1))
        return _("The effect on {outcome} stays significant until post-adoption drift reaches {mbar} times the "
                 "largest pre-adoption drift", outcome=self.outcome, mbar=self.fmt.number(s.breakdown_relative, 2))

    def _target(self, rm) -> str:
        _ = self._
        if rm.target == "average":
            first = min(t for t in rm.post_event_times if t >= 0)
            return _("the average effect over event times {first}–{last}", first=first, last=max(rm.post_event_times))
        return _("the effect {t} years after adoption", t=rm.target)

    def sensitivity_figure(self, s: q.Sensitivity) -> dict:
        """Keyword arguments of ``plots.robustness.sensitivity`` (``results`` first)."""
        _ = self._
        parts = []
        for res in (s.relative, s.smoothness):
            if res is None:
                continue
            f = res.tidy()
            orig, rows = f.iloc[0], f.iloc[1:]
            name = _("Relative magnitudes") if res.method == "relative_magnitude" else _("Smoothness")
            grid = "; ".join(_("{parameter}: {interval}", parameter=self.fmt.number(r.parameter, 2),
                               interval=self._ci(r.conf_low, r.conf_high, 3)) for r in rows.itertuples())
            breakdown = (_("breakdown value {value}", value=self.fmt.number(res.breakdown, 2))
                         if np.isfinite(res.breakdown) else _("no breakdown in the grid"))
            parts.append(_("{name}: original interval {original}; {grid}; {breakdown}", name=name,
                           original=self._ci(orig["conf_low"], orig["conf_high"], 3), grid=grid,
                           breakdown=breakdown))
        alt = _("{level} confidence intervals for the effect as larger violations of parallel trends are allowed. "
                "{parts}.", level=self.level, parts=". ".join(parts))
        words = {"original": _("interval under parallel trends"), "robust": _("robust interval ({method})"),
                 "breakdown": _("breakdown value {value}"),
                 "rm_xlabel": _("Mbar: allowed post-adoption drift as a multiple of the largest pre-adoption drift"),
                 "rm_panel": _("Relative magnitudes"),
                 "sd_xlabel": _("M: allowed change in the slope of the drift ({units} per year)"),
                 "sd_panel": _("Smoothness"), "ylabel": _("Effect ({units})")}
        return {"results": [r for r in (s.relative, s.smoothness) if r is not None], "units": self.unit,
                "words": words, "alt": alt, "number": self.number}

    def sensitivity_reading(self, s: q.Sensitivity) -> str:
        """How far parallel trends would have to fail to overturn the finding (breakdown values)."""
        _ = self._
        rm, sd = s.relative, s.smoothness
        orig = rm.original
        values = dict(target=self._target(rm), estimate=self._e(rm.estimate), unit=self.unit, level=self.level,
                      interval=self._ci(orig["conf_low"], orig["conf_high"]), pre=len(rm.pre_event_times),
                      post=len(rm.post_event_times))
        first = (_("Under exact parallel trends {target} is {estimate} {unit}, each year since adoption counting "
                   "equally, unlike the average over adopter-years of the estimator table ({level} confidence "
                   "interval {interval}). The analysis uses {pre} pre-adoption and {post} post-adoption event "
                   "times.", **values) if rm.target == "average" else
                 _("Under exact parallel trends {target} is {estimate} {unit} ({level} confidence interval "
                   "{interval}). The analysis uses {pre} pre-adoption and {post} post-adoption event times.",
                   **values))
        out = [first]
        if not s.significant:
            out.append(_("That interval already includes zero, so there is no finding to overturn; the bounds below "
                         "show how much wider the uncertainty becomes if trends were not parallel."))
            return _paragraphs(out + self._left_out(s))
        if np.isinf(s.breakdown_relative):
            out.append(_("Relative magnitudes: the interval excludes zero for every Mbar tried (up to {mbar}): even "
                         "post-adoption departures from parallel trends {mbar} times as large as the largest one seen "
                         "before adoption would not overturn the finding.", mbar=self.fmt.number(s.largest_mbar, 1)))
        elif s.breakdown_relative > 1:
            out.append(_("Relative magnitudes: the interval includes zero once post-adoption departures from "
                         "parallel trends may be {mbar} times the largest pre-adoption one (the breakdown value). "
                         "Overturning the finding takes a post-adoption violation larger than any seen between "
                         "consecutive years before adoption.", mbar=self.fmt.number(s.breakdown_relative, 2)))
        else:
            out.append(_("Relative magnitudes: the interval includes zero once post-adoption departures from "
                         "parallel trends may be {mbar} times the largest pre-adoption one (the breakdown value). A "
                         "violation no larger than one already seen before adoption would overturn the finding: it "
                         "is fragile.", mbar=self.fmt.number(s.breakdown_relative, 2)))
        if sd is not None:
            digits = 3
            if np.isinf(s.breakdown_smoothness):
                text = _("Smoothness: the interval excludes zero for every M tried (up to {m} {unit} per year).",
                         m=self.fmt.number(s.largest_m, digits), unit=self.unit)
            elif s.breakdown_smoothness == 0:
                text = _("Smoothness: extrapolating the pre-adoption trend linearly (M = 0), the interval already "
                         "includes zero: the effect is not distinguishable from a continuation of the trend adopters "
                         "were on before adoption.")
            else:
                text = _("Smoothness: allowing the pre-adoption trend to be extrapolated with its slope changing by up "
                         "to M {unit} per year, the interval includes zero from M = {m}.", unit=self.unit,
                         m=self.fmt.number(s.breakdown_smoothness, digits))
            if np.isfinite(s.contradicted_m):
                text = " ".join([text, _(
                    "For M up to {m} the pre-adoption coefficients themselves bend more than M allows, so no drift "
                    "consistent with them fits the restriction (the table shows no identified set there); the "
                    "intervals remain valid, but such small M are contradicted by the pre-adoption years.",
                    m=self.fmt.number(s.contradicted_m, digits))])
            out.append(text)
        return _paragraphs(out + self._left_out(s))

    def _left_out(self, s: q.Sensitivity) -> list[str]:
        if not s.left_out:
            return []
        return [self._.plural("Event time {times} was left out: it is not identified or not consecutive with the "
                              "base period.",
                              "Event times {times} were left out: they are not identified or not consecutive with the "
                              "base period.", len(s.left_out), times=self.fmt.join([str(t) for t in s.left_out]))]

    def sensitivity_table(self) -> dict:
        _ = self._
        return {"headers": {"restriction": _("Restriction"), "parameter": _("Mbar or M"),
                            "conf_low": _("Lower limit, {level} robust interval", level=self.level),
                            "conf_high": _("Upper limit, {level} robust interval", level=self.level),
                            "id_low": _("Identified set, lower ({unit})", unit=self.unit),
                            "id_high": _("Identified set, upper ({unit})", unit=self.unit)},
                "formats": {"parameter": 3, "conf_low": 3, "conf_high": 3, "id_low": 3, "id_high": 3},
                "values": {"restriction": {"none": _("none (parallel trends)"),
                                           "relative_magnitude": _("relative magnitudes (Mbar)"),
                                           "smoothness": _("smoothness (M, {unit} per year)", unit=self.unit)}},
                "caption": _("Confidence intervals for the average effect on {outcome} under bounded violations of "
                             "parallel trends", outcome=self.outcome)}

    def sensitivity_method(self) -> str:
        return self._("Rambachan & Roth (2023)")

    # pre-test power -------------------------------------------------------------------------------
    def pretrend_heading(self) -> str:
        return self._("Could the pre-test have missed a trend that matters?")

    def pretrend_intro(self) -> str:
        return self._(
            "A pre-test passed is only reassuring if it could have failed. Roth (2022) asks how steep a linear trend "
            "between adopters and comparisons the pre-test (any pre-adoption coefficient significant on its own) "
            "would catch half the time, and how much of the effect such a trend would produce if it continued after "
            "adoption.")

    def pretrend_reading(self, pp: q.PretrendPower, s: q.Sensitivity) -> str:
        """The pre-trend power statement in plain words, set against the effect it could bias."""
        _ = self._
        r = pp.result
        if r is None:  # not computed
            return _paragraphs([_("The power of the pre-test could not be computed on these data: {reason}.", reason=pp.reason)])
        times = r.event_time
        values = dict(n=len(times), first=int(times.min()), last=int(times.max()),
                      critical=self.fmt.number(r.settings["critical_value"], 2), slope=self.fmt.number(r.slope, 3),
                      unit=self.unit, how_often=self.fmt.percent(r.target_power), size=self.fmt.percent(r.size))
        out = [_("The pre-test flags a problem when any of the {n} pre-adoption coefficients (event times {first} to "
                 "{last}) is significant on its own (|t| > {critical}). The pre-test would detect a linear trend of "
                 "{slope} {unit} a year only {how_often} of the time (Roth 2022); with parallel trends it raises a "
                 "false alarm {size} of the time.", **values)]
        if np.isfinite(pp.bias):
            values = dict(bias=self.fmt.number(pp.bias, 3), unit=self.unit, first=min(pp.post_event_times),
                          last=max(pp.post_event_times), estimate=self._e(s.relative.estimate),
                          share=self.fmt.percent(pp.share), how_often=self.fmt.percent(r.target_power))
            out.append(_("If such a trend went on after adoption it would add {bias} {unit} on average over event "
                         "times {first}–{last}, against an estimated average effect of {estimate} {unit} over the same "
                         "years: a trend the pre-test misses this often could produce most of the effect, so passing "
                         "the pre-test says little; the sensitivity analysis above is the better guide.", **values)
                       if pp.share >= 0.5 else
                       _("If such a trend went on after adoption it would add {bias} {unit} on average over event "
                         "times {first}–{last}, against an estimated average effect of {estimate} {unit} over the same "
                         "years: about {share} of it, so a trend the pre-test would miss {how_often} of the time "
                         "explains only part of the effect.", **values))
        if np.isfinite(r.likelihood_ratio):
            out.append(_("The estimated pre-adoption coefficients are {lr} times as likely under that trend as under "
                         "parallel trends (likelihood ratio), and passing the pre-test is {bf} times as likely under "
                         "it (Bayes factor).", lr=self.fmt.number(r.likelihood_ratio, 2),
                         bf=self.fmt.number(r.bayes_factor, 2)))
        return _paragraphs(out)

    def pretrend_table(self) -> dict:
        _ = self._
        return {"headers": {"event_time": _("Event time"), "estimate": _("Pre-adoption coefficient ({unit})",
                                                                         unit=self.unit),
                            "std_error": _("Standard error"),
                            "violation_at_target_power": _("Trend the pre-test detects half the time ({unit})",
                                                           unit=self.unit)},
                "formats": {"event_time": 0, "estimate": 3, "std_error": 3, "violation_at_target_power": 3},
                "caption": _("Pre-adoption coefficients and the linear trend the pre-test would detect half the time")}

    # 4. placebos ------------------------------------------------------------------------------------
    def placebo_heading(self) -> str:
        return self._("4. Do placebo adoption dates find nothing?")

    def placebo_intro(self) -> str:
        return self._(
            "Two placebo checks. First, every adoption is moved one, two and three years earlier and only the years "
            "before the real adoption are kept: any \"effect\" is a difference in trends before adoption. Second, "
            "the adoption dates are reassigned at random across {units} many times; if the real estimate is no "
            "larger than most of the random ones, it could be chance.", units=self.words.units)

    def placebo_table(self) -> dict:
        _ = self._
        return {"headers": {"shift": _("Adoption moved earlier by (years)"),
                            "estimate": _("Placebo effect ({unit})", unit=self.unit),
                            "std_error": _("Standard error"),
                            "conf_low": _("Lower limit, {level} pointwise interval", level=self.level),
                            "conf_high": _("Upper limit, {level} pointwise interval", level=self.level),
                            "p_value": _("p-value"), "n_treated": _("Adopters"), "n_control": _("Comparisons"),
                            "status": _("Estimable")},
                "formats": {"shift": 0, "estimate": self._e, "std_error": 2, "conf_low": 2, "conf_high": 2,
                            "p_value": 3, "n_treated": "count", "n_control": "count"},
                "caption": _("Placebo estimates on {outcome} with adoption moved earlier", outcome=self.outcome)}

    def placebo_status(self, placebos) -> list[str]:
        """``sí``/``no: reason`` per placebo row."""
        return [self._("yes") if r.identified else self.not_estimable(r.note) for r in placebos.tidy().itertuples()]

    def placebo_method(self) -> str:
        return self._("Callaway & Sant'Anna (2021), pre-adoption years only")

    def placebo_title(self, ri) -> str:
        _ = self._
        count, valid = q.as_large(ri)
        if count == 0:
            return _("None of {n} random reassignments of adoption dates gives an effect on {outcome} as large as the "
                     "real one ({p})", n=valid, outcome=self.outcome, p=self.fmt.p_value(ri.p_value))
        return _.plural("{count} of {n} random reassignments of adoption dates gives an effect on {outcome} as large "
                        "as the real one ({p})",
                        "{count} of {n} random reassignments of adoption dates give an effect on {outcome} as large as "
                        "the real one ({p})", count, count=count, n=valid, outcome=self.outcome,
                        p=self.fmt.p_value(ri.p_value))

    def placebo_figure(self, ri) -> dict:
        _ = self._
        values = ri.permuted[np.isfinite(ri.permuted)]
        qs = np.quantile(values, [0.025, 0.5, 0.975]) if values.size else [np.nan] * 3
        alt = _("Histogram of {n} placebo estimates from random reassignments of adoption dates: median {median}, 95% "
                "of them between {low} and {high}. Real estimate {estimate}; randomization {p}.", n=values.size,
                median=self.fmt.number(qs[1], 3), low=self.fmt.number(qs[0], 3), high=self.fmt.number(qs[2], 3),
                estimate=self.fmt.number(ri.estimate, 3), p=self.fmt.p_value(ri.p_value))
        words = {"reassignments": _("random reassignments ({n})"), "real": _("real estimate ({value})"),
                 "opposite": _("same size, opposite sign"),
                 "xlabel": _("Average effect with adoption dates reassigned at random ({units})"),
                 "ylabel": _("Reassignments (count)")}
        return {"units": self.unit, "words": words, "alt": alt, "number": self.number}

    def placebo_reading(self, placebos, ri, counts: q.PlaceboCounts) -> str:
        """What the placebo adoption dates and the random reassignments find."""
        _ = self._
        lines = []
        for r in placebos.tidy().itertuples():
            if not r.identified:
                lines.append(_.plural("{k} year earlier: not estimable ({note})", "{k} years earlier: not estimable "
                                      "({note})", int(r.shift), k=int(r.shift), note=r.note))
                continue
            values = dict(k=int(r.shift), estimate=self._e(r.estimate), unit=self.unit, level=self.level,
                          interval=self._ci(r.conf_low, r.conf_high))
            if r.conf_low <= 0 <= r.conf_high:
                lines.append(_.plural("{k} year earlier: {estimate} {unit} ({level} interval {interval}), consistent "
                                      "with no effect",
                                      "{k} years earlier: {estimate} {unit} ({level} interval {interval}), consistent "
                                      "with no effect", int(r.shift), **values))
            else:
                lines.append(_.plural("{k} year earlier: {estimate} {unit} ({level} interval {interval}), different "
                                      "from zero",
                                      "{k} years earlier: {estimate} {unit} ({level} interval {interval}), different "
                                      "from zero", int(r.shift), **values))
        intro = _("Moving every adoption earlier and using only the years before the real adoption, the estimator "
                  "should find nothing: {lines}.", lines="; ".join(lines))
        if counts.estimated == 0:
            verdict = _("No placebo date could be estimated.")
        elif counts.rejected == 0:
            verdict = _("No placebo date finds an effect, as expected if adopters and comparisons moved alike before "
                        "adoption.")
        else:
            verdict = _("{k} of {n} placebo dates find an 'effect' before adoption (p < {alpha}). Adopters were "
                        "already drifting apart from the comparisons, or anticipated the adoption: read the main "
                        "estimate with caution.", k=counts.rejected, n=counts.estimated,
                        alpha=self.fmt.number(self.alpha, 2))
        values = dict(units=self.words.units, draws=self.fmt.count(ri.n_valid), seed=ri.seed,
                      estimate=self._e(ri.estimate), p=self.fmt.number(ri.p_value, 3),
                      size=self.fmt.percent(self.alpha))
        randomization = (_("Randomization inference: reassigning the adoption dates at random across {units} ({draws} "
                           "draws, seed {seed}), the average effect is as far from zero as the real one ({estimate}) "
                           "in a share p = {p} of draws (with the +1 correction). So few random assignments give an "
                           "effect as large that chance is an unlikely explanation at the {size} level.", **values)
                         if ri.p_value < self.alpha else
                         _("Randomization inference: reassigning the adoption dates at random across {units} ({draws} "
                           "draws, seed {seed}), the average effect is as far from zero as the real one ({estimate}) "
                           "in a share p = {p} of draws (with the +1 correction). That is not rare enough to rule out "
                           "chance at the {size} level.", **values))
        return _paragraphs([intro, verdict, randomization])

    # 5. power ----------------------------------------------------------------------------------------
    def power_heading(self) -> str:
        return self._("5. What effect could these data detect?")

    def power_intro(self) -> str:
        return self._(
            "The minimum detectable effect: simulated panels with the same {units}, years and adoption cohorts, "
            "outcomes that vary as the untreated observations do, and a known effect added after adoption. The "
            "smallest effect found 80% of the time at the 5% level is what these data can see; a smaller true "
            "effect could go unnoticed.", units=self.words.units)

    def power_title(self, pw) -> str:
        return self._("These data detect an average effect on {outcome} of {mde} {unit} {power} of the time",
                      outcome=self.outcome, mde=self.fmt.number(pw.mde, 2), unit=self.unit,
                      power=self.fmt.percent(pw.target_power))

    def power_figure(self, pw) -> dict:
        _ = self._
        curve = pw.curve()
        picks = curve.iloc[:: max(1, len(curve) // 8)]
        points = [_("effect {effect}: {power}", effect=self.fmt.number(r.effect, 2), power=self.fmt.percent(r.power))
                  for r in picks.itertuples()]
        alt = _("Power curve from {n} simulated panels: {points}. Minimum detectable effect {mde} at {power} power.",
                n=pw.simulations, points="; ".join(points), mde=self.fmt.number(pw.mde, 2),
                power=self.fmt.percent(pw.target_power))
        words = {"power": _("simulated power"), "target": _("{value} power"), "size": _("test size {value}"),
                 "mde": _("minimum detectable effect ({value})"), "estimate": _("|estimated effect| ({value})"),
                 "xlabel": _("True average effect added to every adopter after adoption ({units})"),
                 "ylabel": _("Probability the test detects it (%)")}
        return {"units": self.unit, "words": words, "alt": alt, "number": self.number, "percent": self.fmt.percent}

    def power_reading(self, pw, table: pd.DataFrame) -> str:
        """The minimum detectable effect against the estimate (Callaway-Sant'Anna, never-treated comparisons)."""
        _ = self._
        text = [_("Simulating {n} panels with these {units}, years and adoption cohorts, and outcomes that vary as the "
                  "untreated observations do, the smallest average effect the estimator detects {power} of the time "
                  "at the {size} level is {mde} {unit} (normal approximation from the real standard error: "
                  "{analytic}).", n=pw.simulations, units=self.words.units, power=self.fmt.percent(pw.target_power),
                  size=self.fmt.percent(pw.alpha), mde=self.fmt.number(pw.mde, 2), unit=self.unit,
                  analytic=self.fmt.number(pw.mde_analytic, 2))]
        t = table.set_index("estimator")
        if q.REFERENCE_ESTIMATOR in t.index and np.isfinite(t.loc[q.REFERENCE_ESTIMATOR, "estimate"]):
            row = t.loc[q.REFERENCE_ESTIMATOR]
            est = float(row["estimate"])
            values = dict(estimate=self._e(est), mde=self.fmt.number(pw.mde, 2), unit=self.unit)
            if not (row["conf_low"] <= 0 <= row["conf_high"]):
                text.append(_("The estimated effect, {estimate}, is larger than that.", **values)
                            if abs(est) >= pw.mde else
                            _("The estimated effect, {estimate}, is smaller than that, yet significant. That is a "
                              "warning: with this little power, the estimates that reach significance overstate the "
                              "true effect on average (the 'winner's curse').", **values))
            else:
                text.append(_("The estimate, {estimate}, is not significant; effects smaller than about {mde} {unit} "
                              "could easily have been missed, so the absence of evidence is not evidence of absence.",
                              **values))
        values = dict(size=self.fmt.percent(pw.size, 1), nominal=self.fmt.percent(pw.alpha))
        if not q.size_is_off(pw):
            text.append(_("With no effect the simulated test rejects {size} of the time, close to the nominal "
                          "{nominal}: the standard errors are about right.", **values))
        elif pw.size > pw.alpha:
            text.append(_("With no effect the simulated test rejects {size} of the time, away from the nominal "
                          "{nominal}: the standard errors may be too small for a panel like this one.", **values))
        else:
            text.append(_("With no effect the simulated test rejects {size} of the time, away from the nominal "
                          "{nominal}: the standard errors may be too large for a panel like this one.", **values))
        return _paragraphs([" ".join(text)])

    # synthetic DiD for the first national cohort ---------------------------------------------------------
    def sdid_heading(self) -> str:
        return self._("Synthetic difference-in-differences for the first national heads of sector")

    def sdid_intro(self) -> str:
        return self._(
            "The heads of sector that adopted first are one block: the same year, treated ever after. For a block, "
            "synthetic difference-in-differences (Arkhangelsky et al. 2021) reweights the comparison entities so "
            "that their path before adoption runs parallel to the block's, and the pre-adoption years so that they "
            "resemble the years after; synthetic control (unit weights only, no level shift) and plain DiD (equal "
            "weights) are shown beside it. The comparisons are the national entities that had not adopted by the "
            "last year used.")

    def first_cohort_reason(self, fc: q.FirstCohortSynthetic, reason: str | None = None,
                            first_year: int | None = None) -> str:
        """The words for a reason code of ``FirstCohortSynthetic``."""
        _ = self._
        reason = fc.reason if reason is None else reason
        first_year = fc.first_year if first_year is None else first_year
        words = {
            "no_head_of_sector_column": _("these data do not say which entities are national heads of sector"),
            "no_head_adopted": _("no national head of sector adopted within the years of data"),
            "few_pre_years": _("the first national heads of sector adopted in {cohort}, and the outcome is measured "
                               "from {first} on: synthetic DiD needs two years before adoption",
                               cohort=self.fmt.year(fc.cohort), first=self.fmt.year(first_year)),
            "head_not_complete": _("no {cohort} head of sector is observed in every year",
                                   cohort=self.fmt.year(fc.cohort)),
            "no_comparison": _("no national entity is left that had not adopted by the last year"),
            "no_indicator": _("no indicator in these data"),
        }
        return words.get(reason, fc.error or reason)

    def sdid_basis(self, fc: q.FirstCohortSynthetic) -> list[str]:
        """What each synthetic-DiD row rests on."""
        _ = self._
        if fc.result is None:
            return [self.not_estimable(self.first_cohort_reason(fc))]
        r = fc.result
        out = []
        for row in fc.tidy().itertuples():
            if row.estimator == "sdid":
                out.append(_("{treated} treated, {control} comparison entities (in effect {effective}); placebo "
                             "standard errors, {draws} draws", treated=r.n_treated, control=r.n_control,
                             effective=self.fmt.number(fc.effective_controls, 0), draws=r.settings["replications"]))
            elif row.estimator == "sc":
                out.append(_("weight on {n} comparison entities", n=int(row.n_clusters)))
            else:
                out.append(_("all {control} comparison entities, all {pre} pre-adoption years equally",
                             control=r.n_control, pre=r.n_pre))
        return out

    def sdid_table(self, fc: q.FirstCohortSynthetic) -> dict:
        _ = self._
        table = self.comparison_table()
        table["caption"] = _("Effect on {outcome} for the first national heads of sector",
                             outcome=fc.outcome or fc.requested)
        return table

    def sdid_method(self) -> str:
        return self._("Arkhangelsky et al. (2021), placebo standard errors")

    def sdid_reading(self, fc: q.FirstCohortSynthetic) -> str:
        """What the synthetic DiD says about the first national cohort."""
        _ = self._
        if fc.result is None:
            return _paragraphs([_("Synthetic difference-in-differences for the first national heads of sector is not estimable "
                      "here: {reason}.", reason=self.first_cohort_reason(fc))])
        r = fc.result
        est = r.estimates
        names = pd.Series(dtype=object)
        entities = getattr(self.dataset, "entities", None)
        if isinstance(entities, pd.DataFrame) and "name" in entities.columns:
            names = entities.set_index("entity_id")["name"]
        top = [str(names.get(e, e)) for e in fc.top_controls()]
        assert fc.outcome is not None  # the outcome estimated, set whenever there is a result
        unit = effect_unit(self.words, self.dataset, fc.outcome)
        values = dict(n=r.n_treated, cohort=self.fmt.year(fc.cohort), control=r.n_control,
                      last=self.fmt.year(fc.last_year), estimate=self._e(r.estimate), unit=unit, outcome=fc.outcome,
                      level=self.level, interval=self._ci(r.conf_low, r.conf_high), sc=self._e(est["sc"]),
                      did=self._e(est["did"]), top="; ".join(top), years=self.fmt.join(fc.weighted_years()))
        text = [_("The {n} national heads of sector that adopted in {cohort} are compared with {control} national "
                  "entities that had not adopted by {last}.", **values)]
        if fc.dropped:
            text.append(_.plural("{k} entity not observed every year is left out.",
                                 "{k} entities not observed every year are left out.", fc.dropped, k=fc.dropped))
        text.append(_("Synthetic DiD estimates {estimate} {unit} on {outcome} ({level} interval {interval}, placebo "
                      "standard errors), against {sc} by synthetic control and {did} by plain DiD. The comparison "
                      "leans most on {top} and on the pre-adoption years {years}.", **values))
        text.append(_("The interval includes zero.") if r.conf_low <= 0 <= r.conf_high else
                    _("The interval excludes zero."))
        out = [" ".join(text)]
        if fc.substituted:
            out.append(_("Note: {requested}: {reason}; {outcome} is the first indicator measured in two years before "
                         "that, so this section uses it.", requested=fc.requested, outcome=fc.outcome,
                         reason=self.first_cohort_reason(fc, fc.requested_reason, fc.requested_first_year)))
        return _paragraphs(out)

    # few clusters: wild cluster bootstrap by sector ---------------------------------------------------------
    def wild_heading(self) -> str:
        return self._("Intervals with few clusters: national entities by sector")

    def wild_intro(self, draws: int = 999) -> str:
        return self._(
            "National entities of the same administrative sector share ministers, budgets and shocks, so their "
            "outcomes are not independent: the standard errors below are clustered by sector (the sector column of "
            "entities.csv). With a couple of dozen sectors the usual cluster-robust interval is too narrow. The "
            "wild cluster bootstrap-t (Cameron, Gelbach & Miller 2008; Webb's six-point weights, one per sector and "
            "draw) recomputes the t-statistic on {draws} reweightings of whole sectors and takes the interval's "
            "width from them. The table puts the two side by side for the average effect since adoption (two "
            "pointwise intervals) and for each year since adoption (the analytic pointwise interval and the wild "
            "uniform band, which covers all event times at once).", draws=self.fmt.count(draws))

    def wild_reason(self, sw: q.SectorWildBootstrap) -> str:
        _ = self._
        words = {
            "no_national": _("these data have no national entities with values of {outcome}, and the sector clusters "
                             "are defined for them only", outcome=sw.outcome),
            "no_sector": _("entities.csv gives no sector for the national entities (its optional sector column is "
                           "absent or blank), so there are no sector clusters"),
            "one_sector": _("the {n} national entities with a sector all belong to one sector ({sector}): a wild "
                            "cluster bootstrap needs at least two clusters", n=sw.n_entities, sector=sw.detail),
        }
        return words.get(sw.note, sw.detail or sw.note)

    def wild_effects(self, sw: q.SectorWildBootstrap) -> list[str]:
        """The words of the ``effect`` column (the overall row, then one per event time)."""
        _ = self._
        return [_("Average effect since adoption") if r.effect == q.OVERALL_EFFECT else
                _("Event time {t}", t=int(r.event_time)) for r in sw.tidy().itertuples()]

    def wild_table(self) -> dict:
        _ = self._
        return {"headers": {"effect_words": _("Effect"), "estimate": _("Estimate ({unit})", unit=self.unit),
                            "std_error": _("Cluster-robust standard error"),
                            "analytic_low": _("Analytic pointwise interval, lower"),
                            "analytic_high": _("Analytic pointwise interval, upper"),
                            "wild_low": _("Wild bootstrap, lower (overall: pointwise interval; event times: uniform "
                                          "band)"),
                            "wild_high": _("Wild bootstrap, upper"), "treated_sectors": _("Sectors with adopters"),
                            "status": _("Estimable")},
                "formats": {"estimate": self._e, "std_error": 2, "analytic_low": 2, "analytic_high": 2,
                            "wild_low": 2, "wild_high": 2, "treated_sectors": "count"},
                "caption": _("Effect on {outcome} for national entities: analytic pointwise intervals and the wild "
                             "cluster bootstrap, clustered by sector", outcome=self.outcome)}

    def wild_status(self, sw: q.SectorWildBootstrap) -> list[str]:
        if sw.wild is None:
            return [self.not_estimable(self.wild_reason(sw))]
        # an event time of the aggregate is unidentified only when none of its cohort-year cells is
        unidentified = self.not_estimable(self._("no cohort-year cell is identified at this event time"))
        return [self._("yes") if r.identified else unidentified for r in sw.tidy().itertuples()]

    def wild_method(self, draws: int = 999) -> str:
        return self._("Callaway & Sant'Anna (2021); wild cluster bootstrap-t, Webb weights, {draws} draws",
                      draws=self.fmt.count(draws))

    def coverage_words(self, n_clusters: int, treated: int) -> str:
        """What the README's coverage simulation says about intervals with this many (treated) clusters."""
        _ = self._
        big, small, few = q.WILD_COVERAGE[24], q.WILD_COVERAGE[10], q.WILD_COVERAGE["24, adopters in 3"]
        p = lambda v: self.fmt.percent(v, 1)  # noqa: E731
        text = [_("The README's coverage simulation (entities in sectors hit by sector-year shocks) "
                  "measured how often 95% intervals for the overall effect cover "
                  "the truth: with 24 clusters the analytic interval {big_a} and the wild one {big_w} (event-study "
                  "uniform band {big_b}); with 10 clusters {small_a} and {small_w} (uniform band {small_b}).",
                  big_a=p(big["analytic"]), big_w=p(big["wild"]), big_b=p(big["wild_band"]),
                  small_a=p(small["analytic"]), small_w=p(small["wild"]), small_b=p(small["wild_band"]))]
        design = q.coverage_design(n_clusters)
        if design == "large":
            text.append(_("These data have {n} clusters, as many as the larger design or more: in panels like the "
                          "simulated ones the wild interval covers about 95% and the analytic one somewhat less.",
                          n=n_clusters))
        elif design == "between":
            text.append(_("These data have {n} clusters, between the two designs, where in panels like the simulated "
                          "ones the wild interval covered close to 95% and the analytic one {low}–{high}.",
                          n=n_clusters, low=self.fmt.percent(small["analytic"]), high=self.fmt.percent(big["analytic"])))
        else:
            text.append(_("These data have {n} clusters, fewer than the smallest design simulated (10): the coverage "
                          "of either interval is not measured here; read even the wild interval with caution.",
                          n=n_clusters))
        values = dict(wild=p(few["wild"]), analytic=p(few["analytic"]), treated=treated, n=n_clusters)
        text.append(_("With adopters in only 3 of 24 sectors even the wild interval covered only {wild} (analytic "
                      "{analytic}; MacKinnon & Webb 2017): the fewer sectors hold adopters, the more both undercover. "
                      "Here adopters whose effects are estimated are in {treated} of the {n} sectors, as few as in "
                      "that design: read both intervals as too narrow.", **values) if treated <= 3 else
                    _("With adopters in only 3 of 24 sectors even the wild interval covered only {wild} (analytic "
                      "{analytic}; MacKinnon & Webb 2017): the fewer sectors hold adopters, the more both undercover. "
                      "Here adopters whose effects are estimated are in {treated} of the {n} sectors.", **values))
        return " ".join(text)

    def wild_reading(self, sw: q.SectorWildBootstrap) -> str:
        """What the two intervals by sector say, and how far to trust them with this many clusters."""
        _ = self._
        if sw.wild is None:
            return _paragraphs([_("Wild-cluster-bootstrap intervals by sector are not estimable here: {reason}.",
                      reason=self.wild_reason(sw))])
        table = sw.tidy()
        o = table.iloc[0]
        width = (o["wild_high"] - o["wild_low"]) / (o["analytic_high"] - o["analytic_low"])
        units = self.words.units
        text = [_("The {used} national {units} the estimate uses belong to {n} sectors.", used=sw.n_used,
                  units=units, n=sw.n_clusters)]
        if sw.no_sector:
            text.append(_("National {units} without a sector in entities.csv, left out: {k}.", units=units,
                          k=sw.no_sector))
        if sw.n_sectors != sw.n_clusters:
            text.append(_("All national {units} with {outcome} are in {all} sectors; those that adopted before the "
                          "first year of data drop out.", units=units, outcome=sw.outcome, all=sw.n_sectors))
        text.append(_("Their outcomes may share shocks within a sector, so the standard error sums the influence "
                      "functions by sector (cluster-robust). The average effect since adoption on {outcome} is "
                      "{estimate} {unit} (standard error {se}); the analytic cluster-robust {level} interval is "
                      "{analytic}, the wild cluster bootstrap-t {level} interval {wild} ({draws} draws of one Webb "
                      "weight per sector, seed {seed}), {width} times as wide. The wild interval takes its width from "
                      "how the t-statistic varies when whole sectors are reweighted, instead of assuming it is "
                      "normal, which it is not with few clusters.", outcome=sw.outcome, estimate=self._e(o["estimate"]),
                      unit=self.unit, se=self.fmt.number(o["std_error"], 2), level=self.level,
                      analytic=self._ci(o["analytic_low"], o["analytic_high"]),
                      wild=self._ci(o["wild_low"], o["wild_high"]), draws=self.fmt.count(sw.wild.inference.bootstrap),
                      seed=sw.wild.inference.seed, width=self.fmt.number(width, 2)))
        a0 = o["analytic_low"] <= 0 <= o["analytic_high"]
        w0 = o["wild_low"] <= 0 <= o["wild_high"]
        if a0 == w0:
            text.append(_("Both include zero.") if w0 else _("Both exclude zero."))
        elif w0:
            text.append(_("The analytic interval excludes zero, the wild one does not: with this few clusters the "
                          "significance of the average effect does not survive."))
        else:
            text.append(_("The wild interval excludes zero while the analytic one does not."))
        c = sw.event_time_counts()
        event = _("Event study: the wild limits form a uniform band over the {n} event times, so they are wider than "
                  "a pointwise interval by construction. After adoption the analytic pointwise intervals exclude zero "
                  "at {post_a} of {post} event times, the wild uniform band at {post_w}; before adoption, where the "
                  "truth under parallel trends is zero, {pre_a} and {pre_w} of {pre}.", n=c["event_times"],
                  post_a=c["post_analytic"], post=c["post"], post_w=c["post_wild"], pre_a=c["pre_analytic"],
                  pre_w=c["pre_wild"], pre=c["pre"])
        return _paragraphs([" ".join(text), event, self.coverage_words(sw.n_clusters, int(o["treated_sectors"]))])

    # summary -------------------------------------------------------------------------------------------
    def summary_heading(self) -> str:
        return self._("6. Summary")

    def summary(self, shares: q.BaconShares | None, agreement: q.Agreement, s: q.Sensitivity,
                pp: q.PretrendPower | None, counts: q.PlaceboCounts, ri, pw) -> list[str]:
        """One bullet per check, each stating what it found."""
        _ = self._
        out = []
        if shares is not None:
            out.append(_("TWFE: {weight} of its weight is on comparisons with already-treated controls.",
                         weight=self.fmt.percent(shares.forbidden_weight)))
        if agreement.n:
            values = dict(low=self._e(agreement.low), high=self._e(agreement.high), unit=self.unit)
            out.append(_("Modern estimators: {low} to {high} {unit}; they agree within sampling error.", **values)
                       if agreement.overlap else
                       _("Modern estimators: {low} to {high} {unit}; they disagree beyond sampling error.", **values))
        if not s.significant:
            out.append(_("Parallel trends: no significant effect to overturn."))
        elif np.isinf(s.breakdown_relative):
            out.append(_("Parallel trends: breakdown Mbar above {mbar} (times the largest pre-adoption drift).",
                         mbar=self.fmt.number(s.largest_mbar, 1)))
        else:
            out.append(_("Parallel trends: breakdown Mbar = {mbar} (times the largest pre-adoption drift).",
                         mbar=self.fmt.number(s.breakdown_relative, 2)))
        if pp is not None and pp.result is not None:
            out.append(_("Pre-test power: the pre-test would detect a linear trend of {slope} {unit} a year only "
                         "{power} of the time.", slope=self.fmt.number(pp.slope, 3), unit=self.unit,
                         power=self.fmt.percent(pp.result.target_power)))
        out.append(_("Placebos: {k} of {n} placebo dates find an effect; randomization inference {p}.",
                     k=counts.rejected, n=counts.estimated, p=self.fmt.p_value(ri.p_value)))
        out.append(_("Power: minimum detectable effect {mde} {unit} ({power} power, {size} size).",
                     mde=self.fmt.number(pw.mde, 2), unit=self.unit, power=self.fmt.percent(pw.target_power),
                     size=self.fmt.percent(pw.alpha)))
        return out

    def appendix(self) -> str:
        return self._("Appendix: detailed tables")

    def yes_no(self) -> dict:
        _ = self._
        return {True: _("yes"), False: _("no")}
