"""The run's papermill engine writes the executed notebook when it starts and ends, not around every cell."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from evaluation import runner


def _notebook(path, cells):
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(book, path)
    return path


@pytest.fixture
def writes(monkeypatch):
    counted = []
    original = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb", lambda nb, path: counted.append(path) or original(nb, path))
    return counted


def _run(source, target, **options):
    papermill.execute_notebook(str(source), str(target), kernel_name="python3", progress_bar=False,
                               kernel_manager_class=runner.QuietKernelManager, **options)


def test_written_at_start_and_end_only(tmp_path, writes):
    source = _notebook(tmp_path / "six.ipynb", [f"print({i})" for i in range(6)])
    _run(source, tmp_path / "plain.ipynb")
    plain = len(writes)
    writes.clear()
    _run(source, tmp_path / "run.ipynb", engine_name=runner.ENGINE)
    assert len(writes) == 2 < plain  # papermill's own engine: twice per cell
    done = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    assert [c.outputs[0]["text"] for c in done.cells] == [f"{i}\n" for i in range(6)]


def test_a_failed_notebook_keeps_what_ran_and_the_error(tmp_path, writes):
    source = _notebook(tmp_path / "fails.ipynb", ["print('before')", "1 / 0", "print('never')"])
    with pytest.raises(papermill.PapermillExecutionError):
        _run(source, tmp_path / "run.ipynb", engine_name=runner.ENGINE)
    done = nbformat.read(tmp_path / "run.ipynb", as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "before\n"
    assert any(o.get("ename") == "ZeroDivisionError" for o in code[1].outputs)
    assert not code[2].outputs
