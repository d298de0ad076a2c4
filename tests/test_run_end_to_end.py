"""End-to-end: `gcio-eval run` on a small demo in Spanish and English, a failing notebook, castle beside the
demo, and the HTML in a browser."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from evaluation import cli, paths, runner
from evaluation.demo import write_demo

pytestmark = pytest.mark.slow

YEAR = 2025
PROJECT = Path(__file__).resolve().parents[1]
#: The notebooks of the English run (a subset: each run of the whole suite costs minutes).
ENGLISH_ONLY = ("data_quality", "impact", "robustness")


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _broken_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('year = 0  # year\ndata_dir = ""  # data\noutput_dir = ""  # out')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook that fails on purpose"), params,
                nbformat.v4.new_code_cell("raise ZeroDivisionError('deliberate failure for the test')")]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    """A small demo dataset, the suite's notebooks, and one complete run of them."""
    root = tmp_path_factory.mktemp("e2e")
    data = write_demo(root / "data", municipalities=60)
    out = root / "outputs"
    code = cli.main(["run", "--year", str(YEAR), "--data", str(data), "--output", str(out), "--jobs", "2"])
    return {"root": root, "data": data, "out": out, "code": code, "folder": out / "demo" / str(YEAR)}


@pytest.fixture(scope="module")
def english(suite, tmp_path_factory):
    """The same data in English, as a user runs it (a process of its own, its console captured)."""
    out = tmp_path_factory.mktemp("e2e-en") / "outputs"
    env = {**os.environ, "PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "evaluation.cli", "run", "--year", str(YEAR), "--data",
                           str(suite["data"]), "--output", str(out), "--jobs", "2", "--language", "en",
                           "--only", *ENGLISH_ONLY], cwd=PROJECT, env=env, capture_output=True, text=True,
                          timeout=1800)
    return {"out": out, "code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "folder": out / "demo" / str(YEAR)}


def test_complete_run_writes_reports_index_and_manifest(suite):
    assert suite["code"] == 0
    folder = suite["folder"]
    names = [nb.stem for nb in runner.discover_notebooks()]
    for name in names:
        assert (folder / f"{name}.ipynb").is_file()
        assert (folder / f"{name}.html").is_file()
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="{name}.html"' in index
    assert "Datos sintéticos de demostración." in index and '<html lang="es">' in index
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["language"] == "es" and manifest["dataset"] == "demo"
    for name, record in manifest["notebooks"].items():  # every notebook that has the parameter gets "es"
        if "language" in runner.declared_parameters(paths.NOTEBOOKS_DIR / f"{name}.ipynb"):
            assert record["parameters"]["language"] == "es", name
    assert manifest["year"] == YEAR and manifest["complete"] is True
    assert set(manifest["notebooks"]) == set(names)
    assert all(v["status"] == "ok" for v in manifest["notebooks"].values())
    for name, digest in manifest["inputs"].items():
        assert hashlib.sha256((suite["data"] / name).read_bytes()).hexdigest() == digest
    assert manifest["package_version"] and manifest["git_commit"]
    assert not list((suite["out"] / "demo").glob(".building-*")), "temporary build folder left behind"
    assert sorted(p.name for p in suite["out"].iterdir()) == ["demo"]


def test_reports_hide_code_and_load_nothing_from_the_network(suite):
    folder = suite["folder"]
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', text), page.name
        if page.name != "index.html":
            # The frame follows the page's language: English for a notebook not yet converted (no language
            # parameter), Spanish for the others.
            # the frame's note, or the report's own warning banner that replaces it
            note = "Datos sintéticos de demostración" if _converted(page.stem) else "Synthetic demo data"
            assert note in text and f'<html lang="{"es" if _converted(page.stem) else "en"}">' in text, page.name
            assert "dataset.load(" not in text, f"{page.name} shows code"
            assert 'alt="Figure without description"' not in text
            # Every report draws figures, except the findings page, which states verdicts with their numbers
            # and tables (its figures are those of the reports it cites).
            assert ("<img" in text) == (page.stem != "00_findings"), page.name


def test_failed_notebook_is_marked_and_previous_outputs_survive(suite, tmp_path):
    folder = suite["folder"]
    before = _tree_digest(folder)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS_DIR, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _broken_notebook(notebooks / "99_broken.ipynb")
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(suite["out"]),
                     "--notebooks", str(notebooks), "--only", "data_quality", "broken"])
    assert code == 1
    assert _tree_digest(folder) == before, "a failed run changed the previous complete outputs"
    failed = suite["out"] / "demo" / f"{YEAR}-failed"
    index = (failed / "index.html").read_text(encoding="utf-8")
    assert "falló" in index and "ZeroDivisionError" in index and "deliberate failure" in index
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert manifest["notebooks"]["99_broken"]["status"] == "failed"
    assert manifest["notebooks"]["01_data_quality"]["status"] == "ok"


