"""load(folder) -> Dataset, panel(), and where data folders are found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os

import pandas as pd
import pytest

from contract_fixtures import ADOPTION, ENTITIES, OUTCOMES, folder_hashes, replace_line, valid_folder, write_xlsx
from evaluation import paths
from evaluation.load.dataset import PANEL_COLUMNS, ContractError, Dataset, load


@pytest.fixture
def data(tmp_path) -> Dataset:
    return load(valid_folder(tmp_path))


# --------------------------------------------------------------------------- typed frames


def test_load_gives_typed_frames(data):
    entities = data.entities
    assert entities["entity_id"].tolist() == ["MINTIC", "DAFP", "IGAC", "05001", "76001", "05"]
    assert pd.api.types.is_string_dtype(entities["entity_id"])
    assert str(entities["divipola"].dtype) == "Int64" and entities["divipola"].tolist()[3] == 5001
    assert str(entities["head_of_sector"].dtype) == "Int64"
    assert entities["population"].dtype == "float64" and entities.loc[3, "population"] == 2612958.0
    assert pd.isna(entities.loc[0, "department"])  # blank optional text is missing, not ""

    adoption = data.adoption
    assert pd.api.types.is_datetime64_any_dtype(adoption["adoption_date"])
    assert adoption["cohort"].dtype == "int64"
    assert adoption["cohort"].tolist() == [2017, 2017, 2018, 2019]

    outcomes = data.outcomes
    assert outcomes["year"].dtype == "int64" and outcomes["value"].dtype == "float64"
    assert list(outcomes.columns) == ["entity_id", "year", "indicator", "value"]
    assert isinstance(outcomes.index, pd.RangeIndex)


def test_dd_mm_yyyy_dates_load_as_day_first(data):
    dates = dict(zip(data.adoption["entity_id"], data.adoption["adoption_date"]))
    assert dates["DAFP"] == pd.Timestamp(2017, 6, 15)    # 15/06/2017
    assert dates["05"] == pd.Timestamp(2019, 7, 1)       # 01/07/2019: 1 July, not 7 January


def test_optional_tables_are_typed_or_none(tmp_path):
    data = load(valid_folder(tmp_path))
    assert data.survey_directors is None
    assert data.costs["amount_cop"].tolist() == [1_250_000_000.0, 2_260_909_699.0]  # Colombian thousands points
    assert data.monitoring["year"].dtype == "int64"
    assert str(data.survey_ict_offices["q_commitment"].dtype) == "Int64"
    bare = load(valid_folder(tmp_path / "bare", monitoring_csv=None, costs_csv=None,
                             survey_ict_offices_csv=None))
    assert bare.monitoring is None and bare.costs is None and bare.survey_ict_offices is None


def test_properties(data):
    assert data.years == [2016, 2017, 2018, 2019, 2020]
    assert data.indicators == ["IDI", "POL07"]
    assert data.covariates == ["population"]
    assert data.synthetic is True
    assert data.metadata["name"] == "contract test"
    assert set(data.files) == {"entities", "adoption", "outcomes", "monitoring", "costs", "survey_ict_offices"}
    assert data.files["outcomes"].name == "outcomes.csv"
    assert "6 entities, 4 adopted" in repr(data)


def test_metadata_defaults_without_dataset_yml(tmp_path):
    data = load(valid_folder(tmp_path, dataset_yml=None))
    assert data.metadata == {"name": "data", "synthetic": False, "source": "", "description": ""}
    assert data.synthetic is False


def test_decimal_commas_are_parsed_right(tmp_path):
    outcomes = "entity_id;year;indicator;value\n" + "".join(
        f"{e};{y};POL07;{v}\n" for e, y, v in [("MINTIC", 2017, "57,4"), ("MINTIC", 2018, "61,25"),
                                              ("DAFP", 2017, "100"), ("DAFP", 2018, "0,5")])
    data = load(valid_folder(tmp_path, outcomes_csv=outcomes))
    assert data.outcomes["value"].tolist() == [57.4, 61.25, 100.0, 0.5]


def test_latin1_names_load_right(tmp_path):
    data = load(valid_folder(tmp_path, entities_csv=ENTITIES.encode("cp1252")))
    assert "Función Pública" in data.entities.loc[1, "name"]


def test_excel_files_load(tmp_path):
    folder = valid_folder(tmp_path, adoption_csv=None, outcomes_csv=None)
    write_xlsx(folder / "adoption.xlsx", [["entity_id", "adoption_date"],
                                          ["MINTIC", dt.datetime(2017, 3, 9)],
                                          ["05001", "01/02/2018"]])
    write_xlsx(folder / "outcomes.xlsx", [["entity_id", "year", "indicator", "value"],
                                          ["MINTIC", 2017, "POL07", 81.4],
                                          ["05001", 2018, "POL07", 65],
                                          ["IGAC", 2018, "POL07", None]])
    data = load(folder)
    assert data.files["adoption"].name == "adoption.xlsx"
    assert data.adoption["adoption_date"].tolist() == [pd.Timestamp(2017, 3, 9), pd.Timestamp(2018, 2, 1)]
    assert data.outcomes["value"].tolist()[:2] == [81.4, 65.0]
    assert data.years == [2017, 2018]


# --------------------------------------------------------------------------- panel


def test_panel_has_the_right_cohorts_and_shape(data):
    panel = data.panel("POL07")
    assert list(panel.columns) == [*PANEL_COLUMNS, "population"]
    assert len(panel) == 6 * 5
    cohorts = panel.groupby("entity_id")["cohort"].first().to_dict()
    assert cohorts == {"MINTIC": 2017, "DAFP": 2017, "05001": 2018, "05": 2019, "IGAC": 0, "76001": 0}
    assert panel["cohort"].dtype == "int64"
    assert panel[["entity_id", "year"]].equals(panel[["entity_id", "year"]].sort_values(["entity_id", "year"]))
    assert isinstance(panel.index, pd.RangeIndex)
    row = panel[(panel["entity_id"] == "IGAC") & (panel["year"] == 2018)].iloc[0]
    assert row["value"] == 65.0 and row["level"] == "national" and row["head_of_sector"] == 0


def test_panel_leaves_out_blank_values_which_are_reported(tmp_path):
    outcomes = replace_line(OUTCOMES, "IGAC,2018,POL07,65.0\n", "IGAC,2018,POL07,\n")
    data = load(valid_folder(tmp_path, outcomes_csv=outcomes))
    assert data.outcomes["value"].isna().sum() == 1          # kept in outcomes
    panel = data.panel("POL07")
    assert len(panel) == 29 and panel["value"].notna().all()  # left out of the panel
    assert any("blank" in p.problem for p in data.warnings)


def test_panel_until_year(data):
    panel = data.panel("POL07", until_year=2018)
    assert panel["year"].max() == 2018 and len(panel) == 6 * 3
    assert panel.loc[panel["entity_id"] == "05", "cohort"].iloc[0] == 2019  # cohort unchanged
    with pytest.raises(ValueError, match="no values up to 2010"):
        data.panel("POL07", until_year=2010)


def test_panel_unknown_indicator_names_the_available_ones(data):
    with pytest.raises(ValueError, match="'POL99'.*IDI, POL07"):
        data.panel("POL99")


def test_panel_returns_a_new_frame_and_leaves_the_dataset_alone(data):
    before = data.outcomes.copy()
    panel = data.panel("POL07")
    panel["value"] = -1.0
    panel.loc[0, "cohort"] = 1999
    assert data.outcomes.equals(before)
    assert data.panel("POL07")["value"].min() >= 0


def test_dataset_attributes_cannot_be_reassigned(data):
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.entities = pd.DataFrame()  # type: ignore[misc]


# --------------------------------------------------------------------------- refusing bad data


def test_load_refuses_errors_with_the_problems_table(tmp_path):
    adoption = ADOPTION + "99999,2018-01-01,,\n05001,2019-01-01,,\n"
    with pytest.raises(ContractError) as error:
        load(valid_folder(tmp_path, adoption_csv=adoption))
    message = str(error.value)
    assert "2 errors" in message
    assert "adoption.csv row 6, column entity_id: entity 99999 is not in entities.csv. Fix:" in message
    assert "adoption.csv row 7, column entity_id: entity 05001 adopts twice" in message
    assert len(error.value.problems.errors) == 2


def test_load_accepts_warnings_and_keeps_them(tmp_path):
    entities = replace_line(ENTITIES, "Valle del Cauca,76001,", "Valle del Cauca,,")
    data = load(valid_folder(tmp_path, entities_csv=entities))
    assert [p.column for p in data.warnings] == ["divipola"]
    assert data.warnings.ok


def test_files_are_byte_identical_after_load(tmp_path):
    folder = valid_folder(tmp_path, entities_csv=ENTITIES.encode("cp1252"))
    write_xlsx(folder / "survey_directors.xlsx", [["respondent_id", "q_alignment"], ["D1", 4]])
    before = folder_hashes(folder)
    load(folder)
    assert folder_hashes(folder) == before
    with pytest.raises(ContractError):
        load(valid_folder(tmp_path / "bad", adoption_csv=ADOPTION + "X,2017-01-01,,\n"))
    assert folder_hashes(folder) == before


# --------------------------------------------------------------------------- paths


def test_resolve_data_dir_defaults_to_the_demo_folder():
    assert paths.resolve_data_dir(None) == paths.DEMO_DIR.resolve()
    assert paths.resolve_data_dir("  ") == paths.DEMO_DIR.resolve()


def test_resolve_data_dir_tries_cwd_then_project_root(tmp_path, monkeypatch):
    (tmp_path / "mine").mkdir()
    monkeypatch.chdir(tmp_path)
    assert paths.resolve_data_dir("mine") == (tmp_path / "mine").resolve()
    assert paths.resolve_data_dir("data/demo") == paths.DEMO_DIR.resolve()  # not under cwd: project root
    assert paths.resolve_data_dir(tmp_path / "mine") == (tmp_path / "mine").resolve()


def test_resolve_data_dir_names_the_missing_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="'data/colombiaa' does not exist") as error:
        paths.resolve_data_dir("data/colombiaa")
    assert str(paths.PROJECT_ROOT / "data" / "colombiaa") in str(error.value)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError):
        paths.resolve_data_dir("afile")


def test_project_layout():
    assert paths.PROJECT_ROOT == paths.PACKAGE_DIR.parent
    assert paths.DATA_DIR == paths.PROJECT_ROOT / "data"
    assert paths.DEMO_DIR == paths.DATA_DIR / "demo"
    assert paths.OUTPUTS_DIR == paths.PROJECT_ROOT / "outputs"
    assert paths.NOTEBOOKS_DIR == paths.PROJECT_ROOT / "notebooks"
    assert (paths.PACKAGE_DIR / "paths.py").is_file()


def test_load_takes_a_relative_folder(tmp_path, monkeypatch):
    valid_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    data = load("data")
    assert data.folder == (tmp_path / "data").resolve()
    assert os.path.isabs(data.files["entities"])
