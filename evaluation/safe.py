"""Text from a user's file is data, never markup and never a formula.

Two places where a string from the data can turn into something active:

* **HTML reports.** A department, a budget line or a data folder named
  ``<img src=x onerror=alert(1)>`` would run as script in every report. Data
  strings are escaped where the suite builds HTML or Markdown
  (:func:`escape_markdown`, ``html.escape``, ``Styler.format(escape="html")``),
  and, as a second line, every Markdown and HTML output of a notebook passes
  through :func:`clean_html` when the report is exported: an allowlist of the
  tags and attributes the reports use, no scripts, no event handlers, no
  ``javascript:`` links.
* **Spreadsheets.** A CSV or XLSX cell beginning with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return is run as a formula by Excel, LibreOffice
  and Google Sheets (OWASP, "CSV Injection"). Every CSV the suite writes goes
  through :func:`neutralise_formulas` (such text cells get a leading ``'``;
  numbers, including negative ones, are never touched), and XLSX cells are
  written as text (:func:`set_text`).
"""

from __future__ import annotations

import html
import os
import re
import secrets
from pathlib import Path

import pandas as pd
import yaml

__all__ = ["FORMULA_STARTS", "neutralise_cell", "neutralise_formulas", "write_csv", "set_text",
           "escape_markdown", "escape_html", "clean_html", "file_name", "load_yaml", "YamlTooLargeError"]

# ------------------------------------------------------------------ spreadsheets

#: First characters that make a spreadsheet read a cell as a formula (or, for
#: tab and carriage return, that some applications strip before doing so).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Text that is just a number ("-3", "+57", "-0,5"): a spreadsheet reads it as
#: that number, never as a formula, so it is left exactly as it is.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """``"=HYPERLINK(...)"`` -> ``"'=HYPERLINK(...)"``; anything that is not such text is returned unchanged.

    Only strings change, and only when they begin with one of
    :data:`FORMULA_STARTS` and are not a plain number: ``-3.5`` stays a
    number, ``-3.5+A1`` gets the quote. Carriage returns inside the text
    become line feeds (see the comment below).
    """
    if not isinstance(value, str):
        return value
    if value[:1] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    # A bare carriage return inside a cell is not quoted by Python's csv writer (only the line terminator's
    # characters are), so Excel would start a new row there -- one that may begin with "=". As a line feed it
    # is quoted and stays inside its cell.
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and text column names) cannot run as formulas.

    Numeric columns are not looked at; in text columns only the offending
    strings change (see :func:`neutralise_cell`). The caller's frame is not
    modified.
    """
    out = frame.copy()
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if pd.api.types.is_datetime64_any_dtype(values):
            continue
        # Each distinct value is looked at once (a long outcomes table repeats a few thousand codes);
        # a column with nothing to change is left as it is. A categorical column maps its categories;
        # text columns keep their dtype.
        changed = {}
        for value in values.dropna().unique():
            safe = neutralise_cell(value)
            if safe is not value:
                changed[value] = safe
        if changed:
            out.isetitem(position, values.map(lambda v: changed.get(v, v), na_action="ignore"))
    out.columns = [neutralise_cell(c) for c in frame.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **to_csv) -> Path:
    """``frame.to_csv(path, **to_csv)`` with formula-like text neutralised; returns the path."""
    path = Path(path)
    neutralise_formulas(frame).to_csv(path, **to_csv)
    return path


