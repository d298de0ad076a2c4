"""The data contract: which tables an evaluator supplies and what each column means.

This module only *describes* the tables; ``evaluation.load.readers`` reads files and
``evaluation.load.checks`` checks them against these descriptions. ``data/README.md``
documents the same contract for people; a test keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

LEVELS = ("national", "departmental", "municipal")
LIKERT_MIN, LIKERT_MAX = 1, 5
SCORE_MIN, SCORE_MAX = 0.0, 100.0
#: The decree that created the GCIO role; no entity can adopt before it.
DECREE_415_DATE = dt.date(2016, 3, 9)


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``kind`` is one of ``"text"``, ``"integer"``, ``"number"``, ``"date"``, ``"year"``.
    """

    name: str
    kind: str
    required: bool = True
    meaning: str = ""
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Table:
    """One table of the contract: its file stem, its columns and its unique key."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    #: Extra columns are allowed (covariates, Likert items); their expected kind.
    extra_columns: str | None = None
    extra_meaning: str = ""

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


ENTITIES = Table(
    name="entities",
    meaning="One row per public entity that could adopt the GCIO role.",
    key=("entity_id",),
    columns=(
        Column("entity_id", "text", meaning="Entity code (Código Sigep or DIVIPOLA-based); joins every other table."),
        Column("name", "text", meaning="Entity name, with accents."),
        Column("level", "text", allowed=LEVELS,
               meaning="national, departmental or municipal (other names only where dataset.yml declares them "
                       "in checks.levels)."),
        Column("sector", "text", required=False, meaning="Administrative sector (national entities) or 'territorial'."),
        Column("department", "text", required=False, meaning="Department name (territorial entities)."),
        Column("divipola", "integer", required=False, meaning="DANE municipality code, municipal entities only."),
        Column("head_of_sector", "integer", required=False, minimum=0, maximum=1,
               meaning="1 if the entity heads its sector (national level), else 0."),
        Column("region", "text", required=False,
               meaning="Natural region of a territorial entity: andina, caribe, pacifica, orinoquia or amazonia."),
        Column("peer_group", "text", required=False,
               meaning="FURAG peer group ('Grupo par'), e.g. 'ALCALDÍA GRUPO 4'."),
    ),
    extra_columns="number",
    extra_meaning="Any other column is a numeric covariate (population, IT staff, ...).",
)

ADOPTION = Table(
    name="adoption",
    meaning="One row per entity that created the GCIO post; entities that never adopted are absent.",
    key=("entity_id",),
    columns=(
        Column("entity_id", "text", meaning="Entity code, as in entities."),
        Column("adoption_date", "date", meaning="Date of the act (decree, ordinance, resolution) that created the post."),
        Column("post_title", "text", required=False, meaning="Title of the post, e.g. 'Secretario TIC'."),
        Column("post_level", "text", required=False, meaning="Hierarchical level of the post, e.g. 'directivo', 'asesor'."),
    ),
)

OUTCOMES = Table(
    name="outcomes",
    meaning="Long table of outcome scores: one row per entity, year and indicator.",
    key=("entity_id", "year", "indicator"),
    columns=(
        Column("entity_id", "text", meaning="Entity code, as in entities."),
        Column("year", "year", meaning="Vigencia (the year the score measures)."),
        Column("indicator", "text", meaning="Indicator code: POL07 (Gobierno Digital), POL08 (Seguridad Digital), IDI, GEL, ..."),
        Column("value", "number", minimum=SCORE_MIN, maximum=SCORE_MAX,
               meaning="Score from 0 to 100 (another range, or none, where dataset.yml's checks.score_range "
                       "says so); leave blank where the index does not apply."),
    ),
)

MONITORING = Table(
    name="monitoring",
    required=False,
    meaning="Programme outputs delivered by year, with targets where known.",
    key=("year", "output"),
    columns=(
        Column("year", "year", meaning="Calendar year of delivery."),
        Column("output", "text",
               allowed=("cio_posts_created", "leaders_trained", "bulletins", "magazine_issues", "workshops",
                        "workshop_participants"),
               meaning="What was delivered."),
        Column("value", "number", minimum=0, meaning="How many were delivered that year."),
        Column("target", "number", required=False, minimum=0, meaning="How many were planned that year (blank if unknown)."),
    ),
)

SURVEY_ICT_OFFICES = Table(
    name="survey_ict_offices",
    required=False,
    meaning="Skills and perception survey of ICT offices: one row per responding office.",
    key=("respondent_id",),
    columns=(
        Column("respondent_id", "text", meaning="Anonymous respondent code."),
        Column("entity_id", "text", required=False, meaning="Entity code, as in entities (may be blank)."),
        Column("comment", "text", required=False, meaning="Free text; never shown in a report."),
    ),
    extra_columns="likert",
    extra_meaning="Columns starting with 'q_' are Likert items coded 1 (strongly disagree) to 5 (strongly agree).",
)

SURVEY_DIRECTORS = Table(
    name="survey_directors",
    required=False,
    meaning="Alignment survey of entity directors: one row per responding director.",
    key=("respondent_id",),
    columns=SURVEY_ICT_OFFICES.columns,
    extra_columns="likert",
    extra_meaning=SURVEY_ICT_OFFICES.extra_meaning,
)

COSTS = Table(
    name="costs",
    required=False,
    meaning="Programme budget lines by year, in Colombian pesos.",
    key=("year", "budget_line"),
    columns=(
        Column("year", "year", meaning="Budget year."),
        Column("budget_line", "text", meaning="What the money paid for."),
        Column("amount_cop", "number", minimum=0, meaning="Amount in COP (current prices)."),
        Column("output", "text", required=False, meaning="Output the line mainly served, as in monitoring (optional)."),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (
    ENTITIES, ADOPTION, OUTCOMES, MONITORING, SURVEY_ICT_OFFICES, SURVEY_DIRECTORS, COSTS)}



# --------------------------------------------------------------------------- domain checks

@dataclass(frozen=True)
class Checks:
    """Properties of the GCIO programme that validation assumes, and that a dataset may declare otherwise.

    The contract was written for FURAG scores of Colombian public entities: an
    outcome is a score from 0 to 100, nobody adopts before Decree 415 of 2016,
    an entity is national, departmental or municipal, and a municipality has a
    DANE DIVIPOLA code. Another staggered-adoption panel (US states and
    castle-doctrine laws, counties and the minimum wage) breaks all four
    without being wrong. Such a dataset says
    so in its ``dataset.yml``, in a ``checks:`` block, rather than the checks
    guessing from the data; every other check (keys, types, blank cells,
    unknown entities, dates in the future or outside the panel) still runs::

        checks:
          score_range: null          # [low, high], or null for no range check
          earliest_adoption: null    # a date, or null for none
          levels: [national, departmental, municipal]   # or null to accept any level
          divipola: false            # municipal entities need no DANE code

    Attributes
    ----------
    score_range : (float, float) or None
        Range of outcome ``value``; None switches the range check off.
    earliest_adoption : datetime.date or None
        No adoption date may fall before it; None switches the check off.
    levels : tuple of str or None
        The names ``entities.level`` may take; None accepts any non-blank name.
    divipola : bool
        Whether a municipal entity without a DIVIPOLA code is pointed out
        (a warning); False for municipalities outside Colombia.
    """

    score_range: tuple[float, float] | None = (SCORE_MIN, SCORE_MAX)
    earliest_adoption: dt.date | None = DECREE_415_DATE
    levels: tuple[str, ...] | None = LEVELS
    divipola: bool = True

    @property
    def is_default(self) -> bool:
        """True for the GCIO programme's own properties."""
        return self == Checks()

    def tables(self) -> dict[str, Table]:
        """The contract's tables with these properties applied (``TABLES`` itself for the defaults)."""
        if self.is_default:
            return TABLES
        level = ENTITIES.column("level")
        if self.levels != LEVELS:
            names = "any name" if self.levels is None else ", ".join(self.levels)
            level = replace(level, allowed=self.levels,
                            meaning=f"Level of the unit: {names} (declared in dataset.yml, checks.levels).")
        value = OUTCOMES.column("value")
        if self.score_range != (SCORE_MIN, SCORE_MAX):
            if self.score_range is None:
                value = replace(value, minimum=None, maximum=None,
                                meaning="Outcome value (dataset.yml sets checks.score_range to null: no range "
                                        "check); leave blank where it is missing.")
            else:
                low, high = self.score_range
                value = replace(value, minimum=low, maximum=high,
                                meaning=f"Outcome value from {low:g} to {high:g} (dataset.yml, "
                                        "checks.score_range); leave blank where it is missing.")
        entities = replace(ENTITIES, columns=tuple(level if c.name == "level" else c for c in ENTITIES.columns))
        outcomes = replace(OUTCOMES, columns=tuple(value if c.name == "value" else c for c in OUTCOMES.columns))
        return {**TABLES, "entities": entities, "outcomes": outcomes}


