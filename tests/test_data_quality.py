"""Data-quality tables (numbers and codes only) and the sentences made from them, in both languages."""

import ast
import inspect
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from contract_fixtures import valid_folder
from evaluation.load.dataset import load
from evaluation.questions import data_quality
from evaluation.report import tables
from evaluation.text.data_quality import DataQualityText, data_banner, source_line
from evaluation.text.format import Format
from evaluation.text.wording import Wording


def _data(tmp_path):
    return load(valid_folder(tmp_path))


def _text(data, language):
    return DataQualityText(Format(language), Wording.for_dataset(data, language))


def _trimmed(data):
    """The fixture without its 2016 scores: the 2017 cohort loses its only year before adoption."""
    return type(data)(**{**data.__dict__, "outcomes": data.outcomes[data.outcomes.year >= 2017]})


def test_overview_counts_adopters_by_level(tmp_path):
    table = data_quality.overview(_data(tmp_path)).set_index("level")
    assert table.loc["national", "entities"] == 3 and table.loc["national", "adopters"] == 2
    assert table.loc["municipal", "adopters"] == 1 and table.loc["departmental", "adopters"] == 1
    assert table.loc["all", "never_adopted"] == 2
    # Adoption after the evaluation year does not count yet.
    early = data_quality.overview(_data(tmp_path), until_year=2018).set_index("level")
    assert early.loc["all", "adopters"] == 3


def test_coverage_shares(tmp_path):
    cov = data_quality.coverage(_data(tmp_path))
    row = cov[(cov.indicator == "POL07") & (cov.year == 2016) & (cov.level == "national")].iloc[0]
    assert row.reporting == 3 and row.share == 1.0
    assert set(cov.indicator) == {"POL07", "IDI"}


def test_adoption_timeline_is_cumulative(tmp_path):
    timeline = data_quality.adoption_timeline(_data(tmp_path))
    assert timeline["cohort"].tolist() == [2017, 2018, 2019]
    assert timeline["all"].tolist() == [2, 1, 1]
    assert timeline["cumulative"].tolist() == [2, 3, 4]


def test_pre_adoption_years_flags_cohorts_without_a_year_before_by_code(tmp_path):
    data = _data(tmp_path)
    pre = data_quality.pre_adoption_years(data)
    row = pre[(pre.indicator == "POL07") & (pre.cohort == 2017)].iloc[0]
    assert row.pre_adoption_years == 1 and row.evaluable and row.reason == ""  # 2016 only
    pre = data_quality.pre_adoption_years(_trimmed(data))
    row = pre[(pre.indicator == "POL07") & (pre.cohort == 2017)].iloc[0]
    assert not row.evaluable and row.reason == "no_pre_year"
    assert set(pre["reason"]) <= {"", "no_pre_year", "no_scores"}


def test_evaluability_sentences_follow_the_numbers_in_both_languages(tmp_path):
    data = _data(tmp_path)
    full, trimmed = data_quality.pre_adoption_years(data), data_quality.pre_adoption_years(_trimmed(data))
    en = _text(data, "en").evaluability(trimmed)
    pol07 = next(s for s in en if s.startswith("POL07"))
    assert "POL07 is observed from 2017." in pol07
    assert "Cohort 2017 (2 adopting entities) has no POL07 score before it adopted" in pol07
    es = next(s for s in _text(data, "es").evaluability(trimmed) if s.startswith("POL07"))
    assert "POL07 se observa desde 2017." in es and "La cohorte 2017 (2 entidades adoptantes)" in es
    assert "no puede estimarse" in es
    # with 2016 back, the sentence says the cohort can be evaluated
    assert "cannot be estimated" not in next(s for s in _text(data, "en").evaluability(full) if s.startswith("POL07"))


def test_the_short_answer_is_built_from_the_tables(tmp_path):
    data = _data(tmp_path)
    overview = data_quality.overview(data)
    t = _text(data, "en")
    answer = t.answer(data, overview, data_quality.pre_adoption_years(data), 2019)
    assert "4 of 6 entities created the GCIO post by 2019" in answer
    fewer = t.answer(data, data_quality.overview(data, until_year=2018),
                     data_quality.pre_adoption_years(_trimmed(data)), 2018)
    assert "3 of 6 entities" in fewer and fewer != answer
    es = _text(data, "es").answer(data, overview, data_quality.pre_adoption_years(data), 2019)
    assert "4 de 6 entidades crearon el cargo" in es and "Los archivos cumplen el contrato" in es


