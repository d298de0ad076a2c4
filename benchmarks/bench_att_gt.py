"""Speed benchmark of ``evaluation.did.att_gt`` against the Python peers.

Runs our Callaway & Sant'Anna (2021) estimator and four peer packages
(``diff-diff``, ``moderndid``, ``csdid``, ``differences``) on identical synthetic
staggered panels, in one process, warm, and reports the median wall-clock time
of several runs per estimator, size and setting:

1. ``analytic``   -- att_gt + simple + dynamic aggregation, analytic standard errors, no covariates;
2. ``bootstrap``  -- the same with a 999-draw multiplier bootstrap;
3. ``covariates`` -- the same as 1 with one time-invariant covariate, doubly robust (``dr``).

Every peer is configured to R ``did``'s defaults (varying base period,
never-treated comparison group, no anticipation, doubly robust) and its point
estimates -- every group-time ATT, the simple aggregate, the event-time
estimates and the dynamic overall -- are checked against ours; the run stops
with an error when one differs by more than ``--tol``. The one understood
exception, a peer that implements a different formula (``KNOWN_DIFFERENCES``),
is checked against a looser bound and flagged in the report instead.

Usage (``make bench`` runs the full benchmark in ``.venv-bench``)::

    python benchmarks/bench_att_gt.py                  # all sizes, print the report
    python benchmarks/bench_att_gt.py --sizes 1000 --repeats 2
    python benchmarks/bench_att_gt.py --write          # also update benchmarks/README.md
    python benchmarks/bench_att_gt.py --profile --sizes 100000 --peers none --no-memory

Peers are benchmark-only dependencies (``benchmarks/requirements.txt``); a peer
that is not installed, does not support a setting, or is projected to exceed
the time cap is reported as such in the tables, never silently dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import functools
import gc
import glob
import io
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
START_MARK = "<!-- bench:results:start -->"
END_MARK = "<!-- bench:results:end -->"

SIZES = (1_000, 10_000, 100_000)
SETTINGS = ("analytic", "bootstrap", "covariates")
SETTING_TITLES = {
    "analytic": "att_gt + simple + dynamic, analytic standard errors, no covariates",
    "bootstrap": "att_gt + simple + dynamic, 999-draw multiplier bootstrap, no covariates",
    "covariates": "att_gt + simple + dynamic, one covariate, method=\"dr\", analytic standard errors",
}
PEERS = ("diff-diff", "moderndid", "csdid", "differences")
N_PERIODS = 10
COHORTS = (4, 5, 6, 7, 8)
BOOT_DRAWS = 999
SEED = 20240611


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------


def true_att(cohort: np.ndarray, period: np.ndarray) -> np.ndarray:
    """The effect built into the data: 1 + 0.25 * (periods since adoption), 0 before."""
    e = period - cohort
    return np.where((cohort > 0) & (e >= 0), 1.0 + 0.25 * e, 0.0)


def make_panel(n_units: int, seed: int = SEED) -> pd.DataFrame:
    """Deterministic balanced staggered panel: ``n_units`` x 10 periods.

    Cohorts 4..8 and never-treated units (cohort 0, about a quarter of the units).
    One time-invariant covariate ``x`` ~ N(0, 1) shifts both the cohort shares and
    the outcome trend, so parallel trends hold conditionally on ``x`` (setting 3
    recovers the true effect) and only approximately without it. Propensity scores
    within every cell stay well inside (0.1, 0.9), so no peer's trimming or
    clipping rule is triggered. Columns: id, period, y, g (0 = never treated), x.
    """
    rng = np.random.default_rng(seed + n_units)
    x = rng.normal(size=n_units)
    k = len(COHORTS)
    slopes = np.linspace(-0.4, 0.4, k)
    util = np.column_stack([np.full(n_units, np.log(1.7))] + [s * x for s in slopes])
    prob = np.exp(util)
    prob /= prob.sum(axis=1, keepdims=True)
    pick = (rng.random(n_units)[:, None] > np.cumsum(prob, axis=1)).sum(axis=1)
    pick = np.minimum(pick, k)
    cohort = np.array((0,) + COHORTS)[pick]
    t = np.arange(1, N_PERIODS + 1)
    unit_fe = rng.normal(size=n_units) + 0.5 * x
    y = (
        unit_fe[:, None]
        + 0.1 * t[None, :]
        + 0.3 * x[:, None] * t[None, :] / N_PERIODS
        + true_att(cohort[:, None], t[None, :])
        + rng.normal(size=(n_units, N_PERIODS))
    )
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(1, n_units + 1), N_PERIODS),
            "period": np.tile(t, n_units),
            "y": y.ravel(),
            "g": np.repeat(cohort, N_PERIODS),
            "x": np.repeat(x, N_PERIODS),
        }
    )


def true_simple_att(data: pd.DataFrame) -> float:
    """The simple aggregate of the true ATT(g, t) with the sample's cohort shares."""
    first = data[data["period"] == 1]
    sizes = first.loc[first["g"] > 0, "g"].value_counts()
    num = den = 0.0
    for g, n_g in sizes.items():
        post = np.arange(g, N_PERIODS + 1)
        num += n_g * true_att(np.full(post.shape, g), post).sum()
        den += n_g * post.size
    return num / den


