"""Group-time effects from repeated cross-sections (``att_gt(..., panel=False)``).

When each period's outcome is measured on different entities (a survey drawn
afresh every year), no unit is followed over time, so a cell's 2x2 DiD compares
four groups of *observations*: the cohort and its comparison group, each in the
base period and in period ``t``. This is R ``did``'s ``panel = FALSE``, which
calls, for each cell, the repeated cross-section estimators of Sant'Anna and
Zhao (2020) as implemented in R's ``DRDID``:

- ``"dr"``: the locally efficient doubly robust estimator (``drdid_rc``; their
  eq. 3.4): logit propensity score, linear outcome regressions for the comparison
  group in both periods and for the treated group in both periods (the latter
  only enter the efficiency adjustment), every estimation effect in the influence
  function;
- ``"reg"``: outcome regression (``reg_did_rc``);
- ``"ipw"``: normalised (Hajek) inverse probability weighting (``std_ipw_did_rc``).

Every row of the data is one observation: it is the "unit" of the influence
functions (their rows are aligned with ``result.unit_ids``, the data's row
labels), of the cohort shares that weight aggregations and of the bootstrap.
A cell estimated on ``n1`` of the ``n`` observations stores ``(n / n1) * psi``,
as R ``did`` does, so aggregation, clustering and the bootstrap are unchanged.

Identifying assumptions beyond those of the panel case (Sant'Anna and Zhao 2020,
Assumption 1(b)): the cross-sections are random samples of one stationary
population, so the distribution of cohort and covariates does not change
between periods.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit

from .group_time import (
    MIN_UNITS,
    OVERLAP_LIMIT,
    TRIM_LEVEL,
    CellEstimates,
    _independent_columns,
    _label,
    fit_logit,
    plan_cells,
)
from .panel import Panel, _as_number, build_panel

_ROW = "__observation__"
_EPS = np.finfo(float).eps


def cross_section_panel(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    covariates: tuple[str, ...],
    weights: str | None,
    cluster: str | None,
) -> tuple[Panel, np.ndarray, list[str]]:
    """Check repeated cross-sections and arrange them like a panel of one-period "units".

    Rows with a missing outcome or covariate are not observations and are left
    out (said in the returned messages). Each remaining row becomes a unit of a
    :class:`~evaluation.did.panel.Panel` observed in one period only, so the
    panel checks (numeric columns, cohorts that are periods, never-treated
    coding, always-treated units dropped) apply unchanged. Returns the panel,
    the period index of each observation, and messages.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if _ROW in data.columns:
        raise ValueError(f"data has a column named {_ROW!r}, which att_gt(panel=False) uses internally; rename it")
    messages: list[str] = []
    needed = [outcome, time, cohort, *covariates, *(c for c in (weights, cluster, unit) if c is not None)]
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise ValueError(f"columns not found in data: {missing}; available: {list(data.columns)}")
    observed = data[outcome].notna()
    for c in covariates:
        observed &= data[c].notna()
    n_missing = int((~observed).sum())
    if n_missing:
        what = "outcome or a covariate" if covariates else "outcome"
        messages.append(f"{n_missing} row(s) with a missing {what} are not observations and were left out.")
    rows = data.loc[observed.to_numpy(), list(dict.fromkeys(needed))].copy()
    rows[_ROW] = np.arange(len(rows))  # a copy: the caller's frame is never modified
    if len(rows) == 0:
        raise ValueError(f"no rows with an observed '{outcome}'")
    if unit is not None:
        repeated = data.loc[observed.to_numpy()].groupby(unit, sort=False)[time].nunique()
        if (repeated > 1).any() and cluster != unit:
            messages.append(
                f"{int((repeated > 1).sum())} '{unit}' value(s) appear in more than one period; with panel=False each "
                f"row is an independent observation. If they are the same entity, use panel=True, or "
                f"cluster='{unit}' so standard errors allow for it."
            )
    panel = build_panel(
        rows, outcome=outcome, unit=_ROW, time=time, cohort=cohort, covariates=covariates, weights=weights,
        cluster=cluster,
    )
    labels = data.index[observed.to_numpy()]
    period = np.argmax(np.isfinite(panel.outcome), axis=0)
    # unit ids: the caller's row labels, in the panel's internal order (cohort, then row)
    panel = _relabel(panel, np.asarray(labels)[panel.unit_ids.astype(np.int64)])
    return panel, period, messages