#: Checks keys of dataset.yml, with what each accepts (for messages and documentation).
CHECK_KEYS = {
    "score_range": "two numbers [low, high], or null for no range check on outcome values",
    "earliest_adoption": "a date (2016-03-09), or null for no earliest adoption date",
    "levels": "a list of level names, or null to accept any level",
    "divipola": "true or false: whether municipal entities should have a DIVIPOLA code",
}


#: Indicators the suite knows by name; others are accepted and shown by code.
INDICATORS = {
    "POL07": "Gobierno Digital policy index (FURAG)",
    "POL08": "Seguridad Digital policy index (FURAG)",
    "IDI": "Índice de Desempeño Institucional (FURAG)",
    "GEL": "Índice de Gobierno en Línea (MinTIC, before MIPG)",
}


# --------------------------------------------------------------------------- documentation

_KIND_WORDS = {"text": "text", "integer": "whole number", "number": "number", "date": "date",
               "year": "year (4 digits)"}
_BLOCK_START = "<!-- contract:{name}:start (generated by evaluation.load.contract.markdown; do not edit) -->"
_BLOCK_END = "<!-- contract:{name}:end -->"


def _limits(col: Column) -> str:
    if col.allowed:
        return ", ".join(f"`{a}`" for a in col.allowed)
    if col.minimum is not None and col.maximum is not None:
        return f"{col.minimum:g} to {col.maximum:g}"
    if col.minimum is not None:
        return f"{col.minimum:g} or more"
    if col.maximum is not None:
        return f"{col.maximum:g} or less"
    return ""