def test_data_banner_says_synthetic_in_both_languages(tmp_path):
    data = _data(tmp_path)
    assert "Synthetic" in data_banner(data, "en")[0]
    assert "Datos sintéticos" in data_banner(data, "es")[0]
    real = SimpleNamespace(metadata={"name": "FURAG 2023", "source": "Función Pública"}, folder=Path("x"),
                           synthetic=False)
    assert data_banner(real, "es") == ("Datos:", "FURAG 2023. Fuente: Función Pública.")


def test_source_line_names_files_never_paths(tmp_path):
    data = _data(tmp_path)
    line = source_line(data, "es", "adoption", "entities")
    assert "adoption.csv y entities.csv" in line and str(tmp_path) not in line


def _castle_like():
    return SimpleNamespace(metadata={"name": "castle", "source": "Cheng and Hoekstra (2013)", "labels": {
        "unit": "state", "units": "states", "treatment": "castle-doctrine law",
        "outcomes": {"l_homicide": "log homicides per 100,000 inhabitants"}}}, folder=Path("castle"),
        synthetic=False, warnings=[])


def test_a_converted_panel_gets_its_own_words():
    data = _castle_like()
    t = DataQualityText(Format("en"), Wording.for_dataset(data, "en"))
    overview = pd.DataFrame({"level": ["departmental", "all"], "entities": [50, 50], "adopters": [21, 21],
                             "never_adopted": [29, 29]})
    pre = pd.DataFrame({"indicator": ["l_homicide"], "cohort": [2006], "adopters": [13], "pre_adoption_years": [6],
                        "post_adoption_years": [5], "first_year": [2000], "evaluable": [True], "reason": [""]})
    timeline = pd.DataFrame({"cohort": [2006], "departmental": [13], "all": [13], "cumulative": [13]})
    texts = [t.title(), t.answer(data, overview, pre, 2010), t.adoption_heading(), t.adoption_text(),
             *t.evaluability(pre), *t.level_values(overview["level"]).values(),
             *t.timeline_headers(timeline).values(), *[v for v in t.timeline_figure(timeline, 2010).values() if isinstance(v, str)],
             *t.timeline_figure(timeline, 2010)["level_names"].values()]
    joined = " ".join(texts)
    assert "21 of 50 states adopted the castle-doctrine law by 2010" in joined
    for word in ("GCIO", "index points", "departmental", "Departmental", "entities"):
        assert word not in joined, word


def test_the_describe_era_helpers_still_work_and_use_wording():
    castle = _castle_like()
    assert data_quality.wording(castle)["adopted"] == "adopted the castle-doctrine law"
    assert data_quality.indicator_label("l_homicide", castle) == "l_homicide – log homicides per 100,000 inhabitants"
    assert data_quality.indicator_label("POL07") == "POL07 – Gobierno Digital policy index (FURAG)"
    assert data_quality.indicator_label("POL07", language="es") == \
        "POL07 – Índice de la política de Gobierno Digital (FURAG)"


def test_the_numbers_module_imports_no_ipython_and_returns_no_markup(tmp_path):
    tree = ast.parse(inspect.getsource(data_quality))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names} | \
        {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("IPython" in m or "narrative" in m for m in imported)
    data = _data(tmp_path)
    for table in (data_quality.overview(data), data_quality.coverage(data), data_quality.adoption_timeline(data),
                  data_quality.pre_adoption_years(data)):
        cells = table.astype(str).to_numpy().ravel()
        assert not any(("<" in c) or ("**" in c) for c in cells)
        assert not any(" " in c for c in cells)  # codes and numbers, not sentences


def test_save_table_is_a_no_op_without_output_dir(tmp_path):
    tables.save_table(pd.DataFrame({"a": [1]}), "", "x.csv")
    tables.save_table(pd.DataFrame({"a": [1]}), str(tmp_path), "x.csv")
    assert (tmp_path / "tables" / "x.csv").read_text().splitlines() == ["a", "1"]
