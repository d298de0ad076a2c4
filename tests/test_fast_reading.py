"""The fast readers give exactly what the careful ones give (issue 14, section 5).

``read_table`` reads a large CSV file without quotes with pandas' C parser, and workbooks with
python-calamine through pandas; these tests pin that the frames (values, row numbers, how the file was
read) are the ones the row-by-row csv reader and openpyxl give.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from evaluation.load import readers

CSV_FILES = {
    "plain": "entity_id,year,indicator,value\n05001,2020,POL07,57.4\n05002,2020,POL07,\n",
    "blank lines and a sep line": "\nsep=;\n\nentity_id;year;value\n\n05001;2020;57,4\n\n08001 ; 2021 ;1.234,5\n",
    "spaces, empty cells, CRLF": "a,b,c\r\n1,2,\r\n 3 ,,\r\n,,\r\n4,5,6\r\n",
    "unnamed and repeated columns": "a,,a,b,\n1,2,3,4,\n5,,7,8,\n",
    "BOM": "\ufeffentity_id,name\n05001,Medellín\n",
    # quoted as R's write.csv, Stata, pandas and Excel quote: whole fields, doubled quotes inside
    "R write.csv": '"entity_id","year","indicator","value"\n"05001",2020,"POL07",57.4\n"05002",2020,"POL07",NA\n',
    "quoted delimiters and quotes": ('entity_id,name,note\n05001,"Bogotá, D.C.","say ""yes"""\n'
                                     '05002,"","  spaced  "\n"",,""\n08001,"a;b","x""y"\n'),
    "quoted, semicolons, CRLF, BOM": '\ufeff"a";"b"\r\n"1,5";"x"\r\n\r\n"";"2"\r\n',
    "quoted sep line": '"sep=;"\n"a";"b"\n"1";"2"\n',
}


@pytest.mark.parametrize("name", sorted(CSV_FILES))
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_the_c_parser_path_reads_what_the_csv_module_reads(tmp_path, monkeypatch, name, encoding):
    text = CSV_FILES[name]
    if encoding == "cp1252" and text.startswith("\ufeff"):
        pytest.skip("a byte-order mark is UTF-8 only")
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    monkeypatch.setattr(readers, "FAST_CSV_BYTES", 10**12)  # careful reader only
    careful = readers.read_table(path)
    monkeypatch.setattr(readers, "FAST_CSV_BYTES", 0)       # fast path whenever the file allows it
    data = path.read_bytes()
    text, used = readers._decode(data, path.name)
    plan = readers._fast_plan(data, text)
    assert plan is not None and readers._read_csv_fast(path, used, *plan, bom=data.startswith(b"\xef\xbb\xbf")) is not None, \
        "the fast path was not taken"
    fast = readers.read_table(path)
    pd.testing.assert_frame_equal(fast, careful)
    assert readers.read_info(fast) == readers.read_info(careful)


@pytest.mark.parametrize("text", ['a,b\n"1\n5",2\n', 'a,b\n5" screen,2\n', 'a,b\n"1" ,2\n', 'a,b\n"1"x,2\n',
                                  'a,b\n"1,2\n', 'a,b\n"1,5"\n', "a,b\n1,2,3\n",
                                  'a,b\nx""y,2\n', 'a,b\n",1\t" x,2\n',
                                  # rows shorter or longer than the first line, a line of spaces: pandas' C parser
                                  # read these before, cutting a longer row or taking a blank line's width silently
                                  "a,b,c\r\n1,2\r\n 3 ,,\r\n,,\r\n4,5,6\r\n", "sep=;\na\n1;2\n", ",,\na,b\n1,2,3\n",
                                  "a;b\n1;2\n   \n3;4\n",
                                  # a cell longer than the csv module's field limit: refused, whatever the size
                                  'a,b\n"' + "x" * 140_000 + '",1\n'])
def test_quotes_and_long_rows_go_to_the_careful_reader(tmp_path, monkeypatch, text):
    """A quoted line break, a quote inside a field, after a space or before text, an open quote, a short quoted
    row, a long row, rows of other widths, a line of spaces, a cell over the csv module's limit."""
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(readers, "FAST_CSV_BYTES", 0)
    data = path.read_bytes()
    text, used = readers._decode(data, path.name)
    plan = readers._fast_plan(data, text)
    assert plan is None or readers._read_csv_fast(path, used, *plan, bom=data.startswith(b"\xef\xbb\xbf")) is None
    if len(text) > 131_072:
        with pytest.raises(readers.TableReadError, match="longer than"):
            readers.read_table(path)
        return
    frame = readers.read_table(path)      # and the careful reader still reads (and reports) it
    monkeypatch.setattr(readers, "FAST_CSV_BYTES", 10**12)
    pd.testing.assert_frame_equal(frame, readers.read_table(path))
    assert readers.read_info(frame) == readers.read_info(readers.read_table(path))
    if text == "a,b\n1,2,3\n":
        assert readers.read_info(frame).long_rows == ((2, 3),)
    elif text == ",,\na,b\n1,2,3\n":
        assert readers.read_info(frame).long_rows == ((3, 3),)  # reported, not read as a third column
    elif text.startswith('a,b\n"1\n5"'):
        assert frame.loc[2, "a"] == "1\n5" and frame.loc[2, "b"] == "2"  # one record over lines 2-3


