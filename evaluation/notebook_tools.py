"""Keep the committed notebooks light: no outputs except those nbval compares.

nbval (lax mode) re-runs every notebook in the test suite and compares only the
cells marked ``# NBVAL_CHECK_OUTPUT`` with their stored output. This module
re-executes a notebook with its default parameters and stores exactly those
outputs, so the repository holds key summary numbers and no figures.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

CHECK_MARK = "NBVAL_CHECK_OUTPUT"
#: Cell tag of the checked cells: the exporter removes them from the HTML (their numbers are for nbval).
CHECK_TAG = "nbval-check"


def refresh_checked_outputs(notebook: Path, timeout: int = 900) -> None:
    """Execute ``notebook`` in place and keep only the outputs of checked cells."""
    notebook = Path(notebook)
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    strip_unchecked_outputs(nb)
    tag_checked_cells(nb)
    nbformat.write(nb, notebook)


def tag_checked_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Tag every ``# NBVAL_CHECK_OUTPUT`` cell ``nbval-check``, so that no checked cell reaches a page."""
    for cell in nb.cells:
        if cell.cell_type == "code" and CHECK_MARK in cell.source:
            tags = list(cell.metadata.get("tags", []))
            if CHECK_TAG not in tags:
                cell.metadata["tags"] = tags + [CHECK_TAG]
    return nb


def strip_unchecked_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts from every cell nbval does not check."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source:
            # Only plain text is compared; drop rich outputs that would bloat the file.
            for out in cell.outputs:
                out.pop("metadata", None) if out.get("output_type") == "stream" else None
        else:
            cell.outputs = []
            cell.execution_count = None
    return nb
