"""Read the files an evaluator supplies, exactly as they are, and parse their cells.

``read_table`` turns a CSV or Excel file into a frame of strings without
interpreting any value: whether ``1.234`` is a thousand or one point two is
decided later, by ``evaluation.load.checks``, which knows what each column should
hold. The frame's index holds the row numbers a person sees in the file
(header = row 1), so every message can point at a row.

The parsers (``parse_number``, ``parse_date``, ``parse_year``) accept the
formats Colombian spreadsheets produce and raise ``ParseError`` with a reason a
person can act on.

Files are opened read-only; nothing here ever writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "ReadInfo", "TableReadError", "EmptyTableError", "ParseError",
    "read_table", "read_info", "parse_number", "parse_date", "parse_year", "infer_decimal_mark", "excel_sheets",
]

#: Delimiters tried when sniffing a CSV file, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Latin-1)", "latin-1": "Latin-1",
}


#: Largest CSV file read (bytes). Far above any real contract file (the 34,744 outcome rows of the
#: programme's FURAG panel take about 1 MB; 16 million rows would fit), and low enough that a huge or
#: runaway file (a 1 GB single line, a log written into the folder) is refused at once instead of
#: taking several times its size in memory: decoding and splitting hold about four copies.
MAX_CSV_BYTES = 512 * 2**20
#: Largest total uncompressed size of an .xlsx archive's parts. A worksheet's XML is 5-20 times its
#: compressed size, so a real 40 MB workbook stays well below; a "zip bomb" (a few kB that inflate to
#: gigabytes) is refused from the archive's directory, before anything is inflated.
MAX_XLSX_UNCOMPRESSED_BYTES = 512 * 2**20


def _size_text(n_bytes: int) -> str:
    return f"{n_bytes / 2**20:,.0f} MB" if n_bytes >= 2**20 else f"{n_bytes:,} bytes"


def workbook_size_problem(path: Path) -> str | None:
    """Why an .xlsx archive is too large to open (its parts' uncompressed sizes, from the zip directory); None if fine.

    Reading the directory inflates nothing. A file that is not a zip archive
    returns None here; opening it then fails with its own message.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        return (f"inflates to {_size_text(total)} of spreadsheet data (from {_size_text(path.stat().st_size)} on "
                f"disk), more than the {_size_text(MAX_XLSX_UNCOMPRESSED_BYTES)} the suite opens: it is not an "
                "ordinary workbook (possibly a 'zip bomb'), so it was not opened. Fix: export the table you need "
                "as CSV UTF-8, or remove the sheets and columns that are not part of the data")
    return None


class TableReadError(ValueError):
    """A file could not be read as a table; the message names the file and why."""


class EmptyTableError(TableReadError):
    """A file holds no header row at all."""


class ParseError(ValueError):
    """A cell could not be read as the kind of value its column needs.

    ``str(error)`` is the reason, quoting the offending text; ``text`` is the
    text itself.
    """

    def __init__(self, text: object, reason: str):
        super().__init__(reason)
        self.text = text
        self.reason = reason


@dataclass(frozen=True)
class ReadInfo:
    """How a file was read: recorded so that messages can say it.

    Attributes
    ----------
    path : pathlib.Path
        The file read.
    format : str
        ``"csv"`` or ``"excel"``.
    encoding, delimiter : str or None
        For CSV files, the encoding and delimiter actually used.
    sheet : str or None
        For Excel files, the sheet read (always the first one).
    header_row : int
        Row number of the header (1 unless blank rows precede it).
    long_rows : tuple of (int, int)
        ``(row, number of values)`` for rows with more values than the header
        has columns; the surplus values are not in the frame.
    unnamed_columns : tuple of (int, str)
        ``(position, name given)`` for columns with values but a blank header;
        they are named ``unnamed_<position>`` (1-based).
    duplicate_columns : tuple of (str, int, str)
        ``(header text, position, name given)`` for the second and later
        columns sharing a header; they are renamed ``<header>.<n>``.
    """

    path: Path
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    long_rows: tuple[tuple[int, int], ...] = ()
    unnamed_columns: tuple[tuple[int, str], ...] = ()
    duplicate_columns: tuple[tuple[str, int, str], ...] = ()

    def __deepcopy__(self, memo) -> ReadInfo:
        # pandas deep-copies ``attrs`` on nearly every operation; an immutable
        # record can be shared instead of copied.
        return self

    def describe(self) -> str:
        """Say in words how the file was read, e.g. ``semicolon-separated, UTF-8 with BOM``."""
        if self.format == "excel":
            return f"Excel, sheet '{self.sheet}'"
        delimiter = _DELIMITER_NAMES.get(self.delimiter or "", repr(self.delimiter))
        encoding = _ENCODING_NAMES.get(self.encoding or "", self.encoding)
        return f"{delimiter}-separated, {encoding}"


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Excel file into a frame of strings, converting nothing.

    Parameters
    ----------
    path : str or path
        A ``.csv``, ``.xlsx`` or ``.xls`` file. CSV files may be UTF-8 (with or
        without a byte-order mark), UTF-16 with a byte-order mark, or
        Windows-1252/Latin-1; the delimiter (``,``, ``;``, tab or ``|``) is
        sniffed from the header line, and an Excel ``sep=;`` first line is
        honoured. Excel files are read from their first sheet.

    Returns
    -------
    pandas.DataFrame
        One column per header cell, every value a string; blank cells are
        ``""``. Header names are stripped of surrounding spaces (invisible in a
        spreadsheet); values are left exactly as written. The index, named
        ``row``, holds the row numbers a person sees in the file (header = 1,
        first data row = 2 unless rows were skipped); entirely blank rows are
        left out. Excel cells become text as Excel shows them in a general
        format: ``2017-03-09`` for dates, ``57.4`` for numbers, ``5001`` for
        whole numbers. ``frame.attrs["read_info"]`` is a ``ReadInfo`` saying
        how the file was read.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    EmptyTableError
        If the file holds no header row.
    TableReadError
        If the file cannot be read as a table (corrupt, unsupported format).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows, info = _read_csv_rows(path)
        if isinstance(rows, pd.DataFrame):  # read whole by pandas' C parser (see _read_csv_fast)
            return rows
    elif suffix in (".xlsx", ".xlsm"):
        rows, info = _read_xlsx_rows(path)
    elif suffix == ".xls":
        rows, info = _read_xls_rows(path)
    else:
        raise TableReadError(f"{path.name}: cannot read '{suffix}' files; save it as .csv or .xlsx.")
    return _to_frame(rows, info)


def read_info(frame: pd.DataFrame) -> ReadInfo | None:
    """Return the ``ReadInfo`` that ``read_table`` attached to a frame, if any."""
    return frame.attrs.get("read_info")


# --------------------------------------------------------------------------- CSV

def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode a CSV file's bytes: strict UTF-8, or one single-byte encoding for the whole file.

    A file that is valid UTF-8 is read as UTF-8. A file with no valid UTF-8
    accents at all (every line with a byte above 127 fails as UTF-8) was saved
    in one single-byte encoding, as Excel in Spanish saves "CSV (delimitado por
    comas)": it is read as Windows-1252 (Latin-1 for its few undefined bytes).
    A file that mixes both -- UTF-8 lines and lines that are not UTF-8, as
    happens when rows saved by different programs are pasted together -- is
    refused with the line numbers: decoding the whole file in either encoding
    would silently change the names on the other lines.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise TableReadError(f"{name}: starts like a UTF-16 file but cannot be decoded ({exc}).") from exc
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8", errors="strict"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    not_utf8, utf8_accented = [], 0
    for number, line in enumerate(body.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8", errors="strict")
            utf8_accented += 1
        except UnicodeDecodeError:
            not_utf8.append(number)
    if bom or utf8_accented:
        why = ("it starts with a UTF-8 byte-order mark" if bom and not utf8_accented
               else f"{utf8_accented} other line{'s' if utf8_accented != 1 else ''} with accents "
                    f"{'are' if utf8_accented != 1 else 'is'} UTF-8")
        raise TableReadError(
            f"{name}: mixes text encodings: {_lines_text(not_utf8)} {'is' if len(not_utf8) == 1 else 'are'} not "
            f"UTF-8 while {why}, so no single encoding reads every line right (probably rows saved by different "
            "programs were pasted together). Nothing was guessed. Fix: correct the accented letters on "
            "those lines and save the whole file as UTF-8 (in Excel: Save As, 'CSV UTF-8 (delimitado por "
            "comas)'; in a text editor: encoding UTF-8).")
    # Consistently single-byte. A handful of bytes are undefined in Windows-1252; Latin-1 decodes anything.
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "latin-1"


def _lines_text(numbers: list[int], shown: int = 10) -> str:
    """``[3]`` -> "line 3"; ``[3, 9, 12]`` -> "lines 3, 9 and 12"; long lists end with "and N more"."""
    if len(numbers) == 1:
        return f"line {numbers[0]}"
    head = [str(n) for n in numbers[:shown]]
    if len(numbers) > shown:
        return f"lines {', '.join(head)} and {len(numbers) - shown} more"
    return f"lines {', '.join(head[:-1])} and {head[-1]}"


def _sniff_delimiter(header_line: str) -> str:
    """Pick the delimiter that splits the header line into the most fields.

    Only the header is used: header names hold no commas, whereas values do
    (decimal commas), so the header is the one line that cannot mislead.
    """
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        fields = next(csv.reader([header_line], delimiter=delimiter), [])
        if len(fields) - 1 > best_count:
            best, best_count = delimiter, len(fields) - 1
    return best


def _read_csv_rows(path: Path) -> tuple[list[tuple[int, list[str]]] | pd.DataFrame, ReadInfo]:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise TableReadError(
            f"{path.name} is {_size_text(size)}, more than the {_size_text(MAX_CSV_BYTES)} the suite reads from "
            "one CSV file; it was not read. Fix: check it is the right file (not a log or an export of another "
            "table); keep only the contract's columns, or split it by year.")
    data = path.read_bytes()
    text, encoding = _decode(data, path.name)
    if "\x00" in text:
        # A NUL is invisible in editors and spreadsheets, and a code holding one silently matches nothing
        # (entity "\x0005001" is not 05001). Never stripped silently: the file may be damaged there.
        with_nul = [n for n, line in enumerate(text.split("\n"), start=1) if "\x00" in line]
        every = len(with_nul) > 1 and len(with_nul) >= text.count("\n")
        raise TableReadError(
            f"{path.name}: {_lines_text(with_nul)} {'holds' if len(with_nul) == 1 else 'hold'} a NUL character "
            "(byte 0, invisible in editors), which is never part of a table"
            + (" -- on every line, as in a UTF-16 file saved without its byte-order mark" if every else "")
            + ". Nothing was guessed. Fix: " + ("save the file again as CSV UTF-8" if every else
                                                "retype those cells (or delete and re-enter those rows) and "
                                                "save the file as CSV UTF-8") + ".")
    # A byte-order mark is stripped by the decoding; a second one (a file converted twice) would be read as part
    # of the first header name, where no one can see it. Every leading one is dropped; such a file is read by
    # the careful reader (the fast one's own handling of marks differs).
    plan = None if text.startswith("\ufeff") else _fast_plan(data, text)
    if plan is not None:
        bom = data.startswith(b"\xef\xbb\xbf")
        # Neither the bytes nor the decoded text are needed by the fast reader, which reads the file itself:
        # freed first, they are not alive beside the table it builds (two copies of the file fewer at its peak).
        del text, data
        fast = _read_csv_fast(path, encoding, *plan, bom=bom)
        if fast is not None:
            info = read_info(fast)
            assert info is not None  # _read_csv_fast attaches a ReadInfo to every frame it returns
            return fast, info
        data = path.read_bytes()
        text, encoding = _decode(data, path.name)
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise EmptyTableError(f"{path.name} is empty: it has no header row.")
    skip_lines = 0
    match = re.fullmatch(r'"?sep=(.)"?', lines[first].strip(), flags=re.IGNORECASE)
    if match:  # Excel's hint line, e.g. "sep=;"
        delimiter = match.group(1)
        skip_lines = first + 1
        header_line = next((line for line in lines[skip_lines:] if line.strip()), "")
        if not header_line:
            raise EmptyTableError(f"{path.name} is empty: it has a 'sep=' line but no header row.")
    else:
        delimiter = _sniff_delimiter(lines[first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            row_number, start = start, reader.line_num + 1
            if row_number <= skip_lines:
                continue
            rows.append((row_number, record))
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise TableReadError(
                f"{path.name}: line {reader.line_num} has a cell longer than {csv.field_size_limit():,} characters, "
                "which no table of the contract holds: usually a quote (\") that is opened and never closed, so "
                "the rest of the file reads as one cell, or a file that is not a table. Fix: close the quote "
                "on that line (or remove it), or give the right file.") from exc
        raise TableReadError(f"{path.name}: cannot read line {reader.line_num} as CSV ({exc}).") from exc
    return rows, ReadInfo(path=path, format="csv", encoding=encoding, delimiter=delimiter)


def release_freed_memory() -> None:
    """Give the memory of dropped columns back to the operating system.

    Arrow's CSV reader builds each column from thousands of blocks of a few
    hundred kB, which the C allocator (glibc's ``malloc``) keeps for reuse
    when they are freed, and pandas' string operations allocate from Arrow's
    own pool, which keeps freed memory too; neither is then reused by numpy's
    large arrays. So freeing a text column once it is typed would not lower
    the process's memory without this: ``malloc_trim`` (glibc only; elsewhere
    a no-op) and ``MemoryPool.release_unused``. It takes milliseconds.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _malloc_trim():
    global _MALLOC_TRIM
    if _MALLOC_TRIM is False:
        import ctypes
        import ctypes.util

        try:
            _MALLOC_TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):   # not glibc (macOS, Windows, musl): nothing to trim
            _MALLOC_TRIM = None
    return _MALLOC_TRIM


_MALLOC_TRIM = False


#: Characters that end a line for ``str.splitlines`` but not for a CSV reader; a file holding any is read slowly.
_ODD_LINE_BREAKS = ("\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
#: Files smaller than this are read by the csv module (the C parser's set-up costs more than it saves).
FAST_CSV_BYTES = 2**20


_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")


def _fast_plan(data: bytes, text: str) -> tuple[int, str, int, bool] | None:
    """``(lines before the header to skip, delimiter, header width, quoted)`` if the fast reader may read the
    file, else None.

    Only large files with no line break that ``str.splitlines`` sees and a CSV reader does not, and whose
    quotes, if any, only wrap whole fields on one line (see ``_quotes_wrap_fields`` and ``_read_csv_fast``).
    """
    if len(data) < FAST_CSV_BYTES or any(c in text for c in _ODD_LINE_BREAKS):
        return None
    quoted = '"' in text
    if quoted and data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 (read only with its byte-order mark): its quote is not one byte
    skip_lines = 0
    delimiter = None
    for number, match in enumerate(_LINE.finditer(text), start=1):  # the first lines only; no copy of the text
        line = match.group(1)
        if not line.strip():
            if match.end() >= len(text):
                return None
            continue
        sep = re.fullmatch(r'"?sep=(.)"?', line.strip(), flags=re.IGNORECASE)
        if sep and delimiter is None and not skip_lines:
            skip_lines, delimiter = number, sep.group(1)
            continue
        delimiter = delimiter or _sniff_delimiter(line)
        if quoted and (len(delimiter) != 1 or not delimiter.isascii() or not _quotes_wrap_fields(data, delimiter)):
            return None
        return skip_lines, delimiter, len(line.split(delimiter)), quoted
    return None


#: Bytes of the file the quote check looks at at a time (its arrays are a few times this size).
_QUOTE_CHECK_BYTES = 1 << 24


def _quotes_wrap_fields(data: bytes, delimiter: str) -> bool:
    """Whether the quotes in ``data`` only open and close whole fields (doubled inside them) on one line.

    That is how R's ``write.csv``, Stata, pandas and Excel quote (RFC 4180): ``"Bogotá, D.C.",2020,"a
    ""quoted"" word"``. In such a file every record is one physical line and a C reader splits it as the
    csv module does, so the fast reader may read it. Checked without parsing: each line holds an even
    number of quotes, so the quotes of a line alternate opening and closing, doubled ones excepted; an
    opening quote (the first, third, ... of its line) follows a delimiter, a line break, the start of
    the file or another quote, and a closing one precedes a delimiter, a line break, the end of the file
    or another quote. Anything else (``5" screen``, a quoted field spanning two lines, a space after a
    closing quote) goes to the careful reader. The bytes of an ASCII-compatible encoding are checked
    (UTF-8, Windows-1252, Latin-1: a quote, a line break and these delimiters are one byte that no other
    character contains), a slice at a time.
    """
    quote = ord('"')
    boundaries = np.array([ord(delimiter), 10, 13, quote], dtype=np.uint8)
    view = np.frombuffer(data, dtype=np.uint8)
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # the BOM counts as the start of the file
    seen = 0  # quotes before this slice (even at every line break, or the file was refused)
    for lo in range(start, len(view), _QUOTE_CHECK_BYTES):
        hi = min(lo + _QUOTE_CHECK_BYTES, len(view))
        chunk = view[lo:hi]
        at = np.flatnonzero(chunk == quote)
        breaks = np.flatnonzero((chunk == 10) | (chunk == 13))
        if np.any((np.searchsorted(at, breaks) + seen) % 2):
            return False  # a line break inside quotes
        if at.size:
            position = at + lo
            opening = (np.arange(at.size) + seen) % 2 == 0
            before = np.where(position > start, view[np.maximum(position - 1, 0)], 10)
            after = np.where(position + 1 < len(view), view[np.minimum(position + 1, len(view) - 1)], 10)
            if not np.all(np.where(opening, np.isin(before, boundaries), np.isin(after, boundaries))):
                return False
        seen += int(at.size)
    return seen % 2 == 0


def _read_csv_fast(path: Path, encoding: str, skip_lines: int, delimiter: str, width: int, quoted: bool = False,
                   *, bom: bool = False) -> pd.DataFrame | None:
    """Read a large, plain CSV file with pyarrow's or pandas' C reader; None when it needs the careful reader.

    The careful reader (``csv`` module, row by row) costs about 2 s and several
    copies of the file per million rows. A file with no quote character, or
    whose quotes only wrap whole fields on one line (``quoted``, see
    ``_quotes_wrap_fields``), has one record per physical line, so a C reader
    gives the same frame -- same row numbers, values unquoted as the csv module
    unquotes them, blank lines counted -- in a fraction of the time and
    memory. Anything unusual (a quote inside a field, a quoted line break, a
    row longer or, in a quoted file, shorter than the header, a line break
    ``str.splitlines`` sees and a CSV reader does not, a small file) goes to
    the careful reader, which reports it.

    ``encoding`` is the one ``_decode`` found for the file's bytes; ``bom``
    whether they start with a UTF-8 byte-order mark. The frame's columns are
    the reader's own text buffers, not copies: when no line is blank the
    body is a slice of each column and the row numbers a ``RangeIndex``.
    """
    codec = "utf-8" if encoding == "utf-8-sig" and not bom else encoding
    # The lines before the header (an Excel "sep=;" line and any blank lines above it) are not read; the
    # columns start at physical line skip_lines + 1.
    columns_read = _split_plain_csv(path, delimiter, width, codec, quoted=quoted, skip_lines=skip_lines)
    if columns_read is None:
        return None
    n_lines = len(columns_read[0])
    # Keep the lines with a value. Only a line whose first cell is blank can be blank as a whole. Stripped a
    # million cells at a time: no stripped copy of the whole column.
    step = 2**20
    first_blank = np.concatenate([columns_read[0].iloc[start:start + step].str.strip().eq("").to_numpy(dtype=bool)
                                  for start in range(0, n_lines, step)] or [np.zeros(0, dtype=bool)])
    blank = first_blank.copy()
    candidates = np.flatnonzero(first_blank)
    del first_blank
    for column in columns_read[1:]:
        if not len(candidates):
            break
        blank[candidates] &= column.iloc[candidates].str.strip().eq("").to_numpy(dtype=bool)
        candidates = candidates[blank[candidates]]
    if blank.all():
        return None  # no line with a value by Arrow's idea of a space: the careful reader says what is there
    header_at = int(np.argmin(blank))                   # the first line with a value
    header_row = skip_lines + header_at + 1             # physical line numbers start at 1
    header = [str(column.iloc[header_at]).strip() for column in columns_read]
    # Every line after the header has a value (the usual case): the body is one slice of each column, shared
    # with the reader's buffers, and its row numbers a range. Otherwise the kept lines are taken (a copy).
    if not blank[header_at + 1:].any():
        index = pd.RangeIndex(header_row + 1, skip_lines + n_lines + 1, name="row")
        body_of = lambda column: column.iloc[header_at + 1:]  # noqa: E731
    else:
        body = np.flatnonzero(~blank[header_at + 1:]) + (header_at + 1)
        index = pd.Index(skip_lines + body + 1, name="row", dtype="int64")
        body_of = lambda column: column.iloc[body]  # noqa: E731
    del blank
    info = ReadInfo(path=path, format="csv", encoding=encoding, delimiter=delimiter)
    keep = [p for p in range(width)
            if header[p] or bool(body_of(columns_read[p]).str.strip().ne("").any())]
    names, unnamed, duplicates = _column_names(header, keep)
    columns = {}
    for name, p in zip(names, keep):
        columns[name] = pd.Series(body_of(columns_read[p]).array, index=index, name=name)
        columns_read[p] = None   # the frame's column is now the only holder of these cells
    del columns_read
    frame = pd.DataFrame(columns, index=index, columns=names)
    frame.attrs["read_info"] = ReadInfo(
        path=info.path, format=info.format, encoding=info.encoding, delimiter=info.delimiter,
        header_row=header_row, unnamed_columns=tuple(unnamed), duplicate_columns=tuple(duplicates))
    return frame


def _split_plain_csv(path: Path, delimiter: str, width: int, codec: str, *, quoted: bool = False,
                     skip_lines: int = 0) -> list[pd.Series] | None:
    """The cells of a CSV file after its first ``skip_lines`` lines, one text column per field (every line
    kept); None if not possible.

    pyarrow's reader (multithreaded, straight into Arrow strings) when every line has the header's number
    of fields or is empty; None otherwise (a shorter or longer line: the careful reader reports it), and
    None when a cell is longer than the csv module's field limit (the careful reader refuses the file
    and says why). A ``quoted`` file's quotes wrap whole fields on one line (``_quotes_wrap_fields``);
    they are removed and a doubled quote read as one, as the csv module does.
    """
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    names = [str(p) for p in range(width)]
    try:
        table = pa_csv.read_csv(
            str(path),
            read_options=pa_csv.ReadOptions(column_names=names, encoding=codec, skip_rows=skip_lines),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False,
                                              double_quote=quoted, escape_char=False, newlines_in_values=False,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
            # The system allocator gives freed buffers back to the OS; Arrow's default pool kept them, which
            # counted as several hundred MB of a 6-million-row check's peak memory.
            memory_pool=pa.system_memory_pool())
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError, ValueError):
        # Most often a line with more or fewer fields than the first one. pandas' C parser, tried here
        # before, read such files too, but it cut a longer line to the header's width or took a blank
        # first line's width for the header's, silently; the careful reader reports them instead.
        return None
    import pyarrow.compute as pc

    limit = csv.field_size_limit()
    for n in names:
        longest = pc.max(pc.utf8_length(table.column(n))).as_py()
        if longest is not None and longest > limit:
            return None  # the careful reader refuses a cell this long, and says where
    # Zero-copy: each Series wraps the table's large_string column (pandas' "str" dtype).
    return [table.column(n).to_pandas().astype("str") for n in names]


def _column_names(header: list[str], keep: list[int]) -> tuple[list[str], list, list]:
    """Names for the kept columns: blank headers become ``unnamed_<position>``, repeats ``<name>.<n>``."""
    names: list[str] = []
    unnamed, duplicates = [], []
    seen: dict[str, int] = {}
    for p in keep:
        name = header[p]
        if not name:
            name = f"unnamed_{p + 1}"
            unnamed.append((p + 1, name))
        if name in seen:
            seen[name] += 1
            new_name = f"{name}.{seen[name] - 1}"
            duplicates.append((name, p + 1, new_name))
            name = new_name
        else:
            seen[name] = 1
        names.append(name)
    return names, unnamed, duplicates


# --------------------------------------------------------------------------- Excel

def _cell_text(value: object) -> str:
    """Render an Excel cell the way Excel's General format shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def excel_sheets(path: str | os.PathLike[str], *, first_only: bool = False) -> list[tuple[str, list[list]]]:
    """The cells of a workbook's sheets, as ``(sheet title, rows)``; ``rows[0]`` is the sheet's row 1.

    Read with python-calamine through pandas (``engine="calamine"``), several
    times faster than openpyxl and with a fraction of its memory. Each row is a
    list padded from column A; a blank cell is ``""``; numbers are ``int`` or
    ``float``, dates ``datetime.datetime``, times ``datetime.time``, text ``str``
    exactly as typed (``"05001"`` keeps its zero; no text is read as a missing
    value: ``NA`` stays ``"NA"``). Trailing blank rows are dropped.

    Raises whatever the reader raises for a file that is not a readable
    workbook; callers turn that into their own message.
    """
    rows_of = []
    with pd.ExcelFile(path, engine="calamine") as book:
        names = book.sheet_names[:1] if first_only else book.sheet_names
        for name in names:
            frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object, keep_default_na=False,
                                  na_filter=False)
            rows = frame.to_numpy(dtype=object).tolist()
            while rows and all(v == "" or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
                rows.pop()
            rows_of.append((str(name), rows))
    return rows_of


def _read_xlsx_rows(path: Path) -> tuple[list[tuple[int, list[str]]], ReadInfo]:
    too_large = workbook_size_problem(path)
    if too_large:
        raise TableReadError(f"{path.name} {too_large}.")
    try:
        sheets = excel_sheets(path, first_only=True)
    except (OSError, KeyError, ValueError) as exc:
        raise TableReadError(f"{path.name} cannot be opened as an Excel workbook ({exc}).") from exc
    except Exception as exc:  # calamine's own errors (a zip that is not a workbook, a corrupt part): any corrupt file
        raise TableReadError(f"{path.name} cannot be opened as an Excel workbook ({type(exc).__name__}: {exc}).") from exc
    if not sheets:
        raise TableReadError(f"{path.name} cannot be opened as an Excel workbook (it has no sheet).")
    title, cells = sheets[0]
    rows = [(number, [_cell_text(v) for v in values]) for number, values in enumerate(cells, start=1)]
    return rows, ReadInfo(path=path, format="excel", sheet=title)


def _read_xls_rows(path: Path) -> tuple[list[tuple[int, list[str]]], ReadInfo]:
    try:
        import xlrd  # noqa: F401  (optional: only for Excel 97-2003 files)
    except ImportError as exc:
        raise TableReadError(
            f"{path.name} is an old Excel 97-2003 file (.xls), which needs the optional xlrd package. "
            "Open it in Excel and save it as .xlsx (Excel workbook) or CSV UTF-8 instead."
        ) from exc
    try:
        book = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="xlrd")
        sheet_name = pd.ExcelFile(path, engine="xlrd").sheet_names[0]
    except Exception as exc:
        raise TableReadError(f"{path.name} cannot be opened as an Excel 97-2003 workbook ({exc}).") from exc
    rows = [(number, [_cell_text(None if pd.isna(v) else v) for v in values])
            for number, values in enumerate(book.itertuples(index=False, name=None), start=1)]
    return rows, ReadInfo(path=path, format="excel", sheet=sheet_name)


# --------------------------------------------------------------------------- frame

def _to_frame(rows: list[tuple[int, list[str]]], info: ReadInfo) -> pd.DataFrame:
    rows = [(number, values) for number, values in rows if any(v.strip() for v in values)]
    if not rows:
        raise EmptyTableError(f"{info.path.name} is empty: it has no header row.")
    header_row, header = rows[0]
    header = [h.strip() for h in header]
    data = rows[1:]
    width = len(header)

    def has_values(position: int) -> bool:
        return any(len(values) > position and values[position].strip() for _, values in data)

    # Blank header cells come from trailing delimiters (common in Excel
    # exports) or an empty first spreadsheet column. Columns blank all the way
    # down are dropped; those with values get a name so validation can report them.
    keep = [p for p in range(width) if header[p] or has_values(p)]
    long_rows = tuple((number, len(values)) for number, values in data
                      if len(values) > width and any(v.strip() for v in values[width:]))
    names, unnamed, duplicates = _column_names(header, keep)
    index = pd.Index([number for number, _ in data], name="row", dtype="int64")
    columns = {
        name: pd.Series([values[p] if len(values) > p else "" for _, values in data], index=index, dtype="str")
        for name, p in zip(names, keep)
    }
    frame = pd.DataFrame(columns, index=index, columns=names)
    frame.attrs["read_info"] = ReadInfo(
        path=info.path, format=info.format, encoding=info.encoding, delimiter=info.delimiter,
        sheet=info.sheet, header_row=header_row, long_rows=long_rows,
        unnamed_columns=tuple(unnamed), duplicate_columns=tuple(duplicates),
    )
    return frame


# --------------------------------------------------------------------------- parsers

_BLANK_WORDS = {"na", "n/a", "n.a.", "nan", "null", "none", "nd", "n.d.", "-", "--", "sin dato", "no aplica"}

_PLAIN = re.compile(r"\d+")
_LONE_SEPARATOR = re.compile(r"(\d*)([.,])(\d+)")
_EXPONENT = re.compile(r"\d+(?:\.\d+)?[eE][+-]?\d+")
_GROUPED = [
    # (pattern, decimal mark it proves, how to make it Python-readable)
    (re.compile(r"\d{1,3}(?:\.\d{3})+,\d+"), ",", lambda s: s.replace(".", "").replace(",", ".")),  # 1.234,5
    (re.compile(r"\d{1,3}(?:,\d{3})+\.\d+"), ".", lambda s: s.replace(",", "")),                     # 1,234.5
    (re.compile(r"\d{1,3}(?:\.\d{3}){2,}"), ",", lambda s: s.replace(".", "")),                      # 4.510.909.699
    (re.compile(r"\d{1,3}(?:,\d{3}){2,}"), ".", lambda s: s.replace(",", "")),                       # 4,510,909,699
]


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and not value.strip()


def parse_number(text: object, *, decimal: str | None = None) -> float:
    """Read a number written the Colombian or the international way.

    Parameters
    ----------
    text : str, int, float or None
        The cell. Accepted: ``1234``, ``1234.5``, ``1234,5``, ``1.234,5``,
        ``1,234.5``, ``4.510.909.699`` and ``4,510,909,699`` (thousands
        separators), ``1.5e-05``, with an optional sign. Numbers already read
        by Excel pass through.
    decimal : {None, ".", ","}
        The column's decimal mark, when known (see ``infer_decimal_mark``). It
        only matters for a single separator followed by exactly three digits:
        with ``decimal=","``, ``1.234`` is one thousand two hundred and
        thirty-four. Without it a single separator is always the decimal mark,
        so ``1.234`` and ``1,234`` are both 1.234.

    Returns
    -------
    float
        The number; NaN for a blank cell.

    Raises
    ------
    ParseError
        If the text is not a number, with the reason (e.g. a ``%`` sign, a
        currency sign, a word such as ``N/A``).
    """
    if _is_blank(text):
        return math.nan
    if isinstance(text, bool):
        raise ParseError(text, f"'{text}' is a true/false value, not a number")
    if isinstance(text, (int, float)):
        return float(text)
    raw = str(text)
    s = raw.strip()
    sign = ""
    if s[:1] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].strip()
    if _PLAIN.fullmatch(s) or _EXPONENT.fullmatch(s):
        return float(sign + s)
    lone = _LONE_SEPARATOR.fullmatch(s)
    if lone:
        whole, separator, fraction = lone.groups()
        is_thousands = (decimal is not None and separator != decimal and len(fraction) == 3
                        and 1 <= len(whole) <= 3 and not whole.startswith("0"))
        return float(sign + (whole + fraction if is_thousands else f"{whole or '0'}.{fraction}"))
    for pattern, _, normalise in _GROUPED:
        if pattern.fullmatch(s):
            return float(sign + normalise(s))
    raise ParseError(raw, _number_reason(raw))


