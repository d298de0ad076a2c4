"""The yearly run against its floor: the same runner on the same notebooks reduced to nothing.

Times ``gcio-eval run`` on the demo data (``--jobs 2``) and the same runner on the
same notebooks reduced to their parameters cell plus ``import pandas,
matplotlib.pyplot``, in this one script on this one machine, best of two warm
runs each (one untimed run of each first warms the disk cache and the bytecode).
The ratio is what the yearly run costs above the floor of starting kernels,
injecting parameters, exporting pages and swapping the output folder in; the
target is at most 1.5.

    .venv/bin/python benchmarks/bench_yearly.py [--write] [--jobs 2] [--repeats 2]

``--write`` replaces the "Yearly run" section of benchmarks/README.md with the
result. Nothing here is a test: times depend on the machine; the ratio is the
number to read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- yearly:start -->", "<!-- yearly:end -->"


def reduced_notebooks(target: Path) -> Path:
    """Copies of the suite's notebooks with only the parameters cell and one import cell."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        nb.cells = params + [nbformat.v4.new_code_cell("import pandas, matplotlib.pyplot")]
        nbformat.write(nb, target / path.name)
    return target


def timed_run(notebooks: Path, output: Path, jobs: int, year: str) -> tuple[float, dict[str, float], bool]:
    """Wall seconds of one run, each notebook's own seconds as the runner prints them, and whether PDFs were made."""
    command = [str(Path(sys.executable).with_name("gcio-eval")), "run", "--year", year, "--jobs", str(jobs),
               "--output", str(output), "--notebooks", str(notebooks)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    text = done.stdout + done.stderr
    notebooks_seconds = {m.group(1): float(m.group(2)) for m in re.finditer(r"\] (\w+): done \(([0-9.]+) s\)", text)}
    return seconds, notebooks_seconds, "PDFs: " in text and "written" in text


def machine() -> str:
    """CPU model, cores, Python, and whether imports read compiled bytecode (it changes every kernel's start)."""
    model = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import pandas

    compiled = any(Path(pandas.__file__).parent.joinpath("__pycache__").glob("__init__.*.pyc"))
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}; installed packages "
            f"{'byte-compiled' if compiled else 'NOT byte-compiled'}, PYTHONDONTWRITEBYTECODE "
            f"{'set' if os.environ.get('PYTHONDONTWRITEBYTECODE') else 'unset'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--year", default="latest")
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gcio-bench-yearly-") as tmp:
        tmp = Path(tmp)
        floor_nb = reduced_notebooks(tmp / "reduced")
        times = {"suite": [], "floor": []}
        per_notebook = {"suite": [], "floor": []}
        pdfs = set()
        for label, nbs in (("suite", NOTEBOOKS), ("floor", floor_nb)):  # warm-up, untimed
            timed_run(nbs, tmp / f"warm-{label}", args.jobs, args.year)
        for i in range(args.repeats):  # alternate, so a burst of load hits both alike
            for label, nbs in (("suite", NOTEBOOKS), ("floor", floor_nb)):
                seconds, each, made = timed_run(nbs, tmp / f"{label}-{i}", args.jobs, args.year)
                times[label].append(seconds)
                per_notebook[label].append(each)
                pdfs.add(made)
    suite, floor = min(times["suite"]), min(times["floor"])
    best = {label: per_notebook[label][times[label].index(min(times[label]))] for label in times}
    ratio = suite / floor
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        START,
        "## Yearly run against its floor",
        "",
        "`benchmarks/bench_yearly.py`: the whole yearly run on the demo data and the same runner on the same",
        "notebooks reduced to their parameters cell plus `import pandas, matplotlib.pyplot`, in one script, best",
        f"of {args.repeats} warm runs each, `--jobs {args.jobs}`. Target: ratio at most 1.5.",
        "",
        "| run | best (s) | all runs (s) |",
        "| --- | ---: | --- |",
        f"| suite | {suite:.1f} | {', '.join(f'{t:.1f}' for t in times['suite'])} |",
        f"| floor | {floor:.1f} | {', '.join(f'{t:.1f}' for t in times['floor'])} |",
        "",
        f"**Ratio suite / floor: {ratio:.2f}** ({'meets' if ratio <= 1.5 else 'misses'} the 1.5 target). "
        f"Machine: {machine()}; PDFs {'printed' if pdfs == {True} else 'not printed (no Chromium)' if pdfs == {False} else 'printed in some runs only'}; "
        f"load average {load:.1f} at the end; {time.strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
        "Each notebook's own time in those best runs (the runner's `[i/n] name: done (s)`: kernel start, cells, "
        "kernel shut-down; the page export, the PDFs and the rest of the run come on top of the wall times above):",
        "",
        "| notebook | suite (s) | floor (s) | above the floor (s) |",
        "| --- | ---: | ---: | ---: |",
        *[f"| {name} | {best['suite'][name]:.1f} | {best['floor'].get(name, float('nan')):.1f} | "
          f"{best['suite'][name] - best['floor'].get(name, float('nan')):.1f} |" for name in best["suite"]],
        f"| all | {sum(best['suite'].values()):.1f} | {sum(best['floor'].values()):.1f} | "
        f"{sum(best['suite'].values()) - sum(best['floor'].values()):.1f} |",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    print(json.dumps({"suite": times["suite"], "floor": times["floor"], "ratio": ratio, "notebooks": best}))
    if args.write:
        current = README.read_text(encoding="utf-8")
        if START in current:
            current = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: text, current, flags=re.S)
        else:
            current = current.rstrip() + "\n\n" + text + "\n"
        README.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
