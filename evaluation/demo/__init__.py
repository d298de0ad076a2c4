"""Deterministic synthetic demo data for the GCIO evaluation, with its true effects.

The entities are real (Colombia's 1,122 municipalities, 32 departments and 153
national entities in 24 sectors); everything the evaluation measures about
them is simulated: adoption dates of the GCIO post, FURAG-like scores, the
2015 surveys and the programme's records. Because the potential outcomes are
known, ``truth.csv`` gives the effect an estimator should recover.

How the data are made (details in each module):

* ``entities`` — real frame plus synthetic IT-team sizes and budgets.
* ``adoption`` — proportional hazards on covariates (heads of sector first;
  larger, more urban, less poor entities with bigger IT teams earlier);
  exactly 286 territorial adopters by ``REPORTING_DATE``.
* ``outcomes`` — untreated trends linear in covariates that also drive
  adoption (so parallel trends hold only conditional on them), effects that
  grow with years since adoption, calibrated to the published averages.
* ``surveys``, ``programme`` — the diagnosis surveys, outputs and budget.
* ``truth`` — ``true_effects`` aggregates the cell-level truth like CS.

Example
-------
>>> from evaluation.demo import write_demo, true_effects
>>> folder = write_demo("/tmp/demo", municipalities=100)          # doctest: +SKIP
"""

from __future__ import annotations

import math
import numbers
import os
from pathlib import Path

import pandas as pd

from .. import paths
from .adoption import REPORTING_DATE, TERRITORIAL_AT_REPORTING_DATE, make_adoption, territorial_target
from .entities import COLUMNS as ENTITY_COLUMNS, make_entities, read_municipalities
from .files import dataset_yaml, to_csv_text, write_text
from .outcomes import make_outcomes, max_theta
from .programme import BUDGET_COP, make_costs, make_monitoring
from .readme import readme_text
from .surveys import make_director_survey, make_office_survey
from .truth import true_effects

__all__ = ["generate", "write_demo", "true_effects", "load_truth", "REPORTING_DATE",
           "TERRITORIAL_AT_REPORTING_DATE", "MUNICIPALITIES_CSV", "DEFAULTS", "TABLE_ORDER"]

#: The real municipal frame the demo is built on (copied from the project's shared data, see its README).
MUNICIPALITIES_CSV = paths.DATA_DIR / "colombia" / "municipalities.csv"
DEFAULTS = {"seed": 2016, "effect_scale": 1.0, "municipalities": None, "first_year": 2014, "last_year": 2025,
            "pretrend_slope": 0.0}
#: Largest ``pretrend_slope`` accepted (points a year): keeps untreated scores inside [1, 99].
MAX_PRETREND_SLOPE = 1.0
#: Tables written, in this order; ``truth`` is not a contract table but sits beside them.
TABLE_ORDER = ("entities", "adoption", "outcomes", "monitoring", "survey_ict_offices", "survey_directors", "costs",
               "truth")
_FULL_TERRITORIAL = 1122 + 32
#: Every file ``write_demo`` writes: the only files of its folder it may replace.
OWNED_FILES = tuple(f"{name}.csv" for name in TABLE_ORDER) + ("dataset.yml", "README.md")