# --------------------------------------------------------------------------------------
# estimators: one adapter per package
# --------------------------------------------------------------------------------------


@dataclass
class Estimates:
    """Point estimates in one shape for every package (None = the package does not report it)."""

    gt: dict[tuple[int, int], float]
    simple: float
    dynamic: dict[int, float]
    dynamic_overall: float | None


class Adapter:
    name = ""
    package = ""
    #: How this package's defaults differ from R did and what the adapter sets; shown in the README.
    notes = ""

    def available(self) -> str | None:
        """None when importable, else the reason it is not."""
        try:
            __import__(self.package)
        except Exception as exc:  # noqa: BLE001 - any import failure means "not installed/usable"
            return f"not installed ({type(exc).__name__})"
        return None

    def version(self) -> str:
        from importlib import metadata

        try:
            return metadata.version(self.name if self.name != "ours" else "gcio-evaluation")
        except metadata.PackageNotFoundError:
            return "?"

    def prepare(self, data: pd.DataFrame, setting: str) -> Any:
        """Untimed input preparation (a private copy, the package's never-treated coding)."""
        return data.copy()

    def run(self, prepared: Any, setting: str) -> Any:
        raise NotImplementedError

    def extract(self, raw: Any) -> Estimates:
        raise NotImplementedError


class Ours(Adapter):
    name = "ours"
    package = "evaluation"
    notes = (
        "`evaluation.did.att_gt(...)`, `.aggregate(\"simple\")`, `.aggregate(\"dynamic\")`; its defaults are R did's. "
        "`bootstrap_weights=\"rademacher\"` is passed explicitly in the bootstrap setting (R did's multipliers)."
    )

    def run(self, d, setting):
        from evaluation import did

        kw: dict[str, Any] = {}
        if setting == "bootstrap":
            kw.update(bootstrap=BOOT_DRAWS, seed=SEED, bootstrap_weights="rademacher")
        if setting == "covariates":
            kw.update(covariates="x", method="dr")
        res = did.att_gt(d, "y", "id", "period", "g", control_group="never_treated", **kw)
        return res, res.aggregate("simple"), res.aggregate("dynamic")

    def extract(self, raw):
        res, simple, dyn = raw
        tidy = res.tidy()
        dt = dyn.tidy()
        return Estimates(
            gt={(int(g), int(t)): float(v) for g, t, v in zip(tidy["cohort"], tidy["time"], tidy["estimate"])},
            simple=float(simple.overall.estimate),
            dynamic={int(e): float(v) for e, v in zip(dt["event_time"], dt["estimate"])},
            dynamic_overall=float(dyn.overall.estimate),
        )


class DiffDiff(Adapter):
    name = "diff-diff"
    package = "diff_diff"
    notes = (
        "`CallawaySantAnna(...).fit(...)`, then `results.aggregate(\"simple\")` and "
        "`results.aggregate(\"event_study\")` (its name for dynamic; it reports no dynamic overall). "
        "Defaults already match R did (never_treated, varying, dr, anticipation 0); bootstrap weights "
        "default to Rademacher as in R did. Propensity scores are clipped to [0.01, 0.99] "
        "(`pscore_trim`), which the data never reaches."
    )

    def run(self, d, setting):
        from diff_diff import CallawaySantAnna

        cs = CallawaySantAnna(
            control_group="never_treated",
            anticipation=0,
            estimation_method="dr",
            base_period="varying",
            n_bootstrap=BOOT_DRAWS if setting == "bootstrap" else 0,
            bootstrap_weights="rademacher",
            seed=SEED,
        )
        fit = cs.fit(
            d, outcome="y", unit="id", time="period", first_treat="g",
            covariates=["x"] if setting == "covariates" else None,
        )
        return fit, fit.aggregate("simple"), fit.aggregate("event_study")

    def extract(self, raw):
        fit, simple, es = raw
        return Estimates(
            gt={(int(g), int(t)): float(v["effect"]) for (g, t), v in fit.group_time_effects.items()},
            simple=float(np.asarray(simple.att)[0]),
            dynamic={int(e): float(v) for e, v, ref in zip(es.event_time, es.att, es.is_reference) if not ref},
            dynamic_overall=None,
        )


