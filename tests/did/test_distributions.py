"""evaluation.did.distributions gives scipy.stats' values bit for bit, and importing the estimators does not
import scipy.stats."""

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from evaluation.did import distributions as d

PROBABILITIES = [0.0, 1e-300, 1e-12, 1e-4, 0.001, 0.005, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975,
                 0.995, 0.999, 1 - 1e-12, 1 - 1e-16, 1.0, -0.1, 1.1, np.nan]
POINTS = [-np.inf, -40.0, -8.3, -1.959963984540054, -1.0, -0.0, 0.0, 1e-12, 0.5, 1.0, 1.96, 3.0, 8.3, 40.0,
          np.inf, np.nan]


def identical(ours, theirs) -> bool:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.dtype != theirs.dtype or ours.shape != theirs.shape:
        return False
    nan = np.isnan(theirs)
    return bool(np.array_equal(np.isnan(ours), nan) and np.array_equal(ours[~nan], theirs[~nan])
                and np.array_equal(np.signbit(ours[~nan]), np.signbit(theirs[~nan])))


@pytest.mark.parametrize("ours, theirs, values", [
    (d.normal_quantile, stats.norm.ppf, PROBABILITIES),
    (d.normal_cdf, stats.norm.cdf, POINTS),
    (d.normal_sf, stats.norm.sf, POINTS),
])
def test_normal_values_are_scipy_stats_values(ours, theirs, values):
    assert identical(ours(np.array(values)), theirs(np.array(values)))
    for value in values:
        got, expected = ours(value), theirs(value)
        assert type(got) is type(expected) and identical(got, expected), value
    assert identical(ours(np.array(values).reshape(-1, 1)), theirs(np.array(values).reshape(-1, 1)))


def test_normal_values_of_integers():
    assert identical(d.normal_sf(2), stats.norm.sf(2)) and identical(d.normal_cdf(-3), stats.norm.cdf(-3))


@pytest.mark.parametrize("df", [1, 2, 3, 7, 30, 250, 2.5, 0, -1, np.nan])
def test_chi_square_tail_is_scipy_stats_value(df):
    points = [-np.inf, -1.0, -0.0, 0.0, 1e-9, 0.5, 3.841458820694124, 12.0, 100.0, 1e4, np.inf, np.nan, 5]
    for x in points:
        got, expected = d.chi2_sf(x, df), stats.chi2.sf(x, df)
        assert type(got) is type(expected) and identical(got, expected), (x, df)
    grid = np.linspace(0, 60, 241)
    assert identical(d.chi2_sf(grid, df), stats.chi2.sf(grid, df))
    if np.isfinite(df) and df > 0:
        dfs = np.arange(1, grid.size + 1)
        assert identical(d.chi2_sf(grid, dfs), stats.chi2.sf(grid, dfs))


@pytest.mark.parametrize("df", [1, 2, 4, 9, 30, 1e6, 0, -1, np.nan])
def test_t_quantile_is_scipy_stats_value(df):
    p = np.array([1e-6, 0.0125, 0.025, 0.5, 0.95, 0.975, 0.99875, 1 - 1e-9])
    got, expected = d.t_quantile(p, df), stats.t.ppf(p, df)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=0)  # NaN where scipy.stats gives NaN


@pytest.mark.parametrize(("df_num", "df_den"), [(1, 4), (2, 4), (3, 9), (6, 250), (1, 1e6), (0, 4), (2, 0)])
def test_f_tail_is_scipy_stats_value(df_num, df_den):
    x = np.array([-1.0, 0.0, 1e-9, 0.5, 1.0, 3.0, 7.7, 50.0, np.inf])
    got, expected = d.f_sf(x, df_num, df_den), stats.f.sf(x, df_num, df_den)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize("module", ["evaluation.did", "evaluation.questions.impact",
                                    "evaluation.questions.heterogeneity", "evaluation.questions.costs",
                                    "evaluation.questions.robustness", "evaluation.questions.surveys"])
def test_estimators_do_not_import_scipy_stats(module):
    code = f"import sys, {module}; print('scipy.stats' in sys.modules, 'scipy.optimize' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


def test_the_checks_that_need_scipy_stats_still_get_it():
    # HonestDiD's fixed-length interval and the pre-trend test's multivariate normal import it when they run
    code = ("import sys, numpy as np; from evaluation.did import pretrend; "
            "p = pretrend._rejection_probability(np.zeros(2), np.eye(2), 1.96); "
            "print('scipy.stats' in sys.modules, round(p, 4))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", str(round(1 - (1 - 2 * stats.norm.sf(1.96)) ** 2, 4))], done.stderr


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pretest_p_value_is_the_chi_square_tail(seed):
    # results.py computes it with scipy.special itself (it imports nothing from the package)
    from evaluation import did

    rng = np.random.default_rng(seed)
    units, years = 80, range(2010, 2017)
    cohort = rng.choice([0, 2013, 2014, 2015], units)
    rows = [{"unit": u, "year": t, "cohort": cohort[u],
             "y": rng.normal() + 0.1 * seed * (t - 2010) * (cohort[u] > 0) + (cohort[u] and t >= cohort[u])}
            for u in range(units) for t in years]
    import pandas as pd

    res = did.att_gt(pd.DataFrame(rows), outcome="y", unit="unit", time="year", cohort="cohort")
    test = res.pretest()
    assert test.df >= 1 and np.isfinite(test.statistic)
    assert test.p_value == stats.chi2.sf(test.statistic, test.df)
