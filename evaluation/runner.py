"""The yearly run: execute every notebook for one evaluation year into ``outputs/DATASET/YEAR``.

Each dataset has its own folder (``outputs/demo/``, ``outputs/castle/``, named by
:func:`dataset_slug`), so reports made from different data never share an index.
A run builds in a temporary folder next to the outputs and only replaces
``outputs/DATASET/YEAR`` when every notebook succeeded, so a failed or
interrupted run never destroys the previous complete outputs of that year. A
failed run is kept in ``outputs/DATASET/YEAR-failed`` for inspection. Before any
notebook runs, the data folder is checked against the contract: a broken
contract stops everything.

The run also writes each report as PDF (headless Chromium, when installed), says
once which messages had no translation in the report language, and starts
kernels on local IPC sockets (no TCP ports: no port race between parallel
kernels and no "running over TCP without encryption" warning).
"""

from __future__ import annotations

import errno
import gc
import json
import os
import platform
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import nbformat
import papermill
import yaml
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from evaluation import __version__, paths, provenance
from evaluation.cache import FOLDER_NAME as CACHE_DIR  # the run's private folder in its build folder
from evaluation.report.html import (
    ReportEntry,
    export_html,
    not_run_page,
    notebook_language,
    notebook_title,
    write_index,
)
from evaluation.report.tables import RUN_ENV
from evaluation.safe import YamlTooLargeError, load_yaml
from evaluation.text.i18n import MISSING_ENV, UnknownLanguageError, check_language

#: Parameters every notebook of the suite declares; the runner fills them in.
REQUIRED_PARAMETERS = ("year", "data_dir", "output_dir")
#: Parameters the runner fills in itself, and refuses from --param and configs (``language`` where a
#: notebook declares it; --language sets it).
RUN_PARAMETERS = (*REQUIRED_PARAMETERS, "language")
#: Folder name of the embedded demo data's outputs (``outputs/demo/YEAR``).
DEMO_SLUG = "demo"
#: File of the build folder where kernels list the messages shown in English (removed before the swap).
MISSING_FILE = ".missing-translations.txt"
#: Folder of ``output_root`` where panels named by a config's ``panel:`` key are converted
#: into contract folders (once per panel file and mapping); never next to the user's file.
PANEL_CACHE = ".panels"
#: Default limits of a notebook cell's run time and of a kernel's start, in seconds.
CELL_TIMEOUT = 30 * 60
START_TIMEOUT = 120
#: How many times a kernel that fails to start is started again (the port race of parallel starts).
KERNEL_START_ATTEMPTS = 3
#: Test-only: the runner stops at the named point (see ``PAUSE_POINTS``) and waits for a signal,
#: after writing the point's name to the file named by ``PAUSE_FILE_ENV``.
PAUSE_ENV = "GCIO_EVAL_PAUSE_AT"
PAUSE_FILE_ENV = "GCIO_EVAL_PAUSE_FILE"
PAUSE_POINTS = ("locked", "notebooks-done", "swap-start", "swap-middle", "swap-end")


class RunError(Exception):
    """A run that cannot start: bad year, bad parameters, a broken data contract."""


class RunBusy(RunError):
    """Another run holds the lock of the same output year."""


class OutputWriteError(RunError):
    """The outputs could not be written (disk full, read-only, no permission); the previous ones are intact."""


@dataclass(frozen=True)
class RunOutcome:
    """What a run produced: where, which notebooks, and whether all succeeded."""

    year: int
    folder: Path                 # outputs/DATASET/YEAR on success, outputs/DATASET/YEAR-failed otherwise
    entries: tuple[ReportEntry, ...]
    manifest: dict = field(repr=False)
    language: str = "es"

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
    treated flag, outcomes, ...; see :mod:`evaluation.importers.panel_config`),
    ``parameters`` (for every notebook that declares them), ``notebooks``
    (per-notebook parameters, keyed by short name, e.g. ``impact: {outcome: POL08}``)
    and ``only`` (the notebooks that apply to the data, as ``--only``, which
    overrides it: a panel that is not GCIO data has no costs or surveys).
    """

    path: Path | None = None
    data: Path | None = None
    parameters: dict = field(default_factory=dict)
    notebooks: dict = field(default_factory=dict)
    panel: Any = None  # evaluation.importers.panel_config.PanelConfig
    only: tuple[str, ...] = ()

    @classmethod
    def read(cls, path: str | Path) -> "RunConfig":
        path = Path(path)
        if path.is_dir():
            raise RunError(f"Config file {path} is a folder, not a YAML file. Fix: give the .yaml file itself.")
        if not path.is_file():
            raise RunError(f"Config file {path} does not exist.")
        try:
            raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[:exc.start].count(b"\n") + 1
            raise RunError(f"Config file {path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} on line "
                           f"{line}). Fix: save it as UTF-8 (in most editors: Save as, encoding UTF-8).") from exc
        except OSError as exc:
            raise RunError(f"Config file {path} cannot be read: {exc.strerror}.") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            what = " ".join(str(getattr(exc, "problem", None) or exc).split())
            fix = ("write the values out instead of repeating aliases" if isinstance(exc, YamlTooLargeError) else
                   "correct that line (a missing closing bracket or quote, or a tab used for indentation, is the "
                   "usual cause)")
            raise RunError(f"Config file {path} is not valid YAML{where}: {what}. Fix: {fix}.") from exc
        if not isinstance(raw, dict):
            raise RunError(f"Config file {path} must be a mapping of keys to values.")
        known = {"data", "panel", "parameters", "notebooks", "only"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise RunError(f"Config file {path}: unknown key(s) {unknown}. Valid keys: {sorted(known)}.")
        data = raw.get("data")
        if data is not None and not isinstance(data, str):
            raise RunError(f"Config file {path}: 'data' must be a folder name, e.g. data: ../my-data, not "
                           f"{data!r}.")
        if raw.get("parameters") is not None and not isinstance(raw["parameters"], dict):
            raise RunError(f"Config file {path}: 'parameters' must map parameter names to values, e.g. "
                           "parameters: {outcome: POL08}, not " f"{raw['parameters']!r}.")
        panel = None
        if raw.get("panel") is not None:
            from evaluation.importers.panel_config import PanelConfig, PanelConfigError

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
            notebooks=_per_notebook(raw.get("notebooks"), path),
            panel=panel,
            only=_names(raw.get("only"), path),
        )


def _per_notebook(value, path: Path) -> dict:
    """The config's ``notebooks:``: a mapping of notebook name to a mapping of parameters."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, dict) or v is None for v in value.values()):
        raise RunError(f"Config file {path}: 'notebooks' must map notebook names to their parameters, e.g. "
                       "notebooks: {impact: {outcome: POL08}}.")
    return {str(k): dict(v or {}) for k, v in value.items()}


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
                       "itself: use --year, --data, --output and --language instead.")
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
        owned = sorted(set(values) & set(RUN_PARAMETERS))
        if owned:
            raise RunError(f"Notebook '{name}' sets {owned} in the config's 'notebooks:' section; the runner sets "
                           "them itself (the data folder is checked and hashed, the output goes into a new "
                           "build, the language is one for the whole run). Remove them there and use --year, "
                           "--data, --output and --language instead.")
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


