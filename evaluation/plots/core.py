"""The suite's style, the Chart type, and the data-quality and impact figures."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from evaluation.load.contract import LEVELS
from evaluation.plots import style

LEVEL_COLORS = dict(zip(LEVELS, style.palette(3)))
ESTIMATE_COLOR = "#1f4e79"
TRUTH_COLOR = "#c0392b"


@dataclass(frozen=True)
class Chart:
    """A finished figure: PNG bytes plus the alt text a screen reader reads.

    Plot functions close their matplotlib figure and return a Chart, so a
    notebook shows each figure exactly once and the HTML report carries the
    alt text (see the report template).
    """

    png: bytes = field(repr=False)
    title: str
    alt: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": f"[figure] {self.title}"}
        return data, {"image/png": {"alt": self.alt}}

    def save(self, path) -> None:
        with open(path, "wb") as handle:
            handle.write(self.png)


def finish(fig: plt.Figure, title: str, alt: str) -> Chart:
    """Render ``fig`` to PNG, close it, and return it as a Chart with its alt text."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return Chart(buffer.getvalue(), title, alt)


def use_style() -> None:
    """The suite's seaborn style: white grid, readable fonts, no top/right spines (``evaluation.plots.style``)."""
    style.apply()


def coverage_heatmap(coverage: pd.DataFrame, title: str, *,
                     xlabel: str = "Year (vigencia); cells show % of entities with a score",
                     level_names: Mapping[str, str] | None = None, alt: str | None = None,
                     number_format: Callable[[float], str] | None = None) -> Chart:
    """Share of entities reporting each indicator, by year (columns) and level (rows).

    ``level_names`` gives the row labels (level code -> word), ``alt`` the alt
    text and ``number_format`` how a cell's percentage is written (the report's
    locale); the defaults are the English words.
    """
    use_style()
    indicators = list(dict.fromkeys(coverage["indicator"]))
    if len(indicators) > COVERAGE_PANELS_UP_TO:
        return _coverage_heatmap_one_panel(coverage, indicators, title)
    fig, axes = plt.subplots(len(indicators), 1, figsize=(9, 1.1 + 1.1 * len(indicators) * 1.2),
                             squeeze=False, sharex=True)
    years = sorted(coverage["year"].unique())
    names = dict(level_names or {})
    for ax, indicator in zip(axes[:, 0], indicators):
        grid = (coverage[coverage["indicator"] == indicator]
                .pivot(index="level", columns="year", values="share")
                .reindex(columns=years)
                .reindex([lv for lv in LEVELS if lv in set(coverage["level"])]))
        grid = grid.rename(index=lambda lv: names.get(lv, lv))
        values = grid * 100
        write = number_format or (lambda v: f"{v:.0f}")
        heatmap(ax, values, vmin=0, vmax=100, cmap="Blues", linewidths=0.5,
                annot=values.map(lambda v: "" if pd.isna(v) else write(v)).to_numpy())
        ax.set_ylabel(indicator)
        ax.set_xlabel("")
    axes[-1, 0].set_xlabel(xlabel)
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    if alt is None:
        alt = (f"Heat map of the share of entities with a score, by year and level, for {', '.join(indicators)}. "
               f"Years {years[0]} to {years[-1]}.")
    return finish(fig, title, alt)


#: Above this many indicators the coverage heat map is one panel (one row per indicator and level, no
#: numbers in the cells): 130 panels of an evaluator's full FURAG import took minutes to lay out and draw.
COVERAGE_PANELS_UP_TO = 12


