"""The programme's own records: outputs delivered by year (monitoring) and its budget (costs).

Totals are the OECD sheet's figures (59 bulletins, 6 magazine issues, 160
leaders trained, about 120 territorial IT leaders in the workshops, COP
4,510,909,699 over two years). How totals split across years and budget
lines, and the targets, are assumptions of the demo: the sheet gives neither.
CIO posts created by year are counted from the demo's own adoption table, so
the two tables always agree.
"""

from __future__ import annotations

import pandas as pd

BUDGET_COP = 4_510_909_699

#: (year, output, value, target); cio_posts_created is added from the adoption table.
OUTPUTS: tuple[tuple[int, str, int, int | None], ...] = (
    (2015, "workshops", 6, 6),                 # regional co-creation workshops of the design phase
    (2015, "workshop_participants", 118, 150),  # "about 120 IT leaders on the territorial level"
    (2016, "leaders_trained", 45, 50),
    (2017, "leaders_trained", 70, 75),
    (2018, "leaders_trained", 45, 75),
    (2016, "bulletins", 16, 18),                # fortnightly from mid-April 2016, with a year-end pause
    (2017, "bulletins", 23, 24),
    (2018, "bulletins", 20, 24),
    (2016, "magazine_issues", 2, 2),            # one CIO Magazine issue every six months
    (2017, "magazine_issues", 2, 2),
    (2018, "magazine_issues", 2, 2),
)
#: Planned territorial CIO posts per year while the programme ran; no target afterwards.
POST_TARGETS = {2016: 80, 2017: 120, 2018: 100}

#: (year, budget line, amount in COP, output it mainly served or ""). The last line takes the remainder.
BUDGET_LINES: tuple[tuple[int, str, int, str], ...] = (
    (2015, "Diagnóstico y diseño del rol GCIO (Universidad Nacional de Colombia, Universidad de las Naciones Unidas)",
     1_650_000_000, ""),
    (2015, "Talleres regionales de co-creación con líderes de TI territoriales", 310_000_000, "workshops"),
    (2016, "Formación de líderes de TI en su nuevo rol", 760_000_000, "leaders_trained"),
    (2016, "Boletines quincenales a líderes de TI", 95_000_000, "bulletins"),
    (2016, "Revista CIO", 180_000_000, "magazine_issues"),
    (2016, "Acompañamiento a entidades para crear el cargo (con Función Pública)", 1_100_000_000,
     "cio_posts_created"),
    (2016, "Red GCIO y Cumbre CIO", 260_000_000, ""),
    (2016, "Coordinación y gestión del programa (MinTIC, Dirección de Estándares y Arquitectura de TI)", 0, ""),
)


def make_monitoring(entities: pd.DataFrame, adoption: pd.DataFrame) -> pd.DataFrame:
    """Outputs by year; ``cio_posts_created`` counts territorial posts (the sheet's 286 are territorial)."""
    level = adoption["entity_id"].map(entities.set_index("entity_id")["level"])
    years = adoption.loc[level != "national", "adoption_date"].dt.year
    posts = years.value_counts().sort_index()
    rows = [(int(y), "cio_posts_created", int(v), POST_TARGETS.get(int(y))) for y, v in posts.items()]
    rows += list(OUTPUTS)
    out = pd.DataFrame(rows, columns=["year", "output", "value", "target"])
    out["target"] = out["target"].astype("Int64")
    return out.sort_values(["year", "output"]).reset_index(drop=True)


def make_costs() -> pd.DataFrame:
    """Budget lines summing exactly to the programme's COP 4,510,909,699."""
    out = pd.DataFrame(BUDGET_LINES, columns=["year", "budget_line", "amount_cop", "output"])
    out.loc[out.index[-1], "amount_cop"] = BUDGET_COP - int(out["amount_cop"].iloc[:-1].sum())
    return out.sort_values(["year", "budget_line"]).reset_index(drop=True)
