"""The manifest's provenance: versions, code state, notebook and config hashes, effective parameters."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from evaluation import paths, provenance, runner
from evaluation.demo import write_demo

YEAR = 2025
HAS_GIT = shutil.which("git") is not None


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _notebook(path: Path, parameters: str, body: str = "print('ok')") -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A tiny report"), cell, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


PARAMETERS = (
    'year = 0  # evaluation year\n'
    'data_dir = ""  # data folder\n'
    'output_dir = ""  # output folder\n'
    'outcome = "POL07"  # indicator\n'
    'bootstrap = 999  # draws\n'
    'levels = ["national", "territorial"]  # a list default\n'
    'alpha = None  # no value\n'
    'window = max(3, 2)  # not a literal\n'
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One run of two tiny notebooks on a small demo, with a config that sets one parameter."""
    root = tmp_path_factory.mktemp("provenance")
    data = write_demo(root / "data", municipalities=20)
    notebooks = root / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / "01_first.ipynb", PARAMETERS)
    _notebook(notebooks / "02_second.ipynb", 'year = 0  # y\ndata_dir = ""  # d\noutput_dir = ""  # o\n'
              'outcome = "IDI"  # its own default\n')
    config = root / "run.yaml"
    config.write_text("parameters: {outcome: POL08}\nnotebooks: {second: {outcome: GEL}}\n", encoding="utf-8")
    outcome = runner.run(YEAR, data=data, config=config, notebooks_dir=notebooks, output_root=root / "outputs",
                         progress=lambda message: None)
    assert outcome.ok
    written = json.loads((outcome.folder / "manifest.json").read_text(encoding="utf-8"))
    return {"root": root, "data": data, "notebooks": notebooks, "config": config, "manifest": written}


def test_manifest_records_every_installed_distribution_version(run):
    recorded = run["manifest"]["provenance"]["distributions"]
    for name in ("pandas", "numpy", "papermill", "nbformat", "statsmodels"):
        assert recorded[name] == importlib.metadata.version(name)
    installed = {re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in importlib.metadata.distributions()
                 if d.metadata["Name"]}
    assert {re.sub(r"[-_.]+", "-", n).lower() for n in recorded} == installed


def test_manifest_records_python_and_the_code_state(run):
    prov = run["manifest"]["provenance"]
    assert prov["python"]["version"] == platform.python_version()
    git = prov["git"]
    assert git["commit"] == provenance.git_state(paths.PROJECT_ROOT)["commit"]
    assert run["manifest"]["git_commit"] == (git["commit"] or "unknown")
    top = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True) if HAS_GIT else None
    if top is not None and top.returncode == 0 and Path(top.stdout.strip()).resolve() == paths.PROJECT_ROOT:
        head = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert git["commit"] == head and isinstance(git["dirty"], bool)
    else:
        assert git["commit"] is None and git["status"]


def test_manifest_records_the_hash_of_each_notebook_and_of_the_config(run):
    prov = run["manifest"]["provenance"]
    assert set(prov["notebooks"]) == {"01_first", "02_second"}
    for stem, entry in prov["notebooks"].items():
        assert entry["file"] == f"{stem}.ipynb"  # outside the project: the name alone
        assert entry["sha256"] == _sha256(run["notebooks"] / f"{stem}.ipynb")
    assert prov["config"] == {"file": "run.yaml", "sha256": _sha256(run["config"])}
    assert prov["dataset_config"] == {"file": "data/dataset.yml", "sha256": _sha256(run["data"] / "dataset.yml")}
    assert prov["plan"] is None


def test_manifest_records_every_parameter_with_defaults_filled_in(run):
    notebooks = run["manifest"]["provenance"]["notebooks"]
    assert notebooks["01_first"]["parameters"] == {
        "year": YEAR,                      # the runner's
        "data_dir": "data",                # the data folder, by name
        "output_dir": ".",                 # the year's output folder itself
        "outcome": "POL08",                # the config's shared parameters
        "bootstrap": 999,                  # left at its default
        "levels": ["national", "territorial"],
        "alpha": None,
        "window": {"expression": "max(3, 2)"},
    }
    assert notebooks["02_second"]["parameters"]["outcome"] == "GEL"  # per-notebook beats shared
    # The parameters the runner passed, as before, are still under notebooks (without the two folders).
    assert run["manifest"]["notebooks"]["01_first"]["parameters"] == {"year": YEAR, "outcome": "POL08"}


