"""The survey report's words: who answered, how they answered, how consistent the scales are, who differs.

Every sentence is built from the results of :mod:`evaluation.questions.surveys`
(never from rendered output), in the report's language::

    t = SurveysText(report.fmt, report.words, alpha=alpha, min_group_size=min_group_size)
    t.overview(surveys.overview(offices, min_group_size=min_group_size))

The suppression rule of the questions module holds for the words too: a
suppressed group's cells read "suprimido"/"suppressed", its size only "menos
de 5"/"fewer than 5", and no sentence states a total that includes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation.questions import surveys
from evaluation.text import frame
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "surveys"


@dataclass(frozen=True)
class SurveysText(frame.FrameWords):
    """Titles, sentences, table headers and figure words of the survey report in one language."""

    RECORDS = "surveys"

    fmt: Format
    words: Wording
    alpha: float = 0.05
    min_group_size: int = surveys.MIN_GROUP_SIZE

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ words for codes

    def item(self, code: str) -> str:
        """A statement of the questionnaire in plain words (``q_align_plan`` -> "IT plan follows ...")."""
        _ = self._
        names = {
            "q_skill_strategy": _("skills: IT strategy"),
            "q_skill_architecture": _("skills: enterprise architecture"),
            "q_skill_projects": _("skills: IT project management"),
            "q_skill_security": _("skills: information security"),
            "q_skill_data": _("skills: data management"),
            "q_skill_suppliers": _("skills: managing suppliers"),
            "q_align_committee": _("IT takes part in the directors' committee"),
            "q_align_plan": _("IT plan follows the entity's strategy"),
            "q_align_consulted": _("IT is consulted on decisions"),
            "q_align_budget": _("IT has a say in its budget"),
            "q_align_strategic_asset": _("IT is a strategic asset"),
            "q_align_support_only": _("IT is mainly technical support (reverse-keyed)"),
        }
        return names.get(code, str(code).removeprefix(surveys.ITEM_PREFIX).replace("_", " "))

    def group(self, code: str) -> str:
        """Words for a respondent group or a comparison arm."""
        _ = self._
        names = {surveys.NATIONAL: _("national"), surveys.TERRITORIAL: _("territorial"),
                 surveys.UNLINKED: _("not linked to an entity"), surveys.ALL: _("all respondents"),
                 "departmental": self.words.level("departmental"), "municipal": self.words.level("municipal"),
                 "directors": _("directors"), "ict_offices": _("ICT offices")}
        return names.get(code, str(code))

    def scale(self, code: str) -> str:
        _ = self._
        return {"skills": _("skills"), "alignment": _("alignment")}.get(code, str(code))

    def survey_title(self, name: str) -> str:
        _ = self._
        return {"survey_ict_offices": _("skills and perception survey of ICT offices"),
                "survey_directors": _("alignment survey of directors")}.get(name, name)

    def respondents(self, name: str) -> str:
        """Who answered a survey (plural noun)."""
        _ = self._
        return {"survey_ict_offices": _("ICT offices"), "survey_directors": _("directors")}.get(name, name)

    def answers(self) -> tuple[str, ...]:
        """The five answer categories, 1 to 5 (legend of the Likert figure)."""
        _ = self._
        return (_("strongly disagree"), _("disagree"), _("neutral"), _("agree"), _("strongly agree"))

    def suppressed(self) -> str:
        return self._("suppressed")

    def fewer_than(self) -> str:
        return self._("fewer than {n}", n=self.fmt.count(self.min_group_size))

    def quality(self, code: str) -> str:
        _ = self._
        return {"good": _("good"), "acceptable": _("acceptable"), "questionable": _("questionable"),
                "poor": _("poor")}.get(code, code)

    def need_reading(self, code: str) -> str:
        _ = self._
        return {"need confirmed": _("need confirmed"), "no widespread need": _("no widespread need"),
                "unclear": _("unclear"), "not assessable": _("not assessable")}.get(code, code)

    def note(self, code: str, weakest: str = "") -> str:
        """Words for a reliability or comparison note code."""
        _ = self._
        if code == surveys.SUPPRESSED_NOTE:
            return _("suppressed: fewer than {n} answers", n=self.fmt.count(self.min_group_size))
        if code == surveys.ONE_ITEM:
            return _("a scale needs at least two items")
        if code == surveys.NEGATIVE_ITEM:
            return _("{item} correlates negatively with the rest of the scale: is it reverse-keyed?",
                     item=self.item(weakest))
        return str(code or "")

    # ------------------------------------------------------------------ page top

    def title(self) -> str:
        return self._("Surveys: what did the 2015 diagnosis find about ICT offices' skills and their alignment "
                      "with strategy?")

    def introduction(self) -> str:
        _ = self._
        if self.words.programme:
            return _("The programme's design drew on two surveys: a skills and perception survey of ICT offices "
                     "and an alignment survey of directors. This report shows how respondents answered each "
                     "statement, how consistent the statements of each scale are, whether national and "
                     "territorial respondents answered differently, and whether directors saw IT's alignment with "
                     "strategy as their ICT offices did.")
        return _("Two surveys: a skills and perception survey of ICT offices and an alignment survey of "
                 "directors. This report shows how respondents answered each statement, how consistent the "
                 "statements of each scale are, and whether groups of respondents answered differently.")

    def method(self, code: str) -> str:
        """Method lines of the source notes."""
        _ = self._
        return {"groups": _("Groups from the level of the respondent's entity"),
                "reliability": _("Cronbach (1951); interval of Feldt, Woodruff and Salih (1987)"),
                "comparison": _("Mann-Whitney U; rank-biserial r with a bootstrap interval; p-values adjusted "
                                "across scales by Holm's method"),
                "gap": _("Mann-Whitney U; rank-biserial r with a bootstrap interval")}[code]

    # ------------------------------------------------------------------ the question and its answer

    def asked(self) -> str:
        return self._("Did ICT offices report the skills and the place in strategy that the design set out to "
                      "build, and did their directors see it the same way?")

    def answer(self, needs: list[surveys.Need], gap: pd.DataFrame, available: bool = True) -> str:
        """The short answer: the share of ICT offices above neutral on each scale, with its interval, and the gap.

        ``available`` is False when the dataset has no survey of ICT offices.
        """
        _ = self._
        if not available:
            return _("It cannot be said: the survey of ICT offices is missing.")
        if all(need.suppressed or not np.isfinite(need.share) for need in needs):
            return _("It cannot be said: too few ICT offices answered.")
        parts = []
        for need in needs:
            if need.suppressed or not np.isfinite(need.share):
                parts.append(_("{scale}: too few answers to say", scale=self.scale(need.measure)))
                continue
            parts.append(_("{share} scored above neutral on {scale} ({level} confidence interval: {low} to {high})",
                           scale=self.scale(need.measure), share=self.fmt.percent(need.share),
                           level=self.fmt.confidence(self.alpha), low=self.fmt.percent(need.conf_low),
                           high=self.fmt.percent(need.conf_high)))
        n = max((need.respondents for need in needs if not need.suppressed), default=0)
        text = _.plural("Of {n} ICT office in the published groups, {parts}.",
                        "Of {n} ICT offices in the published groups, {parts}.", n, n=self.fmt.count(n),
                        parts=self.fmt.join(parts))
        gap_text = self.gap_sentence(gap)
        return _("{first} {second}", first=text, second=gap_text) if gap_text else text

    def gap_sentence(self, gap: pd.DataFrame) -> str:
        """One sentence on directors against ICT offices (empty when there is no comparison)."""
        _ = self._
        if gap.empty:
            return ""
        row = gap.iloc[0]
        if bool(row["suppressed"]):
            return _("Directors and ICT offices cannot be compared: one of them has fewer than {n} answers.",
                     n=self.fmt.count(self.min_group_size))
        interval = self.fmt.interval(row["conf_low"], row["conf_high"], 2, signed=True)
        if row["p_value"] < self.alpha:
            higher = "directors" if row["rank_biserial"] > 0 else "ict_offices"
            if higher == "directors":
                return _("Directors rated IT's alignment higher than their ICT offices did (rank-biserial r = "
                         "{r}, {interval}).", r=self.fmt.signed(row["rank_biserial"], 2), interval=interval)
            return _("ICT offices rated IT's alignment higher than their directors did (rank-biserial r = {r}, "
                     "{interval}).", r=self.fmt.signed(row["rank_biserial"], 2), interval=interval)
        return _("No difference between directors and ICT offices on alignment was detected (rank-biserial r = "
                 "{r}, {interval}).", r=self.fmt.signed(row["rank_biserial"], 2), interval=interval)

    def missing(self, name: str) -> str:
        """What the report says when a survey table is absent."""
        if name == "survey_directors":
            return self._("The alignment survey of directors is missing from this dataset (no survey_directors "
                          "file), so its part of this report is empty.")
        return self._("The skills and perception survey of ICT offices is missing from this dataset (no "
                      "survey_ict_offices file), so its part of this report is empty.")

    # ------------------------------------------------------------------ suppression

    def suppression_heading(self) -> str:
        return self._("How small groups and free text are handled")

    def suppression(self, hidden: dict[str, list[str]]) -> str:
        """The suppression rule, naming the groups it hid (``hidden``: survey name -> group codes)."""
        _ = self._
        rule = _("Small groups are suppressed. Any group of respondents smaller than {n} (the respondents behind "
                 "a bar, a table row or an arm of a comparison) is shown as \u201c{marker}\u201d in every table and "
                 "figure, and its size is not given; its answers are left out of every total, so that no total "
                 "minus the groups shown gives them back. Free-text answers are never read into this report.",
                 n=self.fmt.count(self.min_group_size), marker=self.suppressed())
        named = [_("{survey}: {groups}", survey=self.respondents(name),
                   groups=self.fmt.join(self.group(g) for g in groups))
                 for name, groups in hidden.items() if groups]
        if named:
            return _("{rule} Suppressed here: {groups}.", rule=rule, groups="; ".join(named))
        return _("{rule} No group was small enough to be suppressed in this report.", rule=rule)

    # ------------------------------------------------------------------ sections

    def heading(self, code: str) -> str:
        _ = self._
        return {"offices": _("1. Skills and perception survey of ICT offices"),
                "reliability": _("How consistent are the scales?"),
                "groups": _("National and territorial ICT offices"),
                "directors": _("2. Alignment survey of directors"),
                "directors_groups": _("National and territorial directors"),
                "gap": _("3. Do directors and their ICT offices see alignment alike?"),
                "appendix": _("Appendix: answers by statement and group")}[code]

    def paragraph(self, code: str) -> str:
        _ = self._
        return {"reliability": _("Cronbach's alpha measures how consistently the statements of a scale move "
                                 "together (1 = perfectly); its interval is Feldt's. Reverse-keyed statements are "
                                 "recoded first."),
                "groups": _("Scale scores are the mean of a respondent's answers to the scale's statements. "
                            "National and territorial respondents are compared with a Mann-Whitney U test (a rank "
                            "test: scores are ordinal and groups small) and the rank-biserial correlation as effect "
                            "size (from -1 to +1; positive: national respondents scored higher), with p-values "
                            "adjusted across scales by Holm's method."),
                "gap": _("Both surveys asked some of the same alignment statements; scored on those shared "
                         "statements only, directors and ICT offices are compared as above (positive effect size: "
                         "directors scored higher).")}[code]

    def overview(self, overview: surveys.Overview) -> str:
        """Who answered: respondents and statements, by published group (small groups not counted)."""
        _ = self._
        if not overview.available:
            return self.missing(overview.name)
        scales = "; ".join(_.plural("{scale}: {n} statement", "{scale}: {n} statements", n, scale=self.scale(s), n=n)
                           for s, n in overview.scales)
        groups = ", ".join(_("{group} {n}", group=self.group(g), n=self.fmt.count(n)) for g, n in overview.groups)
        values = dict(total=self.fmt.count(overview.respondents), threshold=self.fmt.count(overview.threshold),
                      items=overview.items, scales=scales or "–", groups=groups or "–")
        if overview.name == "survey_directors":
            text = _("{total} directors in groups of at least {threshold} answered the alignment survey of "
                     "directors: {items} statements on a scale from 1 (strongly disagree) to 5 (strongly agree) "
                     "({scales}). By group: {groups}.", **values)
        else:
            text = _("{total} ICT offices in groups of at least {threshold} answered the skills and perception "
                     "survey of ICT offices: {items} statements on a scale from 1 (strongly disagree) to 5 "
                     "(strongly agree) ({scales}). By group: {groups}.", **values)
        if overview.hidden:
            text = _("{text} Respondents in groups of fewer than {threshold} ({groups}) are left out of every "
                     "number in this report, totals included.", text=text,
                     threshold=self.fmt.count(overview.threshold),
                     groups=self.fmt.join(self.group(g) for g in overview.hidden))
        return text

    # ------------------------------------------------------------------ answers by statement

    def likert_figure(self, distribution: pd.DataFrame, agree: pd.DataFrame, name: str) -> dict:
        """Keyword arguments of ``plots.programme.likert_bars``: title, words, axis, legend, alt text."""
        _ = self._
        who = self.respondents(name)
        found = surveys.majority_agreement(agree)
        if found.items == 0:
            title = _("{who}: every group is too small to show", who=self._capital(who))
        else:
            title = _.plural("{who}: a majority agreed with {majority} of {items} statement",
                             "{who}: a majority agreed with {majority} of {items} statements", found.items,
                             who=self._capital(who), majority=found.majority, items=found.items)
        parts = []
        for group in dict.fromkeys(distribution.get("group", [])):
            part = agree[agree["group"] == group]
            described = []
            for row in part.itertuples():
                if row.suppressed:
                    described.append(_("{item} suppressed", item=self.item(row.item)))
                else:
                    described.append(_("{item}: {disagree} disagree, {neutral} neutral, {agree} agree",
                                       item=self.item(row.item), disagree=self.fmt.percent(row.disagree),
                                       neutral=self.fmt.percent(row.neutral), agree=self.fmt.percent(row.agree)))
            parts.append(f"{self.group(group)}: " + "; ".join(described))
        headings = {}
        for group in dict.fromkeys(distribution.get("group", [])):
            part = distribution[distribution["group"] == group]
            if part["suppressed"].all():
                headings[group] = _("{group} (suppressed)", group=self.group(group))
            else:
                headings[group] = _("{group} (up to {n} answers)", group=self.group(group),
                                    n=self.fmt.count(part["respondents"].max()))
        return {"title": title, "item_names": {i: self.item(i) for i in dict.fromkeys(distribution.get("item", []))},
                "group_names": headings, "answer_names": self.answers(),
                "suppressed_text": _("suppressed (fewer than {n})", n=self.fmt.count(self.min_group_size)),
                "xlabel": _("% of respondents\n\u2190 disagree | agree \u2192"),
                "alt": _("Diverging stacked bars of the answers to each statement, centred on the neutral answer. "
                         "{values}.", values=". ".join(parts)),
                "missing": _("No figure: the survey has no answers to show."), "min_group_size": self.min_group_size}

    def agreement_table(self, name: str) -> dict:
        _ = self._
        caption = (_("Directors disagreeing (1-2), neutral (3) and agreeing (4-5), by statement and group")
                   if name == "survey_directors" else
                   _("ICT offices disagreeing (1-2), neutral (3) and agreeing (4-5), by statement and group"))
        return {"headers": {"item_name": _("Statement"), "group_name": _("Group"), "respondents": _("Answers"),
                            "disagree": _("Disagree (1-2)"), "neutral": _("Neutral (3)"), "agree": _("Agree (4-5)")},
                "formats": {"respondents": self._shown(self.fmt.count), "disagree": self._shown(self.fmt.percent),
                            "neutral": self._shown(self.fmt.percent), "agree": self._shown(self.fmt.percent)},
                "caption": caption}

    # ------------------------------------------------------------------ reliability

    def reliability(self, table: pd.DataFrame, name: str) -> list[str]:
        """One sentence per scale: how consistent its items are."""
        _ = self._
        if table.empty:
            return [_("No scale could be scored in the {survey}.", survey=self.survey_title(name))]
        lines = []
        for row in table.itertuples():
            if row.suppressed or not np.isfinite(row.cronbach_alpha):
                lines.append(_("{scale}: not estimated ({note}).", scale=self._capital(self.scale(row.scale)),
                               note=self.note(row.note, row.weakest_item)))
                continue
            text = _("{scale} ({items} statements, {n} complete answers): Cronbach's alpha {value} ({level} "
                     "confidence interval: {low} to {high}), {quality} internal consistency by the usual rule of "
                     "thumb; weakest statement: {weakest} (item-rest correlation {r}).",
                     scale=self._capital(self.scale(row.scale)), items=row.items, n=self.fmt.count(row.respondents),
                     value=self.fmt.number(row.cronbach_alpha, 2), level=self.fmt.confidence(self.alpha),
                     low=self.fmt.number(row.conf_low, 2), high=self.fmt.number(row.conf_high, 2),
                     quality=self.quality(surveys.alpha_quality(row.cronbach_alpha)),
                     weakest=self.item(row.weakest_item), r=self.fmt.number(row.weakest_item_rest_r, 2))
            if row.note:
                text = _("{sentence} Note: {note}", sentence=text, note=self.note(row.note, row.weakest_item))
            lines.append(text)
        return lines

    def reliability_table(self, name: str) -> dict:
        _ = self._
        caption = (_("Reliability of the directors' scales") if name == "survey_directors" else
                   _("Reliability of the ICT offices' scales"))
        return {"headers": {"scale_name": _("Scale"), "items": _("Statements"), "respondents": _("Complete answers"),
                            "cronbach_alpha": _("Cronbach's alpha"),
                            "conf_low": _("Interval, low"), "conf_high": _("Interval, high"),
                            "weakest_name": _("Weakest statement"), "weakest_item_rest_r": _("Item-rest correlation"),
                            "note_words": _("Note")},
                "formats": {"items": "count", "respondents": self._shown(self.fmt.count),
                            "cronbach_alpha": self._shown(lambda v: self.fmt.number(v, 2)),
                            "conf_low": self._shown(lambda v: self.fmt.number(v, 2)),
                            "conf_high": self._shown(lambda v: self.fmt.number(v, 2)),
                            "weakest_item_rest_r": self._shown(lambda v: self.fmt.number(v, 2))},
                "caption": caption}

    # ------------------------------------------------------------------ scale scores

    def scores_figure(self, summary: pd.DataFrame, name: str) -> dict:
        """Keyword arguments of ``plots.programme.scale_scores``."""
        _ = self._
        who = self._capital(self.respondents(name))
        sides = surveys.median_sides(summary)
        if not sides:
            title = _("{who}: no scale score can be shown", who=who)
        else:
            phrases = []
            for scale, side in sides.items():
                if side == "above":
                    phrases.append(_("{scale} medians sit above neutral", scale=self.scale(scale)))
                elif side == "below":
                    phrases.append(_("{scale} medians sit below neutral", scale=self.scale(scale)))
                else:
                    phrases.append(_("{scale} medians sit on both sides of neutral", scale=self.scale(scale)))
            title = _("{who}: {phrases} in every group shown", who=who, phrases="; ".join(phrases))
        rows = summary.reset_index(drop=True) if not summary.empty else summary
        alt = []
        for row in rows.itertuples():
            label = _("{scale}, {group}", scale=self.scale(row.scale), group=self.group(row.group))
            if row.suppressed:
                alt.append(_("{label}: suppressed", label=label))
            else:
                alt.append(_("{label}: median {median}, quartiles {q1} to {q3}, {n} respondents", label=label,
                             median=self.fmt.number(row.median, 2), q1=self.fmt.number(row.q1, 2),
                             q3=self.fmt.number(row.q3, 2), n=self.fmt.count(row.respondents)))
        return {"title": title,
                "row_labels": [_("{scale}: {group}", scale=self.scale(r.scale), group=self.group(r.group))
                               for r in rows.itertuples()],
                "suppressed_text": _("suppressed (fewer than {n} respondents)", n=self.fmt.count(self.min_group_size)),
                "xlabel": _("Scale score (mean of the statements, 1 = strongly disagree, 5 = strongly agree; dotted "
                            "line: neutral)"),
                "alt": _("Median and interquartile range of the scale scores: {values}.", values="; ".join(alt)),
                "missing": _("No figure: no scale could be scored."),
                "number": lambda v: self.fmt.number(v, 0), "min_group_size": self.min_group_size}

    def scores_table(self, name: str) -> dict:
        _ = self._
        caption = (_("Directors' scale scores by group (1-5)") if name == "survey_directors" else
                   _("ICT offices' scale scores by group (1-5)"))
        two = self._shown(lambda v: self.fmt.number(v, 2))
        return {"headers": {"scale_name": _("Scale"), "group_name": _("Group"), "respondents": _("Respondents"),
                            "mean": _("Mean"), "median": _("Median"), "q1": _("First quartile"),
                            "q3": _("Third quartile"), "above_neutral": _("Above neutral (> 3)")},
                "formats": {"respondents": self._shown(self.fmt.count), "mean": two, "median": two, "q1": two,
                            "q3": two, "above_neutral": self._shown(self.fmt.percent)},
                "caption": caption}

    # ------------------------------------------------------------------ comparisons

    def comparisons(self, table: pd.DataFrame) -> list[str]:
        """One sentence per comparison: direction, size, and whether it could be chance."""
        _ = self._
        if table.empty:
            return [_("No comparison could be made: a survey or a scale is missing.")]
        lines = []
        for row in table.itertuples():
            scale = self._capital(self.scale(row.scale))
            first, second = self.group(row.first), self.group(row.second)
            if row.suppressed:
                lines.append(_("{scale}, {first} against {second}: suppressed (an arm has fewer than {n} "
                               "respondents).", scale=scale, first=first, second=second,
                               n=self.fmt.count(self.min_group_size)))
                continue
            numbers = dict(scale=scale, m1=self.fmt.number(row.median_first, 2),
                           m2=self.fmt.number(row.median_second, 2), first=first, second=second,
                           r=self.fmt.signed(row.rank_biserial, 2), level=self.fmt.confidence(self.alpha),
                           interval=self.fmt.interval(row.conf_low, row.conf_high, 2, signed=True),
                           p=self.fmt.p_value(row.p_value), p_holm=self.fmt.p_value(row.p_holm))
            if row.p_holm < self.alpha:
                higher, lower = (first, second) if row.rank_biserial > 0 else (second, first)
                magnitude = {"small": _("a small difference"), "moderate": _("a moderate difference"),
                             "large": _("a large difference")}[surveys.effect_magnitude(row.rank_biserial)]
                lines.append(_("{scale}: {higher} scored higher than {lower}, {magnitude} (medians {m1} for {first} "
                               "and {m2} for {second} on 1-5; rank-biserial r = {r}, {level} confidence interval "
                               "{interval}; Mann-Whitney {p}, Holm-adjusted {p_holm}).", higher=higher, lower=lower,
                               magnitude=magnitude, **numbers))
            else:
                lines.append(_("{scale}: no difference between {first} and {second} was detected (medians {m1} and "
                               "{m2} on 1-5; rank-biserial r = {r}, {level} confidence interval {interval}; "
                               "Mann-Whitney {p}, Holm-adjusted {p_holm}).", **numbers))
        return lines

    def comparison_table(self, caption_code: str) -> dict:
        _ = self._
        captions = {"offices": _("National against territorial ICT offices, by scale"),
                    "directors": _("National against territorial directors, by scale"),
                    "gap": _("Directors against ICT offices on the shared alignment statements")}
        two = self._shown(lambda v: self.fmt.number(v, 2))
        signed = self._shown(lambda v: self.fmt.signed(v, 2))
        return {"headers": {"scale_name": _("Scale"), "first_name": _("First group"), "second_name": _("Second group"),
                            "n_first": _("Respondents, first"), "n_second": _("Respondents, second"),
                            "median_first": _("Median, first"), "median_second": _("Median, second"),
                            "rank_biserial": _("Rank-biserial r"), "conf_low": _("Interval, low"),
                            "conf_high": _("Interval, high"), "p_value": _("p-value"),
                            "p_holm": _("p-value, Holm-adjusted")},
                "formats": {"n_first": self._shown(self.fmt.count), "n_second": self._shown(self.fmt.count),
                            "median_first": two, "median_second": two, "rank_biserial": signed,
                            "conf_low": signed, "conf_high": signed,
                            "p_value": self._shown(self.fmt.p_value), "p_holm": self._shown(self.fmt.p_value)},
                "caption": captions[caption_code]}

    # ------------------------------------------------------------------ tables for readers

    def readable(self, table: pd.DataFrame) -> pd.DataFrame:
        """A copy for the page: codes in words, and suppressed rows showing the marker instead of numbers.

        Respondent counts of a suppressed row read "fewer than N"; its other numbers "suppressed".
        Counts that describe the questionnaire (``items``, ``answer``) stay.
        """
        out = table.copy().astype(object)
        if "item" in out:
            out["item_name"] = [self.item(i) for i in table["item"]]
        if "group" in out:
            out["group_name"] = [self.group(g) for g in table["group"]]
        if "scale" in out:
            out["scale_name"] = [self.scale(s) for s in table["scale"]]
        if "first" in out:
            out["first_name"] = [self.group(g) for g in table["first"]]
            out["second_name"] = [self.group(g) for g in table["second"]]
        if "weakest_item" in out:
            out["weakest_name"] = [self.item(i) if isinstance(i, str) and i else "" for i in table["weakest_item"]]
            out["note_words"] = [self.note(n, w) for n, w in zip(table["note"], table["weakest_item"])]
        if "suppressed" not in table:
            return out
        hidden = table["suppressed"].astype(bool).to_numpy()
        counts = ("respondents", "count", "n_first", "n_second")
        for column in table.columns:
            if column in ("items", "answer", "shared_items", "suppressed") or not (
                    pd.api.types.is_numeric_dtype(table[column]) or column in counts):
                continue
            out.loc[hidden, column] = self.fewer_than() if column in counts else self.suppressed()
        return out

    def _shown(self, formatter):
        """A cell formatter that writes numbers with ``formatter`` and passes words (suppression markers) through."""
        return lambda value: value if isinstance(value, str) else formatter(value)

    @staticmethod
    def _capital(text: str) -> str:
        return text[:1].upper() + text[1:]
