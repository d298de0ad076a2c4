"""How often the average effect's 95 % interval covers the true effect when few entities adopted.

Panels with a true effect of 1 for every adopter-year, adopters in cohorts 4-6 of 8 years, never-adopters
as the comparison; the share of data sets whose interval contains 1: R did's analytic interval
(``att_gt(...).aggregate("simple")``), and the heterogeneity report's, which widens it for few adopters
(``questions.heterogeneity.small_sample_interval``: Student's t with G - 1 degrees of freedom, standard error
times sqrt(G / (G - 1))). The report's subgroups may have as few as ``min_adopters`` (5) adopters; the README
quotes this script's output.

    .venv/bin/python benchmarks/coverage_few_adopters.py [--panels 300] [--errors normal|t3|noisy-adopters]
        [--difference-test]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from evaluation import did
from evaluation.did.distributions import chi2_sf
from evaluation.questions import heterogeneity
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
    parser.add_argument("--difference-test", action="store_true",
                        help="instead: the size of the test that two subgroups with the same effect differ")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.difference_test:
        return difference_test_size(args.panels, args.errors)
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


#: Pairs of subgroups (adopters, never-adopters), each with its own comparison entities.
PAIRS = [((5, 60), (5, 60)), ((5, 100), (20, 100)), ((10, 100), (10, 100)), ((8, 50), (12, 50)),
         ((20, 100), (40, 100))]


def difference_test_size(panels: int, errors: str) -> int:
    """How often the report's test rejects equal effects at 5 %, against the chi-square it replaced."""
    print("| subgroup adopters | rejections, chi-square | rejections, the report's F test | data sets |")
    print("| --- | ---: | ---: | ---: |")
    for (g1, n1), (g2, n2) in PAIRS:
        chi, f = [], []
        for seed in range(panels):
            estimates, influences, fewest = [], [], []
            for offset, (adopters, never) in ((0, (g1, n1)), (1, (g2, n2))):
                data = panel(seed + 100_000 * offset, adopters, never, errors=errors)
                data["unit"] += 10_000 * offset  # disjoint entities
                simple = did.att_gt(data, "y", "unit", "t", "g").aggregate("simple")
                o = simple.overall
                if not np.isfinite(o.std_error) or o.n_treated < 2:
                    break
                estimates.append(o.estimate)
                fewest.append(int(o.n_treated))
                factor = heterogeneity.small_sample_factor(int(o.n_treated))  # as the report scales them
                influences.append(pd.Series(simple.influence[:, 0], index=simple.unit_ids) * (factor / simple.n_units))
            if len(estimates) < 2:
                continue
            test = heterogeneity._difference_test("x", estimates, influences, 0.05, min(fewest))
            se2 = [float((s**2).sum()) * (g - 1) / g for s, g in zip(influences, fewest)]
            chi.append(float(chi2_sf((estimates[0] - estimates[1]) ** 2 / sum(se2), 1)) < 0.05)
            f.append(test["p_value"] < 0.05)
        print(f"| {g1} and {g2} | {np.mean(chi):.1%} | {np.mean(f):.1%} | {len(chi)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
