"""Check a dataset folder against the data contract, and say what to fix.

``check(folder)`` reads every table of ``evaluation.load.contract.TABLES`` found in
the folder and returns *every* problem in one pass, as a table with the file,
the row a person sees in the file (header = row 1), the column, what is wrong
and how to fix it. Nothing stops at the first problem: an evaluator fixing a
file should see everything wrong with it at once.

Severity "error" means the data cannot be used as they are (``evaluation.load.dataset.load``
refuses them); "warning" means they can, but a person should know (for example
an entity adopting before the first year of outcome data contributes nothing to
an impact estimate).

The checks, in the order they run:

1. files: each required table (entities, adoption, outcomes) is present, once;
   a file whose name is close to a table's name is pointed out;
2. reading: the file opens, is not empty, has no rows longer than its header,
   no unnamed or repeated columns;
3. columns: required columns present, unknown columns (tables without extra
   columns), extra numeric covariates in entities, ``q_`` Likert items in surveys;
4. cells: blank required values, numbers, whole numbers, dates and years that
   do not parse (quoting the text), values out of range (scores 0-100, Likert
   1-5, counts and amounts not negative), values not in the allowed list (level);
5. keys: duplicate keys, naming every row (an entity adopting twice);
6. across tables: adoption, outcomes and survey entities missing from
   entities; adoption dates in the future, before Decree 415 (9 March 2016) or
   outside the years of the outcome panel; municipal entities without a
   DIVIPOLA code; blank outcome values (left out of the panel);
7. ``dataset.yml``: readable, ``synthetic`` is true or false, and its
   ``checks:`` block well formed.

Three checks encode properties of the GCIO programme rather than of good data:
scores from 0 to 100, no adoption before Decree 415 of 2016, and the levels
national, departmental and municipal. A dataset that is not FURAG data (a
published staggered-adoption panel, say) declares its own in ``dataset.yml``
(see ``evaluation.load.contract.Checks``); ``dataset.yml`` is therefore read first.

``check_adoption(file, folder)`` checks an adoption registry that is not (yet)
in the folder, such as a filled-in ``adoption_template.csv``, against the
folder's entities and outcome panel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html
import math
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from evaluation import paths
from evaluation.load import contract, readers
from evaluation.load.contract import Column, Table
from evaluation.safe import load_yaml

__all__ = ["Problem", "Problems", "ContractError", "check", "check_adoption", "parse_folder", "ParsedFolder",
           "DECREE_415_DATE"]

#: The decree that created the GCIO role; no entity can adopt before it (see ``contract.Checks``).
DECREE_415_DATE = contract.DECREE_415_DATE
#: Columns of ``Problems.table``.
PROBLEM_COLUMNS = ("file", "row", "column", "problem", "fix", "severity")
#: Cells that may be blank although their column is required: a blank FURAG
#: score means the index does not apply to the entity, not that it is 0.
BLANK_MEANS_NOT_APPLICABLE = {("outcomes", "value")}
#: Spanish words evaluators may write for the allowed levels.
_SPANISH_LEVELS = {"nacional": "national", "departamental": "departmental", "municipal": "municipal",
                   "territorial": "departmental or municipal", "orden nacional": "national"}
_MAX_ROWS_LISTED = 5
#: Row-level problems of one kind listed per file and column; the rest are counted in one line.
MAX_PER_COLUMN = 10
#: The first bytes of an encrypted Office file (and of an old .xls): an OLE2 compound document.
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --------------------------------------------------------------------------- result objects

@dataclass(frozen=True)
class Problem:
    """One problem found in the data: where it is, what is wrong, how to fix it."""

    file: str
    row: int | None
    column: str
    problem: str
    fix: str
    severity: str = "error"

    @property
    def location(self) -> str:
        """``adoption.csv row 7, column adoption_date`` (parts that do not apply are left out)."""
        text = self.file
        if self.row is not None:
            text += f" row {self.row}"
        if self.column:
            text += f", column {self.column}"
        return text

    def __str__(self) -> str:
        label = "" if self.severity == "error" else "Warning: "
        return f"{label}{self.location}: {self.problem.rstrip('.')}. Fix: {self.fix.rstrip('.')}."


@dataclass(frozen=True, eq=False)
class Problems:
    """Every problem found in a dataset folder, in file and row order.

    Immutable: filtering (``errors``, ``warnings``) returns a new object and
    ``table`` returns a fresh DataFrame each time.

    Attributes
    ----------
    records : tuple of Problem
        The problems, one per row of ``table``.
    folder : pathlib.Path or None
        The folder checked.
    """

    records: tuple[Problem, ...] = ()
    folder: Path | None = None

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not any(p.severity == "error" for p in self.records)

    @property
    def errors(self) -> Problems:
        return Problems(tuple(p for p in self.records if p.severity == "error"), self.folder)

    @property
    def warnings(self) -> Problems:
        return Problems(tuple(p for p in self.records if p.severity == "warning"), self.folder)

    @property
    def table(self) -> pd.DataFrame:
        """The problems as a DataFrame with columns file, row, column, problem, fix, severity."""
        frame = pd.DataFrame([[getattr(p, c) for c in PROBLEM_COLUMNS] for p in self.records],
                             columns=list(PROBLEM_COLUMNS))
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def summary(self) -> str:
        """One line: how many errors and warnings, and where."""
        n_errors = sum(p.severity == "error" for p in self.records)
        n_warnings = len(self.records) - n_errors
        where = f" in {self.folder}" if self.folder else ""
        if not self.records:
            return f"No problems found{where}."
        return f"{_count(n_errors, 'error')} and {_count(n_warnings, 'warning')}{where}."

    def __str__(self) -> str:
        return "\n".join([self.summary(), *(f"- {p}" for p in self.records)])

    def __repr__(self) -> str:
        return f"<Problems: {self.summary()}>"

    def _repr_html_(self) -> str:
        head = f"<p><strong>{html.escape(self.summary())}</strong></p>"
        if not self.records:
            return head
        rows = []
        for p in self.records:
            colour = "#b00020" if p.severity == "error" else "#8a6d00"
            cells = [p.file, "" if p.row is None else str(p.row), p.column, p.problem, p.fix]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells)
                        + f'<td style="color:{colour}">{p.severity}</td></tr>')
        header = "".join(f"<th>{c}</th>" for c in PROBLEM_COLUMNS)
        return (f'{head}<table class="problems"><thead><tr>{header}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")


class ContractError(ValueError):
    """The data in a folder break the contract; ``problems`` says where and how to fix it."""

    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__(
            f"The data cannot be loaded: {problems.summary()} "
            "Fix the errors below and load again.\n" + "\n".join(f"- {p}" for p in problems.records)
        )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _rows_text(rows, limit: int = _MAX_ROWS_LISTED) -> str:
    """``rows 3, 8 and 9`` or ``rows 3, 8, 9, 10, 11 and 7 more``."""
    rows = [int(r) for r in rows]
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= limit:
        return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return "rows " + ", ".join(map(str, rows[:limit])) + f" and {len(rows) - limit:,} more"


def _and(items) -> str:
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------- collecting

class _Report:
    """Collects problems while the checks run."""

    def __init__(self) -> None:
        self.records: list[Problem] = []

    def error(self, file: str, row, column: str, problem: str, fix: str) -> None:
        self.records.append(Problem(file, None if row is None else int(row), column, problem, fix, "error"))

    def warning(self, file: str, row, column: str, problem: str, fix: str) -> None:
        self.records.append(Problem(file, None if row is None else int(row), column, problem, fix, "warning"))

    def problems(self, folder: Path, file_order: list[str]) -> Problems:
        def order(p: Problem):
            stem = p.file.split(".")[0].split(",")[0]
            position = file_order.index(stem) if stem in file_order else len(file_order)
            return (position, p.file, -1 if p.row is None else p.row)

        return Problems(tuple(sorted(_capped(self.records), key=order)), folder)


def _capped(records: list[Problem], limit: int = MAX_PER_COLUMN) -> list[Problem]:
    """Keep the first ``limit`` row problems of each file, column and severity; count the rest in one line.

    One wrong header (a duplicated or shifted column) makes every row of a
    column fail; tens of thousands of identical lines bury the one that says
    what happened. The first ones show the pattern; the count says how many.
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in records:
        if p.row is not None:
            groups.setdefault((p.file, p.column, p.severity), []).append(p)
    dropped: set[int] = set()
    summaries = []
    for (file, column, severity), group in groups.items():
        if len(group) <= limit:
            continue
        group = sorted(group, key=lambda p: p.row or 0)  # every problem grouped here has a row
        rest = group[limit:]
        dropped.update(id(p) for p in rest)
        rows = sorted({p.row for p in rest if p.row is not None})
        summaries.append(Problem(
            file, rest[0].row, column,
            f"{len(rest)} more {'problems' if severity == 'error' else 'warnings'} like those above in this "
            f"column ({_rows_text(rows)}), not listed one by one",
            "fix the first ones listed; when every row fails alike, look at the header row first (a duplicated, "
            "missing or shifted column name, or the wrong separator)",
            severity))
    return [p for p in records if id(p) not in dropped] + summaries


