"""How often the average effect's 95 % interval covers the true effect when few entities adopted.

Panels with a true effect of 1 for every adopter-year, adopters in cohorts 4-6 of 8 years, never-adopters
as the comparison; the share of data sets whose interval contains 1: R did's analytic interval
(``att_gt(...).aggregate("simple")``), and the heterogeneity report's, which widens it for few adopters
(``questions.heterogeneity.small_sample_interval``: Student's t with G - 1 degrees of freedom, standard error
times sqrt(G / (G - 1))). The report's subgroups may have as few as ``min_adopters`` (5) adopters; the README
quotes this script's output.

    .venv/bin/python benchmarks/coverage_few_adopters.py [--panels 300]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from evaluation import did
from evaluation.questions.heterogeneity import small_sample_interval

#: (adopters, never-adopters)
SHAPES = [(5, 100), (10, 100), (20, 200), (40, 200), (100, 300)]


#: The errors' distributions: standard normal; Student's t with 3 degrees of freedom (heavy tails); normal with
#: twice the standard deviation for adopters (they vary more than the comparison entities).
ERRORS = ("normal", "t3", "noisy-adopters")


def panel(seed: int, adopters: int, never: int, years: int = 8, errors: str = "normal") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(1, years + 1)
    g = np.r_[rng.choice([4, 5, 6], adopters), np.zeros(never, dtype=int)]
    n = g.size
    treated = (g[:, None] > 0) & (t >= g[:, None])
    level = rng.normal(size=n)[:, None]
    if errors == "t3":
        noise = rng.standard_t(3, size=(n, years))
    else:
        noise = rng.normal(size=(n, years)) * (np.where(g[:, None] > 0, 2.0, 1.0) if errors == "noisy-adopters" else 1.0)
    y = level + 0.1 * t + noise + 1.0 * treated
    return pd.DataFrame({"unit": np.repeat(np.arange(n), years), "t": np.tile(t, n), "g": np.repeat(g, years),
                         "y": y.ravel()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=300, help="simulated data sets per shape")
    parser.add_argument("--errors", choices=ERRORS, default="normal", help="distribution of the errors")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print("| adopters | never-adopters | coverage, R did's interval | coverage, small-sample interval | data sets |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for adopters, never in SHAPES:
        analytic, corrected = [], []
        for seed in range(args.panels):
            overall = did.att_gt(panel(seed, adopters, never, errors=args.errors), "y", "unit", "t", "g").aggregate("simple").overall
            if np.isfinite(overall.conf_low):
                analytic.append(overall.conf_low <= 1.0 <= overall.conf_high)
                low, high = small_sample_interval(overall.estimate, overall.std_error, int(overall.n_treated), 0.05)
                corrected.append(low <= 1.0 <= high)
        print(f"| {adopters} | {never} | {np.mean(analytic):.1%} | {np.mean(corrected):.1%} | {len(analytic)} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
