"""Bad input gives a clear error or a labelled gap -- never a crash or a silent NaN table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from did_testdata import MPDTA_COLUMNS, SIM_COLUMNS

from evaluation import did


def fit(data, **kw):
    cols = {**MPDTA_COLUMNS, **kw.pop("columns", {})}
    return did.att_gt(data, **cols, **kw)


def quiet_fit(data, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit(data, **kw)


# --------------------------------------------------------------------------------------
# errors that name the fix or the offending rows
# --------------------------------------------------------------------------------------


def test_no_never_treated_names_the_fix(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    with pytest.raises(ValueError, match="control_group='not_yet_treated'"):
        fit(data, control_group="never_treated")


def test_no_never_treated_works_with_not_yet_treated(mpdta):
    data = mpdta[mpdta["first.treat"] != 0]
    with pytest.warns(UserWarning, match="periods from the last cohort's adoption"):
        res = fit(data, control_group="not_yet_treated")
    tidy = res.tidy()
    # The last cohort (2007) has no one left to compare with once it is treated: as R did
    # 2.5.1 does, 2007 is dropped and cohort 2007 is only a comparison group (issue 9).
    assert not (tidy["time"] == 2007).any() and not (tidy["cohort"] == 2007).any()
    early = tidy[(tidy["cohort"] == 2004) & (tidy["time"] < 2007)]
    assert early["identified"].all() and early["estimate"].notna().all()
    simple = res.aggregate("simple").overall
    assert np.isfinite(simple.estimate)


def test_switching_treatment_names_units(mpdta):
    data = mpdta.copy()
    rows = (data["countyreal"] == 8001) & (data["year"] >= 2006)  # cohort 2007 unit
    data.loc[rows, "first.treat"] = 0
    with pytest.raises(ValueError, match=r"change cohort over time.*countyreal=8001"):
        fit(data)


def test_duplicate_rows_named(mpdta):
    data = pd.concat([mpdta, mpdta.iloc[[7]]], ignore_index=True)
    unit, year = mpdta.iloc[7]["countyreal"], mpdta.iloc[7]["year"]
    with pytest.raises(ValueError, match=rf"duplicate unit-time.*countyreal={unit:.0f} year={year:.0f}"):
        fit(data)


def test_cohort_not_a_period_named(mpdta):
    data = mpdta.astype({"first.treat": float})
    data.loc[data["countyreal"] == 8001, "first.treat"] = 2005.5
    # Estimated as R did does (issue 9), with a warning naming the cohort.
    with pytest.warns(UserWarning, match=r"Cohort\(s\) 2005.5 of 'first.treat' are not periods of 'year'"):
        res = fit(data)
    assert (res.tidy()["cohort"] == 2005.5).any()


def test_cohort_after_last_period_named(mpdta):
    data = mpdta.copy()
    data.loc[data["countyreal"] == 8001, "first.treat"] = 2031
    with pytest.raises(ValueError, match=r"after the last period of data \(2007\).*countyreal=8001 adopts in 2031"):
        fit(data)


def test_all_problems_reported_together(mpdta):
    data = mpdta.copy()
    data.loc[data["countyreal"] == 8001, "first.treat"] = 2031
    data = pd.concat([data, data.iloc[[20]]], ignore_index=True)
    with pytest.raises(ValueError) as err:
        fit(data)
    assert "duplicate" in str(err.value) and "2031" in str(err.value)


def test_missing_columns_listed(mpdta):
    with pytest.raises(ValueError, match=r"'lpopp'.* are not in the data"):
        fit(mpdta, covariates=["lpopp"])


def test_non_numeric_outcome_named(mpdta):
    data = mpdta.copy()
    data["lemp"] = data["lemp"].astype(object)
    data.loc[3, "lemp"] = "n/a"
    with pytest.raises(ValueError, match=r"outcome column 'lemp' must be numeric.*row 3"):
        fit(data)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(method="ols"), "method must be one of"),
        (dict(control_group="nevertreated"), "did you mean 'never_treated'"),
        (dict(base_period="fixed"), "base_period must be one of"),
        (dict(alpha=1.5), "alpha must be between 0 and 1"),
        (dict(bootstrap=True), "bootstrap must be None or a number"),
        (dict(anticipation=-1), "anticipation must be a non-negative integer"),
        (dict(bootstrap=99, bootstrap_weights="gaussian"), "bootstrap_weights must be one of"),
    ],
)
def test_bad_arguments(mpdta, kw, match):
    with pytest.raises(ValueError, match=match):
        fit(mpdta, **kw)


def test_with_inference_refuses_a_seed_given_as_text(mpdta):
    """A text seed other than "keep" was stored as the result's seed, and with draws failed inside numpy."""
    res = quiet_fit(mpdta)
    for kw in (dict(seed="7"), dict(seed="7", bootstrap=99)):
        with pytest.raises(ValueError, match="seed must be None, an integer or 'keep', not '7'"):
            res.with_inference(**kw)
    assert res.with_inference(seed="keep").settings.seed == res.settings.seed


