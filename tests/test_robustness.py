"""The robustness report: numbers in ``questions.robustness`` (ids, codes, frozen checks), sentences in
``text.robustness`` computed from them in both languages (no hard-coded conclusions), and the figures."""

from __future__ import annotations

import ast
import dataclasses
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation import did, paths, runner
from evaluation.load import dataset
from evaluation.panel import PANEL_KEYS, add_treated, analysis_panel, resolve_covariates, select_entities
from evaluation.plots import robustness as robustness_plots
from evaluation.plots.core import Chart
from evaluation.questions import comparisons, robustness
from evaluation.text import robustness as text
from evaluation.text.format import Format
from evaluation.text.wording import Wording

REFERENCE = Path(__file__).resolve().parent / "reference"
QUESTIONS = Path(robustness.__file__)


class _Castle:
    """The castle config's labels (config/castle.yaml), as the converted panel's dataset.yml holds them."""

    synthetic = False
    folder = Path("castle")
    metadata = {"name": "castle", "labels": {"unit": "state", "units": "states", "treatment": "castle-doctrine law",
                                             "outcomes": {"l_homicide": "log homicides per 100,000 inhabitants"}}}
    files: dict = {}


def _texts(language="en", outcome="POL07", data=None, alpha=0.05):
    return text.Texts(Format(language), Wording.for_dataset(data, language), outcome=outcome, alpha=alpha,
                      dataset=data)


EN, ES = _texts("en"), _texts("es")


@pytest.fixture(scope="module")
def demo():
    data = dataset.load(paths.resolve_data_dir(""))
    panel = select_entities(data.panel("POL07"), "territorial")
    return data, panel, resolve_covariates(data, "default", "territorial")


@pytest.fixture(scope="module")
def castle_panel() -> pd.DataFrame:
    """castle.csv in the analysis-panel shape (entity_id, year, value, cohort), cohort = first year of `post`."""
    c = pd.read_csv(REFERENCE / "castle.csv")
    first = c[c["post"] == 1].groupby("state")["year"].min()
    return pd.DataFrame({"entity_id": c["state"], "year": c["year"], "value": c["l_homicide"],
                         "cohort": c["state"].map(first).fillna(0).astype(int)})


@pytest.fixture(scope="module")
def demo_comparison(demo):
    _, panel, covs = demo
    return robustness.estimator_comparison(panel, covs)


@pytest.fixture(scope="module")
def castle_checks(castle_panel):
    dynamic = robustness.dynamic_effects(castle_panel, [])
    sens = robustness.sensitivity(dynamic=dynamic, seed=1)
    return dynamic, sens


# ---------------------------------------------------------------------------- the layers


def test_questions_module_imports_no_ipython_and_writes_no_markup():
    source = QUESTIONS.read_text(encoding="utf-8")
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
    assert "IPython" not in imported and "Markdown" not in source
    strings = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not [v for v in strings if re.search(r"\*\*|<p>|<strong>|</", v)], "markup in questions/robustness.py"
    modules = {n.module for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in modules if m and m.startswith(("evaluation.text", "evaluation.report"))}


def test_questions_results_carry_ids_and_no_sentences(demo_comparison):
    table = demo_comparison
    assert list(table["estimator"]) == list(robustness.ESTIMATORS)
    for column in ("estimator", "control", "note"):
        assert not table[column].astype(str).str.contains(" ").any(), column  # ids, codes or empty
    assert "reading" not in table.columns


def test_the_checks_the_findings_read_are_frozen_results(castle_panel, castle_checks):
    dynamic, sens = castle_checks
    results = [sens, robustness.pretrend_check(dynamic, sens),
               robustness.placebo(castle_panel, [], shifts=(1,)),
               robustness.randomization(castle_panel, [], draws=5, seed=0),
               robustness.minimum_detectable_effect(castle_panel, [], simulations=10, seed=0),
               robustness.bacon_shares(robustness.bacon(castle_panel)),
               robustness.agreement(robustness.estimator_comparison(castle_panel, []))]
    for res in results:
        assert dataclasses.is_dataclass(res)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(res, dataclasses.fields(res)[0].name, None)
    # the breakdown values are HonestDiD's, for both restrictions
    assert sens.breakdown_relative == did.honest(dynamic, "relative_magnitude", seed=1).breakdown
    assert sens.breakdown_smoothness == did.honest(dynamic, "smoothness").breakdown
    assert isinstance(sens.tidy(), pd.DataFrame) and set(sens.tidy()["restriction"]) == {
        "none", "relative_magnitude", "smoothness"}


# ---------------------------------------------------------------------------- estimator table


