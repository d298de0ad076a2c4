"""Costs: what each output and each point of impact cost, in pesos and in dollars.

Answers the efficiency question from the optional ``costs`` table (budget
lines by year in current COP, each optionally naming the output it mainly
served), the ``monitoring`` table (how many of each output) and an impact
estimate (how many index points the programme added).

Conventions, each an assumption stated in the report:

* **Prices.** Budget amounts are in pesos of their own year. They are moved to
  the pesos of ``price_year`` with Colombia's consumer price inflation
  (:data:`COP_CPI_INFLATION`), then to US dollars at ``exchange_rate`` pesos per
  dollar, which should be the price year's average rate.
* **Attribution.** A line naming an output is that output's direct cost. Lines
  naming none (design, coordination, the network) are shared: by default they
  are spread over the outputs in proportion to direct costs. An evaluator may
  instead set the share of the whole budget attributed to an output; the
  sensitivity table shows cost per unit over a range of shares, up to the whole
  budget (the upper bound: as if the budget bought nothing else).
* **Entities reached** are the entities that created the GCIO post by the
  evaluation year; all of the budget served them.
* **Cost per index point** is ``budget / (effect x adopting entities)``: the
  budget over the yearly index points the adopters gained on average. Its
  interval comes from the effect's interval; when that interval includes zero,
  the cost per point has no upper bound and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import Markdown

from evaluation.questions.monitoring import OUTPUTS, delivery, output_label, output_unit
from evaluation.panel import ENTITY_GROUPS

#: Default pesos per US dollar: about the 2016 annual average of the representative market rate (TRM)
#: published by Banco de la República (the programme's budget year). An assumption: check the
#: official series, and use the average of the price year you choose.
DEFAULT_EXCHANGE_RATE_COP_PER_USD = 3051.0
#: Default price year: the last year of the programme's two-year budget.
DEFAULT_PRICE_YEAR = 2016
#: Colombia's consumer price inflation, % change December to December (DANE, IPC), used to move
#: amounts between years' prices. Copied here so runs need no network; extend it for later years.
COP_CPI_INFLATION = {
    2013: 1.94, 2014: 3.66, 2015: 6.77, 2016: 5.75, 2017: 4.09, 2018: 3.18, 2019: 3.80,
    2020: 1.61, 2021: 5.62, 2022: 13.12, 2023: 9.28, 2024: 5.20,
}
#: Outputs paid by another output's budget line (participants come with the workshops).
SHARED_LINES = {"workshop_participants": "workshops"}
ENTITIES_REACHED = "entities_reached"
#: Shares of the budget the sensitivity table tries.
SENSITIVITY_SHARES = tuple(np.round(np.arange(0.1, 1.0001, 0.1), 2))


def available(dataset) -> bool:
    """True when the dataset has a costs table with at least one row."""
    return dataset.costs is not None and len(dataset.costs) > 0


# ------------------------------------------------------------------ prices


def price_factor(from_year: int, price_year: int, inflation: dict[int, float] | None = None) -> float:
    """Multiply pesos of ``from_year`` by this to express them in pesos of ``price_year``.

    Compounds the yearly inflation of the years after ``from_year`` up to
    ``price_year`` (dividing when ``price_year`` is earlier).

    Raises
    ------
    ValueError
        When a year in between has no inflation figure, naming it.
    """
    inflation = COP_CPI_INFLATION if inflation is None else inflation
    low, high = sorted((int(from_year), int(price_year)))
    missing = [y for y in range(low + 1, high + 1) if y not in inflation]
    if missing:
        raise ValueError(f"No consumer price inflation for {', '.join(map(str, missing))}: amounts of {from_year} "
                         f"cannot be expressed in {price_year} pesos. Choose a price year from "
                         f"{min(inflation) - 1} to {max(inflation)}, or pass inflation figures for those years.")
    factor = float(np.prod([1 + inflation[y] / 100 for y in range(low + 1, high + 1)]))
    return factor if price_year >= from_year else 1 / factor


BUDGET_COLUMNS = ["year", "budget_line", "output", "amount_cop", "amount_cop_price_year", "share"]


def budget(dataset, *, price_year: int = DEFAULT_PRICE_YEAR, inflation: dict | None = None) -> pd.DataFrame:
    """The budget lines, in current pesos and in pesos of ``price_year``, with their share of the total."""
    if not available(dataset):
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    lines = dataset.costs
    output = lines["output"] if "output" in lines else pd.Series(pd.NA, index=lines.index)
    out = pd.DataFrame({"year": lines["year"].astype("int64"), "budget_line": lines["budget_line"].astype(str),
                        "output": output.fillna("").astype(str), "amount_cop": lines["amount_cop"].astype(float)})
    out["amount_cop_price_year"] = [a * price_factor(y, price_year, inflation)
                                    for a, y in zip(out["amount_cop"], out["year"])]
    total = out["amount_cop_price_year"].sum()
    out["share"] = out["amount_cop_price_year"] / total if total > 0 else np.nan
    return out[BUDGET_COLUMNS]


def _percent(values: pd.Series) -> list:
    return [f"{100 * v:.0f}%" if pd.notna(v) else None for v in values]


def budget_display(lines: pd.DataFrame, *, price_year: int) -> pd.DataFrame:
    """The budget lines for reading: millions of pesos, current and of ``price_year``, and shares as percentages."""
    return pd.DataFrame({"year": lines["year"], "budget line": lines["budget_line"], "output": lines["output"],
                         "COP millions, current": lines["amount_cop"] / 1e6,
                         f"COP millions, {price_year} prices": lines["amount_cop_price_year"] / 1e6,
                         "share": _percent(lines["share"])})


def total_budget(dataset, *, price_year: int = DEFAULT_PRICE_YEAR, inflation: dict | None = None) -> float:
    """The whole budget in pesos of ``price_year`` (NaN without a costs table)."""
    lines = budget(dataset, price_year=price_year, inflation=inflation)
    return float(lines["amount_cop_price_year"].sum()) if len(lines) else float("nan")


def parse_shares(text: str | dict | None) -> dict[str, float]:
    """``"cio_posts_created:0.4, leaders_trained:0.3"`` -> ``{"cio_posts_created": 0.4, ...}``.

    Raises ValueError, naming the valid outputs, for an unknown output or a
    share outside 0-1.
    """
    if not text:
        return {}
    pairs = text.items() if isinstance(text, dict) else (
        part.split(":", 1) if ":" in part else (part, "") for part in str(text).split(",") if part.strip())
    shares = {}
    for name, value in pairs:
        name = str(name).strip()
        valid = [*OUTPUTS, ENTITIES_REACHED]
        if name not in valid:
            raise ValueError(f"budget share for unknown output {name!r}; valid outputs: {', '.join(valid)}.")
        try:
            share = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"budget share of {name} must be a number from 0 to 1, like '{name}:0.4'; "
                             f"got {value!r}.") from None
        if not 0 <= share <= 1:
            raise ValueError(f"budget share of {name} must be between 0 and 1, not {share}.")
        shares[name] = share
    return shares


# ------------------------------------------------------------------ cost per output


OUTPUT_COLUMNS = ["output", "label", "units", "unit", "years", "attributed_cop", "share", "cost_per_unit_cop",
                  "cost_per_unit_usd", "whole_budget_per_unit_cop", "whole_budget_per_unit_usd", "basis"]


@dataclass(frozen=True, eq=False)
class OutputCosts:
    """Cost per unit of each output, with the settings it was made with.

    ``table`` has one row per output (and one for entities reached): units
    delivered, the budget attributed to it (COP of ``price_year``) and its
    share of the budget, the cost per unit in COP and USD, the cost per unit if
    the whole budget is attributed to it, and the basis of the attribution.
    """

    table: pd.DataFrame = field(repr=False)
    budget_cop: float
    price_year: int
    exchange_rate: float
    until_year: int | None
    shares: dict = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return bool(len(self.table))

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def display(self) -> pd.DataFrame:
        """The table for reading: millions of pesos, whole dollars, shares as percentages."""
        t = self.table
        return pd.DataFrame({
            "output": t["label"], "units": t["units"].round().astype("Int64"), "years": t["years"],
            "attributed (COP millions)": t["attributed_cop"] / 1e6, "share of budget": _percent(t["share"]),
            "per unit (COP millions)": t["cost_per_unit_cop"] / 1e6,
            "per unit (USD)": t["cost_per_unit_usd"].round().astype("Int64"),
            "per unit, whole budget (COP millions)": t["whole_budget_per_unit_cop"] / 1e6,
            "basis": t["basis"]})

    def sensitivity(self, shares=SENSITIVITY_SHARES) -> pd.DataFrame:
        """Cost per unit of each output if ``share`` of the budget paid for it, for each share tried.

        Returns ``output, label, share, cost_per_unit_cop, cost_per_unit_usd,
        current`` (True on the share closest to the one the table uses).
        """
        columns = ["output", "label", "share", "cost_per_unit_cop", "cost_per_unit_usd", "current"]
        rows = []
        for row in self.table.itertuples():
            if not row.units > 0 or row.output == ENTITIES_REACHED:
                continue
            closest = min(shares, key=lambda s: abs(s - row.share)) if np.isfinite(row.share) else None
            for share in shares:
                cost = share * self.budget_cop / row.units
                rows.append({"output": row.output, "label": row.label, "share": float(share),
                             "cost_per_unit_cop": cost, "cost_per_unit_usd": cost / self.exchange_rate,
                             "current": share == closest})
        return pd.DataFrame(rows, columns=columns)


def units_delivered(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Units of each output delivered up to ``until_year``, and the entities reached.

    Returns ``output, label, units, unit, years``.
    """
    rows = []
    table = delivery(dataset, until_year)
    for output, part in table.groupby("output", sort=False):
        rows.append({"output": output, "label": output_label(output), "units": float(part["delivered"].sum()),
                     "unit": OUTPUTS.get(output, ("", "units"))[1], "years": _span(part["year"])})
    adoption = dataset.adoption
    if until_year is not None:
        adoption = adoption[adoption["cohort"] <= until_year]
    rows.append({"output": ENTITIES_REACHED, "label": "entities reached (created the post)",
                 "units": float(len(adoption)), "unit": "entities",
                 "years": _span(adoption["cohort"])})
    return pd.DataFrame(rows, columns=["output", "label", "units", "unit", "years"])


