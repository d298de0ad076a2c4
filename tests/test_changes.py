"""What changed since last year: kept inputs, and the causes found between two input versions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from evaluation import changes, paths
from evaluation.load.dataset import load
from vintages import two_vintages as make_vintages

DEMO = paths.resolve_data_dir("")


def _inputs(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.iterdir()) if p.suffix in {".csv", ".yml"}}


@pytest.fixture(scope="module")
def two_vintages(tmp_path_factory):
    """Last year's inputs (outcomes to 2024) and this year's (2025 added, one 2023 score revised, one new adopter)."""
    return make_vintages(DEMO, tmp_path_factory.mktemp("vintages"))


def test_snapshot_keeps_hashes_and_deterministic_copies_and_restores_them(tmp_path):
    files = _inputs(DEMO)
    first = changes.snapshot(files, tmp_path / "a")
    changes.snapshot(files, tmp_path / "b")
    for name in files:
        assert (tmp_path / "a/inputs" / f"{name}.gz").read_bytes() == (tmp_path / "b/inputs" / f"{name}.gz").read_bytes()
        assert first[name] == paths.file_sha256(files[name])
    restored = changes.restore(tmp_path / "a", tmp_path / "back")
    for name, path in files.items():
        assert (restored / name).read_bytes() == path.read_bytes()
    changes.snapshot(files, tmp_path / "c", copy=False)
    assert not list((tmp_path / "c/inputs").glob("*.gz")) and changes.restore(tmp_path / "c", tmp_path / "x") is None


def test_the_causes_are_exactly_the_new_vigencia_the_revised_score_and_the_new_adopter(two_vintages, tmp_path):
    before, after, revised_row, newcomer = two_vintages
    found = changes.compare_data(load(before), load(after))
    outcomes = load(after).outcomes
    assert set(found.new_years) == set(outcomes.loc[outcomes["year"] == 2025, "indicator"].unique())
    assert all(years == [2025] for years in found.new_years.values())
    assert found.revised[["indicator", "year", "changed", "added", "removed"]].to_dict("records") == [
        {"indicator": "IDI", "year": 2023, "changed": 1, "added": 0, "removed": 0}]
    assert found.new_adopters == (newcomer,) and found.corrected_dates.empty and found.withdrawn_adopters == ()

    for name, folder, year in (("run2024", before, 2024), ("run2025", after, 2025)):
        run = tmp_path / name
        changes.snapshot(_inputs(folder), run)
        (run / "manifest.json").write_text(json.dumps({"year": year, "package_version": "0.1.0",
                                                       "git_commit": "abc", "notebooks": {}}), encoding="utf-8")
    result = changes.compare(tmp_path / "run2024", tmp_path / "run2025")
    assert result.causes == ["new_vigencia", "revised_scores", "new_adoptions"]
    assert set(result.inputs.files_changed) == {"outcomes.csv", "adoption.csv"}


def test_a_corrected_adoption_date_and_a_changed_parameter_are_causes(tmp_path):
    before, after = tmp_path / "b", tmp_path / "a"
    shutil.copytree(DEMO, before)
    shutil.copytree(DEMO, after)
    adoption = pd.read_csv(DEMO / "adoption.csv", dtype=str)
    entity = adoption.loc[0, "entity_id"]
    adoption.loc[0, "adoption_date"] = "2017-01-02" if adoption.loc[0, "adoption_date"] != "2017-01-02" else "2017-01-03"
    adoption.to_csv(after / "adoption.csv", index=False)
    for name, folder, alpha in (("r1", before, 0.05), ("r2", after, 0.10)):
        changes.snapshot(_inputs(folder), tmp_path / name)
        (tmp_path / name / "manifest.json").write_text(json.dumps(
            {"year": 2025, "package_version": "0.1.0", "git_commit": "abc",
             "notebooks": {"02_impact": {"parameters": {"alpha": alpha}}}}), encoding="utf-8")
    result = changes.compare(tmp_path / "r1", tmp_path / "r2")
    assert result.causes == ["corrected_dates", "parameters"]
    assert list(result.inputs.corrected_dates["entity_id"]) == [entity]
    assert result.parameters == (("02_impact", "alpha", 0.05, 0.10),)


def test_runs_that_kept_only_hashes_are_compared_by_file(tmp_path):
    for name in ("r1", "r2"):
        changes.snapshot(_inputs(DEMO), tmp_path / name, copy=False)
        (tmp_path / name / "manifest.json").write_text(json.dumps({"year": 2025}), encoding="utf-8")
    result = changes.compare(tmp_path / "r1", tmp_path / "r2")
    assert not result.inputs.comparable and result.inputs.reason == "hashes_only" and result.causes == []


@pytest.mark.parametrize("language, expected", [
    ("es", ["Qué cambió desde 2024", "Nueva vigencia", "Puntajes revisados", "IDI 2023: 1 modificadas",
            "1 nueva adopción registrada"]),
    ("en", ["What changed since 2024", "New vigencia", "Revised scores", "IDI 2023: 1 changed",
            "1 new adoption recorded"]),
])
def test_the_page_lists_the_causes_in_the_reader_language(two_vintages, tmp_path, language, expected):
    from evaluation.report import changes as changes_page

    before, after, _, newcomer = two_vintages
    for name, folder, year in (("run2024", before, 2024), ("run2025", after, 2025)):
        changes.snapshot(_inputs(folder), tmp_path / name)
        (tmp_path / name / "manifest.json").write_text(json.dumps({"year": year}), encoding="utf-8")
        (tmp_path / name / "tables").mkdir()
        pd.DataFrame({"criterion_id": ["impact"], "verdict_id": ["impact_detected"], "estimate": [4.1 + year - 2024],
                      "conf_low": [3.7], "conf_high": [4.5]}).to_csv(tmp_path / name / "tables/findings.csv", index=False)
    result = changes.compare(tmp_path / "run2024", tmp_path / "run2025")
    html = changes_page.render(result, language)
    assert f'<html lang="{language}">' in html
    for text in expected:
        assert text in html
    assert newcomer in html
    assert ("4,10" in html and "5,10" in html) if language == "es" else ("4.10" in html and "5.10" in html)
