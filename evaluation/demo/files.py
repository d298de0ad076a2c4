"""Write the demo tables byte for byte the same every time: fixed formats, sorted rows, no timestamps."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from ..safe import neutralise_formulas

#: How each column is written; columns not listed are text. "int" writes whole numbers, blanks for missing.
FORMATS: dict[str, dict[str, str]] = {
    "entities": {"divipola": "int", "head_of_sector": "int", "population_2018": "int",
                 "urban_share_2014": "%.4f", "unmet_basic_needs_2005": "%.2f", "multidim_poverty_2005": "%.3f",
                 "distance_dept_capital_km": "%.2f", "department_capital": "int", "it_staff": "int",
                 "budget_cop_billions": "%.1f", "special_regime": "int"},
    "adoption": {"adoption_date": "date"},
    "outcomes": {"year": "int", "value": "%.2f"},
    "truth": {"year": "int", "cohort": "int", "event_time": "int", "effect": "%.2f", "reported": "int"},
    "monitoring": {"year": "int", "value": "int", "target": "int"},
    "costs": {"year": "int", "amount_cop": "int"},
    "survey_ict_offices": {"q_": "int"},
    "survey_directors": {"q_": "int"},
}


def _cell_formatter(kind: str):
    if kind == "int":
        return lambda v: "" if pd.isna(v) else str(int(v))
    if kind == "date":
        return lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")
    # "+ 0.0" turns -0.0 into 0.0, so that no "-0.00" is ever written.
    return lambda v: "" if pd.isna(v) else kind % (float(v) + 0.0)


def to_csv_text(table: str, frame: pd.DataFrame) -> str:
    """The exact text of one table's CSV file (UTF-8, ``\\n`` line endings, blanks for missing)."""
    formats = FORMATS.get(table, {})
    text = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        kind = formats.get(column) or ("int" if column.startswith("q_") and "q_" in formats else None)
        if kind is None:
            text[column] = frame[column].map(lambda v: "" if pd.isna(v) else str(v)).astype(object)
        else:
            text[column] = frame[column].map(_cell_formatter(kind)).astype(object)
    buffer = io.StringIO()
    neutralise_formulas(text).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``.

    An interrupted write never leaves half a file, and a symbolic link at
    ``path`` is replaced by the file instead of its target being overwritten.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temporary, 0o666 & ~mask)  # mkstemp makes it private; as open() would, follow the umask
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dataset_yaml(metadata: dict) -> str:
    return yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=100)
