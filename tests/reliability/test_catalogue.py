"""The catalogue of hostile and careless input: each case is a small fixture, a command, the exact exit code
and the words of the one message expected, and the promise that nothing else changed.

Every case runs ``gcio-eval`` in-process and checks:

* the exit code (0 done, 1 failed notebook / data errors in ``check``, 2 usage or input problem,
  3 outputs cannot be written, 4 another run holds the year);
* that the message contains the expected words and no traceback;
* that the folders the case protects (the user's data, files beside an ``--out``, the previous complete
  outputs) are byte-identical afterwards, unless the case says which files it may change.

Bad-input cases that already existed elsewhere are not copied here; ``README.md`` in this folder lists them.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import YEAR, dataset_dir, furag_workbook, run_args, tree_digest
from evaluation import cli, runner

USAGE, FAILED, WRITE, BUSY = 2, 1, 3, 4


@dataclass
class Ctx:
    tmp: Path
    data: Path
    outputs: Path
    notebooks: Path
    protect: list[Path] = field(default_factory=list)
    may_change: set[str] = field(default_factory=set)

    def run(self, *extra: str, data: Path | None = None, out: Path | None = None) -> list[str]:
        return run_args(data or self.data, out or self.outputs, self.notebooks, *extra)

    def write(self, name: str, text: str) -> Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Ctx], list[str]]   # prepares the fixture, returns the command line
    code: int
    words: tuple[str, ...]
    patch: Callable | None = None       # monkeypatch(ctx, monkeypatch) for faults that cannot be made for real


CASES: list[Case] = []


def case(id, code, *words, patch=None):
    def register(setup):
        CASES.append(Case(id, setup, code, words, patch))
        return setup
    return register


# ------------------------------------------------------------------ --out never replaces the user's files

def _user_folder(ctx: Ctx, *names: str) -> Path:
    folder = ctx.tmp / "mine"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"my own notes")
    for name in names:
        (folder / name).write_text(f"the user's own {name}\n" * 3, encoding="utf-8")
    ctx.protect.append(folder)
    return folder


@case("demo-out-existing-outcomes", USAGE, "already holds outcomes.csv", "--force", "Nothing was written")
def _(ctx):
    return ["demo", "--out", str(_user_folder(ctx, "outcomes.csv")), "--municipalities", "5"]


@case("demo-out-existing-readme", USAGE, "already holds README.md")
def _(ctx):
    return ["demo", "--out", str(_user_folder(ctx, "README.md")), "--municipalities", "5"]


@case("demo-out-over-previous-demo", USAGE, "already holds entities.csv, adoption.csv, outcomes.csv")
def _(ctx):
    ctx.protect.append(ctx.data)
    return ["demo", "--out", str(ctx.data), "--municipalities", "5"]


@case("demo-out-is-a-file", USAGE, "is a file", "Nothing was written")
def _(ctx):
    ctx.protect.append(ctx.tmp)
    return ["demo", "--out", str(ctx.write("a-file.txt", "x")), "--municipalities", "5"]


@case("demo-out-below-a-file", USAGE, "is a file")
def _(ctx):
    ctx.protect.append(ctx.tmp)
    return ["demo", "--out", str(ctx.write("a-file.txt", "x") / "sub"), "--municipalities", "5"]


@case("demo-out-table-name-is-a-folder-even-with-force", USAGE, "holds a folder named outcomes.csv")
def _(ctx):
    folder = _user_folder(ctx)
    (folder / "outcomes.csv").mkdir()
    (folder / "outcomes.csv" / "inside.txt").write_text("keep", encoding="utf-8")
    return ["demo", "--out", str(folder), "--municipalities", "5", "--force"]


@case("demo-out-force-replaces-only-its-files", 0, "mine")
def _(ctx):
    folder = _user_folder(ctx, "outcomes.csv")
    ctx.may_change = {"outcomes.csv", "entities.csv", "adoption.csv", "monitoring.csv", "survey_ict_offices.csv",
                      "survey_directors.csv", "costs.csv", "truth.csv", "dataset.yml", "README.md"}
    return ["demo", "--out", str(folder), "--municipalities", "5", "--force"]


@case("demo-force-replaces-a-link-not-its-target", 0, "mine")
def _(ctx):
    target = ctx.write("elsewhere/precious.md", "never overwrite me\n")
    ctx.protect.append(target.parent)
    folder = ctx.tmp / "mine"
    folder.mkdir()
    (folder / "README.md").symlink_to(target)
    return ["demo", "--out", str(folder), "--municipalities", "5", "--force"]


@case("demo-bad-municipalities", USAGE, "municipalities must be")
def _(ctx):
    return ["demo", "--out", str(ctx.tmp / "new"), "--municipalities", "0"]


@case("import-furag-out-holds-outcomes", USAGE, "already holds outcomes.csv", "--force")
def _(ctx):
    book = furag_workbook(ctx.tmp / "Resultados_vig2022_nacion.xlsx")
    return ["import-furag", str(book), "--out", str(_user_folder(ctx, "outcomes.csv", "adoption.csv"))]


@case("import-furag-out-holds-entities", USAGE, "already holds entities.csv")
def _(ctx):
    book = furag_workbook(ctx.tmp / "Resultados_vig2022_nacion.xlsx")
    return ["import-furag", str(book), "--out", str(_user_folder(ctx, "entities.csv"))]


@case("import-furag-keeps-a-filled-registry", 0, "outcome rows")
def _(ctx):
    book = furag_workbook(ctx.tmp / "Resultados_vig2022_nacion.xlsx")
    ctx.may_change = {"outcomes.csv", "entities.csv"}
    return ["import-furag", str(book), "--out", str(_user_folder(ctx, "adoption.csv", "adoption_template.xlsx"))]


@case("import-furag-force-replaces-its-two-files", 0, "outcome rows")
def _(ctx):
    book = furag_workbook(ctx.tmp / "Resultados_vig2022_nacion.xlsx")
    ctx.may_change = {"outcomes.csv", "entities.csv"}
    return ["import-furag", str(book), "--out", str(_user_folder(ctx, "outcomes.csv", "adoption.csv")), "--force"]


@case("import-furag-out-is-a-file", USAGE, "is a file")
def _(ctx):
    book = furag_workbook(ctx.tmp / "Resultados_vig2022_nacion.xlsx")
    ctx.protect.append(ctx.tmp)
    return ["import-furag", str(book), "--out", str(ctx.write("out.csv", "x"))]


@case("import-furag-password-protected", USAGE, "is password-protected", "Nothing was imported")
def _(ctx):
    book = ctx.tmp / "Resultados_vig2022_nacion.xlsx"
    book.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    return ["import-furag", str(book), "--out", str(_user_folder(ctx))]


@case("adoption-template-filled-registry", USAGE, "already holds adoption_template.csv, adoption_template.xlsx")
def _(ctx):
    return ["adoption-template", "--out", str(_user_folder(ctx, "adoption_template.csv",
                                                           "adoption_template.xlsx"))]


@case("adoption-template-filled-xlsx-only", USAGE, "already holds adoption_template.xlsx")
def _(ctx):
    return ["adoption-template", "--out", str(_user_folder(ctx, "adoption_template.xlsx"))]


@case("adoption-template-out-is-a-file", USAGE, "is a file")
def _(ctx):
    ctx.protect.append(ctx.tmp)
    return ["adoption-template", "--out", str(ctx.write("template", "x"))]


@case("adoption-template-force", 0, "adoption_template.xlsx")
def _(ctx):
    ctx.may_change = {"adoption_template.csv", "adoption_template.xlsx"}
    return ["adoption-template", "--out", str(_user_folder(ctx, "adoption_template.csv", "adoption.csv")),
            "--force"]


@case("adoption-template-beside-user-files", 0, "adoption_template.csv")
def _(ctx):
    ctx.may_change = {"adoption_template.csv", "adoption_template.xlsx"}
    return ["adoption-template", "--out", str(_user_folder(ctx, "adoption.csv", "entities.csv"))]


# ------------------------------------------------------------------ run: operator errors, one message each

def _protect_run(ctx):
    ctx.protect += [ctx.data, ctx.outputs]


@case("run-data-folder-missing", USAGE, "does not exist", "Nothing was run")
def _(ctx):
    _protect_run(ctx)
    return ctx.run(data=ctx.tmp / "no-such-folder")


@case("run-data-is-a-file", USAGE, "is a file")
def _(ctx):
    _protect_run(ctx)
    return ctx.run(data=ctx.data / "outcomes.csv")


@case("run-output-is-a-file", USAGE, "is a file, not a folder", "Nothing was run")
def _(ctx):
    ctx.protect += [ctx.data, ctx.tmp]
    return ctx.run(out=ctx.write("outputs.txt", "my file"))


@case("run-config-not-utf8", USAGE, "is not UTF-8", "line 2")
def _(ctx):
    _protect_run(ctx)
    config = ctx.tmp / "run.yaml"
    config.write_bytes(b"parameters:\n  outcome: POL07 # a\xf1o\n")
    return ctx.run("--config", str(config))


@case("run-config-missing", USAGE, "does not exist")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.tmp / "nope.yaml"))


@case("run-config-is-a-folder", USAGE, "is a folder")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.data))


@case("run-config-bad-yaml", USAGE, "is not valid YAML")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", "parameters: [unclosed\n")))


@case("run-config-unknown-key", USAGE, "unknown key(s) ['output']")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", "output: /tmp/x\n")))


for _name in ("output_dir", "data_dir", "year"):
    def _setup(ctx, _name=_name):
        _protect_run(ctx)
        value = 2019 if _name == "year" else str(ctx.tmp / "elsewhere")
        config = ctx.write("run.yaml", json.dumps({"notebooks": {"first": {_name: value}}}))
        return ctx.run("--config", str(config))
    CASES.append(Case(f"run-config-notebooks-sets-{_name}", _setup, USAGE,
                      (f"sets ['{_name}']", "'notebooks:'")))

    def _setup_shared(ctx, _name=_name):
        _protect_run(ctx)
        value = 2019 if _name == "year" else str(ctx.tmp / "elsewhere")
        return ctx.run("--config", str(ctx.write("run.yaml", json.dumps({"parameters": {_name: value}}))))
    CASES.append(Case(f"run-config-parameters-sets-{_name}", _setup_shared, USAGE, ("set by the runner",)))

    def _setup_param(ctx, _name=_name):
        _protect_run(ctx)
        return ctx.run("--param", f"{_name}=2019" if _name == "year" else f"{_name}={ctx.tmp}")
    CASES.append(Case(f"run-param-sets-{_name}", _setup_param, USAGE, ("set by the runner",)))


@case("run-config-notebooks-output-dir-for-a-notebook-not-run", USAGE, "sets ['output_dir']")
def _(ctx):
    _protect_run(ctx)
    config = ctx.write("run.yaml", json.dumps({"notebooks": {"second": {"output_dir": str(ctx.outputs)}}}))
    return ctx.run("--config", str(config), "--only", "first")


@case("run-config-notebooks-not-a-mapping", USAGE, "'notebooks' must map")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", "notebooks: [first]\n")))


@case("run-param-unknown", USAGE, "Unknown parameter name(s) ['outcom']")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--param", "outcom=POL07")


@case("run-param-bad-yaml", USAGE, "is not a YAML value")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--param", "x=[1,")


@case("run-param-without-equals", USAGE, "NAME=VALUE")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--param", "outcome")


for _jobs, _words in (("0", "must be at least 1"), ("-1", "must be at least 1"), ("abc", "whole number"),
                      ("1000", "from 1 to 2"), ("3", "from 1 to 2")):
    def _setup(ctx, _jobs=_jobs):
        _protect_run(ctx)
        return ctx.run("--jobs", _jobs)
    CASES.append(Case(f"run-jobs-{_jobs}", _setup, USAGE, (_words,)))


@case("run-jobs-2-with-one-notebook", USAGE, "from 1 to 1")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--jobs", "2", "--only", "first")


@case("run-year-outside-data", USAGE, "outside the outcome data")
def _(ctx):
    _protect_run(ctx)
    args = ctx.run()
    args[args.index("--year") + 1] = "1990"
    return args


@case("run-year-not-a-year", USAGE, "--year must be a year")
def _(ctx):
    _protect_run(ctx)
    args = ctx.run()
    args[args.index("--year") + 1] = "last"
    return args


@case("run-year-without-outcome-rows", USAGE, "Year 2020 has no outcome rows", "years with data")
def _(ctx):
    lines = (ctx.data / "outcomes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (ctx.data / "outcomes.csv").write_text("".join(line for line in lines if ",2020," not in line), encoding="utf-8")
    _protect_run(ctx)
    args = ctx.run()
    args[args.index("--year") + 1] = "2020"
    return args


@case("run-only-unknown", USAGE, "Unknown notebook name(s) ['impactt']")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--only", "impactt")


@case("run-cell-timeout-negative", USAGE, "positive number of seconds")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--cell-timeout", "-5")


@case("run-start-timeout-zero", USAGE, "positive number of seconds")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--start-timeout", "0")


@case("run-broken-contract", USAGE, "break the contract", "nothing was run")
def _(ctx):
    (ctx.data / "adoption.csv").write_text("entity_id,adoption_date\nNOPE,31/31/2019\n", encoding="utf-8")
    _protect_run(ctx)
    return ctx.run()


@case("run-year-folder-not-a-run", USAGE, "is not the output of a run", "not replaced")
def _(ctx):
    shutil.rmtree(dataset_dir(ctx.outputs) / str(YEAR))
    (dataset_dir(ctx.outputs) / str(YEAR)).mkdir()
    (dataset_dir(ctx.outputs) / str(YEAR) / "thesis.docx").write_bytes(b"someone else's work")
    _protect_run(ctx)
    return ctx.run()


@case("run-read-only-output", WRITE, "read-only", "left as they were")
def _(ctx):
    _protect_run(ctx)
    return ctx.run()


def _read_only(ctx, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(ctx.outputs))
    monkeypatch.setattr(runner.tempfile, "mkdtemp", refuse)


CASES[-1] = Case(CASES[-1].id, CASES[-1].setup, CASES[-1].code, CASES[-1].words, _read_only)


@case("run-disk-full", WRITE, "the disk is full", "left as they were")
def _(ctx):
    _protect_run(ctx)
    return ctx.run()


def _disk_full(ctx, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "index.html")
    monkeypatch.setattr(runner, "write_index", full)


CASES[-1] = Case(CASES[-1].id, CASES[-1].setup, CASES[-1].code, CASES[-1].words, _disk_full)


@case("run-year-locked-by-another-run", BUSY, "Another run is writing the outputs of 2025", "process 4242 on")
def _(ctx):
    _protect_run(ctx)
    return ctx.run()


def _locked(ctx, monkeypatch):
    # Another process holds the lock for real: flock locks belong to the open file, so a child holds it.
    path = runner.lock_path(dataset_dir(ctx.outputs), YEAR)
    path.write_text(json.dumps({"pid": 4242, "host": "other-host", "started": "2026-08-01T06:00:00+00:00"}))
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl,sys,time; f=open(sys.argv[1],'r+'); fcntl.flock(f, fcntl.LOCK_EX); "
                               "print('locked', flush=True); time.sleep(120)", str(path)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    ctx.holder = holder


CASES[-1] = Case(CASES[-1].id, CASES[-1].setup, CASES[-1].code, CASES[-1].words, _locked)


# ------------------------------------------------------------------ check: odd files and floods

def _check(ctx):
    ctx.protect.append(ctx.data)
    return ["check", "--data", str(ctx.data)]


@case("check-data-folder-missing", USAGE, "does not exist")
def _(ctx):
    return ["check", "--data", str(ctx.tmp / "missing")]


@case("check-data-is-a-file", USAGE, "is a file")
def _(ctx):
    return ["check", "--data", str(ctx.data / "entities.csv")]


@case("check-folder-named-entities-csv", FAILED, "'entities.csv' is a folder, not a file")
def _(ctx):
    (ctx.data / "entities.csv").unlink()
    (ctx.data / "entities.csv").mkdir()
    return _check(ctx)


@case("check-link-to-a-system-file", FAILED, "is a link to /etc/passwd, outside the data folder")
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    (ctx.data / "costs.csv").symlink_to("/etc/passwd")
    return _check(ctx)


@case("check-password-protected-workbook", FAILED, "costs.xlsx", "password-protected")
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    (ctx.data / "costs.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    return _check(ctx)


@case("check-renamed-id-column", FAILED, "1 error and", "if 'entity_code' holds it, rename it to 'entity_id'")
def _(ctx):
    path = ctx.data / "adoption.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("entity_id", "entity_code", 1), encoding="utf-8")
    return _check(ctx)


@case("check-empty-file", FAILED, "the file is empty")
def _(ctx):
    (ctx.data / "costs.csv").write_bytes(b"")
    return _check(ctx)


@case("check-two-files-one-table", FAILED, "costs.csv and costs.xlsx both hold the table costs")
def _(ctx):
    shutil.copy(ctx.data / "costs.csv", ctx.data / "costs.xlsx")
    return _check(ctx)


@case("check-required-table-missing", FAILED, "the required table outcomes is missing")
def _(ctx):
    (ctx.data / "outcomes.csv").unlink()
    return _check(ctx)


@case("check-corrupt-workbook", FAILED, "costs.xlsx", "cannot be read")
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    (ctx.data / "costs.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip")
    return _check(ctx)


# The floods: each must stay short, with a count of what was not listed.

@case("check-duplicated-header-column-outcomes", FAILED, " more): ")
def _(ctx):
    path = ctx.data / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # The header names 'value' twice and the 'indicator' column's name is lost: the values shift.
    path.write_text("\n".join(["entity_id,year,value,value"] + lines[1:]) + "\n", encoding="utf-8")
    return _check(ctx)


@case("check-duplicated-header-column-adoption", FAILED, " more): ", "appears twice")
def _(ctx):
    path = ctx.data / "adoption.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(["entity_id,entity_id,adoption_date,post_title"] + lines[1:]) + "\n",
                    encoding="utf-8")
    return _check(ctx)


@case("check-every-score-out-of-range", FAILED, " more): ")
def _(ctx):
    path = ctx.data / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:1] + [line.rsplit(",", 1)[0] + ",250" for line in lines[1:]]) + "\n",
                    encoding="utf-8")
    return _check(ctx)


@case("check-every-date-unreadable", FAILED, " more): ")
def _(ctx):
    path = ctx.data / "adoption.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]
    path.write_text("\n".join(lines[:1] + [",".join([r[0], "someday", *r[2:]]) for r in rows]) + "\n",
                    encoding="utf-8")
    return _check(ctx)


@case("check-unknown-entities-in-adoption", FAILED, "adoption.csv")
def _(ctx):
    with open(ctx.data / "adoption.csv", "a", encoding="utf-8") as handle:
        handle.write("ZZ999,2019-05-01,Jefe TIC,directivo\n")
    return _check(ctx)


# ------------------------------------------------------------------ review: cases found after the first catalogue

@case("run-data-folder-inside-the-year-it-replaces", USAGE, "is inside", "the output folder this run replaces",
      "Nothing was run")
def _(ctx):
    # The swap deletes the old outputs/YEAR; data kept inside it would go with it (it did, before the check).
    inside = dataset_dir(ctx.outputs) / str(YEAR) / "my-data"
    shutil.copytree(ctx.data, inside)
    _protect_run(ctx)
    return ctx.run(data=inside)


@case("run-config-inside-the-failed-year-folder", USAGE, "The config file", "is inside", f"{YEAR}-failed")
def _(ctx):
    failed = dataset_dir(ctx.outputs) / f"{YEAR}-failed"
    failed.mkdir()
    (failed / "manifest.json").write_text("{}", encoding="utf-8")
    config = failed / "run.yaml"
    config.write_text("parameters: {}\n", encoding="utf-8")
    _protect_run(ctx)
    return ctx.run("--config", str(config))


@case("run-output-below-a-file", USAGE, "a file is in the way", "Nothing was run")
def _(ctx):
    ctx.protect += [ctx.data, ctx.tmp]
    return ctx.run(out=ctx.write("outputs.txt", "my file") / "sub")


@case("run-output-name-too-long", USAGE, "longer than the file system allows", "Nothing was run")
def _(ctx):
    ctx.protect += [ctx.data, ctx.tmp]
    return ctx.run(out=ctx.tmp / ("x" * 300))


@case("run-config-parameters-not-a-mapping", USAGE, "'parameters' must map parameter names")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", "parameters: [outcome, POL08]\n")))


@case("run-config-data-not-a-folder-name", USAGE, "'data' must be a folder name")
def _(ctx):
    _protect_run(ctx)
    # No --data here: the config's 'data:' is the one used.
    return ["run", "--year", str(YEAR), "--output", str(ctx.outputs), "--notebooks", str(ctx.notebooks),
            "--config", str(ctx.write("run.yaml", "data: [a, b]\n"))]


@case("run-config-bad-yaml-is-one-line", USAGE, "is not valid YAML at line 2, column 1", "Fix:")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", "parameters: [unclosed\n")))


@case("check-nul-bytes-in-a-code", FAILED, "entities.csv", "line 3 holds a NUL character", "Fix:")
def _(ctx):
    path = ctx.data / "entities.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = b"\x00" + lines[2]  # invisible: the entity would silently match nothing
    path.write_bytes(b"\n".join(lines))
    return _check(ctx)


@case("check-utf16-without-bom", FAILED, "costs.csv", "UTF-16 file saved without its byte-order mark")
def _(ctx):
    path = ctx.data / "costs.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))
    return _check(ctx)


@case("check-single-line-over-the-cell-limit", FAILED, "outcomes.csv", "line 2 has a cell longer than",
      "opened and never closed")
def _(ctx):
    path = ctx.data / "outcomes.csv"
    path.write_text("entity_id,year,indicator,value\n" + "05001,2020,IDI,\"" + "1" * 200_000 + "\n",
                    encoding="utf-8")
    return _check(ctx)


def _small_caps(ctx, monkeypatch):
    from evaluation.load import readers
    monkeypatch.setattr(readers, "MAX_CSV_BYTES", 50_000)
    monkeypatch.setattr(readers, "MAX_XLSX_UNCOMPRESSED_BYTES", 200_000)


@case("check-csv-larger-than-the-cap", FAILED, "the file cannot be read: monitoring.csv is", "more than the",
      "it was not read",
      patch=_small_caps)
def _(ctx):
    with open(ctx.data / "monitoring.csv", "a", encoding="utf-8") as handle:
        handle.write("2020,workshops,1,1\n" * 5_000)  # ~95 kB, above the lowered cap
    return _check(ctx)


def _zip_bomb(path: Path, padding: int) -> Path:
    """A real workbook whose sheet is padded with blanks: small on disk, large once inflated."""
    import zipfile

    import openpyxl

    plain = path.with_name("plain.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["year", "budget_line", "amount_cop", "output"])
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
            target.writestr(info.filename, data)
    plain.unlink()
    return path


@case("check-xlsx-zip-bomb", FAILED, "costs.xlsx", "inflates to", "zip bomb", "was not opened",
      patch=_small_caps)
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    bomb = _zip_bomb(ctx.data / "costs.xlsx", 1_000_000)
    assert bomb.stat().st_size < 50_000
    return _check(ctx)


@case("import-furag-zip-bomb", USAGE, "inflates to", "zip bomb", "Nothing was imported", patch=_small_caps)
def _(ctx):
    ctx.protect.append(ctx.tmp)
    return ["import-furag", str(_zip_bomb(ctx.tmp / "Resultados_vig2022_nacion.xlsx", 1_000_000)),
            "--out", str(ctx.tmp / "out")]


def _billion_laughs(levels: int = 9) -> str:
    """A YAML flow list of nested aliases: under 1 kB, 9**10 values once expanded."""
    items = ["&x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    items += [f"&x{i} [" + ", ".join([f"*x{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


@case("run-config-billion-laughs", USAGE, "expand to more than", "billion laughs", "Fix: write the values out")
def _(ctx):
    # Before the check the run hung (over a minute, then killed) rendering the expanded parameter.
    _protect_run(ctx)
    return ctx.run("--config", str(ctx.write("run.yaml", f"parameters:\n  outcome: {_billion_laughs()}\n")))


@case("run-param-billion-laughs", USAGE, "expand to more than")
def _(ctx):
    _protect_run(ctx)
    return ctx.run("--param", f"outcome={_billion_laughs()}")


@case("check-dataset-yml-billion-laughs", FAILED, "dataset.yml", "expand to more than")
def _(ctx):
    with open(ctx.data / "dataset.yml", "a", encoding="utf-8") as handle:
        handle.write(f"labels:\n  unit: {_billion_laughs()}\n")
    return _check(ctx)


@case("check-table-is-a-pipe", FAILED, "costs.csv", "not a regular file")
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    os.mkfifo(ctx.data / "costs.csv")  # reading it would block for ever; it was silently skipped
    return _check(ctx)


@case("check-table-is-a-link-to-dev-zero", FAILED, "costs.csv", "not a regular file")
def _(ctx):
    (ctx.data / "costs.csv").unlink()
    (ctx.data / "costs.csv").symlink_to("/dev/zero")
    return _check(ctx)


@case("check-table-is-a-broken-link", FAILED, "outcomes.csv", "is a broken link")
def _(ctx):
    (ctx.data / "outcomes.csv").unlink()
    (ctx.data / "outcomes.csv").symlink_to(ctx.tmp / "moved-away.csv")
    return _check(ctx)


@case("run-lock-file-is-a-folder", USAGE, f".lock-{YEAR} is a folder", "Fix: move that folder away")
def _(ctx):
    (dataset_dir(ctx.outputs) / f".lock-{YEAR}").unlink(missing_ok=True)  # the previous run's lock file
    (dataset_dir(ctx.outputs) / f".lock-{YEAR}").mkdir()
    ctx.protect += [ctx.data, ctx.outputs]
    return ctx.run()


# ------------------------------------------------------------------ the runner

@pytest.fixture
def ctx(tmp_path, data, outputs, mini_notebooks):
    return Ctx(tmp=tmp_path / "case", data=data, outputs=outputs, notebooks=mini_notebooks)


@pytest.mark.parametrize("item", CASES, ids=[c.id for c in CASES])
def test_case(item: Case, ctx: Ctx, capsys, monkeypatch):
    ctx.tmp.mkdir()
    argv = item.setup(ctx)
    before = {folder: tree_digest(folder) for folder in ctx.protect}
    if item.patch:
        item.patch(ctx, monkeypatch)
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    finally:
        holder = getattr(ctx, "holder", None)
        if holder is not None:
            holder.kill()
            holder.wait()
    captured = capsys.readouterr()
    text = captured.err + captured.out
    assert code == item.code, f"exit {code}, expected {item.code}:\n{text}"
    assert "Traceback" not in text, text
    for words in item.words:
        assert words in text, f"{words!r} not in:\n{text}"
    if item.code != 0:
        assert text.strip(), "no message"
    for folder, digest in before.items():
        after = tree_digest(folder)
        # The year's lock file is the runner's bookkeeping (it names the holder), not an output.
        changed = {k for k in set(digest) | set(after) if digest.get(k) != after.get(k)
                   and not Path(k).name.startswith(".lock-")}
        assert changed <= ctx.may_change, f"{folder}: changed {sorted(changed - ctx.may_change)}"
        for name in ctx.may_change & changed:
            assert name in after, f"{name} removed"


def test_catalogue_is_at_least_sixty_cases():
    assert len(CASES) >= 60, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)


def test_a_flood_is_capped_per_column_with_a_count(ctx, capsys):
    """The issue's case: one header typo in a large outcomes file gave 34,746 lines. Now at most 11 per column."""
    path = ctx.data / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(["entity_id,year,value,value"] + lines[1:]) + "\n", encoding="utf-8")
    assert cli.main(["check", "--data", str(ctx.data)]) == FAILED
    out = capsys.readouterr().out
    listed = [line for line in out.splitlines() if line.startswith("- ")]
    per_column: dict[str, int] = {}
    for line in listed:
        where = line.split(":", 1)[0]
        column = where.split("column ")[-1] if "column " in where else ""
        per_column[column] = per_column.get(column, 0) + 1
    assert max(per_column.values()) <= 11, per_column
    assert len(out) < 20_000, len(out)
    total = len(lines) - 1
    # A problem shared by many rows is one line that counts them ("1,607 rows (rows 6, 9, 12 and 1,604 more): ...").
    counted = [int(line.split(": ", 1)[1].split(" rows (rows ")[0].replace(",", "")) for line in listed
               if " rows (rows " in line]
    assert counted and sum(counted) >= total - 20, (counted, total)


