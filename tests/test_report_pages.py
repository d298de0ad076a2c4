"""The run's pages and tables: index and frame in both languages, titles, clean pages, workbooks, folders."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from evaluation import cli, runner
from evaluation.report import tables
from evaluation.report.html import ReportEntry, export_html, notebook_title, write_index
from evaluation.text.wording import Wording

YEAR = 2025


class _Data:
    def __init__(self, metadata, synthetic=False, folder="somewhere"):
        self.metadata, self.synthetic, self.folder = metadata, synthetic, Path(folder)


GCIO = _Data({"name": "GCIO demo data"}, synthetic=True)
CASTLE = _Data({"name": "castle", "labels": {"unit": "state", "units": "states", "treatment": "castle-doctrine law",
                                             "effect_unit": "log points"}})


def _entries():
    return [ReportEntry("01_data_quality", "Calidad de los datos", "ok", 12.34),
            ReportEntry("02_impact", "Impacto", "failed", 3.0, "Cell 4: ValueError: boom")]


def test_index_in_spanish_names_the_programme_for_gcio_data(tmp_path):
    words = Wording.for_dataset(GCIO, "es")
    when = datetime(2026, 3, 5, 14, 7, tzinfo=timezone.utc)
    page = write_index(tmp_path, year=YEAR, entries=_entries(), other_years=[2024], synthetic=True,
                       data_name="demo", version="0.1", complete=False, language="es", words=words,
                       generated=when).read_text(encoding="utf-8")
    assert '<html lang="es">' in page
    assert "<title>Evaluación del cargo de Director de Tecnologías y Sistemas de Información" in page
    assert "Informe" in page and "Estado" in page and "Tiempo de ejecución" in page and "Otras vigencias" in page
    assert "1 de 2 informes fallaron" in page and "Datos sintéticos de demostración." in page
    assert "12,3 s" in page and "05/03/2026 14:07 UTC" in page  # Colombian number and date formats
    assert "Report" not in page and "Synthetic demo data" not in page


def test_index_of_another_dataset_names_the_dataset_not_the_programme(tmp_path):
    words = Wording.for_dataset(CASTLE, "en")
    page = write_index(tmp_path, year=2010, entries=_entries()[:1], other_years=[], synthetic=False,
                       data_name="castle", version="0.1", complete=True, language="en",
                       words=words).read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<title>castle: evaluation 2010</title>" in page
    assert "Decree 415" not in page and "CIO" not in page and "The 1 report ran." in page


def test_index_links_pdf_and_workbook_only_when_they_exist(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "01_data_quality.pdf").write_bytes(b"%PDF")
    (tmp_path / "tables" / "01_data_quality.xlsx").write_bytes(b"x")
    page = write_index(tmp_path, year=YEAR, entries=_entries(), other_years=[], synthetic=False, data_name="d",
                       version="0", complete=False, language="en").read_text(encoding="utf-8")
    assert 'href="01_data_quality.pdf"' in page and 'href="tables/01_data_quality.xlsx"' in page
    assert 'href="02_impact.pdf"' not in page and 'href="tables/02_impact.xlsx"' not in page


def _notebook(path: Path, *, title_html: str | None, heading: str = "# A Markdown heading") -> Path:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(heading)]
    if title_html is not None:
        cells.append(nbformat.v4.new_code_cell("page.title(...)", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": title_html, "text/plain": "t"})]))
    checked = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(0.0818)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="TESTPRINTOUT 0.0818\n")])
    checked.metadata["tags"] = ["nbval-check"]
    shown = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": '<p class="gcio-note">Visible note</p>', "text/plain": "n"})])
    nb.cells = cells + [checked, shown]
    nbformat.write(nb, path)
    return path


def test_title_comes_from_the_first_gcio_title_then_the_markdown_heading(tmp_path):
    with_title = nbformat.read(_notebook(tmp_path / "a.ipynb", title_html='<h1 class="gcio-title">Impacto: '
                                         '¿mejoró el índice? &amp; más</h1>'), as_version=4)
    assert notebook_title(with_title, "x") == "Impacto: ¿mejoró el índice? & más"
    without = nbformat.read(_notebook(tmp_path / "b.ipynb", title_html=None), as_version=4)
    assert notebook_title(without, "x") == "A Markdown heading"


def test_page_drops_checked_cells_and_follows_the_language(tmp_path):
    source = _notebook(tmp_path / "01_x.ipynb", title_html='<h1 class="gcio-title">Título</h1>')
    target = tmp_path / "01_x.html"
    export_html(source, target, year=YEAR, synthetic=True, data_name="demo", version="0.1", language="es",
                words=Wording.for_dataset(GCIO, "es"), pdf=True)
    page = target.read_text(encoding="utf-8")
    assert '<html lang="es">' in page
    assert "TESTPRINTOUT" not in page and "Visible note" in page  # the tagged cell is gone, the others stay
    assert "Todos los informes de 2025" in page and "Datos sintéticos de demostración." in page
    assert 'href="01_x.pdf"' in page and "Versión en PDF" in page
    assert "Synthetic demo data" not in page and "All reports for" not in page
    for block in ("gcio-title", "gcio-answer", "gcio-note", "gcio-banner", "gcio-warning", "gcio-table", ".num",
                  "gcio-source", "@media print"):
        assert block in page, f"no CSS for {block}"


def test_save_table_outside_a_run_writes_one_plain_csv(tmp_path, monkeypatch):
    for name in tables.RUN_ENV.values():
        monkeypatch.delenv(name, raising=False)
    tables.save_table(pd.DataFrame({"estimate": [-1.5]}), str(tmp_path), "t.csv")
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == ["t.csv"]
    assert (tmp_path / "tables" / "t.csv").read_text(encoding="utf-8") == "estimate\n-1.5\n"


def test_save_table_in_a_run_flags_synthetic_rows_and_fills_the_report_workbook(tmp_path, monkeypatch):
    monkeypatch.setenv(tables.RUN_ENV["report"], "02_impact")
    monkeypatch.setenv(tables.RUN_ENV["language"], "es")
    monkeypatch.setenv(tables.RUN_ENV["synthetic"], "1")
    monkeypatch.setenv(tables.RUN_ENV["data"], "GCIO demo data")
    monkeypatch.setenv(tables.RUN_ENV["source"], "Generated by evaluation.demo")
    frame = pd.DataFrame({"cohort": [2018, 2019], "estimate": [1.25, -0.5], "note": ["=HYPERLINK(1)", None]})
    before = frame.copy()
    tables.save_table(frame, str(tmp_path), "group_time_POL07.csv")
    tables.save_table(frame.head(1), str(tmp_path), "event_study_POL07.csv")
    tables.save_table(frame, str(tmp_path), "group_time_POL07.csv")  # saved again: its sheet is replaced
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is not modified
    csv = pd.read_csv(tmp_path / "tables" / "group_time_POL07.csv")
    assert list(csv.columns) == ["cohort", "estimate", "note", "synthetic_data"] and csv["synthetic_data"].all()
    assert csv.loc[0, "note"] == "'=HYPERLINK(1)"  # formula-neutral
    tables.write_workbooks(tmp_path)  # the runner's step once the notebook is done
    book = openpyxl.load_workbook(tmp_path / "tables" / "02_impact.xlsx")
    assert book.sheetnames == ["notas", "group_time_POL07", "event_study_POL07"]
    notes = book["notas"]
    assert [notes.cell(row=r, column=1).value for r in range(1, 5)] == ["Informe", "Datos", "Fuente",
                                                                       "Datos sintéticos"]
    assert notes.cell(row=4, column=2).value.startswith("sí")
    assert [notes.cell(row=r, column=3).value for r in (7, 8)] == ["group_time_POL07.csv", "event_study_POL07.csv"]
    sheet = book["group_time_POL07"]
    assert [c.value for c in sheet[1]] == ["cohort", "estimate", "note"]
    assert [c.value for c in sheet[2]] == [2018, 1.25, "=HYPERLINK(1)"] and sheet["C2"].data_type == "s"
    assert sheet.max_row == 3


def test_real_data_csv_has_no_flag(tmp_path, monkeypatch):
    monkeypatch.setenv(tables.RUN_ENV["report"], "01_data_quality")
    monkeypatch.setenv(tables.RUN_ENV["synthetic"], "0")
    tables.save_table(pd.DataFrame({"a": [1]}), str(tmp_path), "a.csv")
    assert (tmp_path / "tables" / "a.csv").read_text(encoding="utf-8") == "a\n1\n"


@pytest.mark.parametrize("metadata, synthetic, slug", [
    ({"name": "GCIO demo data"}, True, "demo"),
    ({"name": "GCIO demo data (variant)"}, True, "demo"),
    ({"name": "castle"}, False, "castle"),
    ({"name": "Entidades del orden nacional 2024 / FURAG"}, False, "entidades-del-orden-nacional-2024-furag"),
    ({"name": "../../etc"}, False, "etc"),
    ({}, False, "my-folder"),
])
def test_dataset_folder_names(metadata, synthetic, slug):
    assert runner.dataset_slug(_Data(metadata, synthetic, folder="/x/My Folder")) == slug


def test_an_unknown_language_is_refused_with_the_valid_values(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["run", "--language", "fr"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'fr' is not available" in err and "es, en" in err
    with pytest.raises(runner.RunError, match="use one of es, en"):
        runner.run(YEAR, language="de")


def test_language_is_a_runner_parameter_not_a_param(tmp_path):
    nb = tmp_path / "01_x.ipynb"
    params = nbformat.v4.new_code_cell('year = 0  # y\ndata_dir = ""  # d\noutput_dir = ""  # o\nlanguage = ""  # l')
    params.metadata["tags"] = ["parameters"]
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [params]
    nbformat.write(book, nb)
    with pytest.raises(runner.RunError, match="--language"):
        runner.build_parameters([nb], runner.RunConfig(), {"language": "en"}, {})
    built = runner.build_parameters([nb], runner.RunConfig(), {}, {"year": 1, "language": "es", "data_dir": "d"})
    assert built[nb]["language"] == "es"


def test_kernel_manager_uses_private_ipc_sockets():
    first, second = runner.QuietKernelManager(), runner.QuietKernelManager()
    assert first.transport == "ipc" and first.ip != second.ip and len(first.ip) < 90


def test_panel_config_writes_language_and_labels(tmp_path):
    from evaluation.importers.panel_config import panel_tables, read_config

    for name, effect in (("castle", "log points"), ("mpdta", "log points")):
        config = read_config(Path(__file__).parents[1] / "config" / f"{name}.yaml")
        metadata = panel_tables(config).metadata
        assert metadata["language"] == "en"
        assert metadata["labels"]["effect_unit"] == effect and metadata["labels"]["adopted"]
        words = Wording.for_dataset(_Data(metadata), "en")
        assert words.effect_unit == "log points" and not words.programme


def test_demo_dataset_and_readme_template_say_spanish():
    root = Path(__file__).parents[1]
    assert "\nlanguage: es\n" in (root / "data" / "demo" / "dataset.yml").read_text(encoding="utf-8")
    readme = (root / "data" / "README.md").read_text(encoding="utf-8")
    assert re.search(r"<!-- example:dataset.yml -->\n```yaml\n(?:.*\n)*?language: es\n", readme)


def test_missing_translations_are_counted_once(tmp_path):
    record = tmp_path / runner.MISSING_FILE
    record.write_text("es\timpact\tA\nes\timpact\tA\nes\tcommon\tB\nen\tx\tC\n", encoding="utf-8")
    said = []
    runner._say_missing_translations(record, "es", said.append)
    assert said == ["2 message(s) have no Spanish translation and are shown in English "
                    "(see evaluation/text/locale/; tests/test_translations.py lists them)."]
    assert not record.exists()


def test_manifest_language_rebuilds_an_older_index(tmp_path):
    """An older year's index is rebuilt from its manifest when a newer year is added."""
    root = tmp_path / "demo"
    for year in (2023, 2024):
        folder = root / str(year)
        folder.mkdir(parents=True)
        manifest = {"year": year, "complete": True, "language": "es", "synthetic_data": True, "data_dir": "demo",
                    "package_version": "0.1", "finished": "2026-01-02T03:04:05+00:00",
                    "notebooks": {"01_data_quality": {"title": "Calidad", "status": "ok", "seconds": 1.5}}}
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        (folder / "index.html").write_text("old", encoding="utf-8")
    runner._refresh_other_indexes(root, 2024, GCIO, print)
    page = (root / "2023" / "index.html").read_text(encoding="utf-8")
    assert 'href="../2024/index.html"' in page and '<html lang="es">' in page and "Calidad" in page
    assert "02/01/2026" in page
    assert (root / "2024" / "index.html").read_text(encoding="utf-8") == "old"  # the new year writes its own
    assert not list(root.rglob(".index-staging"))


