"""The DAC findings follow the evidence: verdicts from stated rules, robustness in the verdicts, scoped claims.

Demo data with a known truth (150 municipalities, the demo's default seed 2016, fixed before looking):
the default effect, no effect, no effect with adopters on a steeper untreated trend
(``pretrend_slope=0.5`` points a year, chosen before running), and a positive effect far below the
minimum detectable effect (``effect_scale=0.05``).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.demo import write_demo
from evaluation.load.dataset import load
from evaluation.panel import analysis_panel, resolve_covariates
from evaluation.questions import costs, findings, impact, verdicts
from evaluation.text.findings import FindingsText

# Fewer random reassignments and power simulations than the report's defaults keep the tests fast; the
# verdict rules use the MDE, so its simulation is kept at 100 panels.
FAST = dict(placebo_draws=19, power_simulations=100)


def _demo(tmp_path_factory, name, **kwargs):
    return load(write_demo(tmp_path_factory.mktemp(name) / "data", municipalities=150, **kwargs))


@pytest.fixture(scope="module")
def default_data(tmp_path_factory):
    return _demo(tmp_path_factory, "default")


@pytest.fixture(scope="module")
def default_findings(default_data):
    return findings.evaluate(default_data, bootstrap=999, **FAST)


@pytest.fixture(scope="module")
def zero_findings(tmp_path_factory):
    return findings.evaluate(_demo(tmp_path_factory, "zero", effect_scale=0), **FAST)


@pytest.fixture(scope="module")
def pretrend_findings(tmp_path_factory):
    return findings.evaluate(_demo(tmp_path_factory, "pretrend", effect_scale=0, pretrend_slope=0.5), **FAST)


@pytest.fixture(scope="module")
def small_data(tmp_path_factory):
    return _demo(tmp_path_factory, "small", effect_scale=0.05)


@pytest.fixture(scope="module")
def small_findings(small_data):
    return findings.evaluate(small_data, **FAST)


POSITIVE = {"impact_detected", "impact_suggestive", "impact_not_robust"}


# ------------------------------------------------------------------ the rules themselves (no data needed)


ROBUST = dict(estimated=True, excludes_zero=True, pretest_rejects=False, rm_breakdown=1.5, sd_keeps_sign=True,
              robust_checks_passed=2, excludes_min_effect=False)


def test_impact_is_detected_only_when_every_condition_of_the_rule_holds():
    assert verdicts.decide("impact", ROBUST).id == "impact_detected"
    for broken in (dict(excludes_zero=False), dict(pretest_rejects=True), dict(rm_breakdown=0.9),
                   dict(sd_keeps_sign=False), dict(rm_breakdown=float("nan"))):
        numbers = {**ROBUST, **broken}
        numbers["robust_checks_passed"] = int(numbers["rm_breakdown"] >= 1) + int(numbers["sd_keeps_sign"])
        assert verdicts.decide("impact", numbers).id != "impact_detected", broken
    one = {**ROBUST, "sd_keeps_sign": False, "robust_checks_passed": 1}
    assert verdicts.decide("impact", one).id == "impact_suggestive"
    assert verdicts.decide("impact", {**one, "pretest_rejects": True}).id == "impact_not_robust"


def test_a_null_needs_an_interval_that_excludes_the_minimum_effect_of_interest():
    null = dict(estimated=True, excludes_zero=False)
    assert verdicts.decide("impact", {**null, "excludes_min_effect": True}).id == "no_impact_detected"
    assert verdicts.decide("impact", {**null, "excludes_min_effect": False}).id == "impact_inconclusive"


def test_effectiveness_words_are_calibrated_to_the_share_of_outputs_that_met_their_target():
    share = lambda reached, total: verdicts.decide(  # noqa: E731
        "effectiveness", {"outputs_with_target": total, "share_reached": reached / total}).id
    assert share(3, 6) == "effectiveness_partly_delivered"  # "3 of 6 at 90 %" is not "mostly delivered"
    assert share(5, 6) == "effectiveness_mostly_delivered"
    assert share(6, 6) == "effectiveness_delivered"
    assert share(1, 6) == "effectiveness_not_delivered"


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_rule_has_a_word_a_condition_and_a_strength_in_both_languages(language):
    t = FindingsText(language)
    table = t.rules_table()
    assert table["verdict_id"].tolist() == verdicts.all_ids()
    assert table["verdict"].str.len().gt(0).all() and table["condition"].str.len().gt(0).all()
    assert set(verdicts.table()["strength"]) <= set(verdicts.STRENGTHS)
    for criterion in verdicts.CRITERIA:  # every table ends with an unconditional rule: a verdict always applies
        assert verdicts.RULES[criterion][-1].conditions == ()


# ------------------------------------------------------------------ demo data with a known truth


def test_default_effect_right_sign_covering_interval_scoped_to_the_evaluated_cohorts(default_findings):
    f = default_findings["impact"]
    n = f.numbers
    assert f.verdict_id in POSITIVE and n["estimate"] > 0
    assert n["conf_low"] <= n["truth"] <= n["conf_high"]
    # Scope: only cohorts with a POL07 score before adopting (2019 on) are evaluated, fewer than all adopters.
    assert n["evaluated_cohorts"] and min(n["evaluated_cohorts"]) >= 2019
    assert set(n["unevaluable_cohorts"]) == {2016, 2017, 2018}
    assert 0 < n["n_treated"] < n["all_adopters"]
    for language in ("es", "en"):
        t = FindingsText(language)
        answer = t.answer(default_findings)
        assert f" {n['n_treated']} " in answer and f" {n['all_adopters']} " in answer
        assert t.fmt.years(n["evaluated_cohorts"]) in answer and t.verdict(f.verdict_id) in answer
        assert t.fmt.years(n["unevaluable_cohorts"]) in t.scope(f)


def test_robustness_results_are_stated_in_the_impact_and_sustainability_sections(default_findings):
    t = FindingsText("en")
    for criterion in ("impact", "sustainability"):
        lines = " ".join(t.robustness_lines(default_findings[criterion].numbers))
        n = default_findings["impact"].numbers
        assert "Relative magnitudes" in lines and "Smoothness" in lines and "Placebo" in lines
        assert "Randomization inference" in lines and "only half the time" in lines
        assert t.fmt.number(n["mde"], 2) in lines and t.fmt.number(n["pretrend_slope_half"], 2) in lines


def test_efficiency_key_number_uses_the_evaluated_adopters(default_findings):
    n = default_findings["efficiency"].numbers
    assert n["evaluated_adopters"] == default_findings["impact"].numbers["n_treated"] < n["all_adopters"]
    assert n["cost_per_point_cop"] == pytest.approx(n["all_cost_per_point_cop"] * n["all_adopters"]
                                                    / n["evaluated_adopters"])
    assert default_findings["efficiency"].estimate == n["cost_per_point_cop"]
    text = FindingsText("en")
    assert "Extrapolation" in text.explanation(default_findings["efficiency"])


def test_one_number_one_interval_the_findings_quote_the_impact_and_cost_reports(default_data, default_findings):
    # The impact report's estimate with the same parameters (bootstrap 999, seed 2016).
    panel = analysis_panel(default_data, "POL07", "territorial", max(default_data.years))
    covs = resolve_covariates(default_data, "default", "territorial")
    result, _ = impact.estimate(panel, covs, control_group="never_treated", method="dr", bootstrap=999, seed=2016,
                                alpha=0.05)
    o = result.aggregate("simple").overall
    f = default_findings["impact"]
    assert (f.estimate, f.conf_low, f.conf_high) == (o.estimate, o.conf_low, o.conf_high)
    assert default_findings["efficiency"].numbers["effect_low"] == o.conf_low
    # The cost report's cost per point with the same price year and effect.
    price = default_findings.settings["price_year"]
    table = costs.per_point_table(default_data, o, entities="territorial", until_year=max(default_data.years),
                                  price_year=price)
    row = table[table["scope"] == "evaluated"].iloc[0] if "scope" in table else table.iloc[1]
    assert default_findings["efficiency"].estimate == pytest.approx(row["cost_per_point_cop"])
    # The sustainability section repeats the impact's robustness numbers, not its own.
    for key in ("rm_breakdown", "sd_m_pre", "mde"):
        assert default_findings["sustainability"].numbers[key] == f.numbers[key]


def test_selection_before_the_programme_is_named_in_the_impact_section(default_findings):
    coherence = default_findings["coherence"]
    assert coherence.verdict_id == "coherence_adopters_ahead"  # adopters selected on maturity (demo design)
    text = FindingsText("en").selection(default_findings["impact"])
    assert "differed before the programme" in text and "compares changes, not levels" in text
    assert FindingsText("en").fmt.signed(coherence.numbers["gap"], 1) in text


def test_zero_effect_gives_no_impact_detected(zero_findings):
    f = zero_findings["impact"]
    assert f.numbers["truth"] == 0
    assert f.verdict_id == "no_impact_detected"
    assert f.conf_low <= 0 <= f.conf_high and f.conf_high < f.numbers["mde"] and f.conf_low > -f.numbers["mde"]
    es = FindingsText("es")
    assert "no se detectó impacto" in es.answer(zero_findings)
    assert es.fmt.number(f.numbers["mde"], 2) in es.explanation(f)
    assert zero_findings["efficiency"].verdict_id in ("efficiency_cost_unbounded", "efficiency_no_gain")


def test_zero_effect_with_a_pretrend_is_never_a_robust_impact(pretrend_findings):
    f = pretrend_findings["impact"]
    assert f.numbers["truth"] == 0
    assert f.verdict_id != "impact_detected"
    if f.numbers["excludes_zero"]:
        assert f.verdict_id in ("impact_suggestive", "impact_not_robust")
        text = FindingsText("en").explanation(f)
        assert "contradict the parallel-trends assumption" in text or "not robust" in text \
            or "suggestive, not established" in text
    assert pretrend_findings["efficiency"].verdict_id != "efficiency_costed"
    assert pretrend_findings["sustainability"].verdict_id not in ("sustainability_effects_grow",
                                                                  "sustainability_effects_persist")


def test_an_effect_far_below_the_mde_is_not_detected_and_null_is_told_from_inconclusive(small_data, small_findings):
    f = small_findings["impact"]
    n = f.numbers
    assert 0 < n["truth"] < n["mde"] / 3
    assert f.verdict_id != "impact_detected" or n["conf_low"] > 0
    if not n["excludes_zero"]:
        expected = "no_impact_detected" if -n["mde"] < n["conf_low"] and n["conf_high"] < n["mde"] \
            else "impact_inconclusive"
        assert f.verdict_id == expected
        # A smallest effect of interest inside the interval makes the same estimate inconclusive.
        tiny = findings.impact_finding(small_data, findings.impact_evidence(
            small_data, year=max(small_data.years), **FAST), min_effect=min(abs(n["conf_low"]), n["conf_high"]) / 2)
        assert tiny.verdict_id == "impact_inconclusive"
        for language in ("es", "en"):
            t = FindingsText(language)
            assert t.fmt.number(n["mde"], 2) in t.explanation(f) and t.fmt.number(n["mde"], 2) in t.explanation(tiny)


@pytest.mark.parametrize("language", ["es", "en"])
def test_every_verdict_word_in_the_report_is_in_the_rules_table(language, default_findings, zero_findings,
                                                                 pretrend_findings):
    t = FindingsText(language)
    words = set(t.rules_table()["verdict"])
    for results in (default_findings, zero_findings, pretrend_findings):
        summary = t.summary(results)
        assert set(summary["verdict"]) <= words
        for f in results:
            assert t.verdict(f.verdict_id) in t.verdict_line(f)


def test_findings_csv_keys_are_language_independent(default_findings):
    tidy = default_findings.tidy()
    assert tidy["criterion_id"].tolist() == list(verdicts.CRITERIA)
    assert set(tidy["verdict_id"]) <= set(verdicts.all_ids())
    es, en = FindingsText("es").summary(default_findings), FindingsText("en").summary(default_findings)
    assert es["verdict_id"].tolist() == en["verdict_id"].tolist() and es["verdict"].tolist() != en["verdict"].tolist()


def test_sentences_change_with_the_numbers(default_findings, zero_findings):
    t = FindingsText("es")
    assert t.answer(default_findings) != t.answer(zero_findings)
    assert t.fmt.signed(default_findings["impact"].estimate, 2) in t.answer(default_findings)


def test_questions_module_has_no_markup_and_no_ipython():
    source = Path(inspect.getfile(findings)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("IPython" in str(m) or "narrative" in str(m) for m in imported)
    assert "text" not in {str(m).split(".")[1] for m in imported if str(m).startswith("evaluation.")}


def test_missing_optional_tables_are_reported_criterion_by_criterion(tmp_path):
    folder = write_demo(tmp_path / "data", municipalities=40)
    for name in ("monitoring", "costs", "survey_ict_offices", "survey_directors"):
        (folder / f"{name}.csv").unlink()
    results = findings.evaluate(load(folder), placebo_draws=9, power_simulations=20)
    for criterion in ("relevance", "effectiveness", "efficiency"):
        assert results[criterion].verdict_id == f"{criterion}_not_assessable"
        assert results[criterion].strength == "none"
    assert results["coherence"].verdict_id != "coherence_not_assessable"
    FindingsText("es").summary(results)  # words exist for every verdict reached


def test_evaluate_does_not_change_the_dataset(tmp_path):
    data = load(write_demo(tmp_path / "data", municipalities=40))
    before = {name: getattr(data, name).copy() for name in ("entities", "adoption", "outcomes", "costs")}
    findings.evaluate(data, placebo_draws=9, power_simulations=20)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(data, name), frame)


@pytest.mark.slow
def test_coverage_over_several_seeds(tmp_path):
    # Four independent demo draws. Under nominal 95% coverage, P(at least 3 of 4 cover) = 0.986; the
    # seeds are the project default and the next three integers, not chosen after the fact.
    covered = 0
    for seed in (2016, 1, 2, 3):
        data = load(write_demo(tmp_path / str(seed), municipalities=150, seed=seed))
        evidence = findings.impact_evidence(data, year=max(data.years), robustness=False)
        o, truth = evidence.overall, evidence.truth["overall"]
        assert o.estimate > 0
        covered += o.conf_low <= truth <= o.conf_high
    assert covered >= 3


def test_demo_pretrend_slope_moves_adopters_untreated_outcome_by_s_a_year(tmp_path):
    from evaluation.cli import main

    base = load(write_demo(tmp_path / "base", municipalities=30))
    assert main(["demo", "--out", str(tmp_path / "slope"), "--municipalities", "30", "--pretrend-slope", "0.5"]) == 0
    slope = load(tmp_path / "slope")
    assert slope.metadata["pretrend_slope"] == 0.5 and "pretrend_slope" not in base.metadata
    keys = ["entity_id", "year", "indicator"]
    both = base.outcomes.merge(slope.outcomes, on=keys, suffixes=("_0", "_s")).merge(
        base.entities[["entity_id", "level"]], on="entity_id")
    both = both[both["level"] != "national"].merge(base.adoption[["entity_id", "cohort"]], on="entity_id", how="left")
    untreated = both[both["cohort"].isna() | (both["year"] < both["cohort"])].dropna(subset=["value_0"])
    untreated = untreated.assign(change=untreated["value_s"] - untreated["value_0"],
                                 adopter=untreated["entity_id"].isin(base.adoption["entity_id"]))
    by = untreated.groupby(["indicator", "year", "adopter"])["change"].mean().unstack()
    by = by.dropna()
    gap = (by[True] - by[False]).reset_index()
    expected = 0.5 * (gap["year"] - 2020)
    assert np.allclose(gap[0], expected, atol=0.02)
    # The truth stays the true effect of the data written (treated minus untreated outcome of each cell).
    assert (tmp_path / "slope" / "truth.csv").is_file()
