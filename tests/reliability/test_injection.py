"""No text from the data runs as script in any report or the index (issue 13, item 1).

Before the fix, a data folder, a dataset name, a department, a peer group, a
budget line or any other string cell named ``<img src=x onerror=alert(1)>``
ran as script in all eight reports (through the report template, pandas'
``Styler.to_html`` and Markdown outputs). The slow test runs the whole suite
(``gcio-eval run``) on a small demo whose every free-text field carries a
payload (``hostile_data.py``), opens every report and the index in headless
Chromium, and fails if a dialog opens, if a payload set ``window.__pwned``, or
if any element carries an event-handler attribute or a ``javascript:`` link.
The fast tests check the same at the level of the exporter and the index
writer, and that the reports' own markup survives the sanitiser.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import dataset_dir
from evaluation import cli, runner
from evaluation.report import page as page_blocks
from evaluation.report.html import ReportEntry, export_html, write_index
from evaluation.safe import FORMULA_STARTS, clean_html, escape_markdown, neutralise_cell
from evaluation.text.format import Format

_spec = importlib.util.spec_from_file_location("hostile_data", Path(__file__).with_name("hostile_data.py"))
hostile_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile_data)
PAYLOADS = hostile_data.PAYLOADS

YEAR = 2025
class _Active(HTMLParser):
    """Collects markup that would run script: script-like elements, on* attributes, javascript: URLs."""

    TAGS = {"script", "svg", "iframe", "object", "embed", "math", "frame", "base"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.found.append(f"<{tag}> {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "srcdoc", "xlink:href") and value and (
                    re.match(r"\s*(javascript|vbscript|data:text/html)", value, re.IGNORECASE) or name == "srcdoc"):
                self.found.append(f"<{tag} {name}={value!r}>")


def _active_markup(text: str) -> list[str]:
    """Elements and attributes in an HTML document (or fragment) that would run script."""
    parser = _Active()
    parser.feed(text)
    return parser.found


# ------------------------------------------------------------------ fast: sanitiser, exporter, index


def test_sanitiser_keeps_report_markup_and_drops_every_payload():
    legit = ('<h2 id="Impact">Impact<a class="anchor-link" href="#Impact">¶</a></h2><p><strong>Bold</strong> '
             '<em>it</em> <a href="02_impact.html">report</a></p><table class="dataframe"><caption>Cap</caption>'
             '<thead><tr><th colspan="2">a</th></tr></thead><tbody><tr><td style="text-align: right;">1</td></tr>'
             '</tbody></table><ul><li>x</li></ul><blockquote><p>q</p></blockquote>')
    assert clean_html(legit) == legit
    styled = '<style type="text/css">\n#T_ab th { text-align: left; }\n</style><table id="T_ab"></table>'
    assert "<style>\n#T_ab th { text-align: left; }\n</style>" in clean_html(styled)
    for payload in PAYLOADS:
        assert not _active_markup(clean_html(f"<p>x {payload} y</p>")), payload
    assert "url(" not in clean_html('<style>td { background: url(http://x.example/a) }</style><p style="'
                                    'background: url(javascript:alert(1))">x</p>')


def test_sanitiser_keeps_no_external_link():
    # The reports link only to their own pages and anchors; a link with a scheme can only come from
    # the data (e.g. a dataset.yml label written as Markdown), so none survives, whatever the scheme.
    for href in ("https://evil.example/x", "http://evil.example", "mailto:a@b.example", "&#106;avascript:alert(1)",
                 "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4=", " java\tscript:alert(1)",
                 "//evil.example/x", "\\\\evil.example"):
        cleaned = clean_html(f'<p><a href="{href}">x</a></p>')
        assert "href" not in cleaned, cleaned
    assert 'href="02_impact.html#Cohorts"' in clean_html('<a href="02_impact.html#Cohorts">x</a>')


def test_dataset_labels_cannot_start_a_markdown_block():
    from types import SimpleNamespace

    from evaluation.questions import data_quality

    labels = {"unit": "state\n# Heading", "units": "states\n\n- item", "treatment": "law\r\n## big",
              "outcomes": {"y": "log y\n\n<script>alert(1)</script>"}}
    words = data_quality.wording(SimpleNamespace(metadata={"labels": labels}))
    for text in (words["unit"], words["units"], words["treatment"], words["adopted"], words["outcomes"]["y"]):
        assert "\n" not in text and "\r" not in text, text
    assert words["unit"] == "state # Heading"


def test_escape_markdown_shows_payloads_as_text():
    from nbconvert.filters import markdown2html

    for payload in PAYLOADS:
        rendered = markdown2html(f"- **Peer group**: {escape_markdown(payload)} and more")
        assert not _active_markup(rendered), (payload, rendered)
        assert "<a " not in rendered and "<img" not in rendered, rendered
    shown = markdown2html(escape_markdown(PAYLOADS[0]))
    assert "&lt;img src=x onerror=" in shown  # shown as text, not dropped
    assert "\n" not in escape_markdown("a\n# heading\n<script>")


def _notebook_with_payloads(path: Path) -> Path:
    """An executed-looking notebook whose outputs carry payloads the way the suite's outputs would."""
    frame = pd.DataFrame({PAYLOADS[2]: PAYLOADS[:3], "estimate": [-1.5, 2.0, 3.25]})
    table = page_blocks.table(frame, headers={PAYLOADS[2]: PAYLOADS[3], "estimate": "estimate"}, fmt=Format("en"),
                       formats={"estimate": 2}, caption=f"Caption {PAYLOADS[0]}", source=f"Source {PAYLOADS[1]}",
                       source_label=PAYLOADS[4])
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Report title {PAYLOADS[0]}\n\nSome **legit** text.")]
    outputs = [
        nbformat.v4.new_output("display_data", {"text/markdown": f"**Data:** {PAYLOADS[0]} {PAYLOADS[3]}",
                                                "text/plain": "md"}),
        nbformat.v4.new_output("display_data", {"text/html": table._repr_html_(), "text/plain": "table"}),
        nbformat.v4.new_output("display_data", {"text/html": f"<div>{PAYLOADS[1]}{PAYLOADS[5]}</div>",
                                                "text/plain": "raw"}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=", "text/plain": "fig"},
                               metadata={"image/png": {"alt": f"Alt {PAYLOADS[2]}"}}),
    ]
    cell = nbformat.v4.new_code_cell("x = 1", outputs=outputs)
    nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def test_exported_report_escapes_every_data_string(tmp_path):
    source = _notebook_with_payloads(tmp_path / "01_x.ipynb")
    target = tmp_path / "01_x.html"
    export_html(source, target, year=YEAR, synthetic=True, data_name=hostile_data.FOLDER_NAME, version="0")
    text = target.read_text(encoding="utf-8")
    body = text[text.index("<body"):]
    assert not _active_markup(body), _active_markup(body)
    assert "<table" in body and "<caption>" in body and "<strong>legit</strong>" in body  # legit markup stays
    assert "&lt;img src=x onerror=" in body  # shown as text, not dropped, where the suite escaped it
    alts = re.findall(r"<img alt='([^']*)'|<img[^>]* alt=\"([^\"]*)\"", body)
    assert any("svg onload" in a for pair in alts for a in pair), alts  # the alt text is an attribute value
    assert "-1.5" in body  # numbers are unchanged


