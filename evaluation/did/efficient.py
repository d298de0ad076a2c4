"""The efficient estimator under random timing of adoption (Roth and Sant'Anna 2023).

When the adoption date is (quasi-)randomly assigned, every cohort is a random
sample of the same population, so a comparison of post-adoption means between
cohorts is unbiased, and so is that comparison minus any multiple ``beta`` of
a comparison of pre-adoption means (mean zero by design). ``beta = 0`` is the
simple difference in means, ``beta = 1`` the Callaway-Sant'Anna DiD with
not-yet-treated comparisons; the efficient ``beta*`` is the regression of the
first comparison on the second, estimated from the cohorts' covariance
matrices (Roth and Sant'Anna 2023, Proposition 2.1 and Section 3).

Everything is a linear combination of cohort means: the estimand is
``sum_g A_theta[g] . Ybar_g`` (treated cohort's mean minus the size-weighted
mean of the cohorts not yet treated in that period), the pre-period
comparison ``X = sum_g A_0[g] . Ybar_g`` the same contrasts one period before
each treated cohort adopts; the cells are weighted as in R ``staggered``
(``simple``: by cohort size over identified cells; ``cohort``: cohorts by size,
their periods equally; ``calendar``: periods equally, cohorts by size;
``eventstudy``: cohorts by size at each event time). Only periods before the
last cohort adopts are identified: the last cohort is the comparison of last resort.

Two standard errors (Section 4): the Neyman one (conservative under
heterogeneous effects; close to ``did``'s), and the design-based one that
removes the part of the effect heterogeneity that the pre-adoption periods
predict. Both are the package's formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .distributions import normal_quantile
from .results import Estimate, WithEstimate, _html_table, _tidy_frame, _tidy_values

ESTIMANDS = ("simple", "cohort", "calendar", "eventstudy")
Estimand = Literal["simple", "cohort", "calendar", "eventstudy"]


@dataclass(frozen=True, eq=False)
class EfficientResult(WithEstimate):
    """Efficient estimates under random timing (:func:`efficient`).

    One row per estimate (a single row for ``simple``/``cohort``/``calendar``,
    one per event time for ``eventstudy``). ``tidy()`` uses the design-based
    standard error; ``tidy(se="neyman")`` the Neyman one. ``beta`` is the
    weight given to the pre-adoption comparison (1 = Callaway-Sant'Anna,
    0 = difference in means). ``values`` (read as ``estimate``, ``std_error``,
    ``conf_low``, ...) holds the rows of ``tidy()``, with the design-based
    standard error.
    """

    settings: dict[str, Any]
    alpha: float
    event_time: np.ndarray | None
    values: Estimate
    std_error_neyman: np.ndarray
    beta: np.ndarray
    cohort_sizes: pd.Series = field(repr=False)
    messages: tuple[str, ...] = ()

    def tidy(self, se: Literal["design", "neyman"] = "design") -> pd.DataFrame:
        if se not in ("design", "neyman"):
            raise ValueError(f"se must be 'design' or 'neyman', not {se!r}")
        values = self.values if se == "design" else _values(self.estimate, self.std_error_neyman, self.n_treated,
                                                             self.n_control, self.beta, self.alpha, se)
        index = {} if self.event_time is None else {"event_time": self.event_time}
        frame = _tidy_frame(index, _tidy_values(values))
        assert len(frame) == self.estimate.size
        return frame

    def _repr_html_(self) -> str:
        header = {"outcome": self.settings["outcome"], "estimand": self.settings["estimand"],
                  "cohorts (size)": ", ".join(f"{g:g} ({n})" for g, n in self.cohort_sizes.items()),
                  "standard errors": "design-based (Roth & Sant'Anna 2023); Neyman in tidy(se='neyman')"}
        table = self.tidy().assign(std_error_neyman=self.std_error_neyman, beta=self.beta)
        return _html_table(table, "Efficient estimator under random timing (Roth and Sant'Anna 2023)", header,
                           " ".join(self.messages))


def _values(estimate: np.ndarray, std_error: np.ndarray, n_treated: np.ndarray, n_control: np.ndarray,
            beta: np.ndarray, alpha: float, se: str) -> Estimate:
    """The tidy values of the rows with standard error ``std_error`` (of kind ``se``) and normal limits."""
    z = normal_quantile(1 - alpha / 2)
    return Estimate(estimate, std_error, estimate - z * std_error, estimate + z * std_error, n_treated, n_control,
                    np.isfinite(estimate),
                    tuple(f"{se} standard error (Roth & Sant'Anna 2023); beta = {b:.4g}" for b in beta))


def _cells(estimand: str, cohorts: np.ndarray, sizes: np.ndarray, periods: np.ndarray,
           event_time: int | None) -> list[tuple[int, float, float]]:
    """The (cohort index, period, weight) cells an estimand averages, weighted as R ``staggered``."""
    last = cohorts.max()
    out: list[tuple[int, float, float]] = []
    if estimand == "simple":
        cells = [(k, t) for k, g in enumerate(cohorts) for t in periods if g <= t < last]
        total = sum(sizes[k] for k, _ in cells)
        out = [(k, t, sizes[k] / total) for k, t in cells]
    elif estimand == "cohort":
        eligible = [k for k, g in enumerate(cohorts) if g < last and g <= periods.max()]
        total = sizes[eligible].sum() if eligible else 0
        for k in eligible:
            ts = [t for t in periods if cohorts[k] <= t < last]
            out += [(k, t, sizes[k] / total / len(ts)) for t in ts]
    elif estimand == "calendar":
        ts = [t for t in periods if cohorts.min() <= t < last]
        for t in ts:
            ks = [k for k, g in enumerate(cohorts) if g <= t]
            total = sizes[ks].sum()
            out += [(k, t, sizes[k] / total / len(ts)) for k in ks]
    else:
        e = event_time
        eligible = [k for k, g in enumerate(cohorts) if max(g + e, g) < last and max(g + e, g) <= periods.max()]
        total = sizes[eligible].sum() if eligible else 0
        out = [(k, cohorts[k] + e, sizes[k] / total) for k in eligible]
    return out


def _contrast_matrices(cells, cohorts, sizes, periods):
    """A_theta and A_0 (cohorts x periods): each cell's contrast placed in its period, and in the period
    before its cohort adopts (when that period is in the data)."""
    n_g, n_t = cohorts.size, periods.size
    col = {t: j for j, t in enumerate(periods)}
    a_theta, a_zero = np.zeros((n_g, n_t)), np.zeros((n_g, n_t))
    treated, controls = set(), set()
    for k, t, w in cells:
        g = cohorts[k]
        contrast = np.zeros(n_g)
        comp = cohorts > max(g, t)  # cohorts not yet treated in t (and after g: never g's own cohort)
        contrast[comp] = -sizes[comp] / sizes[comp].sum()
        contrast[k] += 1.0
        if t in col:
            a_theta[:, col[t]] += w * contrast
            treated.add(k)
            controls.update(np.flatnonzero(comp).tolist())
        if g - 1 in col:
            a_zero[:, col[g - 1]] += w * contrast
    return a_theta, a_zero, treated, controls


def _estimate(a_theta, a_zero, means, covs, sizes, cohorts, periods, beta=None):
    """Estimate, design-based and Neyman SE, and beta, from the contrast matrices and cohort moments."""
    theta0 = float(np.einsum("gt,gt->", a_theta, means))
    x_hat = float(np.einsum("gt,gt->", a_zero, means))
    x_var = float(np.einsum("gs,gst,gt,g->", a_zero, covs, a_zero, 1 / sizes))
    x_theta = float(np.einsum("gs,gst,gt,g->", a_zero, covs, a_theta, 1 / sizes))
    theta_var = float(np.einsum("gs,gst,gt,g->", a_theta, covs, a_theta, 1 / sizes))
    if beta is None:
        # the regression of the post comparison on the pre comparison; none to use: difference in means
        beta = x_theta / x_var if x_var > 0 else 0.0
    est = theta0 - beta * x_hat
    var_neyman = theta_var + beta ** 2 * x_var - 2 * beta * x_theta
    se_neyman = float(np.sqrt(max(var_neyman, 0.0)))
    # design-based refinement: the first cohort with weight, and the periods before it adopts
    nonzero = np.flatnonzero(np.abs(a_theta).max(axis=1) != 0)
    g_min = cohorts[nonzero.min()] if nonzero.size else cohorts[0]
    pre = periods < g_min
    if not pre.any():
        return est, se_neyman, se_neyman, beta
    later = cohorts >= g_min
    b_sum = np.zeros(int(pre.sum()))
    for k in np.flatnonzero(later):
        s = covs[k]
        b_sum += np.linalg.pinv(s[np.ix_(pre, pre)]) @ (s[pre] @ a_theta[k])
    avg = covs[later][:, pre][:, :, pre].mean(axis=0)
    adjustment = float(b_sum @ avg @ b_sum) / sizes.sum()
    se = float(np.sqrt(var_neyman - adjustment)) if var_neyman - adjustment >= 0 else 0.0
    return est, se, se_neyman, beta


def efficient(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str,
              estimand: Estimand = "simple", *, event_time=0, beta: float | None = None,
              alpha: float = 0.05) -> EfficientResult:
    """The efficient estimator for staggered adoption with random timing (Roth and Sant'Anna 2023).

    Identifying assumption: the adoption period is randomly assigned (each
    cohort a random sample of the units), and no anticipation. This is
    stronger than parallel trends -- it also makes the pre-adoption outcomes of
    all cohorts alike in expectation -- and buys precision: the estimator uses
    the pre-adoption comparison only as much as it predicts the post-adoption one.

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per unit and period; periods are consecutive
        integers. Units not observed in every period are dropped (with a message),
        as R ``staggered`` does. Not modified.
    outcome, unit, time, cohort : str
        Column names; ``cohort`` is the first treated period. Every unit is
        eventually treated in this design (0 or missing: never treated, used
        like a cohort adopting after the data end).
    estimand : {"simple", "cohort", "calendar", "eventstudy"}
        The aggregation of the group-time effects (R ``staggered``'s estimands).
    event_time : int or sequence of int
        For ``"eventstudy"``: the event time(s) (0 = adoption period).
    beta : float, optional
        Fix the weight on the pre-adoption comparison (1: Callaway-Sant'Anna
        with not-yet-treated comparisons, as ``staggered_cs``; 0: difference in
        means). Default: the efficient plug-in ``beta*``.
    alpha : float
        One minus the confidence level.

    Returns
    -------
    EfficientResult

    References
    ----------
    Roth, J. and Sant'Anna, P. H. C. (2023). Efficient estimation for staggered
    rollout designs. Journal of Political Economy Microeconomics 1(4), 669-709.
    """
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {ESTIMANDS}, not {estimand!r}")
    missing = [c for c in (outcome, unit, time, cohort) if c not in data.columns]
    if missing:
        raise ValueError(f"efficient: column(s) {missing} not in the data; columns are {list(data.columns)}")
    frame = data[[unit, time, cohort, outcome]].copy()
    frame.columns = ["i", "t", "g", "y"]
    frame["y"] = pd.to_numeric(frame["y"], errors="coerce")
    if np.isinf(frame["y"]).any():
        rows = frame.index[np.isinf(frame["y"])].tolist()
        raise ValueError(f"efficient: outcome column '{outcome}' has {len(rows)} infinite value(s), in rows "
                         f"{', '.join(map(str, rows[:5]))}{' ...' if len(rows) > 5 else ''}; correct them, or leave "
                         "them blank if they are missing")
    frame["t"] = pd.to_numeric(frame["t"], errors="coerce")
    frame["g"] = pd.to_numeric(frame["g"], errors="coerce")
    if frame["t"].isna().any() or (frame["t"] % 1 != 0).any():
        raise ValueError(f"efficient: '{time}' must be whole-number periods (e.g. years or months numbered 1, 2, ...)")
    if frame.duplicated(["i", "t"]).any():
        raise ValueError(f"efficient: more than one row per {unit} and {time}; keep one row each")
    if frame.groupby("i")["g"].nunique(dropna=False).max() > 1:
        raise ValueError(f"efficient: '{cohort}' changes within a {unit}; it must be the unit's adoption period")
    frame["g"] = frame["g"].where(frame["g"].notna() & (frame["g"] != 0), np.inf)
    messages: list[str] = []
    frame = frame[frame["y"].notna()]
    periods = np.sort(frame["t"].unique())
    if periods.size and np.any(np.diff(periods) != 1):
        raise ValueError(f"efficient: the {time}s must be consecutive ({periods.tolist()[:10]}...); renumber them "
                         "1, 2, ... in order")
    counts = frame.groupby("i")["t"].size()
    partial = counts.index[counts < periods.size]
    if partial.size:
        messages.append(f"{partial.size} {unit}(s) not observed (or with missing '{outcome}') in every {time} were "
                        "dropped, as R staggered does.")
        frame = frame[~frame["i"].isin(partial)]
        if frame.empty:
            raise ValueError(f"efficient needs {unit}s observed in every {time} (a balanced panel, as R staggered), "
                             f"and every one of the {partial.size} {unit}s misses '{outcome}' (or a row) in some "
                             f"{time}: fill the missing outcomes, or keep only the {time}s that every {unit} reports")
    sizes_all = frame.groupby("g")["i"].nunique()
    single = sizes_all.index[sizes_all == 1]
    if single.size:
        messages.append(f"cohort(s) {', '.join(f'{g:g}' for g in single)} with a single {unit} were dropped "
                        "(no within-cohort variance), as R staggered does.")
        frame = frame[~frame["g"].isin(single)]
    wide = frame.pivot(index="i", columns="t", values="y").sort_index(axis=1)
    g_of = frame.groupby("i")["g"].first().reindex(wide.index)
    cohorts = np.sort(g_of.unique())
    if cohorts.size < 2:
        raise ValueError(f"efficient needs at least two adoption cohorts: the comparisons are between cohorts, "
                         f"the later one not yet treated (found {cohorts.size} with two or more {unit}s"
                         + (f", after dropping {partial.size} {unit}(s) not observed in every {time}" if partial.size
                            else "") + "); "
                         "with a single cohort use a never-treated comparison group (att_gt) or synthetic_did")
    if not np.any((periods >= cohorts[0]) & (periods < cohorts[-1])):
        raise ValueError(f"efficient: no period has a treated cohort and a not-yet-treated one (cohorts "
                         f"{cohorts.tolist()}, {time}s {periods.min():g}-{periods.max():g}): every effect needs a "
                         f"cohort that adopts later than the period of the effect; extend the panel to "
                         f"{time}s before the last cohort adopts")
    y = wide.to_numpy(float)
    codes = np.searchsorted(cohorts, g_of.to_numpy())
    sizes = np.bincount(codes, minlength=cohorts.size).astype(float)
    means = np.vstack([y[codes == k].mean(axis=0) for k in range(cohorts.size)])
    covs = np.stack([np.cov(y[codes == k], rowvar=False, ddof=1) for k in range(cohorts.size)])
    ets = [None] if estimand != "eventstudy" else list(np.atleast_1d(event_time).astype(int))
    rows = []
    skipped = []
    for e in ets:
        cells = _cells(estimand, cohorts, sizes, periods, e)
        a_theta, a_zero, treated, controls = _contrast_matrices(cells, cohorts, sizes, periods)
        if not cells or not np.abs(a_theta).any():
            if estimand == "eventstudy":
                skipped.append(e)
                continue
            raise ValueError(f"efficient: no identified cell for estimand '{estimand}' (cohorts "
                             f"{cohorts.tolist()}, {time}s {periods.min():g}-{periods.max():g})")
        est, se, se_n, b = _estimate(a_theta, a_zero, means, covs, sizes, cohorts, periods, beta)
        rows.append((e, est, se, se_n, b, int(sizes[sorted(treated)].sum()), int(sizes[sorted(controls)].sum())))
    if skipped:
        finite = cohorts[np.isfinite(cohorts)]
        possible = [e for e in range(int(periods.min() - finite.max()), int(periods.max() - finite.min()) + 1)
                    if _cells("eventstudy", cohorts, sizes, periods, e)]
        if not rows:
            raise ValueError(f"efficient: no comparison cohort for event time(s) {skipped}: a cohort's effect "
                             f"e periods after adoption needs a cohort not yet treated then; possible event times "
                             f"here are {min(possible)} to {max(possible)}" if possible else
                             f"efficient: no comparison cohort for event time(s) {skipped}")
        messages.append(f"event time(s) {skipped} have no not-yet-treated comparison cohort and were left out.")
    arr = list(zip(*rows))
    settings = {"outcome": outcome, "unit": unit, "time": time, "cohort": cohort, "estimand": estimand,
                "beta": beta}
    return EfficientResult(settings=settings, alpha=alpha,
                           event_time=None if estimand != "eventstudy" else np.array(arr[0], dtype=int),
                           values=_values(np.array(arr[1]), np.array(arr[2]), np.array(arr[5]), np.array(arr[6]),
                                          np.array(arr[4]), alpha, "design"),
                           std_error_neyman=np.array(arr[3]), beta=np.array(arr[4]),
                           cohort_sizes=pd.Series(sizes.astype(int), index=pd.Index(cohorts, name=cohort)),
                           messages=tuple(messages))
