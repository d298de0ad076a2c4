"""Figures of the monitoring, survey, cost, heterogeneity and findings reports.

Same rules as :mod:`evaluation.plots.core`: each function takes a tidy table
made elsewhere and only draws it (nothing is estimated here), uses the suite's
style (``core.use_style``), carries units on its axes, and returns a
:class:`~evaluation.plots.core.Chart` whose alt text lists the numbers shown.
The caller passes the title, generated from the results, because only the
caller knows the finding. Survey figures draw suppressed groups as a labelled
gap, never as a bar. A function given an empty table returns a sentence saying
so instead of an empty figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from IPython.display import Markdown

from evaluation.plots.core import ESTIMATE_COLOR, LEVEL_COLORS, TRUTH_COLOR, Chart, finish, use_style

if TYPE_CHECKING:
    from evaluation.report.page import Block

#: Disagree ... agree, centred on a grey neutral (red-blue diverging, readable in grey and by colour-blind readers).
LIKERT_COLORS = ("#b2182b", "#ef8a62", "#bdbdbd", "#67a9cf", "#2166ac")
LIKERT_NAMES = ("strongly disagree", "disagree", "neutral", "agree", "strongly agree")
GAP_COLOR = "#7f7f7f"


def no_figure(reason: str) -> Markdown:
    """What a report shows instead of a figure that has nothing to draw."""
    return Markdown(f"*No figure: {reason}*")


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line]) if line else "\n".join(lines)


def _nothing(missing: str | None, reason: str) -> Markdown | Block:
    """The caller's sentence (a page note, in the report's language) or the English default."""
    if missing is None:
        return no_figure(reason)
    from evaluation.report import page  # rendering belongs to report/; imported here only for this note

    return page.note(missing)


def _locale_axis(axis, number) -> None:
    """Tick labels written by ``number`` (e.g. ``Format.number``), so they follow the report's locale."""
    if number is not None:
        axis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: number(v)))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _millions(x: float) -> str:
    return f"{x / 1e6:,.1f}"


# ------------------------------------------------------------------ monitoring


def delivery_by_year(delivery: pd.DataFrame, title: str, *, names=None,
                     ylabel: str = "Delivered (count per year)",
                     legend: tuple[str, str] = ("delivered", "target for the year"), alt: str | None = None,
                     missing: str | None = None, number=None) -> Chart | Markdown | Block:
    """Outputs delivered each year (bars) against the year's target (black marks), one panel per output.

    ``names`` (output code -> words), ``ylabel``, ``legend``, ``alt`` and ``missing`` (shown instead of an
    empty figure) come from the caller in the report's language; ``number`` formats the y ticks.
    """
    if delivery.empty:
        return _nothing(missing, "the monitoring table is missing")
    names = dict(names or {})
    use_style()
    outputs = list(dict.fromkeys(delivery["output"]))
    columns = 3
    rows = int(np.ceil(len(outputs) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(11, 2.9 * rows), squeeze=False)
    for ax, output in zip(axes.flat, outputs):
        part = delivery[delivery["output"] == output]
        years = part["year"].astype(int).astype(str)
        ax.bar(years, part["delivered"].astype(float), color=ESTIMATE_COLOR, label=legend[0])
        has_target = part["target"].notna()
        ax.scatter(years[has_target], part.loc[has_target, "target"].astype(float), marker="_", s=500,
                   color="black", linewidths=2.5, zorder=3, label=legend[1])
        ax.set_title(_wrap(names.get(output, part["label"].iloc[0] if "label" in part else output), 40), fontsize=11)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.yaxis.set_major_locator(mticker.MaxNLocator(integer=True))  # counts: no 0.5 ticks
        _locale_axis(ax.yaxis, number)
        ax.tick_params(axis="x", labelsize=8, rotation=45)
    for ax in list(axes.flat)[len(outputs):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.01))
    fig.suptitle(_wrap(title, 90), fontweight="bold")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    if alt is None:
        alt = "Bar charts of outputs delivered per year against targets. " + " ".join(
            f"{names.get(output, output)}: " + ", ".join(
                f"{int(r.year)} {float(r.delivered):,.0f} delivered"
                + (f" (target {float(r.target):,.0f})" if pd.notna(r.target) else "") for r in part.itertuples()) + "."
            for output, part in delivery.groupby("output", sort=False))
    return finish(fig, title, alt)