class ModernDiD(Adapter):
    name = "moderndid"
    package = "moderndid"
    notes = (
        "`moderndid.att_gt(...)` + `moderndid.aggte(type=\"simple\"|\"dynamic\")`; control group is spelled "
        "\"nevertreated\". `cband=False` in the analytic settings: with its default `cband=True` "
        "its dynamic `aggte` runs a multiplier bootstrap for a uniform band even when `boot=False`. "
        "Bootstrap: `boot=True, biters=999` with its only multiplier, Mammen's (R did uses Rademacher)."
    )

    def run(self, d, setting):
        import moderndid

        boot = setting == "bootstrap"
        mp = moderndid.att_gt(
            d, yname="y", tname="period", idname="id", gname="g",
            xformla="~ x" if setting == "covariates" else None,
            control_group="nevertreated", base_period="varying", anticipation=0, est_method="dr",
            boot=boot, biters=BOOT_DRAWS, cband=boot, random_state=SEED,
        )
        return mp, moderndid.aggte(mp, type="simple"), moderndid.aggte(mp, type="dynamic")

    def extract(self, raw):
        mp, simple, dyn = raw
        return Estimates(
            gt={(int(g), int(t)): float(v) for g, t, v in zip(mp.groups, mp.times, mp.att_gt)},
            simple=float(simple.overall_att),
            dynamic={int(e): float(v) for e, v in zip(dyn.event_times, dyn.att_by_event)},
            dynamic_overall=float(dyn.overall_att),
        )


class CSDiD(Adapter):
    name = "csdid"
    package = "csdid"
    notes = (
        "`ATTgt(...).fit(est_method=\"dr\", base_period=\"varying\", bstrap=...)` + `.aggte(typec=\"simple\"|"
        "\"dynamic\")`. Its `fit` bootstraps by default (`bstrap=True`, R did's default), so the analytic "
        "settings pass `bstrap=False`; `cband` defaults to False, set True in the bootstrap setting to "
        "match R did. Rademacher multipliers as in R did; `biters=999`. Its aggte prints a summary "
        "(sent to a buffer)."
    )

    def run(self, d, setting):
        from csdid.att_gt import ATTgt

        boot = setting == "bootstrap"
        np.random.seed(SEED)  # csdid draws its bootstrap from the global numpy state
        att = ATTgt(
            yname="y", tname="period", idname="id", gname="g", data=d, control_group="nevertreated",
            xformla="y ~ x" if setting == "covariates" else None, anticipation=0,
            cband=boot, biters=BOOT_DRAWS,
        )
        att.fit(est_method="dr", base_period="varying", bstrap=boot)
        gt = dict(att.results)
        att.aggte(typec="simple")
        simple = att.atte
        att.aggte(typec="dynamic")
        return gt, simple, att.atte

    def extract(self, raw):
        gt, simple, dyn = raw
        return Estimates(
            gt={(int(g), int(t)): float(v) for g, t, v in zip(gt["group"], gt["year"], gt["att"])},
            simple=float(simple["overall_att"]),
            dynamic={int(e): float(v) for e, v in zip(dyn["egt"], dyn["att_egt"])},
            dynamic_overall=float(dyn["overall_att"]),
        )


class Differences(Adapter):
    name = "differences"
    package = "differences"
    notes = (
        "`ATTgt(data, cohort_column, base_period=\"varying\").fit(formula, est_method=\"dr\", "
        "control_group=\"never_treated\")` + `.aggregate(\"simple\")`, `.aggregate(\"event\")` and "
        "`.aggregate(\"event\", overall=True)` (its names for dynamic and its overall). Its default "
        "`est_method` is \"reg\" (R did: \"dr\"), so \"dr\" is set; never-treated must be NaN (not 0) and "
        "the data indexed by (id, period), done untimed. Bootstrap: `boot_iterations=999` on `fit` and "
        "on each `aggregate` (aggregates default to analytic), Rademacher multipliers. Progress bars off."
    )

    def prepare(self, data, setting):
        d = data.assign(g=data["g"].where(data["g"] > 0))
        return d.set_index(["id", "period"])

    def run(self, d, setting):
        from differences import ATTgt

        boot = BOOT_DRAWS if setting == "bootstrap" else 0
        att = ATTgt(data=d, cohort_column="g", base_period="varying", anticipation=0)
        att.fit(
            formula="y ~ x" if setting == "covariates" else "y",
            est_method="dr", control_group="never_treated",
            boot_iterations=boot, random_state=SEED, progress_bar=False,
        )
        kw = dict(boot_iterations=boot, random_state=SEED)
        simple = att.aggregate("simple", **kw)
        event = att.aggregate("event", **kw)
        event_overall = att.aggregate("event", overall=True, **kw)
        return att.results(), simple, event, event_overall

    @staticmethod
    def _att(frame: pd.DataFrame) -> pd.Series:
        cols = [c for c in frame.columns if (c[-1] if isinstance(c, tuple) else c) == "ATT"]
        return frame[cols[0]]

    def extract(self, raw):
        gt_frame, simple, event, event_overall = raw
        gt = self._att(gt_frame)
        idx = gt.index.to_frame(index=False)
        ev = self._att(event)
        return Estimates(
            gt={(int(g), int(t)): float(v) for g, t, v in zip(idx["cohort"], idx["time"], gt.to_numpy())},
            simple=float(self._att(simple).iloc[0]),
            dynamic={int(e): float(v) for e, v in zip(ev.index, ev.to_numpy())},
            dynamic_overall=float(self._att(event_overall).iloc[0]),
        )