class QuietKernelManager(AsyncKernelManager):
    """The kernel manager of a run: local IPC sockets, and no interrupt at a normal shutdown.

    Two lines used to reach the console from every kernel. ``Kernel is running
    over TCP without encryption`` is ipykernel's warning for the TCP transport:
    the kernels run on this machine, so they talk over IPC (Unix sockets next
    to the connection file), which also ends the port race of kernels started
    at once. ``KeyboardInterrupt caught in kernel`` is ipykernel logging the
    SIGINT that jupyter_client sends before every shutdown request: the
    notebook has finished (or a cell timed out and nbclient has already
    interrupted it), so the shutdown request alone is sent; a kernel that does
    not exit within ``shutdown_wait_time`` is still terminated and killed.
    Real errors of the kernel still reach the console.
    """

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        # jupyter_client's default for IPC is "kernel-ipc" in the working folder: kernels started at once
        # would share sockets. One private prefix per kernel, in the temporary folder (socket paths must stay
        # under 108 bytes); jupyter_client removes the socket files when the kernel shuts down.
        if self.transport == "ipc":
            return os.path.join(tempfile.gettempdir(), f"gcio-kernel-{uuid.uuid4().hex[:16]}")
        return super()._ip_default()

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()

    def format_kernel_cmd(self, extra_arguments=None):
        # ipykernel may log a ZMQ error from its control stream while it shuts down ("Socket operation on
        # non-socket", a race in its I/O thread after the notebook has finished); that logger says nothing
        # about the notebook, whose errors reach the run through nbclient, so it is quietened in the kernel.
        quiet = "--IPKernelApp.exec_lines=import logging as _l; _l.getLogger('tornado.general').setLevel(_l.CRITICAL)"
        return super().format_kernel_cmd([*(extra_arguments or []), quiet])