@dataclass(frozen=True, eq=False)
class ParsedFolder:
    """What ``parse_folder`` found: problems plus the tables it could type.

    ``tables`` maps a table name to a typed frame whose index is the row
    number in the file; columns that were missing are all-missing. Only
    ``evaluation.load.dataset.load`` should need this; evaluators call ``check``.
    """

    folder: Path
    problems: Problems
    files: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    #: The domain properties the folder was checked against (``dataset.yml``'s ``checks:``).
    checks: contract.Checks = contract.Checks()


@dataclass(frozen=True, eq=False)
class _FileColumns:
    """What the checks across tables need of a file once its cells are typed: its columns and blank cells."""

    columns: tuple[str, ...]
    #: Column name to a boolean array: the cells that are blank in the file (spaces only, or nothing).
    blank: dict[str, np.ndarray] = field(default_factory=dict)


#: Tables with fewer rows than this keep what they free to the allocator (a few MB at most).
_RELEASE_FROM_ROWS = 100_000


class _RawCells:
    """A file's cells as read (text), handed over column by column to the checks that type them.

    The frame ``read_table`` returns is taken apart into its columns, and the
    frame itself dropped, so that each text column can be freed as soon as its
    typed column exists: at six million outcome rows the text of one column
    takes about 80 MB, and holding all of them beside the typed table was most
    of ``check``'s peak memory. Nobody else holds the frame: it is the one
    ``_read`` made for this check.
    """

    def __init__(self, frame: pd.DataFrame):
        info = readers.read_info(frame)
        assert info is not None  # the frame is one _read had from read_table, which attaches a ReadInfo
        self.info = info
        self.index = frame.index
        self.columns = tuple(frame.columns)
        self.empty = frame.empty
        self._cells = {name: frame[name] for name in self.columns}

    @classmethod
    def taking(cls, frame: pd.DataFrame | None) -> _RawCells | None:
        """The cells of ``frame`` (None for None); the caller passes the frame and keeps no reference to it."""
        return None if frame is None else cls(frame)

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> pd.Series:
        return self._cells[name]

    def release(self, name: str) -> None:
        """The column is typed: its text is no longer needed (and its memory goes back to the system)."""
        if self._cells.pop(name, None) is not None and len(self.index) >= _RELEASE_FROM_ROWS:
            readers.release_freed_memory()


# --------------------------------------------------------------------------- entry points

def check(folder: str | os.PathLike[str] | None) -> Problems:
    """Check every file in a dataset folder against the data contract.

    Parameters
    ----------
    folder : str, path or None
        The dataset folder, as accepted by ``evaluation.paths.resolve_data_dir``
        (None or "" means the demo data).

    Returns
    -------
    Problems
        Every problem found, errors and warnings, in one table. ``.ok`` is
        True when there is no error.

    Raises
    ------
    FileNotFoundError
        If the folder itself does not exist.

    Examples
    --------
    >>> problems = check("data/colombia")        # doctest: +SKIP
    >>> problems.ok                              # doctest: +SKIP
    False
    >>> problems.table                           # doctest: +SKIP
    """
    return parse_folder(folder).problems


def parse_folder(folder: str | os.PathLike[str] | None, *, today: dt.date | None = None) -> ParsedFolder:
    """Read, type and check every table in a folder (the work behind ``check`` and ``load``).

    Parameters
    ----------
    folder : str, path or None
        As for ``check``.
    today : datetime.date, optional
        The date against which adoption dates count as "in the future";
        defaults to the current date.
    """
    folder = paths.resolve_data_dir(folder)
    today = today or dt.date.today()
    report = _Report()
    # dataset.yml first: it may declare properties (checks:) the tables are checked against.
    metadata, checks = _read_metadata(folder, report)
    contract_tables = checks.tables()
    files = _find_files(folder, report)
    tables: dict[str, pd.DataFrame] = {}
    raw_tables: dict[str, _FileColumns] = {}
    for name, path in files.items():
        cells = _RawCells.taking(_read(path, report))
        if cells is None:
            continue
        # The file's text is given up column by column as each is typed (see _RawCells).
        tables[name], raw_tables[name] = _check_table(contract_tables[name], cells, path.name, report)
    _check_across(tables, raw_tables, files, report, today, checks)
    order = [*contract.TABLES, "dataset"]
    return ParsedFolder(folder=folder, problems=report.problems(folder, order), files=files,
                        tables=tables, metadata=metadata, checks=checks)


