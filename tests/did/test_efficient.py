"""Efficient estimator under random timing (Roth & Sant'Anna 2023): the staggered package's README on the
Chicago police procedural-justice panel, special cases, a simulation under random timing, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE

from evaluation import did

PJ = dict(outcome="complaints", unit="uid", time="period", cohort="first_trained")

# README.md of github:jonathandroth/staggered (HEAD as fetched; "Simple aggregate parameters",
# "Event-study Parameters" and "Other Estimators"), printed output of
#   staggered(df = pj_officer_level_balanced, i = "uid", t = "period", g = "first_trained",
#             y = "complaints", estimand = ...)               -> estimate, se, se_neyman
README = {
    "simple": (-0.001126981, 0.002115194, 0.002119248),
    "cohort": (-0.001084689, 0.002261011, 0.002264876),
    "calendar": (-0.00187198, 0.00255863, 0.002561472),
}
# estimand = "eventstudy", eventTime = 0:23; head(eventPlotResults): eventTime 0..5
README_EVENTSTUDY = [
    (3.083575e-04, 0.002645327, 0.002650957),
    (2.591678e-03, 0.002614563, 0.002621513),
    (-4.872562e-05, 0.002622640, 0.002623634),
    (2.043434e-03, 0.002715695, 0.002720467),
    (2.977076e-03, 0.002653917, 0.002659630),
    (7.979656e-04, 0.002721784, 0.002727140),
]
# staggered_cs(..., estimand = "simple") (= staggered with beta = 1)
README_CS_SIMPLE = (-0.005176818, 0.003928735, 0.003930919)


@pytest.fixture(scope="module")
def pj() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "pj_officer_level_balanced.csv.gz")


def _close(value, printed):
    """Printed with 7 significant digits: agree to 1e-6 relative (and well within 1e-4)."""
    assert value == pytest.approx(printed, rel=1e-6, abs=0), (value, printed)


@pytest.mark.parametrize("estimand", list(README))
def test_reproduces_staggered_readme(pj, estimand):
    r = did.efficient(pj, **PJ, estimand=estimand)
    est, se, se_neyman = README[estimand]
    _close(r.estimate[0], est)
    _close(r.std_error[0], se)
    _close(r.std_error_neyman[0], se_neyman)
    t = r.tidy()
    assert list(t.columns) == did.tidy_columns(())
    _close(t["std_error"].iloc[0], se)
    _close(r.tidy(se="neyman")["std_error"].iloc[0], se_neyman)


def test_reproduces_staggered_readme_event_study(pj):
    r = did.efficient(pj, **PJ, estimand="eventstudy", event_time=range(24))
    t = r.tidy().set_index("event_time")
    assert list(t.index) == list(range(24))
    for e, (est, se, se_neyman) in enumerate(README_EVENTSTUDY):
        _close(t.loc[e, "estimate"], est)
        _close(t.loc[e, "std_error"], se)
        _close(r.std_error_neyman[e], se_neyman)


def test_reproduces_staggered_cs(pj):
    r = did.efficient(pj, **PJ, estimand="simple", beta=1)
    for value, printed in zip((r.estimate[0], r.std_error[0], r.std_error_neyman[0]), README_CS_SIMPLE):
        _close(value, printed)


# ---- special cases and a simulation -----------------------------------------------------------------


def _random_timing(seed: int, n_units: int = 600, periods: int = 6, effect: float = 1.0) -> pd.DataFrame:
    """Units randomly assigned to adopt in period 3, 4, 5 or 7 (after the data: the last comparison)."""
    rng = np.random.default_rng(seed)
    cohort = rng.choice([3, 4, 5, 7], n_units)
    t = np.arange(1, periods + 1)
    level = rng.normal(size=n_units)
    y = level[:, None] + 0.2 * t[None] + rng.normal(scale=0.7, size=(n_units, periods))
    y = y + effect * (t[None] >= cohort[:, None])
    return pd.DataFrame({"u": np.repeat(np.arange(n_units), periods), "t": np.tile(t, n_units),
                         "g": np.repeat(cohort, periods), "y": y.ravel()})


def test_beta_one_is_callaway_santanna_not_yet_treated():
    """With beta = 1 the estimate is CS's not-yet-treated DiD (staggered's use_DiD_A0), cell by cell:
    the event-study at e = 0 equals att_gt's dynamic aggregation at event time 0."""
    data = _random_timing(1)
    ours = did.efficient(data, "y", "u", "t", "g", estimand="eventstudy", event_time=[0, 1], beta=1)
    # cohort 7 is after the data: never treated within them, the comparison of last resort
    cs = did.att_gt(data.assign(g=data["g"].where(data["g"] <= 6, 0)), "y", "u", "t", "g",
                    control_group="not_yet_treated").aggregate("dynamic").tidy().set_index("event_time")
    np.testing.assert_allclose(ours.estimate, cs.loc[[0, 1], "estimate"], rtol=1e-10)


