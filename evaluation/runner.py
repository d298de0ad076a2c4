"""The yearly run: execute every notebook for one evaluation year into ``outputs/YEAR``.

A run builds in a temporary folder next to the outputs and only replaces
``outputs/YEAR`` when every notebook succeeded, so a failed or interrupted run
never destroys the previous complete outputs of that year. A failed run is kept
in ``outputs/YEAR-failed`` for inspection. Before any notebook runs, the data
folder is checked against the contract: a broken contract stops everything.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import nbformat
import papermill
import yaml

from . import __version__, paths
from .report import ReportEntry, export_html, notebook_title, write_index
from .safe import escape_html

#: Parameters every notebook of the suite declares; the runner fills them in.
RUN_PARAMETERS = ("year", "data_dir", "output_dir")
#: Folder of ``output_root`` where panels named by a config's ``panel:`` key are converted
#: into contract folders (once per panel file and mapping); never next to the user's file.
PANEL_CACHE = ".panels"


class RunError(Exception):
    """A run that cannot start: bad year, bad parameters, a broken data contract."""


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: where, which notebooks, and whether all succeeded."""

    year: int
    folder: Path                 # outputs/YEAR on success, outputs/YEAR-failed otherwise
    entries: tuple[ReportEntry, ...]
    manifest: dict = field(repr=False)

    @property
    def ok(self) -> bool:
        return all(e.status == "ok" for e in self.entries)

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


# ---------------------------------------------------------------- notebooks


def discover_notebooks(folder: Path | None = None) -> list[Path]:
    """The suite's notebooks in reading order (``NN_name.ipynb``)."""
    folder = Path(folder or paths.NOTEBOOKS_DIR)
    found = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise RunError(f"No notebooks named like 01_name.ipynb in {folder}.")
    return found


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """Names and default values of the notebook's ``parameters`` cell."""
    inspected = papermill.inspect_notebook(str(notebook))
    return {name: info.get("default") for name, info in inspected.items()}


def _short(notebook: Path) -> str:
    """``01_data_quality`` -> ``data_quality``: the name used by --only and configs."""
    return notebook.stem.split("_", 1)[1] if "_" in notebook.stem else notebook.stem


