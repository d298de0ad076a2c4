"""Aggregations of group-time effects (Callaway and Sant'Anna 2021, section 3; R did's ``aggte``).

Each aggregated number is a weighted average of identified cells, the weights
being cohort shares ``P(G = g)`` estimated from the data. It is written as a
linear combination: coefficients ``a`` on the cell influence functions and
``b`` on the cohort-share influence functions, the latter accounting for the
estimated weights (R's ``wif``). For a set ``K`` of cells with shares ``p_k``,
``S = sum_k p_k`` and estimate ``theta = sum_k p_k att_k / S``:

    a_k = p_k / S,        b_g = sum_{k in K, g_k = g} (att_k - theta) / S.

Row and overall standard errors, bootstrap draws and the uniform band all come
from those coefficients and the stored influence functions and draws.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .group_time import _dot
from .inference import summarize, vanished_message
from .panel import _as_number, time_gap
from .results import AggregateResult, Estimate, Inference, _labels, operation

if TYPE_CHECKING:
    from .results import GroupTimeResult

TYPES = ("simple", "group", "dynamic", "calendar")


def _cell_text(result: GroupTimeResult, cells: np.ndarray) -> str:
    return ", ".join(f"({_as_number(result.cohort[k])}, {_as_number(result.time[k])})" for k in cells)


class _Builder:
    """Collects the rows of one aggregation as linear combinations."""

    def __init__(self, result: GroupTimeResult):
        self.res = result
        self.share_index = {float(g): j for j, g in enumerate(result.share_cohorts)}
        self.unit_code = _cohort_codes(result.unit_cohort, result.share_cohorts)
        n_shares = len(result.share_cohorts)
        member = np.bincount(self.unit_code + 1, weights=result.unit_weights, minlength=n_shares + 1)[1:]
        self.share = member / result.n_units  # P(G = g), weighted
        self.a: list[np.ndarray] = []
        self.b: list[np.ndarray] = []
        self.estimate: list[float] = []
        self.cells: list[np.ndarray] = []
        self.identified: list[bool] = []
        self.notes: list[str] = []
        self.skipped: list[np.ndarray] = []

    def weighted(self, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray]:
        """Share-weighted average of the identified cells among ``candidates``."""
        res = self.res
        used = candidates[res.identified[candidates]]
        skipped = candidates[~res.identified[candidates]]
        a = np.zeros(res.n_cells)
        b = np.zeros(len(self.share))
        if used.size == 0:
            return a, b, np.nan, used, skipped
        cols = np.array([self.share_index[float(g)] for g in res.cohort[used]])
        p = self.share[cols]
        total = p.sum()
        theta = _dot(p, res.estimate[used]) / total
        a[used] = p / total
        np.add.at(b, cols, (res.estimate[used] - theta) / total)
        return a, b, theta, used, skipped

    def add(self, a, b, theta, used, skipped, empty_note: str) -> None:
        self.a.append(a)
        self.b.append(b)
        self.estimate.append(theta)
        self.cells.append(used)
        self.skipped.append(skipped)
        ok = used.size > 0
        self.identified.append(ok)
        note = "" if ok else empty_note
        if skipped.size:
            note = (note + "; " if note else "") + f"excludes unidentified cell(s) {_cell_text(self.res, skipped)}"
        if ok and np.all(self.res.reference[used]):
            note = (note + "; " if note else "") + "reference period (normalised to 0)"
        self.notes.append(note)


def _simple_cells(res: GroupTimeResult, lo: float = -np.inf, hi: float = np.inf) -> np.ndarray:
    """The candidate cells of the simple average: post-adoption, event time within [lo, hi]."""
    event = res.event_time.astype(float)
    return np.arange(res.n_cells)[(res.cohort <= res.time.astype(float)) & (event >= lo) & (event <= hi)]


def simple_estimate(result: GroupTimeResult) -> float:
    """The estimate of ``aggregate(result, "simple")`` alone, by the same weighted average.

    Randomization inference reads nothing else of the aggregation; this skips its
    influence functions, standard errors and counts (and needs none of the result's
    inference). The number is the one :func:`aggregate` reports, computed by the
    same code (:meth:`_Builder.weighted` on :func:`_simple_cells`).
    """
    return float(_Builder(result).weighted(_simple_cells(result))[2])


def _cohort_codes(unit_cohort: np.ndarray, cohorts: np.ndarray) -> np.ndarray:
    """Index of each unit's cohort in ``cohorts``; -1 for never treated and for a
    cohort that is only a comparison group (not among ``cohorts``)."""
    code = np.searchsorted(cohorts, unit_cohort)
    inside = code < len(cohorts)
    inside[inside] = cohorts[code[inside]] == unit_cohort[inside]
    code[~inside] = -1
    return code


def _counts(result: GroupTimeResult, cells: np.ndarray) -> tuple[int, int]:
    """Distinct treated and comparison units over ``cells`` (a unit counts once)."""
    if cells.size == 0:
        return 0, 0
    treated = np.zeros(result.n_units, dtype=bool)
    control = np.zeros(result.n_units, dtype=bool)
    for k in cells:  # column by column: the roles matrix is column-major
        role = result.roles[:, k]
        treated |= role == 1
        control |= role == 0
    return int(treated.sum()), int(control.sum())


def _combine(result: GroupTimeResult, a: np.ndarray, b: np.ndarray, build: _Builder) -> np.ndarray:
    """Influence functions ``IF_cells @ a + share_IF @ b`` of the combinations (columns of a, b).

    Written out instead of two dense products: each combination uses only a
    few cells, and the cohort-share part is ``w_i * b[G_i] - sum_g P(G=g) b_g``.
    """
    n, m = result.n_units, a.shape[1]
    out = np.empty((n, m), order="F")  # column-major, like the cell influence functions
    b_unit = np.vstack([np.zeros((1, m)), b])[build.unit_code + 1]  # never treated: no share term
    np.multiply(result.unit_weights[:, None], b_unit, out=out)
    out -= build.share @ b
    for j in range(m):
        col = out[:, j]
        for k in np.flatnonzero(a[:, j]):
            col += a[k, j] * result.influence[:, k]
    return out


@operation("aggregate")
def aggregate(
    result: GroupTimeResult,
    type: str,
    *,
    min_event: float | None = None,
    max_event: float | None = None,
    balance: int | None = None,
) -> AggregateResult:
    if type not in TYPES:
        raise ValueError(f"type must be one of {TYPES}, not {type!r}")
    if balance is not None and type != "dynamic":
        raise ValueError("balance applies to type='dynamic' only")
    if type == "calendar" and (min_event is not None or max_event is not None):
        raise ValueError("min_event/max_event do not apply to type='calendar'")
    lo = -np.inf if min_event is None else float(min_event)
    hi = np.inf if max_event is None else float(max_event)

    res = result
    cohort = res.cohort
    time_f = res.time.astype(float)
    event = res.event_time.astype(float)
    post = cohort <= time_f
    all_cells = np.arange(res.n_cells)
    build = _Builder(res)
    index: list[Any] | np.ndarray = []
    index_name: str | None
    overall_rows: np.ndarray | None = None  # which rows the overall averages with equal weights

    if type == "simple":
        index_name = None
        a, b, theta, used, skipped = build.weighted(_simple_cells(res, lo, hi))
        build.add(a, b, theta, used, skipped, "no identified post-adoption cells")
    elif type == "group":
        index_name = "cohort"
        cohorts = np.unique(cohort)
        groups: list[Any] = []
        for g in cohorts:
            cand = all_cells[(cohort == g) & post & (event >= lo) & (event <= hi)]
            used = cand[res.identified[cand]]
            a = np.zeros(res.n_cells)
            if used.size:
                a[used] = 1.0 / used.size  # within a cohort the share weights are equal
            theta = float(res.estimate[used].mean()) if used.size else np.nan
            skipped = cand[~res.identified[cand]]
            build.add(a, np.zeros(len(build.share)), theta, used, skipped, "no identified post-adoption cells")
            groups.append(g)
        # Overall: cohort effects weighted by cohort share, plus the share estimation effect.
        ok = np.array(build.identified, dtype=bool)
        rows = np.nonzero(ok)[0]
        a_all = np.zeros(res.n_cells)
        b_all = np.zeros(len(build.share))
        theta_all = np.nan
        if rows.size:
            cols = np.array([build.share_index[float(g)] for g in np.asarray(groups)[rows]])
            p = build.share[cols]
            total = p.sum()
            th = np.array(build.estimate)[rows]
            theta_all = _dot(p, th) / total
            for r, pr in zip(rows, p):
                a_all += (pr / total) * build.a[r]
            np.add.at(b_all, cols, (th - theta_all) / total)
        overall_combo = (a_all, b_all, theta_all)
        index = _labels(np.array(groups), res.time)
    elif type == "dynamic":
        index_name = "event_time"
        include = np.ones(res.n_cells, dtype=bool)
        eseq = np.unique(event)
        if balance is not None:
            include = _balanced_cells(res, float(balance))
            ref = np.concatenate([time_f, cohort])
            eseq = np.unique(event[include])
            eseq = eseq[(eseq <= balance) & (eseq >= balance - time_gap(time_f.max(), time_f.min(), ref))]
        eseq = eseq[(eseq >= lo) & (eseq <= hi)]
        for e in eseq:
            cand = all_cells[(event == e) & include]
            build.add(*build.weighted(cand), "no identified cells at this event time")
        index = _labels(eseq, res.time)
        overall_rows = np.nonzero((eseq >= 0) & np.array(build.identified, dtype=bool))[0] if len(eseq) else np.array([], int)
    else:  # calendar
        index_name = "time"
        periods = np.unique(time_f[time_f >= cohort.min()]) if res.n_cells else np.array([])
        for t in periods:
            cand = all_cells[(time_f == t) & post]
            build.add(*build.weighted(cand), "no identified post-adoption cells in this period")
        index = _labels(periods, res.time)
        overall_rows = np.nonzero(np.array(build.identified, dtype=bool))[0]

    A = np.column_stack(build.a) if build.a else np.zeros((res.n_cells, 0))
    B = np.column_stack(build.b) if build.b else np.zeros((len(build.share), 0))
    est = np.array(build.estimate, dtype=float)
    identified = np.array(build.identified, dtype=bool)

    # The overall number as one more combination.
    if type == "simple":
        a_o, b_o, th_o = A[:, 0], B[:, 0], est[0]
        contributing = np.array([0])
    elif type == "group":
        a_o, b_o, th_o = overall_combo
        contributing = np.nonzero(identified)[0]
    else:
        assert overall_rows is not None  # set by the dynamic and calendar branches
        contributing = overall_rows
        if contributing.size:
            a_o = A[:, contributing].mean(axis=1)
            b_o = B[:, contributing].mean(axis=1)
            th_o = float(est[contributing].mean())
        else:
            a_o, b_o, th_o = np.zeros(res.n_cells), np.zeros(len(build.share)), np.nan
    overall_ok = bool(np.isfinite(th_o))
    overall_cells = _union([build.cells[r] for r in contributing])
    overall_note = _overall_note(res, type, index, identified, build.skipped, contributing)
    if type == "dynamic" and balance is not None:
        kept = np.unique(res.cohort[include])
        left = np.setdiff1d(np.unique(res.cohort), kept)
        text = f"balanced on event times 0..{_as_number(balance)}: cohort(s) " + (
            ", ".join(str(_as_number(g)) for g in kept) if kept.size else "none"
        )
        if left.size:
            text += " (leaves out " + ", ".join(str(_as_number(g)) for g in left) + ")"
        overall_note = "; ".join(p for p in (overall_note, text) if p)

    # Influence functions of rows and overall: IF_cells @ a + share IF @ b.
    A_all = np.column_stack([A, a_o])
    B_all = np.column_stack([B, b_o])
    infl = _combine(res, A_all, B_all, build)
    draws = None
    if res.bootstrap_draws is not None:
        draws = res.bootstrap_draws @ np.vstack([A_all, B_all])
    inf_obj = res.inference
    m = est.shape[0]
    rows_unc = summarize(
        est, identified, infl[:, :m], None if draws is None else draws[:, :m], uniform=True,
        codes=res.cluster_codes, n_clusters=res.n_clusters, n_units=res.n_units, alpha=inf_obj.alpha,
    )
    over_unc = summarize(
        np.array([th_o]), np.array([overall_ok]), infl[:, m:], None if draws is None else draws[:, m:], uniform=False,
        codes=res.cluster_codes, n_clusters=res.n_clusters, n_units=res.n_units, alpha=inf_obj.alpha,
    )
    if res.wild_multipliers is not None:  # cluster_bootstrap="wild": evaluation.did.wild_bootstrap
        from .wild_bootstrap import aggregate_uncertainty

        rows_unc, over_unc = aggregate_uncertainty(res, est, identified, infl, m, th_o, overall_ok)
    for unc, what in ((rows_unc, f"{type} row(s)"), (over_unc, f"overall {type} effect")):
        if unc.vanished is not None and unc.vanished.any():
            warnings.warn(vanished_message(int(unc.vanished.sum()), res.n_clusters, what, bootstrap=draws is not None),
                          UserWarning, stacklevel=3)
    n_t, n_c = zip(*[_counts(res, c) for c in build.cells]) if build.cells else ((), ())
    o_t, o_c = _counts(res, overall_cells)
    overall = Estimate(
        estimate=float(th_o),
        std_error=float(over_unc.std_error[0]),
        conf_low=float(over_unc.conf_low[0]),
        conf_high=float(over_unc.conf_high[0]),
        n_treated=o_t,
        n_control=o_c,
        identified=overall_ok,
        note=overall_note,
    )
    skipped_cells = tuple((_as_number(res.cohort[k]), _as_number(res.time[k])) for k in _union(build.skipped))
    if type == "simple":
        band = "pointwise"
        crit = over_unc.critical_value
    else:
        band, crit = rows_unc.band, rows_unc.critical_value
    inference = Inference(
        alpha=inf_obj.alpha,
        cluster=inf_obj.cluster,
        n_clusters=inf_obj.n_clusters,
        bootstrap=inf_obj.bootstrap,
        seed=inf_obj.seed,
        bootstrap_weights=inf_obj.bootstrap_weights,
        band=band,
        critical_value=crit,
        cluster_bootstrap=inf_obj.cluster_bootstrap,
    )
    return AggregateResult(
        settings=res.settings,
        inference=inference,
        type=type,
        options={"min_event": min_event, "max_event": max_event, "balance": balance},
        index_name=index_name,
        index=np.asarray(index) if index_name else np.array([]),
        values=Estimate(
            estimate=est if index_name else np.array([]),
            std_error=rows_unc.std_error if index_name else np.array([]),
            conf_low=rows_unc.conf_low if index_name else np.array([]),
            conf_high=rows_unc.conf_high if index_name else np.array([]),
            n_treated=np.array(n_t, dtype=np.int64) if index_name else np.array([], dtype=np.int64),
            n_control=np.array(n_c, dtype=np.int64) if index_name else np.array([], dtype=np.int64),
            identified=identified if index_name else np.array([], dtype=bool),
            note=tuple(build.notes) if index_name else (),
        ),
        overall=overall,
        influence=infl[:, :m] if index_name else infl[:, m:],
        unit_ids=res.unit_ids,
        cluster_codes=res.cluster_codes,
        skipped_cells=skipped_cells,
        bootstrap_draws=None if draws is None else (draws[:, :m] if index_name else draws[:, m:]),
    )


def _balanced_cells(res: GroupTimeResult, balance: float) -> np.ndarray:
    """Cells of the cohorts kept by ``balance`` (R's ``balance_e``).

    R keeps a cohort when the data run at least ``balance`` periods past its
    adoption (``t_max - cohort >= balance``). That balances the event study only
    if those cells are estimated, so a cohort is also left out when one of its
    cells with event time 0..``balance`` is not identified (too few units, no
    overlap, outcome missing). When every cell is identified this is R's rule.
    """
    cohort = res.cohort
    time_f = res.time.astype(float)
    event = res.event_time.astype(float)
    ref = np.concatenate([time_f, cohort])
    include = time_gap(time_f.max(), cohort, ref) >= balance
    window = (event >= 0) & (event <= balance)
    gaps = np.unique(cohort[window & ~res.identified])
    return include & ~np.isin(cohort, gaps)


def _union(arrays: list[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate(arrays)).astype(int) if arrays else np.array([], dtype=int)


def _overall_note(res, type, index, identified, skipped_by_row, contributing) -> str:
    parts = []
    if type == "dynamic":
        parts.append("average of event times >= 0")
    elif type == "calendar":
        parts.append("average over periods")
    elif type == "group":
        parts.append("cohort effects weighted by cohort size")
    what = {"group": "cohort", "dynamic": "event time", "calendar": "period"}.get(type)
    if what:
        missing = [i for i, ok in zip(index, identified) if not ok and (type != "dynamic" or float(i) >= 0)]
        if missing:
            parts.append(f"leaves out unidentified {what}(s) {', '.join(str(_as_number(m)) for m in missing)}")
    rows = list(contributing)
    if type == "group":
        rows = list(range(len(skipped_by_row)))
    elif type == "dynamic":
        rows = [r for r, i in enumerate(index) if float(i) >= 0]
    elif type == "calendar":
        rows = list(range(len(skipped_by_row)))
    skipped = _union([skipped_by_row[r] for r in rows])
    if skipped.size:
        parts.append(f"excludes unidentified cell(s) {_cell_text(res, skipped)}")
    if not np.any(identified) and type != "simple":
        parts.append("nothing to average")
    return "; ".join(parts)
