"""`make test`, the command CI and the README give, runs the whole suite on two pytest-xdist workers.

Two workers write nothing in common only if every test writes under its own temporary folder; the
distribution must keep a test file on one worker (each notebook's nbval cells share one kernel, and a
module's fixtures would otherwise be built twice). This file checks the command itself and that the
README quotes it as it is.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def test_command() -> list[str]:
    """The pytest command line `make test` runs (printed by `make -n`, nothing executed)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    out = subprocess.run(["make", "-n", "-B", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if " -m pytest " in line]
    assert len(lines) == 1, f"`make test` should run pytest once, it prints: {lines}"
    return shlex.split(lines[0])


def test_make_test_runs_the_whole_suite_on_two_workers_one_file_each(test_command):
    args = test_command[test_command.index("pytest") + 1:]
    assert args[:3] == ["tests", "notebooks", "--nbval-lax"], args
    assert args[args.index("-n") + 1] == "2", args
    # loadfile (or loadscope) keeps a notebook's cells and a module's fixtures on one worker; plain
    # `load` would send nbval cells of one notebook to two kernels.
    assert args[args.index("--dist") + 1] in {"loadfile", "loadscope"}, args


def test_readme_quotes_the_command_make_test_runs(test_command):
    args = " ".join(test_command[test_command.index("pytest"):])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tests_section = readme[readme.index("\n## Tests\n"):]
    tests_section = tests_section[:tests_section.index("\n## ", 1)]
    quoted = re.findall(r"`make test` runs `([^`]+)`", tests_section)
    assert quoted == [args], (f"README's Tests section quotes {quoted}, `make test` runs `{args}`. "
                              "Fix: update the README's Tests section (or the Makefile's test target).")



def test_the_files_started_first_exist():
    # tests/conftest.py moves these to the front under xdist; a renamed file would silently lose its place.
    spec = importlib.util.spec_from_file_location("suite_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # by path: three conftest.py share the module name "conftest"
    missing = [name for name in module.START_FIRST if not (ROOT / name).is_file()]
    assert module.START_FIRST and not missing, f"tests/conftest.py START_FIRST names files that do not exist: {missing}"
