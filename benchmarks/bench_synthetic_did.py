"""Speed benchmark of ``evaluation.did.synthetic_did`` against diff-diff's ``SyntheticDiD``.

Both run synthetic difference-in-differences (Arkhangelsky et al. 2021) with
synthdid's weight solver on identical block panels, in one process, warm; the
point estimates, unit and time weights and standard errors are asserted equal
(``--tol``) before any time is reported. Two settings:

1. ``jackknife``  -- estimate, weights and the fixed-weight jackknife SE (deterministic);
2. ``placebo``    -- estimate, weights and the placebo SE (``--replications`` draws; both
   draw ``numpy.random.default_rng(seed).permutation`` per draw, so the SEs are equal too).

Our estimator is called with ``compare=False`` (synthetic DiD only; diff-diff
does not compute the SC and DiD comparisons).

Usage::

    python benchmarks/bench_synthetic_did.py                       # default sizes, print the report
    python benchmarks/bench_synthetic_did.py --sizes 1000,10000 --write   # also update README.md
"""

from __future__ import annotations

import argparse
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
README = HERE / "README.md"
START_MARK = "<!-- bench-sdid:results:start -->"
END_MARK = "<!-- bench-sdid:results:end -->"
sys.path.insert(0, str(HERE.parent))

from evaluation import did  # noqa: E402

N_PERIODS, START = 20, 15  # 15 pre-treatment and 5 post-treatment periods


def make_panel(n_units: int, seed: int = 2021) -> pd.DataFrame:
    """A factor-model block panel: 1% of the units (at least 2) treated from period 15 on, effect 2."""
    rng = np.random.default_rng(seed)
    n_treated = max(2, n_units // 100)
    factor = np.cumsum(rng.normal(size=N_PERIODS))
    treated = np.arange(n_units) >= n_units - n_treated
    loading = rng.normal(1, 0.5, n_units) + 0.5 * treated
    y = rng.normal(size=n_units)[:, None] + loading[:, None] * factor[None] + rng.normal(size=(n_units, N_PERIODS))
    w = treated[:, None] & (np.arange(N_PERIODS)[None] >= START)
    y = y + 2.0 * w
    return pd.DataFrame({"unit": np.repeat(np.arange(n_units), N_PERIODS),
                         "period": np.tile(np.arange(N_PERIODS), n_units), "y": y.ravel(),
                         "w": w.ravel().astype(int), "ever": np.repeat(treated, N_PERIODS).astype(int)})


def run_ours(data, method, replications):
    return did.synthetic_did(data, "y", "unit", "period", "w", se=method, replications=replications, seed=1,
                             compare=False)


def run_diff_diff(data, method, replications):
    from diff_diff import SyntheticDiD

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SyntheticDiD(variance_method=method, n_bootstrap=replications, seed=1).fit(
            data, outcome="y", treatment="ever", unit="unit", time="period",
            post_periods=list(range(START, N_PERIODS)))


def check_same(ours, theirs, tol: float) -> float:
    """Largest difference in estimate, SE and weights; raises if over ``tol``."""
    wu = pd.Series(theirs.unit_weights).sort_index()
    wt = pd.Series(theirs.time_weights).sort_index()
    diffs = {"estimate": abs(ours.estimate - theirs.att), "se": abs(ours.std_error - theirs.se),
             "unit weights": float(np.max(np.abs(ours.unit_weights.reindex(wu.index).fillna(0) - wu))),
             "time weights": float(np.max(np.abs(ours.time_weights.reindex(wt.index).fillna(0) - wt)))}
    bad = {k: v for k, v in diffs.items() if not v <= tol}
    if bad:
        raise SystemExit(f"synthetic_did and diff-diff differ by more than {tol}: {bad}")
    return max(diffs.values())


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--settings", default="jackknife,placebo")
    ap.add_argument("--replications", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    import diff_diff

    load0 = os.getloadavg()
    started = time.perf_counter()
    lines = [f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python "
             f"{platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; diff-diff "
             f"{diff_diff.__version__} (backend: {getattr(diff_diff, 'HAS_RUST_BACKEND', 'unknown')} Rust). "
             f"Load average {load0[0]:.1f} at the start.", "",
             f"Panels of {N_PERIODS} periods ({START} before treatment), 1% of units treated. Median wall-clock "
             f"seconds of {args.repeats} runs after one untimed warm-up; ratio = diff-diff time / our time "
             f"(above 1: we are faster). Max diff = largest absolute difference in the estimate, the SE, and any "
             f"unit or time weight (asserted <= {args.tol:g}).", ""]
    for setting in args.settings.split(","):
        reps = args.replications
        title = ("fixed-weight jackknife SE" if setting == "jackknife" else f"placebo SE, {reps} draws")
        lines += [f"### {setting}: estimate, weights and {title}", "",
                  "| units | ours s | diff-diff s | ratio | max diff |", "|---:|---:|---:|---:|---:|"]
        for size in [int(s) for s in args.sizes.split(",")]:
            data = make_panel(size)
            run_ours(data, setting, reps), run_diff_diff(data, setting, reps)  # warm-up
            t_ours, ours = timed(lambda: run_ours(data, setting, reps), args.repeats)
            t_dd, theirs = timed(lambda: run_diff_diff(data, setting, reps), args.repeats)
            diff = check_same(ours, theirs, args.tol)
            lines.append(f"| {size:,} | {t_ours:.3f} | {t_dd:.3f} | {t_dd / t_ours:.1f}x | {diff:.0e} |")
            print(lines[-1], flush=True)
        lines.append("")
    load1 = os.getloadavg()
    lines.append(f"Load average {load1[0]:.1f} at the end; total {time.perf_counter() - started:.0f} s.")
    report = "\n".join(lines)
    print(report)
    if args.write:
        text = README.read_text()
        block = f"{START_MARK}\n{report}\n{END_MARK}"
        if START_MARK in text:
            head, rest = text.split(START_MARK, 1)
            text = head + block + rest.split(END_MARK, 1)[1]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        README.write_text(text)


if __name__ == "__main__":
    main()
