"""Placebo adoption dates, randomization inference and the minimum detectable effect.

The size checks run on simulated panels with no effect and parallel trends; their tolerances are
binomial margins for the number of simulated panels affordable in the slow suite.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE, SIM_COLUMNS
from scipy import stats

from evaluation import did
from evaluation.did import _fixed_effects as fe
from evaluation.did.power import _Simulator


def _panel(seed: int, n_units: int = 40, periods: int = 6, effect: float = 0.0, cohorts=(0, 3, 4, 5)) -> pd.DataFrame:
    """Unit and period effects, iid noise, random cohorts; ``effect`` added after adoption."""
    rng = np.random.default_rng(seed)
    g = rng.choice(cohorts, n_units)
    t = np.arange(1, periods + 1)
    y = (rng.normal(size=n_units)[:, None] + rng.normal(size=periods)[None, :]
         + effect * ((g[:, None] > 0) & (t[None, :] >= g[:, None])) + rng.normal(size=(n_units, periods)))
    return pd.DataFrame({"unit": np.repeat(np.arange(n_units), periods), "period": np.tile(t, n_units),
                         "cohort": np.repeat(g, periods), "y": y.ravel()})


def _reject(lo: float, hi: float) -> bool:
    return not (lo <= 0 <= hi)


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    c = pd.read_csv(REFERENCE / "castle.csv")
    first = c[c["post"] == 1].groupby("state")["year"].min()
    return pd.DataFrame({"state": c["state"], "year": c["year"], "y": c["l_homicide"],
                         "cohort": c["state"].map(first).fillna(0)})


# ---------------------------------------------------------------------------------- placebo dates


def test_placebo_uses_only_years_before_adoption(simulate):
    data = simulate(n_units=300, seed=2, x_trend=0.0)
    base = did.placebo(data, **SIM_COLUMNS, shifts=(1, 2)).tidy()
    changed = data.copy()
    after = (changed["cohort"] > 0) & (changed["period"] >= changed["cohort"])
    changed.loc[after, "y"] += 100.0  # a huge effect after adoption must not move a placebo
    pd.testing.assert_frame_equal(did.placebo(changed, **SIM_COLUMNS, shifts=(1, 2)).tidy(), base)
    assert list(base.columns) == ["shift", "estimate", "std_error", "conf_low", "conf_high", "p_value", "n_treated",
                                  "n_control", "identified", "note"]


def test_placebo_finds_nothing_under_parallel_trends(simulate):
    data = simulate(n_units=2000, seed=8, x_trend=0.0)  # effects after adoption, parallel trends before
    real = did.att_gt(data, **SIM_COLUMNS).aggregate("simple").overall
    assert _reject(real.conf_low, real.conf_high)
    rows = did.placebo(data, **SIM_COLUMNS).tidy()
    assert rows["identified"].all()
    assert (rows["conf_low"] <= 0).all() and (rows["conf_high"] >= 0).all()


def test_placebo_finds_a_pre_trend(simulate):
    data = simulate(n_units=2000, seed=8, x_trend=0.0)
    adopter = data["cohort"] > 0
    data.loc[adopter, "y"] += 0.3 * data.loc[adopter, "period"]  # adopters on a steeper path all along
    rows = did.placebo(data, **SIM_COLUMNS, shifts=(1,)).tidy()
    assert rows["p_value"].iloc[0] < 1e-3


def test_placebo_reports_unestimable_shifts(castle):
    rows = did.placebo(castle, "y", "state", "year", "cohort", shifts=(1, 8)).tidy().set_index("shift")
    assert bool(rows.loc[1, "identified"]) and not bool(rows.loc[8, "identified"])
    assert rows.loc[8, "note"]
    with pytest.raises(ValueError, match="positive"):
        did.placebo(castle, "y", "state", "year", "cohort", shifts=(0,))


# ---------------------------------------------------------------------------- randomization inference


def test_randomization_p_value_is_the_corrected_share_and_seeded(castle):
    ri = did.randomization_inference(castle, "y", "state", "year", "cohort", draws=30, seed=4)
    valid = ri.permuted[np.isfinite(ri.permuted)]
    assert ri.p_value == pytest.approx((1 + (np.abs(valid) >= abs(ri.estimate)).sum()) / (1 + valid.size))
    again = did.randomization_inference(castle, "y", "state", "year", "cohort", draws=30, seed=4)
    np.testing.assert_array_equal(again.permuted, ri.permuted)
    other = did.randomization_inference(castle, "y", "state", "year", "cohort", draws=30, seed=5)
    assert not np.array_equal(other.permuted, ri.permuted)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # castle's single-state cohorts leave cells unidentified
        simple = did.att_gt(castle, "y", "state", "year", "cohort").aggregate("simple").overall.estimate
    assert ri.estimate == pytest.approx(simple)


def test_randomization_rejects_a_large_effect():
    data = _panel(1, n_units=80, effect=3.0)
    ri = did.randomization_inference(data, **SIM_COLUMNS, draws=39, seed=0)
    assert ri.p_value == pytest.approx(1 / 40)


# ------------------------------------------------------------------------------------------ power


@pytest.mark.parametrize("control_group,covariates,method", [("never_treated", None, "reg"),
                                                             ("not_yet_treated", None, "dr"),
                                                             ("never_treated", ["x"], "reg")])
def test_power_shortcut_adding_an_effect_shifts_the_estimate_only(simulate, control_group, covariates, method):
    """The MDE search rests on this: +delta on every treated cell moves the ATT by delta, not its SE."""
    data = simulate(n_units=150, seed=9, x_trend=0.0)
    frame = fe.prepare(data, outcome="y", unit="unit", time="period", cohort="cohort", columns=("x",))
    sim = _Simulator(frame)
    rng = np.random.default_rng(0)
    treated = (data["cohort"] > 0) & (data["period"] >= data["cohort"])
    for _ in range(3):
        drawn = data.assign(y=sim.draw(rng))
        kw = dict(control_group=control_group, covariates=covariates, method=method)
        base = did.att_gt(drawn, **SIM_COLUMNS, **kw).aggregate("simple").overall
        moved = drawn.assign(y=drawn["y"] + 0.7 * treated)
        shifted = did.att_gt(moved, **SIM_COLUMNS, **kw).aggregate("simple").overall
        assert shifted.estimate == pytest.approx(base.estimate + 0.7, abs=1e-10)
        assert shifted.std_error == pytest.approx(base.std_error, rel=1e-10)


def test_power_keeps_the_panel_structure_and_matches_the_normal_approximation():
    data = _panel(3, n_units=300)
    data = data[~((data["unit"] % 7 == 0) & (data["period"] == 2))]  # unbalanced: kept as is
    res = did.power(data, **SIM_COLUMNS, simulations=150, seed=1)
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    assert res.mde == pytest.approx(z * np.nanmedian(res.null_std_errors), rel=0.15)
    assert res.mde == pytest.approx(res.mde_analytic, rel=0.25)
    assert res.power_at(res.mde)[0] >= 0.8 > res.power_at(0.95 * res.mde)[0]
    assert res.power_at(0.0)[0] == res.size
    curve = res.curve()
    assert curve["power"].iloc[-1] == 1.0 and curve["effect"].iloc[0] == 0.0


def test_power_needs_units_untreated_in_every_year(castle):
    data = castle[castle["cohort"] > 0]  # adopters only: none is untreated every year
    with pytest.raises(ValueError, match="untreated in every year"):
        did.power(data.assign(cohort=data["cohort"]), "y", "state", "year", "cohort", simulations=10)


# ------------------------------------------------------------------------------------ size checks


@pytest.mark.slow
def test_placebo_rejects_at_nominal_size_without_effect():
    n = 300
    rejections = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(n):
            row = did.placebo(_panel(100 + seed, n_units=60), **SIM_COLUMNS, shifts=(1,)).tidy().iloc[0]
            rejections += _reject(row["conf_low"], row["conf_high"])
    rate = rejections / n
    margin = 2.6 * np.sqrt(0.05 * 0.95 / n)  # ~99% binomial band around 5%
    assert 0.05 - margin <= rate <= 0.05 + margin, rate


@pytest.mark.slow
def test_randomization_inference_rejects_at_nominal_size_without_effect():
    """19 reassignments: p <= 0.05 exactly when the real estimate beats all of them, probability 1/20."""
    n = 200
    rejections = 0
    for seed in range(n):
        ri = did.randomization_inference(_panel(500 + seed, n_units=30, periods=5, cohorts=(0, 3, 4)),
                                         **SIM_COLUMNS, draws=19, seed=seed, method="reg")
        rejections += ri.p_value <= 0.05
    rate = rejections / n
    margin = 2.6 * np.sqrt(0.05 * 0.95 / n)
    assert 0.05 - margin <= rate <= 0.05 + margin, rate


@pytest.mark.slow
def test_an_effect_of_the_mde_is_detected_about_80_percent_of_the_time():
    template = _panel(7, n_units=200)
    mde = did.power(template, **SIM_COLUMNS, simulations=300, seed=2).mde
    n = 200
    hits = 0
    for seed in range(n):
        data = _panel(900 + seed, n_units=200, effect=mde)
        o = did.att_gt(data, **SIM_COLUMNS, method="reg").aggregate("simple").overall
        hits += _reject(o.conf_low, o.conf_high)
    rate = hits / n
    # binomial band for 200 panels plus the Monte Carlo error of the MDE itself (300 simulations)
    assert 0.68 <= rate <= 0.92, rate


def test_every_robustness_result_renders_and_is_frozen(castle):
    """Each result shows itself in a notebook and cannot be changed in place."""
    import dataclasses

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dynamic = did.att_gt(castle, "y", "state", "year", "cohort", base_period="universal").aggregate("dynamic")
        treated = castle.assign(d=((castle["cohort"] > 0) & (castle["year"] >= castle["cohort"])).astype(int))
        results = [did.twfe(treated, "y", "state", "year", "d"), did.bacon(treated, "y", "state", "year", "d"),
                   did.event_study(castle, "y", "state", "year", "cohort"),
                   did.imputation(castle, "y", "state", "year", "cohort"),
                   did.placebo(castle, "y", "state", "year", "cohort", shifts=(1,)),
                   did.randomization_inference(castle, "y", "state", "year", "cohort", draws=5),
                   did.power(castle, "y", "state", "year", "cohort", simulations=10),
                   did.honest(dynamic, grid=[0, 1])]
    for res in results:
        assert "<div>" in res._repr_html_() and isinstance(res.tidy(), pd.DataFrame)
        field = dataclasses.fields(res)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, field, None)
