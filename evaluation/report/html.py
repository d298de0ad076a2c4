"""Turn executed notebooks into reports a reader opens offline, and index them.

The HTML hides code, embeds figures as data URIs and loads nothing from the
network (see ``templates/gcio_report``). The year index lists that year's
reports, marks failed ones with the failing cell's error, and links the other
years found next to it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from evaluation.safe import clean_html

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportEntry:
    """One notebook of a run, as the index shows it."""

    name: str            # notebook stem, e.g. "01_data_quality"
    title: str           # first Markdown heading of the notebook
    status: str          # "ok" or "failed"
    seconds: float
    error: str = ""      # the failing cell's error, for failed notebooks

    @property
    def html_file(self) -> str:
        return f"{self.name}.html"

    @property
    def notebook_file(self) -> str:
        return f"{self.name}.ipynb"


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the notebook's first Markdown heading, else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
    return fallback


def export_html(notebook: Path, target: Path, *, year: int, synthetic: bool, data_name: str, version: str) -> None:
    """Write ``notebook`` as a code-free, self-contained HTML report at ``target``."""
    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(
        template_name="gcio_report",
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
    resources = {
        "metadata": {"name": notebook_title(nb, notebook.stem)},
        "gcio": {
            "year": year,
            "synthetic": synthetic,
            "data_name": data_name,
            "version": version,
            "generated": _now(),
        },
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    target.write_text(body, encoding="utf-8")


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
) -> Path:
    """Write ``folder/index.html``: this year's reports first, then links to other years."""
    esc = html.escape
    rows = []
    for e in entries:
        if e.status == "ok":
            status = '<span class="ok">ok</span>'
        else:
            status = f'<span class="failed">failed</span><pre class="error">{esc(e.error)}</pre>'
        rows.append(
            f"<tr><td><a href=\"{esc(e.html_file)}\">{esc(e.title)}</a></td>"
            f"<td>{status}</td><td>{e.seconds:.1f} s</td>"
            f"<td><a href=\"{esc(e.notebook_file)}\">notebook</a></td></tr>"
        )
    years = "".join(
        f'<li><a href="../{y}/index.html">{y}</a></li>' for y in sorted(other_years, reverse=True)
    ) or "<li>No other years yet.</li>"
    synthetic_note = (
        '<p class="synthetic" role="note"><strong>Synthetic demo data.</strong> The adoption dates and '
        "outcomes behind these reports are simulated, not real records of Colombian entities.</p>"
        if synthetic else ""
    )
    failed = [e for e in entries if e.status != "ok"]
    if complete and not failed:
        summary = f"All {len(entries)} reports ran."
    else:
        summary = (f"{len(failed)} of {len(entries)} reports failed; the error of the failing cell is shown "
                   "below. The previous complete run of this year, if any, was left in place.")
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>GCIO evaluation {year}</title>
<style>
 body {{ font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; padding: 0 1em; color: #222; }}
 table {{ border-collapse: collapse; width: 100%; }}
 th, td {{ text-align: left; padding: 6px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
 .ok {{ color: #146c43; }} .failed {{ color: #b02a37; font-weight: bold; }}
 pre.error {{ white-space: pre-wrap; background: #f8d7da; padding: 6px; font-size: 12px; }}
 .synthetic {{ background: #fff3cd; border: 1px solid #ffe69c; padding: 8px; }}
 footer {{ font-size: 12px; color: #555; margin-top: 2em; }}
</style>
</head>
<body>
<h1>Evaluation of the government CIO role (Decree 415 of 2016): {year}</h1>
{synthetic_note}
<p>{esc(summary)}</p>
<table>
<thead><tr><th>Report</th><th>Status</th><th>Run time</th><th>Source</th></tr></thead>
<tbody>
{''.join(rows)}
</tbody>
</table>
<h2>Other years</h2>
<ul>{years}</ul>
<footer>Data folder <code>{esc(data_name)}</code>; gcio-evaluation {esc(version)}; generated {_now()}.
 Parameters, input file hashes and timings are in <a href="manifest.json">manifest.json</a>.</footer>
</body>
</html>
"""
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