def test_provenance_names_no_absolute_path_or_user(run):
    text = json.dumps(run["manifest"]["provenance"])
    for word in (str(run["root"]), str(run["root"].resolve()), str(Path.home()) + "/", str(paths.PROJECT_ROOT),
                 "/tmp/", "pytest-of-"):
        assert word not in text, word


def test_a_plan_file_is_recorded_by_name_and_hash(tmp_path):
    plan = tmp_path / "plan.yml"
    plan.write_text("primary_outcome: POL07\n", encoding="utf-8")
    data = write_demo(tmp_path / "data", municipalities=20)
    recorded = provenance.record(notebooks=[], parameters={}, data_dir=data, plan=plan, project_root=tmp_path)
    assert recorded["plan"] == {"file": "plan.yml", "sha256": _sha256(plan)}
    assert recorded["config"] is None and recorded["notebooks"] == {}


# ---------------------------------------------------------------- git state


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           "-c", "commit.gpgsign=false", *args],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path):
    if not HAS_GIT:
        pytest.skip("git is not installed")
    repo = tmp_path / "code"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "estimate.py").write_text("EFFECT = 1\n", encoding="utf-8")
    (repo / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    return repo


def test_dirty_flag_flips_when_a_tracked_file_is_modified(repo):
    clean = provenance.git_state(repo)
    assert clean["commit"] == _git(repo, "rev-parse", "HEAD").strip()
    assert clean["dirty"] is False and clean["status"] == "clean" and clean["changed"] == []

    (repo / "estimate.py").write_text("EFFECT = 2\n", encoding="utf-8")
    dirty = provenance.git_state(repo)
    assert dirty["dirty"] is True and dirty["changed"] == ["estimate.py"] and dirty["commit"] == clean["commit"]

    _git(repo, "checkout", "-q", "--", "estimate.py")
    assert provenance.git_state(repo)["dirty"] is False


def test_untracked_files_are_listed_but_do_not_make_the_tree_dirty(repo):
    (repo / "outputs").mkdir()
    (repo / "outputs" / "report.html").write_text("x", encoding="utf-8")  # ignored: not listed
    (repo / "new_module.py").write_text("X = 1\n", encoding="utf-8")
    state = provenance.git_state(repo)
    assert state["dirty"] is False and state["untracked"] == ["new_module.py"] and state["untracked_count"] == 1
    _git(repo, "add", "new_module.py")  # staged: now it differs from the commit
    assert provenance.git_state(repo)["dirty"] is True


def test_a_folder_that_is_not_a_checkout_is_recorded_as_such(tmp_path, repo):
    plain = tmp_path / "unzipped"
    plain.mkdir()
    assert provenance.git_state(plain) == {"commit": None, "dirty": None, "status": provenance.NOT_A_CHECKOUT}
    # An installed copy inside another repository (a virtual environment in a checkout) is not that checkout.
    inside = repo / "venv" / "site-packages"
    inside.mkdir(parents=True)
    assert provenance.git_state(inside)["status"] == provenance.NOT_A_CHECKOUT


def test_a_repository_without_commits_is_recorded_not_raised(tmp_path):
    if not HAS_GIT:
        pytest.skip("git is not installed")
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "-C", str(empty), "init", "-q"], check=True)
    state = provenance.git_state(empty)
    assert state["commit"] is None and state["dirty"] is None and "without any commit" in state["status"]


def test_a_machine_without_git_records_that_and_does_not_fail(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    state = provenance.git_state(repo)
    assert state == {"commit": None, "dirty": None, "status": "git is not installed; commit unknown"}
    data = write_demo(tmp_path / "data", municipalities=20)
    assert provenance.record(notebooks=[], parameters={}, data_dir=data, project_root=repo)["git"] == state
