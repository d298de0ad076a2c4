"""Compile the lock files of exact versions from pyproject.toml (``make lock`` runs this).

Two files, both for CPython 3.11 on x86_64 Linux (the project's machines and CI):

- ``test.lock.txt``: the runtime dependencies plus the ``test`` extra, resolved together;
- ``runtime.lock.txt``: the runtime dependencies alone, constrained to the versions of
  ``test.lock.txt``, so the reports run on exactly the versions the tests ran on.

The resolver is ``uv pip compile`` (the version pinned in pyproject's ``lock`` extra). It
resolves against PyPI, never against what happens to be installed, and keeps the versions
already in a lock file when they still satisfy pyproject (``--upgrade`` moves everything to
the newest versions that resolve). Each file starts with a line
``# pyproject-sha256: ...``, the hash of the dependency lists it was compiled from;
``tests/test_environment.py`` recomputes it, so a lock left stale after an edit of
pyproject.toml fails the tests.

Standard library only: the Makefile runs ``python3 requirements/lock.py --tool`` before any
virtual environment exists, to learn which uv to install.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "requirements"
RUNTIME_LOCK = FOLDER / "runtime.lock.txt"
TEST_LOCK = FOLDER / "test.lock.txt"
#: The interpreter and platform the locks are resolved for (uv's --python-version, --python-platform).
#: "3.11" means any 3.11.x: a package release that needs a later patch level is not chosen.
PYTHON_VERSION = "3.11"
PYTHON_PLATFORM = "x86_64-unknown-linux-gnu"
HASH_PREFIX = "# pyproject-sha256: "


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def dependency_hash() -> str:
    """SHA-256 of what the locks are compiled from: requires-python, the runtime and test lists, the target.

    The lists are hashed as written (order and spelling included): any edit of them asks for
    ``make lock``, which is cheap and keeps the locked versions that still fit.
    """
    project = _project()
    source = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "test": project.get("optional-dependencies", {}).get("test", []),
        "target": [PYTHON_VERSION, PYTHON_PLATFORM],
    }
    return hashlib.sha256(json.dumps(source, sort_keys=True).encode("utf-8")).hexdigest()


def tool_requirement() -> str:
    """The pinned lock tool, e.g. ``uv==0.13.9`` (pyproject's ``lock`` extra)."""
    (pin,) = _project()["optional-dependencies"]["lock"]
    return pin


def recorded_hash(lock: Path) -> str | None:
    """The ``pyproject-sha256`` a lock file was compiled from, or None if it has none."""
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(HASH_PREFIX):
            return line[len(HASH_PREFIX):].strip()
    return None


def _compile(output: Path, *, extra: str | None, constraint: Path | None, upgrade: bool, uv: str) -> None:
    command = [uv, "pip", "compile", str(ROOT / "pyproject.toml"), "--output-file", str(output),
               "--python-version", PYTHON_VERSION, "--python-platform", PYTHON_PLATFORM,
               "--custom-compile-command", "make lock", "--annotation-style", "line", "--quiet"]
    if extra:
        command += ["--extra", extra]
    if constraint is not None:
        command += ["--constraint", str(constraint)]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, check=True, cwd=ROOT)
    what = ("the runtime dependencies and the `test` extra of pyproject.toml" if extra == "test" else
            "the runtime dependencies of pyproject.toml, at the versions of test.lock.txt")
    header = (f"# Exact versions of {what},\n"
              f"# for CPython {PYTHON_VERSION} on {PYTHON_PLATFORM}. Do not edit: `make lock` rewrites it,\n"
              "# and tests/test_environment.py checks it against pyproject.toml and environment.yml.\n"
              f"{HASH_PREFIX}{dependency_hash()}\n")
    # uv writes paths relative to the working directory in its "via" notes; keep the file free of them.
    body = output.read_text(encoding="utf-8").replace(str(ROOT) + "/", "")
    output.write_text(header + body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", action="store_true", help="print the pinned lock tool requirement and stop")
    parser.add_argument("--upgrade", action="store_true", help="move to the newest versions that resolve")
    parser.add_argument("--uv", default="uv", help="the uv executable (default: uv on PATH)")
    args = parser.parse_args(argv)
    if args.tool:
        print(tool_requirement())
        return 0
    _compile(TEST_LOCK, extra="test", constraint=None, upgrade=args.upgrade, uv=args.uv)
    # Constrained by the test lock (not re-resolved): the runtime versions are the tested ones.
    _compile(RUNTIME_LOCK, extra=None, constraint=TEST_LOCK, upgrade=args.upgrade, uv=args.uv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
