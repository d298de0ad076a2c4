"""Power of the pre-trend test (Roth 2022): R pretrends' README on He & Wang (2017), an exact integral and a
simulation of the probability, what a linear trend does to each estimator's pre-adoption coefficients, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import REFERENCE, SIM_COLUMNS
from scipy import integrate, stats

from evaluation import did


@pytest.fixture(scope="module")
def he_wang():
    d = pd.read_csv(REFERENCE / "he_wang_event_study.csv")
    sigma = d[[c for c in d.columns if c.startswith("sigma_")]].to_numpy()
    return d["beta"].to_numpy(), sigma, d["event_time"].to_numpy()


# All numbers below are printed in the pretrends README (github.com/jonathandroth/pretrends, README.md,
# "Application to He and Wang (2017)"), with beta, sigma, tVec = HeAndWangResults and referencePeriod = -1:
#   slope_for_power(sigma, targetPower = 0.5, tVec, referencePeriod)                 -> 0.05205871
#   pretrends(..., deltatrue = slope50 * (tVec - referencePeriod))$df_power          -> 0.4999776 0.56901 0.1057627
#   pretrends(..., deltatrue = 0.024 * (tVec - referencePeriod)^2)$df_power          -> 0.6624282 0.3841516 0.4332635
# R computes the power with mvtnorm::pmvnorm (Genz-Bretz quasi-Monte Carlo, default abseps = 1e-3) and the
# slope with uniroot on that noisy function; the likelihood ratio is a closed form. So the likelihood ratios
# are compared to the printed 7 digits, power, Bayes factor and slope to R's Monte Carlo error (here about
# 1e-4), and the power itself to an exact integral below.
README_SLOPE = 0.05205871


def test_he_wang_slope_for_half_power(he_wang):
    beta, sigma, t = he_wang
    res = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1)
    assert res.slope == pytest.approx(README_SLOPE, rel=5e-4)
    assert list(res.event_time) == [-4, -3, -2]
    assert res.summary()["target_power"].iloc[0] == 0.5


def test_he_wang_power_bayes_factor_likelihood_ratio(he_wang):
    beta, sigma, t = he_wang
    linear = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1, trend=README_SLOPE)
    assert linear.power == pytest.approx(0.4999776, abs=5e-4)
    assert linear.bayes_factor == pytest.approx(0.56901, abs=5e-4)
    assert linear.likelihood_ratio == pytest.approx(0.1057627, rel=5e-7)
    quadratic = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1, trend=0.024 * (t + 1) ** 2)
    assert quadratic.power == pytest.approx(0.6624282, abs=5e-4)
    assert quadratic.bayes_factor == pytest.approx(0.3841516, abs=5e-4)
    assert quadratic.likelihood_ratio == pytest.approx(0.4332635, rel=5e-7)
    # the violation is read at the pre-adoption event times only
    assert quadratic.violation == pytest.approx(0.024 * (np.array([-4, -3, -2]) + 1) ** 2)


def _inside_exact(mean, sigma, c=1.96):
    """P(|b_j| < c se_j, j = 1..3) by adaptive quadrature over two coordinates (the third in closed form)."""
    se = np.sqrt(np.diag(sigma))
    b = c * se
    s12, cross = sigma[:2, :2], sigma[2, :2]
    w = np.linalg.solve(s12, cross)
    sd3 = np.sqrt(sigma[2, 2] - cross @ w)
    inv, det = np.linalg.inv(s12), np.linalg.det(s12)

    def f(x2, x1):
        x = np.array([x1, x2]) - mean[:2]
        m3 = mean[2] + w @ x
        return (np.exp(-0.5 * x @ inv @ x) / (2 * np.pi * np.sqrt(det))
                * (stats.norm.cdf((b[2] - m3) / sd3) - stats.norm.cdf((-b[2] - m3) / sd3)))

    return integrate.dblquad(f, -b[0], b[0], -b[1], b[1], epsabs=1e-11, epsrel=1e-11)[0]


def test_power_equals_an_exact_integral_and_a_simulation(he_wang):
    beta, sigma, t = he_wang
    res = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1, trend=README_SLOPE)
    pre = sigma[:3, :3]
    assert res.power == pytest.approx(1 - _inside_exact(README_SLOPE * np.array([-3.0, -2.0, -1.0]), pre), abs=3e-6)
    assert res.size == pytest.approx(1 - _inside_exact(np.zeros(3), pre), abs=3e-6)
    # at the slope found, a simulated pre-test rejects target_power of the time
    rng = np.random.default_rng(0)
    draws = rng.multivariate_normal(res.slope * res.shape, pre, size=40_000)
    rejects = (np.abs(draws) > 1.96 * np.sqrt(np.diag(pre))).any(axis=1).mean()
    assert rejects == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / 40_000))


def test_one_pre_period_is_closed_form():
    res = did.pretrend_power(beta=[0.1, 0.5], sigma=np.diag([0.04, 0.09]), event_times=[-2, 0], reference=-1)
    # the coefficient at -2 has mean -slope (shape -1): its rejection probability in closed form is 1/2
    z = stats.norm
    power = 1 - (z.cdf(1.96 - (-res.slope) / 0.2) - z.cdf(-1.96 - (-res.slope) / 0.2))
    assert power == pytest.approx(0.5, abs=1e-9)
    assert res.shape.tolist() == [-1.0]


# ----------------------------------------------------------------------------- reading our results


def _with_linear_violation(frame, slope):
    """Add slope x event time to adopters' outcomes before adoption (a pre-trend the pre-test should see)."""
    event = frame["period"] - frame["cohort"]
    before = (frame["cohort"] > 0) & (event < 0)
    return frame.assign(y=frame["y"] + np.where(before, slope * event, 0.0))


