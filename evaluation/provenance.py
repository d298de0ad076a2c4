"""What a run was made with: software, code, notebooks, configuration and every parameter.

The runner writes this into ``manifest.json`` under ``provenance``, so anyone holding a year's
outputs can tell which versions of which packages, which commit of the code, which notebooks
and which parameter values produced its numbers, and rebuild that environment from
``requirements/*.lock.txt``. It follows the "software and versions" and "code" items of the
replication checklists of DIME Analytics and of the AEA Data Editor: record what ran, not what
was meant to run.

Everything here is read-only and never makes a run fail: a machine without git, or a copy of
the code that is not a git checkout, is recorded as such. Nothing recorded is an absolute path
or a user name (the manifest is shared with the reports): files are named relative to the
project or the data folder, or by their name alone.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import platform
import re
import subprocess
from pathlib import Path
from typing import Any, Iterable, Mapping

from evaluation import paths

#: What ``git`` says of a copy of the code that is not a checkout of the project's repository.
NOT_A_CHECKOUT = "not a git checkout"
#: At most this many changed files are named in ``git.changed``; the count is always given.
MAX_CHANGED_NAMES = 50


def record(*, notebooks: Iterable[Path], parameters: Mapping[Path, Mapping[str, Any]], data_dir: Path,
           output_dir: Path | None = None, config: Path | None = None, plan: Path | None = None,
           project_root: Path | None = None) -> dict[str, Any]:
    """The ``provenance`` section of a run's manifest.

    Parameters
    ----------
    notebooks : the notebooks this run executed (the source files, not the executed copies).
    parameters : per notebook, the parameters the run passed to papermill.
    data_dir : the data folder (paths inside it are recorded relative to it).
    output_dir : the folder the run writes into (a parameter pointing there is recorded as ``.``).
    config : the ``--config`` file, if any.
    plan : the analysis plan file, if the run has one.
    project_root : the copy of the code that ran (default: the one this module belongs to).

    Returns
    -------
    dict
        ``python``, ``platform``, ``distributions`` (every installed distribution's version),
        ``git``, ``config``, ``dataset_config`` (the data folder's ``dataset.yml``), ``plan``,
        and ``notebooks``: for each notebook its file, SHA-256 and the effective value of every
        parameter its ``parameters`` cell declares (the default where the run passed none).
    """
    root = Path(project_root or paths.PROJECT_ROOT)
    places = _Places(root=root, data_dir=Path(data_dir), output_dir=output_dir)
    metadata = paths.metadata_file(data_dir)
    return {
        "python": {"version": platform.python_version(), "implementation": platform.python_implementation()},
        "platform": {"system": platform.system(), "machine": platform.machine()},
        "distributions": distributions(),
        "git": git_state(root),
        "config": _file_record(config, places) if config else None,
        "dataset_config": _file_record(metadata, places) if metadata else None,
        "plan": _file_record(plan, places) if plan else None,
        "notebooks": {
            Path(nb).stem: {
                **_file_record(Path(nb), places),
                "parameters": effective_parameters(Path(nb), parameters.get(nb, {}), places),
            }
            for nb in notebooks
        },
    }


def distributions() -> dict[str, str]:
    """Name and version of every distribution installed in this interpreter's environment, by name.

    When a name is installed twice on ``sys.path`` (a stale copy), the first one, the one
    ``import`` finds, is recorded.
    """
    found: dict[str, tuple[str, str]] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = re.sub(r"[-_.]+", "-", name).lower()
        found.setdefault(key, (name, dist.version))
    return dict(sorted(found.values(), key=lambda pair: pair[0].lower()))


def git_state(root: str | os.PathLike[str]) -> dict[str, Any]:
    """The commit of the code in ``root`` and whether tracked files differ from it.

    ``dirty`` is True when a tracked file is modified, staged, deleted or renamed (git's own
    meaning, as in ``git describe --dirty``). ``changed`` names those files relative to the
    repository, and ``untracked`` the files git does not track and does not ignore (a new
    module not committed yet; ignored ones such as outputs and the virtual environment are
    left out), at most ``MAX_CHANGED_NAMES`` of each, with their counts. When
    ``root`` is not the top of a git work tree (an installed copy of the package, a folder
    unpacked from a zip), or git is missing or refuses, ``commit`` and ``dirty`` are None and
    ``status`` says why.
    """
    root = Path(root).resolve()
    top = _git(root, "rev-parse", "--show-toplevel")
    if isinstance(top, _GitFailure):
        return {"commit": None, "dirty": None, "status": top.reason}
    # An installed copy of the package can sit inside some other repository (a virtual
    # environment in a checkout): that repository's commit says nothing about this code.
    if Path(top.strip()).resolve() != root:
        return {"commit": None, "dirty": None, "status": NOT_A_CHECKOUT}
    commit = _git(root, "rev-parse", "HEAD")
    if isinstance(commit, _GitFailure):  # a repository without any commit yet
        return {"commit": None, "dirty": None, "status": commit.reason}
    changes = _git(root, "status", "--porcelain", "--untracked-files=all")
    if isinstance(changes, _GitFailure):
        return {"commit": commit.strip(), "dirty": None, "status": changes.reason}
    changed_names: set[str] = set()
    untracked_names: set[str] = set()
    for line in changes.splitlines():
        if len(line) > 3:
            name = line[3:].split(" -> ")[-1].strip('"')
            (untracked_names if line.startswith("??") else changed_names).add(name)
    changed, untracked = sorted(changed_names), sorted(untracked_names)
    return {"commit": commit.strip(), "dirty": bool(changed), "status": "dirty" if changed else "clean",
            "changed_count": len(changed), "changed": changed[:MAX_CHANGED_NAMES],
            "untracked_count": len(untracked), "untracked": untracked[:MAX_CHANGED_NAMES]}


def declared_defaults(notebook: Path) -> dict[str, Any]:
    """The names and default values of a notebook's ``parameters`` cell, in the order declared.

    Read with papermill's own parser (the one that decides what it injects). A default that
    is a Python literal is recorded as its value (``999``, ``"POL07"``, ``None``, a list); any
    other expression as ``{"expression": its source text}`` (papermill does not evaluate it either).
    """
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    return {name: _literal(info.get("default")) for name, info in declared.items()}


def effective_parameters(notebook: Path, passed: Mapping[str, Any], places: "_Places | None" = None) -> dict:
    """Every declared parameter's value in this run: what the run passed, else the default.

    Paths are recorded relative to the data folder, the output folder or the project (see
    :class:`_Places`). Names the run passed that the notebook does not declare (papermill
    would ignore them; the runner refuses them) are kept too, so nothing passed is hidden.
    """
    places = places or _Places(root=Path(paths.PROJECT_ROOT))
    values = declared_defaults(notebook)
    values.update(passed)
    return {name: _jsonable(places.relative(value)) for name, value in values.items()}


# ---------------------------------------------------------------- helpers


class _GitFailure:
    def __init__(self, reason: str):
        self.reason = reason


def _git(root: Path, *args: str) -> str | _GitFailure:
    # GIT_OPTIONAL_LOCKS=0: `git status` must not take the index lock of a checkout someone is using.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20,
                             env=env, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return _GitFailure("git is not installed; commit unknown")
    except (OSError, subprocess.SubprocessError) as exc:
        return _GitFailure(f"git did not answer ({type(exc).__name__}); commit unknown")
    if out.returncode != 0:
        message = out.stderr.lower()
        if "not a git repository" in message:
            return _GitFailure(NOT_A_CHECKOUT)
        if "dubious ownership" in message:
            return _GitFailure("git refused the checkout (owned by another user); commit unknown")
        if "unknown revision" in message or "ambiguous argument 'head'" in message:
            return _GitFailure("a git repository without any commit")
        return _GitFailure(f"git failed (exit {out.returncode}); commit unknown")
    return out.stdout


class _Places:
    """Turn absolute paths into names that say where a file is without naming a person or machine."""

    def __init__(self, *, root: Path, data_dir: Path | None = None, output_dir: Path | None = None):
        self.anchors: list[tuple[Path, str | None]] = []
        if output_dir is not None:
            self.anchors.append((Path(output_dir).resolve(), "."))
        if data_dir is not None:
            self.anchors.append((Path(data_dir).resolve(), Path(data_dir).resolve().name))
        self.anchors.append((Path(root).resolve(), None))  # inside the project: relative to it

    def relative(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return type(value)(self.relative(v) for v in value)
        if isinstance(value, dict):
            return {k: self.relative(v) for k, v in value.items()}
        if not isinstance(value, (str, os.PathLike)) or not os.path.isabs(os.fspath(value)):
            return value
        return self.name(Path(os.fspath(value)))

    def name(self, path: Path) -> str:
        """``path`` relative to the first anchor that holds it, else its name alone."""
        path = path.resolve()
        for anchor, label in self.anchors:
            if path == anchor or anchor in path.parents:
                rel = path.relative_to(anchor).as_posix()
                if label is None:
                    return rel
                return label if rel == "." else (rel if label == "." else f"{label}/{rel}")
        return path.name


def _file_record(path: Path, places: _Places) -> dict[str, str]:
    return {"file": places.name(Path(path)), "sha256": paths.file_sha256(path)}


def _literal(source: Any) -> Any:
    if not isinstance(source, str):
        return source
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return {"expression": source}


def _jsonable(value: Any) -> Any:
    """The value if JSON can hold it (tuples become lists), else its ``repr``: a manifest always writes."""
    try:
        json.dumps(value, allow_nan=True)
        return value
    except (TypeError, ValueError):
        return repr(value)


__all__ = ["NOT_A_CHECKOUT", "declared_defaults", "distributions", "effective_parameters", "git_state", "record"]

