"""Check once per run: the runner's checked dataset is what every notebook reads, and only for those files."""

from __future__ import annotations

import pickle
import shutil

import pandas as pd
import pytest

from evaluation import paths
from evaluation.context import setup
from evaluation.load import checked_copy, dataset as datasets


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(paths.DEMO_DIR, target)
    return target


def _no_fresh_check(monkeypatch):
    def refuse(folder):
        raise AssertionError(f"checked {folder} again although the run's copy was of these files")

    monkeypatch.setattr(datasets, "load", refuse)


def _same(a, b):
    for name in ("entities", "adoption", "outcomes", "monitoring", "survey_ict_offices", "survey_directors",
                 "costs"):
        left, right = getattr(a, name), getattr(b, name)
        if left is None:
            assert right is None
        else:
            pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert a.metadata == b.metadata and a.folder == b.folder and a.files == b.files
    assert len(a.warnings) == len(b.warnings)


def test_a_notebook_reads_the_runs_copy_instead_of_checking_again(folder, tmp_path, monkeypatch):
    checked = datasets.load(folder)
    stored = checked_copy.write(checked, tmp_path / "build" / ".cache")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    _no_fresh_check(monkeypatch)
    report = setup(year=0, data_dir=str(folder), language="es", outcome="POL07", entities="territorial",
                   covariates="default")
    _same(report.data, checked)
    assert report.panel is not None and len(report.panel) > 0


def test_the_copy_equals_a_fresh_check(folder, tmp_path, monkeypatch):
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    _same(checked_copy.load(folder), datasets.load(folder))


def test_a_file_edited_after_the_check_is_checked_again(folder, tmp_path, monkeypatch):
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    outcomes = next(p for p in folder.iterdir() if p.name.startswith("outcomes"))
    text = outcomes.read_text(encoding="utf-8").splitlines(keepends=True)
    outcomes.write_text("".join(text[:-1]), encoding="utf-8")  # one outcome row fewer
    fresh = checked_copy.load(folder)
    assert len(fresh.outcomes) == len(datasets.load(folder).outcomes)
    assert len(fresh.outcomes) < len(stored_outcomes(stored))


def stored_outcomes(stored):
    """The outcome rows the run's copy holds (in the Arrow file beside the pickle, or in the pickle)."""
    import pickle

    with open(stored, "rb") as handle:
        record = pickle.load(handle)
    outcomes = record["dataset"].outcomes
    if record.get("outcomes"):
        outcomes = checked_copy._read_mapped(stored.parent / record["outcomes"], outcomes.dtypes, record["token"])
    return outcomes


def test_another_folder_is_checked_itself(folder, tmp_path, monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    calls = []
    original = datasets.load
    monkeypatch.setattr(datasets, "load", lambda f: calls.append(f) or original(f))
    assert checked_copy.load(other).folder == other.resolve()
    assert calls == [other]


def test_without_a_run_the_notebook_checks_the_folder(folder, monkeypatch):
    monkeypatch.delenv(checked_copy.ENV, raising=False)
    calls = []
    original = datasets.load
    monkeypatch.setattr(datasets, "load", lambda f: calls.append(f) or original(f))
    checked_copy.load(folder)
    assert calls == [folder]


def test_a_removed_file_is_checked_again_and_fails_as_a_check_would(folder, tmp_path, monkeypatch):
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    next(p for p in folder.iterdir() if p.name.startswith("adoption")).unlink()
    with pytest.raises(Exception) as caught:
        checked_copy.load(folder)
    with pytest.raises(Exception) as direct:
        datasets.load(folder)
    assert type(caught.value) is type(direct.value) and str(caught.value) == str(direct.value)


def test_in_a_run_every_kernel_reads_the_copy_and_the_copy_leaves_with_the_build(folder, tmp_path):
    import json

    import nbformat

    from evaluation import runner

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    body = (
        "import json, os\n"
        "from evaluation.load import checked_copy, dataset as datasets\n"
        "fresh = []\n"
        "original = datasets.load\n"
        "datasets.load = lambda f: fresh.append(str(f)) or original(f)\n"
        "from evaluation.context import setup\n"
        "report = setup(year=year, data_dir=data_dir, language=language, output_dir=output_dir)\n"
        "with open(os.path.join(output_dir, name + '.json'), 'w') as handle:\n"
        "    json.dump({'copy': os.environ.get(checked_copy.ENV, ''), 'fresh': fresh,\n"
        "               'rows': len(report.data.outcomes)}, handle)\n")
    for name in ("01_a", "02_b"):
        params = nbformat.v4.new_code_cell('year = 0  # y\ndata_dir = ""  # d\noutput_dir = ""  # o\n'
                                           f'language = ""  # l\nname = "{name}"  # n')
        params.metadata["tags"] = ["parameters"]
        book = nbformat.v4.new_notebook()
        book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        book.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params, nbformat.v4.new_code_cell(body)]
        nbformat.write(book, notebooks / f"{name}.ipynb")
    outcome = runner.run("latest", data=folder, jobs=2, output_root=tmp_path / "out", notebooks_dir=notebooks,
                         pdf=False, input_copies=False, progress=lambda message: None)
    assert outcome.ok
    rows = len(datasets.load(folder).outcomes)
    for name in ("01_a", "02_b"):
        seen = json.loads((outcome.folder / f"{name}.json").read_text())
        assert seen["copy"].endswith(checked_copy.FILE_NAME) and seen["fresh"] == [] and seen["rows"] == rows
    assert not list(outcome.folder.rglob(checked_copy.FILE_NAME))  # deleted with the build's cache


