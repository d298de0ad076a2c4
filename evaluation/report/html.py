"""Turn executed notebooks into reports a reader opens offline, and index them.

The HTML hides code, embeds figures as data URIs and loads nothing from the
network (see ``templates/gcio_report``). Cells tagged ``nbval-check`` (the key
numbers the tests compare) stay in the executed notebook but are removed from
the page. Every word around the report (the link back, the synthetic-data
warning, the footer) and the whole index follow the report language
(``evaluation.text.index``); pages carry ``<html lang="es">`` or ``lang="en"``.
The year index lists that year's reports (title from the page's
``<h1 class="gcio-title">``), marks failed ones with the failing cell's error,
links each report's PDF and workbook when there is one, and links the other
years of the same dataset.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from traitlets.config import Config

from evaluation.notebook_tools import CHECK_TAG  # the cells nbval compares: kept in the notebook, not on the page
from evaluation.safe import clean_html
from evaluation.text import index as words_of
from evaluation.text.i18n import check_language
from evaluation.text.wording import Wording

TEMPLATES = Path(__file__).parent / "templates"

_TITLE = re.compile(r'<h1[^>]*class="[^"]*\bgcio-title\b[^"]*"[^>]*>(.*?)</h1>', re.S)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ReportEntry:
    """One notebook of a run, as the index shows it."""

    name: str            # notebook stem, e.g. "01_data_quality"
    title: str           # the page's title (its first <h1 class="gcio-title">)
    status: str          # "ok" or "failed"
    seconds: float
    error: str = ""      # the failing cell's error, for failed notebooks

    @property
    def html_file(self) -> str:
        return f"{self.name}.html"

    @property
    def notebook_file(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def pdf_file(self) -> str:
        return f"{self.name}.pdf"

    @property
    def workbook_file(self) -> str:
        return f"tables/{self.name}.xlsx"


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The report's title: the first ``<h1 class="gcio-title">`` among the outputs, else the first
    Markdown heading, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            markup = (output.get("data") or {}).get("text/html")
            if not markup:
                continue
            match = _TITLE.search("".join(markup) if isinstance(markup, list) else markup)
            if match:
                return html.unescape(_TAG.sub("", match.group(1))).strip() or fallback
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return fallback


def notebook_language(nb: nbformat.NotebookNode, default: str) -> str:
    """The language a notebook ran in: its injected ``language`` parameter, else ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "injected-parameters" in cell.metadata.get("tags", []):
            match = re.search(r"""^language\s*=\s*["']([A-Za-z_-]+)["']""", cell.source, re.M)
            if match:
                return check_language(match.group(1))
    return default


