"""Plain-language sentences generated from results, for readers who never see code.

Nothing here hard-codes a conclusion: every sentence that states a direction,
a size or a gap is computed from the tables it is given, so the same notebook
run on other data says other things.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from evaluation.safe import escape_html, escape_markdown, file_name, write_csv


def _years(values) -> str:
    values = sorted(int(v) for v in values)
    if not values:
        return "none"
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values[:-1]) + (" and " if len(values) > 1 else "") + str(values[-1])


def data_banner(dataset) -> Markdown:
    """A warning that the data are synthetic, or the data's provenance when they are real."""
    name = escape_markdown(dataset.metadata.get("name", dataset.folder.name))
    if dataset.synthetic:
        return Markdown(
            f"> **Synthetic demo data ({name}).** Adoption dates and outcome scores are simulated to look like "
            "Colombia's programme data; they are not real records of any entity. Numbers in this report show "
            "how the suite works, not how the programme performed.")
    source = escape_markdown(dataset.metadata.get("source", "not stated in dataset.yml"))
    return Markdown(f"> **Data:** {name}. Source: {source}.")


def evaluability(pre_years: pd.DataFrame) -> Markdown:
    """One bullet per indicator: which cohorts can be evaluated on it, which cannot, and why."""
    bullets = [f"- {_evaluability(pre_years, ind)}" for ind in dict.fromkeys(pre_years["indicator"])]
    return Markdown("\n".join(bullets) or "No adopting entity has any outcome score.")


def _evaluability(pre_years: pd.DataFrame, indicator: str) -> str:
    rows = pre_years[pre_years["indicator"] == indicator]
    good, bad = rows[rows["evaluable"]], rows[~rows["evaluable"]]
    first = int(rows["first_year"].iloc[0])
    parts = [f"**{indicator}** is observed from {first}."]
    if len(bad):
        parts.append(
            f"Cohorts {_years(bad['cohort'])} ({int(bad['adopters'].sum())} adopting entities) have no "
            f"{indicator} score before they adopted, so their effect on {indicator} cannot be estimated: "
            "they are reported as not identified, not dropped silently.")
    if len(good):
        parts.append(
            f"Cohorts {_years(good['cohort'])} ({int(good['adopters'].sum())} entities) have between "
            f"{int(good['pre_adoption_years'].min())} and {int(good['pre_adoption_years'].max())} "
            "years of data before adoption.")
    return " ".join(parts)


def source(dataset, *tables: str, method: str = "") -> str:
    """The source line under a table: which dataset and files, and how the numbers were made."""
    name = dataset.metadata.get("name", dataset.folder.name) + (" (synthetic)" if dataset.synthetic else "")
    files = ", ".join(dataset.files[t].name for t in tables if t in dataset.files)
    return f"{name}: {files}" + (f". {method}" if method else "") + "."


def notes(messages: list[str], heading: str = "Notes from the estimator") -> Markdown:
    """Warnings collected during estimation, as a short list a reader can act on."""
    if not messages:
        return Markdown("")
    return Markdown(f"**{heading}:**\n" + "\n".join(f"- {m}" for m in messages))


def table(frame: pd.DataFrame, *, source: str, caption: str = "", digits: int = 3):
    """A table for the report: no row numbers, rounded numbers, a caption and a source line.

    Every cell, column name, the caption and the source line are escaped: text
    from the data is shown, never read as HTML.
    """
    styler = (frame.style.hide(axis="index").format(precision=digits, na_rep="–", escape="html")
              .format_index(escape="html", axis=1))
    styler = styler.set_caption(escape_html(caption)) if caption else styler
    footer = f'<p style="font-size: 12px; color: #555">Source: {escape_html(source)}</p>'
    return _HTMLBlock(styler.to_html() + footer, frame)


class _HTMLBlock:
    """Rendered HTML with the frame kept for code that wants the numbers."""

    def __init__(self, html_text: str, frame: pd.DataFrame):
        self._html, self.frame = html_text, frame

    def _repr_html_(self) -> str:
        return self._html


def save_table(table: pd.DataFrame, output_dir: str, name: str) -> None:
    """Write ``table`` as CSV into the run's output folder (no-op when run interactively).

    Delegates to :func:`evaluation.report.tables.save_table` (the synthetic-data flag and the
    report's Excel workbook in a run).
    """
    from evaluation.report.tables import save_table as _save

    _save(table, output_dir, name)


def _ci(low: float, high: float, alpha: float) -> str:
    return f"{100 * (1 - alpha):.0f}% interval {low:+.2f} to {high:+.2f}"


def detected(overall) -> bool:
    """An effect is 'detected' when its interval excludes zero."""
    return bool(overall.identified) and (overall.conf_low > 0 or overall.conf_high < 0)


