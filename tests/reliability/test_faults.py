"""Real signals at named points of a run, and two runs at once.

Each test starts ``gcio-eval run`` as its own process on *new* data (so new outputs would differ from the
previous ones), makes it stop at a named point with the test-only ``GCIO_EVAL_PAUSE_AT`` variable, sends a
real SIGINT, SIGTERM or SIGKILL, and checks that

* the previous complete ``outputs/2025`` is byte-identical (or, once a swap had committed, the new complete
  outputs are there: never a missing or half-written year),
* the user's data folder is byte-identical,
* nothing is left behind (``.building-*``, ``.previous-*``, ``.swap-*``) once the next run has started.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from conftest import YEAR, dataset_dir, finish, kill_group, mini_notebook, run_args, start, tree_digest, wait_for

pytestmark = pytest.mark.slow

LEFTOVERS = (".building-*", ".previous-*", ".swap-*")


def _new_data(data: Path) -> None:
    """New data for the faulted run: drop a tenth of the outcome rows (the tiny notebooks count them)."""
    path = data / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for i, line in enumerate(lines) if i == 0 or i % 10), encoding="utf-8")


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for pattern in LEFTOVERS for p in dataset_dir(out).glob(pattern))


def _paused_run(data, outputs, notebooks, point, tmp_path, *extra):
    """A run stopped at ``point``; it runs one of the two notebooks (one kernel start instead of two)."""
    extra = extra or ("--only", "first")
    marker = tmp_path / f"paused-{point}-{time.monotonic_ns()}"
    process = start(run_args(data, outputs, notebooks, *extra), GCIO_EVAL_PAUSE_AT=point,
                    GCIO_EVAL_PAUSE_FILE=str(marker))
    wait_for(marker, process)
    return process


def _settle_with_next_run(data, outputs, notebooks, tmp_path) -> None:
    """Start the next run, let it recover, stop it right after it took the lock (before it builds)."""
    process = _paused_run(data, outputs, notebooks, "locked", tmp_path)
    process.send_signal(signal.SIGINT)
    code, _, err = finish(process)
    assert code == 130, err


def _is_complete_new_run(folder: Path, data: Path) -> bool:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = len((data / "outcomes.csv").read_text(encoding="utf-8").splitlines())
    table = (folder / "tables" / "01_first.csv").read_text(encoding="utf-8")
    return manifest["complete"] and table == f"year,rows\n{YEAR},{rows}\n" and (folder / "index.html").is_file()


# Points before the swap commits: an interrupt leaves the previous outputs exactly as they were.
BEFORE_COMMIT = ("locked", "notebooks-done", "swap-start", "swap-middle")


@pytest.mark.parametrize("point, sig", [(p, signal.SIGINT) for p in BEFORE_COMMIT]
                         + [("notebooks-done", signal.SIGTERM), ("swap-middle", signal.SIGTERM)],
                         ids=[f"SIGINT-{p}" for p in BEFORE_COMMIT] + ["SIGTERM-notebooks-done", "SIGTERM-swap-middle"])
def test_interrupt_before_the_swap_commits_leaves_previous_outputs(point, sig, data, outputs, mini_notebooks,
                                                                   tmp_path):
    before = tree_digest(dataset_dir(outputs) / str(YEAR))
    _new_data(data)
    user = tree_digest(data)
    process = _paused_run(data, outputs, mini_notebooks, point, tmp_path)
    process.send_signal(sig)
    code, _, err = finish(process, timeout=60)
    assert code == 130, err
    assert "interrupted" in err and "Traceback" not in err, err
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before
    assert tree_digest(data) == user
    assert _leftovers(dataset_dir(outputs)) == [], "an interrupted run left temporary folders behind"
    assert not (dataset_dir(outputs) / f"{YEAR}-failed").exists()


def test_interrupt_after_the_swap_committed_keeps_the_new_complete_outputs(data, outputs, mini_notebooks,
                                                                            tmp_path):
    _new_data(data)
    user = tree_digest(data)
    process = _paused_run(data, outputs, mini_notebooks, "swap-end", tmp_path)
    process.send_signal(signal.SIGTERM)
    code, out, err = finish(process, timeout=60)
    assert code == 0, err  # the new outputs were already in place: the run is finished, not half-undone
    assert _is_complete_new_run(dataset_dir(outputs) / str(YEAR), data)
    assert _leftovers(dataset_dir(outputs)) == [] and tree_digest(data) == user


@pytest.mark.parametrize("point", ["locked", "notebooks-done", "swap-middle"])
def test_sigkill_before_the_commit_is_rolled_back_by_the_next_run(point, data, outputs, mini_notebooks, tmp_path):
    before = tree_digest(dataset_dir(outputs) / str(YEAR))
    _new_data(data)
    user = tree_digest(data)
    process = _paused_run(data, outputs, mini_notebooks, point, tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    kill_group(process)
    if point == "swap-middle":
        # What the issue found: between the two renames there is no outputs/2025 at all.
        assert not (dataset_dir(outputs) / str(YEAR)).exists()
        assert (dataset_dir(outputs) / f".swap-{YEAR}.json").is_file()
    _settle_with_next_run(data, outputs, mini_notebooks, tmp_path)
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before
    assert _leftovers(dataset_dir(outputs)) == []
    assert tree_digest(data) == user


def test_sigkill_after_the_last_rename_is_finished_by_the_next_run(data, outputs, mini_notebooks, tmp_path):
    _new_data(data)
    user = tree_digest(data)
    process = _paused_run(data, outputs, mini_notebooks, "swap-end", tmp_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    kill_group(process)
    assert list(dataset_dir(outputs).glob(".previous-*")), "the old folder should still be waiting to be deleted"
    _settle_with_next_run(data, outputs, mini_notebooks, tmp_path)
    assert _is_complete_new_run(dataset_dir(outputs) / str(YEAR), data)
    assert _leftovers(dataset_dir(outputs)) == [] and tree_digest(data) == user


def test_an_older_version_killed_between_renames_is_restored(data, outputs, mini_notebooks, tmp_path):
    """No journal (the layout the issue found): only ``.previous-2025-PID``; the next run puts it back."""
    before = tree_digest(dataset_dir(outputs) / str(YEAR))
    (dataset_dir(outputs) / str(YEAR)).rename(dataset_dir(outputs) / f".previous-{YEAR}-99999")
    (dataset_dir(outputs) / f".building-{YEAR}-abcd").mkdir()
    _settle_with_next_run(data, outputs, mini_notebooks, tmp_path)
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before
    assert _leftovers(dataset_dir(outputs)) == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_while_a_cell_runs_stops_quickly(jobs, data, outputs, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    mini_notebook(notebooks / "01_first.ipynb", body="import time\ntime.sleep(600)")
    mini_notebook(notebooks / "02_second.ipynb", body="import time\ntime.sleep(600)")
    before, user = tree_digest(dataset_dir(outputs) / str(YEAR)), tree_digest(data)
    process = start(run_args(data, outputs, notebooks, "--jobs", jobs))
    deadline = time.monotonic() + 120
    while not list(dataset_dir(outputs).glob(f".building-{YEAR}-*/01_first.ipynb")):  # papermill has started the notebook
        assert time.monotonic() < deadline and process.poll() is None, "the run never started a notebook"
        time.sleep(0.1)
    time.sleep(3)  # inside the sleeping cell
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code, _, err = finish(process, timeout=60)
    assert code == 130, err
    assert time.monotonic() - stopped < 45, "SIGTERM waited for the notebooks"
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before and tree_digest(data) == user
    assert _leftovers(dataset_dir(outputs)) == []


def test_a_second_run_of_the_same_year_is_refused_naming_the_first(data, outputs, mini_notebooks, tmp_path):
    before = tree_digest(dataset_dir(outputs) / str(YEAR))
    first = _paused_run(data, outputs, mini_notebooks, "locked", tmp_path)
    second = start(run_args(data, outputs, mini_notebooks, "--only", "first"))
    code, _, err = finish(second, timeout=120)
    assert code == 4, err
    assert f"process {first.pid} on" in err and "Another run is writing the outputs of 2025" in err, err
    first.send_signal(signal.SIGINT)
    assert finish(first, timeout=60)[0] == 130
    assert tree_digest(dataset_dir(outputs) / str(YEAR)) == before


def test_two_runs_started_together_leave_one_complete_year(data, outputs, mini_notebooks, tmp_path):
    """The issue's case: a full run and an ``--only`` run on new data, started at the same moment."""
    _new_data(data)
    user = tree_digest(data)
    runs = [start(run_args(data, outputs, mini_notebooks)),
            start(run_args(data, outputs, mini_notebooks, "--only", "first"))]
    results = [finish(p, timeout=240) for p in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 4]), results
    for code, _, err in results:
        if code == 4:
            assert "Another run is writing" in err
    folder = dataset_dir(outputs) / str(YEAR)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and _is_complete_new_run(folder, data)
    # The index lists every report in the folder and no report is missing its page.
    for name in manifest["notebooks"]:
        assert (folder / f"{name}.html").is_file()
    assert _leftovers(dataset_dir(outputs)) == [] and tree_digest(data) == user