def observations_before(panel: Panel, period: np.ndarray, cutoff: float) -> tuple[Panel, np.ndarray]:
    """Only the observations of periods before ``cutoff`` (R did drops the other rows).

    Used when there are no never-treated units: the periods from the last
    cohort's adoption onward leave nobody to compare with.
    """
    from dataclasses import replace

    tkeep = panel.times.astype(float) < cutoff
    keep = tkeep[period]
    codes, labels = panel.cluster_codes, panel.cluster_labels
    if codes is not None:
        used, codes = np.unique(codes[keep], return_inverse=True)
        labels = None if labels is None else np.asarray(labels)[used]
    restricted = replace(
        panel,
        unit_ids=panel.unit_ids[keep],
        times=panel.times[tkeep],
        unit_cohort=panel.unit_cohort[keep],
        outcome=np.ascontiguousarray(panel.outcome[np.ix_(tkeep, keep)]),
        covariates=None if panel.covariates is None else np.ascontiguousarray(panel.covariates[tkeep][:, keep]),
        weights=panel.weights[keep],
        cluster_codes=None if codes is None else codes.astype(np.int64),
        cluster_labels=labels,
    )
    return restricted, period[keep]


def _relabel(panel: Panel, ids: np.ndarray) -> Panel:
    from dataclasses import replace

    return replace(panel, unit_ids=ids)


# --------------------------------------------------------------------------------------
# the three 2x2 estimators for repeated cross-sections
# --------------------------------------------------------------------------------------


class _CellProblem(Exception):
    """A cell that cannot be estimated; the message becomes its note."""


def _wls(x: np.ndarray, y: np.ndarray, w: np.ndarray, mask: np.ndarray, n1: int, what: str):
    """Weighted least squares on the rows in ``mask``: fitted values for all rows and the linear representation."""
    xm, wm = x[mask], w[mask]
    gram = (xm.T * wm) @ xm / n1
    try:
        inv = np.linalg.inv(gram)
        rcond = float(1.0 / (np.linalg.norm(gram, 1) * np.linalg.norm(inv, 1)))
    except np.linalg.LinAlgError:
        rcond = 0.0
    if not rcond >= _EPS:
        raise _CellProblem(f"outcome regression not identified: covariates collinear among the {what}")
    beta = inv @ ((xm.T * wm) @ y[mask]) / n1
    fitted = x @ beta
    # asymptotic linear representation of beta: rows w_i 1{mask} (y_i - x_i'b) x_i' (X'WX/n1)^{-1}
    resid = np.where(mask, w * (y - fitted), 0.0)
    return fitted, (resid[:, None] * x) @ inv


def _propensity(x: np.ndarray, treated: np.ndarray, w: np.ndarray, n1: int):
    beta, converged = fit_logit(x, treated, w)
    ps = expit(x @ beta)
    if np.max(ps) >= OVERLAP_LIMIT:
        raise _CellProblem(f"overlap fails: an estimated propensity score reaches {OVERLAP_LIMIT}")
    ps = np.minimum(ps, 1 - 1e-6)
    hess = (x.T * (w * ps * (1 - ps))) @ x / n1
    try:
        hess_inv = np.linalg.inv(hess)
    except np.linalg.LinAlgError as err:
        raise _CellProblem("propensity score model singular") from err
    # asymptotic linear representation of the logit coefficients
    lin_rep = ((w * (treated - ps))[:, None] * x) @ hess_inv
    keep = (treated == 1) | (ps < TRIM_LEVEL)
    if not np.any(keep & (treated == 0)):
        raise _CellProblem(f"overlap fails: every comparison observation has propensity score >= {TRIM_LEVEL} (trimmed)")
    return ps, lin_rep, keep.astype(float), converged


def _mean(v: np.ndarray) -> float:
    return float(np.mean(v))


