"""The FURAG importer's fast paths give exactly what the pandas paths gave (issue 14, section 5).

``import_furag`` reads a workbook with python-calamine directly (not through
``pandas.read_excel``) and writes the long ``outcomes.csv`` with
``furag.write_long_csv`` (not ``DataFrame.to_csv``). These tests pin that the
files and the report are byte for byte those of the pandas paths: the writer
against ``safe.write_csv`` on awkward frames, the reader against
``readers.excel_sheets`` on awkward cells, and whole imports with each path.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from evaluation.importers import furag
from evaluation.load import readers
from evaluation.safe import neutralise_cell, write_csv
from tests.test_furag import NATIONAL_2021, NATIONAL_2022, TERRITORIAL_2022, furag_workbook

ROOT = Path(__file__).resolve().parents[1]

#: Texts that are awkward in a CSV: accents, quotes, commas, line breaks (a bare carriage return too),
#: formula-like starts (which get a leading quote), numbers written as text (which do not), blanks.
AWKWARD_TEXTS = ["05001", "Alcaldía de Medellín", 'Instituto "Codazzi", sede Bogotá', "No aplica", "N/A", "",
                 " espacio ", "línea\nnueva", "retorno\rsolo", "=HYPERLINK(\"x\")", "+57 300", "-3", "-3.5+A1",
                 "@SUM(A1)", "\tTab", "Ñandú;punto y coma", "comilla ' simple", "€ 1.234,5", "POL07"]
#: Floats as scores and beyond: blanks, one decimal, ties of binary rounding, the extremes of float64.
AWKWARD_FLOATS = [np.nan, 57.4, 0.0, -0.0, 100.0, 1e-7, 0.1 + 0.2, 33.333333333333336, 1e16, 12345678901234.5,
                  -2.5e-300, 5e-324, 1.7976931348623157e308, np.inf, -np.inf, 1e22, 0.0001, 0.00001, 97.0]


def _awkward_frame(rows: int = 400, text_dtype: str = "object") -> pd.DataFrame:
    rng = np.random.default_rng(415)
    texts = np.array(AWKWARD_TEXTS, dtype=object)[rng.integers(0, len(AWKWARD_TEXTS), rows)]
    texts[rng.random(rows) < 0.1] = None            # missing text: written blank
    floats = np.array(AWKWARD_FLOATS)[rng.integers(0, len(AWKWARD_FLOATS), rows)]
    frame = pd.DataFrame({
        "entity_id": pd.Series(texts, dtype=object),
        "year": rng.integers(-5, 3000, rows).astype(np.int64),
        "indicator": pd.Series(np.array(["IDI", "POL07", "I01", "=D1"], dtype=object)[rng.integers(0, 4, rows)]),
        "value": floats,
        "name": pd.Series(texts[::-1].copy(), dtype=object),
    })
    if text_dtype != "object":
        for column in ("entity_id", "indicator", "name"):
            frame[column] = frame[column].astype(text_dtype)
    return frame


def _pandas_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    write_csv(frame, path, index=False)
    return path.read_bytes()


@pytest.mark.parametrize("text_dtype", ["object", "str", "category"])
def test_the_long_writer_writes_what_to_csv_writes(tmp_path, monkeypatch, text_dtype):
    frame = _awkward_frame(text_dtype=text_dtype)
    if text_dtype == "category":  # categories nobody uses, in another order than the rows meet them
        frame["indicator"] = frame["indicator"].cat.set_categories(["POL07", "unused", "=D1", "I01", "IDI"])
    before = frame.copy(deep=True)
    expected = _pandas_bytes(frame, tmp_path / "pandas.csv")
    # The fast path must be the one taken: its fall-back (safe.write_csv) is switched off here.
    monkeypatch.setattr(furag, "write_csv", lambda *a, **k: pytest.fail("write_long_csv fell back to to_csv"))
    monkeypatch.setattr(furag, "_ROWS_PER_CHUNK", 7)  # several chunks, the last one short
    furag.write_long_csv(frame, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == expected
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not modified
    assert b'"Instituto ""Codazzi"", sede Bogot\xc3\xa1"' in expected and b"'=HYPERLINK" in expected
    assert b",-0.0," in expected and b",5e-324," in expected and b",1e+16," in expected


def test_the_writer_of_the_benchmark_sized_table_matches_to_csv(tmp_path):
    """720,000 rows as one 6,000-entity workbook gives them (entity, year, indicator, score with blanks)."""
    rng = np.random.default_rng(2016)
    n_entities, codes = 6000, [f"I{i:02d}" for i in range(1, 121)]
    scores = np.round(rng.uniform(10, 100, n_entities * len(codes)), 1)
    scores[rng.random(scores.size) < 0.06] = np.nan
    frame = pd.DataFrame({
        "entity_id": pd.Categorical.from_codes(np.repeat(np.arange(n_entities), len(codes)),
                                               categories=[f"{5001 + i:05d}" for i in range(n_entities)]),
        "year": np.full(scores.size, 2022, dtype=np.int64),
        "indicator": pd.Categorical.from_codes(np.tile(np.arange(len(codes)), n_entities), categories=codes),
        "value": scores,
    })
    furag.write_long_csv(frame, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == _pandas_bytes(frame, tmp_path / "pandas.csv")


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"value": [1.5, np.nan]}),                                      # one column: a blank is ""
    pd.DataFrame({"a": ["x", "y"], "when": pd.to_datetime(["2024-01-02", None])}),
    pd.DataFrame({"a": ["x", "y"], "flag": [True, False]}),
    pd.DataFrame({"a": ["x", 3], "b": [1, 2]}),                                  # a number inside a text column
    pd.DataFrame({"a": ["x", "y"], "n": pd.array([1, None], dtype="Int64")}),
    pd.DataFrame({1: ["x", "y"], "b": [1, 2]}),                                  # a column named by a number
    pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)}),
], ids=["one column", "dates", "booleans", "mixed objects", "nullable integers", "numeric label", "empty"])
def test_other_frames_are_written_as_to_csv_writes_them(tmp_path, frame):
    furag.write_long_csv(frame, tmp_path / "fast.csv")
    assert (tmp_path / "fast.csv").read_bytes() == _pandas_bytes(frame, tmp_path / "pandas.csv")


def test_the_written_table_reads_back_as_the_contract_reader_reads_it(tmp_path):
    frame = _awkward_frame(rows=200).assign(value=lambda f: f["value"].where(np.isfinite(f["value"])))
    path = furag.write_long_csv(frame, tmp_path / "outcomes.csv")
    back = readers.read_table(path)
    assert list(back.columns) == ["entity_id", "year", "indicator", "value", "name"]
    assert len(back) == len(frame)
    for column in ("entity_id", "indicator", "name"):
        expected = [neutralise_cell(v) if isinstance(v, str) else "" for v in frame[column]]
        assert back[column].tolist() == expected, column
    assert back["year"].map(int).tolist() == frame["year"].tolist()
    read = [readers.parse_number(v) for v in back["value"]]
    for got, want in zip(read, frame["value"]):
        same_sign = math.copysign(1, got) == math.copysign(1, want)
        assert (math.isnan(got) and math.isnan(want)) or (got == want and same_sign)


def _workbook_with_awkward_cells(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Resultados"
    sheet.append(["Resultados FURAG", 2022.0, None, dt.date(2023, 5, 1)])
    sheet.append([])
    sheet.append(["Código Sigep", "Entidad", "POL07", "I01", "D1", "Fecha", "Hora", "Activa"])
    sheet.append([1234.0, "Ministerio", 57.4, -0.0, "57,4", dt.datetime(2022, 1, 2, 3, 4, 5), dt.time(7, 30), True])
    sheet.append(["01234", "  espacio  ", 100, 1e-7, "No aplica", dt.date(2022, 12, 31), None, False])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append([5678, "Último", 1e16, 33.333333333333336, "", None, None, "NA"])
    sheet.append([None, " ", None])  # blank rows at the end: dropped
    sheet.append([None])
    book.create_sheet("Vacía")
    other = book.create_sheet("Notas")
    other.append(["nota", 1.5])
    other.append([None, None, "lejos"])
    book.create_chartsheet("Gráfico")  # not a worksheet: pandas skips it, and so does the importer
    book.save(path)
    return path


def test_the_direct_reader_gives_the_cells_pandas_gives(tmp_path):
    path = _workbook_with_awkward_cells(tmp_path / "cells.xlsx")
    through_pandas = readers.excel_sheets(path)
    direct = furag._sheets(path)
    assert [title for title, _ in direct] == [title for title, _ in through_pandas] == ["Resultados", "Vacía",
                                                                                       "Notas"]
    for (title, rows), (_, expected) in zip(direct, through_pandas):
        converted = [[furag._cell(v) for v in row] for row in rows]
        assert converted == expected, title
        # and of the same types (1234 an int, a date a datetime): == alone would accept 1234.0 for 1234
        assert [[type(v) for v in row] for row in converted] == [[type(v) for v in row] for row in expected]


AWKWARD_2023 = {
    "header": ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Departamento", "Municipio", "DIVIPOLA", 2023,
               "Índice de Desempeño Institucional", "POL07 Gobierno Digital", "I1 Gobernanza", "D2 Talento"],
    "rows": [
        [100.0, 'Alcaldía de "Medellín", Antioquia', "Alcaldía", "ANTIOQUIA", "MEDELLÍN", 5001.0, 7, 88.25, "57,4",
         "No aplica", -0.0],
        ["0200", "=HYPERLINK(1)", "Gobernación", "ANTIOQUIA", None, None, None, 1e-7, " ", "N/A", 100],
        [300, "Alcaldía\nde Bello", "Alcaldía", "Antioquia", "Bello", "05088", dt.date(2020, 1, 2),
         12.345678901234567, "-", 0, 33.333333333333336],
        [400, "Concejo de Zzyzx", True, "VALLE", "CALI", None, dt.datetime(2021, 3, 4, 5, 6), 50, 50, 50, 50],
        [None, "Nota: fuente FURAG", None, None, None, None, None, None, None, None, None],
    ],
}


def _import(books: list[Path], out: Path) -> tuple[str, dict[str, bytes]]:
    report = furag.import_furag(books, out)
    text = str(report).replace(str(out), "OUT")
    return text, {name: (out / name).read_bytes() for name in furag.OWNED_FILES}


def test_an_import_writes_and_reports_what_the_pandas_paths_gave(tmp_path, monkeypatch):
    folder = tmp_path / "furag"
    folder.mkdir()
    books = [furag_workbook(folder / "Resultados_vig2021_nacion.xlsx", NATIONAL_2021),
             furag_workbook(folder / "Resultados_vig2022_nacion.xlsx", NATIONAL_2022),
             furag_workbook(folder / "Resultados_vig2022_territorio.xlsx", TERRITORIAL_2022),
             furag_workbook(folder / "Resultados_vig2023_territorio.xlsx", AWKWARD_2023)]
    fast = _import(books, tmp_path / "fast")
    with monkeypatch.context() as patch:
        patch.setattr(furag, "_sheets", readers.excel_sheets)  # pandas' calamine engine, every cell converted
        patch.setattr(furag, "write_long_csv", lambda frame, path: write_csv(frame, path, index=False))
        slow = _import(books, tmp_path / "slow")
    assert fast == slow
    outcomes = fast[1]["outcomes.csv"].decode("utf-8")
    assert "100,2023,D2,0.0\n" in outcomes           # a -0.0 cell is written 0.0, as pandas' reader made it
    assert "200,2023,POL07,\n" in outcomes and "100,2023,POL07,57.4\n" in outcomes


def test_bad_cells_are_reported_as_the_pandas_reader_reported_them(tmp_path, monkeypatch):
    book = furag_workbook(tmp_path / "Resultados_vig2024_nacion.xlsx", {
        "header": ["Código Sigep", "Entidad", "POL07 x", "I1 y"],
        "rows": [[1, "A", "abc", 101], [2, "B", dt.date(2020, 1, 1), True], [3, "C", "12%", -1], [4, "D", 5, 6]]})
    messages = []
    for reader in (furag._sheets, readers.excel_sheets):
        monkeypatch.setattr(furag, "_sheets", reader)
        with pytest.raises(furag.FuragError) as raised:
            furag.import_furag([book], tmp_path / "out")
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert "row 5, column C (POL07): '2020-01-01 00:00:00'" in messages[0]
    assert "row 4, column D (I01): 101 is outside 0–100" in messages[0]


def test_the_command_line_import_loads_no_plotting_or_notebook_library(tmp_path):
    """``gcio-eval import-furag`` pays only for pandas and the workbook reader (interpreter start counts)."""
    book = furag_workbook(tmp_path / "Resultados_vig2022_territorio.xlsx", TERRITORIAL_2022)
    script = ("import sys\nfrom evaluation import cli\n"
              f"code = cli.main(['import-furag', {str(book)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
              "print(code, ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.returncode == 0, done.stderr
    code, modules = done.stdout.strip().splitlines()[-1].split(" ", 1)
    assert code == "0"
    loaded = set(modules.split())
    assert "python_calamine" in loaded and "pandas" in loaded
    heavy = {"matplotlib", "scipy", "statsmodels", "seaborn", "nbformat", "nbclient", "papermill", "jupyter_client",
             "IPython", "openpyxl", "jinja2", "bleach", "babel", "pyfixest", "sklearn"}
    assert not loaded & heavy, sorted(loaded & heavy)
