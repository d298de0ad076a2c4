"""The impact report: numbers with ids and codes (questions), sentences from them (text), in both languages."""

import ast
import dataclasses
import inspect
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from evaluation import paths
from evaluation.did.results import OverallEstimate
from evaluation.importers import panel_config
from evaluation.load.dataset import load
from evaluation.panel import select_entities
from evaluation.questions import comparisons, impact
from evaluation.text.format import Format
from evaluation.text.impact import ImpactText
from evaluation.text.wording import Wording

CASTLE_LABELS = {"unit": "state", "units": "states", "treatment": "castle-doctrine law",
                 "outcomes": {"l_homicide": "log homicides per 100,000 inhabitants"}}


def _text(language, labels=None):
    data = SimpleNamespace(metadata={"labels": labels} if labels else {}, folder=Path("x"))
    return ImpactText(Format(language), Wording.for_dataset(data, language))


def _result(estimate=4.12, low=3.72, high=4.51, bootstrap=999, truth=4.36, outcome="POL07",
            entities="territorial", identified=True):
    """An ImpactResult around one overall estimate: what the answer box reads."""
    overall = OverallEstimate(estimate, 0.2, low, high, 168, 675, identified)
    simple = SimpleNamespace(overall=overall)
    cells = SimpleNamespace(inference=SimpleNamespace(bootstrap=bootstrap or None, band="uniform"))
    return impact.ImpactResult(outcome=outcome, entities=entities, alpha=0.05, cells=cells, simple=simple,
                               dynamic=None, group=None, calendar=None, pretest=None,
                               comparison=pd.DataFrame(), truth={"overall": truth} if truth is not None else None,
                               bootstrap=bootstrap)


# ---------------------------------------------------------------------------- the answer box


def test_the_answer_states_the_estimate_and_its_designated_interval_in_both_languages():
    result = _result()
    en = _text("en").answer(result)
    assert "scored 4.12 index points higher on POL07" in en
    assert "95% confidence interval, multiplier bootstrap with 999 draws: [+3.72, +4.51]" in en
    es = _text("es").answer(result)
    assert "4,12 puntos del índice más" in es and "entidades territoriales" in es
    assert "intervalo de confianza del 95 %, bootstrap multiplicador con 999 réplicas: [+3,72; +4,51]" in es
    assert "En estos datos sintéticos el efecto promedio verdadero es +4,36" in _text("es").answer_detail(result)


def test_a_different_estimate_changes_the_answer():
    t = _text("en")
    assert "lower on POL07" in t.answer(_result(-2.0, -2.5, -1.5))
    analytic = t.answer(_result(1.0, 0.6, 1.4, bootstrap=0))
    assert "1.00 index points higher" in analytic and "analytic standard errors: [+0.60, +1.40]" in analytic
    none = t.answer(_result(0.3, -0.5, 1.1))
    assert "No effect on POL07 was detected" in none and "effects up to 1.10 index points cannot be ruled out" in none
    assert "could be estimated" in t.answer(_result(np.nan, np.nan, np.nan, identified=False))
    assert "does not cover" in t.answer_detail(_result(truth=9.0))
    assert t.answer_detail(_result(truth=None)) == ""


def test_castle_wording_log_points_states_and_no_programme():
    result = _result(0.11, 0.03, 0.20, bootstrap=0, truth=None, outcome="l_homicide", entities="all")
    t = _text("en", CASTLE_LABELS)
    texts = [t.title("l_homicide"), t.question(result), t.answer(result), t.effect_axis("l_homicide")]
    joined = " ".join(texts)
    assert "0.11 log points higher on l_homicide" in joined and "The states that adopted the castle-doctrine law" in joined
    for word in ("index points", "GCIO", "departmental", "entities", "entidades"):
        assert word not in joined, word


# ---------------------------------------------------------------------------- codes from the estimator's words


def test_estimator_messages_and_cell_notes_become_codes():
    notes = impact.note_codes([
        "Dropped 213 unit(s) already treated before the first period (2018): entity_id=05001 and 212 more.",
        "7 of 42 group-time cells are not identified; they stay in tidy() with identified=False",
        "something new"])
    assert [n.code for n in notes] == ["dropped_already_treated", "cells_not_identified", "other"]
    assert (notes[0].count, notes[0].period) == (213, "2018") and (notes[1].count, notes[1].total) == (7, 42)
    assert impact.cell_reason("no pre-adoption period: cohort 2018 has no period before 2018", False) == \
        "no_pre_period"
    assert impact.cell_reason("too few units: 1 treated observed in both 2004 and 2005 (need 2)", False) == \
        "too_few_units"
    assert impact.cell_reason("whatever", True) == ""
    sentences = _text("es").estimator_notes(SimpleNamespace(notes=notes))
    assert sentences[0].startswith("Se excluyen 213 entidades") and sentences[1].startswith("7 de 42 celdas")


# ---------------------------------------------------------------------------- the real thing, on castle


@pytest.fixture(scope="module")
def castle_result(tmp_path_factory):
    folder = panel_config.convert(panel_config.read_config(paths.PROJECT_ROOT / "config" / "castle.yaml"),
                                  tmp_path_factory.mktemp("castle") / "castle")
    data = load(folder)
    panel = select_entities(data.panel("l_homicide"), "all")
    return data, impact.evaluate(panel, [], outcome="l_homicide", entities="all", dataset=data, alpha=0.05)