@contextmanager
def _kernel_environment(values: dict[str, str]):
    """Set environment variables for the kernels started inside the block (they inherit them)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _SavedAtTheEnds(papermill.engines.NotebookExecutionManager):
    """papermill's execution record, written when the notebook starts and ends, not before and after every cell.

    papermill rewrites (and validates) the whole output notebook twice per cell, so that a person can
    watch a long notebook fill in; in a run nobody reads it before the end, and a report with 25 cells
    and its figures was written 50 times. Its periodic save during a long cell is kept, and the end is
    saved however the notebook ends (papermill's ``finally``), so a failed notebook keeps its outputs.
    """

    _per_cell = False

    def save(self, **kwargs):
        if not self._per_cell:
            super().save(**kwargs)

    def cell_start(self, cell, cell_index=None, **kwargs):
        self._per_cell = True
        try:
            super().cell_start(cell, cell_index, **kwargs)
        finally:
            self._per_cell = False

    def cell_complete(self, cell, cell_index=None, **kwargs):
        self._per_cell = True
        try:
            super().cell_complete(cell, cell_index, **kwargs)
        finally:
            self._per_cell = False


class _RunEngine(papermill.engines.NBClientEngine):
    """papermill's nbclient engine with :class:`_SavedAtTheEnds` as its execution record."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        record = _SavedAtTheEnds(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                 autosave_cell_every=autosave_cell_every)
        record.notebook_start()
        try:
            cls.execute_managed_notebook(record, kernel_name, log_output=log_output, **kwargs)
        finally:
            record.cleanup_pbar()
            record.notebook_complete()
        return record.nb


ENGINE = "gcio-run"
papermill.engines.papermill_engines.register(ENGINE, _RunEngine)


def _execute(notebook: str, target: str, parameters: dict, cwd: str, cell_timeout: float | None = CELL_TIMEOUT,
             start_timeout: float = START_TIMEOUT, environment: dict[str, str] | None = None) -> dict:
    """Run one notebook with papermill (top-level so worker processes can call it).

    A cell running longer than ``cell_timeout`` seconds fails the notebook. A
    kernel that fails to start (no cell ran: the port race of kernels started
    at once, a slow machine) is started again, up to ``KERNEL_START_ATTEMPTS``
    times in all.
    """
    started = time.perf_counter()
    status, error = "ok", ""
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        status, error = "ok", ""
        try:
            with _kernel_environment({**(environment or {}), RUN_ENV["report"]: Path(notebook).stem}):
                papermill.execute_notebook(
                    notebook, target, parameters=parameters, cwd=cwd,
                    kernel_name="python3", progress_bar=False, log_output=False, engine_name=ENGINE,
                    start_timeout=start_timeout, execution_timeout=cell_timeout,
                    kernel_manager_class=QuietKernelManager,
                )
        except papermill.PapermillExecutionError as exc:
            status = "failed"
            error = f"Cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        except Exception as exc:  # a kernel that died or timed out, a notebook that cannot be read
            status = "failed"
            if type(exc).__name__ == "CellTimeoutError":
                error = (f"A cell ran longer than the cell timeout ({cell_timeout:g} s) and was stopped; "
                         "raise it with --cell-timeout if the cell needs longer.")
            else:
                error = f"{type(exc).__name__}: {exc}"
            if not _any_cell_ran(target) and attempt < KERNEL_START_ATTEMPTS:
                continue  # the kernel never started: try again
            if not _any_cell_ran(target):
                error = f"The kernel did not start after {attempt} attempts: {error}"
        break
    return {"status": status, "error": error, "seconds": time.perf_counter() - started}


def _execute_and_export(notebook: str, target: str, parameters: dict, cwd: str, *, page: dict | None = None,
                        **limits) -> dict:
    """Run one notebook, then export its HTML page (top-level so worker processes can call it).

    ``page`` holds what :func:`_export_page` needs; without it, or if the export fails, the result has no
    ``title`` and the parent exports the page itself.
    """
    from evaluation.report import tables as report_tables

    result = _execute(notebook, target, parameters, cwd, **limits)
    if page is not None and Path(target).exists():
        try:
            report_tables.write_workbooks(Path(target).parent, Path(notebook).stem)
            result["title"] = _export_page(Path(target), Path(notebook).stem, ok=result["status"] == "ok", **page)
        except Exception:  # noqa: BLE001 - the parent tries again and reports a failure itself
            result.pop("title", None)
    _release_memory()  # a worker lives for the whole run: what this notebook's export freed goes back
    return result


def _export_page(executed: Path, stem: str, *, ok: bool, scrub, year, synthetic, data_name, version, dataset,
                 pdf) -> str:
    """Scrub the executed notebook, write its HTML page beside it, and return its title."""
    from evaluation.text.wording import Wording

    scrub.file(executed)
    executed_nb = nbformat.read(executed, as_version=4)
    page_language = notebook_language(executed_nb, "en")
    export_html(executed, executed.with_name(f"{stem}.html"), year=year, synthetic=synthetic, data_name=data_name,
                version=version, language=page_language, words=Wording.for_dataset(dataset, page_language),
                pdf=pdf and ok)
    return notebook_title(executed_nb, stem)


def _any_cell_ran(target: str) -> bool:
    """Whether the output notebook shows any executed code cell (False if there is none)."""
    try:
        nb = nbformat.read(target, as_version=4)
    except Exception:
        return False
    return any(c.get("execution_count") for c in nb.cells if c.get("cell_type") == "code")


def dataset_slug(dataset, config: "RunConfig | None" = None) -> str:
    """The folder of a dataset's outputs: ``demo`` for the demo data, else a safe slug of its name.

    The name is ``dataset.yml``'s ``name`` (a converted panel's ``labels.name``), else the
    config file's stem, else the data folder's name. The demo data (written by
    ``evaluation.demo``, name ``GCIO demo data``, synthetic) go to ``demo``.
    """
    metadata = getattr(dataset, "metadata", None) or {}
    name = str(metadata.get("name") or "").strip()
    if getattr(dataset, "synthetic", False) and name.startswith("GCIO demo data"):
        return DEMO_SLUG
    if not name and config is not None and config.path is not None:
        name = config.path.stem
    if not name:
        name = Path(getattr(dataset, "folder", "data")).name
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")[:60].strip("-")
    return slug or "data"


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def other_years(output_root: Path, year: int) -> list[int]:
    """Years that have a complete run in ``output_root`` (a dataset's folder: ``YYYY`` with an index)."""
    years = []
    for child in output_root.iterdir() if output_root.is_dir() else []:
        if child.name.isdigit() and len(child.name) == 4 and (child / "index.html").is_file():
            if int(child.name) != year:
                years.append(int(child.name))
    return sorted(years)


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
    cell_timeout: float | None = CELL_TIMEOUT,
    start_timeout: float = START_TIMEOUT,
    language: str | None = None,
    pdf: bool = True,
    plan: str | Path | None = None,
    input_copies: bool = True,
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
    jobs : how many notebooks run at once, from 1 to the number of notebooks run.
    output_root : where the dataset's ``DATASET/YEAR/`` folders go (default ``outputs/``).
    parameters : extra notebook parameters, checked against the notebooks' declared ones.
    cell_timeout : seconds one cell may run before its notebook fails (None: no limit).
    start_timeout : seconds a kernel may take to start; one that fails to start is retried.
    language : ``es`` or ``en`` for every report; None takes ``language:`` from ``dataset.yml`` (else ``es``).
    pdf : also write each report as PDF (skipped, with one message, where no Chromium is installed).
    plan : the analysis plan (``evaluation.plan``); None takes ``plan.yml`` of the data folder when there is one.
        Its values are the notebooks' parameters unless ``parameters`` gives another; each report is
        recorded as pre-specified or exploratory.
    input_copies : keep a gzip copy of every input file under ``inputs/`` (else only their hashes), so next
        year's run can say what changed (``evaluation.changes``).

    Only one run at a time writes a given output year: the run takes an
    exclusive lock (``output_root/.lock-YEAR``, released when the process ends,
    however it ends) and first finishes or rolls back any swap an earlier run
    was killed in, and removes its leftover build folders. SIGINT and SIGTERM
    stop the run and leave the previous outputs as they were; a signal that
    arrives during the final swap is acted on once the swap is rolled back.

    Raises
    ------
    RunError
        Before anything runs, if the data breaks the contract, the year is not
        in the data or a parameter or notebook name is unknown.
    RunBusy
        If another run holds the year's lock (the message says which process).
    OutputWriteError
        If the outputs cannot be written (disk full, read-only folder); the
        previous outputs of the year are left as they were.
    """
    from evaluation.context import report_language
    from evaluation.load.checks import ContractError
    from evaluation.load.dataset import load

    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if language is not None and str(language).strip():
        try:
            language = check_language(language)
        except UnknownLanguageError as exc:
            raise RunError(f"--{exc} Nothing was run.") from exc
    cfg = RunConfig.read(config) if config else RunConfig()
    try:
        output_is_file = output_root is not None and Path(output_root).exists() and not Path(output_root).is_dir()
    except OSError as exc:  # e.g. a folder name longer than the file system allows
        raise _bad_output(exc, output_root) from exc
    if output_is_file:
        raise RunError(f"--output '{output_root}' is a file, not a folder. Nothing was run. "
                       "Fix: give the folder where the YEAR/ output folders go (it is created if missing).")
    panel = cfg.panel if not data else None  # --data wins over the config, as it does over 'data:'
    if panel is not None:
        from evaluation.importers.panel_config import PanelConfigError, contract_folder

        try:
            data_dir = contract_folder(panel, Path(output_root or paths.OUTPUTS_DIR).resolve() / PANEL_CACHE)
        except PanelConfigError as exc:
            raise RunError(f"{exc}\nNothing was run.") from exc
    else:
        try:
            data_dir = paths.resolve_data_dir(data if data else cfg.data)
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise RunError(f"{exc} Nothing was run.") from exc
    try:
        dataset = load(data_dir)
    except ContractError as exc:
        raise RunError(f"The data in {data_dir} break the contract; nothing was run.\n{exc}") from exc
    if not dataset.years:
        raise RunError(f"The outcomes table in {data_dir} has no years with data.")
    try:
        language = report_language(language or "", dataset)
    except ValueError as exc:
        raise RunError(f"{exc} Nothing was run. Fix: write language: es or language: en there, or give "
                       "--language.") from exc
    if year in ("latest", None, ""):
        year = max(dataset.years)
    try:
        year = int(year)
    except (TypeError, ValueError) as exc:
        raise RunError(f"--year must be a year such as 2024 or 'latest', not {year!r}.") from exc
    if not min(dataset.years) <= year <= max(dataset.years):
        raise RunError(f"Year {year} is outside the outcome data in {data_dir} "
                       f"({min(dataset.years)}–{max(dataset.years)}). Pick a year in that range.")
    if year not in dataset.years:
        raise RunError(f"Year {year} has no outcome rows in {data_dir} (years with data: "
                       f"{', '.join(map(str, sorted(dataset.years)))}). Nothing was run. Fix: add that year's "
                       "rows to the outcomes table, or pick a year that has data.")

    notebooks_dir = Path(notebooks_dir or paths.NOTEBOOKS_DIR).resolve()
    suite = discover_notebooks(notebooks_dir)
    notebooks = select_notebooks(suite, only or list(cfg.only))
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= len(notebooks):
        raise RunError(f"--jobs must be a whole number from 1 to {len(notebooks)} (the number of notebooks "
                       f"this run executes), not {jobs!r}. Nothing was run.")
    for name, value in (("--cell-timeout", cell_timeout), ("--start-timeout", start_timeout)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
            raise RunError(f"{name} must be a positive number of seconds, not {value!r}. Nothing was run.")
    output_root = Path(output_root or paths.OUTPUTS_DIR).resolve() / dataset_slug(dataset, cfg)
    _refuse_inputs_inside_outputs(output_root, year, data_dir=data_dir, config=cfg.path, notebooks_dir=notebooks_dir,
                                  panel=panel)
    # Parameters are checked before the lock and before any folder is made: a typo must not wait for
    # another run, nor leave an empty dataset folder behind.
    base = {"year": year, "data_dir": str(data_dir), "output_dir": "<build>", "language": language}
    the_plan = _read_plan(plan, data_dir)
    explicit = dict(parameters or {})
    if the_plan is not None:
        declared_anywhere = {name for nb in suite for name in declared_parameters(nb)}
        planned = {k: v for k, v in the_plan.parameters().items() if k in declared_anywhere}
        explicit = {**{k: v for k, v in planned.items() if k not in cfg.parameters}, **explicit}
    per_notebook = build_parameters(notebooks, cfg, explicit, base, suite)
    try:
        output_root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ENAMETOOLONG, errno.EEXIST):
            # Not a write failure but a bad --output: a file on the way, or a name the file system cannot hold.
            raise _bad_output(exc, output_root) from exc
        raise _write_error(exc, output_root, year, started=False) from exc

    with _signals_as_interrupts(), _year_lock(output_root, year):
        _recover(output_root, year, say)
        for name in (str(year), f"{year}-failed"):
            target = output_root / name
            if target.exists() and not (target.is_dir() and (target / "manifest.json").is_file()):
                raise RunError(f"'{target}' exists but is not the output of a run (it has no manifest.json); "
                               "it is not replaced. Nothing was run. Fix: move it away, or give another --output.")
        _pause("locked")
        # The checked tables go to the notebooks (evaluation.load.checked_copy) and leave this process:
        # from here on the runner keeps the dataset without its outcome rows.
        checked = [dataset]
        dataset = _without_outcome_rows(dataset)
        try:
            return _build_and_swap(year, dataset, data_dir, panel, cfg, suite, notebooks, per_notebook,
                                   output_root, notebooks_dir, jobs, say, cell_timeout, start_timeout,
                                   language=language, pdf=pdf, plan=the_plan, input_copies=input_copies,
                                   checked=checked)
        except OSError as exc:
            raise _write_error(exc, output_root, year, started=True) from exc


def _bad_output(exc: OSError, output_root) -> RunError:
    reasons: dict[int | None, str] = {
        errno.ENAMETOOLONG: "a folder name in it is longer than the file system allows",
        errno.ENOTDIR: "a file is in the way (a part of the path is a file, not a folder)",
        errno.EEXIST: "a file is in the way (a part of the path is a file, not a folder)",
    }
    reason = reasons.get(exc.errno, exc.strerror or str(exc))
    return RunError(f"--output '{output_root}' cannot be used: {reason}. Nothing was run. Fix: give a folder path "
                    "made of existing folders, or of new ones with shorter names.")


def _refuse_inputs_inside_outputs(output_root: Path, year: int, **inputs) -> None:
    """Refuse a run whose data, config, panel file or notebooks sit inside the folders it replaces.

    The run replaces ``output_root/YEAR`` (or ``YEAR-failed``) as a whole and
    deletes the old folder; anything of the user's kept inside it would be
    deleted with it.
    """
    replaced = [output_root / str(year), output_root / f"{year}-failed"]
    for what, value in inputs.items():
        if value is None:
            continue
        if what == "panel":
            value = value.file
        where = Path(value).resolve()
        for folder in replaced:
            if where == folder or folder in where.parents:
                label = {"data_dir": "the data folder", "config": "the config file", "panel": "the panel file",
                         "notebooks_dir": "the notebooks folder"}[what]
                raise RunError(f"{label.capitalize()} {where} is inside {folder}, the output folder this run "
                               f"replaces (and deletes when the new one is complete). Nothing was run. Fix: move "
                               f"{label} out of {folder}, or give another --output.")


def _write_error(exc: OSError, output_root: Path, year: int, *, started: bool) -> OutputWriteError:
    reasons: dict[int | None, str] = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exhausted",
                                      errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
                                      errno.EPERM: "permission denied"}
    reason = reasons.get(exc.errno, exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    kept = (f" The previous outputs of {year} were left as they were." if started else "")
    return OutputWriteError(f"Could not write the outputs in {output_root}: {reason}{where}.{kept} "
                            "Fix: free space or make the folder writable (or give another --output), "
                            "then run again.")


def _build_and_swap(year, dataset, data_dir, panel, cfg, suite, notebooks, per_notebook, output_root,
                    notebooks_dir, jobs, say, cell_timeout, start_timeout, *, language="es",
                    pdf=True, plan=None, input_copies=True, checked=None) -> RunOutcome:
    from evaluation import cache, changes, plan as plans
    from evaluation.load import checked_copy
    from evaluation.report import changes as changes_page, tables as report_tables
    from evaluation.text.index import LANGUAGE_NAMES, LANGUAGE_NAMES_EN
    from evaluation.text.wording import Wording

    build = Path(tempfile.mkdtemp(prefix=f".building-{year}-", dir=output_root))
    build.chmod(0o755)  # mkdtemp makes it private; reports are meant to be shared
    per_notebook = {nb: {**params, **({"output_dir": str(build)} if "output_dir" in params else {})}
                    for nb, params in per_notebook.items()}
    scrub = _Scrubber(build=build, data_dir=data_dir, output_root=output_root, notebooks_dir=notebooks_dir)
    words = Wording.for_dataset(dataset, language)
    data_name = words.dataset_name or data_dir.name
    metadata = getattr(dataset, "metadata", None) or {}
    missing_file = build / MISSING_FILE
    environment = {MISSING_ENV: str(missing_file), RUN_ENV["language"]: language,
                   RUN_ENV["synthetic"]: "1" if dataset.synthetic else "0", RUN_ENV["data"]: data_name,
                   RUN_ENV["source"]: " ".join(str(metadata.get("source") or "").split()),
                   # Results the reports share (the impact estimate with its bootstrap) are computed once per
                   # run, in the run's private build folder (evaluation.cache).
                   cache.ENV: str(build / CACHE_DIR)}
    checks = {nb.stem: plans.check(plan, params) for nb, params in per_notebook.items()}
    environment[plans.CHECK_ENV] = json.dumps({stem: c.record() for stem, c in checks.items()})
    if plan is not None:
        say(f"Analysis plan {plan.name}: " + ("locked on " + str(plan.locked_date) if plan.locked else "not locked")
            + ("; EDITED AFTER ITS LOCK" if plan.edited_after_lock else "") + "; reports "
            + ", ".join(f"{stem} {c.label}" for stem, c in checks.items()) + ".")
    say(f"Reports in {LANGUAGE_NAMES_EN[language]} ({LANGUAGE_NAMES[language]}); data: {data_name}; "
        f"outputs: {output_root.name}/{year}/.")
    try:
        started = datetime.now(timezone.utc)
        inputs = input_files(dataset)
        if panel is not None:
            # The contract files above are derived; the file the numbers trace back to is the panel.
            key = panel.file.name if panel.file.name not in inputs else f"source_{panel.file.name}"
            inputs[key] = paths.file_sha256(panel.file)
        carried = _carry_over(output_root / str(year), build, notebooks, suite, inputs, say)
        if checked:
            # Checked once, here: every kernel of this run reads this copy instead of checking the files again.
            # The files were just hashed (inputs); the copy records the same hashes, by absolute path.
            full = checked.pop()
            folder = Path(full.folder)
            hashes = {str((folder / name).resolve()): digest for name, digest in inputs.items()
                      if (folder / name).is_file()}
            environment[checked_copy.ENV] = str(checked_copy.write(full, build / CACHE_DIR, hashes))
            del full
            _release_memory()
        pdf_maker = _pdf_maker() if pdf else None
        # Each notebook's page is exported by the worker that ran it, as soon as it is done, while the
        # other notebooks still run (the parent exports any page a worker could not).
        page = {"scrub": scrub, "year": year, "synthetic": dataset.synthetic, "data_name": data_dir.name,
                "version": __version__, "dataset": dataset, "pdf": pdf_maker is not None}
        results = _run_all(notebooks, per_notebook, build, notebooks_dir, jobs, say,
                           cell_timeout=cell_timeout, start_timeout=start_timeout, environment=environment,
                           page=page)
        _pause("notebooks-done")
        entries = [ReportEntry(name, rec["title"], rec["status"], rec["seconds"], rec["error"])
                   for name, rec in carried.items()]
        for nb in notebooks:
            res = results[nb]
            res["error"] = scrub.text(res["error"])
            executed = build / nb.name
            title = nb.stem
            if res.get("title"):  # exported by its worker
                title = res["title"]
            elif executed.exists():
                title = _export_page(executed, nb.stem, ok=res["status"] == "ok", **page)
            else:  # the notebook never started; still give the index something to link to
                not_run_page(build / f"{nb.stem}.html", nb.stem, res["error"], language)
                nbformat.write(nbformat.read(nb, as_version=4), executed)
            entries.append(ReportEntry(nb.stem, title, res["status"], res["seconds"], res["error"]))
            res["title"] = title
        order = [nb.stem for nb in suite]
        entries.sort(key=lambda e: order.index(e.name) if e.name in order else len(order))
        complete = all(e.status == "ok" for e in entries)
        report_tables.write_workbooks(build)  # the workbooks no worker wrote (each from its kernel's queue)
        shutil.rmtree(build / CACHE_DIR, ignore_errors=True)  # shared results stay inside the run
        changes.snapshot({name: Path(dataset.folder) / name for name in input_files(dataset)}, build,
                         copy=input_copies)
        if plan is not None:
            shutil.copyfile(plan.path, build / "plan.yml")
        recorded = provenance.record(notebooks=notebooks, parameters=per_notebook, data_dir=data_dir,
                                     output_dir=build, config=cfg.path,
                                     **({"plan": plan.path} if plan is not None else {}))
        manifest = {
            "year": year,
            "complete": complete,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            # Names only: a manifest is shared with the reports, and absolute paths name people and machines.
            "data_dir": data_dir.name,
            "dataset": output_root.name,
            "language": language,
            "synthetic_data": dataset.synthetic,
            "inputs": inputs,
            **({"panel": {"file": panel.file.name, "sha256": inputs[key], "mapping": panel.as_dict()}}
               if panel is not None else {}),
            "config": cfg.path.name if cfg.path else None,
            "package_version": __version__,
            "git_commit": recorded["git"]["commit"] or "unknown",
            "python": platform.python_version(),
            "notebooks": {
                **carried,
                **{nb.stem: {"title": results[nb]["title"],
                             "parameters": {k: v for k, v in per_notebook[nb].items()
                                            if k not in ("output_dir", "data_dir")},
                             "status": results[nb]["status"], "error": results[nb]["error"],
                             "seconds": round(results[nb]["seconds"], 2),
                             "ran": started.isoformat(timespec="seconds"),
                             "plan": checks[nb.stem].record()}
                   for nb in notebooks},
            },
            "plan": plan.record() if plan is not None else None,
            "input_copies": bool(input_copies),
            # Peak resident memory of the runner and of the largest kernel it ran (getrusage; Linux reports KiB).
            **_peak_memory(),
            "provenance": recorded,  # versions, code, notebook and config hashes, effective parameters
        }
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                             encoding="utf-8")
        _say_missing_translations(missing_file, language, say)
        previous = _previous_year(output_root, year)
        if complete and previous is not None:
            changes_link = changes_page.write(changes.compare(output_root / str(previous), build), build,
                                              language).name
            say(f"Changes since {previous}: {changes_link}.")
        for path in sorted(build.rglob("*")):
            if path.is_file() and path.suffix in _SCRUBBED_SUFFIXES and path.name != "manifest.json":
                scrub.file(path)
        if pdf_maker is not None:
            _write_pdfs(pdf_maker, build, [e for e in entries if e.name in {nb.stem for nb in notebooks}
                                           and e.status == "ok"], jobs, say)
        elif pdf:
            say("PDFs were skipped: no Chromium browser was found (or the playwright package that drives it is "
                "missing). To get them, install it (apt-get install chromium) and run again; --no-pdf silences "
                "this message.")
        write_index(build, year=year, entries=entries, other_years=other_years(output_root, year),
                    synthetic=dataset.synthetic, data_name=data_dir.name, version=__version__,
                    complete=complete, language=language, words=words)
        scrub.file(build / "index.html")
        target = output_root / (str(year) if complete else f"{year}-failed")
        _swap_in(build, target)
        if complete:
            shutil.rmtree(output_root / f"{year}-failed", ignore_errors=True)
            _refresh_other_indexes(output_root, year, dataset, say)
        return RunOutcome(year, target, tuple(entries), manifest, language)
    finally:
        # Interrupted (Ctrl-C, SIGTERM), crashed or out of disk before the swap: drop the partial build only.
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)


def _without_outcome_rows(dataset):
    """The dataset as the runner needs it once the notebooks have their checked copy: no outcome rows."""
    import dataclasses

    return dataclasses.replace(dataset, outcomes=dataset.outcomes.iloc[:0].copy())


def _release_memory() -> None:
    """Give freed table memory back to the system (the kernels need it more than the runner)."""
    from evaluation.load.readers import release_freed_memory

    gc.collect()
    release_freed_memory()


def _peak_memory() -> dict:
    try:
        import resource
    except ImportError:  # not on this platform
        return {}
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kernels = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_memory_mb": round(max(own, kernels), 1), "peak_runner_memory_mb": round(own, 1),
            "peak_kernel_memory_mb": round(kernels, 1)}


def _read_plan(plan, data_dir: Path):
    """The analysis plan given, or ``plan.yml`` of the data folder; a plan that cannot be read stops the run."""
    from evaluation import plan as plans

    path = Path(plan) if plan else Path(data_dir) / "plan.yml"
    if not plan and not path.is_file():
        return None
    try:
        return plans.read(path)
    except plans.PlanError as exc:
        raise RunError(f"{exc} Nothing was run.") from exc


def _previous_year(output_root: Path, year: int) -> int | None:
    """The latest complete earlier year of the same dataset (its manifest says complete)."""
    found = []
    for y in other_years(output_root, year):
        manifest = output_root / str(y) / "manifest.json"
        if y < year and manifest.is_file():
            try:
                if json.loads(manifest.read_text(encoding="utf-8")).get("complete"):
                    found.append(y)
            except (OSError, ValueError):
                continue
    return max(found) if found else None


def _say_missing_translations(record: Path, language: str, say) -> None:
    """Say once how many messages the kernels showed in English; the record never reaches the outputs."""
    from evaluation.text.index import LANGUAGE_NAMES_EN

    if not record.is_file():
        return
    try:
        lines = {line for line in record.read_text(encoding="utf-8").splitlines()
                 if line.startswith(f"{language}\t")}
    finally:
        record.unlink(missing_ok=True)
    if lines:
        say(f"{len(lines)} message(s) have no {LANGUAGE_NAMES_EN[language]} translation and are shown in English "
            "(see evaluation/text/locale/; tests/test_translations.py lists them).")


def _refresh_other_indexes(output_root: Path, year: int, dataset, say) -> None:
    """Rewrite the index of every other complete year of the dataset, so it links the year just added.

    Each is rebuilt from its own manifest, under that year's lock (a year being
    written by another run is skipped: that run writes its index itself), and
    replaced atomically.
    """
    import fcntl

    from evaluation.text.wording import Wording

    for other in other_years(output_root, year):
        folder = output_root / str(other)
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        path = lock_path(output_root, other)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            language = manifest.get("language") or "en"
            entries = [ReportEntry(name, rec.get("title", name), rec.get("status", "ok"),
                                   float(rec.get("seconds", 0.0)), rec.get("error", ""))
                       for name, rec in manifest.get("notebooks", {}).items()]
            staging = folder / ".index-staging"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            try:
                for entry in entries:  # so that the rebuilt index links the same PDFs and workbooks
                    for name in (entry.pdf_file, entry.workbook_file):
                        if (folder / name).is_file():
                            (staging / name).parent.mkdir(parents=True, exist_ok=True)
                            (staging / name).touch()
                words = Wording.for_dataset(dataset, check_language(language))
                write_index(staging, year=other, entries=entries,
                            other_years=other_years(output_root, other), synthetic=manifest.get("synthetic_data",
                                                                                                 False),
                            data_name=manifest.get("data_dir", ""),
                            version=manifest.get("package_version", ""), complete=manifest.get("complete", True),
                            language=language, words=words,
                            generated=datetime.fromisoformat(manifest["finished"]) if manifest.get("finished")
                            else None)
                os.replace(staging / "index.html", folder / "index.html")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            say(f"The index of {other} could not be updated to list {year} ({exc.strerror or exc}); "
                "its reports are unchanged.")
        finally:
            os.close(fd)


# ---------------------------------------------------------------- PDF


def find_chromium() -> str | None:
    """Debian's Chromium (``apt-get install chromium``), or another ``chromium`` on the PATH."""
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _pdf_maker() -> str | None:
    """The Chromium that prints the PDFs, or None (no browser, or no playwright to drive it)."""
    executable = find_chromium()
    if executable is None:
        return None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return None
    return executable


