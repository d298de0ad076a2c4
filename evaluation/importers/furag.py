"""Import Función Pública's FURAG results workbooks into the data contract.

Each vigencia Función Pública publishes the FURAG results as Excel workbooks,
one for national entities (``nación``) and one for territorial entities
(``territorio``), named like ``Resultados_vig2022_nacion.xlsx``. Their layout
(``shared/docs/furag_format.md``): two title rows, the header on the third
row, identification columns (``Código Sigep``, ``Entidad``, ``Naturaleza
Jurídica``, ``Departamento``, ``Municipio``, ``Grupo par``, ``Tipo
Formulario``), the overall index (``Índice de Desempeño Institucional``), the
dimensions ``D1`` … ``D7``, one column per policy (``POL07 Índice …``) and one
per sub-index (``I01 …``), the code as a prefix of the name.

``import_furag(files, out_dir)`` reads any number of them and writes the
contract's ``outcomes.csv`` (long: entity, year, indicator, value) and
``entities.csv``. What it decides:

- **columns are matched by their code prefix**, never by position or full
  name, because names change between vigencias; codes are normalised
  (``i1``, ``I1``, ``I01`` -> ``I01``; ``pol7`` -> ``POL07``; the overall index
  -> ``IDI``). Every column it cannot map is reported, with file and column
  letter, never silently dropped;
- **a blank cell stays missing** (the index does not apply to that entity),
  written as a blank ``value``: never 0. ``No aplica``, ``N/A`` and ``-`` count
  as blank and are counted in the report;
- **entities are matched across years by Código Sigep**, whether the cell
  holds a number or text (``1234``, ``"01234"`` and ``1234.0`` are the same
  code); an entity whose name changed between years is reported, and so is a
  code that seems to have changed (an entity with the same name that
  disappears under one code the year another appears): those are reported,
  not merged, since only a person can tell;
- **the level** comes from the file: nación -> national; territorio ->
  departmental or municipal from the Naturaleza Jurídica, then the entity's
  name (Gobernación, Alcaldía, departamental, municipal, distrital), then the
  Municipio/Departamento columns; **DIVIPOLA** codes of municipal entities come
  from a DIVIPOLA or Código DANE column if the file has one, else from the
  department and municipality names matched against the real municipal frame
  (``data/colombia/municipalities.csv``).

Bad input (another layout, a corrupt or password-protected file, an empty
sheet) raises ``FuragError`` naming every file and what was expected; nothing
is written unless every file could be read.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.load import readers
from evaluation.safe import neutralise_cell, write_csv

__all__ = ["import_furag", "read_workbook", "normalise_code", "ImportReport", "WorkbookSummary", "UnmappedColumn",
           "EntityChange", "FuragError", "HEADER_SEARCH_ROWS"]

#: The real municipal frame (DANE DIVIPOLA codes and names), used to give municipal entities their code.
MUNICIPALITIES_CSV = paths.DATA_DIR / "colombia" / "municipalities.csv"
#: How many rows from the top are searched for the header (the published files have it on row 3).
HEADER_SEARCH_ROWS = 10
#: File signatures: an .xlsx is a zip archive; an encrypted (password-protected) Office file, like an
#: Excel 97-2003 .xls, is an OLE2 compound file.
ZIP_SIGNATURE = b"PK\x03\x04"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Identification columns, by their header with accents, case and spacing removed.
ID_COLUMNS = {
    "codigo sigep": "code",
    "entidad": "name",
    "nombre entidad": "name",
    "nombre de la entidad": "name",
    "naturaleza juridica": "nature",
    "naturaleza": "nature",
    "departamento": "department",
    "municipio": "municipality",
    "grupo par": "peer_group",
    "tipo formulario": "form",
    "sector": "sector",
    "sector administrativo": "sector",
    "divipola": "divipola",
    "codigo divipola": "divipola",
    "codigo dane": "divipola",
}
_KINDS = {"national": "nación", "territorial": "territorio"}
_NOT_APPLICABLE = {"no aplica", "n/a", "na", "n.a.", "-", "--", "nd", "n.d.", "sin dato", "no reporta"}
_CODE_PATTERNS = (
    (re.compile(r"^pol\s*0*(\d{1,2})(?!\d)", re.I), lambda n: f"POL{n:02d}"),
    (re.compile(r"^i\s?0*(\d{1,3})(?!\d)", re.I), lambda n: f"I{n:02d}"),
    (re.compile(r"^d\s?0*(\d{1,2})(?!\d)", re.I), lambda n: f"D{n}"),
)
_IDI = re.compile(r"^(idi|indice de desempeno institucional)(?![a-z])")


#: Lines of each list printed by ``str(ImportReport)``; the tables hold all.
_LISTED = 40


class FuragError(ValueError):
    """One or more workbooks cannot be imported; the message names each file and what was expected."""


# --------------------------------------------------------------------------- report objects


@dataclass(frozen=True)
class WorkbookSummary:
    """What was read from one workbook."""

    file: str
    vigencia: int
    kind: str            # "national" or "territorial"
    sheet: str
    header_row: int
    entities: int
    indicators: tuple[str, ...]
    not_applicable_text: int = 0   # cells holding "No aplica", "N/A", "-": kept missing


@dataclass(frozen=True)
class UnmappedColumn:
    """A column whose header maps to no indicator or identification column (it was not imported)."""

    file: str
    column: str          # the spreadsheet's column letter, e.g. "AB"
    header: str
    reason: str


@dataclass(frozen=True)
class EntityChange:
    """An entity whose name, or apparently whose code, changed between two vigencias."""

    entity_id: str
    change: str          # "name" or "code"
    year_before: int
    year_after: int
    before: str
    after: str
    note: str = ""


@dataclass(frozen=True, eq=False)
class ImportReport:
    """What ``import_furag`` read, wrote and could not map.

    Attributes
    ----------
    out_dir : pathlib.Path
        The folder written (``entities.csv`` and ``outcomes.csv``).
    workbooks : tuple of WorkbookSummary
        One per file, in vigencia order.
    unmapped : tuple of UnmappedColumn
        Every column that was not imported.
    changes : tuple of EntityChange
        Entities whose name (or apparently whose code) changed between years.
    partial_entities : dict of str to tuple of int
        Entities missing from some vigencia of their kind: code to the years present.
    indicator_years : dict of str to tuple of int
        Each indicator and the vigencias it was found in.
    notes : tuple of str
        Other decisions worth knowing (levels guessed, DIVIPOLA codes not found, ...).
    n_entities, n_outcomes : int
        Rows written to ``entities.csv`` and ``outcomes.csv``; ``n_blank`` of
        the outcome rows have a blank value.
    """

    out_dir: Path
    workbooks: tuple[WorkbookSummary, ...]
    unmapped: tuple[UnmappedColumn, ...]
    changes: tuple[EntityChange, ...]
    partial_entities: dict = field(default_factory=dict)
    indicator_years: dict = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    n_entities: int = 0
    n_outcomes: int = 0
    n_blank: int = 0

    @property
    def unmapped_table(self) -> pd.DataFrame:
        return pd.DataFrame([vars(u) for u in self.unmapped], columns=["file", "column", "header", "reason"])

    @property
    def changes_table(self) -> pd.DataFrame:
        return pd.DataFrame([vars(c) for c in self.changes],
                            columns=["entity_id", "change", "year_before", "year_after", "before", "after", "note"])

    def summary(self) -> str:
        years = sorted({w.vigencia for w in self.workbooks})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
        return (f"Imported {len(self.workbooks)} workbook(s), vigencias {span}: {self.n_entities} entities, "
                f"{self.n_outcomes} outcome rows ({self.n_blank} blank: index not applicable) into {self.out_dir}.")

    def __str__(self) -> str:
        lines = [self.summary()]
        for w in self.workbooks:
            lines.append(f"- {w.file}: vigencia {w.vigencia}, {_KINDS[w.kind]}, sheet '{w.sheet}', header on row "
                         f"{w.header_row}, {w.entities} entities, {len(w.indicators)} indicators")
        lines.append(f"Columns not imported: {len(self.unmapped)}" + (":" if self.unmapped else "."))
        lines += [f"- {u.file} column {u.column} '{u.header}': {u.reason}" for u in self.unmapped[:_LISTED]]
        if len(self.unmapped) > _LISTED:
            lines.append(f"- ... and {len(self.unmapped) - _LISTED} more (all in ImportReport.unmapped_table)")
        lines.append(f"Entities whose name or code changed between years: {len(self.changes)}"
                     + (":" if self.changes else "."))
        for c in self.changes[:_LISTED]:
            lines.append(f"- {c.entity_id}: {c.change} '{c.before}' ({c.year_before}) -> '{c.after}' "
                         f"({c.year_after}){'; ' + c.note if c.note else ''}")
        if len(self.changes) > _LISTED:
            lines.append(f"- ... and {len(self.changes) - _LISTED} more (all in ImportReport.changes_table)")
        if self.partial_entities:
            lines.append(f"Entities missing from some vigencias: {len(self.partial_entities)}.")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<p><strong>{html.escape(self.summary())}</strong></p>"]
        for title, frame in (("Columns not imported", self.unmapped_table),
                             ("Entities whose name or code changed", self.changes_table)):
            parts.append(f"<p>{title}: {len(frame)}</p>")
            if len(frame):
                parts.append(frame.to_html(index=False, escape=True))
        parts += [f"<p>Note: {html.escape(n)}</p>" for n in self.notes]
        return "".join(parts)


# --------------------------------------------------------------------------- text helpers


def _plain(text: object) -> str:
    """Lower case, accents removed, spaces collapsed: ``'Código  SIGEP '`` -> ``'codigo sigep'``."""
    return _plain_text(str(text or ""))


class _CombiningMarks(dict):
    """A ``str.translate`` table that drops combining marks (the accents NFKD splits off), filled as met."""

    def __missing__(self, code: int) -> int | None:
        self[code] = None if unicodedata.combining(chr(code)) else code
        return self[code]


_DROP_COMBINING = _CombiningMarks()
_SPACES = re.compile(r"\s+")
_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


# The text helpers are memoised on the cell's text: a workbook repeats a few hundred department,
# municipality and "No aplica" texts over thousands of rows, and accent folding was a tenth of the import.
@functools.lru_cache(maxsize=1 << 16)
def _plain_text(text: str) -> str:
    if not text.isascii():  # ASCII has nothing to decompose
        text = unicodedata.normalize("NFKD", text).translate(_DROP_COMBINING)
    return _SPACES.sub(" ", text).strip().lower().rstrip(":.").strip()


def _name_key(text: object) -> str:
    """Names compared across years and against the municipal frame: punctuation ignored too."""
    return _name_key_text(str(text or ""))


@functools.lru_cache(maxsize=1 << 16)
def _name_key_text(text: str) -> str:
    return _NOT_ALPHANUMERIC.sub(" ", _plain_text(text)).strip()


def normalise_code(header: object) -> str | None:
    """The indicator code a column header starts with, normalised; None if it has none.

    >>> normalise_code("i1 Gobernanza"), normalise_code("I01"), normalise_code("POL7 Índice de ...")
    ('I01', 'I01', 'POL07')
    >>> normalise_code("Índice de Desempeño Institucional"), normalise_code("D3"), normalise_code("Entidad")
    ('IDI', 'D3', None)
    """
    text = str(header or "").strip()
    if _IDI.match(_plain(text)):
        return "IDI"
    for pattern, make in _CODE_PATTERNS:
        match = pattern.match(text)
        if match:
            return make(int(match.group(1)))
    return None


def _entity_code(value: object) -> str:
    """Código Sigep as text, the same whether the cell held a number or text (``1234``, ``"01234"``, ``1234.0``)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text


