"""Small dataset folders for the data-contract tests, built in a temporary directory.

A plain module rather than ``conftest.py`` so it cannot collide with fixtures
other test files define; tests import it directly (pytest puts ``tests/`` on
``sys.path``).

``valid_tables()`` is a complete, valid dataset: 6 entities, 4 adopters in
cohorts 2017-2019, outcomes POL07 and IDI for 2016-2020. Tests copy it, break
one thing, and write it with ``write_folder``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

ENTITIES = """\
entity_id,name,level,sector,department,divipola,head_of_sector,population
MINTIC,Ministerio de Tecnologías de la Información,national,tic,,,1,
DAFP,Departamento Administrativo de la Función Pública,national,función pública,,,1,
IGAC,Instituto Geográfico Agustín Codazzi,national,hacienda,,,0,
05001,Alcaldía de Medellín,municipal,territorial,Antioquia,5001,,2612958
76001,Alcaldía de Cali,municipal,territorial,Valle del Cauca,76001,,2280522
05,Gobernación de Antioquia,departmental,territorial,Antioquia,,,6677930
"""

ADOPTION = """\
entity_id,adoption_date,post_title,post_level
MINTIC,2017-03-09,Director de Tecnologías y Sistemas de Información,directivo
DAFP,15/06/2017,Jefe de Oficina TIC,directivo
05001,2018-02-01,Secretario TIC,directivo
05,01/07/2019,Asesor TIC,asesor
"""


def _outcomes() -> str:
    lines = ["entity_id,year,indicator,value"]
    base = {"MINTIC": 70, "DAFP": 65, "IGAC": 60, "05001": 55, "76001": 50, "05": 45}
    for entity, level in base.items():
        for year in range(2016, 2021):
            lines.append(f"{entity},{year},POL07,{level + (year - 2016) * 2.5}")
            lines.append(f"{entity},{year},IDI,{level + 1}")
    return "\n".join(lines) + "\n"


OUTCOMES = _outcomes()

MONITORING = """\
year,output,value,target
2016,bulletins,24,24
2017,bulletins,26,24
2017,leaders_trained,160,150
"""

COSTS = """\
year,budget_line,amount_cop,output
2016,Talleres territoriales,1.250.000.000,workshops
2017,Boletines y revista,"2.260.909.699",bulletins
"""

SURVEY = """\
respondent_id,entity_id,comment,q_commitment,q_team_capacity
R1,MINTIC,,4,5
R2,,sin comentarios,2,
R3,05001,,3,3
"""

DATASET_YML = """\
name: contract test
synthetic: true
source: made up for the tests
description: six entities, four adopters
"""


def valid_tables() -> dict[str, str]:
    """File name to text for a complete valid dataset folder."""
    return {
        "entities.csv": ENTITIES,
        "adoption.csv": ADOPTION,
        "outcomes.csv": OUTCOMES,
        "monitoring.csv": MONITORING,
        "costs.csv": COSTS,
        "survey_ict_offices.csv": SURVEY,
        "dataset.yml": DATASET_YML,
    }


def write_folder(folder: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write ``files`` (name to text, bytes, or None to leave the file out) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder


def valid_folder(tmp_path: Path, **changes: str | bytes | None) -> Path:
    """A valid folder with some files replaced: ``valid_folder(tmp, adoption_csv="...")``.

    Keyword names are file names with the dot written as an underscore.
    """
    files = valid_tables()
    for key, content in changes.items():
        name = key[::-1].replace("_", ".", 1)[::-1]
        files[name] = content
    return write_folder(tmp_path / "data", files)


def replace_line(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence of ``old`` in ``text`` (fails loudly otherwise)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def folder_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a folder, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def write_xlsx(path: Path, rows: list[list[object]], *, start_row: int = 1, title: str = "Hoja1") -> Path:
    """Write rows to the first sheet of a new workbook, the first row at ``start_row``."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=start_row + offset, column=column, value=value)
    workbook.save(path)
    return path
