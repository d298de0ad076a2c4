"""Subgroup effects with adjusted intervals and labelled gaps; persistence read from effects by years since adoption."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evaluation.demo import write_demo
from evaluation.load.dataset import load
from evaluation.panel import analysis_panel, late_adopters, resolve_covariates, select_entities
from evaluation.plots import core, programme as programme_plots
from evaluation.questions import heterogeneity, impact
from evaluation.text.format import Format
from evaluation.text.heterogeneity import HeterogeneityText
from evaluation.text.wording import Wording

ES = HeterogeneityText(Format("es"), Wording.for_dataset(None, "es"))
EN = HeterogeneityText(Format("en"), Wording.for_dataset(None, "en"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return load(write_demo(tmp_path_factory.mktemp("het") / "data", municipalities=150))


@pytest.fixture(scope="module")
def effects(demo):
    return heterogeneity.subgroup_effects(demo, "POL07", ("level", "it_team", "alignment"))


def test_every_subgroup_is_a_row_estimated_or_a_labelled_gap(demo, effects):
    table = effects.table
    assert table.loc[table["dimension"] == "level", "subgroup"].tolist() == ["national", "departmental", "municipal"]
    assert (table["dimension"] == "it_team").sum() == 3
    estimated, gaps = table[table["identified"]], table[~table["identified"]]
    assert len(estimated) >= 3
    assert estimated["estimate"].notna().all() and estimated["note"].eq("").all()
    assert gaps["estimate"].isna().all() and gaps["note"].isin(heterogeneity.NOTES).all()
    assert all(EN.note(g, "POL07").startswith("not estimable") for _, g in gaps.iterrows())
    assert all(ES.note(g, "POL07").startswith("no estimable") for _, g in gaps.iterrows())
    assert table.loc[table["dimension"] == "it_team", "subgroup"].tolist() == list(heterogeneity.THIRDS)
    # The survey reached too few adopters with a year before adoption: a gap, not a crash.
    assert not table.loc[table["dimension"] == "alignment", "identified"].any()


def test_intervals_are_bonferroni_adjusted_within_each_dimension(effects):
    for dimension, part in effects.table[effects.table["identified"]].groupby("dimension"):
        m = len(part)
        ratio = (part["adj_conf_high"] - part["adj_conf_low"]) / (part["conf_high"] - part["conf_low"])
        df = part["n_treated"].astype(int) - 1
        expected = stats.t.ppf(1 - 0.05 / (2 * m), df) / stats.t.ppf(1 - 0.05 / 2, df)
        np.testing.assert_allclose(ratio, expected, rtol=1e-9)
    assert "Bonferroni" in EN.subgroup_caption(effects) and "Bonferroni" in ES.subgroup_caption(effects)


def test_intervals_carry_the_small_sample_correction_of_few_adopters(effects):
    """Student's t with G - 1 degrees of freedom and the standard error times sqrt(G / (G - 1)), G the adopters."""
    done = effects.table[effects.table["identified"]]
    g = done["n_treated"].astype(int)
    assert (done["t_df"] == g - 1).all()
    half = stats.t.ppf(0.975, g - 1) * done["std_error"] * np.sqrt(g / (g - 1))
    np.testing.assert_allclose(done["conf_low"], done["estimate"] - half, rtol=1e-10)
    np.testing.assert_allclose(done["conf_high"], done["estimate"] + half, rtol=1e-10)
    # wider than R did's normal interval, by more the fewer the adopters, and alike for many
    assert (half > stats.norm.ppf(0.975) * done["std_error"]).all()
    assert heterogeneity.small_sample_interval(1.0, 0.5, 5, 0.05) == pytest.approx(
        (1 - stats.t.ppf(0.975, 4) * 0.5 * np.sqrt(5 / 4), 1 + stats.t.ppf(0.975, 4) * 0.5 * np.sqrt(5 / 4)))
    low, high = heterogeneity.small_sample_interval(1.0, 0.5, 100_000, 0.05)
    assert high - 1 == pytest.approx(stats.norm.ppf(0.975) * 0.5, rel=1e-4)
    assert np.isnan(heterogeneity.small_sample_interval(1.0, 0.5, 1, 0.05)).all()


