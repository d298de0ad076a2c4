"""The analysis plan: what the evaluation will estimate, written down and locked before the results.

Pre-registration as DIME, 3ie and BITSS practise it, automated. ``gcio-eval plan
init`` writes ``plan.yml`` with the choices that decide the headline result
(primary outcome, entity group, estimator and comparison group, covariates,
event window, the smallest effect worth detecting, the verdict rules, the
robustness checks); ``gcio-eval plan lock`` checks that every choice is valid and
records the plan's hash and the date in the plan itself. A run that is given the
plan uses its values as the notebooks' parameters, records the hash, and labels
each report *pre-specified* (its parameters follow the locked plan) or
*exploratory* (a parameter differs, named); a locked plan edited after its lock
is said so on the index and in the manifest.

The hash is taken over the plan's values (canonical JSON), not its text: a
comment or a reflowed line does not change it, a changed value does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from evaluation.safe import YamlTooLargeError, load_yaml

#: The plan's keys, their defaults, and the notebook parameter each one fixes (None: recorded, not a parameter).
FIELDS: dict[str, tuple[object, str | None, str]] = {
    "primary_outcome": ("POL07", "outcome", "indicator code of the primary outcome (outcomes.csv)"),
    "entities": ("territorial", "entities", "all, territorial, national, municipal or departmental"),
    "estimator": ("callaway_santanna", None, "callaway_santanna (Callaway & Sant'Anna 2021)"),
    "control_group": ("never_treated", "control_group", "never_treated or not_yet_treated"),
    "method": ("dr", "method", "dr (doubly robust), ipw or reg"),
    "covariates": ("default", "covariates", '"default" (dataset.yml), "none", or comma-separated entity columns'),
    "event_window": ([-5, 5], None, "first and last year relative to adoption reported in the event study"),
    "min_effect": (0.0, "min_effect", "smallest effect worth detecting, in outcome units; 0 means the "
                                      "minimum detectable effect"),
    "alpha": (0.05, "alpha", "one minus the confidence level, and the size of every test"),
    "bootstrap": (999, "bootstrap", "multiplier-bootstrap draws for the uniform band (0: analytic)"),
    "seed": (2016, "seed", "random seed of every random draw"),
    "verdict_rules": ("default", None, "the verdict rules in force: default (README, 'Reading the verdicts')"),
    "robustness": (["honest_did", "placebo", "randomization_inference", "power", "pretrend_power",
                    "sun_abraham"], None, "robustness checks reported with the findings"),
}
ESTIMATORS = ("callaway_santanna",)
ROBUSTNESS = ("honest_did", "placebo", "randomization_inference", "power", "pretrend_power", "sun_abraham",
              "synthetic_did", "wild_cluster_bootstrap")
PRE_SPECIFIED, EXPLORATORY, NO_PLAN = "pre-specified", "exploratory", "no plan"
#: Environment variable in which the runner hands each report its plan check (JSON by notebook stem).
CHECK_ENV = "GCIO_PLAN_CHECKS"


class PlanError(ValueError):
    """A plan that cannot be read, validated or locked; the message names the file, the key and the fix."""


def template(**values) -> str:
    """The text of a new ``plan.yml``, one commented key per choice (defaults unless given)."""
    lines = ["# Analysis plan of the evaluation. Fill it in, then lock it before the results are seen:",
             "#   gcio-eval plan lock plan.yml --data DATA_FOLDER",
             "# A run given this plan (gcio-eval run --plan plan.yml) uses these values; a parameter changed",
             "# on the command line makes the affected reports exploratory, and says so.",
             "plan_version: 1"]
    for key, (default, parameter, meaning) in FIELDS.items():
        value = values.get(key, default)
        text = yaml.safe_dump({key: value}, default_flow_style=True, allow_unicode=True, width=200).strip()
        text = text[1:-1] if text.startswith("{") else text
        lines.append(f"# {meaning}" + (f" (notebook parameter `{parameter}`)" if parameter else ""))
        lines.append(text)
    return "\n".join(lines) + "\n"


def init(path: str | Path, *, force: bool = False, **values) -> Path:
    """Write a new plan at ``path``; an existing file is kept unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise PlanError(f"{path.name} already exists: edit it, or pass --force to replace it with a new plan.")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise PlanError(f"unknown plan key(s) {', '.join(unknown)}; the keys are {', '.join(FIELDS)}.")
    if path.is_symlink():
        path.unlink()
    path.write_text(template(**values), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Plan:
    """A plan as read from its file.

    Attributes
    ----------
    values : dict
        Every plan key (defaults filled in for keys the file leaves out).
    sha256 : str
        Hash of the values (canonical JSON), what a lock records.
    locked_sha256, locked_date : str or None
        What ``plan lock`` recorded, if it was locked.
    """

    name: str
    values: dict
    sha256: str
    locked_sha256: str | None = None
    locked_date: str | None = None
    given: tuple[str, ...] = field(default=())
    path: Path | None = field(default=None, compare=False)

    @property
    def locked(self) -> bool:
        return self.locked_sha256 is not None

    @property
    def edited_after_lock(self) -> bool:
        return self.locked and self.locked_sha256 != self.sha256

    def parameters(self) -> dict:
        """The notebook parameters the plan fixes (``outcome``, ``entities``, ...)."""
        return {FIELDS[k][1]: _as_parameter(v) for k, v in self.values.items() if FIELDS[k][1]}

    def record(self) -> dict:
        """What a run's manifest records of its plan."""
        return {"file": self.name, "sha256": self.sha256, "locked": self.locked, "locked_date": self.locked_date,
                "locked_sha256": self.locked_sha256, "edited_after_lock": self.edited_after_lock,
                "values": self.values}


def _as_parameter(value):
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def values_hash(values: dict) -> str:
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read(path: str | Path) -> Plan:
    """Read ``plan.yml``; unknown keys and a broken file are errors naming the key and the fix."""
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"{path.name}: no such plan file; write one with `gcio-eval plan init --out {path.name}`.")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, YamlTooLargeError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path.name} is not valid YAML ({' '.join(str(exc).split())[:200]}); "
                        "fix the file or write a new one with `gcio-eval plan init`.") from None
    if not isinstance(raw, dict):
        raise PlanError(f"{path.name} must be a block of `key: value` lines (see `gcio-eval plan init`).")
    raw = dict(raw)
    lock = raw.pop("locked", None)
    raw.pop("plan_version", None)
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise PlanError(f"{path.name}: unknown key(s) {', '.join(unknown)}; the plan's keys are "
                        f"{', '.join(FIELDS)}.")
    values = {k: raw.get(k, default) for k, (default, _, _) in FIELDS.items()}
    locked_sha = locked_date = None
    if lock is not None:
        if not isinstance(lock, dict) or not isinstance(lock.get("sha256"), str):
            raise PlanError(f"{path.name}: the `locked:` block is damaged (it needs `sha256:` and `date:`); "
                            "restore it from the locked copy, or remove it and lock the plan again.")
        locked_sha, locked_date = lock["sha256"], str(lock.get("date"))
    return Plan(path.name, values, values_hash(values), locked_sha, locked_date, tuple(str(k) for k in raw), path)