def check_adoption(file: str | os.PathLike[str], folder: str | os.PathLike[str] | None, *,
                   today: dt.date | None = None) -> Problems:
    """Check an adoption registry against a dataset folder's entities and outcome panel.

    The registry is checked as the folder's ``adoption`` table would be (columns,
    dates, an entity adopting twice), then against the folder: codes not in its
    entities, dates in the future or before the earliest adoption date, and
    dates outside the years of its outcomes. The folder's own adoption file, if
    any, is ignored, and problems of the folder's other files are not repeated
    (run ``check(folder)`` for those).

    Parameters
    ----------
    file : str or path
        The filled-in registry (``.csv`` or ``.xlsx``), e.g. ``adoption_template.xlsx``.
    folder : str, path or None
        The dataset folder holding ``entities`` (and, for the panel years,
        ``outcomes``), as accepted by ``evaluation.paths.resolve_data_dir``.
    today : datetime.date, optional
        The date against which adoption dates count as "in the future".

    Returns
    -------
    Problems
        The registry's problems; a missing or unreadable entities table is one
        error, since codes cannot be checked without it.
    """
    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(f"The adoption registry {file} does not exist.")
    parsed = parse_folder(folder, today=today)
    today = today or dt.date.today()
    report = _Report()
    label = file.name
    cells = _RawCells.taking(_read(file, report))
    tables: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    # The columns each check needs; a table missing one (or unreadable) cannot be used.
    needed = {"entities": ("entity_id",), "outcomes": ("year", "value")}
    for name, columns in needed.items():
        path = parsed.files.get(name)
        broken = [p for p in parsed.problems.errors
                  if path is not None and p.file == path.name and p.row is None and p.column in ("", *columns)]
        if name in parsed.tables and not broken:
            assert path is not None  # parse_folder types only the tables whose file it found
            tables[name], files[name] = parsed.tables[name], path
        elif name == "entities":
            report.error(path.name if path else name, None, "",
                         f"the entities table of {parsed.folder} cannot be read, so the codes in {label} "
                         "cannot be checked",
                         f"run gcio-eval check --data {parsed.folder} and fix its entities file first")
        else:
            report.warning(path.name if path else name, None, "",
                           f"the outcomes table of {parsed.folder} cannot be read, so the dates in {label} "
                           "were not compared with the years of the outcome panel",
                           f"run gcio-eval check --data {parsed.folder} and fix its outcomes file")
    raw_tables = {name: _FileColumns(tuple(frame.columns)) for name, frame in tables.items()}
    if cells is not None:
        tables["adoption"], raw_tables["adoption"] = _check_table(contract.ADOPTION, cells, label, report)
        files["adoption"] = file
        _check_known_entities(tables, raw_tables, files, report, names=("adoption",))
        _check_registry_dates(tables, raw_tables, files, report, today, parsed.checks)
    return report.problems(parsed.folder, [file.stem, *contract.TABLES])


# --------------------------------------------------------------------------- files

def _find_files(folder: Path, report: _Report) -> dict[str, Path]:
    found = paths.table_files(folder)
    for child in sorted(folder.iterdir()):
        stem, suffix = child.stem.lower(), child.suffix.lower()
        if stem in contract.TABLES and suffix in paths.TABLE_SUFFIXES and child.is_dir():
            report.error(child.name, None, "", f"'{child.name}' is a folder, not a file, so the table {stem} "
                         "cannot be read from it",
                         f"put the {stem} file itself in the data folder (and rename or move this folder)")
        elif (stem in contract.TABLES and suffix in paths.TABLE_SUFFIXES and not child.is_file()
              and not child.name.startswith((".", "~$"))):
            # A pipe, a device or a link to one (/dev/zero), or a broken link: silently skipped before, so a
            # required table looked missing for no visible reason, or an optional one vanished from the run.
            what = "a broken link" if child.is_symlink() and not child.exists() else \
                "not a regular file (a pipe, a device or a link to one)"
            report.error(child.name, None, "", f"'{child.name}' is {what}, so the table {stem} cannot be read "
                         "from it", f"put the {stem} file itself in the data folder (and remove this entry)")
    for name, candidates in list(found.items()):
        kept = []
        for path in candidates:
            outside = _link_outside(path, folder)
            if outside:
                report.error(path.name, None, "",
                             f"the file is a link to {outside}, outside the data folder; it is not read",
                             "copy the file itself into the data folder (a run records and hashes only files "
                             "that live there)")
            else:
                kept.append(path)
        found[name] = kept
    files: dict[str, Path] = {}
    endings = ", ".join(paths.TABLE_SUFFIXES)
    for name, table in contract.TABLES.items():
        candidates = found.get(name, [])
        if len(candidates) > 1:
            names = [p.name for p in candidates]
            report.error(", ".join(names), None, "",
                         f"{_and(names)} both hold the table {name}; only one can be read",
                         "keep one file for the table and move or rename the others")
        elif candidates:
            files[name] = candidates[0]
        elif table.required:
            report.error(name, None, "",
                         f"the required table {name} is missing: there is no {name} file "
                         f"({endings}) in {folder}",
                         f"add {name}.csv or {name}.xlsx: {_lower_first(table.meaning).rstrip('.')} "
                         "(see data/README.md)")
    for stem, candidates in found.items():
        if stem in contract.TABLES:
            continue
        close = difflib.get_close_matches(stem, list(contract.TABLES), n=1, cutoff=0.75)
        if close:
            for path in candidates:
                report.warning(path.name, None, "",
                               "this file is not read: its name is not one of the contract tables",
                               f"if it holds the {close[0]} table, rename it to {close[0]}{path.suffix.lower()}")
    return files


