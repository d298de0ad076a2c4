"""Figures of the robustness report.

Same rules as :mod:`evaluation.plots.core`: each function takes results made
elsewhere and only draws them (nothing is estimated here), uses the suite's
style, carries units on its axes, and returns a
:class:`~evaluation.plots.core.Chart` whose alt text lists the numbers shown.
The caller passes the title, generated from the results, and (through keyword
arguments whose defaults are English) every word on the figure and its alt text,
in the report's language (``evaluation.text.robustness``); ``number`` formats the
tick labels as the reader's locale writes numbers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from evaluation.plots import style
from evaluation.plots.core import ESTIMATE_COLOR, TRUTH_COLOR, Chart, finish, use_style

#: One colour and marker per kind of 2x2 comparison (colour-blind palette, and shape for print).
COMPARISON_STYLE = {
    "treated vs never treated": (style.palette()[0], "o"),
    "earlier vs later treated": (style.palette()[2], "s"),
    "later vs earlier treated": (style.palette()[3], "^"),
    "treated vs always treated": (style.palette()[4], "D"),
}


def _locale_ticks(ax, number, axes: str = "xy") -> None:
    """Tick labels written by ``number`` (``Format.number``-like: value, digits -> str)."""
    if number is None:
        return
    digits = 2
    formatter = FuncFormatter(lambda v, _: number(v, digits))
    if "x" in axes:
        ax.xaxis.set_major_formatter(formatter)
    if "y" in axes:
        ax.yaxis.set_major_formatter(formatter)


def bacon_scatter(decomposition: pd.DataFrame, title: str, *, twfe: float | None = None,
                  units: str = "outcome units", kind_labels: dict | None = None, twfe_label: str | None = None,
                  xlabel: str = "Weight in the TWFE coefficient (share of 1)", ylabel: str | None = None,
                  legend_title: str = "Comparison (number of 2x2s)", alt: str | None = None,
                  number=None) -> Chart:
    """Each 2x2 comparison's estimate against its weight in the TWFE coefficient, by kind.

    ``decomposition`` is ``BaconResult.tidy()`` (``comparison, treated_cohort,
    control_cohort, estimate, weight``); ``twfe`` draws the coefficient they average to.
    """
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    kinds = [k for k in COMPARISON_STYLE if k in set(decomposition["comparison"])]
    for kind in kinds:
        part = decomposition[decomposition["comparison"] == kind]
        color, marker = COMPARISON_STYLE[kind]
        ax.scatter(part["weight"], part["estimate"], color=color, marker=marker, s=55, alpha=0.85,
                   edgecolor="white", linewidth=0.6,
                   label=f"{(kind_labels or {}).get(kind, kind)} ({len(part)})")
    if twfe is None:
        twfe = float((decomposition["weight"] * decomposition["estimate"]).sum())
    ax.axhline(twfe, color=ESTIMATE_COLOR, linestyle="--", linewidth=1,
               label=twfe_label or f"TWFE coefficient ({twfe:+.3g})")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or f"2x2 difference-in-differences ({units})")
    ax.set_title(title, loc="left", wrap=True)
    ax.legend(frameon=False, fontsize=9, title=legend_title, title_fontsize=9, loc="best")
    _locale_ticks(ax, number)
    fig.tight_layout()
    if alt is not None:
        return finish(fig, title, alt)
    parts = []
    for kind in kinds:
        part = decomposition[decomposition["comparison"] == kind]
        w = part["weight"].sum()
        parts.append(f"{kind}: {len(part)} comparisons, total weight {w:.3f}, weighted average estimate "
                     f"{(part['weight'] * part['estimate']).sum() / w:.3f}" if w > 0 else f"{kind}: weight 0")
    alt = (f"Scatter plot of {len(decomposition)} two-by-two comparisons, estimate against weight. "
           + "; ".join(parts) + f". TWFE coefficient {twfe:.3f}.")
    return finish(fig, title, alt)


def event_time_comparison(profiles: dict[str, pd.DataFrame], title: str, *, units: str = "outcome units",
                          truth: pd.DataFrame | None = None, labels: dict | None = None,
                          truth_label: str = "true effect (demo data)",
                          xlabel: str = "Years since adoption (event time; negative = before)",
                          ylabel: str | None = None, alt: str | None = None, number=None) -> Chart:
    """Effects by years since adoption from several estimators, side by side.

    ``profiles`` maps a label to a tidy table (``event_time, estimate,
    conf_low, conf_high``, optionally ``identified``); ``truth`` has ``event_time, effect``;
    ``labels`` maps a key of ``profiles`` to its legend words. The intervals drawn are
    the tables' own: pointwise, one event time at a time.
    """
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    palette = style.palette(max(3, len(profiles)))
    width = 0.22
    offsets = np.linspace(-width, width, len(profiles)) if len(profiles) > 1 else [0.0]
    alt_parts = []
    for (label, frame), color, off, marker in zip(profiles.items(), palette, offsets, "osD^v"):
        shown = frame[frame["identified"]] if "identified" in frame else frame
        shown = shown[np.isfinite(shown["estimate"])]
        has_ci = shown["conf_low"].notna()
        ax.errorbar(shown["event_time"] + off, shown["estimate"],
                    yerr=[(shown["estimate"] - shown["conf_low"]).where(has_ci, 0),
                          (shown["conf_high"] - shown["estimate"]).where(has_ci, 0)],
                    fmt=marker, color=color, capsize=2, markersize=5, label=(labels or {}).get(label, label))
        alt_parts.append(f"{label}: " + ", ".join(f"{int(r.event_time)}: {r.estimate:.2f}" for r in shown.itertuples()))
    if truth is not None and not truth.empty:
        ax.plot(truth["event_time"], truth["effect"], "x--", color=TRUTH_COLOR, label=truth_label)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="#999999", linestyle=":", linewidth=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or f"Effect ({units})")
    ax.set_title(title, loc="left", wrap=True)
    ax.legend(frameon=False, fontsize=9)
    _locale_ticks(ax, number, "y")
    fig.tight_layout()
    if alt is not None:
        return finish(fig, title, alt)
    alt = "Effects by years since adoption with 95% pointwise intervals, by estimator. " + "; ".join(alt_parts) + "."
    return finish(fig, title, alt)


def sensitivity(results, title: str, *, units: str = "outcome units", words: dict | None = None,
                alt: str | None = None, number=None) -> Chart:
    """Robust confidence intervals against the size of the allowed violation, one panel per restriction.

    ``results`` is one :class:`evaluation.did.HonestResult` or a list of them. The
    original interval is drawn to the left of the grid; a dotted line marks the
    breakdown value (where the interval first includes zero). ``words`` replaces the
    English of: ``original``, ``robust`` ({method}), ``breakdown`` ({value}),
    ``rm_xlabel``, ``rm_panel``, ``sd_xlabel`` ({units}), ``sd_panel``, ``ylabel`` ({units}).
    """
    w = {"original": "original interval", "robust": "robust interval ({method})",
         "breakdown": "breakdown value {value}",
         "rm_xlabel": "Mbar: allowed post-adoption drift as a multiple of the largest pre-adoption drift (ratio)",
         "rm_panel": "Relative magnitudes", "sd_xlabel": "M: allowed change in the slope of the drift ({units} per year)",
         "sd_panel": "Smoothness", "ylabel": "Effect ({units})", **(words or {})}
    use_style()
    results = list(results) if isinstance(results, list | tuple) else [results]
    fig, axes = plt.subplots(len(results), 1, figsize=(9, 0.6 + 3.6 * len(results)), squeeze=False)
    alt_parts = []
    for ax, res in zip(axes[:, 0], results):
        f = res.tidy()
        orig, rows = f.iloc[0], f.iloc[1:]
        params = rows["parameter"].to_numpy(float)
        step = np.min(np.diff(params)) if params.size > 1 else max(params.max(), 1.0) / 4
        x0 = params.min() - step
        ax.errorbar([x0], [(orig["conf_low"] + orig["conf_high"]) / 2],
                    yerr=[[(orig["conf_high"] - orig["conf_low"]) / 2]], fmt="none", color="#7f7f7f", capsize=4,
                    linewidth=2, label=w["original"])
        mid = (rows["conf_low"] + rows["conf_high"]) / 2
        ax.errorbar(params, mid, yerr=(rows["conf_high"] - rows["conf_low"]) / 2, fmt="none", color=ESTIMATE_COLOR,
                    capsize=4, linewidth=2, label=w["robust"].format(method=rows['method'].iloc[0]))
        ax.axhline(0, color="black", linewidth=0.8)
        if np.isfinite(res.breakdown):
            ax.axvline(res.breakdown, color=TRUTH_COLOR, linestyle=":", linewidth=1.2,
                       label=w["breakdown"].format(value=number(res.breakdown, 2) if number else f"{res.breakdown:.2g}"))
        name = res.parameter_name
        if res.method == "relative_magnitude":
            ax.set_xlabel(w["rm_xlabel"])
            panel = w["rm_panel"]
        else:
            ax.set_xlabel(w["sd_xlabel"].format(units=units))
            panel = w["sd_panel"]
        ax.set_title(panel, fontsize=11, loc="left")
        ax.set_ylabel(w["ylabel"].format(units=units))
        ax.legend(frameon=False, fontsize=8, loc="upper left")
        _locale_ticks(ax, number)
        alt_parts.append(
            f"{panel}: original interval {orig['conf_low']:.3f} to {orig['conf_high']:.3f}; "
            + "; ".join(f"{name} {r.parameter:.3g}: {r.conf_low:.3f} to {r.conf_high:.3f}" for r in rows.itertuples())
            + (f"; breakdown value {res.breakdown:.3g}" if np.isfinite(res.breakdown)
               else "; no breakdown in the grid"))
    fig.suptitle(title, fontweight="bold", fontsize=12, x=0.01, ha="left", wrap=True)
    fig.tight_layout()
    if alt is not None:
        return finish(fig, title, alt)
    alt = ("Confidence intervals for the effect as larger violations of parallel trends are allowed. "
           + ". ".join(alt_parts) + ".")
    return finish(fig, title, alt)


def placebo_distribution(result, title: str, *, units: str = "outcome units", words: dict | None = None,
                         alt: str | None = None, number=None) -> Chart:
    """Histogram of the average effect under random reassignments of adoption dates, with the real estimate.

    ``words`` replaces the English of ``reassignments`` ({n}), ``real`` ({value}),
    ``opposite``, ``xlabel`` ({units}) and ``ylabel``.
    """
    w = {"reassignments": "random reassignments ({n})", "real": "real estimate ({value})",
         "opposite": "same size, opposite sign", "xlabel": "Average effect with adoption dates reassigned at random ({units})",
         "ylabel": "Reassignments (count)", **(words or {})}
    use_style()
    values = result.permuted[np.isfinite(result.permuted)]
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.hist(values, bins=min(40, max(10, values.size // 10)), color="#9ecae1", edgecolor="white",
            label=w["reassignments"].format(n=values.size))
    ax.axvline(result.estimate, color=ESTIMATE_COLOR, linewidth=2,
               label=w["real"].format(value=number(result.estimate, 2) if number else f"{result.estimate:+.3g}"))
    ax.axvline(-result.estimate, color=ESTIMATE_COLOR, linewidth=1, linestyle="--", label=w["opposite"])
    ax.set_xlabel(w["xlabel"].format(units=units))
    ax.set_ylabel(w["ylabel"])
    ax.set_title(title, loc="left", wrap=True)
    ax.legend(frameon=False, fontsize=9)
    _locale_ticks(ax, number, "x")
    fig.tight_layout()
    if alt is not None:
        return finish(fig, title, alt)
    q = np.quantile(values, [0.025, 0.5, 0.975]) if values.size else [np.nan] * 3
    alt = (f"Histogram of {values.size} placebo estimates from random reassignments of adoption dates: median "
           f"{q[1]:.3f}, 95% of them between {q[0]:.3f} and {q[2]:.3f}. Real estimate {result.estimate:.3f}; "
           f"randomization p-value {result.p_value:.3f}.")
    return finish(fig, title, alt)


def power_curve(result, title: str, *, units: str = "outcome units", estimate: float | None = None,
                words: dict | None = None, alt: str | None = None, number=None, percent=None) -> Chart:
    """Simulated power against the size of a true effect, with the minimum detectable effect marked.

    ``words`` replaces the English of ``power``, ``target`` ({value}), ``size`` ({value}),
    ``mde`` ({value}), ``estimate`` ({value}), ``xlabel`` ({units}) and ``ylabel``;
    ``percent`` formats a share (0.8) as the reader writes it.
    """
    w = {"power": "simulated power", "target": "{value} power", "size": "test size {value}",
         "mde": "minimum detectable effect ({value})", "estimate": "|estimated effect| ({value})",
         "xlabel": "True average effect added to every adopter after adoption ({units})",
         "ylabel": "Probability the test detects it (%)", **(words or {})}
    pct = percent or (lambda share: f"{share:.0%}")
    num = (lambda v: number(v, 2)) if number else (lambda v: f"{v:.3g}")
    use_style()
    curve = result.curve()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.plot(curve["effect"], 100 * curve["power"], color=ESTIMATE_COLOR, linewidth=2, label=w["power"])
    ax.axhline(100 * result.target_power, color="#7f7f7f", linestyle="--", linewidth=1,
               label=w["target"].format(value=pct(result.target_power)))
    ax.axhline(100 * result.alpha, color="#7f7f7f", linestyle=":", linewidth=1,
               label=w["size"].format(value=pct(result.alpha)))
    if np.isfinite(result.mde):
        ax.axvline(result.mde, color=TRUTH_COLOR, linestyle="--", linewidth=1.2,
                   label=w["mde"].format(value=num(result.mde)))
    if estimate is not None and np.isfinite(estimate) and abs(estimate) <= curve["effect"].max():
        ax.axvline(abs(estimate), color="black", linewidth=1, label=w["estimate"].format(value=num(abs(estimate))))
    ax.set_xlabel(w["xlabel"].format(units=units))
    ax.set_ylabel(w["ylabel"])
    ax.set_ylim(0, 100)
    ax.set_title(title, loc="left", wrap=True)
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    _locale_ticks(ax, number, "x")
    if number is not None:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, 0)))
    fig.tight_layout()
    if alt is not None:
        return finish(fig, title, alt)
    picks = curve.iloc[:: max(1, len(curve) // 8)]
    alt = (f"Power curve from {result.simulations} simulated panels: "
           + "; ".join(f"effect {r.effect:.3g}: {100 * r.power:.0f}%" for r in picks.itertuples())
           + f". Minimum detectable effect {result.mde:.3g} at {result.target_power:.0%} power.")
    return finish(fig, title, alt)


def estimator_intervals(table: pd.DataFrame, title: str, *, labels: dict | None = None, xlabel: str = "Effect",
                        truth: float | None = None, truth_label: str = "true effect (demo data)",
                        alt: str | None = None, number=None) -> Chart:
    """One horizontal pointwise interval per estimator (``estimator, estimate, conf_low, conf_high``).

    ``labels`` maps the ``estimator`` ids to the words on the axis; rows without an estimate are
    left out of the figure (the table beside it says why).
    """
    use_style()
    shown = table[np.isfinite(table["estimate"].astype(float))]
    fig, ax = plt.subplots(figsize=(9, 0.8 + 0.55 * max(1, len(shown))))
    y = np.arange(len(shown))[::-1]
    has_ci = shown["conf_low"].notna()
    ax.errorbar(shown["estimate"], y, xerr=[(shown["estimate"] - shown["conf_low"]).where(has_ci, 0),
                                            (shown["conf_high"] - shown["estimate"]).where(has_ci, 0)],
                fmt="o", color=ESTIMATE_COLOR, capsize=3)
    ax.set_yticks(y, [(labels or {}).get(e, e) for e in shown["estimator"]])
    ax.axvline(0, color="black", linewidth=0.8)
    if truth is not None and np.isfinite(truth):
        ax.axvline(truth, color=TRUTH_COLOR, linestyle="--", label=truth_label)
        ax.legend(frameon=False, fontsize=9)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", wrap=True)
    _locale_ticks(ax, number, "x")
    fig.tight_layout()
    if alt is None:
        alt = "Estimates and 95% pointwise intervals by estimator: " + "; ".join(
            f"{(labels or {}).get(r.estimator, r.estimator)}: {r.estimate:.2f}" for r in shown.itertuples())
    return finish(fig, title, alt)
