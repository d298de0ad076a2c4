"""Reading files as they are, and parsing their cells."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from contract_fixtures import folder_hashes, write_xlsx
from evaluation.load import readers
from evaluation.load.readers import (
    EmptyTableError,
    ParseError,
    TableReadError,
    infer_decimal_mark,
    parse_date,
    parse_number,
    parse_year,
    read_info,
    read_table,
)


def _all_strings(frame: pd.DataFrame) -> bool:
    return all(pd.api.types.is_string_dtype(frame[c]) for c in frame.columns) and all(
        isinstance(v, str) for v in frame.to_numpy().ravel())


# --------------------------------------------------------------------------- CSV


def test_utf8_bom_is_not_part_of_the_first_column_name(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_bytes("entity_id,name\n05001,Alcaldía de Medellín\n".encode("utf-8-sig"))
    frame = read_table(path)
    assert list(frame.columns) == ["entity_id", "name"]
    assert frame.loc[2, "name"] == "Alcaldía de Medellín"
    assert read_info(frame).encoding == "utf-8-sig"
    assert "UTF-8 with BOM" in read_info(frame).describe()


def test_latin1_file_reads_accents_right(tmp_path):
    path = tmp_path / "entities.csv"
    path.write_bytes("entity_id;name\nDAFP;Función Pública\n05001;Alcaldía de Medellín\n".encode("cp1252"))
    frame = read_table(path)
    assert frame["name"].tolist() == ["Función Pública", "Alcaldía de Medellín"]
    assert read_info(frame).encoding == "cp1252"
    assert read_info(frame).delimiter == ";"


def test_semicolon_file_with_decimal_commas_is_split_on_semicolons_and_kept_as_text(tmp_path):
    path = tmp_path / "outcomes.csv"
    path.write_text("entity_id;year;indicator;value\n05001;2018;POL07;57,4\n05001;2019;POL07;1.234,5\n",
                    encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["entity_id", "year", "indicator", "value"]
    assert frame["value"].tolist() == ["57,4", "1.234,5"]  # no conversion at read time
    assert frame["entity_id"].tolist() == ["05001", "05001"]  # leading zero kept
    assert _all_strings(frame)
    assert read_info(frame).describe() == "semicolon-separated, UTF-8"


def test_comma_file_is_sniffed_as_comma_even_with_semicolons_in_values(tmp_path):
    path = tmp_path / "adoption.csv"
    path.write_text('entity_id,post_title\nX,"Secretario; TIC"\n', encoding="utf-8")
    frame = read_table(path)
    assert read_info(frame).delimiter == ","
    assert frame.loc[2, "post_title"] == "Secretario; TIC"


def test_excel_sep_line_sets_the_delimiter_and_row_numbers_stay_physical(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("sep=;\na;b\n1;2\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b"]
    assert frame.index.tolist() == [3]


def test_row_numbers_are_the_lines_a_person_sees(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,note\n1,one\n\n2,"two\nlines"\n3,three\n', encoding="utf-8")
    frame = read_table(path)
    assert frame.index.name == "row"
    assert frame.index.tolist() == [2, 4, 6]
    assert frame.loc[6, "note"] == "three"


def test_header_names_are_stripped_values_are_not(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(" id ,value\n 7 , 8\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["id", "value"]
    assert frame.loc[2, "id"] == " 7 "


def test_blank_cells_are_empty_strings_and_short_rows_are_padded(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,c\n1,,3\n4\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.loc[2, "b"] == ""
    assert frame.loc[3].tolist() == ["4", "", ""]


def test_trailing_delimiters_do_not_make_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a;b;\n1;2;\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["a", "b"]
    assert read_info(frame).unnamed_columns == ()


def test_long_rows_unnamed_and_repeated_columns_are_recorded(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,value,value,\n1,57,4,x,9\n2,3,4,y\n", encoding="utf-8")
    frame = read_table(path)
    info = read_info(frame)
    assert info.long_rows == ((2, 5),)
    assert info.unnamed_columns == ((4, "unnamed_4"),)
    assert info.duplicate_columns == (("value", 3, "value.1"),)
    assert list(frame.columns) == ["a", "value", "value.1", "unnamed_4"]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", "\ufeff".encode("utf-8")])
def test_empty_file_is_a_clear_error_naming_the_file(tmp_path, content):
    path = tmp_path / "adoption.csv"
    path.write_bytes(content)
    with pytest.raises(EmptyTableError, match="adoption.csv is empty"):
        read_table(path)


def test_header_only_gives_an_empty_frame_with_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("entity_id,adoption_date\n", encoding="utf-8")
    frame = read_table(path)
    assert frame.empty
    assert list(frame.columns) == ["entity_id", "adoption_date"]


def test_unknown_extension_and_missing_file_are_errors(tmp_path):
    (tmp_path / "t.ods").write_text("x")
    with pytest.raises(TableReadError, match="t.ods"):
        read_table(tmp_path / "t.ods")
    with pytest.raises(FileNotFoundError):
        read_table(tmp_path / "nothing.csv")


# --------------------------------------------------------------------------- Excel


def test_excel_cells_become_text_with_sheet_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "adoption.xlsx", [
        ["entity_id", "adoption_date", "value", "count"],
        ["05001", dt.datetime(2017, 3, 9), 57.4, 3],
        [],
        [5001, "09/03/2017", 80.0, None],
    ], start_row=3)
    frame = read_table(path)
    assert list(frame.columns) == ["entity_id", "adoption_date", "value", "count"]
    assert frame.index.tolist() == [4, 6]  # sheet rows; the blank row 5 is skipped
    assert frame.loc[4].tolist() == ["05001", "2017-03-09", "57.4", "3"]
    assert frame.loc[6].tolist() == ["5001", "09/03/2017", "80", ""]
    assert _all_strings(frame)
    info = read_info(frame)
    assert info.format == "excel" and info.sheet == "Hoja1" and info.header_row == 3


def test_empty_excel_sheet_is_a_clear_error(tmp_path):
    path = write_xlsx(tmp_path / "outcomes.xlsx", [])
    with pytest.raises(EmptyTableError, match="outcomes.xlsx is empty"):
        read_table(path)


def test_corrupt_excel_file_is_a_read_error(tmp_path):
    path = tmp_path / "outcomes.xlsx"
    path.write_text("this is not a workbook")
    with pytest.raises(TableReadError, match="outcomes.xlsx cannot be opened"):
        read_table(path)


def test_old_xls_without_xlrd_says_to_save_as_xlsx(tmp_path):
    try:
        import xlrd  # noqa: F401
        pytest.skip("xlrd is installed")
    except ImportError:
        pass
    path = tmp_path / "entities.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(TableReadError, match=r"entities.xls .*save it as .xlsx"):
        read_table(path)


def test_reading_never_changes_the_files(tmp_path):
    (tmp_path / "a.csv").write_bytes("x;y\r\n1,5;Bogotá\r\n".encode("cp1252"))
    write_xlsx(tmp_path / "b.xlsx", [["x"], [1.5]])
    before = folder_hashes(tmp_path)
    read_table(tmp_path / "a.csv")
    read_table(tmp_path / "b.xlsx")
    assert folder_hashes(tmp_path) == before


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("text, expected", [
    ("1234.5", 1234.5),
    ("1.234,5", 1234.5),
    ("1,234.5", 1234.5),
    ("1234,5", 1234.5),
    ("4.510.909.699", 4510909699.0),
    ("4,510,909,699", 4510909699.0),
    ("57,4", 57.4),
    (" 57.4 ", 57.4),
    ("-3", -3.0),
    ("+0,5", 0.5),
    ("100", 100.0),
    ("1e-05", 1e-05),
    (57.4, 57.4),
    (3, 3.0),
])
def test_parse_number_accepts_colombian_and_international_forms(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "   ", None, float("nan")])
def test_parse_number_blank_is_nan(text):
    assert math.isnan(parse_number(text))


@pytest.mark.parametrize("text, reason", [
    ("abc", "'abc' is not a number"),
    ("N/A", "leave the cell blank"),
    ("45%", "% sign"),
    ("$ 1.000", "currency sign"),
    ("4 510 909", "spaces"),
    ("1.23.4", "recognised format"),
    ("1,2,3", "recognised format"),
    ("12.", "recognised format"),
])
def test_parse_number_rejects_garbage_with_a_reason_quoting_the_text(text, reason):
    with pytest.raises(ParseError) as error:
        parse_number(text)
    assert reason in str(error.value)
    assert error.value.text == text


def test_single_separator_with_three_digits_follows_the_column_decimal_mark():
    assert parse_number("1.234") == pytest.approx(1.234)
    assert parse_number("1.234", decimal=",") == 1234.0
    assert parse_number("1,234", decimal=".") == 1234.0
    assert parse_number("0.234", decimal=",") == pytest.approx(0.234)  # no thousands start with 0
    assert parse_number("57.4", decimal=",") == pytest.approx(57.4)    # not three digits: still decimal


@pytest.mark.parametrize("texts, mark", [
    (["1.234", "57,4"], ","),
    (["4.510.909.699", "1.234"], ","),
    (["1,234.5", "1,234"], "."),
    (["57.4", "61.25"], "."),
    (["1.234", "100"], None),
    (["1.234,5", "1,234.5"], None),
    ([], None),
])
def test_infer_decimal_mark(texts, mark):
    assert infer_decimal_mark(texts) == mark


# --------------------------------------------------------------------------- dates and years


@pytest.mark.parametrize("text, expected", [
    ("2017-03-09", dt.date(2017, 3, 9)),
    ("2017/03/09", dt.date(2017, 3, 9)),
    ("09/03/2017", dt.date(2017, 3, 9)),   # day first: 9 March, never 3 September
    ("1/2/2017", dt.date(2017, 2, 1)),
    ("9-3-2017", dt.date(2017, 3, 9)),
    ("09.03.2017", dt.date(2017, 3, 9)),
    ("2017-03-09 00:00:00", dt.date(2017, 3, 9)),
    (dt.datetime(2017, 3, 9, 15, 30), dt.date(2017, 3, 9)),
    (dt.date(2017, 3, 9), dt.date(2017, 3, 9)),
    (pd.Timestamp("2017-03-09"), dt.date(2017, 3, 9)),
])
def test_parse_date_accepts_iso_and_day_first(text, expected):
    assert parse_date(text) == pd.Timestamp(expected)


@pytest.mark.parametrize("text, reason", [
    ("03/25/2017", "month 25"),
    ("31/02/2017", "not a real date"),
    ("9/3/17", "two-digit year"),
    ("42803", "Excel date serial"),
    ("9 de marzo de 2017", "not a date"),
])
def test_parse_date_rejects_with_a_reason(text, reason):
    with pytest.raises(ParseError, match=reason):
        parse_date(text)


def test_parse_date_blank_is_nat():
    assert parse_date("  ") is pd.NaT


def test_parse_year():
    assert parse_year("2018") == 2018
    assert parse_year("2018.0") == 2018
    assert parse_year("") is None
    for bad in ("18", "2018.5", "vig2018", "3018"):
        with pytest.raises(ParseError, match="not a year"):
            parse_year(bad)


def test_module_exports_exist():
    for name in readers.__all__:
        assert hasattr(readers, name)
