"""Where files live: the only module that knows the project's folder layout.

Every other module receives paths from here (or from its caller) and never
builds a project path of its own, so moving a folder means editing this file
only.

The layout::

    PROJECT_ROOT/
        evaluation/      the package
        data/            DATA_DIR: one folder per dataset (demo/, colombia/, ...)
            demo/        DEMO_DIR: synthetic data, used when no folder is given
        notebooks/       NOTEBOOKS_DIR
        outputs/         OUTPUTS_DIR: rendered notebooks and figures

Inside a dataset folder each table of ``evaluation.contract.TABLES`` is one file
named after the table, ``<table>.csv``, ``<table>.xlsx`` or ``<table>.xls``,
plus an optional ``dataset.yml`` describing the dataset.
"""

from __future__ import annotations

import hashlib

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
DEMO_DIR = DATA_DIR / "demo"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
#: The data contract for people; ``evaluation.contract`` keeps its column tables in step.
DATA_README = DATA_DIR / "README.md"

#: File endings a table may have, in the order they are listed in messages.
TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
#: Names the optional description of a dataset folder may have.
METADATA_FILENAMES = ("dataset.yml", "dataset.yaml")


def resolve_data_dir(value: str | os.PathLike[str] | None = None) -> Path:
    """Turn a notebook parameter into the dataset folder to read.

    Parameters
    ----------
    value : str, path or None
        ``None`` or an empty string selects the synthetic demo data
        (``DEMO_DIR``). An absolute path is used as it is. A relative path is
        looked up first in the current directory, then in ``PROJECT_ROOT``, so
        ``"data/colombia"`` works both from the project root and from
        ``notebooks/``.

    Returns
    -------
    pathlib.Path
        The absolute path of an existing folder.

    Raises
    ------
    FileNotFoundError
        If no such folder exists; the message names the folder and every
        place that was tried.
    NotADirectoryError
        If the path names a file instead of a folder.
    """
    if value is None or str(value).strip() == "":
        candidates = [DEMO_DIR]
        shown = str(DEMO_DIR)
    else:
        shown = str(value).strip()
        path = Path(shown).expanduser()
        if path.is_absolute():
            candidates = [path]
        else:
            candidates = [Path.cwd() / path, PROJECT_ROOT / path]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    for candidate in candidates:
        if candidate.exists():
            raise NotADirectoryError(
                f"The data folder '{shown}' is a file ({candidate}), not a folder. "
                "Fix: give the folder that holds entities, adoption and outcomes."
            )
    tried = " and ".join(str(c) for c in dict.fromkeys(candidates))
    raise FileNotFoundError(
        f"The data folder '{shown}' does not exist (looked in {tried}). "
        f"Fix: check the spelling, or give the full path; dataset folders usually sit in {DATA_DIR}."
    )


def table_files(folder: str | os.PathLike[str]) -> dict[str, list[Path]]:
    """List the files of a dataset folder that look like tables.

    Parameters
    ----------
    folder : str or path
        A dataset folder.

    Returns
    -------
    dict of str to list of pathlib.Path
        Lower-cased file stem (``"entities"``) to every file with that stem and
        an ending in ``TABLE_SUFFIXES``, sorted by name. Stems that are not
        contract tables are included too, so that validation can point out a
        misnamed file. Hidden files and Excel lock files (``~$...``) are skipped.
    """
    found: dict[str, list[Path]] = {}
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        if path.suffix.lower() in TABLE_SUFFIXES:
            found.setdefault(path.stem.lower(), []).append(path)
    return found


def metadata_file(folder: str | os.PathLike[str]) -> Path | None:
    """Return the ``dataset.yml`` of a dataset folder, or None if it has none."""
    for name in METADATA_FILENAMES:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in blocks (used to record exactly which inputs a run read)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