def _span(years: pd.Series) -> str:
    if not len(years):
        return ""
    first, last = int(years.min()), int(years.max())
    return str(first) if first == last else f"{first}–{last}"


def attribution(dataset, *, shares: str | dict | None = None, price_year: int = DEFAULT_PRICE_YEAR,
                inflation: dict | None = None) -> pd.DataFrame:
    """Budget attributed to each output: direct lines, a part of the shared lines, or a share set by the evaluator.

    Returns ``output, direct_cop, shared_cop, attributed_cop, share, basis``
    (COP of ``price_year``). Outputs with a share in ``shares`` get that share
    of the whole budget; the others keep their direct cost plus shared lines in
    proportion to direct costs.
    """
    columns = ["output", "direct_cop", "shared_cop", "attributed_cop", "share", "basis"]
    lines = budget(dataset, price_year=price_year, inflation=inflation)
    if lines.empty:
        return pd.DataFrame(columns=columns)
    chosen = parse_shares(shares)
    total = lines["amount_cop_price_year"].sum()
    direct = lines[lines["output"] != ""].groupby("output")["amount_cop_price_year"].sum()
    shared = lines.loc[lines["output"] == "", "amount_cop_price_year"].sum()
    outputs = list(dict.fromkeys([*direct.index, *SHARED_LINES, *chosen, ENTITIES_REACHED]))
    rows = []
    for output in outputs:
        source = SHARED_LINES.get(output, output)
        own = float(direct.get(source, 0.0))
        spread = shared * own / direct.sum() if direct.sum() > 0 else 0.0
        if output in chosen:
            amount, basis = chosen[output] * total, f"share of {chosen[output]:.0%} set by the evaluator"
        elif output == ENTITIES_REACHED:
            amount, basis, own, spread = total, "the whole budget: every activity served them", np.nan, np.nan
        elif own > 0:
            amount = own + spread
            basis = ("budget lines naming it, plus shared lines in proportion to direct costs"
                     + (f" (paid by the {output_label(source)} line)" if source != output else ""))
        else:
            amount, basis = np.nan, "no budget line names this output"
        rows.append({"output": output, "direct_cop": own, "shared_cop": spread, "attributed_cop": amount,
                     "share": amount / total if total > 0 else np.nan, "basis": basis})
    return pd.DataFrame(rows, columns=columns)


