"""Verdict rules as data: per DAC criterion, the conditions on named numbers that choose the verdict.

Each criterion has an ordered table of :class:`Rule` s; :func:`decide` returns
the first rule whose every condition holds for the criterion's numbers (the
last rule of each table has no condition, so one always applies). A rule has
an identifier (``impact_detected``), the conditions (clauses ``(name, op,
value)`` on named numbers, all of which must hold; a string value names
another number) and the strength of the evidence it stands for. The verdict
words and the conditions in plain words, in Spanish and English, are in
``evaluation.text.findings`` (keyed by the identifier); the findings report
shows the whole table in its method note and the README's reading guide
defines every word.

The impact rules follow the issue's standard: an impact is *detected* only
when the effect's interval excludes zero, the pre-adoption test does not
reject parallel trends, the HonestDiD breakdown value under relative
magnitudes (Rambachan & Roth 2023) is at least 1 (a post-adoption violation as
large as the largest pre-adoption one would not overturn it), and under the
smoothness restriction the interval keeps the estimate's sign at the smallest
M consistent with the pre-adoption coefficients. *No impact detected* needs an
interval that excludes effects of the minimum size of interest (``min_effect``,
by default the minimum detectable effect); an interval that includes zero and
such effects is *inconclusive*.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

CRITERIA = ("relevance", "coherence", "effectiveness", "impact", "efficiency", "sustainability")
#: Strength of the evidence a verdict rests on, strongest first.
STRENGTHS = ("strong", "moderate", "weak", "none")

_OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, ">": operator.gt, "<=": operator.le,
        "<": operator.lt}

Clause = tuple[str, str, Any]


@dataclass(frozen=True)
class Rule:
    """One verdict: its identifier, the conditions that must all hold, the strength of the evidence."""

    id: str
    criterion: str
    conditions: tuple[Clause, ...]
    strength: str

    def holds(self, numbers: Mapping[str, Any]) -> bool:
        """True when every condition holds; a condition on a missing or NaN number does not hold."""
        for name, op, value in self.conditions:
            left = numbers.get(name)
            right = numbers.get(value) if isinstance(value, str) else value
            if left is None or right is None:
                return False
            try:
                if left != left or right != right:  # NaN
                    return False
                if not _OPS[op](left, right):
                    return False
            except TypeError:
                return False
        return True


def _rules(criterion: str, *rows) -> tuple[Rule, ...]:
    return tuple(Rule(rid, criterion, tuple(conds), strength) for rid, conds, strength in rows)


RULES: dict[str, tuple[Rule, ...]] = {
    "relevance": _rules(
        "relevance",
        ("relevance_not_assessable", [("needs_measured", "==", 0)], "none"),
        # a need is "confirmed" when the whole interval of the share that already had the condition is below 1/2
        ("relevance_need_confirmed", [("needs_confirmed", "==", "needs_measured")], "moderate"),
        ("relevance_need_partly_confirmed", [("needs_confirmed", ">=", 1)], "weak"),
        ("relevance_no_widespread_need", [("needs_not_widespread", "==", "needs_measured")], "moderate"),
        ("relevance_unclear", [], "weak"),
    ),
    "coherence": _rules(
        "coherence",
        ("coherence_not_assessable", [("prior_measured", "==", False)], "none"),
        ("coherence_adopters_ahead", [("gap_low", ">", 0)], "weak"),
        ("coherence_adopters_behind", [("gap_high", "<", 0)], "weak"),
        ("coherence_no_gap_detected", [], "weak"),
    ),
    "effectiveness": _rules(
        "effectiveness",
        ("effectiveness_not_assessable", [("outputs_with_target", "==", 0)], "none"),
        ("effectiveness_delivered", [("share_reached", ">=", 1.0)], "moderate"),
        ("effectiveness_mostly_delivered", [("share_reached", ">=", 0.75)], "moderate"),
        ("effectiveness_partly_delivered", [("share_reached", ">=", 0.25)], "moderate"),
        ("effectiveness_not_delivered", [], "moderate"),
    ),
    "impact": _rules(
        "impact",
        ("impact_not_estimable", [("estimated", "==", False)], "none"),
        ("impact_detected", [("excludes_zero", "==", True), ("pretest_rejects", "==", False),
                             ("rm_breakdown", ">=", 1.0), ("sd_keeps_sign", "==", True)], "strong"),
        ("impact_suggestive", [("excludes_zero", "==", True), ("pretest_rejects", "==", False),
                               ("robust_checks_passed", ">=", 1)], "moderate"),
        ("impact_not_robust", [("excludes_zero", "==", True)], "weak"),
        ("no_impact_detected", [("excludes_min_effect", "==", True)], "moderate"),
        ("impact_inconclusive", [], "weak"),
    ),
    "efficiency": _rules(
        "efficiency",
        ("efficiency_not_assessable", [("budget_available", "==", False)], "none"),
        ("efficiency_outputs_only", [("estimated", "==", False)], "weak"),
        ("efficiency_costed", [("effect_low", ">", 0), ("impact_robust", "==", True)], "moderate"),
        ("efficiency_costed_provisional", [("effect_low", ">", 0)], "weak"),
        ("efficiency_no_gain", [("effect_high", "<=", 0)], "weak"),
        ("efficiency_cost_unbounded", [], "weak"),
    ),
    "sustainability": _rules(
        "sustainability",
        ("sustainability_not_assessable", [("assessable", "==", False)], "none"),
        ("sustainability_effects_grow", [("difference_low", ">", 0), ("impact_robust", "==", True)], "moderate"),
        ("sustainability_effects_fade", [("difference_high", "<", 0)], "moderate"),
        ("sustainability_effects_persist", [("late_excludes_zero", "==", True), ("impact_robust", "==", True)],
         "moderate"),
        ("sustainability_not_robust", [("late_excludes_zero", "==", True)], "weak"),
        ("sustainability_no_lasting_effect", [], "weak"),
    ),
}


def rule(rule_id: str) -> Rule:
    """The rule with this identifier."""
    for rules in RULES.values():
        for r in rules:
            if r.id == rule_id:
                return r
    raise KeyError(f"no verdict rule {rule_id!r}; rules: {', '.join(all_ids())}")


def all_ids() -> list[str]:
    """Every verdict identifier, criterion by criterion, in the order the rules are tried."""
    return [r.id for c in CRITERIA for r in RULES[c]]


def decide(criterion: str, numbers: Mapping[str, Any]) -> Rule:
    """The first rule of ``criterion`` whose conditions all hold for ``numbers``."""
    if criterion not in RULES:
        raise KeyError(f"no verdict rules for criterion {criterion!r}; criteria: {', '.join(CRITERIA)}")
    for r in RULES[criterion]:
        if r.holds(numbers):
            return r
    raise AssertionError(f"the last rule of {criterion} has no condition")  # pragma: no cover


def failed_conditions(rule_id: str, numbers: Mapping[str, Any]) -> list[str]:
    """The names of the numbers whose condition in ``rule_id`` does not hold (why a stronger verdict was not given)."""
    return [name for name, op, value in rule(rule_id).conditions
            if not Rule(rule_id, "", ((name, op, value),), "").holds(numbers)]


def table() -> pd.DataFrame:
    """The rules, one row each: ``criterion_id, order, verdict_id, conditions, strength`` (conditions as code)."""
    rows = []
    for c in CRITERIA:
        for order, r in enumerate(RULES[c], start=1):
            rows.append({"criterion_id": c, "order": order, "verdict_id": r.id,
                         "conditions": " and ".join(f"{n} {op} {v}" for n, op, v in r.conditions) or "otherwise",
                         "strength": r.strength})
    return pd.DataFrame(rows)
