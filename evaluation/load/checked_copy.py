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

The outcome rows (6 million on the real data, about 250 MB) are not in the
pickle but in an Arrow file beside it, which every kernel maps into memory
instead of reading: the kernels running at the same time then share one copy
of those pages (the operating system's, of the file) instead of holding one
each. The columns are the file's memory, read-only, and the table is the same
as the checked one (same columns, dtypes, values and index). A table Arrow
cannot map as it is (another index, a column of another kind) stays in the
pickle, as before.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import paths
from evaluation.load import dataset as datasets

ENV = "GCIO_CHECKED_DATASET"
FILE_NAME = "checked-dataset.pickle"
OUTCOMES_FILE_NAME = "checked-outcomes.arrow"
_TOKEN_KEY = "gcio-checked-copy"
_FORMAT = 2


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
              "inputs": hashes if hashes is not None else input_hashes(dataset), "dataset": dataset,
              "outcomes": None}
    if _mappable(dataset.outcomes):
        # a token in both files: a kernel never pairs this pickle with another run's (or a damaged) Arrow file
        record["token"] = os.urandom(16).hex()
        record["outcomes"] = _write_mapped(dataset.outcomes, folder / OUTCOMES_FILE_NAME, record["token"]).name
        record["dataset"] = dataclasses.replace(dataset, outcomes=dataset.outcomes.iloc[:0])
    partial = target.with_suffix(".partial")
    with partial.open("wb") as handle:
        pickle.dump(record, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(target)
    return target


def _mappable(table: pd.DataFrame) -> bool:
    """Whether Arrow can hold ``table`` so that mapping the file gives it back as it is, without a copy."""
    if not isinstance(table.index, pd.RangeIndex) or table.index.start != 0 or table.index.step != 1:
        return False
    if not all(isinstance(name, str) for name in table.columns) or not table.columns.is_unique:
        return False
    for _, column in table.items():
        dtype = column.dtype
        if isinstance(dtype, pd.StringDtype):
            if dtype.storage != "pyarrow":
                return False
        elif not (isinstance(dtype, np.dtype) and dtype.kind in "iuf"):
            return False
    return True


def _write_mapped(table: pd.DataFrame, target: Path, token: str = "") -> Path:
    """Write ``table`` (see :func:`_mappable`) as one Arrow record batch, each column as pandas holds it."""
    import pyarrow as pa

    columns = {}
    for name, column in table.items():
        if isinstance(column.dtype, pd.StringDtype):
            columns[name] = pa.array(column.array)  # the Arrow strings pandas holds
        else:
            # from_pandas=False: a NaN stays a NaN (not an Arrow null), so the column maps back as it was
            columns[name] = pa.array(column.to_numpy(), from_pandas=False)
    arrow = pa.table(columns).combine_chunks().replace_schema_metadata({_TOKEN_KEY: token})
    partial = target.with_suffix(".partial")
    with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_file(sink, arrow.schema) as writer:
        writer.write_table(arrow, max_chunksize=max(len(table), 1))
    del arrow, columns
    partial.replace(target)
    return target


def _read_mapped(path: Path, dtypes: pd.Series, token: str = "") -> pd.DataFrame | None:
    """The table :func:`_write_mapped` wrote, its columns in the mapped file, of ``dtypes``.

    The file is mapped copy-on-write: its pages are shared with every other process that maps it
    until one is written to; a write (a notebook changing a value in place) changes a private copy
    of that page, never the file. None when the file is not the one written with the pickle (``token``)
    or holds other columns.
    """
    import mmap

    import pyarrow as pa

    with open(path, "rb") as handle:
        memory = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    whole = pa.py_buffer(memory)
    arrow = pa.ipc.open_file(pa.BufferReader(whole)).read_all()  # no copy: slices of the mapped bytes
    if (arrow.schema.metadata or {}).get(_TOKEN_KEY.encode()) != token.encode() or \
            list(arrow.column_names) != [str(name) for name in dtypes.index]:
        return None  # not the file written with this pickle: the caller checks the folder itself
    columns = {}
    for name, column in zip(arrow.column_names, arrow.columns):
        dtype = dtypes[name]
        if isinstance(dtype, pd.StringDtype):
            columns[name] = pd.array(column, dtype=dtype)
            continue
        chunk = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        values = chunk.buffers()[1] if len(chunk) else None
        if values is None or chunk.null_count or column.num_chunks != 1:
            columns[name] = chunk.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
        else:
            # numpy over the mapped bytes themselves (Arrow's own view of them would be read-only)
            offset = values.address - whole.address + chunk.offset * dtype.itemsize
            columns[name] = np.frombuffer(memory, dtype=dtype, count=len(chunk), offset=offset)
    return pd.DataFrame(columns, index=pd.RangeIndex(arrow.num_rows), copy=False)


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
            dataset = record["dataset"]
            if not record.get("outcomes"):
                return dataset
            try:
                mapped = _read_mapped(Path(stored).parent / record["outcomes"], dataset.outcomes.dtypes,
                                      record.get("token", ""))
            except (OSError, ValueError, KeyError, TypeError):  # gone, unreadable or not this one: check the folder
                mapped = None
            if mapped is not None:
                return dataclasses.replace(dataset, outcomes=mapped)
        del record
    return datasets.load(folder)