def select_notebooks(notebooks: list[Path], only: list[str] | None) -> list[Path]:
    """Keep the notebooks named in ``only`` (by stem or short name); refuse unknown names."""
    if not only:
        return notebooks
    by_name = {}
    for nb in notebooks:
        by_name[nb.stem] = nb
        by_name[_short(nb)] = nb
    unknown = [n for n in only if n not in by_name]
    if unknown:
        valid = ", ".join(_short(nb) for nb in notebooks)
        raise RunError(f"Unknown notebook name(s) {unknown} in --only. Valid names: {valid}.")
    chosen = {by_name[n] for n in only}
    return [nb for nb in notebooks if nb in chosen]


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class RunConfig:
    """A YAML run configuration.

    Keys: ``data`` (folder, relative to the config file), ``panel`` (instead of
    ``data``: a panel file and which of its columns are unit, time, cohort or
    treated flag, outcomes, ...; see :mod:`evaluation.panel_config`),
    ``parameters`` (for every notebook that declares them), ``notebooks``
    (per-notebook parameters, keyed by short name, e.g. ``impact: {outcome: POL08}``)
    and ``only`` (the notebooks that apply to the data, as ``--only``, which
    overrides it: a panel that is not GCIO data has no costs or surveys).
    """

    path: Path | None = None
    data: Path | None = None
    parameters: dict = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)
    panel: Any = None  # evaluation.panel_config.PanelConfig
    only: tuple[str, ...] = ()

    @classmethod
    def read(cls, path: str | Path) -> "RunConfig":
        path = Path(path)
        if not path.is_file():
            raise RunError(f"Config file {path} does not exist.")
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RunError(f"Config file {path} is not valid YAML: {exc}") from exc
        if not isinstance(raw, dict):
            raise RunError(f"Config file {path} must be a mapping of keys to values.")
        known = {"data", "panel", "parameters", "notebooks", "only"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise RunError(f"Config file {path}: unknown key(s) {unknown}. Valid keys: {sorted(known)}.")
        data = raw.get("data")
        panel = None
        if raw.get("panel") is not None:
            from .panel_config import PanelConfig, PanelConfigError

            if data:
                raise RunError(f"Config file {path} has both 'data' and 'panel'; keep one: 'data' names a contract "
                               "folder, 'panel' a panel file to convert into one.")
            try:
                panel = PanelConfig.from_mapping(raw["panel"], base_dir=path.parent, source=path)
            except PanelConfigError as exc:
                raise RunError(str(exc)) from exc
        return cls(
            path=path,
            data=(path.parent / data).resolve() if data else None,
            parameters=dict(raw.get("parameters") or {}),
            notebooks={k: dict(v or {}) for k, v in (raw.get("notebooks") or {}).items()},
            panel=panel,
            only=_names(raw.get("only"), path),
        )


def _names(value, path: Path) -> tuple[str, ...]:
    """The config's ``only``: a notebook name or a list of them."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RunError(f"Config file {path}: 'only' must be a notebook name or a list of them, e.g. "
                       "[data_quality, impact].")
    return tuple(v.strip() for v in value)


def build_parameters(
    notebooks: list[Path], config: RunConfig, extra: dict[str, Any], base: dict[str, Any],
    suite: list[Path] | None = None,
) -> dict[Path, dict[str, Any]]:
    """Parameters for each notebook; unknown names are refused with the valid ones.

    papermill only warns about a parameter a notebook does not declare; a typo
    would then silently run with the default, so we refuse instead.
    """
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    # Shared names are checked against the whole suite: a config's parameters for the impact
    # notebooks must not make --only data_quality fail.
    known = declared if suite is None else {nb: declared.get(nb) or declared_parameters(nb) for nb in suite}
    all_declared = sorted({name for d in known.values() for name in d})
    shared = {**config.parameters, **extra}
    unknown = sorted(set(shared) - set(all_declared))
    if set(shared) & set(RUN_PARAMETERS):
        raise RunError(f"Parameters {sorted(set(shared) & set(RUN_PARAMETERS))} are set by the runner "
                       "itself: use --year, --data and --output instead.")
    if unknown:
        raise RunError(f"Unknown parameter name(s) {unknown}. Valid parameters: {', '.join(all_declared)}.")
    short = {_short(nb): nb for nb in notebooks} | {nb.stem: nb for nb in notebooks}
    # A config may set parameters for notebooks that --only leaves out.
    in_suite = {name for nb in (suite or notebooks) for name in (_short(nb), nb.stem)}
    result = {}
    for nb in notebooks:
        params = {k: v for k, v in base.items() if k in declared[nb]}
        params.update({k: v for k, v in shared.items() if k in declared[nb]})
        result[nb] = params
    for name, values in config.notebooks.items():
        if name not in in_suite:
            raise RunError(f"Config names unknown notebook '{name}'. "
                           f"Valid: {', '.join(sorted(_short(nb) for nb in (suite or notebooks)))}.")
        if name not in short:
            continue
        nb = short[name]
        bad = sorted(set(values) - set(declared[nb]))
        if bad:
            raise RunError(f"Notebook '{name}' has no parameter(s) {bad}. "
                           f"Valid parameters: {', '.join(sorted(declared[nb]))}.")
        result[nb].update(values)
    return result


# ---------------------------------------------------------------- execution


def _execute(notebook: str, target: str, parameters: dict, cwd: str) -> dict:
    """Run one notebook with papermill (top-level so worker processes can call it)."""
    started = time.perf_counter()
    status, error = "ok", ""
    try:
        papermill.execute_notebook(
            notebook, target, parameters=parameters, cwd=cwd,
            kernel_name="python3", progress_bar=False, log_output=False,
        )
    except papermill.PapermillExecutionError as exc:
        status = "failed"
        error = f"Cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # a kernel that died, a notebook that cannot be read
        status = "failed"
        error = f"{type(exc).__name__}: {exc}"
    return {"status": status, "error": error, "seconds": time.perf_counter() - started}


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(paths.PROJECT_ROOT), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def other_years(output_root: Path, year: int) -> list[int]:
    """Years that have a complete run in ``output_root`` (a folder ``YYYY`` with an index)."""
    years = []
    for child in output_root.iterdir() if output_root.is_dir() else []:
        if child.name.isdigit() and len(child.name) == 4 and (child / "index.html").is_file():
            if int(child.name) != year:
                years.append(int(child.name))
    return sorted(years)


def _swap_in(build: Path, target: Path) -> None:
    """Replace ``target`` by ``build`` with two renames; the old folder is removed last."""
    previous = None
    if target.exists():
        previous = target.with_name(f".previous-{target.name}-{os.getpid()}")
        target.rename(previous)
    build.rename(target)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def run(
    year: int | str = "latest",
    *,
    data: str | Path | None = None,
    config: str | Path | None = None,
    only: list[str] | None = None,
    jobs: int = 1,
    output_root: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RunOutcome:
    """Execute the suite for ``year`` and write reports, index and manifest.

    Parameters
    ----------
    year : int or "latest"
        Evaluation year: the last vigencia of outcome data the analysis uses.
        "latest" takes the last year in the data.
    data : folder with the contract files; default: the config's, else the demo data.
    config : YAML run configuration (see :class:`RunConfig`).
    only : notebook names to run (short names such as ``impact``).
    jobs : how many notebooks run at once.
    output_root : where ``YEAR/`` folders go (default ``outputs/``).
    parameters : extra notebook parameters, checked against the notebooks' declared ones.

    Raises
    ------
    RunError
        Before anything runs, if the data breaks the contract, the year is not
        in the data or a parameter or notebook name is unknown.
    """
    from .dataset import load
    from .validate import ContractError

    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    cfg = RunConfig.read(config) if config else RunConfig()
    panel = cfg.panel if not data else None  # --data wins over the config, as it does over 'data:'
    if panel is not None:
        from .panel_config import PanelConfigError, contract_folder

        try:
            data_dir = contract_folder(panel, Path(output_root or paths.OUTPUTS_DIR).resolve() / PANEL_CACHE)
        except PanelConfigError as exc:
            raise RunError(f"{exc}\nNothing was run.") from exc
    else:
        data_dir = paths.resolve_data_dir(data if data else cfg.data)
    try:
        dataset = load(data_dir)
    except ContractError as exc:
        raise RunError(f"The data in {data_dir} break the contract; nothing was run.\n{exc}") from exc
    if not dataset.years:
        raise RunError(f"The outcomes table in {data_dir} has no years with data.")
    if year in ("latest", None, ""):
        year = max(dataset.years)
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise RunError(f"--year must be a year such as 2024 or 'latest', not {year!r}.") from exc
    if not min(dataset.years) <= year <= max(dataset.years):
        raise RunError(f"Year {year} is outside the outcome data in {data_dir} "
                       f"({min(dataset.years)}–{max(dataset.years)}). Pick a year in that range.")

    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    suite = discover_notebooks(notebooks_dir)
    notebooks = select_notebooks(suite, only or list(cfg.only))
    output_root = Path(output_root or paths.OUTPUTS_DIR).resolve()
    output_root.mkdir(parents=True, exist_ok=True)

    build = Path(tempfile.mkdtemp(prefix=f".building-{year}-", dir=output_root))
    build.chmod(0o755)  # mkdtemp makes it private; reports are meant to be shared
    base = {"year": year, "data_dir": str(data_dir), "output_dir": str(build)}
    try:
        per_notebook = build_parameters(notebooks, cfg, dict(parameters or {}), base, suite)
        started = datetime.now(timezone.utc)
        inputs = {p.name: paths.file_sha256(p) for p in sorted(data_dir.iterdir()) if p.is_file()}
        if panel is not None:
            # The contract files above are derived; the file the numbers trace back to is the panel.
            key = panel.file.name if panel.file.name not in inputs else f"source_{panel.file.name}"
            inputs[key] = paths.file_sha256(panel.file)
        carried = _carry_over(output_root / str(year), build, notebooks, suite, inputs, say)
        results = _run_all(notebooks, per_notebook, build, notebooks_dir, jobs, say)
        entries = [ReportEntry(name, rec["title"], rec["status"], rec["seconds"], rec["error"])
                   for name, rec in carried.items()]
        for nb in notebooks:
            res = results[nb]
            executed = build / nb.name
            title = nb.stem
            if executed.exists():
                title = notebook_title(nbformat.read(executed, as_version=4), nb.stem)
                export_html(executed, build / f"{nb.stem}.html", year=year, synthetic=dataset.synthetic,
                            data_name=data_dir.name, version=__version__)
            else:  # the notebook never started; still give the index something to link to
                (build / f"{nb.stem}.html").write_text(
                    f"<!DOCTYPE html><html lang=en><meta charset=utf-8><title>{nb.stem}</title>"
                    f"<p>This notebook did not run: {escape_html(res['error'])}</p><p><a href=index.html>Back</a></p></html>",
                    encoding="utf-8")
                nbformat.write(nbformat.read(nb, as_version=4), executed)
            entries.append(ReportEntry(nb.stem, title, res["status"], res["seconds"], res["error"]))
            res["title"] = title
        order = [nb.stem for nb in suite]
        entries.sort(key=lambda e: order.index(e.name) if e.name in order else len(order))
        complete = all(e.status == "ok" for e in entries)
        manifest = {
            "year": year,
            "complete": complete,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "data_dir": str(data_dir),
            "synthetic_data": dataset.synthetic,
            "inputs": inputs,
            **({"panel": {"file": str(panel.file), "sha256": inputs[key], "converted_to": str(data_dir),
                          "mapping": panel.as_dict()}} if panel is not None else {}),
            "config": str(cfg.path) if cfg.path else None,
            "package_version": __version__,
            "git_commit": _git_commit(),
            "python": platform.python_version(),
            "notebooks": {
                **carried,
                **{nb.stem: {"title": results[nb]["title"],
                             "parameters": {k: v for k, v in per_notebook[nb].items() if k != "output_dir"},
                             "status": results[nb]["status"], "error": results[nb]["error"],
                             "seconds": round(results[nb]["seconds"], 2),
                             "ran": started.isoformat(timespec="seconds")}
                   for nb in notebooks},
            },
        }
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        write_index(build, year=year, entries=entries, other_years=other_years(output_root, year),
                    synthetic=dataset.synthetic, data_name=data_dir.name, version=__version__,
                    complete=complete)
        target = output_root / (str(year) if complete else f"{year}-failed")
        _swap_in(build, target)
        if complete:
            shutil.rmtree(output_root / f"{year}-failed", ignore_errors=True)
        return RunOutcome(year, target, tuple(entries), manifest)
    finally:
        # Interrupted (Ctrl-C) or crashed before the swap: drop the partial build only.
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _carry_over(previous: Path, build: Path, notebooks: list[Path], suite: list[Path],
                inputs: dict[str, str], say) -> dict[str, dict]:
    """With --only, keep the other reports of the previous complete run of the year.

    They are copied into the new build (with their tables) and listed in the
    new index and manifest with the time they ran, but only when that run read
    exactly the same input files: mixing reports made from different data in
    one index would mislead.
    """
    if set(notebooks) == set(suite) or not (previous / "manifest.json").is_file():
        return {}
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("inputs") != inputs:
        say(f"The data changed since the previous run of {previous.name}; its other reports are not kept.")
        return {}
    running = {nb.stem for nb in notebooks}
    carried = {}
    for name, record in manifest.get("notebooks", {}).items():
        if name in running or not (previous / f"{name}.html").is_file():
            continue
        for suffix in (".html", ".ipynb"):
            if (previous / f"{name}{suffix}").is_file():
                shutil.copy2(previous / f"{name}{suffix}", build / f"{name}{suffix}")
        carried[name] = {"title": record.get("title", name), **record}
    if (previous / "tables").is_dir():
        shutil.copytree(previous / "tables", build / "tables", dirs_exist_ok=True)
    if carried:
        say(f"Keeping {len(carried)} report(s) of the previous run: {', '.join(carried)}.")
    return carried


def _run_all(notebooks, per_notebook, build, cwd, jobs, say) -> dict[Path, dict]:
    total = len(notebooks)
    results: dict[Path, dict] = {}

    def report(i, nb, res):
        mark = "done" if res["status"] == "ok" else f"FAILED: {res['error']}"
        say(f"[{i}/{total}] {nb.stem}: {mark} ({res['seconds']:.1f} s)")

    if jobs <= 1 or total == 1:
        for i, nb in enumerate(notebooks, 1):
            say(f"[{i}/{total}] {nb.stem}: running ...")
            results[nb] = _execute(str(nb), str(build / nb.name), per_notebook[nb], str(cwd))
            report(i, nb, results[nb])
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {}
        for nb in notebooks:
            say(f"[{notebooks.index(nb) + 1}/{total}] {nb.stem}: queued")
            futures[nb] = pool.submit(_execute, str(nb), str(build / nb.name), per_notebook[nb], str(cwd))
        for i, nb in enumerate(notebooks, 1):
            results[nb] = futures[nb].result()
            report(i, nb, results[nb])
    return results
