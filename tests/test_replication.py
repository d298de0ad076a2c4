"""The replication package: contents with and without data, determinism, README in DIME terms."""

from __future__ import annotations

import json
import zipfile

import pytest

from evaluation import changes, paths, replication

DEMO = paths.resolve_data_dir("")


def _fake_run(folder, copy=True, complete=True):
    (folder / "tables").mkdir(parents=True)
    (folder / "tables" / "att.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "02_impact.html").write_text("<html></html>", encoding="utf-8")
    changes.snapshot({p.name: p for p in DEMO.iterdir() if p.suffix in {".csv", ".yml"}}, folder, copy=copy)
    (folder / "manifest.json").write_text(json.dumps({
        "year": 2025, "complete": complete, "python": "3.11.7", "package_version": "0.1.0", "git_commit": "abc123",
        "synthetic_data": True,
        "notebooks": {"02_impact": {"seconds": 12.5, "parameters": {"alpha": 0.05, "outcome": "POL07"}},
                      "03_robustness": {"seconds": 3, "parameters": {"alpha": 0.05, "outcome": "POL07",
                                                                     "placebo_draws": 99}}}}), encoding="utf-8")
    return folder


def test_with_data_the_zip_holds_the_run_the_inputs_and_a_readme(tmp_path):
    run = _fake_run(tmp_path / "2025")
    plan = tmp_path / "plan.yml"
    plan.write_text("primary_outcome: POL07\n", encoding="utf-8")
    target = replication.build(run, tmp_path / "pkg.zip", with_data=True, plan_file=plan)
    names = zipfile.ZipFile(target).namelist()
    assert "run/tables/att.csv" in names and "run/manifest.json" in names and "plan.yml" in names
    assert "data/outcomes.csv" in names and "inputs.json" in names and not any(n.startswith("run/inputs") for n in names)
    with zipfile.ZipFile(target) as archive:
        assert archive.read("data/outcomes.csv") == (DEMO / "outcomes.csv").read_bytes()
        text = archive.read("README.md").decode("utf-8")
    for words in ("Software and versions", "Run time and memory", "How to reproduce", "Data availability statement",
                  "Python 3.11.7", "16 s in total over 2 notebooks", "synthetic",
                  "gcio-eval run --year 2025 --data data --param alpha=0.05 --param outcome=POL07"):
        assert words in text
    assert "--param placebo_draws=99" in text  # a parameter of one report is passed on too (the others ignore it)


def test_without_data_only_hashes_travel_and_the_statement_says_so(tmp_path):
    run = _fake_run(tmp_path / "2025")
    target = replication.build(run, tmp_path / "pkg.zip")
    with zipfile.ZipFile(target) as archive:
        assert not [n for n in archive.namelist() if n.startswith("data/")]
        hashes = json.loads(archive.read("inputs.json"))["files"]
        assert hashes["outcomes.csv"] == paths.file_sha256(DEMO / "outcomes.csv")
        assert "are not included" in archive.read("README.md").decode("utf-8")


def test_the_same_run_gives_the_same_zip_bytes(tmp_path):
    run = _fake_run(tmp_path / "2025")
    first = replication.build(run, tmp_path / "a.zip", with_data=True).read_bytes()
    assert replication.build(run, tmp_path / "b.zip", with_data=True).read_bytes() == first


def test_incomplete_runs_and_data_that_were_not_kept_are_refused(tmp_path):
    with pytest.raises(replication.PackageError, match="no manifest.json"):
        replication.build(tmp_path, tmp_path / "x.zip")
    failed = _fake_run(tmp_path / "failed", complete=False)
    with pytest.raises(replication.PackageError, match="did not complete"):
        replication.build(failed, tmp_path / "x.zip")
    hashes_only = _fake_run(tmp_path / "h", copy=False)
    with pytest.raises(replication.PackageError, match="kept only the hashes"):
        replication.build(hashes_only, tmp_path / "x.zip", with_data=True)
    assert not (tmp_path / "x.zip").exists()