#: Chromium flags for printing local, self-contained pages: no sandbox (runs as root in containers), no
#: network services.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


def print_pdfs(executable: str, pages: list[tuple[Path, Path]], at_once: int = 1) -> list[str]:
    """Print each HTML page to its PDF with headless Chromium, as nbconvert's ``webpdf`` exporter does.

    ``webpdf`` (nbconvert 7) renders the notebook again and launches
    playwright's own downloaded browser, with no way to name the system's
    Chromium; this prints the report pages already exported, with the
    print stylesheet (``emulate_media("print")``), A4 pages and backgrounds,
    in one browser, ``at_once`` pages (tabs) at a time. Nothing is fetched:
    the pages are self-contained and any request that is not a local file is
    aborted.

    One browser with several tabs rather than one browser per process: each
    browser brings its own driver, browser and helper processes (about
    400 MB on the 6.24M-row benchmark's run), which two at once added to the
    run's peak memory.

    Returns
    -------
    list of str
        One message per page that failed (its tab goes on with the next page) and per tab that could not
        be opened; empty when every page was printed.
    """
    import asyncio

    from playwright.async_api import async_playwright

    queue = list(pages)

    async def new_tab(browser):
        page = await browser.new_page()
        await page.route("**/*", lambda route: route.continue_()
                         if route.request.url.startswith(("file:", "data:")) else route.abort())
        await page.emulate_media(media="print")
        return page

    async def tab(browser):
        page = await new_tab(browser)
        failed = []
        while queue:
            html_file, pdf_file = queue.pop(0)
            try:
                await page.goto(html_file.as_uri(), wait_until="load")
                await page.pdf(path=str(pdf_file), format="A4", print_background=True,
                               margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            except Exception as exc:  # noqa: BLE001 - this page has no PDF; the next one may still print
                failed.append(f"{html_file.name}: {type(exc).__name__}: {exc}")
                # a failed navigation can leave the tab unusable (its next page fails too): a fresh tab
                await page.close()
                page = await new_tab(browser)
        await page.close()
        return failed

    async def main():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
            try:
                return await asyncio.gather(*(tab(browser) for _ in range(max(1, min(at_once, len(pages))))),
                                            return_exceptions=True)
            finally:
                await browser.close()

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        outcomes = asyncio.run(main())
    else:  # the runner called from a notebook, whose event loop runs in this thread: a thread of its own
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as thread:
            outcomes = thread.submit(asyncio.run, main()).result()
    errors = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors.append(f"{type(outcome).__name__}: {outcome}")
        else:
            errors.extend(outcome)
    return errors


def _write_pdfs(executable: str, build: Path, entries: list[ReportEntry], jobs: int, say) -> None:
    """The PDFs of the reports that ran, after their HTML; ``jobs`` pages at once. Never fails the run."""
    pages = [(build / e.html_file, build / e.pdf_file) for e in entries if (build / e.html_file).is_file()]
    if not pages:
        return
    started = time.perf_counter()
    try:
        errors = print_pdfs(executable, pages, at_once=jobs)
    except Exception as exc:  # a PDF is a copy for filing; the HTML report stands without it
        errors = [f"{type(exc).__name__}: {exc}"]
    made = sum(1 for _, pdf_file in pages if pdf_file.is_file())
    if errors:
        say(f"PDFs: {made} of {len(pages)} written; Chromium failed: {errors[0].splitlines()[0]}")
    else:
        say(f"PDFs: {made} written ({time.perf_counter() - started:.1f} s).")


def input_files(dataset) -> dict[str, str]:
    """SHA-256 of the files a run reads, by name relative to the data folder.

    Only the contract's files: the tables found, ``dataset.yml`` and, for
    synthetic data, ``truth.csv``. Anything else in the folder (notes, private
    files) is neither read nor recorded.
    """
    folder = Path(dataset.folder)
    files = list(dataset.files.values())
    meta = paths.metadata_file(folder)
    if meta is not None:
        files.append(meta)
    if dataset.synthetic and (folder / "truth.csv").is_file():
        files.append(folder / "truth.csv")
    return {Path(os.path.relpath(p, folder)).as_posix(): paths.file_sha256(p) for p in sorted(set(files))}


#: Text files of a build folder in which absolute paths are replaced by names.
_SCRUBBED_SUFFIXES = (".ipynb", ".html", ".csv", ".json", ".txt", ".md", ".svg")


class _Scrubber:
    """Replace absolute paths (the data folder, the build, the home folder, ...) by plain names.

    Reports, notebooks and tables are shared; a path like ``/home/maria/...``
    names a person and a machine. The injected parameters cell, error
    tracebacks and warnings would otherwise carry them.
    """

    def __init__(self, *, build: Path, data_dir: Path, output_root: Path, notebooks_dir: Path):
        pairs: dict[str, str] = {}
        for path, label in ((build, "."), (output_root, output_root.name),
                            (output_root.parent, output_root.parent.name), (data_dir, data_dir.name),
                            (notebooks_dir, notebooks_dir.name),
                            (paths.PROJECT_ROOT, "[project]"), (Path(sys.prefix), "[python]"),
                            (Path.home(), "~"), (Path(tempfile.gettempdir()), "[tmp]")):
            for form in {str(path), str(Path(path).resolve())}:
                if len(form) > 1:
                    pairs.setdefault(form, label)
        # Longest first, so the data folder inside the home folder becomes its name, not "~/...".
        self.pairs = dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))
        # Whole paths only: not preceded or followed by a character that would continue a name or a
        # base64 run, so that embedded images (base64 text, where "/tmp" can occur by chance) stay intact.
        alternatives = "|".join(re.escape(old) for old in self.pairs)
        self.pattern = re.compile(f"(?<![A-Za-z0-9+/])(?:{alternatives})(?![A-Za-z0-9+_=-])")

    def text(self, value: str) -> str:
        return self.pattern.sub(lambda m: self.pairs[m.group(0)], value)

    def file(self, path: Path) -> None:
        try:
            original = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return
        cleaned = self.text(original)
        if cleaned != original:
            path.write_text(cleaned, encoding="utf-8")


