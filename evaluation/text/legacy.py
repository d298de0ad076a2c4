"""Transitional: the English sentence functions ``questions/findings.py`` called before its conversion.

``evaluation.questions.costs`` and ``evaluation.questions.heterogeneity`` hold
numbers only; until the findings report composes its own sentences
(``text/findings.py``), the old names it calls (``costs.money``,
``costs.cost_title``, ``costs.per_point_text``, ``heterogeneity.subgroup_text``,
``heterogeneity.persistence_sentence``, ``heterogeneity.persistence_title``,
``heterogeneity._years``) resolve here, in English, built from the report text
modules. Delete this module once nothing calls those names.
"""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.text.format import Format
from evaluation.text.wording import Wording


@dataclass(frozen=True)
class Lines:
    """A list of sentences as one ``- item`` per line, under the attribute the old Markdown objects had."""

    data: str


def _costs():
    from evaluation.text.costs import CostsText

    return CostsText(Format("en"), Wording.for_dataset(None, "en"))


def _heterogeneity():
    from evaluation.text.heterogeneity import HeterogeneityText

    return HeterogeneityText(Format("en"), Wording.for_dataset(None, "en"))


def costs_attribute(name: str):
    t = _costs()
    found = {
        "money": t.money,
        "cost_title": t.cost_title,
        "per_point_text": lambda table, *, indicator, exchange_rate, alpha=0.05: Lines("\n".join(
            f"- {item}" for item in t.per_point_items(table, indicator=indicator, exchange_rate=exchange_rate,
                                                      alpha=alpha))),
    }.get(name)
    if found is None:
        raise AttributeError(f"module 'evaluation.questions.costs' has no attribute {name!r}")
    return found


def heterogeneity_attribute(name: str):
    t = _heterogeneity()
    found = {
        "subgroup_text": lambda effects: Lines("\n".join(f"- {item}" for item in t.subgroup_items(effects))),
        "persistence_sentence": t.persistence_sentence,
        "persistence_title": t.persistence_title,
        "_years": t.event_years,
    }.get(name)
    if found is None:
        raise AttributeError(f"module 'evaluation.questions.heterogeneity' has no attribute {name!r}")
    return found
