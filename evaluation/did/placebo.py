"""Placebo checks: fake adoption dates should find nothing.

Two checks, both re-running :func:`evaluation.did.att_gt` (the simple average
effect since adoption):

- :func:`placebo` moves every adoption ``k`` years earlier and keeps only the
  years before the real adoption, so every "effect" it finds is a difference in
  trends before adoption (or anticipation). Under parallel trends and no
  anticipation it is zero, and its interval covers zero 95% of the time.
- :func:`randomization_inference` reassigns the adoption dates at random across
  entities (a permutation of the cohort labels) and asks how often a random
  assignment gives an effect as large as the real one. Under the sharp null of
  no effect for any entity and adoption dates exchangeable across entities the
  p-value is exact; otherwise it measures how unusual the estimate is among
  assignments with the same cohort sizes.
"""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .distributions import normal_sf
from .estimate import _Variants, att_gt


def _simple(data, outcome, unit, time, cohort, **options):
    """The simple aggregated ATT of ``att_gt``, with its warnings collected."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = att_gt(data, outcome, unit, time, cohort, **options).aggregate("simple").overall
    return res, [str(w.message) for w in caught]


# --------------------------------------------------------------------------------------
# shifted adoption dates
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PlaceboResult:
    """Placebo estimates with adoption moved ``shift`` years earlier (:func:`placebo`)."""

    settings: dict[str, Any]
    frame: pd.DataFrame = field(repr=False)

    def tidy(self) -> pd.DataFrame:
        """``shift, estimate, std_error, conf_low, conf_high, p_value, n_treated, n_control, identified, note``."""
        return self.frame.copy()

    def _repr_html_(self) -> str:
        body = "".join("<tr>" + "".join(f"<td>{html.escape(f'{v:.4f}' if isinstance(v, float) else str(v))}</td>"
                                        for v in r) + "</tr>" for r in self.frame.itertuples(index=False))
        head = "".join(f"<th>{c}</th>" for c in self.frame.columns)
        return (f"<div><strong>Placebo adoption dates (pre-adoption years only)</strong><table><thead><tr>{head}"
                f"</tr></thead><tbody>{body}</tbody></table></div>")


def placebo(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, shifts=(1, 2, 3), *,
            covariates=None, control_group: str = "never_treated", method: str = "dr",
            alpha: float = 0.05) -> PlaceboResult:
    """Re-estimate with every adoption moved ``k`` years earlier, on pre-adoption years only.

    For each ``k`` in ``shifts``: drop adopters' observations from their real
    adoption year on, set their cohort to ``cohort - k``, and estimate the simple
    average effect with :func:`att_gt` (never-treated units keep all years).
    A placebo effect far from zero means adopters and comparisons already
    drifted apart in the ``k`` years before adoption (or adopters anticipated).

    Returns
    -------
    PlaceboResult
        One row per shift; ``p_value`` is the two-sided normal p-value of the
        placebo estimate. Cohorts left with no year before their placebo date
        cannot be estimated; the ``note`` says so.
    """
    frame = data.copy()
    g = pd.to_numeric(frame[cohort], errors="coerce")
    adopter = g.notna() & (g != 0) & np.isfinite(g)
    t = pd.to_numeric(frame[time], errors="coerce")
    pre = frame[~adopter | (t < g)].copy()
    rows = []
    for k in shifts:
        k = int(k)
        if k < 1:
            raise ValueError(f"shifts must be positive numbers of years, not {k}")
        shifted = pre.copy()
        gk = pd.to_numeric(shifted[cohort], errors="coerce")
        is_adopter = gk.notna() & (gk != 0) & np.isfinite(gk)
        shifted[cohort] = np.where(is_adopter, gk - k, 0)
        try:
            overall, notes = _simple(shifted, outcome, unit, time, cohort, covariates=covariates,
                                     control_group=control_group, method=method, alpha=alpha)
            est, se = overall.estimate, overall.std_error
            p = float(2 * normal_sf(abs(est / se))) if se > 0 else np.nan
            rows.append({"shift": k, "estimate": est, "std_error": se, "conf_low": overall.conf_low,
                         "conf_high": overall.conf_high, "p_value": p, "n_treated": overall.n_treated,
                         "n_control": overall.n_control, "identified": overall.identified,
                         "note": overall.note if not overall.identified else ""})
        except ValueError as exc:
            rows.append({"shift": k, "estimate": np.nan, "std_error": np.nan, "conf_low": np.nan,
                         "conf_high": np.nan, "p_value": np.nan, "n_treated": 0, "n_control": 0,
                         "identified": False, "note": f"not estimable: {exc}"})
    settings = {"outcome": outcome, "control_group": control_group, "method": method,
                "covariates": covariates, "alpha": alpha}
    return PlaceboResult(settings, pd.DataFrame(rows))


# --------------------------------------------------------------------------------------
# randomization inference
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RandomizationResult:
    """Randomization inference on the average effect (:func:`randomization_inference`).

    Attributes
    ----------
    estimate : float
        The simple average effect with the real adoption dates.
    p_value : float
        ``(1 + #{|permuted| >= |estimate|}) / (1 + draws)``.
    permuted : ndarray
        The estimate under each random assignment (NaN where none could be made).
    """

    estimate: float
    p_value: float
    permuted: np.ndarray = field(repr=False)
    draws: int = 0
    seed: int | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def n_valid(self) -> int:
        return int(np.isfinite(self.permuted).sum())

    def tidy(self) -> pd.DataFrame:
        """One row per permutation: ``draw, estimate``."""
        return pd.DataFrame({"draw": np.arange(1, self.permuted.size + 1), "estimate": self.permuted})

    def _repr_html_(self) -> str:
        return (f"<div><strong>Randomization inference</strong><p>Estimate {self.estimate:.4f}; "
                f"{self.n_valid} random reassignments of adoption dates (seed {self.seed}); "
                f"p-value {self.p_value:.4f}.</p></div>")


def randomization_inference(data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, draws: int = 999,
                            seed: int | None = 0, *, control_group: str = "never_treated",
                            covariates=None, method: str = "dr") -> RandomizationResult:
    """Randomization-inference p-value of the simple average effect.

    Each draw permutes the units' cohorts (never treated included) with a seeded
    generator and recomputes the simple ATT of :func:`att_gt`. The p-value
    counts draws at least as far from zero as the real estimate, with the +1
    correction that makes it valid with a finite number of draws.

    Parameters
    ----------
    draws : int
        Number of random reassignments.
    seed : int, optional
        Seed of the permutations (``numpy.random.default_rng``).
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a positive integer, not {draws!r}")
    options = dict(control_group=control_group, covariates=covariates, method=method)
    observed, _ = _simple(data, outcome, unit, time, cohort, **options)
    if not np.isfinite(observed.estimate):
        raise ValueError("the average effect cannot be estimated with the real adoption dates")
    units = data[unit].to_numpy()
    codes_, uniques = pd.factorize(units)
    unit_cohort = pd.Series(pd.to_numeric(data[cohort], errors="coerce").fillna(0).to_numpy(), index=codes_)
    per_unit = unit_cohort.groupby(level=0).first().sort_index().to_numpy()
    rng = np.random.default_rng(seed)
    permuted = np.full(int(draws), np.nan)
    # The data passed att_gt's checks above; each reassignment changes only the cohort
    # column, so it is checked once and only the new cohorts are checked per draw.
    variants = _Variants(data, outcome, unit, time, cohort, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(int(draws)):
            assigned = rng.permutation(per_unit)[codes_]
            try:
                # the simple average uses only post-adoption cells: the others are not estimated,
                # and only its estimate is computed (no standard errors)
                permuted[r] = variants.simple_with_cohorts(assigned)
            except ValueError:  # e.g. a permutation that leaves a cohort without comparisons
                continue
    valid = permuted[np.isfinite(permuted)]
    # "at least as large": a relative tolerance so that a permutation equal to the real one counts
    as_large = np.abs(valid) >= abs(observed.estimate) * (1 - 1e-12) - 1e-15
    p = (1 + int(as_large.sum())) / (1 + valid.size)
    return RandomizationResult(estimate=float(observed.estimate), p_value=float(p), permuted=permuted,
                               draws=int(draws), seed=seed, settings={"outcome": outcome, **options})

