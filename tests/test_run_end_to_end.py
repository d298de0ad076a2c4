"""End-to-end: `gcio-eval run` on a small demo, a failing notebook, and the HTML in a browser."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from evaluation import cli, paths, runner
from evaluation.demo import write_demo

pytestmark = pytest.mark.slow

YEAR = 2025


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
    return {"root": root, "data": data, "out": out, "code": code}


def test_complete_run_writes_reports_index_and_manifest(suite):
    assert suite["code"] == 0
    folder = suite["out"] / str(YEAR)
    names = [nb.stem for nb in runner.discover_notebooks()]
    for name in names:
        assert (folder / f"{name}.ipynb").is_file()
        assert (folder / f"{name}.html").is_file()
    index = (folder / "index.html").read_text(encoding="utf-8")
    for name in names:
        assert f'href="{name}.html"' in index
    assert "Synthetic demo data" in index
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["year"] == YEAR and manifest["complete"] is True
    assert set(manifest["notebooks"]) == set(names)
    assert all(v["status"] == "ok" for v in manifest["notebooks"].values())
    for name, digest in manifest["inputs"].items():
        assert hashlib.sha256((suite["data"] / name).read_bytes()).hexdigest() == digest
    assert manifest["package_version"] and manifest["git_commit"]
    assert not list(suite["out"].glob(".building-*")), "temporary build folder left behind"


def test_reports_hide_code_and_load_nothing_from_the_network(suite):
    folder = suite["out"] / str(YEAR)
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', text), page.name
        if page.name != "index.html":
            assert "Synthetic demo data" in text
            assert "dataset.load(" not in text, f"{page.name} shows code"
            assert "<img" in text and 'alt="Figure without description"' not in text


def test_failed_notebook_is_marked_and_previous_outputs_survive(suite, tmp_path):
    folder = suite["out"] / str(YEAR)
    before = _tree_digest(folder)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(paths.NOTEBOOKS_DIR, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _broken_notebook(notebooks / "99_broken.ipynb")
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(suite["out"]),
                     "--notebooks", str(notebooks), "--only", "data_quality", "broken"])
    assert code == 1
    assert _tree_digest(folder) == before, "a failed run changed the previous complete outputs"
    failed = suite["out"] / f"{YEAR}-failed"
    index = (failed / "index.html").read_text(encoding="utf-8")
    assert "failed" in index and "ZeroDivisionError" in index and "deliberate failure" in index
    manifest = json.loads((failed / "manifest.json").read_text())
    assert manifest["complete"] is False
    assert manifest["notebooks"]["99_broken"]["status"] == "failed"
    assert manifest["notebooks"]["01_data_quality"]["status"] == "ok"


def test_interrupted_run_leaves_previous_outputs(suite, monkeypatch):
    folder = suite["out"] / str(YEAR)
    before = _tree_digest(folder)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "_run_all", interrupted)
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(suite["out"])])
    assert code == 130
    assert _tree_digest(folder) == before
    assert not list(suite["out"].glob(".building-*"))


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
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.mark.browser
def test_index_and_reports_in_headless_chromium(suite):
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    folder = suite["out"] / str(YEAR)
    # An earlier year so the index's "other years" link has a target to check.
    earlier = suite["out"] / str(YEAR - 1)
    earlier.mkdir(exist_ok=True)
    (earlier / "index.html").write_text("<!DOCTYPE html><html lang=en><title>x</title><p>earlier</p></html>")
    runner_index = runner.other_years(suite["out"], YEAR)
    assert YEAR - 1 in runner_index

    pages = [folder / "index.html"] + sorted(p for p in folder.glob("*.html") if p.name != "index.html")
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        page = browser.new_page()
        page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
        # Offline: any request that is not a local file is a failure.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (problems.append(f"network request: {route.request.url}"), route.abort()))
        for html_page in pages:
            page.goto(html_page.as_uri())
            page.wait_for_load_state("load")
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).length")
            if broken:
                problems.append(f"{html_page.name}: {broken} broken image(s)")
            parser = _Links()
            parser.feed(html_page.read_text(encoding="utf-8"))
            for href in parser.links:
                target = (html_page.parent / href.split("#")[0]).resolve()
                if not target.exists():
                    problems.append(f"{html_page.name}: broken link {href}")
                    continue
                if target.suffix == ".html":
                    page.goto(target.as_uri())
                    page.wait_for_load_state("load")
        browser.close()
    assert not problems, "\n".join(problems)


def test_only_reruns_one_report_and_keeps_the_others(suite, tmp_path):
    out = tmp_path / "outputs"
    shutil.copytree(suite["out"] / str(YEAR), out / str(YEAR))
    kept = (out / str(YEAR) / "01_data_quality.html").read_bytes()
    code = cli.main(["run", "--year", str(YEAR), "--data", str(suite["data"]), "--output", str(out),
                     "--only", "impact", "--param", "bootstrap=0"])
    assert code == 0
    folder = out / str(YEAR)
    assert (folder / "01_data_quality.html").read_bytes() == kept
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="01_data_quality.html"' in index and 'href="02_impact.html"' in index
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["notebooks"]["02_impact"]["parameters"]["bootstrap"] == 0
    assert manifest["notebooks"]["01_data_quality"]["ran"] < manifest["notebooks"]["02_impact"]["ran"]


def test_an_earlier_evaluation_year_runs_every_report(suite, tmp_path):
    """The yearly rerun for a past year: entities adopting after it count as not yet adopted."""
    code = cli.main(["run", "--year", "2021", "--data", str(suite["data"]), "--output", str(tmp_path),
                     "--jobs", "2"])
    folder = tmp_path / ("2021" if code == 0 else "2021-failed")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert code == 0, {k: v["error"] for k, v in manifest["notebooks"].items() if v["status"] != "ok"}
    assert manifest["year"] == 2021 and all(v["parameters"]["year"] == 2021 for v in manifest["notebooks"].values())


def test_manifest_records_every_parameter_of_the_real_notebooks(suite):
    """Each notebook's effective parameters: every name of its `parameters` cell, defaults read independently."""
    import ast

    manifest = json.loads((suite["out"] / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["provenance"]["notebooks"]
    for notebook in runner.discover_notebooks():
        cell = next(c for c in nbformat.read(notebook, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
        defaults = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(cell.source).body
                    if isinstance(node, ast.Assign)}
        entry = recorded[notebook.stem]
        assert entry["file"] == f"notebooks/{notebook.name}"
        assert entry["sha256"] == hashlib.sha256(notebook.read_bytes()).hexdigest()
        expected = {**defaults, "year": YEAR, "data_dir": suite["data"].name, "output_dir": "."}
        assert entry["parameters"] == json.loads(json.dumps(expected)), notebook.stem