# ---------------------------------------------------------------- one run at a time, crash-safe swap


def _pause(point: str) -> None:
    """Test-only: wait at ``point`` when ``GCIO_EVAL_PAUSE_AT`` names it, until a signal arrives."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    marker = os.environ.get(PAUSE_FILE_ENV)
    if marker:
        Path(marker).write_text(f"{point} {os.getpid()}\n", encoding="utf-8")
    while not _DEFERRED:  # a signal deferred during the swap ends the pause too
        time.sleep(0.05)


#: Signals that arrived while the swap was in progress; acted on when it is safe.
_DEFERRED: list[int] = []
_IN_SWAP = threading.Event()


def _on_signal(signum, frame):
    if _IN_SWAP.is_set():
        _DEFERRED.append(signum)
        return
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextmanager
def _signals_as_interrupts():
    """SIGTERM (a scheduler stopping the job, ``kill``) is handled like Ctrl-C, for the whole run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def lock_path(output_root: Path, year: int | str) -> Path:
    """The lock file of a year's outputs; ``year`` a number or the digits of a folder name (the same file)."""
    return Path(output_root) / f".lock-{year}"


@contextmanager
def _year_lock(output_root: Path, year: int):
    """Hold the exclusive lock of ``output_root/YEAR``; the kernel releases it when the process ends."""
    import fcntl

    path = lock_path(output_root, year)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except IsADirectoryError:
        raise RunError(f"{path} is a folder, but it is where a run of {year} keeps its lock. Nothing was run. "
                       f"Fix: move that folder away (a run recreates the lock file itself).") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunBusy(f"Another run is writing the outputs of {year} in {output_root} "
                          f"({_holder(path)}). Nothing was run. Fix: wait for it to finish and run again; a "
                          "lock is released as soon as its process ends, so a stale lock is impossible.") from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        yield
    finally:
        os.close(fd)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return f"process {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError):
        return "a process that has not written its name yet"