def delivery_progress(progress: pd.DataFrame, title: str, *, names=None,
                      xlabel: str = "Delivered in years with a target (% of target)", bar_labels=None,
                      alt: str | None = None, missing: str | None = None, number=None) -> Chart | Markdown | Block:
    """Share of target delivered per output (years with a target), with a line at 100%.

    ``names`` (output code -> words), ``xlabel``, ``bar_labels`` (one per output with a target, in
    order), ``alt`` and ``missing`` come from the caller in the report's language.
    """
    shown = progress[progress["progress"].notna()] if not progress.empty else progress
    if shown.empty:
        return _nothing(missing, "no output has a target" if not progress.empty else "the monitoring table is missing")
    names = dict(names or {})
    if bar_labels is None:
        bar_labels = [f"{r.progress:.0%} ({float(r.delivered_in_planned_years):,.0f} of {float(r.planned):,.0f})"
                      for r in shown.itertuples()]
    use_style()
    fig, ax = plt.subplots(figsize=(9, 0.8 + 0.5 * len(shown)))
    y = np.arange(len(shown))[::-1]
    colors = [ESTIMATE_COLOR if r >= 0.9 else TRUTH_COLOR for r in shown["progress"]]
    ax.barh(y, 100 * shown["progress"], color=colors)
    labels = [names.get(r.output, getattr(r, "label", r.output)) for r in shown.itertuples()]
    for yi, row, text in zip(y, shown.itertuples(), bar_labels):
        ax.text(100 * row.progress + 1, yi, text, va="center", fontsize=9)
    ax.axvline(100, color="black", linewidth=1)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, max(130, 100 * shown["progress"].max() + 30))
    _locale_axis(ax.xaxis, number)
    ax.set_xlabel(xlabel)
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    if alt is None:
        alt = "Horizontal bars of the share of target delivered: " + "; ".join(
            f"{label} {text}" for label, text in zip(labels, bar_labels)) + "."
    return finish(fig, title, alt)


def posts_by_department(table: pd.DataFrame, title: str, *, departments=None,
                        xlabel: str = "Territorial entities that created the post (% of the department's entities)",
                        bar_labels=None, alt: str | None = None, missing: str | None = None) -> Chart | Markdown | Block:
    """Share of each department's territorial entities that created the post, highest first.

    ``departments`` (one name per row, e.g. with words for a missing department), ``xlabel``,
    ``bar_labels``, ``alt`` and ``missing`` come from the caller in the report's language.
    """
    if table.empty:
        return _nothing(missing, "no territorial entities in the data")
    departments = list(departments) if departments is not None else [
        d if isinstance(d, str) else "(no department)" for d in table["department"]]
    if bar_labels is None:
        bar_labels = [f"{r.adopters} of {r.entities}" for r in table.itertuples()]
    use_style()
    fig, ax = plt.subplots(figsize=(9, max(2.5, 1 + 0.26 * len(table))))
    y = np.arange(len(table))[::-1]
    ax.barh(y, 100 * table["share"], color=LEVEL_COLORS["municipal"])
    for yi, row, text in zip(y, table.itertuples(), bar_labels):
        ax.text(100 * row.share + 1, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, departments, fontsize=8)
    ax.set_xlim(0, 115)
    ax.set_xlabel(xlabel)
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    if alt is None:
        alt = "Horizontal bars, one per department, of the share of territorial entities that created the post: " + \
            "; ".join(f"{name} {r.share:.0%} ({text})"
                      for name, r, text in zip(departments, table.itertuples(), bar_labels)) + "."
    return finish(fig, title, alt)


# ------------------------------------------------------------------ surveys


