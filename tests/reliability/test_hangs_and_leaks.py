"""Hangs (a cell that never returns, a kernel that does not start) and leaks (paths, user names, private files)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from conftest import YEAR, dataset_dir, mini_notebook, run_args, tree_digest
from evaluation import cli, paths, runner

# ------------------------------------------------------------------ hangs

@pytest.mark.slow
def test_a_cell_that_never_returns_fails_its_notebook_after_the_cell_timeout(data, outputs, tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    mini_notebook(notebooks / "01_first.ipynb")
    mini_notebook(notebooks / "02_second.ipynb", body="import time\nwhile True:\n    time.sleep(1)")
    before, user = tree_digest(dataset_dir(outputs) / str(YEAR)), tree_digest(data)
    started = time.monotonic()
    code = cli.main(run_args(data, outputs, notebooks, "--cell-timeout", "3"))
    assert time.monotonic() - started < 90
    err = capsys.readouterr().err
    assert code == 1, err
    assert "ran longer than the cell timeout (3 s)" in err and "--cell-timeout" in err, err
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before and tree_digest(data) == user
    manifest = json.loads((dataset_dir(outputs) / f"{YEAR}-failed" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"]["01_first"]["status"] == "ok"
    assert manifest["notebooks"]["02_second"]["status"] == "failed"


def test_default_cell_timeout_is_thirty_minutes(capsys):
    assert runner.CELL_TIMEOUT == 30 * 60
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--cell-timeout SECONDS" in help_text and "default 1800 = 30 min" in help_text
    assert "--start-timeout SECONDS" in help_text


def _fake_papermill(monkeypatch, failures: int, calls: list):
    def execute(notebook, target, **kwargs):
        calls.append(kwargs)
        if len(calls) <= failures:
            raise RuntimeError("Kernel didn't respond in 60 seconds")  # nbclient's message; no cell ran
        Path(target).write_text(json.dumps({"cells": [{"cell_type": "code", "execution_count": 1, "source": "",
                                                       "metadata": {}, "outputs": []}],
                                            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setattr(runner.papermill, "execute_notebook", execute)


def test_a_kernel_that_fails_to_start_is_started_again(monkeypatch, tmp_path):
    calls: list = []
    _fake_papermill(monkeypatch, failures=2, calls=calls)
    result = runner._execute("nb.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path), cell_timeout=5,
                             start_timeout=7)
    assert result["status"] == "ok" and len(calls) == 3
    assert calls[0]["start_timeout"] == 7 and calls[0]["execution_timeout"] == 5


def test_a_kernel_that_never_starts_fails_with_one_message(monkeypatch, tmp_path):
    calls: list = []
    _fake_papermill(monkeypatch, failures=99, calls=calls)
    result = runner._execute("nb.ipynb", str(tmp_path / "out.ipynb"), {}, str(tmp_path))
    assert result["status"] == "failed" and len(calls) == runner.KERNEL_START_ATTEMPTS
    assert "did not start after 3 attempts" in result["error"]


def test_a_failing_cell_is_not_retried(monkeypatch, tmp_path):
    calls = []

    def execute(notebook, target, **kwargs):
        calls.append(1)
        Path(target).write_text(json.dumps({"cells": [{"cell_type": "code", "execution_count": 3, "source": "",
                                                       "metadata": {}, "outputs": []}],
                                            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        raise RuntimeError("Kernel died")

    monkeypatch.setattr(runner.papermill, "execute_notebook", execute)
    assert runner._execute("nb.ipynb", str(tmp_path / "o.ipynb"), {}, str(tmp_path))["status"] == "failed"
    assert len(calls) == 1


# ------------------------------------------------------------------ leaks

def _shared_text(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8", errors="replace")
            for p in folder.rglob("*") if p.is_file()}


def _assert_no_paths(folder: Path, data: Path, out: Path, secret_user: str) -> None:
    forbidden = [str(data), str(data.resolve()), str(out), str(out.resolve()), secret_user, str(Path.home()) + "/",
                 str(paths.PROJECT_ROOT), "pytest-of-", "/tmp/"]
    for name, text in _shared_text(folder).items():
        for word in forbidden:
            assert word not in text, f"{name} contains {word!r}"


@pytest.fixture
def personal_data(data, tmp_path) -> Path:
    """The data folder inside a folder named after a person, as on a laptop."""
    folder = tmp_path / "home" / "maria.fernandez" / "Documentos" / "datos-gcio"
    folder.parent.mkdir(parents=True)
    shutil.copytree(data, folder)
    return folder


def test_manifest_records_only_the_contract_files_by_relative_name(personal_data, tmp_path, mini_notebooks):
    out = tmp_path / "outputs"
    assert cli.main(run_args(personal_data, out, mini_notebooks)) == 0
    manifest = json.loads((dataset_dir(out) / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["inputs"]) == {"entities.csv", "adoption.csv", "outcomes.csv", "monitoring.csv",
                                       "survey_ict_offices.csv", "survey_directors.csv", "costs.csv",
                                       "dataset.yml", "truth.csv"}
    assert "private_notes.txt" not in json.dumps(manifest)
    assert manifest["data_dir"] == "datos-gcio"
    _assert_no_paths(dataset_dir(out) / str(YEAR), personal_data, out, "maria.fernandez")


def test_a_failed_notebook_traceback_names_no_paths(personal_data, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    mini_notebook(notebooks / "01_first.ipynb", body="open(pathlib.Path(data_dir) / 'missing.csv')")
    out = tmp_path / "outputs"
    assert cli.main(run_args(personal_data, out, notebooks)) == 1
    folder = dataset_dir(out) / f"{YEAR}-failed"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert "missing.csv" in manifest["notebooks"]["01_first"]["error"]
    _assert_no_paths(folder, personal_data, out, "maria.fernandez")


@pytest.mark.slow
def test_real_reports_name_no_paths(personal_data, tmp_path):
    """The suite's own data-quality and monitoring reports, on data in a person's home folder."""
    out = tmp_path / "outputs"
    code = cli.main(["run", "--year", str(YEAR), "--data", str(personal_data), "--output", str(out),
                     "--only", "data_quality", "monitoring", "--jobs", "2"])
    assert code == 0
    _assert_no_paths(dataset_dir(out) / str(YEAR), personal_data, out, "maria.fernandez")
