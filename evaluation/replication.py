"""A replication package of one year's run: one zip another evaluator can rerun.

``gcio-eval package --year YEAR [--with-data]`` puts into one zip the run's
executed notebooks, HTML and PDF reports, tables and manifest, the analysis plan
it followed, the lock files of exact dependency versions, the input files (or,
without ``--with-data``, only their SHA-256 hashes, for confidential data), and a
README in the terms of the DIME reproducibility checklist: software and
versions, run time and memory, how to reproduce with two commands, and a data
availability statement.

The zip is deterministic: entries are sorted and carry a fixed time stamp, so
the same run gives the same bytes.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from evaluation import changes

#: Zip entries get this date, not the time they were written (the same run gives the same zip).
FIXED_TIME = (2016, 1, 1, 0, 0, 0)
RUN = "run"
DATA = "data"


class PackageError(RuntimeError):
    """A run that cannot be packaged (missing, incomplete, or without kept inputs when data were asked for)."""


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def rerun_parameters(manifest: dict) -> dict:
    """The parameters every notebook of the run shared (what ``--param`` must give to rerun it)."""
    per_notebook = [nb.get("parameters", {}) for nb in manifest.get("notebooks", {}).values()]
    if not per_notebook:
        return {}
    shared = {}
    for name in sorted(set().union(*per_notebook)):
        values = {json.dumps(p[name], sort_keys=True) for p in per_notebook if name in p}
        if len(values) == 1 and name not in ("year", "data_dir", "output_dir"):
            shared[name] = json.loads(values.pop())
    return shared


def rerun_command(manifest: dict, data_dir: str = DATA) -> str:
    """The ``gcio-eval run`` command that repeats the run on the packaged data."""
    parts = ["gcio-eval", "run", "--year", str(manifest.get("year")), "--data", data_dir]
    if manifest.get("language"):
        parts += ["--language", str(manifest["language"])]
    if manifest.get("plan"):
        parts += ["--plan", f"{RUN}/plan.yml"]
    params = (manifest.get("effective_parameters") or {}) if isinstance(manifest.get("effective_parameters"), dict) \
        else {}
    for name, value in sorted((params or rerun_parameters(manifest)).items()):
        if name in ("year", "data_dir", "output_dir", "language"):  # set by the runner itself
            continue
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        parts += ["--param", f"{name}={text}"] if " " not in text and text else ["--param", f"'{name}={text}'"]
    return " ".join(parts)


def readme(manifest: dict, *, with_data: bool, lock_files: list[str], plan: str | None) -> str:
    """The package's README in the terms of the DIME reproducibility checklist."""
    notebooks = manifest.get("notebooks", {})
    seconds = sum(float(nb.get("seconds") or 0) for nb in notebooks.values())
    distributions = manifest.get("distributions") or {}
    commit = manifest.get("git_commit")
    commit = commit.get("commit") if isinstance(commit, dict) else commit
    memory = manifest.get("peak_memory_mb")
    lines = [
        f"# Replication package: evaluation year {manifest.get('year')}",
        "",
        "Made by `gcio-eval package` from the run recorded in `run/manifest.json`.",
        "",
        "## Contents",
        "",
        "- `run/`: the executed notebooks (`*.ipynb`), the reports (`*.html`, `*.pdf` when made), the tables "
        "(`run/tables/`) and the manifest of the run.",
        f"- `{DATA}/`: the input files the run read." if with_data else
        "- `inputs.json`: the SHA-256 hash of every input file the run read (the files are not included).",
        *([f"- `{plan}`: the analysis plan the run followed."] if plan else []),
        *([f"- `{name}`: exact versions of every dependency." for name in lock_files]),
        "",
        "## Software and versions",
        "",
        f"- Python {manifest.get('python', 'not recorded')}; package gcio-evaluation "
        f"{manifest.get('package_version', 'not recorded')}; code commit {commit or 'not recorded'}.",
        f"- {len(distributions)} installed distributions are listed with their versions in `run/manifest.json` "
        "(`distributions`)" + (f" and pinned in {', '.join(f'`{n}`' for n in lock_files)}." if lock_files else "."),
        "",
        "## Run time and memory",
        "",
        f"- Notebook execution time: {seconds:.0f} s in total over {len(notebooks)} notebooks "
        "(per notebook in the manifest)" + (f"; peak memory of one process (the runner or its largest kernel) "
                                             f"{memory:.0f} MB." if isinstance(memory, (int, float))
                                             else "; peak memory was not recorded by this run."),
        "",
        "## How to reproduce",
        "",
        "From a checkout of the evaluation suite at the commit above (it installs everything from the lock file):",
        "",
        "```",
        "make report YEAR=... DATA=...   # or, once installed:",
        rerun_command(manifest),
        "```",
        "",
        "Run the second command in the folder where this package was unzipped. Every table in `run/tables/` "
        "is reproduced byte for byte on the same machine; on another machine numbers may differ in the last "
        "digits of floating-point arithmetic.",
        "",
        "## Data availability statement",
        "",
    ]
    if with_data:
        synthetic = manifest.get("synthetic_data")
        lines.append("The input files are included in `data/`. " + (
            "They are synthetic (simulated) data generated by the suite's demo generator; they are not records "
            "of any entity." if synthetic else
            "They are the data files the evaluator supplied; their provenance is stated in `data/dataset.yml` and "
            "in the reports' source lines. Redistribution follows the terms of their sources."))
    else:
        lines.append("The input files are not included (confidential or not redistributable). `inputs.json` lists "
                     "their SHA-256 hashes: a replicator who obtains the files from their custodian can check "
                     "that they are the same bytes before rerunning.")
    return "\n".join(lines) + "\n"