def problems(plan: Plan, dataset=None) -> list[str]:
    """Every value of ``plan`` that does not validate (against ``dataset`` when given), with the fix."""
    from evaluation.panel import ENTITY_GROUPS

    v, out = plan.values, []

    def bad(key, why):
        out.append(f"{plan.name}, key '{key}': {why}")

    if not isinstance(v["primary_outcome"], str) or not v["primary_outcome"].strip():
        bad("primary_outcome", "give an indicator code, e.g. POL07")
    elif dataset is not None and v["primary_outcome"] not in set(dataset.outcomes["indicator"].unique()):
        bad("primary_outcome", f"{v['primary_outcome']!r} is not an indicator of outcomes.csv; use one of "
            f"{', '.join(sorted(map(str, dataset.outcomes['indicator'].unique())))}")
    if v["entities"] not in ENTITY_GROUPS:
        bad("entities", f"{v['entities']!r} is not a group; use one of {', '.join(ENTITY_GROUPS)}")
    if v["estimator"] not in ESTIMATORS:
        bad("estimator", f"{v['estimator']!r} is not available; use {', '.join(ESTIMATORS)}")
    if v["control_group"] not in ("never_treated", "not_yet_treated"):
        bad("control_group", "use never_treated or not_yet_treated")
    if v["method"] not in ("dr", "ipw", "reg"):
        bad("method", "use dr, ipw or reg")
    if not isinstance(v["covariates"], str):
        bad("covariates", 'write "default", "none" or column names separated by commas, in quotes')
    elif dataset is not None and v["entities"] in ENTITY_GROUPS:
        from evaluation.panel import resolve_covariates
        try:
            resolve_covariates(dataset, v["covariates"], v["entities"])
        except ValueError as exc:
            bad("covariates", str(exc))
    window = v["event_window"]
    if not (isinstance(window, list) and len(window) == 2 and all(isinstance(w, int) for w in window)
            and window[0] < 0 <= window[1]):
        bad("event_window", "give [first, last] years relative to adoption, first negative, e.g. [-5, 5]")
    if not _number(v["min_effect"]) or v["min_effect"] < 0:
        bad("min_effect", "give a number of outcome units, 0 or more (0 means the minimum detectable effect)")
    if not _number(v["alpha"]) or not 0 < v["alpha"] < 0.5:
        bad("alpha", "give a number between 0 and 0.5, e.g. 0.05")
    if not isinstance(v["bootstrap"], int) or isinstance(v["bootstrap"], bool) or v["bootstrap"] < 0:
        bad("bootstrap", "give a whole number of draws, 0 or more (999 is usual)")
    if not isinstance(v["seed"], int) or isinstance(v["seed"], bool):
        bad("seed", "give a whole number")
    if v["verdict_rules"] != "default":
        bad("verdict_rules", "only the default rules exist (README, 'Reading the verdicts'); write default")
    checks = v["robustness"]
    if not isinstance(checks, list) or any(c not in ROBUSTNESS for c in checks):
        bad("robustness", f"give a list drawn from {', '.join(ROBUSTNESS)}")
    return out


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def lock(path: str | Path, dataset=None, today: dt.date | None = None) -> Plan:
    """Validate the plan and record its hash and date in it; refuse an invalid or already locked plan."""
    path = Path(path)
    plan = read(path)
    if plan.locked:
        if plan.edited_after_lock:
            raise PlanError(f"{path.name} was locked on {plan.locked_date} and edited since: a locked plan is "
                            "not locked again. Restore the locked values, or keep the edit and let the runs "
                            "report it as exploratory.")
        raise PlanError(f"{path.name} is already locked (on {plan.locked_date}, sha256 {plan.sha256[:12]}).")
    found = problems(plan, dataset)
    if found:
        raise PlanError("the plan is not locked, fix these first:\n" + "\n".join(f"- {p}" for p in found))
    date = (today or dt.date.today()).isoformat()
    text = path.read_text(encoding="utf-8")
    text = text + ("" if text.endswith("\n") else "\n") + \
        f"# Locked by gcio-eval plan lock: do not edit the values above (a run would report the change).\n" \
        f"locked:\n  date: '{date}'\n  sha256: {plan.sha256}\n"
    path.write_text(text, encoding="utf-8")
    return read(path)


