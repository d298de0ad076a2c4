"""Layer 1: replication of R did 2.5.0 on mpdta (tests/reference, see its README).

Tolerance: 1e-6 relative or 1e-9 absolute for estimates and standard errors;
1e-4 for the pre-test (R rounds its p-value to 5 decimals).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import MPDTA_COLUMNS, REFERENCE, SCENARIOS

from evaluation import did

RTOL, ATOL = 1e-6, 1e-9
AGG_TYPES = ("simple", "group", "dynamic", "calendar")


@pytest.fixture(scope="module")
def results(mpdta):
    return {name: did.att_gt(mpdta, **MPDTA_COLUMNS, **kw) for name, kw in SCENARIOS.items()}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_att_gt_matches_r(results, r_attgt, scenario):
    ours = results[scenario].tidy()
    ref = r_attgt[r_attgt.scenario == scenario]
    assert len(ref) == 12
    merged = ref.merge(ours, left_on=["group", "t"], right_on=["cohort", "time"], how="left", validate="1:1")
    assert merged["estimate"].notna().all(), "a reference cell is missing from tidy()"
    assert ours["identified"].all() and len(ours) == len(ref)
    np.testing.assert_allclose(merged["estimate"], merged["att"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(merged["std_error"], merged["se"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("agg_type", AGG_TYPES)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_aggte_matches_r(results, r_aggte, scenario, agg_type):
    agg = results[scenario].aggregate(agg_type)
    ref = r_aggte[(r_aggte.scenario == scenario) & (r_aggte.type == agg_type)]
    assert len(ref) > 0
    np.testing.assert_allclose(agg.overall.estimate, ref["overall_att"].iloc[0], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(agg.overall.std_error, ref["overall_se"].iloc[0], rtol=RTOL, atol=ATOL)
    if agg_type == "simple":
        return
    ours = agg.tidy()
    merged = ref.merge(ours, left_on="egt", right_on=agg.index_name, how="outer", validate="1:1", indicator=True)
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", ["egt", agg.index_name]]
    np.testing.assert_allclose(merged["estimate"], merged["att_egt"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(merged["std_error"], merged["se_egt"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_pretest_matches_r(results, r_pretest, scenario):
    ref = r_pretest[r_pretest.scenario == scenario].iloc[0]
    test = results[scenario].pretest()
    assert test.df == 5  # cohorts 2006 (2 pre-periods) and 2007 (3)
    assert test.statistic == pytest.approx(ref["W"], rel=1e-4)
    # R's Wpval is the chi-square p-value rounded to 5 decimals (not a bootstrap p-value).
    assert abs(test.p_value - ref["Wpval"]) < 1e-4
    assert abs(round(test.p_value, 5) - ref["Wpval"]) < 1e-12


def test_reference_data_is_the_published_mpdta(mpdta):
    assert mpdta.shape == (2500, 6)
    assert sorted(mpdta["first.treat"].unique()) == [0, 2004, 2006, 2007]
    assert mpdta.groupby("countyreal").size().eq(5).all()


CROSS_CHECK = {
    "mpdta_nev_dr_cov": dict(method="dr", covariates=["lpop"]),
    "mpdta_nyt_dr_cov": dict(method="dr", covariates=["lpop"], control_group="not_yet_treated"),
    "mpdta_nev_dr_cov_universal_antic1": dict(method="dr", covariates=["lpop"], base_period="universal", anticipation=1),
}


@pytest.mark.parametrize("scenario", list(CROSS_CHECK))
def test_dr_with_covariates_matches_moderndid(mpdta, scenario):
    """DR with a covariate, universal base and anticipation: the R files have none (see README)."""
    ref = pd.read_csv(REFERENCE / "moderndid_mpdta_dr_cov.csv")
    ref = ref[ref.scenario == scenario]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = did.att_gt(mpdta, **MPDTA_COLUMNS, **CROSS_CHECK[scenario]).tidy()
    merged = ref.merge(ours, left_on=["group", "t"], right_on=["cohort", "time"], how="left", validate="1:1")
    np.testing.assert_allclose(merged["estimate"], merged["att"], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(merged["std_error"], merged["se"], rtol=RTOL, atol=ATOL, equal_nan=True)
    # Cells we keep that moderndid drops are exactly the labelled gaps.
    extra = ours.merge(ref, left_on=["cohort", "time"], right_on=["group", "t"], how="left")
    extra = extra[extra["att"].isna()]
    assert (~extra["identified"]).all() and extra["note"].str.contains("no pre-adoption period").all()