def _check(seed: int, effect_scale: float, municipalities: int | None, first_year: int, last_year: int,
           pretrend_slope: float = 0.0) -> None:
    problems = []
    if (not isinstance(pretrend_slope, numbers.Real) or isinstance(pretrend_slope, bool)
            or not abs(float(pretrend_slope)) <= MAX_PRETREND_SLOPE):
        problems.append(f"pretrend_slope must be a number of points a year between -{MAX_PRETREND_SLOPE:g} and "
                        f"{MAX_PRETREND_SLOPE:g} (a steeper drift would push scores past the 0-100 scale), "
                        f"not {pretrend_slope!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        problems.append(f"seed must be a non-negative integer, not {seed!r}")
    limit = math.floor(10 / max_theta()) / 10  # keeps effect_scale x theta below 1
    if not 0 <= effect_scale <= limit:
        problems.append(f"effect_scale must be between 0 and {limit} (a larger effect would push scores "
                        f"past 100), not {effect_scale!r}")
    if municipalities is not None and (not isinstance(municipalities, int) or not 1 <= municipalities <= 1122):
        problems.append(f"municipalities must be None or an integer from 1 to 1122, not {municipalities!r}")
    if not 2005 <= first_year <= 2017:
        problems.append(f"first_year must be between 2005 and 2017 (the GEL index ends in 2017), not {first_year}")
    if not 2019 <= last_year <= 2035:
        problems.append(f"last_year must be between 2019 (after the reporting date) and 2035, not {last_year}")
    if problems:
        raise ValueError("; ".join(problems))


def generate(*, seed: int = 2016, effect_scale: float = 1.0, municipalities: int | None = None,
             first_year: int = 2014, last_year: int = 2025, pretrend_slope: float = 0.0) -> dict[str, pd.DataFrame]:
    """Make every demo table in memory.

    Parameters
    ----------
    seed : int, default 2016
        Seed of every random draw. Each table draws from its own stream
        (``streams.stream(seed, name)``), so tables do not depend on each other's draws.
    effect_scale : float, default 1.0
        Multiplies every true effect; 0 gives data with no effect at all.
        Untreated potential outcomes do not depend on it.
    municipalities : int, optional
        Keep a random (seeded) subset of this many municipalities, for small
        fast datasets. Departments and national entities are always kept; the
        286 territorial adopters at the reporting date scale down in proportion.
    first_year, last_year : int, default 2014, 2025
        Years of the outcome panel: GEL from ``first_year`` to 2017, the FURAG
        indices from 2018 to ``last_year``.
    pretrend_slope : float, default 0.0
        Points a year by which adopters' untreated outcome drifts relative to
        non-adopters, before and after adoption, beyond what the covariates
        explain (a violation of conditional parallel trends). ``truth.csv``
        stays the true effect (treated minus untreated outcome). 0 leaves the
        data byte-identical.

    Returns
    -------
    dict of str to DataFrame
        The contract tables (``entities``, ``adoption``, ``outcomes``,
        ``monitoring``, ``survey_ict_offices``, ``survey_directors``, ``costs``)
        and ``truth``, each sorted by its key.
    """
    return _build(seed, effect_scale, municipalities, first_year, last_year, pretrend_slope)[0]


def _build(seed: int, effect_scale: float, municipalities: int | None, first_year: int,
           last_year: int, pretrend_slope: float = 0.0) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The tables, and the entities with their hidden columns (for the README)."""
    _check(seed, effect_scale, municipalities, first_year, last_year, pretrend_slope)
    frame = read_municipalities(MUNICIPALITIES_CSV)
    entities = make_entities(frame, seed, municipalities)
    target = territorial_target(entities, _FULL_TERRITORIAL)
    adoption = make_adoption(entities, seed, target=target, last_year=last_year)
    outcomes, truth = make_outcomes(entities, adoption, seed, effect_scale=float(effect_scale),
                                    first_year=first_year, last_year=last_year,
                                    pretrend_slope=float(pretrend_slope))
    tables = {
        "entities": entities[list(ENTITY_COLUMNS)].copy(),
        "adoption": adoption,
        "outcomes": outcomes,
        "monitoring": make_monitoring(entities, adoption),
        "survey_ict_offices": make_office_survey(entities, seed),
        "survey_directors": make_director_survey(entities, seed),
        "costs": make_costs(),
        "truth": truth,
    }
    return tables, entities


def write_demo(folder: str | os.PathLike[str], *, seed: int = 2016, effect_scale: float = 1.0,
               municipalities: int | None = None, first_year: int = 2014, last_year: int = 2025,
               pretrend_slope: float = 0.0, force: bool = False) -> Path:
    """Write the demo dataset to ``folder``: one CSV per table, ``truth.csv``, ``dataset.yml``, ``README.md``.

    The same arguments always give byte-identical files. The folder is created
    if needed; other files in it are left alone. If it already holds one of
    the files written, nothing is written and ``paths.OutputFolderError`` names
    them, unless ``force`` (then exactly those files are replaced). Other
    arguments as in ``generate``.

    Returns
    -------
    pathlib.Path
        The folder written.
    """
    arguments = {"seed": seed, "effect_scale": effect_scale, "municipalities": municipalities,
                 "first_year": first_year, "last_year": last_year, "pretrend_slope": pretrend_slope}
    folder = paths.check_out_folder(folder, OWNED_FILES, force=force, command="demo")
    tables, hidden = _build(seed, effect_scale, municipalities, first_year, last_year, pretrend_slope)
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLE_ORDER:
        write_text(folder / f"{name}.csv", to_csv_text(name, tables[name]))
    write_text(folder / "dataset.yml", dataset_yaml(_metadata(arguments, tables)))
    imputed = hidden.loc[hidden["covariates_imputed"] == 1, ["entity_id", "name"]]
    # the default (no pre-trend) is not named, so a default write stays byte-identical to earlier versions
    shown = {k: v for k, v in arguments.items() if k != "pretrend_slope" or v}
    write_text(folder / "README.md", readme_text(shown, tables, imputed))
    return folder


def load_truth(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a demo folder's ``truth.csv`` with its columns typed."""
    return pd.read_csv(Path(folder) / "truth.csv", dtype={"entity_id": str})


def _call(arguments: dict) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items() if v != DEFAULTS[k])
    return f"evaluation.demo.write_demo(folder{', ' + shown if shown else ''})"


def _metadata(arguments: dict, tables: dict[str, pd.DataFrame]) -> dict:
    adoption, entities = tables["adoption"], tables["entities"]
    level = adoption["entity_id"].map(entities.set_index("entity_id")["level"])
    at_report = int(((level != "national") & (adoption["adoption_date"] <= pd.Timestamp(REPORTING_DATE))).sum())
    return {
        "name": "GCIO demo data" + ("" if arguments == DEFAULTS else " (variant)"),
        "synthetic": True,
        "language": "es",  # the reports' language (gcio-eval run --language overrides it)
        "source": (f"Generated by {_call(arguments)}. Entities are real (DANE DIVIPOLA municipalities with CEDE "
                   "covariates, the 32 departments, Colombia's national administration); adoption dates, "
                   "outcomes, surveys, monitoring and costs are synthetic."),
        "description": ("Synthetic panel for demonstrating the evaluation of the GCIO programme (Decree 415 of "
                        "2016): staggered adoption 2016-2023 selected on covariates, FURAG-like scores "
                        "calibrated to published averages, known true effects in truth.csv."),
        "seed": arguments["seed"],
        "effect_scale": float(arguments["effect_scale"]),
        "municipalities": arguments["municipalities"],
        "first_year": arguments["first_year"],
        "last_year": arguments["last_year"],
        "reporting_date": REPORTING_DATE.isoformat(),
        "territorial_adopters_at_reporting_date": at_report,
        "truth": "truth.csv",
        "trend_covariates": {"territorial": ["urban_share_2014", "multidim_poverty_2005"],
                             "national": ["it_staff"]},
        "budget_cop": BUDGET_COP,
        **({"pretrend_slope": float(arguments["pretrend_slope"])} if arguments["pretrend_slope"] else {}),
    }
