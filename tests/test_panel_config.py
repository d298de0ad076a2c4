"""Any staggered-adoption panel through a YAML config: conversion, the dataset.yml checks, and runs.

Replication first: the castle-doctrine panel's published TWFE (0.0818) and R did's
simple ATT on mpdta come out of the converted contract folders; then the
conversion's decisions and refusals; then the ``checks:`` block of dataset.yml
that lets non-GCIO data pass the GCIO-specific checks; then the runner.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from contract_fixtures import valid_folder
from evaluation import cli, paths, runner
from evaluation.importers import panel_config
from evaluation.importers.panel_config import PanelConfigError
from evaluation.load.checks import check
from evaluation.load.dataset import load
from evaluation.panel import add_treated, select_entities
from evaluation.questions import comparisons, data_quality, impact

CONFIG_DIR = paths.PROJECT_ROOT / "config"
REFERENCE = paths.PROJECT_ROOT / "tests" / "reference"
CASTLE_TWFE = 0.0818  # Cheng & Hoekstra (2013) as in /work/shared/data/README.md: TWFE of l_homicide on post
R_MPDTA_SIMPLE_ATT = -0.0399512751551763  # tests/reference/r_did_mpdta_aggte.csv, mpdta_nev_dr, simple


def _r_aggte(scenario: str, kind: str) -> pd.DataFrame:
    table = pd.read_csv(REFERENCE / "r_did_mpdta_aggte.csv")
    return table[(table["scenario"] == scenario) & (table["type"] == kind)]


@pytest.fixture(scope="module")
def castle(tmp_path_factory) -> Path:
    return panel_config.convert(panel_config.read_config(CONFIG_DIR / "castle.yaml"),
                                tmp_path_factory.mktemp("castle") / "castle")


@pytest.fixture(scope="module")
def mpdta(tmp_path_factory) -> Path:
    return panel_config.convert(panel_config.read_config(CONFIG_DIR / "mpdta.yaml"),
                                tmp_path_factory.mktemp("mpdta") / "mpdta")


# --------------------------------------------------------------------------- the shipped data


def test_reference_data_are_byte_copies_with_provenance():
    # The README records each file's source and the SHA-256 of the original it was copied from; nothing
    # outside the project is read (the originals are not part of a clone).
    readme = (paths.DATA_DIR / "reference" / "README.md").read_text(encoding="utf-8")
    for name in ("castle.csv", "mpdta.csv"):
        ours = paths.DATA_DIR / "reference" / name
        assert name in readme
        assert hashlib.sha256(ours.read_bytes()).hexdigest() in readme, f"README does not give {name}'s SHA-256"


# --------------------------------------------------------------------------- replication


def test_castle_converts_into_a_valid_contract_folder(castle):
    problems = check(castle)
    assert problems.ok and not problems.errors, str(problems)
    data = load(castle)
    assert len(data.entities) == 50 and set(data.entities["level"]) == {"departmental"}
    assert data.entities.loc[data.entities["entity_id"] == "1", "name"].item() == "Alabama"
    # cohort = first year with post = 1: 21 adopters, 2005-2009 (Cheng & Hoekstra's effective years)
    assert data.adoption["cohort"].value_counts().sort_index().to_dict() == {2005: 1, 2006: 13, 2007: 4,
                                                                              2008: 2, 2009: 1}
    assert data.years == list(range(2000, 2011)) and data.indicators == ["l_homicide"]
    assert data.metadata["synthetic"] is False and data.metadata["name"] == "castle"
    assert data.metadata["trend_covariates"] == ["l_pop", "l_income"]


def test_castle_values_survive_the_conversion_exactly(castle):
    original = pd.read_csv(paths.DATA_DIR / "reference" / "castle.csv", usecols=["sid", "year", "l_homicide", "post"])
    panel = load(castle).panel("l_homicide")
    merged = panel.assign(sid=panel["entity_id"].astype(int)).merge(original, on=["sid", "year"])
    assert len(merged) == len(original) == 550
    assert (merged["value"] == merged["l_homicide"]).all()
    # the derived cohort reproduces the published treatment flag in every state-year
    assert (add_treated(merged)["treated"] == merged["post"]).all()


def test_castle_twfe_is_the_published_number(castle):
    panel = select_entities(load(castle).panel("l_homicide"), "all")
    assert panel["entity_id"].nunique() == 50
    table = impact.estimator_comparison(panel, [])
    twfe = table.loc[table["estimator"] == comparisons.TWFE, "estimate"].item()
    assert round(twfe, 4) == CASTLE_TWFE


def test_mpdta_simple_att_is_r_did(mpdta):
    data = load(mpdta)
    assert data.adoption["cohort"].value_counts().to_dict() == {2007: 131, 2006: 40, 2004: 20}
    assert len(data.entities) == 500
    panel = select_entities(data.panel("lemp"), "all")
    result, _ = impact.estimate(panel, [], control_group="never_treated", method="dr")
    simple = result.aggregate("simple").overall
    r = _r_aggte("mpdta_nev_dr", "simple").iloc[0]
    assert simple.estimate == pytest.approx(r["overall_att"], abs=1e-10)
    assert simple.std_error == pytest.approx(r["overall_se"], abs=1e-8)


def test_time_invariant_covariate_and_its_baseline(mpdta, castle):
    entities = load(mpdta).entities
    original = pd.read_csv(paths.DATA_DIR / "reference" / "mpdta.csv")
    lpop = original.groupby("countyreal")["lpop"].first()
    assert (entities.set_index("entity_id")["lpop"].rename(index=int).sort_index() == lpop.sort_index()).all()
    # castle's covariates vary over time: the 2000 value is taken, and dataset.yml says so
    data = load(castle)
    castle_raw = pd.read_csv(paths.DATA_DIR / "reference" / "castle.csv", usecols=["sid", "year", "l_pop"])
    first = castle_raw[castle_raw["year"] == 2000].set_index("sid")["l_pop"]
    assert (data.entities.set_index("entity_id")["l_pop"].rename(index=int).sort_index() == first.sort_index()).all()
    assert any("l_pop varies over time" in note for note in data.metadata["conversion_notes"])


def test_labels_reach_the_wording_helpers(castle, tmp_path):
    data = load(castle)
    words = data_quality.wording(data)
    assert words["units"] == "states" and words["adopted"] == "adopted a castle-doctrine law"  # config/castle.yaml labels.adopted
    assert data_quality.indicator_label("l_homicide", data) == "l_homicide – log homicides per 100,000 inhabitants"
    assert data_quality.indicator_label("l_homicide") == "l_homicide"
    gcio = load(valid_folder(tmp_path))
    assert data_quality.wording(gcio)["adopted"] == "created the GCIO post"
    assert data_quality.indicator_label("POL07", gcio) == "POL07 – Gobierno Digital policy index (FURAG)"


# --------------------------------------------------------------------------- small panels

PANEL = """\
unit,name,period,first,flag,y,y2,x,w
a,Alfa,2001,2003,0,1.5,10,5,2
a,Alfa,2002,2003,0,1.7,11,6,2
a,Alfa,2003,2003,1,2.9,12,7,2
a,Alfa,2004,2003,1,3.1,,8,2
b,Beta,2001,0,0,1.0,9,3,1
b,Beta,2002,0,0,1.2,9,3,1
b,Beta,2003,0,0,1.1,9,3,1
b,Beta,2004,0,0,1.4,9,3,1
c,Gamma,2001,2004,0,-0.5,8,1,4
c,Gamma,2002,2004,0,-0.4,8,1,4
c,Gamma,2003,2004,0,-0.2,8,1,4
c,Gamma,2004,2004,1,0.9,8,1,4
"""


def _config(tmp_path: Path, panel: str = PANEL, name: str = "run.yaml", **changes) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "p.csv").write_text(panel, encoding="utf-8")
    mapping = {"file": "p.csv", "unit": "unit", "unit_name": "name", "time": "period", "treated": "flag",
               "outcomes": ["y", "y2"], "covariates": ["x"], "weights": "w", "level": "municipal",
               "labels": {"name": "toy", "unit": "village", "source": "made up",
                          "outcomes": {"y": "log output"}}}
    for key, value in changes.items():
        if value is None:
            mapping.pop(key, None)
        else:
            mapping[key] = value
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"panel": mapping}), encoding="utf-8")
    return path


def _convert(tmp_path: Path, **changes) -> Path:
    return panel_config.convert(_config(tmp_path, **changes), tmp_path / "out")


def test_treated_flag_and_cohort_column_give_the_same_folder(tmp_path):
    by_flag = _convert(tmp_path / "a")
    by_cohort = _convert(tmp_path / "b", treated=None, cohort="first")
    for name in ("entities.csv", "adoption.csv", "outcomes.csv"):
        assert (by_flag / name).read_bytes() == (by_cohort / name).read_bytes(), name
    data = load(by_flag)
    assert data.adoption.set_index("entity_id")["cohort"].to_dict() == {"a": 2003, "c": 2004}
    assert data.adoption["adoption_date"].tolist() == [pd.Timestamp(2003, 1, 1), pd.Timestamp(2004, 1, 1)]
    assert data.entities[["entity_id", "name", "level"]].values.tolist() == [
        ["a", "Alfa", "municipal"], ["b", "Beta", "municipal"], ["c", "Gamma", "municipal"]]
    assert data.entities["w"].tolist() == [2, 1, 4] and data.metadata["weights"] == "w"
    assert data.entities["x"].tolist() == [5, 3, 1]  # first year's value of a time-varying covariate
    assert data.indicators == ["y", "y2"]
    # a blank cell stays missing, never 0; negative values pass (score_range: null)
    y2 = data.outcomes[(data.outcomes["indicator"] == "y2") & (data.outcomes["entity_id"] == "a")]
    assert y2["value"].isna().sum() == 1
    assert data.outcomes["value"].min() == -0.5
    # municipal units outside Colombia: no DIVIPOLA warning (checks.divipola: false)
    assert not [p for p in data.warnings if p.column == "divipola"]


def test_never_treated_values_and_blank_cohorts(tmp_path):
    panel = PANEL.replace("b,Beta,2001,0,", "b,Beta,2001,,").replace(",2004,0,0,1.4", ",2004,0,0,1.4")
    folder = panel_config.convert(_config(tmp_path, panel=panel, treated=None, cohort="first"), tmp_path / "out")
    assert sorted(load(folder).adoption["entity_id"]) == ["a", "c"]
    panel = PANEL.replace(",0,0,", ",9999,0,")
    folder = panel_config.convert(_config(tmp_path / "x", panel=panel, treated=None, cohort="first",
                                          never_treated=[9999]), tmp_path / "x" / "out")
    assert sorted(load(folder).adoption["entity_id"]) == ["a", "c"]


def test_panel_is_not_changed_by_the_conversion(tmp_path):
    config = _config(tmp_path)
    before = (tmp_path / "p.csv").read_bytes()
    panel_config.convert(config, tmp_path / "out")
    assert (tmp_path / "p.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p.csv", "run.yaml"]


def test_config_naming_a_missing_column_writes_nothing(tmp_path):
    config = _config(tmp_path, outcomes=["y", "yy3"], covariates=["xx"])
    with pytest.raises(PanelConfigError) as error:
        panel_config.convert(config, tmp_path / "out")
    message = str(error.value)
    assert str(config) in message
    assert "panel.outcomes names the column 'yy3', which is not in p.csv" in message
    assert "panel.covariates names the column 'xx'" in message
    assert "Columns in p.csv: unit, name, period" in message
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv", "run.yaml"]


def test_close_column_names_are_suggested(tmp_path):
    with pytest.raises(PanelConfigError, match=r"'peroid'.*did you mean 'period'"):
        _convert(tmp_path, time="peroid")


@pytest.mark.parametrize("changes, expected", [
    ({"cohort": "first"}, "give exactly one of panel.cohort"),
    ({"treated": None}, "give exactly one of panel.cohort"),
    ({"outcomes": None}, "panel.outcomes is missing"),
    ({"level": None}, "panel.level is missing"),
    ({"unti": "unit"}, "unknown key(s) under panel: 'unti' (did you mean 'unit'?)"),
    ({"labels": {"name": "x", "colour": "red"}}, "unknown key(s) under panel.labels: colour"),
    ({"labels": {"outcomes": {"z": "zed"}}}, "labels ['z'], which are not in panel.outcomes"),
    ({"covariates": ["value"]}, "have the name of a contract column"),
])
def test_bad_configs_are_refused_naming_the_file(tmp_path, changes, expected):
    config = _config(tmp_path, **changes)
    with pytest.raises(PanelConfigError) as error:
        panel_config.convert(config, tmp_path / "out")
    assert expected in str(error.value) and str(config) in str(error.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("panel, changes, expected", [
    (PANEL.replace("a,Alfa,2004,2003,1", "a,Alfa,2004,2003,0"), {},
     "goes back from 1 to 0 for unit a (2004): adoption must be absorbing"),
    (PANEL.replace("c,Gamma,2004,2004,1", "c,Gamma,2004,2004,yes"), {},
     "holds 'yes': a treated flag must be 0 or 1 in every row (row 13)"),
    (PANEL.replace("2001,", "1,"), {}, "holds '1', which is not a calendar year"),
    (PANEL.replace("b,Beta,2002", "b,Beta,2001"), {}, "more than one row for unit b in 2001"),
    (PANEL.replace("c,Gamma,2004,2004", "c,Gamma,2004,2005"), {"treated": None, "cohort": "first"},
     "must be the same in every year of a unit; unit c has [2004, 2005]"),
    (PANEL.replace("b,Beta,2003,0,0,1.1", "b,Beta,2003,0,0,n/a"), {}, "column 'y' (panel.outcomes) must hold numbers"),
    (PANEL.replace("b,Beta,2004,0,0,1.4,9,3,1", "b,Beta,2004,0,0,1.4,9,3,3"), {},
     "must hold one positive weight per village; unit b has [1.0, 3.0]"),
    (PANEL.replace("b,Beta,2004", "b,Bêta,2004"), {}, "gives unit b more than one name"),
])
def test_unusable_values_are_refused_and_nothing_is_written(tmp_path, panel, changes, expected):
    with pytest.raises(PanelConfigError) as error:
        panel_config.convert(_config(tmp_path, panel=panel, **changes), tmp_path / "out")
    assert expected in str(error.value)
    assert "p.csv" in str(error.value)
    assert not (tmp_path / "out").exists()


def test_tables_that_break_the_contract_are_refused_before_writing(tmp_path):
    # The config declares scores from 0 to 1, which y2 (8 to 12) breaks: validation runs on a staging
    # copy, and nothing reaches the target folder.
    with pytest.raises(PanelConfigError, match="break the data contract") as error:
        _convert(tmp_path, checks={"score_range": [0, 1]})
    assert "outcomes.csv" in str(error.value) and "outside the range 0 to 1" in str(error.value)
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging folder left behind"


def test_an_existing_folder_is_not_overwritten(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep")
    with pytest.raises(PanelConfigError, match="already exists"):
        panel_config.convert(_config(tmp_path), tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["mine.txt"]


def test_unreadable_panel_file_names_it(tmp_path):
    config = _config(tmp_path)
    (tmp_path / "p.csv").unlink()
    with pytest.raises(PanelConfigError, match=r"panel.file .*p.csv does not exist"):
        panel_config.convert(config, tmp_path / "out")


def test_a_level_of_its_own_is_declared_in_checks(tmp_path):
    folder = _convert(tmp_path, level="village")
    metadata = yaml.safe_load((folder / "dataset.yml").read_text(encoding="utf-8"))
    assert metadata["checks"]["levels"] == ["village"]
    data = load(folder)
    assert data_quality.overview(data)["level"].tolist() == ["village", "all"]
    assert data_quality.adoption_timeline(data).columns.tolist() == ["cohort", "village", "all", "cumulative"]
    assert len(select_entities(data.panel("y"), "all")) == 12
    assert select_entities(data.panel("y"), "territorial").empty


def test_cache_converts_once_per_file_and_mapping(tmp_path):
    config = panel_config.read_config(_config(tmp_path))
    first = panel_config.contract_folder(config, tmp_path / "cache")
    stamp = (first / "outcomes.csv").stat().st_mtime_ns
    assert first.name == "toy" and first.parent.parent == tmp_path / "cache"
    assert panel_config.contract_folder(config, tmp_path / "cache") == first
    assert (first / "outcomes.csv").stat().st_mtime_ns == stamp
    (tmp_path / "p.csv").write_text(PANEL.replace("1.5", "1.6"), encoding="utf-8")
    second = panel_config.contract_folder(config, tmp_path / "cache")
    assert second != first and load(second).outcomes["value"].iloc[0] == 1.6


# --------------------------------------------------------------------------- dataset.yml checks


def _gcio_folder(tmp_path, dataset_yml: str, **changes) -> Path:
    return valid_folder(tmp_path, dataset_yml="name: t\nsynthetic: true\n" + dataset_yml, **changes)


def test_default_checks_are_the_gcio_ones(tmp_path):
    outcomes = "entity_id,year,indicator,value\nMINTIC,2017,POL07,-1.5\nDAFP,2017,POL07,140\n"
    problems = check(_gcio_folder(tmp_path, "", outcomes_csv=outcomes))
    assert len([p for p in problems.errors if p.column == "value"]) == 2


def test_score_range_null_switches_the_range_check_off(tmp_path):
    outcomes = "entity_id,year,indicator,value\nMINTIC,2017,POL07,-1.5\nDAFP,2017,POL07,140\n"
    problems = check(_gcio_folder(tmp_path, "checks:\n  score_range: null\n", outcomes_csv=outcomes))
    assert not [p for p in problems if p.column == "value"], str(problems)


def test_score_range_can_be_another_range(tmp_path):
    outcomes = "entity_id,year,indicator,value\nMINTIC,2017,POL07,0.5\nDAFP,2017,POL07,1.5\n"
    problems = check(_gcio_folder(tmp_path, "checks:\n  score_range: [0, 1]\n", outcomes_csv=outcomes))
    (problem,) = [p for p in problems.errors if p.column == "value"]
    assert problem.row == 3 and "outside the range 0 to 1" in problem.problem
    assert "checks.score_range" in problem.fix


def test_earliest_adoption(tmp_path):
    adoption = "entity_id,adoption_date\nMINTIC,2005-06-01\nDAFP,2017-01-01\n"
    default = check(_gcio_folder(tmp_path / "a", "", adoption_csv=adoption))
    assert "before Decree 415" in [p for p in default.errors if p.column == "adoption_date"][0].problem
    off = check(_gcio_folder(tmp_path / "b", "checks:\n  earliest_adoption: null\n", adoption_csv=adoption))
    assert not [p for p in off.errors if p.column == "adoption_date"]
    other = check(_gcio_folder(tmp_path / "c", "checks:\n  earliest_adoption: 2010-01-01\n", adoption_csv=adoption))
    (problem,) = [p for p in other.errors if p.column == "adoption_date"]
    assert "before the earliest adoption date dataset.yml declares (2010-01-01" in problem.problem
    day_first = check(_gcio_folder(tmp_path / "d", "checks:\n  earliest_adoption: 01/01/2010\n", adoption_csv=adoption))
    assert [p.problem for p in day_first.errors] == [problem.problem]


def test_levels_can_be_declared(tmp_path):
    entities = ("entity_id,name,level\nMINTIC,Ministerio,national\nDAFP,Función Pública,national\n"
                "IGAC,IGAC,agency\n05001,Medellín,municipal\n76001,Cali,municipal\n05,Antioquia,departmental\n")
    refused = check(_gcio_folder(tmp_path / "a", "", entities_csv=entities))
    assert "'agency' is not a recognised level" in [p for p in refused.errors if p.column == "level"][0].problem
    declared = "checks:\n  levels: [national, departmental, municipal, agency]\n"
    assert not [p for p in check(_gcio_folder(tmp_path / "b", declared, entities_csv=entities)) if p.column == "level"]
    anything = check(_gcio_folder(tmp_path / "c", "checks:\n  levels: null\n", entities_csv=entities))
    assert not [p for p in anything if p.column == "level"]


def test_divipola_check_can_be_switched_off(tmp_path):
    entities = "entity_id,name,level\nMINTIC,M,national\nDAFP,D,national\nIGAC,I,national\n05001,Medellín,municipal\n" \
               "76001,Cali,municipal\n05,Antioquia,departmental\n"
    assert [p for p in check(_gcio_folder(tmp_path / "a", "", entities_csv=entities)) if p.column == "divipola"]
    off = check(_gcio_folder(tmp_path / "b", "checks:\n  divipola: false\n", entities_csv=entities))
    assert not [p for p in off if p.column == "divipola"]


@pytest.mark.parametrize("block, column, expected", [
    ("checks:\n  score_rang: null\n", "checks.score_rang", "did you mean 'score_range'?"),
    ("checks:\n  score_range: [100, 0]\n", "checks.score_range", "low < high"),
    ("checks:\n  earliest_adoption: soon\n", "checks.earliest_adoption", "'soon' is not a date"),
    ("checks:\n  levels: national\n", "checks.levels", "must be a list of names"),
    ("checks:\n  divipola: maybe\n", "checks.divipola", "true or false"),
    ("checks: none\n", "checks", "block of 'key: value' lines"),
])
def test_bad_checks_are_errors_of_dataset_yml(tmp_path, block, column, expected):
    problems = check(_gcio_folder(tmp_path, block))
    (problem,) = [p for p in problems.errors if p.file == "dataset.yml"]
    assert problem.column == column and expected in f"{problem.problem} {problem.fix}"


def test_checks_are_kept_in_the_metadata(tmp_path):
    data = load(_gcio_folder(tmp_path, "checks:\n  score_range: null\n"))
    assert data.metadata["checks"] == {"score_range": None}


# --------------------------------------------------------------------------- runner


def test_run_config_reads_the_panel_relative_to_the_config(tmp_path):
    config = _config(tmp_path)
    cfg = runner.RunConfig.read(config)
    assert cfg.panel.file == (tmp_path / "p.csv").resolve() and cfg.data is None
    text = config.read_text() + "data: somewhere\n"
    config.write_text(text)
    with pytest.raises(runner.RunError, match="both 'data' and 'panel'"):
        runner.RunConfig.read(config)


def test_run_with_a_missing_column_runs_and_writes_nothing(tmp_path, capsys):
    config = _config(tmp_path, covariates=["nope"])
    out = tmp_path / "outputs"
    code = cli.main(["run", "--config", str(config), "--output", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert str(config) in err and "'nope'" in err and "Nothing was run" in err
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_shipped_configs_run_the_notebooks_that_apply_with_known_parameters():
    suite = runner.discover_notebooks()
    base = {"year": 2007, "data_dir": "", "output_dir": ""}
    for name in ("castle", "mpdta"):
        cfg = runner.RunConfig.read(CONFIG_DIR / f"{name}.yaml")
        assert cfg.panel.file.is_file()
        chosen = runner.select_notebooks(suite, list(cfg.only))
        assert [runner._short(nb) for nb in chosen] == ["data_quality", "impact", "robustness"]
        params = runner.build_parameters(chosen, cfg, {}, base, suite)
        for nb in chosen[1:]:
            assert params[nb]["entities"] == "all" and params[nb]["covariates"] == "none"
            assert params[nb]["outcome"] in ("l_homicide", "lemp")
        assert params[chosen[1]]["bootstrap"] == 0
        # --only data_quality with the config's shared parameters is not refused
        only_quality = runner.select_notebooks(suite, ["data_quality"])
        assert set(runner.build_parameters(only_quality, cfg, {}, base, suite)[only_quality[0]]) == set(base)


def test_config_only_must_name_notebooks(tmp_path):
    config = _config(tmp_path)
    config.write_text(config.read_text() + "only: 3\n")
    with pytest.raises(runner.RunError, match="'only' must be a notebook name or a list"):
        runner.RunConfig.read(config)


# --------------------------------------------------------------------------- end to end (slow)


def _run(config: str, year: int, out: Path, *extra: str) -> Path:
    code = cli.main(["run", "--config", str(CONFIG_DIR / config), "--year", str(year), "--output", str(out), *extra])
    assert code == 0
    return out / Path(config).stem / str(year)  # outputs/<dataset>/<year>: castle and mpdta name their dataset


@pytest.mark.slow
def test_castle_report_shows_the_published_twfe(tmp_path):
    folder = _run("castle.yaml", 2010, tmp_path / "outputs")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and all(nb["status"] == "ok" for nb in manifest["notebooks"].values())
    assert sorted(manifest["notebooks"]) == ["01_data_quality", "02_impact", "03_robustness"]
    original = paths.DATA_DIR / "reference" / "castle.csv"
    assert manifest["inputs"]["castle.csv"] == hashlib.sha256(original.read_bytes()).hexdigest()
    assert manifest["panel"]["sha256"] == manifest["inputs"]["castle.csv"]
    assert not Path(manifest["data_dir"]).is_relative_to(original.parent), "converted next to the user's file"
    table = pd.read_csv(folder / "tables" / "estimator_comparison_l_homicide.csv")
    twfe = table.loc[table["estimator"] == comparisons.TWFE, "estimate"].item()
    assert round(twfe, 4) == CASTLE_TWFE
    report = (folder / "02_impact.html").read_text(encoding="utf-8")
    # the published 0.0818 as the page writes it: "0.082" in English, "0,082" in Spanish (castle's dataset.yml
    # decides the language)
    assert ("0.082" in report or "0,082" in report) and "Cheng, C. and Hoekstra" in report
    assert "Synthetic demo data" not in report


@pytest.mark.slow
def test_mpdta_report_shows_r_did(tmp_path):
    folder = _run("mpdta.yaml", 2007, tmp_path / "outputs")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"]
    assert manifest["inputs"]["mpdta.csv"] == hashlib.sha256(
        (paths.DATA_DIR / "reference" / "mpdta.csv").read_bytes()).hexdigest()
    table = pd.read_csv(folder / "tables" / "estimator_comparison_lemp.csv")
    row = table[(table["estimator"] == comparisons.CALLAWAY_SANTANNA) & ~table["covariates"].astype(bool)
                & (table["control_group"] == "never_treated")].iloc[0]
    assert row["estimate"] == pytest.approx(R_MPDTA_SIMPLE_ATT, abs=1e-10)
    assert row["std_error"] == pytest.approx(_r_aggte("mpdta_nev_dr", "simple")["overall_se"].item(), abs=1e-8)
    # the report's own estimate (its parameters: never-treated, dr, no covariates): R's att_gt cell by cell
    cells = pd.read_csv(folder / "tables" / "group_time_lemp.csv")
    r_cells = pd.read_csv(REFERENCE / "r_did_mpdta_attgt.csv")
    r_cells = r_cells[r_cells["scenario"] == "mpdta_nev_dr"]
    merged = cells.merge(r_cells, left_on=["cohort", "time"], right_on=["group", "t"])
    assert len(merged) == len(r_cells) == 12
    assert (merged["estimate"] - merged["att"]).abs().max() < 1e-10
    dynamic = pd.read_csv(folder / "tables" / "event_study_lemp.csv")
    r_dynamic = _r_aggte("mpdta_nev_dr", "dynamic")
    merged = dynamic.merge(r_dynamic, left_on="event_time", right_on="egt")
    assert len(merged) == len(r_dynamic)
    assert (merged["estimate"] - merged["att_egt"]).abs().max() < 1e-10
    # a second run reuses the converted folder (converted before any report runs, so one report shows it)
    again = _run("mpdta.yaml", 2007, tmp_path / "outputs", "--only", "data_quality", "--no-pdf")
    assert json.loads((again / "manifest.json").read_text())["data_dir"] == manifest["data_dir"]