def set_text(cell, value: object) -> None:
    """Put ``value`` into an openpyxl cell as text, never as a formula.

    openpyxl stores any string beginning with ``=`` as a formula; assigning
    the value and then forcing the cell's type to string keeps it text, and
    Excel's quote prefix keeps it text when someone edits the cell.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        cell.value = None
        return
    text = value if isinstance(value, str) else str(value)
    cell.value = text
    cell.data_type = "s"
    if text[:1] in FORMULA_STARTS:
        cell.quotePrefix = True


# ------------------------------------------------------------------ file names

#: Characters no file name may hold on Linux (``/``, NUL) or Windows (where a shared zip of the outputs is
#: often opened), and control characters.
_UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
#: Bytes kept of a name's stem (file systems allow 255 per name; room is left for the suffix and a hash).
_MAX_STEM_BYTES = 150


def file_name(name: str) -> str:
    """A file name built from data (an outcome code in ``group_time_{outcome}.csv``) made safe to create.

    An outcome code may hold ``/`` ("POL07/2018"), ``..``, characters
    Windows refuses, or be longer than a file system allows; any of these made
    the report's notebook fail (or could write outside ``tables/``). Unsafe
    characters become ``_``, leading dots and spaces are dropped, and a stem
    too long is cut and given a short hash of the whole name, so that two long
    codes never share a file. A name that is already safe is returned as it is.
    """
    import hashlib

    stem, dot, suffix = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", suffix):
        stem, dot, suffix = name, "", ""
    safe = _UNSAFE_IN_FILE_NAMES.sub("_", stem).strip(" .") or "table"
    if len(safe.encode("utf-8")) > _MAX_STEM_BYTES:
        digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:10]
        safe = safe.encode("utf-8")[:_MAX_STEM_BYTES].decode("utf-8", errors="ignore").rstrip(" .") + "-" + digest
    return safe + dot + suffix


# ------------------------------------------------------------------ YAML

#: Values a YAML file may expand to (counting every list item, key and value, with repeated aliases
#: counted each time). A run config or dataset.yml holds a few dozen; "billion laughs" aliases expand
#: a 1 kB file to billions, which hung the run while it rendered the notebooks' parameters.
MAX_YAML_VALUES = 100_000


class YamlTooLargeError(yaml.YAMLError):
    """A YAML file whose aliases expand to more values than any configuration holds."""

    def __init__(self, values: int):
        super().__init__(f"its aliases (&name ... *name) expand to more than {MAX_YAML_VALUES:,} values "
                         f"(at least {values:,}), far more than any configuration holds: a 'billion laughs' file")
        self.problem = str(self)


def _expanded_size(value: object, memo: dict[int, int]) -> int:
    """Count of values ``value`` holds once every alias is expanded (memoised, so a bomb is counted fast)."""
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, dict):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in value.items())
    elif isinstance(value, (list, tuple, set)):
        size = 1 + sum(_expanded_size(v, memo) for v in value)
    else:
        return 1
    memo[key] = size = min(size, 10 * MAX_YAML_VALUES)
    return size


def load_yaml(text: str) -> object:
    """``yaml.safe_load(text)``, refusing a document whose aliases expand beyond :data:`MAX_YAML_VALUES`.

    Raises
    ------
    yaml.YAMLError
        A syntax error, as ``safe_load`` raises it, or :class:`YamlTooLargeError`.
    """
    value = yaml.safe_load(text)
    size = _expanded_size(value, {})
    if size > MAX_YAML_VALUES:
        raise YamlTooLargeError(size)
    return value


# ------------------------------------------------------------------ HTML and Markdown


def escape_html(value: object) -> str:
    """``html.escape(str(value))``: for a data string placed in HTML text or an attribute."""
    return html.escape("" if value is None else str(value), quote=True)


#: Markdown punctuation that could form a link, an image, emphasis, code, a table cell or a heading. Brackets
#: matter most: without ``[`` no link or image (and so no ``javascript:`` URL) can be formed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|])")


def escape_markdown(value: object) -> str:
    """A data string made safe to embed in Markdown: shown literally, never read as markup.

    HTML special characters become entities (no raw HTML or autolink
    survives), Markdown punctuation is backslash-escaped (no links, images,
    emphasis or code spans are formed) and line breaks become spaces (no new block, such as a heading or
    an HTML block, can start inside a sentence).
    """
    text = "" if value is None else str(value)
    text = re.sub(r"[\r\n\t\f\v]+", " ", text)
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


#: Tags a report's Markdown and HTML outputs may keep.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins",
    "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
#: Attributes kept; everything else (every ``on...`` handler included) is dropped.
ALLOWED_ATTRIBUTES = {
    "*": ["class", "id", "title", "style", "role", "lang"],
    "a": lambda tag, name, value: name in ("title", "class", "id") or (name == "href" and _own_link(value)),
    "td": ["class", "id", "style", "colspan", "rowspan", "align"],
    "th": ["class", "id", "style", "colspan", "rowspan", "align", "scope"],
    "ol": ["class", "id", "start"],
    "table": ["class", "id", "style", "border"],
}
#: Link schemes bleach lets through (it needs ``http`` listed to keep relative links at all); on top of
#: it, :func:`_own_link` keeps only links without a scheme.
ALLOWED_PROTOCOLS = frozenset({"http", "https"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def _own_link(value: str) -> bool:
    """A link to one of the report's own pages or anchors: no scheme, no other host.

    The reports link only to each other and to ``#anchors``; a link with a scheme
    (``https:``, ``mailto:``, ``javascript:``) or to another host (``//host``) can only
    have come from the data, e.g. a ``dataset.yml`` label written as ``[x](https://...)``.
    """
    text = "".join(ch for ch in str(value) if ch > " ")  # browsers ignore tabs, line breaks and spaces here
    return not _SCHEME.match(text) and not text.startswith(("//", "\\\\", "/\\", "\\/"))


#: Elements removed with everything inside them (their text would otherwise show as stray words).
_DROP_WITH_CONTENT = re.compile(r"<(script|style|template|iframe|object|embed|noscript|textarea|title|svg|math)\b"
                                r"[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
#: CSS a kept ``<style>`` block may hold (pandas' Styler writes such blocks for cell alignment): selectors
#: and declarations only; no ``url()``, ``@import``, ``expression()``, quotes, escapes or ``<``, so that it
#: can end neither the block nor an attribute it might sit in.
_SAFE_CSS = re.compile(r"[\w\s#.,:;{}()%\->*=\[\]!+~]*")
_UNSAFE_CSS_WORDS = re.compile(r"url|import|expression|behavior|binding|javascript|@", re.IGNORECASE)


def _cleaner():
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    return bleach.Cleaner(tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
                          strip=True, strip_comments=True, css_sanitizer=CSSSanitizer())


def clean_html(markup: object) -> str:
    """Sanitise HTML from a notebook output or a rendered Markdown cell (the exporter's ``clean_html``).

    Keeps the report's own markup (headings, paragraphs, lists, tables with
    their classes, ids and safe inline styles, links to pages and anchors, and
    pandas' Styler ``<style>`` blocks when they hold plain CSS) and removes
    everything that can run code: ``<script>``, ``<svg>``, ``<iframe>``,
    ``<img>`` (report figures are PNG outputs rendered by the template, not
    HTML), event-handler attributes, ``javascript:``/``data:`` links and CSS
    with ``url()``.
    """
    text = markup.decode("utf-8") if isinstance(markup, bytes) else str(markup)
    token = secrets.token_hex(8)
    kept: list[str] = []

    def keep_style(match: re.Match) -> str:
        css = match.group(1)
        if _SAFE_CSS.fullmatch(css) and not _UNSAFE_CSS_WORDS.search(css):
            kept.append(css)
            return f"GCIOSTYLE{token}N{len(kept) - 1}E"
        return ""

    text = _STYLE_BLOCK.sub(keep_style, text)
    text = _DROP_WITH_CONTENT.sub("", text)
    cleaned = _cleaner().clean(text)
    for number, css in enumerate(kept):
        # bleach escaped nothing in the placeholder (letters and digits only); put the checked CSS back.
        cleaned = cleaned.replace(f"GCIOSTYLE{token}N{number}E", f"<style>{css}</style>", 1)
    return cleaned
