"""The adoption registry: the template evaluators fill in, and its check against the data.

No public file says which entities created the GCIO post and when; an evaluator
collects it (entity code, date of the act that created the post, optionally the
post's title and level) into the contract's ``adoption`` table. This module
writes the empty template for that table, as CSV and as an Excel workbook that
guides the person filling it in:

- the ``adoption`` sheet first (the suite reads the first sheet), with the
  entity code formatted as text (so ``05001`` keeps its zero), dates shown
  day first, a date rule that refuses dates before Decree 415 of 2016, and a
  drop-down for ``post_level``;
- an ``instructions`` sheet saying what goes in each column;
- with ``entities``, an ``entities`` sheet listing every code and name, and a
  drop-down of those codes in ``entity_id``.

A filled registry is checked by ``check_registry(file, folder)``, which runs
the contract's adoption checks (``evaluation.load.checks.check_adoption``) against
the folder's entity list and outcome panel: unknown codes, dates outside the
panel, an entity adopting twice, a date in the future or before the decree.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd

from evaluation import paths
from evaluation.load import checks, contract
from evaluation.load.checks import Problem, Problems
from evaluation.safe import set_text

__all__ = ["write_template", "check_registry", "POST_LEVELS", "TEMPLATE_NAME", "RegistryError"]

#: The hierarchical levels of Colombian public employment (Decreto 785 de 2005, art. 3), offered in the drop-down.
POST_LEVELS = ("directivo", "asesor", "profesional", "técnico", "asistencial")
#: File stem of the templates; not a contract table name, so a template in a data folder is never read as data.
TEMPLATE_NAME = "adoption_template"
#: Rows of the XLSX template prepared with formats and drop-downs when no entity list is given.
BLANK_ROWS = 1500

_INSTRUCTIONS = [
    ("Adoption registry of the GCIO post (Decree 415 of 2016)", None),
    ("One row per entity that created the post of Director de Tecnologías y Sistemas de Información (or "
     "restructured to create it). Entities that never created it are left out.", None),
    ("", None),
    ("entity_id", "Código of the entity, exactly as in entities.csv (Código Sigep, or DIVIPOLA for "
                  "territorial entities). Keep it as text: 05001, not 5001."),
    ("adoption_date", "Date of the act (decree, ordinance or resolution) that created the post, day first: "
                      "dd/mm/yyyy. Not before 09/03/2016 (Decree 415), not in the future."),
    ("post_title", "Optional. Title of the post, e.g. Secretario TIC, Jefe de Oficina TIC."),
    ("post_level", "Optional. Hierarchical level of the post: " + ", ".join(POST_LEVELS) + " (Decreto 785 de 2005)."),
    ("", None),
    ("When it is filled in", "Save this sheet as adoption.xlsx (or adoption.csv, CSV UTF-8) in the data folder, "
                             "next to entities and outcomes, and run: gcio-eval check --data FOLDER. "
                             "Every problem comes back at once, with the row to fix."),
    ("Checked", "Unknown entity codes; an entity listed twice; dates in the future, before Decree 415 or outside "
                "the years of the outcome data."),
]


class RegistryError(ValueError):
    """The template cannot be written (the entity list cannot be read); the message says why."""


def _entity_list(entities) -> pd.DataFrame | None:
    """entity_id, name, level from a frame, an entities file, or a data folder holding one."""
    if entities is None:
        return None
    if isinstance(entities, pd.DataFrame):
        frame = entities
    else:
        path = Path(entities)
        if path.is_dir():
            parsed = checks.parse_folder(path)
            if "entities" not in parsed.tables:
                raise RegistryError(f"{path} has no readable entities table (entities.csv or entities.xlsx).")
            frame = parsed.tables["entities"]
            errors = [p for p in parsed.problems.errors if p.file == parsed.files["entities"].name]
            if errors:
                raise RegistryError(f"The entities table in {path} has errors; fix them first "
                                    f"(gcio-eval check --data {path}):\n" + "\n".join(f"- {p}" for p in errors[:10]))
        elif path.is_file():
            from evaluation.load.readers import TableReadError, read_table

            try:
                frame = read_table(path)
            except (TableReadError, OSError) as exc:
                raise RegistryError(f"The entity list {path} cannot be read: {exc}") from exc
        else:
            raise RegistryError(f"The entity list {path} does not exist.")
    if "entity_id" not in frame.columns:
        raise RegistryError(f"The entity list has no entity_id column (columns: {', '.join(map(str, frame.columns))}).")
    columns = [c for c in ("entity_id", "name", "level", "department") if c in frame.columns]
    out = frame[columns].copy()
    out["entity_id"] = out["entity_id"].astype("string").str.strip()
    return out[out["entity_id"].notna() & out["entity_id"].ne("")].reset_index(drop=True)


def write_template(folder: str | os.PathLike[str], entities=None, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``adoption_template.csv`` and ``adoption_template.xlsx`` into ``folder``.

    Parameters
    ----------
    folder : str or path
        Created if needed. If it already holds ``adoption_template.csv`` or
        ``.xlsx`` (perhaps already filled in), nothing is written and
        ``paths.OutputFolderError`` names them, unless ``force``; nothing else
        there is ever touched.
    entities : DataFrame, path or None
        The entities the registry is about: a frame or a file with an
        ``entity_id`` column (and ``name``), or a data folder holding
        ``entities.csv``/``.xlsx``. With it, the workbook lists them in an
        ``entities`` sheet and offers their codes in a drop-down.

    Returns
    -------
    (pathlib.Path, pathlib.Path)
        The CSV and the XLSX template.

    Raises
    ------
    RegistryError
        If the entity list cannot be read.
    """
    folder = paths.check_out_folder(folder, [f"{TEMPLATE_NAME}.csv", f"{TEMPLATE_NAME}.xlsx"], force=force,
                                    command="adoption-template")
    entity_list = _entity_list(entities)
    folder.mkdir(parents=True, exist_ok=True)
    columns = [c.name for c in contract.ADOPTION.columns]
    csv_path = folder / f"{TEMPLATE_NAME}.csv"
    xlsx_path = folder / f"{TEMPLATE_NAME}.xlsx"
    for path in (csv_path, xlsx_path):
        if path.is_symlink():  # with --force: replace the link, never write through it into its target
            path.unlink()
    # The CSV is the header alone: a worked example row would be data once someone forgets to delete it.
    csv_path.write_text(",".join(columns) + "\n", encoding="utf-8")
    _write_workbook(xlsx_path, columns, entity_list)
    return csv_path, xlsx_path


