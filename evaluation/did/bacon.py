"""Goodman-Bacon (2021) decomposition of the static two-way fixed-effects coefficient.

Under staggered adoption the TWFE coefficient is a weighted average of every
2x2 difference-in-differences between two adoption-timing groups, with weights
that depend on group sizes and on when in the panel each group adopts
(Goodman-Bacon 2021, Theorem 1, eq. 10-11). Three kinds of comparison appear:

- *treated vs never treated*: a timing group against units never treated in the data;
- *earlier vs later treated*: an earlier group, before the later group adopts, against it;
- *later vs earlier treated*: a later group against an earlier group that is
  already treated -- the "forbidden" comparison, which is biased when effects
  change with time since adoption, since the controls' own effect moves.

Units treated in every period of the panel ("always treated") act as controls
exactly as never-treated ones do; their comparisons are labelled *treated vs
always treated* (R ``bacondecomp``'s "Later vs Always Treated").
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import _fixed_effects as fe

#: Comparison labels, in the order tables list them.
COMPARISONS = ("treated vs never treated", "earlier vs later treated", "later vs earlier treated",
               "treated vs always treated")


@dataclass(frozen=True, eq=False)
class BaconResult:
    """The decomposition (:func:`bacon`): one row per 2x2 comparison.

    Attributes
    ----------
    twfe : float
        The static TWFE coefficient the weights reproduce (``sum(weight * estimate)``).
    variance_of_treatment : float
        The variance of the two-way-demeaned treatment indicator (the denominator
        of every weight, ``V^D`` in the paper).
    """

    outcome: str
    treated: str
    twfe: float
    variance_of_treatment: float
    frame: pd.DataFrame = field(repr=False)
    n_units: int = 0
    n_periods: int = 0

    def tidy(self) -> pd.DataFrame:
        """``comparison, treated_cohort, control_cohort, estimate, weight``.

        Cohorts are first treated periods; a never-treated control is missing (``<NA>``).
        """
        return self.frame.copy()

    def summary(self) -> pd.DataFrame:
        """Total weight and weighted-average estimate by kind of comparison."""
        f = self.frame
        rows = []
        for kind in COMPARISONS:
            part = f[f["comparison"] == kind]
            if part.empty:
                continue
            w = part["weight"].sum()
            rows.append({"comparison": kind, "comparisons": len(part), "weight": w,
                         "estimate": float((part["weight"] * part["estimate"]).sum() / w) if w > 0 else np.nan})
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(r.comparison)}</td><td>{r.comparisons}</td><td>{r.weight:.4f}</td>"
            f"<td>{r.estimate:.4f}</td></tr>" for r in self.summary().itertuples())
        return (f"<div><strong>Goodman-Bacon decomposition of the TWFE coefficient ({self.twfe:.4f})</strong>"
                f"<table><thead><tr><th>comparison</th><th>2x2s</th><th>weight</th><th>average estimate</th>"
                f"</tr></thead><tbody>{body}</tbody></table></div>")


def bacon(data: pd.DataFrame, outcome: str, unit: str, time: str, treated: str) -> BaconResult:
    """Decompose the static TWFE coefficient of ``treated`` into its 2x2 comparisons.

    Parameters
    ----------
    data : DataFrame
        A **balanced** panel (every unit observed in every period, no missing
        outcome); the decomposition is exact only then. Not modified.
    outcome, unit, time : str
        Column names.
    treated : str
        0/1 treatment indicator that, once 1, stays 1 (staggered, absorbing adoption).

    Returns
    -------
    BaconResult
        ``tidy()``: one row per 2x2 comparison with ``comparison``,
        ``treated_cohort``, ``control_cohort``, ``estimate``, ``weight``. The
        weights sum to 1 and ``sum(weight * estimate)`` equals
        :func:`evaluation.did.twfe` (to rounding error).

    Notes
    -----
    For timing groups ``k`` (earlier) and ``l`` (later, or never treated) with
    shares ``n_k, n_l`` of the units and shares ``D_k, D_l`` of the periods
    treated, and ``n_kl = n_k / (n_k + n_l)`` (Goodman-Bacon 2021, eq. 10a-c):

    - ``s_kl^k = ((n_k + n_l)(1 - D_l))^2 n_kl (1 - n_kl) (D_k - D_l)/(1 - D_l) (1 - D_k)/(1 - D_l) / V^D``
      weighs the 2x2 of ``k`` against ``l`` before ``l`` adopts;
    - ``s_kl^l = ((n_k + n_l) D_k)^2 n_kl (1 - n_kl) (D_l / D_k) (D_k - D_l)/D_k / V^D``
      weighs the 2x2 of ``l`` against the already-treated ``k``.

    A never-treated group is a timing group with ``D = 0`` and an always-treated
    one a group with ``D = 1``, so one pair formula covers every case (the
    paper's ``s_kU`` is ``s_kl^k`` with ``D_l = 0``).

    References
    ----------
    Goodman-Bacon, A. (2021). Difference-in-differences with variation in
    treatment timing. Journal of Econometrics 225(2), 254-277.
    """
    frame = fe.prepare(data, outcome=outcome, unit=unit, time=time, columns=(treated,))
    d = pd.to_numeric(frame[treated], errors="coerce")
    problems = []
    if d.isna().any():
        problems.append(f"'{treated}' has {int(d.isna().sum())} missing or non-numeric value(s)")
    elif not d.isin([0, 1]).all():
        problems.append(f"'{treated}' must be 0/1; it has values {sorted(set(d) - {0, 1})[:5]}")
    n_units, n_periods = frame["unit"].nunique(), frame["time"].nunique()
    if len(frame) != n_units * n_periods or len(data) != len(frame):
        counts = frame.groupby("unit").size()
        short = counts[counts < n_periods]
        problems.append(
            "the decomposition needs a balanced panel (every unit in every period with an outcome): "
            f"{len(short)} of {n_units} units miss periods (e.g. {unit}={', '.join(map(str, short.index[:3]))})"
            + (f" and {len(data) - len(frame)} row(s) have no outcome" if len(data) != len(frame) else "")
            + "; keep the units observed every period")
    if problems:
        raise ValueError("Cannot decompose:\n- " + "\n- ".join(problems))
    wide_d = frame.assign(d=d.to_numpy()).pivot(index="unit", columns="time", values="d").sort_index(axis=1)
    wide_y = frame.pivot(index="unit", columns="time", values="y").sort_index(axis=1)
    dm = wide_d.to_numpy(float)
    if (np.diff(dm, axis=1) < 0).any():
        bad = wide_d.index[(np.diff(dm, axis=1) < 0).any(axis=1)]
        raise ValueError(f"'{treated}' switches off for {len(bad)} unit(s) (e.g. {unit}={bad[0]}); the decomposition "
                         "assumes that once treated a unit stays treated")
    periods = wide_d.columns.to_numpy(float)
    n_t = periods.size
    first = np.where(dm.any(axis=1), periods[np.argmax(dm > 0, axis=1)], np.inf)
    groups = np.unique(first)
    ym = wide_y.to_numpy(float)
    share = np.array([(first == g).mean() for g in groups])
    dbar = np.array([(periods >= g).mean() for g in groups])
    means = np.array([ym[first == g].mean(axis=0) for g in groups])  # groups x periods
    d_tilde = dm - dm.mean(axis=1, keepdims=True) - dm.mean(axis=0, keepdims=True) + dm.mean()
    v_d = float((d_tilde ** 2).mean())
    if v_d <= 1e-15:
        raise ValueError(f"'{treated}' does not vary within units and periods: nothing to decompose")
    always = periods[0]

    rows = []
    for i, early in enumerate(groups):
        for j, late in enumerate(groups):
            if not early < late:
                continue
            n_k, n_l, d_k, d_l = share[i], share[j], dbar[i], dbar[j]
            n_kl = n_k / (n_k + n_l)
            pre = periods < early
            mid = (periods >= early) & (periods < late)
            post = periods >= late
            # the earlier group treated, the later one as control (before it adopts)
            if d_k < 1 and d_k > d_l:
                w = ((n_k + n_l) * (1 - d_l)) ** 2 * n_kl * (1 - n_kl) * (d_k - d_l) / (1 - d_l) * (1 - d_k) / (1 - d_l)
                est = (means[i, mid].mean() - means[i, pre].mean()) - (means[j, mid].mean() - means[j, pre].mean())
                kind = "treated vs never treated" if np.isinf(late) else "earlier vs later treated"
                rows.append((kind, early, late, est, w / v_d))
            # the later group treated, the earlier (already treated) one as control
            if d_l > 0 and d_k > d_l:
                w = ((n_k + n_l) * d_k) ** 2 * n_kl * (1 - n_kl) * (d_l / d_k) * (d_k - d_l) / d_k
                est = (means[j, post].mean() - means[j, mid].mean()) - (means[i, post].mean() - means[i, mid].mean())
                kind = "treated vs always treated" if early <= always else "later vs earlier treated"
                rows.append((kind, late, early, est, w / v_d))
    out = pd.DataFrame(rows, columns=["comparison", "treated_cohort", "control_cohort", "estimate", "weight"])
    whole = np.all(np.mod(periods, 1) == 0)
    for c in ("treated_cohort", "control_cohort"):
        values = out[c].astype(float).replace(np.inf, np.nan)  # never treated: missing
        out[c] = values.astype("Int64") if whole else values
    order = {c: i for i, c in enumerate(COMPARISONS)}
    out = out.sort_values(["comparison", "treated_cohort", "control_cohort"],
                          key=lambda s: s.map(order) if s.name == "comparison" else s).reset_index(drop=True)
    coefficient = float((out["weight"] * out["estimate"]).sum())
    return BaconResult(outcome=outcome, treated=treated, twfe=coefficient, variance_of_treatment=v_d, frame=out,
                       n_units=n_units, n_periods=n_t)
