"""Sentences of the "changes since last year" page, from ``evaluation.changes.RunChanges``."""

from __future__ import annotations

from evaluation.text.format import Format
from evaluation.text.i18n import Messages

DOMAIN = "changes"


def criterion_names(language: str) -> dict[str, str]:
    """The DAC criteria by their language-independent ids."""
    _ = Messages(language, DOMAIN)
    return {"relevance": _("Relevance"), "coherence": _("Coherence"), "effectiveness": _("Effectiveness"),
            "impact": _("Impact"), "efficiency": _("Efficiency"), "sustainability": _("Sustainability")}


def title(changes, language: str) -> str:
    _ = Messages(language, DOMAIN)
    return _("What changed since {previous_year}", previous_year=changes.previous_year)


def intro(changes, language: str) -> str:
    _ = Messages(language, DOMAIN)
    return _("This page compares the run for {year} with the run for {previous_year}: each headline number of "
             "the findings, last run's value and this run's, and what changed in between in the data, the "
             "analysis plan, the parameters and the software.", year=changes.year,
             previous_year=changes.previous_year)


def headline_headers(language: str) -> dict[str, str]:
    _ = Messages(language, DOMAIN)
    return {"criterion": _("Criterion"), "verdict_before": _("Verdict, last run"),
            "verdict_after": _("Verdict, this run"), "estimate_before": _("Key number, last run"),
            "estimate_after": _("Key number, this run"), "interval_before": _("Interval, last run"),
            "interval_after": _("Interval, this run")}


def causes(changes, language: str) -> list[str]:
    """One sentence per cause found, in the order of ``RunChanges.causes``."""
    _ = Messages(language, DOMAIN)
    fmt = Format(language)
    inputs, out = changes.inputs, []
    if not inputs.comparable:
        if inputs.reason == "hashes_only":
            files = fmt.join(inputs.files_changed) if inputs.files_changed else _("none")
            out.append(_("Last year's run kept only the hashes of its input files, not copies: the files that "
                         "changed are {files}, but their rows cannot be compared.", files=files))
        else:
            out.append(_("Last year's run kept no record of its inputs, so changes in the data cannot be listed."))
    for indicator, years in sorted(inputs.new_years.items()):
        out.append(_("New vigencia: {indicator} now has scores for {years}.", indicator=indicator,
                     years=fmt.years(years)))
    if len(inputs.revised):
        rows = inputs.revised
        details = [_("{indicator} {year}: {changed} changed, {added} added, {removed} removed",
                     indicator=r.indicator, year=fmt.year(r.year), changed=fmt.count(r.changed),
                     added=fmt.count(r.added), removed=fmt.count(r.removed)) for r in rows.itertuples()]
        total = int(rows["changed"].sum() + rows["added"].sum() + rows["removed"].sum())
        out.append(_.plural("Revised scores for earlier years: {n} row differs from last year's file ({details}).",
                            "Revised scores for earlier years: {n} rows differ from last year's file ({details}).",
                            total, n=fmt.count(total), details="; ".join(details)))
    if inputs.new_adopters:
        n = len(inputs.new_adopters)
        out.append(_.plural("{n} new adoption recorded: {ids}.", "{n} new adoptions recorded: {ids}.", n,
                            n=fmt.count(n), ids=_ids(inputs.new_adopters, fmt, language)))
    if len(inputs.corrected_dates):
        n = len(inputs.corrected_dates)
        items = [_("{entity} from {before} to {after}", entity=r.entity_id, before=fmt.date(r.before),
                   after=fmt.date(r.after)) for r in inputs.corrected_dates.head(10).itertuples()]
        out.append(_.plural("{n} adoption date corrected: {items}.", "{n} adoption dates corrected: {items}.", n,
                            n=fmt.count(n), items="; ".join(items)))
    if inputs.withdrawn_adopters:
        n = len(inputs.withdrawn_adopters)
        out.append(_.plural("{n} adoption of last year's file is no longer in the registry: {ids}.",
                            "{n} adoptions of last year's file are no longer in the registry: {ids}.", n,
                            n=fmt.count(n), ids=_ids(inputs.withdrawn_adopters, fmt, language)))
    if changes.plan:
        before, after = changes.plan[0]
        out.append(_("The analysis plan changed (hash {before} before, {after} now).",
                     before=(before or _("none"))[:12], after=(after or _("none"))[:12]))
    for report, name, before, after in changes.parameters:
        out.append(_("Parameter {name} of the report {report}: {before} last run, {after} this run.", name=name,
                     report=report, before=_value(before, language), after=_value(after, language)))
    for what, before, after in changes.software:
        label = _("Package version") if what == "package_version" else _("Code commit")
        out.append(_("{what}: {before} last run, {after} this run.", what=label, before=_value(before, language),
                     after=_value(after, language)))
    if not out:
        out.append(_("Nothing changed in the data, the analysis plan, the parameters or the software: the two "
                     "runs should state the same numbers."))
    return out


def _ids(ids, fmt, language: str) -> str:
    _ = Messages(language, DOMAIN)
    shown = [str(i) for i in ids[:10]]
    if len(ids) > 10:
        return _("{first} and {more} more", first=", ".join(shown), more=fmt.count(len(ids) - 10))
    return fmt.join(shown)


def _value(value, language: str) -> str:
    _ = Messages(language, DOMAIN)
    return _("not set") if value is None else str(value)


def causes_heading(language: str) -> str:
    return Messages(language, DOMAIN)("Why the numbers may have moved")


def headline_heading(language: str) -> str:
    return Messages(language, DOMAIN)("Headline numbers, last run and this run")


def no_headline(language: str) -> str:
    return Messages(language, DOMAIN)("One of the two runs has no findings table, so no headline number can be "
                                      "compared.")
