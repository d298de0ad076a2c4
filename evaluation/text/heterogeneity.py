"""The heterogeneity report's words: effects by subgroup, tests of difference, persistence over time.

Every sentence is built from the results of :mod:`evaluation.questions.heterogeneity`
(never from rendered output), in the report's language::

    t = HeterogeneityText(report.fmt, report.words)
    t.answer(effects, lasting, indicator="POL07")

Subgroups, notes, comparisons and readings arrive as codes with their numbers
(a third's bounds, a survey split's median); the words for them are here. Units,
levels and the effect unit come from ``words`` (:class:`~evaluation.text.wording.Wording`),
so a converted panel speaks of its own units and log points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.questions import heterogeneity as het
from evaluation.text import frame
from evaluation.text.format import DASH, Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "heterogeneity"


def _finite(value) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class HeterogeneityText(frame.FrameWords):
    """Titles, sentences, table headers and figure words of the heterogeneity report in one language."""

    fmt: Format
    words: Wording

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ words for codes

    def dimension(self, code: str) -> str:
        _ = self._
        names = {"level": _("level of government") if self.words.programme else _("level"),
                 "region": _("natural region"), "peer_group": _("FURAG peer group"),
                 "population": _("population (thirds)"), "it_team": _("IT team size (thirds)"),
                 "alignment": _("alignment (ICT offices, 2015 survey)"),
                 "commitment": _("leadership commitment (directors, 2015 survey)")}
        return names.get(code, code)

    def dimensions(self) -> dict:
        """Dimension code -> words, for the figure's group headings."""
        return {code: self.dimension(code) for code in het.DIMENSIONS}

    def subgroup(self, row) -> str:
        """The words for one subgroup (a row of ``SubgroupEffects.table``)."""
        _ = self._
        dimension, code = row["dimension"], row["subgroup"]
        low, high = row.get("bound_low"), row.get("bound_high")
        if code == het.NO_SUBGROUP:
            return _("(no subgroup)")
        if code == het.SUPPRESSED:
            return _("(suppressed)")
        if dimension == "level":
            return self.words.level(code)
        if code in het.THIRDS:
            unit = _("inhabitants") if dimension == "population" else _("IT staff")
            if code == het.THIRDS[0]:
                return _("smallest third (up to {value} {unit})", value=self.fmt.count(high), unit=unit)
            if code == het.THIRDS[1]:
                return _("middle third ({low}–{high} {unit})", low=self.fmt.count(low), high=self.fmt.count(high),
                         unit=unit)
            return _("largest third (over {value} {unit})", value=self.fmt.count(low), unit=unit)
        if code in (het.HIGHER, het.LOWER):
            if dimension == "alignment":
                return (_("higher alignment (score {value} or more)", value=self.fmt.number(low, 1))
                        if code == het.HIGHER else
                        _("lower alignment (score below {value})", value=self.fmt.number(high, 1)))
            return (_("higher commitment (score {value} or more)", value=self.fmt.number(low, 1))
                    if code == het.HIGHER else
                    _("lower commitment (score below {value})", value=self.fmt.number(high, 1)))
        return str(code)  # the data's own value (a region, a peer group)

    def survey(self, code: str) -> str:
        _ = self._
        return {"survey_ict_offices": _("skills and perception survey of ICT offices"),
                "survey_directors": _("survey of directors")}.get(code, code)

    def note(self, row, outcome: str = "") -> str:
        """Why a row has no estimate, in words ("no estimable: ..."); empty for an estimate."""
        _ = self._
        code, detail = row.get("note") or "", row.get("detail") or ""
        if not code:
            return ""
        if code == "no_values":
            return _("the entities table has no values for this dimension")
        if code == "no_covariate":
            return _("no covariate '{covariate}' in the entities table", covariate=detail)
        if code == "too_few_values":
            return _("'{covariate}' takes too few distinct values to cut into thirds", covariate=detail)
        if code == "survey_missing":
            return _("the {survey} is missing", survey=self.survey(detail))
        if code == "too_few_linked":
            return _("fewer than two adopters are linked to a survey answer")
        if code == "no_subgroups":
            return _("no subgroups")
        if code == "too_few_adopters":
            return _.plural("not estimable: {n} adopter with a year of {outcome} before adoption (needs {needed})",
                            "not estimable: {n} adopters with a year of {outcome} before adoption (needs {needed})",
                            int(row.get("adopters") or 0), n=self.fmt.count(row.get("adopters") or 0),
                            outcome=outcome, needed=detail)
        if code == "too_few_never_treated":
            return _("not estimable: too few {units} that never adopted to compare with ({n}; needs 2)",
                     n=self.fmt.count(row.get("n_control") or 0), units=self.words.units)
        if code == "estimation_failed":
            return _("not estimable: the estimator failed ({reason})", reason=detail)
        if code == "no_post_cell":
            reasons = "; ".join(self.cell_problem(kind) for kind in str(detail).split("; ") if kind)
            return _("not estimable: no post-adoption cell could be estimated ({reason})", reason=reasons)
        if code == "suppressed":
            return _("suppressed: a subgroup formed from survey answers would hold fewer than {n} entities, so no "
                     "subgroup of this dimension is shown", n=detail)
        return code

    def cell_problem(self, kind: str) -> str:
        """The estimator's kinds of unidentified cell (``evaluation.did`` notes, before their colon), in words."""
        _ = self._
        return {"no pre-adoption period": _("no pre-adoption period"), "overlap fails": _("overlap fails"),
                "too few units": _("too few units"), "estimate is not finite": _("estimate is not finite"),
                "all treated or all comparison units have zero weight":
                    _("all treated or all comparison units have zero weight"),
                "all treated or all comparison observations have zero weight":
                    _("all treated or all comparison observations have zero weight"),
                "no identified cell": _("no identified cell")}.get(kind, kind)

    def comparison(self, code: str) -> str:
        _ = self._
        return {het.WITHIN: _("non-adopters of the subgroup"),
                het.SHARED: _("all non-adopters")}.get(code, code)

    def test_reading(self, row) -> str:
        _ = self._
        code = row["reading"]
        if code == "differ":
            return _("the subgroups differ")
        if code == "no_difference":
            return _("no difference between subgroups detected")
        if code == "not_tested" and row.get("note") == "singular":
            return _("not tested: the uncertainty of the subgroup estimates could not be measured (singular "
                     "covariance)")
        if code == "not_tested":
            return _("not tested: fewer than two subgroups could be estimated")
        if row.get("note") == "suppressed":
            return _("not assessed: a survey subgroup would be too small to show")
        return _("not assessed: no subgroup could be formed")

    # ------------------------------------------------------------------ page top

    def title(self) -> str:
        _ = self._
        if self.words.programme:
            return _("Heterogeneity: for whom, and under which conditions, did creating the GCIO post make a "
                     "difference, and does it last?")
        return _("Heterogeneity: for whom did the {treatment} make a difference, and does it last?",
                 treatment=self.words.treatment_short)

    def introduction(self) -> str:
        _ = self._
        return _("The average effect of the impact report can hide differences between groups of {units}. This "
                 "report estimates the effect separately in each subgroup (by level, region, peer group, size, IT "
                 "team and the alignment and commitment reported in the 2015 surveys, where the data have them), "
                 "with intervals that account for looking at several subgroups at once, and asks whether the effect "
                 "grows, persists or fades with the years since adoption.", units=self.words.units)

    # ------------------------------------------------------------------ the question and its answer

    def asked(self, indicator: str) -> str:
        return self._("Does the effect on {indicator} differ between groups of {units}, and does it last?",
                      indicator=indicator, units=self.words.units)

    def answer(self, effects: het.SubgroupEffects, lasting: het.Persistence, *, indicator: str) -> str:
        """The short answer: along which dimensions the effect differs, then the persistence reading."""
        _ = self._
        return _("{subgroups} {persistence}", subgroups=self.subgroup_title(effects),
                 persistence=self.persistence_sentence(lasting, indicator)).strip()

    # ------------------------------------------------------------------ 1. subgroups

    def heading_subgroups(self) -> str:
        return self._("1. Effects by subgroup")

    def subgroups_intro(self) -> str:
        return self._("Each subgroup of a characteristic is compared within itself: its adopters against its own "
                      "{units} that had not adopted, with the covariates of the impact report. Survey-based groups "
                      "are too small for that, so their adopters are compared with all non-adopters analysed. The "
                      "level always covers every level, each with its own covariates. A subgroup with too few "
                      "adopters that have a year of data before adoption is shown as a labelled gap.",
                      units=self.words.units)

    def few_adopters(self, effects: het.SubgroupEffects) -> str:
        """Which estimated subgroups rest on fewer than ``FEW_ADOPTERS`` adopters, a handful of entities (empty
        when none do)."""
        _ = self._
        table = effects.table
        few = table[table["identified"] & (table["adopters"] < het.FEW_ADOPTERS)]
        if few.empty:
            return ""
        which = "; ".join(_("{dimension}, {subgroup}: {n}", dimension=self.dimension(r["dimension"]),
                            subgroup=self.subgroup(r), n=self.fmt.count(r["adopters"])) for _i, r in few.iterrows())
        return _("{count} of the subgroup estimates rest on fewer than {few} adopters ({which}). Their intervals are "
                 "widened for so few adopters, but each of those estimates depends on a handful of {units}, so "
                 "read those subgroups as indications, not findings.",
                 count=self.fmt.count(len(few)), few=self.fmt.count(het.FEW_ADOPTERS), which=which,
                 units=self.words.units)

    def _interval(self, low, high) -> str:
        return self.fmt.interval(low, high, 2, signed=True)

    def level_words(self, effects: het.SubgroupEffects) -> str:
        """``intervalo de confianza del 95 %, ajustado por Bonferroni`` or the pointwise one."""
        _ = self._
        level = self.fmt.confidence(effects.alpha)
        if effects.adjust == "bonferroni":
            return _("Bonferroni-adjusted {level} interval", level=level)
        return _("unadjusted {level} interval", level=level)

    def subgroup_items(self, effects: het.SubgroupEffects) -> list[str]:
        """One item per dimension: where the effect is largest and smallest, and whether they differ."""
        _ = self._
        items = []
        unit = self.words.effect_unit
        for _i, test in effects.tests.iterrows():
            part = effects.dimension(test["dimension"])
            name = self.dimension(test["dimension"])
            name = name[:1].upper() + name[1:]
            done = part[part["identified"]]
            gaps = part[~part["identified"]]
            gap_text = "; ".join(_("{subgroup} ({note})", subgroup=self.subgroup(g),
                                   note=self.note(g, effects.outcome)) for _j, g in gaps.iterrows())
            if done.empty:
                items.append(_("{dimension}: no subgroup could be estimated ({gaps}).", dimension=name,
                               gaps=gap_text) if gap_text else
                             _("{dimension}: no subgroup could be estimated.", dimension=name))
                continue
            top = done.loc[done["estimate"].idxmax()]
            if len(done) == 1:
                text = _("{dimension}: only {subgroup} could be estimated: {estimate} {unit} ({level} {interval}).",
                         dimension=name, subgroup=self.subgroup(top), estimate=self.fmt.signed(top["estimate"], 2),
                         unit=unit, level=self.fmt.confidence(effects.alpha),
                         interval=self._interval(top["conf_low"], top["conf_high"]))
            else:
                low = done.loc[done["estimate"].idxmin()]
                common = dict(dimension=name, p=self.fmt.p_value(test["p_value"]), df=self.degrees_of_freedom(test),
                              top=self.subgroup(top), top_estimate=self.fmt.signed(top["estimate"], 2), unit=unit,
                              kind=self.level_words(effects),
                              top_interval=self._interval(top["adj_conf_low"], top["adj_conf_high"]),
                              low=self.subgroup(low), low_estimate=self.fmt.signed(low["estimate"], 2),
                              low_interval=self._interval(low["adj_conf_low"], low["adj_conf_high"]))
                if test["reading"] == "not_tested":
                    text = _("{dimension}: the difference between subgroups could not be tested (singular "
                             "covariance). Largest estimate: {top}, {top_estimate} {unit} ({kind} {top_interval}); "
                             "smallest: {low}, {low_estimate} ({low_interval}).", **common)
                elif test["p_value"] < effects.alpha:
                    text = _("{dimension}: the subgroups differ (Wald test {p}, {df} df). Largest estimate: {top}, "
                             "{top_estimate} {unit} ({kind} {top_interval}); smallest: {low}, {low_estimate} "
                             "({low_interval}).", **common)
                else:
                    text = _("{dimension}: no difference between subgroups was detected (Wald test {p}, {df} df). "
                             "Largest estimate: {top}, {top_estimate} {unit} ({kind} {top_interval}); smallest: "
                             "{low}, {low_estimate} ({low_interval}).", **common)
            if gap_text:
                text = _("{text} Not estimable: {gaps}.", text=text, gaps=gap_text)
            items.append(text)
        return items or [_("No dimension was analysed.")]

    def subgroup_title(self, effects: het.SubgroupEffects) -> str:
        """Along which dimensions the effect differs (the figure's title and the answer's first sentence)."""
        _ = self._
        tested = effects.tests[effects.tests["df"] > 0]
        if tested.empty:
            return _("Too few subgroups could be estimated to compare effects on {indicator}.",
                     indicator=effects.outcome)
        differ = [self.dimension(d) for d in tested.loc[tested["p_value"] < effects.alpha, "dimension"]]
        same = [self.dimension(d) for d in tested.loc[tested["p_value"] >= effects.alpha, "dimension"]]
        if differ and same:
            return _("Effects on {indicator} differ by {differ}; no difference was detected by {same}.",
                     indicator=effects.outcome, differ=self.fmt.join(differ), same=self.fmt.join(same))
        if differ:
            return _("Effects on {indicator} differ by {differ}.", indicator=effects.outcome,
                     differ=self.fmt.join(differ))
        return _("No difference in effects on {indicator} was detected by {same}.", indicator=effects.outcome,
                 same=self.fmt.join(same))

    def effect_axis(self, indicator: str) -> str:
        return self._("Effect on {indicator} ({effect_unit})", indicator=indicator, effect_unit=self.words.effect_unit)

    def band_label(self, effects: het.SubgroupEffects) -> str:
        return self.level_words(effects)

    def subgroup_figure(self, effects: het.SubgroupEffects) -> dict:
        """Keyword arguments of ``plots.programme.subgroup_effects`` in the report's language."""
        _ = self._
        table = self.readable_table(effects)
        band = self.band_label(effects)
        shown = []
        for _i, row in table.iterrows():
            if row["identified"]:
                shown.append(_("{subgroup}: {estimate} {interval}", subgroup=row["subgroup_text"],
                               estimate=self.fmt.signed(row["estimate"], 2),
                               interval=self._interval(row["adj_conf_low"], row["adj_conf_high"])))
            else:
                shown.append(_("{subgroup}: {note}", subgroup=row["subgroup_text"], note=row["note_text"]))
        return {"title": self.subgroup_title(effects), "labels": self.dimensions(),
                "xlabel": self.effect_axis(effects.outcome), "band_label": band,
                "estimate_label": _("estimate ({band})", band=band), "truth_label": _("true effect (demo data)"),
                "alt": _("Forest plot of effects by subgroup ({band}): {values}.", band=band,
                         values="; ".join(shown)),
                "missing": _("No figure: no subgroup was formed.")}

    def readable_table(self, effects: het.SubgroupEffects) -> pd.DataFrame:
        """The subgroup table with words for its codes (for the figure and the page's table)."""
        out = effects.table.copy()
        out["dimension_text"] = [self.dimension(d) for d in out["dimension"]]
        out["subgroup_text"] = [self.subgroup(r) for _i, r in out.iterrows()]
        out["note_text"] = [self.note(r, effects.outcome) for _i, r in out.iterrows()]
        out["comparison_text"] = [self.comparison(c) for c in out["comparison"]]
        out["interval"] = [self._interval(lo, hi) if _finite(lo) else DASH
                           for lo, hi in zip(out["adj_conf_low"], out["adj_conf_high"])]
        return out

    def figure_table(self, effects: het.SubgroupEffects) -> pd.DataFrame:
        """The table the forest plot draws: subgroup and note columns in words."""
        table = self.readable_table(effects)
        return effects.table.assign(subgroup=table["subgroup_text"], note=table["note_text"])

    def appendix(self) -> str:
        return self._("Appendix: every subgroup, estimated or not")

    def appendix_pointer(self) -> str:
        return self._("The table of every subgroup, with its adopters, interval, comparison group and the reason a "
                      "subgroup could not be estimated, is in the appendix at the end of the page.")

    def subgroup_headers(self, effects: het.SubgroupEffects) -> dict:
        _ = self._
        headers = {"dimension_text": _("Dimension"), "subgroup_text": _("Subgroup"), "adopters": _("Adopters"),
                   "estimate": _("Effect ({effect_unit})", effect_unit=self.words.effect_unit),
                   "interval": self.level_words(effects), "true_effect": _("True effect (demo data)"),
                   "comparison_text": _("Compared with"), "note_text": _("Note")}
        if effects.table["true_effect"].isna().all():
            headers.pop("true_effect")
        return headers

    def subgroup_formats(self) -> dict:
        return {"adopters": "count", "estimate": lambda v: self.fmt.signed(v, 2),
                "true_effect": lambda v: self.fmt.signed(v, 2)}

    def subgroup_caption(self, effects: het.SubgroupEffects) -> str:
        _ = self._
        if effects.adjust == "none":
            note = _("{level} pointwise intervals (not adjusted for multiple comparisons)",
                     level=self.fmt.confidence(effects.alpha))
        else:
            note = _("{level} intervals Bonferroni-adjusted over the estimated subgroups of each dimension",
                     level=self.fmt.confidence(effects.alpha))
        return _("Average effect on {indicator} since adoption, by subgroup: {note}", indicator=effects.outcome,
                 note=note)

    def subgroup_method(self) -> str:
        return self._("Callaway & Sant'Anna (2021) in each subgroup; intervals from Student's t with G − 1 degrees "
                      "of freedom and the standard error multiplied by √(G/(G−1)), G the adopters whose changes "
                      "enter the estimate (Cameron & Miller 2015).")

    def tests_frame(self, effects: het.SubgroupEffects) -> pd.DataFrame:
        out = effects.tests.copy()
        out["dimension_text"] = [self.dimension(d) for d in out["dimension"]]
        out["reading_text"] = [self.test_reading(r) for _i, r in out.iterrows()]
        out["df_text"] = [self.degrees_of_freedom(r) if r["reading"] in ("differ", "no_difference") else "–"
                          for _i, r in out.iterrows()]
        return out

    def degrees_of_freedom(self, test) -> str:
        """The F test's two degrees of freedom: the restrictions, and the fewest adopters of a subgroup - 1."""
        return self._("{restrictions} and {adopters}", restrictions=self.fmt.count(int(test["df"])),
                      adopters=self.fmt.count(int(test["df_denominator"])))

    def tests_headers(self) -> dict:
        _ = self._
        return {"dimension_text": _("Dimension"), "subgroups": _("Subgroups estimated"),
                "statistic": _("Wald statistic"), "df_text": _("Degrees of freedom"), "p_value": _("p-value"),
                "reading_text": _("Reading")}

    def tests_formats(self) -> dict:
        return {"subgroups": "count", "statistic": 2, "p_value": self.fmt.p_value}

    def tests_caption(self) -> str:
        return self._("Do the subgroups of each dimension differ? Wald test that all have the same effect")

    def tests_method(self) -> str:
        return self._("Covariance of subgroup estimates from influence functions, with the same small-sample "
                      "widening; the Wald statistic divided by its degrees of freedom is read off an F distribution "
                      "whose denominator degrees of freedom are the smallest number of adopters of a subgroup minus "
                      "one.")

    # ------------------------------------------------------------------ 2. persistence

    def heading_persistence(self) -> str:
        return self._("2. Persistence: effects by years since adoption")

    def persistence_intro(self) -> str:
        return self._("The early years after adoption are compared with the latest years that enough adopters "
                      "reach. Later years rest on the earliest evaluable cohorts only, so growth over time and "
                      "differences between cohorts are mixed. Year 0 is the adoption year, usually only partly "
                      "after it.") + " " + self._("The intervals of the late years and of the change are widened for "
                                                  "the adopters those years rest on, as the subgroups' are.")

    def event_years(self, event_times) -> str:
        _ = self._
        event_times = tuple(event_times)
        if not event_times:
            return _("no year")
        if len(event_times) == 1:
            return _("year {year}", year=event_times[0])
        return _("years {first}–{last}", first=event_times[0], last=event_times[-1])

    def persistence_sentence(self, result: het.Persistence, indicator: str) -> str:
        """The persistence reading: headline, then the numbers behind it."""
        _ = self._
        if result.reading == "not assessable":
            return _("Persistence cannot be assessed on {indicator}: there are no separate early and late "
                     "post-adoption years with enough adopters.", indicator=indicator)
        values = dict(indicator=indicator, early=self.fmt.signed(result.early, 2),
                      early_years=self.event_years(result.early_event_times), late=self.fmt.signed(result.late, 2),
                      late_years=self.event_years(result.late_event_times), unit=self.words.effect_unit,
                      level=self.fmt.confidence(result.alpha),
                      late_interval=self._interval(result.late_conf_low, result.late_conf_high),
                      change=self.fmt.signed(result.difference, 2),
                      change_interval=self._interval(result.conf_low, result.conf_high))
        if result.reading == "grow":
            return _("The effect on {indicator} grows with years since adoption: {early} {unit} in {early_years} "
                     "after adoption and {late} in {late_years} ({level} interval {late_interval}); the change is "
                     "{change} ({level} interval {change_interval}).", **values)
        if result.reading == "fade":
            return _("The effect on {indicator} fades with years since adoption: {early} {unit} in {early_years} "
                     "after adoption and {late} in {late_years} ({level} interval {late_interval}); the change is "
                     "{change} ({level} interval {change_interval}).", **values)
        if result.reading == "persist":
            return _("The effect on {indicator} persists, with no growth or fading detected: {early} {unit} in "
                     "{early_years} after adoption and {late} in {late_years} ({level} interval {late_interval}); "
                     "the change is {change} ({level} interval {change_interval}).", **values)
        return _("No lasting effect on {indicator} was detected: {early} {unit} in {early_years} after adoption and "
                 "{late} in {late_years} ({level} interval {late_interval}); the change is {change} ({level} "
                 "interval {change_interval}).", **values)

    def persistence_title(self, result: het.Persistence, indicator: str) -> str:
        _ = self._
        if result.reading == "not assessable":
            return _("Persistence of the effect on {indicator} cannot be assessed", indicator=indicator)
        values = dict(indicator=indicator, early=self.fmt.signed(result.early, 1),
                      early_years=self.event_years(result.early_event_times), late=self.fmt.signed(result.late, 1),
                      late_years=self.event_years(result.late_event_times))
        if result.reading == "grow":
            return _("The effect on {indicator} grows: {early} in {early_years}, {late} in {late_years} after "
                     "adoption", **values)
        if result.reading == "fade":
            return _("The effect on {indicator} fades: {early} in {early_years}, {late} in {late_years} after "
                     "adoption", **values)
        if result.reading == "persist":
            return _("The effect on {indicator} persists: {early} in {early_years}, {late} in {late_years} after "
                     "adoption", **values)
        return _("No lasting effect on {indicator} is detected: {early} in {early_years}, {late} in {late_years} "
                 "after adoption", **values)

    def persistence_figure(self, result: het.Persistence, dynamic_tidy: pd.DataFrame, indicator: str,
                           band: str) -> dict:
        """Keyword arguments of ``plots.programme.persistence`` in the report's language.

        ``band`` says which interval the dynamic aggregation carries (``pointwise`` or ``uniform``).
        """
        _ = self._
        level = self.fmt.confidence(result.alpha)
        band_words = (_("{level} uniform band", level=level) if band == "uniform" else
                      _("{level} pointwise interval", level=level))
        post = dynamic_tidy[(dynamic_tidy["event_time"] >= 0) & dynamic_tidy["identified"]]
        values = "; ".join(_("year {year}: {estimate} {interval}", year=int(r["event_time"]),
                             estimate=self.fmt.signed(r["estimate"], 2),
                             interval=self._interval(r["conf_low"], r["conf_high"])) for _i, r in post.iterrows())
        return {"title": self.persistence_title(result, indicator), "ylabel": self.effect_axis(indicator),
                "xlabel": _("Years since adoption (0 = adoption year)"),
                "band_label": band_words, "estimate_label": _("estimate ({band})", band=band_words),
                "early_label": _("early years compared"), "late_label": _("late years compared"),
                "truth_label": _("true effect (demo data)"),
                "alt": _("Effects by years since adoption: {values}.", values=values),
                "missing": _("No figure: no post-adoption effect could be estimated.")}