def test_calamine_and_openpyxl_read_the_same_colombian_cells(tmp_path):
    """Dates, decimals and DIVIPOLA codes typed as text: "05001" must not become 5001."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Hoja 1"
    rows = [
        ["entity_id", "divipola", "adoption_date", "value", "amount", "note"],
        ["05001", "05001", dt.date(2017, 3, 9), 57.4, 4510909699, "Medellín"],
        ["08001", 8001, dt.datetime(2018, 1, 2), 0.1 + 0.2, "1.234,5", "Barranquilla"],
        ["11001", "11001", "09/03/2017", "57,4", -3.25, None],
        [None, None, None, None, None, None],
        ["76001", "76001", dt.datetime(2019, 12, 31, 10, 30), 100, 1e-05, "=no es fórmula"],
    ]
    for values in rows:
        sheet.append(values)
    sheet["F6"].data_type = "s"  # text beginning with "=", as typed with a leading quote
    path = tmp_path / "entities.xlsx"
    workbook.save(path)

    fast = readers.read_table(path)  # calamine
    opened = openpyxl.load_workbook(path, read_only=True, data_only=True)
    expected = [[readers._cell_text(v) for v in values]
                for values in opened.worksheets[0].iter_rows(values_only=True)]
    opened.close()
    # openpyxl's cells, rendered the same way, blank row left out, in sheet rows 2, 3, 4 and 6
    header, body = expected[0], [expected[i] for i in (1, 2, 3, 5)]
    assert list(fast.columns) == header
    assert fast.index.tolist() == [2, 3, 4, 6]
    assert fast.to_numpy().tolist() == body
    assert fast.loc[2, "entity_id"] == "05001" and fast.loc[2, "divipola"] == "05001"
    assert fast.loc[3, "divipola"] == "8001"       # a number in the sheet stays the number
    assert fast.loc[2, "adoption_date"] == "2017-03-09"
    assert fast.loc[6, "adoption_date"] == "2019-12-31 10:30:00"
    assert fast.loc[2, "value"] == "57.4" and fast.loc[4, "value"] == "57,4"
    assert fast.loc[2, "amount"] == "4510909699"
    assert readers.read_info(fast).sheet == "Hoja 1"


@pytest.mark.parametrize("seed", range(6))
def test_random_quoted_files_read_the_same_both_ways(tmp_path, monkeypatch, seed):
    """Files written by the csv module (every quoting style) and hand-broken ones: whichever reader the file
    gets, the frame is the csv module's."""
    import csv
    import io
    import random

    rng = random.Random(seed)
    alphabet = ['a', 'Z', '0', '5', ' ', ',', ';', '"', 'ñ', 'é', '.', '-', '\t']
    styles = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
    taken = 0
    for k in range(40):
        width = rng.randint(1, 5)
        delimiter = rng.choice([",", ";"])
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, quoting=rng.choice(styles),
                            lineterminator=rng.choice(["\n", "\r\n"]))
        writer.writerow([f"col{j}" for j in range(width)])
        for _ in range(rng.randint(1, 30)):
            writer.writerow(["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(width)])
        text = buffer.getvalue()
        if k % 3 == 0:  # break it: a stray quote or delimiter somewhere after the header
            at = rng.randint(text.index("\n") + 1, len(text))
            text = text[:at] + rng.choice(['"', delimiter, '" ', ' "']) + text[at:]
        path = tmp_path / f"t{k}.csv"
        path.write_bytes(text.encode("utf-8"))
        monkeypatch.setattr(readers, "FAST_CSV_BYTES", 10**12)
        try:
            careful = readers.read_table(path)
        except readers.EmptyTableError:
            continue
        monkeypatch.setattr(readers, "FAST_CSV_BYTES", 0)
        data = path.read_bytes()
        decoded, used = readers._decode(data, path.name)
        plan = readers._fast_plan(data, decoded)
        taken += plan is not None and readers._read_csv_fast(path, used, *plan) is not None
        fast = readers.read_table(path)
        pd.testing.assert_frame_equal(fast, careful)
        assert readers.read_info(fast) == readers.read_info(careful)
    assert taken >= 10  # the fast path is not simply refused


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
@pytest.mark.parametrize("marks", [1, 2, 3])
def test_leading_byte_order_marks_are_never_part_of_a_name(tmp_path, monkeypatch, encoding, marks):
    """One mark is the encoding's; more (a file converted twice) are dropped too, by both readers alike,
    so the first column is ``entity_id`` and not an invisible ``\\ufeffentity_id``."""
    path = tmp_path / "t.csv"
    path.write_bytes(("\ufeff" * (marks - 1) + "entity_id,name\n05001,Medellín\n05002,Abejorral\n").encode(encoding))
    frames = []
    for threshold in (10**12, 0):  # the careful reader, then the fast one wherever it may read the file
        monkeypatch.setattr(readers, "FAST_CSV_BYTES", threshold)
        frames.append(readers.read_table(path))
    for frame in frames:
        assert list(frame.columns) == ["entity_id", "name"]
        assert frame["entity_id"].tolist() == ["05001", "05002"]
    pd.testing.assert_frame_equal(frames[0], frames[1])