def test_unadjusted_intervals_when_asked(demo):
    plain = heterogeneity.subgroup_effects(demo, "POL07", ("it_team",), adjust="none")
    done = plain.table[plain.table["identified"]]
    np.testing.assert_allclose(done["adj_conf_low"], done["conf_low"])
    with pytest.raises(ValueError, match="adjust"):
        heterogeneity.subgroup_effects(demo, "POL07", ("it_team",), adjust="holm-ish")


def test_subgroups_too_small_become_gaps_not_errors(demo):
    tiny = heterogeneity.subgroup_effects(demo, "POL07", ("region", "peer_group"), min_adopters=10_000)
    assert not tiny.table["identified"].any()
    assert tiny.table["note"].eq("too_few_adopters").all() and tiny.table["detail"].eq("10000").all()
    assert all("needs 10000" in EN.note(r, "POL07") for _, r in tiny.table.iterrows())
    assert (tiny.tests["df"] == 0).all() and tiny.tests["reading"].eq("not_tested").all()
    chart = programme_plots.subgroup_effects(EN.figure_table(tiny), **EN.subgroup_figure(tiny))
    assert isinstance(chart, core.Chart) and "not estimable" in chart.alt
    spanish = programme_plots.subgroup_effects(ES.figure_table(tiny), **ES.subgroup_figure(tiny))
    assert "no estimable" in spanish.alt and "not estimable" not in spanish.alt


def test_unknown_dimension_is_refused_with_the_valid_ones(demo):
    with pytest.raises(ValueError, match="valid: level, region"):
        heterogeneity.parse_dimensions("level, colour")


def test_covariance_of_subgroup_estimates_from_aligned_influence_functions():
    a = pd.Series([0.1, -0.2, 0.3], index=["e1", "e2", "e3"])
    b = pd.Series([0.5, 0.5], index=["e4", "e5"])
    c = pd.Series([0.2, 0.1], index=["e3", "e2"])
    cov = heterogeneity.subgroup_covariance([a, b, c])
    assert cov[0, 0] == pytest.approx(0.14) and cov[0, 1] == 0  # disjoint entities: independent
    assert cov[0, 2] == pytest.approx(0.3 * 0.2 + (-0.2) * 0.1)  # shared entities, matched by id not position
    assert cov[2, 0] == cov[0, 2]


def test_wald_test_is_zero_for_equal_effects_and_large_for_distant_ones():
    influences = [pd.Series([0.1, -0.1], index=["a", "b"]), pd.Series([0.1, -0.1], index=["c", "d"])]
    same = heterogeneity._difference_test("x", [2.0, 2.0], influences, 0.05, 40)
    assert same["statistic"] == pytest.approx(0.0) and same["reading"] == "no_difference"
    far = heterogeneity._difference_test("x", [2.0, 5.0], influences, 0.05, 40)
    assert far["statistic"] == pytest.approx(9 / 0.04) and far["reading"] == "differ"


