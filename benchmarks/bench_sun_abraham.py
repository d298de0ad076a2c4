"""Benchmark of evaluation.did.sun_abraham against diff-diff's SunAbraham (same data, identical estimates).

Times the whole job a user runs -- the interaction-weighted event study and its
overall effect from the long data frame -- on the deterministic panels of
``bench_att_gt.py`` (balanced, 10 periods, cohorts 4-8 plus never-treated
units), with and without a time-varying covariate. Before anything is timed,
every event-time estimate and the overall effect must equal diff-diff's within
``--tol`` (default 1e-8), and the standard errors must equal diff-diff's after
its one documented difference (it counts one more absorbed parameter in the
small-sample factor), or the script stops with an error.

    python benchmarks/bench_sun_abraham.py [--sizes 1000,10000] [--repeats 5] [--write]

``--write`` replaces the Sun-Abraham section of benchmarks/README.md between its markers.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_att_gt import N_PERIODS, make_panel  # noqa: E402  (same data as the att_gt benchmark)

from evaluation import did  # noqa: E402

README = HERE / "README.md"
START_MARK, END_MARK = "<!-- bench:sun_abraham:start -->", "<!-- bench:sun_abraham:end -->"
SETTINGS = ("analytic", "covariate")


def panel(n_units: int) -> pd.DataFrame:
    """bench_att_gt's panel plus a time-varying covariate ``z`` (Sun-Abraham absorbs time-invariant ones)."""
    data = make_panel(n_units)
    rng = np.random.default_rng(7 + n_units)
    data["z"] = data["x"] * data["period"] / N_PERIODS + rng.normal(size=len(data))
    data["y"] = data["y"] + 0.5 * data["z"]
    return data


def ours(data: pd.DataFrame, setting: str):
    return did.sun_abraham(data, "y", "id", "period", "g", covariates=["z"] if setting == "covariate" else None)


def theirs(data: pd.DataFrame, setting: str):
    from diff_diff import SunAbraham

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return SunAbraham().fit(data, "y", "id", "period", "g", covariates=["z"] if setting == "covariate" else None)


def check(a, b, data: pd.DataFrame, setting: str, tol: float) -> float:
    """Largest absolute difference of a point estimate; stops when estimates or SEs disagree."""
    diffs = [abs(a.coefficients.loc[e] - row["effect"]) for e, row in b.event_study_effects.items()]
    diffs.append(abs(a.overall.estimate - b.overall_att))
    if set(b.event_study_effects) != set(a.event_time) - {a.reference}:
        raise SystemExit(f"{setting}: event times differ from diff-diff's")
    worst = float(max(diffs))
    if worst > tol:
        raise SystemExit(f"{setting}, {data['id'].nunique()} units: estimates differ from diff-diff's by {worst:.2e}")
    k = len(a.cells) + (1 if setting == "covariate" else 0) + data["period"].nunique() - 1
    ratio = np.sqrt((a.n_obs - k) / (a.n_obs - k - 1))  # diff-diff's one extra absorbed parameter
    se_gap = max(abs(a.vcov.loc[e, e] ** 0.5 * ratio / row["se"] - 1) for e, row in b.event_study_effects.items())
    if se_gap > 1e-6:
        raise SystemExit(f"{setting}: standard errors differ from diff-diff's by {se_gap:.2e} (relative)")
    return worst


def run(args) -> str:
    lines = []
    started = time.time()
    for setting in args.settings:
        lines += ["", f"### {setting}: event study + overall effect, "
                  + ("one time-varying covariate" if setting == "covariate" else "no covariates")
                  + ", unit-clustered standard errors", "",
                  "| units | estimator | median s | ratio | max diff |", "|---:|---|---:|---:|---:|"]
        for n in args.sizes:
            data = panel(n)
            a, b = ours(data, setting), theirs(data, setting)  # warm-up and the identity check
            worst = check(a, b, data, setting, args.tol)
            times = {"ours": [], "diff-diff": []}
            for _ in range(args.repeats):  # round-robin: a burst of other load hits both alike
                for name, fn in (("ours", ours), ("diff-diff", theirs)):
                    t0 = time.perf_counter()
                    fn(data, setting)
                    times[name].append(time.perf_counter() - t0)
            mine = statistics.median(times["ours"])
            peer = statistics.median(times["diff-diff"])
            lines.append(f"| {n:,} | **ours** | {mine:.3f} | 1 | - |")
            lines.append(f"| {n:,} | diff-diff | {peer:.3f} | {peer / mine:.1f}x | {worst:.0e} |")
            print(f"{setting} {n}: ours {mine:.3f}s, diff-diff {peer:.3f}s", file=sys.stderr)
    import diff_diff

    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    head = [f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average {load} "
            f"(1/5/15 min) at the end; Python {platform.python_version()}, "
            f"numpy {np.__version__}, pandas {pd.__version__}; diff-diff {diff_diff.__version__}. "
            f"Median wall-clock seconds of {args.repeats} runs after one untimed warm-up (which is also the "
            "identity check), in one process, ours and diff-diff alternating; ratio = diff-diff time / our time. "
            f"Max diff = largest absolute difference of any event-time estimate or the overall effect "
            f"(checked <= {args.tol:g}); standard errors checked equal to 1e-6 after diff-diff's extra absorbed "
            "parameter."]
    tail = ["", f"Command: `{' '.join(['python', 'benchmarks/bench_sun_abraham.py'] + sys.argv[1:])}`; "
            f"total {time.time() - started:.0f} s."]
    return "\n".join(head + lines + tail)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of units (default 1000,10000)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--settings", default=",".join(SETTINGS), help="subset of analytic,covariate")
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--write", action="store_true", help=f"write the report into {README.name} between the markers")
    args = p.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",")]
    args.settings = [s for s in args.settings.split(",") if s]
    report = run(args)
    print(report)
    if args.write:
        text = README.read_text()
        head, rest = text.split(START_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        README.write_text(f"{head}{START_MARK}\n{report}\n{END_MARK}{tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