def _link_outside(path: Path, folder: Path) -> str | None:
    """Where ``path`` links to, if it is a symbolic link leading out of ``folder``; else None."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    try:
        target.relative_to(folder.resolve())
    except ValueError:
        return str(target)
    return None


def _read(path: Path, report: _Report) -> pd.DataFrame | None:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with open(path, "rb") as handle:
                head = handle.read(8)
        except OSError:
            head = b""
        if head.startswith(_OLE2_SIGNATURE):
            report.error(path.name, None, "",
                         "the workbook is password-protected (an encrypted Office file), or an old .xls renamed "
                         ".xlsx, so it cannot be read",
                         "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with "
                         "Password, leave it empty) and save it as .xlsx, or save the sheet as CSV UTF-8")
            return None
    try:
        raw = readers.read_table(path)
    except readers.EmptyTableError:
        report.error(path.name, None, "", "the file is empty: it has no header row",
                     "save the table again with its column names in the first row")
        return None
    except (readers.TableReadError, OSError) as exc:
        # The reader's message often names the file and carries its own fix; say each once.
        text = str(exc).removeprefix(f"{path.name}: ")
        problem, _, fix = text.partition(" Fix: ")
        report.error(path.name, None, "", f"the file cannot be read: {problem.rstrip('.')}",
                     fix.rstrip(".") or "open it in a spreadsheet and save it again as .xlsx or CSV UTF-8")
        return None
    info = readers.read_info(raw)
    assert info is not None  # read_table attaches a ReadInfo to every frame it returns
    for position, name in info.unnamed_columns:
        report.error(path.name, info.header_row, name,
                     f"column {position} has values but no name in the header row",
                     "write the column's name in the header, or delete the column")
    first_position: dict[str, int] = {}
    for position, name in enumerate(raw.columns, start=1):
        first_position.setdefault(name, position)
    for name, position, new_name in info.duplicate_columns:
        report.error(path.name, info.header_row, name,
                     f"the column name '{name}' appears twice (columns {first_position.get(name, '?')} "
                     f"and {position})",
                     "keep one of the two columns, or give the second its own name")
    by_length: dict[int, list[int]] = {}
    for row, n_values in info.long_rows:
        by_length.setdefault(n_values, []).append(row)
    width = len(raw.columns)
    for n_values, rows in by_length.items():
        if info.format == "csv" and info.delimiter == ",":
            fix = ("a comma used as decimal mark splits a number in two in a comma-separated file: "
                   "save the file with ';' as separator, put such values in quotes, or use a decimal point")
        else:
            fix = "look for the separator inside a value and put that value in quotes"
        report.error(path.name, rows[0], "",
                     f"{_rows_text(rows)} have {n_values} values but the header has {width} columns "
                     f"(the file was read as {info.describe()}); the extra values were not read",
                     fix)
    return raw


# --------------------------------------------------------------------------- one table

def _check_table(table: Table, cells: _RawCells, label: str, report: _Report) -> tuple[pd.DataFrame, _FileColumns]:
    """Check one table's columns and cells; return it typed (index = row number), and what the file held.

    Each text column of ``cells`` is released once typed, so the file's text
    and the typed table are never both whole in memory.
    """
    info = cells.info
    found = list(cells.columns)
    contract_names = [c.name for c in table.columns]
    offered: set[str] = set()  # columns named in a "rename it" fix: not reported twice
    for column in table.required_columns:
        if column not in cells:
            strangers = [c for c in found if c not in contract_names]
            fix, candidate = _missing_column_fix(table.column(column), found, strangers, info)
            report.error(label, None, column, f"the required column '{column}' is missing", fix)
            if candidate is not None:
                offered.add(candidate)
    extra = [c for c in found if c not in contract_names and not _is_generated_name(c, info)]
    for column in extra:
        if column in offered:
            continue
        if table.extra_columns == "number":
            continue
        if table.extra_columns == "likert" and column.startswith("q_"):
            continue
        close = difflib.get_close_matches(column, contract_names, n=1, cutoff=0.7)
        hint = f"if it is '{close[0]}', rename it; otherwise " if close else ""
        if table.extra_columns == "likert":
            hint += "if it is a survey question, start its name with 'q_'; otherwise "
        report.warning(label, None, column,
                       f"the column '{column}' is not part of the {table.name} table and will be ignored",
                       f"{hint}remove it or leave it: it is not used")
    if cells.empty:
        problem = "the file has column names but no rows of data"
        if table.required:
            report.error(label, None, "", problem, "add the data, or check that the right file or sheet was saved")
        else:
            report.warning(label, None, "", problem, "add the data, or remove the file if the table is not available")

    typed: dict[str, pd.Series] = {}
    key_codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    blank_cells: dict[str, np.ndarray] = {}

    def entity_at(position: int):
        """The entity of a row, to name it in a problem: the typed code once entity_id is parsed, else its text."""
        if "entity_id" in typed:
            return typed["entity_id"].iloc[position]
        if "entity_id" in cells:
            return cells["entity_id"].iloc[[position]].str.strip().iloc[0]
        return None

    entity_of = entity_at if "entity_id" in cells else None
    for col in table.columns:
        if col.name in cells:
            blank_ok = (not col.required) or (table.name, col.name) in BLANK_MEANS_NOT_APPLICABLE
            found_out: dict = {}
            typed[col.name] = _parse_column(cells[col.name], col, label, report, blank_ok=blank_ok,
                                            entity_of=entity_of if col.name != "entity_id" else None,
                                            found=found_out)
            if col.name in table.key:
                key_codes[col.name] = found_out["codes"]
            if (table.name, col.name) in BLANK_MEANS_NOT_APPLICABLE:
                blank_cells[col.name] = found_out["blank"]
            cells.release(col.name)
        else:
            typed[col.name] = _empty_column(col, cells.index)
    for column in extra:
        if table.extra_columns == "number":
            typed[column] = _parse_covariate(cells[column], label, report, entity_of)
            cells.release(column)
        elif table.extra_columns == "likert" and column.startswith("q_"):
            col = Column(column, "likert", required=False, minimum=contract.LIKERT_MIN, maximum=contract.LIKERT_MAX,
                         meaning="a Likert item")
            typed[column] = _parse_column(cells[column], col, label, report, blank_ok=True, entity_of=None)
            cells.release(column)
    frame = pd.DataFrame(typed, index=cells.index)
    typed.clear()  # frees the parsed columns; cleared, not deleted, because entity_at refers to the name
    _check_key(table, frame, label, report, key_codes)
    return frame, _FileColumns(cells.columns, blank_cells)


def _parse_covariate(raw: pd.Series, label: str, report: _Report, entity_of) -> pd.Series:
    """Parse an extra entities column, which must hold numbers.

    A column that is mostly text (a mayor's name, a note) is one problem, not
    one per row; a numeric column with a few bad cells gets one per cell.
    """
    col = Column(raw.name, "number", required=False, meaning="a covariate: extra entity columns hold numbers")
    cells = _Report()
    values = _parse_column(raw, col, label, cells, blank_ok=True, entity_of=entity_of)
    written = raw.str.strip().ne("")
    filled = int(written.sum())
    # Cells written but not read as numbers (counted by row: many rows may share one said-once problem).
    unreadable = int((written & values.isna()).sum())
    if cells.records and unreadable > filled / 2:
        examples = ", ".join(f"'{t}'" for t in raw[raw.str.strip().ne("")].head(3))
        report.error(label, None, raw.name,
                     f"the column '{raw.name}' holds text ({examples}, ...), but extra columns in entities "
                     "are covariates and must hold numbers",
                     "remove the column, or replace its values with numbers")
    else:
        report.records.extend(cells.records)
    return values


def _is_generated_name(name: str, info: readers.ReadInfo) -> bool:
    """Columns named by the reader (unnamed, repeated) were reported already."""
    return (any(name == given for _, given in info.unnamed_columns)
            or any(name == given for _, _, given in info.duplicate_columns))


def _missing_column_fix(col: Column, found: list[str], strangers: list[str],
                        info: readers.ReadInfo) -> tuple[str, str | None]:
    """The fix for a missing column, and the column found that is probably it (or None).

    Only ``strangers``, the columns found that are not in the contract, are
    offered as the missing one.
    """
    by_case = {c.strip().lower().replace(" ", "_"): c for c in strangers}
    shown = ", ".join(found) if found else "none"
    how_read = f" (the file was read as {info.describe()})" if info is not None and info.format == "csv" else ""
    if col.name in by_case:
        return f"rename the column '{by_case[col.name]}' to '{col.name}'. Columns found: {shown}", by_case[col.name]
    close = difflib.get_close_matches(col.name, strangers, n=1, cutoff=0.6)
    start = f"if '{close[0]}' holds it, rename it to '{col.name}'; otherwise add" if close else "add"
    return (f"{start} a column named '{col.name}' ({_meaning(col)}). Columns found: {shown}{how_read}",
            close[0] if close else None)


def _empty_column(col: Column, index: pd.Index) -> pd.Series:
    dtype = {"text": "str", "integer": "Int64", "year": "Int64", "likert": "Int64",
             "number": "float64", "date": "datetime64[ns]"}[col.kind]
    return pd.Series(pd.NA if dtype == "Int64" else None, index=index, dtype=dtype)


_KIND_FIX = {
    "number": "write a number, e.g. 57.4 or 57,4",
    "integer": "write a whole number",
    "likert": "write a whole number from 1 (strongly disagree) to 5 (strongly agree), or leave it blank",
    "date": "write the date day first, as dd/mm/yyyy (09/03/2017), or as yyyy-mm-dd (2017-03-09)",
    "year": "write the year with four digits, e.g. 2018",
}


#: Spanish names of the contract's levels (compared without accents, in any case): read as the English ones.
LEVEL_SYNONYMS = {"nacional": "national", "departamental": "departmental", "municipal": "municipal"}
#: A problem (same words, same fix) found in this many rows or more of a column is said once, with the rows.
SAID_ONCE_FROM = 4


def _plain_word(text: str) -> str:
    """``'  DEPARTAMENTAL '`` and ``'Nacionál'`` -> ``'departamental'``, ``'nacional'``: no accents, lower case."""
    text = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _parse_column(raw: pd.Series, col: Column, label: str, report: _Report, *, blank_ok: bool,
                  entity_of, found: dict | None = None) -> pd.Series:
    """Parse one column's cells, reporting each that cannot be used; return the typed column.

    Each distinct text is stripped and parsed once and the result spread back
    to its rows: a column of six million scores holds a few thousand distinct
    texts, and no stripped copy of the whole column is made. A text column
    whose cells need no change (no surrounding spaces, no blank, no Spanish
    level) is returned as it was read, sharing its memory. Problems are
    reported per row; one that many rows share (the same words and fix in
    ``SAID_ONCE_FROM`` rows or more) is said once, with the count and the
    first rows.

    ``raw`` holds text in every cell (as ``read_table`` gives it). ``entity_of``
    (a function of a row's position, or None) names the entity of a row in a
    problem. When ``found`` is given it receives ``"blank"`` (the cells blank in
    the file, a boolean array) and ``"codes"``, ``(of_distinct, rows)``: the
    typed values numbered (-1 for missing) per distinct text, and each row's
    distinct text, so that ``of_distinct[rows]`` is equal for rows whose typed
    values are equal.
    """
    problems: dict[tuple[str, str], list[int]] = {}   # (problem, fix) -> positions of the rows, in row order

    def flag(mask, problem: str, fix: str) -> None:
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(positions):
            problems.setdefault((problem, fix), []).extend(positions.tolist())

    # Distinct texts as written, then as stripped (the same kernel as Series.str.strip on every cell); the
    # stripped ones are numbered in the order they first appear in the column.
    raw_codes, raw_uniques = _distinct_texts(raw)
    stripped = raw_uniques.str.strip()
    unchanged = bool(stripped.eq(raw_uniques).all())
    to_stripped, uniques_index = pd.factorize(stripped)
    # Stripping changed no text: the stripped texts are the distinct texts, numbered alike.
    codes = raw_codes if unchanged else to_stripped.astype(raw_codes.dtype)[raw_codes]
    del raw_codes, to_stripped
    uniques = list(uniques_index)
    is_blank = np.array([text == "" for text in uniques], dtype=bool)
    blank = is_blank[codes]
    if found is not None:
        found["blank"] = blank
    if not blank_ok:
        flag(blank, f"{col.name} is blank", f"fill in {col.name}: {_meaning(col)}")

    if col.kind == "text":
        typed_uniques = pd.Series(uniques_index.array).where(~is_blank)
        if col.allowed:
            synonyms = {}
            for k, text in enumerate(uniques):
                if is_blank[k] or text in col.allowed:
                    continue
                english = LEVEL_SYNONYMS.get(_plain_word(text)) if col.name == "level" else None
                if english in col.allowed:
                    synonyms[text] = english       # the Spanish name: read as the English one
                else:
                    flag(codes == k, f"'{text}' is not a recognised {col.name}", _allowed_fix(text, col.allowed))
            if synonyms:
                typed_uniques = typed_uniques.replace(synonyms)  # a new column: the file's frame is not touched
        typed_uniques = typed_uniques.astype("str")
        if found is not None:
            found["codes"] = (pd.factorize(typed_uniques)[0], codes)
        _report_rows(problems, raw.index, entity_of, label, col.name, report)
        if unchanged and not is_blank.any() and not (col.allowed and synonyms):
            return raw.astype("str")   # every cell is its own typed value: shared, not copied
        return pd.Series(typed_uniques.array.take(codes), index=raw.index, name=raw.name)

    messages: list[list[tuple[str, str]]] = [[] for _ in uniques]

    if col.kind == "date":
        values = np.empty(len(uniques), dtype="datetime64[ns]")
        for k, text in enumerate(uniques):
            try:
                values[k] = readers.parse_date(text).to_datetime64() if text else np.datetime64("NaT")
            except readers.ParseError as exc:
                messages[k].append((str(exc), _KIND_FIX["date"]))
                values[k] = np.datetime64("NaT")
        result = pd.Series(values[codes], index=raw.index, dtype="datetime64[ns]")
    elif col.kind == "year":
        values = np.full(len(uniques), np.nan)
        for k, text in enumerate(uniques):
            try:
                year = (int(text) if len(text) == 4 and text.isdigit() and text[:2] in ("19", "20")
                        else readers.parse_year(text))
            except readers.ParseError as exc:
                messages[k].append((str(exc), _KIND_FIX["year"]))
                year = None
            if year is not None:
                values[k] = year
        missing = np.isnan(values)
        years = np.where(missing, 0, values).astype("int64")
        # Int64 built from the years and their mask directly: no float column of every row on the way.
        result = pd.Series(pd.arrays.IntegerArray(years[codes], missing[codes]), index=raw.index)
    else:  # number, integer, likert
        decimal = readers.infer_decimal_mark(uniques) if col.kind == "number" else None
        whole = col.kind in ("integer", "likert")
        fix = _KIND_FIX[col.kind]
        if blank_ok and col.kind == "number" and col.required:
            fix += " (leave it blank where the index does not apply)"
        values = np.full(len(uniques), np.nan)
        for k, text in enumerate(uniques):
            try:
                number = readers.parse_number(text, decimal=decimal)
            except readers.ParseError as exc:
                messages[k].append((str(exc), fix))
                number = math.nan
            if whole and not math.isnan(number) and not number.is_integer():
                messages[k].append((f"'{text}' is not a whole number", fix))
                number = math.nan
            if ((col.minimum is not None and number < col.minimum)
                    or (col.maximum is not None and number > col.maximum)):
                messages[k].append((f"{col.name} '{text}' is {_range_words(col)}", _range_fix(col)))
            values[k] = number
        result = pd.Series(values[codes], index=raw.index)
        result = result.astype("Int64") if whole else result
    if found is not None:
        found["codes"] = (pd.factorize(values)[0], codes)
    bad = [k for k, found_here in enumerate(messages) if found_here]
    for k in bad:
        rows = codes == k
        for problem, fix in messages[k]:
            flag(rows, problem, fix)
    _report_rows(problems, raw.index, entity_of, label, col.name, report)
    return result


#: Rows numbered at a time by ``_distinct_texts`` (bounds the memory it needs beyond its result).
_CODES_STEP = 2**20


def _distinct_texts(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """``(codes, uniques)``: the distinct texts of a column in the order they first appear, and each row's.

    As ``pd.factorize``, but for an Arrow-backed text column the codes are
    found a million rows at a time (``pyarrow.compute.index_in``) straight
    into one int32 array: ``pd.factorize`` holds the whole column's Arrow
    dictionary indices and an int64 copy of them, some 150 MB at ten
    million rows.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arrow = getattr(raw.array, "__arrow_array__", None)
    chunked = arrow() if arrow is not None else None
    if (not isinstance(chunked, pa.ChunkedArray) or chunked.null_count
            or not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type))):
        codes, uniques = pd.factorize(raw)
        return codes, pd.Series(uniques.array)
    uniques = pc.unique(chunked)
    codes = np.empty(len(raw), dtype=np.int32 if len(uniques) < 2**31 - 1 else np.int64)
    position = 0
    for chunk in chunked.chunks:
        for start in range(0, len(chunk), _CODES_STEP):
            part = pc.index_in(chunk.slice(start, _CODES_STEP), value_set=uniques)
            codes[position:position + len(part)] = part.to_numpy(zero_copy_only=False)
            position += len(part)
    return codes, pd.Series(uniques.to_pandas(), dtype=raw.dtype)


