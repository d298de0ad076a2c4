"""Staggered-adoption difference-in-differences (Callaway and Sant'Anna 2021).

One stage per module, each consuming the previous one's object::

    panel.build_panel      checks the long data, reshapes to units x periods
    group_time             2x2 DR / IPW / REG estimators and influence functions
    drdid_improved         the improved DR 2x2 (method="dr_imp")
    repeated_cross_section cells from repeated cross-sections (panel=False)
    estimate.att_gt        the entry point -> GroupTimeResult
    aggregate              aggregate(result, type) = GroupTimeResult.aggregate(...) -> AggregateResult
    with_inference         with_inference(result, ...) = GroupTimeResult.with_inference(...): new SEs, same estimates
    inference, bootstrap   analytic and multiplier-bootstrap uncertainty
    wild_bootstrap         wild cluster bootstrap-t for few clusters (cluster_bootstrap="wild")
    results                result classes and the shared tidy() schema (imports nothing from the package)
    distributions          normal and chi-square values from scipy.special (scipy.stats only where needed)

>>> from evaluation import did
>>> res = did.att_gt(data, outcome="lemp", unit="countyreal", time="year",
...                  cohort="first.treat")                     # doctest: +SKIP
>>> res.aggregate("dynamic").tidy()                             # doctest: +SKIP
"""

from . import with_inference  # noqa: F401  (registers GroupTimeResult.with_inference; aggregate registers itself below)
from .aggregate import TYPES as AGGREGATIONS
from .estimate import BASE_PERIODS, CONTROL_GROUPS, METHODS, att_gt
from .results import (
    INDEX_COLUMNS,
    TIDY_SCHEMA,
    VALUE_COLUMNS,
    AggregateResult,
    Estimate,
    GroupTimeResult,
    Inference,
    OverallEstimate,
    PretestResult,
    Settings,
    tidy_columns,
)

__all__ = [
    "att_gt",
    "GroupTimeResult",
    "AggregateResult",
    "OverallEstimate",
    "Estimate",
    "PretestResult",
    "Settings",
    "Inference",
    "TIDY_SCHEMA",
    "INDEX_COLUMNS",
    "VALUE_COLUMNS",
    "tidy_columns",
    "AGGREGATIONS",
    "CONTROL_GROUPS",
    "METHODS",
    "BASE_PERIODS",
]
from .bacon import BaconResult, bacon
from .efficient import EfficientResult, efficient
from .honest import HonestResult, honest
from .imputation import ImputationResult, imputation
from .placebo import PlaceboResult, RandomizationResult, placebo, randomization_inference
from .power import PowerResult, power
from .pretest_calibration import PretestCalibration, pretest_calibration
from .pretrend import PretrendPowerResult, pretrend_power
from .sun_abraham import SunAbrahamResult, sun_abraham
from .synthetic_did import SyntheticDidResult, synthetic_did
from .twfe import EventStudyResult, TwfeResult, event_study, twfe

__all__ += [
    "twfe",
    "event_study",
    "bacon",
    "imputation",
    "honest",
    "placebo",
    "randomization_inference",
    "power",
    "TwfeResult",
    "EventStudyResult",
    "BaconResult",
    "ImputationResult",
    "HonestResult",
    "PlaceboResult",
    "RandomizationResult",
    "PowerResult",
    "sun_abraham",
    "SunAbrahamResult",
    "pretrend_power",
    "PretrendPowerResult",
    "pretest_calibration",
    "PretestCalibration",
    "synthetic_did",
    "SyntheticDidResult",
    "efficient",
    "EfficientResult",
]
