"""The result objects: one tidy schema, immutability, notebook rendering, carried settings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from did_testdata import MPDTA_COLUMNS

from evaluation import did


@pytest.fixture(scope="module")
def res(mpdta):
    return did.att_gt(mpdta, **MPDTA_COLUMNS, covariates=["lpop"])


def test_schema_constant_is_the_single_source():
    assert tuple(did.TIDY_SCHEMA) == did.INDEX_COLUMNS + did.VALUE_COLUMNS
    assert did.INDEX_COLUMNS == ("cohort", "time", "event_time")
    assert did.VALUE_COLUMNS == (
        "estimate", "std_error", "conf_low", "conf_high", "n_treated", "n_control", "identified", "note",
    )
    assert did.tidy_columns(("event_time", "cohort")) == ["cohort", "event_time", *did.VALUE_COLUMNS]
    with pytest.raises(ValueError):
        did.tidy_columns(("year",))


@pytest.mark.parametrize(
    "kind, index",
    [(None, ("cohort", "time", "event_time")), ("simple", ()), ("group", ("cohort",)),
     ("dynamic", ("event_time",)), ("calendar", ("time",))],
)
def test_every_tidy_has_the_schema(res, kind, index):
    table = res.tidy() if kind is None else res.aggregate(kind).tidy()
    assert list(table.columns) == did.tidy_columns(index)
    assert table["identified"].dtype == bool
    assert table["n_treated"].dtype == np.int64 and table["n_control"].dtype == np.int64
    assert table["note"].map(type).eq(str).all()
    for col in ("estimate", "std_error", "conf_low", "conf_high"):
        assert table[col].dtype == np.float64
    # identified rows have numbers; the others say why not
    assert table.loc[table["identified"], ["estimate", "std_error"]].notna().all().all()
    assert (table["conf_low"] <= table["estimate"]).all() and (table["estimate"] <= table["conf_high"]).all()


def test_tidy_tables_concatenate(res, mpdta):
    ipw = did.att_gt(mpdta, **MPDTA_COLUMNS, method="ipw")
    both = pd.concat([res.tidy().assign(estimator="dr"), ipw.tidy().assign(estimator="ipw")], ignore_index=True)
    assert len(both) == 24 and list(both.columns[:3]) == ["cohort", "time", "event_time"]
    mixed = pd.concat([res.aggregate(k).tidy().assign(kind=k) for k in ("group", "dynamic", "calendar")])
    assert set(did.INDEX_COLUMNS) <= set(mixed.columns)


def test_group_time_index_columns(res):
    table = res.tidy()
    assert table[["cohort", "time"]].drop_duplicates().shape[0] == len(table) == 12
    assert (table["event_time"] == table["time"] - table["cohort"]).all()
    assert table["cohort"].dtype == np.int64 and table["time"].dtype == np.int64


def test_results_are_immutable(res):
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = None
    agg = res.aggregate("dynamic")
    with pytest.raises(dataclasses.FrozenInstanceError):
        agg.overall = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        agg.overall.estimate = 0.0


def test_changing_inference_returns_a_new_result(res):
    before = res.std_error.copy()
    boot = res.with_inference(bootstrap=199, seed=3)
    assert boot is not res
    np.testing.assert_array_equal(res.std_error, before)
    assert res.inference.band == "pointwise" and boot.inference.band == "uniform"
    assert boot.settings.bootstrap == 199 and res.settings.bootstrap is None
    np.testing.assert_array_equal(boot.estimate, res.estimate)
    wider = res.with_inference(alpha=0.01)
    assert (wider.conf_high - wider.conf_low > res.conf_high - res.conf_low).all()


def test_settings_carried(res):
    s = res.settings
    assert (s.outcome, s.unit, s.time, s.cohort) == ("lemp", "countyreal", "year", "first.treat")
    assert s.covariates == ("lpop",) and s.method == "dr" and s.control_group == "never_treated"
    assert s.base_period == "varying" and s.anticipation == 0 and s.alpha == 0.05
    agg = res.aggregate("dynamic", min_event=-2, max_event=2)
    assert agg.settings == s and agg.options == {"min_event": -2, "max_event": 2, "balance": None}
    assert list(agg.tidy()["event_time"]) == [-2, -1, 0, 1, 2]


def test_html_rendering(res):
    for obj in (res, res.aggregate("dynamic"), res.aggregate("simple"), res.pretest()):
        html = obj._repr_html_()
        assert html.startswith("<div>") and "<table>" in html
    html = res._repr_html_()
    assert "lemp" in html and "never_treated" in html and "pointwise" in html
    assert html.count("<tr") >= 12


def test_dynamic_exposes_coefficients_and_covariance(res):
    agg = res.aggregate("dynamic")
    coef, vcov = agg.coefficients, agg.vcov
    assert list(coef.index) == [-3, -2, -1, 0, 1, 2, 3] and coef.index.name == "event_time"
    assert vcov.shape == (7, 7) and list(vcov.index) == list(coef.index)
    np.testing.assert_allclose(np.sqrt(np.diag(vcov)), agg.std_error, rtol=1e-12)
    np.testing.assert_allclose(vcov.to_numpy(), vcov.to_numpy().T)
    assert np.all(np.linalg.eigvalsh(vcov.to_numpy()) > -1e-15)
    assert agg.influence.shape == (500, 7)


def test_group_time_influence_matrix(res):
    assert res.influence.shape == (500, 12)
    frame = res.influence_frame()
    assert frame.index.name == "countyreal" and frame.shape == (500, 12)
    np.testing.assert_allclose(frame.mean().to_numpy(), 0, atol=1e-12)  # influence functions are centred
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov)), res.std_error, rtol=1e-12)


def test_aggregation_options(res):
    bal = res.aggregate("dynamic", balance=1)
    assert list(bal.tidy()["event_time"]) == [-2, -1, 0, 1]  # cohorts with >= 2 exposure periods: 2004, 2006
    assert bal.tidy()["n_treated"].max() <= 60
    with pytest.raises(ValueError, match="balance applies"):
        res.aggregate("simple", balance=1)
    with pytest.raises(ValueError, match="type must be one of"):
        res.aggregate("event")
    capped = res.aggregate("group", max_event=0)
    on_impact = res.tidy().query("event_time == 0").set_index("cohort")["estimate"]
    np.testing.assert_allclose(capped.tidy().set_index("cohort")["estimate"], on_impact)


def test_counts_in_aggregates(res, mpdta):
    cohorts = mpdta.groupby("countyreal")["first.treat"].first()
    dyn = res.aggregate("dynamic").tidy().set_index("event_time")
    assert dyn.loc[0, "n_treated"] == int((cohorts > 0).sum())
    assert dyn.loc[3, "n_treated"] == int((cohorts == 2004).sum())
    assert dyn.loc[0, "n_control"] == int((cohorts == 0).sum())
    simple = res.aggregate("simple").overall
    assert simple.n_treated == int((cohorts > 0).sum())


def test_pretest_result(res):
    test = res.pretest()
    assert isinstance(test, did.PretestResult)
    assert test.df == len(test.cells) == 5
    assert 0 <= test.p_value <= 1


def test_simple_aggregate_vcov_is_the_overall_variance(res):
    agg = res.aggregate("simple")
    assert agg.vcov.shape == (1, 1)
    assert np.sqrt(agg.vcov.iloc[0, 0]) == pytest.approx(agg.overall.std_error, rel=1e-12)
    assert agg.coefficients.iloc[0] == agg.overall.estimate
    assert agg.band == "pointwise" and res.band == "pointwise"
