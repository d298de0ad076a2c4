"""``gcio-eval``: the command line of the evaluation suite.

    gcio-eval run --year 2025 [--data DIR] [--config FILE] [--only NAME ...] [--jobs N]
                  [--language es|en] [--no-pdf] [--cell-timeout S] [--start-timeout S]
    gcio-eval check --data DIR
    gcio-eval demo --out DIR [--force] [--seed N] [--effect-scale X] [--municipalities N] [--pretrend-slope S]
    gcio-eval refresh-notebooks
    gcio-eval import-furag FILE... --out DIR [--force]
    gcio-eval adoption-template --out DIR [--force] [--entities FILE_OR_DIR]

Exit codes: 0 done; 1 a notebook failed (run) or the data have errors (check);
2 a usage or input problem (bad option, missing or unreadable data folder,
config or --out); 3 the outputs could not be written (disk full, read-only);
4 another run holds the same output year; 130 interrupted (Ctrl-C, SIGTERM).
Every such stop prints one message, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import sys
from pathlib import Path

import yaml

from evaluation.safe import load_yaml

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_WRITE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def _say(message: object) -> None:
    print(f"gcio-eval: {message}", file=sys.stderr)


def _seconds(text: str) -> float | None:
    """``--cell-timeout``: a positive number of seconds, or 0/none for no limit."""
    if text.strip().lower() in ("0", "none", "off"):
        return None
    return _positive_seconds(text)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of notebooks, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _language(text: str) -> str:
    from evaluation.text.i18n import UnknownLanguageError, check_language

    try:
        return check_language(text)
    except UnknownLanguageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param takes NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    try:
        return name.strip(), load_yaml(value)
    except yaml.YAMLError as exc:
        raise argparse.ArgumentTypeError(f"--param {text!r}: the value is not a YAML value ({exc})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gcio-eval", description="Evaluation suite for the GCIO programme.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="execute the notebooks for one year into outputs/DATASET/YEAR")
    p_run.add_argument("--year", default="latest", help="evaluation year, or 'latest' (default)")
    p_run.add_argument("--data", help="folder with the contract files (default: embedded demo data)")
    p_run.add_argument("--config", help="YAML run configuration")
    p_run.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (e.g. impact)")
    p_run.add_argument("--jobs", type=_jobs, default=1,
                       help="notebooks run at once, 1 to the number of notebooks run (default 1)")
    p_run.add_argument("--cell-timeout", type=_seconds, default=1800, metavar="SECONDS",
                       help="stop a cell that runs longer and fail its notebook (default 1800 = 30 min; 0: none)")
    p_run.add_argument("--start-timeout", type=_positive_seconds, default=120, metavar="SECONDS",
                       help="seconds a kernel may take to start; it is retried twice (default 120)")
    p_run.add_argument("--output", help="folder for the DATASET/YEAR/ outputs (default: outputs/)")
    p_run.add_argument("--notebooks", help="folder of notebooks to run (default: the suite's notebooks/)")
    p_run.add_argument("--param", action="append", type=_parse_param, default=[], metavar="NAME=VALUE",
                       help="notebook parameter, e.g. --param outcome=POL08 (repeatable)")
    p_run.add_argument("--language", type=_language, default=None, metavar="{es,en}",
                       help="language of every report: es (español) or en (English); default: dataset.yml's "
                            "language, else es")
    p_run.add_argument("--no-pdf", dest="pdf", action="store_false",
                       help="do not print the reports as PDF (they need Chromium)")
    p_run.add_argument("--plan", help="analysis plan (plan.yml); default: plan.yml of the data folder, if any")
    p_run.add_argument("--no-input-copies", dest="input_copies", action="store_false",
                       help="keep only the hashes of the input files under inputs/, not gzip copies "
                            "(confidential data; next year's changes page then compares files, not rows)")

    p_plan = sub.add_parser("plan", help="write or lock the analysis plan (pre-registration)")
    plan_sub = p_plan.add_subparsers(dest="plan_command", required=True)
    p_plan_init = plan_sub.add_parser("init", help="write a new plan.yml with every choice and its default")
    p_plan_init.add_argument("--out", default="plan.yml", help="file to write (default: plan.yml)")
    p_plan_init.add_argument("--force", action="store_true", help="replace an existing plan file")
    p_plan_lock = plan_sub.add_parser("lock", help="validate the plan and record its hash and date in it")
    p_plan_lock.add_argument("file", help="the plan file")
    p_plan_lock.add_argument("--data", help="data folder the plan's values are checked against "
                                            "(default: embedded demo data)")

    p_package = sub.add_parser("package", help="write the replication package (zip) of one year's run")
    p_package.add_argument("--year", required=True, type=int, help="the evaluation year of the run")
    p_package.add_argument("--dataset", default="demo",
                           help="the dataset's output folder under --output (default: demo)")
    p_package.add_argument("--output", help="folder holding the DATASET/YEAR/ outputs (default: outputs/)")
    p_package.add_argument("--out", help="zip file to write (default: replication-DATASET-YEAR.zip next to "
                                         "the year's folder)")
    p_package.add_argument("--with-data", action="store_true",
                           help="include the input files (default: only their hashes, for confidential data)")
    p_package.add_argument("--force", action="store_true", help="replace an existing zip")

    p_check = sub.add_parser("check", help="check a data folder against the contract")
    p_check.add_argument("--data", help="folder with the contract files (default: embedded demo data)")

    p_demo = sub.add_parser("demo", help="write the synthetic demo dataset")
    p_demo.add_argument("--out", required=True, help="folder to write")
    p_demo.add_argument("--force", action="store_true", help="replace the demo files already in --out")
    p_demo.add_argument("--seed", type=int, default=2016)
    p_demo.add_argument("--effect-scale", type=float, default=1.0, help="multiplies every true effect (0 = none)")
    p_demo.add_argument("--municipalities", type=int, default=None, help="keep only N municipalities (small demo)")
    p_demo.add_argument("--pretrend-slope", type=float, default=0.0,
                        help="points a year by which adopters' untreated outcome drifts relative to non-adopters, "
                             "before and after adoption, given the covariates (0 = parallel trends hold)")

    sub.add_parser("refresh-notebooks", help="re-execute notebooks and keep only the outputs nbval checks")

    p_furag = sub.add_parser("import-furag", help="read FURAG results workbooks into outcomes.csv and entities.csv")
    p_furag.add_argument("files", nargs="+", metavar="FILE",
                         help="results workbooks, e.g. Resultados_vig2022_nacion.xlsx")
    p_furag.add_argument("--out", required=True, help="folder to write outcomes.csv and entities.csv to")
    p_furag.add_argument("--force", action="store_true", help="replace outcomes.csv and entities.csv in --out")

    p_template = sub.add_parser("adoption-template", help="write the adoption registry template (CSV and XLSX)")
    p_template.add_argument("--out", required=True, help="folder to write the templates to")
    p_template.add_argument("--force", action="store_true", help="replace the templates already in --out")
    p_template.add_argument("--entities", help="entities file, or a data folder holding one, to list in the XLSX")

    args = parser.parse_args(argv)  # argparse prints the usage and exits 2 on a bad option
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        _say("interrupted; nothing was changed.")
        return EXIT_INTERRUPTED
    except OSError as exc:
        # Anything the commands below did not turn into a message themselves.
        code = EXIT_WRITE if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM) \
            else EXIT_USAGE
        where = f": {exc.filename}" if exc.filename else ""
        _say(f"{exc.strerror or exc}{where}.")
        return code


def _dispatch(args) -> int:
    from evaluation.paths import OutputFolderError

    if args.command == "import-furag":
        return _import_furag(args)
    if args.command == "adoption-template":
        return _adoption_template(args)
    if args.command == "run":
        return _run(args)
    if args.command == "check":
        return _check(args)
    if args.command == "plan":
        return _plan(args)
    if args.command == "package":
        return _package(args)
    if args.command == "demo":
        from evaluation.demo import write_demo

        try:
            folder = write_demo(Path(args.out), seed=args.seed, effect_scale=args.effect_scale,
                                municipalities=args.municipalities, pretrend_slope=args.pretrend_slope,
                                force=args.force)
        except (OutputFolderError, ValueError) as exc:
            _say(exc)
            return EXIT_USAGE
        print(folder)
        return EXIT_OK
    if args.command == "refresh-notebooks":
        from evaluation.notebook_tools import refresh_checked_outputs
        from evaluation.runner import discover_notebooks

        for nb in discover_notebooks():
            refresh_checked_outputs(nb)
            print(f"refreshed {nb}")
        return EXIT_OK
    return EXIT_USAGE


def _run(args) -> int:
    from evaluation.runner import OutputWriteError, RunBusy, RunError, run

    try:
        outcome = run(args.year, data=args.data, config=args.config, only=args.only, jobs=args.jobs,
                      output_root=args.output, notebooks_dir=args.notebooks, parameters=dict(args.param),
                      cell_timeout=args.cell_timeout, start_timeout=args.start_timeout,
                      language=args.language, pdf=args.pdf, plan=args.plan,
                      input_copies=args.input_copies)
    except RunBusy as exc:
        _say(exc)
        return EXIT_BUSY
    except OutputWriteError as exc:
        _say(exc)
        return EXIT_WRITE
    except RunError as exc:
        _say(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted; earlier outputs were left as they were.")
        return EXIT_INTERRUPTED
    if outcome.ok:
        print(outcome.index)
        return EXIT_OK
    failed = [e.name for e in outcome.entries if e.status != "ok"]
    _say(f"{len(failed)} notebook(s) failed: {', '.join(failed)}. "
         f"See {outcome.index}; the previous complete outputs of {outcome.year} were left in place.")
    print(outcome.index)
    return EXIT_FAILED


def _plan(args) -> int:
    from evaluation import plan as plans

    try:
        if args.plan_command == "init":
            print(plans.init(Path(args.out), force=args.force))
            return EXIT_OK
        from evaluation import paths
        from evaluation.load.checks import ContractError
        from evaluation.load.dataset import load

        try:
            data = load(paths.resolve_data_dir(args.data or ""))
        except (ContractError, FileNotFoundError, NotADirectoryError) as exc:
            _say(f"the plan's values are checked against the data, which cannot be read: {exc}")
            return EXIT_USAGE
        locked = plans.lock(Path(args.file), data)
        print(f"{args.file}: locked on {locked.locked_date}, sha256 {locked.sha256}")
        return EXIT_OK
    except plans.PlanError as exc:
        _say(exc)
        return EXIT_USAGE


def _package(args) -> int:
    from evaluation import paths, replication

    root = Path(args.output) if args.output else paths.OUTPUTS_DIR
    run_folder = root / args.dataset / str(args.year)
    target = Path(args.out) if args.out else root / args.dataset / f"replication-{args.dataset}-{args.year}.zip"
    if target.exists() and not args.force:
        _say(f"{target} exists; pass --force to replace it.")
        return EXIT_USAGE
    locks = sorted((paths.PROJECT_ROOT / "requirements").glob("*.lock.txt"))
    try:
        written = replication.build(run_folder, target, with_data=args.with_data,
                                    plan_file=None, lock_files=locks)
    except replication.PackageError as exc:
        _say(exc)
        return EXIT_USAGE
    print(written)
    return EXIT_OK


def _import_furag(args) -> int:
    from evaluation.importers.furag import FuragError, import_furag
    from evaluation.paths import OutputFolderError

    try:
        report = import_furag(args.files, args.out, force=args.force)
    except (FuragError, OutputFolderError) as exc:
        _say(exc)
        return EXIT_USAGE
    print(report)
    return EXIT_OK


def _adoption_template(args) -> int:
    from evaluation.importers.registry import RegistryError, write_template
    from evaluation.paths import OutputFolderError

    try:
        written = write_template(args.out, entities=args.entities, force=args.force)
    except (RegistryError, OutputFolderError) as exc:
        _say(exc)
        return EXIT_USAGE
    for path in written:
        print(path)
    return EXIT_OK


def _check(args) -> int:
    from evaluation import paths
    from evaluation.load.checks import check

    try:
        folder = paths.resolve_data_dir(args.data)
    except (FileNotFoundError, NotADirectoryError) as exc:
        _say(exc)
        return EXIT_USAGE
    problems = check(folder)
    print(problems)
    return EXIT_OK if problems.ok else EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
