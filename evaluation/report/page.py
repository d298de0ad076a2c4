"""Blocks of a report page, rendered from plain strings: the only place that writes markup.

``evaluation.text`` returns sentences as plain text; the notebooks hand them to
these functions, which escape every string (labels from the data included) and
wrap it in the page's HTML: the title, the question and its answer box, section
headings, paragraphs, lists, notes, tables with readable headers and the
appendix. The exporter (``evaluation.report.html``) then sanitises the result
once more. Each function returns an object the notebook displays.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import pandas as pd

from evaluation.safe import escape_html
from evaluation.text.format import DASH, Format

__all__ = ["Block", "title", "question", "heading", "paragraph", "bullets", "note", "banner", "table",
           "appendix", "blocks"]


class Block:
    """Rendered HTML, with the plain text (and the frame of a table) kept for code and tests."""

    def __init__(self, html_text: str, text: str = "", frame: pd.DataFrame | None = None):
        self._html, self.text, self.frame = html_text, text, frame

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:  # what a console (or a test) sees: the words, not the markup
        return self.text

    def __add__(self, other: "Block") -> "Block":
        return Block(self._html + other._html, "\n".join(t for t in (self.text, other.text) if t))


def _p(text: str) -> str:
    return "".join(f"<p>{escape_html(part)}</p>" for part in str(text).split("\n\n") if part.strip())


def title(text: str, subtitle: str = "") -> Block:
    """The page title (the index reads it) and an optional line under it."""
    html = f'<h1 class="gcio-title">{escape_html(text)}</h1>'
    if subtitle:
        html += f'<p class="gcio-subtitle">{escape_html(subtitle)}</p>'
    return Block(html, "\n".join(t for t in (text, subtitle) if t))


def question(asked: str, answer: str, *, label_question: str, label_answer: str, detail: str = "") -> Block:
    """The report's question and a short answer box: the key finding with its interval."""
    html = (f'<div class="gcio-answer" role="note">'
            f'<p class="gcio-question"><strong>{escape_html(label_question)}</strong> {escape_html(asked)}</p>'
            f'<p class="gcio-short-answer"><strong>{escape_html(label_answer)}</strong> {escape_html(answer)}</p>'
            + (_p(detail) if detail else "") + "</div>")
    return Block(html, f"{label_question} {asked}\n{label_answer} {answer}" + (f"\n{detail}" if detail else ""))


def heading(text: str, level: int = 2, anchor: str = "") -> Block:
    """A section heading (``level`` 2 or 3)."""
    level = 3 if level >= 3 else 2
    ident = f' id="{escape_html(anchor)}"' if anchor else ""
    return Block(f"<h{level}{ident}>{escape_html(text)}</h{level}>", text)


def paragraph(text: str, lead: str = "") -> Block:
    """One or more paragraphs (separated by a blank line); ``lead`` is set in bold before the first."""
    if not text and not lead:
        return Block("", "")
    parts = [p for p in str(text).split("\n\n") if p.strip()] or [""]
    first = (f"<strong>{escape_html(lead)}</strong> " if lead else "") + escape_html(parts[0])
    html = f"<p>{first}</p>" + "".join(f"<p>{escape_html(p)}</p>" for p in parts[1:])
    return Block(html, (f"{lead} " if lead else "") + str(text))


def bullets(items: Iterable[str], lead: str = "") -> Block:
    """A list; nothing at all when ``items`` is empty."""
    items = [str(i) for i in items if str(i).strip()]
    if not items:
        return Block("", "")
    head = f"<p><strong>{escape_html(lead)}</strong></p>" if lead else ""
    html = head + "<ul>" + "".join(f"<li>{escape_html(i)}</li>" for i in items) + "</ul>"
    return Block(html, "\n".join(([lead] if lead else []) + [f"- {i}" for i in items]))


def note(text: str, lead: str = "") -> Block:
    """A quieter paragraph: method notes, assumptions, sources."""
    if not text:
        return Block("", "")
    first = (f"<strong>{escape_html(lead)}</strong> " if lead else "") + escape_html(text)
    return Block(f'<p class="gcio-note">{first}</p>', (f"{lead} " if lead else "") + text)


def banner(text: str, lead: str = "", warning: bool = False) -> Block:
    """The box at the top of a page: synthetic data warning, or the data's provenance."""
    kind = "gcio-banner gcio-warning" if warning else "gcio-banner"
    first = (f"<strong>{escape_html(lead)}</strong> " if lead else "") + escape_html(text)
    return Block(f'<div class="{kind}" role="note"><p>{first}</p></div>', (f"{lead} " if lead else "") + text)


Formatter = Callable[[object], str]


def table(frame: pd.DataFrame, *, headers: Mapping[str, str], fmt: Format,
          formats: Mapping[str, Formatter | int | str] | None = None, caption: str = "", source: str = "",
          source_label: str = "", values: Mapping[str, Mapping[object, str]] | None = None) -> Block:
    """A table for readers: only the columns named in ``headers``, in that order, under those headers.

    ``formats`` gives each column a formatter: an ``int`` is the number of
    decimals, ``"count"``, ``"percent"``, ``"signed"``, ``"year"``, ``"p"`` name
    the ``Format`` method, a callable is used as is; other columns are shown as
    text. ``values`` maps a column's raw values to words (``True`` -> "sí").
    Every cell, header, the caption and the source line are escaped.
    """
    formats = dict(formats or {})
    values = {k: dict(v) for k, v in (values or {}).items()}
    columns = [c for c in headers if c in frame.columns]
    named: dict[str, Callable[..., str]] = {"count": fmt.count, "percent": fmt.percent, "signed": fmt.signed,
                                            "year": fmt.year, "p": fmt.p_value}

    def cell(column, value) -> str:
        if column in values and value in values[column]:
            return values[column][value]
        spec = formats.get(column)
        try:
            missing = value is None or pd.isna(value)
        except (TypeError, ValueError):
            missing = False
        if missing:
            return DASH
        if callable(spec):
            return spec(value)
        if isinstance(spec, int) and not isinstance(spec, bool):
            return fmt.number(value, spec)
        if isinstance(spec, str) and spec in named:
            return named[spec](value)
        return str(value)

    numeric = {c for c in columns if c in formats and formats[c] != "text"}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{escape_html(headers[c])}</th>' for c in columns)
    body = []
    shown = []
    for _, row in frame.iterrows():
        cells = [cell(c, row[c]) for c in columns]
        shown.append(cells)
        body.append("<tr>" + "".join(f'<td{num if c in numeric else ""}>{escape_html(v)}</td>'
                                     for c, v in zip(columns, cells)) + "</tr>")
    html = ('<table class="gcio-table">'
            + (f"<caption>{escape_html(caption)}</caption>" if caption else "")
            + f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    if source:
        html += f'<p class="gcio-source">{escape_html(source_label)} {escape_html(source)}</p>'
    text = "\n".join([caption] + [" | ".join(headers[c] for c in columns)] + [" | ".join(r) for r in shown])
    return Block(html, text, frame[columns].copy())


def appendix(text: str, anchor: str = "appendix") -> Block:
    """The heading of the appendix at the end of a page (long tables go there)."""
    return Block(f'<hr/><h2 id="{escape_html(anchor)}">{escape_html(text)}</h2>', text)


def blocks(*parts: Block) -> Block:
    """Several blocks shown as one output."""
    out = Block("", "")
    for part in parts:
        out = out + part
    return out
