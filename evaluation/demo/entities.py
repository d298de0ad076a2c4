"""The demo's entities: the real municipalities and departments, and the national administration.

Real: the 1,122 municipalities (DIVIPOLA codes, names, region and the CEDE
covariates from ``data/colombia/municipalities.csv``), the 32 departments and
the names and sectors of the national entities (``national.py``). Synthetic:
the IT team size (``it_staff``) and budget of every entity, and the hidden
"digital maturity" each entity carries into adoption and outcomes.

Departmental and national covariates are aggregates of the municipal frame
(population sums, population-weighted shares), so every entity has every
covariate and estimators need not drop a level for missing values.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .national import SECTORS, SPECIAL_REGIME
from .streams import stream

#: Departments whose governorship is "Gobernación del ..." rather than "Gobernación de ...".
_DEL = {
    "Atlántico", "Caquetá", "Cauca", "Cesar", "Chocó", "Huila", "Magdalena", "Meta", "Quindío", "Tolima",
    "Valle del Cauca", "Putumayo", "Amazonas", "Guainía", "Guaviare", "Vaupés", "Vichada",
}
_SAN_ANDRES = "Archipiélago de San Andrés"
#: Bogotá is a capital district, not a department: it appears once, as a municipality.
_BOGOTA_DEPARTMENT_CODE = 11
_CUNDINAMARCA_CODE = 25

#: Column order of the entities table (the contract's columns, then covariates).
COLUMNS = (
    "entity_id", "name", "level", "sector", "department", "divipola", "head_of_sector", "region", "peer_group",
    "population_2018", "urban_share_2014", "unmet_basic_needs_2005", "multidim_poverty_2005",
    "distance_dept_capital_km", "department_capital", "it_staff", "budget_cop_billions", "special_regime",
)
#: Covariates imputed where the municipal frame leaves them blank.
IMPUTED = ("unmet_basic_needs_2005", "multidim_poverty_2005")


def read_municipalities(path: Path) -> pd.DataFrame:
    """Read the municipal frame and impute its few missing poverty measures.

    The 2005-census poverty measures (NBI, IPM) are blank for 12 of 1,122
    municipalities, mostly created after 2005 or not municipalised. Each blank
    takes the median of the other municipalities of its department: a
    deterministic rule that keeps the department's profile. ``covariates_imputed``
    marks those rows (kept out of the entities table, where every extra column
    would be taken for a covariate; the README lists them).
    """
    frame = pd.read_csv(path, encoding="utf-8")
    frame["covariates_imputed"] = frame[list(IMPUTED)].isna().any(axis=1).astype(int)
    for column in IMPUTED:
        median = frame.groupby("department_code")[column].transform("median")
        frame[column] = frame[column].fillna(median)
    if frame[list(IMPUTED)].isna().any().any():  # a department with every value missing: use the national median
        frame[list(IMPUTED)] = frame[list(IMPUTED)].fillna(frame[list(IMPUTED)].median())
    return frame


def _weighted(frame: pd.DataFrame, column: str, by: str | None = None) -> pd.Series | float:
    weight = frame["population_2018"]
    if by is None:
        return float((frame[column] * weight).sum() / weight.sum())
    return (frame[column] * weight).groupby(frame[by]).sum() / weight.groupby(frame[by]).sum()


def _peer_group(municipal: pd.DataFrame) -> pd.Series:
    """A FURAG-like peer group: capitals in group 1, the rest in four capacity quartiles.

    An approximation for the demo (log population less poverty), not Función
    Pública's official grouping.
    """
    capacity = np.log(municipal["population_2018"]) - 0.03 * municipal["multidim_poverty_2005"]
    group = pd.Series(1, index=municipal.index)
    rest = municipal["department_capital"] == 0
    quartile = pd.qcut(capacity[rest].rank(method="first"), 4, labels=False)
    group[rest] = 5 - quartile.astype(int)  # highest capacity -> group 2
    return "ALCALDÍA GRUPO " + group.astype(str)


def _municipal(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    code = frame["divipola"].astype(int)
    out["entity_id"] = code.map(lambda c: f"{c:05d}")
    anm = frame["municipality"].str.endswith("(ANM)")
    out["name"] = np.where(
        anm, "Corregimiento departamental " + frame["municipality"],
        np.where(code == 11001, "Alcaldía Mayor de Bogotá, D.C.", "Alcaldía de " + frame["municipality"]))
    out["level"] = "municipal"
    out["sector"] = "territorial"
    out["department"] = frame["department"]
    out["divipola"] = code
    out["head_of_sector"] = 0
    out["region"] = frame["region"]
    for column in ("population_2018", "urban_share_2014", "unmet_basic_needs_2005", "multidim_poverty_2005",
                   "distance_dept_capital_km", "covariates_imputed"):
        out[column] = frame[column]
    capital = (code % 1000 == 1) & (frame["department_code"] != _CUNDINAMARCA_CODE)
    out["department_capital"] = capital.astype(int)  # Cundinamarca's capital is Bogotá (11001)
    out["peer_group"] = _peer_group(out)
    n = len(out)
    # IT team: grows less than proportionally with population, more in urban places.
    staff = 2.0 * (out["population_2018"] / 1e4) ** 0.7 * np.exp(0.35 * rng.standard_normal(n)
                                                                  + 0.8 * (out["urban_share_2014"] - 0.45))
    out["it_staff"] = np.maximum(1, np.round(staff)).astype(int)
    out["budget_cop_billions"] = out["population_2018"] * 1.3e6 * np.exp(0.25 * rng.standard_normal(n)) / 1e9
    out["special_regime"] = 0
    out["not_municipalised"] = anm.astype(int)  # hidden: no mayor, no FURAG report, no adoption
    return out


def _departmental(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    depts = frame[frame["department_code"] != _BOGOTA_DEPARTMENT_CODE]
    by = depts.groupby("department_code")
    out = pd.DataFrame({"department_code": sorted(by.groups)})
    out["department"] = out["department_code"].map(by["department"].first())
    out["entity_id"] = out["department_code"].map(lambda c: f"D{c:02d}")

    def governorship(name: str) -> str:
        if name == _SAN_ANDRES:
            return "Gobernación del Archipiélago de San Andrés, Providencia y Santa Catalina"
        return f"Gobernación {'del' if name in _DEL else 'de'} {name}"

    out["name"] = out["department"].map(governorship)
    out["level"] = "departmental"
    out["sector"] = "territorial"
    out["divipola"] = pd.NA
    out["head_of_sector"] = 0
    capital_region = depts[depts["divipola"] % 1000 == 1].set_index("department_code")["region"]
    out["region"] = out["department_code"].map(capital_region)
    out["peer_group"] = "GOBERNACIÓN"
    out["population_2018"] = out["department_code"].map(by["population_2018"].sum())
    for column in ("urban_share_2014", "unmet_basic_needs_2005", "multidim_poverty_2005"):
        out[column] = out["department_code"].map(_weighted(depts, column, "department_code"))
    out["distance_dept_capital_km"] = 0.0
    out["department_capital"] = 0
    n = len(out)
    out["it_staff"] = np.round(4 + 8 * (out["population_2018"] / 1e6) ** 0.6
                               * np.exp(0.3 * rng.standard_normal(n))).astype(int)
    out["budget_cop_billions"] = out["population_2018"] * 0.45e6 * np.exp(0.2 * rng.standard_normal(n)) / 1e9
    out["special_regime"] = 0
    out["covariates_imputed"] = 0
    out["not_municipalised"] = 0
    return out.drop(columns="department_code")


def _national(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for sector, head, attached in SECTORS:
        rows.append((sector, head, 1))
        rows.extend((sector, name, 0) for name in attached)
    out = pd.DataFrame(rows, columns=["sector", "name", "head_of_sector"])
    out["entity_id"] = [f"N{i:04d}" for i in range(1, len(out) + 1)]
    out["level"] = "national"
    out["department"] = pd.NA
    out["divipola"] = pd.NA
    out["region"] = pd.NA
    out["peer_group"] = "ORDEN NACIONAL"
    # National entities serve the whole country: the frame's national totals and averages.
    out["population_2018"] = int(frame["population_2018"].sum())
    for column in ("urban_share_2014", "unmet_basic_needs_2005", "multidim_poverty_2005"):
        out[column] = _weighted(frame, column)
    out["distance_dept_capital_km"] = 0.0
    out["department_capital"] = 0
    out["special_regime"] = out["name"].isin(SPECIAL_REGIME).astype(int)
    n = len(out)
    head = out["head_of_sector"].to_numpy() == 1
    out["it_staff"] = np.round(np.exp(np.where(head, 4.0, 2.8) + np.where(head, 0.45, 0.6)
                                      * rng.standard_normal(n))).clip(3, 120).astype(int)
    out["budget_cop_billions"] = np.exp(np.where(head, 8.3, 5.8) + np.where(head, 1.0, 1.2)
                                         * rng.standard_normal(n))
    out["covariates_imputed"] = 0
    out["not_municipalised"] = 0
    return out


def make_entities(municipal_frame: pd.DataFrame, seed: int, municipalities: int | None = None) -> pd.DataFrame:
    """Build the entities table, with the hidden columns the other parts need.

    Parameters
    ----------
    municipal_frame : DataFrame
        ``read_municipalities`` output (all 1,122 rows: departmental and
        national aggregates always use the full frame).
    seed : int
        The dataset's seed.
    municipalities : int, optional
        Keep a deterministic random subset of this many municipalities.

    Returns
    -------
    DataFrame
        One row per entity, sorted by ``entity_id``, with the columns of
        ``COLUMNS`` plus hidden ``maturity`` (unobserved digital maturity,
        standard normal), ``not_municipalised`` (areas without a mayor) and
        ``covariates_imputed``.
    """
    rng = stream(seed, "entities")
    parts = [_municipal(municipal_frame, rng), _departmental(municipal_frame, rng), _national(municipal_frame, rng)]
    out = pd.concat(parts, ignore_index=True)
    out["maturity"] = stream(seed, "maturity").standard_normal(len(out))
    if municipalities is not None:
        municipal = np.flatnonzero(out["level"].to_numpy() == "municipal")
        if not 1 <= municipalities <= len(municipal):
            raise ValueError(f"municipalities must be between 1 and {len(municipal)}, not {municipalities}")
        keep = stream(seed, "subset").choice(municipal, size=municipalities, replace=False)
        drop = np.setdiff1d(municipal, keep)
        out = out.drop(index=drop)
    out = out.sort_values("entity_id", kind="stable").reset_index(drop=True)
    out["divipola"] = out["divipola"].astype("Int64")
    return out[list(COLUMNS) + ["maturity", "not_municipalised", "covariates_imputed"]]
