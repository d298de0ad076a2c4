"""Map any staggered-adoption panel onto the data contract, from a YAML config.

The suite's notebooks read a contract folder (``entities``, ``adoption``,
``outcomes``, ``dataset.yml``; see ``data/README.md``). A published panel, such
as Cheng and Hoekstra's castle-doctrine data or the ``mpdta`` county panel of R's
``did``, is one long table with a unit column, a time column, an adoption
cohort or a treated flag, and outcome columns. A config names those columns::

    panel:
      file: ../data/reference/castle.csv   # relative to the config file
      unit: sid                  # one row per unit and time
      unit_name: state           # optional: the unit's name
      time: year                 # calendar years
      treated: post              # a 0/1 flag, absorbing ... (or cohort: first.treat)
      outcomes: [l_homicide]     # one column or a list
      covariates: []             # optional; entity-level, taken at each unit's first year
      weights: null              # optional; a unit-level weight column
      level: departmental        # the contract level of every unit (see below)
      labels:
        name: castle
        source: Cheng & Hoekstra (2013) ...
        unit: state
        outcomes: {l_homicide: log homicides per 100,000 inhabitants}

``convert(config, folder)`` writes the contract folder; ``contract_folder``
does it once per panel file and config into a cache (what ``gcio-eval run
--config`` uses). Both check every named column before writing anything and
validate the result with ``evaluation.load.checks``; on any problem they raise
``PanelConfigError`` naming the config file and write nothing.

What the contract cannot hold, and what is done instead:

- the adoption table wants the date of an act; a cohort year ``g`` becomes
  ``g-01-01``, whose calendar year is the cohort again;
- a treated flag becomes a cohort: the first year the flag is 1. Adoption
  must be absorbing (once 1, always 1), as the estimators assume; a unit that
  switches back is an error, not silently recoded;
- covariates are entity-level in the contract; a covariate that varies over
  time is taken at the unit's first year in the panel (a pre-adoption
  baseline for every cohort observed before it adopts), and the conversion
  says which ones varied;
- the GCIO-specific checks (scores 0-100, adoption after Decree 415 of 2016)
  are switched off in the ``checks:`` block of the ``dataset.yml`` written
  (see ``evaluation.load.contract.Checks``), and ``level`` must be one of the
  contract's levels unless ``checks.levels`` declares another name.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from evaluation import paths
from evaluation.load import contract, readers
from evaluation.safe import load_yaml, write_csv

__all__ = ["PanelConfig", "PanelLabels", "PanelConfigError", "Conversion", "read_config", "convert",
           "contract_folder", "panel_tables"]

#: Bumped whenever the conversion writes different files for the same input, so caches are rebuilt.
FORMAT_VERSION = 2  # 2: dataset.yml carries language and the labels effect_unit, adopted, levels

_KEYS = {
    "file": "the panel file (.csv or .xlsx), relative to the config file",
    "unit": "the column identifying a unit (a state, a county, an entity)",
    "unit_name": "optional: a column with the unit's name",
    "time": "the column with the calendar year",
    "cohort": "the column with the year a unit adopted (0 or blank: never); give this or treated",
    "treated": "a 0/1 column, 1 from the year a unit adopted on; give this or cohort",
    "never_treated": "optional: the cohort values that mean 'never adopted' (default: 0 and blank)",
    "outcomes": "one outcome column, or a list of them",
    "covariates": "optional: a list of numeric columns describing the units",
    "weights": "optional: a numeric column with each unit's weight (constant over time)",
    "level": "the contract level of every unit: national, departmental or municipal, or a name declared "
             "in checks.levels",
    "labels": "name, source, description, unit (e.g. state), units (plural), treatment, adopted (e.g. adopted "
              "the law), effect_unit (e.g. log points), outcomes (code: label), levels (contract level: word)",
    "language": "optional: the language of the reports, es or en (written as dataset.yml's language; "
                "default en)",
    "checks": "optional: the dataset.yml checks block written (default: score_range null, earliest_adoption "
              "null, divipola false)",
}
_LABEL_KEYS = ("name", "source", "description", "unit", "units", "treatment", "adopted", "effect_unit", "outcomes",
               "levels")
#: The checks a converted panel declares in its dataset.yml unless the config says otherwise:
#: its outcomes are not 0-100 scores, its adoption has nothing to do with Decree 415 of 2016, and
#: its municipalities (if any) have no DANE code.
_PANEL_CHECKS = {"score_range": None, "earliest_adoption": None, "divipola": False}
#: Contract columns a covariate or weight may not be called (they would collide in the panel).
_RESERVED = {c.name for t in (contract.ENTITIES, contract.OUTCOMES) for c in t.columns} | {"cohort", "treated"}


class PanelConfigError(ValueError):
    """A panel config, or the panel it maps, cannot be turned into a contract folder.

    The message names the config file, the key, the column and what was
    expected; nothing has been written when it is raised.
    """


# --------------------------------------------------------------------------- config


@dataclass(frozen=True)
class PanelLabels:
    """Words the reports use for a panel that is not GCIO data.

    Attributes
    ----------
    name : str
        Short name of the dataset (the report's data line and the folder name).
    source : str
        Where the data come from (citation, URL).
    description : str
        Anything a reader of the findings should know.
    unit, units : str
        What one unit is, singular and plural: ``state``/``states``.
    treatment : str
        What adoption means: ``castle-doctrine law``.
    outcomes : dict of str to str
        Outcome column to its label: ``{"l_homicide": "log homicides per 100,000"}``.
    adopted, effect_unit : str
        A verb phrase for the treated units (``adopted a castle-doctrine law``) and what an
        effect is measured in (``log points``); empty: the reports' generic words.
    levels : dict of str to str
        Contract level to the panel's word for it, where the panel uses more than one level.
    """

    name: str
    source: str = ""
    description: str = ""
    unit: str = "unit"
    units: str = ""
    treatment: str = ""
    outcomes: dict = field(default_factory=dict)
    adopted: str = ""
    effect_unit: str = ""
    levels: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = {"unit": self.unit, "units": self.units or f"{self.unit}s", "treatment": self.treatment,
               "outcomes": dict(self.outcomes)}
        out.update({k: v for k, v in (("adopted", self.adopted), ("effect_unit", self.effect_unit),
                                      ("levels", dict(self.levels))) if v})
        return out


@dataclass(frozen=True)
class PanelConfig:
    """Which columns of a panel file play which part in the contract.

    Build it with ``read_config(path)`` or ``PanelConfig.from_mapping``; the
    attributes mirror the YAML keys (see the module docstring). ``source`` is
    the config file, named in every message.
    """

    file: Path
    unit: str
    time: str
    outcomes: tuple[str, ...]
    level: str
    labels: PanelLabels
    cohort: str | None = None
    treated: str | None = None
    never_treated: tuple = (0,)
    unit_name: str | None = None
    covariates: tuple[str, ...] = ()
    weights: str | None = None
    checks: dict = field(default_factory=lambda: dict(_PANEL_CHECKS))
    source: Path | None = None
    language: str = "en"

    @classmethod
    def from_mapping(cls, mapping, *, base_dir: str | os.PathLike[str], source: str | os.PathLike[str] | None = None
                     ) -> PanelConfig:
        """Read the ``panel:`` mapping of a config; relative ``file`` paths start at ``base_dir``.

        Raises
        ------
        PanelConfigError
            For an unknown or missing key, or a value of the wrong kind; the
            message names ``source`` and lists the valid keys.
        """
        where = _where(source)
        if not isinstance(mapping, dict):
            raise PanelConfigError(f"{where}: 'panel' must be a block of 'key: value' lines, with the keys "
                                   f"{', '.join(_KEYS)}.")
        unknown = [str(k) for k in mapping if k not in _KEYS]
        if unknown:
            hints = []
            for key in unknown:
                close = difflib.get_close_matches(key, list(_KEYS), 1, 0.6)
                hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
            raise PanelConfigError(f"{where}: unknown key(s) under panel: {', '.join(hints)}. Valid keys: "
                                   + "; ".join(f"{k} ({v})" for k, v in _KEYS.items()) + ".")

        def optional_text(key: str) -> str | None:
            value = mapping.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                return None
            if isinstance(value, (list, dict)):
                raise PanelConfigError(f"{where}: panel.{key} must be one column name, not {value!r}.")
            return str(value).strip()

        def text(key: str) -> str:
            value = optional_text(key)
            if value is None:
                raise PanelConfigError(f"{where}: panel.{key} is missing: {_KEYS[key]}.")
            return value

        def names(key: str) -> tuple[str, ...]:
            value = mapping.get(key)
            if value is None:
                return ()
            if isinstance(value, (str, int, float)):
                value = [value]
            if not isinstance(value, list) or isinstance(value, dict):
                raise PanelConfigError(f"{where}: panel.{key} must be a column name or a list of them.")
            return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))

        file_text = text("file")
        path = Path(file_text).expanduser()
        path = (path if path.is_absolute() else Path(base_dir) / path).resolve()
        cohort, treated = optional_text("cohort"), optional_text("treated")
        if (cohort is None) == (treated is None):
            raise PanelConfigError(
                f"{where}: give exactly one of panel.cohort ({_KEYS['cohort']}) and panel.treated "
                f"({_KEYS['treated']}){'; both are given' if cohort else ''}.")
        outcomes = names("outcomes")
        if not outcomes:
            raise PanelConfigError(f"{where}: panel.outcomes is missing: {_KEYS['outcomes']}.")
        level = optional_text("level")
        if level is None:
            raise PanelConfigError(
                f"{where}: panel.level is missing: say which level of the contract every unit is: national, "
                "departmental or municipal (e.g. departmental for US states, municipal for counties), or a name "
                "of your own that you also list in panel.checks.levels.")
        never = mapping.get("never_treated", [0])
        never = tuple(never if isinstance(never, list) else [never])

        labels = mapping.get("labels") or {}
        if not isinstance(labels, dict):
            raise PanelConfigError(f"{where}: panel.labels must be a block with the keys {', '.join(_LABEL_KEYS)}.")
        bad = [str(k) for k in labels if k not in _LABEL_KEYS]
        if bad:
            raise PanelConfigError(f"{where}: unknown key(s) under panel.labels: {', '.join(bad)}. "
                                   f"Valid keys: {', '.join(_LABEL_KEYS)}.")
        outcome_labels = labels.get("outcomes") or {}
        if not isinstance(outcome_labels, dict):
            raise PanelConfigError(f"{where}: panel.labels.outcomes must map outcome columns to labels, "
                                   "e.g. {l_homicide: log homicides per 100,000}.")
        stray = [k for k in outcome_labels if str(k) not in outcomes]
        if stray:
            raise PanelConfigError(f"{where}: panel.labels.outcomes labels {stray}, which are not in panel.outcomes "
                                   f"({', '.join(outcomes)}).")
        level_labels = labels.get("levels") or {}
        if not isinstance(level_labels, dict):
            raise PanelConfigError(f"{where}: panel.labels.levels must map contract levels to words, "
                                   "e.g. {departmental: state}.")
        from evaluation.text.i18n import UnknownLanguageError, check_language

        try:
            language = check_language(mapping.get("language") or "en")
        except UnknownLanguageError as exc:
            raise PanelConfigError(f"{where}: panel.{exc}") from None
        unit_word = str(labels.get("unit") or "unit").strip()
        panel_labels = PanelLabels(
            name=str(labels.get("name") or path.stem).strip(),
            source=str(labels.get("source") or "").strip(),
            description=str(labels.get("description") or "").strip(),
            unit=unit_word,
            units=str(labels.get("units") or f"{unit_word}s").strip(),
            treatment=str(labels.get("treatment") or "").strip(),
            outcomes={str(k): str(v) for k, v in outcome_labels.items()},
            adopted=str(labels.get("adopted") or "").strip(),
            effect_unit=str(labels.get("effect_unit") or "").strip(),
            levels={str(k): str(v) for k, v in level_labels.items()},
        )
        checks = mapping.get("checks")
        if checks is None:
            checks = dict(_PANEL_CHECKS)
        if not isinstance(checks, dict):
            raise PanelConfigError(f"{where}: panel.checks must be a block like dataset.yml's checks: "
                                   f"{', '.join(contract.CHECK_KEYS)}.")
        checks = {**_PANEL_CHECKS, **checks}
        if level not in contract.LEVELS and "levels" not in checks:
            checks["levels"] = [level]
        covariates, weights = names("covariates"), optional_text("weights")
        clash = sorted((set(covariates) | ({weights} if weights is not None else set())) & _RESERVED)
        if clash:
            raise PanelConfigError(f"{where}: covariate or weight column(s) {clash} have the name of a contract "
                                   "column; rename them in the panel file.")
        return cls(file=path, unit=text("unit"), time=text("time"), outcomes=outcomes, level=level,
                   labels=panel_labels, cohort=cohort, treated=treated, never_treated=never,
                   unit_name=optional_text("unit_name"), covariates=covariates, weights=weights, checks=checks,
                   source=Path(source) if source else None, language=language)

    @property
    def columns(self) -> dict[str, tuple[str, ...]]:
        """Config key to the panel columns it names (for checks and messages)."""
        keys = {"unit": (self.unit,), "unit_name": (self.unit_name,), "time": (self.time,),
                "cohort": (self.cohort,), "treated": (self.treated,), "outcomes": self.outcomes,
                "covariates": self.covariates, "weights": (self.weights,)}
        return {k: tuple(c for c in v if c) for k, v in keys.items() if any(v)}

    def as_dict(self) -> dict:
        """The mapping as plain YAML-ready values (the file by name only), recorded in dataset.yml."""
        out: dict[str, Any] = {"file": self.file.name, "unit": self.unit}
        out.update({k: v for k, v in (("unit_name", self.unit_name), ("time", self.time), ("cohort", self.cohort),
                                      ("treated", self.treated)) if v})
        if self.cohort:
            out["never_treated"] = list(self.never_treated)
        out.update(outcomes=list(self.outcomes), covariates=list(self.covariates), weights=self.weights,
                   level=self.level)
        return out


def read_config(path: str | os.PathLike[str]) -> PanelConfig:
    """Read a panel config: a YAML file whose ``panel:`` block (or whole content) is the mapping.

    A run configuration (``config/castle.yaml``) holds the mapping under
    ``panel:`` beside the notebook parameters; a file holding only the mapping
    works too.
    """
    path = Path(path)
    if not path.is_file():
        raise PanelConfigError(f"The panel config {path} does not exist.")
    try:
        raw = load_yaml(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        raise PanelConfigError(f"The panel config {path} is not valid YAML: {exc}") from exc
    if isinstance(raw, dict) and "panel" in raw:
        raw = raw["panel"]
    return PanelConfig.from_mapping(raw, base_dir=path.parent, source=path)


def _where(source) -> str:
    return f"Panel config {source}" if source else "Panel config"


# --------------------------------------------------------------------------- conversion


@dataclass(frozen=True, eq=False)
class Conversion:
    """The contract tables made from a panel, and what the conversion had to decide.

    Attributes
    ----------
    entities, adoption, outcomes : pandas.DataFrame
        The contract tables, as written (strings and numbers).
    metadata : dict
        The ``dataset.yml`` content.
    notes : tuple of str
        Decisions a reader should know about (time-varying covariates taken
        at the first year, units treated from the first year, ...).
    """

    entities: pd.DataFrame
    adoption: pd.DataFrame
    outcomes: pd.DataFrame
    metadata: dict
    notes: tuple[str, ...] = ()


def panel_tables(config: PanelConfig) -> Conversion:
    """Read the panel file and build the contract tables in memory, writing nothing.

    Raises
    ------
    PanelConfigError
        If the file cannot be read, a named column does not exist, or values
        cannot be used (years that are not years, a flag that is not 0/1,
        adoption that is not absorbing, a cohort that changes within a unit,
        repeated unit-years); every problem of one kind is listed at once.
    """
    where = _where(config.source)
    try:
        raw = readers.read_table(config.file)
    except FileNotFoundError:
        raise PanelConfigError(f"{where}: panel.file {config.file} does not exist.") from None
    except readers.TableReadError as exc:
        raise PanelConfigError(f"{where}: panel.file cannot be read as a table: {exc}") from exc
    name = config.file.name
    _check_columns(config, raw, where, name)

    def fail(problem: str, rows: list) -> PanelConfigError:
        shown = ", ".join(str(r) for r in rows[:5]) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
        return PanelConfigError(f"{where}: {name} {problem} (row{'s' if len(rows) > 1 else ''} {shown}).")

    unit = raw[config.unit].str.strip()
    blank = list(unit.index[unit.eq("")])
    if blank:
        raise fail(f"has a blank unit in column '{config.unit}' (panel.unit)", blank)
    years, bad = [], []
    for row, text in raw[config.time].items():
        try:
            year = readers.parse_year(text)
        except readers.ParseError:
            year = None
        if year is None:
            bad.append(row)
        years.append(year)
    if bad:
        example = raw.at[bad[0], config.time]
        raise fail(f"column '{config.time}' (panel.time) holds '{example}', which is not a calendar year; the "
                   "contract counts time in years from 1900 to 2100", bad)
    frame = pd.DataFrame({"entity_id": unit, "year": pd.Series(years, index=raw.index, dtype="int64")})
    repeated = frame[frame.duplicated(["entity_id", "year"], keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise fail(f"has more than one row for {config.unit} {first['entity_id']} in {int(first['year'])}: a panel "
                   "has one row per unit and year", list(repeated.index))
    frame = frame.sort_values(["entity_id", "year"], kind="stable")
    notes: list[str] = []

    cohorts = _cohorts(config, raw, frame, where, name, fail, notes)
    units = list(dict.fromkeys(frame.sort_index()["entity_id"]))
    heads = frame.groupby("entity_id", sort=False).head(1)
    first_row = dict(zip(heads["entity_id"], heads.index))  # each unit's first year, by row label

    entities = pd.DataFrame({"entity_id": units})
    if config.unit_name:
        names = raw[config.unit_name].str.strip()
        per_unit = pd.DataFrame({"entity_id": unit, "name": names}).groupby("entity_id")["name"].agg(
            lambda s: list(dict.fromkeys(v for v in s if v)))
        changing = [u for u, v in per_unit.items() if len(v) > 1]
        if changing:
            raise PanelConfigError(f"{where}: {name} gives {config.unit} {changing[0]} more than one name in column "
                                   f"'{config.unit_name}' (panel.unit_name): {per_unit[changing[0]]}.")
        entities["name"] = [(per_unit.get(u) or [u])[0] for u in units]
    else:
        entities["name"] = units
    entities["level"] = config.level
    for column in config.covariates:
        values = _numbers(raw[column], column, "covariates", where, name)
        by_unit = pd.DataFrame({"entity_id": unit, "year": frame["year"].reindex(raw.index), "v": values})
        varying = by_unit.dropna().groupby("entity_id")["v"].nunique().gt(1)
        if varying.any():
            notes.append(f"covariate {column} varies over time in {int(varying.sum())} {config.labels.units}; "
                         f"each {config.labels.unit}'s value in its first year in the panel is used")
        entities[column] = [values.loc[first_row[u]] for u in units]
    if config.weights:
        values = _numbers(raw[config.weights], config.weights, "weights", where, name)
        per_unit = pd.DataFrame({"entity_id": unit, "w": values}).groupby("entity_id")["w"].agg(
            lambda s: sorted(set(s.dropna())))
        bad_units = [u for u, v in per_unit.items() if len(v) != 1 or v[0] <= 0]
        if bad_units:
            raise PanelConfigError(f"{where}: {name} column '{config.weights}' (panel.weights) must hold one positive "
                                   f"weight per {config.labels.unit}; {config.unit} {bad_units[0]} has "
                                   f"{per_unit[bad_units[0]] or 'none'}.")
        entities[config.weights] = [per_unit[u][0] for u in units]

    adopters = [(u, int(cohorts[u])) for u in units if cohorts[u]]
    adoption = pd.DataFrame({"entity_id": [u for u, _ in adopters],
                             "adoption_date": [f"{g:04d}-01-01" for _, g in adopters]})
    first_year = int(frame["year"].min())
    always = [u for u, g in adopters if g <= first_year]
    if always:
        notes.append(f"{len(always)} {config.labels.units if len(always) > 1 else config.labels.unit} adopted in or "
                     f"before the first year ({first_year}) and cannot be compared with themselves before adoption")

    parts = []
    for column in config.outcomes:
        values = _numbers(raw[column], column, "outcomes", where, name)
        parts.append(pd.DataFrame({"entity_id": unit, "year": frame["year"].reindex(raw.index), "indicator": column,
                                   "value": values}))
    outcomes = (pd.concat(parts, ignore_index=True)
                  .sort_values(["indicator", "entity_id", "year"], kind="stable", key=_natural)
                  .reset_index(drop=True))
    entities = entities.sort_values("entity_id", kind="stable", key=_natural).reset_index(drop=True)
    adoption = adoption.sort_values("entity_id", kind="stable", key=_natural).reset_index(drop=True)

    labels = config.labels
    metadata = {
        "name": labels.name,
        "synthetic": False,
        "language": config.language,
        "source": labels.source,
        "description": labels.description,
        "trend_covariates": list(config.covariates),
        "weights": config.weights,
        "labels": labels.as_dict(),
        "checks": config.checks,
        "panel": {**config.as_dict(), "sha256": paths.file_sha256(config.file)},
    }
    if notes:
        metadata["conversion_notes"] = list(notes)
    return Conversion(entities, adoption, outcomes, metadata, tuple(notes))


def _natural(values: pd.Series) -> pd.Series:
    """Sort key: numeric codes as numbers (2 before 10), then text."""
    if values.name in ("entity_id",):
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.notna().all():
            return numeric
    return values


def _check_columns(config: PanelConfig, raw: pd.DataFrame, where: str, name: str) -> None:
    """Every column the config names exists; else one message listing each missing one."""
    found = list(raw.columns)
    missing = []
    for key, columns in config.columns.items():
        for column in columns:
            if column not in raw.columns:
                close = difflib.get_close_matches(column, found, n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                missing.append(f"panel.{key} names the column '{column}', which is not in {name}{hint}")
    if missing:
        shown = ", ".join(found[:40]) + (f", ... ({len(found)} columns)" if len(found) > 40 else "")
        raise PanelConfigError(f"{where}: " + "; ".join(missing) + f". Columns in {name}: {shown}.")


def _numbers(raw: pd.Series, column: str, key: str, where: str, name: str) -> pd.Series:
    """Parse a numeric column; blank cells are NaN. All unreadable cells in one message."""
    decimal = readers.infer_decimal_mark(raw.tolist())
    values, bad = [], []
    for row, text in raw.items():
        try:
            values.append(readers.parse_number(text, decimal=decimal))
        except readers.ParseError as exc:
            bad.append((row, exc))
            values.append(math.nan)
    if bad:
        rows = ", ".join(str(r) for r, _ in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise PanelConfigError(f"{where}: {name} column '{column}' (panel.{key}) must hold numbers: {bad[0][1]} "
                               f"(rows {rows}).")
    return pd.Series(values, index=raw.index, dtype="float64")


def _cohorts(config: PanelConfig, raw: pd.DataFrame, frame: pd.DataFrame, where: str, name: str, fail,
             notes: list[str]) -> dict[str, int]:
    """Each unit's adoption cohort (0 = never), from the cohort column or the treated flag."""
    if config.cohort:
        never = {str(v).strip() for v in config.never_treated if v is not None}
        values: dict[str, set[int]] = {}
        bad = []
        for row, text in raw[config.cohort].items():
            unit_id = frame.at[row, "entity_id"]
            cell = text.strip()
            if not cell or cell in never or _is_never_number(cell, config.never_treated):
                cohort = 0
            else:
                try:
                    year = readers.parse_year(cell)
                except readers.ParseError:
                    bad.append(row)
                    continue
                assert year is not None  # None only for a blank cell, which is never-treated above
                cohort = year
            values.setdefault(unit_id, set()).add(cohort)
        if bad:
            raise fail(f"column '{config.cohort}' (panel.cohort) holds '{raw.at[bad[0], config.cohort]}', which is "
                       f"neither a year nor a never-treated value ({', '.join(map(str, config.never_treated))} "
                       "or blank)", bad)
        changing = {u: sorted(v) for u, v in values.items() if len(v) > 1}
        if changing:
            unit_id, seen = next(iter(changing.items()))
            raise PanelConfigError(f"{where}: {name} column '{config.cohort}' (panel.cohort) must be the same in "
                                   f"every year of a unit; {config.unit} {unit_id} has {seen} "
                                   f"({len(changing)} unit(s) like this).")
        return {u: next(iter(v)) for u, v in values.items()}

    flags, bad = {}, []
    for row, text in raw[config.treated].items():
        cell = text.strip().lower()
        flag = {"true": 1, "false": 0}.get(cell)
        if flag is None:
            try:
                number = readers.parse_number(cell)
            except readers.ParseError:
                number = math.nan
            flag = int(number) if number in (0.0, 1.0) else None
        if flag is None:
            bad.append(row)
        flags[row] = flag
    if bad:
        raise fail(f"column '{config.treated}' (panel.treated) holds '{raw.at[bad[0], config.treated]}': a treated "
                   "flag must be 0 or 1 in every row", bad)
    ordered = frame.assign(flag=pd.Series(flags))
    cohorts, switching = {}, []
    for unit_id, rows in ordered.groupby("entity_id", sort=False):
        flag = rows["flag"].to_numpy()
        if (flag[1:] < flag[:-1]).any():
            back = rows["year"].to_numpy()[1:][flag[1:] < flag[:-1]][0]
            switching.append(f"{unit_id} ({back})")
        treated_years = rows.loc[rows["flag"] == 1, "year"]
        cohorts[unit_id] = int(treated_years.min()) if len(treated_years) else 0
    if switching:
        raise PanelConfigError(
            f"{where}: {name} column '{config.treated}' (panel.treated) goes back from 1 to 0 for {config.unit} "
            f"{', '.join(switching[:5])}{' and more' if len(switching) > 5 else ''}: adoption must be absorbing (once "
            "treated, always treated) for the staggered-adoption estimators; give a cohort column instead if the "
            "first treated year is what you mean.")
    return cohorts


def _is_never_number(cell: str, never: tuple) -> bool:
    try:
        number = readers.parse_number(cell)
    except readers.ParseError:
        return False
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) and number == v for v in never) or \
        math.isinf(number)


