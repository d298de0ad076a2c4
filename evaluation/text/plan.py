"""Sentences about the analysis plan (pre-specified or exploratory) and the link to the changes page."""

from __future__ import annotations

from evaluation.text.i18n import Messages

DOMAIN = "plan"


def index_notice(record: dict | None, language: str) -> str:
    """The line an index shows about the run's plan (nothing when the run had none)."""
    if not record:
        return ""
    _ = Messages(language, DOMAIN)
    if record.get("edited_after_lock"):
        return _("Warning: the analysis plan {file} was edited after it was locked on {date}; the reports whose "
                 "parameters differ from the locked values are exploratory.", file=record.get("file", ""),
                 date=record.get("locked_date") or "")
    if record.get("locked"):
        return _("Analysis plan {file}, locked on {date} (hash {hash}): reports that follow it are pre-specified.",
                 file=record.get("file", ""), date=record.get("locked_date") or "",
                 hash=str(record.get("sha256", ""))[:12])
    return _("Analysis plan {file} is not locked: every report of this run is exploratory.",
             file=record.get("file", ""))


def changes_link(language: str) -> str:
    return Messages(language, DOMAIN)("What changed since the previous year's run")


def status(check, language: str) -> str:
    """One sentence labelling a report's numbers: pre-specified, exploratory (and why), or no plan."""
    _ = Messages(language, DOMAIN)
    if check.label == "pre-specified":
        return _("Pre-specified: the parameters of this report follow the locked analysis plan.")
    if check.label == "exploratory":
        if check.differences:
            items = "; ".join(_("{parameter} is {run} here, {plan} in the plan", parameter=p, run=r, plan=v)
                              for p, v, r in check.differences)
            return _("Exploratory: {items}.", items=items)
        if check.edited_after_lock:
            return _("Exploratory: the analysis plan was edited after it was locked.")
        return _("Exploratory: the analysis plan of this run is not locked.")
    return _("No analysis plan was given for this run: the numbers are not pre-specified.")


def label(check, language: str) -> str:
    """The short label for a table column."""
    _ = Messages(language, DOMAIN)
    return {"pre-specified": _("pre-specified"), "exploratory": _("exploratory")}.get(check.label, _("no plan"))


def column(language: str) -> str:
    """The header of the column that labels each number."""
    _ = Messages(language, DOMAIN)
    return _("Analysis plan")
