"""Input checks and the one reshape: long data frame -> units x periods arrays.

Everything downstream works on the :class:`Panel` built here, never on the
caller's data frame (which is only read, never modified). Units are put in a
fixed internal order -- by cohort, never-treated last, then by unit id -- so each
cohort is one contiguous block and results do not depend on the row order of
the input.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .checks import _describe, _infinite, _numeric, check_long_panel, message

#: Internal code of the never-treated cohort; sorts after every adoption period.
NEVER_TREATED = np.inf

@dataclass(frozen=True, eq=False)
class Panel:
    """A staggered-adoption panel in wide form.

    Attributes
    ----------
    unit_ids : ndarray (n,)
        Unit identifiers in the internal order (cohort, then id).
    times : ndarray (T,)
        The distinct periods, ascending.
    unit_cohort : ndarray (n,)
        Adoption period of each unit; ``inf`` for never treated. Non-decreasing.
    outcome : ndarray (T, n)
        Outcome by period and unit; NaN where the unit is not observed.
    covariates : ndarray (T, n, k) or None
        Covariates by period and unit (NaN where missing).
    weights : ndarray (n,)
        Unit-level sampling weights (ones when none were given).
    cluster_codes : ndarray (n,) or None
        Integer cluster code of each unit, 0..n_clusters-1.
    complete : bool
        True when every unit has outcome and covariates in every period
        (a balanced panel); cells can then skip the observed-in-both check.
    """

    unit_ids: np.ndarray
    times: np.ndarray
    unit_cohort: np.ndarray
    outcome: np.ndarray
    covariates: np.ndarray | None
    covariate_names: tuple[str, ...]
    covariates_time_invariant: bool
    weights: np.ndarray
    cluster_codes: np.ndarray | None
    cluster_labels: np.ndarray | None
    complete: bool
    n_always_treated: int

    @property
    def n_units(self) -> int:
        return int(self.unit_ids.shape[0])

    @property
    def cohorts(self) -> np.ndarray:
        """Distinct adoption periods (never treated excluded), ascending."""
        c = np.unique(self.unit_cohort)
        return c[np.isfinite(c)]

    def block(self, cohort: float) -> tuple[int, int]:
        """Start and stop of ``cohort``'s contiguous block in the unit order."""
        lo = int(np.searchsorted(self.unit_cohort, cohort, side="left"))
        hi = int(np.searchsorted(self.unit_cohort, cohort, side="right"))
        return lo, hi

    def first_after(self, period: float) -> int:
        """Index of the first unit whose cohort is strictly after ``period``."""
        return int(np.searchsorted(self.unit_cohort, period, side="right"))


def _as_number(v):
    """Period values print as integers when they are whole numbers."""
    if isinstance(v, float | np.floating) and np.isfinite(v) and float(v).is_integer():
        return int(v)
    return v


def _time_decimals(reference: np.ndarray) -> int:
    """Decimals to which differences of periods are rounded: 12 significant digits of the largest period."""
    ref = np.abs(np.asarray(reference, dtype=float))
    ref = ref[np.isfinite(ref)]
    magnitude = float(ref.max()) if ref.size and ref.max() > 0 else 1.0
    return int(12 - np.ceil(np.log10(magnitude)))


def time_gap(later, earlier, reference) -> np.ndarray:
    """``later - earlier`` in the time column's units, rounded to 12 significant digits.

    Periods coded 0.1, 0.2, ... give differences such as 0.19999999999999998
    and 0.2 for the same gap; rounding them (at a precision far below any real
    difference of periods and far above floating-point noise) makes equal gaps
    compare equal, so event times and the aggregations built on them do not
    depend on how the periods happen to be coded (integers, tenths, a shift).
    ``reference`` holds the periods (and cohorts) that set the precision.
    """
    return np.round(np.asarray(later, dtype=float) - np.asarray(earlier, dtype=float), _time_decimals(reference))


