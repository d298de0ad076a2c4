"""How often the average effect's 95 % interval covers the true effect when few entities adopted.

Panels with a true effect of 1 for every adopter-year, adopters in cohorts 4-6 of 8 years, never-adopters
as the comparison; the share of data sets whose analytic interval (``att_gt(...).aggregate("simple")``,
R did's) contains 1. The heterogeneity report's subgroups may have as few as ``min_adopters`` (5) adopters;
the README quotes this script's output.

    .venv/bin/python benchmarks/coverage_few_adopters.py [--panels 300]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from evaluation import did

#: (adopters, never-adopters)
SHAPES = [(5, 100), (10, 100), (20, 200), (40, 200), (100, 300)]


def panel(seed: int, adopters: int, never: int, years: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(1, years + 1)
    g = np.r_[rng.choice([4, 5, 6], adopters), np.zeros(never, dtype=int)]
    n = g.size
    treated = (g[:, None] > 0) & (t >= g[:, None])
    y = rng.normal(size=n)[:, None] + 0.1 * t + rng.normal(size=(n, years)) + 1.0 * treated
    return pd.DataFrame({"unit": np.repeat(np.arange(n), years), "t": np.tile(t, n), "g": np.repeat(g, years),
                         "y": y.ravel()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=300, help="simulated data sets per shape")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print("| adopters | never-adopters | coverage of the 95 % interval | data sets |")
    print("| ---: | ---: | ---: | ---: |")
    for adopters, never in SHAPES:
        covered = []
        for seed in range(args.panels):
            overall = did.att_gt(panel(seed, adopters, never), "y", "unit", "t", "g").aggregate("simple").overall
            if np.isfinite(overall.conf_low):
                covered.append(overall.conf_low <= 1.0 <= overall.conf_high)
        print(f"| {adopters} | {never} | {np.mean(covered):.1%} | {len(covered)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
