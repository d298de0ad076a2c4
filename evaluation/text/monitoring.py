"""The monitoring report's words: outputs against targets, CIO posts by level and by department.

Every sentence is built from the results of :mod:`evaluation.questions.monitoring`
(never from rendered output), in the report's language::

    t = MonitoringText(report.fmt, report.words)
    t.question(monitoring.progress_summary(progress))

Numbers go through ``fmt`` (:class:`~evaluation.text.format.Format`) and the
words for units, levels and the treatment come from ``words``
(:class:`~evaluation.text.wording.Wording`), so another panel's report speaks of
its own units and the programme is named only on GCIO data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation.load.contract import LEVELS
from evaluation.questions import monitoring
from evaluation.text import frame
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "monitoring"


@dataclass(frozen=True)
class MonitoringText(frame.FrameWords):
    """Titles, sentences, table headers and figure words of the monitoring report in one language."""

    RECORDS = "monitoring"

    fmt: Format
    words: Wording

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ words for codes

    def output(self, code: str) -> str:
        """The name of an output of the contract (``cio_posts_created`` -> "CIO posts created")."""
        _ = self._
        names = {
            "cio_posts_created": _("CIO posts created"),
            "leaders_trained": _("IT leaders trained"),
            "bulletins": _("bulletins sent"),
            "magazine_issues": _("CIO Magazine issues"),
            "workshops": _("territorial workshops"),
            "workshop_participants": _("workshop participants"),
        }
        return names.get(code, str(code).replace("_", " "))

    def reading(self, code: str) -> str:
        """The word for a progress reading code."""
        _ = self._
        return {"met": _("met"), "nearly met": _("nearly met"), "short": _("short of target"),
                "no target": _("no target")}.get(code, code)

    def department(self, name) -> str:
        """A department's name as the data give it, or words for entities without one."""
        return name if isinstance(name, str) and name.strip() else self._("(no department)")

    # ------------------------------------------------------------------ page top

    def title(self) -> str:
        _ = self._
        if self.words.programme:
            return _("Monitoring: were the programme's outputs delivered as planned?")
        return _("Monitoring: were the outputs delivered as planned?")

    def introduction(self) -> str:
        _ = self._
        if self.words.programme:
            return _("This report sets the programme's outputs (CIO posts created, IT leaders trained, bulletins, "
                     "CIO Magazine issues, workshops and their participants) against the targets recorded for "
                     "each year, and shows where, by level of government and by department, {units} created "
                     "the post.", units=self.words.units)
        return _("This report sets the outputs recorded in the monitoring table against their targets, and shows "
                 "by level and by department which {units} {adopted}.", units=self.words.units,
                 adopted=self.words.adopted)

    # ------------------------------------------------------------------ the question and its answer

    def asked(self) -> str:
        _ = self._
        if self.words.programme:
            return _("Did the programme deliver the outputs it planned, in the years it set targets for?")
        return _("Were the planned outputs delivered, in the years that had a target?")

    def answer(self, summary: monitoring.ProgressSummary, available: bool = True) -> str:
        """The short answer: how many outputs with a target met it, and the one furthest short."""
        _ = self._
        if not available:
            return _("It cannot be said: the dataset has no monitoring table.")
        if summary.with_target == 0:
            return _("It cannot be said: no output has a target.")
        head = _("{met} of {planned} outputs with a target met it and {reached} reached at least {nearly} of it, "
                 "counting only the years that had a target.", met=summary.met, planned=summary.with_target,
                 reached=summary.reached_nearly, nearly=self.fmt.percent(monitoring.NEARLY_MET))
        if summary.worst_output is None:
            return head
        return _("{head} Furthest short: {output}, at {progress} of target.", head=head,
                 output=self.output(summary.worst_output), progress=self.fmt.percent(summary.worst_progress))

    def missing(self) -> str:
        """What the report says when there is no monitoring table."""
        if self.words.programme:
            return self._("The monitoring table is missing from this dataset (no monitoring file), so outputs "
                          "cannot be set against targets. The posts by level and department below come from the "
                          "adoption records instead.")
        return self._("The monitoring table is missing from this dataset (no monitoring file), so outputs cannot be "
                      "set against targets. Adoption by level and department below comes from the adoption records.")

    def no_figure(self) -> str:
        """Shown instead of a figure of the monitoring records when there are none."""
        return self._("No figure: the dataset has no monitoring records.")

    # ------------------------------------------------------------------ 1. outputs against targets

    def progress_heading(self) -> str:
        return self._("1. Outputs against targets")

    def progress_method(self) -> str:
        return self._("Progress counts only the years that had a target: outputs delivered in other years are "
                      "reported, but not set against a plan that was never made.")

    def progress_items(self, table: pd.DataFrame) -> list[str]:
        """One sentence per output: delivered against planned, and the years the target was met."""
        _ = self._
        lines = []
        for row in table.itertuples():
            name = self._capital(self.output(row.output))  # it opens the sentence
            if row.reading == monitoring.NO_TARGET:
                lines.append(_("{output}: {delivered} delivered in {years}; no target was recorded.", output=name,
                               delivered=self.fmt.count(row.delivered),
                               years=self.fmt.years([row.first_year, row.last_year])))
                continue
            extra = float(row.delivered) - float(row.delivered_in_planned_years)
            text = _.plural("{output}: {done} of {planned} planned ({progress}, {reading}); the target was met in "
                            "{met} of {years} year.",
                            "{output}: {done} of {planned} planned ({progress}, {reading}); the target was met in "
                            "{met} of {years} years.", int(row.years_planned),
                            output=name, done=self.fmt.count(row.delivered_in_planned_years),
                            planned=self.fmt.count(row.planned), progress=self.fmt.percent(row.progress),
                            reading=self.reading(row.reading), met=row.years_met, years=row.years_planned)
            if extra > 0:
                text = _("{sentence} A further {extra} were delivered in years without a target.", sentence=text,
                         extra=self.fmt.count(extra))
            lines.append(text)
        return lines

    def progress_figure(self, table: pd.DataFrame) -> dict:
        """Keyword arguments of ``plots.programme.delivery_progress``: title, names, axis, bar labels, alt text."""
        _ = self._
        shown = table[table["progress"].notna()] if not table.empty else table
        summary = monitoring.progress_summary(table)
        if table.empty:
            title = _("No monitoring records")
        elif summary.with_target == 0:
            title = _("No output has a target to measure progress against")
        elif summary.short == 0:
            title = _("Every output with a target reached at least {nearly} of it",
                      nearly=self.fmt.percent(monitoring.NEARLY_MET))
        else:
            assert summary.worst_output is not None  # set whenever an output is short
            title = _("{reached} of {planned} outputs reached {nearly} of target; {output} fell furthest short "
                      "({progress})", reached=summary.reached_nearly, planned=summary.with_target,
                      nearly=self.fmt.percent(monitoring.NEARLY_MET), output=self.output(summary.worst_output),
                      progress=self.fmt.percent(summary.worst_progress))
        bars = [_("{progress} ({done} of {planned})", progress=self.fmt.percent(r.progress),
                  done=self.fmt.count(r.delivered_in_planned_years), planned=self.fmt.count(r.planned))
                for r in shown.itertuples()]
        alt = _("Horizontal bars of the share of target delivered: {values}.",
                values="; ".join(f"{self._capital(self.output(r.output))} {bar}"
                                 for r, bar in zip(shown.itertuples(), bars)))
        return {"title": title, "names": {o: self._capital(self.output(o)) for o in table.get("output", [])},
                "xlabel": _("Delivered in years with a target (% of target)"), "bar_labels": bars, "alt": alt,
                "missing": self.no_figure() if table.empty else _("No output has a target, so there is no figure."),
                "number": lambda v: self.fmt.number(v, 0)}

    def progress_table(self) -> dict:
        """Headers, formats and caption of the progress table."""
        _ = self._
        return {"headers": {"output_name": _("Output"), "first_year": _("From"), "last_year": _("To"),
                            "delivered": _("Delivered (all years)"), "planned": _("Planned (years with a target)"),
                            "delivered_in_planned_years": _("Delivered in years with a target"),
                            "progress": _("Progress (% of plan)"), "years_met": _("Years target met"),
                            "years_planned": _("Years with a target"), "reading_word": _("Reading")},
                "formats": {"first_year": "year", "last_year": "year", "delivered": "count", "planned": "count",
                            "delivered_in_planned_years": "count", "progress": "percent", "years_met": "count",
                            "years_planned": "count"},
                "caption": _("Outputs delivered and planned (progress: delivered in the years with a target, as a "
                             "share of the planned total)")}

    def readable_progress(self, table: pd.DataFrame) -> pd.DataFrame:
        """A copy of the progress table with the output names and readings in words (for the page only)."""
        return table.assign(output_name=[self._capital(self.output(o)) for o in table["output"]],
                            reading_word=[self.reading(r) for r in table["reading"]])

    # ------------------------------------------------------------------ 2. year by year

    def delivery_heading(self) -> str:
        return self._("2. Delivery year by year")

    def delivery_figure(self, table: pd.DataFrame) -> dict:
        """Keyword arguments of ``plots.programme.delivery_by_year``."""
        _ = self._
        worst = monitoring.worst_year(table)
        if worst.year is None:
            title = _("Outputs delivered by year (no targets recorded)")
        elif worst.all_met:
            title = _("Every output met its target in every year that had one")
        else:
            title = _.plural("Delivery fell furthest behind target in {year}: on average {ratio} of target "
                             "across {n} output",
                             "Delivery fell furthest behind target in {year}: on average {ratio} of target "
                             "across {n} outputs", worst.outputs,
                             year=self.fmt.year(worst.year), ratio=self.fmt.percent(worst.mean_ratio), n=worst.outputs)
        parts = []
        for output, part in (table.groupby("output", sort=False) if not table.empty else []):
            years = []
            for r in part.itertuples():
                if pd.notna(r.target):
                    years.append(_("{year}: {delivered} delivered (target {target})", year=self.fmt.year(r.year),
                                   delivered=self.fmt.count(r.delivered), target=self.fmt.count(r.target)))
                else:
                    years.append(_("{year}: {delivered} delivered", year=self.fmt.year(r.year),
                                   delivered=self.fmt.count(r.delivered)))
            parts.append(f"{self._capital(self.output(output))}: " + ", ".join(years))
        alt = _("Bar charts of the outputs delivered per year against their targets. {values}.",
                values=". ".join(parts))
        return {"title": title, "names": {o: self._capital(self.output(o)) for o in table.get("output", [])},
                "ylabel": _("Delivered (count per year)"),
                "legend": (_("delivered"), _("target for the year")), "alt": alt, "missing": self.no_figure(),
                "number": lambda v: self.fmt.number(v, 0)}

    def delivery_table(self) -> dict:
        _ = self._
        return {"headers": {"output_name": _("Output"), "year": _("Year"), "delivered": _("Delivered"),
                            "target": _("Target"), "ratio": _("Delivered (% of target)"),
                            "cumulative_delivered": _("Delivered to date"),
                            "cumulative_target": _("Target to date")},
                "formats": {"year": "year", "delivered": "count", "target": "count", "ratio": "percent",
                            "cumulative_delivered": "count", "cumulative_target": "count"},
                "caption": _("Outputs delivered and targets by year")}

    def readable_delivery(self, table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(output_name=[self._capital(self.output(o)) for o in table["output"]])

    # ------------------------------------------------------------------ 3. posts by level

    def level_heading(self) -> str:
        _ = self._
        if self.words.programme:
            return _("3. CIO posts by level of government")
        return _("3. Adoption by level")

    def level_method(self) -> str:
        _ = self._
        if self.words.programme:
            return _("From the adoption records: the year of the act that created the post, by level of "
                     "government. The monitoring records count territorial posts; the check below sets the two "
                     "records side by side.")
        return _("From the adoption records: the year each of the {units} {adopted}, by level.",
                 units=self.words.units, adopted=self.words.adopted)

    def level_table(self, timeline: pd.DataFrame) -> dict:
        """Headers of ``questions.data_quality.adoption_timeline``: year, one column per level, totals."""
        _ = self._
        headers = {"cohort": _("Year of adoption")}
        headers.update({lv: self.words.level(lv) for lv in LEVELS if lv in timeline.columns})
        headers.update({"all": _("All"), "cumulative": _("Cumulative")})
        formats = {c: "count" for c in headers if c != "cohort"}
        formats["cohort"] = "year"
        caption = (_("Entities that created the post, by year of the act and level of government")
                   if self.words.programme else
                   _("{units} that {adopted}, by year and level", units=self._capital(self.words.units),
                     adopted=self.words.adopted))
        return {"headers": headers, "formats": formats, "caption": caption}

    def reconciliation(self, summary: monitoring.ReconciliationSummary) -> str:
        """Do the monitoring records and the adoption records count the same posts?"""
        _ = self._
        if not summary.available:
            if not self.words.programme:
                return _("There are no monitoring records to check against the adoption records.")
            return _("The posts in the monitoring records cannot be checked against the adoption records (no "
                     "monitoring rows for CIO posts).")
        if summary.agree:
            return _("The monitoring records and the adoption records agree year by year: {n} territorial CIO "
                     "posts in both.", n=self.fmt.count(summary.monitoring_total))
        return _.plural("The monitoring records and the adoption records disagree in {n} year ({years}): {reported} "
                        "territorial CIO posts reported against {recorded} adoption acts recorded. Check which "
                        "record is right before quoting either.",
                        "The monitoring records and the adoption records disagree in {n} years ({years}): "
                        "{reported} territorial CIO posts reported against {recorded} adoption acts recorded. "
                        "Check which record is right before quoting either.", len(summary.years_differ),
                        n=len(summary.years_differ), years=self.fmt.years(summary.years_differ),
                        reported=self.fmt.count(summary.monitoring_total),
                        recorded=self.fmt.count(summary.adoption_total))

    def reconciliation_table(self) -> dict:
        _ = self._
        return {"headers": {"year": _("Year"), "monitoring": _("Posts in the monitoring records"),
                            "adoption_records": _("Territorial adoptions in the adoption records"),
                            "difference": _("Difference")},
                "formats": {"year": "year", "monitoring": "count", "adoption_records": "count",
                            "difference": lambda v: self.fmt.signed(v, 0)},
                "caption": _("Territorial CIO posts by year: monitoring records against adoption records")}

    # ------------------------------------------------------------------ 4. by department

    def department_heading(self) -> str:
        _ = self._
        if self.words.programme:
            return _("4. CIO posts by department")
        return _("4. Adoption by department")

    def department_method(self) -> str:
        _ = self._
        if self.words.programme:
            return _("Share of each department's territorial entities (its governorship and mayoralties) that had "
                     "created the post by the evaluation year.")
        return _("Share of the {units} of each department that {adopted} by the evaluation year.",
                 units=self.words.units, adopted=self.words.adopted)

    def department_figure(self, table: pd.DataFrame) -> dict:
        """Keyword arguments of ``plots.programme.posts_by_department``."""
        _ = self._
        if table.empty:
            title = _("No territorial entities in the data")
        else:
            top, bottom = table.iloc[0], table.iloc[-1]
            values = dict(low=self.fmt.percent(bottom["share"]), low_name=self.department(bottom["department"]),
                          high=self.fmt.percent(top["share"]), high_name=self.department(top["department"]))
            if self.words.programme:
                title = _("The share of territorial entities that created the post ranges from {low} ({low_name}) "
                          "to {high} ({high_name})", **values)
            else:
                title = _("The share of {units} that {adopted} ranges from {low} ({low_name}) to {high} "
                          "({high_name})", units=self._territorial_units(), adopted=self.words.adopted, **values)
        bars = [_("{adopters} of {entities}", adopters=self.fmt.count(r.adopters), entities=self.fmt.count(r.entities))
                for r in table.itertuples()]
        alt = _("Horizontal bars, one per department, of the share of {units} that {adopted}: {values}.",
                units=self._territorial_units(), adopted=self.words.adopted,
                values="; ".join(f"{self.department(r.department)} {self.fmt.percent(r.share)} ({bar})"
                                 for r, bar in zip(table.itertuples(), bars)))
        return {"title": title, "departments": [self.department(d) for d in table.get("department", [])],
                "xlabel": (_("Territorial entities that created the post (% of the department's)")
                           if self.words.programme else
                           _("{units} that {adopted} (% of the department's)",
                             units=self._capital(self._territorial_units()), adopted=self.words.adopted)),
                "bar_labels": bars, "alt": alt, "missing": _("No territorial entities in the data, so there is "
                                                             "no figure.")}

    def department_table(self) -> dict:
        _ = self._
        headers = {"department_name": _("Department"), "entities": self._capital(self._territorial_units()),
                   "adopters": _("Adopters"), "share": _("Share that adopted"), "first_year": _("First adoption")}
        if self.words.programme:  # a converted panel's units carry one level only: no split to show
            headers.update({"departmental_adopters": _("Adopters: {level}", level=self.words.level("departmental")),
                            "municipal_adopters": _("Adopters: {level}", level=self.words.level("municipal"))})
        return {"headers": headers,
                "formats": {"entities": "count", "adopters": "count", "share": "percent", "first_year": "year",
                            "departmental_adopters": "count", "municipal_adopters": "count"},
                "caption": _("{units} that {adopted}, by department", units=self._capital(self._territorial_units()),
                             adopted=self.words.adopted)}

    def readable_departments(self, table: pd.DataFrame) -> pd.DataFrame:
        return table.assign(department_name=[self.department(d) for d in table["department"]])

    def appendix_heading(self) -> str:
        return self._("Appendix: outputs and targets by year")

    # ------------------------------------------------------------------ helpers

    def _territorial_units(self) -> str:
        _ = self._
        if self.words.programme:
            return _("territorial entities")
        return self.words.units

    @staticmethod
    def _capital(text: str) -> str:
        return text[:1].upper() + text[1:]
