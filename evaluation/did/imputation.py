"""The imputation estimator of Borusyak, Jaravel and Spiess (2024).

Fit a model of the untreated outcome -- unit effects, period effects and
covariate terms -- on the untreated observations only (never treated, and
adopters before adoption); impute each treated observation's untreated
outcome from it; the difference is that observation's effect; average the
effects by years since adoption. Because the model never sees a treated
observation, no treated unit serves as a control, and under parallel trends and
no anticipation the estimator is unbiased for any pattern of effects.

Standard errors are the conservative, unit-clustered ones of BJS (2024,
Theorem 3): every estimate is linear in the outcomes, ``sum v_it Y_it``, and the
variance is ``sum_clusters (sum v_it e_it)^2`` with ``e_it`` the residuals of the
untreated model, and for treated observations the deviation of their effect
from the average effect of their cohort and horizon (the heterogeneity across
those cells is what makes the variance conservative).

The pre-trend test is BJS's Test 1: add indicators for the last ``pretrends``
years before adoption to the untreated model, fit on untreated observations,
and test that their coefficients are zero (cluster-robust Wald test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _fixed_effects as fe
from .distributions import chi2_sf
from .results import Estimate, PretestResult, WithEstimate, _html_table, _tidy_frame, _tidy_values

PRETREND_NOTE = "pre-trend coefficient (BJS test 1), relative to earlier untreated years"


@dataclass(frozen=True, eq=False)
class ImputationResult(WithEstimate):
    """Event-time effects by imputation (:func:`imputation`).

    ``tidy()`` lists the pre-trend coefficients (negative event times, from the
    pre-trend regression; they are not effects and use a different reference)
    and the effects by horizon (event times 0, 1, ...). ``overall`` averages all
    treated observations in the horizons; ``pretest()`` is the Wald test of the
    pre-trend coefficients. ``coefficients``/``vcov`` hold the horizons only.
    """

    settings: dict[str, Any]
    alpha: float
    event_time: np.ndarray
    values: Estimate
    overall: Estimate
    pretest_result: PretestResult
    horizon_vcov: np.ndarray = field(repr=False)
    effects: pd.DataFrame = field(repr=False)
    messages: tuple[str, ...] = ()
    #: Covariance of the pre-trend coefficients (the negative event times, in order), and their exact
    #: response to a linear trend of slope 1 in adopters' untreated outcomes (for did.pretrend_power).
    pretrend_vcov: np.ndarray | None = field(default=None, repr=False)
    pretrend_shape: np.ndarray | None = field(default=None, repr=False)

    def tidy(self) -> pd.DataFrame:
        return _tidy_frame({"event_time": self.event_time}, _tidy_values(self))

    def pretest(self) -> PretestResult:
        return self.pretest_result

    @property
    def coefficients(self) -> pd.Series:
        post = self.event_time >= 0
        return pd.Series(self.estimate[post], index=pd.Index(self.event_time[post], name="event_time"), name="estimate")

    @property
    def vcov(self) -> pd.DataFrame:
        idx = pd.Index(self.event_time[self.event_time >= 0], name="event_time")
        return pd.DataFrame(self.horizon_vcov, index=idx, columns=idx)

    def _repr_html_(self) -> str:
        o = self.overall
        shown = {k: (", ".join(v) if isinstance(v, tuple) else v) for k, v in self.settings.items()
                 if v not in (None, ())}
        header = {**shown,
                  "overall": f"{o.estimate:.4f} (s.e. {o.std_error:.4f})",
                  "pre-trend test": f"chi2({self.pretest_result.df}) = {self.pretest_result.statistic:.3f}, "
                                    f"p = {self.pretest_result.p_value:.4f}",
                  "standard errors": "conservative (BJS 2024, Theorem 3), clustered by "
                                     + (self.settings.get("cluster") or "unit")}
        return _html_table(self.tidy(), "Imputation estimator (Borusyak, Jaravel and Spiess 2024)", header,
                           " ".join(self.messages))


def _covariate_terms(frame: pd.DataFrame, covariates: tuple[str, ...],
                     time_code: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Columns of the untreated model beyond the two-way effects.

    A covariate constant within units enters interacted with period indicators
    (its effect on the outcome may change each year: parallel trends
    conditional on it); a time-varying covariate enters linearly.
    """
    n_periods = int(time_code.max()) + 1
    cols, names = [], []
    for c in covariates:
        x = pd.to_numeric(frame[c], errors="coerce").to_numpy(float)
        if frame.assign(_x=x).groupby("unit")["_x"].nunique(dropna=False).max() <= 1:
            block = np.zeros((x.size, n_periods))
            block[np.arange(x.size), time_code] = x
            cols.append(block)
            names += [f"{c} x period {t}" for t in range(n_periods)]
        else:
            cols.append(x[:, None])
            names.append(c)
    if not cols:
        return np.zeros((len(frame), 0)), []
    return np.hstack(cols), names