def test_interrupted_run_leaves_previous_outputs(suite, monkeypatch):
    folder = suite["folder"]
    before = _tree_digest(folder)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_run_all", interrupted)
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(suite["out"])])
    assert code == 130
    assert _tree_digest(folder) == before
    assert not list((suite["out"] / "demo").glob(".building-*"))


def test_unknown_parameter_is_refused_with_valid_names(suite, capsys):
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(suite["out"]),
                     "--param", "outcom=POL07"])
    assert code == 2
    err = capsys.readouterr().err
    assert "outcom" in err and "Valid parameters" in err and "outcome" in err


def test_unknown_config_key_and_notebook_are_refused(suite, tmp_path):
    cfg = tmp_path / "run.yaml"
    cfg.write_text("notebooks:\n  impakt:\n    outcome: POL08\n")
    with pytest.raises(runner.RunError, match="impakt"):
        runner.run(YEAR, data=suite["data"], config=cfg, output_root=tmp_path / "o")
    cfg.write_text("paramters: {}\n")
    with pytest.raises(runner.RunError, match="paramters"):
        runner.run(YEAR, data=suite["data"], config=cfg, output_root=tmp_path / "o")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_year_outside_the_data_is_refused(suite, tmp_path):
    with pytest.raises(runner.RunError, match="outside the outcome data"):
        runner.run(2031, data=suite["data"], output_root=tmp_path / "o")


def test_broken_contract_stops_before_any_notebook(suite, tmp_path):
    data = tmp_path / "broken"
    shutil.copytree(suite["data"], data)
    (data / "outcomes.csv").write_text("entity_id,year,indicator\n05001,2020,POL07\n", encoding="utf-8")
    with pytest.raises(runner.RunError, match="break the contract"):
        runner.run(YEAR, data=data, output_root=tmp_path / "o")
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


# ------------------------------------------------------------------ browser


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:")):
                self.links.append(href)


def _chromium() -> str | None:
    return runner.find_chromium()


def _pages(folder: Path) -> list[Path]:
    return [folder / "index.html"] + sorted(p for p in folder.glob("*.html") if p.name != "index.html")


def _forbidden_strings() -> list[str]:
    """What no shared output may contain: the temporary folder, the home folder, the user's name."""
    user = getpass.getuser()
    return [tempfile.gettempdir().rstrip("/") + "/", str(Path.home()).rstrip("/") + "/", f"/{user}/",
            f"\\{user}\\"]


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["spanish", "english"])
def test_no_absolute_paths_user_names_or_temporary_folders_in_any_output(suite, english, which):
    folder = (suite if which == "spanish" else english)["folder"]
    scanned = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".csv", ".xlsx", ".json"):
            text = _text_of(path)
            scanned += 1
            for forbidden in _forbidden_strings():
                assert forbidden not in text, f"{path.relative_to(folder)} holds {forbidden!r}"
    assert scanned > 10


