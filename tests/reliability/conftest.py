"""Fixtures of the reliability suite: small data folders, tiny notebooks, a complete previous run, digests.

Everything is built in temporary folders. The runs use a two-notebook suite that
does almost nothing (``mini_notebooks``), so that a run costs the start of two
kernels and the fault tests can afford many runs; the real notebooks run only
in the tests marked ``slow``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import openpyxl
import pytest

from evaluation.demo import write_demo

PROJECT = Path(__file__).resolve().parents[2]
YEAR = 2025
#: The command line, as a user runs it (a real process, so real signals can be sent to it).
GCIO = [sys.executable, "-m", "evaluation.cli"]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (and symbolic links, by target) with the SHA-256 of its bytes."""
    if not folder.exists():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            out[rel] = "link->" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[rel + "/"] = "dir"
    return out


def mini_notebook(path: Path, body: str = "", title: str = "A tiny report") -> Path:
    """A notebook with the suite's three runner parameters, one table written into ``output_dir``, then ``body``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('year = 0  # year\ndata_dir = ""  # data folder\noutput_dir = ""  # out')
    params.metadata["tags"] = ["parameters"]
    stem = path.stem
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}"),
        params,
        nbformat.v4.new_code_cell(
            "import pathlib\n"
            "tables = pathlib.Path(output_dir) / 'tables'\n"
            "tables.mkdir(parents=True, exist_ok=True)\n"
            f"(tables / '{stem}.csv').write_text(f'year,rows\\n{{year}},{{len(open(pathlib.Path(data_dir) / \"outcomes.csv\").readlines())}}\\n')\n"
            "print('read', data_dir)"),
    ]
    if body:
        nb.cells.append(nbformat.v4.new_code_cell(body))
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A small demo folder (20 municipalities), made once; tests copy it."""
    return write_demo(tmp_path_factory.mktemp("demo-template") / "data", municipalities=20)


@pytest.fixture
def data(demo_template, tmp_path) -> Path:
    """A fresh copy of the small demo folder, plus a private file the run must never read or record."""
    folder = tmp_path / "user-data"
    shutil.copytree(demo_template, folder)
    (folder / "private_notes.txt").write_text("salaries of the team: confidential\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def mini_notebooks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mini-notebooks")
    mini_notebook(folder / "01_first.ipynb", title="First tiny report")
    mini_notebook(folder / "02_second.ipynb", title="Second tiny report")
    return folder


def run_args(data: Path, out: Path, notebooks: Path, *extra: str) -> list[str]:
    return ["run", "--year", str(YEAR), "--data", str(data), "--output", str(out), "--notebooks", str(notebooks),
            *extra]


def env(**extra: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(PROJECT) + os.pathsep + environment.get("PYTHONPATH", "")
    environment.update(extra)
    return environment


def start(args: list[str], **env_extra: str) -> subprocess.Popen:
    """Start ``gcio-eval ARGS`` in its own session (so its kernels can be cleaned up with the group)."""
    return subprocess.Popen(GCIO + args, cwd=PROJECT, env=env(**env_extra), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(process: subprocess.Popen, timeout: float = 240) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        kill_group(process)
    return process.returncode, out, err


def kill_group(process: subprocess.Popen) -> None:
    """Kill what is left of the process's session (kernels a SIGKILLed runner could not stop)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 180) -> str:
    """Wait until the runner writes its pause marker (or ends, which fails the test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text()
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the run ended (exit {process.returncode}) before pausing:\n{err}")
        time.sleep(0.05)
    kill_group(process)
    raise AssertionError(f"the run did not reach its pause point within {timeout} s")


@pytest.fixture(scope="session")
def previous_outputs(tmp_path_factory, demo_template, mini_notebooks) -> Path:
    """The outputs root of one complete run (made once; tests copy it)."""
    root = tmp_path_factory.mktemp("previous")
    data = root / "user-data"
    shutil.copytree(demo_template, data)
    out = root / "outputs"
    result = subprocess.run(GCIO + run_args(data, out, mini_notebooks), cwd=PROJECT, env=env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def outputs(previous_outputs, tmp_path) -> Path:
    """A private copy of a complete previous run's outputs root."""
    out = tmp_path / "outputs"
    shutil.copytree(previous_outputs, out)
    return out


FURAG_HEADER = ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Sector", "Grupo par", "Tipo Formulario",
                "Índice de Desempeño Institucional", "POL07 Índice de Gobierno Digital"]


def furag_workbook(path: Path, vigencia: int = 2022) -> Path:
    """A minimal FURAG results workbook (national entities): two title rows, header on row 3."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Resultados"
    sheet.cell(row=1, column=1, value=f"Resultados FURAG Vigencia {vigencia}")
    sheet.cell(row=2, column=1, value="Entidades del orden nacional")
    for column, text in enumerate(FURAG_HEADER, start=1):
        sheet.cell(row=3, column=column, value=text)
    rows = [[1234, "Ministerio TIC", "Ministerio", "TIC", "NACIONAL GRUPO 1", "Completo", 95.2, 99.5],
            [5678, "Instituto Codazzi", "Establecimiento público", "Hacienda", "NACIONAL GRUPO 2", "Completo",
             80.1, 81.4]]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=4 + offset, column=column, value=value)
    workbook.save(path)
    return path


def dataset_dir(out: Path) -> Path:
    """The dataset's folder of an outputs root (``out/demo`` for the demo data): runs write
    ``out/<dataset>/<year>``; before any run, the demo's folder."""
    found = sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")) if out.is_dir() else []
    assert len(found) <= 1, f"outputs of several datasets in {out}: {[p.name for p in found]}"
    return found[0] if found else out / "demo"
