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

Inside a dataset folder each table of ``evaluation.load.contract.TABLES`` is one file
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
#: The data contract for people; ``evaluation.load.contract`` keeps its column tables in step.
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


# --------------------------------------------------------------------------- folders a command writes into


class OutputFolderError(ValueError):
    """A folder given to ``--out`` cannot be written as asked: it is a file, or it holds files
    the command would replace (and ``force`` was not given)."""


def check_out_folder(folder: str | os.PathLike[str], names, *, force: bool = False,
                     command: str = "this command") -> Path:
    """Check, before anything is written, that a command may write ``names`` into ``folder``.

    The commands that write into a folder the user names (``demo``,
    ``import-furag``, ``adoption-template``) own only the files they write;
    every other file there is the user's and is never touched. A file the
    command would replace is the user's too until they say otherwise, so it is
    refused unless ``force``.

    Parameters
    ----------
    folder : str or path
        The folder to write into; it need not exist yet (it is not created here).
    names : iterable of str
        The file names the command writes, relative to ``folder``.
    force : bool
        Replace those files if they exist (``--force``).
    command : str
        The command's name, for the message.

    Returns
    -------
    pathlib.Path
        ``folder`` as a path.

    Raises
    ------
    OutputFolderError
        If ``folder`` (or one of its parents) is a file, if one of ``names`` is
        a folder (never replaced, even with ``force``), or if one of ``names``
        exists and ``force`` is false. The message names every such file.
    """
    folder = Path(folder)
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputFolderError(
                f"{command}: the output folder '{folder}' cannot be made because '{parent}' is a file. "
                "Nothing was written. Fix: give --out a folder (a new one is created).")
        if parent.is_dir():
            break
    names = list(names)
    folders = [n for n in names if (folder / n).is_dir()]
    if folders:
        raise OutputFolderError(
            f"{command}: '{folder}' holds a folder named {', '.join(folders)} where a file would be written. "
            "Nothing was written. Fix: choose another --out folder, or move that folder away.")
    existing = [n for n in names if (folder / n).exists() or (folder / n).is_symlink()]
    if existing and not force:
        raise OutputFolderError(
            f"{command}: '{folder}' already holds {', '.join(existing)}, which this command would replace. "
            "Nothing was written. Fix: choose a new or empty folder, move those files away, or add --force "
            "to replace exactly those files (other files in the folder are never touched).")
    return folder
