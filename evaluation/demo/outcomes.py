"""Outcome scores with known potential outcomes: FURAG indices (2018-) and a GEL-like index (-2017).

Untreated potential outcome, in points on the 0-100 scale, of entity ``i`` on
indicator ``k`` in year ``t``::

    Y0 = m[k, group, t] + offset[level] + b[i, k] + trend[k] * slope_i * (t - 2020) + noise

* ``m`` is a common year effect per indicator and group (national /
  territorial), solved so that the mean of the *reported* scores (treated and
  untreated, at effect scale 1) equals the published averages of
  ``TARGETS``.
* ``b`` is a time-invariant entity level, bounded with ``tanh``, driven by
  observed capacity *and by the unobserved maturity that also drives
  adoption*: adopters have higher levels, which differences remove.
* ``slope_i`` (points a year, ``SLOPE``) is linear in covariates that also
  drive adoption, centred within the group: territorial
  ``1.0 (urban_share_2014 - mean) - 0.017 (multidim_poverty_2005 - mean)``,
  national ``0.004 (it_staff - mean)``; the trend runs over ``TREND_SPAN``.
  Parallel trends therefore hold only conditional on those covariates:
  unconditionally, early adopters would have improved faster anyway. Because
  the slope is linear in stored covariates, an outcome regression on them is
  correctly specified, so doubly robust DiD is consistent.
* ``noise`` is normal, truncated at three standard deviations.

Treated potential outcome: ``Y1 = Y0 + effect_scale * theta_i * weight[k] * f(e) * (100 - Y0)``,
with ``e`` the years since adoption, ``f(e) = 1 - exp(-e / 1.5)`` (0 in the
adoption year, 0.49 a year later, a plateau after about four years), ``theta_i``
larger for territorial entities and for bigger IT teams. A share of the room
left below 100 can never push a score above 100, so nothing is clipped.
Stored scores are rounded to 2 decimals; the true effect of a cell is
``round(Y1, 2) - round(Y0, 2)``, exactly what an oracle would difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .streams import stream

FURAG_FIRST_YEAR = 2018
GEL_LAST_YEAR = 2017
TREND_CENTRE = 2020
#: The covariate-driven trend runs from 2014 to 2025 and is flat outside, which keeps scores bounded
#: for any panel years.
TREND_SPAN = (2014, 2025)

#: Mean reported score per indicator, group and year. Published (furag_format.md): POL07 2018-2021 (the
#: MinTIC Índice de Gobierno Digital) and IDI 2022. Everything else is an assumption of the demo,
#: chosen to continue the published paths smoothly.
TARGETS: dict[str, dict[str, dict[int, float]]] = {
    "POL07": {"national": {2018: 77.0, 2019: 81.3, 2020: 81.4, 2021: 85.5, 2022: 86.2, 2023: 86.8, 2024: 87.2,
                           2025: 87.5},
              "territorial": {2018: 57.4, 2019: 62.1, 2020: 62.9, 2021: 65.3, 2022: 66.4, 2023: 67.3, 2024: 68.0,
                              2025: 68.6}},
    "POL08": {"national": {2018: 71.0, 2019: 74.6, 2020: 75.5, 2021: 79.2, 2022: 80.1, 2023: 80.9, 2024: 81.5,
                           2025: 82.0},
              "territorial": {2018: 49.6, 2019: 53.8, 2020: 55.1, 2021: 57.6, 2022: 58.8, 2023: 59.8, 2024: 60.6,
                              2025: 61.3}},
    "IDI": {"national": {2018: 75.8, 2019: 77.4, 2020: 78.6, 2021: 80.1, 2022: 81.4, 2023: 82.2, 2024: 82.8,
                         2025: 83.3},
            "territorial": {2018: 51.6, 2019: 53.5, 2020: 55.2, 2021: 56.7, 2022: 57.9, 2023: 58.8, 2024: 59.5,
                            2025: 60.1}},
    "GEL": {"national": {2014: 61.0, 2015: 65.5, 2016: 69.5, 2017: 73.0},
            "territorial": {2014: 41.0, 2015: 45.0, 2016: 48.8, 2017: 52.0}},
}
PUBLISHED = {("POL07", 2018), ("POL07", 2019), ("POL07", 2020), ("POL07", 2021), ("IDI", 2022)}

#: Effect plateau as a share of the room below 100, by level; and the indicator's share of it.
THETA = {"municipal": 0.22, "departmental": 0.20, "national": 0.18}
INDICATOR_WEIGHT = {"POL07": 1.0, "GEL": 1.0, "POL08": 0.6, "IDI": 0.3}
#: How much of the covariate-driven trend each indicator carries.
TREND_WEIGHT = {"POL07": 1.0, "GEL": 1.0, "POL08": 0.9, "IDI": 0.6}
EFFECT_TIME_CONSTANT = 1.5
#: IT-team size moves theta by up to +-30 %.
THETA_STAFF = 0.3
#: Entity-level spread (tanh bound), noise sd, and the departments' level offset.
LEVEL_SPREAD = {"national": 6.5, "territorial": 17.0}
NOISE_SD = {"national": 1.3, "territorial": 1.8}
DEPARTMENT_OFFSET = 4.0
SLOPE = {"territorial": {"urban_share_2014": 1.0, "multidim_poverty_2005": -0.017},
         "national": {"it_staff": 0.004}}
#: Probability of reporting a year's FURAG (all its indices) or GEL score, by level.
REPORTING = {"national": 0.98, "departmental": 0.99, "municipal": 0.97}
GEL_REPORTING = {"national": 0.95, "departmental": 0.95, "municipal": 0.90}


def max_theta() -> float:
    """The largest share of the room below 100 an effect of scale 1 can take."""
    return max(THETA.values()) * (1 + THETA_STAFF) * max(INDICATOR_WEIGHT.values())


def target(indicator: str, group: str, year: int) -> float:
    """Calibration target; outside the table's years, the nearest tabulated year's (a stationary world)."""
    path = TARGETS[indicator][group]
    return path[min(max(year, min(path)), max(path))]


def trend_time(year: int) -> int:
    """Years from the trend's centre, held constant outside ``TREND_SPAN``."""
    return min(max(year, TREND_SPAN[0]), TREND_SPAN[1]) - TREND_CENTRE


