"""A demo dataset whose every free-text field carries a script payload (for test_injection.py).

Not a test module: ``test_injection.py`` imports it by path. Payloads set
``window.__pwned`` and open a dialog when they run, so a browser check can see
both; each field gets its own payload appended to its value, applied the same
way to equal values so that groups (departments, regions, peer groups) stay
groups.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from evaluation.demo import write_demo

PAYLOADS = (
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<script>window.__pwned=1;alert(1)</script>",
    '"><svg onload="window.__pwned=1;alert(1)">',
    "[clic](javascript:window.__pwned=1)",
    "<a href=\"javascript:window.__pwned=1\">x</a>",
    "'><iframe srcdoc=\"<script>parent.__pwned=1</script>\"></iframe>",
    "<details open ontoggle=\"window.__pwned=1\">",
)
#: A directory name cannot hold "/", so the folder's payload has none.
FOLDER_NAME = 'data <img src=x onerror=window.__pwned=1;alert(1)> "><svg onload=alert(1)>'
#: Text columns of the contract that are free text (codes, levels and allowed values are left valid).
TEXT_COLUMNS = {
    "entities.csv": ("name", "sector", "department", "region", "peer_group"),
    "adoption.csv": ("post_title",),
    "costs.csv": ("budget_line",),
}
#: Cells beginning like formulas, mixed in to check the run's CSV tables.
FORMULA_PREFIXES = ("=", "@", "+", "-")


def hostile(value: str, number: int) -> str:
    return f"{value} {PAYLOADS[number % len(PAYLOADS)]}"


def write_hostile_demo(root: Path, municipalities: int = 60) -> Path:
    """Write the small demo into ``root / FOLDER_NAME`` and poison every free-text field."""
    data = write_demo(root / FOLDER_NAME, municipalities=municipalities)
    for name, columns in TEXT_COLUMNS.items():
        frame = pd.read_csv(data / name, dtype=str, keep_default_na=False)
        for offset, column in enumerate(columns):
            if column not in frame:
                continue
            values = {v: hostile(v, offset + i) for i, v in enumerate(dict.fromkeys(frame[column])) if v}
            if column in ("budget_line", "peer_group"):  # some also begin like a formula
                values = {v: (FORMULA_PREFIXES[i % 4] + p if i % 3 == 0 else p)
                          for i, (v, p) in enumerate(values.items())}
            frame[column] = frame[column].map(lambda v: values.get(v, v))
        frame.to_csv(data / name, index=False)
    # Survey respondents not linked to an entity: their codes are shown in the data-quality warnings.
    offices = pd.read_csv(data / "survey_ict_offices.csv", dtype=str, keep_default_na=False)
    known = set(pd.read_csv(data / "entities.csv", dtype=str)["entity_id"])
    unlinked = ~offices["entity_id"].isin(known) & offices["entity_id"].ne("")
    offices.loc[unlinked, "entity_id"] = [f"X{i}{PAYLOADS[i % len(PAYLOADS)]}" for i in range(int(unlinked.sum()))]
    offices["comment"] = PAYLOADS[1]
    offices["respondent_id"] = [f"{r}{PAYLOADS[0]}" for r in offices["respondent_id"]]
    offices.to_csv(data / "survey_ict_offices.csv", index=False)
    meta = yaml.safe_load((data / "dataset.yml").read_text(encoding="utf-8"))
    meta["name"] = hostile(meta["name"], 0) + " " + PAYLOADS[2]
    meta["source"] = hostile(meta.get("source", ""), 3) + " " + PAYLOADS[1]
    meta["description"] = hostile(meta.get("description", ""), 4)
    (data / "dataset.yml").write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data