def cost_per_output(dataset, *, until_year: int | None = None, shares: str | dict | None = None,
                    price_year: int = DEFAULT_PRICE_YEAR, exchange_rate: float = DEFAULT_EXCHANGE_RATE_COP_PER_USD,
                    inflation: dict | None = None) -> OutputCosts:
    """Cost per CIO post created, per leader trained, per bulletin, ... and per entity reached.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    until_year : int, optional
        Count outputs delivered up to this year (the evaluation year).
    shares : str or dict, optional
        Share of the whole budget attributed to an output, e.g.
        ``"cio_posts_created:0.4"``; see :func:`attribution`.
    price_year : int
        Express amounts in pesos of this year.
    exchange_rate : float
        Pesos per US dollar (the price year's average rate).

    Returns
    -------
    OutputCosts
        Empty table when the costs table is missing. Outputs without a
        monitoring record have no units and no cost per unit.
    """
    if exchange_rate <= 0:
        raise ValueError(f"exchange_rate must be pesos per dollar, a positive number, not {exchange_rate}.")
    if not available(dataset):
        return OutputCosts(pd.DataFrame(columns=OUTPUT_COLUMNS), float("nan"), price_year, exchange_rate,
                           until_year, parse_shares(shares))
    total = total_budget(dataset, price_year=price_year, inflation=inflation)
    attributed = attribution(dataset, shares=shares, price_year=price_year, inflation=inflation)
    units = units_delivered(dataset, until_year)
    table = units.merge(attributed[["output", "attributed_cop", "share", "basis"]], on="output", how="outer")
    table["label"] = table["output"].map(lambda o: units.set_index("output")["label"].get(o, output_label(o)))
    per_unit = table["units"].where(table["units"] > 0)
    table["cost_per_unit_cop"] = table["attributed_cop"] / per_unit
    table["cost_per_unit_usd"] = table["cost_per_unit_cop"] / exchange_rate
    table["whole_budget_per_unit_cop"] = total / per_unit
    table["whole_budget_per_unit_usd"] = table["whole_budget_per_unit_cop"] / exchange_rate
    table["basis"] = table["basis"].fillna("no budget line names this output")
    no_units = table["units"].isna()
    table.loc[no_units, "basis"] = table.loc[no_units, "basis"] + "; no units recorded in monitoring"
    order = [*OUTPUTS, ENTITIES_REACHED]
    table = table.sort_values("output", key=lambda c: c.map(lambda o: order.index(o) if o in order else 99))
    return OutputCosts(table[OUTPUT_COLUMNS].reset_index(drop=True), total, price_year, exchange_rate, until_year,
                       parse_shares(shares))


