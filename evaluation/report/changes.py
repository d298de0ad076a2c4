"""The "changes since last year" page of a run: built from ``evaluation.changes`` and ``evaluation.text.changes``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evaluation.report import page
from evaluation.safe import escape_html
from evaluation.text import changes as words
from evaluation.text.format import Format

PAGE = "changes.html"

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table.gcio-table { border-collapse: collapse; margin: 1rem 0; }
table.gcio-table th, table.gcio-table td { border-bottom: 1px solid #ccc; padding: .3rem .6rem; text-align: left; }
table.gcio-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.gcio-banner { border-left: 4px solid #888; padding: .2rem 1rem; background: #f4f4f4; }
.gcio-warning { border-color: #c60; background: #fff4e5; }
"""


def headline_table(changes, language: str) -> pd.DataFrame:
    """One row per criterion: verdict, key number and interval, last run and this run, as display text."""
    fmt = Format(language)
    names = words.criterion_names(language)
    table = changes.headline
    rows = []
    for r in table.to_dict("records"):
        row = {"criterion": names.get(r["criterion_id"], r["criterion_id"])}
        for side in ("before", "after"):
            row[f"verdict_{side}"] = r.get(f"verdict_id_{side}") if pd.notna(r.get(f"verdict_id_{side}")) else "–"
            row[f"estimate_{side}"] = fmt.number(r.get(f"estimate_{side}"), 2)
            row[f"interval_{side}"] = fmt.interval(r.get(f"conf_low_{side}"), r.get(f"conf_high_{side}"), 2)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(words.headline_headers(language)))


def render(changes, language: str, *, banner: page.Block | None = None, back: str = "index.html",
           back_label: str = "") -> str:
    """The whole page as an HTML document in ``language``."""
    parts = [page.title(words.title(changes, language))]
    if banner is not None:
        parts.append(banner)
    parts.append(page.paragraph(words.intro(changes, language)))
    parts.append(page.heading(words.headline_heading(language)))
    if len(changes.headline):
        parts.append(page.table(headline_table(changes, language), headers=words.headline_headers(language),
                                fmt=Format(language)))
    else:
        parts.append(page.paragraph(words.no_headline(language)))
    parts.append(page.heading(words.causes_heading(language)))
    parts.append(page.bullets(words.causes(changes, language)))
    body = page.blocks(*parts)._repr_html_()
    link = f'<p><a href="{escape_html(back)}">{escape_html(back_label)}</a></p>' if back_label else ""
    return (f'<!DOCTYPE html>\n<html lang="{escape_html(language)}"><head><meta charset="utf-8">'
            f"<title>{escape_html(words.title(changes, language))}</title><style>{_STYLE}</style></head>"
            f"<body>{link}{body}</body></html>\n")


def write(changes, folder: Path, language: str, **options) -> Path:
    """Write ``folder/changes.html``."""
    target = Path(folder) / PAGE
    target.write_text(render(changes, language, **options), encoding="utf-8")
    return target