def impact_summary(overall, *, indicator: str, entities: str, alpha: float,
                   truth: float | None = None, words: dict | None = None) -> Markdown:
    """The headline: size, direction and uncertainty of the average effect since adoption.

    ``words`` (from ``describe.wording``) names the units and the treatment, so
    the sentence reads right for panels other than the GCIO programme's.
    """
    units = (words or {}).get("units", "entities")
    adopted = (words or {}).get("adopted", "created the GCIO post")
    group = "" if entities == "all" else f"{entities} "
    if not overall.identified or overall.estimate != overall.estimate:  # NaN
        return Markdown(f"**No average effect on {indicator} could be estimated** for {group}{units}: "
                        f"{overall.note or 'no cohort has both a year before adoption and a comparison group.'}")
    size = abs(overall.estimate)
    if detected(overall):
        direction = "higher" if overall.estimate > 0 else "lower"
        who = f"{group}{units} that {adopted}"
        text = (f"**{who[0].upper() + who[1:]} scored {size:.2f} points {direction} "
                f"on {indicator}** than comparable {units} that had not (yet), averaged over the years since "
                f"adoption ({_ci(overall.conf_low, overall.conf_high, alpha)}). The interval excludes zero.")
    else:
        text = (f"**No effect on {indicator} was detected** for {group}{units}: the estimate is "
                f"{overall.estimate:+.2f} points ({_ci(overall.conf_low, overall.conf_high, alpha)}), an interval "
                "that includes zero. Effects smaller than about "
                f"{max(abs(overall.conf_low), abs(overall.conf_high)):.1f} points cannot be ruled out.")
    if truth is not None and truth == truth:
        covered = overall.conf_low <= truth <= overall.conf_high
        text += (f" In these synthetic data the true average effect is {truth:+.2f} points, which the interval "
                 f"{'covers' if covered else 'does not cover'}.")
    return Markdown(text)


def pretest_reading(pretest, alpha: float) -> Markdown:
    """What the Wald test of pre-adoption effects says about parallel trends."""
    if pretest.df == 0 or pretest.p_value != pretest.p_value:
        return Markdown("No pre-adoption comparison is available, so parallel trends cannot be checked with "
                        f"these data{': ' + pretest.note if pretest.note else ''}. The estimate rests on the "
                        "assumption alone.")
    if pretest.p_value < alpha:
        return Markdown(
            f"**Warning:** before adoption, adopters and their comparison group already diverged "
            f"(Wald test over {pretest.df} pre-adoption cells, p = {pretest.p_value:.3f}). Parallel trends are "
            "doubtful; read the effect with caution and see the robustness report.")
    return Markdown(
        f"Before adoption, adopters and their comparison group moved alike: the Wald test over {pretest.df} "
        f"pre-adoption cells does not reject parallel trends (p = {pretest.p_value:.3f}). This supports, but "
        "cannot prove, the assumption behind the estimate.")


def not_identified(cells: pd.DataFrame) -> Markdown:
    """Which cohorts got no estimate, and why (from the ``note`` column)."""
    missing = cells[~cells["identified"]]
    if missing.empty:
        return Markdown("Every cohort-year cell could be estimated.")
    lines = []
    for cohort, rows in missing.groupby("cohort", sort=True):
        reason = rows["note"].iloc[0]
        lines.append(f"- cohort {cohort}: {len(rows)} cell(s), e.g. {reason}")
    return Markdown(f"{len(missing)} of {len(cells)} cohort-year cells could not be estimated; they stay in "
                    "the tables as gaps:\n" + "\n".join(lines))


def event_study_title(dynamic, indicator: str) -> str:
    """A title that states the finding of the event-study plot."""
    post = dynamic.tidy()
    post = post[(post["event_time"] >= 0) & post["identified"]]
    if post.empty:
        return f"No post-adoption effect on {indicator} could be estimated"
    last = post.iloc[-1]
    grows = len(post) > 1 and last["estimate"] > post.iloc[0]["estimate"]
    return (f"Effect on {indicator} {'grows to' if grows else 'is'} {last['estimate']:+.1f} points "
            f"{int(last['event_time'])} years after adoption")


def comparison_title(table: pd.DataFrame, indicator: str) -> str:
    """Title for the estimator comparison: how far the naive numbers sit from the preferred one (last row)."""
    usable = table.dropna(subset=["estimate"])
    if len(usable) < 2:
        return f"Estimates of the effect on {indicator} by estimator"
    preferred = usable.iloc[-1]
    naive = usable.iloc[0]
    gap = naive["estimate"] - preferred["estimate"]
    word = "above" if gap > 0 else "below"
    return (f"The naive before/after estimate sits {abs(gap):.1f} points {word} the adjusted estimate "
            f"({preferred['estimate']:+.1f}) on {indicator}")


def effect_axis(dataset, outcome: str) -> str:
    """Axis label for an effect on ``outcome``, in the outcome's own units."""
    from evaluation.questions.data_quality import indicator_label

    label = indicator_label(outcome, dataset)
    checks = (dataset.metadata or {}).get("checks") or {}
    if "score_range" in checks and checks["score_range"] is None:
        return f"Effect on {label}"
    return f"Effect on {outcome} (index points, 0–100 scale)"