# ------------------------------------------------------------------ cost per index point


@dataclass(frozen=True)
class CostPerPoint:
    """Budget per index point gained: ``budget / (effect x entities)``, with its interval.

    ``cost_high_cop`` is infinite when the effect's interval reaches zero: a
    gain that may be nil has no finite cost per point.
    """

    basis: str
    entities: int
    effect: float
    effect_low: float
    effect_high: float
    budget_cop: float
    cost_cop: float
    cost_low_cop: float
    cost_high_cop: float
    exchange_rate: float
    reading: str

    @property
    def bounded(self) -> bool:
        return bool(np.isfinite(self.cost_high_cop) and np.isfinite(self.cost_low_cop))

    def row(self) -> dict:
        usd = self.exchange_rate
        return {"basis": self.basis, "entities": self.entities, "effect": self.effect,
                "effect_low": self.effect_low, "effect_high": self.effect_high, "budget_cop": self.budget_cop,
                "cost_per_point_cop": self.cost_cop, "conf_low_cop": self.cost_low_cop,
                "conf_high_cop": self.cost_high_cop, "cost_per_point_usd": self.cost_cop / usd,
                "conf_low_usd": self.cost_low_cop / usd, "conf_high_usd": self.cost_high_cop / usd,
                "reading": self.reading}


