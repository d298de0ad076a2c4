"""Multiplier bootstrap: standard errors, uniform bands, seeds, clustering, chunking."""

from __future__ import annotations

import numpy as np
import pytest
from did_testdata import MPDTA_COLUMNS

from evaluation import did
from evaluation.did import bootstrap as boot


@pytest.fixture(scope="module")
def analytic(mpdta):
    return did.att_gt(mpdta, **MPDTA_COLUMNS)


@pytest.fixture(scope="module")
def booted(mpdta):
    return did.att_gt(mpdta, **MPDTA_COLUMNS, bootstrap=999, seed=20240501)


def test_mammen_multipliers_have_the_right_moments():
    p, lo, hi = boot.MAMMEN_P_LOW, boot.MAMMEN_LOW, boot.MAMMEN_HIGH
    assert p * lo + (1 - p) * hi == pytest.approx(0, abs=1e-15)
    assert p * lo**2 + (1 - p) * hi**2 == pytest.approx(1, abs=1e-15)
    assert p * lo**3 + (1 - p) * hi**3 == pytest.approx(1, abs=1e-14)
    # Draw the multipliers themselves: scores = identity picks them out one by one.
    draws = boot.multiplier_draws(np.eye(2000), n_units=1, draws=500, seed=1, kind="mammen")
    values = np.unique(np.round(draws, 12))
    np.testing.assert_allclose(values, [lo, hi])
    assert np.mean(draws == draws.min()) == pytest.approx(p, abs=0.01)
    rad = boot.multiplier_draws(np.eye(500), n_units=1, draws=200, seed=1)  # R did's default
    np.testing.assert_allclose(np.unique(rad), [-1, 1])
    assert np.mean(rad == 1) == pytest.approx(0.5, abs=0.01)


def test_bootstrap_covariance_matches_analytic_and_does_not_depend_on_block_size(monkeypatch):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(3000, 3)) @ np.array([[1, 0.5, 0], [0, 1, 0.3], [0, 0, 1]])
    scores -= scores.mean(axis=0)
    expected = scores.T @ scores / 3000**2
    big = boot.multiplier_draws(scores, 3000, 4000, seed=2)
    big_mammen = boot.multiplier_draws(scores, 3000, 4000, seed=2, kind="mammen")
    monkeypatch.setattr(boot, "_BLOCK_ELEMENTS", 4000 * 7)  # force many small blocks
    small = boot.multiplier_draws(scores, 3000, 4000, seed=2)
    for draws in (big, big_mammen, small):
        np.testing.assert_allclose(np.cov(draws.T, ddof=0), expected, rtol=0.08, atol=0.08 * expected.max())


def test_bootstrap_standard_errors_close_to_analytic(analytic, booted):
    ratio = booted.std_error / analytic.std_error
    assert np.all(np.abs(ratio - 1) < 0.12), ratio
    assert booted.inference.band == "uniform" and booted.inference.bootstrap == 999
    assert booted.settings.seed == 20240501 and booted.inference.bootstrap_weights == "rademacher"
    mammen = booted.with_inference(bootstrap_weights="mammen")
    assert np.all(np.abs(mammen.std_error / analytic.std_error - 1) < 0.12)


def test_uniform_band_is_wider_than_pointwise(analytic, booted):
    crit = booted.inference.critical_value
    assert 1.96 < crit < 4
    np.testing.assert_allclose(booted.conf_high - booted.estimate, crit * booted.std_error)
    width_uniform = booted.conf_high - booted.conf_low
    width_pointwise = analytic.conf_high - analytic.conf_low
    assert np.median(width_uniform / width_pointwise) > 1.15


def test_seed_reproducibility(mpdta, booted):
    again = did.att_gt(mpdta, **MPDTA_COLUMNS, bootstrap=999, seed=20240501)
    np.testing.assert_array_equal(again.std_error, booted.std_error)
    np.testing.assert_array_equal(again.conf_low, booted.conf_low)
    other = did.att_gt(mpdta, **MPDTA_COLUMNS, bootstrap=999, seed=1)
    assert not np.array_equal(other.std_error, booted.std_error)


def test_dynamic_aggregation_has_a_uniform_band(analytic, booted):
    agg_b = booted.aggregate("dynamic")
    agg_a = analytic.aggregate("dynamic")
    assert agg_b.inference.band == "uniform" and agg_a.inference.band == "pointwise"
    assert agg_b.inference.critical_value > 1.96
    np.testing.assert_allclose(agg_b.estimate, agg_a.estimate)
    assert np.all(np.abs(agg_b.std_error / agg_a.std_error - 1) < 0.12)
    # The overall number is a single parameter: a pointwise interval with the bootstrap SE.
    o = agg_b.overall
    assert o.conf_high - o.estimate == pytest.approx(1.959964 * o.std_error, rel=1e-5)
    assert agg_b.bootstrap_draws.shape == (999, len(agg_b.index))


def test_aggregation_draws_are_the_cell_draws_recombined(booted):
    """Aggregation reuses the stored draws: a single-cell row equals that cell."""
    agg = booted.aggregate("dynamic")
    row = list(agg.index).index(3)  # event time 3 comes from cell (2004, 2007) only
    cell = np.nonzero((booted.cohort == 2004) & (booted.time == 2007))[0][0]
    np.testing.assert_allclose(agg.bootstrap_draws[:, row], booted.bootstrap_draws[:, cell], atol=1e-14)
    assert agg.std_error[row] == pytest.approx(booted.std_error[cell], rel=1e-12)


