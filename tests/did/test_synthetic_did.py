"""Synthetic difference-in-differences (Arkhangelsky et al. 2021): synthdid's California Proposition 99
numbers, the paper's Table 1 comparisons, diff-diff's ``SyntheticDiD`` on random panels, and bad input."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE

from evaluation import did

# the module (the package attribute of the same name is the function)
sdid_module = importlib.import_module("evaluation.did.synthetic_did")

PROP99 = dict(outcome="PacksPerCapita", unit="State", time="Year", treated="treated")


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "california_prop99.csv", sep=";")


@pytest.fixture(scope="module")
def prop99_result(prop99):
    return did.synthetic_did(prop99, **PROP99, seed=0)


# ---- published numbers ---------------------------------------------------------------------------
# synthdid 0.0.9 vignette "synthdid" (vignettes/synthdid.Rmd of github:synth-inference/synthdid at
# 70c1ce3, rendered at https://synth-inference.github.io/synthdid/articles/synthdid.html), the README's
# example:  setup = panel.matrices(california_prop99); tau.hat = synthdid_estimate(setup$Y, setup$N0,
# setup$T0); print(summary(tau.hat)); se = sqrt(vcov(tau.hat, method='placebo')).  Its printed output
# (read in a copy of the rendered vignette found by the code-search index):
#   $estimate  -15.60383;  controls (omega, 3 decimals) and periods (lambda) below;
#   N0.effective 16.388, T0.effective 2.783;  "point estimate: -15.60";  "95% CI (-32.01, 0.80)".
VIGNETTE_ESTIMATE = -15.60383
VIGNETTE_OMEGA = {"Nevada": 0.124, "New Hampshire": 0.105, "Connecticut": 0.078, "Delaware": 0.070,
                  "Colorado": 0.058, "Illinois": 0.053, "Nebraska": 0.048, "Montana": 0.045, "Utah": 0.042,
                  "New Mexico": 0.041, "Minnesota": 0.039, "Wisconsin": 0.037, "West Virginia": 0.034,
                  "North Carolina": 0.033, "Idaho": 0.031, "Ohio": 0.031, "Maine": 0.028, "Iowa": 0.026}
VIGNETTE_LAMBDA = {1988: 0.427, 1986: 0.366, 1987: 0.206}
VIGNETTE_PLACEBO_SE = (0.80 - -32.01) / (2 * 1.96)  # from the printed interval tau -+ 1.96 se: 8.370
# Arkhangelsky, Athey, Hirshberg, Imbens & Wager (2021), AER 111(12), Table 1 (California, 12 post years):
# DID -27.3 (17.7), SC -19.6 (9.9), SDID -15.6 (8.4); the standard errors are placebo ones. (Not retrieved
# from the paper's text in this session -- the code and page indexes do not hold the table; the SDID entry
# agrees with the vignette above. To verify against the published PDF.)
TABLE1 = {"did": (-27.3, 17.7), "sc": (-19.6, 9.9), "sdid": (-15.6, 8.4)}


def test_reproduces_synthdid_estimate_and_weights(prop99_result):
    r = prop99_result
    assert r.estimate == pytest.approx(VIGNETTE_ESTIMATE, rel=1e-6)  # printed to 5 decimals
    omega = r.unit_weights.round(3)
    for state, w in VIGNETTE_OMEGA.items():
        assert omega[state] == pytest.approx(w, abs=5e-4 + 1e-12), state
    # the vignette lists the controls until 90% of the weight; the rest are smaller than the last one shown
    shown = r.unit_weights[list(VIGNETTE_OMEGA)]
    assert r.unit_weights.drop(shown.index).max() < shown.min()
    lam = r.time_weights.round(3)
    for year, w in VIGNETTE_LAMBDA.items():
        assert lam[year] == pytest.approx(w, abs=5e-4 + 1e-12), year
    assert r.time_weights.drop(list(VIGNETTE_LAMBDA)).sum() < 0.01
    assert round(1 / np.sum(r.unit_weights ** 2), 3) == pytest.approx(16.388)
    assert round(1 / np.sum(r.time_weights ** 2), 3) == pytest.approx(2.783)
    assert r.unit_weights.sum() == pytest.approx(1) and (r.unit_weights >= 0).all()
    assert r.time_weights.sum() == pytest.approx(1) and (r.time_weights >= 0).all()


def test_reproduces_table1_comparisons(prop99_result):
    est = prop99_result.estimates
    for key, (printed, _) in TABLE1.items():
        assert round(est[key], 1) == printed, key
    # DiD is closed form: the treated change minus the average control change, exactly
    r = prop99_result
    assert r.comparisons["did"].n_control == 38 and r.comparisons["sc"].n_control < 10


def _all_placebos(prop99, key):
    """With one treated unit a placebo draw depends only on which control plays the treated one:
    the 38 possible placebo estimates, computed directly (deterministic)."""
    y, n0, t0, _, _ = sdid_module._block(prop99, *PROP99.values())
    res = did.synthetic_did(prop99, **PROP99, replications=2)
    opt = {"sdid": sdid_module._Options("sdid", res.zeta_omega, res.zeta_lambda, 1e-5 * res.noise_level),
           "sc": sdid_module._Options("sc", 1e-6 * res.noise_level, 1e-6 * res.noise_level, 1e-5 * res.noise_level),
           "did": sdid_module._Options("did", 0.0, 0.0, 1e-5 * res.noise_level)}[key]
    _, omega, lam = sdid_module._fit(y[None], n0, t0, opt)
    perms = np.array([np.r_[np.delete(np.arange(n0), j), j] for j in range(n0)])
    return sdid_module._fit(y[:n0][perms], n0 - 1, t0, opt, sdid_module._sum_normalize(omega[0][perms[:, :-1]]),
                            lam[0])[0]


@pytest.mark.parametrize("key", ["sdid", "sc", "did"])
def test_printed_placebo_se_is_a_plausible_200_draw_placebo_se(prop99, prop99_result, key):
    """The placebo SE is random (R's draws cannot be replayed), so it is not compared at the printed
    precision. With one treated unit each draw is one of 38 placebo estimates, computed here exactly;
    the published SEs (200 draws) must lie inside the central 99% of the distribution of a 200-draw
    placebo SE built from them. Our own draws are exactly those values, in random order."""
    values = _all_placebos(prop99, key)
    rng = np.random.default_rng(20211201)
    draws = values[rng.integers(0, values.size, (20_000, 200))]
    se_200 = np.sqrt(199 / 200) * draws.std(axis=1, ddof=1)
    low, high = np.quantile(se_200, [0.005, 0.995])
    printed = [TABLE1[key][1]] + ([VIGNETTE_PLACEBO_SE] if key == "sdid" else [])
    for p in printed:
        assert low <= p <= high, (key, p, low, high)
    ours = prop99_result.draws[key]
    assert ours.size == 200
    nearest = np.abs(ours[:, None] - values[None, :]).min(axis=1)
    assert nearest.max() < 1e-8


@pytest.mark.slow
def test_placebo_se_reproducible_and_converges(prop99):
    a = did.synthetic_did(prop99, **PROP99, seed=3, compare=False)
    b = did.synthetic_did(prop99, **PROP99, seed=3, compare=False)
    assert list(a.tidy()["estimator"]) == ["sdid"]
    assert a.std_error == b.std_error
    values = _all_placebos(prop99, "sdid")
    limit = np.sqrt(np.mean((values - values.mean()) ** 2))
    # 200 draws: the SE of a SE is about limit / sqrt(2 * 200) (5%); allow 4 of those
    assert abs(a.std_error - limit) < 4 * limit / np.sqrt(400)


# ---- the same estimator elsewhere: diff-diff ------------------------------------------------------


def _random_block(seed: int, n_units: int, n_periods: int, n_treated: int, start: int) -> pd.DataFrame:
    """Factor-model panel with a block of treated units that load more on the factor."""
    rng = np.random.default_rng(seed)
    factor = np.cumsum(rng.normal(size=n_periods))
    loading = rng.normal(1, 0.5, n_units) + (np.arange(n_units) >= n_units - n_treated) * 0.5
    y = (rng.normal(size=n_units)[:, None] + loading[:, None] * factor[None] + 0.3 * np.arange(n_periods)
         + rng.normal(size=(n_units, n_periods)))
    treated_unit = np.arange(n_units) >= n_units - n_treated
    w = treated_unit[:, None] & (np.arange(n_periods)[None] >= start)
    y = y + 2.0 * w
    unit = np.repeat([f"u{i:03d}" for i in range(n_units)], n_periods)
    return pd.DataFrame({"unit": unit, "period": np.tile(np.arange(2000, 2000 + n_periods), n_units),
                         "y": y.ravel(), "w": w.ravel().astype(int), "ever": np.repeat(treated_unit, n_periods)
                         .astype(int)})


def _diff_diff(data, method, seed=0, replications=200):
    dd = pytest.importorskip("diff_diff")
    post = sorted(data.loc[data["w"] == 1, "period"].unique())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dd.SyntheticDiD(variance_method=method, seed=seed, n_bootstrap=replications).fit(
            data, outcome="y", treatment="ever", unit="unit", time="period", post_periods=post)


@pytest.mark.parametrize("seed,n_units,n_periods,n_treated,start", [(1, 30, 12, 3, 8), (2, 50, 20, 1, 15),
                                                                    (3, 25, 8, 5, 4)])
def test_matches_diff_diff_placebo(seed, n_units, n_periods, n_treated, start):
    data = _random_block(seed, n_units, n_periods, n_treated, start)
    ours = did.synthetic_did(data, "y", "unit", "period", "w", seed=seed, replications=50, compare=False)
    theirs = _diff_diff(data, "placebo", seed=seed, replications=50)
    assert ours.estimate == pytest.approx(theirs.att, rel=1e-9, abs=1e-9)
    # same permutations (numpy default_rng(seed).permutation per draw): same standard error
    assert ours.std_error == pytest.approx(theirs.se, rel=1e-7)
    w_theirs = pd.Series(theirs.unit_weights)
    np.testing.assert_allclose(ours.unit_weights.reindex(w_theirs.index).fillna(0), w_theirs, atol=1e-9)
    l_theirs = pd.Series(theirs.time_weights)
    np.testing.assert_allclose(ours.time_weights.reindex(l_theirs.index).fillna(0), l_theirs, atol=1e-9)


@pytest.mark.parametrize("seed", [4, 5])
def test_matches_diff_diff_jackknife(seed):
    data = _random_block(seed, 30, 10, 4, 6)
    ours = did.synthetic_did(data, "y", "unit", "period", "w", se="jackknife", compare=False)
    theirs = _diff_diff(data, "jackknife")
    assert ours.estimate == pytest.approx(theirs.att, rel=1e-9)
    assert ours.std_error == pytest.approx(theirs.se, rel=1e-7)


@pytest.mark.slow
def test_bootstrap_is_reproducible_and_close_to_jackknife():
    data = _random_block(6, 40, 10, 8, 6)
    kw = dict(se="bootstrap", replications=40, seed=1, compare=False)
    boot = did.synthetic_did(data, "y", "unit", "period", "w", **kw)
    again = did.synthetic_did(data, "y", "unit", "period", "w", **kw)
    jack = did.synthetic_did(data, "y", "unit", "period", "w", se="jackknife", compare=False)
    assert boot.std_error == again.std_error
    assert boot.estimate == jack.estimate
    assert 0.5 < boot.std_error / jack.std_error < 2


def test_recovers_effect_and_leaves_data_alone():
    data = _random_block(7, 60, 15, 6, 10)
    before = data.copy()
    r = did.synthetic_did(data, "y", "unit", "period", "w", replications=100, compare=False)
    pd.testing.assert_frame_equal(data, before)
    assert r.conf_low < 2.0 < r.conf_high
    shuffled = did.synthetic_did(data.sample(frac=1, random_state=1), "y", "unit", "period", "w",
                                 replications=100, compare=False)
    assert shuffled.estimate == pytest.approx(r.estimate, rel=1e-12)
    assert shuffled.std_error == pytest.approx(r.std_error, rel=1e-10)


# ---- conventions ----------------------------------------------------------------------------------


def test_tidy_schema_weights_and_html(prop99_result):
    t = prop99_result.tidy()
    assert list(t.columns) == did.tidy_columns(("cohort",)) + ["estimator"]
    assert list(t["estimator"]) == ["sdid", "sc", "did"]
    assert (t["cohort"] == 1989).all() and t["identified"].all()
    assert t[["estimate", "std_error", "conf_low", "conf_high"]].notna().all().all()
    w = prop99_result.weights()
    assert set(w["kind"]) == {"unit", "time"}
    assert len(w) == 38 + 19
    assert w.loc[w["kind"] == "unit", "weight"].sum() == pytest.approx(1)
    html = prop99_result._repr_html_()
    assert "Synthetic difference-in-differences" in html and "Nevada" in html
    with pytest.raises(Exception):
        prop99_result.estimate = 0  # frozen


# ---- bad input: one message naming the fix --------------------------------------------------------


def test_refuses_staggered_starts(prop99):
    bad = prop99.copy()
    bad.loc[(bad["State"] == "Utah") & (bad["Year"] >= 1995), "treated"] = 1
    with pytest.raises(ValueError, match="not a block.*different Years.*one adoption cohort at a time"):
        did.synthetic_did(bad, **PROP99)


def test_refuses_treatment_that_switches_off(prop99):
    bad = prop99.copy()
    bad.loc[(bad["State"] == "California") & (bad["Year"] == 1995), "treated"] = 0
    with pytest.raises(ValueError, match="not a block.*leave treatment"):
        did.synthetic_did(bad, **PROP99)


def test_refuses_unbalanced_panel_and_missing_outcomes(prop99):
    with pytest.raises(ValueError, match="balanced panel"):
        did.synthetic_did(prop99.drop(index=5), **PROP99)
    bad = prop99.copy()
    bad.loc[3, "PacksPerCapita"] = np.nan
    with pytest.raises(ValueError, match="missing or not a number"):
        did.synthetic_did(bad, **PROP99)


def test_refuses_no_treated_no_controls_and_wrong_se(prop99):
    with pytest.raises(ValueError, match="no row has treated = 1"):
        did.synthetic_did(prop99.assign(treated=0), **PROP99)
    with pytest.raises(ValueError, match="at least two treated units.*se='placebo'"):
        did.synthetic_did(prop99, **PROP99, se="jackknife")
    with pytest.raises(ValueError, match="se must be one of"):
        did.synthetic_did(prop99, **PROP99, se="analytic")
    with pytest.raises(ValueError, match="not in the data"):
        did.synthetic_did(prop99, "packs", "State", "Year", "treated")
    data = _random_block(8, 6, 8, 3, 4)
    with pytest.raises(ValueError, match="more control units than treated"):
        did.synthetic_did(data, "y", "unit", "period", "w")


def test_gram_form_solver_equals_residual_form():
    """The time-weight solver for tall problems (Gram form) takes the same Frank-Wolfe steps as the
    residual form used for the unit weights."""
    rng = np.random.default_rng(9)
    a = rng.normal(size=(3, 400, 12)).cumsum(axis=2)
    b = a[:, :, -3:].mean(axis=2) + rng.normal(size=(3, 400))
    x0 = np.full((3, 12), 1 / 12)
    gram_form = sdid_module._frank_wolfe_tall(a, b, 400 * 1e-6, 1e-6, x0, 1e-5, 3000)
    residual_form = np.vstack([sdid_module._frank_wolfe_one(a[r], b[r], 400 * 1e-6, 1e-6, x0[r], 1e-5, 3000)
                               for r in range(3)])
    np.testing.assert_allclose(gram_form, residual_form, atol=1e-10)