def test_index_escapes_titles_errors_and_the_data_folder(tmp_path):
    entries = [ReportEntry("01_x", f"Title {PAYLOADS[0]}", "ok", 1.0),
               ReportEntry("02_y", f"Title {PAYLOADS[2]}", "failed", 2.0, error=f"KeyError: {PAYLOADS[1]}")]
    page = write_index(tmp_path, year=YEAR, entries=entries, other_years=[YEAR - 1], synthetic=True,
                       data_name=hostile_data.FOLDER_NAME, version="0", complete=False)
    body = page.read_text(encoding="utf-8")
    assert not _active_markup(body), _active_markup(body)


# ------------------------------------------------------------------ slow: the whole suite in Chromium


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = hostile_data.write_hostile_demo(root)
    out = root / "outputs"
    code = cli.main(["run", "--year", str(YEAR), "--data", str(data), "--output", str(out), "--jobs", "2"])
    folder = dataset_dir(out) / (str(YEAR) if code == 0 else f"{YEAR}-failed")
    return {"code": code, "folder": folder, "data": data, "root": root}


@pytest.mark.slow
def test_whole_suite_runs_on_the_hostile_dataset(hostile_run):
    assert hostile_run["code"] == 0, (hostile_run["folder"] / "index.html").read_text(encoding="utf-8")[-3000:]
    names = [nb.stem for nb in runner.discover_notebooks()]
    assert sorted(p.stem for p in hostile_run["folder"].glob("*.html") if p.name != "index.html") == sorted(names)


@pytest.mark.slow
def test_no_report_html_holds_active_markup_from_the_data(hostile_run):
    for page in sorted(hostile_run["folder"].glob("*.html")):
        text = page.read_text(encoding="utf-8")
        found = _active_markup(text[text.index("<body"):])
        assert not found, (page.name, found[:5])


