"""The impact report's words, from an ``ImpactResult`` (``evaluation.questions.impact.evaluate``).

Every sentence that states a direction, a size, an interval or a test result
is computed from the result it is given; the units, the treatment and the
effect unit come from the dataset's ``Wording`` (on castle: states, the
castle-doctrine law, log points), numbers from ``Format``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.questions import comparisons
from evaluation.text.data_quality import data_banner, dataset_name, source_line
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "impact"

DIGITS = 2  # effects and their intervals: two decimals, more when effects are small (log points)


def digits(result) -> int:
    """Decimals of effects: two, or enough to show two significant digits of the standard error (at most 4).

    An index moves by points (standard error 0.2: two decimals); a log outcome by
    hundredths (castle's TWFE 0.0818, standard error 0.04: three decimals).
    """
    try:
        se = float(result.overall.std_error)
    except (AttributeError, TypeError, ValueError):
        return DIGITS
    if not np.isfinite(se) or se <= 0:
        return DIGITS
    return int(min(4, max(DIGITS, 1 - np.floor(np.log10(se)))))


@dataclass(frozen=True)
class ImpactText:
    """The impact report in one language: ``t = ImpactText.of(report)``."""

    fmt: Format
    words: Wording

    @classmethod
    def of(cls, report) -> "ImpactText":
        """From a ``evaluation.context.Report`` (``setup(...)``)."""
        return cls(report.fmt, report.words)

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ words used everywhere
    def effect_unit(self, outcome: str) -> str:
        """What an effect on ``outcome`` is measured in: the dataset's ``effect_unit``.

        A converted panel that names no effect unit but whose outcome label says
        it is a logarithm ("log homicides ...") moves in log points.
        """
        _ = self._
        default = Messages(self.fmt.language, "common")("outcome units")
        if not self.words.programme and self.words.effect_unit == default:
            label = str(self.words.outcomes.get(outcome, "")).strip().lower()
            if label.startswith("log ") or label.startswith("log-"):
                return _("log points")
        return self.words.effect_unit

    def outcome(self, outcome: str) -> str:
        return self.words.outcome(outcome)

    def group(self, entities: str) -> str:
        """The units of the entity group, in the plural (``entidades territoriales``; ``states`` for ``all``)."""
        _ = self._
        if entities == "all" or not entities:
            return self.words.units
        if self.words.programme:
            named = {"territorial": _("territorial entities"), "national": _("national entities"),
                     "municipal": _("municipal entities"), "departmental": _("departmental entities")}
            if entities in named:
                return named[entities]
        return _("{units} ({group})", units=self.words.units, group=self.words.level(entities))

    def interval_name(self, result) -> str:
        """Which interval the answer gives: its confidence level and how it was computed."""
        _ = self._
        level = self.fmt.confidence(result.alpha)
        if result.interval == "bootstrap":
            return _("{level} confidence interval, multiplier bootstrap with {draws} draws", level=level,
                     draws=self.fmt.count(result.bootstrap))
        return _("{level} confidence interval, analytic standard errors", level=level)

    def labels(self) -> dict:
        _ = self._
        return {"question": _("Question:"), "answer": _("Short answer:"), "source": _("Source:")}

    def banner(self, dataset) -> tuple[str, str]:
        return data_banner(dataset, self.fmt.language)

    def source(self, dataset, *tables: str, method: bool = True) -> str:
        _ = self._
        return source_line(dataset, self.fmt.language, *tables,
                           method=_("Callaway & Sant'Anna (2021)") if method else "")

    # ------------------------------------------------------------------ page top
    def title(self, outcome: str) -> str:
        _ = self._
        return _("Impact of the {treatment} on {outcome}", treatment=self.words.treatment_short,
                 outcome=self.outcome(outcome))

    def subtitle(self, dataset, year: int) -> str:
        _ = self._
        return _("{dataset}, evaluation year {year}", dataset=dataset_name(dataset), year=self.fmt.year(year))

    def question(self, result) -> str:
        _ = self._
        return _("Did {outcome} change in the {group} that {adopted}, compared with those that had not (yet)?",
                 outcome=result.outcome, group=self.group(result.entities), adopted=self.words.adopted)

    def answer(self, result) -> str:
        """The key finding with its designated interval (the bootstrap one when there are draws)."""
        d = digits(result)
        _ = self._
        fmt, o = self.fmt, result.overall
        unit = self.effect_unit(result.outcome)
        group = self.group(result.entities)
        if not o.identified or not np.isfinite(o.estimate):
            return _("No average effect on {outcome} could be estimated for the {group}: no cohort has both a "
                     "year of data before adoption and a comparison group.", outcome=result.outcome, group=group)
        interval = fmt.interval(o.conf_low, o.conf_high, d, signed=True)
        values = dict(outcome=result.outcome, group=group, adopted=self.words.adopted, unit=unit,
                      size=fmt.number(abs(o.estimate), d), estimate=fmt.signed(o.estimate, d),
                      interval=interval, interval_name=self.interval_name(result))
        if result.detected and o.estimate > 0:
            return _("The {group} that {adopted} scored {size} {unit} higher on {outcome} than comparable ones that "
                     "had not (yet), averaged over the years since adoption ({interval_name}: {interval}).",
                     **values)
        if result.detected:
            return _("The {group} that {adopted} scored {size} {unit} lower on {outcome} than comparable ones that "
                     "had not (yet), averaged over the years since adoption ({interval_name}: {interval}).",
                     **values)
        bound = fmt.number(max(abs(o.conf_low), abs(o.conf_high)), d)
        return _("No effect on {outcome} was detected for the {group}: the estimate is {estimate} {unit} "
                 "({interval_name}: {interval}), an interval that includes zero; effects up to {bound} {unit} "
                 "cannot be ruled out.", bound=bound, **values)

    def answer_detail(self, result) -> str:
        """The truth of synthetic data beside the estimate (empty for real data)."""
        d = digits(result)
        _ = self._
        truth, o = result.true_overall, result.overall
        if truth is None or not o.identified or not np.isfinite(o.estimate):
            return ""
        values = dict(truth=self.fmt.signed(truth, d), unit=self.effect_unit(result.outcome))
        if o.conf_low <= truth <= o.conf_high:
            return _("In these synthetic data the true average effect is {truth} {unit}, which the interval "
                     "covers.", **values)
        return _("In these synthetic data the true average effect is {truth} {unit}, which the interval does not "
                 "cover.", **values)

    # ------------------------------------------------------------------ the panel and the method
    def design_heading(self) -> str:
        _ = self._
        return _("How the effect is estimated")

    def design(self, result) -> str:
        _ = self._
        fmt = self.fmt
        controls = {"never_treated": _("{units} that never adopted", units=self.words.units),
                    "not_yet_treated": _("{units} that had not adopted yet", units=self.words.units)}
        methods = {"dr": _("doubly robust"), "ipw": _("inverse probability weighting"),
                   "reg": _("outcome regression")}
        covariates = fmt.join(result.covariates) if result.covariates else _("none")
        first = _("Each adoption cohort is compared, year by year, with the {controls}, before and after it "
                  "adopted (Callaway & Sant'Anna 2021, {method} comparison). Covariates: {covariates}.",
                  controls=controls.get(result.control_group, result.control_group),
                  method=methods.get(result.method, result.method), covariates=covariates)
        second = _("Panel: {outcome}; {n} {group}, of which {adopters} adopted by {last}; years {years}.",
                   outcome=self.outcome(result.outcome), n=fmt.count(result.n_units),
                   group=self.group(result.entities), adopters=fmt.count(result.n_adopters),
                   last=fmt.year(result.last_year), years=fmt.years(range(result.first_year, result.last_year + 1)))
        return first + "\n\n" + second

    def estimator_notes(self, result) -> list[str]:
        """The estimator's messages as sentences (a message it has no code for is quoted as it wrote it)."""
        _ = self._
        out = []
        for note in result.notes:
            if note.code == "dropped_already_treated":
                out.append(_("Left out: {n} {units} already treated before the first year of data ({period}); they "
                             "have no untreated year to compare.", units=self.words.units, period=note.period,
                             n=self.fmt.count(note.count)))
            elif note.code == "cells_not_identified":
                out.append(_("{n} of {total} cohort-year cells could not be estimated; they stay in the tables "
                             "as gaps and the averages leave them out.", n=self.fmt.count(note.count),
                             total=self.fmt.count(note.total)))
            else:
                out.append(_("Message from the estimator (in its own words): {text}", text=note.text))
        return out

    def notes_lead(self) -> str:
        _ = self._
        return _("Notes from the estimator:")

    # ------------------------------------------------------------------ event study
    def event_heading(self) -> str:
        _ = self._
        return _("1. Effects by years since adoption")

    def event_text(self, result) -> str:
        _ = self._
        if result.band == "uniform":
            return _("The band is simultaneous: with {level} confidence it covers all the points at once, so the "
                     "whole profile can be read without the multiple-comparison problem of separate intervals "
                     "({draws} bootstrap draws).", level=self.fmt.confidence(result.alpha),
                     draws=self.fmt.count(result.bootstrap))
        return _("Each bar is a pointwise {level} confidence interval (analytic standard errors); it covers its "
                 "own point, not all points at once.", level=self.fmt.confidence(result.alpha))

    def event_title(self, result) -> str:
        """A title that states the finding of the event-study plot."""
        d = digits(result)
        _ = self._
        post = result.dynamic.tidy()
        post = post[(post["event_time"] >= 0) & post["identified"]]
        if post.empty:
            return _("No post-adoption effect on {outcome} could be estimated", outcome=result.outcome)
        last = post.iloc[-1]
        values = dict(outcome=result.outcome, effect=self.fmt.signed(last["estimate"], d),
                      unit=self.effect_unit(result.outcome), years=self.fmt.count(last["event_time"]))
        if len(post) > 1 and last["estimate"] > post.iloc[0]["estimate"]:
            return _("The effect on {outcome} grows to {effect} {unit} {years} years after adoption", **values)
        return _("The effect on {outcome} is {effect} {unit} {years} years after adoption", **values)

    def effect_axis(self, outcome: str) -> str:
        _ = self._
        return _("Effect on {outcome} ({unit})", outcome=outcome, unit=self.effect_unit(outcome))

    def event_figure(self, result) -> dict:
        """Title, axis labels, legend words and alt text of the event-study plot."""
        d = digits(result)
        _ = self._
        fmt = self.fmt
        band = (_("{level} uniform band", level=fmt.confidence(result.alpha)) if result.band == "uniform"
                else _("{level} pointwise intervals", level=fmt.confidence(result.alpha)))
        shown = result.dynamic.tidy()
        shown = shown[shown["identified"]]
        points = "; ".join(_("year {event_time}: {estimate} {interval}", event_time=fmt.count(r.event_time),
                             estimate=fmt.signed(r.estimate, d),
                             interval=fmt.interval(r.conf_low, r.conf_high, d, signed=True))
                           for r in shown.itertuples())
        return {"title": self.event_title(result), "ylabel": self.effect_axis(result.outcome),
                "xlabel": _("Years since adoption of the {treatment}", treatment=self.words.treatment_short),
                "band_label": band,
                "before_label": _("estimate before adoption ({band})", band=band),
                "after_label": _("estimate after adoption ({band})", band=band),
                "truth_label": _("true effect (synthetic data)"),
                "alt": _("Event-study plot of the estimated effect on {outcome} by years since adoption, with "
                         "{band}: {points}.", outcome=result.outcome, band=band, points=points),
                "number_format": lambda v: fmt.number(v, d)}

    def pretest(self, result) -> str:
        """What the Wald test of pre-adoption effects says about parallel trends."""
        _ = self._
        test = result.pretest
        if test.df == 0:
            return _("No pre-adoption comparison is available, so parallel trends cannot be checked with these "
                     "data; the estimate rests on the assumption alone.")
        if not np.isfinite(test.p_value):
            return _("The Wald test over the {df} pre-adoption cells could not be computed with these data (their "
                     "covariance is singular), so parallel trends are not tested here; the event-study points "
                     "before adoption and the robustness report are the evidence left.", df=self.fmt.count(test.df))
        values = dict(df=self.fmt.count(test.df), p=self.fmt.p_value(test.p_value))
        calibration = getattr(result, "pretest_calibration", None)
        if calibration is not None:
            # judged against panels simulated like these (evaluation.did.pretest_calibration says why)
            values.update(p_sim=self.fmt.p_value(calibration.p_simulated), sims=self.fmt.count(calibration.simulations),
                          size=self.fmt.percent(calibration.size_chi2, 1), alpha=self.fmt.percent(result.alpha))
            reference = _("The usual chi-square reference gives {p}, but on those simulated panels it rejects {size} "
                          "of the time instead of {alpha}, so it is not used.", **values)
            if calibration.p_simulated < result.alpha:
                return _("Warning: before adoption, adopters and their comparison group already diverged (Wald test "
                         "over {df} pre-adoption cells, {p_sim} against {sims} panels simulated from these data with "
                         "parallel trends true). Parallel trends are doubtful; read the effect with caution and see "
                         "the robustness report.", **values) + " " + reference
            return _("Before adoption, adopters and their comparison group moved alike: the Wald test over {df} "
                     "pre-adoption cells does not reject parallel trends ({p_sim} against {sims} panels simulated "
                     "from these data with parallel trends true). This supports, but cannot prove, the assumption "
                     "behind the estimate.", **values) + " " + reference
        if test.p_value < result.alpha:
            return _("Warning: before adoption, adopters and their comparison group already diverged (Wald test "
                     "over {df} pre-adoption cells, {p}). Parallel trends are doubtful; read the effect with "
                     "caution and see the robustness report.", **values)
        return _("Before adoption, adopters and their comparison group moved alike: the Wald test over {df} "
                 "pre-adoption cells does not reject parallel trends ({p}). This supports, but cannot prove, the "
                 "assumption behind the estimate.", **values)

    # ------------------------------------------------------------------ cohort and calendar tables
    def aggregates_heading(self) -> str:
        _ = self._
        return _("2. Effects by cohort and by calendar year")

    def effect_headers(self, result, index: str) -> dict:
        """Headers of an aggregated table (``index``: ``cohort``, ``time`` or ``event_time``)."""
        _ = self._
        unit = self.effect_unit(result.outcome)
        level = self.fmt.confidence(result.alpha)
        first = {"cohort": _("Cohort (year of adoption)"), "time": _("Year"),
                 "event_time": _("Years since adoption")}[index]
        return {index: first, "estimate": _("Effect ({unit})", unit=unit),
                "std_error": _("Standard error"), "conf_low": _("{level} CI, lower limit", level=level),
                "conf_high": _("{level} CI, upper limit", level=level),
                "n_treated": _("Treated {units}", units=self.words.units),
                "identified": _("Estimated?")}

    def effect_formats(self, result, index: str) -> dict:
        d = digits(result)
        signed = lambda v: self.fmt.signed(v, d)  # noqa: E731
        return {index: "year" if index in ("cohort", "time") else "count", "estimate": signed, "std_error": d,
                "conf_low": signed, "conf_high": signed, "n_treated": "count"}

    def identified_values(self) -> dict:
        _ = self._
        return {"identified": {True: _("yes"), False: _("no (not estimable)")}}

    def _rows_interval(self, aggregate) -> str:
        _ = self._
        return (_("uniform band over the rows") if aggregate.inference.band == "uniform"
                else _("pointwise intervals"))

    def cohort_caption(self, result) -> str:
        _ = self._
        return _("Average effect on {outcome} by adoption cohort ({interval})", outcome=result.outcome,
                 interval=self._rows_interval(result.group))

    def calendar_caption(self, result) -> str:
        _ = self._
        return _("Average effect on {outcome} by calendar year ({interval})", outcome=result.outcome,
                 interval=self._rows_interval(result.calendar))

    # ------------------------------------------------------------------ group-time cells
    def cells_text(self, result) -> str:
        """Which cohorts got no estimate and why; where the full table of cells is."""
        _ = self._
        cells = result.cells_table()
        missing = result.not_identified()
        where = _("The {n} cohort-year cells behind these averages are in the appendix at the end of the page.",
                  n=self.fmt.count(len(cells)))
        if missing.empty:
            return _("Every cohort-year cell could be estimated.") + " " + where
        lines = [_("{n} of {total} cohort-year cells could not be estimated; they stay in the tables as gaps:",
                   n=self.fmt.count(int((~cells["identified"]).sum())), total=self.fmt.count(len(cells)))]
        for row in missing.itertuples():
            lines.append(_("cohort {cohort}: {n} cells, {reason}", cohort=self.fmt.year(row.cohort),
                           n=self.fmt.count(row.cells), reason=self.reason(row.reason)))
        return " ".join([lines[0], "; ".join(lines[1:]) + ".", where])

    def reason(self, code: str) -> str:
        """The words for a cell's ``reason`` code (``questions.impact.CELL_REASONS``)."""
        _ = self._
        return {
            "": _("estimated"),
            "no_pre_period": _("not estimable: no year of data before adoption"),
            "too_few_units": _("not estimable: too few treated or comparison units observed in both years"),
            "overlap": _("not estimable: treated and comparison units do not overlap (propensity score)"),
            "zero_weight": _("not estimable: every treated or comparison unit has zero weight"),
            "reference": _("reference period (set to 0)"),
            "not_finite": _("not estimable: the estimate is not finite"),
            "other": _("not estimable (see the note in the table of cells)"),
        }.get(code, code)

    def appendix(self) -> str:
        _ = self._
        return _("Appendix: effects by cohort and year (group-time cells)")

    def cells_headers(self, result) -> dict:
        _ = self._
        unit = self.effect_unit(result.outcome)
        level = self.fmt.confidence(result.alpha)
        return {"cohort": _("Cohort"), "time": _("Year"), "event_time": _("Years since adoption"),
                "estimate": _("Effect ({unit})", unit=unit), "conf_low": _("{level} CI, lower limit", level=level),
                "conf_high": _("{level} CI, upper limit", level=level),
                "n_treated": _("Treated {units}", units=self.words.units),
                "n_control": _("Comparison {units}", units=self.words.units), "reason": _("Status")}

    def cells_formats(self, result) -> dict:
        signed = lambda v: self.fmt.signed(v, digits(result))  # noqa: E731
        return {"cohort": "year", "time": "year", "event_time": "count", "estimate": signed, "conf_low": signed,
                "conf_high": signed, "n_treated": "count", "n_control": "count"}

    def cells_values(self, result) -> dict:
        codes = set(result.cells_table()["reason"])
        return {"reason": {code: self.reason(code) for code in codes}}

    def cells_caption(self, result) -> str:
        _ = self._
        interval = (_("uniform band over the cells") if result.cells.inference.band == "uniform"
                    else _("pointwise intervals"))
        return _("Effect on {outcome} of each adoption cohort in each year, against its comparison group "
                 "({interval})", outcome=result.outcome, interval=interval)

    # ------------------------------------------------------------------ estimator comparison
    def comparison_heading(self) -> str:
        _ = self._
        return _("3. Why the choice of estimator matters")

    def comparison_text(self) -> str:
        _ = self._
        return _("The same data through several estimators. A before/after comparison credits the {treatment} "
                 "with the change every unit made anyway; two-way fixed effects mixes early and late adopters in "
                 "ways that bias it when effects grow over time; Callaway & Sant'Anna without covariates ignores "
                 "that adopters may have been on a different path to begin with. Analytic standard errors "
                 "throughout.", treatment=self.words.treatment_short)

    def estimator_name(self, row) -> str:
        """The reader's name of a comparison row (``estimator`` id, ``covariates``, ``control_group``)."""
        _ = self._
        estimator = row["estimator"]
        if estimator == comparisons.BEFORE_AFTER:
            return _("Naive before/after (adopters only)")
        if estimator == comparisons.TWFE:
            return _("Two-way fixed effects (static)")
        if estimator == comparisons.CALLAWAY_SANTANNA:
            never = row["control_group"] == "never_treated"
            if row["covariates"]:
                return (_("Callaway-Sant'Anna, covariates, never-treated comparison group") if never else
                        _("Callaway-Sant'Anna, covariates, not-yet-treated comparison group"))
            return (_("Callaway-Sant'Anna, no covariates, never-treated comparison group") if never else
                    _("Callaway-Sant'Anna, no covariates, not-yet-treated comparison group"))
        return str(estimator)

    def estimator_reading(self, row) -> str:
        """What a comparison row rests on, from its counts (or why it could not be estimated)."""
        _ = self._
        fmt = self.fmt
        if not row["identified"]:
            return _("not estimable: {reason}", reason=row["note"])
        if row["estimator"] == comparisons.BEFORE_AFTER:
            return _("{n} adopters with scores before and after; ignores the common trend",
                     n=fmt.count(row["n_units"]))
        if row["estimator"] == comparisons.TWFE:
            return _("{n} observations, {clusters} clusters; biased when effects vary over time",
                     n=fmt.count(row["n_obs"]), clusters=fmt.count(row["n_clusters"]))
        return _("{n} cohort-year cells estimated", n=fmt.count(row["n_cells"]))

    def comparison_values(self, table: pd.DataFrame) -> dict:
        """Words for the comparison table's rows: ``name`` and ``reading`` per row position."""
        return {"name": [self.estimator_name(r) for _i, r in table.iterrows()],
                "reading": [self.estimator_reading(r) for _i, r in table.iterrows()]}

    def comparison_rows(self, result) -> pd.DataFrame:
        """The comparison table with the reader's ``name`` and ``reading`` of each row (a copy)."""
        words = self.comparison_values(result.comparison)
        return result.comparison.assign(name=words["name"], reading=words["reading"])

    def comparison_headers(self, result) -> dict:
        _ = self._
        level = self.fmt.confidence(result.alpha)
        return {"name": _("Estimator"), "estimate": _("Effect ({unit})", unit=self.effect_unit(result.outcome)),
                "std_error": _("Standard error"), "conf_low": _("{level} CI, lower limit", level=level),
                "conf_high": _("{level} CI, upper limit", level=level), "reading": _("What it rests on")}

    def comparison_formats(self, result) -> dict:
        d = digits(result)
        signed = lambda v: self.fmt.signed(v, d)  # noqa: E731
        return {"estimate": signed, "std_error": d, "conf_low": signed, "conf_high": signed}

    def comparison_caption(self, result) -> str:
        _ = self._
        return _("Average effect on {outcome} since adoption, by estimator", outcome=result.outcome)

    def comparison_title(self, result) -> str:
        """How far the naive number sits from the preferred one (the last estimable row)."""
        d = digits(result)
        _ = self._
        table = result.comparison
        usable = table[table["identified"].astype(bool)].dropna(subset=["estimate"])
        if len(usable) < 2:
            return _("Estimates of the effect on {outcome} by estimator", outcome=result.outcome)
        preferred, naive = usable.iloc[-1], usable.iloc[0]
        gap = naive["estimate"] - preferred["estimate"]
        values = dict(gap=self.fmt.number(abs(gap), d), unit=self.effect_unit(result.outcome),
                      preferred=self.fmt.signed(preferred["estimate"], d), outcome=result.outcome)
        if gap > 0:
            return _("The naive before/after estimate sits {gap} {unit} above the adjusted estimate ({preferred}) "
                     "on {outcome}", **values)
        return _("The naive before/after estimate sits {gap} {unit} below the adjusted estimate ({preferred}) "
                 "on {outcome}", **values)

    def comparison_figure(self, result) -> dict:
        d = digits(result)
        _ = self._
        table = result.comparison
        names = self.comparison_values(table)["name"]
        points = "; ".join(_("{name}: {estimate}", name=n, estimate=self.fmt.signed(r["estimate"], d))
                           for n, (_i, r) in zip(names, table.iterrows()))
        return {"title": self.comparison_title(result), "xlabel": self.effect_axis(result.outcome),
                "labels": names, "truth_label": _("true effect (synthetic data)"),
                "alt": _("Estimates and confidence intervals of the effect on {outcome} by estimator: {points}.",
                         outcome=result.outcome, points=points),
                "number_format": lambda v: self.fmt.number(v, d)}