def _column_letter(position: int) -> str:
    """The spreadsheet's letter of a 1-based column position: 1 -> A, 27 -> AA."""
    letters = ""
    while position > 0:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --------------------------------------------------------------------------- one workbook


@dataclass(frozen=True, eq=False)
class _Workbook:
    summary: WorkbookSummary
    rows: pd.DataFrame           # one row per entity: code, name, nature, ... (text), row (sheet row)
    scores: pd.DataFrame         # long: code, indicator, value
    unmapped: tuple[UnmappedColumn, ...]


def _file_problem(path: Path) -> str | None:
    """Why the file cannot be an .xlsx workbook, from its name and first bytes; None if it may be one."""
    if not path.is_file():
        return "does not exist"
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return ("is an Excel 97-2003 workbook (.xls); the FURAG results are read as .xlsx: open it in Excel and "
                "save it as Excel workbook (.xlsx)")
    if suffix not in (".xlsx", ".xlsm"):
        return f"is not an Excel workbook (.xlsx): FURAG results are published as .xlsx, and this is '{suffix}'"
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        return "is empty (0 bytes), not an Excel workbook"
    if head.startswith(OLE2_SIGNATURE):
        return ("is password-protected (an encrypted Office file; an .xlsx is otherwise a zip archive) or an old "
                ".xls renamed .xlsx: open it in Excel, remove the password (Archivo > Información > Proteger libro "
                "> Cifrar con contraseña, leave it empty) and save it as .xlsx")
    if not head.startswith(ZIP_SIGNATURE):
        return ("is not an Excel workbook: an .xlsx file is a zip archive, and this one is not (corrupt or another "
                "kind of file)")
    return readers.workbook_size_problem(path)


