"""The words a report uses for a dataset's units, treatment, effect and outcomes.

GCIO data speak of entities (entidades del orden nacional y territorial) that
created the post of Director de Tecnologías y Sistemas de Información, with
effects in index points. Another panel says what its units, treatment and
effect unit are in its ``dataset.yml`` (``labels:``; ``gcio-eval`` writes the
block for every converted panel), e.g. states that adopted a castle-doctrine
law, with effects in log points. A ``labels:`` block may hold one block per
language (``labels: {en: {...}, es: {...}}``); a label a dataset gives is the
dataset's own word and is used as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from evaluation.load.contract import INDICATORS, LEVELS
from evaluation.text.i18n import Messages, check_language

DOMAIN = "common"

_LABEL_KEYS = ("unit", "units", "treatment", "adopted", "effect_unit", "outcomes", "levels", "name")


def _one_line(value) -> str:
    """A label as one line: it goes into sentences, headings and axis titles."""
    return " ".join(str(value).split())


def _gcio_words(language: str) -> dict:
    _ = Messages(language, DOMAIN)
    return {
        "unit": _("entity"),
        "units": _("entities"),
        "treatment": _("post of Director of Information Technologies and Systems (GCIO)"),
        "treatment_short": _("GCIO post"),
        "adopted": _("created the GCIO post"),
        "effect_unit": _("index points"),
        "outcomes": {
            "POL07": _("Gobierno Digital policy index (FURAG)"),
            "POL08": _("Seguridad Digital policy index (FURAG)"),
            "IDI": _("Institutional Performance Index, IDI (FURAG)"),
            "GEL": _("Gobierno en Línea index (MinTIC, before MIPG)"),
        },
        "levels": {"national": _("national"), "departmental": _("departmental"),
                   "municipal": _("municipal"), "territorial": _("territorial")},
    }


@dataclass(frozen=True)
class Wording:
    """Units, treatment, effect unit, outcome and level words of one dataset in one language.

    Attributes
    ----------
    unit, units : str
        "entidad"/"entidades", "state"/"states".
    treatment, treatment_short : str
        The treatment in full and in a short form for titles and axes.
    adopted : str
        A verb phrase for the units that were treated ("crearon el cargo", "adopted the
        castle-doctrine law").
    effect_unit : str
        What an effect is measured in ("puntos del índice", "log points").
    programme : bool
        True for GCIO data (no ``labels:`` block): reports may then name the programme.
    """

    language: str
    unit: str
    units: str
    treatment: str
    treatment_short: str
    adopted: str
    effect_unit: str
    programme: bool
    dataset_name: str = ""
    outcomes: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "outcomes", MappingProxyType(dict(self.outcomes)))
        object.__setattr__(self, "levels", MappingProxyType(dict(self.levels)))

    @classmethod
    def for_dataset(cls, dataset, language: str = "es") -> "Wording":
        """The wording of ``dataset`` (a ``Dataset``, or None for GCIO defaults) in ``language``."""
        language = check_language(language)
        metadata = (getattr(dataset, "metadata", None) or {}) if dataset is not None else {}
        name = _one_line(metadata.get("name") or (getattr(getattr(dataset, "folder", None), "name", "") or ""))
        labels = metadata.get("labels")
        gcio = _gcio_words(language)
        if not isinstance(labels, dict):
            return cls(language=language, programme=True, dataset_name=name,
                       **{k: gcio[k] for k in ("unit", "units", "treatment", "treatment_short", "adopted",
                                               "effect_unit", "outcomes", "levels")})
        if isinstance(labels.get(language), dict):  # one block per language
            labels = labels[language]
        elif any(isinstance(labels.get(code), dict) for code in ("es", "en")):
            labels = next(labels[code] for code in ("en", "es") if isinstance(labels.get(code), dict))
        _ = Messages(language, DOMAIN)
        unit = _one_line(labels.get("unit") or _("unit"))
        treatment = _one_line(labels.get("treatment") or _("treatment"))
        outcomes = labels.get("outcomes")
        outcomes = outcomes if isinstance(outcomes, dict) else {}
        levels = labels.get("levels")
        levels = levels if isinstance(levels, dict) else {}
        return cls(
            language=language,
            unit=unit,
            units=_one_line(labels.get("units") or f"{unit}s"),
            treatment=treatment,
            treatment_short=treatment,
            adopted=_one_line(labels.get("adopted") or (_("adopted the {treatment}", treatment=treatment)
                                                        if labels.get("treatment") else _("were treated"))),
            effect_unit=_one_line(labels.get("effect_unit") or _("outcome units")),
            programme=False,
            dataset_name=name,
            outcomes={str(k): _one_line(v) for k, v in outcomes.items()},
            levels={str(k): _one_line(v) for k, v in levels.items()},
        )

    def outcome(self, code: str, with_code: bool = True) -> str:
        """``POL07 – Índice de la política de Gobierno Digital (FURAG)``; the code alone if unlabelled."""
        label = self.outcomes.get(code) or (INDICATORS.get(code) if self.programme else None)
        if not label:
            return code
        return f"{code} – {label}" if with_code else label

    def level(self, name: str) -> str:
        """The word for a level: ``departmental`` -> ``departamental`` on GCIO data in Spanish.

        A converted panel's units carry a contract level only so that the level tables work (castle's
        states are ``departmental``); unless its ``labels.levels`` names the level, it is read as the
        panel's unit word (``state``), never as a Colombian level.
        """
        name = str(name)
        if name in self.levels:
            return self.levels[name]
        if self.programme:
            return _gcio_words(self.language)["levels"].get(name, name)
        return self.unit if name in LEVELS else name