def test_beta_zero_is_difference_in_means():
    data = _random_timing(2)
    r = did.efficient(data, "y", "u", "t", "g", estimand="eventstudy", event_time=[0], beta=0)
    m = data[data["t"] == data["g"]].groupby("g")["y"].mean()  # each cohort in its adoption period
    later = {g: data[(data["t"] == g) & (data["g"] > g)] for g in (3, 4, 5)}
    n = data.groupby("g")["u"].nunique()
    cells = [(g, m[g] - later[g]["y"].mean()) for g in (3, 4, 5)]
    expected = sum(n[g] * d for g, d in cells) / sum(n[g] for g, _ in cells)
    assert r.estimate[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.slow
def test_coverage_under_random_timing():
    """Under random timing the efficient estimator is unbiased and its design-based 95% interval covers
    the true effect (1.0) close to 95% of the time (200 panels: a 93-99% band, 3 binomial SEs)."""
    hits, estimates = 0, []
    for seed in range(200):
        r = did.efficient(_random_timing(100 + seed, n_units=300), "y", "u", "t", "g", estimand="simple")
        t = r.tidy().iloc[0]
        hits += t["conf_low"] <= 1.0 <= t["conf_high"]
        estimates.append(t["estimate"])
    assert 0.92 <= hits / 200 <= 0.985
    assert abs(np.mean(estimates) - 1.0) < 3 * np.std(estimates) / np.sqrt(200)


def test_efficient_is_more_precise_than_cs_and_leaves_data_alone():
    data = _random_timing(3)
    before = data.copy()
    eff = did.efficient(data, "y", "u", "t", "g")
    cs = did.efficient(data, "y", "u", "t", "g", beta=1)
    dim = did.efficient(data, "y", "u", "t", "g", beta=0)
    pd.testing.assert_frame_equal(data, before)
    assert eff.std_error_neyman[0] <= min(cs.std_error_neyman[0], dim.std_error_neyman[0]) + 1e-12
    shuffled = did.efficient(data.sample(frac=1, random_state=0), "y", "u", "t", "g")
    assert shuffled.estimate[0] == pytest.approx(eff.estimate[0], rel=1e-12)
    assert "Efficient estimator under random timing" in eff._repr_html_()


def test_never_treated_coded_zero_is_a_cohort_after_the_data():
    data = _random_timing(8)
    as_zero = data.assign(g=data["g"].where(data["g"] <= 6, 0))
    for estimand in ("simple", "calendar", "eventstudy"):
        a = did.efficient(data, "y", "u", "t", "g", estimand=estimand, event_time=[-1, 0, 1])
        b = did.efficient(as_zero, "y", "u", "t", "g", estimand=estimand, event_time=[-1, 0, 1])
        np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
        np.testing.assert_allclose(a.std_error, b.std_error, rtol=1e-12)
    with pytest.raises(ValueError, match="possible event times"):
        did.efficient(as_zero, "y", "u", "t", "g", estimand="eventstudy", event_time=[9])


# ---- bad input ----------------------------------------------------------------------------------


def test_refuses_a_single_cohort():
    data = _random_timing(4).assign(g=3)
    with pytest.raises(ValueError, match="at least two adoption cohorts.*never-treated comparison"):
        did.efficient(data, "y", "u", "t", "g")


def test_refuses_event_times_without_comparisons():
    data = _random_timing(5)
    with pytest.raises(ValueError, match="no comparison cohort for event time.*possible event times"):
        did.efficient(data, "y", "u", "t", "g", estimand="eventstudy", event_time=[5, 6])
    partial = did.efficient(data, "y", "u", "t", "g", estimand="eventstudy", event_time=[0, 6])
    assert list(partial.tidy()["event_time"]) == [0]
    assert "left out" in " ".join(partial.messages)


def test_refuses_no_not_yet_treated_comparison():
    data = _random_timing(6)
    data = data[data["t"] >= 5]  # cohorts 3 and 4 already treated in every period; only 5 vs 7 remain
    data = data[data["g"].isin([3, 4])]
    with pytest.raises(ValueError, match="no period has a treated cohort and a not-yet-treated one"):
        did.efficient(data, "y", "u", "t", "g")


def test_refuses_bad_columns_and_options():
    data = _random_timing(7)
    with pytest.raises(ValueError, match="estimand must be one of"):
        did.efficient(data, "y", "u", "t", "g", estimand="dynamic")
    with pytest.raises(ValueError, match="not in the data"):
        did.efficient(data, "outcome", "u", "t", "g")
    with pytest.raises(ValueError, match="consecutive"):
        did.efficient(data[data["t"] != 3], "y", "u", "t", "g")


def test_refuses_outcomes_missing_in_every_unit_with_the_reason():
    """A blank outcome in some year for every unit: R staggered's rule (drop units not observed in every
    period) leaves nothing; the message used to say 'found 0 cohorts', which names neither cause nor fix."""
    data = _random_timing(8)
    data.loc[data["u"].index % 6 == data["u"] % 6, "y"] = np.nan  # each unit misses one period
    before = data.copy()
    with pytest.raises(ValueError, match=r"observed in every t .*every one of the 600 us misses 'y'.*fill the missing"):
        did.efficient(data, "y", "u", "t", "g")
    pd.testing.assert_frame_equal(data, before)