def _vigencia_and_kind(path: Path, titles: list[str]) -> tuple[int | None, str | None, str | None]:
    """Vigencia and kind from the file name, checked against the title rows; a conflict is a problem."""
    name = _plain(path.stem).replace("_", " ")
    title = " ".join(_plain(t) for t in titles)
    year = None
    match = re.search(r"vig(?:encia)?\s*-?\s*(\d{4})", name) or re.search(r"(?<!\d)(20\d{2})(?!\d)", name)
    # Only "vigencia 2022" in a title can contradict the name: a title may also carry a publication date.
    title_match = re.search(r"vig(?:encia)?\s*-?\s*(\d{4})", title)
    bare_years = set(re.findall(r"(?<!\d)(20\d{2})(?!\d)", title))
    if match:
        year = int(match.group(1))
        if title_match and int(title_match.group(1)) != year:
            return None, None, (f"its name says vigencia {year} but its title says {title_match.group(1)}; "
                                "rename the file for the vigencia it holds")
    elif title_match:
        year = int(title_match.group(1))
    elif len(bare_years) == 1:
        year = int(bare_years.pop())

    def kind_of(text: str) -> str | None:
        national = re.search(r"\bnacion(al)?\b|orden nacional", text)
        territorial = re.search(r"territori", text)
        if national and not territorial:
            return "national"
        if territorial and not national:
            return "territorial"
        return None

    kind = kind_of(name) or kind_of(title)
    return year, kind, None


