"""Two-way fixed-effects regressions: the static coefficient and the dynamic event study.

They are in the package to be diagnosed, not trusted. Under staggered adoption
the static coefficient is a weighted average of all 2x2 comparisons, including
"forbidden" ones that use already-treated units as controls (Goodman-Bacon
2021, :func:`evaluation.did.bacon`), and the event-study coefficients can be
contaminated by effects at other event times (Sun and Abraham 2021). The
robustness report shows them beside the heterogeneity-robust estimators.

Both fit ``outcome ~ regressors + unit effects + period effects`` by OLS after
absorbing the effects exactly (:mod:`evaluation.did._fixed_effects`), with
standard errors clustered by unit (or a coarser ``cluster``) and the small-sample
factor of Stata's ``reghdfe`` and R's ``fixest``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _fixed_effects as fe
from .results import Estimate, EventTimeCoefficients, WithEstimate, _html_table, _tidy_frame, _tidy_values


def _cluster_codes(frame: pd.DataFrame, cluster: str | None, unit: str, time: str) -> tuple[np.ndarray, bool]:
    """Cluster codes and whether units are nested in clusters (then unit effects do not count in K)."""
    if cluster in (None, unit):
        return frame["unit_code"].to_numpy(), True
    codes_, _ = fe.codes(frame["time" if cluster == time else cluster].astype(str))
    return codes_, fe.nested(frame["unit_code"].to_numpy(), codes_)


def _n_absorbed(frame: pd.DataFrame, units_nested: bool) -> int:
    n_periods = int(frame["time_code"].max()) + 1
    n_units = int(frame["unit_code"].max()) + 1
    return (n_periods - 1) + (0 if units_nested else n_units - 1)


# --------------------------------------------------------------------------------------
# static TWFE
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TwfeResult(WithEstimate):
    """The static two-way fixed-effects coefficient (:func:`twfe`).

    ``values`` (an :class:`~evaluation.did.results.Estimate` of scalars, also read as
    ``estimate``, ``std_error``, ...) holds the coefficient; ``overall`` is the same object.
    """

    outcome: str
    unit: str
    time: str
    treated: str
    cluster: str | None
    alpha: float
    values: Estimate
    n_obs: int
    n_units: int
    n_clusters: int

    @property
    def overall(self) -> Estimate:
        return self.values

    def tidy(self) -> pd.DataFrame:
        """One row in the shared tidy schema (no index columns, as an overall effect)."""
        return self.overall.tidy()

    def _repr_html_(self) -> str:
        header = {"outcome": self.outcome, "treatment": self.treated, "observations": self.n_obs,
                  "units": self.n_units, "clustered by": f"{self.cluster or self.unit} ({self.n_clusters} clusters)",
                  "intervals": f"{1 - self.alpha:.0%} pointwise"}
        return _html_table(self.tidy(), "Two-way fixed effects, static coefficient", header)


def twfe(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str,
         cluster: str | None = None, *, alpha: float = 0.05) -> TwfeResult:
    """Static two-way fixed-effects coefficient of ``treated`` with a cluster-robust standard error.

    Fits ``outcome ~ treated + unit effects + period effects`` by OLS on the rows
    with no missing value in the columns used (balanced or unbalanced panels).

    Identifying assumptions: parallel trends, no anticipation, and a treatment
    effect that is the same for every unit and period. Under staggered adoption
    with effects that change over time the coefficient is a weighted average of
    2x2 comparisons some of which use already-treated units as controls, and can
    even have the wrong sign (Goodman-Bacon 2021; de Chaisemartin and
    D'Haultfoeuille 2020): see :func:`evaluation.did.bacon`.

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per unit and period. Not modified.
    outcome, unit, time, treated : str
        Column names; ``treated`` is the treatment indicator of the unit-period.
    cluster : str, optional
        Cluster column (default: ``unit``). Small-sample factor
        ``G/(G-1) (N-1)/(N-K)`` with ``K`` the coefficient plus the period effects
        (unit effects nested in clusters do not count), as ``reghdfe`` and ``fixest``.
    alpha : float
        One minus the confidence level.

    Returns
    -------
    TwfeResult
    """
    extra = [cluster] if cluster and cluster not in (unit, time) else []
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, columns=tuple(dict.fromkeys([treated] + extra)))
    frame[treated] = pd.to_numeric(frame[treated], errors="coerce")
    frame = frame[frame[treated].notna()].reset_index(drop=True)
    frame["unit_code"], _ = fe.codes(frame["unit"])
    frame["time_code"], _ = fe.codes(frame["time"])
    unit_c, time_c = frame["unit_code"].to_numpy(), frame["time_code"].to_numpy()
    d_tilde = fe.absorb(frame[treated].to_numpy(float), unit_c, time_c)
    y_tilde = fe.absorb(frame["y"].to_numpy(float), unit_c, time_c)
    denom = float(d_tilde @ d_tilde)
    if denom <= 1e-12 * max(1.0, len(frame)):
        raise ValueError(f"'{treated}' does not vary within units and years; the TWFE coefficient is not identified.")
    beta = float(d_tilde @ y_tilde) / denom
    resid = y_tilde - beta * d_tilde
    clusters, units_nested = _cluster_codes(frame, cluster, unit, time)
    vcov, _ = fe.cluster_vcov(d_tilde[:, None], resid, clusters, _n_absorbed(frame, units_nested))
    se = float(np.sqrt(vcov[0, 0]))
    low, high = fe.interval(beta, se, alpha)
    ever = frame.groupby("unit_code")[treated].max()
    return TwfeResult(outcome=outcome, unit=unit, time=time, treated=treated, cluster=cluster, alpha=alpha,
                      values=Estimate(beta, se, float(low), float(high), int((ever > 0).sum()),
                                      int((ever <= 0).sum()), bool(np.isfinite(beta))),
                      n_obs=len(frame), n_units=int(frame["unit_code"].nunique()),
                      n_clusters=int(clusters.max()) + 1)


# --------------------------------------------------------------------------------------
# dynamic TWFE (event study)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EventStudyResult(WithEstimate, EventTimeCoefficients):
    """Dynamic two-way fixed-effects coefficients by event time (:func:`event_study`).

    ``coefficients`` and ``vcov`` include the reference event time (fixed at 0,
    zero variance), which is what a sensitivity analysis such as
    :func:`evaluation.did.honest` reads.
    """

    settings: dict[str, Any]
    alpha: float
    event_time: np.ndarray
    values: Estimate
    reference: int
    covariance: np.ndarray = field(repr=False)
    n_obs: int = 0
    n_units: int = 0
    n_clusters: int = 0
    messages: tuple[str, ...] = ()

    def tidy(self) -> pd.DataFrame:
        """One row per event time, in the shared tidy schema (index column ``event_time``)."""
        return _tidy_frame({"event_time": self.event_time}, _tidy_values(self))

    def _repr_html_(self) -> str:
        header = {**{k: v for k, v in self.settings.items() if v is not None},
                  "observations": self.n_obs, "units": self.n_units, "clusters": self.n_clusters,
                  "intervals": f"{1 - self.alpha:.0%} pointwise"}
        return _html_table(self.tidy(), "Two-way fixed effects event study", header, " ".join(self.messages))


def event_study(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str,
                leads: int | None = None, lags: int | None = None, reference: int = -1,
                cluster: str | None = None, *, alpha: float = 0.05) -> EventStudyResult:
    """Dynamic two-way fixed effects: one coefficient per event time (years since adoption).

    Fits ``outcome ~ sum_{e != reference} 1[time - cohort = e] + unit effects +
    period effects``; never-treated units (cohort 0 or missing) have all
    indicators at zero.

    Identifying assumptions: parallel trends and no anticipation, plus effects
    that do not differ across cohorts at the same event time -- otherwise each
    coefficient mixes in effects of other event times (Sun and Abraham 2021).
    Compare with :func:`evaluation.did.att_gt` (``aggregate("dynamic")``) and
    :func:`evaluation.did.imputation`, which do not need that assumption.

    Parameters
    ----------
    data : DataFrame
        Long panel. Not modified.
    outcome, unit, time, cohort : str
        Column names; ``cohort`` is the first treated period (0 or missing: never).
    leads, lags : int, optional
        Keep event times ``-leads`` to ``lags``. Observations of adopters outside
        that window are left out (not binned), so every coefficient is one event
        time -- what the consecutive-period restrictions of :func:`honest` assume.
        Default: every event time in the data.
    reference : int
        Event time normalised to 0 (default -1, the year before adoption).
    cluster : str, optional
        Cluster column (default: unit).

    Notes
    -----
    Units treated in their first observed period have no untreated observation
    and are left out (a message says so). Without never-treated units the fully
    dynamic specification is not identified (a linear trend in event time is
    collinear with the unit and period effects; Borusyak, Jaravel and Spiess
    2024); a clear error says so.
    """
    extra_cols = (cluster,) if cluster and cluster not in (unit, time, cohort) else ()
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, cohort=cohort, columns=extra_cols)
    messages = []
    first_seen = frame.groupby("unit")["time"].transform("min")
    no_pre = np.isfinite(frame["cohort"]) & (frame["cohort"] <= first_seen)
    if no_pre.any():
        n_drop = frame.loc[no_pre, "unit"].nunique()
        messages.append(f"{n_drop} unit(s) treated from their first observed period have no untreated "
                        "observation and were left out.")
        frame = frame[~no_pre]
    event = (frame["time"] - frame["cohort"]).to_numpy()
    treated_unit = np.isfinite(frame["cohort"].to_numpy())
    lo = -int(leads) if leads is not None else (int(np.nanmin(event[treated_unit])) if treated_unit.any() else 0)
    hi = int(lags) if lags is not None else (int(np.nanmax(event[treated_unit])) if treated_unit.any() else 0)
    if lo > reference or hi < reference:
        raise ValueError(f"the window of event times {lo}..{hi} does not include the reference event time {reference}")
    outside = treated_unit & ((event < lo) | (event > hi))
    if outside.any():
        messages.append(f"{int(outside.sum())} observation(s) of adopters outside event times {lo}..{hi} "
                        "were left out.")
    frame = frame[~outside].reset_index(drop=True)
    if not np.isfinite(frame["cohort"]).any():
        raise ValueError(f"no treated units in '{cohort}'")
    frame["unit_code"], _ = fe.codes(frame["unit"])
    frame["time_code"], _ = fe.codes(frame["time"])
    event = (frame["time"] - frame["cohort"]).to_numpy()
    treated_unit = np.isfinite(frame["cohort"].to_numpy())
    times = np.array(sorted(set(event[treated_unit].astype(int))))
    if reference not in times:
        raise ValueError(f"no adopter is observed at the reference event time {reference}")
    estimated = times[times != reference]
    x = (event[:, None] == estimated[None, :]).astype(float)
    unit_c, time_c = frame["unit_code"].to_numpy(), frame["time_code"].to_numpy()
    absorbed = fe.absorb(np.column_stack([frame["y"].to_numpy(float), x]), unit_c, time_c)
    y_t, x_t = absorbed[:, 0], absorbed[:, 1:]
    xtx = x_t.T @ x_t
    if np.linalg.matrix_rank(xtx) < xtx.shape[0]:
        raise ValueError(
            "the event-time effects are not identified: "
            + ("there are no never-treated units, and then a linear trend in event time is collinear with the unit "
               "and period effects (Borusyak, Jaravel and Spiess 2024). Use did.imputation or did.att_gt "
               "with control_group='not_yet_treated' instead."
               if not (~treated_unit).any() else "some event times cannot be told apart from the fixed effects.")
        )
    beta = np.linalg.solve(xtx, x_t.T @ y_t)
    resid = y_t - x_t @ beta
    clusters, units_nested = _cluster_codes(frame, cluster, unit, time)
    vcov, _ = fe.cluster_vcov(x_t, resid, clusters, _n_absorbed(frame, units_nested))
    k = len(times)
    pos = {e: j for j, e in enumerate(times)}
    est = np.zeros(k)
    cov = np.zeros((k, k))
    idx = np.array([pos[e] for e in estimated])
    est[idx] = beta
    cov[np.ix_(idx, idx)] = vcov
    se = np.sqrt(np.diag(cov))
    se[pos[reference]] = np.nan
    low, high = fe.interval(est, se, alpha)
    n_treated = np.array([frame.loc[treated_unit & (event == e), "unit"].nunique() for e in times])
    n_never = int(frame.loc[~treated_unit, "unit"].nunique())
    note = tuple("reference period (normalised to 0)" if e == reference else "" for e in times)
    settings = {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "leads": leads, "lags": lags,
                "reference": reference, "cluster": cluster}
    return EventStudyResult(settings=settings, alpha=alpha, event_time=times,
                            values=Estimate(est, se, low, high, n_treated, np.full(k, n_never), np.ones(k, bool), note),
                            reference=int(reference), covariance=cov,
                            n_obs=len(frame), n_units=int(frame["unit"].nunique()),
                            n_clusters=int(clusters.max()) + 1, messages=tuple(messages))