def imputation(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str,
               covariates: str | list[str] | tuple[str, ...] | None = None, horizons=None,
               pretrends: int | None = None, cluster: str | None = None, *, alpha: float = 0.05) -> ImputationResult:
    """Event-time effects by the imputation estimator (Borusyak, Jaravel and Spiess 2024).

    Identifying assumptions (BJS 2024, Assumptions 1-2): parallel trends -- the
    untreated outcome is unit effect + period effect (+ covariate terms) + noise
    with mean zero -- and no anticipation (untreated observations before
    adoption are untreated outcomes). Effects may differ arbitrarily across
    units, cohorts and years.

    Parameters
    ----------
    data : DataFrame
        Long panel (balanced or not). Not modified.
    outcome, unit, time, cohort : str
        Column names; ``cohort`` is the first treated period (0 or missing: never).
    covariates : str or list, optional
        Covariates of the untreated model. Constant within unit: interacted with
        period indicators (conditional parallel trends, like ``att_gt``'s); varying:
        linear.
    horizons : sequence of int, optional
        Event times (>= 0) to report; default every one with treated observations.
        The overall effect averages the treated observations in these horizons.
    pretrends : int, optional
        Number of pre-adoption years tested (event times -1 ... -pretrends); the
        earlier untreated years and the never-treated units form the reference.
        Default: 3, or fewer when the data have fewer years before adoption
        (at least one must stay in the reference). 0 skips the test. Testing
        every pre-adoption year would leave as reference only the earliest
        year of the latest cohort, a fragile comparison.
    cluster : str, optional
        Cluster column, constant within unit (default: unit).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    ImputationResult

    Notes
    -----
    A treated observation whose untreated outcome cannot be imputed -- its unit
    has no untreated observation, or its period none with the comparison units
    it needs -- is left out of the averages, and the row's note says how many.

    References
    ----------
    Borusyak, K., Jaravel, X. and Spiess, J. (2024). Revisiting event-study
    designs: robust and efficient estimation. Review of Economic Studies 91(6),
    3253-3285.
    """
    covs = () if covariates is None else ((covariates,) if isinstance(covariates, str) else tuple(covariates))
    extra = tuple(dict.fromkeys(list(covs) + ([cluster] if cluster and cluster not in (unit, time, cohort) else [])))
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, cohort=cohort, columns=extra,
                       covariates=tuple(covs))
    messages: list[str] = []
    for c in covs:
        x = pd.to_numeric(frame[c], errors="coerce")
        if x.isna().any():
            n_bad = int(frame.loc[x.isna(), "unit"].nunique())
            messages.append(f"{n_bad} unit(s) with missing '{c}' were left out.")
            frame = frame[x.notna()]
    frame = frame.reset_index(drop=True)
    frame["unit_code"], _ = fe.codes(frame["unit"])
    frame["time_code"], _ = fe.codes(frame["time"])
    if cluster not in (None, unit):
        if not fe.nested(frame["unit_code"].to_numpy(), fe.codes(frame[cluster].astype(str))[0]):
            raise ValueError(f"cluster column '{cluster}' must be constant within a unit")
        clusters = fe.codes(frame[cluster].astype(str))[0]
    else:
        clusters = frame["unit_code"].to_numpy()
    n_clusters = int(clusters.max()) + 1

    cohort_f = frame["cohort"].to_numpy(float)
    t = frame["time"].to_numpy(float)
    event = t - cohort_f  # -inf for never treated
    treated = np.isfinite(cohort_f) & (event >= 0)
    unit_c, time_c = frame["unit_code"].to_numpy(), frame["time_code"].to_numpy()
    n_units = int(unit_c.max()) + 1
    y = frame["y"].to_numpy(float)
    terms, _ = _covariate_terms(frame, covs, time_c)
    n_periods = int(time_c.max()) + 1
    z = np.hstack([np.eye(n_periods)[time_c], terms])  # period effects and covariate terms

    # ---- the untreated model, by Frisch-Waugh-Lovell: unit effects absorbed by within-unit demeaning
    untreated = ~treated
    if not untreated.any():
        raise ValueError("no untreated observation to fit the untreated-outcome model")
    u0, z0, y0 = unit_c[untreated], z[untreated], y[untreated]
    n_i0 = np.bincount(u0, minlength=n_units).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        sums = np.vstack([np.bincount(u0, weights=z0[:, j], minlength=n_units) for j in range(z.shape[1])]).T
        zbar = sums / n_i0[:, None]
        ybar = np.bincount(u0, weights=y0, minlength=n_units) / n_i0
    zw = z0 - zbar[u0]
    yw = y0 - ybar[u0]
    gram = zw.T @ zw
    gram_pinv = np.linalg.pinv(gram, rcond=1e-10, hermitian=True)
    theta = gram_pinv @ (zw.T @ yw)
    resid0 = yw - zw @ theta
    # null space of the demeaned design: directions the untreated data cannot pin down
    eigval, eigvec = np.linalg.eigh(gram)
    null = eigvec[:, eigval <= 1e-10 * max(eigval.max(), 1.0)]

    # ---- imputed effects of treated observations
    idx1 = np.nonzero(treated)[0]
    u1 = unit_c[idx1]
    dz = np.nan_to_num(z[idx1] - zbar[u1])  # units with no untreated observation have NaN means
    has_unit = n_i0[u1] > 0
    # estimable: the row's contrast has no component in the null space of the untreated design
    off = np.abs(dz @ null).max(axis=1, initial=0.0)
    estimable = has_unit & (off < 1e-7 * (1 + np.abs(dz).max(axis=1)))
    tau = np.where(estimable, y[idx1] - (ybar[u1] + dz @ theta), np.nan)
    h1 = event[idx1].astype(int)
    g1 = cohort_f[idx1]
    no_unit = int((~has_unit).sum())
    other = int((has_unit & ~estimable).sum())
    if no_unit:
        messages.append(f"{no_unit} treated observation(s) of {np.unique(u1[~has_unit]).size} unit(s) treated in every "
                        "year observed could not be imputed (no untreated year of their own) and were left out.")
    if other:
        messages.append(f"{other} treated observation(s) could not be imputed (no untreated observation of comparable "
                        "units in their year) and were left out.")

    available = sorted(set(h1[estimable].tolist()))
    if horizons is None:
        chosen = available
    else:
        chosen = sorted(int(h) for h in horizons)
        if any(h < 0 for h in chosen):
            raise ValueError("horizons are event times >= 0; pre-adoption years are tested with pretrends")
    # ---- targets: one per horizon plus the overall average
    targets = [(h1 == h) & estimable for h in chosen] + [np.isin(h1, chosen) & estimable]
    w1 = np.column_stack([m / m.sum() if m.any() else np.zeros(m.size) for m in targets])
    # weights v on untreated observations: minus the imputation weights (see module docstring)
    a_unit = np.vstack([np.bincount(u1, weights=w1[:, k], minlength=n_units) for k in range(w1.shape[1])]).T
    g_vec = dz.T @ w1  # (terms x targets)
    with np.errstate(invalid="ignore", divide="ignore"):
        v0 = -(np.nan_to_num(a_unit[u0] / n_i0[u0][:, None]) + zw @ (gram_pinv @ g_vec))
    # auxiliary residuals of treated observations: effect minus its cohort-by-horizon average (BJS eq. 8)
    cell = pd.factorize(pd.Series(list(zip(g1, h1))))[0]
    eps1 = np.zeros_like(w1)
    for k in range(w1.shape[1]):
        v = w1[:, k]
        use = (v != 0) & estimable
        num = np.bincount(cell[use], weights=(v[use] ** 2) * tau[use], minlength=cell.max() + 1)
        den = np.bincount(cell[use], weights=v[use] ** 2, minlength=cell.max() + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            tilde = num / den
        eps1[:, k] = np.where(use, tau - tilde[cell], 0.0)
    scores = np.zeros((n_clusters, w1.shape[1]))
    np.add.at(scores, clusters[untreated], v0 * resid0[:, None])
    np.add.at(scores, clusters[idx1], w1 * eps1)
    cov = scores.T @ scores
    est = np.array([float(np.nansum(w1[:, k] * np.where(estimable, tau, 0.0))) if targets[k].any() else np.nan
                    for k in range(w1.shape[1])])
    se = np.sqrt(np.diag(cov))
    se = np.where(np.isnan(est), np.nan, se)
    low, high = fe.interval(est, se, alpha)
    n_controls = int(np.unique(u0).size)
    rows_units = [int(np.unique(u1[m]).size) for m in targets]
    missing_h = [(~estimable & (h1 == h)).sum() for h in chosen]

    # ---- pre-trend test (BJS test 1)
    pre_rows = _pretrend_test(frame, untreated, event, unit_c, time_c, terms, clusters, pretrends, alpha)

    horizon_notes = [("no treated observation could be imputed at this horizon" if not targets[k].any() else
                      f"{missing_h[k]} treated observation(s) not imputed" if missing_h[k] else "")
                     for k in range(len(chosen))]
    k_h = len(chosen)
    event_time = np.r_[pre_rows["event_time"], np.array(chosen, dtype=float)].astype(int)
    result_est = np.r_[pre_rows["estimate"], est[:k_h]]
    result_se = np.r_[pre_rows["std_error"], se[:k_h]]
    result_lo = np.r_[pre_rows["conf_low"], low[:k_h]]
    result_hi = np.r_[pre_rows["conf_high"], high[:k_h]]
    n_tr = np.r_[pre_rows["n_treated"], rows_units[:k_h]].astype(int)
    n_co = np.full(event_time.size, n_controls)
    ident = np.isfinite(result_est)
    notes = tuple(pre_rows["note"]) + tuple(horizon_notes)
    overall = Estimate(float(est[-1]), float(se[-1]), float(low[-1]), float(high[-1]), rows_units[-1],
                       n_controls, bool(np.isfinite(est[-1])),
                       f"average of {int(targets[-1].sum())} treated observations in event times "
                       f"{chosen[0]}-{chosen[-1]}" if chosen else "no horizon")
    effects = pd.DataFrame({"unit": frame["unit"].to_numpy()[idx1], "time": t[idx1], "cohort": g1, "event_time": h1,
                            "effect": tau})
    settings = {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "covariates": covs,
                "cluster": cluster, "pretrends": pre_rows["n_leads"]}
    return ImputationResult(settings=settings, alpha=alpha, event_time=event_time,
                            values=Estimate(result_est, result_se, result_lo, result_hi, n_tr, n_co, ident, notes),
                            overall=overall,
                            pretest_result=pre_rows["pretest"], horizon_vcov=cov[:k_h, :k_h], effects=effects,
                            messages=tuple(messages + pre_rows["messages"]), pretrend_vcov=pre_rows.get("vcov"),
                            pretrend_shape=pre_rows.get("shape"))


def _pretrend_test(frame, untreated, event, unit_c, time_c, terms, clusters, pretrends, alpha) -> dict:
    """BJS test 1: lead indicators added to the untreated model, Wald test that they are zero."""
    empty = {"event_time": np.zeros(0), "estimate": np.zeros(0), "std_error": np.zeros(0), "conf_low": np.zeros(0),
             "conf_high": np.zeros(0), "n_treated": np.zeros(0), "note": [], "messages": [], "n_leads": 0}
    pre_events = event[untreated & np.isfinite(event)]
    if pre_events.size == 0:
        return {**empty, "pretest": PretestResult(np.nan, 0, np.nan, (), "no adopter is observed before adoption")}
    earliest = int(-pre_events.min())
    n_leads = min(3, earliest - 1) if pretrends is None else min(int(pretrends), earliest)
    messages = []
    if n_leads == 0:
        return {**empty, "pretest": PretestResult(np.nan, 0, np.nan, (), "no pre-adoption year tested")}
    u0, t0, y0 = unit_c[untreated], time_c[untreated], frame["y"].to_numpy(float)[untreated]
    e0 = event[untreated]
    leads = list(range(-1, -n_leads - 1, -1))
    # a linear trend in adopters' untreated outcomes (slope 1 per year of event time, 0 for never treated):
    # the lead coefficients' exact response to it is what a pre-trend power calculation needs
    linear = np.where(np.isfinite(e0), e0, 0.0)
    while leads:
        x = (e0[:, None] == np.array(leads)[None, :]).astype(float)
        absorbed = fe.absorb(np.column_stack([y0, linear, x]), fe.codes(u0)[0], fe.codes(t0)[0],
                             extra=terms[untreated] if terms.size else None)
        xt, yt, lt = absorbed[:, 2:], absorbed[:, 0], absorbed[:, 1]
        if np.linalg.matrix_rank(xt.T @ xt) == len(leads):
            break
        messages.append(f"The pre-trend coefficient for event time {leads[-1]} cannot be told apart from the fixed "
                        "effects and was left out of the test.")
        leads = leads[:-1]
    if not leads:
        return {**empty, "messages": messages,
                "pretest": PretestResult(np.nan, 0, np.nan, (), "pre-trend coefficients not identified")}
    beta = np.linalg.solve(xt.T @ xt, xt.T @ yt)
    shape = np.linalg.solve(xt.T @ xt, xt.T @ lt)
    resid = yt - xt @ beta
    n_periods = int(t0.max()) + 1
    cl0 = fe.codes(clusters[untreated])[0]
    vcov, _ = fe.cluster_vcov(xt, resid, cl0, (n_periods - 1) + (terms.shape[1] if terms.size else 0))
    se = np.sqrt(np.diag(vcov))
    low, high = fe.interval(beta, se, alpha)
    try:
        stat = float(beta @ np.linalg.solve(vcov, beta))
        p = float(chi2_sf(stat, len(leads)))
        note = "cluster-robust Wald test, chi-square reference distribution"
    except np.linalg.LinAlgError:
        stat, p, note = np.nan, np.nan, "covariance of the pre-trend coefficients is singular"
    order = np.argsort(leads)
    n_treated = [int(np.unique(u0[e0 == h]).size) for h in leads]
    return {"event_time": np.array(leads)[order], "estimate": beta[order], "std_error": se[order],
            "conf_low": low[order], "conf_high": high[order], "n_treated": np.array(n_treated)[order],
            "note": [PRETREND_NOTE] * len(leads), "messages": messages, "n_leads": len(leads),
            "vcov": vcov[np.ix_(order, order)], "shape": shape[order],
            "pretest": PretestResult(stat, len(leads), p, tuple(("pre-trend", h) for h in sorted(leads)), note)}
