"""How often does the pre-test reject when parallel trends hold? The Wald pre-test, calibrated by simulation.

:meth:`GroupTimeResult.pretest` is R ``did``'s Wald test: ``b' V^-1 b`` over the
pre-adoption cells against a chi-square. ``V`` is estimated, cell by cell, from
the units of one cohort and its comparison units; with small cohorts and many
pre-adoption cells the estimate is noisy, its inverse too large, and the test
rejects true parallel trends far more often than its nominal size. In
simulations with no effect and parallel trends true (``tests/did/test_pretest_calibration.py``):
about 65 % at 5 % with 40 units and 12 cells, 20 % with 100 units, 10 % with
1,100 units whose latest cohorts hold 5 % of them each; 5 % only when every
cohort is large.

:func:`pretest_calibration` measures this on the user's own panel and corrects
it. It draws outcome panels exactly as :func:`evaluation.did.power` does (the
same entities, years, cohorts and covariates; residual paths of the units never
treated, given to units at random, so parallel trends hold), computes the same
Wald statistic on each, and reports

* ``size_chi2``: the share of simulated panels the chi-square test rejects at
  ``alpha`` (the test's real size on data like these);
* ``p_simulated``: the observed statistic against the simulated ones
  (``(1 + #{W_sim >= W}) / (1 + S)``, a Monte Carlo test: its size is ``alpha``
  under the simulation's model whatever the number of cells).

The simulated p-value is the one to read when the chi-square's size is off.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from .estimate import _Variants, att_gt
from .power import _simulation_setup


@dataclass(frozen=True, eq=False)
class PretestCalibration:
    """The Wald pre-test of parallel trends with its size and p-value from simulated panels.

    Attributes
    ----------
    statistic, df, p_value : float, int, float
        The observed Wald statistic, its degrees of freedom (pre-adoption cells) and the chi-square p-value
        (:meth:`GroupTimeResult.pretest`, R ``did``'s ``W`` and ``Wpval``).
    p_simulated : float
        The observed statistic against the statistics of the simulated panels (Monte Carlo p-value).
    size_chi2 : float
        Share of simulated panels (parallel trends true) whose chi-square p-value is below ``alpha``.
    simulations : int
        Simulated panels whose pre-test could be computed (those asked for, less any with a cell missing).
    """

    statistic: float
    df: int
    p_value: float
    p_simulated: float
    size_chi2: float
    alpha: float
    simulations: int
    seed: int | None
    null_statistics: np.ndarray = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def size_is_off(self) -> bool:
        """True when the chi-square test's simulated size is more than two binomial standard errors above
        ``alpha`` (not simulation noise): read :attr:`p_simulated` then."""
        if self.simulations <= 0 or not np.isfinite(self.size_chi2):
            return False
        return bool(self.size_chi2 - self.alpha > 2 * np.sqrt(self.alpha * (1 - self.alpha) / self.simulations))

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"statistic": self.statistic, "df": self.df, "p_value": self.p_value,
                              "p_simulated": self.p_simulated, "size_chi2": self.size_chi2, "alpha": self.alpha,
                              "simulations": self.simulations, "seed": self.seed}])

    def _repr_html_(self) -> str:
        return (f"<div><strong>Pre-test of parallel trends, calibrated</strong><p>Wald {self.statistic:.3f} on "
                f"{self.df} cells: chi-square p {self.p_value:.4f}; on {self.simulations} simulated panels with "
                f"parallel trends true the chi-square test rejects {self.size_chi2:.1%} at {self.alpha:.0%}; "
                f"simulated p {self.p_simulated:.4f} (seed {html.escape(str(self.seed))}).</p></div>")


def pretest_calibration(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, *,
                        simulations: int = 200, seed: int | None = 0, alpha: float = 0.05,
                        control_group: str = "never_treated", covariates=None, method: str = "dr",
                        cluster: str | None = None) -> PretestCalibration:
    """The pre-test of :func:`att_gt` on ``data``, with its size and p-value from panels simulated like it.

    Parameters are those of :func:`evaluation.did.power` (the same simulated panels for the same ``seed``),
    with ``method`` the estimation method of the result whose pre-test is read (default ``dr``, att_gt's).

    Returns
    -------
    PretestCalibration

    Raises
    ------
    ValueError
        When the pre-test cannot be computed on ``data`` (no identified pre-adoption cell, a singular
        covariance), or the panel has fewer than 5 units observed untreated in every year to draw from.
    """
    if isinstance(simulations, bool) or not isinstance(simulations, int | np.integer) or simulations < 10:
        raise ValueError(f"simulations must be an integer of at least 10, not {simulations!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    sim, options, real_panel, covs = _simulation_setup(data, outcome, unit, time, cohort, covariates=covariates,
                                                       cluster=cluster, control_group=control_group, method=method,
                                                       alpha=alpha)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observed = att_gt(real_panel, outcome, unit, time, cohort, **options).pretest()
        if not np.isfinite(observed.statistic):
            raise ValueError(f"the pre-test cannot be computed on these data: {observed.note}")
        # every simulated panel is the real one with another outcome: checked once, designs computed once
        variants = _Variants(real_panel, outcome, unit, time, cohort, **options)
        rng = np.random.default_rng(seed)
        null = np.full(int(simulations), np.nan)
        for r in range(int(simulations)):
            test = variants.with_outcome(sim.draw(rng)).pretest()
            if test.df == observed.df:  # the same cells tested (a draw cannot change which are identified)
                null[r] = test.statistic
    valid = null[np.isfinite(null)]
    if not valid.size:
        raise ValueError("the pre-test could not be computed on any simulated panel")
    p_simulated = (1 + int(np.sum(valid >= observed.statistic * (1 - 1e-12)))) / (1 + valid.size)
    size = float(np.mean(special.chdtrc(observed.df, np.maximum(valid, 0.0)) < alpha))
    return PretestCalibration(statistic=float(observed.statistic), df=int(observed.df),
                              p_value=float(observed.p_value), p_simulated=float(p_simulated), size_chi2=size,
                              alpha=float(alpha), simulations=int(valid.size), seed=seed, null_statistics=null,
                              settings={"outcome": outcome, "control_group": control_group,
                                        "covariates": tuple(covs), "method": method, "cluster": cluster})