def test_estimates_with_no_measured_uncertainty_are_not_tested_and_the_page_says_why(effects):
    """A singular covariance (here: no variance at all) is neither 'differ' nor 'no difference'."""
    flat = [pd.Series([0.0, 0.0], index=["a", "b"]), pd.Series([0.0, 0.0], index=["c", "d"])]
    test = heterogeneity._difference_test("it_team", [1.0, 2.0], flat, 0.05, 10)
    assert (test["reading"], test["note"], test["df"]) == ("not_tested", "singular", 0) and np.isnan(test["p_value"])
    tests = effects.tests.copy()
    row = tests.index[tests["dimension"] == "it_team"][0]
    tests.loc[row, list(test)] = pd.Series(test)
    broken = dataclasses.replace(effects, tests=tests)
    en = [i for i in EN.subgroup_items(broken) if i.startswith("IT team")][0]
    es = [i for i in ES.subgroup_items(broken) if i.startswith("Tamaño del equipo")][0]
    assert "could not be tested (singular covariance)" in en and "the subgroups differ" not in en
    assert "no se pudo probar la diferencia" in es
    assert "singular covariance" in EN.tests_frame(broken).set_index("dimension").loc["it_team", "reading_text"]
    # no longer counted among the tested dimensions of the answer's first sentence
    assert "IT team" in EN.subgroup_title(effects) and "IT team" not in EN.subgroup_title(broken)


def test_difference_test_reads_an_f_distribution_with_the_fewest_adopters():
    """W / (m - 1) against F(m - 1, G_min - 1): with 5 adopters a W the chi-square calls significant is not."""
    influences = [pd.Series([0.15, -0.15], index=["a", "b"]), pd.Series([0.15, -0.15], index=["c", "d"]),
                  pd.Series([0.15, -0.15], index=["e", "f"])]
    estimates = [0.0, 1.0, 0.4]
    few = heterogeneity._difference_test("x", estimates, influences, 0.05, 5)
    many = heterogeneity._difference_test("x", estimates, influences, 0.05, 100_000)
    assert few["statistic"] == many["statistic"] and (few["df"], few["df_denominator"]) == (2, 4)
    assert few["p_value"] == pytest.approx(stats.f.sf(few["statistic"] / 2, 2, 4), rel=1e-12)
    assert many["p_value"] == pytest.approx(stats.chi2.sf(many["statistic"], 2), rel=1e-3)
    assert many["reading"] == "differ" and few["reading"] == "no_difference"


def test_truth_is_reported_for_demo_data_and_level_effects_differ_as_simulated(effects):
    level = effects.dimension("level").set_index("subgroup")
    # The demo's effects are larger for municipalities (more room below 100) than for national entities.
    assert level.loc["municipal", "estimate"] > level.loc["national", "estimate"]
    done = effects.table[effects.table["identified"]]
    assert done["true_effect"].notna().all()


class _Dynamic:
    """The three things ``persistence`` reads from a dynamic aggregation."""

    def __init__(self, estimates: dict[int, float], se: float = 0.2, treated: int = 50):
        events = sorted(estimates)
        self.coefficients = pd.Series([estimates[e] for e in events], index=pd.Index(events, name="event_time"))
        self.vcov = pd.DataFrame(np.diag([se ** 2] * len(events)), index=events, columns=events)
        self._tidy = pd.DataFrame({"event_time": events, "estimate": self.coefficients.to_numpy(),
                                   "std_error": se, "n_treated": treated, "identified": True})

    def tidy(self):
        return self._tidy


@pytest.mark.parametrize("estimates, reading", [
    ({-1: 0.0, 0: 1.0, 1: 2.0, 2: 4.0, 3: 5.0, 4: 6.0}, "grow"),
    ({-1: 0.0, 0: 5.0, 1: 5.0, 2: 3.0, 3: 1.0, 4: 1.0}, "fade"),
    ({-1: 0.0, 0: 3.0, 1: 3.1, 2: 3.0, 3: 2.9, 4: 3.1}, "persist"),
    ({-1: 0.0, 0: 0.1, 1: -0.1, 2: 0.0, 3: 0.1, 4: -0.1}, "no lasting effect detected"),
])
def test_persistence_reading_follows_the_rule(estimates, reading):
    result = heterogeneity.persistence(_Dynamic(estimates))
    assert result.reading == reading
    assert result.early_event_times == (0, 1) and result.late_event_times == (3, 4)
    assert result.difference == pytest.approx(np.mean([estimates[3], estimates[4]]) - np.mean([estimates[0], estimates[1]]))
    assert result.std_error == pytest.approx(np.sqrt(4 * 0.2 ** 2 / 4))
    word = {"grow": "grows", "fade": "fades", "persist": "persists", "no lasting effect detected": "No lasting"}[reading]
    assert word in EN.persistence_sentence(result, "POL07")
    palabra = {"grow": "crece", "fade": "se desvanece", "persist": "se mantiene",
               "no lasting effect detected": "No se detectó"}[reading]
    assert palabra in ES.persistence_sentence(result, "POL07")


