"""The pre-test calibrated on simulated panels: it keeps its size where the chi-square reference does not.

Simulations with a known truth (parallel trends hold, no effect) on panels with small late cohorts, the
shape of the FURAG data: R ``did``'s chi-square Wald pre-test rejects far more often than 5 %; the same
statistic judged against panels simulated like the data (``did.pretest_calibration``) rejects about 5 %,
and still detects a real pre-adoption divergence.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation import did

KEYS = dict(outcome="y", unit="unit", time="t", cohort="g")
COHORTS, SHARES = [0, 3, 4, 5, 6, 7, 8], [0.4, 0.2, 0.15, 0.1, 0.05, 0.05, 0.05]


def _panel(seed: int, n: int = 300, periods: int = 8, trend: float = 0.0) -> pd.DataFrame:
    """Unit effects, a common year trend and unit-level noise; cohorts at random (late ones small);
    ``trend``: adopters drift away from the others by this much a year before adopting."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, periods + 1)
    g = rng.choice(COHORTS, n, p=SHARES)
    y = rng.normal(size=n)[:, None] + 0.1 * t + rng.normal(size=(n, periods))
    y = y + trend * (g > 0)[:, None] * t
    return pd.DataFrame({"unit": np.repeat(np.arange(n), periods), "t": np.tile(t, n), "g": np.repeat(g, periods),
                         "y": y.ravel()})


def _calibrate(frame, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return did.pretest_calibration(frame, **KEYS, **kwargs)


def test_the_observed_statistic_is_att_gts_pretest_and_the_draws_are_seeded():
    frame = _panel(1)
    before = frame.copy()
    first = _calibrate(frame, simulations=50, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = did.att_gt(frame, **KEYS).pretest()
    assert (first.statistic, first.df, first.p_value) == (plain.statistic, plain.df, plain.p_value)
    again = _calibrate(frame, simulations=50, seed=4)
    np.testing.assert_array_equal(first.null_statistics, again.null_statistics)
    assert first.p_simulated == again.p_simulated
    other = _calibrate(frame, simulations=50, seed=5)
    assert not np.array_equal(first.null_statistics, other.null_statistics)
    valid = first.null_statistics[np.isfinite(first.null_statistics)]
    assert first.simulations == valid.size
    assert first.p_simulated == (1 + np.sum(valid >= first.statistic)) / (1 + valid.size)
    assert 1 / (1 + valid.size) <= first.p_simulated <= 1
    pd.testing.assert_frame_equal(frame, before)


def test_bad_arguments_and_untestable_data_say_what_is_wrong():
    frame = _panel(2)
    with pytest.raises(ValueError, match="simulations must be an integer of at least 10"):
        _calibrate(frame, simulations=5)
    with pytest.raises(ValueError, match="alpha must be between 0 and 1"):
        _calibrate(frame, alpha=1.5)
    late_only = frame[frame["g"].isin([0, 3])].copy()
    late_only = late_only[late_only["t"] >= 2]  # cohort 3 has one year before adoption: its reference only
    with pytest.raises(ValueError, match="pre-test cannot be computed"):
        _calibrate(late_only, simulations=20)


@pytest.mark.slow
def test_calibrated_pretest_keeps_its_size_where_the_chi_square_does_not():
    """60 panels with parallel trends true: chi-square rejects a quarter or more, the calibrated test about 5 %
    (within three binomial standard errors), and its simulated size measures the chi-square's own."""
    chi2, calibrated, sizes = [], [], []
    for seed in range(60):
        found = _calibrate(_panel(100 + seed), simulations=200, seed=seed)
        chi2.append(found.p_value < 0.05)
        calibrated.append(found.p_simulated < 0.05)
        sizes.append(found.size_chi2)
    bound = 0.05 + 3 * np.sqrt(0.05 * 0.95 / len(calibrated))
    assert np.mean(chi2) > 0.25
    assert np.mean(calibrated) <= bound
    assert abs(np.mean(sizes) - np.mean(chi2)) < 0.15  # the simulation sees the size the chi-square really has
    assert found.size_is_off


@pytest.mark.slow
def test_calibrated_pretest_still_detects_a_real_pre_adoption_divergence():
    detected = [_calibrate(_panel(300 + seed, trend=0.4), simulations=100, seed=seed).p_simulated < 0.05
                for seed in range(20)]
    assert np.mean(detected) >= 0.8


def test_size_is_off_only_beyond_simulation_noise():
    found = _calibrate(_panel(3, n=1500), simulations=50, seed=1)
    exact = pd.Series({"size_chi2": 0.05, "simulations": 200})
    fake = did.PretestCalibration(statistic=1.0, df=3, p_value=0.5, p_simulated=0.5, size_chi2=exact["size_chi2"],
                                  alpha=0.05, simulations=int(exact["simulations"]), seed=0,
                                  null_statistics=np.ones(200))
    assert not fake.size_is_off
    noisy = did.PretestCalibration(statistic=1.0, df=3, p_value=0.5, p_simulated=0.5, size_chi2=0.10, alpha=0.05,
                                   simulations=200, seed=0, null_statistics=np.ones(200))
    assert noisy.size_is_off  # 0.10 is more than two binomial standard errors (0.031) above 0.05
    assert 0 <= found.size_chi2 <= 1 and found.tidy().shape == (1, 8)
