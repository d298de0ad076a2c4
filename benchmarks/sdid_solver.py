"""Speed of the synthetic DiD weight solver: the robustness notebook's call, old solver against new.

Runs ``evaluation.questions.robustness.first_cohort_synthetic_did`` on the demo
data (outcome POL07, seed 2016, 200 placebo draws, as notebooks/03_robustness.ipynb)
with the current solver and with the solver it replaced
(``tests/did/sdid_solver_before.py``, patched in), asserts the estimates, weights
and placebo draws agree to 1e-12, and prints the best of ``--repeats`` timings.

Usage::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/sdid_solver.py --repeats 3
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests" / "did"))

import sdid_solver_before as before  # noqa: E402

from evaluation.context import setup  # noqa: E402
from evaluation.questions import robustness  # noqa: E402

sdid_module = importlib.import_module("evaluation.did.synthetic_did")
SOLVER = ("_frank_wolfe", "_frank_wolfe_tall", "_frank_wolfe_one", "_sparsify", "_solve")


def _run(report, solver):
    saved = {name: getattr(sdid_module, name) for name in SOLVER}
    for name in SOLVER:
        setattr(sdid_module, name, getattr(solver, name))
    try:
        start = time.perf_counter()
        out = robustness.first_cohort_synthetic_did(report.data, "POL07", until_year=report.year, seed=2016,
                                                    alpha=0.05)
        return time.perf_counter() - start, out.result
    finally:
        for name, f in saved.items():
            setattr(sdid_module, name, f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    report = setup(year=0, data_dir="", language="", output_dir="", outcome="POL07", entities="territorial",
                   covariates="default")
    times: dict[str, list[float]] = {"old": [], "new": []}
    results = {}
    for _ in range(args.repeats):
        for label, solver in (("old", before), ("new", sdid_module)):
            seconds, results[label] = _run(report, solver)
            times[label].append(seconds)
    old, new = results["old"], results["new"]
    for key in ("sdid", "sc", "did"):
        assert abs(old.estimates[key] - new.estimates[key]) <= 1e-12, key
        assert np.max(np.abs(old.draws[key] - new.draws[key])) <= 1e-12, key
    assert np.max(np.abs(old.unit_weights.to_numpy() - new.unit_weights.to_numpy())) <= 1e-12
    assert np.max(np.abs(old.time_weights.to_numpy() - new.time_weights.to_numpy())) <= 1e-12
    best_old, best_new = min(times["old"]), min(times["new"])
    print(f"first_cohort_synthetic_did (demo data, 200 placebo draws), best of {args.repeats}: "
          f"old solver {best_old:.2f} s, new solver {best_new:.2f} s, speed-up {best_old / best_new:.2f}x")


if __name__ == "__main__":
    main()
