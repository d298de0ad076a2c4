"""Time and memory of the data path at the real-data scale: the FURAG importer, ``gcio-eval check`` and ``run``.

Issue 14, section 5. Everything is generated deterministically (fixed seed) under a temporary folder,
then each command runs as its own process (``.venv/bin/gcio-eval ...``, the importer end to end,
interpreter start included) while this script samples, every 50 ms, the resident memory (RSS) of
that process and all its children (the notebook kernels of ``run``) with psutil. Reported: wall
time, peak RSS of the whole process tree (the sum at the sampled peak), the same as PSS (pages shared
between processes, such as those of the runner's forked workers, counted once), the peak of its largest
single process, and the ratios peak tree RSS / size of the input files and peak tree PSS / size.

Cases:

1. ``import``: one FURAG-like results workbook, 6,000 entities x 120 indicator columns (IDI, D1-D7,
   POLnn, Inn), in the layout ``gcio-eval import-furag`` reads (two title rows, header on row 3,
   Código Sigep, Entidad, ... and the score columns; blanks and "No aplica" cells included).
2. ``check-6M``: a contract folder at the real-data scale, 6,000 entities x 130 indicators x 8
   vigencias (6.24 million outcome rows), checked with ``gcio-eval check``.
3. ``check-200MB``: the same with 13 vigencias, which make outcomes.csv about 200 MB.
   ``check-6M-quoted`` (not in the default cases): the 6.24M rows with every field but the year quoted
   (R's ``write.csv`` quotes the text fields).
4. ``run``: ``gcio-eval run`` on the 6M folder (``--only`` narrows it, e.g. ``--run-only data_quality``).

Usage::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_scale.py                 # every case, print
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_scale.py --cases import,check-6M --write
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_scale.py --profile-check 1000000   # cProfile of check
    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_scale.py --profile-import          # cProfile of the importer

``--write`` replaces the section between the bench-scale marks of ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START_MARK = "<!-- bench-scale:results:start -->"
END_MARK = "<!-- bench-scale:results:end -->"
GCIO_EVAL = ROOT / ".venv" / "bin" / "gcio-eval"
SEED = 2016

#: The issue's targets.
TARGETS = {"import": 3.0, "check": 20.0, "run": 180.0, "memory_ratio": 8.0}


# --------------------------------------------------------------------------- inputs

def indicator_codes(n: int) -> list[str]:
    """``n`` FURAG codes: IDI, D1-D7, POL01-POL30, then sub-indices I01, I02, ..."""
    codes = ["IDI", *(f"D{i}" for i in range(1, 8)), *(f"POL{i:02d}" for i in range(1, 31))]
    codes += [f"I{i:02d}" for i in range(1, n - len(codes) + 1)]
    return codes[:n]


def entity_ids(n: int) -> np.ndarray:
    """Five-digit codes, many with a leading zero (as DIVIPOLA-based codes are): 05001, 05002, ..."""
    return np.array([f"{5001 + i:05d}" for i in range(n)])


def write_furag_workbook(path: Path, n_entities: int = 6000, n_indicators: int = 120) -> Path:
    """A territorial FURAG results workbook (openpyxl write-only: fast, and the layout the importer reads)."""
    import openpyxl

    rng = np.random.default_rng(SEED)
    codes = indicator_codes(n_indicators)
    names = {"IDI": "Índice de Desempeño Institucional"}
    header = ["Código Sigep", "Entidad", "Naturaleza Jurídica", "Departamento", "Municipio", "Grupo par",
              "Tipo Formulario"] + [names.get(c, f"{c} Índice {c}") for c in codes]
    scores = np.round(rng.uniform(10, 100, size=(n_entities, n_indicators)), 1)
    blank = rng.random(size=scores.shape) < 0.05
    not_applicable = rng.random(size=scores.shape) < 0.01
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Resultados")
    sheet.append(["Resultados FURAG Vigencia 2022"])
    sheet.append(["Entidades territoriales"])
    sheet.append(header)
    for i in range(n_entities):
        municipal = i % 30 != 0
        name = f"Alcaldía de Municipio {i}" if municipal else f"Gobernación del Departamento {i}"
        row = [10000 + i, name, "Alcaldía" if municipal else "Gobernación", f"DEPARTAMENTO {i % 32}",
               f"MUNICIPIO {i}" if municipal else None, "ALCALDÍA GRUPO 3", "Completo"]
        row += [None if blank[i, j] else ("No aplica" if not_applicable[i, j] else float(scores[i, j]))
                for j in range(n_indicators)]
        sheet.append(row)
    workbook.save(path)
    return path


def write_contract_folder(folder: Path, n_entities: int = 6000, n_indicators: int = 130,
                          years: range = range(2018, 2026), quoted: bool = False) -> Path:
    """entities.csv, adoption.csv and outcomes.csv at scale (outcomes written in chunks, not held whole).

    ``quoted``: every field of outcomes.csv but the year in double quotes (``"05001",2018,"IDI","12.89"``;
    R's ``write.csv`` quotes the text ones); the same rows otherwise.
    """
    rng = np.random.default_rng(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    ids = entity_ids(n_entities)
    levels = np.where(np.arange(n_entities) < 200, "national",
                      np.where(np.arange(n_entities) % 30 == 0, "departmental", "municipal"))
    entities = pd.DataFrame({
        "entity_id": ids, "name": [f"Entidad {i}" for i in range(n_entities)], "level": levels,
        "sector": np.where(levels == "national", "Hacienda", "territorial"),
        "department": [f"Departamento {i % 32}" for i in range(n_entities)],
        "divipola": np.where(levels == "municipal", ids, ""),
        "region": np.where(levels == "national", "", "andina"),
        "peer_group": "ALCALDÍA GRUPO 3",
        "population_2018": rng.integers(1000, 2_000_000, n_entities),
    })
    entities.to_csv(folder / "entities.csv", index=False)
    adopters = np.sort(rng.choice(n_entities, size=n_entities // 2, replace=False))
    first, last = years[0], years[-1]
    # Cohorts from the second year of data, never before Decree 415 (9 March 2016): a clean folder.
    cohorts = rng.integers(max(first + 1, 2017), last + 1, size=len(adopters))
    adoption = pd.DataFrame({
        "entity_id": ids[adopters],
        "adoption_date": [f"{rng.integers(1, 28):02d}/{rng.integers(1, 13):02d}/{c}" for c in cohorts],
        "post_title": "Director de Tecnologías y Sistemas de Información", "post_level": "directivo"})
    adoption.to_csv(folder / "adoption.csv", index=False)
    codes = np.array(indicator_codes(n_indicators))
    with open(folder / "outcomes.csv", "w", encoding="utf-8", newline="") as handle:
        handle.write('"entity_id","year","indicator","value"\n' if quoted else "entity_id,year,indicator,value\n")
        for year in years:
            values = np.round(rng.uniform(10, 100, size=n_entities * n_indicators), 2).astype(str)
            values[rng.random(values.size) < 0.03] = ""
            chunk = pd.DataFrame({"entity_id": np.repeat(ids, n_indicators), "year": year,
                                  "indicator": np.tile(codes, n_entities), "value": values})
            chunk.to_csv(handle, index=False, header=False, quoting=csv.QUOTE_NONNUMERIC if quoted else csv.QUOTE_MINIMAL)
    (folder / "dataset.yml").write_text("name: scale benchmark\nsynthetic: true\nlanguage: en\n", encoding="utf-8")
    return folder


def folder_bytes(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        total += sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() else p.stat().st_size
    return total


# --------------------------------------------------------------------------- measuring

def measure(command: list[str], *, code: Path = ROOT, interval: float = 0.05) -> dict:
    """Run a command; wall time, peak RSS of its process tree (sum) and of its largest process, exit code.

    ``code`` is the project tree whose ``evaluation`` package the command imports (PYTHONPATH), so the
    same script can time another checkout (``--code``, e.g. a worktree of main for the numbers before).
    """
    env = dict(os.environ, PYTHONPATH=str(code))
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    root = psutil.Process(proc.pid)
    peak_tree = peak_single = peak_pss = 0
    at_peak: list[tuple[str, int, int]] = []  # (process, RSS, PSS) of each process at the PSS peak
    samples = 0
    output = io.BytesIO()
    os.set_blocking(proc.stdout.fileno(), False)
    while proc.poll() is None:
        try:
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            members = []
        rss, pss, who = [], [], []
        # PSS (proportional set size) counts a page shared by several processes once in all: the runner's
        # worker processes are forked from it and share its pages, which the RSS sum counts once per process.
        # Read every 4th sample (it reads /proc/PID/smaps, slower than RSS).
        with_pss = samples % 4 == 0
        samples += 1
        for member in members:
            try:
                rss.append(member.memory_info().rss)
                if with_pss:
                    pss.append(getattr(member.memory_full_info(), "pss", 0))
                    who.append((_role(member, root), rss[-1], pss[-1]))
            except psutil.Error:
                pass
        if rss:
            peak_tree, peak_single = max(peak_tree, sum(rss)), max(peak_single, max(rss))
        if pss and sum(pss) > peak_pss:
            peak_pss, at_peak = sum(pss), who
        chunk = proc.stdout.read()
        if chunk:
            output.write(chunk)
        time.sleep(interval)
    elapsed = time.perf_counter() - start
    rest = proc.stdout.read()
    if rest:
        output.write(rest)
    return {"seconds": elapsed, "peak_tree": peak_tree, "peak_single": peak_single, "peak_pss": peak_pss,
            "at_peak": at_peak, "rc": proc.returncode,
            "output": output.getvalue().decode("utf-8", "replace")}


def _role(member, root) -> str:
    """What a process of the tree is: the command itself, a notebook kernel, Chromium (with its driver), a worker."""
    if member.pid == root.pid:
        return "command"
    try:
        line = " ".join(member.cmdline())
    except psutil.Error:
        return "?"
    if "ipykernel" in line:
        return "kernel"
    if "chrom" in line or "playwright" in line or "node" in Path(line.split(" ")[0]).name:
        return "chromium"
    return "worker"


def mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"


def profile_check(n_rows: int, work: Path) -> str:
    """cProfile of ``check`` in this process on a folder with about ``n_rows`` outcome rows."""
    sys.path.insert(0, str(ROOT))
    from evaluation.load.checks import check

    n_indicators = 130
    n_entities = max(1, n_rows // (n_indicators * 8))
    folder = write_contract_folder(work / "profile", n_entities=n_entities, n_indicators=n_indicators)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    problems = check(folder)
    profiler.disable()
    elapsed = time.perf_counter() - start
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    return f"check on {n_entities * n_indicators * 8:,} outcome rows: {elapsed:.1f} s, {problems.summary()}\n" \
           + out.getvalue()


def profile_import(work: Path) -> str:
    """cProfile of ``import_furag`` in this process on the ``import`` case's workbook (pandas already imported)."""
    sys.path.insert(0, str(ROOT))
    from evaluation.importers.furag import import_furag

    book = work / "furag" / "Resultados_vig2022_territorio.xlsx"
    if not book.exists():
        book.parent.mkdir(parents=True, exist_ok=True)
        write_furag_workbook(book)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    report = import_furag([book], work / "profile-imported", force=True)
    profiler.disable()
    elapsed = time.perf_counter() - start
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats("furag.py", 15)
    return f"import_furag under cProfile: {elapsed:.1f} s, {report.summary()}\n" + out.getvalue()


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="import,check-6M,check-200MB,run",
                        help="comma-separated: import, check-6M, check-6M-quoted, check-200MB, run")
    parser.add_argument("--run-only", default="", help="notebooks for the run case (default: all), e.g. data_quality")
    parser.add_argument("--repeats", type=int, default=1, help="runs per case; the best time is reported")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    parser.add_argument("--profile-check", type=int, metavar="ROWS", help="only profile check on ROWS outcome rows")
    parser.add_argument("--profile-import", action="store_true", help="only profile import_furag on the workbook")
    parser.add_argument("--code", metavar="DIR", default=str(ROOT),
                        help="project tree whose package the commands run (default: this one)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]

    commit = commit_of(Path(args.code).resolve())
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.profile_check:
            print(profile_check(args.profile_check, work))
            return 0
        if args.profile_import:
            print(profile_import(work))
            return 0
        rows = []
        for case in cases:
            t0 = time.perf_counter()
            if case == "import":
                book = work / "furag" / "Resultados_vig2022_territorio.xlsx"
                if not book.exists():
                    book.parent.mkdir(parents=True, exist_ok=True)
                    write_furag_workbook(book)
                inputs = [book]
                command = [str(GCIO_EVAL), "import-furag", str(book), "--out", str(work / "imported"), "--force"]
                what = "import-furag, 6,000 entities x 120 indicators (one .xlsx)"
            elif case in ("check-6M", "run"):
                folder = work / "scale-6M"
                if not (folder / "outcomes.csv").exists():
                    write_contract_folder(folder)
                inputs = [folder / n for n in ("entities.csv", "adoption.csv", "outcomes.csv")]
                if case == "check-6M":
                    command = [str(GCIO_EVAL), "check", "--data", str(folder)]
                    what = "check, 6,000 entities x 130 indicators x 8 vigencias (6.24M outcome rows)"
                else:
                    only = [n for n in args.run_only.split(",") if n]
                    jobs = "1" if len(only) == 1 else "2"   # the runner refuses more jobs than notebooks
                    command = [str(GCIO_EVAL), "run", "--year", "2025", "--data", str(folder), "--jobs", jobs,
                               "--output", str(work / "outputs"), *(["--only", *only] if only else [])]
                    what = f"run --jobs {jobs} on the 6.24M-row folder ({', '.join(only) if only else 'all notebooks'})"
            elif case == "check-6M-quoted":
                folder = work / "scale-6M-quoted"
                if not (folder / "outcomes.csv").exists():
                    write_contract_folder(folder, quoted=True)
                inputs = [folder / n for n in ("entities.csv", "adoption.csv", "outcomes.csv")]
                command = [str(GCIO_EVAL), "check", "--data", str(folder)]
                what = "check, the same 6.24M rows with every field but the year quoted (R's write.csv quotes text)"
            elif case == "check-200MB":
                folder = work / "scale-200MB"
                if not (folder / "outcomes.csv").exists():
                    write_contract_folder(folder, years=range(2013, 2026))
                inputs = [folder / n for n in ("entities.csv", "adoption.csv", "outcomes.csv")]
                command = [str(GCIO_EVAL), "check", "--data", str(folder)]
                what = "check, 6,000 entities x 130 indicators x 13 vigencias (10.1M rows, outcomes.csv about 200 MB)"
            else:
                parser.error(f"unknown case {case!r}")
            generated = time.perf_counter() - t0
            size = folder_bytes(inputs)
            runs = [measure(command, code=Path(args.code).resolve()) for _ in range(args.repeats)]
            best = min(runs, key=lambda r: r["seconds"])
            peak = max(r["peak_tree"] for r in runs)
            single = max(r["peak_single"] for r in runs)
            pss = max(r["peak_pss"] for r in runs)
            rows.append({"case": case, "what": what, "input": size, **best, "peak_tree": peak, "peak_single": single,
                         "peak_pss": pss})
            tail = best["output"].strip().splitlines()[-1:] or [""]
            print(f"{case}: {best['seconds']:.1f} s, peak tree {mb(peak)} (PSS {mb(pss)}, largest process {mb(single)}), "
                  f"input {mb(size)}, ratio {peak / size:.1f}x, exit {best['rc']} "
                  f"(inputs generated in {generated:.0f} s) | {tail[0][:200]}", flush=True)
            heaviest = max(runs, key=lambda r: r["peak_pss"])
            if heaviest["at_peak"]:
                print(f"  at the PSS peak ({mb(heaviest['peak_pss'])}): " + ", ".join(
                    f"{role} {mb(p)} (RSS {mb(r)})" for role, r, p in sorted(heaviest["at_peak"], key=lambda x: -x[2])),
                    flush=True)
        report = render(rows, commit)
        print(report)
        if args.write:
            text = README.read_text(encoding="utf-8")
            if START_MARK in text:
                head, rest = text.split(START_MARK, 1)
                text = head + START_MARK + "\n" + report + "\n" + END_MARK + rest.split(END_MARK, 1)[1]
            else:
                text += f"\n{START_MARK}\n{report}\n{END_MARK}\n"
            README.write_text(text, encoding="utf-8")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def commit_of(code: Path) -> str:
    """The short commit of the checkout timed (read when the run starts), with '+' if its tree had changes."""
    head = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return head + ("+" if dirty else "")


def render(rows: list[dict], commit: str) -> str:
    cpu = platform.processor() or platform.machine()
    machine = (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, "
               f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM, Python {platform.python_version()}, "
               f"pandas {pd.__version__}; load average {os.getloadavg()[0]:.1f} at the end")
    lines = [f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, code at commit {commit}, on {machine}.", "",
             "| case | what | wall time | target | peak RSS (tree) | peak PSS (tree) | largest process | input files | "
             "peak RSS / input | peak PSS / input | exit |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        kind = "import" if r["case"] == "import" else ("run" if r["case"] == "run" else "check")
        lines.append(f"| {r['case']} | {r['what']} | {r['seconds']:.1f} s | <= {TARGETS[kind]:g} s | "
                     f"{mb(r['peak_tree'])} | {mb(r['peak_pss'])} | {mb(r['peak_single'])} | {mb(r['input'])} | "
                     f"{r['peak_tree'] / r['input']:.1f}x (target <= {TARGETS['memory_ratio']:g}x) | "
                     f"{r['peak_pss'] / r['input']:.1f}x | {r['rc']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