def indicator_years(first_year: int, last_year: int) -> list[tuple[str, int]]:
    """(indicator, year) pairs of the panel: GEL up to 2017, the FURAG indices from 2018."""
    pairs = [("GEL", y) for y in range(first_year, min(GEL_LAST_YEAR, last_year) + 1)]
    for indicator in ("POL07", "POL08", "IDI"):
        pairs += [(indicator, y) for y in range(max(FURAG_FIRST_YEAR, first_year), last_year + 1)]
    return pairs


def _z_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = np.zeros_like(values, dtype=float)
    for g in np.unique(groups):
        m = groups == g
        sd = values[m].std()
        out[m] = (values[m] - values[m].mean()) / sd if sd > 0 else 0.0
    return out


def _centred_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = values.astype(float).copy()
    for g in np.unique(groups):
        m = groups == g
        out[m] -= values[m].mean()
    return out


def entity_parameters(entities: pd.DataFrame) -> pd.DataFrame:
    """Per-entity pieces of the outcome model: group, covariate-driven slope, effect size, capacity."""
    level = entities["level"].to_numpy()
    group = np.where(level == "national", "national", "territorial")
    slope = np.zeros(len(entities))
    for g, coefficients in SLOPE.items():
        for column, coefficient in coefficients.items():
            centred = _centred_within(entities[column].to_numpy(dtype=float), group)
            slope += np.where(group == g, coefficient * centred, 0.0)
    log_staff = _z_within(np.log(entities["it_staff"].to_numpy(dtype=float)), group)
    capacity = np.where(
        group == "national",
        0.7 * log_staff + 0.5 * _z_within(np.log(entities["budget_cop_billions"].to_numpy(dtype=float)), group)
        + 0.5 * entities["head_of_sector"].to_numpy(),
        0.4 * (_z_within(np.log(entities["population_2018"].to_numpy(dtype=float)), group)
               + _z_within(entities["urban_share_2014"].to_numpy(dtype=float), group)
               - _z_within(entities["multidim_poverty_2005"].to_numpy(dtype=float), group) + log_staff))
    theta = np.array([THETA[lv] for lv in level]) * (1 + THETA_STAFF * np.tanh(log_staff))
    return pd.DataFrame({"entity_id": entities["entity_id"].to_numpy(), "level": level, "group": group,
                         "slope": slope, "capacity": _z_within(capacity, group), "theta": theta,
                         "maturity": entities["maturity"].to_numpy()})


