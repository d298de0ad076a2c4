"""Reading and checking with less memory gives what it gave before (issue 14, section 5).

``check`` frees each text column once it is typed, shares text columns that need no change, strips and
parses each distinct text once, and compares keys by integer codes. These tests pin that the problems,
the typed tables (values, dtypes, row numbers) and the loaded ``Dataset`` are the ones the code before
that work printed (``tests/reference/load_invariants.json``), on folders large enough for the fast
reader, and that the fast paths agree with the plain ones they replace.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.load import checks, readers
from load_invariants import fingerprint, write_mid_size_folder

REFERENCE = json.loads((Path(__file__).parent / "reference" / "load_invariants.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("mid")
    return {"mid-problems": write_mid_size_folder(base / "problems"),
            "mid-clean": write_mid_size_folder(base / "clean", with_problems=False)}


@pytest.mark.parametrize("name", ["mid-problems", "mid-clean"])
def test_problems_tables_and_dataset_are_those_printed_before_the_memory_work(folders, name):
    folder = folders[name]
    assert (folder / "outcomes.csv").stat().st_size > readers.FAST_CSV_BYTES  # the fast reader's path
    got = fingerprint(folder)
    expected = REFERENCE[name]
    assert got["problems"] == expected["problems"]
    assert got["tables"] == expected["tables"]
    assert got.get("dataset") == expected.get("dataset")
    assert got.get("dataset_warnings") == expected.get("dataset_warnings")
    if name == "mid-clean":
        assert "dataset" in got     # the clean folder loads: the Dataset itself is compared


def test_the_careful_reader_gives_the_same_fingerprint(folders, monkeypatch):
    """The csv-module reader (a Python string per cell) and the Arrow reader lead to the same result."""
    fast = fingerprint(folders["mid-problems"])
    monkeypatch.setattr(readers, "FAST_CSV_BYTES", 10**12)
    assert fingerprint(folders["mid-problems"]) == fast


def test_distinct_texts_number_rows_as_factorize_does_across_chunks(monkeypatch):
    import pyarrow as pa

    monkeypatch.setattr(checks, "_CODES_STEP", 7)   # many steps per chunk
    texts = [" a", "b", "", "b ", "a", " a", "ñ", "", "b"] * 5
    chunked = pa.chunked_array([texts[:13], texts[13:14], texts[14:]], type=pa.large_string())
    column = pd.Series(pd.array(chunked, dtype="str"))
    assert column.array.__arrow_array__().num_chunks == 3
    codes, uniques = checks._distinct_texts(column)
    expected_codes, expected_uniques = pd.factorize(column)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected_uniques)
    assert uniques.dtype == column.dtype


@pytest.mark.parametrize("n_keys_per_column", [(5, 3, 4), (10_000, 900, 7)])   # bincount, then duplicated
def test_repeated_keys_by_codes_are_the_rows_duplicated_finds(n_keys_per_column):
    rng = np.random.default_rng(14)
    n_rows = 2_000
    columns = {}
    parts = []
    for position, cardinality in enumerate(n_keys_per_column):
        values = rng.integers(0, cardinality, n_rows).astype(float)
        values[rng.random(n_rows) < 0.05] = np.nan          # missing key parts: never repeated
        columns[f"k{position}"] = values
        codes, _ = pd.factorize(values)                     # -1 for NaN, as _parse_column gives
        distinct = np.arange(codes.max() + 1)
        parts.append((np.append(distinct, -1), np.where(codes < 0, len(distinct), codes)))
    frame = pd.DataFrame(columns)
    complete = frame.notna().all(axis=1).to_numpy()
    expected = frame.duplicated(keep=False).to_numpy() & complete
    got = checks._repeated_keys(parts)
    assert got is not None and got.any() == expected.any()
    assert got.tolist() == expected.tolist()


def test_a_text_column_needing_no_change_is_the_column_read():
    """Shared, not copied: the typed entity codes of a clean file are the text the reader produced."""
    raw = pd.Series(["05001", "05002", "05001"], dtype="str", index=pd.RangeIndex(2, 5, name="row"))
    col = checks.contract.OUTCOMES.column("entity_id")
    typed = checks._parse_column(raw, col, "outcomes.csv", checks._Report(), blank_ok=False, entity_of=None)
    assert typed.tolist() == raw.tolist() and typed.dtype == raw.dtype
    source = raw.array.__arrow_array__().chunks[0].buffers()[2].address
    assert typed.array.__arrow_array__().chunks[0].buffers()[2].address == source
    padded = pd.Series(["05001 ", "", "05001"], dtype="str", index=raw.index)
    typed = checks._parse_column(padded, col, "outcomes.csv", checks._Report(), blank_ok=True, entity_of=None)
    assert typed.tolist()[0] == "05001" and pd.isna(typed.tolist()[1]) and str(typed.dtype) == str(raw.dtype)
