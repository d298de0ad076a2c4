"""The notebooks stay thin, parameterized and light (nbval checks their outputs separately)."""

import ast

import nbformat
import pytest

from evaluation import notebook_tools, runner

NOTEBOOKS = runner.discover_notebooks()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_declares_every_assignment(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assigned = [node.targets[0].id for node in ast.parse(tagged[0].source).body]
    # papermill silently skips a line it cannot parse (an '=' inside the comment, say);
    # the runner would then not pass that parameter, so every line must parse.
    assert list(runner.declared_parameters(path)) == assigned
    assert set(runner.REQUIRED_PARAMETERS) <= set(assigned)
    for line in tagged[0].source.splitlines():
        assert "#" in line, f"parameter without a comment saying what it means: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_and_light(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(tree)), \
            "functions and classes belong in the package"
        if notebook_tools.CHECK_MARK not in cell.source:
            assert not cell.outputs, "only the cells nbval checks keep outputs (make notebooks)"
    assert path.stat().st_size < 100_000
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


def _converted(path) -> bool:
    """Whether a notebook has been converted to the reader layer (it declares the ``language`` parameter)."""
    return "language" in runner.declared_parameters(path)


@pytest.mark.parametrize("path", [pytest.param(p, marks=() if _converted(p) else pytest.mark.xfail(
    reason="not yet converted to the reader layer (no language parameter): its checked cells are untagged",
    strict=False)) for p in NOTEBOOKS], ids=lambda p: p.stem)
def test_every_checked_cell_is_tagged_so_the_page_drops_it(path):
    """A ``# NBVAL_CHECK_OUTPUT`` cell prints numbers for nbval; the exporter removes cells tagged
    ``nbval-check`` from the HTML, so an untagged one would put a test printout on the page."""
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code" and notebook_tools.CHECK_MARK in c.source]
    untagged = [c.source.splitlines()[0] for c in checked
                if notebook_tools.CHECK_TAG not in c.metadata.get("tags", [])]
    assert not untagged, f"checked cells without the {notebook_tools.CHECK_TAG!r} tag: {untagged}"


def test_refresh_tags_every_checked_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1)"),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(2)", metadata={"tags": ["nbval-check"]})]
    notebook_tools.tag_checked_cells(nb)
    assert [c.metadata.get("tags", []) for c in nb.cells] == [["nbval-check"], [], ["nbval-check"]]
