"""The interaction-weighted event study of Sun and Abraham (2021).

The dynamic TWFE regression (:func:`evaluation.did.event_study`) gives each
event-time coefficient a mix of effects from other event times when effects
differ across cohorts. Sun and Abraham saturate the regression instead: one
indicator per cohort and event time (except the reference, event time -1),
and only a clean control cohort without indicators -- the never-treated units,
or the last cohort to adopt in the years before it adopts. Each coefficient is
then a cohort-specific effect CATT(g, e); the event-time effect averages them
with the cohort's share of the observations at that event time (the
"interaction weights"), and the overall effect averages the post-adoption
cells with the same shares.

How it is computed. With a saturated set of indicators the regression
separates: each cohort's units identify their own period effects (unit
effects absorbed), the control units identify the common period effects, and
CATT(g, e) is the change of cohort g from period g - 1 to g + e minus the same
change of the controls. Covariates (shared slopes) are partialled out first
(Frisch-Waugh-Lovell). The point estimates and cluster-robust standard errors
are those of the full regression ``y ~ cohort x event-time indicators + x |
unit + period`` (``fixest::sunab``), with the small-sample factor of
``fixest``/``reghdfe`` (``G/(G-1) (N-1)/(N-K)``), computed per cohort without
building the cohorts x event times indicator matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import _fixed_effects as fe
from .results import Estimate, EventTimeCoefficients, WithEstimate, _html_table, _tidy_frame, _tidy_values, tidy_columns

CONTROLS = ("never_treated", "last_cohort")
Control = Literal["never_treated", "last_cohort"]
REFERENCE = -1


@dataclass(frozen=True, eq=False)
class SunAbrahamResult(WithEstimate, EventTimeCoefficients):
    """Interaction-weighted event-time effects (:func:`sun_abraham`).

    ``tidy()`` has one row per event time (the reference, -1, fixed at 0 with
    its note); ``cohort_effects()`` the cohort-specific effects CATT(g, e) that
    they average, and ``weights`` the interaction weights. ``coefficients`` and
    ``vcov`` include the reference event time (0, zero variance), the form
    :func:`evaluation.did.honest` and :func:`evaluation.did.pretrend_power` read.
    """

    settings: dict[str, Any]
    alpha: float
    event_time: np.ndarray
    values: Estimate
    overall: Estimate
    reference: int
    covariance: np.ndarray = field(repr=False)
    cells: pd.DataFrame = field(repr=False)
    n_obs: int = 0
    n_units: int = 0
    n_clusters: int = 0
    messages: tuple[str, ...] = ()

    @property
    def weights(self) -> pd.DataFrame:
        """Interaction weights: ``cohort, event_time, weight`` (each event time's weights sum to 1)."""
        c = self.cells[self.cells["identified"]]
        return c[["cohort", "event_time", "weight"]].reset_index(drop=True)

    def tidy(self) -> pd.DataFrame:
        """One row per event time in the shared tidy schema (index column ``event_time``)."""
        return _tidy_frame({"event_time": self.event_time}, _tidy_values(self))

    def cohort_effects(self) -> pd.DataFrame:
        """The cohort-specific effects CATT(g, e), shared schema with ``cohort, time, event_time``."""
        c = self.cells
        return _tidy_frame({"cohort": c["cohort"].to_numpy(), "time": c["time"].to_numpy(),
                            "event_time": c["event_time"].to_numpy()},
                           {k: c[k].to_numpy() if k != "note" else list(c[k]) for k in tidy_columns(())})

    def _repr_html_(self) -> str:
        o = self.overall
        shown = {k: (", ".join(v) if isinstance(v, tuple) else v) for k, v in self.settings.items()
                 if v not in (None, ())}
        header = {**shown, "observations": self.n_obs, "units": self.n_units,
                  "clustered by": f"{self.settings.get('cluster') or self.settings['unit']} ({self.n_clusters} clusters)",
                  "overall": f"{o.estimate:.4f} (s.e. {o.std_error:.4f}; {1 - self.alpha:.0%} CI "
                             f"{o.conf_low:.4f} to {o.conf_high:.4f})",
                  "intervals": f"{1 - self.alpha:.0%} pointwise"}
        return _html_table(self.tidy(), "Interaction-weighted event study (Sun and Abraham 2021)", header,
                           " ".join(self.messages))

    def __repr__(self) -> str:
        o = self.overall
        return (f"SunAbrahamResult({len(self.event_time)} event times, control={self.settings['control']!r}, "
                f"overall={o.estimate:.6g} (se {o.std_error:.6g}))")


class _GroupFit:
    """OLS weights of the period effects of one group of units (unit effects absorbed).

    Only contrasts of period effects are used (``t`` minus the reference), so
    the weights are stored up to a constant per observation. A balanced group
    (every unit seen in the same periods) has the closed form ``1[time = t] /
    n_units``: the contrast is the difference of the two periods' means. Any
    other group solves its normal equations (``within (within' within)^+``).
    """

    # Set by sun_abraham once the covariates are partialled out: the period effects of the outcome, those of
    # the covariates (None without covariates) and the cluster scores of the period effects.
    tau: np.ndarray
    wx: np.ndarray | None
    score: np.ndarray

    def __init__(self, rows: np.ndarray, unit_c: np.ndarray, time_c: np.ndarray, n_periods: int):
        self.rows, self.n_periods = rows, n_periods
        self.unit = fe.codes(unit_c[rows])[0]
        self.time = time_c[rows]
        n_units = int(self.unit.max()) + 1
        per_unit = np.bincount(self.unit, minlength=n_units)
        seen = np.bincount(self.time, minlength=n_periods)
        self.balanced = bool((seen[seen > 0] == n_units).all() and (per_unit == per_unit[0]).all())
        self.n_units = n_units
        self.weights: np.ndarray | None
        if self.balanced:
            self.null = np.zeros((n_periods, 0))
            self.weights = None
        else:
            dummies = np.zeros((rows.size, n_periods))
            dummies[np.arange(rows.size), self.time] = 1.0
            self.within = dummies - fe.group_means(dummies, self.unit, n_units)[self.unit]
            gram = self.within.T @ self.within
            eigval, eigvec = np.linalg.eigh(gram)
            keep = eigval > 1e-9 * max(eigval.max(), 1.0)
            self.null = eigvec[:, ~keep]
            pinv = (eigvec[:, keep] / eigval[keep]) @ eigvec[:, keep].T
            self.weights = self.within @ pinv

    def effects(self, y: np.ndarray) -> np.ndarray:
        """Period effects (up to a constant) of outcome/covariate columns ``y`` (rows x k -> periods x k)."""
        if self.balanced:
            out = np.zeros((self.n_periods, y.shape[1]))
            np.add.at(out, self.time, y)
            return out / self.n_units
        assert self.weights is not None  # set for every group that is not balanced
        return self.weights.T @ y

    def residuals(self, y: np.ndarray) -> np.ndarray:
        """Residuals of ``y`` (a vector, or rows x k) on unit and period effects within the group."""
        flat = y.ndim == 1
        y2 = y[:, None] if flat else y
        yw = y2 - fe.group_means(y2, self.unit, self.n_units)[self.unit]
        if self.balanced:
            period_mean = np.zeros((self.n_periods, y2.shape[1]))
            np.add.at(period_mean, self.time, yw)
            out = yw - (period_mean / self.n_units)[self.time]
        else:
            assert self.weights is not None  # set for every group that is not balanced
            out = yw - self.within @ (self.weights.T @ y2)
        return out[:, 0] if flat else out

    def scores(self, resid: np.ndarray, clusters: np.ndarray, n_clusters: int) -> np.ndarray:
        """Cluster sums of (period-effect weights x residuals), clusters x periods."""
        if self.balanced:
            flat = np.bincount(clusters * self.n_periods + self.time, weights=resid / self.n_units,
                               minlength=n_clusters * self.n_periods)
            return flat.reshape(n_clusters, self.n_periods)
        out = np.zeros((n_clusters, self.n_periods))
        np.add.at(out, clusters, self.weights * resid[:, None])
        return out

    def estimable(self, a: int, b: int) -> bool:
        """Whether the contrast of periods ``a`` and ``b`` is pinned down (connected within the group)."""
        c = np.zeros(self.n_periods)
        c[a], c[b] = 1.0, -1.0
        return bool(np.abs(c @ self.null).max(initial=0.0) < 1e-8)


def sun_abraham(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str,
                control: Control = "never_treated", covariates: str | list[str] | tuple[str, ...] | None = None,
                cluster: str | None = None, *, alpha: float = 0.05) -> SunAbrahamResult:
    """Interaction-weighted event study and overall effect (Sun and Abraham 2021).

    Fits ``outcome ~ sum_{g, e != -1} 1[cohort = g] 1[time - g = e] + covariates
    + unit effects + period effects`` by OLS, with indicators for every adoption
    cohort and event time except the reference (-1) and none for the control
    cohort; then averages the cohort-specific effects CATT(g, e) at each event
    time with weights equal to cohort g's share of the observations at event
    time e, and the post-adoption cells with each cell's share of the
    post-adoption observations (the overall effect, as ``fixest``'s
    ``aggregate(..., "ATT")`` and ``diff-diff``'s ``SunAbraham``).

    Identifying assumptions (Sun and Abraham 2021, Assumptions 1-3): parallel
    trends between every cohort and the control cohort, no anticipation, and
    -- for the control cohort -- no treatment in the periods used. Effects may
    differ arbitrarily across cohorts and event times.

    Parameters
    ----------
    data : DataFrame
        Long panel (balanced or not). Not modified.
    outcome, unit, time, cohort : str
        Column names; ``cohort`` is the first treated period (0 or missing: never).
    control : {"never_treated", "last_cohort"}
        ``never_treated``: the units that never adopt are the controls, all
        periods are used. ``last_cohort``: the last cohort to adopt is the
        control, and only the periods before it adopts are used (then the
        never-treated units, if any, are left out so that the control is one
        cohort, as in Sun and Abraham's Section 4.1; a message says so).
    covariates : str or list, optional
        A time-varying covariate enters linearly with a common slope (``y ~ x +
        sunab(...)`` in ``fixest``). A covariate constant within units (an
        entity trait) would be absorbed by the unit effects; it enters
        interacted with period indicators instead (``i(time, x)`` in ``fixest``),
        so that trends may differ with it -- parallel trends conditional on it,
        with its period slopes common to all cohorts and the controls.
    cluster : str, optional
        Cluster column (default: unit).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    SunAbrahamResult

    Notes
    -----
    Standard errors treat the interaction weights as fixed (as ``fixest`` and
    ``diff-diff``); Sun and Abraham's Proposition 6 adds the variance of the
    estimated shares, which is of order ``1/n`` of the cohort sizes and
    negligible at the sample sizes here. Units treated from their first
    observed period stay in (their later periods still inform their cohort's
    effects, as in the regression); a cohort with no observation at all in the
    year before adoption has its cells marked not identified. Event time counts
    periods of the panel (``time - g`` on consecutive whole-number periods), so
    periods coded in tenths, every second year or with uneven gaps give the
    same event study as 1, 2, ..., with the period before adoption as the
    reference.

    References
    ----------
    Sun, L. and Abraham, S. (2021). Estimating dynamic treatment effects in
    event studies with heterogeneous treatment effects. Journal of
    Econometrics 225(2), 175-199.
    """
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {CONTROLS}, not {control!r}")
    covs = () if covariates is None else ((covariates,) if isinstance(covariates, str) else tuple(covariates))
    extra = tuple(dict.fromkeys(list(covs) + ([cluster] if cluster and cluster not in (unit, time, cohort) else [])))
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, cohort=cohort, columns=extra,
                       covariates=tuple(covs))
    messages: list[str] = []
    for c in covs:
        x = pd.to_numeric(frame[c], errors="coerce")
        if x.isna().any():
            messages.append(f"{int(x.isna().sum())} observation(s) with missing '{c}' were left out.")
        frame[c] = x
    frame = frame.dropna(subset=list(covs)).reset_index(drop=True)
    cohorts_all = np.unique(frame.loc[np.isfinite(frame["cohort"]), "cohort"])
    has_never = bool((~np.isfinite(frame["cohort"])).any())
    if cohorts_all.size == 0:
        raise ValueError(f"no unit in '{cohort}' adopts within the data; there is no effect to estimate")
    if control == "never_treated":
        if not has_never:
            raise ValueError(
                f"sun_abraham(control='never_treated') needs never-treated units, and no unit in '{cohort}' is "
                "never treated (cohort 0 or missing). Use control='last_cohort' to compare with the last cohort "
                f"to adopt ({cohorts_all[-1]:g}) in the years before it adopts"
                + ("." if cohorts_all.size > 1 else
                   "; here that is not possible either, as all adopters form one cohort."))
        control_cohort = np.inf
    else:
        if cohorts_all.size < 2:
            raise ValueError(
                f"sun_abraham(control='last_cohort') needs at least two adoption cohorts (the last one is the "
                f"control), and '{cohort}' has only {cohorts_all[0]:g}"
                + (". Use control='never_treated'." if has_never else
                   " and no never-treated units: Sun-Abraham cannot be estimated on these data."))
        control_cohort = float(cohorts_all[-1])
        if has_never:
            messages.append(f"{frame.loc[~np.isfinite(frame['cohort']), 'unit'].nunique()} never-treated unit(s) "
                            f"were left out: the control is the last cohort ({control_cohort:g}).")
        late = int((np.isfinite(frame["cohort"]) & (frame["time"] >= control_cohort)).sum())
        if late:
            messages.append(f"{late} observation(s) from period {control_cohort:g} on were left out: the control "
                            "cohort is treated from then.")
        frame = frame[np.isfinite(frame["cohort"]) & (frame["time"] < control_cohort)].reset_index(drop=True)
        if not (frame["cohort"] < control_cohort).any():
            raise ValueError("no cohort adopts before the last cohort within the data")
    frame["unit_code"], _ = fe.codes(frame["unit"])
    frame["time_code"], periods = fe.codes(frame["time"])
    unit_c, time_c = frame["unit_code"].to_numpy(), frame["time_code"].to_numpy()
    n_periods = periods.size
    coh = frame["cohort"].to_numpy(float)
    is_control = coh == control_cohort
    cohorts = np.unique(coh[~is_control])
    y = frame["y"].to_numpy(float)
    clusters, nested = _clusters(frame, "time" if cluster == time else cluster, unit)
    n_clusters = int(clusters.max()) + 1
    if n_clusters < 2:
        raise ValueError(f"sun_abraham: cluster column '{cluster}' has a single value "
                         f"({frame['time' if cluster == time else cluster].iloc[0]!r}) in the estimation sample, and "
                         "cluster-robust standard errors need at least two clusters: leave cluster=None (cluster by "
                         "unit) or cluster by a finer variable")

    groups = [np.nonzero(is_control)[0]] + [np.nonzero(coh == g)[0] for g in cohorts]
    fits = [_GroupFit(rows, unit_c, time_c, n_periods) for rows in groups]
    # ---- covariates: partial out unit effects and group-specific period effects (the saturated design)
    x, cov_terms = _covariate_terms(frame, covs, time_c, n_periods)
    k_cov = x.shape[1]
    x_abs = np.zeros((len(frame), k_cov))
    h_x: np.ndarray = np.zeros((0, 0))
    if k_cov:
        y_abs = np.zeros(len(frame))
        for f in fits:
            y_abs[f.rows] = f.residuals(y[f.rows])
            x_abs[f.rows] = f.residuals(x[f.rows])
        gram_x = x_abs.T @ x_abs
        if np.linalg.matrix_rank(gram_x) < k_cov:
            raise ValueError(f"the covariate terms of {list(covs)} are collinear with each other or with the cohort "
                             "x event-time indicators and the unit and period effects; leave out the redundant ones")
        h_x = np.linalg.inv(gram_x)
        gamma = h_x @ (x_abs.T @ y_abs)
        y = y - x @ gamma

    # ---- each group's period effects, residuals and cluster sums of (OLS weights x residuals)
    resid = np.zeros(len(frame))
    for f in fits:
        f.tau = f.effects(y[f.rows][:, None])[:, 0]
        f.wx = f.effects(x[f.rows]) if k_cov else None
        resid[f.rows] = f.residuals(y[f.rows])
    scores_x = np.zeros((n_clusters, k_cov))
    if k_cov:
        np.add.at(scores_x, clusters, x_abs * resid[:, None])
        scores_x = scores_x @ h_x  # cluster scores of gamma
    for f in fits:
        s = f.scores(resid[f.rows], clusters[f.rows], n_clusters)
        if k_cov:  # period effects are fit on y - x gamma: d tau = W'e - (W'x) d gamma
            assert f.wx is not None  # set above when there are covariates
            s = s - scores_x @ f.wx.T
        f.score = s

    # ---- cohort-specific effects CATT(g, e) and their cluster scores
    period_pos = {float(p): j for j, p in enumerate(periods)}
    ctrl = fits[0]
    ctrl_times = set(ctrl.time.tolist())
    cell_rows, cell_scores = [], []
    counts = frame.groupby(["cohort", "time_code"]).size()
    # Event time counts periods (ranks), so the reference is the period before adoption whatever
    # the coding (0.1 steps, every second year, uneven gaps); on consecutive integers it is
    # time - cohort. A cohort adopting before the first period has no rank: count its gap in
    # units of the smallest step between periods (its cells are not identified in any case).
    step = float(np.diff(periods.astype(float)).min()) if n_periods > 1 else 1.0
    for g, f in zip(cohorts, fits[1:]):
        g_pos = period_pos.get(float(g))
        base = g_pos - 1 if g_pos is not None and g_pos >= 1 else None
        obs_times = sorted(set(f.time.tolist()))
        for t in obs_times:
            if t == base:
                continue
            e = (float(t - g_pos) if g_pos is not None
                 else float(t) + float(np.round((float(periods[0]) - float(g)) / step)))
            note, ok = "", True
            if base is None or base not in obs_times:
                ok, note = False, "cohort not observed in the year before adoption (the reference)"
            elif t not in ctrl_times or base not in ctrl_times:
                ok, note = False, "no control observation in this period or the reference period"
            elif not (f.estimable(t, base) and ctrl.estimable(t, base)):
                ok, note = False, "period not connected to the reference period within the cohort or the controls"
            est = (f.tau[t] - f.tau[base]) - (ctrl.tau[t] - ctrl.tau[base]) if ok else np.nan
            sc = ((f.score[:, t] - f.score[:, base]) - (ctrl.score[:, t] - ctrl.score[:, base])
                  if ok else np.zeros(n_clusters))
            n_ge = int(counts.get((g, t), 0))
            cell_rows.append({"cohort": g, "time": float(periods[t]), "event_time": e, "estimate": est,
                              "n_obs": n_ge, "n_treated": n_ge,  # (unit, time) rows are unique
                              "identified": ok, "note": note})
            cell_scores.append(sc)
    cells = pd.DataFrame(cell_rows)
    scores = np.column_stack(cell_scores) if cell_scores else np.zeros((n_clusters, 0))

    # ---- small-sample factor of fixest / reghdfe: coefficients + period effects (+ unit effects if not nested)
    n_obs = len(frame)
    n_coef = int(cells.shape[0]) + k_cov
    k_total = n_coef + (n_periods - 1) + (0 if nested else int(unit_c.max()))
    factor = (n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - k_total)
              if n_clusters > 1 and n_obs > k_total else np.nan)
    scores = scores * np.sqrt(factor)
    cells["std_error"] = np.where(cells["identified"], np.sqrt((scores**2).sum(axis=0)), np.nan)
    cells["conf_low"], cells["conf_high"] = fe.interval(cells["estimate"], cells["std_error"], alpha)
    n_control_units = ctrl.n_units
    cells["n_control"] = n_control_units
    # interaction weights: cohort shares of the observations at each event time, over identified cells
    ident = cells["identified"].to_numpy(bool)
    mass = np.where(ident, cells["n_obs"].to_numpy(float), 0.0)
    totals = pd.Series(mass).groupby(cells["event_time"].to_numpy()).transform("sum").to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["weight"] = np.where(ident, mass / totals, 0.0)
    est_cells = np.nan_to_num(cells["estimate"].to_numpy(float))

    # ---- event-time effects and the overall effect: fixed linear combinations of the cells
    times = np.array(sorted(set(cells["event_time"].tolist()) | {float(REFERENCE)}))
    combos = np.zeros((times.size, cells.shape[0]))
    pos = {e: j for j, e in enumerate(times)}
    for j, (e, w) in enumerate(zip(cells["event_time"], cells["weight"])):
        combos[pos[e], j] = w
    post = ident & (cells["event_time"].to_numpy() >= 0)
    overall_w = np.where(post, mass, 0.0)
    overall_w = overall_w / overall_w.sum() if overall_w.sum() > 0 else overall_w
    est = combos @ est_cells
    sc_t = scores @ combos.T
    cov = sc_t.T @ sc_t
    se = np.sqrt(np.diag(cov)).copy()
    identified = np.array([e == REFERENCE or bool((ident & (cells["event_time"].to_numpy() == e)).any())
                           for e in times])
    est = np.where(identified, est, np.nan)
    se = np.where(identified & (times != REFERENCE), se, np.nan)
    low, high = fe.interval(est, se, alpha)
    notes = []
    n_tr = []
    for e in times:
        rows = cells[cells["event_time"] == e]
        left = rows[~rows["identified"]]
        n_tr.append(int(rows.loc[rows["identified"], "n_treated"].sum()))
        if e == REFERENCE:
            notes.append("reference period (normalised to 0)")
        elif not len(rows) or not rows["identified"].any():
            notes.append("no identified cohort at this event time")
        elif len(left):
            notes.append(f"{len(left)} cohort(s) not identified at this event time were left out: "
                         + ", ".join(f"{g:g}" for g in left["cohort"]))
        else:
            notes.append("")
    if post.any():
        o_sc = scores @ overall_w
        o_est, o_se = float(overall_w @ est_cells), float(np.sqrt(o_sc @ o_sc))
        o_low, o_high = fe.interval(o_est, o_se, alpha)
        overall = Estimate(o_est, o_se, float(o_low), float(o_high),
                           int(np.unique(unit_c[np.isin(coh, cells.loc[post, "cohort"])]).size),
                           n_control_units, True,
                           f"average of {int(mass[post].sum())} post-adoption observations of "
                           f"{int(post.sum())} cohort-event-time cells, weighted by observations")
    else:
        overall = Estimate(np.nan, np.nan, np.nan, np.nan, 0, n_control_units, False,
                           "no identified post-adoption cell")
    event_time = times.astype(int) if np.all(np.mod(times, 1) == 0) else times
    cells["event_time"] = cells["event_time"].astype(event_time.dtype)
    if np.all(np.mod(cells["cohort"], 1) == 0) and np.all(np.mod(cells["time"], 1) == 0):
        cells["cohort"] = cells["cohort"].astype(np.int64)
        cells["time"] = cells["time"].astype(np.int64)
    settings = {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "control": control,
                "control cohort": "never treated" if control == "never_treated" else f"{control_cohort:g}",
                "covariates": covs, "covariate terms": len(cov_terms), "cluster": cluster}
    return SunAbrahamResult(settings=settings, alpha=alpha, event_time=event_time,
                            values=Estimate(est, se, low, high, np.array(n_tr, dtype=int),
                                            np.full(times.size, n_control_units), identified, tuple(notes)),
                            overall=overall, reference=REFERENCE, covariance=cov, cells=cells, n_obs=n_obs,
                            n_units=int(unit_c.max()) + 1, n_clusters=n_clusters, messages=tuple(messages))


