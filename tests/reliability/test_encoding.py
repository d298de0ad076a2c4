"""Mixed text encodings are refused with line numbers, never silently re-decoded (issue 13, item 7).

Before the fix, one Latin-1 line in a UTF-8 file made the reader decode the
whole file as Windows-1252, turning every UTF-8 accent of the other lines into
two wrong characters ("Medellín" -> "MedellÃ­n") without a word.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared fixtures module
from contract_fixtures import valid_folder  # noqa: E402
from evaluation import cli
from evaluation.load.checks import check
from evaluation.load.readers import TableReadError, read_info, read_table

NAMES = ["Alcaldía de Medellín", "Gobernación de Antioquia", "Alcaldía de Bogotá", "Función Pública"]


def _utf8_file_with_latin1_lines(path, latin1_rows: set[int], rows: int = 40):
    """A CSV of ``rows`` data rows in UTF-8, except the data rows in ``latin1_rows`` (1-based) in Latin-1."""
    parts = ["entity_id,name\n".encode("utf-8")]
    for i in range(1, rows + 1):
        line = f"E{i:03d},{NAMES[i % len(NAMES)]}\n"
        parts.append(line.encode("cp1252" if i in latin1_rows else "utf-8"))
    path.write_bytes(b"".join(parts))
    return path


def test_one_latin1_line_in_a_utf8_file_is_refused_naming_the_line(tmp_path):
    path = _utf8_file_with_latin1_lines(tmp_path / "entities.csv", {17})
    with pytest.raises(TableReadError) as caught:
        read_table(path)
    message = str(caught.value)
    assert "entities.csv" in message
    assert "line 18" in message  # data row 17 is file line 18 (the header is line 1)
    assert "UTF-8" in message and "save" in message.lower()  # says how to fix it
    assert "39 other lines" in message


def test_many_bad_lines_are_listed_with_a_count(tmp_path):
    path = _utf8_file_with_latin1_lines(tmp_path / "entities.csv", set(range(2, 30, 2)))
    with pytest.raises(TableReadError, match=r"lines 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 and 4 more"):
        read_table(path)


def test_a_latin1_line_after_a_utf8_bom_is_refused(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "entity_id,name\nA,Bogota\n".encode() + "B,Bogotá\n".encode("cp1252"))
    with pytest.raises(TableReadError, match=r"line 3 is not UTF-8 while it starts with a UTF-8 byte-order mark"):
        read_table(path)


def test_a_file_wholly_in_windows_1252_is_still_read_right(tmp_path):
    path = tmp_path / "entities.csv"
    rows = "".join(f"E{i},{name}\n" for i, name in enumerate(NAMES))
    path.write_bytes(("entity_id;name\n" + rows.replace(",", ";")).encode("cp1252"))
    frame = read_table(path)
    assert list(frame["name"]) == NAMES
    assert read_info(frame).encoding == "cp1252"


def test_valid_utf8_is_read_strictly_as_utf8(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_text("entity_id,name\n" + "".join(f"E{i},{n}\n" for i, n in enumerate(NAMES)), encoding="utf-8")
    frame = read_table(path)
    assert list(frame["name"]) == NAMES and read_info(frame).encoding == "utf-8"


def test_check_reports_the_mixed_file_as_one_problem_with_its_lines(tmp_path):
    folder = valid_folder(tmp_path)
    lines = (folder / "entities.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # line 3 (DAFP, "Función Pública") in Latin-1; the other accented lines stay UTF-8
    data = b"".join(line.encode("cp1252" if i == 2 else "utf-8") for i, line in enumerate(lines))
    (folder / "entities.csv").write_bytes(data)
    problems = check(folder)
    messages = [p for p in problems.records if p.file == "entities.csv"]
    assert len(messages) == 1 and messages[0].severity == "error"
    assert "line 3 is not UTF-8" in messages[0].problem
    code = cli.main(["check", "--data", str(folder)])
    assert code != 0
