"""Shared test data for the staggered-adoption tests: reference scenarios and a simulator.

Imported by the test modules and by conftest.py (pytest puts this folder on the path).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "reference"

#: The four R did 2.5.0 scenarios of the reference files.
SCENARIOS = {
    "mpdta_nev_dr": dict(control_group="never_treated", method="dr"),
    "mpdta_nyt_dr": dict(control_group="not_yet_treated", method="dr"),
    "mpdta_nev_reg_cov": dict(control_group="never_treated", method="reg", covariates=["lpop"]),
    "mpdta_nev_ipw": dict(control_group="never_treated", method="ipw"),
}
MPDTA_COLUMNS = dict(outcome="lemp", unit="countyreal", time="year", cohort="first.treat")
SIM_COLUMNS = dict(outcome="y", unit="unit", time="period", cohort="cohort")


# --------------------------------------------------------------------------------------
# simulated staggered panels with a known truth
# --------------------------------------------------------------------------------------

#: Cohorts and periods of the simulated design (period 1..6; cohorts 3, 4, 5; 0 = never).
SIM_PERIODS = np.arange(1, 7)
SIM_COHORTS = np.array([3, 4, 5])
#: P(cohort | x) for a binary covariate x: columns never, 3, 4, 5. Units with x = 1
#: adopt earlier, and x also shifts the outcome trend, so parallel trends hold only
#: conditional on x.
SIM_PROBS = np.array([[0.40, 0.15, 0.20, 0.25], [0.20, 0.35, 0.25, 0.20]])
SIM_SHARES = SIM_PROBS.mean(axis=0)  # P(G = g), x ~ Bernoulli(1/2)


def sim_effect(g, t):
    """ATT(g, t): grows with exposure and differs by cohort; 0 before adoption."""
    g = np.asarray(g, dtype=float)
    t = np.asarray(t, dtype=float)
    return np.where((g > 0) & (t >= g), 1.0 + 0.5 * (t - g) + 0.25 * (g - 3), 0.0)


def simulate_staggered(n_units: int = 300, seed: int = 0, drop: float = 0.0, x_trend: float = 0.5) -> pd.DataFrame:
    """One simulated staggered-adoption panel (long format).

    ``Y_it = a_i + 0.3 t + x_trend * x_i * t + ATT(g_i, t) + e_it``; ``drop`` removes
    each unit-period row independently with that probability (unbalanced panel).
    """
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, n_units)
    u = rng.random(n_units)
    which = (u[:, None] > SIM_PROBS[x].cumsum(axis=1)).sum(axis=1)
    g = np.array([0, 3, 4, 5])[which]
    a = rng.normal(size=n_units) + 0.5 * which
    t = SIM_PERIODS
    y = a[:, None] + 0.3 * t + x_trend * x[:, None] * t + sim_effect(g[:, None], t[None, :])
    y = y + rng.normal(size=y.shape)
    frame = pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), t.size),
            "period": np.tile(t, n_units),
            "cohort": np.repeat(g, t.size),
            "x": np.repeat(x, t.size).astype(float),
            "y": y.ravel(),
        }
    )
    if drop > 0:
        frame = frame[rng.random(len(frame)) >= drop].reset_index(drop=True)
    return frame


def sim_truth_simple() -> float:
    num = den = 0.0
    for share, g in zip(SIM_SHARES[1:], SIM_COHORTS):
        post = SIM_PERIODS[SIM_PERIODS >= g]
        num += share * sim_effect(g, post).sum()
        den += share * post.size
    return num / den


def sim_truth_dynamic(event_times) -> np.ndarray:
    out = []
    for e in event_times:
        num = den = 0.0
        for share, g in zip(SIM_SHARES[1:], SIM_COHORTS):
            t = g + e
            # cells exist from period 2 (varying base) to the last period
            if SIM_PERIODS[1] <= t <= SIM_PERIODS[-1]:
                num += share * float(sim_effect(g, t))
                den += share
        out.append(num / den)
    return np.array(out)