def _lock_is_free(output_root: Path, year: str) -> bool:
    import fcntl

    path = lock_path(output_root, year)
    if not path.exists():
        return True
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _journal(root: Path, target_name: str) -> Path:
    return root / f".swap-{target_name}.json"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _swap_in(build: Path, target: Path) -> None:
    """Replace ``target`` by the complete ``build`` folder, recoverably.

    A journal (``.swap-NAME.json``) is written first, naming the build and
    where the old folder goes; then two renames; then the journal is removed
    (the commit) and the old folder deleted. SIGINT/SIGTERM during these steps
    are deferred: the swap is rolled back and the interrupt raised. A SIGKILL
    or power cut leaves the journal, and the next run of the year settles it
    (``_recover``): the old outputs come back if the build had not been moved
    in yet, the new ones stay if it had.
    """
    root = target.parent
    previous = root / f".previous-{target.name}-{os.getpid()}"
    journal = _journal(root, target.name)
    _IN_SWAP.set()
    try:
        record = {"target": target.name, "build": build.name,
                  "previous": previous.name if target.exists() else None}
        with open(journal, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _fsync_dir(root)
        _pause("swap-start")
        if not _DEFERRED and record["previous"]:
            target.rename(previous)
        _pause("swap-middle")
        if not _DEFERRED:
            build.rename(target)
            _fsync_dir(root)
        _pause("swap-end")
        if _DEFERRED and build.exists():
            _settle(root, record)  # interrupted before the build was moved in: put the old folder back
            raise KeyboardInterrupt("interrupted during the swap; rolled back")
        journal.unlink()
        _fsync_dir(root)
    except OSError:
        if journal.exists():
            _settle(root, json.loads(journal.read_text(encoding="utf-8")))
        raise
    finally:
        _IN_SWAP.clear()
        _DEFERRED.clear()
    _remove(previous)


def _remove(path: Path) -> None:
    """Delete an old output folder; if ``outputs/YEAR`` was a link the user made, remove the link only.

    (``shutil.rmtree`` refuses links, and with ``ignore_errors`` the link would stay behind for ever as a
    hidden ``.previous-YEAR-PID``.) What the link points to is never touched.
    """
    if path.is_symlink():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)


