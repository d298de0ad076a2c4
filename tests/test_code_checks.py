"""The lint (ruff) and the type check (mypy) run as tests, so `make test`, and with it CI, fails on their findings.

Both tools are in the test lock (requirements/test.lock.txt), which `make test` installs, and read their
settings from pyproject.toml: ``[tool.ruff]`` (the folders below) and ``[tool.mypy]`` (the package
``evaluation``). They run from the project root as subprocesses of this interpreter and write no cache
into the repository (ruff none, mypy one under the test's temporary folder), so two pytest-xdist workers
never share one.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The folders ruff checks (the notebooks are checked by nbval, not linted).
LINTED = ("evaluation", "tests", "benchmarks", "requirements")
#: Modules exempt from both tools: none left (an exemption may be removed, never widened).
EXEMPT: set[str] = set()


def _run(tool: str, *args: str, timeout: int) -> subprocess.CompletedProcess:
    out = subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout)
    assert f"No module named {tool}" not in out.stderr, (
        f"{tool} is not installed in {sys.prefix}. Fix: install the test lock (`make test` does, or "
        "`.venv/bin/uv pip install --no-deps -r requirements/test.lock.txt`).")
    return out


def test_ruff_reports_nothing():
    out = _run("ruff", "check", "--no-cache", *LINTED, timeout=300)
    assert out.returncode == 0, (
        f"`python -m ruff check {' '.join(LINTED)}` reports:\n{out.stdout}{out.stderr}\n"
        "Fix the code (`--fix` sorts imports and removes unused ones), or, for a false positive, add a "
        "`# noqa: CODE` with the reason on that line.")


def test_mypy_reports_nothing(tmp_path):
    out = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"), timeout=600)
    assert out.returncode == 0, (
        f"`python -m mypy` (the package evaluation, settings in pyproject.toml) reports:\n{out.stdout}{out.stderr}")
    assert "Success: no issues found" in out.stdout, out.stdout


def test_no_module_escapes_the_checks():
    """No module outside ``EXEMPT`` (now empty) escapes either tool through pyproject.toml."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    ignored = set()
    for override in tool["mypy"].get("overrides", []):
        if override.get("ignore_errors"):
            modules = override["module"]
            ignored |= {modules} if isinstance(modules, str) else set(modules)
    assert ignored <= EXEMPT, f"mypy ignores the errors of {sorted(ignored - EXEMPT)} too"
    per_file = tool["ruff"]["lint"].get("per-file-ignores", {})
    files = {path.removesuffix(".py").replace("/", ".") for path in per_file}
    assert files <= EXEMPT, f"ruff ignores rules in {sorted(files - EXEMPT)} too"
    assert "exclude" not in tool["mypy"] and "exclude" not in tool["ruff"] and "extend-exclude" not in tool["ruff"]