def test_persistence_ignores_late_years_with_too_few_adopters():
    dynamic = _Dynamic({0: 1.0, 1: 2.0, 2: 3.0, 3: 4.0})
    dynamic._tidy.loc[dynamic._tidy["event_time"] == 3, "n_treated"] = 2
    assert heterogeneity.persistence(dynamic, late_count=1).late_event_times == (2,)
    assert heterogeneity.persistence(_Dynamic({0: 1.0, 1: 2.0})).reading == "not assessable"


def test_persistence_widens_the_late_intervals_for_few_adopters():
    """The late effect and the change rest on the adopters of the late years: t(G - 1), SE x sqrt(G / (G - 1))."""
    values = {0: 1.0, 1: 1.2, 2: 2.0, 3: 2.2}
    few, many = heterogeneity.persistence(_Dynamic(values, treated=5)), heterogeneity.persistence(
        _Dynamic(values, treated=5000))
    assert (few.difference, few.std_error) == (many.difference, many.std_error)  # the analytic numbers
    ratio = (few.conf_high - few.conf_low) / (many.conf_high - many.conf_low)
    expected = stats.t.ppf(0.975, 4) * np.sqrt(5 / 4) / (stats.t.ppf(0.975, 4999) * np.sqrt(5000 / 4999))
    assert ratio == pytest.approx(expected)
    assert (few.late_conf_high - few.late_conf_low) / (many.late_conf_high - many.late_conf_low) == pytest.approx(
        expected)
    # one adopter is no interval: such years are not "late years" even when min_adopters allows them
    lone = heterogeneity.persistence(_Dynamic(values, treated=1), min_adopters=1)
    assert lone.reading == "not assessable"


def test_persistence_on_demo_data_reads_growth(demo):
    # The demo's true effect rises from 0 in the adoption year to a plateau after about four years.
    panel = select_entities(demo.panel("POL07"), "territorial")
    result, _ = impact.estimate(panel, resolve_covariates(demo, "default", "territorial"))
    assert heterogeneity.persistence(result.aggregate("dynamic")).reading == "grow"


def test_missing_survey_makes_the_alignment_dimension_a_gap(tmp_path):
    folder = write_demo(tmp_path / "data", municipalities=40)
    (folder / "survey_ict_offices.csv").unlink()
    effects = heterogeneity.subgroup_effects(load(folder), "POL07", ("alignment",))
    assert effects.table["note"].tolist() == ["survey_missing"]
    assert EN.note(effects.table.iloc[0]) == "the skills and perception survey of ICT offices is missing"
    assert effects.tests["reading"].iloc[0] == "not_assessed"


def test_entities_adopting_after_the_evaluation_year_count_as_not_adopted(demo):
    panel = analysis_panel(demo, "POL07", "territorial", until_year=2020)
    assert panel["year"].max() == 2020 and panel["cohort"].max() <= 2020
    late = set(demo.adoption.loc[demo.adoption["cohort"] > 2020, "entity_id"])
    assert late and (panel.loc[panel["entity_id"].isin(late), "cohort"] == 0).all()
    assert late_adopters(demo, "POL07", 2020) == len(late)
    assert (demo.panel("POL07", until_year=2020)["cohort"] > 2020).any()  # the dataset's own panel is unchanged
    # and the estimator accepts it, where the raw panel would be refused
    effects = heterogeneity.subgroup_effects(demo, "POL07", ("level",), until_year=2020)
    assert effects.table["identified"].any()