def _settle(root: Path, record: dict) -> str:
    """Finish or roll back a swap described by its journal; return what was done."""
    target = root / record["target"]
    build = root / record["build"]
    previous = root / record["previous"] if record.get("previous") else None
    if build.exists():
        # The new build never became the target: roll back to the old folder.
        if previous is not None and previous.exists() and not target.exists():
            previous.rename(target)
        shutil.rmtree(build, ignore_errors=True)
        done = "rolled back"
    else:
        done = "finished"
        if previous is not None and previous.exists():
            if target.exists():
                _remove(previous)
            else:  # cannot happen with our order of steps, but never lose the old outputs
                previous.rename(target)
                done = "rolled back"
    _journal(root, record["target"]).unlink(missing_ok=True)
    _fsync_dir(root)
    return done


def _recover(output_root: Path, year: int, say) -> None:
    """Under the year's lock: settle interrupted swaps and remove what killed runs left behind."""
    for name in (str(year), f"{year}-failed"):
        journal = _journal(output_root, name)
        if journal.is_file():
            try:
                record = json.loads(journal.read_text(encoding="utf-8"))
            except ValueError:  # killed while writing the journal: the swap had not started
                journal.unlink()
                continue
            done = _settle(output_root, record)
            say(f"A run of {name} had been stopped during its final swap; the swap was {done}.")
    # Leftovers without a journal (a run killed before the swap, or by an older version between renames).
    for child in sorted(output_root.glob(".previous-*")):
        target_name = child.name[len(".previous-"):].rsplit("-", 1)[0]
        if target_name not in (str(year), f"{year}-failed"):
            continue
        target = output_root / target_name
        if not target.exists():
            child.rename(target)
            say(f"Restored {target_name}/ from {child.name}, left by a run stopped during its swap.")
        else:
            _remove(child)
    for child in sorted(output_root.glob(".building-*")):
        child_year = child.name[len(".building-"):].split("-", 1)[0]
        if child_year == str(year) or (child_year.isdigit() and _lock_is_free(output_root, child_year)):
            shutil.rmtree(child, ignore_errors=True)


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
        for suffix in (".html", ".ipynb", ".pdf"):
            if (previous / f"{name}{suffix}").is_file():
                shutil.copy2(previous / f"{name}{suffix}", build / f"{name}{suffix}")
        carried[name] = {"title": record.get("title", name), **record}
    if (previous / "tables").is_dir():
        shutil.copytree(previous / "tables", build / "tables", dirs_exist_ok=True)
        for name in running:  # a report run again writes its workbook afresh, without the old sheets
            (build / "tables" / f"{name}.xlsx").unlink(missing_ok=True)
    if carried:
        say(f"Keeping {len(carried)} report(s) of the previous run: {', '.join(carried)}.")
    return carried