def test_linear_violation_moves_each_estimators_pre_coefficients_as_the_shape_says(simulate):
    """Estimators are linear in the outcome: adding a linear pre-trend of slope s moves the pre-adoption
    coefficients by exactly s x shape. This checks the shape used for each kind of result."""
    frame = simulate(400, seed=3)
    moved = _with_linear_violation(frame, 0.7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {
            "event_study": lambda d: did.event_study(d, **SIM_COLUMNS),
            "sun_abraham": lambda d: did.sun_abraham(d, **SIM_COLUMNS),
            "universal": lambda d: did.att_gt(d, **SIM_COLUMNS, base_period="universal").aggregate("dynamic"),
            "varying": lambda d: did.att_gt(d, **SIM_COLUMNS).aggregate("dynamic"),
            "imputation": lambda d: did.imputation(d, **SIM_COLUMNS, pretrends=2),
        }
        for name, fit in fits.items():
            base, shifted = did.pretrend_power(fit(frame)), did.pretrend_power(fit(moved))
            assert shifted.beta - base.beta == pytest.approx(0.7 * base.shape, abs=1e-8), name
            assert shifted.sigma.shape == base.sigma.shape and base.slope > 0, name


def test_event_study_result_equals_raw_input(simulate):
    es = did.event_study(simulate(300, seed=4), **SIM_COLUMNS)
    from_result = did.pretrend_power(es, trend=0.3)
    keep = es.event_time != -1
    raw = did.pretrend_power(beta=es.estimate[keep], sigma=es.covariance[np.ix_(keep, keep)],
                             event_times=es.event_time[keep], reference=-1, trend=0.3)
    assert from_result.slope == pytest.approx(raw.slope, rel=1e-12)
    assert from_result.power == pytest.approx(raw.power, rel=1e-12)
    assert from_result.likelihood_ratio == pytest.approx(raw.likelihood_ratio, rel=1e-12)
    tidy = from_result.tidy()
    assert list(tidy.columns) == ["event_time", "estimate", "std_error", "violation_at_target_power",
                                  "hypothesised_violation"]
    assert "Roth 2022" in from_result._repr_html_()
    assert did.pretrend_power(es, target_power=0.8).slope > from_result.slope  # more power needs a steeper trend


# ----------------------------------------------------------------------------- bad input


def test_refuses_a_covariance_that_is_not_positive_semi_definite(he_wang):
    beta, sigma, t = he_wang
    bad = sigma.copy()
    bad[0, 1] = bad[1, 0] = 1.5 * np.sqrt(bad[0, 0] * bad[1, 1])  # a correlation above 1
    with pytest.raises(ValueError, match="not positive semi-definite.*result.vcov") as err:
        did.pretrend_power(beta=beta, sigma=bad, event_times=t, reference=-1)
    assert "\n" not in str(err.value)
    asym = sigma.copy()
    asym[0, 1] += 1e-3
    with pytest.raises(ValueError, match="not symmetric"):
        did.pretrend_power(beta=beta, sigma=asym, event_times=t, reference=-1)
    with pytest.raises(ValueError, match="missing values"):
        did.pretrend_power(beta=np.r_[np.nan, beta[1:]], sigma=sigma, event_times=t, reference=-1)


def test_refuses_inputs_it_cannot_use(he_wang):
    beta, sigma, t = he_wang
    with pytest.raises(ValueError, match="no pre-adoption coefficient"):
        did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-10)
    with pytest.raises(ValueError, match="rejection rate under parallel trends"):
        did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1, target_power=0.05)
    with pytest.raises(ValueError, match="must match"):
        did.pretrend_power(beta=beta, sigma=sigma, event_times=t[:-1], reference=-1)
    with pytest.raises(TypeError, match="event-study result"):
        did.pretrend_power(object())


def test_against_a_slope_equals_passing_it_as_trend(he_wang):
    beta, sigma, t = he_wang
    base = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1)
    direct = did.pretrend_power(beta=beta, sigma=sigma, event_times=t, reference=-1, trend=base.slope)
    later = base.against(base.slope)
    assert np.isnan(base.power) and later.power == pytest.approx(0.5, abs=1e-5)
    for k in ("power", "bayes_factor", "likelihood_ratio"):
        assert getattr(later, k) == pytest.approx(getattr(direct, k), rel=1e-12)


@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_refuses_an_event_study_whose_standard_errors_vanished(simulate, base_period):
    """One cluster: att_gt reports the SEs as NaN (numerically zero, as R did), but its covariance is
    ~1e-32, from which the pre-test power used to come out as a 'detectable slope' of ~1e-17 with no
    warning. It must refuse and name the fix instead."""
    frame = simulate(300, seed=5).assign(region=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        es = did.att_gt(frame, **SIM_COLUMNS, cluster="region", base_period=base_period).aggregate("dynamic")
    with pytest.raises(ValueError, match=r"numerically zero; it has 1 cluster\(s\).*at least two clusters"):
        did.pretrend_power(es)