def likert_bars(distribution: pd.DataFrame, title: str, *, min_group_size: int = 5, item_names=None,
                group_names=None, answer_names=LIKERT_NAMES, suppressed_text: str | None = None,
                xlabel: str = "% of respondents\n← disagree | agree →", alt: str | None = None,
                missing: str | None = None) -> Chart | Markdown | Block:
    """Diverging stacked bars of the answers to each item, centred on the neutral answer, one panel per group.

    ``distribution`` is ``surveys.item_distribution``. Disagreement extends
    left of zero, agreement right; the neutral answer straddles zero. A
    suppressed group-item is a labelled gap. ``item_names``, ``group_names``
    (group code -> panel heading), ``answer_names`` (legend, 1 to 5),
    ``suppressed_text``, ``xlabel``, ``alt`` and ``missing`` come from the
    caller in the report's language.
    """
    if distribution.empty:
        return _nothing(missing, "the survey is missing or has no Likert items")
    use_style()
    groups = list(dict.fromkeys(distribution["group"]))
    items = list(dict.fromkeys(distribution["item"]))
    labels = {i: i for i in items} | dict(item_names or {})
    group_names = dict(group_names or {})
    suppressed_text = suppressed_text or f"suppressed (fewer than {min_group_size})"
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups) + 3, 0.9 + 0.42 * len(items)),
                             sharey=True, squeeze=False)
    y = np.arange(len(items))[::-1]
    alt_parts = []
    for ax, group in zip(axes[0], groups):
        part = distribution[distribution["group"] == group]
        described = []
        for yi, item in zip(y, items):
            rows = part[part["item"] == item].set_index("answer")
            if rows["suppressed"].iloc[0]:
                ax.text(0, yi, suppressed_text, ha="center", va="center",
                        fontsize=8, color=GAP_COLOR, style="italic")
                described.append(f"{labels[item]} suppressed")
                continue
            shares = 100 * rows["share"].reindex([1, 2, 3, 4, 5]).to_numpy(float)
            left = -(shares[0] + shares[1] + shares[2] / 2)
            for share, color in zip(shares, LIKERT_COLORS):
                ax.barh(yi, share, left=left, color=color, height=0.7)
                left += share
            described.append(f"{labels[item]} {shares[:2].sum():.0f}% disagree, {shares[2]:.0f}% neutral, "
                             f"{shares[3:].sum():.0f}% agree")
        respondents = part["respondents"].max()
        heading = group_names.get(group) or (group if part["suppressed"].all()
                                             else f"{group} (up to {respondents:.0f} answers)")
        ax.set_title(_wrap(heading, 30), fontsize=10)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-100, 100)
        ax.set_xticks([-100, -50, 0, 50, 100], ["100", "50", "0", "50", "100"])
        ax.set_xlabel(xlabel, fontsize=9)
        alt_parts.append(f"{group}: " + "; ".join(described))
    axes[0, 0].set_yticks(y, [_wrap(labels[i], 34) for i in items], fontsize=9)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in LIKERT_COLORS]
    fig.legend(handles, list(answer_names), loc="lower center", ncol=5, frameon=False, fontsize=9,
               bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(_wrap(title, 100), fontweight="bold")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    if alt is None:
        alt = "Diverging stacked bars of answers to each statement, centred on the neutral answer. " + \
            ". ".join(alt_parts) + "."
    return finish(fig, title, alt)


def scale_scores(summary: pd.DataFrame, title: str, *, min_group_size: int = 5, row_labels=None,
                 suppressed_text: str | None = None,
                 xlabel: str = "Scale score (mean of the items, 1 = strongly disagree, 5 = strongly agree; "
                               "dotted line: neutral)",
                 alt: str | None = None, missing: str | None = None, number=None) -> Chart | Markdown | Block:
    """Median scale score (dot) and interquartile range (bar) per group, one row per scale and group.

    ``row_labels`` (one per row of ``summary``), ``suppressed_text``, ``xlabel``, ``alt`` and ``missing``
    come from the caller in the report's language; ``number`` formats the x ticks.
    """
    if summary.empty:
        return _nothing(missing, "no scale could be scored")
    use_style()
    rows = summary.reset_index(drop=True)
    suppressed_text = suppressed_text or f"suppressed (fewer than {min_group_size} respondents)"
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.45 * len(rows)))  # room for a title of two or three lines
    y = np.arange(len(rows))[::-1]
    described = []
    for yi, row in zip(y, rows.itertuples()):
        if row.suppressed:
            ax.text(3, yi, suppressed_text, ha="center", va="center",
                    fontsize=8, color=GAP_COLOR, style="italic")
            described.append(f"{row.scale}, {row.group}: suppressed")
            continue
        ax.plot([row.q1, row.q3], [yi, yi], color=ESTIMATE_COLOR, linewidth=4, alpha=0.5)
        ax.plot(row.median, yi, "o", color=ESTIMATE_COLOR)
        described.append(f"{row.scale}, {row.group}: median {row.median:.2f}, quartiles {row.q1:.2f} to "
                         f"{row.q3:.2f}, {row.respondents:.0f} respondents")
    ax.axvline(3, color="black", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, list(row_labels) if row_labels is not None
                  else [f"{r.scale}: {r.group}" for r in rows.itertuples()])
    ax.set_xlim(1, 5)
    ax.set_xticks([1, 2, 3, 4, 5])  # the answer scale's points
    _locale_axis(ax.xaxis, number)
    ax.set_xlabel(xlabel)
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    if alt is None:
        alt = "Median and interquartile range of scale scores: " + "; ".join(described) + "."
    return finish(fig, title, alt)


