"""``att_gt``: the entry point -- validate, reshape, estimate cells, attach inference."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from . import bootstrap as _boot, repeated_cross_section as _rcs, wild_bootstrap as _wild
from .aggregate import simple_estimate
from .group_time import DesignCache, estimate_cells
from .inference import VANISHED_PREFIX, cluster_sums, share_influence, summarize, vanished_message
from .panel import (
    NEVER_TREATED,
    _as_number,
    assemble,
    build_panel,
    check_rows,
    cohorts_from_rows,
    periods_before,
    time_gap,
)
from .results import Estimate, GroupTimeResult, Inference, Settings, _labels

CONTROL_GROUPS = ("never_treated", "not_yet_treated")
METHODS = ("dr", "ipw", "reg", "dr_imp")
BASE_PERIODS = ("varying", "universal")


def att_gt(
    data: pd.DataFrame,
    outcome: str,
    unit: str | None,
    time: str,
    cohort: str,
    *,
    control_group: str = "never_treated",
    covariates: str | list[str] | tuple[str, ...] | None = None,
    method: str = "dr",
    anticipation: int = 0,
    base_period: str = "varying",
    cluster: str | None = None,
    weights: str | None = None,
    bootstrap: int | None = None,
    seed: int | None = None,
    alpha: float = 0.05,
    bootstrap_weights: str = "rademacher",
    panel: bool = True,
    cluster_bootstrap: str | None = None,
) -> GroupTimeResult:
    """Group-time average treatment effects under staggered adoption.

    Estimates ATT(g, t), the average effect in period ``t`` on units first
    treated in period ``g`` (their *cohort*), for every cohort and period, by
    the method of Callaway and Sant'Anna (2021), reproducing R ``did`` 2.5.0
    ``att_gt`` for panel data. Each cell is a 2x2 DiD of the cohort against a
    comparison group between a base period and ``t``, estimated by doubly
    robust (Sant'Anna and Zhao 2020), inverse probability weighting or outcome
    regression; see :mod:`evaluation.did.group_time`.

    Identifying assumptions (Callaway and Sant'Anna 2021, Assumptions 1-5):
    staggered, absorbing adoption (once treated, always treated); random
    sampling of units; limited treatment anticipation (no effect before
    ``cohort - anticipation``); parallel trends, conditional on ``covariates``,
    between each cohort and the comparison group (never-treated units, or units
    not yet treated by ``max(t, base) + anticipation``); overlap (propensity
    scores bounded away from 1).

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel: one row per unit and period. Not modified.
    outcome, unit, time, cohort : str
        Column names. ``cohort`` is the first period a unit is treated;
        never-treated units have 0 or missing (NaN).
    control_group : {"never_treated", "not_yet_treated"}
    covariates : str or list of str, optional
        Pre-treatment covariates for conditional parallel trends; values are
        taken from the earlier of a cell's two periods (as in R did).
        Covariates constant or collinear within a cell are dropped there, with a
        warning; collinear among the comparison units only, the cell is not identified.
    method : {"dr", "ipw", "reg"}
    anticipation : int
        Number of periods before adoption in which units may already react.
    base_period : {"varying", "universal"}
        ``varying``: pre-adoption cells compare consecutive periods;
        ``universal``: every cell of a cohort compares with period
        ``cohort - anticipation - 1`` (that cell is a reference fixed at 0).
    cluster : str, optional
        Column with a cluster at the unit level or coarser (constant within
        unit); standard errors then sum influence functions within clusters.
    weights : str, optional
        Column with unit-level sampling weights (constant within unit).
    bootstrap : int, optional
        Number of multiplier-bootstrap draws. Standard errors then come from the
        bootstrap and ``conf_low``/``conf_high`` form a uniform (simultaneous)
        band over the cells (``result.inference.band == "uniform"``).
    seed : int, optional
        Seed of the bootstrap multipliers.
    alpha : float
        1 - confidence level.
    bootstrap_weights : {"rademacher", "mammen"}
        Multiplier distribution. R did's ``att_gt``/``aggte`` bootstrap draws
        Rademacher multipliers (``BMisc::multiplier_bootstrap``); Mammen's are
        what ``DRDID`` uses for a single 2x2.
    panel : bool
        ``False``: the data are repeated cross-sections (each period's outcome
        measured on different entities, e.g. a survey), as R did's
        ``panel = FALSE``; every row is an observation, ``unit`` may be None, and
        ``method`` is ``"dr"`` (DRDID's ``drdid_rc``), ``"reg"`` or ``"ipw"``.
        See :mod:`evaluation.did.repeated_cross_section`.
    cluster_bootstrap : {None, "wild"}
        ``"wild"``: intervals from a wild cluster bootstrap-t with Webb six-point
        weights drawn per cluster of ``cluster`` (``bootstrap`` draws, 999 if not
        given), for few clusters; ``std_error`` stays the analytic cluster-robust
        one. Needs at least two clusters. See :mod:`evaluation.did.wild_bootstrap`.

    Returns
    -------
    GroupTimeResult
        ``tidy()``, ``pretest()``, ``aggregate(type)``, ``with_inference(...)``.

    Notes
    -----
    Unbalanced panels: a unit enters a cell only if its outcome (and
    covariates) are observed in both the cell's base period and period ``t``.
    Influence functions are rescaled by ``n / n1`` (``n`` all units, ``n1``
    units in the cell) so every cell's influence function is a mean over the
    same ``n`` units, and aggregation and clustering work unchanged. This is
    exactly R did on a balanced panel; on an unbalanced one it assumes that
    whether a unit is observed is unrelated to its outcome trend given its
    cohort (R's ``allow_unbalanced_panel`` instead treats the data as repeated
    cross-sections).

    Cells that cannot be estimated stay in the result with ``identified=False``
    and a ``note``: cohorts with no period before ``cohort - anticipation``;
    fewer than 2 treated or 2 comparison units observed in both periods; no
    overlap (an unweighted propensity score of 0.999 or more, R did 2.5.1's
    guard; or every comparison unit trimmed at 0.995); covariates collinear
    among comparison units. Units already treated before the first period are
    dropped with a warning. Standard errors of 1.49e-7 or less (R's floor, e.g.
    a single cluster) are NaN, with a warning.

    With no never-treated units and ``control_group="not_yet_treated"``, the
    periods from ``last cohort - anticipation`` onward are dropped and the last
    cohort serves only as a comparison group (R did 2.5.1's
    ``pre_process_did2``); ``messages`` says what was dropped. A cohort between
    two periods is compared from the last period before its adoption; event
    times are ``time - cohort`` in the time column's units, rounded to 12
    significant digits so that equal gaps compare equal however periods are coded.

    References
    ----------
    Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences with
    multiple time periods. Journal of Econometrics 225(2), 200-230.
    Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences
    estimators. Journal of Econometrics 219(1), 101-122.

    Examples
    --------
    >>> res = att_gt(mpdta, outcome="lemp", unit="countyreal", time="year",
    ...              cohort="first.treat")                      # doctest: +SKIP
    >>> res.aggregate("dynamic").tidy()                          # doctest: +SKIP
    """
    settings, covs = _settings(
        outcome=outcome, unit=unit, time=time, cohort=cohort, control_group=control_group, covariates=covariates,
        method=method, anticipation=anticipation, base_period=base_period, cluster=cluster, weights=weights,
        bootstrap=bootstrap, seed=seed, alpha=alpha, bootstrap_weights=bootstrap_weights, panel=panel,
        cluster_bootstrap=cluster_bootstrap,
    )
    if panel is not True and panel is not False:
        raise ValueError(f"panel must be True (a panel of units) or False (repeated cross-sections), not {panel!r}")
    rcs_period: np.ndarray | None = None
    rcs_messages: list[str] = []
    if panel:
        if unit is None:
            raise ValueError("unit is required for panel data; for repeated cross-sections use panel=False")
        checked = build_panel(
            data, outcome=outcome, unit=unit, time=time, cohort=cohort, covariates=covs, weights=weights,
            cluster=None if cluster == unit else cluster,
        )
    else:  # repeated cross-sections: every row an observation (evaluation.did.repeated_cross_section)
        checked, rcs_period, rcs_messages = _rcs.cross_section_panel(
            data, outcome=outcome, unit=unit, time=time, cohort=cohort, covariates=covs, weights=weights,
            cluster=cluster,
        )
    return _estimate(checked, settings, rcs_period=rcs_period, rcs_messages=rcs_messages, stacklevel=3)


class _Variants:
    """``att_gt`` on variants of one panel that change only the adoption dates or only the outcome.

    Internal to :mod:`evaluation.did`: randomization inference
    (:func:`evaluation.did.randomization_inference`) re-estimates with the cohorts
    reassigned across units, the power simulation (:func:`evaluation.did.power`)
    with simulated outcomes. The rows are checked and coded once, here, by the
    checks ``att_gt`` runs (:func:`evaluation.did.panel.check_rows`, the same
    function); a variant then only checks what it changes (the cohorts as
    ``build_panel`` checks them; an outcome must be missing exactly where the
    checked one is and never infinite) and goes straight to the estimation, so
    every number is ``att_gt``'s on the changed data frame. Simulated outcomes
    also share the cells' nuisance designs (a :class:`DesignCache`, bound to the
    panel's structure), since those do not depend on the outcome.
    """

    def __init__(self, data: pd.DataFrame, outcome: str, unit: str, time: str, cohort: str, **options):
        cluster, weights = options.get("cluster"), options.get("weights")
        self.settings, covs = _settings(outcome=outcome, unit=unit, time=time, cohort=cohort, **options)
        if not self.settings.panel:
            raise ValueError("variants of a panel need panel=True")
        self.rows, self._unit_cohort, self._consistent = check_rows(
            data, outcome=outcome, unit=unit, time=time, cohort=cohort, covariates=covs, weights=weights,
            cluster=None if cluster == unit else cluster,
        )
        self._missing = np.isnan(self.rows.y)
        self.designs = DesignCache()

    def with_cohorts(self, values: np.ndarray, *, post_only: bool = False) -> GroupTimeResult:
        """``att_gt`` with the cohort column replaced by ``values`` (one per row of the data).

        ``post_only``: only the post-adoption cells are estimated (the others are
        unidentified, with a note): enough for ``aggregate("simple")``, which uses no other.
        """
        unit_cohort, consistent = cohorts_from_rows(self.rows, values)
        panel = assemble(self.rows, unit_cohort, consistent)
        return _estimate(panel, self.settings, post_only=post_only, stacklevel=3)

    def simple_with_cohorts(self, values: np.ndarray) -> float:
        """``with_cohorts(values, post_only=True).aggregate("simple").overall.estimate``, computing only that number.

        Randomization inference needs the simple average effect of each reassignment and
        nothing else: the cells are estimated as :meth:`with_cohorts` estimates them (same
        checks, same warnings, same ``ValueError``), but no standard errors are attached
        and the aggregation computes only its estimate (:func:`evaluation.did.aggregate.simple_estimate`).
        """
        unit_cohort, consistent = cohorts_from_rows(self.rows, values)
        panel = assemble(self.rows, unit_cohort, consistent)
        return simple_estimate(_estimate(panel, self.settings, post_only=True, infer=False, stacklevel=3))

    def with_outcome(self, values: np.ndarray, *, post_only: bool = False) -> GroupTimeResult:
        """``att_gt`` with the outcome column replaced by ``values`` (one per row of the data);
        ``post_only`` as in :meth:`with_cohorts` (one setting per object: the designs are shared)."""
        y = np.asarray(values, dtype=float)
        if y.shape != self._missing.shape or not np.array_equal(np.isnan(y), self._missing) or np.isinf(y).any():
            raise ValueError("a variant's outcome must be finite, and missing exactly where the checked outcome is")
        panel = assemble(self.rows, self._unit_cohort, self._consistent, y=y)
        return _estimate(panel, self.settings, designs=self.designs, post_only=post_only, stacklevel=3)


def _settings(*, outcome, unit, time, cohort, control_group="never_treated", covariates=None, method="dr",
              anticipation=0, base_period="varying", cluster=None, weights=None, bootstrap=None, seed=None,
              alpha=0.05, bootstrap_weights="rademacher", panel=True, cluster_bootstrap=None):
    """``att_gt``'s options checked and recorded (its defaults repeated for :class:`_Variants`)."""
    covs = _check_options(control_group=control_group, covariates=covariates, method=method,
                          anticipation=anticipation, base_period=base_period, alpha=alpha, bootstrap=bootstrap,
                          bootstrap_weights=bootstrap_weights, cluster_bootstrap=cluster_bootstrap)
    settings = Settings(
        outcome=outcome, unit=unit, time=time, cohort=cohort, control_group=control_group, covariates=covs,
        method=method, anticipation=int(anticipation), base_period=base_period, cluster=cluster, weights=weights,
        bootstrap=bootstrap, seed=seed, alpha=alpha, bootstrap_weights=bootstrap_weights,
        panel=panel is True, cluster_bootstrap=cluster_bootstrap,
    )
    return settings, covs


def _check_options(*, control_group, covariates, method, anticipation, base_period, alpha, bootstrap,
                   bootstrap_weights, cluster_bootstrap) -> tuple[str, ...]:
    """``att_gt``'s checks of its options (not of the data); returns the covariates as a tuple."""
    if control_group not in CONTROL_GROUPS:
        hint = {"nevertreated": "never_treated", "notyettreated": "not_yet_treated"}.get(str(control_group))
        raise ValueError(
            f"control_group must be one of {CONTROL_GROUPS}, not {control_group!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
        )
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if base_period not in BASE_PERIODS:
        raise ValueError(f"base_period must be one of {BASE_PERIODS}, not {base_period!r}")
    if isinstance(anticipation, bool) or not isinstance(anticipation, int | np.integer) or anticipation < 0:
        raise ValueError(f"anticipation must be a non-negative integer, not {anticipation!r}")
    _check_inference_args(alpha, bootstrap, bootstrap_weights)
    _wild.check_arguments(cluster_bootstrap, bootstrap_weights)
    if covariates is None:
        return ()
    if isinstance(covariates, str):
        return (covariates,)
    return tuple(covariates)


def _estimate(panel, settings: Settings, *, rcs_period=None, rcs_messages=(), designs=None, post_only: bool = False,
              infer: bool = True, stacklevel: int = 3) -> GroupTimeResult:
    """``att_gt`` on a checked panel (``build_panel``'s, or the cross-sections'): cells, then inference.

    ``designs``: a :class:`evaluation.did.group_time.DesignCache` shared by estimates
    on panels that differ only in the outcome; ``post_only``: only post-adoption cells
    (see :meth:`_Variants.with_cohorts`). ``infer=False``: the result without
    standard errors (NaN), for a caller that reads only estimates. ``stacklevel``
    is that of ``att_gt``'s caller, seen from here.
    """
    is_panel = settings.panel
    cohort, time = settings.cohort, settings.time
    control_group, method = settings.control_group, settings.method
    anticipation, base_period = settings.anticipation, settings.base_period
    rcs_messages = list(rcs_messages)
    if not np.isinf(panel.unit_cohort).any() and control_group == "never_treated":
        raise ValueError(
            f"no never-treated units in '{cohort}' (never treated is coded 0 or missing), so "
            "control_group='never_treated' has no comparison group; use control_group='not_yet_treated' "
            "to compare each cohort with units not yet treated"
        )
    if panel.cohorts.size == 0:
        raise ValueError(f"no treated units in '{cohort}': every unit is never treated")
    treated = panel.cohorts
    preamble: list[str] = []
    if not np.isinf(panel.unit_cohort).any():
        restricted, treated, note = _without_never_treated(panel, anticipation, time, stacklevel=stacklevel + 1)
        preamble.append(note)
        if is_panel:
            panel = restricted
        else:  # cross-sections: drop the observations of those periods, as R did drops the rows
            panel, rcs_period = _rcs.observations_before(panel, rcs_period, float(panel.cohorts.max()) - anticipation)

    if is_panel:
        cells = estimate_cells(
            panel, control_group=control_group, method=method, anticipation=anticipation, base_period=base_period,
            cohorts=treated, designs=designs, post_only=post_only,
        )
    else:
        cells = _rcs.estimate_cells(
            panel, rcs_period, control_group=control_group, method=method, anticipation=anticipation,
            base_period=base_period, cohorts=treated,
        )
        for m in rcs_messages:
            warnings.warn(m, UserWarning, stacklevel=stacklevel)
    messages = preamble + rcs_messages + _report_issues(cells, settings.covariates, stacklevel=stacklevel + 1)

    event_time = time_gap(cells.time, cells.cohort, np.concatenate([panel.times.astype(float), treated]))
    alpha, bootstrap_weights = settings.alpha, settings.bootstrap_weights
    skeleton = GroupTimeResult(
        settings=settings,
        inference=Inference(alpha, settings.cluster, 0, None, None, bootstrap_weights, "pointwise", np.nan),
        cohort=cells.cohort,
        time=cells.time,
        event_time=_labels(event_time, cells.time),
        base_time=cells.base_time,
        values=Estimate(
            estimate=cells.estimate,
            std_error=np.full(cells.estimate.shape, np.nan),
            conf_low=np.full(cells.estimate.shape, np.nan),
            conf_high=np.full(cells.estimate.shape, np.nan),
            n_treated=cells.n_treated,
            n_control=cells.n_control,
            identified=cells.identified,
            note=tuple(cells.note),
        ),
        reference=cells.reference,
        influence=cells.influence,
        unit_ids=panel.unit_ids,
        unit_cohort=panel.unit_cohort,
        unit_weights=panel.weights,
        cluster_codes=panel.cluster_codes,
        roles=cells.roles,
        share_cohorts=treated,
        messages=tuple(messages),
    )
    if not infer:
        return skeleton
    return _infer(skeleton, alpha=alpha, bootstrap=settings.bootstrap, seed=settings.seed, kind=bootstrap_weights,
                  stacklevel=stacklevel + 1)


def _without_never_treated(panel, anticipation: int, time: str, stacklevel: int = 3):
    """No never-treated units, not-yet-treated comparisons: R did 2.5.1's rule.

    After the last cohort adopts (minus anticipation) nobody is left untreated to
    compare with, so those periods are dropped, and the last cohort is only a
    comparison group: its own cells could compare it with no one after adoption,
    and its pre-adoption cells would mirror other cohorts' cells (R did's
    ``pre_process_did2``). Returns the restricted panel, the cohorts to estimate
    and a note saying what was dropped.
    """
    cohorts = panel.cohorts
    last = float(cohorts.max())
    cutoff = last - anticipation
    times_f = panel.times.astype(float)
    dropped = panel.times[times_f >= cutoff]
    if (times_f < cutoff).sum() < 2:
        raise ValueError(
            f"no never-treated units, and fewer than two periods of '{time}' come before the last cohort "
            f"({_as_number(last)}{f' - {anticipation} (anticipation)' if anticipation else ''}) adopts, so no "
            "cohort can be compared with units not yet treated; add never-treated units or earlier periods"
        )
    restricted = periods_before(panel, cutoff)
    treated = cohorts[cohorts < last]
    if treated.size == 0:
        raise ValueError(
            f"no never-treated units, and every treated unit adopts in {_as_number(last)}, the last cohort: "
            "it can serve only as a comparison group, so there is no cohort left to estimate"
        )
    note = (
        "No never-treated units: as R did does, the periods from the last cohort's adoption "
        + (f"minus anticipation ({_as_number(cutoff)})" if anticipation else f"({_as_number(cutoff)})")
        + f" onward were dropped ({time} = {', '.join(str(_as_number(t)) for t in dropped)}), "
        f"and cohort {_as_number(last)} serves only as a not-yet-treated comparison group (no effects are "
        "estimated for it)."
    )
    warnings.warn(note, UserWarning, stacklevel=stacklevel)
    return restricted, treated, note


def _check_inference_args(alpha, bootstrap, bootstrap_weights) -> None:
    if not (isinstance(alpha, float | int) and 0 < alpha < 1):
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if bootstrap is not None and (isinstance(bootstrap, bool) or not isinstance(bootstrap, int | np.integer) or bootstrap < 2):
        raise ValueError(f"bootstrap must be None or a number of draws (an integer >= 2), not {bootstrap!r}")
    if bootstrap_weights not in _boot.MULTIPLIERS:
        raise ValueError(f"bootstrap_weights must be one of {_boot.MULTIPLIERS}, not {bootstrap_weights!r}")


def _shorten(items: list[str], limit: int = 8) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _report_issues(cells, covs, stacklevel: int = 3) -> list[str]:
    """Warn once per kind of problem, naming the (cohort, time) cells."""
    msgs = []
    issues = cells.issues
    if "collinear" in issues:
        msgs.append(
            f"Covariates constant or collinear within {len(issues['collinear'])} cell(s) were dropped there: "
            + _shorten(issues["collinear"])
        )
    if "trimmed" in issues:
        msgs.append(
            f"Comparison units with propensity score >= 0.995 were trimmed in {len(issues['trimmed'])} cell(s): "
            + _shorten(issues["trimmed"])
        )
    if "separation" in issues:
        msgs.append(
            f"The propensity-score logit is quasi-separated in {len(issues['separation'])} cell(s) "
            f"({_shorten(issues['separation'])}): some units' scores are numerically 0 or 1, so they get "
            "(numerically) no weight; the fit converged on the deviance, as R's glm does."
        )
    if "convergence" in issues:
        msgs.append(f"The propensity-score logit did not converge in cell(s) {_shorten(issues['convergence'])}")
    if "problem" in issues:
        msgs.append(f"{len(issues['problem'])} cell(s) could not be estimated: " + _shorten(issues["problem"], 4))
    if "overlap" in issues:
        msgs.append(f"No overlap (every comparison unit trimmed) in cell(s) {_shorten(issues['overlap'])}")
    unidentified = int((~cells.identified).sum())
    if unidentified:
        msgs.append(
            f"{unidentified} of {len(cells.identified)} group-time cells are not identified; "
            "they stay in tidy() with identified=False and a note, and aggregations skip them."
        )
    for m in msgs:
        warnings.warn(m, UserWarning, stacklevel=stacklevel)
    return msgs


def _infer(res: GroupTimeResult, *, alpha: float, bootstrap: int | None, seed: int | None, kind: str,
           stacklevel: int = 3) -> GroupTimeResult:
    """Attach standard errors, limits and (if asked) bootstrap draws to a result."""
    if res.settings.cluster_bootstrap == "wild":  # few-cluster inference: evaluation.did.wild_bootstrap
        return _wild.infer(res, alpha=alpha, bootstrap=bootstrap, seed=seed)
    n = res.n_units
    codes = res.cluster_codes
    n_clusters = res.n_clusters
    draws = None
    if bootstrap:
        share_if = share_influence(res.unit_cohort, res.unit_weights, res.share_cohorts)
        scores = cluster_sums(np.hstack([res.influence, share_if]), codes, n_clusters)
        draws = _boot.multiplier_draws(scores, n, int(bootstrap), seed, kind)
    k = res.n_cells
    unc = summarize(
        res.estimate,
        res.usable,
        res.influence,
        None if draws is None else draws[:, :k],
        codes=codes,
        n_clusters=n_clusters,
        n_units=n,
        alpha=alpha,
        uniform=True,
    )
    messages = tuple(m for m in res.messages if not m.startswith(VANISHED_PREFIX))
    if unc.vanished is not None and unc.vanished.any():
        msg = vanished_message(int(unc.vanished.sum()), n_clusters, "group-time cell(s)", bootstrap=draws is not None)
        warnings.warn(msg, UserWarning, stacklevel=stacklevel)
        messages += (msg,)
    inference = Inference(
        alpha=alpha,
        cluster=res.settings.cluster if codes is not None else None,
        n_clusters=n_clusters,
        bootstrap=int(bootstrap) if bootstrap else None,
        seed=seed if bootstrap else None,
        bootstrap_weights=kind,
        band=unc.band,
        critical_value=unc.critical_value,
    )
    return replace(
        res,
        inference=inference,
        values=replace(res.values, std_error=unc.std_error, conf_low=unc.conf_low, conf_high=unc.conf_high),
        bootstrap_draws=draws,
        messages=messages,
    )


__all__ = ["att_gt", "CONTROL_GROUPS", "METHODS", "BASE_PERIODS", "NEVER_TREATED"]
