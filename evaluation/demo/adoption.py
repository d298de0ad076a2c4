"""When each entity created the GCIO post: a proportional-hazards draw on the entities' covariates.

Each entity ``i`` has a relative adoption rate ``rate_i = exp(x_i' beta + 0.35 * maturity_i)``
and a calendar-time baseline ``H(t)``, steep while the programme ran
(March 2016 - 2018) and flatter afterwards. Entity ``i`` adopts when
``scale * rate_i * H(t)`` reaches an exponential draw ``E_i``, that is at
``H^-1(E_i / (scale * rate_i))``; those beyond the window never adopt.

Selection is on observables plus a time-invariant unobserved maturity:
larger, more urban, less poor entities with bigger IT teams adopt earlier, and
heads of sector adopt first. The territorial ``scale`` is not a free constant:
it is set so that exactly ``territorial_target`` territorial entities (286 for
the full frame, the programme's reported count) have adopted by
``REPORTING_DATE``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .streams import stream

#: Decree 415 of 2016 was issued on 7 March 2016 and published two days later; no act predates it.
FIRST_DATE = dt.date(2016, 3, 10)
#: The date at which the programme reported 286 territorial CIO posts (the OECD sheet's "so far").
REPORTING_DATE = dt.date(2018, 12, 31)
TERRITORIAL_AT_REPORTING_DATE = 286
LAST_ADOPTION_YEAR = 2023
#: Baseline adoption intensity per calendar year: restructurings take months to approve, so 2016 is
#: slow; the programme's push peaks in 2017-2018, then a slower drift (2020 slowed by the pandemic).
YEAR_RATE = {2016: 0.55, 2017: 1.0, 2018: 1.2, 2019: 0.9, 2020: 0.55, 2021: 0.7, 2022: 0.7, 2023: 0.6}
#: National scale: with it, about two thirds of heads of sector adopt in 2016 and nearly all by 2017,
#: about half of the other national entities by 2023.
NATIONAL_SCALE = 0.15

TERRITORIAL_TITLES = {  # title -> (post level, weight for large entities, weight for small ones)
    "Secretario TIC": ("directivo", 0.55, 0.15),
    "Director de Tecnologías y Sistemas de Información": ("directivo", 0.30, 0.0),
    "Asesor TIC sénior": ("asesor", 0.15, 0.25),
    "Asesor TIC": ("asesor", 0.0, 0.60),
}
NATIONAL_TITLES = {
    "Director de Tecnologías y Sistemas de Información": ("directivo", 0.7),
    "Jefe de Oficina de Tecnologías de la Información": ("directivo", 0.3),
}


def _z(values: pd.Series) -> np.ndarray:
    values = values.to_numpy(dtype=float)
    sd = values.std()
    return (values - values.mean()) / sd if sd > 0 else np.zeros_like(values)


def relative_rates(entities: pd.DataFrame) -> np.ndarray:
    """Relative adoption rate of each entity (0 for areas without a mayor).

    Territorial: population, urbanisation, (less) poverty, IT team size,
    being a departmental capital. National: heading the sector (strongly, a
    rate about 6.7 times), IT team and budget; special-regime entities are
    slower. Everyone: the unobserved maturity.
    Covariates are standardised within the territorial and national groups.
    """
    log_rate = np.zeros(len(entities))
    national = (entities["level"] == "national").to_numpy()
    terr = ~national
    t = entities[terr]
    # A department's population dwarfs a town's: the negative level term keeps governorships' rates near
    # those of large cities instead of making every one of them adopt at once.
    log_rate[terr] = (0.5 * _z(np.log(t["population_2018"])) + 0.45 * _z(t["urban_share_2014"])
                      - 0.45 * _z(t["multidim_poverty_2005"]) + 0.3 * _z(np.log(t["it_staff"]))
                      + 0.6 * t["department_capital"].to_numpy() - 0.8 * (t["level"] == "departmental").to_numpy())
    n = entities[national]
    log_rate[national] = (1.9 * n["head_of_sector"].to_numpy() + 0.4 * _z(np.log(n["it_staff"]))
                          + 0.25 * _z(np.log(n["budget_cop_billions"])) - 0.7 * n["special_regime"].to_numpy())
    log_rate += 0.35 * entities["maturity"].to_numpy()
    rate = np.exp(log_rate)
    rate[entities["not_municipalised"].to_numpy() == 1] = 0.0
    return rate


def _baseline(last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative baseline ``H`` at each day boundary from FIRST_DATE to the window's end."""
    end = dt.date(last_year + 1, 1, 1)
    days = pd.date_range(FIRST_DATE, end, freq="D", inclusive="left")
    daily = np.array([YEAR_RATE[d.year] / (366 if d.is_leap_year else 365) for d in days])
    cumulative = np.concatenate([[0.0], np.cumsum(daily)])  # cumulative[k] = H at the start of day k
    return cumulative, days.to_numpy()