def needs(table: pd.DataFrame, title: str) -> Chart | Markdown:
    """Share of respondents reporting each condition the design targets, with its interval and a line at 50%.

    ``table`` has ``label, respondents (who), share, conf_low, conf_high`` (shares 0-1; missing = suppressed).
    """
    if table.empty:
        return no_figure("the surveys are missing")
    use_style()
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.55 * len(table)))
    y = np.arange(len(table))[::-1]
    alt = []
    for yi, row in zip(y, table.itertuples()):
        name = f"{row.label} ({row.who})"
        if not np.isfinite(row.share):
            ax.text(50, yi, "suppressed or not asked", ha="center", va="center", fontsize=8, color=GAP_COLOR)
            alt.append(f"{name}: not shown")
            continue
        ax.barh(yi, 100 * row.share, color=ESTIMATE_COLOR, alpha=0.8)
        ax.errorbar(100 * row.share, yi, xerr=[[100 * (row.share - row.conf_low)], [100 * (row.conf_high - row.share)]],
                    color="black", capsize=3)
        alt.append(f"{name}: {_pct(row.share)} (interval {_pct(row.conf_low)} to {_pct(row.conf_high)})")
    ax.axvline(50, color="black", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, [_wrap(f"{r.label} ({r.who})", 45) for r in table.itertuples()])
    ax.set_xlim(0, 100)
    ax.set_xlabel("Respondents reporting the condition (% agreeing, or above neutral on a scale; 95% interval)")
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    return finish(fig, title, "Bars of the share of respondents reporting each condition: " + "; ".join(alt) + ".")


# ------------------------------------------------------------------ effects


def subgroup_effects(table: pd.DataFrame, title: str, *, labels: dict | None = None,
                     xlabel: str = "Effect on the score (index points, 0–100 scale)",
                     band_label: str = "adjusted 95% interval", estimate_label: str | None = None,
                     truth_label: str = "true effect (demo data)", alt: str | None = None,
                     missing: str | None = None) -> Chart | Markdown | Block:
    """Forest plot of subgroup effects with their adjusted intervals, grouped by dimension; gaps are labelled.

    ``table`` is ``heterogeneity.SubgroupEffects.table`` (its ``subgroup`` and
    ``note`` columns as the reader should see them); ``labels`` maps dimension
    codes to the headings shown. The legend words (``estimate_label``,
    ``truth_label``), ``alt`` and ``missing`` (shown instead of an empty figure)
    come from the caller in the report's language.
    """
    if table.empty:
        return _nothing(missing, "no subgroup was formed")
    use_style()
    heading = table["dimension"].map(lambda d: (labels or {}).get(d, d))
    ticks, positions, rows, y = [], [], [], 0.0
    for dimension, part in table.groupby(heading, sort=False):
        ticks.append(str(dimension).upper())
        positions.append(y)
        y -= 1
        for row in part.itertuples():
            ticks.append(f"  {row.subgroup}")
            positions.append(y)
            rows.append((y, row))
            y -= 1
    fig, ax = plt.subplots(figsize=(10, 0.8 + 0.36 * len(ticks)))
    described = []
    estimated = [r for _, r in rows if r.identified]
    x_max = max([r.adj_conf_high for r in estimated] + [1.0])
    x_min = min([r.adj_conf_low for r in estimated] + [0.0])
    shown_truth = shown_estimate = False
    for yi, row in rows:
        if not row.identified:
            ax.text(x_min, yi, str(row.note).split(" (")[0], va="center", fontsize=7.5, color=GAP_COLOR,
                    style="italic")
            described.append(f"{row.subgroup}: {row.note}")
            continue
        ax.errorbar(row.estimate, yi, xerr=[[row.estimate - row.adj_conf_low], [row.adj_conf_high - row.estimate]],
                    fmt="o", color=ESTIMATE_COLOR, capsize=3,
                    label=None if shown_estimate else (estimate_label or f"estimate ({band_label})"))
        shown_estimate = True
        if np.isfinite(row.true_effect):
            ax.plot(row.true_effect, yi, "x", color=TRUTH_COLOR, label=None if shown_truth else truth_label)
            shown_truth = True
        described.append(f"{row.subgroup}: {row.estimate:+.2f} [{row.adj_conf_low:+.2f}, {row.adj_conf_high:+.2f}]")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(positions, ticks, fontsize=9)
    for tick, text in zip(ax.get_yticklabels(), ticks):
        if not text.startswith("  "):
            tick.set_fontweight("bold")
    ax.set_xlim(x_min - 0.05 * (x_max - x_min), x_max + 0.1 * (x_max - x_min))
    ax.set_xlabel(xlabel)
    ax.set_title(_wrap(title, 90))
    handles, names = ax.get_legend_handles_labels()
    margin = 0.5 / fig.get_figheight()  # half an inch under the axis label for the legend
    if handles:
        fig.legend(handles, names, frameon=False, fontsize=9, loc="lower center", ncol=2)
    fig.tight_layout(rect=(0, margin if handles else 0, 1, 1))
    if alt is None:
        alt = f"Forest plot of effects by subgroup with {band_label}s: " + "; ".join(described) + "."
    return finish(fig, title, alt)