def _write_workbook(path: Path, columns: list[str], entity_list: pd.DataFrame | None) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "adoption"
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCD", (16, 16, 48, 16)):
        sheet.column_dimensions[letter].width = width
    last = 1 + max(BLANK_ROWS, 0 if entity_list is None else len(entity_list))
    for row in range(2, last + 1):
        sheet.cell(row=row, column=1).number_format = "@"          # codes keep their leading zeros
        sheet.cell(row=row, column=2).number_format = "DD/MM/YYYY"  # day first, as Colombian acts are dated

    decree = checks.DECREE_415_DATE
    dates = DataValidation(type="date", operator="greaterThanOrEqual",
                           formula1=f"DATE({decree.year},{decree.month},{decree.day})", allow_blank=True,
                           showErrorMessage=True, errorTitle="Fecha del acto",
                           error="Escriba la fecha del acto como dd/mm/aaaa, no antes del 09/03/2016 (Decreto 415).",
                           promptTitle="adoption_date", prompt="Fecha del acto que creó el cargo (dd/mm/aaaa).",
                           showInputMessage=True)
    dates.add(f"B2:B{last}")
    levels = DataValidation(type="list", formula1='"' + ",".join(POST_LEVELS) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Nivel del cargo",
                            error="Elija un nivel de la lista: " + ", ".join(POST_LEVELS) + ".",
                            promptTitle="post_level", prompt="Nivel jerárquico del cargo (Decreto 785 de 2005).",
                            showInputMessage=True)
    levels.add(f"D2:D{last}")
    sheet.add_data_validation(dates)
    sheet.add_data_validation(levels)

    notes = workbook.create_sheet("instructions")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 110
    for row, (first, second) in enumerate(_INSTRUCTIONS, start=1):
        notes.cell(row=row, column=1, value=first).font = Font(bold=row == 1 or second is not None)
        if second is not None:
            notes.cell(row=row, column=2, value=second).alignment = Alignment(wrap_text=True, vertical="top")

    if entity_list is not None and len(entity_list):
        listing = workbook.create_sheet("entities")
        for column, name in enumerate(entity_list.columns, start=1):
            set_text(listing.cell(row=1, column=column), name)
            listing.cell(row=1, column=column).font = Font(bold=True)
        # Every cell as text: an entity named "=HYPERLINK(...)" stays a name, never a live formula.
        for row, values in enumerate(entity_list.itertuples(index=False), start=2):
            for column, value in enumerate(values, start=1):
                set_text(listing.cell(row=row, column=column), "" if pd.isna(value) else str(value))
        for row in range(2, len(entity_list) + 2):
            listing.cell(row=row, column=1).number_format = "@"
        listing.column_dimensions["A"].width = 14
        listing.column_dimensions["B"].width = 60
        codes = DataValidation(type="list", formula1=f"entities!$A$2:$A${len(entity_list) + 1}", allow_blank=True,
                               showErrorMessage=True, errorTitle="Código de la entidad",
                               error="El código no está en la hoja 'entities'.",
                               promptTitle="entity_id", prompt="Código de la entidad (ver la hoja 'entities').",
                               showInputMessage=True)
        codes.add(f"A2:A{last}")
        sheet.add_data_validation(codes)
    workbook.save(path)


def check_registry(file: str | os.PathLike[str], folder: str | os.PathLike[str] | None, *,
                   today: dt.date | None = None) -> Problems:
    """Check a filled-in adoption registry against a data folder's entities and outcome panel.

    Runs ``evaluation.load.checks.check_adoption`` (unknown codes, dates outside
    the panel, an entity adopting twice, a date in the future or before
    Decree 415), and adds a warning for a ``post_level`` outside the
    template's list (the CSV template has no drop-down to prevent it).

    Parameters
    ----------
    file : str or path
        The filled template (``.csv`` or ``.xlsx``).
    folder : str, path or None
        The data folder with ``entities`` and ``outcomes``.
    today : datetime.date, optional
        The date against which adoption dates count as "in the future".

    Returns
    -------
    Problems
        ``.ok`` is True when the registry can be used as ``adoption.csv``.
    """
    problems = checks.check_adoption(file, folder, today=today)
    extra = []
    path = Path(file)
    try:
        from evaluation.load.readers import read_table

        raw = read_table(path)
    except Exception:  # already reported by check_adoption
        raw = None
    if raw is not None and "post_level" in raw.columns:
        for row, value in raw["post_level"].str.strip().items():
            if value and value not in POST_LEVELS:
                extra.append(Problem(path.name, int(row), "post_level",
                                     f"'{value}' is not one of the template's post levels",
                                     f"write one of: {', '.join(POST_LEVELS)} (Decreto 785 de 2005), in lower case",
                                     "warning"))
    if not extra:
        return problems
    records = sorted([*problems.records, *extra],
                     key=lambda p: (p.file != path.name, -1 if p.row is None else p.row))
    return Problems(tuple(records), problems.folder)