def _col_mean(weights: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (weights @ x) / x.shape[0]


def rc_reg(y, post, treated, w, x):
    """Outcome-regression DiD for repeated cross-sections (DRDID's ``reg_did_rc``); (att, psi, info)."""
    n1 = y.shape[0]
    comp = treated == 0
    out_pre, lin_pre = _wls(x, y, w, comp & (post == 0), n1, "comparison observations of the base period")
    out_post, lin_post = _wls(x, y, w, comp & (post == 1), n1, "comparison observations of period t")
    w_t0, w_t1, w_d = w * treated * (1 - post), w * treated * post, w * treated
    eta_t0 = _mean(w_t0 * y) / _mean(w_t0)
    eta_t1 = _mean(w_t1 * y) / _mean(w_t1)
    eta_c = _mean(w_d * (out_post - out_pre)) / _mean(w_d)
    att = (eta_t1 - eta_t0) - eta_c
    inf_treat = w_t1 * (y - eta_t1) / _mean(w_t1) - w_t0 * (y - eta_t0) / _mean(w_t0)
    m1 = _col_mean(w_d, x)
    inf_control = (w_d * (out_post - out_pre - eta_c) + lin_post @ m1 - lin_pre @ m1) / _mean(w_d)
    return att, inf_treat - inf_control, {}


def rc_ipw(y, post, treated, w, x):
    """Normalised IPW DiD for repeated cross-sections (DRDID's ``std_ipw_did_rc``); (att, psi, info)."""
    n1 = y.shape[0]
    ps, lin_ps, trim, converged = _propensity(x, treated, w, n1)
    odds = ps / (1 - ps)
    w_t0, w_t1 = trim * w * treated * (1 - post), trim * w * treated * post
    w_c0, w_c1 = trim * w * odds * (1 - treated) * (1 - post), trim * w * odds * (1 - treated) * post
    a_t0, a_t1 = _mean(w_t0 * y) / _mean(w_t0), _mean(w_t1 * y) / _mean(w_t1)
    a_c0, a_c1 = _mean(w_c0 * y) / _mean(w_c0), _mean(w_c1 * y) / _mean(w_c1)
    att = (a_t1 - a_t0) - (a_c1 - a_c0)
    inf_treat = w_t1 * (y - a_t1) / _mean(w_t1) - w_t0 * (y - a_t0) / _mean(w_t0)
    inf_cont = w_c1 * (y - a_c1) / _mean(w_c1) - w_c0 * (y - a_c0) / _mean(w_c0)
    m2 = _col_mean(w_c1 * (y - a_c1), x) / _mean(w_c1) - _col_mean(w_c0 * (y - a_c0), x) / _mean(w_c0)
    psi = inf_treat - (inf_cont + lin_ps @ m2)
    return att, psi, {"n_trimmed": int((trim == 0).sum()), "converged": converged}


def rc_dr(y, post, treated, w, x):
    """Locally efficient DR DiD for repeated cross-sections (DRDID's ``drdid_rc``); (att, psi, info)."""
    n1 = y.shape[0]
    ps, lin_ps, trim, converged = _propensity(x, treated, w, n1)
    odds = ps / (1 - ps)
    comp = treated == 0
    trt = treated == 1
    out_c0, lin_c0 = _wls(x, y, w, comp & (post == 0), n1, "comparison observations of the base period")
    out_c1, lin_c1 = _wls(x, y, w, comp & (post == 1), n1, "comparison observations of period t")
    out_t0, lin_t0 = _wls(x, y, w, trt & (post == 0), n1, "treated observations of the base period")
    out_t1, lin_t1 = _wls(x, y, w, trt & (post == 1), n1, "treated observations of period t")
    out_c = post * out_c1 + (1 - post) * out_c0
    resid = y - out_c

    w_t0, w_t1 = trim * w * treated * (1 - post), trim * w * treated * post
    w_c0, w_c1 = trim * w * odds * (1 - treated) * (1 - post), trim * w * odds * (1 - treated) * post
    w_d = trim * w * treated
    w_dt1, w_dt0 = w_t1, w_t0
    mt0, mt1, mc0, mc1, md = _mean(w_t0), _mean(w_t1), _mean(w_c0), _mean(w_c1), _mean(w_d)

    # the four weighted means of y - m_comparison(x), and the efficiency adjustment
    a_t0, a_t1 = _mean(w_t0 * resid) / mt0, _mean(w_t1 * resid) / mt1
    a_c0, a_c1 = _mean(w_c0 * resid) / mc0, _mean(w_c1 * resid) / mc1
    gap_post, gap_pre = out_t1 - out_c1, out_t0 - out_c0
    a_d_post, a_dt1_post = _mean(w_d * gap_post) / md, _mean(w_dt1 * gap_post) / mt1
    a_d_pre, a_dt0_pre = _mean(w_d * gap_pre) / md, _mean(w_dt0 * gap_pre) / mt0
    att = (a_t1 - a_t0) - (a_c1 - a_c0) + (a_d_post - a_dt1_post) - (a_d_pre - a_dt0_pre)

    # influence function: leading terms, then each nuisance model's estimation effect
    inf_treat = w_t1 * (resid - a_t1) / mt1 - w_t0 * (resid - a_t0) / mt0
    # comparison regressions enter the treated means through m_comparison(x): -d(mean)/d(beta) in
    # period t, +d(mean)/d(beta) in the base period (which enters the DiD with a minus sign).
    # DRDID's drdid_rc adds the base-period terms with the opposite sign; the numerical derivative
    # of the estimator (tests/did/test_repeated_cross_section.py) agrees with the signs used here.
    inf_treat = inf_treat - lin_c1 @ (_col_mean(w_t1, x) / mt1) + lin_c0 @ (_col_mean(w_t0, x) / mt0)
    inf_cont = w_c1 * (resid - a_c1) / mc1 - w_c0 * (resid - a_c0) / mc0
    m2 = _col_mean(w_c1 * (resid - a_c1), x) / mc1 - _col_mean(w_c0 * (resid - a_c0), x) / mc0
    inf_cont = inf_cont + lin_ps @ m2
    inf_cont = inf_cont - lin_c1 @ (_col_mean(w_c1, x) / mc1) + lin_c0 @ (_col_mean(w_c0, x) / mc0)
    inf_eff = (
        w_d * (gap_post - a_d_post) / md
        - w_dt1 * (gap_post - a_dt1_post) / mt1
        - w_d * (gap_pre - a_d_pre) / md
        + w_dt0 * (gap_pre - a_dt0_pre) / mt0
    )
    mom_post = _col_mean(w_d / md - w_dt1 / mt1, x)
    mom_pre = _col_mean(w_d / md - w_dt0 / mt0, x)
    inf_or = (lin_t1 - lin_c1) @ mom_post - (lin_t0 - lin_c0) @ mom_pre
    psi = inf_treat - inf_cont + inf_eff + inf_or
    return att, psi, {"n_trimmed": int((trim == 0).sum()), "converged": converged}


ESTIMATORS = {"dr": rc_dr, "reg": rc_reg, "ipw": rc_ipw}


# --------------------------------------------------------------------------------------
# all cells
# --------------------------------------------------------------------------------------


def estimate_cells(
    panel: Panel,
    period: np.ndarray,
    *,
    control_group: str,
    method: str,
    anticipation: int,
    base_period: str,
    cohorts: np.ndarray | None = None,
) -> CellEstimates:
    """Every ATT(g, t) from repeated cross-sections, with influence functions over the observations.

    The sample of a cell: observations of period ``t`` or of its base period that
    belong to cohort ``g`` or to its comparison group (never treated, or not yet
    treated by ``max(t, base) + anticipation``), as in R ``did``. Covariates are
    each observation's own.
    """
    if method not in ESTIMATORS:
        raise ValueError(
            f"method={method!r} is not available for repeated cross-sections (panel=False); use one of "
            f"{tuple(ESTIMATORS)}"
        )
    times = panel.times
    times_f = times.astype(float)
    n = panel.n_units
    plans = plan_cells(times, panel.cohorts if cohorts is None else cohorts, anticipation, base_period)
    cells = CellEstimates.empty(plans, times, n)
    # the loop below fills these arrays in place
    estimate, n_treated, n_control = cells.estimate, cells.n_treated, cells.n_control
    identified, reference, notes, issues = cells.identified, cells.reference, cells.note, cells.issues
    influence, roles = cells.influence, cells.roles

    obs = np.arange(n)
    y_obs = panel.outcome[period, obs]
    x_obs = np.ones((n, 1))
    if panel.covariates is not None:
        x_obs = np.column_stack([np.ones(n), panel.covariates[period, obs, :]])
    never_lo = panel.first_after(np.finfo(float).max)
    comparison = "never-treated" if control_group == "never_treated" else "not-yet-treated"

    for k, plan in enumerate(plans):
        g = plan.cohort
        if plan.base_index is None:
            notes[k] = plan.note
            continue
        ti, bi = plan.time_index, plan.base_index
        glo, ghi = panel.block(g)
        if control_group == "never_treated":
            ranges = [(never_lo, n)]
        else:
            start = panel.first_after(max(times_f[ti], times_f[bi]) + anticipation)
            ranges = [(start, glo), (ghi, n)] if glo >= start else [(start, n)]
        blocks = [(glo, ghi)] + [(a, b) for a, b in ranges if b > a]
        idx = np.concatenate([obs[a:b] for a, b in blocks])
        idx = idx[(period[idx] == ti) | (period[idx] == bi)]
        is_treated = panel.unit_cohort[idx] == g
        idx = np.concatenate([idx[is_treated], idx[~is_treated]])  # treated first
        nt = int(is_treated.sum())
        n1 = idx.shape[0]
        n_treated[k], n_control[k] = nt, n1 - nt
        roles[idx[:nt], k] = 1
        roles[idx[nt:], k] = 0
        if plan.reference:
            estimate[k], identified[k], reference[k], notes[k] = 0.0, True, True, plan.note
            continue

        treated = np.zeros(n1)
        treated[:nt] = 1.0
        post = (period[idx] == ti).astype(float)
        counts = {
            "treated observations in the base period": int(((treated == 1) & (post == 0)).sum()),
            "treated observations in period t": int(((treated == 1) & (post == 1)).sum()),
            f"{comparison} observations in the base period": int(((treated == 0) & (post == 0)).sum()),
            f"{comparison} observations in period t": int(((treated == 0) & (post == 1)).sum()),
        }
        short = [f"{c} {what}" for what, c in counts.items() if c < MIN_UNITS]
        if short:
            notes[k] = (
                f"too few observations: {' and '.join(short)} (base {_as_number(times[bi])}, "
                f"t {_as_number(times[ti])}; need {MIN_UNITS} of each)"
            )
            continue
        w = panel.weights[idx]
        if w[:nt].sum() <= 0 or w[nt:].sum() <= 0:
            notes[k] = "all treated or all comparison observations have zero weight"
            continue
        w = w / w.mean()
        x = x_obs[idx]
        keep = _independent_columns(x)
        dropped = [panel.covariate_names[j - 1] for j in range(1, x.shape[1]) if j not in set(keep.tolist())]
        x = np.ascontiguousarray(x[:, keep])
        label = _label(g, times[ti])
        if dropped:
            issues.setdefault("collinear", []).append(f"{label}: {', '.join(dropped)}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                att, psi, info = ESTIMATORS[method](y_obs[idx], post, treated, w, x)
        except _CellProblem as problem:
            notes[k] = str(problem)
            issues.setdefault("problem", []).append(f"{label}: {problem}")
            continue
        if not info.get("converged", True):
            issues.setdefault("convergence", []).append(label)
        if not (np.isfinite(att) and np.all(np.isfinite(psi))):
            notes[k] = "estimate is not finite"
            continue
        extra = []
        if dropped:
            extra.append(f"dropped collinear covariate(s) {', '.join(dropped)}")
        if info.get("n_trimmed"):
            extra.append(f"trimmed {info['n_trimmed']} comparison observation(s) with propensity score >= {TRIM_LEVEL}")
            issues.setdefault("trimmed", []).append(label)
        notes[k] = "; ".join(extra)
        estimate[k] = att
        identified[k] = True
        influence[idx, k] = psi * (n / n1)

    return cells


__all__ = ["cross_section_panel", "estimate_cells", "rc_dr", "rc_reg", "rc_ipw", "ESTIMATORS"]