def persistence(effects: pd.DataFrame, title: str, *, early: tuple = (), late: tuple = (),
                truth: pd.DataFrame | None = None,
                ylabel: str = "Effect on the score (index points, 0–100 scale)",
                band_label: str = "95% interval", xlabel: str = "Years since the GCIO post was created",
                estimate_label: str | None = None, early_label: str = "early years compared",
                late_label: str = "late years compared", truth_label: str = "true effect (demo data)",
                alt: str | None = None, missing: str | None = None) -> Chart | Markdown | Block:
    """Effects after adoption by years since adoption, with the early and late years compared shaded.

    Axis labels, legend words, ``alt`` and ``missing`` (shown instead of an empty figure) come from the
    caller in the report's language.
    """
    post = effects[(effects["event_time"] >= 0) & effects["identified"]] if not effects.empty else effects
    if post.empty:
        return _nothing(missing, "no post-adoption effect could be estimated")
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for window, name, color in ((early, early_label, "#d9e6f2"), (late, late_label, "#f2e0d9")):
        if window:
            ax.axvspan(min(window) - 0.4, max(window) + 0.4, color=color, label=name, zorder=0)
    ax.errorbar(post["event_time"], post["estimate"],
                yerr=[post["estimate"] - post["conf_low"], post["conf_high"] - post["estimate"]],
                fmt="o", color=ESTIMATE_COLOR, capsize=3, label=estimate_label or f"estimate ({band_label})")
    if truth is not None and not truth.empty:
        ax.plot(truth["event_time"], truth["effect"], "x--", color=TRUTH_COLOR, label=truth_label)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(_wrap(title, 80))
    ax.legend(frameon=False, fontsize=9, loc="lower right")
    fig.tight_layout()
    if alt is None:
        alt = "Effects by years since adoption: " + "; ".join(
            f"year {int(r.event_time)}: {r.estimate:+.2f} [{r.conf_low:+.2f}, {r.conf_high:+.2f}]"
            for r in post.itertuples()) + "."
    return finish(fig, title, alt)


def pre_programme_scores(table: pd.DataFrame, title: str, *, ylabel: str) -> Chart | Markdown:
    """Mean score before the programme by eventual adoption cohort (and never), with 95% intervals.

    ``table``: ``group, entities, mean, conf_low, conf_high``.
    """
    if table.empty:
        return no_figure("no outcome was measured before the first adoption")
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.2))
    x = np.arange(len(table))
    colors = [GAP_COLOR if str(g).startswith("never") else ESTIMATE_COLOR for g in table["group"]]
    for xi, row, color in zip(x, table.itertuples(), colors):
        ax.errorbar(xi, row.mean, yerr=[[row.mean - row.conf_low], [row.conf_high - row.mean]], fmt="o",
                    color=color, capsize=3)
    ax.set_xticks(x, [f"{g}\n(n={n})" for g, n in zip(table["group"], table["entities"])], fontsize=8)
    ax.set_xlabel("Year the entity later created the GCIO post")
    ax.set_ylabel(ylabel)
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    alt = "Mean score before the programme, by year of later adoption, with 95% intervals: " + "; ".join(
        f"{r.group}: {r.mean:.1f} [{r.conf_low:.1f}, {r.conf_high:.1f}], {r.entities} entities"
        for r in table.itertuples()) + "."
    return finish(fig, title, alt)


# ------------------------------------------------------------------ costs


