"""What effect could these data detect? The minimum detectable effect, by simulation.

An estimate that finds nothing is only informative if the data could have found
something. :func:`power` simulates the user's own panel -- the same entities,
years observed, adoption cohorts and clustering -- with outcomes drawn from
what the untreated observations look like, adds an effect of size ``delta`` to
every treated entity-year, and asks how often :func:`evaluation.did.att_gt`'s
average effect is significant. The minimum detectable effect (MDE) is the
smallest ``delta`` detected with the target power (80%) at the test's size (5%).

How outcomes are drawn: fit unit and year effects to the untreated
observations; take the residual paths (all years) of the units observed
untreated in every year; give every simulated unit the path of one of them,
drawn with replacement. Serial correlation and the spread of the outcome
within units are those of the data; units are independent of each other. Unit
and year effects are left out because the estimator removes them exactly.

A shortcut makes every ``delta`` free: adding the same ``delta`` to every
treated entity-year moves the average effect by exactly ``delta`` and leaves its
standard error unchanged (every treated unit's change shifts alike, so the
influence functions do not move; a test checks this). So each simulated panel
is estimated once, with no effect, and the power at ``delta`` is the share of
draws with ``|estimate + delta| / std_error`` beyond the critical value.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from . import _fixed_effects as fe
from .distributions import normal_quantile
from .estimate import _Variants, att_gt


@dataclass(frozen=True, eq=False)
class PowerResult:
    """Minimum detectable effect of the simple average effect (:func:`power`).

    Attributes
    ----------
    mde : float
        Smallest effect (in outcome units, either sign) detected with ``target_power``
        at size ``alpha``: the larger of the positive and negative crossings.
    mde_analytic : float
        The normal approximation ``(z_{1-alpha/2} + z_{power}) * SE`` with the
        standard error of the real estimate, for comparison.
    size : float
        Share of simulated panels (no effect) whose interval excludes zero:
        should be near ``alpha``; far above it, the standard errors are too small.
    """

    mde: float
    mde_analytic: float
    size: float
    alpha: float
    target_power: float
    simulations: int
    seed: int | None
    null_estimates: np.ndarray = field(repr=False)
    null_std_errors: np.ndarray = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict, repr=False)
    n_donors: int = 0

    def power_at(self, effect) -> np.ndarray:
        """Simulated power at each effect size."""
        return _power(self.null_estimates, self.null_std_errors, np.atleast_1d(np.asarray(effect, float)), self.alpha)

    def curve(self, points: int = 41) -> pd.DataFrame:
        """Power against effect size, from 0 to twice the MDE (``effect, power``)."""
        top = 2 * self.mde if np.isfinite(self.mde) and self.mde > 0 else 4 * np.nanmedian(self.null_std_errors)
        effect = np.linspace(0, top, points)
        return pd.DataFrame({"effect": effect, "power": self.power_at(effect)})

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"mde": self.mde, "mde_analytic": self.mde_analytic, "size": self.size,
                              "alpha": self.alpha, "target_power": self.target_power,
                              "simulations": self.simulations, "seed": self.seed}])

    def _repr_html_(self) -> str:
        return (f"<div><strong>Minimum detectable effect</strong><p>{html.escape(f'{self.mde:.4f}')} "
                f"({self.target_power:.0%} power, {self.alpha:.0%} size, {self.simulations} simulated panels, "
                f"seed {self.seed}); normal approximation {self.mde_analytic:.4f}; "
                f"simulated size {self.size:.3f}.</p></div>")


def _power(estimates: np.ndarray, std_errors: np.ndarray, effects: np.ndarray, alpha: float) -> np.ndarray:
    ok = np.isfinite(estimates) & np.isfinite(std_errors) & (std_errors > 0)
    est, se = estimates[ok], std_errors[ok]
    z = normal_quantile(1 - alpha / 2)
    return np.array([float(np.mean(np.abs(est + d) / se > z)) for d in effects])


def _crossing(estimates, std_errors, alpha, target, direction) -> float:
    """Smallest |delta| (in ``direction``) with power >= target, by bisection on the monotone tail."""
    ok = np.isfinite(estimates) & np.isfinite(std_errors) & (std_errors > 0)
    if not ok.any():
        return np.nan
    scale = float(np.median(std_errors[ok]))
    hi = scale
    while _power(estimates, std_errors, np.array([direction * hi]), alpha)[0] < target:
        hi *= 2
        if hi > 1e6 * scale:
            return np.inf
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if _power(estimates, std_errors, np.array([direction * mid]), alpha)[0] >= target:
            hi = mid
        else:
            lo = mid
    return hi


class _Simulator:
    """Draws outcome panels with the structure of the real one (see the module docstring)."""

    def __init__(self, frame: pd.DataFrame):
        cohort = frame["cohort"].to_numpy(float)
        treated = np.isfinite(cohort) & (frame["time"].to_numpy(float) >= cohort)
        untreated = frame[~treated]
        unit_c = fe.codes(untreated["unit"])[0]
        time_c = untreated["time_code"].to_numpy()
        resid = fe.absorb(untreated["y"].to_numpy(float), unit_c, time_c)
        n_periods = int(frame["time_code"].max()) + 1
        with_resid = untreated.assign(resid=resid)
        # units observed untreated in every year (a mask keeps the row order, as groupby.filter does)
        full = with_resid[with_resid.groupby("unit")["resid"].transform("size").to_numpy() == n_periods]
        wide = full.pivot(index="unit", columns="time_code", values="resid").sort_index(axis=1)
        if len(wide) < 5:
            raise ValueError(f"only {len(wide)} unit(s) are observed untreated in every year; the simulation draws "
                             "residual paths from such units and needs at least 5")
        # No degrees-of-freedom rescaling: removing each unit's mean shrinks the residuals' level,
        # not their changes between years, and the estimator only uses changes (differences
        # across years within a unit), whose variance the demeaned paths keep.
        self.paths = wide.to_numpy(float)
        self.unit_code = frame["unit_code"].to_numpy()
        self.time_code = frame["time_code"].to_numpy()
        self.n_units = int(self.unit_code.max()) + 1

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        donors = rng.integers(0, self.paths.shape[0], size=self.n_units)
        return self.paths[donors[self.unit_code], self.time_code]


class _EstimatorOptions(TypedDict):
    """The options of :func:`att_gt` that :func:`power` passes on, for the real panel and every simulated one."""

    control_group: str
    method: str
    covariates: list[str] | None
    cluster: str | None
    alpha: float


def _simulation_setup(data, outcome, unit, time, cohort, *, covariates, cluster, control_group, method, alpha):
    """The checked panel, its simulator, the estimator's options and the covariates, as :func:`power` and
    :func:`evaluation.did.pretest_calibration` simulate it (the same panels for the same seed)."""
    covs = [] if covariates is None else ([covariates] if isinstance(covariates, str) else list(covariates))
    extra = tuple(dict.fromkeys(covs + ([cluster] if cluster and cluster not in (unit, time, cohort) else [])))
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, cohort=cohort, columns=extra,
                       covariates=tuple(covs))
    sim = _Simulator(frame)
    options = _EstimatorOptions(control_group=control_group, method=method, covariates=covs or None,
                                cluster=cluster if cluster not in (None, unit) else None, alpha=alpha)
    work = pd.DataFrame({unit: frame["unit"], time: frame["time"],
                         cohort: np.where(np.isfinite(frame["cohort"]), frame["cohort"], 0)})
    for c in extra:
        work[c] = frame[c].to_numpy()
    return sim, options, work.assign(**{outcome: frame["y"].to_numpy()}), covs


def power(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, *, simulations: int = 200,
          seed: int | None = 0, alpha: float = 0.05, target_power: float = 0.8,
          control_group: str = "never_treated", covariates=None, method: str = "reg",
          cluster: str | None = None) -> PowerResult:
    """Minimum detectable effect of the simple average effect of :func:`att_gt`, by simulation.

    Parameters
    ----------
    data : DataFrame
        The real panel: its units, years, cohorts and clusters are kept; its
        outcomes only shape the simulated noise (see the module docstring). Not modified.
    outcome, unit, time, cohort : str
        Column names.
    simulations : int
        Number of simulated panels.
    seed : int, optional
        Seed of the simulation.
    alpha, target_power : float
        Size of the two-sided test and the power that defines the MDE.
    control_group : {"never_treated", "not_yet_treated"}
    covariates : str or list, optional
        Covariates of the estimator (kept at their real values; only outcomes are simulated).
    method : {"reg", "dr", "ipw"}
        Estimation method of :func:`att_gt` (default ``reg``, the fastest; with no
        covariates all three coincide).
    cluster : str, optional
        Standard errors clustered at this level, as the real analysis would.
        The simulated units are drawn independently of each other.

    Returns
    -------
    PowerResult
    """
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer) or simulations < 10:
        raise ValueError(f"simulations must be an integer of at least 10, not {simulations!r}")
    sim, options, real_panel, covs = _simulation_setup(data, outcome, unit, time, cohort, covariates=covariates,
                                                       cluster=cluster, control_group=control_group, method=method,
                                                       alpha=alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = att_gt(real_panel, outcome, unit, time, cohort, **options).aggregate("simple").overall
        # Every simulated panel is the real one with another outcome: checked once, and the
        # cells' nuisance designs (which do not depend on the outcome) computed once.
        variants = _Variants(real_panel, outcome, unit, time, cohort, **options)
        rng = np.random.default_rng(seed)
        est = np.full(int(simulations), np.nan)
        se = np.full(int(simulations), np.nan)
        for r in range(int(simulations)):
            # the simple average and its standard error use only post-adoption cells: the others are not estimated
            o = variants.with_outcome(sim.draw(rng), post_only=True).aggregate("simple").overall
            est[r], se[r] = o.estimate, o.std_error
    up = _crossing(est, se, alpha, target_power, +1)
    down = _crossing(est, se, alpha, target_power, -1)
    z = normal_quantile(1 - alpha / 2) + normal_quantile(target_power)
    return PowerResult(mde=float(max(up, down)), mde_analytic=float(z * real.std_error),
                       size=float(_power(est, se, np.array([0.0]), alpha)[0]), alpha=alpha,
                       target_power=target_power, simulations=int(simulations), seed=seed, null_estimates=est,
                       null_std_errors=se, settings={"outcome": outcome, "control_group": control_group,
                                                     "covariates": tuple(covs), "method": method,
                                                     "cluster": cluster}, n_donors=int(sim.paths.shape[0]))
