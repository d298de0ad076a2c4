"""The robustness question: would the estimated effect survive other estimators, weaker
assumptions, placebo adoption dates, and is the data able to detect an effect at all?

The notebook ``03_robustness`` calls these. Estimators live in
:mod:`evaluation.did`; this module picks the inputs for the analysis panel
(``Dataset.panel``: ``entity_id, year, value, cohort, ...``), stacks the results
into tables, and writes the sentences that read them. Every sentence is
computed from the numbers it is given (no conclusion is written in advance),
so the same notebook run on other data says other things.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from IPython.display import Markdown

from evaluation import did
from evaluation.questions import comparisons
from evaluation.questions import data_quality
from evaluation.load.contract import INDICATORS
from evaluation.panel import PANEL_KEYS, add_treated

COMPARISON_COLUMNS = ["estimator", "estimate", "std_error", "conf_low", "conf_high", "reading"]
#: The row of the estimator comparison the others are measured against.
REFERENCE_ESTIMATOR = "Callaway-Sant'Anna, never-treated controls"
IMPUTATION_ESTIMATOR = "Imputation (Borusyak, Jaravel & Spiess)"
TWFE_ESTIMATOR = "Two-way fixed effects (static)"
SUN_ABRAHAM_ESTIMATOR = "Sun-Abraham interaction-weighted"
#: The 2x2 comparisons that use already-treated units as controls.
FORBIDDEN = ("later vs earlier treated", "treated vs always treated")


# --------------------------------------------------------------------------------------
# words
# --------------------------------------------------------------------------------------


def units_label(dataset, outcome: str) -> str:
    """The unit an effect on ``outcome`` is measured in, for axis labels and sentences.

    FURAG indicators are 0-100 indices ("points"); an outcome whose label says
    it is a log (e.g. castle's "log homicides per 100,000") moves in log points;
    otherwise the outcome's own units.
    """
    if outcome in INDICATORS:
        return "points"
    label = data_quality.wording(dataset)["outcomes"].get(outcome, "")
    if label.lower().startswith("log"):
        return "log points"
    return f"units of {outcome}"


def _words(dataset) -> dict:
    return data_quality.wording(dataset) if dataset is not None else {**data_quality.GCIO_WORDING}


def _num(x: float, digits: int = 2) -> str:
    return f"{x:+.{digits}f}"


def _digits(scale: float) -> int:
    """Decimals that show a number of this size with about two significant digits."""
    if not np.isfinite(scale) or scale <= 0:
        return 2
    return int(min(4, max(1, 1 - np.floor(np.log10(scale)))))


def _ci(low: float, high: float, alpha: float, digits: int) -> str:
    return f"{100 * (1 - alpha):.0f}% interval {low:+.{digits}f} to {high:+.{digits}f}"


def _covers_zero(low: float, high: float) -> bool:
    return bool(low <= 0 <= high)


def panel_summary(panel: pd.DataFrame, outcome: str, covariates: list[str], dataset=None) -> str:
    """Plain, stable text describing the analysis panel (for a checked notebook cell)."""
    w = _words(dataset)
    n = panel["entity_id"].nunique()
    adopters = panel.loc[panel["cohort"] > 0, "entity_id"].nunique()
    years = sorted(panel["year"].unique())
    balanced = balanced_panel(panel)["entity_id"].nunique()
    return (f"Outcome: {data_quality.indicator_label(outcome, dataset)}; years {years[0]}-{years[-1]}\n"
            f"{n} {w['units']}, {adopters} adopters; {balanced} observed every year\n"
            f"Covariates: {', '.join(covariates) or 'none'}")


# --------------------------------------------------------------------------------------
# 1. Goodman-Bacon decomposition
# --------------------------------------------------------------------------------------


def balanced_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """The entities observed in every year of ``panel`` (the decomposition needs a balanced panel)."""
    n_years = panel["year"].nunique()
    counts = panel.groupby("entity_id")["year"].nunique()
    keep = counts.index[counts == n_years]
    return panel[panel["entity_id"].isin(keep)].reset_index(drop=True)


def bacon(panel: pd.DataFrame) -> did.BaconResult:
    """Goodman-Bacon decomposition of the static TWFE on the entities observed every year."""
    balanced = add_treated(balanced_panel(panel))
    return did.bacon(balanced, "value", "entity_id", "year", "treated")


def bacon_title(decomposition: did.BaconResult, outcome: str) -> str:
    summary = decomposition.summary().set_index("comparison")
    never = "treated vs never treated"
    clean = float(summary.loc[never, "weight"]) if never in summary.index else 0.0
    return (f"{clean:.0%} of the TWFE coefficient on {outcome} comes from comparisons with never-treated units; "
            f"{1 - clean:.0%} from comparisons between adoption cohorts")


def bacon_reading(decomposition: did.BaconResult, panel: pd.DataFrame, outcome: str, dataset=None) -> Markdown:
    """What the decomposition says about the static TWFE number."""
    w = _words(dataset)
    units = units_label(dataset, outcome)
    s = decomposition.summary().set_index("comparison")
    digits = _digits(abs(decomposition.twfe) or float(s["estimate"].abs().max()))
    n_all = panel["entity_id"].nunique()
    sample = ("" if decomposition.n_units == n_all else
              f"On the {decomposition.n_units} of {n_all} {w['units']} observed in all {decomposition.n_periods} years "
              "(the decomposition needs a balanced panel), t")
    parts = [f"{sample or 'T'}he two-way fixed-effects (TWFE) coefficient on {outcome}, "
             f"{_num(decomposition.twfe, digits)} {units}, "
             f"is a weighted average of {len(decomposition.frame)} simple before/after comparisons between "
             "groups of " + w["units"] + " that adopted in different years (Goodman-Bacon 2021):"]
    lines = []
    explain = {
        "treated vs never treated": f"adopters against {w['units']} that never adopted in these years",
        "earlier vs later treated": "earlier adopters against later adopters, before the later ones adopted",
        "later vs earlier treated": "later adopters against earlier adopters that had already adopted",
        "treated vs always treated": f"adopters against {w['units']} treated in every year of the data",
    }
    for kind, row in s.iterrows():
        lines.append(f"- {explain[kind]}: {row['weight']:.0%} of the weight, average {_num(row['estimate'], digits)}")
    text = " ".join(parts) + "\n" + "\n".join(lines)
    bad = [k for k in FORBIDDEN if k in s.index]
    bad_weight = float(s.loc[bad, "weight"].sum()) if bad else 0.0
    if bad_weight > 0:
        bad_est = float((s.loc[bad, "weight"] * s.loc[bad, "estimate"]).sum() / bad_weight)
        rest = s.drop(index=bad)
        rest_est = float((rest["weight"] * rest["estimate"]).sum() / rest["weight"].sum()) if len(rest) else np.nan
        direction = "below" if bad_est < rest_est else "above"
        text += (f"\n\n{bad_weight:.0%} of the weight sits on comparisons that use already-treated {w['units']} as "
                 "controls. When effects change with years since adoption, the controls' own effect moves too and "
                 "these comparisons are biased; here they average "
                 f"{_num(bad_est, digits)}, {abs(bad_est - rest_est):.{digits}f} {units} {direction} the other "
                 f"comparisons ({_num(rest_est, digits)}), pulling the TWFE number "
                 f"{'down' if direction == 'below' else 'up'}.")
    else:
        text += (f"\n\nNo comparison uses already-treated {w['units']} as controls, so TWFE is not contaminated "
                 "that way.")
    return Markdown(text)


# --------------------------------------------------------------------------------------
# 2. estimator comparison
# --------------------------------------------------------------------------------------


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _row(label: str, overall, reading: str) -> dict:
    return {"estimator": label, "estimate": overall.estimate, "std_error": overall.std_error,
            "conf_low": overall.conf_low, "conf_high": overall.conf_high, "reading": reading}


def _modern(index) -> list[str]:
    """The estimators of a comparison table that are built for staggered adoption."""
    return [e for e in index if e.startswith("Callaway") or e in (IMPUTATION_ESTIMATOR, SUN_ABRAHAM_ESTIMATOR)]


def sun_abraham(panel: pd.DataFrame, covariates: list[str], *, alpha: float = 0.05) -> did.SunAbrahamResult:
    """Sun-Abraham on the analysis panel: never-treated controls when there are any, else the last cohort.

    The entity covariates of the contract are fixed over time, so they enter interacted with the years
    (trends may differ with them: parallel trends conditional on them, as in the other estimators).
    """
    never = ~(pd.to_numeric(panel["cohort"], errors="coerce") > 0)
    return _quiet(did.sun_abraham, panel, **PANEL_KEYS, control="never_treated" if never.any() else "last_cohort",
                  covariates=list(covariates) or None, alpha=alpha)


def _failed(label: str, exc: Exception) -> dict:
    return {"estimator": label, "estimate": np.nan, "std_error": np.nan, "conf_low": np.nan, "conf_high": np.nan,
            "reading": f"not estimable: {exc}"}


def estimator_comparison(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                         alpha: float = 0.05) -> pd.DataFrame:
    """The average effect since adoption by six estimators, from the most naive.

    Rows: before/after for adopters only; static TWFE; Callaway-Sant'Anna
    against never-treated and against not-yet-treated controls; the imputation
    estimator of Borusyak, Jaravel and Spiess; the interaction-weighted
    estimator of Sun and Abraham. The last four are built for staggered
    adoption and use ``covariates`` (conditional parallel trends; Sun-Abraham
    with each covariate interacted with the years).
    Analytic standard errors throughout (BJS's conservative ones for imputation).
    """
    covs = list(covariates) or None
    with_covs = f", conditional on {', '.join(covariates)}" if covariates else ""
    rows = [comparisons.before_after(panel, alpha=alpha)]
    try:
        rows.append(comparisons.twfe(add_treated(panel), "value", "entity_id", "year", "treated", alpha=alpha))
    except ValueError as exc:
        rows.append(_failed(TWFE_ESTIMATOR, exc))
    for label, control in ((REFERENCE_ESTIMATOR, "never_treated"),
                           ("Callaway-Sant'Anna, not-yet-treated controls", "not_yet_treated")):
        try:
            res = _quiet(did.att_gt, panel, **PANEL_KEYS, control_group=control, covariates=covs,
                         method=method if covs else "dr", alpha=alpha)
            rows.append(_row(label, res.aggregate("simple").overall,
                             f"{int(res.usable.sum())} cohort-year cells{with_covs}"))
        except ValueError as exc:
            rows.append(_failed(label, exc))
    try:
        imp = _quiet(did.imputation, panel, **PANEL_KEYS, covariates=covs, alpha=alpha)
        rows.append(_row(IMPUTATION_ESTIMATOR, imp.overall,
                         f"{imp.overall.note}{with_covs}; conservative standard errors"))
    except ValueError as exc:
        rows.append(_failed(IMPUTATION_ESTIMATOR, exc))
    try:
        sa = sun_abraham(panel, covariates, alpha=alpha)
        control = ("never-treated controls" if sa.settings["control"] == "never_treated" else
                   f"the last cohort ({sa.settings['control cohort']}) as control, years before it adopted")
        rows.append(_row(SUN_ABRAHAM_ESTIMATOR, sa.overall,
                         f"{int(sa.cells['identified'].sum())} cohort-event-time cells, {control}"
                         + (f", conditional on {', '.join(covariates)} (by year)" if covariates else "")))
    except ValueError as exc:
        rows.append(_failed(SUN_ABRAHAM_ESTIMATOR, exc))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def comparison_title(table: pd.DataFrame, outcome: str, dataset=None) -> str:
    """States how far TWFE sits from the reference estimator, and whether the modern ones agree."""
    t = table.set_index("estimator")
    units = units_label(dataset, outcome)
    if REFERENCE_ESTIMATOR not in t.index or not np.isfinite(t.loc[REFERENCE_ESTIMATOR, "estimate"]):
        return f"Average effect on {outcome} by estimator"
    ref = float(t.loc[REFERENCE_ESTIMATOR, "estimate"])
    digits = _digits(abs(ref))
    twfe = float(t.loc[TWFE_ESTIMATOR, "estimate"]) if TWFE_ESTIMATOR in t.index else np.nan
    if np.isfinite(twfe):
        gap = twfe - ref
        return (f"TWFE sits {abs(gap):.{digits}f} {units} {'above' if gap > 0 else 'below'} Callaway-Sant'Anna "
                f"({_num(ref, digits)}) on {outcome}")
    return f"Callaway-Sant'Anna estimates {_num(ref, digits)} {units} on {outcome}"


def comparison_reading(table: pd.DataFrame, outcome: str, alpha: float, truth: float | None = None,
                       dataset=None) -> Markdown:
    """Do the estimators built for staggered adoption agree with each other, and with TWFE?"""
    units = units_label(dataset, outcome)
    t = table.set_index("estimator")
    ok = t.loc[_modern(t.index)].dropna(subset=["estimate"])
    if ok.empty:
        return Markdown("None of the estimators built for staggered adoption could be computed on these data.")
    digits = _digits(float(ok["std_error"].median()))
    lo, hi = float(ok["estimate"].min()), float(ok["estimate"].max())
    overlap = float(ok["conf_low"].max()) <= float(ok["conf_high"].min())
    se = float(ok["std_error"].max())
    text = (f"The {len(ok)} estimators built for staggered adoption give between {_num(lo, digits)} and "
            f"{_num(hi, digits)} {units}: a spread of {hi - lo:.{digits}f}, "
            f"{(hi - lo) / se:.1f} times the largest standard error ({se:.{digits}f}). ")
    text += ("Their intervals share common ground, so they agree within sampling error."
             if overlap else "Their intervals do not all overlap: they disagree by more than sampling error, "
             "which points to a problem with one of their assumptions (comparison group, covariates).")
    signs = {bool(v > 0) for v in ok["estimate"]}
    detected = [e for e, r in ok.iterrows() if not _covers_zero(r["conf_low"], r["conf_high"])]
    text += (f" {len(detected)} of {len(ok)} exclude zero at the {100 * (1 - alpha):.0f}% level"
             + ("" if len(signs) == 1 else "; they do not even agree on the sign") + ".")
    if TWFE_ESTIMATOR in t.index and np.isfinite(t.loc[TWFE_ESTIMATOR, "estimate"]):
        twfe = float(t.loc[TWFE_ESTIMATOR, "estimate"])
        mid = (lo + hi) / 2
        inside = lo <= twfe <= hi
        text += (f"\n\nStatic TWFE gives {_num(twfe, digits)}, "
                 + ("inside that range." if inside else
                    f"{abs(twfe - mid):.{digits}f} {units} {'above' if twfe > mid else 'below'} their midpoint: "
                    "the bias the decomposition above explains."))
    naive = "Naive before/after (adopters only)"
    if naive in t.index and np.isfinite(t.loc[naive, "estimate"]):
        text += (f" The naive before/after change of adopters, {_num(float(t.loc[naive, 'estimate']), digits)}, "
                 "also counts whatever every unit gained over the same years.")
    if truth is not None and np.isfinite(truth):
        covering = [e for e, r in t.dropna(subset=["estimate"]).iterrows() if r["conf_low"] <= truth <= r["conf_high"]]
        text += (f"\n\nIn these synthetic data the true average effect is {_num(truth, digits)}; the intervals of "
                 + (", ".join(covering) if covering else "none of the estimators") + " cover it.")
    return Markdown(text)


def event_time_profiles(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr",
                        alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """Effects by years since adoption from four estimators (tidy tables by label).

    Callaway-Sant'Anna with a universal base period (the input of the
    sensitivity analysis), the imputation estimator (pre-adoption rows are its
    pre-trend coefficients), Sun-Abraham's interaction-weighted event study
    and the dynamic TWFE event study (no covariates).
    """
    covs = list(covariates) or None
    out = {}
    try:
        out["Callaway-Sant'Anna (universal base period)"] = dynamic_effects(
            panel, covariates, method=method, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["Imputation (before adoption: pre-trend test coefficients)"] = _quiet(
            did.imputation, panel, **PANEL_KEYS, covariates=covs, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["Sun-Abraham"] = sun_abraham(panel, covariates, alpha=alpha).tidy()
    except ValueError:
        pass
    try:
        out["TWFE event study (no covariates)"] = _quiet(did.event_study, panel, **PANEL_KEYS, alpha=alpha).tidy()
    except ValueError:
        pass
    return out


def profiles_title(profiles: dict[str, pd.DataFrame], outcome: str, dataset=None) -> str:
    """States how far apart the estimators are at the longest horizon they all estimate."""
    units = units_label(dataset, outcome)
    post = {}
    for label, frame in profiles.items():
        f = frame[(frame["event_time"] >= 0) & frame["identified"] & np.isfinite(frame["estimate"])]
        post[label] = f.set_index("event_time")["estimate"]
    common = set.intersection(*(set(v.index) for v in post.values())) if post else set()
    if not common:
        return f"Effects on {outcome} by years since adoption"
    h = max(common)
    values = {label.split(" (")[0]: float(v.loc[h]) for label, v in post.items()}
    lo, hi = min(values, key=values.get), max(values, key=values.get)
    digits = _digits(abs(values[hi] - values[lo]) or abs(values[hi]))
    return (f"{h} years after adoption the estimates of the effect on {outcome} range from "
            f"{_num(values[lo], digits)} ({lo}) to {_num(values[hi], digits)} {units} ({hi})")


# --------------------------------------------------------------------------------------
# 3. sensitivity to parallel trends
# --------------------------------------------------------------------------------------


def dynamic_effects(panel: pd.DataFrame, covariates: list[str], *, method: str = "dr", alpha: float = 0.05):
    """Callaway-Sant'Anna effects by event time with a universal base period (what ``did.honest`` needs)."""
    covs = list(covariates) or None
    res = _quiet(did.att_gt, panel, **PANEL_KEYS, covariates=covs, method=method if covs else "dr",
                 base_period="universal", alpha=alpha)
    return res.aggregate("dynamic")


def sensitivity_table(*results) -> pd.DataFrame:
    """The sensitivity analyses stacked: ``restriction, parameter, conf_low, conf_high, id_low, id_high``."""
    frames = []
    for r in results:
        f = r.tidy()
        f.insert(0, "restriction", np.where(f["method"] == "original", "none (parallel trends)",
                                            "relative magnitudes (Mbar)" if r.method == "relative_magnitude"
                                            else "smoothness (M)"))
        frames.append(f if not frames else f.iloc[1:])
    return pd.concat(frames, ignore_index=True).drop(columns="method")


def sensitivity_title(rm: did.HonestResult, outcome: str) -> str:
    if _covers_zero(rm.original["conf_low"], rm.original["conf_high"]):
        return f"The effect on {outcome} is not significant even under exact parallel trends"
    if np.isinf(rm.breakdown):
        return (f"The effect on {outcome} stays significant for every Mbar up to "
                f"{rm.frame['parameter'].max():g}")
    return (f"The effect on {outcome} stays significant until post-adoption drift reaches {rm.breakdown:.2g} times "
            "the largest pre-adoption drift")


def sensitivity_reading(rm: did.HonestResult, sd: did.HonestResult | None, outcome: str, dataset=None) -> Markdown:
    """How far parallel trends would have to fail to overturn the finding (breakdown values)."""
    units = units_label(dataset, outcome)
    orig = rm.original
    digits = _digits(rm.std_error)
    if rm.target == "average":
        first = min(t for t in rm.post_event_times if t >= 0)
        target = f"the average effect over event times {first}-{max(rm.post_event_times)}"
    else:
        target = f"the effect {rm.target} years after adoption"
    weighting = (" (each year since adoption counts equally, unlike the average over adopter-years of the "
                 "estimator table)" if rm.target == "average" else "")
    text = (f"Under exact parallel trends {target} is {_num(rm.estimate, digits)} {units}{weighting} "
            f"({_ci(orig['conf_low'], orig['conf_high'], rm.alpha, digits)}). "
            f"The analysis uses {len(rm.pre_event_times)} pre-adoption and {len(rm.post_event_times)} post-adoption "
            "event times.")
    if _covers_zero(orig["conf_low"], orig["conf_high"]):
        text += (" That interval already includes zero, so there is no finding to overturn; the bounds below show "
                 "how much wider the uncertainty becomes if trends were not parallel.")
        return Markdown(text)
    if np.isinf(rm.breakdown):
        text += (f"\n\n**Relative magnitudes:** the interval excludes zero for every Mbar tried (up to "
                 f"{rm.frame['parameter'].max():g}): even post-adoption departures from parallel trends "
                 f"{rm.frame['parameter'].max():g} times as large as the largest one seen before adoption would "
                 "not overturn the finding.")
    else:
        text += (f"\n\n**Relative magnitudes:** the interval includes zero once post-adoption departures from parallel "
                 f"trends may be {rm.breakdown:.2g} times the largest pre-adoption one (the breakdown value). "
                 + ("Overturning the finding takes a post-adoption violation larger than any seen between consecutive "
                    "years before adoption." if rm.breakdown > 1 else
                    "A violation no larger than one already seen before adoption would overturn the finding: "
                    "it is fragile."))
    if sd is not None:
        sd_digits = _digits(float(sd.frame["parameter"].max()) / 10 or 1.0)
        if np.isinf(sd.breakdown):
            text += (f"\n\n**Smoothness:** the interval excludes zero for every M tried (up to "
                     f"{sd.frame['parameter'].max():.{sd_digits + 1}f} {units} per year).")
        elif sd.breakdown == 0:
            text += ("\n\n**Smoothness:** extrapolating the pre-adoption trend linearly (M = 0), the interval already "
                     "includes zero: the effect is not distinguishable from a continuation of the trend adopters were "
                     "on before adoption.")
        else:
            text += ("\n\n**Smoothness:** allowing the pre-adoption trend to be extrapolated with its slope "
                     f"changing by up to M {units} per year, the interval includes zero from "
                     f"M = {sd.breakdown:.{sd_digits + 1}f}.")
        rows = sd.frame.iloc[1:]
        empty = rows[rows["id_low"].isna()]
        if len(empty):
            text += (f" For M up to {empty['parameter'].max():.{sd_digits + 1}f} the pre-adoption coefficients "
                     "themselves bend more than M allows, so no drift consistent with them fits the restriction "
                     "(the table shows no identified set there); the intervals remain valid, but such small M are "
                     "contradicted by the pre-adoption years.")
    for note in rm.notes:
        text += f"\n\n_{note}_"
    return Markdown(text)


def pretrend_power(dynamic, *, target_power: float = 0.5) -> did.PretrendPowerResult | str:
    """Roth's (2022) power of the pre-test on the event study, evaluated at the slope it detects
    ``target_power`` of the time (so the Bayes factor and likelihood ratio refer to that trend).

    Returns the reason instead when it cannot be computed on these data (no pre-adoption coefficient,
    or so many that the pre-test rejects more than ``target_power`` of the time even under parallel trends).
    """
    try:
        found = did.pretrend_power(dynamic, target_power=target_power)
    except ValueError as exc:
        return str(exc)
    return found.against(found.slope)


def pretrend_table(pp: did.PretrendPowerResult | str) -> pd.DataFrame:
    """The pre-adoption coefficients with the violation detected at the target power (or why there is none)."""
    if isinstance(pp, str):
        return pd.DataFrame({"note": [f"pre-test power not computed: {pp}"]})
    return pp.tidy()


def pretrend_power_reading(pp: did.PretrendPowerResult, rm: did.HonestResult, outcome: str,
                           dataset=None) -> Markdown:
    """The pre-trend power statement in plain words, set against the effect it could bias."""
    if isinstance(pp, str):
        return Markdown(f"The power of the pre-test could not be computed on these data: {pp}.")
    units = units_label(dataset, outcome)
    digits = _digits(pp.slope)
    times = pp.event_time
    how_often = "half the time" if pp.target_power == 0.5 else f"{pp.target_power:.0%} of the time"
    text = (f"The pre-test flags a problem when any of the {len(times)} pre-adoption coefficients (event times "
            f"{times.min()} to {times.max()}) is significant on its own (|t| > {pp.settings['critical_value']:g}). "
            f"**The pre-test would detect a linear trend of {pp.slope:.{digits}f} {units} a year only {how_often}** "
            f"(Roth 2022); with parallel trends it raises a false alarm {pp.size:.0%} of the time.")
    post = [t for t in rm.post_event_times if t >= 0]
    reference = pp.settings["reference"]
    if post and reference is not None and np.isfinite(rm.estimate):
        bias = pp.slope * float(np.mean([t - reference for t in post]))
        share = abs(bias) / abs(rm.estimate) if rm.estimate else np.inf
        text += (f"\n\nIf such a trend went on after adoption it would add {bias:.{_digits(bias)}f} {units} on average "
                 f"over event times {min(post)}-{max(post)}, against an estimated average effect of "
                 f"{_num(rm.estimate, _digits(rm.std_error))} {units} over the same years: "
                 + ("**a trend the pre-test misses half the time could produce most of the effect**, so passing the "
                    "pre-test says little; the sensitivity analysis above is the better guide."
                    if share >= 0.5 else
                    f"about {share:.0%} of it, so a trend the pre-test would miss half the time explains only part "
                    "of the effect."))
    if np.isfinite(pp.likelihood_ratio):
        text += (f" The estimated pre-adoption coefficients are {pp.likelihood_ratio:.2g} times as likely under that "
                 "trend as under parallel trends (likelihood ratio), and passing the pre-test is "
                 f"{pp.bayes_factor:.2f} times as likely under it (Bayes factor).")
    for note in pp.notes:
        text += f"\n\n_{note}_"
    return Markdown(text)


# --------------------------------------------------------------------------------------
# 4. placebos
# --------------------------------------------------------------------------------------


def placebo_title(ri: did.RandomizationResult, outcome: str) -> str:
    valid = ri.permuted[np.isfinite(ri.permuted)]
    count = int((np.abs(valid) >= abs(ri.estimate)).sum())
    if count == 0:
        return (f"None of {valid.size} random reassignments of adoption dates gives an effect on {outcome} "
                f"as large as the real one (p = {ri.p_value:.3f})")
    return (f"{count} of {valid.size} random reassignments of adoption dates give an effect on {outcome} "
            f"as large as the real one (p = {ri.p_value:.3f})")


def placebo_reading(placebos: did.PlaceboResult, ri: did.RandomizationResult, alpha: float, outcome: str,
                    dataset=None) -> Markdown:
    """What the placebo adoption dates and the random reassignments find."""
    w = _words(dataset)
    units = units_label(dataset, outcome)
    f = placebos.tidy()
    ok = f[f["identified"]]
    lines = []
    digits = _digits(float(ok["std_error"].median())) if len(ok) else 2
    for r in f.itertuples():
        if not r.identified:
            lines.append(f"- {r.shift} year(s) earlier: not estimable ({r.note})")
            continue
        verdict = ("consistent with no effect" if _covers_zero(r.conf_low, r.conf_high)
                   else "**different from zero**")
        lines.append(f"- {r.shift} year(s) earlier: {_num(r.estimate, digits)} {units} "
                     f"({_ci(r.conf_low, r.conf_high, alpha, digits)}), {verdict}")
    rejected = int((ok["p_value"] < alpha).sum())
    text = ("Moving every adoption earlier and using only the years before the real adoption, the estimator should "
            "find nothing:\n" + "\n".join(lines) + "\n\n")
    if len(ok) == 0:
        text += "No placebo date could be estimated."
    elif rejected == 0:
        text += ("No placebo date finds an effect, as expected if adopters and comparisons moved alike before "
                 "adoption.")
    else:
        text += (f"{rejected} of {len(ok)} placebo dates find an 'effect' before adoption (p < {alpha:g}). "
                 "Adopters were already drifting apart from the comparisons, or anticipated the adoption: "
                 "read the main estimate with caution.")
    verdict = (f"So few random assignments give an effect as large that chance is an unlikely explanation "
               f"at the {alpha:.0%} level." if ri.p_value < alpha else
               f"That is not rare enough to rule out chance at the {alpha:.0%} level.")
    text += (f"\n\n**Randomization inference:** reassigning the adoption dates at random across {w['units']} "
             f"({ri.n_valid} draws, seed {ri.seed}), the average effect is as far from zero as the real one "
             f"({_num(ri.estimate, digits)}) in a share p = {ri.p_value:.3f} of draws (with the +1 correction). "
             + verdict)
    return Markdown(text)


# --------------------------------------------------------------------------------------
# 5. power
# --------------------------------------------------------------------------------------


def power_title(pw: did.PowerResult, outcome: str, dataset=None) -> str:
    units = units_label(dataset, outcome)
    digits = _digits(pw.mde)
    return (f"These data detect an average effect on {outcome} of {pw.mde:.{digits}f} {units} "
            f"{pw.target_power:.0%} of the time")


def power_reading(pw: did.PowerResult, table: pd.DataFrame, outcome: str, dataset=None) -> Markdown:
    """The minimum detectable effect against the estimate (Callaway-Sant'Anna, never-treated controls)."""
    w = _words(dataset)
    units = units_label(dataset, outcome)
    digits = _digits(pw.mde)
    text = (f"Simulating {pw.simulations} panels with these {w['units']}, years and adoption cohorts, and outcomes "
            "that vary as the untreated observations do, the smallest average effect the estimator detects "
            f"{pw.target_power:.0%} of the time at the {pw.alpha:.0%} level is **{pw.mde:.{digits}f} {units}** "
            f"(normal approximation from the real standard error: {pw.mde_analytic:.{digits}f}). ")
    t = table.set_index("estimator")
    if REFERENCE_ESTIMATOR in t.index and np.isfinite(t.loc[REFERENCE_ESTIMATOR, "estimate"]):
        row = t.loc[REFERENCE_ESTIMATOR]
        est = float(row["estimate"])
        detected = not _covers_zero(row["conf_low"], row["conf_high"])
        if detected:
            text += (f"The estimated effect, {_num(est, digits)}, is {'larger' if abs(est) >= pw.mde else 'smaller'} "
                     "than that"
                     + ("." if abs(est) >= pw.mde else
                        ", yet significant. That is a warning: with this little power, the estimates that reach "
                        "significance overstate the true effect on average (the 'winner's curse')."))
        else:
            text += (f"The estimate, {_num(est, digits)}, is not significant; effects smaller than about "
                     f"{pw.mde:.{digits}f} {units} could easily have been missed, so the absence of evidence is "
                     "not evidence of absence.")
    # more than two binomial standard errors from alpha: the simulation's own noise cannot explain it
    off = abs(pw.size - pw.alpha) > 2 * np.sqrt(pw.alpha * (1 - pw.alpha) / pw.simulations)
    text += (f" With no effect the simulated test rejects {pw.size:.1%} of the time"
             + (f", close to the nominal {pw.alpha:.0%}: the standard errors are about right." if not off else
                f", away from the nominal {pw.alpha:.0%}: the standard errors may be "
                f"{'too small' if pw.size > pw.alpha else 'too large'} for a panel like this one."))
    return Markdown(text)


# --------------------------------------------------------------------------------------
# 6. summary
# --------------------------------------------------------------------------------------


def summary(decomposition, table: pd.DataFrame, rm: did.HonestResult, placebos: did.PlaceboResult,
            ri: did.RandomizationResult, pw: did.PowerResult, alpha: float, outcome: str, dataset=None,
            pretrend: did.PretrendPowerResult | None = None) -> Markdown:
    """One bullet per check, each stating what it found."""
    units = units_label(dataset, outcome)
    t = table.set_index("estimator")
    ref = t.loc[REFERENCE_ESTIMATOR] if REFERENCE_ESTIMATOR in t.index else None
    digits = _digits(float(ref["std_error"])) if ref is not None and np.isfinite(ref["std_error"]) else 2
    bullets = []
    s = decomposition.summary().set_index("comparison") if decomposition is not None else None
    if s is not None:
        bad = s.loc[[k for k in FORBIDDEN if k in s.index], "weight"].sum()
        bullets.append(f"**TWFE:** {bad:.0%} of its weight is on comparisons with already-treated controls.")
    modern = t.loc[_modern(t.index)].dropna(subset=["estimate"])
    if len(modern):
        agree = float(modern["conf_low"].max()) <= float(modern["conf_high"].min())
        bullets.append(f"**Modern estimators:** {_num(modern['estimate'].min(), digits)} to "
                       f"{_num(modern['estimate'].max(), digits)} {units}; "
                       + ("they agree within sampling error." if agree else "they disagree beyond sampling error."))
    if _covers_zero(rm.original["conf_low"], rm.original["conf_high"]):
        bullets.append("**Parallel trends:** no significant effect to overturn.")
    else:
        bullets.append("**Parallel trends:** breakdown Mbar = "
                       + (f"more than {rm.frame['parameter'].max():g}" if np.isinf(rm.breakdown)
                          else f"{rm.breakdown:.2g}")
                       + " (times the largest pre-adoption drift).")
    if isinstance(pretrend, did.PretrendPowerResult):
        bullets.append(f"**Pre-test power:** the pre-test would detect a linear trend of "
                       f"{pretrend.slope:.{_digits(pretrend.slope)}f} {units} a year only "
                       + ("half the time." if pretrend.target_power == 0.5 else f"{pretrend.target_power:.0%} of the time."))
    pl = placebos.tidy()
    pl = pl[pl["identified"]]
    bullets.append(f"**Placebos:** {int((pl['p_value'] < alpha).sum())} of {len(pl)} placebo dates find an effect; "
                   f"randomization-inference p = {ri.p_value:.3f}.")
    bullets.append(f"**Power:** minimum detectable effect {pw.mde:.{_digits(pw.mde)}f} {units} "
                   f"({pw.target_power:.0%} power, {pw.alpha:.0%} size).")
    return Markdown("\n".join(f"- {b}" for b in bullets))


def check_text(decomposition, table: pd.DataFrame, rm: did.HonestResult, placebos: did.PlaceboResult,
               pretrend: did.PretrendPowerResult | None = None, wild: "SectorWildBootstrap | None" = None) -> str:
    """Stable, rounded facts for the notebook's checked cell.

    Nothing that depends on the simulations' draws, except the wild-cluster-bootstrap interval of ``wild``:
    its draws are seeded, so it changes only when the estimate, its inputs or the bootstrap change.
    """
    t = table.set_index("estimator")
    lines = []
    for name, row in t.iterrows():
        lines.append(f"{name}: " + (f"{row['estimate']:+.2f} (s.e. {row['std_error']:.2f})"
                                    if np.isfinite(row["estimate"]) else "not estimable"))
    if decomposition is not None:
        s = decomposition.summary().set_index("comparison")
        bad = s.loc[[k for k in FORBIDDEN if k in s.index], "weight"].sum()
        lines.append(f"Bacon: {len(decomposition.frame)} comparisons; weight on already-treated controls {bad:.0%}")
    signs = "".join("+" if v > 0 else "-" for v in t["estimate"].dropna())
    lines.append(f"Estimators with an estimate: {int(t['estimate'].notna().sum())} of {len(t)}; signs {signs}")
    excludes = not _covers_zero(rm.original["conf_low"], rm.original["conf_high"])
    lines.append(f"Original interval excludes zero: {excludes}")
    lines.append(f"Average effect over event times {min(t for t in rm.post_event_times if t >= 0)}-"
                 f"{max(rm.post_event_times)} (sensitivity target): {rm.estimate:+.2f}")
    pl = placebos.tidy()
    lines.append(f"Placebo dates estimated: {int(pl['identified'].sum())} of {len(pl)}")
    if isinstance(pretrend, str):
        lines.append("Pre-test power: not computed")
    elif pretrend is not None:
        lines.append(f"Pre-test detects a linear trend of {pretrend.slope:.2f} a year "
                     f"{pretrend.target_power:.0%} of the time (pre-adoption coefficients {len(pretrend.event_time)})")
    if wild is not None:
        if wild.wild is None:
            lines.append("Wild cluster bootstrap by sector (national entities): not estimable")
        else:
            o = wild.tidy().iloc[0]
            lines.append(f"Wild cluster bootstrap by sector (national entities, {wild.outcome}): {wild.n_clusters} "
                         f"clusters, {o['treated_sectors']} with adopters; overall {o['estimate']:+.2f}, analytic "
                         f"{o['analytic_low']:+.2f} to {o['analytic_high']:+.2f}, wild {o['wild_low']:+.2f} to "
                         f"{o['wild_high']:+.2f}")
    return "\n".join(lines)


def truth(dataset, outcome: str, panel: pd.DataFrame, covariates: list[str], until_year: int,
          method: str = "dr") -> dict | None:
    """The demo data's true effects for the cohorts and entities the estimates use (None for real data)."""
    from evaluation.questions.impact import estimate, true_effects

    if not dataset.synthetic:
        return None
    try:
        result, _ = estimate(panel, covariates, method=method if covariates else "dr")
    except ValueError:
        return None
    return true_effects(dataset, outcome, panel, result, until_year)


# --------------------------------------------------------------------------------------
# synthetic difference-in-differences for the first national cohort (heads of sector)
# --------------------------------------------------------------------------------------

#: Estimator labels of the synthetic-DiD rows, in the order of ``SyntheticDidResult.tidy()``.
SDID_LABELS = {"sdid": "Synthetic DiD (Arkhangelsky et al.)", "sc": "Synthetic control (no time weights)",
               "did": "DiD, equal weights"}


@dataclass(frozen=True)
class FirstCohortSynthetic:
    """Synthetic DiD for the national heads of sector that adopted first (:func:`first_cohort_synthetic_did`).

    ``outcome`` is the outcome used, which differs from ``requested`` when the
    requested one was not measured in two years before that cohort adopted
    (``note`` says so). ``result`` is None when no outcome allows the estimate.
    """

    requested: str
    outcome: str | None
    cohort: int | None
    result: did.SyntheticDidResult | None
    note: str
    dropped: int = 0
    last_year: int | None = None

    def tidy(self) -> pd.DataFrame:
        """The three estimators' rows (COMPARISON_COLUMNS); one unidentified row with the reason if none."""
        if self.result is None:
            return pd.DataFrame([{"estimator": SDID_LABELS["sdid"], "estimate": np.nan, "std_error": np.nan,
                                  "conf_low": np.nan, "conf_high": np.nan, "reading": f"not estimable: {self.note}"}],
                                columns=COMPARISON_COLUMNS)
        t = self.result.tidy()
        r = self.result
        effective = 1 / float(np.sum(r.unit_weights.to_numpy() ** 2))
        readings = {"sdid": f"{r.n_treated} treated, {r.n_control} comparison entities (effectively "
                            f"{effective:.0f}); placebo standard errors, {r.settings['replications']} draws",
                    "sc": f"weight on {int(np.count_nonzero(r.sc_unit_weights))} comparison entities",
                    "did": f"all {r.n_control} comparison entities, all {r.n_pre} pre-adoption years equally"}
        return pd.DataFrame({"estimator": [SDID_LABELS[k] for k in t["estimator"]], "estimate": t["estimate"],
                             "std_error": t["std_error"], "conf_low": t["conf_low"], "conf_high": t["conf_high"],
                             "reading": [readings[k] for k in t["estimator"]]}, columns=COMPARISON_COLUMNS)


def _first_cohort_block(panel: pd.DataFrame) -> tuple[pd.DataFrame | None, int | None, int, str]:
    """The block: national heads of sector of the first cohort, against national entities not adopted yet."""
    if not {"level", "head_of_sector"}.issubset(panel.columns):
        return None, None, 0, "these data do not say which entities are national heads of sector"
    national = panel[(panel["level"] == "national") & panel["value"].notna()]
    heads = national[(national["head_of_sector"] == 1) & (national["cohort"] > 0)]
    if heads.empty:
        return None, None, 0, "no national head of sector adopted within the years of data"
    first = int(heads["cohort"].min())
    treated_ids = set(heads.loc[heads["cohort"] == first, "entity_id"])
    keep = national[national["entity_id"].isin(treated_ids) | (national["cohort"] == 0)]
    years = np.sort(keep["year"].unique())
    counts = keep.groupby("entity_id")["year"].nunique()
    complete = counts.index[counts == years.size]
    dropped = int(counts.size - complete.size)
    keep = keep[keep["entity_id"].isin(complete)]
    n_pre = int((years < first).sum())
    if n_pre < 2:
        return None, first, dropped, (f"the first national heads of sector adopted in {first}, and the outcome is "
                                      f"measured from {years.min()} on: synthetic DiD needs two years before adoption")
    if not set(keep["entity_id"]) & treated_ids:
        return None, first, dropped, f"no {first} head of sector is observed in every year"
    if not (keep["cohort"] == 0).any():
        return None, first, dropped, "no national entity is left that had not adopted by the last year"
    block = keep.assign(treated=((keep["cohort"] == first) & (keep["year"] >= first)).astype(int))
    return block, first, dropped, ""


def first_cohort_synthetic_did(dataset, outcome: str, until_year: int | None = None, *, replications: int = 200,
                               seed: int = 2016, alpha: float = 0.05) -> FirstCohortSynthetic:
    """Synthetic DiD (:func:`evaluation.did.synthetic_did`) for the first national cohort of heads of sector.

    The heads of sector that created the post first are one block (same year,
    treated ever after); the comparisons are the national entities that had not
    created it by the last year used. Entities not observed in every year are
    left out (synthetic DiD needs a balanced block). If ``outcome`` was not
    measured in two years before that cohort adopted, the first of the
    dataset's other indicators that was is used instead, and ``note`` says so;
    the estimate is then about that indicator, not the report's outcome.
    """
    reasons = []
    from evaluation.panel import analysis_panel

    for candidate in [outcome] + [o for o in dataset.indicators if o != outcome]:
        block, first, dropped, reason = _first_cohort_block(analysis_panel(dataset, candidate, "national",
                                                                           until_year=until_year))
        if block is None:
            reasons.append((candidate, reason))
            if first is None:  # no heads of sector at all: another outcome will not help
                break
            continue
        try:
            result = did.synthetic_did(block, "value", "entity_id", "year", "treated", replications=replications,
                                       seed=seed, alpha=alpha)
        except ValueError as exc:  # e.g. fewer comparisons than treated entities: say so in the table
            return FirstCohortSynthetic(outcome, candidate, first, None, str(exc), dropped, int(block["year"].max()))
        note = "" if candidate == outcome else (f"{outcome}: {reasons[0][1]}; {candidate} is the first indicator "
                                                "measured in two years before that, so this section uses it")
        return FirstCohortSynthetic(outcome, candidate, first, result, note, dropped, int(block["year"].max()))
    return FirstCohortSynthetic(outcome, None, None, None, reasons[0][1] if reasons else "no indicator in these data")


def first_cohort_reading(fc: FirstCohortSynthetic, alpha: float = 0.05, dataset=None) -> Markdown:
    """What the synthetic DiD says about the first national cohort, computed from the result."""
    if fc.result is None:
        return Markdown(f"Synthetic difference-in-differences for the first national heads of sector is not "
                        f"estimable here: {fc.note}.")
    r = fc.result
    units = units_label(dataset, fc.outcome) if dataset is not None else "units"
    digits = _digits(max(abs(r.estimate), r.std_error))
    est = r.estimates
    top = r.unit_weights.sort_values(ascending=False)
    top = top[top > 0].head(3)
    names = (dataset.entities.set_index("entity_id")["name"] if dataset is not None and "name" in
             getattr(dataset, "entities", pd.DataFrame()).columns else pd.Series(dtype=object))
    top_names = [str(names.get(e, e)) for e in top.index]
    years = r.time_weights[r.time_weights > 0.05].sort_values(ascending=False)
    text = (f"The {r.n_treated} national heads of sector that created the post in {fc.cohort} are compared with "
            f"{r.n_control} national entities that had not created it by {fc.last_year}"
            f"{'' if not fc.dropped else f' ({fc.dropped} entities not observed every year left out)'}. "
            f"Synthetic DiD estimates **{_num(r.estimate, digits)} {units}** on {fc.outcome} "
            f"({_ci(r.conf_low, r.conf_high, alpha, digits)}, placebo standard errors), against "
            f"{_num(est['sc'], digits)} by synthetic control and {_num(est['did'], digits)} by plain DiD. "
            f"The comparison leans most on {'; '.join(top_names)} and on the pre-adoption "
            f"year(s) {', '.join(map(str, years.index))}. ")
    text += ("The interval includes zero." if _covers_zero(r.conf_low, r.conf_high) else
             "The interval excludes zero.")
    if fc.note:
        text += f" Note: {fc.note}."
    return Markdown(text)


# --------------------------------------------------------------------------------------
# few-cluster inference: national entities clustered by sector (wild cluster bootstrap-t)
# --------------------------------------------------------------------------------------

#: Coverage of 95 % intervals for the overall ATT (and the event study's uniform band) measured by the slow
#: simulation in ``tests/did/test_wild_bootstrap.py`` (1,000 replications, Monte Carlo SE about 1 point), as
#: the README's few-cluster table states it; ``tests/test_robustness.py`` checks the README still says this.
WILD_COVERAGE = {
    24: {"analytic": 0.924, "wild": 0.951, "wild_band": 0.941},
    10: {"analytic": 0.888, "wild": 0.945, "wild_band": 0.947},
    "24, adopters in 3": {"analytic": 0.771, "wild": 0.888, "wild_band": 0.854},
}
#: Columns of :meth:`SectorWildBootstrap.tidy`: the two intervals side by side, one row per effect.
WILD_COLUMNS = ["effect", "event_time", "estimate", "std_error", "analytic_low", "analytic_high", "wild_low",
                "wild_high", "treated_sectors", "identified", "note"]
OVERALL_EFFECT = "Overall ATT (average since adoption)"


@dataclass(frozen=True)
class SectorWildBootstrap:
    """Callaway-Sant'Anna on the national entities with standard errors clustered by sector (:func:`wild_by_sector`).

    ``analytic`` is ``att_gt(..., cluster="sector")`` (cluster-robust standard
    errors, normal intervals); ``wild`` the same estimate with
    ``cluster_bootstrap="wild"`` (wild cluster bootstrap-t, Webb weights drawn per
    sector; :mod:`evaluation.did.wild_bootstrap`). Both are None when the data do
    not allow it, and ``note`` says why.
    """

    outcome: str
    analytic: did.GroupTimeResult | None
    wild: did.GroupTimeResult | None
    note: str
    n_entities: int = 0
    n_sectors: int = 0
    no_sector: int = 0

    @property
    def n_clusters(self) -> int:
        """Sectors among the entities the estimate uses (entities adopted before the first year drop out)."""
        return 0 if self.wild is None else int(self.wild.inference.n_clusters)

    def treated_sectors(self, cohorts) -> int:
        """Sectors holding at least one entity of ``cohorts`` among the entities the estimate uses."""
        if self.wild is None:
            return 0
        inside = np.isin(self.wild.unit_cohort, np.asarray(list(cohorts), dtype=float))
        return int(np.unique(self.wild.cluster_codes[inside]).size)

    def tidy(self) -> pd.DataFrame:
        """The overall ATT and the event study: estimate, cluster-robust SE, the analytic and the wild interval.

        The overall row's two intervals are pointwise; on the event-time rows
        the analytic interval is pointwise and the wild one is a uniform band
        over the event times (as every event-study band of the suite). When the
        estimate is not possible: one row, ``identified`` False, ``note`` why.
        """
        if self.wild is None:
            return pd.DataFrame([{"effect": OVERALL_EFFECT, "event_time": np.nan, "estimate": np.nan,
                                  "std_error": np.nan, "analytic_low": np.nan, "analytic_high": np.nan,
                                  "wild_low": np.nan, "wild_high": np.nan, "treated_sectors": 0, "identified": False,
                                  "note": f"not estimable: {self.note}"}], columns=WILD_COLUMNS)
        cells = self.wild.tidy()
        cells = cells[cells["identified"]]
        a, w = self.analytic.aggregate("simple").overall, self.wild.aggregate("simple").overall
        rows = [{"effect": OVERALL_EFFECT, "event_time": np.nan, "estimate": w.estimate, "std_error": w.std_error,
                 "analytic_low": a.conf_low, "analytic_high": a.conf_high, "wild_low": w.conf_low,
                 "wild_high": w.conf_high,
                 "treated_sectors": self.treated_sectors(cells.loc[cells["event_time"] >= 0, "cohort"].unique()),
                 "identified": bool(w.identified), "note": w.note}]
        analytic, wild = self.analytic.aggregate("dynamic").tidy(), self.wild.aggregate("dynamic").tidy()
        for ra, rw in zip(analytic.itertuples(), wild.itertuples()):
            rows.append({"effect": f"Event time {rw.event_time}", "event_time": rw.event_time,
                         "estimate": rw.estimate, "std_error": rw.std_error, "analytic_low": ra.conf_low,
                         "analytic_high": ra.conf_high, "wild_low": rw.conf_low, "wild_high": rw.conf_high,
                         "treated_sectors": self.treated_sectors(
                             cells.loc[cells["event_time"] == rw.event_time, "cohort"].unique()),
                         "identified": bool(rw.identified), "note": rw.note})
        return pd.DataFrame(rows, columns=WILD_COLUMNS)


def _not_by_sector(outcome: str, note: str, **counts) -> SectorWildBootstrap:
    return SectorWildBootstrap(outcome, None, None, note, **counts)


def wild_by_sector(dataset, outcome: str, covariates: list[str], until_year: int | None = None, *,
                   method: str = "dr", draws: int = 999, seed: int = 2016, alpha: float = 0.05) -> SectorWildBootstrap:
    """The impact estimate on the national entities with wild-cluster-bootstrap intervals by sector.

    National entities are clustered by their administrative sector (``sector`` of
    entities.csv; about 24 in the programme's data), so outcome shocks shared
    within a sector are allowed for. With so few clusters the analytic
    cluster-robust interval undercovers; the wild cluster bootstrap-t (Cameron,
    Gelbach & Miller 2008, Webb 2023 six-point weights; ``att_gt(...,
    cluster_bootstrap="wild", bootstrap=draws)``) is the interval to read, and
    both are returned. Callaway-Sant'Anna with never-treated comparisons (the
    not yet treated when no national entity is never treated), conditional on
    ``covariates``. National entities with a blank sector are left out
    (``no_sector`` counts them); no national entities, no sector, or fewer than
    two sectors give a result whose ``note`` says why (one unidentified row in
    ``tidy()``), never an error.
    """
    from evaluation.panel import analysis_panel

    try:
        panel = analysis_panel(dataset, outcome, "national", until_year=until_year)
    except ValueError as exc:  # e.g. the outcome has no values up to that year
        return _not_by_sector(outcome, str(exc))
    panel = panel[panel["value"].notna()] if "value" in panel.columns else panel
    if panel.empty:
        return _not_by_sector(outcome, f"these data have no national entities (level 'national' in entities.csv) "
                                       f"with values of {outcome}, and the sector clusters are defined for them only")
    if "sector" not in panel.columns or panel["sector"].isna().all():
        return _not_by_sector(outcome, "entities.csv gives no sector for the national entities (its optional "
                                       "'sector' column is absent or blank), so there are no sector clusters",
                              n_entities=int(panel["entity_id"].nunique()))
    blank = panel["sector"].isna()
    no_sector = int(panel.loc[blank, "entity_id"].nunique())
    panel = panel[~blank]
    n_entities, sectors = int(panel["entity_id"].nunique()), panel["sector"].unique()
    counts = dict(n_entities=n_entities, n_sectors=int(sectors.size), no_sector=no_sector)
    if sectors.size < 2:
        return _not_by_sector(outcome, f"the {n_entities} national entities with a sector all belong to one sector "
                                       f"({sectors[0]}): a wild cluster bootstrap needs at least two clusters",
                              **counts)
    never = ~(pd.to_numeric(panel["cohort"], errors="coerce") > 0)
    options = dict(**PANEL_KEYS, control_group="never_treated" if never.any() else "not_yet_treated",
                   covariates=list(covariates) or None, method=method if covariates else "dr", cluster="sector",
                   alpha=alpha)
    try:
        analytic = _quiet(did.att_gt, panel, **options)
        wild = _quiet(did.att_gt, panel, **options, cluster_bootstrap="wild", bootstrap=draws, seed=seed)
    except ValueError as exc:  # e.g. two sectors, one left once the already-treated entities drop out
        return _not_by_sector(outcome, str(exc), **counts)
    if not wild.aggregate("simple").overall.identified:
        return _not_by_sector(outcome, wild.aggregate("simple").overall.note or "no cohort-year cell is identified",
                              **counts)
    return SectorWildBootstrap(outcome, analytic, wild, "", **counts)


def _coverage_words(n_clusters: int, treated: int) -> str:
    """What the README's coverage simulation says about intervals with this many (treated) clusters."""
    big, small, few = WILD_COVERAGE[24], WILD_COVERAGE[10], WILD_COVERAGE["24, adopters in 3"]
    text = ("The README's coverage simulation (entities in sectors hit by sector-year shocks; "
            "`tests/did/test_wild_bootstrap.py`) measured how often 95% intervals for the overall ATT cover the "
            f"truth: with 24 clusters the analytic interval {big['analytic']:.1%} and the wild one {big['wild']:.1%} "
            f"(event-study band {big['wild_band']:.1%}); with 10 clusters {small['analytic']:.1%} and "
            f"{small['wild']:.1%} (band {small['wild_band']:.1%}). ")
    if n_clusters >= 24:
        text += (f"These data have {n_clusters} clusters, as many as the larger design or more: in panels like the "
                 "simulated ones the wild interval covers about 95% and the analytic one somewhat less.")
    elif n_clusters >= 10:
        text += (f"These data have {n_clusters} clusters, between the two designs, where in panels like the "
                 f"simulated ones the wild interval covered close to 95% and the analytic one "
                 f"{small['analytic']:.0%}-{big['analytic']:.0%}.")
    else:
        text += (f"These data have {n_clusters} clusters, fewer than the smallest design simulated (10): the "
                 "coverage of either interval is not measured here; read even the wild interval with caution.")
    text += (f" With adopters in only 3 of 24 sectors even the wild interval covered only {few['wild']:.1%} (analytic "
             f"{few['analytic']:.1%}; MacKinnon & Webb 2017): the fewer sectors hold adopters, the more both "
             f"undercover. Here adopters whose effects are estimated are in {treated} of the {n_clusters} sectors"
             + (", as few as in that design: read both intervals as too narrow." if treated <= 3 else "."))
    return text


def wild_by_sector_reading(sw: SectorWildBootstrap, dataset=None) -> Markdown:
    """What the two intervals by sector say, and how far to trust them with this many clusters."""
    if sw.wild is None:
        return Markdown(f"Wild-cluster-bootstrap intervals by sector are not estimable here: {sw.note}.")
    w = _words(dataset)
    units = units_label(dataset, sw.outcome) if dataset is not None else "units"
    alpha = sw.wild.inference.alpha
    table = sw.tidy()
    overall = table.iloc[0]
    digits = _digits(float(overall["std_error"]))
    width = (overall["wild_high"] - overall["wild_low"]) / (overall["analytic_high"] - overall["analytic_low"])
    left = (f" ({sw.no_sector} national {w['units']} without a sector in entities.csv are left out)"
            if sw.no_sector else "")
    used = sw.wild.n_units
    text = (f"The {used} national {w['units']} the estimate uses{left} belong to **{sw.n_clusters} sectors**"
            + (f" ({sw.n_sectors} among all national {w['units']} with {sw.outcome}; those that adopted before the "
               "first year of data drop out)" if sw.n_sectors != sw.n_clusters else "")
            + ". Their outcomes may share shocks within a sector, so the standard error sums the influence "
            f"functions by sector (cluster-robust). The average effect since adoption on {sw.outcome} is "
            f"**{_num(overall['estimate'], digits)} {units}** (s.e. {overall['std_error']:.{digits}f}); the analytic "
            f"cluster-robust {_ci(overall['analytic_low'], overall['analytic_high'], alpha, digits)}, the **wild "
            f"cluster bootstrap-t {_ci(overall['wild_low'], overall['wild_high'], alpha, digits)}** "
            f"({sw.wild.inference.bootstrap} draws of one Webb weight per sector, seed {sw.wild.inference.seed}), "
            f"{width:.2f} times as wide. The wild interval takes its width from how the t-statistic varies when "
            "whole sectors are reweighted, instead of assuming it is normal, which it is not with few clusters. ")
    a0 = _covers_zero(overall["analytic_low"], overall["analytic_high"])
    w0 = _covers_zero(overall["wild_low"], overall["wild_high"])
    text += (("Both exclude zero." if not w0 else "Both include zero.") if a0 == w0 else
             ("The analytic interval excludes zero, **the wild one does not**: with this few clusters the "
              "significance of the average effect does not survive." if w0 else
              "The wild interval excludes zero while the analytic one does not."))
    es = table[table["event_time"].notna() & table["identified"]]
    pre, post = es[es["event_time"] < 0], es[es["event_time"] >= 0]

    def count(rows, low, high):
        return int(sum(not _covers_zero(lo, hi) for lo, hi in zip(rows[low], rows[high])))

    text += (f"\n\nEvent study (the wild limits form a uniform band over the {len(es)} event times, so they are wider "
             "than a pointwise interval by construction): after adoption the analytic intervals exclude zero at "
             f"{count(post, 'analytic_low', 'analytic_high')} of {len(post)} event times, the wild band at "
             f"{count(post, 'wild_low', 'wild_high')}; before adoption, where the truth under parallel trends is "
             f"zero, {count(pre, 'analytic_low', 'analytic_high')} and {count(pre, 'wild_low', 'wild_high')} of "
             f"{len(pre)}. ")
    text += "\n\n" + _coverage_words(sw.n_clusters, int(overall["treated_sectors"]))
    return Markdown(text)