@pytest.mark.slow
def test_run_tables_hold_no_live_formula(hostile_run):
    tables = sorted((hostile_run["folder"] / "tables").glob("*.csv"))
    assert tables
    live = []
    for table in tables:
        with open(table, newline="", encoding="utf-8") as handle:
            for row in csv.reader(handle):
                live += [(table.name, c) for c in row if c[:1] in FORMULA_STARTS and neutralise_cell(c) != c]
    assert not live, live[:5]
    import openpyxl

    workbooks = sorted((hostile_run["folder"] / "tables").glob("*.xlsx"))
    assert workbooks, "each report's tables also go into its workbook"
    formulas = [(book.name, cell.coordinate) for book in workbooks
                for sheet in openpyxl.load_workbook(book).worksheets for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
    assert not formulas, formulas[:5]
    costs = pd.read_csv(hostile_run["folder"] / "tables" / "budget_lines.csv") \
        if (hostile_run["folder"] / "tables" / "budget_lines.csv").exists() else None
    if costs is not None and "budget_line" in costs:
        assert costs["budget_line"].astype(str).str.startswith("'=").any()


@pytest.mark.slow
@pytest.mark.browser
def test_no_dialog_and_no_script_in_headless_chromium(hostile_run, tmp_path):
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    folder = hostile_run["folder"]
    # Also an index with a failed report whose title and error carry payloads.
    failed = tmp_path / "failed"
    failed.mkdir()
    write_index(failed, year=YEAR, entries=[ReportEntry("01_x", f"T {PAYLOADS[0]}", "failed", 1.0,
                                                        error=f"Error {PAYLOADS[1]} {PAYLOADS[2]}")],
                other_years=[], synthetic=False, data_name=hostile_data.FOLDER_NAME, version="0", complete=False)
    pages = [folder / "index.html", failed / "index.html"] + sorted(
        p for p in folder.glob("*.html") if p.name != "index.html")
    assert len(pages) == 10
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()

        def on_dialog(dialog, name=None):
            problems.append(f"dialog {dialog.type}: {dialog.message} on {page.url}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (problems.append(f"network request: {route.request.url}"), route.abort()))
        for html_page in pages:
            page.goto(html_page.as_uri())
            page.wait_for_load_state("load")
            page.wait_for_timeout(200)  # let onerror/onload handlers of broken images fire
            state = page.evaluate("""() => ({
                pwned: window.__pwned === 1,
                handlers: Array.from(document.querySelectorAll('*')).flatMap(e =>
                    Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
                jsLinks: Array.from(document.querySelectorAll('[href], [src], [action], [formaction]')).filter(e =>
                    /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
                frames: document.querySelectorAll('iframe, object, embed, svg').length,
                scripts: Array.from(document.scripts).filter(s => s.textContent.includes('__pwned')).length,
                text: document.body.innerText,
            })""")
            if state["pwned"]:
                problems.append(f"{html_page.name}: a payload ran (window.__pwned is set)")
            if state["handlers"] or state["jsLinks"] or state["frames"] or state["scripts"]:
                problems.append(f"{html_page.parent.name}/{html_page.name}: handlers {state['handlers'][:3]}, "
                                f"javascript: links {state['jsLinks']}, frames/svg {state['frames']}, "
                                f"payload scripts {state['scripts']}")
            if "onerror=window.__pwned" not in state["text"]:  # the folder name, shown as text in every page
                problems.append(f"{html_page.name}: the data folder's name is not shown as text")
        browser.close()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_a_panel_config_with_payloads_in_columns_labels_and_outcome_code(tmp_path):
    """A panel config (castle-doctrine style) whose file name, column names, outcome code and every label
    (name, source, description, unit, units, treatment, outcome label) carry payloads, including Markdown
    ones (``[x](javascript:...)``, an entity-encoded ``&#106;avascript:`` link, a Markdown table holding a
    script). The three notebooks a panel runs must complete (the outcome code holds ``/``, which made the
    impact and robustness notebooks fail when naming their tables) and no page holds active markup."""
    import yaml

    castle = Path(__file__).resolve().parents[2] / "data" / "reference" / "castle.csv"
    outcome = "hom<img src=x onerror=alert(1)>/x"
    unit = 'id"><svg onload=alert(2)>'
    panel = tmp_path / "castle <img src=x onerror=alert(3)>.csv"
    pd.read_csv(castle).rename(columns={"l_homicide": outcome, "sid": unit}).to_csv(panel, index=False)
    config = {
        "panel": {"file": panel.name, "unit": unit, "time": "year", "treated": "post", "outcomes": [outcome],
                  "level": "departmental",
                  "labels": {"name": "n <img src=x onerror=alert(4)>",
                             "source": '[clic](javascript:alert(5)) <a href="&#106;avascript:alert(6)">a</a>',
                             "description": "| a | b |\n|---|---|\n| <script>alert(7)</script> | x |",
                             "unit": "st<b onmouseover=alert(8)>ate</b>", "units": "states [x](javascript:alert(9))",
                             "treatment": "law <iframe src=javascript:alert(10)>",
                             "outcomes": {outcome: "lbl <img src=x onerror=alert(11)>"}}},
        "only": ["data_quality", "impact", "robustness"],
        "parameters": {"outcome": outcome, "entities": "all", "covariates": "none", "method": "dr"},
        "notebooks": {"impact": {"control_group": "never_treated", "bootstrap": 0}},
    }
    (tmp_path / "hostile.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "outputs"
    code = cli.main(["run", "--config", str(tmp_path / "hostile.yaml"), "--year", "2010", "--output", str(out),
                     "--jobs", "2"])
    folder = dataset_dir(out) / ("2010" if code == 0 else "2010-failed")
    assert code == 0, (folder / "index.html").read_text(encoding="utf-8")[-3000:]
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = _active_markup(text[text.index("<body"):])
        assert not found, (page.name, found[:5])
    tables = sorted(p.name for p in (folder / "tables").iterdir())
    assert any(name.startswith("group_time_hom") for name in tables), tables
