"""Two input versions of one dataset, as a yearly rerun meets them (used by test_changes and test_yearly)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd


def two_vintages(source: Path, root: Path) -> tuple[Path, Path, pd.Series, str]:
    """Last year's inputs (outcomes to 2024) and this year's (2025 added, one 2023 IDI score revised by +1.5,
    one entity that had not adopted now adopting on 2025-02-03). Returns both folders, the revised row and
    the new adopter's id."""
    before, after = root / "data2024", root / "data2025"
    shutil.copytree(source, before)
    shutil.copytree(source, after)
    outcomes = pd.read_csv(source / "outcomes.csv", dtype={"entity_id": str})
    outcomes[outcomes["year"] <= 2024].to_csv(before / "outcomes.csv", index=False)
    revised = outcomes.copy()
    row = revised[(revised["year"] == 2023) & (revised["indicator"] == "IDI")].index[0]
    revised.loc[row, "value"] = round(revised.loc[row, "value"] + 1.5, 2)
    revised.to_csv(after / "outcomes.csv", index=False)
    adoption = pd.read_csv(source / "adoption.csv", dtype=str)
    entities = pd.read_csv(source / "entities.csv", dtype=str)
    newcomer = sorted(set(entities["entity_id"]) - set(adoption["entity_id"]))[0]
    extra = pd.DataFrame([{"entity_id": newcomer, "adoption_date": "2025-02-03",
                           "post_title": "Director de Tecnologías y Sistemas de Información", "post_level": "directivo"}])
    pd.concat([adoption, extra]).to_csv(after / "adoption.csv", index=False)
    adoption.to_csv(before / "adoption.csv", index=False)  # same bytes as pandas writes them
    return before, after, revised.loc[row], newcomer
