"""The adoption registry: the template (CSV and XLSX with a drop-down) and the check of a filled one."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import openpyxl
import pandas as pd
import pytest

from contract_fixtures import ADOPTION, valid_folder
from evaluation import cli
from evaluation.importers import registry
from evaluation.importers.registry import POST_LEVELS, RegistryError, check_registry, write_template
from evaluation.load import checks
from evaluation.load.checks import check
from evaluation.load.dataset import load

TODAY = dt.date(2025, 6, 30)


# --------------------------------------------------------------------------- the template


def test_template_files_and_csv_header(tmp_path):
    csv_path, xlsx_path = write_template(tmp_path / "t")
    assert (csv_path.name, xlsx_path.name) == ("adoption_template.csv", "adoption_template.xlsx")
    assert csv_path.read_text(encoding="utf-8") == "entity_id,adoption_date,post_title,post_level\n"


def test_xlsx_has_the_adoption_sheet_first_with_a_post_level_drop_down(tmp_path):
    _, xlsx_path = write_template(tmp_path)
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == ["adoption", "instructions"]
    sheet = workbook["adoption"]
    assert [c.value for c in sheet[1]] == ["entity_id", "adoption_date", "post_title", "post_level"]
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    level = next(v for ref, v in validations.items() if ref.startswith("D2"))
    assert level.type == "list" and level.formula1 == '"' + ",".join(POST_LEVELS) + '"'
    assert level.showErrorMessage
    date = next(v for ref, v in validations.items() if ref.startswith("B2"))
    assert date.type == "date" and date.formula1 == "DATE(2016,3,9)"
    assert sheet["A2"].number_format == "@" and sheet["B2"].number_format == "DD/MM/YYYY"
    instructions = " ".join(str(c.value) for row in workbook["instructions"].iter_rows() for c in row if c.value)
    for column in ("entity_id", "adoption_date", "post_title", "post_level", "Decree 415", "gcio-eval check"):
        assert column in instructions


def test_the_drop_down_is_in_the_file_excel_reads(tmp_path):
    _, xlsx_path = write_template(tmp_path)
    with zipfile.ZipFile(xlsx_path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert 'type="list"><formula1>"directivo,asesor,profesional,técnico,asistencial"</formula1>' in xml


def test_template_with_entities_lists_them_and_offers_their_codes(tmp_path):
    folder = valid_folder(tmp_path)
    _, xlsx_path = write_template(tmp_path / "t", entities=folder)
    workbook = openpyxl.load_workbook(xlsx_path)
    assert workbook.sheetnames == ["adoption", "instructions", "entities"]
    listed = [[c.value for c in row] for row in workbook["entities"].iter_rows(min_row=1)]
    assert listed[0] == ["entity_id", "name", "level", "department"]
    assert [r[0] for r in listed[1:]] == ["MINTIC", "DAFP", "IGAC", "05001", "76001", "05"]  # leading zeros kept
    codes = next(v for v in workbook["adoption"].data_validations.dataValidation if str(v.sqref).startswith("A2"))
    assert codes.type == "list" and codes.formula1 == "entities!$A$2:$A$7"


def test_template_from_an_entities_file_or_frame(tmp_path):
    frame = pd.DataFrame({"entity_id": ["A1", "B2"], "name": ["Alfa", "Beta"], "other": [1, 2]})
    _, from_frame = write_template(tmp_path / "a", entities=frame)
    (tmp_path / "e.csv").write_text("entity_id,name\nA1,Alfa\nB2,Beta\n", encoding="utf-8")
    _, from_file = write_template(tmp_path / "b", entities=tmp_path / "e.csv")
    for path in (from_frame, from_file):
        rows = [[c.value for c in r] for r in openpyxl.load_workbook(path)["entities"].iter_rows()]
        assert rows == [["entity_id", "name"], ["A1", "Alfa"], ["B2", "Beta"]]


@pytest.mark.parametrize("entities, expected", [
    ("missing.csv", "does not exist"),
    (pd.DataFrame({"code": ["A"]}), "no entity_id column"),
])
def test_unreadable_entity_lists_are_refused(tmp_path, entities, expected):
    if isinstance(entities, str):
        entities = tmp_path / entities
    with pytest.raises(RegistryError, match=expected):
        write_template(tmp_path / "t", entities=entities)
    assert not (tmp_path / "t").exists()


def test_a_template_in_a_data_folder_is_never_read_as_data(tmp_path):
    folder = valid_folder(tmp_path)
    write_template(folder)
    problems = check(folder)
    assert problems.ok and not [p for p in problems if "adoption_template" in p.file], str(problems)


# --------------------------------------------------------------------------- a filled registry


def _fill(path, rows):
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["adoption"]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=2 + offset, column=column, value=value)
    workbook.save(path)
    return path


def test_a_filled_xlsx_template_is_valid_adoption_data(tmp_path):
    folder = valid_folder(tmp_path, adoption_csv=None)
    _, xlsx_path = write_template(tmp_path / "t", entities=folder)
    _fill(xlsx_path, [["MINTIC", dt.datetime(2017, 3, 9), "Director de Tecnologías", "directivo"],
                      ["05001", dt.datetime(2018, 2, 1), "Secretario TIC", "directivo"],
                      ["05", dt.datetime(2019, 7, 1), None, "asesor"]])
    problems = check_registry(xlsx_path, folder, today=TODAY)
    assert problems.ok and len(problems) == 0, str(problems)
    shutil.copy(xlsx_path, folder / "adoption.xlsx")
    data = load(folder)
    assert data.adoption[["entity_id", "cohort"]].values.tolist() == [["MINTIC", 2017], ["05001", 2018], ["05", 2019]]


def test_filled_csv_template_with_every_kind_of_problem(tmp_path):
    folder = valid_folder(tmp_path)
    csv_path, _ = write_template(tmp_path / "t")
    csv_path.write_text(
        csv_path.read_text(encoding="utf-8")
        + "MINTIC,09/03/2017,,directivo\n"      # row 2: fine
        + "99999,01/01/2018,,\n"                 # row 3: unknown code
        + "5001,01/01/2018,,\n"                  # row 4: unknown code, lost its zero
        + "DAFP,01/02/2022,,\n"                  # row 5: after the panel (2016-2020): warning
        + "MINTIC,15/06/2018,,\n"                # row 6: adopts twice
        + "IGAC,01/01/2026,,\n"                  # row 7: in the future
        + "76001,01/01/2015,,Directivo\n",       # row 8: before Decree 415; level not in the list
        encoding="utf-8")
    problems = check_registry(csv_path, folder, today=TODAY)
    assert not problems.ok
    by_row = {(p.row, p.column): p for p in problems}
    assert "entity 99999 is not in entities.csv" in by_row[(3, "entity_id")].problem
    assert "leading zero" in by_row[(4, "entity_id")].fix
    assert by_row[(5, "adoption_date")].severity == "warning"
    assert "after the last year of outcome data (2020)" in by_row[(5, "adoption_date")].problem
    assert "entity MINTIC adopts twice: rows 2 and 6" in by_row[(6, "entity_id")].problem
    assert "in the future (today is 2025-06-30)" in by_row[(7, "adoption_date")].problem
    assert "before Decree 415" in by_row[(8, "adoption_date")].problem
    assert by_row[(8, "post_level")].severity == "warning" and "write one of" in by_row[(8, "post_level")].fix
    assert all(p.file == "adoption_template.csv" for p in problems), str(problems)
    # the folder's own adoption.csv plays no part
    assert (folder / "adoption.csv").read_text(encoding="utf-8") == ADOPTION


def test_registry_is_checked_against_the_folders_own_earliest_adoption(tmp_path):
    folder = valid_folder(tmp_path, dataset_yml="name: x\nchecks:\n  earliest_adoption: null\n")
    csv_path, _ = write_template(tmp_path / "t")
    csv_path.write_text("entity_id,adoption_date\nMINTIC,01/01/2015\n", encoding="utf-8")
    problems = check_registry(csv_path, folder, today=TODAY)
    assert problems.ok, str(problems)


def test_a_registry_with_a_missing_column_and_an_unusable_folder(tmp_path):
    folder = valid_folder(tmp_path, entities_csv="name,level\nX,national\n")
    registry_file = tmp_path / "r.csv"
    registry_file.write_text("entity_id\nMINTIC\n", encoding="utf-8")
    problems = check_registry(registry_file, folder, today=TODAY)
    messages = [str(p) for p in problems.errors]
    assert any("required column 'adoption_date' is missing" in m for m in messages), messages
    assert any("cannot be read, so the codes in r.csv cannot be checked" in m for m in messages), messages


def test_check_adoption_never_changes_files(tmp_path):
    folder = valid_folder(tmp_path)
    csv_path, _ = write_template(tmp_path / "t")
    before = {p: p.read_bytes() for p in [*folder.iterdir(), csv_path]}
    checks.check_adoption(csv_path, folder, today=TODAY)
    assert {p: p.read_bytes() for p in before} == before


def test_missing_registry_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        check_registry(tmp_path / "nope.csv", valid_folder(tmp_path))


# --------------------------------------------------------------------------- command line


def test_command_line_writes_both_templates(tmp_path, capsys):
    code = cli.main(["adoption-template", "--out", str(tmp_path / "t"), "--entities", str(valid_folder(tmp_path))])
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert [p.rsplit("/", 1)[-1] for p in printed] == ["adoption_template.csv", "adoption_template.xlsx"]
    assert "entities" in openpyxl.load_workbook(tmp_path / "t" / "adoption_template.xlsx").sheetnames


def test_command_line_refuses_a_bad_entity_list(tmp_path, capsys):
    code = cli.main(["adoption-template", "--out", str(tmp_path / "t"), "--entities", str(tmp_path / "nope.csv")])
    assert code == 2
    assert "nope.csv does not exist" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()
    assert registry.TEMPLATE_NAME not in checks.contract.TABLES