def _covariate_terms(frame: pd.DataFrame, covs: tuple[str, ...], time_c: np.ndarray,
                     n_periods: int) -> tuple[np.ndarray, list[str]]:
    """Regressors of the covariates: a time-varying one as it is; one constant within units times the
    indicators of every period but the first (the first is absorbed with the unit effects)."""
    cols, names = [], []
    for c in covs:
        v = frame[c].to_numpy(float)
        if frame.assign(_v=v).groupby("unit")["_v"].nunique().max() <= 1:
            block = np.zeros((v.size, n_periods))
            block[np.arange(v.size), time_c] = v
            cols.append(block[:, 1:])
            names += [f"{c} x period {j}" for j in range(1, n_periods)]
        else:
            cols.append(v[:, None])
            names.append(c)
    if not cols:
        return np.zeros((len(frame), 0)), []
    return np.hstack(cols), names


def _clusters(frame: pd.DataFrame, cluster: str | None, unit: str) -> tuple[np.ndarray, bool]:
    """Cluster codes per observation and whether units are nested in clusters."""
    if cluster in (None, unit):
        return frame["unit_code"].to_numpy(), True
    if frame[cluster].isna().any():
        raise ValueError(f"cluster column '{cluster}' has {int(frame[cluster].isna().sum())} missing value(s); "
                         "fill them in or drop those rows")
    codes_, _ = fe.codes(frame[cluster].astype(str))
    return codes_, fe.nested(frame["unit_code"].to_numpy(), codes_)
