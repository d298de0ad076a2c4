"""Compute once per run: same inputs -> one computation; other data, parameters or code -> recomputed."""

from __future__ import annotations

import multiprocessing as mp
import time

import numpy as np
import pandas as pd
import pytest

from evaluation import cache


@pytest.fixture
def run_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_result_is_computed_once_for_the_same_inputs(run_cache):
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    calls = []
    first = cache.memo("sum", lambda: calls.append(1) or frame["a"].sum(), frame, alpha=0.05)
    second = cache.memo("sum", lambda: calls.append(1) or -1, frame.copy(), alpha=0.05)
    assert first == second == 3.0 and len(calls) == 1


@pytest.mark.parametrize("change", ["value", "index", "column", "dtype", "parameter", "name"])
def test_any_difference_in_the_inputs_recomputes(run_cache, change):
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    cache.memo("f", lambda: "old", frame, alpha=0.05)
    other, params, name = frame.copy(), {"alpha": 0.05}, "f"
    if change == "value":
        other.loc[1, "a"] = 2.0000001
    elif change == "index":
        other.index = [5, 6]
    elif change == "column":
        other = other.rename(columns={"a": "b"})
    elif change == "dtype":
        other["a"] = other["a"].astype("float32")
    elif change == "parameter":
        params = {"alpha": 0.1}
    else:
        name = "g"
    assert cache.memo(name, lambda: "new", other, **params) == "new"


def test_a_change_of_code_recomputes(run_cache, monkeypatch):
    frame = pd.DataFrame({"a": [1]})
    cache.memo("f", lambda: "old", frame)
    monkeypatch.setattr(cache, "code_version", lambda: "another version")
    assert cache.memo("f", lambda: "new", frame) == "new"


def test_outside_a_run_nothing_is_stored(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    calls = []
    for _ in range(2):
        cache.memo("f", lambda: calls.append(1), pd.DataFrame({"a": [1]}))
    assert len(calls) == 2 and not any(tmp_path.iterdir())


def _slow(folder, out):
    import os
    os.environ[cache.ENV] = folder

    def compute():
        with open(out, "a") as handle:
            handle.write("computed\n")
        time.sleep(0.5)
        return np.arange(3)

    return cache.memo("slow", compute, pd.DataFrame({"a": [1, 2]})).tolist()


def test_two_notebooks_asking_at_once_compute_once(tmp_path):
    out = tmp_path / "calls.txt"
    with mp.get_context("fork").Pool(2) as pool:
        results = pool.starmap(_slow, [(str(tmp_path / "c"), str(out))] * 2)
    assert results == [[0, 1, 2]] * 2
    assert out.read_text().count("computed") == 1


def test_values_that_cannot_be_hashed_are_refused(run_cache):
    with pytest.raises(TypeError, match="not hashed"):
        cache.memo("f", lambda: 1, object())