def test_make_lab_allows_root_and_takes_extra_flags():
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make not installed")
    # -n prints the commands without running any of them (no venv is built, no server started).
    done = subprocess.run(["make", "-n", "lab", "LAB_ARGS=--port 8890 --no-browser"],
                          cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=60)
    line = [ln for ln in done.stdout.splitlines() if "jupyter lab" in ln][-1]
    assert line.endswith("--port 8890 --no-browser") and "--notebook-dir=notebooks" in line
    assert ("--allow-root" in line) == (os.getuid() == 0)


def _mini_suite(folder: Path) -> Path:
    folder.mkdir()
    for stem in ("01_first", "02_second"):
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = nbformat.v4.new_code_cell('year = 0  # y\ndata_dir = ""  # d\noutput_dir = ""  # o\n'
                                           'language = ""  # l')
        params.metadata["tags"] = ["parameters"]
        nb.cells = [params, nbformat.v4.new_code_cell(
            "from evaluation.report import page\n"
            "page.title({'es': 'Informe de prueba', 'en': 'A test report'}[language])")]
        nbformat.write(nb, folder / f"{stem}.ipynb")
    return folder


def test_without_chromium_the_run_says_once_that_pdfs_were_skipped(tmp_path, monkeypatch, capsys):
    from evaluation.demo import write_demo

    data = write_demo(tmp_path / "data", municipalities=5)
    notebooks = _mini_suite(tmp_path / "notebooks")
    monkeypatch.setattr(runner, "find_chromium", lambda: None)
    code = cli.main(["run", "--year", str(YEAR), "--data", str(data), "--output", str(tmp_path / "out"),
                     "--notebooks", str(notebooks), "--language", "en"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert err.count("PDFs were skipped") == 1 and "apt-get install chromium" in err
    assert err.count("Reports in English") == 1
    folder = tmp_path / "out" / "demo" / str(YEAR)
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert not list(folder.glob("*.pdf")) and ".pdf" not in index
    assert ">A test report</a>" in index  # the title is the page's <h1 class="gcio-title">
    assert "Versión" not in (folder / "01_first.html").read_text(encoding="utf-8")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notebooks"]["01_first"]["parameters"]["language"] == "en"


def test_synthetic_warning_appears_once_when_the_report_shows_its_own_banner(tmp_path):
    # The frame's synthetic-data note is for pages without their own; a report's page.banner(warning=True)
    # already says the data are synthetic, and two yellow boxes one under the other read as a glitch.
    own = '<div class="gcio-banner gcio-warning" role="note"><p><strong>Datos sintéticos</strong> x</p></div>'
    source = _notebook(tmp_path / "01_x.ipynb", title_html='<h1 class="gcio-title">Título</h1>' + own)
    target = tmp_path / "01_x.html"
    kwargs = dict(year=YEAR, synthetic=True, data_name="demo", version="0.1", language="es",
                  words=Wording.for_dataset(GCIO, "es"))
    export_html(source, target, **kwargs)
    page = target.read_text(encoding="utf-8")
    assert page.count('role="note"') == 1 and 'class="gcio-synthetic"' not in page
    bare = _notebook(tmp_path / "02_x.ipynb", title_html='<h1 class="gcio-title">Título</h1>')
    export_html(bare, tmp_path / "02_x.html", **kwargs)
    assert 'class="gcio-synthetic"' in (tmp_path / "02_x.html").read_text(encoding="utf-8")


def test_no_notebook_cell_ends_by_echoing_a_saved_table_path():
    # tables.save_table returns the CSV's path; as a cell's last expression Jupyter prints
    # "PosixPath('./tables/...')" on the reader's page (seen on six reports before the fix).
    import ast
    for notebook in sorted(Path(__file__).parents[1].joinpath("notebooks").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            body = ast.parse(cell.source).body
            last = body[-1] if body else None
            echoed = (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)
                      and not cell.source.rstrip().endswith(";"))
            assert not (echoed and "save_table" in ast.unparse(last.value.func)), f"{notebook.name}: {cell.source}"


@pytest.mark.parametrize("at_once", [1, 2])
def test_a_page_that_fails_to_print_does_not_stop_the_others(tmp_path, at_once):
    from evaluation import runner

    executable = runner._pdf_maker()
    if executable is None:
        pytest.skip("no Chromium (apt-get install chromium) or no playwright")
    pages = []
    for k in range(4):
        html_file = tmp_path / f"p{k}.html"
        if k != 1:  # the second page is missing: its PDF fails
            html_file.write_text(f"<html><body><h1>Página {k}</h1></body></html>", encoding="utf-8")
        pages.append((html_file, tmp_path / f"p{k}.pdf"))
    errors = runner.print_pdfs(executable, pages, at_once=at_once)
    assert len(errors) == 1 and errors[0].startswith("p1.html")
    assert [pdf.is_file() for _, pdf in pages] == [True, False, True, True]
    assert all(pdf.read_bytes().startswith(b"%PDF") for _, pdf in pages if pdf.is_file())