@dataclass(frozen=True)
class PlanCheck:
    """How one report's parameters relate to the plan: pre-specified, exploratory (with the differences) or no plan."""

    label: str
    differences: tuple[tuple[str, object, object], ...] = ()
    edited_after_lock: bool = False

    def record(self) -> dict:
        return {"label": self.label, "edited_after_lock": self.edited_after_lock,
                "differences": [{"parameter": p, "plan": a, "run": b} for p, a, b in self.differences]}


def check(plan: Plan | None, parameters: dict) -> PlanCheck:
    """Compare a notebook's effective parameters with the plan (only the parameters it has)."""
    if plan is None:
        return PlanCheck(NO_PLAN)
    diffs = []
    for name, planned in plan.parameters().items():
        if name in parameters and not _same(parameters[name], planned):
            diffs.append((name, planned, parameters[name]))
    label = PRE_SPECIFIED if plan.locked and not plan.edited_after_lock and not diffs else EXPLORATORY
    return PlanCheck(label, tuple(diffs), plan.edited_after_lock)


def _same(a, b) -> bool:
    if _number(a) and _number(b):
        return math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-12)
    return str(a).strip() == str(b).strip()


def run_check(report: str | None = None) -> PlanCheck:
    """Inside a run: this report's plan check, as the runner computed it; outside a run: no plan."""
    import os

    from evaluation.report.tables import RUN_ENV

    report = report or os.environ.get(RUN_ENV["report"], "")
    try:
        record = json.loads(os.environ.get(CHECK_ENV) or "{}").get(report)
    except ValueError:
        record = None
    if not record:
        return PlanCheck(NO_PLAN)
    diffs = tuple((d["parameter"], d["plan"], d["run"]) for d in record.get("differences", []))
    return PlanCheck(record.get("label", NO_PLAN), diffs, bool(record.get("edited_after_lock")))
