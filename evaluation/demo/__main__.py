"""``python -m evaluation.demo [FOLDER] [--seed N] ...``: write the demo dataset (default: data/demo)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import paths
from . import DEFAULTS, write_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.demo", description=__doc__)
    parser.add_argument("folder", nargs="?", default=str(paths.DEMO_DIR), help="folder to write (default: data/demo)")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"])
    parser.add_argument("--effect-scale", type=float, default=DEFAULTS["effect_scale"])
    parser.add_argument("--municipalities", type=int, default=DEFAULTS["municipalities"])
    parser.add_argument("--first-year", type=int, default=DEFAULTS["first_year"])
    parser.add_argument("--last-year", type=int, default=DEFAULTS["last_year"])
    parser.add_argument("--force", action="store_true",
                        help="replace the demo files already in FOLDER (default: data/demo, which is always rewritten)")
    args = parser.parse_args(argv)
    # data/demo is the project's own copy of the demo: regenerating it is this command's purpose.
    force = args.force or Path(args.folder).resolve() == paths.DEMO_DIR.resolve()
    try:
        folder = write_demo(args.folder, force=force, seed=args.seed, effect_scale=args.effect_scale,
                            municipalities=args.municipalities, first_year=args.first_year,
                            last_year=args.last_year)
    except (paths.OutputFolderError, ValueError) as exc:
        print(f"python -m evaluation.demo: {exc}", file=sys.stderr)
        return 2
    print(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
