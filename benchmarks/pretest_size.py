"""How often R did's chi-square pre-test rejects true parallel trends, and how often the calibrated one does.

Panels with no effect and parallel trends true (unit effects, a common trend, unit-level noise), cohorts
drawn at random; for each shape, the share of panels whose pre-test rejects at 5 % with the chi-square
reference (``GroupTimeResult.pretest``) and against 200 panels simulated like the data
(``did.pretest_calibration``). The README quotes this script's output.

    .venv/bin/python benchmarks/pretest_size.py [--panels 200]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from evaluation import did

#: (units, years, cohorts with their shares): small equal cohorts, and FURAG-like shapes whose late cohorts are small
SHAPES = {
    "40 units, 4 equal cohorts": (40, 8, [0, 5, 6, 7, 8], [0.4, 0.15, 0.15, 0.15, 0.15]),
    "100 units, 4 equal cohorts": (100, 8, [0, 5, 6, 7, 8], [0.4, 0.15, 0.15, 0.15, 0.15]),
    "300 units, late cohorts of 5 %": (300, 8, [0, 3, 4, 5, 6, 7, 8], [0.4, 0.2, 0.15, 0.1, 0.05, 0.05, 0.05]),
    "1,100 units, late cohorts of 5 %": (1100, 8, [0, 3, 4, 5, 6, 7, 8], [0.4, 0.2, 0.15, 0.1, 0.05, 0.05, 0.05]),
}


def panel(seed: int, units: int, years: int, cohorts, shares) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(1, years + 1)
    g = rng.choice(cohorts, units, p=shares)
    y = rng.normal(size=units)[:, None] + 0.1 * t + rng.normal(size=(units, years))
    return pd.DataFrame({"unit": np.repeat(np.arange(units), years), "t": np.tile(t, units),
                         "g": np.repeat(g, years), "y": y.ravel()})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--panels", type=int, default=200, help="simulated data sets per shape")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print("| panel shape | pre-adoption cells | chi-square rejects | calibrated rejects | panels |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (units, years, cohorts, shares) in SHAPES.items():
        chi2, calibrated, cells = [], [], []
        for seed in range(args.panels):
            try:
                found = did.pretest_calibration(panel(seed, units, years, cohorts, shares), "y", "unit", "t", "g",
                                                simulations=200, seed=seed)
            except ValueError:  # a draw with a cohort too small to test (singular covariance): not counted
                continue
            chi2.append(found.p_value < 0.05)
            calibrated.append(found.p_simulated < 0.05)
            cells.append(found.df)
        print(f"| {name} | {int(np.median(cells))} | {np.mean(chi2):.1%} | {np.mean(calibrated):.1%} | {len(chi2)} |",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
