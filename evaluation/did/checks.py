"""The one input check of every estimator that takes a long panel (one row per unit and period).

``att_gt`` (through :func:`evaluation.did.panel.build_panel`) and the fixed-effects
estimators (``twfe``, ``event_study``, ``bacon``, ``imputation``, ``sun_abraham``,
``power``, through :func:`evaluation.did._fixed_effects.prepare`) call
:func:`check_long_panel` first, so the same bad panel gets the same message from each:
every problem at once, each naming the column, the rows or units, and the fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: How many rows, units or values a message names before it counts the rest.
_SHOW = 5


def _describe(values, limit: int = _SHOW) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _numeric(data: pd.DataFrame, column: str, problems: list[str], what: str) -> np.ndarray:
    raw = data[column]
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan)
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna().to_numpy() & raw.notna().to_numpy()
    if bad.any():
        rows = data.index[bad]
        examples = [f"row {r} ({raw.loc[r]!r})" for r in rows[:_SHOW]]
        problems.append(
            f"{what} column '{column}' must be numeric; {bad.sum()} value(s) are not, e.g. "
            + _describe(examples)
            + (f" and {bad.sum() - _SHOW} more" if bad.sum() > _SHOW else "")
        )
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _infinite(data: pd.DataFrame, column: str, values: np.ndarray, problems: list[str], what: str) -> None:
    bad = np.isinf(values)
    if bad.any():
        rows = data.index[bad]
        problems.append(
            f"{what} column '{column}' has {bad.sum()} infinite value(s), in rows {_describe(rows)}; "
            "correct them, or leave them blank if they are missing"
        )

#: The first line of the message; the problems follow, one per line.
HEADER = "The panel cannot be used; fix these and run again:"


class PanelInputError(ValueError):
    """A long panel an estimator cannot use (a ``ValueError``, as before)."""


def message(problems: list[str]) -> str:
    return HEADER + "\n" + "\n".join(f"  - {p}" for p in problems)


def check_long_panel(data: pd.DataFrame, *, outcome: str, unit: str, time: str, cohort: str | None = None,
                     covariates: tuple[str, ...] = (), columns: tuple[str, ...] = ()) -> list[str]:
    """Refuse a long panel with problems no estimator can work around, naming them all.

    Checked: ``data`` is a DataFrame with rows and the named columns (``covariates``, and
    ``columns``: any other the estimator needs); unit and period present in every row; period,
    outcome and cohort numeric and never infinite (a blank outcome is allowed: the panel is
    unbalanced); any numeric covariate or column never infinite; one row per unit and period;
    the cohort constant within a unit (never-treated coded 0, blank or inf).

    The problems of the first kinds stop here (nothing else can be checked without them). The
    last two (duplicate rows, a cohort that changes) are returned instead: the caller adds what
    only it checks (late adopters, weights, clusters) and raises them all together with
    :func:`message`, so that every problem is reported in one pass.

    Returns
    -------
    list of str
        Duplicate unit-period rows and units whose cohort changes; empty when there are none.

    Raises
    ------
    TypeError
        ``data`` is not a pandas DataFrame.
    PanelInputError
        Anything else above; the message lists every problem.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    wanted = list(dict.fromkeys([outcome, unit, time] + ([cohort] if cohort else []) + list(covariates)
                                + list(columns)))
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise PanelInputError(message([
            f"column(s) {', '.join(repr(c) for c in missing)} are not in the data; its columns are "
            f"{', '.join(map(repr, data.columns))}. Fix: pass the names as they are written in the data "
            "(names are case-sensitive)"]))
    if len(data) == 0:
        raise PanelInputError(message(["the data have no rows"]))

    problems: list[str] = []
    unit_raw = data[unit]
    if unit_raw.isna().any():
        rows = data.index[unit_raw.isna().to_numpy()]
        problems.append(f"unit column '{unit}' is missing in {len(rows)} row(s): rows {_describe(rows)}; "
                        "fill them in or drop those rows")
    times = _numeric(data, time, problems, "time")
    if np.isnan(times).any() and not any(p.startswith("time column") for p in problems):
        rows = data.index[np.isnan(times)]
        problems.append(f"time column '{time}' is missing in {len(rows)} row(s): rows {_describe(rows)}; "
                        "fill them in or drop those rows")
    values = _numeric(data, outcome, problems, "outcome")
    cohorts = _numeric(data, cohort, problems, "cohort") if cohort else None
    # An infinite value is not a missing one: usually a division by zero or a log of zero upstream.
    _infinite(data, time, times, problems, "time")
    _infinite(data, outcome, values, problems, "outcome")
    for label, names in (("covariate", covariates), ("the", columns)):
        for c in dict.fromkeys(names):
            if c in (outcome, unit, time, cohort) or (label == "the" and c in covariates):
                continue
            if pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]):
                _infinite(data, c, data[c].to_numpy(dtype=float, na_value=np.nan), problems, label)
    if problems:
        raise PanelInputError(message(problems))
    problems = []

    # Integer codes and counts (not groupby): this runs before every estimate, on panels of millions of rows.
    known = unit_raw.notna().to_numpy() & np.isfinite(times)
    unit_codes, unit_values = pd.factorize(unit_raw)  # -1 where the unit is missing
    time_codes, time_values = pd.factorize(np.where(known, times, np.inf))
    key = unit_codes.astype(np.int64) * len(time_values) + time_codes
    counts = np.bincount(key[known], minlength=1)
    duplicated = np.zeros(len(data), dtype=bool)
    duplicated[known] = counts[key[known]] > 1
    if duplicated.any():
        pairs = pd.DataFrame({"unit": unit_raw.to_numpy()[duplicated], "time": times[duplicated],
                              "row": data.index[duplicated]})
        grouped = pairs.groupby(["unit", "time"], sort=True)["row"].apply(list)
        examples = [f"{unit}={u} {time}={_number(t)} (rows {_describe(r, 3)})" for (u, t), r in grouped.items()]
        problems.append(f"{len(grouped)} duplicate unit-time pair(s): {_describe(examples)}; keep one row per "
                        f"{unit} and {time} (aggregate or drop the repeated rows)")
    if cohorts is not None:
        coded = np.where(np.isnan(cohorts) | (cohorts == 0), np.inf, cohorts)
        has_unit = unit_codes >= 0
        low = np.full(len(unit_values), np.inf)
        high = np.full(len(unit_values), -np.inf)
        np.minimum.at(low, unit_codes[has_unit], coded[has_unit])
        np.maximum.at(high, unit_codes[has_unit], coded[has_unit])
        switching = np.flatnonzero(low != high)
        if len(switching):
            order = np.argsort(unit_values[switching].astype(str)) if len(switching) > 1 else np.arange(1)
            examples = []
            for code in switching[order][:_SHOW]:
                rows = np.flatnonzero(unit_codes == code)
                vals = sorted({_number(v) if np.isfinite(v) else "never" for v in coded[rows]}, key=str)
                examples.append(f"{unit}={unit_values[code]} has {cohort} values {vals} "
                                f"(rows {_describe(data.index[rows], 3)})")
            problems.append(f"{len(switching)} unit(s) change cohort over time; treatment must be absorbing "
                            "(once adopted, always adopted) and the cohort column constant within a unit: "
                            + _describe(examples))
    return problems


def _number(v):
    return int(v) if isinstance(v, float | np.floating) and np.isfinite(v) and float(v).is_integer() else v


__all__ = ["HEADER", "PanelInputError", "check_long_panel", "message"]