def test_estimator_comparison_rows_and_sources(demo, demo_comparison):
    _, panel, covs = demo
    table = demo_comparison
    assert list(table.columns) == robustness.COMPARISON_COLUMNS
    assert table["estimate"].notna().all() and table["identified"].all()
    t = table.set_index("estimator")
    assert t.loc[robustness.TWFE_ESTIMATOR, "estimate"] == pytest.approx(
        comparisons.twfe(add_treated(panel), "value", "entity_id", "year", "treated")["estimate"])
    assert t.loc[robustness.NAIVE_ESTIMATOR, "estimate"] == pytest.approx(
        comparisons.before_after(panel)["estimate"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imp = did.imputation(panel, **PANEL_KEYS, covariates=covs).overall
        cs = did.att_gt(panel, **PANEL_KEYS, covariates=covs)
    assert t.loc[robustness.IMPUTATION_ESTIMATOR, "estimate"] == pytest.approx(imp.estimate)
    assert t.loc[robustness.REFERENCE_ESTIMATOR, "estimate"] == pytest.approx(cs.aggregate("simple").overall.estimate)
    assert t.loc[robustness.REFERENCE_ESTIMATOR, "cells"] == int(cs.usable.sum())
    sa = did.sun_abraham(panel, **PANEL_KEYS, covariates=covs).overall  # the demo has never-treated entities
    assert t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, "estimate"] == pytest.approx(sa.estimate)
    assert t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, "control"] == "never_treated"
    assert t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, "covariates"] == ", ".join(covs)
    basis = dict(zip(table["estimator"], EN.comparison_basis(table)))
    assert basis[robustness.SUN_ABRAHAM_ESTIMATOR].startswith(
        f"{int(t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, 'cells'])} cohort-event-time cells, never-treated comparisons; "
        "conditional on")


def test_a_refused_estimator_gives_a_row_that_says_why():
    row = robustness._failed(robustness.TWFE_ESTIMATOR, ValueError("only one year"))
    table = pd.DataFrame([row], columns=robustness.COMPARISON_COLUMNS)
    assert not table["identified"].iloc[0] and np.isnan(table["estimate"].iloc[0])
    assert EN.comparison_basis(table) == ["not estimable: only one year"]
    assert ES.comparison_basis(table) == ["no estimable: only one year"]


def test_castle_through_the_report_helpers(castle_panel):
    table = robustness.estimator_comparison(castle_panel, []).set_index("estimator")
    assert round(table.loc[robustness.TWFE_ESTIMATOR, "estimate"], 4) == 0.0818  # the published TWFE
    decomposition = robustness.bacon(castle_panel)
    assert decomposition.twfe == pytest.approx(table.loc[robustness.TWFE_ESTIMATOR, "estimate"], abs=1e-8)
    profiles = robustness.event_time_profiles(castle_panel, [])
    assert list(profiles) == list(robustness.PROFILES)


def test_balanced_panel_keeps_complete_entities(demo):
    _, panel, _ = demo
    balanced = robustness.balanced_panel(panel)
    counts = balanced.groupby("entity_id")["year"].nunique()
    assert (counts == panel["year"].nunique()).all()
    full = panel.groupby("entity_id")["year"].nunique()
    assert len(counts) == int((full == panel["year"].nunique()).sum())


def test_units_label_and_effect_unit():
    class Fake:
        metadata = {"labels": {"outcomes": {"l_homicide": "log homicides per 100,000 inhabitants",
                                            "rate": "homicides per 100,000"}}}
    assert robustness.units_label(Fake(), "POL07") == "points"
    assert robustness.units_label(Fake(), "l_homicide") == "log points"
    assert robustness.units_label(Fake(), "rate") == "units"
    castle = Wording.for_dataset(_Castle(), "en")
    assert text.effect_unit(castle, _Castle(), "l_homicide") == "log points"
    assert text.effect_unit(Wording.for_dataset(_Castle(), "es"), _Castle(), "l_homicide") == "puntos logarítmicos"
    assert text.effect_unit(Wording.for_dataset(None, "es"), None, "POL07") == "puntos del índice"


# ---------------------------------------------------------------------------- generated readings


def _table(estimates, ses, twfe=None):
    rows = [robustness._row(robustness.NAIVE_ESTIMATOR, estimate=9.0, std_error=0.2, conf_low=8.6, conf_high=9.4,
                            identified=True, n_units=10)]
    if twfe is not None:
        rows.append(robustness._row(robustness.TWFE_ESTIMATOR, estimate=twfe, std_error=0.2, conf_low=twfe - 0.4,
                                    conf_high=twfe + 0.4, identified=True, n_obs=100, n_clusters=10))
    names = [robustness.REFERENCE_ESTIMATOR, robustness.NOT_YET_ESTIMATOR, robustness.IMPUTATION_ESTIMATOR]
    for name, est, se in zip(names, estimates, ses):
        rows.append(robustness._row(name, estimate=est, std_error=se, conf_low=est - 1.96 * se,
                                    conf_high=est + 1.96 * se, identified=True, cells=5))
    return pd.DataFrame(rows, columns=robustness.COMPARISON_COLUMNS)


