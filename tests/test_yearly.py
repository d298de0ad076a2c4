"""The yearly rerun as a product, end to end: a locked plan, two yearly runs, the changes page, the package.

Run 2024 on last year's inputs, then 2025 with the new vigencia, one revised 2023 score and one new
adopter: the changes page lists exactly those causes. The 2025 run is packaged with its data, unzipped
into an empty folder and rerun with the command its README gives: every table is byte-identical.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from evaluation import plan as plans, runner
from evaluation.demo import write_demo
from evaluation.load.dataset import load
from vintages import two_vintages

pytestmark = pytest.mark.slow
GCIO_EVAL = str(Path(sys.executable).with_name("gcio-eval"))
FAST = {"bootstrap": 99, "placebo_draws": 9, "power_simulations": 20}


@pytest.fixture(scope="module")
def yearly(tmp_path_factory):
    root = tmp_path_factory.mktemp("yearly")
    full = write_demo(root / "demo", municipalities=60)
    data2024, data2025, _, newcomer = two_vintages(full, root)
    plan_file = plans.init(root / "plan.yml", bootstrap=FAST["bootstrap"])
    plans.lock(plan_file, load(data2024))
    out = root / "outputs"
    common = dict(only=["findings", "impact"], output_root=out, pdf=False, plan=plan_file,
                  parameters={k: v for k, v in FAST.items() if k != "bootstrap"}, jobs=2)
    first = runner.run(2024, data=data2024, **common)
    second = runner.run(2025, data=data2025, **common)
    return root, first, second, newcomer


def test_both_runs_follow_the_locked_plan_and_say_so(yearly):
    _, first, second, _ = yearly
    assert first.ok and second.ok
    manifest = second.manifest
    assert manifest["plan"]["locked"] and not manifest["plan"]["edited_after_lock"]
    assert manifest["notebooks"]["00_findings"]["plan"]["label"] == plans.PRE_SPECIFIED
    findings = pd.read_csv(second.folder / "tables" / "findings.csv")
    assert set(findings["plan_status"]) == {plans.PRE_SPECIFIED}
    assert "preespecificado" in (second.folder / "00_findings.html").read_text(encoding="utf-8").lower()
    assert "bloqueado el" in (second.folder / "index.html").read_text(encoding="utf-8")


def test_the_changes_page_lists_exactly_the_three_causes(yearly):
    _, first, second, newcomer = yearly
    assert not (first.folder / "changes.html").exists()  # no earlier year
    page = (second.folder / "changes.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in page and "Qué cambió desde 2024" in page
    assert "Nueva vigencia" in page and "IDI 2023: 1 modificadas" in page and newcomer in page
    for other in ("fechas de adopción corregidas", "fecha de adopción corregida", "ya no figura", "Parámetro",
                  "plan de análisis cambió", "Versión del paquete", "Versión del código"):
        assert other not in page, other
    assert 'href="changes.html"' in (second.folder / "index.html").read_text(encoding="utf-8")


def test_a_rerun_from_the_replication_package_rebuilds_every_table_byte_for_byte(yearly, tmp_path):
    root, _, second, _ = yearly
    target = tmp_path / "package.zip"
    done = subprocess.run([GCIO_EVAL, "package", "--year", "2025", "--dataset", second.folder.parent.name,
                           "--output", str(root / "outputs"), "--out", str(target), "--with-data"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(target) as archive:
        archive.extractall(unzipped)
        readme = archive.read("README.md").decode("utf-8")
    command = next(line for line in readme.splitlines() if line.startswith("gcio-eval run"))
    args = shlex.split(command)[2:] + ["--output", str(tmp_path / "again"), "--no-pdf", "--only", "findings",
                                       "impact"]
    rerun = subprocess.run([GCIO_EVAL, "run", *args], cwd=unzipped, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    again = next((tmp_path / "again").glob("*/2025"))
    original = sorted(p.relative_to(unzipped / "run/tables") for p in (unzipped / "run/tables").glob("*.csv"))
    assert original and original == sorted(p.relative_to(again / "tables") for p in (again / "tables").glob("*.csv"))
    for name in original:
        assert (again / "tables" / name).read_bytes() == (unzipped / "run/tables" / name).read_bytes(), name
    workbooks = sorted(p.name for p in (again / "tables").glob("*.xlsx"))
    assert workbooks == ["00_findings.xlsx", "02_impact.xlsx"]  # the reports rerun
    for name in workbooks:  # the workbooks too: same tables, same bytes
        assert (again / "tables" / name).read_bytes() == (unzipped / "run/tables" / name).read_bytes(), name
    manifest = json.loads((unzipped / "run/manifest.json").read_text())
    assert manifest["year"] == 2025 and manifest["peak_memory_mb"] > 0
    assert f"{manifest['peak_memory_mb']:.0f} MB" in readme and "Run time and memory" in readme