def _number_reason(raw: str) -> str:
    s = raw.strip()
    if s.lower() in _BLANK_WORDS:
        return f"'{raw}' is not a number; leave the cell blank if there is no value"
    if "%" in s:
        return f"'{raw}' has a % sign; write the number alone"
    if any(c in s for c in "$€") or s.upper().startswith("COP"):
        return f"'{raw}' has a currency sign; write the number alone"
    if re.search(r"\d\s+\d", s):
        return f"'{raw}' has spaces inside the number; remove them"
    if re.search(r"[^\d.,+\-\s]", s):
        return f"'{raw}' is not a number"
    return (f"'{raw}' is not a number in a recognised format "
            "(1234.5, 1234,5, 1.234,5, 1,234.5 or 4.510.909.699)")


def infer_decimal_mark(texts) -> str | None:
    """Guess a column's decimal mark from the values that show it unambiguously.

    A value such as ``1.234,5``, ``4.510.909.699`` or ``57,4`` shows a decimal
    comma; ``1,234.5``, ``4,510,909,699`` or ``57.4`` a decimal point. Values
    like ``1.234`` show nothing.

    Parameters
    ----------
    texts : iterable of str
        The column's cells.

    Returns
    -------
    str or None
        ``","`` or ``"."`` when the evidence points one way only, else None.
    """
    marks: set[str] = set()
    for text in texts:
        if not isinstance(text, str):
            continue
        s = text.strip().lstrip("+-")
        lone = _LONE_SEPARATOR.fullmatch(s)
        if lone:
            whole, fraction = lone.group(1), lone.group(3)
            if len(fraction) != 3 or not whole or len(whole) > 3 or whole.startswith("0"):
                marks.add(lone.group(2))
            continue
        for pattern, mark, _ in _GROUPED:
            if pattern.fullmatch(s):
                marks.add(mark)
                break
        if len(marks) > 1:
            return None
    return marks.pop() if len(marks) == 1 else None


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_YEAR_FIRST = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
_SHORT_YEAR = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}")
_EXCEL_SERIAL = re.compile(r"\d{4,5}(?:\.\d+)?")