ADAPTERS: dict[str, Adapter] = {a.name: a for a in (Ours(), DiffDiff(), ModernDiD(), CSDiD(), Differences())}


# --------------------------------------------------------------------------------------
# agreement check
# --------------------------------------------------------------------------------------


class Disagreement(AssertionError):
    pass


#: Disagreements that are understood: the peer implements a different estimator, not R did's.
#: They are still checked, against the looser bound given here, and flagged in the report.
KNOWN_DIFFERENCES: dict[tuple[str, str], tuple[float, str]] = {
    ("diff-diff", "covariates"): (
        1e-2,
        "diff-diff's panel doubly robust 2x2 divides the comparison-group augmentation by the number of "
        "treated units, sum(w_c * (m - dY)) / n_t, where R's DRDID::drdid_panel (used by R did) divides by "
        "the sum of the odds weights w_c = p/(1-p); with a logit-MLE propensity score these differ by the "
        "factor sum(w_c)/n_t (0.992 in cell (4, 4) at 1,000 units), so its covariate-adjusted ATTs differ "
        "from R did's (and ours, moderndid's, csdid's, differences') by about 1e-4. Not configurable.",
    ),
}


def compare(ours: Estimates, peer: Estimates, name: str, setting: str, n: int, tol: float) -> float:
    """Largest absolute difference of the point estimates; raises Disagreement above ``tol``."""
    where = f"{name} vs ours, {setting}, {n:,} units"
    if set(peer.gt) != set(ours.gt):
        raise Disagreement(
            f"{where}: different group-time cells: only ours {sorted(set(ours.gt) - set(peer.gt))}, "
            f"only {name} {sorted(set(peer.gt) - set(ours.gt))}"
        )
    pairs: list[tuple[str, float, float]] = [(f"ATT{k}", ours.gt[k], peer.gt[k]) for k in sorted(ours.gt)]
    pairs.append(("simple", ours.simple, peer.simple))
    if set(peer.dynamic) != set(ours.dynamic):
        raise Disagreement(
            f"{where}: different event times: ours {sorted(ours.dynamic)}, {name} {sorted(peer.dynamic)}"
        )
    pairs += [(f"dynamic e={e}", ours.dynamic[e], peer.dynamic[e]) for e in sorted(ours.dynamic)]
    if peer.dynamic_overall is not None:
        pairs.append(("dynamic overall", ours.dynamic_overall, peer.dynamic_overall))
    worst = 0.0
    bad = []
    for label, a, b in pairs:
        diff = abs(a - b)
        if not diff <= tol:  # written so that NaN fails too
            bad.append(f"{label}: ours {a!r}, {name} {b!r}, |diff| {diff:.3g}")
        worst = max(worst, diff) if np.isfinite(diff) else math.inf
    if bad:
        raise Disagreement(f"{where}: {len(bad)} estimate(s) differ by more than {tol:g}:\n  " + "\n  ".join(bad[:10]))
    return worst


# --------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------


@dataclass
class Timing:
    estimator: str
    n_units: int
    setting: str
    times: list[float] = field(default_factory=list)
    status: str = "ok"  # ok | capped | skipped | missing | failed
    note: str = ""
    max_diff: float | None = None
    differs: bool = False
    warm: float | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None


@contextlib.contextmanager
def quiet():
    """Silence a package's prints and warnings while it runs (the timed work is unchanged)."""
    buf_out, buf_err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.redirect_stdout(buf_out), contextlib.redirect_stderr(buf_err):
            yield


