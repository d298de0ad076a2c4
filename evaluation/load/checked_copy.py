"""Check once per run: the runner's checked dataset, handed to every notebook of the run.

``gcio-eval run`` loads and checks the data folder before any notebook starts
(a folder that breaks the contract stops the run there). Without this module
every notebook kernel would then read and check the same files again: on the
real data (6 million outcome rows) that is seconds and a gigabyte per kernel.
Instead the runner writes the checked :class:`~evaluation.load.dataset.Dataset`
once into the run's private build folder (:func:`write`) and names it in
``GCIO_CHECKED_DATASET``; ``evaluation.context.setup`` reads it
(:func:`load`).

The copy is used only for what it was made from. It records the resolved data
folder and the SHA-256 of every file the check read; :func:`load` compares
both with the folder the notebook was given and the files as they are now,
and checks the folder itself (``evaluation.load.dataset.load``) when anything
differs: another folder, a file edited during the run, no copy. Outside a run
(an evaluator in JupyterLab) there is no copy and the notebook checks the data
itself, as before. Like the results of ``evaluation.cache``, the copy lives
only inside the run's build folder and is deleted with it.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from evaluation import paths
from evaluation.load import dataset as datasets

ENV = "GCIO_CHECKED_DATASET"
FILE_NAME = "checked-dataset.pickle"
_FORMAT = 1


def input_hashes(dataset) -> dict[str, str]:
    """SHA-256 of every file ``dataset`` was read from (its tables and ``dataset.yml``), by absolute path."""
    files = set(Path(p) for p in dataset.files.values())
    meta = paths.metadata_file(Path(dataset.folder))
    if meta is not None:
        files.add(Path(meta))
    return {str(Path(p).resolve()): paths.file_sha256(p) for p in sorted(files)}


def write(dataset, folder: Path, hashes: dict[str, str] | None = None) -> Path:
    """Store the checked ``dataset`` in ``folder`` (the run's private build folder) and return the file.

    ``hashes`` are :func:`input_hashes` when the caller already has them.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILE_NAME
    record = {"format": _FORMAT, "folder": str(Path(dataset.folder).resolve()),
              "inputs": hashes if hashes is not None else input_hashes(dataset), "dataset": dataset}
    partial = target.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(target)
    return target


def _usable(record, folder: Path) -> bool:
    if not isinstance(record, dict) or record.get("format") != _FORMAT:
        return False
    if record.get("folder") != str(folder.resolve()):
        return False
    inputs = record.get("inputs") or {}
    try:
        return bool(inputs) and all(paths.file_sha256(Path(p)) == digest for p, digest in inputs.items())
    except OSError:  # a file removed or unreadable since the check
        return False


def load(folder) -> "datasets.Dataset":
    """The checked dataset of ``folder``: the run's copy when it is of these very files, else a fresh check.

    Parameters
    ----------
    folder : path
        The resolved data folder (``evaluation.paths.resolve_data_dir``).

    Returns
    -------
    Dataset
        The same as ``evaluation.load.dataset.load(folder)`` returns.
    """
    folder = Path(folder)
    stored = os.environ.get(ENV)
    if stored and Path(stored).is_file():
        with open(stored, "rb") as handle:
            # Written by this run's runner into its private build folder (see the module docstring).
            record = pickle.load(handle)
        if _usable(record, folder):
            return record["dataset"]
        del record
    return datasets.load(folder)
