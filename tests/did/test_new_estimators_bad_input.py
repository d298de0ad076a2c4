"""Bad and odd input for sun_abraham, efficient, synthetic_did and pretrend_power (issue 12, "Bad input").

Each refuses what it cannot estimate with one message that names the fix, never a silently NaN
table, and never modifies the caller's frame. Found in review: infinite outcomes or covariates gave
NaN (or finite but meaningless) tables without a word, or a bare ``LinAlgError``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import did


def _panel(seed: int = 0, n: int = 80, periods: int = 8, cohorts=(4, 6, 0)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.choice(cohorts, n)
    t = np.arange(1, periods + 1)
    y = rng.normal(size=n)[:, None] + 0.3 * t + (t >= np.where(g > 0, g, 99)[:, None]) + rng.normal(size=(n, periods))
    frame = pd.DataFrame({"unit": np.repeat([f"u{i:03d}" for i in range(n)], periods), "time": np.tile(t, n),
                          "cohort": np.repeat(g, periods), "y": y.ravel(),
                          "x": rng.normal(size=n * periods)})
    frame["treated"] = ((frame["cohort"] == 4) & (frame["time"] >= 4)).astype(int)
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)  # rows in no particular order


COLS = dict(outcome="y", unit="unit", time="time", cohort="cohort")


def _block(frame: pd.DataFrame) -> pd.DataFrame:
    treated = np.sort(frame.loc[frame["cohort"] == 4, "unit"].unique())[:6]
    return frame[(frame["cohort"] == 0) | frame["unit"].isin(treated)].reset_index(drop=True)


CALLS = {
    "sun_abraham": lambda d: did.sun_abraham(d, **COLS),
    "efficient": lambda d: did.efficient(d, **COLS),
    "synthetic_did": lambda d: did.synthetic_did(_block(d), "y", "unit", "time", "treated", replications=20),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_infinite_outcome_is_refused_with_the_row(name):
    frame = _panel()
    frame.loc[7, "y"] = np.inf
    if name == "synthetic_did":
        frame.loc[frame.index[frame["unit"].isin(_block(frame)["unit"])][0], "y"] = -np.inf
    before = frame.copy()
    with pytest.raises(ValueError, match=r"infinite value.*correct them, or leave them blank"):
        CALLS[name](frame)
    pd.testing.assert_frame_equal(frame, before)


def test_sun_abraham_infinite_covariate_is_refused():
    frame = _panel()
    frame.loc[3, "x"] = np.inf
    with pytest.raises(ValueError, match=r"covariate column 'x' has 1 infinite value.*correct them, or leave them blank"):
        did.sun_abraham(frame, **COLS, covariates="x")


@pytest.mark.parametrize("name", list(CALLS))
def test_odd_but_valid_input_gives_finite_numbers_and_leaves_the_frame_alone(name):
    """String unit ids, unordered rows, a missing outcome (dropped, or refused by synthetic DiD)."""
    frame = _panel(1)
    if name != "synthetic_did":  # (synthetic DiD needs a balanced panel and says so)
        frame.loc[11, "y"] = np.nan
    before = frame.copy()
    res = CALLS[name](frame)
    tidy = res.tidy()
    assert len(tidy) and np.isfinite(tidy["estimate"]).any()
    pd.testing.assert_frame_equal(frame, before)
    again = CALLS[name](frame.sort_values(["unit", "time"]).reset_index(drop=True))
    np.testing.assert_allclose(again.tidy()["estimate"], tidy["estimate"], rtol=1e-9, equal_nan=True)
