"""What changed since last year's run, and why: the inputs a run read, kept, and compared.

Every run keeps its inputs (``inputs/``: the hash of each file it read and, by
default, a gzip copy) so that next year's run can say why a headline number
moved. ``compare`` decomposes the change into its causes, as far as the inputs
show them:

- a new vigencia (outcome years that were not there last year);
- revised scores for earlier years (rows whose value changed between the two
  input versions, counted by indicator and year; rows added or removed for years
  both versions cover);
- new adoptions, corrected adoption dates, withdrawn adoptions;
- a different analysis plan or different parameters;
- a different package version or code commit.

Numbers only; ``evaluation.text.changes`` says it in the reader's language and
``evaluation.report.changes`` renders the page.
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import paths

INPUTS = "inputs"
HASHES = "inputs.json"


def snapshot(files: dict[str, Path], target: Path, *, copy: bool = True) -> dict[str, str]:
    """Keep a run's input files under ``target/inputs/``: their hashes, and a gzip copy unless ``copy`` is False.

    ``files`` maps the name relative to the data folder to the file. The copies
    are deterministic (no time stamp in the gzip header), so the same input
    gives the same bytes. Returns the hashes.
    """
    folder = Path(target) / INPUTS
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for name, path in sorted(files.items()):
        hashes[name] = paths.file_sha256(path)
        if copy:
            out = folder / (name + ".gz")
            out.parent.mkdir(parents=True, exist_ok=True)
            # zlib's and the gzip tool's default level, 6 (Python's gzip module defaults to 9): on the 162 MB
            # outcomes of the 6.24M-row benchmark 5 s instead of 25 s, for a copy 3 % larger (32 MB, not 31)
            with open(path, "rb") as source, open(out, "wb") as raw, \
                    gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as packed:
                shutil.copyfileobj(source, packed, length=1 << 20)
    (folder / HASHES).write_text(json.dumps({"copied": copy, "files": hashes}, indent=2, sort_keys=True) + "\n",
                                 encoding="utf-8")
    return hashes


def restore(run_folder: Path, target: Path) -> Path | None:
    """Unpack the inputs kept in ``run_folder`` into ``target`` (a data folder); None if only hashes were kept."""
    folder = Path(run_folder) / INPUTS
    record = folder / HASHES
    if not record.is_file():
        return None
    kept = json.loads(record.read_text(encoding="utf-8"))
    if not kept.get("copied"):
        return None
    target = Path(target)
    for name in kept["files"]:
        source = folder / (name + ".gz")
        if not source.is_file():
            return None
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(source, "rb") as packed, open(out, "wb") as raw:
            shutil.copyfileobj(packed, raw)
    return target


@dataclass(frozen=True)
class InputChanges:
    """How the inputs of two runs differ, by cause."""

    new_years: dict = field(default_factory=dict)          # indicator -> years added
    revised: pd.DataFrame = field(default_factory=pd.DataFrame)   # indicator, year, changed, added, removed
    new_adopters: tuple = ()
    corrected_dates: pd.DataFrame = field(default_factory=pd.DataFrame)  # entity_id, before, after
    withdrawn_adopters: tuple = ()
    files_changed: tuple = ()
    comparable: bool = True
    reason: str = ""

    @property
    def any(self) -> bool:
        return bool(self.new_years or len(self.revised) or self.new_adopters or len(self.corrected_dates)
                    or self.withdrawn_adopters)


def compare_data(before, after) -> InputChanges:
    """Compare two loaded datasets (``evaluation.load.dataset.Dataset``) by cause."""
    old, new = before.outcomes, after.outcomes
    key = ["entity_id", "indicator", "year"]
    old_years = old.groupby("indicator")["year"].unique().to_dict()
    new_years = {}
    for indicator, years in new.groupby("indicator")["year"].unique().items():
        added = sorted(set(int(y) for y in years) - set(int(y) for y in old_years.get(indicator, [])))
        if added:
            new_years[str(indicator)] = added
    merged = old[key + ["value"]].merge(new[key + ["value"]], on=key, how="outer", suffixes=("_before", "_after"),
                                        indicator=True)
    # Revisions are counted on the (indicator, year) pairs last year's inputs already had; a new vigencia is
    # its own cause.
    old_pairs = old[["indicator", "year"]].drop_duplicates()
    merged = merged.merge(old_pairs, on=["indicator", "year"], how="inner")
    a, b = merged["value_before"], merged["value_after"]
    changed = (merged["_merge"] == "both") & ~((a == b) | (a.isna() & b.isna())) & \
        ~np.isclose(a.fillna(np.inf), b.fillna(np.inf), rtol=0, atol=1e-9, equal_nan=True)
    counts = pd.DataFrame({
        "indicator": merged["indicator"].astype(str), "year": merged["year"].astype(int),
        "changed": changed.astype(int), "added": (merged["_merge"] == "right_only").astype(int),
        "removed": (merged["_merge"] == "left_only").astype(int)})
    revised = (counts.groupby(["indicator", "year"], as_index=False)[["changed", "added", "removed"]].sum()
               if len(counts) else pd.DataFrame(columns=["indicator", "year", "changed", "added", "removed"]))
    revised = revised[(revised[["changed", "added", "removed"]].sum(axis=1) > 0)].reset_index(drop=True)

    da = before.adoption.set_index("entity_id")["adoption_date"]
    db = after.adoption.set_index("entity_id")["adoption_date"]
    new_adopters = tuple(sorted(set(db.index) - set(da.index)))
    withdrawn = tuple(sorted(set(da.index) - set(db.index)))
    common = sorted(set(da.index) & set(db.index))
    moved = [(e, da[e], db[e]) for e in common if pd.Timestamp(da[e]) != pd.Timestamp(db[e])]
    corrected = pd.DataFrame(moved, columns=["entity_id", "before", "after"])
    return InputChanges(new_years=new_years, revised=revised, new_adopters=new_adopters,
                        corrected_dates=corrected, withdrawn_adopters=withdrawn)


def compare_runs(previous_run: Path, current_run: Path) -> InputChanges:
    """Compare the inputs kept by two runs; says why when they cannot be compared row by row."""
    from evaluation.load.dataset import load

    prev_hashes = _hashes(previous_run)
    curr_hashes = _hashes(current_run)
    if prev_hashes is None or curr_hashes is None:
        return InputChanges(comparable=False, reason="no_record")
    files_changed = tuple(sorted(n for n in set(prev_hashes) | set(curr_hashes)
                                 if prev_hashes.get(n) != curr_hashes.get(n)))
    with tempfile.TemporaryDirectory(prefix="gcio-changes-") as tmp:
        before = restore(previous_run, Path(tmp) / "before")
        after = restore(current_run, Path(tmp) / "after")
        if before is None or after is None:
            return InputChanges(files_changed=files_changed, comparable=False, reason="hashes_only")
        found = compare_data(load(before), load(after))
    return InputChanges(**{**found.__dict__, "files_changed": files_changed})


def _hashes(run: Path) -> dict | None:
    record = Path(run) / INPUTS / HASHES
    if not record.is_file():
        return None
    return json.loads(record.read_text(encoding="utf-8")).get("files", {})


@dataclass(frozen=True)
class RunChanges:
    """Everything that differs between two runs: inputs, plan, parameters, software, and the headline numbers."""

    previous_year: int
    year: int
    inputs: InputChanges
    parameters: tuple = ()       # (report, parameter, before, after)
    plan: tuple = ()             # (before sha, after sha) when the plan changed
    software: tuple = ()         # (what, before, after): package version, code commit
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def causes(self) -> list[str]:
        """Ids of the causes present: new_vigencia, revised_scores, new_adoptions, corrected_dates, ..."""
        out = []
        if self.inputs.new_years:
            out.append("new_vigencia")
        if len(self.inputs.revised):
            out.append("revised_scores")
        if self.inputs.new_adopters:
            out.append("new_adoptions")
        if len(self.inputs.corrected_dates):
            out.append("corrected_dates")
        if self.inputs.withdrawn_adopters:
            out.append("withdrawn_adoptions")
        if self.plan:
            out.append("plan")
        if self.parameters:
            out.append("parameters")
        if self.software:
            out.append("software")
        return out


#: Headline numbers read from each run's tables/findings.csv: a key column and the number columns.
HEADLINE_KEY = "criterion_id"
HEADLINE_NUMBERS = ("estimate", "conf_low", "conf_high")


def headline(run: Path) -> pd.DataFrame:
    """The findings' key numbers of a run (one row per criterion), empty if the run has none."""
    table = Path(run) / "tables" / "findings.csv"
    if not table.is_file():
        return pd.DataFrame()
    frame = pd.read_csv(table, comment="#")
    if HEADLINE_KEY not in frame.columns:
        return pd.DataFrame()
    keep = [HEADLINE_KEY] + [c for c in frame.columns if c in HEADLINE_NUMBERS or c == "verdict_id"]
    return frame[keep].drop_duplicates(HEADLINE_KEY).reset_index(drop=True)