def _report_rows(problems: dict[tuple[str, str], list[int]], index: pd.Index, entity_of,
                 label: str, column: str, report: _Report) -> None:
    """Report each problem of a column: per row, naming the entity, or once for many rows."""
    for (problem, fix), positions in problems.items():
        positions = sorted(positions)
        rows = index[positions]
        if len(positions) >= SAID_ONCE_FROM:
            report.error(label, rows[0], column, f"{len(rows):,} rows ({_rows_text(rows, 3)}): {problem}", fix)
            continue
        for position, row in zip(positions, rows):
            entity = entity_of(position) if entity_of is not None else None
            who = f"entity {entity}: " if isinstance(entity, str) and entity else ""
            report.error(label, row, column, f"{who}{problem}", fix)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _meaning(col: Column) -> str:
    """A column's meaning as a clause: lower-case first letter, no final period."""
    return _lower_first(col.meaning).rstrip(".")


def _range_words(col: Column) -> str:
    if col.minimum is not None and col.maximum is not None:
        return f"outside the range {_num(col.minimum)} to {_num(col.maximum)}"
    if col.minimum is not None:
        return "negative" if col.minimum == 0 else f"below {_num(col.minimum)}"
    assert col.maximum is not None  # called only for a value outside a bound the column sets
    return f"above {_num(col.maximum)}"