def test_comparison_reading_follows_the_numbers():
    agree = EN.comparison_reading(robustness.agreement(_table([4.0, 4.1, 4.2], [0.2, 0.2, 0.2], twfe=3.0)))
    assert "agree within sampling error" in agree and "below their midpoint" in agree and "3 of 3 exclude zero" in agree
    disagree = EN.comparison_reading(robustness.agreement(_table([1.0, 4.0, 6.0], [0.2, 0.2, 0.2], twfe=4.0)))
    assert "do not all overlap" in disagree and "inside that range" in disagree
    signs = EN.comparison_reading(robustness.agreement(_table([-0.5, 0.1, 0.4], [0.5, 0.5, 0.5]), truth=0.2))
    assert "do not even agree on the sign" in signs and "0 of 3 exclude zero" in signs
    assert "true average effect is +0.20" in signs
    es = ES.comparison_reading(robustness.agreement(_table([4.0, 4.1, 4.2], [0.2, 0.2, 0.2], twfe=3.0)))
    assert "coinciden dentro del error muestral" in es and "por debajo de su punto medio" in es and "+3,00" in es


def test_the_short_answer_follows_the_estimate_in_both_languages(castle_checks):
    _, sens = castle_checks
    ri = did.RandomizationResult(estimate=4.0, p_value=0.01, permuted=np.zeros(9), draws=9, seed=1)
    low, high = _table([4.0, 4.1, 4.2], [0.2] * 3), _table([6.0, 6.1, 6.2], [0.2] * 3)
    for t, word in ((EN, "interval"), (ES, "intervalo de confianza del 95 %")):
        first = t.answer(low, robustness.agreement(low), sens, ri)
        second = t.answer(high, robustness.agreement(high), sens, ri)
        assert first != second and word in first
        assert t.fmt.signed(4.0, 2) in first and t.fmt.signed(6.0, 2) in second
        assert t.fmt.interval(4.0 - 0.392, 4.0 + 0.392, 2) in first
    assert "[3,61; 4,39]" in ES.answer(low, robustness.agreement(low), sens, ri)
    none = _table([], [])
    assert "None of the estimators" in EN.answer(none, robustness.agreement(none), sens)


def test_bacon_reading_follows_the_numbers(castle_panel):
    decomposition = robustness.bacon(castle_panel)
    shares = robustness.bacon_shares(decomposition)
    castle = _texts("en", "l_homicide", _Castle())
    reading = castle.bacon_reading(shares, castle_panel["entity_id"].nunique())
    assert "+0.082" in reading and "3% of the weight sits on comparisons that use already-treated states" in reading
    assert "log points" in reading
    no_bad = did.BaconResult(outcome="y", treated="d", twfe=1.0, variance_of_treatment=0.1, n_units=10, n_periods=4,
                             frame=pd.DataFrame({"comparison": ["treated vs never treated"], "treated_cohort": [3],
                                                 "control_cohort": [pd.NA], "estimate": [1.0], "weight": [1.0]}))
    assert "No comparison uses already-treated" in EN.bacon_reading(robustness.bacon_shares(no_bad), 10)
    assert "Ninguna comparación usa entidades ya tratadas" in ES.bacon_reading(robustness.bacon_shares(no_bad), 10)


def _honest(lo, hi, breakdown, method="relative_magnitude", pre=(-3, -2), post=(0, 1)):
    frame = pd.DataFrame([{"parameter": np.nan, "conf_low": lo, "conf_high": hi, "id_low": (lo + hi) / 2,
                           "id_high": (lo + hi) / 2, "method": "original"},
                          {"parameter": 0.0, "conf_low": lo, "conf_high": hi, "id_low": np.nan, "id_high": np.nan,
                           "method": "C-LF"},
                          {"parameter": 2.0, "conf_low": lo - 5, "conf_high": hi + 5, "id_low": 0.0, "id_high": 1.0,
                           "method": "C-LF"}])
    return did.HonestResult(method=method, target="average", alpha=0.05, estimate=(lo + hi) / 2,
                            std_error=(hi - lo) / 3.92, breakdown=breakdown, frame=frame, pre_event_times=pre,
                            post_event_times=post)


def _sens(rm, sd=None):
    return robustness.Sensitivity(rm, sd)


