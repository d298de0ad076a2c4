"""The data-quality report's words: what the data can and cannot support, from its tables.

Every sentence is built from the tables of ``evaluation.questions.data_quality``
(the same notebook run on other data says other things) and from the dataset's
``Wording``; numbers go through ``Format``. The data banner (synthetic data, or
the data's provenance) is here too, for every report that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evaluation.text import frame
from evaluation.text.format import Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "data_quality"


@dataclass(frozen=True)
class DataQualityText:
    """The data-quality report in one language: ``t = DataQualityText.of(report)``."""

    fmt: Format
    words: Wording

    @classmethod
    def of(cls, report) -> "DataQualityText":
        """From a ``evaluation.context.Report`` (``setup(...)``)."""
        return cls(report.fmt, report.words)

    @property
    def language(self) -> str:
        return self.fmt.language

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ page top
    def title(self) -> str:
        _ = self._
        return _("Data quality: what the data can and cannot support")

    def subtitle(self, dataset, year: int) -> str:
        _ = self._
        return _("{dataset}, evaluation year {year}", dataset=dataset_name(dataset), year=self.fmt.year(year))

    def labels(self) -> dict:
        """The words of the answer box and of a table's source line."""
        _ = self._
        return {"question": _("Question:"), "answer": _("Short answer:"), "source": _("Source:")}

    def banner(self, dataset) -> tuple[str, str]:
        """``(lead, text)`` of the box at the top: synthetic data, or the data's name and source."""
        return data_banner(dataset, self.fmt.language)

    def question(self) -> str:
        _ = self._
        return _("Do the data meet the contract, who reports which outcome, and which adoption cohorts can be "
                 "evaluated?")

    def answer(self, dataset, overview: pd.DataFrame, pre_years: pd.DataFrame, year: int) -> str:
        """The short answer: the contract's verdict, the adopters, and the cohorts each outcome can evaluate."""
        _ = self._
        n_warnings = len(dataset.warnings)
        contract = (_("The files meet the data contract, with no warnings.") if not n_warnings else
                    _.plural("The files meet the data contract, with {n} warning (listed below).",
                             "The files meet the data contract, with {n} warnings (listed below).",
                             n_warnings, n=self.fmt.count(n_warnings)))
        total = overview.set_index("level").loc["all"] if "all" in set(overview["level"]) else None
        adopters = int(total["adopters"]) if total is not None else 0
        units = int(total["entities"]) if total is not None else 0
        adopted = _("{adopters} of {total} {units} {adopted} by {year}.", adopters=self.fmt.count(adopters),
                    total=self.fmt.count(units), units=self.words.units, adopted=self.words.adopted,
                    year=self.fmt.year(year))
        parts = []
        for indicator in dict.fromkeys(pre_years["indicator"]):
            rows = pre_years[pre_years["indicator"] == indicator]
            parts.append(_("{indicator}: {good} of {cohorts}", indicator=indicator,
                           good=self.fmt.count(int(rows["evaluable"].sum())), cohorts=self.fmt.count(len(rows))))
        if not parts:
            return " ".join([contract, adopted, _("No adopting cohort has any outcome score.")])
        cohorts = _("Adoption cohorts with at least one year of data before they adopted, which can therefore be "
                    "evaluated: {list}.", list="; ".join(parts))
        return " ".join([contract, adopted, cohorts])

    # ------------------------------------------------------------------ 1. the contract
    def contract_heading(self) -> str:
        _ = self._
        return _("1. The data contract")

    def contract_text(self, dataset) -> str:
        _ = self._
        n = len(dataset.warnings)
        first = _("Every file was read and checked before anything else ran; a broken contract stops the run.")
        if not n:
            return first + "\n\n" + _("No check raised a warning.")
        return first + "\n\n" + _.plural("{n} check raised a warning that did not stop the run:",
                                         "{n} checks raised warnings that did not stop the run:", n,
                                         n=self.fmt.count(n))

    def warnings_headers(self) -> dict:
        _ = self._
        return {"file": _("File"), "row": _("Row"), "column": _("Column"), "problem": _("Problem"),
                "fix": _("How to fix it")}

    def warnings_formats(self) -> dict:
        return {"row": lambda v: str(int(v))}  # a line number, never with a thousands separator

    def warnings_summary_headers(self) -> dict:
        _ = self._
        return {"file": _("File"), "column": _("Column"), "warnings": _("Warnings")}

    def warnings_summary_caption(self) -> str:
        _ = self._
        return _("Warnings from the contract checks, by file and column. Each warning, in the checks' own "
                 "English words, is in tables/contract_warnings.csv and in the output of gcio-eval check.")

    def warnings_caption(self) -> str:
        _ = self._
        return _("Warnings from the contract checks (the checks' own words)")

    def overview_headers(self) -> dict:
        _ = self._
        return {"level": _("Level"), "entities": self._units_header(), "adopters": _("Adopters"),
                "never_adopted": _("Never adopted (by the evaluation year)")}

    def _units_header(self) -> str:
        _ = self._
        return _("{units} (count)", units=self.words.units.capitalize())

    def level_values(self, levels) -> dict:
        """Level codes as the report writes them; ``all`` is the total row."""
        _ = self._
        out = {lv: self.words.level(lv).capitalize() for lv in levels if lv != "all"}
        out["all"] = _("All levels")
        return out

    def overview_caption(self, year: int) -> str:
        _ = self._
        return _("{units} and adopters by level, up to {year}", units=self.words.units.capitalize(),
                 year=self.fmt.year(year))

    # ------------------------------------------------------------------ 2. coverage
    def coverage_heading(self) -> str:
        _ = self._
        return _("2. Who reports which outcome, and when")

    def coverage_text(self, coverage: pd.DataFrame) -> str:
        """Per indicator: the years it is observed and the share reporting in its last year."""
        _ = self._
        if coverage.empty:
            return _("No outcome score is recorded.")
        parts = [_("Share of {units} of each level with a score, by indicator and year.", units=self.words.units)]
        for indicator in dict.fromkeys(coverage["indicator"]):
            rows = coverage[coverage["indicator"] == indicator]
            last = int(rows["year"].max())
            latest = rows[rows["year"] == last]
            share = latest["reporting"].sum() / latest["entities"].sum() if latest["entities"].sum() else float("nan")
            parts.append(_("{outcome} is observed in {years}; in {last}, {share} of the {units} have a score.",
                           outcome=self.words.outcome(indicator),
                           years=self.fmt.years(rows["year"]), last=self.fmt.year(last),
                           share=self.fmt.percent(share), units=self.words.units))
        return "\n\n".join([parts[0], " ".join(parts[1:])])

    def coverage_figure(self, coverage: pd.DataFrame) -> dict:
        """Title, axis label, level names and alt text of the coverage heat map."""
        _ = self._
        indicators = list(dict.fromkeys(coverage["indicator"]))
        years = sorted(coverage["year"].unique())
        alt = _("Heat map of the share of {units} with a score, by year and level, for {indicators}; years "
                "{first} to {last}.", units=self.words.units, indicators=self.fmt.join(indicators),
                first=self.fmt.year(years[0]) if years else "", last=self.fmt.year(years[-1]) if years else "")
        return {"title": _("Which {units} report each outcome, by year and level", units=self.words.units),
                "xlabel": _("Year; cells show the % of {units} with a score", units=self.words.units),
                "level_names": self.level_values(set(coverage["level"])), "alt": alt}

    # ------------------------------------------------------------------ 3. adoption
    def adoption_heading(self) -> str:
        _ = self._
        return _("3. When {units} {adopted}", units=self.words.units, adopted=self.words.adopted)

    def adoption_text(self) -> str:
        _ = self._
        if self.words.programme:
            return _("Adoption cohorts are the year of the act (decree, ordinance or resolution) that created the "
                     "post.")
        return _("An adoption cohort is the first year in which a unit is treated.")

    def timeline_headers(self, timeline: pd.DataFrame) -> dict:
        _ = self._
        headers = {"cohort": _("Cohort (year of adoption)")}
        levels = [c for c in timeline.columns if c not in ("cohort", "all", "cumulative")]
        headers.update({lv: self.words.level(lv).capitalize() for lv in levels})
        headers.update({"all": _("Total"), "cumulative": _("Cumulative")})
        return headers

    def timeline_formats(self, timeline: pd.DataFrame) -> dict:
        return {c: ("year" if c == "cohort" else "count") for c in timeline.columns}

    def timeline_caption(self) -> str:
        _ = self._
        return _("{units} that {adopted}, by cohort and level", units=self.words.units.capitalize(),
                 adopted=self.words.adopted)

    def timeline_figure(self, timeline: pd.DataFrame, year: int) -> dict:
        _ = self._
        total = int(timeline["all"].sum()) if len(timeline) else 0
        per_year = "; ".join(_("{cohort}: {n}", cohort=self.fmt.year(r.cohort), n=self.fmt.count(r.all))
                             for r in timeline.itertuples())
        levels = [c for c in timeline.columns if c not in ("cohort", "all", "cumulative")]
        return {"title": _("{n} {units} {adopted} by {year}", n=self.fmt.count(total), units=self.words.units,
                           adopted=self.words.adopted, year=self.fmt.year(year)),
                "xlabel": _("Cohort (year of adoption)"),
                "ylabel": _("{units} adopting (count)", units=self.words.units.capitalize()),
                "legend_title": _("Level"), "level_names": self.level_values(levels),
                "alt": _("Bar chart of the {units} adopting per cohort, by level: {counts}.",
                         units=self.words.units, counts=per_year)}

    # ------------------------------------------------------------------ 4. evaluability
    def evaluability_heading(self) -> str:
        _ = self._
        return _("4. Which cohorts can be evaluated on each outcome")

    def evaluability_text(self) -> str:
        _ = self._
        return _("An effect can be estimated for a cohort only if the outcome was measured at least once before "
                 "it adopted.")

    def evaluability(self, pre_years: pd.DataFrame) -> list[str]:
        """One item per indicator: which cohorts can be evaluated on it, which cannot, and why."""
        _ = self._
        if pre_years.empty:
            return [_("No adopting {unit} has any outcome score.", unit=self.words.unit)]
        return [self._evaluability(pre_years, ind) for ind in dict.fromkeys(pre_years["indicator"])]

    def _evaluability(self, pre_years: pd.DataFrame, indicator: str) -> str:
        _ = self._
        fmt = self.fmt
        rows = pre_years[pre_years["indicator"] == indicator]
        good, bad = rows[rows["evaluable"]], rows[~rows["evaluable"]]
        parts = [_("{indicator} is observed from {first}.", indicator=indicator,
                   first=fmt.year(rows["first_year"].iloc[0]))]
        if len(bad):
            parts.append(_.plural(
                "Cohort {cohorts} ({n} adopting {units}) has no {indicator} score before it adopted, so its "
                "effect on {indicator} cannot be estimated: it is reported as not estimable, never dropped "
                "silently.",
                "Cohorts {cohorts} ({n} adopting {units}) have no {indicator} score before they adopted, so "
                "their effect on {indicator} cannot be estimated: they are reported as not estimable, never "
                "dropped silently.", len(bad), cohorts=fmt.years(bad["cohort"]),
                n=fmt.count(bad["adopters"].sum()), units=self.words.units, indicator=indicator))
        if len(good):
            parts.append(_.plural(
                "Cohort {cohorts} ({n} {units}) has between {low} and {high} years of data before adoption.",
                "Cohorts {cohorts} ({n} {units}) have between {low} and {high} years of data before adoption.",
                len(good), cohorts=fmt.years(good["cohort"]), n=fmt.count(good["adopters"].sum()),
                units=self.words.units, low=fmt.count(good["pre_adoption_years"].min()),
                high=fmt.count(good["pre_adoption_years"].max())))
        return " ".join(parts)

    def pre_years_headers(self) -> dict:
        _ = self._
        return {"indicator": _("Indicator"), "cohort": _("Cohort"), "adopters": _("Adopters"),
                "pre_adoption_years": _("Years of data before adoption"),
                "post_adoption_years": _("Years of data from adoption on"), "reason": _("Can it be evaluated?")}

    def pre_years_formats(self) -> dict:
        return {"cohort": "year", "adopters": "count", "pre_adoption_years": "count",
                "post_adoption_years": "count"}

    def reason_values(self) -> dict:
        """The words for ``pre_adoption_years``'s ``reason`` codes."""
        _ = self._
        return {"reason": {"": _("yes"), "no_pre_year": _("not estimable: no year of data before adoption"),
                           "no_scores": _("not estimable: no scores for this cohort")}}

    def pre_years_caption(self) -> str:
        _ = self._
        return _("Years of data before and after adoption, by indicator and cohort")

    def appendix(self) -> str:
        _ = self._
        return _("Appendix: years of data by indicator and cohort")

    def source(self, dataset, *tables: str) -> str:
        """The source line under a table: the dataset and its files (names only, never paths)."""
        return source_line(dataset, self.fmt.language, *tables)


# ------------------------------------------------------------------ shared by every report's page top


def dataset_name(dataset) -> str:
    """The dataset's name (``dataset.yml``'s ``name``, else its folder's name): never a path."""
    return frame.dataset_name(dataset)


def data_banner(dataset, language: str) -> tuple[str, str]:
    """``(lead, text)`` of the banner: the synthetic-data warning, or the data's name and source."""
    return frame.banner(dataset, language)[:2]


def source_line(dataset, language: str, *tables: str, method: str = "") -> str:
    """Which dataset and files a table comes from (file names only), and how its numbers were made."""
    return frame.source(dataset, language, *tables, method=method)