def parse_date(text: object) -> pd.Timestamp:
    """Read a date written ISO-style or day first, the Colombian way.

    Parameters
    ----------
    text : str, datetime.date, datetime.datetime, pandas.Timestamp or None
        ``2017-03-09`` (ISO), ``2017/03/09``, ``09/03/2017``, ``9-3-2017`` or
        ``09.03.2017`` (always day, month, year: never the US month-first
        order), or a date cell read from Excel. A time of day is dropped.

    Returns
    -------
    pandas.Timestamp
        The date at midnight; ``NaT`` for a blank cell.

    Raises
    ------
    ParseError
        If the text is not a real date in one of those formats; the reason
        says what is wrong (month 25, a two-digit year, an Excel serial
        number, ...).
    """
    if _is_blank(text):
        return pd.NaT
    if isinstance(text, (dt.date, pd.Timestamp)):  # datetime is a date subclass
        return pd.Timestamp(text).normalize()
    raw = str(text)
    s = raw.strip()
    if m := (_ISO_DATE.fullmatch(s) or _YEAR_FIRST.fullmatch(s)):
        year, month, day = (int(g) for g in m.groups())
    elif m := _DAY_FIRST.fullmatch(s):
        day, month, year = (int(g) for g in m.groups())
    elif _SHORT_YEAR.fullmatch(s):
        raise ParseError(raw, f"'{raw}' has a two-digit year; write the year in full (dd/mm/yyyy)")
    elif _EXCEL_SERIAL.fullmatch(s):
        raise ParseError(raw, f"'{raw}' looks like an Excel date serial number; format the cell as a date")
    else:
        raise ParseError(raw, f"'{raw}' is not a date in a recognised format (2017-03-09 or 09/03/2017)")
    try:
        return pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        if month > 12 and day <= 12:
            reason = (f"'{raw}' has month {month}: dates are read day first (dd/mm/yyyy), "
                      f"so write {month:02d}/{day:02d}/{year}")
        else:
            reason = f"'{raw}' is not a real date (day {day}, month {month}, year {year})"
        raise ParseError(raw, reason) from None


def parse_year(text: object) -> int | None:
    """Read a calendar year such as ``2018`` (``2018.0`` from a spreadsheet is accepted).

    Returns
    -------
    int or None
        The year; None for a blank cell.

    Raises
    ------
    ParseError
        If the text is not a whole number from 1900 to 2100.
    """
    if _is_blank(text):
        return None
    try:
        number = parse_number(text, decimal=".")
    except ParseError:
        raise ParseError(text, f"'{text}' is not a year") from None
    if not number.is_integer() or not 1900 <= number <= 2100:
        raise ParseError(text, f"'{text}' is not a year (write four digits, e.g. 2018)")
    return int(number)