def _adoption_days(threshold: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    """Day index at which each entity's cumulative hazard reaches its threshold (-1 = never)."""
    day = np.searchsorted(cumulative, threshold, side="left") - 1
    day[(threshold > cumulative[-1]) | ~np.isfinite(threshold)] = -1
    return day


def _working_day(date: pd.Timestamp) -> pd.Timestamp:
    """Acts are signed on working days: a weekend date moves to Monday, or to Friday at a year's end."""
    if date.weekday() < 5:
        return date
    monday = date + pd.Timedelta(days=7 - date.weekday())
    return monday if monday.year == date.year else date - pd.Timedelta(days=date.weekday() - 4)


def territorial_target(entities: pd.DataFrame, full_count: int) -> int:
    """286 for the full frame; proportionally fewer for a subset of municipalities."""
    territorial = int((entities["level"] != "national").sum())
    if territorial == full_count:
        return TERRITORIAL_AT_REPORTING_DATE
    return max(1, round(TERRITORIAL_AT_REPORTING_DATE * territorial / full_count))


def make_adoption(entities: pd.DataFrame, seed: int, *, target: int, last_year: int) -> pd.DataFrame:
    """Draw adoption dates and post titles.

    Parameters
    ----------
    entities : DataFrame
        ``make_entities`` output (with hidden columns).
    seed : int
        The dataset's seed.
    target : int
        Territorial adopters by ``REPORTING_DATE`` (exact).
    last_year : int
        Last year of the panel: no act is dated after it (nor after 2023).

    Returns
    -------
    DataFrame
        ``entity_id, adoption_date, post_title, post_level``, sorted by entity.
    """
    rng = stream(seed, "adoption")
    rate = relative_rates(entities)
    draw = rng.exponential(size=len(entities))
    with np.errstate(divide="ignore"):
        standardised = np.where(rate > 0, draw / rate, np.inf)
    window_end = min(LAST_ADOPTION_YEAR, last_year)
    cumulative, days = _baseline(window_end)
    reporting = float(cumulative[(REPORTING_DATE - FIRST_DATE).days + 1])  # H at the end of the reporting day

    territorial = (entities["level"] != "national").to_numpy()
    ordered = np.sort(standardised[territorial])
    if target >= np.isfinite(ordered).sum():
        raise ValueError(f"cannot have {target} territorial adopters among {np.isfinite(ordered).sum()} eligible")
    # Put the reporting date half-way between the target-th and next territorial adopter.
    territorial_scale = (ordered[target - 1] + ordered[target]) / 2 / reporting
    scale = np.where(territorial, territorial_scale, NATIONAL_SCALE)
    day = _adoption_days(standardised / scale, cumulative)

    adopted = day >= 0
    dates = [_working_day(pd.Timestamp(days[d])) for d in day[adopted]]
    out = pd.DataFrame({"entity_id": entities["entity_id"].to_numpy()[adopted],
                        "adoption_date": pd.to_datetime(dates)})
    out["post_title"], out["post_level"] = _titles(entities[adopted], rng)
    reported = (out["adoption_date"] <= pd.Timestamp(REPORTING_DATE)) & territorial[adopted]
    assert int(reported.sum()) == target, "territorial adopters at the reporting date must match the target"
    return out.sort_values("entity_id").reset_index(drop=True)


def _titles(adopters: pd.DataFrame, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    titles, levels = [], []
    uniform = rng.random(len(adopters))
    for (_, row), u in zip(adopters.iterrows(), uniform):
        if row["level"] == "national":
            options = [(t, lvl, w) for t, (lvl, w) in NATIONAL_TITLES.items()]
        else:
            large = row["level"] == "departmental" or row["department_capital"] == 1 or row["population_2018"] >= 1e5
            options = [(t, lvl, big if large else small) for t, (lvl, big, small) in TERRITORIAL_TITLES.items()]
        weights = np.array([w for _, _, w in options])
        k = int(np.searchsorted(np.cumsum(weights) / weights.sum(), u, side="right"))
        titles.append(options[k][0])
        levels.append(options[k][1])
    return titles, levels