def _run_all(notebooks, per_notebook, build, cwd, jobs, say, *, cell_timeout=CELL_TIMEOUT,
             start_timeout=START_TIMEOUT, environment=None, page=None) -> dict[Path, dict]:
    total = len(notebooks)
    results: dict[Path, dict] = {}
    limits = {"cell_timeout": cell_timeout, "start_timeout": start_timeout, "environment": environment,
              "page": page}

    def report(i, nb, res):
        mark = "done" if res["status"] == "ok" else f"FAILED: {res['error']}"
        say(f"[{i}/{total}] {nb.stem}: {mark} ({res['seconds']:.1f} s)")

    if jobs <= 1 or total == 1:
        for i, nb in enumerate(notebooks, 1):
            say(f"[{i}/{total}] {nb.stem}: running ...")
            results[nb] = _execute_and_export(str(nb), str(build / nb.name), per_notebook[nb], str(cwd), **limits)
            report(i, nb, results[nb])
        return results
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        futures = {}
        # The workers are forked at the first submit and share this process's memory until they write to
        # it; the garbage collector of a worker visiting the objects inherited would write to every page
        # holding one. Frozen, it leaves them alone (this process unfreezes once they are started).
        gc.collect()
        gc.freeze()
        try:
            for nb in notebooks:
                say(f"[{notebooks.index(nb) + 1}/{total}] {nb.stem}: queued")
                futures[nb] = pool.submit(_execute_and_export, str(nb), str(build / nb.name), per_notebook[nb],
                                          str(cwd), **limits)
        finally:
            gc.unfreeze()
        for i, nb in enumerate(notebooks, 1):
            results[nb] = futures[nb].result()
            report(i, nb, results[nb])
    except BaseException:
        # Interrupted: stop the workers now instead of waiting for their notebooks to finish.
        # Each worker stops its kernel on SIGTERM (it inherited the handler); wait for that, so that no
        # worker still writes into the build folder when it is removed.
        workers = list((getattr(pool, "_processes", None) or {}).values())
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=15)
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results