def time_once(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_benchmark(args) -> tuple[list[Timing], dict[int, dict[str, float]]]:
    """Warm up and check every estimator, then time them in interleaved rounds.

    Per size and setting: each estimator runs once untimed (the warm-up, whose
    estimates are compared with ours), then the timed runs go round-robin --
    ours, peer 1, ..., peer 4, ours, ... -- so a burst of load on the machine
    falls on all estimators alike rather than on one.
    """
    estimators = ["ours"] + list(args.peers)
    results: list[Timing] = []
    last: dict[tuple[str, str], tuple[int, float]] = {}  # (estimator, setting) -> (n, seconds) at the previous size
    truth: dict[int, dict[str, float]] = {}
    for n in args.sizes:
        data = make_panel(n)
        truth[n] = {"simple": true_simple_att(data)}
        repeats = args.repeats if args.repeats else (3 if n >= 100_000 else 5)
        for setting in args.settings:
            ours_est: Estimates | None = None
            planned: list[tuple[Adapter, Timing, int]] = []
            for name in estimators:
                ad = ADAPTERS[name]
                rec = Timing(name, n, setting)
                results.append(rec)
                missing = ad.available()
                if missing:
                    rec.status, rec.note = "missing", missing
                    continue
                if name != "ours" and ours_est is None:
                    rec.status, rec.note = "failed", "ours failed, nothing to compare with"
                    continue
                prev = last.get((name, setting))
                if name != "ours" and prev is not None:
                    projected = prev[1] * n / prev[0]
                    if projected > args.cap:
                        rec.status = "skipped"
                        rec.note = (
                            f"{prev[1]:.1f} s at {prev[0]:,} units projects to ~{projected:.0f} s per run "
                            f"here, over the {args.cap:g} s cap"
                        )
                        last[(name, setting)] = (n, projected)
                        log(f"  {name:12s} {setting:10s} {n:>7,}  skipped: {rec.note}")
                        continue
                try:
                    prepared = ad.prepare(data, setting)
                    with quiet():
                        warm, raw = time_once(functools.partial(ad.run, prepared, setting))
                    del prepared
                    est = ad.extract(raw)
                    del raw
                except Exception as exc:  # noqa: BLE001 - report, never drop
                    rec.status, rec.note = "failed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                    log(f"  {name:12s} {setting:10s} {n:>7,}  failed: {rec.note}")
                    if name == "ours":
                        raise
                    continue
                rec.warm = warm
                if name == "ours":
                    ours_est = est
                    if setting == "covariates":
                        truth[n]["ours_covariates"] = est.simple
                else:
                    known = KNOWN_DIFFERENCES.get((name, setting))
                    try:
                        rec.max_diff = compare(ours_est, est, name, setting, n, args.tol)
                    except Disagreement as exc:
                        if known is None:
                            raise
                        rec.max_diff = compare(ours_est, est, name, setting, n, known[0])
                        log(f"  WARNING known disagreement, {name} is not R did's estimator here:\n    "
                            + str(exc).replace("\n", "\n    "))
                    if known is not None:
                        # A different formula, so flagged even where large samples bring it within --tol.
                        rec.differs = True
                        rec.note = f"not R did's DR formula (see [{name}] below), max diff {rec.max_diff:.1e}"
                extra = "" if rec.max_diff is None else f", max|diff| {rec.max_diff:.1e}"
                log(f"  {name:12s} {setting:10s} {n:>7,}  warm-up {warm:8.3f} s{extra}")
                if name != "ours" and warm > args.cap:
                    # Over the cap: the warm-up stands as the (cold, single) measurement.
                    rec.status = "capped"
                    rec.note = "; ".join(filter(None, [
                        rec.note, f"the warm-up run alone took {warm:.1f} s, over the {args.cap:g} s cap: not timed further"]))
                    last[(name, setting)] = (n, warm)
                    continue
                reps = repeats if (name == "ours" or warm <= args.slow) else 1
                if reps < repeats:
                    rec.note = "; ".join(filter(None, [rec.note, f"1 run (warm-up took {warm:.1f} s > {args.slow:g} s)"]))
                planned.append((ad, rec, reps))
            for round_ in range(max((reps for _, _, reps in planned), default=0)):
                for ad, rec, reps in planned:
                    if round_ >= reps:
                        continue
                    prepared = ad.prepare(data, setting)
                    with quiet():
                        elapsed, raw = time_once(functools.partial(ad.run, prepared, setting))
                    del raw, prepared
                    rec.times.append(elapsed)
            for ad, rec, _ in planned:
                last[(rec.estimator, setting)] = (n, rec.median)
                log(f"  {rec.estimator:12s} {setting:10s} {n:>7,}  median {rec.median:8.3f} s of {len(rec.times)}")
        del data
    return results, truth


# --------------------------------------------------------------------------------------
# memory (a fresh subprocess per size and setting)
# --------------------------------------------------------------------------------------


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes (VmHWM; unlike ru_maxrss it restarts at exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def memory_child(n: int, setting: str) -> None:
    import tracemalloc

    data = make_panel(n)
    ad = ADAPTERS["ours"]
    with quiet():
        ad.run(data.copy(), setting)  # warm: imports and caches outside the measurement
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    with quiet():
        raw = ad.run(data, setting)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del raw
    print(json.dumps({"peak": peak, "maxrss": _peak_rss(), "data": int(data.memory_usage(deep=True).sum())}))


def measure_memory(sizes, settings) -> dict[tuple[int, str], dict[str, int]]:
    out = {}
    for n in sizes:
        for setting in settings:
            proc = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--memory-child", str(n), setting],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                log(f"  memory {n:,} {setting}: failed\n{proc.stderr[-2000:]}")
                continue
            out[(n, setting)] = json.loads(proc.stdout.strip().splitlines()[-1])
            log(f"  memory {n:>7,} {setting:10s} peak {out[(n, setting)]['peak'] / 2**20:8.1f} MiB")
    return out


# --------------------------------------------------------------------------------------
# machine and report
# --------------------------------------------------------------------------------------


def _openblas() -> tuple[int | None, str | None]:
    """OpenBLAS threads and core type actually in use by numpy (None when not found)."""
    base = Path(np.__file__).resolve().parent
    for lib_path in sorted(glob.glob(str(base.parent / "numpy.libs" / "*openblas*"))) + sorted(
        glob.glob(str(base / ".dylibs" / "*openblas*"))
    ):
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError:
            continue
        for prefix in ("scipy_openblas_", "openblas_"):
            for suffix in ("64_", ""):
                try:
                    threads = getattr(lib, f"{prefix}get_num_threads{suffix}")
                    core = getattr(lib, f"{prefix}get_corename{suffix}")
                except AttributeError:
                    continue
                core.restype = ctypes.c_char_p
                return int(threads()), core().decode()
    return None, None


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    threads, core = _openblas()
    blas = "OpenBLAS" + (f" ({core} kernels)" if core else "")
    blas_threads = "unknown" if threads is None else str(threads)
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    return (
        f"{cpu}, {cores} cores ({usable} usable), {ram} RAM; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}; "
        f"{blas}, {blas_threads} BLAS threads; "
        f"OPENBLAS_CORETYPE={'unset' if coretype is None else coretype}"
    )


def _fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def render(results: list[Timing], memory, truth, args, started: float, load_start: str) -> str:
    lines: list[str] = []
    versions = ", ".join(
        f"{name} {ADAPTERS[name].version()}" for name in ["ours"] + list(args.peers) if ADAPTERS[name].available() is None
    )
    lines.append(
        f"Machine: {machine_line()}. Load average (1/5/15 min) {load_start} at the start, {_load()} at the end "
        f"(the benchmark itself keeps it near 1; more means other work shared the {os.cpu_count()} cores)."
    )
    lines.append("")
    lines.append(f"Packages: {versions}.")
    lines.append("")
    reps = (f"{args.repeats} runs" if args.repeats > 1 else "1 run") if args.repeats else "5 runs (3 at 100,000 units)"
    lines.append(
        f"Median wall-clock seconds of {reps} after one untimed warm-up, in one process; ratio = peer time / our "
        f"time (above 1: we are faster). Panels of {N_PERIODS} periods, {len(COHORTS)} cohorts plus never-treated "
        f"units. Max diff = largest absolute difference of any point estimate from ours (checked <= {args.tol:g}). "
        f"Time cap {args.cap:g} s per run: a peer whose warm-up exceeds it is shown with that single run (~), "
        f"one projected over it from the previous size is skipped; a peer whose warm-up exceeds {args.slow:g} s "
        f"is timed once."
    )
    for setting in args.settings:
        lines += ["", f"### {setting}: {SETTING_TITLES[setting]}", ""]
        lines.append("| units | estimator | median s | ratio | max diff | note |")
        lines.append("|---:|---|---:|---:|---:|---|")
        for n in args.sizes:
            rows = [r for r in results if r.setting == setting and r.n_units == n]
            ours = next((r for r in rows if r.estimator == "ours"), None)
            base = ours.median if ours else None
            for r in rows:
                diff = "-" if r.max_diff is None else f"{r.max_diff:.0e}"
                if r.status == "ok":
                    ratio = "1" if r.estimator == "ours" else (f"{r.median / base:.1f}x" if base else "-")
                    name = f"**{r.estimator}**" if r.estimator == "ours" else r.estimator
                    lines.append(f"| {n:,} | {name} | {_fmt_s(r.median)} | {ratio} | {diff} | {r.note} |")
                elif r.status == "capped":
                    ratio = f"~{r.warm / base:.0f}x" if base else "-"
                    lines.append(f"| {n:,} | {r.estimator} | ~{_fmt_s(r.warm)} (warm-up) | {ratio} | {diff} | capped: {r.note} |")
                else:
                    lines.append(f"| {n:,} | {r.estimator} | - | - | - | {r.status}: {r.note} |")
    if memory:
        lines += ["", "### Peak memory of ours", ""]
        lines.append(
            "Peak Python heap (numpy buffers included) allocated by our att_gt + simple + dynamic, in MiB and, in "
            "brackets, MiB per 1,000 units (tracemalloc; the data already in memory; a fresh subprocess per cell). "
            "For scale: the input data frame, and the largest resident set size of those subprocesses "
            "(interpreter, imports and data included)."
        )
        lines.append("")
        lines.append("| units | input data MiB | " + " | ".join(f"{s} peak MiB" for s in args.settings) + " | max RSS MiB |")
        lines.append("|---:|---:|" + "---:|" * len(args.settings) + "---:|")
        for n in args.sizes:
            got = [memory.get((n, s)) for s in args.settings]
            cells = [
                "-" if m is None else f"{m['peak'] / 2**20:.1f} ({m['peak'] / 2**20 / (n / 1000):.2f})" for m in got
            ]
            found = [m for m in got if m is not None]
            data_mib = f"{found[0]['data'] / 2**20:.1f}" if found else "-"
            rss = f"{max(m['maxrss'] for m in found) / 2**20:.0f}" if found else "-"
            lines.append(f"| {n:,} | {data_mib} | " + " | ".join(cells) + f" | {rss} |")
    lines += targets(results, memory, args)
    lines += ["", "### How each package is called", ""]
    for name in ["ours"] + list(args.peers):
        lines.append(f"- **{name}**: {ADAPTERS[name].notes}")
    flagged = sorted({(r.estimator, r.setting) for r in results if r.differs})
    for key in flagged:
        lines.append(f"- [{key[0]}] {key[1]} setting, point estimates differ from R did: {KNOWN_DIFFERENCES[key][1]}")
    if truth:
        parts = []
        for n, t in truth.items():
            if "ours_covariates" in t:
                parts.append(f"{n:,} units: true {t['simple']:.4f}, estimated {t['ours_covariates']:.4f}")
        if parts:
            lines += ["", "Sanity: simple ATT with the covariate (setting 3) against the effect built into the data: "
                      + "; ".join(parts) + "."]
    lines += ["", f"Total benchmark time {time.time() - started:.0f} s (`{' '.join(sys.argv[1:]) or 'no options'}`)."]
    return "\n".join(lines)


def targets(results: list[Timing], memory, args) -> list[str]:
    """The performance targets, judged on this run."""
    out = ["", "### Targets", ""]
    # A capped peer counts with its single (warm-up) run, which is far over the cap anyway.
    med = {(r.estimator, r.n_units, r.setting): r.median if r.status == "ok" else r.warm
           for r in results if r.status in ("ok", "capped")}
    status = {(r.estimator, r.n_units, r.setting): r for r in results}
    big = [n for n in args.sizes if n >= 10_000]

    def verdict(ok: bool | None) -> str:
        return {True: "met", False: "**not met**", None: "not measured"}[ok]

    # 1. faster than every peer at 10,000 and 100,000 units, in each setting
    slower, unknown = [], []
    for n in big:
        for s in args.settings:
            ours = med.get(("ours", n, s))
            for peer in args.peers:
                t = med.get((peer, n, s))
                if ours is None or t is None:
                    rec = status.get((peer, n, s))
                    unknown.append(f"{peer} {s} {n:,} ({rec.status if rec else 'not run'})")
                elif t <= ours:
                    slower.append(f"{peer} {s} {n:,}: {t:.3f} s vs ours {ours:.3f} s")
    ok = None if not big else (not slower)
    out.append(
        f"- Faster than every peer at 10,000 and 100,000 units in each setting: {verdict(ok)}"
        + (f" -- slower than {'; '.join(slower)}" if slower else "")
        + (f" (no comparison: {'; '.join(unknown)})" if unknown else "")
        + "."
    )
    # 2. at least 10x faster than csdid and differences
    short, unknown = [], []
    for n in big:
        for s in args.settings:
            ours = med.get(("ours", n, s))
            for peer in ("csdid", "differences"):
                if peer not in args.peers:
                    continue
                t = med.get((peer, n, s))
                if ours is None or t is None:
                    rec = status.get((peer, n, s))
                    unknown.append(f"{peer} {s} {n:,} ({rec.status if rec else 'not run'})")
                elif t < 10 * ours:
                    short.append(f"{peer} {s} {n:,}: {t / ours:.1f}x")
    ok = None if not big else (not short)
    out.append(
        "- At least 10x faster than csdid and differences (10,000 and 100,000 units): "
        + verdict(ok)
        + (f" -- only {'; '.join(short)}" if short else "")
        + (f" (no comparison: {'; '.join(unknown)})" if unknown else "")
        + "."
    )
    # 3. memory linear in units: peak per unit at the largest size within 25% of that at the next largest
    if memory and len(args.sizes) >= 2:
        n1, n2 = args.sizes[-2], args.sizes[-1]
        growth = []
        for s in args.settings:
            a, b = memory.get((n1, s)), memory.get((n2, s))
            if a and b:
                growth.append((s, (b["peak"] / n2) / (a["peak"] / n1)))
        ok = all(g <= 1.25 for _, g in growth) if growth else None
        out.append(
            f"- Memory at most linear in units (peak per unit at {n2:,} no more than 25% above that at {n1:,}): "
            f"{verdict(ok)} -- ratio of peak per unit "
            + ", ".join(f"{s} x{g:.2f}" for s, g in growth)
            + "."
        )
    else:
        out.append("- Memory linear in units: not measured (needs two sizes and the memory run).")
    return out


def write_readme(report: str) -> None:
    text = README.read_text()
    if START_MARK not in text or END_MARK not in text:
        raise SystemExit(f"{README} lacks the markers {START_MARK} / {END_MARK}")
    head, rest = text.split(START_MARK, 1)
    _, tail = rest.split(END_MARK, 1)
    README.write_text(f"{head}{START_MARK}\n{report}\n{END_MARK}{tail}")


# --------------------------------------------------------------------------------------
# profile
# --------------------------------------------------------------------------------------


def profile_ours(n: int, settings, top: int) -> str:
    import cProfile
    import pstats

    data = make_panel(n)
    out = []
    ad = ADAPTERS["ours"]
    for setting in settings:
        with quiet():
            ad.run(data.copy(), setting)
        prof = cProfile.Profile()
        d = data.copy()
        gc.collect()
        with quiet():
            prof.enable()
            ad.run(d, setting)
            prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        buf.write(f"==== profile of ours, {setting}, {n:,} units: package functions by cumulative time ====\n")
        stats.sort_stats("cumulative").print_stats(r"evaluation[/\\]did[/\\]", top)
        buf.write(f"==== profile of ours, {setting}, {n:,} units: all functions by own time ====\n")
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        out.append(buf.getvalue())
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------


def _csv(kind, allowed=None):
    def parse(text: str):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if kind is int:
            return tuple(int(float(t.replace("_", ""))) for t in items)
        if items == ["none"]:
            return ()
        if allowed is not None:
            unknown = [t for t in items if t not in allowed]
            if unknown:
                raise argparse.ArgumentTypeError(f"unknown {unknown}; choose from {allowed}")
        return tuple(items)

    return parse


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=_csv(int), default=SIZES, help="comma-separated numbers of units (default 1000,10000,100000)")
    p.add_argument("--repeats", type=int, default=None, help="timed runs per cell (default 5; 3 at >= 100,000 units)")
    p.add_argument("--settings", type=_csv(str, SETTINGS), default=SETTINGS, help="subset of analytic,bootstrap,covariates")
    p.add_argument("--peers", type=_csv(str, PEERS), default=PEERS, help="subset of peers, or 'none'")
    p.add_argument("--cap", type=float, default=60.0,
                   help="seconds per run (default 60): skip a peer at a size when its time at the previous size, "
                        "scaled by units, projects above this; a peer whose warm-up run exceeds it is not run again")
    p.add_argument("--slow", type=float, default=20.0,
                   help="seconds: a peer whose warm-up run took longer is timed once, not --repeats times (default 20)")
    p.add_argument("--tol", type=float, default=1e-6, help="largest allowed difference of a point estimate (default 1e-6)")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    p.add_argument("--write", action="store_true", help=f"write the report into {README.name} between the markers")
    p.add_argument("--profile", action="store_true", help="also cProfile ours at the largest size, per setting")
    p.add_argument("--profile-top", type=int, default=25)
    p.add_argument("--memory-child", nargs=2, metavar=("N", "SETTING"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return 0
    if args.repeats is not None and args.repeats < 1:
        p.error("--repeats must be at least 1")
    args.sizes = tuple(sorted(args.sizes))

    started = time.time()
    load_start = _load()
    log(f"machine: {machine_line()}; load average {load_start}")
    try:
        results, truth = run_benchmark(args)
    except Disagreement as exc:
        log(f"\nPOINT ESTIMATES DISAGREE -- benchmark aborted:\n{exc}")
        return 1
    memory = {} if args.no_memory else measure_memory(args.sizes, args.settings)
    report = render(results, memory, truth, args, started, load_start)
    print(report)
    if args.profile:
        print()
        print(profile_ours(max(args.sizes), args.settings, args.profile_top))
    failed = [r for r in results if r.status == "failed"]
    if args.write:
        write_readme(report)
        log(f"wrote {README}")
    return 1 if any(r.estimator == "ours" for r in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