def test_subgroup_estimates_recover_the_true_effects_stored_beside_the_demo_data(demo, effects):
    """Each estimated subgroup effect is within sampling error of its true effect.

    Two truths: the table's ``true_effect`` (aggregated by the package over the cells it
    estimated) and one computed here straight from ``truth.csv``: the mean true effect of the
    subgroup's members in their post-adoption years up to the evaluation year, in the cohorts
    that have a POL07 score before adopting. The bound is Bonferroni over the identified
    subgroups at 1% (z of about 3.2 for 6 rows); a subgroup estimated on the wrong entities
    (e.g. the subgroup filter lost, so every subgroup gets the overall effect) fails it, since
    the simulated effect of national entities is about a third of the municipal one.
    """
    truth = pd.read_csv(demo.folder / "truth.csv", dtype={"entity_id": str})
    outcomes = pd.read_csv(demo.folder / "outcomes.csv", dtype={"entity_id": str})
    first_year = outcomes.loc[(outcomes["indicator"] == "POL07") & outcomes["value"].notna(), "year"].min()
    table = effects.table[effects.table["identified"]]
    assert len(table) >= 5
    z_bound = stats.norm.ppf(1 - 0.01 / (2 * len(table)))
    for _, row in table.iterrows():
        found = heterogeneity.assign(demo, row["dimension"])
        members = found.groups.index[found.groups == row["subgroup"]]
        cells = truth[(truth["indicator"] == "POL07") & truth["entity_id"].isin(members) & (truth["event_time"] >= 0)
                      & (truth["year"] <= max(demo.years)) & (truth["cohort"] > first_year)]
        independent = cells["effect"].mean()
        for name, value in (("table", row["true_effect"]), ("truth.csv", independent)):
            z = (row["estimate"] - value) / row["std_error"]
            assert abs(z) < z_bound, (f"{row['dimension']} / {row['subgroup']}: estimate {row['estimate']:.3f} "
                                      f"(se {row['std_error']:.3f}) vs {name} truth {value:.3f}, z = {z:.2f}")


# ------------------------------------------------------------------ the reader layer


def test_questions_module_holds_numbers_only():
    from pathlib import Path

    source = Path(heterogeneity.__file__).read_text(encoding="utf-8")
    assert "IPython" not in source and "Markdown" not in source and "<p>" not in source


def test_subgroup_words_come_from_codes_and_bounds(effects):
    thirds = effects.dimension("it_team")
    first = thirds.iloc[0]
    assert np.isnan(first["bound_low"]) and first["bound_high"] > 0
    assert EN.subgroup(first) == f"smallest third (up to {first['bound_high']:,.0f} IT staff)"
    assert ES.subgroup(first).startswith("tercio menor (hasta")
    level = effects.dimension("level")
    assert [ES.subgroup(r) for _, r in level.iterrows()] == ["nacional", "departamental", "municipal"]


def test_the_answer_follows_the_numbers_in_both_languages(effects):
    grow = heterogeneity.persistence(_Dynamic({-1: 0.0, 0: 1.0, 1: 2.0, 2: 4.0, 3: 5.0, 4: 6.0}))
    flat = heterogeneity.persistence(_Dynamic({-1: 0.0, 0: 3.0, 1: 3.1, 2: 3.0, 3: 2.9, 4: 3.1}))
    es = ES.answer(effects, grow, indicator="POL07")
    # late years 3-4 on 50 adopters: 5.5 +- t(0.975, 49) * sqrt(50 / 49) * sqrt(2 * 0.2 ** 2) / 2
    half = stats.t.ppf(0.975, 49) * np.sqrt(50 / 49) * np.sqrt(2 * 0.2 ** 2) / 2
    assert (grow.late_conf_low, grow.late_conf_high) == pytest.approx((5.5 - half, 5.5 + half))
    assert "crece" in es and "[+5,21; +5,79]" in es
    assert "grows" in EN.answer(effects, grow, indicator="POL07") and "[+5.21, +5.79]" in EN.answer(
        effects, grow, indicator="POL07")
    assert ES.answer(effects, flat, indicator="POL07") != es and "se mantiene" in ES.answer(effects, flat,
                                                                                              indicator="POL07")
    differ = effects.tests.loc[effects.tests["reading"] == "differ", "dimension"]
    for dimension in differ:
        assert ES.dimension(dimension) in es