def test_comparison_rows_are_ids_with_counts_and_castle_twfe_is_published(castle_result):
    _data, result = castle_result
    table = result.comparison
    assert list(table.columns) == comparisons.ROW_COLUMNS
    assert list(table["estimator"]) == ["before_after", "twfe", "callaway_santanna", "callaway_santanna"]
    assert list(table["control_group"].iloc[2:]) == ["never_treated", "not_yet_treated"]
    twfe = table.set_index("estimator").loc["twfe"]
    assert round(twfe["estimate"], 4) == 0.0818  # Cheng & Hoekstra (2013), as in tests/test_panel_config.py
    assert twfe["n_obs"] == 550 and twfe["n_clusters"] == 50
    # effects in log points get three decimals, so the page shows the published number
    assert _text("en", CASTLE_LABELS).comparison_formats(result)["estimate"](twfe["estimate"]) == "+0.082"
    assert _text("es", CASTLE_LABELS).comparison_formats(result)["estimate"](twfe["estimate"]) == "+0,082"
    names = _text("es", CASTLE_LABELS).comparison_rows(result)["name"].tolist()
    assert names[1] == "Efectos fijos de dos vías (estático)"
    assert names[2] == "Callaway-Sant'Anna, sin covariables, grupo de comparación: nunca tratadas"


def test_every_string_of_the_castle_page_uses_the_panel_words(castle_result):
    data, result = castle_result
    t = ImpactText(Format("en"), Wording.for_dataset(data, "en"))
    strings = [t.title("l_homicide"), t.question(result), t.answer(result), t.design(result), t.event_text(result),
               t.pretest(result), t.cells_text(result), t.comparison_text(), t.comparison_title(result),
               *t.estimator_notes(result), *t.effect_headers(result, "cohort").values(),
               *t.cells_headers(result).values(), *t.comparison_headers(result).values(),
               *t.cells_values(result)["reason"].values(), *t.comparison_rows(result)["reading"]]
    strings += [v for v in t.event_figure(result).values() if isinstance(v, str)]
    strings += [v for v in t.comparison_figure(result).values() if isinstance(v, str)]
    joined = " ".join(strings)
    assert "log points" in joined and "states" in joined
    for word in ("index points", "GCIO", "departmental", "entities"):
        assert word not in joined, word
    # the cells table keeps every cell, estimable or not, with a reason code
    cells = result.cells_table()
    assert len(cells) == 50 and set(cells.loc[~cells["identified"], "reason"]) == {"too_few_units"}


def test_the_numbers_module_imports_no_ipython_and_returns_no_sentences(castle_result):
    for module in (impact, comparisons):
        tree = ast.parse(inspect.getsource(module))
        imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | \
            {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert not any("IPython" in m or "narrative" in m or "evaluation.text" in m for m in imported), module
        assert "Markdown" not in inspect.getsource(module)
    _data, result = castle_result
    assert not hasattr(result, "_repr_markdown_")
    words = [str(w) for w in result.comparison.drop(columns="note").to_numpy().ravel() if not pd.isna(w)]
    assert not any(" " in w or "<" in w for w in words)  # ids, flags and numbers
    assert dataclasses.is_dataclass(result) and result.__dataclass_params__.frozen
    tidy = result.tidy()
    assert {"aggregation", "estimate", "std_error", "conf_low", "conf_high", "identified", "note"} <= set(tidy.columns)


@pytest.fixture(scope="module")
def demo_result(tmp_path_factory):
    from evaluation.demo import write_demo
    from evaluation.panel import analysis_panel, resolve_covariates

    data = load(write_demo(tmp_path_factory.mktemp("demo") / "data", municipalities=120))
    year = int(data.outcomes["year"].max())
    covs = list(resolve_covariates(data, "default", "territorial"))
    panel = analysis_panel(data, "POL07", "territorial", year)
    return data, impact.evaluate(panel, covs, outcome="POL07", entities="territorial", dataset=data, seed=2016)


def test_castle_pretest_is_not_calibrated_when_it_cannot_be_computed(castle_result):
    _data, result = castle_result
    assert not np.isfinite(result.pretest.p_value) and result.pretest_calibration is None


def test_the_pretest_sentence_reads_the_simulated_p_value_and_states_the_chi_square_size(demo_result):
    """The impact page judges the pre-test against the simulated panels, says so with both p-values and the
    chi-square's simulated size, in both languages; without a calibration it reads the chi-square as before."""
    data, result = demo_result
    calibration = result.pretest_calibration
    assert calibration is not None and calibration.statistic == result.pretest.statistic
    assert calibration.df == result.pretest.df and calibration.simulations == impact.PRETEST_SIMULATIONS
    en = ImpactText(Format("en"), Wording.for_dataset(data, "en"))
    es = ImpactText(Format("es"), Wording.for_dataset(data, "es"))
    passed = dataclasses.replace(result, pretest_calibration=dataclasses.replace(calibration, p_simulated=0.4,
                                                                                 size_chi2=0.125))
    text = en.pretest(passed)
    chi2 = Format("en").p_value(result.pretest.p_value)
    assert "does not reject parallel trends (p = 0.40 against 200 panels simulated" in text
    assert f"The usual chi-square reference gives {chi2}, but on those simulated panels it rejects 12.5%" in text
    assert "no rechaza las tendencias paralelas (p = 0,40 frente a 200 paneles simulados" in es.pretest(passed)
    assert "rechaza el 12,5 % de las veces en lugar del 5 %" in es.pretest(passed)
    failed = dataclasses.replace(passed, pretest_calibration=dataclasses.replace(passed.pretest_calibration,
                                                                                 p_simulated=0.01))
    assert en.pretest(failed).startswith("Warning: before adoption") and "p = 0.01 against 200" in en.pretest(failed)
    plain = dataclasses.replace(result, pretest_calibration=None)
    assert "simulated" not in en.pretest(plain)
    assert en.pretest(plain).startswith("Warning:") == (result.pretest.p_value < 0.05)
