"""Costs: what each output and each point of impact cost, in pesos and in dollars (numbers only).

Answers the efficiency question from the optional ``costs`` table (budget
lines by year in current COP, each optionally naming the output it mainly
served), the ``monitoring`` table (how many of each output) and an impact
estimate (how many index points the programme added). The sentences of the
costs report are in :mod:`evaluation.text.costs`.

Conventions, each an assumption the report states:

* **Prices.** Budget amounts are in pesos of their own year. They are moved to
  the pesos of the price year with Colombia's consumer price index
  (:data:`CPI`: DANE's December-to-December variation, source and vintage
  stated in the report), then to US dollars at ``exchange_rate`` pesos per
  dollar, which should be the price year's average rate. ``price_year = 0``
  (the default) means the evaluation year, or the last year of the CPI table
  when the evaluation year has no figure yet (:func:`resolve_price_year`).
* **Attribution.** A line naming an output is that output's direct cost. Lines
  naming none (design, coordination, the network) are shared: by default they
  are spread over the outputs in proportion to direct costs. An evaluator may
  instead set the share of the whole budget attributed to an output; the
  sensitivity table shows cost per unit over a range of shares, up to the whole
  budget (the upper bound: as if the budget bought nothing else).
* **Years.** The budget covers the years of its lines (2015-2016 in the demo);
  outputs are counted over the years monitoring records them up to the
  evaluation year. Both spans are returned (``OutputCosts.budget_years``,
  ``first_year``/``last_year`` per output) so the report states them.
* **Entities reached** are the entities that created the GCIO post by the
  evaluation year; all of the budget served them.
* **Cost per index point** is ``budget / (effect x adopting entities)``: the
  budget per index point of average effect, per adopting entity. Years do not
  enter the formula (the effect is the average over the years since adoption),
  so it is not a cost per entity-year. The key number counts the adopters whose
  effect was estimated (``scope = "evaluated"``); counting every adopter is an
  extrapolation (``scope = "all_adopters"``: it assumes the same effect for the
  cohorts that could not be evaluated). Its interval comes from the effect's
  interval; when that interval includes zero, the cost per point has no upper
  bound.

Every row label here is a code (``output``, ``basis``, ``scope``,
``reading``); the words for them are in :mod:`evaluation.text.costs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluation.panel import ENTITY_GROUPS
from evaluation.questions.monitoring import OUTPUTS, delivery

#: Default pesos per US dollar: about the 2016 annual average of the representative market rate (TRM)
#: published by Banco de la República (the programme's budget year). An assumption: check the
#: official series, and use the average of the price year you choose.
DEFAULT_EXCHANGE_RATE_COP_PER_USD = 3051.0
#: Default price year: 0 means the evaluation year (capped at the last year of the CPI table).
DEFAULT_PRICE_YEAR = 0
#: Colombia's consumer price inflation, % change December to December (DANE, IPC), used to move
#: amounts between years' prices. Copied here so runs need no network; extend it for later years
#: (and update :data:`CPI`'s vintage).
COP_CPI_INFLATION = {
    2013: 1.94, 2014: 3.66, 2015: 6.77, 2016: 5.75, 2017: 4.09, 2018: 3.18, 2019: 3.80,
    2020: 1.61, 2021: 5.62, 2022: 13.12, 2023: 9.28, 2024: 5.20,
}


@dataclass(frozen=True)
class PriceIndex:
    """A consumer price table with its source and vintage, as the report states them.

    ``inflation`` maps a year to its % change December to December;
    ``vintage`` says which publication the figures were copied from.
    """

    inflation: dict
    source: str
    vintage: str
    url: str = ""

    @property
    def first_year(self) -> int:
        return min(self.inflation) - 1

    @property
    def last_year(self) -> int:
        return max(self.inflation)


#: The table the reports use. Source names are proper names (not translated).
CPI = PriceIndex(
    inflation=COP_CPI_INFLATION,
    source="DANE, Índice de Precios al Consumidor (IPC), variación anual a diciembre",
    vintage="2024-12 bulletin (published 2025-01-09)",
    url="https://www.dane.gov.co/index.php/estadisticas-por-tema/precios-y-costos/indice-de-precios-al-consumidor-ipc",
)
#: Outputs paid by another output's budget line (participants come with the workshops).
SHARED_LINES = {"workshop_participants": "workshops"}
ENTITIES_REACHED = "entities_reached"
#: Shares of the budget the sensitivity table tries.
SENSITIVITY_SHARES = tuple(np.round(np.arange(0.1, 1.0001, 0.1), 2))
#: Codes of ``attribution``'s ``basis`` column.
BASES = ("evaluator_share", "whole_budget", "direct_and_shared", "no_budget_line")
#: Codes of the cost-per-point ``scope`` (who gained) and ``reading`` columns.
SCOPES = ("evaluated", "all_adopters")
READINGS = ("bounded", "unbounded", "no_gain", "not_estimable")


def available(dataset) -> bool:
    """True when the dataset has a costs table with at least one row."""
    return dataset.costs is not None and len(dataset.costs) > 0


# ------------------------------------------------------------------ prices


def resolve_price_year(price_year: int, evaluation_year: int | None, inflation: dict | None = None) -> int:
    """The price year a ``price_year`` parameter means.

    A year given is used as given (:func:`price_factor` refuses one the table
    cannot reach). ``0`` means the evaluation year; when the CPI table has no
    figure for it yet (the evaluation year's December index is published the
    following January), the table's last year, which the report then states
    (:func:`price_year_capped`).
    """
    if price_year:
        return int(price_year)
    inflation = COP_CPI_INFLATION if inflation is None else inflation
    if evaluation_year is None:
        return max(inflation)
    return int(min(int(evaluation_year), max(inflation)))


def price_year_capped(price_year: int, evaluation_year: int | None, inflation: dict | None = None) -> bool:
    """True when ``price_year = 0`` could not be the evaluation year because the CPI table stops earlier."""
    return not price_year and evaluation_year is not None and \
        resolve_price_year(0, evaluation_year, inflation) < int(evaluation_year)


def _evaluation_year(dataset, until_year: int | None) -> int | None:
    if until_year is not None:
        return int(until_year)
    years = getattr(dataset, "years", None)
    return int(max(years)) if years else None


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
                         f"{min(inflation) - 1} to {max(inflation)} (parameter price_year; 0 takes the evaluation "
                         "year), or add the missing years to evaluation.questions.costs.COP_CPI_INFLATION.")
    factor = float(np.prod([1 + inflation[y] / 100 for y in range(low + 1, high + 1)]))
    return factor if price_year >= from_year else 1 / factor


def deflators(budget_years, price_year: int, inflation: dict | None = None) -> dict[int, float]:
    """The yearly inflation figures (%) used to move amounts of ``budget_years`` to ``price_year`` pesos."""
    inflation = COP_CPI_INFLATION if inflation is None else inflation
    years = sorted({int(y) for y in budget_years})
    used = sorted({y for start in years for y in range(min(start, price_year) + 1, max(start, price_year) + 1)})
    return {y: float(inflation[y]) for y in used if y in inflation}


BUDGET_COLUMNS = ["year", "budget_line", "output", "amount_cop", "amount_cop_price_year", "share"]


def budget(dataset, *, price_year: int = DEFAULT_PRICE_YEAR, inflation: dict | None = None,
           until_year: int | None = None) -> pd.DataFrame:
    """The budget lines, in current pesos and in pesos of the price year, with their share of the total.

    ``price_year = 0`` takes the evaluation year (``until_year``, else the
    data's last year; see :func:`resolve_price_year`).
    """
    if not available(dataset):
        return pd.DataFrame(columns=BUDGET_COLUMNS)
    price_year = resolve_price_year(price_year, _evaluation_year(dataset, until_year), inflation)
    lines = dataset.costs
    output = lines["output"] if "output" in lines else pd.Series(pd.NA, index=lines.index)
    out = pd.DataFrame({"year": lines["year"].astype("int64"), "budget_line": lines["budget_line"].astype(str),
                        "output": output.fillna("").astype(str), "amount_cop": lines["amount_cop"].astype(float)})
    out["amount_cop_price_year"] = [a * price_factor(y, price_year, inflation)
                                    for a, y in zip(out["amount_cop"], out["year"])]
    total = out["amount_cop_price_year"].sum()
    out["share"] = out["amount_cop_price_year"] / total if total > 0 else np.nan
    return out[BUDGET_COLUMNS]


def total_budget(dataset, *, price_year: int = DEFAULT_PRICE_YEAR, inflation: dict | None = None,
                 until_year: int | None = None) -> float:
    """The whole budget in pesos of the price year (NaN without a costs table)."""
    lines = budget(dataset, price_year=price_year, inflation=inflation, until_year=until_year)
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


OUTPUT_COLUMNS = ["output", "units", "first_year", "last_year", "attributed_cop", "share", "cost_per_unit_cop",
                  "cost_per_unit_usd", "whole_budget_per_unit_cop", "whole_budget_per_unit_usd", "basis",
                  "paid_by", "units_recorded"]
SENSITIVITY_COLUMNS = ["output", "share", "cost_per_unit_cop", "cost_per_unit_usd", "current"]


@dataclass(frozen=True, eq=False)
class OutputCosts:
    """Cost per unit of each output, with the settings it was made with.

    ``table`` has one row per output (and one for entities reached): units
    delivered and the years they were delivered in (``first_year``,
    ``last_year``), the budget attributed to it (COP of ``price_year``) and its
    share of the budget, the cost per unit in COP and USD, the cost per unit if
    the whole budget is attributed to it, and the basis of the attribution (a
    code of :data:`BASES`; ``paid_by`` names the output whose line paid for it,
    ``units_recorded`` is False when monitoring has no record of it).
    ``budget_years`` are the years of the budget lines, ``deflators`` the CPI
    figures used, ``price_year_capped`` True when ``price_year = 0`` could not
    be the evaluation year (the CPI table stops earlier).
    """

    table: pd.DataFrame = field(repr=False)
    budget_cop: float
    price_year: int
    exchange_rate: float
    until_year: int | None
    shares: dict = field(default_factory=dict)
    budget_years: tuple = ()
    budget_nominal_cop: float = float("nan")
    shared_cop: float = float("nan")
    deflators: dict = field(default_factory=dict)
    price_year_capped: bool = False
    price_index: PriceIndex = CPI

    @property
    def available(self) -> bool:
        return bool(len(self.table))

    @property
    def output_years(self) -> tuple:
        """First and last year of any output delivered (entities reached excluded)."""
        rows = self.table[(self.table["output"] != ENTITIES_REACHED) & self.table["first_year"].notna()]
        if rows.empty:
            return ()
        return int(rows["first_year"].min()), int(rows["last_year"].max())

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def sensitivity(self, shares=SENSITIVITY_SHARES) -> pd.DataFrame:
        """Cost per unit of each output if ``share`` of the budget paid for it, for each share tried.

        Returns ``output, share, cost_per_unit_cop, cost_per_unit_usd,
        current`` (True on the share closest to the one the table uses).
        """
        rows = []
        for row in self.table.itertuples():
            if not row.units > 0 or row.output == ENTITIES_REACHED:
                continue
            closest = min(shares, key=lambda s: abs(s - row.share)) if np.isfinite(row.share) else None
            for share in shares:
                cost = share * self.budget_cop / row.units
                rows.append({"output": row.output, "share": float(share),
                             "cost_per_unit_cop": cost, "cost_per_unit_usd": cost / self.exchange_rate,
                             "current": share == closest})
        return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def sensitivity_wide(table: pd.DataFrame) -> pd.DataFrame:
    """The sensitivity table with one row per share and one column per output code (COP per unit)."""
    if table.empty:
        return pd.DataFrame(columns=["share"])
    wide = table.pivot_table(index="share", columns="output", values="cost_per_unit_cop", sort=False)
    wide.columns.name = None
    return wide.rename_axis("share").reset_index()


def units_delivered(dataset, until_year: int | None = None) -> pd.DataFrame:
    """Units of each output delivered up to ``until_year``, and the entities reached.

    Returns ``output, units, first_year, last_year`` (the years with a
    delivery recorded; for entities reached, the first and last cohort).
    """
    rows = []
    table = delivery(dataset, until_year)
    for output, part in table.groupby("output", sort=False):
        rows.append({"output": output, "units": float(part["delivered"].sum()),
                     "first_year": int(part["year"].min()), "last_year": int(part["year"].max())})
    adoption = dataset.adoption
    if until_year is not None:
        adoption = adoption[adoption["cohort"] <= until_year]
    rows.append({"output": ENTITIES_REACHED, "units": float(len(adoption)),
                 "first_year": int(adoption["cohort"].min()) if len(adoption) else np.nan,
                 "last_year": int(adoption["cohort"].max()) if len(adoption) else np.nan})
    return pd.DataFrame(rows, columns=["output", "units", "first_year", "last_year"])


def attribution(dataset, *, shares: str | dict | None = None, price_year: int = DEFAULT_PRICE_YEAR,
                inflation: dict | None = None, until_year: int | None = None) -> pd.DataFrame:
    """Budget attributed to each output: direct lines, a part of the shared lines, or a share set by the evaluator.

    Returns ``output, direct_cop, shared_cop, attributed_cop, share, basis,
    paid_by`` (COP of the price year; ``basis`` a code of :data:`BASES`).
    Outputs with a share in ``shares`` get that share of the whole budget
    (``evaluator_share``); the others keep their direct cost plus shared lines
    in proportion to direct costs (``direct_and_shared``; ``paid_by`` names the
    output whose line pays for one that has none, e.g. workshop participants).
    """
    columns = ["output", "direct_cop", "shared_cop", "attributed_cop", "share", "basis", "paid_by"]
    lines = budget(dataset, price_year=price_year, inflation=inflation, until_year=until_year)
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
        paid_by = source if source != output else ""
        if output in chosen:
            amount, basis = chosen[output] * total, "evaluator_share"
        elif output == ENTITIES_REACHED:
            amount, basis, own, spread = total, "whole_budget", np.nan, np.nan
        elif own > 0:
            amount, basis = own + spread, "direct_and_shared"
        else:
            amount, basis = np.nan, "no_budget_line"
        rows.append({"output": output, "direct_cop": own, "shared_cop": spread, "attributed_cop": amount,
                     "share": amount / total if total > 0 else np.nan, "basis": basis, "paid_by": paid_by})
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
        Express amounts in pesos of this year; 0 takes the evaluation year
        (:func:`resolve_price_year`).
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
    evaluation_year = _evaluation_year(dataset, until_year)
    resolved = resolve_price_year(price_year, evaluation_year, inflation)
    capped = price_year_capped(price_year, evaluation_year, inflation)
    if not available(dataset):
        return OutputCosts(pd.DataFrame(columns=OUTPUT_COLUMNS), float("nan"), resolved, exchange_rate,
                           until_year, parse_shares(shares), price_year_capped=capped)
    lines = budget(dataset, price_year=resolved, inflation=inflation)
    total = float(lines["amount_cop_price_year"].sum())
    attributed = attribution(dataset, shares=shares, price_year=resolved, inflation=inflation)
    units = units_delivered(dataset, until_year)
    table = units.merge(attributed[["output", "attributed_cop", "share", "basis", "paid_by"]], on="output",
                        how="outer")
    per_unit = table["units"].where(table["units"] > 0)
    table["cost_per_unit_cop"] = table["attributed_cop"] / per_unit
    table["cost_per_unit_usd"] = table["cost_per_unit_cop"] / exchange_rate
    table["whole_budget_per_unit_cop"] = total / per_unit
    table["whole_budget_per_unit_usd"] = table["whole_budget_per_unit_cop"] / exchange_rate
    table["basis"] = table["basis"].fillna("no_budget_line")
    table["paid_by"] = table["paid_by"].fillna("")
    table["units_recorded"] = table["units"].notna()
    order = [*OUTPUTS, ENTITIES_REACHED]
    table = table.sort_values("output", key=lambda c: c.map(lambda o: order.index(o) if o in order else 99))
    years = tuple(sorted({int(y) for y in lines["year"]}))
    index = CPI if inflation is None else PriceIndex(dict(inflation), "as given", "as given")
    return OutputCosts(table[OUTPUT_COLUMNS].reset_index(drop=True), total, resolved, exchange_rate, until_year,
                       parse_shares(shares), budget_years=years,
                       budget_nominal_cop=float(lines["amount_cop"].sum()),
                       shared_cop=float(lines.loc[lines["output"] == "", "amount_cop_price_year"].sum()),
                       deflators=deflators(years, resolved, inflation), price_year_capped=capped,
                       price_index=index)


# ------------------------------------------------------------------ cost per index point


@dataclass(frozen=True)
class CostPerPoint:
    """Budget per index point of average effect per adopting entity: ``budget / (effect x entities)``.

    ``scope`` says whom ``entities`` counts (:data:`SCOPES`): the adopters
    whose effect was estimated, or every adopter (an extrapolation).
    ``cost_high_cop`` is infinite when the effect's interval reaches zero: a
    gain that may be nil has no finite cost per point. ``reading`` is a code
    of :data:`READINGS`.
    """

    scope: str
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
    def basis(self) -> str:  # the name this field had before it became a code
        return self.scope

    @property
    def bounded(self) -> bool:
        return bool(np.isfinite(self.cost_high_cop) and np.isfinite(self.cost_low_cop))

    def row(self) -> dict:
        usd = self.exchange_rate
        return {"scope": self.scope, "entities": self.entities, "effect": self.effect,
                "effect_low": self.effect_low, "effect_high": self.effect_high, "budget_cop": self.budget_cop,
                "cost_per_point_cop": self.cost_cop, "conf_low_cop": self.cost_low_cop,
                "conf_high_cop": self.cost_high_cop, "cost_per_point_usd": self.cost_cop / usd,
                "conf_low_usd": self.cost_low_cop / usd, "conf_high_usd": self.cost_high_cop / usd,
                "reading": self.reading}


def cost_per_point(budget_cop: float, overall, entities: int, *, basis: str = "", scope: str = "",
                   exchange_rate: float = DEFAULT_EXCHANGE_RATE_COP_PER_USD) -> CostPerPoint:
    """Cost per index point of average effect per adopting entity, from an overall effect and its interval.

    The gain is ``effect x entities`` index points (the average effect over
    the years since adoption, summed over the adopting entities; years do not
    enter). The cost's interval maps the effect's interval through
    ``budget / (x * entities)``, which is decreasing in ``x``: the effect's
    upper limit gives the lowest cost. When the lower limit is zero or below,
    the highest cost is unbounded (infinite); when the whole interval is zero
    or below, no gain was estimated and there is no cost per point.
    ``scope`` (``basis`` is its former name) is a code of :data:`SCOPES`.
    """
    scope = scope or basis
    est, low, high = overall.estimate, overall.conf_low, overall.conf_high
    nan = float("nan")
    if not (overall.identified and np.isfinite(est) and entities > 0 and np.isfinite(budget_cop)):
        return CostPerPoint(scope, entities, est, low, high, budget_cop, nan, nan, nan, exchange_rate,
                            "not_estimable")

    def per_point(effect: float) -> float:
        return budget_cop / (effect * entities) if effect > 0 else float("inf")

    if high <= 0:
        return CostPerPoint(scope, entities, est, low, high, budget_cop, nan, nan, nan, exchange_rate, "no_gain")
    cost = per_point(est) if est > 0 else nan
    reading = "bounded" if low > 0 else "unbounded"
    return CostPerPoint(scope, entities, est, low, high, budget_cop, cost, per_point(high), per_point(low),
                        exchange_rate, reading)


def adopters_in_scope(dataset, entities: str, until_year: int | None = None) -> int:
    """Entities of the ``entities`` group (as in ``ENTITY_GROUPS``) that created the post by ``until_year``."""
    levels = ENTITY_GROUPS[entities]
    level = dataset.adoption["entity_id"].map(dataset.entities.set_index("entity_id")["level"])
    keep = level.isin(levels) if levels is not None else pd.Series(True, index=level.index)
    if until_year is not None:
        keep &= dataset.adoption["cohort"] <= until_year
    return int(keep.sum())


PER_POINT_COLUMNS = ["scope", "entities", "effect", "effect_low", "effect_high", "budget_cop",
                     "cost_per_point_cop", "conf_low_cop", "conf_high_cop", "cost_per_point_usd", "conf_low_usd",
                     "conf_high_usd", "reading"]


def per_point_table(dataset, overall, *, entities: str, until_year: int | None = None,
                    price_year: int = DEFAULT_PRICE_YEAR, exchange_rate: float = DEFAULT_EXCHANGE_RATE_COP_PER_USD,
                    inflation: dict | None = None) -> pd.DataFrame:
    """Cost per index point under two counts of who gained.

    First row (``scope = "all_adopters"``): the effect extrapolated to every
    adopter of the group by ``until_year`` (the budget served them all, but
    cohorts without a year before adoption were not measured). Second row
    (``scope = "evaluated"``, the key number): only the adopters whose effect
    was estimated (``overall.n_treated``): a higher cost per point. Select
    rows by ``scope``, not by position.
    """
    if not available(dataset):
        return pd.DataFrame(columns=PER_POINT_COLUMNS)
    total = total_budget(dataset, price_year=price_year, inflation=inflation, until_year=until_year)
    everyone = adopters_in_scope(dataset, entities, until_year)
    rows = [cost_per_point(total, overall, everyone, exchange_rate=exchange_rate, scope="all_adopters").row(),
            cost_per_point(total, overall, int(overall.n_treated), exchange_rate=exchange_rate,
                           scope="evaluated").row()]
    return pd.DataFrame(rows, columns=PER_POINT_COLUMNS)


def key_per_point(table: pd.DataFrame) -> pd.Series | None:
    """The key cost-per-point row: the evaluated adopters (None for an empty table)."""
    rows = table[table["scope"] == "evaluated"] if len(table) else table
    return rows.iloc[0] if len(rows) else None
