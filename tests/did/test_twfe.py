"""Static and dynamic two-way fixed effects: published number, an independent OLS, the shared schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from did_testdata import REFERENCE

from evaluation import did
from evaluation.questions import comparisons


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    return pd.read_csv(REFERENCE / "castle.csv").copy()


@pytest.fixture(scope="module")
def ehec() -> pd.DataFrame:
    """The HonestDiD README's sample: years < 2016, 2015 cohort dropped, 2014 cohort vs never treated."""
    e = pd.read_csv(REFERENCE / "ehec.csv")
    e = e[(e["year"] < 2016) & (e["yexp2"].isna() | (e["yexp2"] != 2015))].copy()
    e["cohort"] = np.where(e["yexp2"] == 2014, 2014, 0)
    return e.reset_index(drop=True)


def _dummy_ols(frame, formula, cluster):
    fit = smf.ols(formula, data=frame).fit(cov_type="cluster", cov_kwds={"groups": frame[cluster]})
    return fit


def test_castle_twfe_matches_published_coefficient(castle):
    res = did.twfe(castle, "l_homicide", "state", "year", "post")
    # R bacondecomp's demo and lm(l_homicide ~ post + factor(state) + factor(year)) print 0.0818
    assert round(res.estimate, 4) == 0.0818
    assert res.n_obs == 550 and res.n_units == 50 and res.n_treated == 21 and res.n_control == 29


def test_twfe_equals_dummy_variable_ols_on_an_unbalanced_panel(simulate):
    data = simulate(n_units=120, seed=3, drop=0.15)
    data["treated"] = ((data["cohort"] > 0) & (data["period"] >= data["cohort"])).astype(float)
    res = did.twfe(data, "y", "unit", "period", "treated")
    fit = _dummy_ols(data, "y ~ treated + C(unit) + C(period)", "unit")
    assert res.estimate == pytest.approx(fit.params["treated"], abs=1e-10)
    # statsmodels counts the unit dummies in K; reghdfe/fixest do not (nested in the clusters)
    n, k_sm, k_ours = len(data), len(fit.params), 1 + data["period"].nunique() - 1
    scale = np.sqrt((n - k_sm) / (n - k_ours))
    assert res.std_error == pytest.approx(fit.bse["treated"] * scale, rel=1e-8)


def test_comparisons_twfe_keeps_its_dict_and_delegates(castle):
    row = comparisons.twfe(castle, "l_homicide", "state", "year", "post", alpha=0.1)
    res = did.twfe(castle, "l_homicide", "state", "year", "post", alpha=0.1)
    assert list(row) == ["estimator", "estimate", "std_error", "conf_low", "conf_high", "reading"]
    assert row["estimate"] == res.estimate and row["std_error"] == res.std_error
    assert row["conf_low"] == pytest.approx(res.conf_low) and row["conf_high"] == pytest.approx(res.conf_high)


def test_twfe_tidy_has_the_shared_schema(castle):
    tidy = did.twfe(castle, "l_homicide", "state", "year", "post").tidy()
    assert list(tidy.columns) == did.tidy_columns(())
    assert len(tidy) == 1 and bool(tidy["identified"].iloc[0])


def test_twfe_refuses_a_treatment_without_within_variation(castle):
    data = castle.assign(always=1.0)
    with pytest.raises(ValueError, match="does not vary"):
        did.twfe(data, "l_homicide", "state", "year", "always")


def test_event_study_equals_dummy_variable_ols(ehec):
    res = did.event_study(ehec, "dins", "stfips", "year", "cohort")
    frame = ehec.assign(e=np.where(ehec["cohort"] > 0, ehec["year"] - ehec["cohort"], -99))
    names = []
    for e in res.event_time:
        if e != -1:
            name = f"ev_{'m' if e < 0 else 'p'}{abs(e)}"
            frame[name] = (frame["e"] == e).astype(float)
            names.append((e, name))
    fit = _dummy_ols(frame, "dins ~ " + " + ".join(n for _, n in names) + " + C(stfips) + C(year)", "stfips")
    coef = res.coefficients
    for e, name in names:
        assert coef.loc[e] == pytest.approx(fit.params[name], abs=1e-10)
    n, k_sm = len(frame), len(fit.params)
    k_ours = len(names) + frame["year"].nunique() - 1
    scale = (n - k_sm) / (n - k_ours)
    order = [n for _, n in names]
    sm_cov = fit.cov_params().loc[order, order].to_numpy() * scale
    ours = res.vcov.drop(index=-1, columns=-1).to_numpy()
    np.testing.assert_allclose(ours, sm_cov, rtol=1e-7, atol=1e-14)


def test_event_study_reference_row_and_schema(ehec):
    res = did.event_study(ehec, "dins", "stfips", "year", "cohort")
    tidy = res.tidy()
    assert list(tidy.columns) == did.tidy_columns(("event_time",))
    ref = tidy.set_index("event_time").loc[-1]
    assert ref["estimate"] == 0 and np.isnan(ref["std_error"]) and "reference" in ref["note"]
    assert (res.vcov.loc[-1] == 0).all()
    assert list(res.event_time) == [-6, -5, -4, -3, -2, -1, 0, 1]


def test_event_study_window_leaves_out_rather_than_bins(ehec):
    full = did.event_study(ehec, "dins", "stfips", "year", "cohort")
    window = did.event_study(ehec, "dins", "stfips", "year", "cohort", leads=3, lags=0)
    assert list(window.event_time) == [-3, -2, -1, 0]
    assert window.n_obs == full.n_obs - 22 * 4  # 22 adopters lose event times -6, -5, -4 and 1
    assert any("left out" in m for m in window.messages)


def test_event_study_without_never_treated_units_says_why(simulate):
    data = simulate(n_units=150, seed=1)
    data = data[data["cohort"] > 0]
    with pytest.raises(ValueError, match="never-treated"):
        did.event_study(data, "y", "unit", "period", "cohort")


def test_estimators_do_not_modify_the_data(castle):
    before = castle.copy()
    did.twfe(castle, "l_homicide", "state", "year", "post")
    castle2 = castle.assign(cohort=castle["treatment_date"].fillna(0))
    before2 = castle2.copy()
    did.event_study(castle2, "l_homicide", "state", "year", "cohort", leads=4, lags=3)
    pd.testing.assert_frame_equal(castle, before)
    pd.testing.assert_frame_equal(castle2, before2)