def build(run_folder: Path, target: Path, *, with_data: bool = False, plan_file: Path | None = None,
          lock_files: list[Path] | None = None) -> Path:
    """Write the replication zip of the run in ``run_folder`` to ``target``.

    Raises
    ------
    PackageError
        If the folder is not a complete run, or data were asked for and the run kept only hashes.
    """
    run_folder, target = Path(run_folder), Path(target)
    manifest_file = run_folder / "manifest.json"
    if not manifest_file.is_file():
        raise PackageError(f"'{run_folder.name}' is not the output of a run (it has no manifest.json); "
                           "run `gcio-eval run` for that year first.")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if not manifest.get("complete", False):
        raise PackageError(f"the run in '{run_folder.name}' did not complete; fix it and rerun before packaging.")
    lock_files = [Path(p) for p in (lock_files or []) if Path(p).is_file()]
    tmp = target.with_name(f".{target.name}.partial")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for path in sorted(p for p in run_folder.rglob("*") if p.is_file()):
                rel = path.relative_to(run_folder)
                if rel.parts[0] == changes.INPUTS or rel.name.startswith("."):
                    continue  # inputs go to data/ (or only their hashes); hidden files are the runner's
                _add(archive, f"{RUN}/{rel.as_posix()}", path.read_bytes())
            hashes = run_folder / changes.INPUTS / changes.HASHES
            if with_data:
                import tempfile

                with tempfile.TemporaryDirectory(prefix="gcio-package-") as scratch:
                    restored = changes.restore(run_folder, Path(scratch))
                    if restored is None:
                        raise PackageError(f"the run in '{run_folder.name}' kept only the hashes of its inputs; "
                                           "package it without --with-data, or rerun with input copies kept.")
                    for path in sorted(p for p in restored.rglob("*") if p.is_file()):
                        _add(archive, f"{DATA}/{path.relative_to(restored).as_posix()}", path.read_bytes())
            if hashes.is_file():
                _add(archive, "inputs.json", hashes.read_bytes())
            plan_name = f"{RUN}/plan.yml" if (run_folder / "plan.yml").is_file() else None
            if plan_file is not None and Path(plan_file).is_file():
                plan_name = Path(plan_file).name
                _add(archive, plan_name, Path(plan_file).read_bytes())
            for lock in lock_files:
                _add(archive, f"requirements/{lock.name}", lock.read_bytes())
            _add(archive, "README.md", readme(manifest, with_data=with_data, plan=plan_name,
                                              lock_files=[f"requirements/{p.name}" for p in lock_files])
                 .encode("utf-8"))
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