def test_sensitivity_reading_follows_the_numbers():
    robust = EN.sensitivity_reading(_sens(_honest(1.0, 3.0, 1.6)))
    assert "1.60 times" in robust and "larger than any seen" in robust
    fragile = EN.sensitivity_reading(_sens(_honest(1.0, 3.0, 0.4)))
    assert "0.40 times" in fragile and "fragile" in fragile
    assert "frágil" in ES.sensitivity_reading(_sens(_honest(1.0, 3.0, 0.4))) and "0,40 veces" in ES.sensitivity_reading(
        _sens(_honest(1.0, 3.0, 0.4)))
    nothing = EN.sensitivity_reading(_sens(_honest(-1.0, 3.0, 0.0)))
    assert "no finding to overturn" in nothing
    smooth = _honest(1.0, 3.0, 0.0, "smoothness")
    beyond = EN.sensitivity_reading(_sens(_honest(1.0, 3.0, np.inf), smooth))
    assert "every Mbar tried" in beyond and "already includes zero" in beyond
    assert "For M up to 0.000" in beyond  # the M = 0 row has no identified set
    assert "not significant even" in EN.sensitivity_title(_sens(_honest(-1.0, 3.0, 0.0)))
    assert "1,60 veces" in ES.sensitivity_title(_sens(_honest(1.0, 3.0, 1.6)))


def test_placebo_and_power_readings_follow_the_numbers():
    placebos = did.PlaceboResult({}, pd.DataFrame([
        {"shift": 1, "estimate": 0.9, "std_error": 0.2, "conf_low": 0.5, "conf_high": 1.3, "p_value": 0.0001,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""},
        {"shift": 2, "estimate": 0.1, "std_error": 0.2, "conf_low": -0.3, "conf_high": 0.5, "p_value": 0.6,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""}]))
    ri = did.RandomizationResult(estimate=1.0, p_value=0.3, permuted=np.linspace(-2, 2, 9), draws=9, seed=1)
    counts = robustness.placebo_counts(placebos, 0.05)
    assert (counts.estimated, counts.rejected) == (2, 1)
    reading = EN.placebo_reading(placebos, ri, counts)
    assert "1 of 2 placebo dates find an 'effect'" in reading and "1 year earlier" in reading
    assert "different from zero" in reading and "2 years earlier" in reading
    assert "not rare enough to rule out chance" in reading and "p = 0.300" in reading
    assert "1 de 2 fechas placebo" in ES.placebo_reading(placebos, ri, counts)
    # |-2|, |-1.5|, |-1|, 1, 1.5 and 2 are at least as large as 1.0
    assert robustness.as_large(ri) == (6, 9)
    assert EN.placebo_title(ri).startswith("6 of 9 random reassignments")
    pw = did.PowerResult(mde=0.5, mde_analytic=0.55, size=0.05, alpha=0.05, target_power=0.8, simulations=200, seed=0,
                         null_estimates=np.zeros(3), null_std_errors=np.ones(3))
    weak = EN.power_reading(pw, _table([0.2, 0.2, 0.2], [0.2, 0.2, 0.2]))
    assert "not evidence of absence" in weak and "0.50 index points" in weak and "about right" in weak
    assert "0,50 puntos del índice" in ES.power_reading(pw, _table([0.2] * 3, [0.2] * 3))
    strong = EN.power_reading(pw, _table([3.0, 3.0, 3.0], [0.2, 0.2, 0.2]))
    assert "is larger than that" in strong
    oversized = dataclasses.replace(pw, size=0.12)
    assert robustness.size_is_off(oversized) and not robustness.size_is_off(pw)
    assert "too small" in EN.power_reading(oversized, _table([3.0, 3.0, 3.0], [0.2] * 3))


def test_castle_wording_never_speaks_of_index_points_or_the_programme(castle_panel, castle_checks):
    dynamic, sens = castle_checks
    castle = _texts("en", "l_homicide", _Castle())
    table = robustness.estimator_comparison(castle_panel, [])
    agreement = robustness.agreement(table)
    shares = robustness.bacon_shares(robustness.bacon(castle_panel))
    pp = robustness.pretrend_check(dynamic, sens)
    placebos = robustness.placebo(castle_panel, [], shifts=(1,))
    ri = did.RandomizationResult(estimate=0.08, p_value=0.04, permuted=np.linspace(-0.1, 0.1, 9), draws=9, seed=1)
    pw = did.PowerResult(mde=0.05, mde_analytic=0.05, size=0.05, alpha=0.05, target_power=0.8, simulations=200,
                         seed=0, null_estimates=np.zeros(3), null_std_errors=np.ones(3))
    words = [castle.title(), castle.question(), castle.answer(table, agreement, sens, ri), castle.intro(),
             castle.bacon_intro(), castle.bacon_reading(shares, 50), castle.comparison_intro(),
             castle.comparison_reading(agreement), castle.sensitivity_reading(sens),
             castle.pretrend_reading(pp, sens), castle.placebo_intro(), castle.power_intro(),
             castle.power_reading(pw, table), castle.power_title(pw), castle.placebo_title(ri),
             castle.placebo_reading(placebos, ri, robustness.placebo_counts(placebos)),
             *castle.summary(shares, agreement, sens, pp, robustness.placebo_counts(placebos), ri, pw),
             *castle.comparison_table()["headers"].values(), *castle.sensitivity_table()["headers"].values()]
    page = "\n".join(words)
    assert "log points" in page and "states" in page and "castle-doctrine law" in page
    for banned in ("index points", "GCIO", "departmental", "entities", "Director"):
        assert banned not in page, banned