def test_weights_must_be_unit_level(mpdta):
    data = mpdta.assign(w=1.0)
    data.loc[(data["countyreal"] == 8001) & (data["year"] == 2005), "w"] = 2.0
    with pytest.raises(ValueError, match=r"weights column 'w' must be constant within a unit.*8001"):
        fit(data, weights="w")
    data = mpdta.assign(w=1.0)
    data.loc[data["countyreal"] == 8001, "w"] = -1.0
    with pytest.raises(ValueError, match="non-negative"):
        fit(data, weights="w")


def test_cluster_must_be_unit_level_or_coarser(mpdta):
    data = mpdta.assign(state=mpdta["countyreal"] // 1000)
    data.loc[(data["countyreal"] == 8001) & (data["year"] == 2005), "state"] = 99
    with pytest.raises(ValueError, match=r"cluster column 'state' must be constant within a unit.*8001"):
        fit(data, cluster="state")


# --------------------------------------------------------------------------------------
# dropped units and labelled gaps
# --------------------------------------------------------------------------------------


def test_always_treated_dropped_with_count(mpdta):
    data = mpdta.copy()
    always = data["countyreal"].isin([8001, 8019, 8023])
    data.loc[always, "first.treat"] = 2001
    with pytest.warns(UserWarning, match=r"Dropped 3 unit\(s\) already treated before the first period \(2003\)"):
        res = fit(data)
    expected = fit(mpdta[~always])
    pd.testing.assert_frame_equal(res.tidy(), expected.tidy())
    assert res.n_units == 497


def test_cohort_without_pre_period_is_a_labelled_gap(mpdta):
    data = mpdta.copy()
    data.loc[data["countyreal"].isin([8001, 8019, 8023, 8029]), "first.treat"] = 2003
    with pytest.warns(UserWarning, match="not identified"):
        res = fit(data)
    tidy = res.tidy()
    gap = tidy[tidy["cohort"] == 2003]
    assert len(gap) == 4 and not gap["identified"].any() and gap["estimate"].isna().all()
    assert gap["note"].str.contains("no pre-adoption period").all()
    # The other cohorts are estimated exactly as without these units.
    others = tidy[tidy["cohort"] != 2003].reset_index(drop=True)
    base = fit(mpdta[~mpdta["countyreal"].isin([8001, 8019, 8023, 8029])]).tidy()
    pd.testing.assert_frame_equal(others, base)
    for kind in ("simple", "group", "dynamic", "calendar"):
        agg = res.aggregate(kind)
        assert np.isfinite(agg.overall.estimate)
        assert "excludes unidentified cell(s) (2003, 2004)" in agg.overall.note
        assert (2003, 2004) in agg.skipped_cells
    group = res.aggregate("group").tidy().set_index("cohort")
    assert not group.loc[2003, "identified"] and "no identified post-adoption cells" in group.loc[2003, "note"]


def test_too_few_treated_units(mpdta):
    data = mpdta.copy()
    data.loc[data["first.treat"] == 2006, "first.treat"] = 0
    data.loc[data["countyreal"] == 8001, "first.treat"] = 2006  # a cohort of one
    with pytest.warns(UserWarning, match="not identified"):
        res = fit(data)
    tidy = res.tidy()
    one = tidy[tidy["cohort"] == 2006]
    assert not one["identified"].any()
    assert one["note"].str.contains(r"too few units: 1 treated unit\(s\)").all()
    assert one["n_treated"].eq(1).all()
    assert tidy.loc[tidy["cohort"] != 2006, "identified"].all()


def test_too_few_comparison_units(mpdta):
    never = mpdta.loc[mpdta["first.treat"] == 0, "countyreal"].unique()
    data = mpdta[~mpdta["countyreal"].isin(never[1:])]  # one never-treated county left
    with pytest.warns(UserWarning, match="not identified"):
        res = fit(data)
    tidy = res.tidy()
    assert not tidy["identified"].any()
    assert tidy["note"].str.contains(r"1 never-treated comparison unit\(s\)").all()
    agg = res.aggregate("dynamic")
    assert not agg.overall.identified and np.isnan(agg.overall.estimate)
    assert not agg.tidy()["identified"].any()


def test_constant_covariate_dropped_with_warning(mpdta):
    data = mpdta.assign(const=5.0)
    with pytest.warns(UserWarning, match=r"constant or collinear within 12 cell\(s\).*\(2004, 2004\): const"):
        res = fit(data, covariates=["lpop", "const"])
    base = fit(mpdta, covariates=["lpop"])
    np.testing.assert_allclose(res.estimate, base.estimate, rtol=1e-9)
    np.testing.assert_allclose(res.std_error, base.std_error, rtol=1e-9)
    assert res.tidy()["note"].str.contains("dropped collinear covariate").all()


def test_collinear_covariates_dropped(mpdta):
    data = mpdta.assign(lpop2=2 * mpdta["lpop"] + 1)
    for method in ("dr", "ipw", "reg"):
        with pytest.warns(UserWarning, match="collinear"):
            res = fit(data, covariates=["lpop", "lpop2"], method=method)
        base = fit(mpdta, covariates=["lpop"], method=method)
        np.testing.assert_allclose(res.estimate, base.estimate, rtol=1e-7)
        np.testing.assert_allclose(res.std_error, base.std_error, rtol=1e-7)


def test_covariate_collinear_among_comparison_units_only(mpdta):
    # A dummy that is 1 only for some treated units: fine in the full cell, but the
    # outcome regression on comparison units cannot estimate its coefficient.
    data = mpdta.assign(special=((mpdta["first.treat"] == 2004) & (mpdta["countyreal"] % 3 == 0)).astype(float))
    with pytest.warns(UserWarning) as caught:
        res = fit(data, covariates=["special"], method="reg")
    messages = " ".join(str(w.message) for w in caught)
    assert "could not be estimated" in messages and "(2004, 2004)" in messages
    tidy = res.tidy()
    bad = tidy[tidy["cohort"] == 2004]
    assert not bad["identified"].any()
    assert bad["note"].str.contains("collinear among the comparison units").all()
    assert tidy.loc[tidy["cohort"] != 2004, "identified"].all()


def test_extreme_propensity_scores(simulate):
    data = simulate(400, seed=3)
    # A covariate that almost separates cohort 3 from the never treated.
    rng = np.random.default_rng(0)
    unit_x = data.groupby("unit")["cohort"].first().map(lambda g: 6.0 if g == 3 else 0.0)
    unit_x = unit_x + rng.normal(scale=1.0, size=len(unit_x))
    data = data.assign(z=data["unit"].map(unit_x))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = did.att_gt(data, **SIM_COLUMNS, covariates=["z"], method="dr")
    text = " ".join(str(w.message) for w in caught)
    tidy = res.tidy()
    cohort3 = tidy[tidy["cohort"] == 3]
    # Either trimmed (with a warning naming the cells) or declared without overlap -- never a crash or silent NaN.
    assert ("trimmed" in text and "(3, " in text) or ("overlap" in text)
    assert (cohort3["identified"] | cohort3["note"].str.contains("overlap")).all()
    assert tidy.loc[tidy["identified"], "estimate"].notna().all()
    assert tidy.loc[~tidy["identified"], "note"].str.len().gt(0).all()


def test_perfect_separation_is_no_overlap(simulate):
    data = simulate(300, seed=4)
    data = data.assign(z=(data["cohort"] == 3).astype(float))  # separates cohort 3 exactly
    with pytest.warns(UserWarning) as caught:
        res = did.att_gt(data, **SIM_COLUMNS, covariates=["z"], method="ipw")
    assert any("overlap" in str(w.message) for w in caught)
    tidy = res.tidy()
    c3 = tidy[tidy["cohort"] == 3]
    assert not c3["identified"].any() and c3["note"].str.contains("overlap").all()
    assert tidy.loc[tidy["cohort"] != 3, "identified"].all()


def test_missing_outcomes_are_unbalanced_not_errors(mpdta):
    data = mpdta.copy()
    data.loc[data.sample(frac=0.05, random_state=1).index, "lemp"] = np.nan
    res = fit(data)
    assert res.tidy()["identified"].all()
    assert np.isfinite(res.aggregate("simple").overall.estimate)