def cost_per_point(budget_cop: float, overall, entities: int, *, basis: str = "",
                   exchange_rate: float = DEFAULT_EXCHANGE_RATE_COP_PER_USD) -> CostPerPoint:
    """Cost per index point gained, from an overall effect (``did`` ``OverallEstimate``) and its interval.

    The gain is ``effect x entities`` index points (a year, on average over
    the years since adoption). The cost's interval maps the effect's interval
    through ``budget / (x * entities)``, which is decreasing in ``x``: the
    effect's upper limit gives the lowest cost. When the lower limit is zero or
    below, the highest cost is unbounded (infinite); when the whole interval is
    zero or below, no gain was estimated and there is no cost per point.
    """
    est, low, high = overall.estimate, overall.conf_low, overall.conf_high
    nan = float("nan")
    if not (overall.identified and np.isfinite(est) and entities > 0 and np.isfinite(budget_cop)):
        return CostPerPoint(basis, entities, est, low, high, budget_cop, nan, nan, nan, exchange_rate,
                            "not estimable: no effect estimate or no budget")

    def per_point(effect: float) -> float:
        return budget_cop / (effect * entities) if effect > 0 else float("inf")

    if high <= 0:
        return CostPerPoint(basis, entities, est, low, high, budget_cop, nan, nan, nan, exchange_rate,
                            "no gain: the whole interval of the effect is zero or below")
    cost = per_point(est) if est > 0 else nan
    reading = ("bounded" if low > 0 else
               "unbounded: the effect's interval includes zero, so the cost per point has no upper limit")
    return CostPerPoint(basis, entities, est, low, high, budget_cop, cost, per_point(high), per_point(low),
                        exchange_rate, reading)


def adopters_in_scope(dataset, entities: str, until_year: int | None = None) -> int:
    """Entities of the ``entities`` group (as in ``ENTITY_GROUPS``) that created the post by ``until_year``."""
    levels = ENTITY_GROUPS[entities]
    level = dataset.adoption["entity_id"].map(dataset.entities.set_index("entity_id")["level"])
    keep = level.isin(levels) if levels is not None else pd.Series(True, index=level.index)
    if until_year is not None:
        keep &= dataset.adoption["cohort"] <= until_year
    return int(keep.sum())


PER_POINT_COLUMNS = ["basis", "entities", "effect", "effect_low", "effect_high", "budget_cop",
                     "cost_per_point_cop", "conf_low_cop", "conf_high_cop", "cost_per_point_usd", "conf_low_usd",
                     "conf_high_usd", "reading"]


def per_point_table(dataset, overall, *, entities: str, until_year: int | None = None,
                    price_year: int = DEFAULT_PRICE_YEAR, exchange_rate: float = DEFAULT_EXCHANGE_RATE_COP_PER_USD,
                    inflation: dict | None = None) -> pd.DataFrame:
    """Cost per index point under two counts of who gained.

    First row: the effect applies to every adopter of the group (the budget
    served them all, but cohorts without a year before adoption were not
    measured). Second row: only the adopters whose effect was estimated
    (``overall.n_treated``): a higher, conservative cost.
    """
    if not available(dataset):
        return pd.DataFrame(columns=PER_POINT_COLUMNS)
    total = total_budget(dataset, price_year=price_year, inflation=inflation)
    everyone = adopters_in_scope(dataset, entities, until_year)
    rows = [cost_per_point(total, overall, everyone, exchange_rate=exchange_rate,
                           basis=f"all {everyone} {entities} adopters (effect assumed the same for all)").row(),
            cost_per_point(total, overall, int(overall.n_treated), exchange_rate=exchange_rate,
                           basis=f"the {int(overall.n_treated)} adopters whose effect was estimated").row()]
    return pd.DataFrame(rows, columns=PER_POINT_COLUMNS)