def test_figures_carry_titles_units_and_numbers(castle_panel, castle_checks):
    dynamic, sens = castle_checks
    decomposition = robustness.bacon(castle_panel)
    shares = robustness.bacon_shares(decomposition)
    es = _texts("es", "l_homicide", _Castle())
    profiles = robustness.event_time_profiles(castle_panel, [])
    ri = did.randomization_inference(castle_panel, **PANEL_KEYS, draws=20, seed=0)
    pw = did.power(castle_panel, **PANEL_KEYS, simulations=20, seed=0)
    table = robustness.estimator_comparison(castle_panel, [])
    charts = [
        robustness_plots.bacon_scatter(decomposition.tidy(), "Bacon title", twfe=decomposition.twfe,
                                       **es.bacon_figure(shares, decomposition)),
        robustness_plots.event_time_comparison(profiles, "ES title", **es.profiles_figure(profiles)),
        robustness_plots.sensitivity(title="Sensitivity title", **es.sensitivity_figure(sens)),
        robustness_plots.placebo_distribution(ri, "Placebo title", **es.placebo_figure(ri)),
        robustness_plots.power_curve(pw, "Power title", estimate=0.1, **es.power_figure(pw)),
        robustness_plots.estimator_intervals(table, "Estimators title", **es.comparison_figure(table)),
    ]
    for chart, title in zip(charts, ["Bacon title", "ES title", "Sensitivity title", "Placebo title", "Power title",
                                     "Estimators title"]):
        assert isinstance(chart, Chart) and chart.png.startswith(b"\x89PNG") and chart.title == title
    assert "0,082" in charts[0].alt and "adoptantes frente a quienes nunca adoptaron: 5 comparaciones" in charts[0].alt
    assert "intervalos puntuales del 95 %" in charts[1].alt
    assert f"valor de quiebre {es.fmt.number(sens.breakdown_relative, 2)}" in charts[2].alt
    assert es.fmt.p_value(ri.p_value) in charts[3].alt
    assert "Efecto mínimo detectable" in charts[4].alt
    assert "Efectos fijos de dos vías (estático): +0,08" in charts[5].alt
    # English defaults stay for other callers
    default = robustness_plots.placebo_distribution(ri, "Placebo title")
    assert "Histogram of" in default.alt


def test_notebook_declares_the_robustness_parameters():
    notebook = next(p for p in runner.discover_notebooks() if p.stem == "03_robustness")
    declared = runner.declared_parameters(notebook)
    for name in ("year", "data_dir", "output_dir", "language", "outcome", "entities", "covariates", "method",
                 "placebo_draws", "power_simulations", "seed", "alpha"):
        assert name in declared


def test_profiles_title_names_the_extremes_at_the_longest_common_horizon():
    def frame(values):
        return pd.DataFrame({"event_time": list(range(len(values))), "estimate": values,
                             "identified": [True] * len(values)})
    profiles = {"cs_universal": frame([1.0, 2.0, 3.0]), "sun_abraham": frame([1.0, 2.5]),
                "imputation": frame([0.5, 1.5, 9.0])}
    spread = robustness.profile_spread(profiles)
    assert spread.horizon == 1 and spread.lowest == "imputation" and spread.highest == "sun_abraham"
    title = EN.profiles_title(spread)
    assert title.startswith("1 year after adoption") and "+1.50 (Imputation" in title
    assert "+2.50 index points (Sun-Abraham)" in title
    assert ES.profiles_title(spread).startswith("1 año después de la adopción")