def _range_fix(col: Column) -> str:
    if col.kind == "likert":
        return _KIND_FIX["likert"]
    if col.minimum is not None and col.maximum is not None:
        return f"write a value from {_num(col.minimum)} to {_num(col.maximum)} ({_meaning(col)})"
    return f"check the value ({_meaning(col)})"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _allowed_fix(value: str, allowed: tuple[str, ...]) -> str:
    options = ", ".join(allowed)
    lowered = value.strip().lower()
    if lowered in allowed:
        return f"write '{lowered}' in lower case (one of: {options})"
    if lowered in _SPANISH_LEVELS:
        return f"write it in English: '{_SPANISH_LEVELS[lowered]}' (one of: {options})"
    return f"write one of: {options}"


def _repeated_keys(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray | None:
    """Rows whose complete key occurs more than once, from each key column's codes (see ``_parse_column``).

    The codes of the key columns are combined into one integer per row
    (mixed radix) and counted with ``np.bincount`` when the number of
    possible keys is at most twice the number of rows, as in a panel of
    entities x years x indicators; otherwise ``Series.duplicated`` on the
    combined integer. A row with a missing key part is never repeated. None
    when the combined key would overflow 62 bits (the caller compares the
    typed columns instead).
    """
    n_rows = len(parts[0][1])
    combined = np.zeros(n_rows, dtype=np.int64)
    complete = np.ones(n_rows, dtype=bool)
    n_keys = 1
    for of_distinct, rows in parts:
        cardinality = int(of_distinct.max()) + 1 if len(of_distinct) else 0
        if cardinality and n_keys > 2**62 // cardinality:
            return None
        part = of_distinct[rows]
        complete &= part >= 0
        combined *= max(cardinality, 1)
        combined += part
        del part
        n_keys *= max(cardinality, 1)
    if n_keys <= 2 * n_rows:
        combined[~complete] = n_keys       # one bin for every incomplete row, never counted as repeated
        counts = np.bincount(combined, minlength=n_keys + 1)
        counts[n_keys] = 0
        return (counts > 1)[combined]
    return pd.Series(combined).duplicated(keep=False).to_numpy() & complete


def _check_key(table: Table, frame: pd.DataFrame, label: str, report: _Report,
               codes: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
    """Report rows sharing a key, one problem per repeated key, naming every row.

    ``codes`` holds, per key column parsed, the codes ``_parse_column`` found:
    with every key column there, rows are compared by those integers, which
    takes a fraction of the time and memory of comparing the typed columns.
    """
    if not table.key or frame.empty:
        return
    repeated_rows = None
    if codes is not None and all(c in codes for c in table.key):
        repeated_rows = _repeated_keys([codes[c] for c in table.key])
    if repeated_rows is None:
        # A row with a blank key part is never repeated, since a complete key cannot equal an incomplete one.
        complete = np.logical_and.reduce([frame[c].notna().to_numpy() for c in table.key])
        repeated_rows = frame.duplicated(subset=list(table.key), keep=False).to_numpy() & complete
    if not repeated_rows.any():
        return
    repeated = frame.loc[repeated_rows, list(table.key)]
    for values, group in repeated.groupby(list(table.key), sort=False):
        values = values if isinstance(values, tuple) else (values,)
        rows = list(group.index)
        described = dict(zip(table.key, values))
        times = "twice" if len(rows) == 2 else f"{len(rows)} times"
        if table.name == "adoption":
            dates = ", ".join(_date_text(d) for d in frame.loc[rows, "adoption_date"])
            problem = (f"entity {described['entity_id']} adopts {times}: {_rows_text(rows, 20)} "
                       f"(dates {dates})")
            fix = "keep one row per entity: the act that first created the post"
        elif table.name == "entities":
            problem = f"entity {described['entity_id']} is listed {times}: {_rows_text(rows, 20)}"
            fix = "keep one row per entity; two entities cannot share a code"
        elif table.name == "outcomes":
            problem = (f"entity {described['entity_id']} has {len(rows)} values of {described['indicator']} "
                       f"for {described['year']}: {_rows_text(rows, 20)}")
            fix = "keep one row per entity, year and indicator"
        else:
            what = ", ".join(f"{k} {v}" for k, v in described.items())
            problem = f"{what} appears {times}: {_rows_text(rows, 20)}"
            fix = f"keep one row per {_and(table.key)}"
        report.error(label, rows[1], ", ".join(table.key), problem, fix)


def _date_text(value) -> str:
    return "blank" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


# --------------------------------------------------------------------------- across tables

def _usable(tables: dict[str, pd.DataFrame], raw_tables: dict[str, _FileColumns], name: str, *columns: str) -> bool:
    """The table was read and has these columns (else checks using them would only add noise)."""
    return name in tables and all(c in raw_tables[name].columns for c in columns)


def _check_across(tables: dict[str, pd.DataFrame], raw_tables: dict[str, _FileColumns],
                  files: dict[str, Path], report: _Report, today: dt.date,
                  checks: contract.Checks = contract.Checks()) -> None:
    def usable(name: str, *columns: str) -> bool:
        return _usable(tables, raw_tables, name, *columns)

    label = {name: path.name for name, path in files.items()}
    _check_known_entities(tables, raw_tables, files, report,
                          names=("adoption", "outcomes", "survey_ict_offices", "survey_directors"))

    if usable("entities", "level") and checks.divipola:
        _check_divipola(tables["entities"], "divipola" in raw_tables["entities"].columns, label["entities"], report)

    _check_registry_dates(tables, raw_tables, files, report, today, checks)

    if usable("outcomes", "value", "indicator"):
        _check_blank_outcomes(tables["outcomes"], raw_tables["outcomes"], label["outcomes"], report)


def _check_known_entities(tables: dict[str, pd.DataFrame], raw_tables: dict[str, _FileColumns],
                          files: dict[str, Path], report: _Report, names: tuple[str, ...]) -> None:
    """Rows of the tables ``names`` whose entity is not in entities (surveys: a warning)."""
    if not _usable(tables, raw_tables, "entities", "entity_id"):
        return
    label = {name: path.name for name, path in files.items()}
    known = set(tables["entities"]["entity_id"].dropna())
    without_zeros = {e.lstrip("0"): e for e in known}

    def unknown_fix(entity: str) -> str:
        twin = without_zeros.get(entity.lstrip("0"))
        if twin is not None and twin != entity:
            return (f"{label['entities']} has '{twin}': a spreadsheet probably dropped or added a leading "
                    "zero. Format the entity_id columns as text and write the code the same way in every file")
        return f"correct the code, or add the entity to {label['entities']}"

    for name in names:
        if not _usable(tables, raw_tables, name, "entity_id"):
            continue
        severity = "warning" if name.startswith("survey") else "error"
        ids = tables[name]["entity_id"]
        strangers = ids[ids.notna() & ~ids.isin(known)]
        for entity, rows in strangers.groupby(strangers, sort=False):
            rows = list(rows.index)
            where = "" if len(rows) == 1 else f" ({len(rows)} rows: {_rows_text(rows)})"
            add = report.error if severity == "error" else report.warning
            add(label[name], rows[0], "entity_id",
                f"entity {entity} is not in {label['entities']}{where}", unknown_fix(entity))


def _check_registry_dates(tables: dict[str, pd.DataFrame], raw_tables: dict[str, _FileColumns],
                          files: dict[str, Path], report: _Report, today: dt.date, checks: contract.Checks) -> None:
    """Adoption dates against today, the earliest adoption date and the years of the outcome panel."""
    panel_years: list[int] = []
    if _usable(tables, raw_tables, "outcomes", "year"):
        # The panel's years are those with at least one value (as Dataset.years).
        outcomes = tables["outcomes"]
        with_value = _usable(tables, raw_tables, "outcomes", "value")
        found: set = set()
        # A million rows at a time: no copy of the year column of every observed row.
        for start in range(0, len(outcomes), _CODES_STEP):
            part = outcomes.iloc[start:start + _CODES_STEP]
            observed = part["value"].notna() if with_value else part["year"].notna()
            found.update(part["year"][observed].dropna().unique())
        panel_years = sorted(int(y) for y in found)
    if _usable(tables, raw_tables, "adoption", "adoption_date"):
        _check_adoption_dates(tables["adoption"], panel_years, files["adoption"].name, report, today,
                              checks.earliest_adoption)


def _check_divipola(entities: pd.DataFrame, has_column: bool, label: str, report: _Report) -> None:
    municipal = entities[entities["level"] == "municipal"]
    if municipal.empty:
        return
    fix = ("add the municipality's 5-digit DANE code (e.g. 05001 for Medellín) so the entity can be "
           "joined to municipal data")
    if not has_column:
        report.warning(label, None, "divipola",
                       f"there is no divipola column, so none of the {len(municipal)} municipal entities "
                       "has a DIVIPOLA code", f"add a divipola column: {fix}")
        return
    for row, entity in municipal["entity_id"][municipal["divipola"].isna()].items():
        report.warning(label, row, "divipola", f"municipal entity {entity} has no DIVIPOLA code", fix)


def _check_adoption_dates(adoption: pd.DataFrame, panel_years: list[int], label: str, report: _Report,
                          today: dt.date, earliest: dt.date | None = DECREE_415_DATE) -> None:
    earliest_day = pd.Timestamp(earliest) if earliest is not None else None
    now = pd.Timestamp(today)
    span = f"{panel_years[0]}–{panel_years[-1]}" if panel_years else ""
    for row, date in adoption["adoption_date"].dropna().items():
        entity = adoption.at[row, "entity_id"]
        who = f"entity {entity}" if isinstance(entity, str) else "the entity"
        shown = date.date().isoformat()
        if date > now:
            report.error(label, row, "adoption_date",
                         f"{who} adopts on {shown}, which is in the future (today is {today.isoformat()})",
                         "check the date of the act; dates are read day first (dd/mm/yyyy)")
        elif earliest_day is not None and date < earliest_day and earliest == DECREE_415_DATE:
            report.error(label, row, "adoption_date",
                         f"{who} adopts on {shown}, before Decree 415 of 9 March 2016 created the role",
                         "check the date of the act; if the post existed earlier, give the date of the act "
                         "that brought it in line with Decree 415")
        elif earliest is not None and date < earliest_day:
            report.error(label, row, "adoption_date",
                         f"{who} adopts on {shown}, before the earliest adoption date dataset.yml declares "
                         f"({earliest.isoformat()}, checks.earliest_adoption)",
                         "check the date, or change checks.earliest_adoption in dataset.yml")
        elif panel_years and date.year > panel_years[-1]:
            # A warning, not an error: the entity is simply not yet treated in
            # the years observed, and estimators treat it so.
            report.warning(label, row, "adoption_date",
                           f"{who} adopts on {shown}, after the last year of outcome data ({panel_years[-1]}); "
                           f"the outcomes cover {span}",
                           "check the date of the act, or add outcome data for that year; until then the "
                           "entity counts as not yet adopted")
        elif panel_years and date.year < panel_years[0]:
            report.warning(label, row, "adoption_date",
                           f"{who} adopts on {shown}, before the first year of outcome data ({panel_years[0]}); "
                           f"the outcomes cover {span}, so there is no year before adoption to compare with",
                           "check the date of the act, or add earlier outcome data (e.g. GEL); otherwise impact "
                           "estimates cannot use this entity")


def _check_blank_outcomes(outcomes: pd.DataFrame, raw: _FileColumns, label: str, report: _Report) -> None:
    # Blank in the file, not merely missing after parsing: unreadable values
    # were reported as errors already.
    blank = outcomes[raw.blank["value"] & outcomes["indicator"].notna().to_numpy()]
    for indicator, group in blank.groupby("indicator", sort=False):
        rows = list(group.index)
        report.warning(label, rows[0], "value",
                       f"{_count(len(rows), 'value')} of {indicator} {'is' if len(rows) == 1 else 'are'} blank "
                       f"({_rows_text(rows)}); {'it is' if len(rows) == 1 else 'they are'} left out of the panel",
                       "nothing to do where the index does not apply to the entity; otherwise fill in the score")
    for indicator in (i for i in outcomes["indicator"].unique() if isinstance(i, str)):
        known = {k.upper(): k for k in contract.INDICATORS}
        if indicator not in contract.INDICATORS and indicator.upper() in known:
            rows = list(outcomes.index[outcomes["indicator"] == indicator])
            report.warning(label, rows[0], "indicator",
                           f"indicator '{indicator}' ({_rows_text(rows)}) is read as a new indicator, "
                           f"not as {known[indicator.upper()]}",
                           f"write '{known[indicator.upper()]}'")


# --------------------------------------------------------------------------- dataset.yml

METADATA_DEFAULTS = {"name": "", "synthetic": False, "source": "", "description": ""}


def _read_metadata(folder: Path, report: _Report) -> tuple[dict, contract.Checks]:
    """``dataset.yml`` as a dict (defaults filled in) and the ``checks`` it declares."""
    metadata = dict(METADATA_DEFAULTS, name=folder.name)
    checks = contract.Checks()
    path = paths.metadata_file(folder)
    if path is None:
        return metadata, checks
    try:
        content = load_yaml(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(path.name, None if mark is None else mark.line + 1, "",
                     f"the file cannot be read as YAML ({getattr(exc, 'problem', None) or exc})",
                     "check the indentation and quotes; each line is 'key: value'")
        return metadata, checks
    except (OSError, UnicodeDecodeError) as exc:
        report.error(path.name, None, "", f"the file cannot be read ({exc})", "save it again as UTF-8 text")
        return metadata, checks
    if content is None:
        return metadata, checks
    if not isinstance(content, dict):
        report.error(path.name, None, "", "the file is not a list of 'key: value' lines",
                     "write name, synthetic, source and description as 'key: value' lines")
        return metadata, checks
    for key, value in content.items():
        key = str(key)
        if key == "checks":
            checks = _read_checks(value, path.name, report)  # kept in metadata as written, too
        elif key == "synthetic":
            if not isinstance(value, bool):
                report.error(path.name, None, "synthetic", f"synthetic must be true or false, not '{value}'",
                             "write 'synthetic: true' for made-up data, 'synthetic: false' for real data")
                continue
        elif key in METADATA_DEFAULTS and isinstance(value, (list, dict)):
            report.error(path.name, None, key, f"{key} must be a single piece of text",
                         f"write '{key}: ...' on one line, or use a YAML block (|) for long text")
            continue
        elif key in METADATA_DEFAULTS:
            if value is None:
                continue
            value = str(value)
        metadata[key] = value
    return metadata, checks


def _read_checks(block, label: str, report: _Report) -> contract.Checks:
    """Read the ``checks:`` block of dataset.yml; a bad entry is reported and its default kept."""
    defaults = contract.Checks()
    if block is None:
        return defaults
    if not isinstance(block, dict):
        report.error(label, None, "checks", "checks must be a block of 'key: value' lines",
                     "write e.g. 'checks:' and under it '  score_range: null' (keys: "
                     f"{', '.join(contract.CHECK_KEYS)})")
        return defaults
    values: dict = {}
    for key, value in block.items():
        key = str(key)
        column = f"checks.{key}"
        if key not in contract.CHECK_KEYS:
            close = difflib.get_close_matches(key, list(contract.CHECK_KEYS), n=1, cutoff=0.6)
            report.error(label, None, column, f"'{key}' is not a check that can be declared",
                         (f"did you mean '{close[0]}'? " if close else "")
                         + "the keys are " + "; ".join(f"{k}: {v}" for k, v in contract.CHECK_KEYS.items()))
            continue
        fix = f"write {contract.CHECK_KEYS[key]}"
        if key == "score_range":
            if value is None:
                values[key] = None
            elif (isinstance(value, (list, tuple)) and len(value) == 2
                  and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
                  and value[0] < value[1]):
                values[key] = (float(value[0]), float(value[1]))
            else:
                report.error(label, None, column, f"score_range must be [low, high] with low < high, not {value!r}",
                             fix)
        elif key == "earliest_adoption":
            if value is None:
                values[key] = None
                continue
            try:
                values[key] = readers.parse_date(value).date()
            except readers.ParseError as exc:
                report.error(label, None, column, f"earliest_adoption: {exc}", fix)
        elif key == "levels":
            if value is None:
                values[key] = None
            elif (isinstance(value, (list, tuple)) and value
                  and all(isinstance(v, str) and v.strip() for v in value)):
                values[key] = tuple(dict.fromkeys(v.strip() for v in value))
            else:
                report.error(label, None, column, f"levels must be a list of names, not {value!r}", fix)
        elif key == "divipola":
            if isinstance(value, bool):
                values[key] = value
            else:
                report.error(label, None, column, f"divipola must be true or false, not {value!r}", fix)
    return dataclasses.replace(defaults, **values)
