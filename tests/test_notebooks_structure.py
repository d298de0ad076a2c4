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
    # a title: a Markdown heading, or (reports on the reader layer) a page.title block the index reads
    assert (nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")) or any(
        "page.title(" in c.source for c in nb.cells if c.cell_type == "code")


def _parameter_lines(path):
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return {line.split("=")[0].strip(): line for line in cell.source.splitlines() if line.strip()}


def test_shared_parameters_have_identical_defaults_and_comments():
    seen: dict[str, dict[str, list[str]]] = {}
    for path in NOTEBOOKS:
        for name, line in _parameter_lines(path).items():
            seen.setdefault(name, {}).setdefault(line, []).append(path.stem)
    differing = {name: lines for name, lines in seen.items() if len(lines) > 1}
    assert not differing, f"a parameter shared by notebooks is written differently: {differing}"
    assert all("language" in _parameter_lines(p) for p in NOTEBOOKS), "every report takes the language parameter"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_setup_call_interprets_the_parameters(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    calls = sum(src.count("setup(") for src in code)
    assert calls == 1, "one setup(...) call per notebook"
    first = code[0]
    assert "setup(" in first, "the setup call comes first, right after the parameters"
    for forbidden in ("year = year or", "dataset.load(", "resolve_data_dir(", "resolve_covariates("):
        assert not any(forbidden in src for src in code), f"{forbidden}: parameters are interpreted in the package"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
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