def test_pretrend_power_reading_follows_the_numbers(castle_panel, castle_checks):
    dynamic, sens = castle_checks
    pp = robustness.pretrend_check(dynamic, sens)
    r = pp.result
    assert r.power == pytest.approx(0.5, abs=1e-5) and np.isfinite(r.likelihood_ratio)
    castle = _texts("en", "l_homicide", _Castle())
    reading = castle.pretrend_reading(pp, sens)
    assert f"would detect a linear trend of {castle.fmt.number(r.slope, 3)} log points a year" in reading
    assert "only 50% of the time" in reading and f"{castle.fmt.percent(r.size)} of the time" in reading
    post = [t for t in sens.relative.post_event_times if t >= 0]
    bias = r.slope * np.mean([t + 1 for t in post])
    assert pp.bias == pytest.approx(bias) and f"add {castle.fmt.number(bias, 3)}" in reading
    # the verdict depends on how the implied bias compares with the estimate
    assert ("could produce most of the effect" in reading) == (abs(bias) >= 0.5 * abs(sens.relative.estimate))
    too_many = robustness.pretrend_check(dynamic, sens, target_power=0.01)
    assert not too_many.computed and "rejection rate under parallel trends" in too_many.reason
    assert "could not be computed" in castle.pretrend_reading(too_many, sens)
    assert isinstance(robustness.pretrend_power(dynamic, target_power=0.01), str)
    placebos = did.PlaceboResult({}, pd.DataFrame([
        {"shift": 1, "estimate": 0.1, "std_error": 0.2, "conf_low": -0.3, "conf_high": 0.5, "p_value": 0.6,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""}]))
    table = robustness.estimator_comparison(castle_panel, [])
    check = robustness.check_text(robustness.bacon(castle_panel), table, sens, placebos, pp)
    assert f"pre-test slope detected: {r.slope:.2f} at power 0.50" in check
    sa = table.set_index("estimator").loc[robustness.SUN_ABRAHAM_ESTIMATOR]
    assert f"sun_abraham: {sa['estimate']:+.2f} (se {sa['std_error']:.2f})" in check


def test_pretrend_table_says_why_when_there_is_no_power_calculation():
    table = robustness.pretrend_table("no pre-adoption coefficient")
    assert not table["identified"].any() and (table["note"] == "no pre-adoption coefficient").all()
    assert robustness.pretrend_table(robustness.PretrendPower(None, "why")).equals(
        pd.DataFrame({"identified": [False], "note": ["why"]}))


def test_first_cohort_synthetic_did_on_demo_data():
    """POL07 starts in 2018, after the first national heads of sector adopted (2016): the section says so and
    uses the first indicator measured twice before (GEL, 2014-2017); the rows come from did.synthetic_did."""
    data = dataset.load(paths.resolve_data_dir(""))
    fc = robustness.first_cohort_synthetic_did(data, "POL07", replications=50)
    assert fc.outcome == "GEL" and fc.cohort == 2016 and fc.substituted
    assert fc.requested_reason == "few_pre_years" and fc.requested_first_year == 2018
    table = fc.tidy()
    assert list(table.columns) == robustness.COMPARISON_COLUMNS
    assert list(table["estimator"]) == list(robustness.SDID_ESTIMATORS)
    assert table[["estimate", "std_error"]].notna().all().all()
    r = fc.result
    panel = analysis_panel(data, "GEL", "national")
    heads = panel[(panel["head_of_sector"] == 1) & (panel["cohort"] == 2016)]["entity_id"].unique()
    assert 0 < r.n_treated <= len(heads)
    assert set(r.unit_weights.index).isdisjoint(heads)
    reading = _texts("en", data=data).sdid_reading(fc)
    assert f"{r.estimate:+.2f}" in reading and "GEL" in reading and "POL07" in reading and "2018" in reading
    spanish = _texts("es", data=data).sdid_reading(fc)
    assert "se mide desde 2018" in spanish and Format("es").signed(r.estimate, 2) in spanish


def test_first_cohort_synthetic_did_without_heads_of_sector(castle_panel):
    """Data without entity levels (a config panel): one unidentified row saying why, never an empty table."""

    class Panelled:
        indicators = ["l_homicide"]

        @staticmethod
        def panel(outcome, until_year=None):
            return castle_panel.assign(level="state")

    fc = robustness.first_cohort_synthetic_did(Panelled(), "l_homicide")
    table = fc.tidy()
    assert len(table) == 1 and table["estimate"].isna().all() and fc.reason == "no_head_of_sector_column"
    assert "heads of sector" in EN.sdid_basis(fc)[0] and EN.sdid_basis(fc)[0].startswith("not estimable")
    assert "not estimable" in EN.sdid_reading(fc)
    assert "no son estimables" in ES.sdid_reading(fc)


# ---------------------------------------------------------------------------- few clusters: national entities by sector


@pytest.fixture(scope="module")
def by_sector():
    data = dataset.load(paths.resolve_data_dir(""))
    covs = resolve_covariates(data, "default", "national")
    return data, covs, robustness.wild_by_sector(data, "POL07", covs, until_year=max(data.years))


