"""Each report's workbook: written once per run from the tables its notebook saved, deterministic, never a formula."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from evaluation.report import tables


@pytest.fixture
def in_a_run(monkeypatch):
    values = {"report": "02_impact", "language": "en", "synthetic": "1", "data": "GCIO demo data",
              "source": "made up"}
    for key, name in tables.RUN_ENV.items():
        monkeypatch.setenv(name, values[key])
    return values


def _save_three(build):
    first = pd.DataFrame({"year": [2019, 2020], "estimate": [0.5, -1.25], "label": ["a", "=1+1"]})
    tables.save_table(first, str(build), "event_study.csv")
    tables.save_table(pd.DataFrame({"x": [1]}), str(build), "overall.csv")
    tables.save_table(first.assign(estimate=[9.0, 10.0]), str(build), "event_study.csv")  # saved again: replaces
    tables.save_table(pd.DataFrame({"ok": [True, False], "n": [3, 4]}), str(build), "cohorts.csv")


def test_one_sheet_per_table_in_the_order_first_saved_and_a_resave_replaces(in_a_run, tmp_path):
    _save_three(tmp_path)
    assert not (tmp_path / "tables" / "02_impact.xlsx").exists()  # only queued while the notebook runs
    [path] = tables.write_workbooks(tmp_path)
    assert path == tmp_path / "tables" / "02_impact.xlsx"
    book = load_workbook(path)
    assert book.sheetnames[1:] == ["event_study", "overall", "cohorts"]
    notes = book.worksheets[0]
    listed = [(notes.cell(row=r, column=2).value, notes.cell(row=r, column=3).value) for r in range(7, 10)]
    assert listed == [("event_study", "event_study.csv"), ("overall", "overall.csv"), ("cohorts", "cohorts.csv")]
    rows = list(book["event_study"].values)
    assert rows == [("year", "estimate", "label"), (2019, 9.0, "a"), (2020, 10.0, "=1+1")]
    assert book["event_study"]["C3"].data_type == "s"  # text, never a formula
    assert list(book["cohorts"].values)[1:] == [(True, 3), (False, 4)]
    # the CSV carries the synthetic flag, the workbook says it on its notes sheet
    assert "synthetic_data" in pd.read_csv(tmp_path / "tables" / "event_study.csv").columns
    assert "synthetic_data" not in rows[0]


def test_the_same_tables_give_the_same_bytes(in_a_run, tmp_path):
    made = []
    for name in ("one", "two"):
        build = tmp_path / name
        _save_three(build)
        [path] = tables.write_workbooks(build)
        made.append(path.read_bytes())
    assert made[0] == made[1]
    with zipfile.ZipFile(tmp_path / "one" / "tables" / "02_impact.xlsx") as archive:
        core = archive.read("docProps/core.xml")
        assert b"dcterms:created" not in core and b"dcterms:modified" not in core
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_outside_a_run_no_workbook_is_queued(tmp_path, monkeypatch):
    for name in tables.RUN_ENV.values():
        monkeypatch.delenv(name, raising=False)
    tables.save_table(pd.DataFrame({"x": [1]}), str(tmp_path), "overall.csv")
    assert tables.write_workbooks(tmp_path) == []
    assert (tmp_path / "tables" / "overall.csv").is_file()


def test_one_report_is_written_alone_and_not_again(in_a_run, tmp_path, monkeypatch):
    _save_three(tmp_path)
    monkeypatch.setenv(tables.RUN_ENV["report"], "03_robustness")
    tables.save_table(pd.DataFrame({"x": [2]}), str(tmp_path), "placebo.csv")
    assert [p.name for p in tables.write_workbooks(tmp_path, "03_robustness")] == ["03_robustness.xlsx"]
    assert [p.name for p in tables.write_workbooks(tmp_path)] == ["02_impact.xlsx"]
    assert tables.write_workbooks(tmp_path) == []
