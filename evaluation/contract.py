"""The data contract: which tables an evaluator supplies and what each column means.

This module only *describes* the tables; ``evaluation.readers`` reads files and
``evaluation.validate`` checks them against these descriptions. ``data/README.md``
documents the same contract for people; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("national", "departmental", "municipal")
LIKERT_MIN, LIKERT_MAX = 1, 5
SCORE_MIN, SCORE_MAX = 0.0, 100.0


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
        Column("level", "text", allowed=LEVELS, meaning="national, departmental or municipal."),
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
               meaning="Score from 0 to 100; leave blank where the index does not apply."),
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
_BLOCK_START = "<!-- contract:{name}:start (generated by evaluation.contract.markdown; do not edit) -->"
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
    ``<!-- contract:NAME:end -->``. Run ``python -m evaluation.contract`` to
    rewrite ``data/README.md`` after changing a table.
    """
    import re

    def fill(match: re.Match) -> str:
        name = match.group(1)
        return f"{_BLOCK_START.format(name=name)}\n{markdown(name)}\n{_BLOCK_END.format(name=name)}"

    return re.sub(r"<!-- contract:(\w+):start.*?-->.*?<!-- contract:\1:end -->", fill, text, flags=re.DOTALL)


if __name__ == "__main__":  # python -m evaluation.contract: refresh data/README.md
    from evaluation import paths

    readme = paths.DATA_README
    readme.write_text(update_markdown_blocks(readme.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"Updated the contract tables in {readme}")