def test_wild_by_sector_on_demo_data(by_sector):
    """National entities clustered by sector: the rows are att_gt's analytic and wild (999 draws) results."""
    data, covs, sw = by_sector
    panel = analysis_panel(data, "POL07", "national", until_year=max(data.years))
    assert sw.n_sectors == panel["sector"].nunique() >= 20 and sw.no_sector == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analytic = did.att_gt(panel, **PANEL_KEYS, covariates=covs, cluster="sector")
        wild = did.att_gt(panel, **PANEL_KEYS, covariates=covs, cluster="sector", cluster_bootstrap="wild",
                          bootstrap=999, seed=2016)
    # the clusters are the sectors of the entities the estimate uses (those adopted before 2018 drop out)
    used = panel[panel["entity_id"].isin(wild.unit_ids)]
    assert sw.n_clusters == used["sector"].nunique() == wild.inference.n_clusters
    assert sw.wild.inference.cluster_bootstrap == "wild" and sw.wild.inference.bootstrap == 999
    table = sw.tidy()
    assert list(table.columns) == robustness.WILD_COLUMNS
    overall = table.iloc[0]
    assert overall["effect"] == robustness.OVERALL_EFFECT and overall["identified"]
    a, w = analytic.aggregate("simple").overall, wild.aggregate("simple").overall
    assert overall["estimate"] == pytest.approx(a.estimate) and overall["std_error"] == pytest.approx(a.std_error)
    assert (overall["analytic_low"], overall["analytic_high"]) == pytest.approx((a.conf_low, a.conf_high))
    assert (overall["wild_low"], overall["wild_high"]) == pytest.approx((w.conf_low, w.conf_high))
    assert overall["wild_high"] - overall["wild_low"] > overall["analytic_high"] - overall["analytic_low"]
    # adopters' sectors: those of the cohorts with an identified cell since adoption
    cells = wild.tidy()
    cohorts = cells.loc[cells["identified"] & (cells["event_time"] >= 0), "cohort"].unique()
    assert overall["treated_sectors"] == used.loc[used["cohort"].isin(cohorts), "sector"].nunique()
    es = table.iloc[1:]
    assert (es["effect"] == "event_time").all()
    da, dw = analytic.aggregate("dynamic").tidy(), wild.aggregate("dynamic").tidy()
    assert list(es["event_time"]) == list(dw["event_time"])
    np.testing.assert_allclose(es["analytic_low"], da["conf_low"])
    np.testing.assert_allclose(es["wild_high"], dw["conf_high"])
    assert list(es["identified"]) == list(dw["identified"])
    t = _texts("en", data=data)
    reading = t.wild_reading(sw)
    assert f"belong to {sw.n_clusters} sectors" in reading and f"are in {sw.n_sectors} sectors" in reading
    assert f"interval {t.fmt.interval(w.conf_low, w.conf_high, 2)}" in reading and "999 draws" in reading
    assert t.fmt.percent(robustness.WILD_COVERAGE[24]["wild"], 1) in reading and "between the two designs" in reading
    assert f"in {overall['treated_sectors']} of the {sw.n_clusters} sectors" in reading
    assert "uniform band" in reading and "pointwise" in reading
    words = t.wild_effects(sw)
    assert words[0] == "Average effect since adoption" and words[1] == f"Event time {int(es['event_time'].iloc[0])}"
    spanish = _texts("es", data=data).wild_reading(sw)
    assert "banda uniforme" in spanish and Format("es").interval(w.conf_low, w.conf_high, 2) in spanish
    check = robustness.check_text(robustness.bacon(panel), robustness.estimator_comparison(panel, covs),
                                  robustness.sensitivity(panel, covs, seed=1),
                                  did.PlaceboResult({}, pd.DataFrame(columns=["identified"])), wild=sw)
    assert (f"{sw.n_clusters} clusters, {overall['treated_sectors']} with adopters; {a.estimate:+.2f}, "
            f"analytic [{a.conf_low:+.2f}, {a.conf_high:+.2f}], wild [{w.conf_low:+.2f}, {w.conf_high:+.2f}]") in check


def test_wild_by_sector_leaves_out_and_counts_entities_without_a_sector(by_sector):
    data, covs, full = by_sector
    blank = sorted(data.entities.loc[data.entities["level"] == "national", "entity_id"])[:5]

    class Blanked:
        indicators = data.indicators

        @staticmethod
        def panel(outcome, until_year=None):
            p = data.panel(outcome, until_year=until_year)
            p.loc[p["entity_id"].isin(blank), "sector"] = np.nan
            return p

    sw = robustness.wild_by_sector(Blanked(), "POL07", covs, until_year=max(data.years))
    assert sw.no_sector == 5 and sw.n_entities == full.n_entities - 5
    assert not set(blank) & set(sw.wild.unit_ids)
    assert "National entities without a sector in entities.csv, left out: 5." in EN.wild_reading(sw)