def markdown(name: str | None = None) -> str:
    """Render the contract of one table (or of all) as Markdown, for ``data/README.md``.

    Parameters
    ----------
    name : str, optional
        A key of ``TABLES``; None renders every table, one after another.

    Returns
    -------
    str
        The table's meaning, whether the file is required, its key, and one
        row per column (type, required, allowed values or range, meaning).
    """
    if name is None:
        return "\n\n".join(markdown(n) for n in TABLES)
    table = TABLES[name]
    status = "Required." if table.required else "Optional: leave the file out if you do not have it."
    lines = [f"{table.meaning} {status}"]
    if len(table.key) == 1:
        lines.append(f"No two rows may share the same `{table.key[0]}`.")
    elif table.key:
        key = ", ".join(f"`{k}`" for k in table.key[:-1]) + f" and `{table.key[-1]}`"
        lines.append(f"No two rows may share the same combination of {key}.")
    lines += ["", "| column | type | required | allowed values | meaning |", "| --- | --- | --- | --- | --- |"]
    for col in table.columns:
        lines.append(f"| `{col.name}` | {_KIND_WORDS[col.kind]} | {'yes' if col.required else 'no'} "
                     f"| {_limits(col)} | {col.meaning} |")
    if table.extra_columns:
        lines += ["", f"Other columns: {table.extra_meaning}"]
    return "\n".join(lines)


def update_markdown_blocks(text: str) -> str:
    """Replace every generated contract block in ``text`` with the current ``markdown(name)``.

    A block is the text between ``<!-- contract:NAME:start ... -->`` and
    ``<!-- contract:NAME:end -->``. Run ``python -m evaluation.load.contract`` to
    rewrite ``data/README.md`` after changing a table.
    """
    import re

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return f"{_BLOCK_START.format(name=name)}\n{markdown(name)}\n{_BLOCK_END.format(name=name)}"

    return re.sub(r"<!-- contract:(\w+):start.*?-->.*?<!-- contract:\1:end -->", fill, text, flags=re.DOTALL)


if __name__ == "__main__":  # python -m evaluation.load.contract: refresh data/README.md
    from evaluation import paths

    readme = paths.DATA_README
    readme.write_text(update_markdown_blocks(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Updated the contract tables in {readme}")
