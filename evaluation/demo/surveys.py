"""The 2015 diagnosis surveys: skills and perception (96 ICT offices) and alignment (21 directors).

Answers come from a two-factor graded-response model with known loadings, so
that a reliability or factor analysis run on the demo has a right answer:

* ICT offices: latent ``skills`` and ``alignment`` (correlation 0.4); offices of
  entities with bigger IT teams have more skills (0.4 SD per SD of log
  ``it_staff``). Six skills items and five alignment items, the last one
  reverse-keyed.
* Directors: one latent ``alignment`` trait, 0.5 SD higher on average than the
  offices' (directors see more alignment than their IT offices do). Six
  items, the last one reverse-keyed.

An item's latent response is ``loading * trait + sqrt(1 - loading**2) * noise``,
cut at ``THRESHOLDS`` (shifted by the item's difficulty) into 1-5. About 3 %
of answers are left blank at random; about half of the respondents leave a
comment (synthetic text).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .streams import stream

SURVEY_YEAR = 2015
N_OFFICES = 96
N_DIRECTORS = 21
THRESHOLDS = np.array([-1.6, -0.6, 0.3, 1.2])
MISSING_SHARE = 0.03
TRAIT_CORRELATION = 0.4

#: item -> (trait, loading, difficulty); a negative loading marks a reverse-keyed item.
OFFICE_ITEMS: dict[str, tuple[str, float, float]] = {
    "q_skill_strategy": ("skills", 0.80, 0.0),      # we can write the entity's IT strategic plan (PETI)
    "q_skill_architecture": ("skills", 0.75, 0.5),  # we practise enterprise architecture
    "q_skill_projects": ("skills", 0.70, -0.2),     # we manage IT projects to plan and budget
    "q_skill_security": ("skills", 0.65, 0.2),      # we manage information security and privacy
    "q_skill_data": ("skills", 0.60, 0.4),          # we govern and analyse the entity's data
    "q_skill_suppliers": ("skills", 0.55, -0.3),    # we manage IT suppliers and contracts
    "q_align_committee": ("alignment", 0.80, 0.6),  # the IT head sits on the directors' committee
    "q_align_plan": ("alignment", 0.75, 0.0),       # the IT plan follows from the strategic plan
    "q_align_consulted": ("alignment", 0.70, 0.3),  # management consults IT before deciding
    "q_align_budget": ("alignment", 0.65, 0.2),     # IT investment is decided with business areas
    "q_align_support_only": ("alignment", -0.60, -0.4),  # IT is seen only as technical support (reverse)
}
DIRECTOR_ITEMS: dict[str, tuple[str, float, float]] = {
    "q_align_committee": ("alignment", 0.80, 0.3),
    "q_align_plan": ("alignment", 0.75, 0.0),
    "q_align_consulted": ("alignment", 0.70, 0.2),
    "q_align_budget": ("alignment", 0.65, 0.3),
    "q_align_strategic_asset": ("alignment", 0.60, -0.3),  # ICT is a strategic asset for our mission
    "q_align_support_only": ("alignment", -0.55, -0.2),    # IT is mainly technical support (reverse)
}
DIRECTOR_ALIGNMENT_SHIFT = 0.5

OFFICE_COMMENTS = (
    "Falta personal de planta; casi todo el equipo de TI es contratista.",
    "El jefe de TI no participa en el comité directivo.",
    "Necesitamos formación en arquitectura empresarial.",
    "El presupuesto de TI se decide sin consultar a la oficina.",
    "La oficina de TI depende de la Secretaría General y solo atiende soporte.",
    "Hay buena relación con la alta dirección, pero poca capacidad técnica.",
    "La rotación del personal de TI impide dar continuidad a los proyectos.",
    "Se requiere apoyo para formular el PETI.",
    "La seguridad de la información no tiene responsable asignado.",
    "Los sistemas misionales no se integran entre sí.",
    "En el territorio no hay oferta de formación en gestión de TI.",
    "El cargo de líder de TI es de nivel profesional, sin poder de decisión.",
)
DIRECTOR_COMMENTS = (
    "La tecnología es clave para el plan estratégico de la entidad.",
    "El área de TI debe pasar de soporte a liderar la transformación.",
    "Crear el cargo exige una reestructuración que toma tiempo.",
    "Necesitamos acompañamiento de Función Pública para el estudio técnico.",
    "El líder de TI ya participa en el comité directivo.",
    "Los recursos para TI compiten con otras prioridades misionales.",
    "No tenemos claro el perfil que debe tener el director de TI.",
)


def _likert(traits: dict[str, np.ndarray], items: dict[str, tuple[str, float, float]],
            rng: np.random.Generator) -> pd.DataFrame:
    out = {}
    for item, (trait, loading, difficulty) in items.items():
        theta = traits[trait]
        latent = loading * theta + np.sqrt(1 - loading ** 2) * rng.standard_normal(len(theta))
        answer = 1 + np.searchsorted(THRESHOLDS + difficulty, latent)
        answer = pd.array(answer, dtype="Int64")
        answer[rng.random(len(theta)) < MISSING_SHARE] = pd.NA
        out[item] = answer
    return pd.DataFrame(out)


def _choose(pool: pd.DataFrame, n: int, rng: np.random.Generator) -> list[str]:
    """Draw ``n`` distinct entities, larger IT teams more likely (they had an ICT office in 2015)."""
    n = min(n, len(pool))
    weight = np.sqrt(pool["it_staff"].to_numpy(dtype=float))
    return list(rng.choice(pool["entity_id"].to_numpy(), size=n, replace=False, p=weight / weight.sum()))


def _comments(n: int, share: float, texts: tuple[str, ...], rng: np.random.Generator) -> list[str]:
    pick = rng.integers(len(texts), size=n)
    has = rng.random(n) < share
    return [texts[k] if h else "" for k, h in zip(pick, has)]


def _staff_z(entities: pd.DataFrame, ids: list[str]) -> np.ndarray:
    log_staff = np.log(entities.set_index("entity_id")["it_staff"].astype(float))
    z = (log_staff - log_staff.mean()) / log_staff.std()
    return np.array([z.get(i, 0.0) for i in ids])


def make_office_survey(entities: pd.DataFrame, seed: int) -> pd.DataFrame:
    """96 ICT offices: about 55 national, 37 territorial, 4 without an entity code ("areas")."""
    rng = stream(seed, "survey_ict_offices")
    eligible = entities[entities["not_municipalised"] == 0]
    national = eligible[eligible["level"] == "national"]
    territorial = eligible[(eligible["level"] == "departmental") | (eligible["department_capital"] == 1)
                           | ((eligible["level"] == "municipal") & (eligible["population_2018"] >= 50_000))]
    local = _choose(territorial, 37, rng)  # a small subset of municipalities may offer fewer
    ids = _choose(national, N_OFFICES - 4 - len(local), rng) + local
    ids += [""] * (N_OFFICES - len(ids))
    ids = list(rng.permutation(np.array(ids, dtype=object)))
    n = len(ids)
    staff = _staff_z(entities, ids)
    skills = 0.4 * staff + np.sqrt(1 - 0.4 ** 2) * rng.standard_normal(n)
    alignment = TRAIT_CORRELATION * skills + np.sqrt(1 - TRAIT_CORRELATION ** 2) * rng.standard_normal(n)
    answers = _likert({"skills": skills, "alignment": alignment}, OFFICE_ITEMS, rng)
    out = pd.DataFrame({"respondent_id": [f"OF{i:03d}" for i in range(1, n + 1)], "entity_id": ids})
    out = pd.concat([out, answers], axis=1)
    out["comment"] = _comments(n, 0.45, OFFICE_COMMENTS, rng)
    return out


def make_director_survey(entities: pd.DataFrame, seed: int) -> pd.DataFrame:
    """21 directors: 14 of national entities (heads of sector likelier), 7 of departments and capitals."""
    rng = stream(seed, "survey_directors")
    national = entities[entities["level"] == "national"].copy()
    national["it_staff"] = national["it_staff"] * np.where(national["head_of_sector"] == 1, 4, 1)
    territorial = entities[(entities["level"] == "departmental") | (entities["department_capital"] == 1)]
    ids = _choose(national, 14, rng) + _choose(territorial, N_DIRECTORS - 14, rng)
    ids = list(rng.permutation(np.array(ids, dtype=object)))
    n = len(ids)
    alignment = DIRECTOR_ALIGNMENT_SHIFT + rng.standard_normal(n)
    answers = _likert({"alignment": alignment}, DIRECTOR_ITEMS, rng)
    out = pd.DataFrame({"respondent_id": [f"DIR{i:02d}" for i in range(1, n + 1)], "entity_id": ids})
    out = pd.concat([out, answers], axis=1)
    out["comment"] = _comments(n, 0.5, DIRECTOR_COMMENTS, rng)
    return out