def make_outcomes(entities: pd.DataFrame, adoption: pd.DataFrame, seed: int, *, effect_scale: float,
                  first_year: int, last_year: int, pretrend_slope: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the outcome panel and its truth table.

    ``pretrend_slope`` (points a year) adds ``pretrend_slope * (t - 2020)`` to the untreated
    outcome of every entity that adopts within the panel, before and after its adoption and
    beyond what the covariates explain: parallel trends then fail even conditional on them.
    0 (the default) adds nothing and draws nothing, so the data are unchanged.

    Returns
    -------
    outcomes : DataFrame
        ``entity_id, year, indicator, value`` for every reported cell; special-regime
        entities have a row with a blank value for POL08 (the index does not apply).
    truth : DataFrame
        ``entity_id, year, indicator, cohort, event_time, effect, reported`` for
        every treated cell where the indicator applies, reported or not.
    """
    rng = stream(seed, "outcomes")
    params = entity_parameters(entities[~entities["not_municipalised"].astype(bool)])
    n = len(params)
    pairs = indicator_years(first_year, last_year)
    cohort = params["entity_id"].map(adoption.set_index("entity_id")["adoption_date"].dt.year)
    cohort = cohort.to_numpy(dtype=float)  # NaN = never adopts

    # Entity levels: one shared and one indicator-specific unobserved part.
    shared = 0.6 * params["capacity"].to_numpy() + 0.45 * params["maturity"].to_numpy()
    group = params["group"].to_numpy()
    spread = np.array([LEVEL_SPREAD[g] for g in group])
    sd = np.array([NOISE_SD[g] for g in group])
    level_offset = np.where(params["level"].to_numpy() == "departmental", DEPARTMENT_OFFSET, 0.0)
    indicator_level = {k: spread * np.tanh(shared + 0.35 * rng.standard_normal(n)) + level_offset
                       for k in TARGETS}
    furag_report = {y: rng.random(n) < np.array([REPORTING[lv] for lv in params["level"]])
                    for y in range(first_year, last_year + 1)}
    gel_report = {y: rng.random(n) < np.array([GEL_REPORTING[lv] for lv in params["level"]])
                  for y in range(first_year, last_year + 1)}
    special = params["entity_id"].map(entities.set_index("entity_id")["special_regime"]).to_numpy() == 1

    frames, truths = [], []
    for indicator, year in pairs:
        noise = np.clip(rng.standard_normal(n), -3, 3) * sd
        rest = indicator_level[indicator] + TREND_WEIGHT[indicator] * params["slope"].to_numpy() * trend_time(
            year) + noise
        if pretrend_slope:
            rest = rest + np.where(np.isfinite(cohort), pretrend_slope * (year - TREND_CENTRE), 0.0)
        event_time = year - cohort
        treated = event_time >= 0  # NaN compares False
        share = np.where(treated, params["theta"].to_numpy() * INDICATOR_WEIGHT[indicator]
                         * (1 - np.exp(-np.nan_to_num(event_time) / EFFECT_TIME_CONSTANT)), 0.0)
        reported = (gel_report if indicator == "GEL" else furag_report)[year]
        applies = ~special if indicator == "POL08" else np.ones(n, dtype=bool)
        common = np.zeros(n)
        for g in ("national", "territorial"):
            cells = (group == g) & reported & applies
            # Solve mean(R + m + D (100 - R - m)) = target for m, with D the effect share at scale 1.
            r, d = rest[cells], share[cells]
            common[group == g] = (target(indicator, g, year) - np.mean(r + d * (100 - r))) / (1 - np.mean(d))
        y0 = np.round(common + rest, 2)
        y1 = np.round(y0 + effect_scale * share * (100 - y0), 2)
        observed = np.where(treated, y1, y0)
        # Levels (tanh), trends (flat outside TREND_SPAN) and noise (truncated) are bounded, which keeps Y0
        # well inside [1, 99]; Y1 < 100 follows from effect_scale x theta < 1. Nothing is clipped: should a
        # change of parameters break the bounds, this stops with an error instead.
        if y0.min() < 1 or y0.max() > 99 or y1.max() >= 100:
            raise RuntimeError(f"{indicator} {year}: an untreated score left [1, 99] or a treated one reached 100; "
                               "the outcome model's bounds need care")
        keep = reported
        frames.append(pd.DataFrame({"entity_id": params["entity_id"].to_numpy()[keep], "year": year,
                                    "indicator": indicator,
                                    "value": np.where(applies, observed, np.nan)[keep]}))
        cells = treated & applies
        truths.append(pd.DataFrame({"entity_id": params["entity_id"].to_numpy()[cells], "year": year,
                                    "indicator": indicator, "cohort": cohort[cells].astype(int),
                                    "event_time": event_time[cells].astype(int),
                                    "effect": np.round(y1[cells] - y0[cells], 2),
                                    "reported": reported[cells].astype(int)}))
    outcomes = pd.concat(frames, ignore_index=True)
    truth = pd.concat(truths, ignore_index=True)
    order = ["entity_id", "year", "indicator"]
    return (outcomes.sort_values(order).reset_index(drop=True), truth.sort_values(order).reset_index(drop=True))