# --------------------------------------------------------------------------- writing


def _write(conversion: Conversion, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(conversion.entities, folder / "entities.csv", index=False)
    write_csv(conversion.adoption, folder / "adoption.csv", index=False)
    write_csv(conversion.outcomes, folder / "outcomes.csv", index=False)
    text = yaml.safe_dump(conversion.metadata, sort_keys=False, allow_unicode=True, width=100)
    (folder / "dataset.yml").write_text(
        "# Written by evaluation.importers.panel_config from the panel file named below; do not edit, edit the config.\n"
        + text, encoding="utf-8")


def convert(config: PanelConfig | str | os.PathLike[str], folder: str | os.PathLike[str]) -> Path:
    """Write the contract folder for a panel: entities, adoption, outcomes and dataset.yml.

    Parameters
    ----------
    config : PanelConfig, or the path of a panel config
    folder : str or path
        The folder to create. It must not exist yet, or be empty.

    Returns
    -------
    pathlib.Path
        The folder, which passes ``evaluation.load.checks.check`` without errors.

    Raises
    ------
    PanelConfigError
        If a column does not exist, a value cannot be used, or the converted
        tables break the contract (the problems are listed). Nothing is written.
    """
    from evaluation.load.checks import check

    if not isinstance(config, PanelConfig):
        config = read_config(config)
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise PanelConfigError(f"{_where(config.source)}: {folder} already exists and is not an empty folder; "
                               "give a new folder to write the contract files to.")
    conversion = panel_tables(config)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        _write(conversion, staging)
        problems = check(staging)
        if not problems.ok:
            raise PanelConfigError(f"{_where(config.source)}: the panel {config.file.name} converts into tables that "
                                   f"break the data contract:\n" + "\n".join(f"- {p}" for p in problems.errors))
        staging.chmod(0o755)
        if folder.exists():
            folder.rmdir()  # empty, checked above
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def contract_folder(config: PanelConfig, cache_root: str | os.PathLike[str]) -> Path:
    """The contract folder for ``config``, converted once and kept in ``cache_root``.

    The cache key is the panel file's content, the mapping and ``FORMAT_VERSION``,
    so an edited file or config gets a fresh folder and the user's folder is
    never written to. The folder is named after ``labels.name`` (reports show
    it as the data folder).
    """
    key = hashlib.sha256(json.dumps(
        {"file": paths.file_sha256(config.file), "mapping": config.as_dict(), "labels": dataclasses.asdict(config.labels),
         "checks": config.checks, "language": config.language, "version": FORMAT_VERSION}, sort_keys=True,
        default=str).encode()).hexdigest()
    slug = re.sub(r"[^\w.-]+", "-", config.labels.name, flags=re.ASCII).strip("-.") or "panel"
    target = Path(cache_root) / key[:16] / slug
    if target.is_dir() and (target / "dataset.yml").is_file():
        return target
    if target.exists():  # a half-written folder from an older version of this code
        shutil.rmtree(target, ignore_errors=True)
    try:
        return convert(config, target)
    except PanelConfigError:
        # Leave no empty cache folders behind a refused conversion.
        for parent in (target.parent, Path(cache_root)):
            try:
                parent.rmdir()
            except OSError:
                pass
        raise