def per_point_display(table: pd.DataFrame) -> pd.DataFrame:
    """The cost-per-point table for reading: each number with its interval, in millions of pesos and dollars."""
    def interval(value, low, high, scale=1.0, fmt="{:,.2f}"):
        def one(x):
            return "unbounded" if x == float("inf") else "–" if not np.isfinite(x) else fmt.format(x / scale)
        return f"{one(value)} ({one(low)} to {one(high)})"

    return pd.DataFrame({
        "who gained": table["basis"], "entities": table["entities"],
        "effect (index points)": [interval(e, lo, hi, fmt="{:+.2f}") for e, lo, hi in
                                  zip(table["effect"], table["effect_low"], table["effect_high"])],
        "COP millions per point": [interval(c, lo, hi, 1e6) for c, lo, hi in
                                   zip(table["cost_per_point_cop"], table["conf_low_cop"], table["conf_high_cop"])],
        "USD per point": [interval(c, lo, hi, fmt="{:,.0f}") for c, lo, hi in
                          zip(table["cost_per_point_usd"], table["conf_low_usd"], table["conf_high_usd"])],
        "reading": table["reading"]})


# ------------------------------------------------------------------ sentences


def money(cop: float, exchange_rate: float | None = None) -> str:
    """``COP 4,510.9 million (USD 1.48 million)``; 'unbounded' for infinity."""
    if not np.isfinite(cop):
        return "unbounded" if cop == float("inf") else "–"

    def scaled(x: float, unit: str) -> str:
        if abs(x) >= 1e9:
            return f"{unit} {x / 1e9:,.2f} billion"
        if abs(x) >= 1e6:
            return f"{unit} {x / 1e6:,.1f} million"
        return f"{unit} {x:,.0f}"

    text = scaled(cop, "COP")
    if exchange_rate:
        text += f" (USD {scaled(cop / exchange_rate, '').strip()})"
    return text


def missing_text() -> Markdown:
    """What the report says when there is no costs table."""
    return Markdown("**The costs table is missing from this dataset** (no `costs` file), so no cost per output "
                    "or per index point can be computed.")


def assumptions_text(*, price_year: int, exchange_rate: float, budget_years=(),
                     inflation: dict | None = None) -> Markdown:
    """The price and exchange-rate assumptions behind every amount in the report."""
    inflation = COP_CPI_INFLATION if inflation is None else inflation
    years = sorted({int(y) for y in budget_years})
    used = sorted({y for start in years for y in range(min(start, price_year) + 1, max(start, price_year) + 1)})
    deflator = ("; ".join(f"{y}: {inflation[y]:.2f}%" for y in used if y in inflation)
                or "none needed (the budget is already in that year's pesos)")
    rate = (f"{exchange_rate:,.0f} pesos per dollar"
            + (", the default: about the 2016 annual average of the representative market rate (TRM) published "
               "by Banco de la República, an assumption to check against the official series"
               if exchange_rate == DEFAULT_EXCHANGE_RATE_COP_PER_USD else ", as set for this run"))
    note = ("" if price_year == DEFAULT_PRICE_YEAR or exchange_rate != DEFAULT_EXCHANGE_RATE_COP_PER_USD else
            f" The default rate is a 2016 average while amounts are in {price_year} pesos: set "
            "exchange_rate_cop_per_usd to that year's average.")
    return Markdown(f"**Assumptions.** Amounts are in {price_year} pesos: each budget line is moved from its own "
                    f"year's prices with Colombia's consumer price inflation, December to December (DANE, IPC; "
                    f"{deflator}). Dollars at {rate}.{note}")


def budget_text(lines: pd.DataFrame, *, price_year: int, exchange_rate: float) -> Markdown:
    """The budget in one sentence: total, years, and how much names no output."""
    if lines.empty:
        return missing_text()
    total = lines["amount_cop_price_year"].sum()
    nominal = lines["amount_cop"].sum()
    shared = lines.loc[lines["output"] == "", "amount_cop_price_year"].sum()
    years = sorted(lines["year"].unique())
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return Markdown(
        f"The programme's budget was **{money(nominal)} in current pesos over {span}**, "
        f"{money(total, exchange_rate)} in {price_year} pesos at {exchange_rate:,.0f} pesos per dollar. "
        f"{shared / total:.0%} of it ({money(shared)}) names no single output (design, coordination, network) and "
        "is shared among the outputs.")


