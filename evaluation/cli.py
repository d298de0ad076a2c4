"""``gcio-eval``: the command line of the evaluation suite.

    gcio-eval run --year 2025 [--data DIR] [--config FILE] [--only NAME ...] [--jobs N]
    gcio-eval check --data DIR
    gcio-eval demo --out DIR [--seed N] [--effect-scale X] [--municipalities N]
    gcio-eval refresh-notebooks
    gcio-eval import-furag FILE... --out DIR
    gcio-eval adoption-template --out DIR [--entities FILE_OR_DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml


def _parse_param(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param takes NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    return name.strip(), yaml.safe_load(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gcio-eval", description="Evaluation suite for the GCIO programme.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_run = sub.add_parser("run", help="execute the notebooks for one year into outputs/YEAR")
    p_run.add_argument("--year", default="latest", help="evaluation year, or 'latest' (default)")
    p_run.add_argument("--data", help="folder with the contract files (default: embedded demo data)")
    p_run.add_argument("--config", help="YAML run configuration")
    p_run.add_argument("--only", nargs="+", metavar="NAME", help="run only these notebooks (e.g. impact)")
    p_run.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1)")
    p_run.add_argument("--output", help="folder for YEAR/ outputs (default: outputs/)")
    p_run.add_argument("--notebooks", help="folder of notebooks to run (default: the suite's notebooks/)")
    p_run.add_argument("--param", action="append", type=_parse_param, default=[], metavar="NAME=VALUE",
                       help="notebook parameter, e.g. --param outcome=POL08 (repeatable)")

    p_check = sub.add_parser("check", help="check a data folder against the contract")
    p_check.add_argument("--data", help="folder with the contract files (default: embedded demo data)")

    p_demo = sub.add_parser("demo", help="write the synthetic demo dataset")
    p_demo.add_argument("--out", required=True, help="folder to write")
    p_demo.add_argument("--seed", type=int, default=2016)
    p_demo.add_argument("--effect-scale", type=float, default=1.0, help="multiplies every true effect (0 = none)")
    p_demo.add_argument("--municipalities", type=int, default=None, help="keep only N municipalities (small demo)")

    sub.add_parser("refresh-notebooks", help="re-execute notebooks and keep only the outputs nbval checks")

    p_furag = sub.add_parser("import-furag", help="read FURAG results workbooks into outcomes.csv and entities.csv")
    p_furag.add_argument("files", nargs="+", metavar="FILE",
                         help="results workbooks, e.g. Resultados_vig2022_nacion.xlsx")
    p_furag.add_argument("--out", required=True, help="folder to write outcomes.csv and entities.csv to")

    p_template = sub.add_parser("adoption-template", help="write the adoption registry template (CSV and XLSX)")
    p_template.add_argument("--out", required=True, help="folder to write the templates to")
    p_template.add_argument("--entities", help="entities file, or a data folder holding one, to list in the XLSX")

    args = parser.parse_args(argv)
    if args.command == "import-furag":
        return _import_furag(args)
    if args.command == "adoption-template":
        return _adoption_template(args)
    if args.command == "run":
        return _run(args)
    if args.command == "check":
        return _check(args)
    if args.command == "demo":
        from .demo import write_demo

        folder = write_demo(Path(args.out), seed=args.seed, effect_scale=args.effect_scale,
                            municipalities=args.municipalities)
        print(folder)
        return 0
    if args.command == "refresh-notebooks":
        from .notebook_tools import refresh_checked_outputs
        from .runner import discover_notebooks

        for nb in discover_notebooks():
            refresh_checked_outputs(nb)
            print(f"refreshed {nb}")
        return 0
    return 2


def _run(args) -> int:
    from .runner import RunError, run

    try:
        outcome = run(args.year, data=args.data, config=args.config, only=args.only, jobs=args.jobs,
                      output_root=args.output, notebooks_dir=args.notebooks, parameters=dict(args.param))
    except RunError as exc:
        print(f"gcio-eval: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gcio-eval: interrupted; earlier outputs were left as they were.", file=sys.stderr)
        return 130
    if outcome.ok:
        print(outcome.index)
        return 0
    failed = [e.name for e in outcome.entries if e.status != "ok"]
    print(f"gcio-eval: {len(failed)} notebook(s) failed: {', '.join(failed)}. "
          f"See {outcome.index}; the previous complete outputs of {outcome.year} were left in place.",
          file=sys.stderr)
    print(outcome.index)
    return 1


def _import_furag(args) -> int:
    from .furag import FuragError, import_furag

    try:
        report = import_furag(args.files, args.out)
    except FuragError as exc:
        print(f"gcio-eval: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0


def _adoption_template(args) -> int:
    from .registry import RegistryError, write_template

    try:
        written = write_template(args.out, entities=args.entities)
    except RegistryError as exc:
        print(f"gcio-eval: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def _check(args) -> int:
    from . import paths
    from .validate import check

    folder = paths.resolve_data_dir(args.data)
    problems = check(folder)
    print(problems)
    return 0 if problems.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