def _file_memory(values) -> bool:
    """Whether a numpy array is a view of a mapped file (its chain of bases ends in an mmap)."""
    import mmap

    base = values
    while base is not None:
        if isinstance(base, mmap.mmap):
            return True
        base = getattr(base, "base", None) if not isinstance(base, memoryview) else base.obj
    return False


def test_the_outcome_rows_are_mapped_from_the_file_not_read_into_each_kernel(folder, tmp_path, monkeypatch):
    checked = datasets.load(folder)
    stored = checked_copy.write(checked, tmp_path / "build")
    assert (stored.parent / checked_copy.OUTCOMES_FILE_NAME).is_file()
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    loaded = checked_copy.load(folder)
    pd.testing.assert_frame_equal(loaded.outcomes, checked.outcomes, check_exact=True)
    for column in ("year", "value"):
        assert _file_memory(loaded.outcomes[column].to_numpy()), column
    # the pickle holds the other tables only
    import pickle

    with open(stored, "rb") as handle:
        assert len(pickle.load(handle)["dataset"].outcomes) == 0


def test_changing_a_mapped_table_changes_neither_the_file_nor_another_kernels_copy(folder, tmp_path, monkeypatch):
    checked = datasets.load(folder)
    stored = checked_copy.write(checked, tmp_path / "build")
    mapped = stored.parent / checked_copy.OUTCOMES_FILE_NAME
    before = mapped.read_bytes()
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    first = checked_copy.load(folder)
    first.outcomes.loc[0, "value"] = -1.0  # in place, as a notebook cell might
    first.outcomes.loc[1, "year"] = 1900
    assert first.outcomes.loc[0, "value"] == -1.0 and first.outcomes.loc[1, "year"] == 1900
    assert mapped.read_bytes() == before
    pd.testing.assert_frame_equal(checked_copy.load(folder).outcomes, checked.outcomes, check_exact=True)


@pytest.mark.parametrize("change", ["blank values", "another index", "a categorical column", "no rows"])
def test_any_outcomes_table_comes_back_as_it_was(folder, tmp_path, monkeypatch, change):
    import dataclasses

    import numpy as np

    checked = datasets.load(folder)
    outcomes = checked.outcomes.copy()
    if change == "blank values":
        outcomes.loc[outcomes.index[::3], "value"] = np.nan
    elif change == "another index":
        outcomes = outcomes.iloc[::-1]
    elif change == "a categorical column":
        outcomes["indicator"] = outcomes["indicator"].astype("category")
    else:
        outcomes = outcomes.iloc[:0]
    changed = dataclasses.replace(checked, outcomes=outcomes)
    stored = checked_copy.write(changed, tmp_path / "build")
    mappable = change in ("blank values", "no rows")
    assert (stored.parent / checked_copy.OUTCOMES_FILE_NAME).is_file() == mappable
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    _no_fresh_check(monkeypatch)
    loaded = checked_copy.load(folder)
    pd.testing.assert_frame_equal(loaded.outcomes, outcomes, check_exact=True)
    assert loaded.years == changed.years and loaded.indicators == changed.indicators


def test_a_report_from_the_mapped_copy_is_the_report_from_a_fresh_check(folder, tmp_path, monkeypatch):
    from evaluation.questions import data_quality

    arguments = dict(year=0, data_dir=str(folder), language="en", outcome="POL07", entities="territorial",
                     covariates="default")
    monkeypatch.delenv(checked_copy.ENV, raising=False)
    fresh = setup(**arguments)
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    _no_fresh_check(monkeypatch)
    mapped = setup(**arguments)
    pd.testing.assert_frame_equal(mapped.panel, fresh.panel, check_exact=True)
    assert (mapped.year, mapped.covariates, mapped.late_adopters) == (fresh.year, fresh.covariates, fresh.late_adopters)
    assert mapped.data.years == fresh.data.years and mapped.data.indicators == fresh.data.indicators
    for table in (data_quality.coverage, data_quality.pre_adoption_years):
        pd.testing.assert_frame_equal(table(mapped.data, until_year=mapped.year), table(fresh.data, until_year=fresh.year))


def _checks_the_folder_itself(folder, stored, monkeypatch):
    """Loading with the run's copy ``stored`` checks ``folder`` once, and gives what a fresh check gives."""
    monkeypatch.setenv(checked_copy.ENV, str(stored))
    calls = []
    original = datasets.load
    monkeypatch.setattr(datasets, "load", lambda f: calls.append(f) or original(f))
    _same(checked_copy.load(folder), original(folder))
    assert calls == [folder]


def test_without_the_outcome_rows_file_the_notebook_checks_the_folder(folder, tmp_path, monkeypatch):
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    (stored.parent / checked_copy.OUTCOMES_FILE_NAME).unlink()
    _checks_the_folder_itself(folder, stored, monkeypatch)


@pytest.mark.parametrize("other", ["another run's file", "a file of other columns", "not an Arrow file"])
def test_an_outcome_rows_file_not_written_with_the_pickle_is_not_used(folder, tmp_path, monkeypatch, other):
    stored = checked_copy.write(datasets.load(folder), tmp_path / "build")
    mapped = stored.parent / checked_copy.OUTCOMES_FILE_NAME
    if other == "another run's file":   # the same rows, written by another run: another token
        checked_copy.write(datasets.load(folder), tmp_path / "other")
        shutil.copyfile(tmp_path / "other" / checked_copy.OUTCOMES_FILE_NAME, mapped)
    elif other == "a file of other columns":
        checked_copy._write_mapped(pd.DataFrame({"x": [1.0, 2.0]}), mapped, pickle.loads(stored.read_bytes())["token"])
    else:
        mapped.write_bytes(b"not arrow at all")
    _checks_the_folder_itself(folder, stored, monkeypatch)