def test_english_run_and_a_quiet_console(english):
    assert english["code"] == 0, english["stderr"]
    index = (english["folder"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "Synthetic demo data." in index and "Informe" not in index
    manifest = json.loads((english["folder"] / "manifest.json").read_text())
    assert manifest["language"] == "en"
    console = english["stdout"] + english["stderr"]
    for noise in ("Kernel is running over TCP", "KeyboardInterrupt caught in kernel", "Traceback",
                  "[IPKernelApp]"):
        assert noise not in console, f"{noise!r} on the console:\n{console}"
    assert console.count("Reports in English (English)") == 1
    for name in ENGLISH_ONLY:
        assert re.search(rf"\[\d/\d\] \d\d_{name}: done \(", console), console
    assert english["stdout"].strip().endswith("index.html")


def test_every_report_has_its_workbook_and_pdf_and_flagged_tables(suite):
    folder = suite["folder"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    csvs = sorted((folder / "tables").glob("*.csv"))
    assert csvs
    for path in csvs:
        import pandas as pd

        table = pd.read_csv(path)
        assert "synthetic_data" in table.columns and table["synthetic_data"].all(), path.name
    workbooks = {p.stem for p in (folder / "tables").glob("*.xlsx")}
    assert workbooks and workbooks <= set(manifest["notebooks"])
    for name in workbooks:
        assert f'href="tables/{name}.xlsx"' in index
    if _chromium() is None:
        pytest.skip("Chromium not installed: no PDFs (apt-get install chromium)")
    for name in manifest["notebooks"]:
        pdf = folder / f"{name}.pdf"
        assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000, name
        assert f'href="{name}.pdf"' in index


def test_castle_outputs_never_mix_with_the_demo(suite, tmp_path):
    out = tmp_path / "outputs"
    shutil.copytree(suite["out"] / "demo", out / "demo")
    code = cli.main(["run", "--config", str(PROJECT / "config" / "castle.yaml"), "--year", "2010", "--output",
                     str(out), "--only", "data_quality", "--no-pdf"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["castle", "demo"]
    castle = (out / "castle" / "2010" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in castle and "<title>castle: evaluation 2010</title>" in castle
    assert "Decree 415" not in castle and "../2025/" not in castle
    demo = (out / "demo" / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert "2010" not in re.sub(r"<footer>.*?</footer>", "", demo, flags=re.S)


def test_an_older_years_index_links_a_newer_year(suite, tmp_path):
    out = tmp_path / "outputs"
    shutil.copytree(suite["out"] / "demo", out / "demo")
    before = (out / "demo" / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026/index.html"' not in before
    newer = out / "demo" / "2026"
    newer.mkdir()
    (newer / "index.html").write_text("<!DOCTYPE html><html lang=es><title>x</title></html>", encoding="utf-8")
    runner._refresh_other_indexes(out / "demo", 2026, None, print)
    after = (out / "demo" / str(YEAR) / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026/index.html"' in after and '<html lang="es">' in after
    assert after.count("<tr>") == before.count("<tr>")


@pytest.mark.browser
def test_index_and_reports_in_headless_chromium(suite, english):
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    assert english["code"] == 0, english["stderr"]
    # An earlier year so the index's "other years" link has a target to check.
    for folder in (suite["folder"], english["folder"]):
        earlier = folder.parent / str(YEAR - 1)
        earlier.mkdir(exist_ok=True)
        (earlier / "index.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p>earlier</p></html>")
        assert YEAR - 1 in runner.other_years(folder.parent, YEAR)

    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=list(runner.CHROMIUM_ARGS))
        page = browser.new_page()
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        # Offline: any request that is not a local file is a failure.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (problems.append(f"network request: {route.request.url}"), route.abort()))
        for language, folder in (("es", suite["folder"]), ("en", english["folder"])):
            for html_page in _pages(folder):
                page.goto(html_page.as_uri())
                page.wait_for_load_state("load")
                lang = page.evaluate("document.documentElement.lang")
                # A page says the language it is written in: a notebook not yet converted to the reader layer
                # (no language parameter) is English whatever the run's language.
                expected = language if html_page.name == "index.html" or _converted(html_page.stem) else "en"
                if lang != expected:
                    problems.append(f"{language}/{html_page.name}: lang={lang!r}, expected {expected!r}")
                broken = page.evaluate(
                    "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
                if broken:
                    problems.append(f"{language}/{html_page.name}: {broken} broken image(s)")
                shown = page.evaluate("document.body.innerText")
                for forbidden in _forbidden_strings():
                    if forbidden in shown:
                        problems.append(f"{language}/{html_page.name}: shows the path {forbidden!r}")
                parser = _Links()
                parser.feed(html_page.read_text(encoding="utf-8"))
                for href in parser.links:
                    target = (html_page.parent / href.split("#")[0]).resolve()
                    if not target.exists():
                        problems.append(f"{language}/{html_page.name}: broken link {href}")
                        continue
                    if target.suffix == ".html":
                        page.goto(target.as_uri())
                        page.wait_for_load_state("load")
        browser.close()
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ clean Spanish pages

#: Frequent English function words: in visible Spanish text they mean an untranslated sentence.
ENGLISH_WORDS = ("the", "and", "of", "with", "which", "is", "are", "not", "from", "this")
_ENGLISH = re.compile(r"\b(" + "|".join(ENGLISH_WORDS) + r")\b", re.IGNORECASE)


class _VisibleText(HTMLParser):
    """The text a reader sees: no style, script, code or title; ``<pre>`` blocks counted apart."""

    HIDDEN = {"style", "script", "code", "title", "head"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        if tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def _converted(stem: str) -> bool:
    return "language" in runner.declared_parameters(paths.NOTEBOOKS_DIR / f"{stem}.ipynb")


def _report_params():
    return [nb.stem for nb in runner.discover_notebooks()]


@pytest.mark.parametrize("stem", _report_params())
def test_spanish_report_has_no_english_prose_and_no_test_printouts(suite, stem):
    """The Spanish page of each report: no English function word in the visible text, outside the data's own
    words (dataset.yml's name, source and description, indicator codes), and no ``<pre>`` block (a printed
    test value or a traceback)."""
    page = (suite["folder"] / f"{stem}.html").read_text(encoding="utf-8")
    reader = _VisibleText()
    reader.feed(page)
    text = " ".join(" ".join(reader.parts).split())
    import yaml

    metadata = yaml.safe_load((suite["data"] / "dataset.yml").read_text(encoding="utf-8"))
    for value in (metadata.get("name"), metadata.get("source"), metadata.get("description")):
        if value:
            text = text.replace(" ".join(str(value).split()), " ")
    found = sorted({m.group(0).lower() for m in _ENGLISH.finditer(text)})
    context = [text[max(0, m.start() - 60):m.end() + 60] for m in list(_ENGLISH.finditer(text))[:5]]
    assert not found, f"English words {found} in the Spanish {stem}:\n" + "\n".join(context)
    assert reader.pre == 0, f"{stem} shows {reader.pre} <pre> block(s) (test printouts or errors)"


def test_only_reruns_one_report_and_keeps_the_others(suite, tmp_path):
    out = tmp_path / "outputs"
    shutil.copytree(suite["folder"], out / "demo" / str(YEAR))
    kept = (out / "demo" / str(YEAR) / "01_data_quality.html").read_bytes()
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(out),
                     "--only", "impact", "--param", "bootstrap=0", "--no-pdf"])
    assert code == 0
    folder = out / "demo" / str(YEAR)
    assert (folder / "01_data_quality.html").read_bytes() == kept
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="01_data_quality.html"' in index and 'href="02_impact.html"' in index
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["notebooks"]["02_impact"]["parameters"]["bootstrap"] == 0
    assert manifest["notebooks"]["01_data_quality"]["ran"] < manifest["notebooks"]["02_impact"]["ran"]


def test_an_earlier_evaluation_year_runs_every_report(suite, tmp_path):
    """The yearly rerun for a past year: entities adopting after it count as not yet adopted."""
    code = cli.main(["run", "--year", "2021", "--data", str(suite["data"]), "--output", str(tmp_path),
                     "--jobs", "2", "--no-pdf"])
    folder = tmp_path / "demo" / ("2021" if code == 0 else "2021-failed")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert code == 0, {k: v["error"] for k, v in manifest["notebooks"].items() if v["status"] != "ok"}
    assert manifest["year"] == 2021 and all(v["parameters"]["year"] == 2021 for v in manifest["notebooks"].values())


def test_manifest_records_every_parameter_of_the_real_notebooks(suite):
    """Each notebook's effective parameters: every name of its `parameters` cell, defaults read independently."""
    import ast

    manifest = json.loads((suite["folder"] / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["provenance"]["notebooks"]
    for notebook in runner.discover_notebooks():
        cell = next(c for c in nbformat.read(notebook, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        defaults = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
                    if isinstance(node, ast.Assign)}
        entry = recorded[notebook.stem]
        assert entry["file"] == f"notebooks/{notebook.name}"
        assert entry["sha256"] == hashlib.sha256(notebook.read_bytes()).hexdigest()
        expected = {**defaults, "year": YEAR, "data_dir": suite["data"].name, "output_dir": ".",
                    "language": manifest["language"]}  # the runner passes the language it resolved
        assert entry["parameters"] == json.loads(json.dumps(expected)), notebook.stem