def compare(previous_run: Path, current_run: Path) -> RunChanges:
    """What changed between the run in ``previous_run`` and the run in ``current_run`` (two output folders)."""
    prev_m = _manifest(previous_run)
    curr_m = _manifest(current_run)
    params = []
    before_nb, after_nb = prev_m.get("notebooks", {}), curr_m.get("notebooks", {})
    for report in sorted(set(before_nb) & set(after_nb)):
        a = before_nb[report].get("parameters", {})
        b = after_nb[report].get("parameters", {})
        for name in sorted(set(a) | set(b)):
            if name in ("year",):
                continue
            if a.get(name) != b.get(name):
                params.append((report, name, a.get(name), b.get(name)))
    plan_a = (prev_m.get("plan") or {}).get("sha256")
    plan_b = (curr_m.get("plan") or {}).get("sha256")
    software = []
    for what in ("package_version", "git_commit"):
        a, b = prev_m.get(what), curr_m.get(what)
        if isinstance(a, dict) or isinstance(b, dict):  # provenance records {"commit": ..., "dirty": ...}
            a, b = (a or {}).get("commit"), (b or {}).get("commit")
        if a != b:
            software.append((what, a, b))
    old, new = headline(previous_run), headline(current_run)
    if len(old) and len(new):
        table = old.merge(new, on=HEADLINE_KEY, how="outer", suffixes=("_before", "_after"))
    else:
        table = pd.DataFrame()
    return RunChanges(previous_year=int(prev_m.get("year", 0)), year=int(curr_m.get("year", 0)),
                      inputs=compare_runs(previous_run, current_run), parameters=tuple(params),
                      plan=((plan_a, plan_b),) if plan_a != plan_b else (), software=tuple(software),
                      headline=table)


def _manifest(run: Path) -> dict:
    path = Path(run) / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
