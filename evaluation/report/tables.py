"""The tables a run writes: one CSV per table, and one Excel workbook per report.

Notebooks call ``tables.save_table(frame, output_dir, name)``. Outside a run (``output_dir``
empty) nothing is written. Inside a run the runner tells the kernel which
report it is, in which language, and whether the data are synthetic, through
the environment (``RUN_ENV``); then:

* ``tables/<name>.csv`` keeps its machine column names. On synthetic data it
  carries a last column ``synthetic_data`` that is ``True`` on every row: a
  flag that stays with the rows when a table is filtered, concatenated or
  loaded with a plain ``pandas.read_csv(path)`` (a comment line would be lost
  on the first load and needs ``comment="#"``, which would also cut any value
  holding ``#``).
* ``tables/<report>.xlsx`` holds one sheet per table, after a first ``notes``
  sheet (in the report language) naming the report, the data, their source and
  whether they are synthetic, and listing which sheet holds which CSV. The
  kernel only queues each table (a pickle in the run's private build folder,
  ``.cache/workbooks/<report>/``); the runner writes every workbook once, when
  the notebooks are done (:func:`write_workbooks`), instead of reading and
  rewriting a growing workbook for every table. The files are deterministic:
  the same tables give the same bytes (no creation dates, fixed zip times).

Both are written formula-neutral (``evaluation.safe``): a text cell beginning
with ``=``, ``+``, ``-`` or ``@`` is never run as a formula.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evaluation.cache import FOLDER_NAME
from evaluation.safe import file_name, set_text, write_csv

#: Environment variables the runner sets for each notebook's kernel.
RUN_ENV = {
    "report": "GCIO_RUN_REPORT",        # notebook stem, e.g. 02_impact
    "language": "GCIO_RUN_LANGUAGE",    # es or en
    "synthetic": "GCIO_RUN_SYNTHETIC",  # 1 for synthetic data
    "data": "GCIO_RUN_DATA",            # the dataset's name
    "source": "GCIO_RUN_SOURCE",        # dataset.yml's source line
}
SYNTHETIC_COLUMN = "synthetic_data"
#: Excel's limit on a sheet name.
_SHEET_CHARS = 31


def run_context() -> dict[str, str] | None:
    """What the runner said about this report, or None when the notebook runs on its own."""
    report = os.environ.get(RUN_ENV["report"])
    if not report:
        return None
    return {key: os.environ.get(name, "") for key, name in RUN_ENV.items()}


def save_table(table: pd.DataFrame, output_dir: str, name: str) -> Path | None:
    """Write ``table`` as ``output_dir/tables/<name>.csv`` (and into the report's workbook in a run).

    The caller's frame is never modified. Returns the CSV's path, or None when
    ``output_dir`` is empty (interactive use: nothing is written).
    """
    if not output_dir:
        return None
    folder = Path(output_dir) / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    context = run_context()
    frame = table
    if context and context["synthetic"] == "1":
        frame = table.assign(**{SYNTHETIC_COLUMN: True})
    path = folder / file_name(name)  # the name may hold an outcome code
    write_csv(frame, path, index=False)
    if context:
        _queue_for_workbook(Path(output_dir), table, path.name, context)
    return path


#: Where the kernels of a run queue their tables for the workbooks: in the run's private folder inside the
#: build folder (``evaluation.cache.FOLDER_NAME``), deleted before the run's outputs are swapped in.
QUEUE_DIR = Path(FOLDER_NAME) / "workbooks"


def _queue_for_workbook(output_dir: Path, table: pd.DataFrame, csv_name: str, context: dict[str, str]) -> None:
    import json
    import pickle

    queue = output_dir / QUEUE_DIR / file_name(context["report"])
    queue.mkdir(parents=True, exist_ok=True)
    order = queue / "order.json"
    names = json.loads(order.read_text(encoding="utf-8")) if order.is_file() else []
    if csv_name not in names:  # a table saved again under the same CSV name replaces its sheet, in place
        names.append(csv_name)
    with (queue / f"{csv_name}.pickle").open("wb") as handle:
        pickle.dump(table.copy(), handle, protocol=pickle.HIGHEST_PROTOCOL)
    (queue / "context.json").write_text(json.dumps(context, ensure_ascii=False), encoding="utf-8")
    order.write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")


def write_workbooks(build: Path, report: str | None = None) -> list[Path]:
    """Write ``tables/<report>.xlsx`` for every report (or only ``report``) that queued tables in ``build``.

    A report's queue is removed once its workbook is written, so a later call does not write it again.
    """
    import json
    import pickle
    import shutil

    written: list[Path] = []
    queue_root = build / QUEUE_DIR
    if not queue_root.is_dir():
        return written
    queues = sorted(p for p in queue_root.iterdir() if p.is_dir())
    if report is not None:
        queues = [q for q in queues if q.name == file_name(report)]
    for queue in queues:
        order = queue / "order.json"
        if not order.is_file():
            continue
        context = json.loads((queue / "context.json").read_text(encoding="utf-8"))
        tables = []
        for csv_name in json.loads(order.read_text(encoding="utf-8")):
            with (queue / f"{csv_name}.pickle").open("rb") as handle:
                tables.append((csv_name, pickle.load(handle)))  # written by this run's kernels only
        target = build / "tables" / f"{file_name(context['report'])}.xlsx"
        written.append(write_workbook(target, tables, context))
        shutil.rmtree(queue, ignore_errors=True)
    return written


def _sheet_name(csv_name: str, taken: set[str]) -> str:
    base = Path(csv_name).stem
    for bad in '[]:*?/\\':
        base = base.replace(bad, "_")
    base = base[:_SHEET_CHARS] or "table"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"_{n}"
        name, n = base[:_SHEET_CHARS - len(suffix)] + suffix, n + 1
    return name


def write_workbook(path: Path, tables: list[tuple[str, pd.DataFrame]], context: dict[str, str]) -> Path:
    """Write one report's workbook: the notes sheet, then one sheet per ``(csv_name, table)``, in order."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from evaluation.text.index import table_notes

    language = context.get("language") or "en"
    notes = table_notes(language, report=context["report"], data_name=context.get("data", ""),
                        source=context.get("source", ""), synthetic=context.get("synthetic") == "1")
    book = Workbook()
    info = book.active
    info.title = notes["sheet"][:_SHEET_CHARS]
    for row, key in enumerate(("report", "data", "source", "synthetic"), start=1):
        set_text(info.cell(row=row, column=1), notes[key])
        info.cell(row=row, column=1).font = Font(bold=True)
        set_text(info.cell(row=row, column=2), notes["synthetic_value"] if key == "synthetic"
                 else notes[f"{key}_value"])
    for column, key in enumerate(("table", "sheet_column", "file"), start=1):
        set_text(info.cell(row=6, column=column), notes[key])
        info.cell(row=6, column=column).font = Font(bold=True)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 60
    taken = {info.title.lower()}
    for row, (csv_name, table) in enumerate(tables, start=7):
        sheet_name = _sheet_name(csv_name, taken)
        taken.add(sheet_name.lower())
        set_text(info.cell(row=row, column=1), Path(csv_name).stem)
        set_text(info.cell(row=row, column=2), sheet_name)
        set_text(info.cell(row=row, column=3), csv_name)
        sheet = book.create_sheet(sheet_name)
        for column, header in enumerate(table.columns, start=1):
            set_text(sheet.cell(row=1, column=column), str(header))
            sheet.cell(row=1, column=column).font = Font(bold=True)
        for r, values in enumerate(table.itertuples(index=False, name=None), start=2):
            for column, value in enumerate(values, start=1):
                _put(sheet.cell(row=r, column=column), value)
        sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_deterministic(book, path)
    return path


def _save_deterministic(book, path: Path) -> None:
    """Save ``book`` so that the same content gives the same bytes: no dates in the document properties,
    every zip entry dated 1980-01-01 (the zip format's first day)."""
    import io
    import re
    import zipfile

    buffer = io.BytesIO()
    book.save(buffer)
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
            info = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    partial.replace(path)


def _put(cell, value) -> None:
    """Numbers and booleans as themselves, missing values empty, everything else as text (never a formula)."""
    if value is None:
        return
    try:
        if pd.isna(value):
            return
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
    elif hasattr(value, "item") and isinstance(getattr(value, "item")(), (int, float, bool)):
        cell.value = value.item()
    elif isinstance(value, pd.Timestamp):
        cell.value = value.to_pydatetime()
    else:
        set_text(cell, value)