def cost_per_unit(table: pd.DataFrame, title: str, *, exchange_rate: float, price_year: int,
                  names: dict | None = None, xlabel: str | None = None, bar_text=None, alt: str | None = None,
                  missing: str | None = None, number=None) -> Chart | Markdown | Block:
    """Cost per unit of each output (COP millions of ``price_year``), labelled with the USD amount.

    ``names`` (output code -> words), ``xlabel``, ``bar_text(cop, usd)`` (the label at a bar's end),
    ``alt`` and ``missing`` (the sentence shown instead of an empty figure) come from the caller in the
    report's language; ``number`` formats the axis ticks (e.g. ``lambda v: fmt.number(v, 0)``).
    """
    shown = table[np.isfinite(table["cost_per_unit_cop"].astype(float))] if not table.empty else table
    if shown.empty:
        return _nothing(missing, "the costs table is missing" if table.empty else "no output could be costed")
    use_style()
    names = dict(names or {})
    label_of = {o: names.get(o, lab) for o, lab in zip(shown["output"], shown["label"] if "label" in shown
                                                         else shown["output"])}
    fig, ax = plt.subplots(figsize=(9, 0.9 + 0.5 * len(shown)))
    y = np.arange(len(shown))[::-1]
    values = shown["cost_per_unit_cop"].astype(float) / 1e6
    ax.barh(y, values, color=ESTIMATE_COLOR)
    for yi, row in zip(y, shown.itertuples()):
        text = (bar_text(row.cost_per_unit_cop, row.cost_per_unit_usd) if bar_text is not None else
                f"{_millions(row.cost_per_unit_cop)} (USD {row.cost_per_unit_usd:,.0f})")
        ax.text(row.cost_per_unit_cop / 1e6 * 1.02, yi, text, va="center", fontsize=8)
    ax.set_yticks(y, [_wrap(label_of[o], 40) for o in shown["output"]])
    ax.set_xlim(0, values.max() * 1.35)
    ax.set_xlabel(xlabel or f"Cost per unit (COP millions, {price_year} prices; USD at {exchange_rate:,.0f} COP per USD)")
    if number is not None:
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _pos: number(v)))
    ax.set_title(_wrap(title, 80))
    fig.tight_layout()
    if alt is None:
        alt = f"Horizontal bars of cost per unit in millions of {price_year} pesos: " + "; ".join(
            f"{label_of[r.output]} COP {_millions(r.cost_per_unit_cop)} million (USD {r.cost_per_unit_usd:,.0f})"
            for r in shown.itertuples()) + "."
    return finish(fig, title, alt)


def cost_sensitivity(table: pd.DataFrame, title: str, *, price_year: int, names: dict | None = None,
                     xlabel: str | None = None, ylabel: str | None = None, alt: str | None = None,
                     missing: str | None = None, number=None) -> Chart | Markdown | Block:
    """Cost per unit of each output as the share of the budget attributed to it varies (log scale).

    ``names``, ``xlabel``, ``ylabel``, ``alt`` and ``missing`` come from the caller in the report's
    language; ``number`` formats the y ticks (millions of pesos).
    """
    if table.empty:
        return _nothing(missing, "the costs table is missing")
    use_style()
    names = dict(names or {})
    fig, ax = plt.subplots(figsize=(9, 4.8))
    parts = []
    styles = ("-", "--", ":", "-.")  # outputs with the same number of units share a line; dashes keep both visible
    for k, (output, part) in enumerate(table.groupby("output", sort=False)):
        label = names.get(output, part["label"].iloc[0] if "label" in part else output)
        line, = ax.plot(100 * part["share"], part["cost_per_unit_cop"] / 1e6, styles[k % len(styles)], label=label,
                        linewidth=2)
        current = part[part["current"]]
        ax.plot(100 * current["share"], current["cost_per_unit_cop"] / 1e6, "o", color=line.get_color())
        parts.append(f"{label}: COP {_millions(part['cost_per_unit_cop'].min())} million at "
                     f"{_pct(part['share'].min())} to COP {_millions(part['cost_per_unit_cop'].max())} million at "
                     f"{_pct(part['share'].max())}")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(
        (lambda v, _pos: number(v)) if number is not None else (lambda v, _: f"{v:,.0f}" if v >= 1 else f"{v:g}")))
    ax.set_xlabel(xlabel or "Share of the whole budget attributed to the output (%; dots: the share used in the table)")
    ax.set_ylabel(ylabel or f"Cost per unit (COP millions, {price_year} prices, log scale)")
    ax.set_title(_wrap(title, 80))
    ax.legend(frameon=False, fontsize=8, ncol=2)
    fig.tight_layout()
    if alt is None:
        alt = "Lines of cost per unit against the share of budget attributed: " + "; ".join(parts) + "."
    return finish(fig, title, alt)