def _has_warning_banner(nb) -> bool:
    """True when a cell of the notebook displays the report's own warning banner (``page.banner``)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "gcio-banner gcio-warning" in str(output.get("data", {}).get("text/html", "")):
                return True
    return False


def export_html(notebook: Path, target: Path, *, year: int, synthetic: bool, data_name: str, version: str,
                language: str = "en", words: Wording | None = None, pdf: bool = False) -> None:
    """Write ``notebook`` as a code-free, self-contained HTML report at ``target``."""
    language = check_language(language)
    nb = nbformat.read(notebook, as_version=4)
    config = Config({"TagRemovePreprocessor": {"enabled": True, "remove_cell_tags": [CHECK_TAG]}})
    exporter = HTMLExporter(
        config=config,
        template_name="gcio_report",
        language_code=language,  # <html lang="..."> of the lab template
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        # Every Markdown cell and every Markdown/HTML output passes through the suite's allowlist
        # (evaluation.safe.clean_html), which keeps the reports' tables and headings and drops
        # anything that runs script; data strings are also escaped where they are put into text.
        sanitize_html=True,
        filters={"clean_html": clean_html},
    )
    words = words or Wording.for_dataset(None, language)
    lead, text = words_of.synthetic_note(language, words)
    frame = words_of.page_words(language, year=year, version=version, generated=_now(language),
                                data_name=data_name)
    resources = {
        "metadata": {"name": notebook_title(nb, notebook.stem)},
        "gcio": {
            "year": year,
            # the page's own data banner (page.banner, warning) already says so: one banner, not two
            "synthetic": synthetic and not _has_warning_banner(nb),
            "synthetic_lead": lead,
            "synthetic_text": text,
            "back": frame["back"],
            "footer": frame["footer"],
            "pdf": f"{target.stem}.pdf" if pdf else "",
            "pdf_label": frame["pdf"],
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")


def not_run_page(target: Path, name: str, error: str, language: str) -> None:
    """The page that stands in for a notebook that never started, so the index has something to link to."""
    words = words_of.not_run_page(language, error)
    target.write_text(
        f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8"><title>{html.escape(name)}</title>'
        f"</head><body><p>{html.escape(words['text'])}</p>"
        f'<p><a href="index.html">{html.escape(words["back"])}</a></p></body></html>\n', encoding="utf-8")


def write_index(
    folder: Path,
    *,
    year: int,
    entries: list[ReportEntry],
    other_years: list[int],
    synthetic: bool,
    data_name: str,
    version: str,
    complete: bool,
    language: str = "en",
    words: Wording | None = None,
    generated: datetime | None = None,
) -> Path:
    """Write ``folder/index.html``: this year's reports first, then links to the dataset's other years.

    ``other_years`` are the years of the same dataset (sibling folders); the PDF
    and workbook of a report are linked when they exist in ``folder``.
    """
    language = check_language(language)
    words = words or Wording.for_dataset(None, language)
    esc = html.escape
    failed = [e for e in entries if e.status != "ok"]
    w = words_of.index_words(language, year=year, words=words, dataset_name=words.dataset_name or data_name,
                             entries_total=len(entries), failed=len(failed), complete=complete)
    rows = []
    for e in entries:
        if e.status == "ok":
            status = f'<span class="ok">{esc(w["ok"])}</span>'
        else:
            status = f'<span class="failed">{esc(w["failed"])}</span><pre class="error">{esc(e.error)}</pre>'
        files = [f'<a href="{esc(e.notebook_file)}">{esc(w["notebook"])}</a>']
        if (folder / e.pdf_file).is_file():
            files.append(f'<a href="{esc(e.pdf_file)}">{esc(w["pdf"])}</a>')
        if (folder / e.workbook_file).is_file():
            files.append(f'<a href="{esc(e.workbook_file)}">{esc(w["tables"])}</a>')
        rows.append(
            f"<tr><td><a href=\"{esc(e.html_file)}\">{esc(e.title)}</a></td>"
            f"<td>{status}</td><td class=\"num\">{esc(words_of.seconds(language, e.seconds))}</td>"
            f"<td>{' · '.join(files)}</td></tr>"
        )
    from evaluation.text import plan as plan_words

    extra = []
    manifest = folder / "manifest.json"
    plan_record = None
    if manifest.is_file():
        try:
            plan_record = json.loads(manifest.read_text(encoding="utf-8")).get("plan")
        except (OSError, ValueError):
            plan_record = None
    notice = plan_words.index_notice(plan_record, language)
    if notice:
        kind = "failed" if plan_record and plan_record.get("edited_after_lock") else "plan"
        extra.append(f'<p class="{kind}" role="note">{esc(notice)}</p>')
    if (folder / "changes.html").is_file():
        extra.append(f'<p><a href="changes.html">{esc(plan_words.changes_link(language))}</a></p>')
    years = "".join(
        f'<li><a href="../{y}/index.html">{y}</a></li>' for y in sorted(other_years, reverse=True)
    ) or f"<li>{esc(w['no_other_years'])}</li>"
    synthetic_note = ""
    if synthetic:
        lead, text = words_of.synthetic_note(language, words)
        synthetic_note = f'<p class="synthetic" role="note"><strong>{esc(lead)}</strong> {esc(text)}</p>'
    footer = esc(w["footer"]).replace("{manifest}", '<a href="manifest.json">manifest.json</a>')
    when = words_of.generated(language, generated or datetime.now(timezone.utc))
    page = f"""<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(w['title'])}</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}
 table {{ border-collapse: collapse; width: 100%; }}
 th, td {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
 th.num, td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
 .ok {{ color: #146c43; }} .failed {{ color: #b02a37; font-weight: bold; }}
 pre.error {{ white-space: pre-wrap; background: #f8d7da; padding: 6px; font-size: 12px; }}
 .synthetic {{ background: #fff3cd; border: 1px solid #ffe69c; padding: 8px; }}
 footer {{ font-size: 12px; color: #555; margin-top: 2em; }}
 @media print {{ body {{ max-width: none; margin: 0; }} a {{ color: inherit; }} }}
</style>
</head>
<body>
<h1>{esc(w['title'])}</h1>
{synthetic_note}
<p>{esc(w['summary'])}</p>
{''.join(extra)}
<table>
<thead><tr><th>{esc(w['report'])}</th><th>{esc(w['status'])}</th><th class="num">{esc(w['run_time'])}</th>
<th>{esc(w['files'])}</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody>
</table>
<h2>{esc(w['other_years'])}</h2>
<ul>{years}</ul>
<footer>{esc(w['data_folder'])}: <code>{esc(data_name)}</code>; gcio-evaluation {esc(version)}; {esc(when)}.
 {footer}</footer>
</body>
</html>
"""
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _now(language: str = "en") -> str:
    return words_of.generated(language, datetime.now(timezone.utc))