def _find_header(rows: list[list]) -> int | None:
    """Index (0-based) of the header row: the first of the top rows with a 'Código Sigep' cell."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(_plain(v).startswith("codigo sigep") for v in values if isinstance(v, str)):
            return index
    return None


def read_workbook(path: str | os.PathLike[str]) -> tuple[WorkbookSummary, pd.DataFrame, tuple[UnmappedColumn, ...]]:
    """Read one FURAG results workbook: what it is, its scores in long form, and the columns not mapped.

    Returns
    -------
    (WorkbookSummary, pandas.DataFrame, tuple of UnmappedColumn)
        The frame has one row per entity and indicator: ``code, name, nature,
        department, municipality, peer_group, sector, divipola, indicator,
        value`` (value NaN where the cell is blank or says the index does not
        apply).

    Raises
    ------
    FuragError
        Naming the file and what was expected.
    """
    book = _read(Path(path))
    scores = book.scores.astype({"code": "str", "indicator": "str"})
    frame = scores.merge(book.rows.drop(columns=["row"]), on="code", how="left")
    return book.summary, frame, book.unmapped


def _sheets(path: Path) -> list[tuple[str, list[list]]]:
    """The worksheets of a workbook as ``(title, rows)``, read by python-calamine directly.

    The same sheets, rows and cells as ``readers.excel_sheets`` (python-calamine through pandas), except
    that cells come as calamine gives them: :func:`_cell` makes one what pandas would have made of it
    (``57.0`` -> ``57``, a date -> a datetime). pandas does that for every cell in Python, half of the
    reading time of a 6,000 x 127 results sheet; here only the header, title and identification cells
    and the text cells of the score columns go through it (a score that is a number is used as a float
    either way). ``tests/test_furag_fast_paths.py`` checks both readers give the same cells.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    book = CalamineWorkbook.from_path(str(path))
    try:
        sheets = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart and macro sheets, as pandas skips them
                continue
            rows = book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            while rows and all(v == "" or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
                rows.pop()
            sheets.append((str(meta.name), rows))
        return sheets
    finally:
        book.close()


def _cell(value: object) -> object:
    """A cell as pandas' calamine reader gives it: a whole-number float as an int, a date as a datetime."""
    if type(value) is float:
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _read(path: Path) -> _Workbook:
    problem = _file_problem(path)
    if problem:
        raise FuragError(f"{path.name} {problem}.")
    try:
        sheets = _sheets(path)
    except Exception as exc:  # a zip that is not a workbook, a corrupt part: any corrupt archive
        raise FuragError(f"{path.name} cannot be opened as an Excel workbook: it is corrupt or not an .xlsx "
                         f"({type(exc).__name__}: {exc}).") from exc
    filled = [(title, rows) for title, rows in sheets if rows]
    if not filled:
        names = ", ".join(f"'{t}'" for t, _ in sheets)
        raise FuragError(f"{path.name} is empty: its sheet{'s' if len(sheets) > 1 else ''} {names} "
                         f"hold{'' if len(sheets) > 1 else 's'} no cells; expected the FURAG results with "
                         "the header (Código Sigep, Entidad, ...) on row 3.")
    for title, rows in filled:
        header_index = _find_header(rows)
        if header_index is not None:
            return _parse_sheet(path, title, rows, header_index)
    first = next((_cell(v) for v in filled[0][1][0] if v not in (None, "")), "")
    raise FuragError(
        f"{path.name} does not have the FURAG results layout: no 'Código Sigep' header in the first "
        f"{HEADER_SEARCH_ROWS} rows of any sheet (expected two title rows, then a header on row 3 with Código "
        f"Sigep, Entidad, Naturaleza Jurídica, ..., POLnn and Inn columns; the first sheet, '{filled[0][0]}', "
        f"starts with '{first}').")


def _parse_sheet(path: Path, sheet: str, rows: list[list], header_index: int) -> _Workbook:
    header = [("" if v is None else str(_cell(v))).strip() for v in rows[header_index]]
    titles = [" ".join(str(_cell(v)) for v in r if v not in (None, "")) for r in rows[:header_index]]
    year, kind, conflict = _vigencia_and_kind(path, titles)
    problems = []
    if conflict:
        problems.append(conflict)
    if year is None and not conflict:
        problems.append("its vigencia cannot be told from its name or title rows: name it like "
                        "Resultados_vig2022_nacion.xlsx")
    if kind is None and not conflict:
        problems.append("it cannot be told whether it holds national or territorial entities: put 'nacion' or "
                        "'territorio' in its name, like Resultados_vig2022_territorio.xlsx")
    data = rows[header_index + 1:]
    width = max([len(header)] + [len(r) for r in data])
    header += [""] * (width - len(header))
    # One object matrix of the data rows (padded with blanks): columns are tested and converted whole.
    # calamine gives every row the sheet's width and "" for a blank cell, so the matrix is built at once.
    row_cells: list[list] | np.ndarray
    if data and all(len(values) == width for values in data) and not any(None in values for values in data):
        block = np.array(data, dtype=object).reshape(len(data), width)
        row_cells = data  # the same cells as lists, faster to walk row by row than the matrix's rows
    else:
        block = np.empty((len(data), width), dtype=object)
        block[:] = ""
        for offset, row in enumerate(data):
            block[offset, :len(row)] = [("" if v is None else v) for v in row]
        row_cells = block
    filled_columns = (block != "").any(axis=0) if len(data) else np.zeros(width, dtype=bool)

    roles: dict[str, int] = {}
    indicators: dict[str, int] = {}
    unmapped: list[UnmappedColumn] = []
    for position, text in enumerate(header):
        letter = _column_letter(position + 1)
        has_values = bool(filled_columns[position])
        if not text:
            if has_values:
                unmapped.append(UnmappedColumn(path.name, letter, "", "the column has values but no header"))
            continue
        role = ID_COLUMNS.get(_plain(text))
        code = None if role else normalise_code(text)
        if role:
            if role in roles:
                unmapped.append(UnmappedColumn(path.name, letter, text,
                                               f"a second '{header[roles[role]]}' column (column "
                                               f"{_column_letter(roles[role] + 1)} was used)"))
            else:
                roles[role] = position
        elif code:
            if code in indicators:
                problems.append(f"columns {_column_letter(indicators[code] + 1)} ('{header[indicators[code]]}') and "
                                f"{letter} ('{text}') both hold {code}; keep one")
            else:
                indicators[code] = position
        else:
            unmapped.append(UnmappedColumn(path.name, letter, text,
                                           "no indicator code (IDI, D1…D7, POLnn, Inn) at the start of its name"))
    if "name" not in roles:
        problems.append("the header has no 'Entidad' column (the entity's name)")
    if not indicators:
        problems.append("the header has no score columns (Índice de Desempeño Institucional, D1…D7, POLnn …, Inn …)")

    code_at = roles["code"]
    others = [(role, position) for role, position in roles.items() if role != "code"]
    # The entity table column by column: code, sheet row, then the identification columns in sheet order.
    columns: dict[str, list] = {"code": [], "row": [], **{role: [] for role, _ in others}}
    skipped, kept = [], []
    values: Any  # a row: a list of cells, or a row of the matrix
    for offset, values in enumerate(row_cells):
        row_number = header_index + 2 + offset
        if all(isinstance(v, str) and not v.strip() for v in values):
            continue
        code = _entity_code(values[code_at])
        if not code:
            skipped.append(row_number)  # a footnote or a subtotal line below the table
            continue
        columns["code"].append(code)
        columns["row"].append(row_number)
        for role, position in others:
            value = _cell(values[position])
            columns[role].append("" if value is None else (_entity_code(value) if role == "divipola"
                                                           else str(value).strip()))
        kept.append(offset)
    kept_rows = np.asarray(kept, dtype=np.int64)
    row_numbers = kept_rows + header_index + 2
    positions = np.fromiter(indicators.values(), dtype=np.int64, count=len(indicators))
    # Entities x indicators, in the header's order.
    matrix, text_blanks, bad = _score_cells(block[np.ix_(kept_rows, positions)])
    named = list(indicators)
    located = [(int(row_numbers[row]), int(positions[column]),
                f"row {row_numbers[row]}, column {_column_letter(int(positions[column]) + 1)} ({named[column]}): "
                f"{reason}") for row, column, reason in bad]
    bad_cells = [text for _, _, text in sorted(located)]  # in sheet order: row, then column
    if not kept and not problems:
        problems.append(f"the sheet '{sheet}' has the header on row {header_index + 1} but no entity rows below it")
    if bad_cells:
        more = f" and {len(bad_cells) - 5} more" if len(bad_cells) > 5 else ""
        problems.append("scores that are not numbers from 0 to 100: " + "; ".join(bad_cells[:5]) + more)
    entity_rows = pd.DataFrame(columns) if kept else pd.DataFrame()
    if len(entity_rows):
        repeated = entity_rows[entity_rows["code"].duplicated(keep=False)]
        for code, group in repeated.groupby("code", sort=False):
            problems.append(f"Código Sigep {code} is on rows {', '.join(map(str, group['row']))}: one row per entity")
    if problems:
        raise FuragError(f"{path.name} (sheet '{sheet}'): " + "; ".join(problems) + ".")
    for role in ("name", "nature", "department", "municipality", "peer_group", "form", "sector", "divipola"):
        if role not in entity_rows:
            entity_rows[role] = ""
    codes = entity_rows["code"].tolist() if len(entity_rows) else []
    # Indicator by indicator, each with every entity in sheet order. Codes and indicators are categories
    # (each entity's code is stored once, not 120 times as text): the outcome table is sorted and written
    # from their category codes.
    long = pd.DataFrame({
        "code": pd.Categorical.from_codes(np.tile(np.arange(len(codes)), len(named)), categories=codes),
        "indicator": pd.Categorical.from_codes(np.repeat(np.arange(len(named)), len(codes)), categories=named),
        "value": matrix.T.ravel(),
    })
    assert year is not None and kind is not None  # else a problem was recorded, and raised above
    summary = WorkbookSummary(path.name, int(year), kind, sheet, header_index + 1, len(entity_rows),
                              tuple(_indicator_order(indicators)), text_blanks)
    if skipped:
        unmapped.append(UnmappedColumn(path.name, _column_letter(code_at + 1), header[code_at],
                                       f"rows {', '.join(map(str, skipped[:10]))}"
                                       f"{' …' if len(skipped) > 10 else ''} have no Código Sigep and were not read"))
    return _Workbook(summary, entity_rows, long, tuple(unmapped))


def _score_cells(cells: np.ndarray) -> tuple[np.ndarray, int, list[tuple[int, int, str]]]:
    """The score columns' cells as scores: (values, cells saying 'No aplica', [(row, column, reason)]).

    ``cells`` is entities x indicators. Numbers pass through whole (the bulk of
    a workbook: one pass over the cells' types, no Python call per cell); only
    text cells go through the parser, each distinct text once: a blank or 'No
    aplica' stays missing, a number written as text ('57,4') is read, anything
    else is a bad cell, and so is a score outside 0-100. Positions in the
    result are offsets in ``cells``.
    """
    flat = cells.ravel()
    kinds = np.fromiter(map(type, flat), dtype=object, count=flat.size)
    numeric = (kinds == float) | (kinds == int)  # noqa: E721  (elementwise over an array of types; `is` does not broadcast)
    values = np.full(flat.size, np.nan)
    # + 0.0 turns a -0.0 cell into 0.0, as pandas' reader did (it made every whole-number float an int).
    values[numeric] = flat[numeric].astype(float) + 0.0
    blanks = 0
    bad: list[tuple[int, str]] = []
    read: dict[object, tuple[str, object]] = {}
    for at in np.flatnonzero(~numeric):
        cell = flat[at]
        key = (type(cell), cell)
        outcome = read.get(key)
        if outcome is None:
            outcome = read[key] = _read_score_text(_cell(cell))
        kind, result = outcome
        if kind == "number":
            values[at] = result
        elif kind == "not applicable":
            blanks += 1
        elif kind == "bad":
            bad.append((int(at), str(result)))  # the parser's message
    outside = np.flatnonzero(~np.isnan(values) & ((values < 0) | (values > 100)))
    bad.extend((int(at), f"{values[at]:g} is outside 0–100") for at in outside)
    width = cells.shape[1]
    return (values.reshape(cells.shape), blanks,
            [(at // width, at % width, reason) for at, reason in sorted(bad, key=lambda item: item[0])])


def _read_score_text(cell: object) -> tuple[str, object]:
    """A score cell that is not a number: ("blank", None), ("not applicable", None), ("number", x) or ("bad", why)."""
    if isinstance(cell, str) and not cell.strip():
        return "blank", None  # the index does not apply
    if isinstance(cell, str) and _plain(cell) in _NOT_APPLICABLE:
        return "not applicable", None
    try:
        return "number", readers.parse_number(cell)
    except readers.ParseError as exc:
        return "bad", str(exc)


def _indicator_order(codes) -> list[str]:
    def key(code: str):
        letters = re.match(r"[A-Z]+", code)
        assert letters is not None  # every code normalise_code makes starts with capital letters
        prefix = "IDI" if code == "IDI" else letters.group(0)
        rank = {"IDI": 0, "D": 1, "POL": 2, "I": 3}.get(prefix, 4)
        number = int(re.sub(r"\D", "", code) or 0)
        return rank, number

    return sorted(codes, key=key)


# --------------------------------------------------------------------------- levels and DIVIPOLA

_DEPARTMENTAL_WORDS = re.compile(r"\b(gobernacion|departamental|departamento de|asamblea)\b")
_MUNICIPAL_WORDS = re.compile(r"\b(alcaldia|municipal|municipio de|distrital|distrito|concejo|personeria)\b")


def _territorial_level(nature: str, name: str, department: str, municipality: str) -> tuple[str, str]:
    """departmental or municipal, and where that was read from."""
    for source, text in (("Naturaleza Jurídica", nature), ("name", name)):
        text = _name_key(text)
        if _DEPARTMENTAL_WORDS.search(text):
            return "departmental", source
        if _MUNICIPAL_WORDS.search(text):
            return "municipal", source
    if municipality.strip():
        return "municipal", "Municipio"
    if department.strip():
        return "departmental", "Departamento"
    return "municipal", "default"


def _municipal_frame(municipalities) -> pd.DataFrame | None:
    if municipalities is None:
        municipalities = MUNICIPALITIES_CSV
    if isinstance(municipalities, pd.DataFrame):
        frame = municipalities
    elif Path(municipalities).is_file():
        frame = pd.read_csv(municipalities, dtype={"divipola": "int64"})
    else:
        return None
    frame = frame.assign(dept_key=frame["department"].map(_place_key), muni_key=frame["municipality"].map(_place_key))
    return frame


def _place_key(text: object) -> str:
    """Place names as FURAG and DANE write them differently: 'BOGOTÁ, D.C.' and 'Bogotá, D.C.' agree."""
    return _place_key_text(str(text or ""))


@functools.lru_cache(maxsize=1 << 16)
def _place_key_text(text: str) -> str:
    key = _name_key_text(text)
    key = re.sub(r"\b(d c|dc|distrito capital|distrito turistico.*|archipielago de)\b", "", key)
    return re.sub(r"\s+", " ", key).strip()


# --------------------------------------------------------------------------- the import


#: The files ``import_furag`` writes: the only files of its folder it may replace.
OWNED_FILES = ("entities.csv", "outcomes.csv")


def import_furag(files, out_dir: str | os.PathLike[str], *, municipalities=None, force: bool = False) -> ImportReport:
    """Read FURAG results workbooks and write the contract's ``outcomes.csv`` and ``entities.csv``.

    Parameters
    ----------
    files : path or iterable of paths
        Results workbooks (``.xlsx``), national and territorial, one or more
        vigencias, in any order. The vigencia and kind come from the file name
        (``Resultados_vig2022_nacion.xlsx``) or, failing that, the title rows.
    out_dir : str or path
        Folder to write to; created if needed. Other files in it (an
        ``adoption.csv``, say) are left alone. If ``entities.csv`` or
        ``outcomes.csv`` is already there, nothing is written and
        ``paths.OutputFolderError`` names them, unless ``force``.
    municipalities : path or DataFrame, optional
        The municipal frame with ``divipola, department, municipality`` used to
        give municipal entities their DIVIPOLA code; default
        ``data/colombia/municipalities.csv``.

    Returns
    -------
    ImportReport
        What was written, every column not mapped, and every entity whose name
        or code changed between years.

    Raises
    ------
    FuragError
        If any file cannot be read as a FURAG results workbook (another layout,
        corrupt, password-protected, empty), two files hold the same vigencia
        and kind, or an entity code appears in both a national and a
        territorial file of one year. The message names every such file and
        what was expected; nothing is written.
    """
    if isinstance(files, (str, os.PathLike)):
        files = [files]
    files = [Path(f) for f in files]
    if not files:
        raise FuragError("No FURAG workbook given: name one or more files like Resultados_vig2022_nacion.xlsx.")
    books, errors = [], []
    for path in files:
        try:
            books.append(_read(path))
        except FuragError as exc:
            errors.append(str(exc))
    seen: dict[tuple[int, str], str] = {}
    for book in books:
        key = (book.summary.vigencia, book.summary.kind)
        if key in seen:
            errors.append(f"{seen[key]} and {book.summary.file} both hold the {_KINDS[key[1]]} results of vigencia "
                          f"{key[0]}; give each vigencia and kind once.")
        seen.setdefault(key, book.summary.file)
    if not errors:
        by_year: dict[int, dict[str, str]] = {}
        for book in books:
            for code in book.rows["code"]:
                other = by_year.setdefault(book.summary.vigencia, {}).setdefault(code, book.summary.file)
                if other != book.summary.file:
                    errors.append(f"Código Sigep {code} is in both {other} and {book.summary.file} "
                                  f"(vigencia {book.summary.vigencia}); an entity is national or territorial, "
                                  "not both.")
    if errors:
        shown = errors[:20] + ([f"... and {len(errors) - 20} more"] if len(errors) > 20 else [])
        raise FuragError("Nothing was imported:\n" + "\n".join(f"- {e}" for e in shown))
    out_dir = paths.check_out_folder(out_dir, OWNED_FILES, force=force, command="import-furag")

    books.sort(key=lambda b: (b.summary.vigencia, b.summary.kind))
    entities, notes = _entities(books, municipalities)
    outcomes = _outcomes(books)
    changes = _changes(books)
    partial, indicator_years = _coverage(books)
    for book in books:
        if book.summary.not_applicable_text:
            notes.append(f"{book.summary.file}: {book.summary.not_applicable_text} cells said the index does not "
                         "apply ('No aplica', 'N/A', '-'); they are blank in outcomes.csv")
    for indicator, years in indicator_years.items():
        missing = sorted({b.summary.vigencia for b in books} - set(years))
        if missing and indicator.startswith("POL"):
            notes.append(f"{indicator} is not in the workbooks of {', '.join(map(str, missing))}")

    _write(out_dir, entities, outcomes)
    return ImportReport(
        out_dir=out_dir,
        workbooks=tuple(b.summary for b in books),
        unmapped=tuple(u for b in books for u in b.unmapped),
        changes=tuple(changes),
        partial_entities=partial,
        indicator_years=indicator_years,
        notes=tuple(notes),
        n_entities=len(entities),
        n_outcomes=len(outcomes),
        n_blank=int(outcomes["value"].isna().sum()),
    )


def _entities(books: list[_Workbook], municipalities) -> tuple[pd.DataFrame, list[str]]:
    """One row per code, from its latest vigencia; level from the file kind and the entity's columns."""
    stacked = pd.concat([b.rows.assign(vigencia=b.summary.vigencia, kind=b.summary.kind) for b in books],
                        ignore_index=True)
    stacked = stacked.sort_values(["vigencia"], kind="stable")
    latest = stacked.groupby("code", sort=False).tail(1).set_index("code")

    def last_filled(role: str) -> pd.Series:
        filled = stacked[stacked[role].astype(str).str.strip().ne("")]
        return filled.groupby("code")[role].last()

    frame = pd.DataFrame({"entity_id": latest.index, "name": latest["name"].to_numpy()})
    for role in ("department", "municipality", "peer_group", "sector", "divipola", "nature"):
        mapped = frame["entity_id"].map(last_filled(role)).astype("object")
        frame[role] = mapped.where(mapped.notna(), "")
    notes: list[str] = []
    levels, sources = [], []
    # Columns as lists before zipping them: iterating a text column of pandas' Arrow strings costs a call a cell.
    for kind, nature, name, department, municipality in zip(*_lists(latest["kind"], frame["nature"], frame["name"],
                                                                    frame["department"], frame["municipality"])):
        level, source = (("national", "file") if kind == "national"
                         else _territorial_level(nature, name, department, municipality))
        levels.append(level)
        sources.append(source)
    frame["level"] = levels
    kinds = stacked.groupby("code")["kind"].nunique()
    if (kinds > 1).any():
        moved = list(kinds[kinds > 1].index)
        notes.append(f"{len(moved)} entities are national in some vigencias and territorial in others "
                     f"({', '.join(moved[:5])}); the latest file's level is used")
    guessed = [c for c, s in zip(frame["entity_id"].tolist(), sources) if s in ("Municipio", "Departamento")]
    if guessed:
        notes.append(f"{len(guessed)} territorial entities got their level from the Municipio/Departamento columns "
                     "(neither their Naturaleza Jurídica nor their name says departmental or municipal)")
    unknown = [c for c, s in zip(frame["entity_id"].tolist(), sources) if s == "default"]
    if unknown:
        notes.append(f"{len(unknown)} territorial entities have no clue to their level and were taken as municipal: "
                     f"{', '.join(unknown[:10])}")
    frame["sector"] = [s if lv == "national" else (s or "territorial")
                       for s, lv in zip(*_lists(frame["sector"], frame["level"]))]

    # DIVIPOLA: the file's own column first, else department and municipality names matched to DANE's frame.
    codes: list[int | None] = []
    reference = _municipal_frame(municipalities)
    places: dict[str, list[tuple[str, int]]] = {}
    if reference is not None:
        for muni, dept, code in zip(*_lists(reference["muni_key"], reference["dept_key"], reference["divipola"])):
            places.setdefault(muni, []).append((dept, int(code)))
    unmatched = []
    for entity, level, divipola, department, municipality, name in zip(*_lists(
            frame["entity_id"], frame["level"], frame["divipola"], frame["department"], frame["municipality"],
            frame["name"])):
        if level != "municipal":
            codes.append(None)
            continue
        own = str(divipola).strip()
        if own.isdigit():
            codes.append(int(own))
            continue
        code = _match_municipality(places, department, municipality)
        if code is None and reference is not None and not municipality:
            # Alcaldías are often named after their municipality only: "Alcaldía de Medellín".
            town = re.sub(r"^(alcaldia|municipio)( (mayor|municipal|distrital))? de ", "", _name_key(name))
            code = _match_municipality(places, department, town)
        codes.append(code)
        if code is None:
            unmatched.append(entity)
    frame["divipola"] = pd.array(codes, dtype="Int64")
    if unmatched:
        notes.append(f"{len(unmatched)} municipal entities got no DIVIPOLA code (their department and municipality "
                     f"were not found in DANE's list): {', '.join(unmatched[:10])}"
                     f"{' …' if len(unmatched) > 10 else ''}")
    if reference is not None:
        # Plain dicts: a Series lookup per entity was most of the time spent on the entity table.
        regions = reference.groupby("dept_key")["region"].agg(lambda s: s.mode().iloc[0] if len(s) else "").to_dict()
        by_code = reference.set_index("divipola")["region"].to_dict()
        frame["region"] = [
            by_code.get(int(d), "") if pd.notna(d) else (regions.get(_place_key(dep), "") if lv != "national" else "")
            for d, dep, lv in zip(*_lists(frame["divipola"], frame["department"], frame["level"]))]
    else:
        frame["region"] = ""
    frame = frame.sort_values("entity_id", key=_code_sort, kind="stable")
    columns = ["entity_id", "name", "level", "sector", "department", "divipola", "region", "peer_group"]
    return frame[columns].reset_index(drop=True), notes


def _lists(*columns: pd.Series) -> list[list]:
    return [column.tolist() for column in columns]


def _match_municipality(places: dict, department: str, municipality: str) -> int | None:
    """The DIVIPOLA code of a municipality named in a department; None unless exactly one matches.

    ``places`` maps a municipality's name key to its ``(department key, divipola)`` pairs.
    """
    candidates = places.get(_place_key(municipality), [])
    dept = _place_key(department)
    if dept:
        in_department = [c for c in candidates if c[0] == dept]
        if not in_department:  # "San Andrés" for "Archipiélago de San Andrés, Providencia y Santa Catalina"
            in_department = [c for c in candidates if dept in c[0] or c[0] in dept]
        candidates = in_department
    return int(candidates[0][1]) if len(candidates) == 1 else None


def _code_sort(values: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce")
    return numeric.fillna(float("inf")) if numeric.notna().any() else values


def _outcomes(books: list[_Workbook]) -> pd.DataFrame:
    """The long outcome table of every workbook: entities in code order, then year, then indicators' reading order.

    Entity codes are in code order (numerically when codes are numbers); the
    sort keys are computed on the distinct codes (a few thousand) and spread
    to the rows through each workbook's category codes. ``entity_id`` and
    ``indicator`` are categorical columns (what :func:`write_long_csv` writes
    fastest; written as their text).
    """
    distinct = pd.Series(pd.unique(np.concatenate(
        [np.asarray(b.scores["code"].cat.categories, dtype=object) for b in books])), dtype=object)
    entities = distinct.iloc[pd.DataFrame({"key": _code_sort(distinct), "code": distinct})
                             .sort_values(["key", "code"], kind="stable").index].to_numpy()
    indicators = _indicator_order({i for b in books for i in b.scores["indicator"].cat.categories})
    entity_index, indicator_index = pd.Index(entities), pd.Index(indicators)
    entity_rank = np.concatenate([
        entity_index.get_indexer(b.scores["code"].cat.categories)[b.scores["code"].cat.codes] for b in books])
    indicator_rank = np.concatenate([
        indicator_index.get_indexer(b.scores["indicator"].cat.categories)[b.scores["indicator"].cat.codes]
        for b in books])
    years = np.concatenate([np.full(len(b.scores), b.summary.vigencia, dtype=np.int64) for b in books])
    values = np.concatenate([b.scores["value"].to_numpy(dtype=float) for b in books])
    order = np.lexsort((indicator_rank, years, entity_rank))  # stable; last key first
    return pd.DataFrame({
        "entity_id": pd.Categorical.from_codes(entity_rank[order], categories=entities),
        "year": years[order],
        "indicator": pd.Categorical.from_codes(indicator_rank[order], categories=indicators),
        "value": values[order],
    })


def _changes(books: list[_Workbook]) -> list[EntityChange]:
    """Names that changed for one code, and codes that seem to have changed for one name."""
    names = pd.concat([b.rows[["code", "name"]].assign(year=b.summary.vigencia, kind=b.summary.kind) for b in books],
                      ignore_index=True).sort_values(["code", "year"], kind="stable")
    changes = []
    # Whole columns, not a loop over thousands of codes: each row against the same code's previous year.
    by_code = names.groupby("code", sort=False)
    previous_name, previous_year = by_code["name"].shift(), by_code["year"].shift()
    squashed = names["name"].astype(str).str.replace(r"\s+", " ", regex=True).str.strip()
    renamed = previous_name.notna() & squashed.ne(previous_name.astype(str).str.replace(r"\s+", " ", regex=True)
                                                  .str.strip())
    for code, year, name, old, old_year in zip(names["code"][renamed], names["year"][renamed], names["name"][renamed],
                                               previous_name[renamed], previous_year[renamed]):
        note = "only accents, case or punctuation differ" if _name_key(name) == _name_key(old) else ""
        changes.append(EntityChange(code, "name", int(old_year), int(year), old, name, note))
    # A code that disappears while another with the same name appears the next year in which it reports:
    # codes are grouped by each name they had (with the kind of their latest file).
    first_year, last_year = by_code["year"].min(), by_code["year"].max()
    latest = by_code.tail(1).set_index("code")
    spelled = names.drop_duplicates(["code", "name"])
    keyed = pd.DataFrame({"code": spelled["code"].to_numpy(),
                          "key": spelled["name"].map(_name_key).to_numpy(),
                          "kind": spelled["code"].map(latest["kind"]).to_numpy()}).drop_duplicates(["code", "key",
                                                                                                    "kind"])
    shared = keyed[keyed.duplicated(["key", "kind"], keep=False)].sort_values("code", kind="stable")
    pairs: set[tuple[str, str]] = set()
    for _, group in shared.groupby(["key", "kind"], sort=False):
        codes = sorted(group["code"], key=lambda c: first_year[c])
        pairs.update((old, new) for old, new in zip(codes, codes[1:]) if last_year[old] < first_year[new])
    for old, new in sorted(pairs):
        before_year, after_year = last_year[old], first_year[new]
        old_name = names[(names["code"] == old) & (names["year"] == before_year)]["name"].iloc[0]
        changes.append(EntityChange(new, "code", int(before_year), int(after_year), old, new,
                                    f"'{old_name}' reports under {old} until {before_year} and under {new} "
                                    f"from {after_year}; they are kept apart: merge them by hand if they "
                                    "are the same entity"))
    return sorted(changes, key=lambda c: (c.year_after, c.entity_id, c.change))


def _squash(name: str) -> str:
    return re.sub(r"\s+", " ", str(name)).strip()


def _coverage(books: list[_Workbook]) -> tuple[dict, dict]:
    years_by_kind: dict[str, set[int]] = {}
    present: dict[str, set[int]] = {}
    kind_of: dict[str, str] = {}
    indicator_years: dict[str, set[int]] = {}
    for book in books:
        years_by_kind.setdefault(book.summary.kind, set()).add(book.summary.vigencia)
        for code in book.rows["code"]:
            present.setdefault(code, set()).add(book.summary.vigencia)
            kind_of[code] = book.summary.kind
        for indicator in book.summary.indicators:
            indicator_years.setdefault(indicator, set()).add(book.summary.vigencia)
    partial = {code: tuple(sorted(years)) for code, years in present.items()
               if years != years_by_kind[kind_of[code]]}
    ordered = {code: tuple(sorted(indicator_years[code])) for code in _indicator_order(indicator_years)}
    return partial, ordered


def _write(out_dir: Path, entities: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """Write both files into a staging folder first, then move them in: all or nothing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".furag-import-", dir=out_dir))
    try:
        write_csv(entities, staging / "entities.csv", index=False)  # names like "=HYPERLINK(..)" stay text
        write_long_csv(outcomes, staging / "outcomes.csv")
        for name in ("entities.csv", "outcomes.csv"):
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)



# --------------------------------------------------------------------------- the outcome table's writer


def write_long_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` exactly as ``safe.write_csv(frame, path, index=False)`` does, several times faster.

    ``DataFrame.to_csv`` formats and quotes every cell in Python; a long table
    (720,000 outcome rows from one workbook of 6,000 entities) repeats few
    distinct values in each column (a few thousand codes, a few years, a hundred
    indicators, a thousand scores of one decimal). Here each distinct value of a
    column is formatted once, by the very calls pandas makes (numpy's ``str`` of
    the float or integer; the ``csv`` module with pandas' dialect for text, after
    ``safe.neutralise_cell`` so that a code like ``=1+2`` stays text), and the
    rows are joined from those pieces. Blanks (NaN, None) are written empty, as
    pandas' ``na_rep=""`` does.

    Columns of float, integer and text (``str`` values) are handled this way; a
    frame with any other kind of column (dates, booleans, categories, mixed
    objects), or with a single column (where the ``csv`` module writes a blank as
    ``""``), is handed to ``safe.write_csv`` unchanged. ``tests/test_furag_fast_paths.py``
    compares both writers byte for byte.
    """
    path = Path(path)
    found = [_csv_pieces(frame.iloc[:, position]) for position in range(frame.shape[1])]
    pieces = [p for p in found if p is not None]
    if len(found) < 2 or len(pieces) < len(found) or not all(type(c) is str for c in frame.columns):
        return write_csv(frame, path, index=False)
    header = io.StringIO()
    _pandas_csv_writer(header).writerow([neutralise_cell(c) for c in frame.columns])
    # Each distinct value's text with what follows it in a row (a comma, or the line end after the last
    # column), so that a row is the concatenation of its cells' pieces.
    ends = [","] * (len(pieces) - 1) + [_PANDAS_LINE_END]
    texts = [np.array([t + end for t in column_texts], dtype=object) for (column_texts, _), end in zip(pieces, ends)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(header.getvalue())
        for start in range(0, len(frame), _ROWS_PER_CHUNK):  # in chunks: a few MB of text at a time
            stop = min(start + _ROWS_PER_CHUNK, len(frame))
            # Rows x columns of pieces, joined in one call in reading order (row by row).
            cells = np.empty((stop - start, len(pieces)), dtype=object)
            for position, (column_texts, (_, codes)) in enumerate(zip(texts, pieces)):
                cells[:, position] = column_texts[codes[start:stop]]
            handle.write("".join(cells.ravel().tolist()))
    return path


#: Rows joined into text at once by :func:`write_long_csv`.
_ROWS_PER_CHUNK = 100_000


#: The line end of ``DataFrame.to_csv``, in the dialect of :func:`_pandas_csv_writer`.
_PANDAS_LINE_END = os.linesep


def _pandas_csv_writer(buffer: io.StringIO):
    """A ``csv`` writer with the dialect ``DataFrame.to_csv`` gives it by default (pandas/io/formats/csvs.py)."""
    return csv.writer(buffer, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, doublequote=True,
                      escapechar=None, lineterminator=_PANDAS_LINE_END)


def _csv_pieces(column: pd.Series) -> tuple[list[str], np.ndarray] | None:
    """A column as (the text of each distinct value, each row's index into it); None if not float/int/text."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # Categories of text: pandas writes each row's category (a blank for a missing one).
        texts = _csv_texts(column.cat.categories.to_numpy(dtype=object))
        if texts is None:
            return None
        codes = column.cat.codes.to_numpy()
        return texts, np.where(codes < 0, len(texts) - 1, codes)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = column.to_numpy()
        # Distinct by bit pattern: -0.0 and 0.0 are written differently, and every NaN is blank. (factorize
        # hashes; np.unique would sort all the rows.)
        codes, bits = pd.factorize(values.view(np.int64 if values.itemsize == 8 else np.int32))
        distinct = np.asarray(bits).view(values.dtype)
        texts = distinct.astype(str).tolist()  # what pandas writes: values.astype(str)
        texts = ["" if math.isnan(v) else t for v, t in zip(distinct.tolist(), texts)]
        return texts, codes
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        codes, distinct = pd.factorize(column.to_numpy())
        return [str(v) for v in np.asarray(distinct).tolist()], codes
    if pd.api.types.is_string_dtype(dtype):
        codes, distinct = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
        texts = _csv_texts(distinct)
        if texts is None:
            return None
        return texts, np.where(codes < 0, len(texts) - 1, codes)
    return None


def _csv_texts(distinct) -> list[str] | None:
    """Distinct texts as the csv module writes them (neutralised, quoted where needed), then a blank.

    None if a value is not a ``str`` (numbers or dates inside a text column: pandas' own rules apply).
    """
    if not all(type(v) is str for v in distinct):
        return None
    buffer = io.StringIO()
    writer = _pandas_csv_writer(buffer)
    texts = []
    for value in distinct:
        # Each text with a blank after it: a lone blank field would be written as "" by the csv module.
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([neutralise_cell(value), ""])
        texts.append(buffer.getvalue()[:-len(_PANDAS_LINE_END) - 1])
    texts.append("")  # the blank's place, for a missing value (code -1)
    return texts
