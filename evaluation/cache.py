"""Compute once, render many: results shared by the notebooks of one run.

The impact estimate with its bootstrap is quoted by the impact, findings, costs
and heterogeneity reports; the robustness results by the robustness report and
the findings. Within one ``gcio-eval run`` each is computed once: the first
notebook that needs it stores it, the others read it.

The key of a stored result is the content of its inputs, not their names: the
hash of every data frame passed (values, index, column names and dtypes), the
parameters, and the code version (the hash of the package's source files). A
result is therefore never reused for other data, other parameters or other
code. Results are kept only in the folder the runner names in
``GCIO_CACHE_DIR`` (inside the run's private build folder, deleted with it), so
nothing outside a run can put a result there; without it (an evaluator running a
notebook in JupyterLab), ``memo`` simply computes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar

import numpy as np
import pandas as pd

ENV = "GCIO_CACHE_DIR"
#: The name of that folder inside a run's build folder (the runner deletes it before the outputs are swapped in);
#: the checked dataset and the tables queued for the workbooks are kept there too.
FOLDER_NAME = ".cache"
T = TypeVar("T")

_stats = {"hits": 0, "misses": 0}


@lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of the package's Python sources (a change of code never reuses an old result)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _frame_digest(frame: pd.DataFrame | pd.Series) -> str:
    digest = hashlib.sha256()
    if isinstance(frame, pd.Series):
        names, dtypes = [frame.name], [frame.dtype]
    else:
        names, dtypes = list(frame.columns), list(frame.dtypes)
    digest.update(json.dumps([str(c) for c in names]).encode())
    digest.update(json.dumps([str(t) for t in dtypes]).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _value(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return {"frame": _frame_digest(value)}
    if isinstance(value, np.ndarray):
        return {"array": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(), "shape": value.shape,
                "dtype": str(value.dtype)}
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_value(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    raise TypeError(f"cache key: {type(value).__name__} values are not hashed; pass frames, arrays or plain values")


def key(name: str, *frames, **params) -> str:
    """The key of a result: its name, the content of ``frames``, ``params`` and the code version."""
    payload = {"name": name, "frames": [_value(f) for f in frames], "params": _value(params),
               "code": code_version()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def folder() -> Path | None:
    """The run's cache folder, or None outside a run."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def memo(name: str, compute: Callable[[], T], *frames, **params) -> T:
    """``compute()``, or the result a notebook of the same run already computed from the same inputs.

    Two notebooks that ask at once (``--jobs 2``) do not both compute: the
    second waits on a lock for the first, then reads its result.
    """
    where = folder()
    if where is None:
        return compute()
    where.mkdir(parents=True, exist_ok=True)
    digest = key(name, *frames, **params)
    stored = where / f"{digest}.pickle"
    with open(where / f"{digest}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if stored.is_file():
                with stored.open("rb") as handle:
                    result = pickle.load(handle)  # written by this run only (see the module docstring)
                _stats["hits"] += 1
                return result
            result = compute()
            partial = stored.with_suffix(".partial")
            with partial.open("wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            partial.replace(stored)
            _stats["misses"] += 1
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def stats() -> dict:
    """Hits and misses of this process (for tests and the benchmark)."""
    return dict(_stats)