def test_each_dimension_states_the_f_tests_two_degrees_of_freedom_in_both_languages(effects):
    tested = effects.tests[effects.tests["reading"].isin(["differ", "no_difference"])]
    assert len(tested)
    es, en = " ".join(ES.subgroup_items(effects)), " ".join(EN.subgroup_items(effects))
    es_table, en_table = ES.tests_frame(effects).set_index("dimension"), EN.tests_frame(effects).set_index("dimension")
    for _i, test in tested.iterrows():
        assert f"{int(test['df'])} y {int(test['df_denominator'])} g. l." in es
        assert f"{int(test['df'])} and {int(test['df_denominator'])} df" in en
        assert es_table.loc[test["dimension"], "df_text"] == f"{int(test['df'])} y {int(test['df_denominator'])}"
        assert en_table.loc[test["dimension"], "df_text"] == f"{int(test['df'])} and {int(test['df_denominator'])}"
    assert "df_text" in ES.tests_headers() and "df_denominator" not in ES.tests_headers()  # one column: fits a page


class _Castle:
    metadata = {"labels": {"unit": "state", "units": "states", "treatment": "castle-doctrine law",
                           "effect_unit": "log points"}}
    folder = None


def test_castle_wording_names_states_and_log_points(effects):
    castle = HeterogeneityText(Format("en"), Wording.for_dataset(_Castle(), "en"))
    lasting = heterogeneity.persistence(_Dynamic({0: 1.0, 1: 2.0, 2: 4.0, 3: 5.0}))
    text = " ".join([castle.title(), castle.asked("l_homicide"), castle.introduction(), castle.subgroups_intro(),
                     castle.persistence_sentence(lasting, "l_homicide"), *castle.subgroup_items(effects),
                     *castle.persistence_figure(lasting, _Dynamic({0: 1.0}).tidy().assign(
                         conf_low=0.5, conf_high=1.5), "l_homicide", "pointwise").values()])
    assert "log points" in text and "states" in text
    assert "index points" not in text and "GCIO" not in text and "departmental" not in text
    assert castle.subgroup(effects.dimension("level").iloc[1]) == "state"


def test_subgroups_with_few_adopters_are_named_as_too_narrow_in_both_languages(effects):
    """Every estimated subgroup below FEW_ADOPTERS is named with its count; none below: no note."""
    table = effects.table
    few = table[table["identified"] & (table["adopters"] < heterogeneity.FEW_ADOPTERS)]
    assert len(few), "the fixture should have a small subgroup"
    es, en = ES.few_adopters(effects), EN.few_adopters(effects)
    threshold = heterogeneity.FEW_ADOPTERS
    assert en.startswith(f"{len(few)} of the subgroup estimates rest on fewer than {threshold} adopters")
    assert es.startswith(f"{len(few)} de las estimaciones por subgrupo se basan en menos de {threshold} adoptantes")
    for _i, row in few.iterrows():
        assert f"{EN.subgroup(row)}: {int(row['adopters'])}" in en
        assert f"{ES.subgroup(row)}: {int(row['adopters'])}" in es
    large = dataclasses.replace(effects, table=table.assign(adopters=np.maximum(table["adopters"], threshold)))
    assert EN.few_adopters(large) == "" and ES.few_adopters(large) == ""