def test_wild_by_sector_without_sectors_says_why(castle_panel):
    """A panel without national entities (castle), without a sector, or with one sector: one labelled row."""

    def fake(frame):
        class Panelled:
            indicators = ["l_homicide"]

            @staticmethod
            def panel(outcome, until_year=None):
                return frame.copy()
        return Panelled()

    castle_like = castle_panel.assign(level="departmental", sector=np.nan)
    national = castle_panel.assign(level="national")
    cases = {("no_national", "no national entities"): castle_like,
             ("no_sector", "no sector for the national entities"): national,  # no sector column at all
             ("no_sector", "sector column is absent or blank"): national.assign(sector=np.nan),
             ("one_sector", "all belong to one sector (Interior)"): national.assign(sector="Interior")}
    comparison = robustness.estimator_comparison(castle_panel, [])
    sens = robustness.sensitivity(castle_panel, [], seed=1)
    for (code, expected), frame in cases.items():
        sw = robustness.wild_by_sector(fake(frame), "l_homicide", [])
        table = sw.tidy()
        assert list(table.columns) == robustness.WILD_COLUMNS
        assert len(table) == 1 and not table["identified"].any() and table["estimate"].isna().all()
        assert table["note"].iloc[0] == code == sw.note
        assert expected in EN.wild_reason(sw) and "not estimable here" in EN.wild_reading(sw), expected
        assert EN.wild_status(sw)[0].startswith("not estimable: ") and "no son estimables" in ES.wild_reading(sw)
        assert robustness.check_text(robustness.bacon(castle_panel), comparison, sens,
                                     did.PlaceboResult({}, pd.DataFrame(columns=["identified"])),
                                     wild=sw).endswith(f"wild by sector: not identified ({code})")
    # two sectors, but one of them only holds states that adopted before the panel starts: att_gt's refusal
    # (fewer than two clusters) becomes the row's note
    early = castle_panel.groupby("entity_id")["cohort"].first()
    states = castle_panel["entity_id"].map(lambda s: "A" if s == early.index[0] else "B")
    two = national.assign(sector=states, cohort=np.where(states == "A", 1999, national["cohort"]))
    sw = robustness.wild_by_sector(fake(two), "l_homicide", [])
    assert sw.n_sectors == 2 and sw.wild is None and sw.note == "estimator" and "at least two clusters" in sw.detail
    assert "at least two clusters" in EN.wild_reason(sw)


def test_wild_coverage_words_follow_the_number_of_clusters():
    def words(n, treated):
        return EN.coverage_words(n, treated)
    assert robustness.coverage_design(30) == "large" and robustness.coverage_design(12) == "between"
    assert "as many as the larger design" in words(30, 20) and "as few as in that design" not in words(30, 20)
    assert "between the two designs" in words(12, 8)
    assert "fewer than the smallest design simulated (10)" in words(6, 4)
    assert "as few as in that design: read both intervals as too narrow" in words(24, 3)
    assert "demasiado estrechos" in ES.coverage_words(24, 3)


def test_wild_coverage_quoted_in_the_reading_is_the_readmes():
    """The reading quotes the README's coverage table; if a rerun changes the README, this fails until both agree."""
    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {24: "| 24 clusters |", 10: "| 10 clusters |", "24, adopters in 3": "| 24 clusters, adopters in only 3 |"}
    for design, start in rows.items():
        line = next(ln for ln in readme.splitlines() if ln.strip().startswith(start))
        c = robustness.WILD_COVERAGE[design]
        assert f"| {100 * c['analytic']:.1f} % | {100 * c['wild']:.1f} % (" in line, line
        assert f"uniform band {100 * c['wild_band']:.1f} %" in line or f"(band {100 * c['wild_band']:.1f} %" in line, line


def test_every_message_of_the_text_module_reaches_the_catalogue():
    """Babel does not extract a ``_()`` nested in another call's arguments: such a message would show in English
    in a Spanish report although the catalogue check passes. Every literal passed to ``_``/``plural`` must be in
    the Spanish catalogue."""
    from babel.messages.pofile import read_po

    from evaluation.text.catalogues import po_path

    with po_path("es", text.DOMAIN).open("rb") as handle:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = []
    for node in ast.walk(ast.parse(Path(text.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("_", "plural") and node.args[0].value not in ids:
                missing.append((node.lineno, node.args[0].value))
    assert not missing