def heatmap(ax, values: pd.DataFrame, *, vmin: float, vmax: float, cmap: str, annot: np.ndarray | None = None,
            linewidths: float = 0.0, cbar_label: str | None = None) -> None:
    """``values`` as a grid of coloured cells on ``ax``, drawn as ``seaborn.heatmap`` draws it.

    One cell per row and column of ``values`` (missing values blank), row labels
    from its index and column labels from its columns, every one shown and
    horizontal; ``annot`` holds the text of each cell (dark on light cells, white
    on dark ones, by the cell colour's relative luminance as seaborn chooses);
    ``cbar_label`` adds a colour bar. Drawn with matplotlib alone: importing
    seaborn costs a notebook most of a second (it imports ``scipy.stats``).
    ``tests/test_plot_style.py`` checks the pixels equal seaborn's.
    """
    for spine in ax.spines.values():
        spine.set_visible(False)
    grid = np.ma.masked_invalid(values.to_numpy(dtype=float))
    mesh = ax.pcolormesh(grid, cmap=plt.get_cmap(cmap), vmin=vmin, vmax=vmax, linewidths=linewidths,
                         edgecolor="white")
    rows, columns = grid.shape
    ax.set(xlim=(0, columns), ylim=(0, rows))
    ax.invert_yaxis()
    if cbar_label is not None:
        bar = ax.figure.colorbar(mesh, None, ax, label=cbar_label)
        bar.outline.set_linewidth(0)
    ax.set(xticks=np.arange(columns) + 0.5, yticks=np.arange(rows) + 0.5)
    ax.set_xticklabels([str(c) for c in values.columns])
    plt.setp(ax.set_yticklabels([str(r) for r in values.index], rotation="horizontal"), va="center")
    ax.set(xlabel=values.columns.name or "", ylabel=values.index.name or "")
    if annot is None:
        return
    mesh.update_scalarmappable()
    masked = np.ma.getmaskarray(grid)
    for (y, x), color, text in zip(np.ndindex(rows, columns), mesh.get_facecolors(), np.asarray(annot).flat):
        if not masked[y, x]:
            ax.text(x + 0.5, y + 0.5, text, color=".15" if _luminance(color) > 0.408 else "w", ha="center",
                    va="center")


def _luminance(color) -> float:
    """W3C relative luminance of an RGB(A) colour (the rule seaborn's heat map uses for its text colour)."""
    rgb = np.asarray(color, dtype=float)[:3]
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(rgb @ [0.2126, 0.7152, 0.0722])


def _coverage_heatmap_one_panel(coverage: pd.DataFrame, indicators: list[str], title: str) -> Chart:
    levels = [lv for lv in LEVELS if lv in set(coverage["level"])]
    years = sorted(coverage["year"].unique())
    grid = (coverage.pivot_table(index=["indicator", "level"], columns="year", values="share", observed=True)
            .reindex(columns=years)
            .reindex(pd.MultiIndex.from_product([indicators, levels], names=["indicator", "level"])))
    grid.index = [f"{indicator} · {level}" for indicator, level in grid.index]
    fig, ax = plt.subplots(figsize=(9, 1.5 + 0.14 * len(grid)))
    heatmap(ax, grid * 100, vmin=0, vmax=100, cmap="Blues", cbar_label="% of entities with a score")
    ax.tick_params(axis="y", labelsize=5)
    ax.set_ylabel("")
    ax.set_xlabel("Year (vigencia)")
    fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    alt = (f"Heat map of the share of entities with a score, by year, for {len(indicators)} indicators "
           f"({indicators[0]} to {indicators[-1]}) and each level. Years {years[0]} to {years[-1]}.")
    return finish(fig, title, alt)


def adoption_timeline(timeline: pd.DataFrame, title: str, *,
                      xlabel: str = "Year the GCIO post was created (cohort)",
                      ylabel: str = "Entities adopting (count)", legend_title: str = "Level",
                      level_names: Mapping[str, str] | None = None, alt: str | None = None) -> Chart:
    """Adopters per cohort year, stacked by level (``level_names``: code -> word in the legend)."""
    use_style()
    levels = [lv for lv in LEVELS if lv in timeline.columns]
    names = dict(level_names or {})
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = np.zeros(len(timeline))
    for level in levels:
        ax.bar(timeline["cohort"].astype(str), timeline[level], bottom=bottom, label=names.get(level, level),
               color=LEVEL_COLORS[level])
        bottom += timeline[level].to_numpy()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(title=legend_title, frameon=False)
    ax.set_title(title)
    fig.tight_layout()
    if alt is None:
        alt = f"Bar chart of {ylabel.lower()} per cohort year, by level: " + "; ".join(
            f"{int(r.cohort)}: {int(r.all)}" for r in timeline.itertuples())
    return finish(fig, title, alt)