def cost_text(result: OutputCosts) -> Markdown:
    """One bullet per output: cost per unit under the attribution used, and with the whole budget."""
    if not result.available:
        return missing_text()
    lines = [f"In {result.price_year} pesos, at {result.exchange_rate:,.0f} pesos per dollar:"]
    for row in result.table.itertuples():
        if not np.isfinite(row.cost_per_unit_cop):
            lines.append(f"- {row.label}: no cost per unit ({row.basis}).")
            continue
        whole = ("" if row.output == ENTITIES_REACHED else
                 f"; {money(row.whole_budget_per_unit_cop, result.exchange_rate)} if the whole budget is counted")
        lines.append(f"- **{row.label}**: {money(row.cost_per_unit_cop, result.exchange_rate)} each "
                     f"({row.units:,.0f} {row.unit} in {row.years}, {row.share:.0%} of the budget{whole}).")
    return Markdown("\n".join(lines))


def cost_title(result: OutputCosts) -> str:
    """Title of the cost-per-output chart: the cost of a CIO post, or the dearest output."""
    shown = result.table[np.isfinite(result.table["cost_per_unit_cop"].astype(float))]
    if shown.empty:
        return "No output could be costed"
    posts = shown[shown["output"] == "cio_posts_created"]
    row = posts.iloc[0] if len(posts) else shown.sort_values("cost_per_unit_cop").iloc[-1]
    unit = output_unit(row["output"]) if row["output"] != ENTITIES_REACHED else "entity reached"
    return (f"Each {unit} cost about {money(row['cost_per_unit_cop'], result.exchange_rate)} "
            f"of the budget attributed to it, in {result.price_year} pesos")


def per_point_text(table: pd.DataFrame, *, indicator: str, exchange_rate: float, alpha: float = 0.05) -> Markdown:
    """The cost of an index point, with its interval or the statement that it is unbounded."""
    if table.empty:
        return missing_text()
    lines = []
    level = f"{100 * (1 - alpha):.0f}%"
    for row in table.itertuples():
        if row.reading == "bounded":
            lines.append(f"- Counting {row.basis}: **{money(row.cost_per_point_cop, exchange_rate)} per {indicator} "
                         "point** "
                         f"gained per entity and year ({level} interval {money(row.conf_low_cop)} to "
                         f"{money(row.conf_high_cop)}, from the effect's interval {row.effect_low:+.2f} to "
                         f"{row.effect_high:+.2f} points).")
        elif row.reading.startswith("unbounded"):
            lines.append(f"- Counting {row.basis}: {money(row.cost_per_point_cop)} per {indicator} point at the "
                         f"estimated effect ({row.effect:+.2f}), but **the cost per point is unbounded**: the "
                         f"effect's {level} interval ({row.effect_low:+.2f} to {row.effect_high:+.2f}) includes "
                         f"zero, so the data cannot rule out that the budget bought no gain at all. At best, "
                         f"{money(row.conf_low_cop)} per point.")
        else:
            lines.append(f"- Counting {row.basis}: no cost per point ({row.reading}).")
    return Markdown("\n".join(lines))


def sensitivity_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity table for reading: one row per share, one column per output, COP millions per unit."""
    if table.empty:
        return pd.DataFrame(columns=["share of budget"])
    wide = table.pivot_table(index="share", columns="label", values="cost_per_unit_cop", sort=False) / 1e6
    wide.index = [f"{s:.0%}" for s in wide.index]
    wide.columns.name = None
    return wide.rename_axis("share of budget").reset_index()


def sensitivity_title(table: pd.DataFrame) -> str:
    """Title of the sensitivity chart: how far attribution moves the cost of a CIO post (or the first output)."""
    if table.empty:
        return "No output to attribute budget to"
    output = "cio_posts_created" if "cio_posts_created" in set(table["output"]) else table["output"].iloc[0]
    part = table[table["output"] == output]
    low, high = part["cost_per_unit_cop"].min(), part["cost_per_unit_cop"].max()
    return (f"Attributing {part['share'].min():.0%} to {part['share'].max():.0%} of the budget puts each "
            f"{output_unit(output)} at {money(low)} to {money(high)}")