def test_a_linked_year_folder_is_replaced_without_leaving_the_link_behind(ctx, capsys):
    """``outputs/YEAR`` as a link to a previous run elsewhere: the new run replaces the link by its folder, leaves
    the link's target exactly as it was, and leaves no hidden ``.previous-YEAR-PID`` link (``shutil.rmtree``
    refuses links; with errors ignored the link stayed behind for ever, and every later run kept it)."""
    ctx.tmp.mkdir()
    elsewhere = ctx.tmp / "archive"
    shutil.move(str(dataset_dir(ctx.outputs) / str(YEAR)), elsewhere)
    (dataset_dir(ctx.outputs) / str(YEAR)).symlink_to(elsewhere, target_is_directory=True)
    before = tree_digest(elsewhere)
    assert cli.main(ctx.run()) == 0, capsys.readouterr().err
    year = dataset_dir(ctx.outputs) / str(YEAR)
    assert year.is_dir() and not year.is_symlink() and (year / "manifest.json").is_file()
    assert tree_digest(elsewhere) == before
    assert not list(dataset_dir(ctx.outputs).glob(".previous-*")), sorted(p.name for p in ctx.outputs.iterdir())


@pytest.mark.parametrize("outcome", ["POL07/2018", "../../../escaped", "hom<img src=x onerror=alert(1)>/x",
                                     "Índice " + "muy largo " * 40, 'a:b*c?"d|e\\f\x00g'])
def test_an_outcome_code_that_is_no_file_name_still_gives_its_table(tmp_path, outcome):
    """The impact and robustness notebooks name tables after the outcome (``group_time_{outcome}.csv``). An
    indicator code holding ``/`` or too long for a file name made both notebooks fail ("Cannot save file into
    a non-existent directory"); now the table is written inside ``tables/`` under a safe name."""
    import pandas as pd

    from evaluation.report import tables

    out = tmp_path / "build"
    out.mkdir()
    tables.save_table(pd.DataFrame({"estimate": [-1.5]}), str(out), f"group_time_{outcome}.csv")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 1, written
    assert written[0].parent == out / "tables" and written[0].name.startswith("group_time_")
    assert written[0].suffix == ".csv" and len(written[0].name.encode()) < 200
    assert written[0].read_text(encoding="utf-8") == "estimate\n-1.5\n"