def event_study(effects: pd.DataFrame, title: str, *, truth: pd.DataFrame | None = None,
                ylabel: str = "Effect on the score (index points, 0–100 scale)",
                xlabel: str = "Years since the GCIO post was created",
                band_label: str = "95% band", before_label: str | None = None, after_label: str | None = None,
                truth_label: str = "true effect (demo data)", alt: str | None = None,
                number_format: Callable[[float], str] | None = None) -> Chart:
    """Effects by years since adoption with their confidence band.

    ``effects`` is a tidy table with ``event_time, estimate, conf_low, conf_high``
    (and optionally ``identified``); ``truth`` has ``event_time, effect``.
    ``before_label``/``after_label`` are the legend entries of the two kinds of
    point (default: "estimate before/after adoption (<band_label>)"),
    ``truth_label`` the truth's; ``alt`` the alt text; ``number_format`` writes
    the effect axis's numbers (the report's locale).
    """
    use_style()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    shown = effects[effects.get("identified", True) == True] if "identified" in effects else effects  # noqa: E712
    pre = shown["event_time"] < 0
    labels = (before_label or f"estimate before adoption ({band_label})",
              after_label or f"estimate after adoption ({band_label})")
    for mask, color, label in [(pre, "#7f7f7f", labels[0]), (~pre, ESTIMATE_COLOR, labels[1])]:
        part = shown[mask]
        if part.empty:
            continue
        ax.errorbar(part["event_time"], part["estimate"],
                    yerr=[part["estimate"] - part["conf_low"], part["conf_high"] - part["estimate"]],
                    fmt="o", color=color, capsize=3, label=label)
    if truth is not None and not truth.empty:
        ax.plot(truth["event_time"], truth["effect"], "x--", color=TRUTH_COLOR, label=truth_label)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="#999999", linestyle=":", linewidth=1)
    if number_format is not None:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number_format(v)))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    if alt is None:
        alt = "Event-study plot of the estimated effect by years since adoption: " + "; ".join(
            f"year {int(r.event_time)}: {r.estimate:.2f} [{r.conf_low:.2f}, {r.conf_high:.2f}]"
            for r in shown.itertuples())
    return finish(fig, title, alt)


def estimate_comparison(table: pd.DataFrame, title: str, *, truth: float | None = None,
                        xlabel: str = "Effect on the score (index points)", labels: list[str] | None = None,
                        truth_label: str = "true effect (demo data)", alt: str | None = None,
                        number_format: Callable[[float], str] | None = None) -> Chart:
    """One horizontal interval per estimator (``estimator, estimate, conf_low, conf_high``).

    ``labels`` names the rows in the report's language (default: the
    ``estimator`` column); ``truth_label``, ``alt`` and ``number_format`` as in
    :func:`event_study`.
    """
    use_style()
    fig, ax = plt.subplots(figsize=(9, 0.6 + 0.55 * len(table)))
    y = np.arange(len(table))[::-1]
    has_ci = table["conf_low"].notna()
    ax.errorbar(table["estimate"], y, xerr=[(table["estimate"] - table["conf_low"]).where(has_ci, 0),
                                            (table["conf_high"] - table["estimate"]).where(has_ci, 0)],
                fmt="o", color=ESTIMATE_COLOR, capsize=3)
    names = list(labels) if labels is not None else list(table["estimator"])
    ax.set_yticks(y, names)
    ax.axvline(0, color="black", linewidth=0.8)
    if truth is not None:
        ax.axvline(truth, color=TRUTH_COLOR, linestyle="--", label=truth_label)
        ax.legend(frameon=False, fontsize=9)
    if number_format is not None:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: number_format(v)))
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.tight_layout()
    if alt is None:
        alt = "Estimates and confidence intervals by estimator: " + "; ".join(
            f"{name}: {r.estimate:.2f}" for name, r in zip(names, table.itertuples()))
    return finish(fig, title, alt)