def test_clustered_bootstrap_close_to_clustered_analytic(mpdta):
    data = mpdta.assign(state=mpdta["countyreal"] // 1000)
    a = did.att_gt(data, **MPDTA_COLUMNS, cluster="state")
    b = did.att_gt(data, **MPDTA_COLUMNS, cluster="state", bootstrap=2000, seed=4)
    assert b.inference.n_clusters == a.inference.n_clusters == data["state"].nunique()
    # With few clusters the bootstrap distribution is not normal, so its IQR-based SE
    # only approximates the analytic one; both are sqrt(sum of squared cluster sums) / n.
    ratio = b.std_error / a.std_error
    assert np.all(np.abs(ratio - 1) < 0.25), ratio


def test_unidentified_cells_do_not_enter_the_band(mpdta):
    data = mpdta.copy()
    data.loc[data["countyreal"].isin([8001, 8019, 8023, 8029]), "first.treat"] = 2003
    with pytest.warns(UserWarning):
        res = did.att_gt(data, **MPDTA_COLUMNS, bootstrap=299, seed=9)
    tidy = res.tidy()
    assert tidy.loc[~tidy["identified"], ["std_error", "conf_low", "conf_high"]].isna().all().all()
    assert tidy.loc[tidy["identified"], ["std_error", "conf_low", "conf_high"]].notna().all().all()
    assert np.isfinite(res.inference.critical_value)


def _sup_t_quantile(influence: np.ndarray, n_units: int, alpha: float, draws: int, seed: int) -> float:
    """1 - alpha quantile of max_j |Z_j| / sd_j, Z ~ N(0, V), V the analytic covariance."""
    cov = influence.T @ influence / n_units**2
    sd = np.sqrt(np.diag(cov))
    keep = sd > 0
    z = np.random.default_rng(seed).multivariate_normal(np.zeros(keep.sum()), cov[np.ix_(keep, keep)], size=draws)
    return float(np.quantile(np.max(np.abs(z / sd[keep]), axis=1), 1 - alpha))


@pytest.fixture(scope="module")
def large_sim():
    from did_testdata import SIM_COLUMNS, simulate_staggered

    data = simulate_staggered(2000, seed=0)
    return did.att_gt(data, **SIM_COLUMNS), did.att_gt(data, **SIM_COLUMNS, bootstrap=4999, seed=11)


@pytest.mark.parametrize("kind", ["cells", "dynamic"])
def test_uniform_critical_value_is_the_sup_t_quantile_of_the_analytic_covariance(large_sim, kind):
    """The bootstrap sup-t critical value estimates the 95% quantile of max_j |Z_j| / sd_j, Z ~ N(0, V).

    V is the analytic covariance of the estimates (influence functions). The multiplier
    bootstrap reproduces that Gaussian law asymptotically (Callaway and Sant'Anna 2021,
    section 4.1), so on a large simulated panel (2,000 units, cohorts of 400-600) with 4,999
    draws the two agree within 3% (measured: 0.3% for the cells, 0.2-1% for the event times).
    Dropping the absolute value in the sup-t maximum (a one-sided maximum) lowers the
    critical value by 7-9% on these data and fails here. (On mpdta, whose smallest cohort has
    20 counties, the Rademacher bootstrap's law is visibly lighter-tailed than the Gaussian
    one, about 5% lower, so that panel is not used.)
    """
    analytic, booted = large_sim
    if kind == "dynamic":
        analytic, booted = analytic.aggregate("dynamic"), booted.aggregate("dynamic")
    inf = analytic.influence
    expected = _sup_t_quantile(inf, inf.shape[0], 0.05, draws=200_000, seed=3)
    assert booted.inference.band == "uniform"
    assert booted.inference.critical_value == pytest.approx(expected, rel=0.03)
    assert expected > 2.3  # a simultaneous value for this many estimates, well above 1.96


@pytest.mark.parametrize("kind", ["rademacher", "mammen"])
def test_draws_are_exact_to_double_precision(kind):
    """Each draw is sum_c v_c S_c / n to double-precision rounding: another machine's matrix kernel can move a
    draw by about 1e-16 (a printed digit only at an exact rounding tie), not by the ~1e-7 of single precision.

    The multipliers are recovered exactly (the block product with the identity matrix), and the draws are
    compared with exactly rounded sums (math.fsum). A single-precision product missed by about 1e-7.
    """
    import math

    from evaluation.did import bootstrap as boot

    rng = np.random.default_rng(11)
    n_clusters, m, draws, seed = 300, 4, 64, 2016
    scores = rng.normal(size=(n_clusters, m)) * np.array([1.0, 1e3, 1e-3, 7.0])
    got = boot.multiplier_draws(scores, n_clusters, draws, seed, kind)
    stream = np.random.SeedSequence(seed).spawn(1)[0]
    _, multipliers = boot._block_draws(np.eye(n_clusters), draws, stream, kind)
    assert set(np.unique(multipliers)) <= {-1.0, 1.0, boot.MAMMEN_LOW, boot.MAMMEN_HIGH}
    exact = np.array([[math.fsum(multipliers[b] * scores[:, j]) / n_clusters for j in range(m)]
                      for b in range(draws)])
    scale = np.abs(multipliers) @ np.abs(scores) / n_clusters  # the size of the terms summed
    assert np.max(np.abs(got - exact) / scale) < 1e-13
