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
    meaning="Alignment survey of entity directors: one row per responding director.",
    key=("respondent_id",),
    columns=SURVEY_ICT_OFFICES.columns,
    extra_columns="likert",
    extra_meaning=SURVEY_ICT_OFFICES.extra_meaning,
)

COSTS = Table(
    name="costs",
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