def snap_to_periods(values: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Replace values equal to a period up to rounding (see :func:`time_gap`) by that period."""
    finite = np.isfinite(values)
    if not finite.any():
        return values
    idx = np.clip(np.searchsorted(periods, values[finite]), 0, len(periods) - 1)
    out = values.copy()
    v = values[finite]
    for cand in (idx, np.maximum(idx - 1, 0)):
        near = time_gap(v, periods[cand], periods) == 0
        v = np.where(near, periods[cand], v)
    out[finite] = v
    return out


def _per_unit_range_rows(codes: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, codes, values)
    np.maximum.at(hi, codes, values)
    return lo, hi


def build_panel(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: tuple[str, ...] = (),
    weights: str | None = None,
    cluster: str | None = None,
) -> Panel:
    """Check a long panel and reshape it to units x periods arrays.

    All problems found are collected and raised together in one ``ValueError``
    that names the offending units, periods and rows (the first few of each).

    Rules
    -----
    - never-treated units have cohort 0, NaN or inf;
    - a unit's cohort, weight and cluster must not change over time (a cohort
      that changes means treatment switched off or was recoded);
    - (unit, time) pairs are unique;
    - a unit adopting before the first period is always treated, has no
      untreated period, and is dropped with a warning (as R ``did`` does); one
      adopting after the last period is an error, since silently using it as
      never treated would hide a coding question the evaluator should answer;
      a cohort between two periods is kept, with a warning (as R ``did`` does);
    - missing outcomes (NaN or absent rows) are allowed: the panel is
      unbalanced; infinite outcomes, covariates or periods are an error.
    """
    rows, unit_cohort_all, consistent = check_rows(data, outcome=outcome, unit=unit, time=time, cohort=cohort,
                                                   covariates=covariates, weights=weights, cluster=cluster)
    return assemble(rows, unit_cohort_all, consistent, stacklevel=4)


def check_rows(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: tuple[str, ...] = (),
    weights: str | None = None,
    cluster: str | None = None,
) -> tuple[CheckedRows, np.ndarray, np.ndarray]:
    """Every check of :func:`build_panel` (the same problems, raised together), without the reshape.

    Returns the checked rows, each unit's cohort (``inf``: never treated) and
    whether it is the same in all the unit's rows; :func:`assemble` makes the panel.
    """
    # The check every long-panel estimator shares (same problems, same messages); then att_gt's own.
    # Duplicates and changing cohorts come back as problems, reported with the ones found below.
    structural = check_long_panel(data, outcome=outcome, unit=unit, time=time, cohort=cohort,
                                  covariates=tuple(covariates),
                                  columns=tuple(c for c in (weights, cluster) if c is not None))

    problems: list[str] = []

    unit_raw = data[unit]
    if unit_raw.isna().any():
        rows = data.index[unit_raw.isna().to_numpy()]
        problems.append(f"unit column '{unit}' is missing in {len(rows)} row(s): rows {_describe(rows)}")
    time_f = _numeric(data, time, problems, "time")
    if np.isnan(time_f).any() and not any(p.startswith("time column") for p in problems):
        rows = data.index[np.isnan(time_f)]
        problems.append(f"time column '{time}' is missing in {len(rows)} row(s): rows {_describe(rows)}")
    cohort_f = _numeric(data, cohort, problems, "cohort")
    y = _numeric(data, outcome, problems, "outcome")
    x_cols = [_numeric(data, c, problems, "covariate") for c in covariates]
    w_row = _numeric(data, weights, problems, "weights") if weights is not None else None
    # An infinite value is not a missing one: it is usually a division by zero or a
    # log of zero upstream, and treating it as missing would hide that.
    _infinite(data, time, time_f, problems, "time")
    _infinite(data, outcome, y, problems, "outcome")
    for c, col in zip(covariates, x_cols):
        _infinite(data, c, col, problems, "covariate")
    if problems:
        raise ValueError(_problem_message(structural + problems))

    rows = _checked_rows(data, unit_raw=unit_raw, time_f=time_f, y=y, x_cols=x_cols, w_row=w_row,
                         covariates=tuple(covariates), unit=unit, time=time, weights=weights, cluster=cluster,
                         problems=problems)
    unit_cohort_all, consistent, zero_coded = _unit_cohorts(rows, cohort_f)
    problems += _cohort_problems(rows, unit_cohort_all, consistent, zero_coded, unit=unit, time=time)
    # A cohort between two periods (adoption in a year with no measurement) is
    # estimated as R did does: compared from the last period before adoption, with
    # event times in the time column's units. Said once, so it is not a surprise.
    times_f = rows.times_f
    first, last = times_f[0], times_f[-1]
    inside = consistent & (unit_cohort_all > first) & (unit_cohort_all <= last)
    off_grid = np.unique(unit_cohort_all[inside & ~np.isin(unit_cohort_all, times_f)])
    if off_grid.size and not problems and not structural:
        warnings.warn(
            f"Cohort(s) {_describe([_as_number(g) for g in off_grid])} of '{cohort}' are not periods of '{time}': "
            "each is compared from the last period before its adoption, and its event times "
            "(time - cohort, in the units of the time column) include no 0.",
            UserWarning,
            stacklevel=4,
        )
    problems = structural + problems
    if problems:
        raise ValueError(_problem_message(problems))
    return rows, unit_cohort_all, consistent


@dataclass(frozen=True, eq=False)
class CheckedRows:
    """A long panel after every check of :func:`build_panel` that does not involve the cohorts.

    The units as integer codes (``uniques[ucode]`` is each row's unit), the
    periods, and per row the outcome and covariates; per unit (in ``uniques``
    order) the weights and clusters. :func:`assemble` turns it and one cohort per
    unit into a :class:`Panel`, so a caller that re-estimates with other adoption
    dates (randomization inference) or another outcome (simulated panels) checks
    and codes the rows once.
    """

    uniques: np.ndarray
    ucode: np.ndarray
    tcode: np.ndarray | None  # None on a complete grid (rows unit-major, periods ascending)
    times_f: np.ndarray
    y: np.ndarray
    x_cols: tuple[np.ndarray, ...]
    covariates: tuple[str, ...]
    unit_weights: np.ndarray
    cluster_codes: np.ndarray | None
    cluster_labels: np.ndarray | None
    unit: str
    time: str

    @property
    def grid(self) -> bool:
        return self.tcode is None

    @property
    def n_all(self) -> int:
        return int(self.uniques.shape[0])

    @property
    def n_periods(self) -> int:
        return int(self.times_f.shape[0])

    def per_unit_range(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Smallest and largest value of a row-level array within each unit."""
        if self.grid:
            v = values.reshape(self.n_all, self.n_periods)
            return v.min(axis=1), v.max(axis=1)
        return _per_unit_range_rows(self.ucode, values, self.n_all)


def _checked_rows(data: pd.DataFrame, *, unit_raw: pd.Series, time_f: np.ndarray, y: np.ndarray,
                  x_cols: list[np.ndarray], w_row: np.ndarray | None, covariates: tuple[str, ...], unit: str,
                  time: str, weights: str | None, cluster: str | None, problems: list[str]) -> CheckedRows:
    """Unit and period codes, unit-level weights and clusters (their problems appended to ``problems``)."""
    ucode = uniques = None
    if isinstance(unit_raw.dtype, np.dtype) and unit_raw.dtype.kind in "iu":
        # Fast path: ids already sorted (e.g. a frame sorted by unit and time).
        uvals = unit_raw.to_numpy()
        if uvals.size < 2 or bool(np.all(uvals[1:] >= uvals[:-1])):
            new_id = uvals[1:] != uvals[:-1]
            ucode = np.empty(uvals.size, dtype=np.intp)
            ucode[0] = 0
            np.cumsum(new_id, out=ucode[1:])
            uniques = uvals[np.concatenate(([0], np.flatnonzero(new_id) + 1))]
    if ucode is None:
        try:
            ucode, uniques = pd.factorize(unit_raw, sort=True)
        except TypeError:  # ids of mixed types cannot be sorted; first-seen order is still deterministic per id set
            ucode, uniques = pd.factorize(unit_raw.astype(str), sort=True)
    uniques = np.asarray(uniques)
    n_all = len(uniques)
    # Fast path: a complete grid, every unit's rows consecutive with the same ascending periods.
    grid = False
    n_rows = time_f.shape[0]
    if n_rows % n_all == 0 and n_rows // n_all >= 2:
        n_t = n_rows // n_all
        first_times = time_f[:n_t]
        if (
            bool(np.all(first_times[1:] > first_times[:-1]))
            and bool((time_f.reshape(n_all, n_t) == first_times).all())
            and ucode[0] == 0
            and bool((ucode.reshape(n_all, n_t) == np.arange(n_all)[:, None]).all())
        ):
            grid = True
    if grid:
        times_f = first_times.copy()
        n_periods = n_t
        tcode = None
    else:
        # Hash, then sort the few distinct periods (cheaper than sorting every row).
        tcode_raw, t_uniques = pd.factorize(time_f)
        order_t = np.argsort(t_uniques, kind="stable")
        times_f = t_uniques[order_t]
        rank = np.empty_like(order_t)
        rank[order_t] = np.arange(order_t.size)
        tcode = rank[tcode_raw]
        n_periods = len(times_f)
    if n_periods < 2:
        raise ValueError(f"the panel has {n_periods} period(s); at least two are needed")
    rows = CheckedRows(uniques=uniques, ucode=ucode, tcode=tcode, times_f=times_f, y=y, x_cols=tuple(x_cols),
                       covariates=covariates, unit_weights=np.ones(n_all), cluster_codes=None, cluster_labels=None,
                       unit=unit, time=time)

    # Duplicate (unit, period) rows and a cohort changing within a unit were found by check_long_panel.
    if w_row is not None:
        bad = ~np.isfinite(w_row) | (w_row < 0)
        if bad.any():
            problems.append(
                f"weights column '{weights}' must be finite and non-negative; bad in rows {_describe(data.index[bad])}"
            )
        wlo, whi = rows.per_unit_range(np.where(bad, 0.0, w_row))
        varying = np.nonzero(wlo != whi)[0]
        if varying.size:
            problems.append(
                f"weights column '{weights}' must be constant within a unit (sampling weights are unit-level); "
                f"it varies for {unit}={_describe(uniques[varying])}"
            )
        rows = replace(rows, unit_weights=wlo)

    if cluster is not None:
        craw = data[cluster]
        if craw.isna().any():
            problems.append(f"cluster column '{cluster}' is missing in rows {_describe(data.index[craw.isna().to_numpy()])}")
        ccode, cluster_labels = pd.factorize(craw, sort=False)
        clo, chi = rows.per_unit_range(ccode.astype(float))
        varying = np.nonzero(clo != chi)[0]
        if varying.size:
            problems.append(
                f"cluster column '{cluster}' must be constant within a unit (clusters are the unit level or "
                f"coarser); it varies for {unit}={_describe(uniques[varying])}"
            )
        rows = replace(rows, cluster_codes=clo, cluster_labels=np.asarray(cluster_labels))
    return rows


def _unit_cohorts(rows: CheckedRows, cohort_f: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each unit's cohort (never treated as ``inf``) from the row-level cohort column.

    Returns the cohorts, whether each unit's cohort is the same in all its rows,
    and whether any row codes never treated as 0.
    """
    # Never treated may be coded 0, NaN or inf; one internal code for all three.
    zero_coded = cohort_f == 0
    never = np.isnan(cohort_f) | zero_coded | np.isinf(cohort_f)
    cohort_f = np.where(never, NEVER_TREATED, cohort_f)
    # A cohort equal to a period up to rounding (0.30000000000000004 for 0.3) is that period.
    cohort_f = snap_to_periods(cohort_f, rows.times_f)
    lo, hi = rows.per_unit_range(cohort_f)
    # lo is each unit's cohort where the unit is consistent (check_long_panel reports the others)
    return lo, np.isfinite(lo) & (lo == hi), bool(zero_coded.any())


def _cohort_problems(rows: CheckedRows, unit_cohort_all: np.ndarray, consistent: np.ndarray, zero_coded: bool, *,
                     unit: str, time: str) -> list[str]:
    """Cohort values that no estimate can use: 0 when 0 is also a period; adoption after the last period."""
    problems = []
    times_f, uniques = rows.times_f, rows.uniques
    if (times_f == 0).any() and zero_coded:
        problems.append(
            f"cohort 0 means never treated, but 0 is also a value of '{time}'; "
            "code never-treated units as NaN or relabel the periods"
        )
    last = times_f[-1]
    late = np.nonzero(consistent & (unit_cohort_all > last))[0]
    if late.size:
        examples = [f"{unit}={uniques[u]} adopts in {_as_number(unit_cohort_all[u])}" for u in late]
        problems.append(
            f"{late.size} unit(s) adopt after the last period of data ({_as_number(last)}): "
            + _describe(examples)
            + "; if they should serve as never-treated comparisons, code their cohort as 0 or NaN"
        )
    return problems


def cohorts_from_rows(rows: CheckedRows, cohort_values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit cohorts of a new row-level cohort column for already checked rows, checked as
    :func:`build_panel` checks them (a ``ValueError`` naming the problems)."""
    unit_cohort_all, consistent, zero_coded = _unit_cohorts(rows, np.asarray(cohort_values, dtype=float))
    problems = _cohort_problems(rows, unit_cohort_all, consistent, zero_coded, unit=rows.unit, time=rows.time)
    if problems:
        raise ValueError(_problem_message(problems))
    return unit_cohort_all, consistent


def assemble(rows: CheckedRows, unit_cohort_all: np.ndarray, consistent: np.ndarray, *, stacklevel: int = 2,
             y: np.ndarray | None = None) -> Panel:
    """The :class:`Panel` of checked rows with one cohort per unit (``y``: another row-level outcome).

    Units adopting before the first period are always treated, never observed
    untreated, and are dropped with a warning (as R ``did`` does).
    """
    uniques, n_periods = rows.uniques, rows.n_periods
    times_f = rows.times_f
    first = times_f[0]
    y = rows.y if y is None else y
    # Always treated: adopted before the first period, so never observed untreated.
    always = consistent & (unit_cohort_all < first)
    n_always = int(always.sum())
    if n_always:
        warnings.warn(
            f"Dropped {n_always} unit(s) already treated before the first period ({_as_number(first)}): "
            f"{rows.unit}={_describe(uniques[always])}. They have no untreated period to compare.",
            UserWarning,
            stacklevel=stacklevel,
        )
    keep_unit = ~always
    kept = np.nonzero(keep_unit)[0]
    n = kept.size
    n_all = rows.n_all
    if n == 0:
        raise ValueError("no units left after dropping always-treated units")

    # Internal order: cohort ascending (never treated last), then unit id.
    order = kept[np.lexsort((kept, unit_cohort_all[kept]))]
    covariates = rows.covariates
    x_wide: np.ndarray | None = None
    time_invariant = True
    if rows.grid:
        # rows are unit-major with ascending periods: reshape, pick the kept units in order
        y_wide = np.ascontiguousarray(y.reshape(n_all, n_periods).T[:, order])
        if covariates:
            x_wide = np.empty((n_periods, n, len(covariates)))
            for j, col in enumerate(rows.x_cols):
                x_wide[:, :, j] = col.reshape(n_all, n_periods).T[:, order]
    else:
        position = np.full(n_all, -1, dtype=np.int64)
        position[order] = np.arange(n)
        ucode, tcode = rows.ucode, rows.tcode
        assert tcode is not None  # None only on a complete grid
        if n_always:
            row_keep = keep_unit[ucode]
            pos = position[ucode[row_keep]]
            trow = tcode[row_keep]
        else:  # nothing dropped: skip copying every column through a mask
            row_keep = slice(None)
            pos = position[ucode]
            trow = tcode

        y_wide = np.full((n_periods, n), np.nan)
        y_wide[trow, pos] = y[row_keep]

        if covariates:
            x_wide = np.full((n_periods, n, len(covariates)), np.nan)
            for j, col in enumerate(rows.x_cols):
                x_wide[trow, pos, j] = col[row_keep]
    if covariates:
        assert x_wide is not None  # filled above whenever there are covariates
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN units
            spread = np.nanmax(x_wide, axis=0) - np.nanmin(x_wide, axis=0)
        time_invariant = bool(np.all((spread == 0) | np.isnan(spread)))

    complete = bool(np.isfinite(y_wide).all() and (x_wide is None or np.isfinite(x_wide).all()))

    times_out = times_f
    if np.all(np.mod(times_f, 1) == 0):
        times_out = times_f.astype(np.int64)

    return Panel(
        unit_ids=uniques[order],
        times=times_out,
        unit_cohort=unit_cohort_all[order],
        outcome=y_wide,
        covariates=x_wide,
        covariate_names=tuple(covariates),
        covariates_time_invariant=time_invariant,
        weights=rows.unit_weights[order].astype(float),
        cluster_codes=None if rows.cluster_codes is None else _recode(rows.cluster_codes[order]),
        cluster_labels=rows.cluster_labels,
        complete=complete,
        n_always_treated=n_always,
    )


def periods_before(panel: Panel, cutoff: float) -> Panel:
    """The panel restricted to the periods before ``cutoff`` (units unchanged)."""
    keep = panel.times.astype(float) < cutoff
    if keep.sum() < 2:
        raise ValueError(
            f"only {int(keep.sum())} period(s) before {_as_number(cutoff)} remain; at least two are needed"
        )
    outcome = np.ascontiguousarray(panel.outcome[keep])
    covariates = None if panel.covariates is None else np.ascontiguousarray(panel.covariates[keep])
    complete = bool(np.isfinite(outcome).all() and (covariates is None or np.isfinite(covariates).all()))
    return replace(panel, times=panel.times[keep], outcome=outcome, covariates=covariates, complete=complete)


def _recode(codes: np.ndarray) -> np.ndarray:
    """Cluster codes 0..C-1 over the units that remain."""
    _, inverse = np.unique(codes, return_inverse=True)
    return inverse.astype(np.int64)


def _problem_message(problems: list[str]) -> str:
    return message(problems)
