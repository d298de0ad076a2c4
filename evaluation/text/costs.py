"""The costs report's words: the budget, cost per output, the attribution's sensitivity, cost per index point.

Every sentence is built from the results of :mod:`evaluation.questions.costs`
(never from rendered output), in the report's language::

    t = CostsText(report.fmt, report.words)
    t.answer(output_costs, per_point, indicator="POL07", alpha=0.05)

Amounts are written by ``fmt.money`` (``COP 4.510.909.699`` in Spanish), with
the dollar amount beside them where a rate is given. The cost per index point
is always named by what it divides: the budget per index point of average
effect, per adopting entity (not per entity-year: years do not enter the
formula); its key number counts the adopters whose effect was estimated, and the
count over every adopter is shown only as a labelled extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from evaluation.questions import costs
from evaluation.text import frame
from evaluation.text.format import DASH, Format
from evaluation.text.i18n import Messages
from evaluation.text.wording import Wording

DOMAIN = "costs"


@dataclass(frozen=True)
class CostsText(frame.FrameWords):
    """Titles, sentences, table headers and figure words of the costs report in one language."""

    RECORDS = "costs"

    fmt: Format
    words: Wording

    @property
    def _(self) -> Messages:
        return Messages(self.fmt.language, DOMAIN)

    # ------------------------------------------------------------------ amounts and words for codes

    def money(self, cop, exchange_rate: float | None = None) -> str:
        """``COP 4.510.909.699 (USD 1.478.502)``; "sin límite" / "unbounded" for infinity; a dash if missing."""
        _ = self._
        try:
            value = float(cop)
        except (TypeError, ValueError):
            return DASH
        if value == float("inf"):
            return _("unbounded")
        if not np.isfinite(value):
            return DASH
        if exchange_rate:
            return _("{cop} (USD {usd})", cop=self.fmt.money(value), usd=self.fmt.count(value / exchange_rate))
        return self.fmt.money(value)

    def usd(self, amount) -> str:
        """A dollar amount: ``USD 1.478.502``."""
        try:
            value = float(amount)
        except (TypeError, ValueError):
            return DASH
        if value == float("inf"):
            return self._("unbounded")
        return self.fmt.money(value, "USD") if np.isfinite(value) else DASH

    def output(self, code: str) -> str:
        """The name of an output (``cio_posts_created`` -> "CIO posts created"), or of the entities reached."""
        _ = self._
        names = {
            "cio_posts_created": _("CIO posts created"),
            "leaders_trained": _("IT leaders trained"),
            "bulletins": _("bulletins sent"),
            "magazine_issues": _("CIO Magazine issues"),
            "workshops": _("territorial workshops"),
            "workshop_participants": _("workshop participants"),
            costs.ENTITIES_REACHED: _("{units} that {adopted}", units=self.words.units, adopted=self.words.adopted),
        }
        return names.get(code, str(code).replace("_", " "))

    def output_unit(self, code: str) -> str:
        """One unit of an output in words: "CIO post created"."""
        _ = self._
        names = {
            "cio_posts_created": _("CIO post created"),
            "leaders_trained": _("IT leader trained"),
            "bulletins": _("bulletin"),
            "magazine_issues": _("magazine issue"),
            "workshops": _("workshop"),
            "workshop_participants": _("workshop participant"),
            costs.ENTITIES_REACHED: _("{unit} reached", unit=self.words.unit),
        }
        return names.get(code, str(code).replace("_", " "))

    def names(self, codes) -> dict:
        """Output code -> name, for the figures."""
        return {code: self.output(code) for code in codes}

    def basis(self, row) -> str:
        """How the budget was attributed to one output (a row of ``OutputCosts.table``)."""
        _ = self._
        code = row["basis"]
        if code == "evaluator_share":
            text = _("a share of {share} of the budget, set by the evaluator", share=self.fmt.percent(row["share"]))
        elif code == "whole_budget":
            text = _("the whole budget: every activity served them")
        elif code == "direct_and_shared" and row.get("paid_by"):
            text = _("the budget lines of {output} (which paid for it), plus shared lines in proportion to "
                     "direct costs", output=self.output(row["paid_by"]))
        elif code == "direct_and_shared":
            text = _("the budget lines naming it, plus shared lines in proportion to direct costs")
        else:
            text = _("no budget line names this output")
        if not row.get("units_recorded", True):
            text = _("{basis}; no units recorded in monitoring", basis=text)
        return text

    def scope(self, row) -> str:
        """Whom a cost per point counts: the evaluated adopters (key number) or every adopter (extrapolation)."""
        _ = self._
        if row["scope"] == "evaluated":
            return _("the {n} adopting {units} whose effect was estimated (key number)",
                     n=self.fmt.count(row["entities"]), units=self.words.units)
        return _("all {n} adopting {units} (extrapolation: assumes the same effect for the cohorts that could not "
                 "be evaluated)", n=self.fmt.count(row["entities"]), units=self.words.units)

    def reading(self, code: str) -> str:
        _ = self._
        return {"bounded": _("bounded interval"),
                "unbounded": _("no upper limit: the effect's interval includes zero"),
                "no_gain": _("no gain: the whole interval of the effect is zero or below"),
                "not_estimable": _("not estimable: no effect estimate or no budget")}.get(code, code)

    # ------------------------------------------------------------------ page top

    def title(self) -> str:
        return self._("Costs: what did each output and each point of impact cost?")

    def introduction(self) -> str:
        _ = self._
        return _("This report divides the programme's budget among its outputs and sets it against what they "
                 "delivered: cost per CIO post created, per IT leader trained, per bulletin, magazine issue and "
                 "workshop, and per adopting {unit}. It then sets the budget against the impact estimate: what "
                 "each index point of average effect cost per adopting {unit}, with an interval. Budget lines that "
                 "serve no single output are shared, and a sensitivity table shows how the costs move with other "
                 "shares.", unit=self.words.unit)

    def missing(self) -> str:
        return self._("The costs table is missing from this dataset (no costs file), so no cost per output or per "
                      "index point can be computed.")

    # ------------------------------------------------------------------ the question and its answer

    def asked(self, indicator: str) -> str:
        return self._("What did each output cost, and what did each point of the {indicator} effect cost per "
                      "adopting {unit}?", indicator=indicator, unit=self.words.unit)

    def answer(self, result: costs.OutputCosts, per_point: pd.DataFrame, *, indicator: str, alpha: float) -> str:
        """The short answer: the cost per point on the evaluated adopters with its interval, and the cost per post."""
        _ = self._
        if not result.available:
            return self.missing()
        post = self._post_sentence(result)
        key = costs.key_per_point(per_point)
        if key is None:
            return _("{post} No cost per index point: no effect on {indicator} could be estimated.", post=post,
                     indicator=indicator)
        common = dict(post=post, indicator=indicator, n=self.fmt.count(key["entities"]), units=self.words.units,
                      level=self.fmt.confidence(alpha), year=self.fmt.year(result.price_year),
                      effect_unit=self.words.effect_unit,
                      effect=self.fmt.signed(key["effect"], 2),
                      effect_interval=self.fmt.interval(key["effect_low"], key["effect_high"], 2, signed=True))
        if key["reading"] == "bounded":
            return _("Counting the {n} adopting {units} whose effect was estimated, each {indicator} point of "
                     "average effect cost {cost} per adopting entity, in {year} pesos ({level} interval {low} to "
                     "{high}, from the effect of {effect} {effect_unit}, {effect_interval}). {post}",
                     cost=self.money(key["cost_per_point_cop"], result.exchange_rate),
                     low=self.money(key["conf_low_cop"]), high=self.money(key["conf_high_cop"]), **common)
        if key["reading"] == "unbounded":
            return _("The cost per {indicator} point has no upper limit: the effect on the {n} adopting {units} "
                     "whose effect was estimated is {effect} {effect_unit} ({level} interval {effect_interval}), "
                     "an interval that includes zero, so the data cannot rule out that the budget bought no gain. "
                     "At best, {low} per point per adopting entity, in {year} pesos. {post}",
                     low=self.money(key["conf_low_cop"]), **common)
        if key["reading"] == "no_gain":
            return _("No gain on {indicator} was estimated for the {n} adopting {units} whose effect was estimated "
                     "({effect} {effect_unit}, {level} interval {effect_interval}), so there is no cost per point. "
                     "{post}", **common)
        return _("{post} No cost per index point: no effect on {indicator} could be estimated.", post=post,
                 indicator=indicator)

    def _post_sentence(self, result: costs.OutputCosts) -> str:
        _ = self._
        table = result.table
        posts = table[(table["output"] == "cio_posts_created") & np.isfinite(table["cost_per_unit_cop"].astype(float))]
        if posts.empty:
            return _("CIO posts could not be costed.")
        row = posts.iloc[0]
        return _("Each CIO post created cost about {cost} of the budget attributed to it ({share} of the budget, "
                 "{units} posts).", cost=self.money(row["cost_per_unit_cop"], result.exchange_rate),
                 share=self.fmt.percent(row["share"]), units=self.fmt.count(row["units"]))

    # ------------------------------------------------------------------ 1. the budget

    def heading_budget(self) -> str:
        return self._("1. The budget")

    def budget(self, result: costs.OutputCosts) -> str:
        """The budget in a few sentences: total, its years against the outputs' years, and how much names no output."""
        _ = self._
        if not result.available:
            return self.missing()
        years = self.fmt.years(result.budget_years)
        text = _("The programme's budget was {nominal} in current pesos over {years}, {total} in {year} pesos at "
                 "{rate} pesos per dollar. {shared_share} of it ({shared}) names no single output (design, "
                 "coordination, network) and is shared among the outputs.",
                 nominal=self.fmt.money(result.budget_nominal_cop), years=years,
                 total=self.money(result.budget_cop, result.exchange_rate), year=self.fmt.year(result.price_year),
                 rate=self.fmt.count(result.exchange_rate),
                 shared_share=self.fmt.percent(result.shared_cop / result.budget_cop if result.budget_cop else np.nan),
                 shared=self.fmt.money(result.shared_cop))
        return _("{budget}\n\n{years}", budget=text, years=self.years(result))

    def years(self, result: costs.OutputCosts) -> str:
        """The budget's years against the years of the outputs it is set against."""
        _ = self._
        reached = result.table[result.table["output"] == costs.ENTITIES_REACHED]
        outputs = result.output_years
        if not outputs:
            return _("The budget covers {budget}; monitoring records no output delivered up to {year}.",
                     budget=self.fmt.years(result.budget_years), year=self.fmt.year(result.until_year))
        cohorts = (self.fmt.years(range(int(reached["first_year"].iloc[0]), int(reached["last_year"].iloc[0]) + 1))
                   if len(reached) and pd.notna(reached["first_year"].iloc[0]) else DASH)
        return _("Years: the budget covers {budget}, while the outputs it is divided by were delivered in "
                 "{outputs} and the {units} counted as reached {adopted} in {cohorts}. Later years' outputs and "
                 "adoptions are set against a budget spent before them: the costs below are of the budget recorded, "
                 "not of every year of activity.", budget=self.fmt.years(result.budget_years),
                 outputs=self.fmt.years(range(outputs[0], outputs[1] + 1)), units=self.words.units,
                 adopted=self.words.adopted, cohorts=cohorts)

    def budget_headers(self, price_year: int) -> dict:
        _ = self._
        return {"year": _("Year"), "budget_line": _("Budget line"), "output_name": _("Output it names"),
                "amount_cop": _("Current pesos (COP)"),
                "amount_cop_price_year": _("{year} pesos (COP)", year=self.fmt.year(price_year)),
                "share": _("Share of the budget")}

    def budget_frame(self, lines: pd.DataFrame) -> pd.DataFrame:
        """The budget lines with the name of the output each names (a blank for shared lines)."""
        out = lines.copy()
        out["output_name"] = [self.output(o) if o else self._("shared (no single output)") for o in out["output"]]
        return out

    def budget_formats(self) -> dict:
        return {"year": "year", "amount_cop": self.fmt.money, "amount_cop_price_year": self.fmt.money,
                "share": "percent"}

    def budget_caption(self, price_year: int) -> str:
        return self._("Budget lines, in current pesos and in {year} pesos", year=self.fmt.year(price_year))

    def budget_method(self) -> str:
        return self._("Share of the total in price-year pesos.")

    def assumptions(self, result: costs.OutputCosts) -> str:
        """The price and exchange-rate assumptions behind every amount, with the CPI table's source and vintage."""
        _ = self._
        index = result.price_index
        used = "; ".join(_("{year}: {rate}", year=self.fmt.year(y), rate=self.fmt.percent(r / 100, 2))
                         for y, r in result.deflators.items())
        deflator = used or _("none needed (the budget is already in that year's pesos)")
        text = _("Amounts are in {year} pesos: each budget line is moved from its own year's prices with Colombia's "
                 "consumer price inflation, December to December ({deflators}). Price table: {source}, {vintage}.",
                 year=self.fmt.year(result.price_year), deflators=deflator, source=index.source,
                 vintage=index.vintage)
        parts = [text]
        if result.price_year_capped and result.until_year is not None:
            parts.append(_("The evaluation year {evaluation} has no consumer price figure in that table yet, so "
                           "amounts are in pesos of {year}, its last year; add the figure to use {evaluation} pesos.",
                           evaluation=self.fmt.year(result.until_year), year=self.fmt.year(result.price_year)))
        rate = self.fmt.count(result.exchange_rate)
        if result.exchange_rate == costs.DEFAULT_EXCHANGE_RATE_COP_PER_USD:
            parts.append(_("Dollars at {rate} pesos per dollar, the default: about the 2016 annual average of the "
                           "representative market rate (TRM) published by Banco de la República, an assumption to "
                           "check against the official series.", rate=rate))
            if result.price_year != 2016:
                parts.append(_("The default rate is a 2016 average while amounts are in {year} pesos: set "
                               "exchange_rate_cop_per_usd to that year's average.",
                               year=self.fmt.year(result.price_year)))
        else:
            parts.append(_("Dollars at {rate} pesos per dollar, as set for this run.", rate=rate))
        return " ".join(parts)

    # ------------------------------------------------------------------ 2. cost per output

    def heading_outputs(self) -> str:
        return self._("2. Cost per output")

    def cost_items(self, result: costs.OutputCosts) -> list[str]:
        """One item per output: cost per unit under the attribution used, and with the whole budget."""
        _ = self._
        items = []
        for _index, row in result.table.iterrows():
            name = self.output(row["output"])
            if not np.isfinite(float(row["cost_per_unit_cop"])):
                items.append(_("{output}: no cost per unit ({basis}).", output=name, basis=self.basis(row)))
                continue
            common = dict(output=name, cost=self.money(row["cost_per_unit_cop"], result.exchange_rate),
                          units=self.fmt.count(row["units"]),
                          years=self.fmt.years(range(int(row["first_year"]), int(row["last_year"]) + 1)),
                          share=self.fmt.percent(row["share"]))
            if row["output"] == costs.ENTITIES_REACHED:
                items.append(_("{output}: {cost} each ({units}, adopting in {years}; the whole budget).", **common))
            else:
                items.append(_("{output}: {cost} each ({units} delivered in {years}, {share} of the budget; {whole} "
                               "if the whole budget is counted).",
                               whole=self.money(row["whole_budget_per_unit_cop"], result.exchange_rate), **common))
        return items

    def cost_lead(self, result: costs.OutputCosts) -> str:
        return self._("In {year} pesos, at {rate} pesos per dollar:", year=self.fmt.year(result.price_year),
                      rate=self.fmt.count(result.exchange_rate))

    def cost_title(self, result: costs.OutputCosts) -> str:
        """Title of the cost-per-output chart: the cost of a CIO post, or the dearest output."""
        _ = self._
        shown = result.table[np.isfinite(result.table["cost_per_unit_cop"].astype(float))]
        if shown.empty:
            return _("No output could be costed")
        posts = shown[shown["output"] == "cio_posts_created"]
        row = posts.iloc[0] if len(posts) else shown.sort_values("cost_per_unit_cop").iloc[-1]
        return _("Each {unit} cost about {cost} of the budget attributed to it, in {year} pesos",
                 unit=self.output_unit(row["output"]), cost=self.money(row["cost_per_unit_cop"], result.exchange_rate),
                 year=self.fmt.year(result.price_year))

    def cost_axis(self, result: costs.OutputCosts) -> str:
        return self._("Cost per unit (COP millions, {year} prices; USD at {rate} COP per USD)",
                      year=self.fmt.year(result.price_year), rate=self.fmt.count(result.exchange_rate))

    def cost_bar(self, cop: float, usd: float) -> str:
        """The label at the end of a bar: millions of pesos and the dollar amount."""
        return self._("{millions} (USD {usd})", millions=self.fmt.number(cop / 1e6, 1), usd=self.fmt.count(usd))

    def cost_alt(self, result: costs.OutputCosts) -> str:
        _ = self._
        shown = result.table[np.isfinite(result.table["cost_per_unit_cop"].astype(float))]
        parts = [_("{output} {cost}", output=self.output(r["output"]),
                   cost=self.money(r["cost_per_unit_cop"], result.exchange_rate)) for _i, r in shown.iterrows()]
        return _("Horizontal bars of cost per unit in {year} pesos: {values}.", year=self.fmt.year(result.price_year),
                 values="; ".join(parts))

    def no_figure(self, result: costs.OutputCosts) -> str:
        _ = self._
        return _("No figure: the costs table is missing.") if not result.available else \
            _("No figure: no output could be costed.")

    def output_headers(self) -> dict:
        _ = self._
        return {"output_name": _("Output"), "units": _("Units"), "years": _("Years delivered"),
                "attributed_cop": _("Budget attributed (COP)"), "share": _("Share of the budget"),
                "cost_per_unit_cop": _("Cost per unit (COP)"), "cost_per_unit_usd": _("Cost per unit (USD)"),
                "whole_budget_per_unit_cop": _("Per unit, whole budget (COP)"), "basis_text": _("Basis")}

    def output_frame(self, result: costs.OutputCosts) -> pd.DataFrame:
        out = result.table.copy()
        out["output_name"] = [self.output(o) for o in out["output"]]
        out["years"] = [self.fmt.years(range(int(a), int(b) + 1)) if pd.notna(a) and pd.notna(b) else DASH
                        for a, b in zip(out["first_year"], out["last_year"])]
        out["basis_text"] = [self.basis(r) for _i, r in out.iterrows()]
        return out

    def output_formats(self) -> dict:
        return {"units": "count", "attributed_cop": self.fmt.money, "share": "percent",
                "cost_per_unit_cop": self.fmt.money, "cost_per_unit_usd": self.usd,
                "whole_budget_per_unit_cop": self.fmt.money}

    def output_caption(self, result: costs.OutputCosts) -> str:
        return self._("Cost per unit of each output ({year} pesos and US dollars)",
                      year=self.fmt.year(result.price_year))

    def output_method(self) -> str:
        return self._("Attributed budget / units delivered up to the evaluation year.")

    # ------------------------------------------------------------------ 3. sensitivity

    def heading_sensitivity(self) -> str:
        return self._("3. How the attribution of the budget moves the costs")

    def sensitivity_intro(self) -> str:
        return self._("Cost per unit of each output if a given share of the whole budget is attributed to it, from "
                      "a tenth to all of it (the upper bound: as if the budget bought nothing else). The dots mark "
                      "the share the table above uses.")

    def sensitivity_title(self, table: pd.DataFrame) -> str:
        _ = self._
        if table.empty:
            return _("No output to attribute budget to")
        output = "cio_posts_created" if "cio_posts_created" in set(table["output"]) else table["output"].iloc[0]
        part = table[table["output"] == output]
        return _("Attributing {low_share} to {high_share} of the budget puts each {unit} at {low} to {high}",
                 low_share=self.fmt.percent(part["share"].min()), high_share=self.fmt.percent(part["share"].max()),
                 unit=self.output_unit(output), low=self.fmt.money(part["cost_per_unit_cop"].min()),
                 high=self.fmt.money(part["cost_per_unit_cop"].max()))

    def sensitivity_axes(self, price_year: int) -> tuple[str, str]:
        _ = self._
        return (_("Share of the whole budget attributed to the output (%; dots: the share used in the table)"),
                _("Cost per unit (COP millions, {year} prices, log scale)", year=self.fmt.year(price_year)))

    def sensitivity_alt(self, table: pd.DataFrame) -> str:
        _ = self._
        parts = []
        for output, part in table.groupby("output", sort=False):
            parts.append(_("{output}: {low} at {low_share} to {high} at {high_share}", output=self.output(output),
                           low=self.fmt.money(part["cost_per_unit_cop"].min()),
                           low_share=self.fmt.percent(part["share"].min()),
                           high=self.fmt.money(part["cost_per_unit_cop"].max()),
                           high_share=self.fmt.percent(part["share"].max())))
        return _("Lines of cost per unit against the share of budget attributed: {values}.", values="; ".join(parts))

    def sensitivity_headers(self, wide: pd.DataFrame) -> dict:
        headers = {"share": self._("Share of the budget")}
        headers.update({c: self.output(c) for c in wide.columns if c != "share"})
        return headers

    def sensitivity_formats(self, wide: pd.DataFrame) -> dict:
        formats: dict[str, Callable[[float], str] | str] = {c: (lambda v: self.fmt.number(v / 1e6, 1))
                                                            for c in wide.columns if c != "share"}
        formats["share"] = "percent"
        return formats

    def sensitivity_caption(self, price_year: int) -> str:
        return self._("Cost per unit (COP millions, {year} prices) by share of the budget attributed",
                      year=self.fmt.year(price_year))

    # ------------------------------------------------------------------ 4. cost per index point

    def heading_per_point(self) -> str:
        return self._("4. Cost per index point of effect, per adopting entity")

    def per_point_intro(self) -> str:
        return self._("The budget divided by the index points the adopting {units} gained: the average effect since "
                      "adoption (from the impact estimate, as in the impact report) times the number of adopting "
                      "{units}. It is a cost per point of average effect per adopting {unit}, not per {unit} and "
                      "year: years do not enter the formula. The key number counts the adopters whose effect was "
                      "estimated; counting every adopter assumes the same effect for the cohorts that could not be "
                      "evaluated and is shown only as an extrapolation. The interval comes from the effect's "
                      "interval; when that interval includes zero, the cost per point has no upper limit.",
                      units=self.words.units, unit=self.words.unit)

    def per_point_items(self, table: pd.DataFrame, *, indicator: str, exchange_rate: float, alpha: float) -> list[str]:
        """One item per count of who gained: the key number first, then the extrapolation."""
        _ = self._
        items = []
        order = table.sort_values("scope", key=lambda c: c.map({"evaluated": 0, "all_adopters": 1}))
        for _i, row in order.iterrows():
            who = self.scope(row)
            common = dict(who=who, indicator=indicator, level=self.fmt.confidence(alpha),
                          effect=self.fmt.signed(row["effect"], 2), effect_unit=self.words.effect_unit,
                          effect_interval=self.fmt.interval(row["effect_low"], row["effect_high"], 2, signed=True))
            if row["reading"] == "bounded":
                items.append(_("Counting {who}: {cost} per {indicator} point of average effect per adopting entity "
                               "({level} interval {low} to {high}, from the effect's interval {effect_interval} "
                               "{effect_unit}).", cost=self.money(row["cost_per_point_cop"], exchange_rate),
                               low=self.money(row["conf_low_cop"]), high=self.money(row["conf_high_cop"]), **common))
            elif row["reading"] == "unbounded":
                items.append(_("Counting {who}: {cost} per {indicator} point at the estimated effect ({effect} "
                               "{effect_unit}), but the cost per point has no upper limit: the effect's {level} "
                               "interval ({effect_interval}) includes zero, so the data cannot rule out that the "
                               "budget bought no gain at all. At best, {low} per point.",
                               cost=self.money(row["cost_per_point_cop"]), low=self.money(row["conf_low_cop"]),
                               **common))
            else:
                items.append(_("Counting {who}: no cost per point ({reading}).", who=who,
                               reading=self.reading(row["reading"])))
        return items

    def per_point_headers(self, indicator: str) -> dict:
        _ = self._
        return {"who": _("Who gained"), "entities": _("Adopting {units}", units=self.words.units),
                "effect_text": _("Effect ({effect_unit}) and interval", effect_unit=self.words.effect_unit),
                "cost_text": _("COP per {indicator} point per adopting entity, and interval", indicator=indicator),
                "usd_text": _("USD per point, and interval"), "reading_text": _("Reading")}

    def per_point_frame(self, table: pd.DataFrame) -> pd.DataFrame:
        _ = self._
        out = table.sort_values("scope", key=lambda c: c.map({"evaluated": 0, "all_adopters": 1})).copy()
        out["who"] = [self.scope(r) for _i, r in out.iterrows()]

        def with_interval(value, low, high, write) -> str:
            return _("{value} ({low} to {high})", value=write(value), low=write(low), high=write(high))

        out["effect_text"] = [with_interval(e, lo, hi, lambda v: self.fmt.signed(v, 2))
                              for e, lo, hi in zip(out["effect"], out["effect_low"], out["effect_high"])]
        out["cost_text"] = [with_interval(c, lo, hi, self.money)
                            for c, lo, hi in zip(out["cost_per_point_cop"], out["conf_low_cop"], out["conf_high_cop"])]
        out["usd_text"] = [with_interval(c, lo, hi, self.usd)
                           for c, lo, hi in zip(out["cost_per_point_usd"], out["conf_low_usd"], out["conf_high_usd"])]
        out["reading_text"] = [self.reading(r) for r in out["reading"]]
        return out

    def per_point_caption(self, indicator: str, price_year: int, alpha: float) -> str:
        return self._("Cost per {indicator} point of average effect, per adopting entity ({year} pesos; {level} "
                      "intervals)", indicator=indicator, year=self.fmt.year(price_year),
                      level=self.fmt.confidence(alpha))

    def per_point_method(self) -> str:
        return self._("Budget / (effect x adopting entities); effect by Callaway & Sant'Anna (2021).")
