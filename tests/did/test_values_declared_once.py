"""The tidy value fields are declared once: one frozen ``Estimate`` composed into every result.

Introspects ``dataclasses.fields`` of every dataclass defined in ``evaluation.did``; the value
fields are :data:`evaluation.did.VALUE_COLUMNS` (estimate, std_error, conf_low, conf_high,
n_treated, n_control, identified, note).
"""

import dataclasses
import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

from evaluation import did
from evaluation.did.results import Estimate, WithEstimate


def _did_dataclasses() -> dict[str, type]:
    found = {}
    for info in pkgutil.iter_modules(did.__path__):
        module = importlib.import_module(f"evaluation.did.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj  # an alias (OverallEstimate) counts once
    return found


#: Dataclasses that declare a field with a value-column name that is not a tidy value of the shared
#: schema, and why. A new entry here needs the same justification.
NOT_TIDY_VALUES = {
    # the original estimate a sensitivity analysis starts from; its tidy() is the grid of robust intervals
    "evaluation.did.honest.HonestResult": {"estimate", "std_error"},
    # the real-assignment estimate of randomization inference; its tidy() lists the permutation draws
    "evaluation.did.placebo.RandomizationResult": {"estimate"},
    # standard errors of the pre-adoption coefficients whose pre-test power is computed
    "evaluation.did.pretrend.PretrendPowerResult": {"std_error"},
    # the inference step's output (limits before they are put into an Estimate)
    "evaluation.did.inference.Uncertainty": {"std_error", "conf_low", "conf_high"},
    # the Wald pre-test's explanation, not a row note
    "evaluation.did.results.PretestResult": {"note"},
    # mutable workspaces of the group-time estimation, turned into an Estimate by att_gt
    "evaluation.did.group_time.CellPlan": {"note"},
    "evaluation.did.group_time.CellEstimates": {"estimate", "n_treated", "n_control", "identified", "note"},
}


def test_the_value_fields_are_declared_in_exactly_one_dataclass():
    classes = _did_dataclasses()
    value = set(did.VALUE_COLUMNS)
    full = [name for name, cls in classes.items() if value <= {f.name for f in dataclasses.fields(cls)}]
    assert full == ["evaluation.did.results.Estimate"]
    assert tuple(f.name for f in dataclasses.fields(Estimate)) == did.VALUE_COLUMNS
    stray = {}
    for name, cls in classes.items():
        if cls is Estimate:
            continue
        declared = {f.name for f in dataclasses.fields(cls)} & value
        if declared - NOT_TIDY_VALUES.get(name, set()):
            stray[name] = sorted(declared - NOT_TIDY_VALUES.get(name, set()))
    assert not stray, f"value fields declared outside Estimate: {stray}"


def test_every_result_with_a_shared_schema_table_composes_the_estimate():
    composed = {name for name, cls in _did_dataclasses().items() if issubclass(cls, WithEstimate)}
    assert composed == {
        "evaluation.did.results.GroupTimeResult",
        "evaluation.did.results.AggregateResult",
        "evaluation.did.twfe.TwfeResult",
        "evaluation.did.twfe.EventStudyResult",
        "evaluation.did.imputation.ImputationResult",
        "evaluation.did.sun_abraham.SunAbrahamResult",
        "evaluation.did.synthetic_did.SyntheticDidResult",
        "evaluation.did.efficient.EfficientResult",
    }
    for name in composed:
        cls = _did_dataclasses()[name]
        fields = {f.name: f for f in dataclasses.fields(cls)}
        assert "values" in fields, name
    assert did.OverallEstimate is Estimate


def _panel(seed=3):
    rng = np.random.default_rng(seed)
    units, years = 60, range(2010, 2017)
    cohort = rng.choice([0, 2012, 2013, 2015], units)
    rows = [{"unit": u, "year": t, "cohort": cohort[u], "treated": int(bool(cohort[u]) and t >= cohort[u]),
             "y": rng.normal() + 0.5 * (u % 3) + (1.0 if cohort[u] and t >= cohort[u] else 0.0)}
            for u in range(units) for t in years]
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def results():
    data = _panel()
    gt = did.att_gt(data, outcome="y", unit="unit", time="year", cohort="cohort")
    return {
        "att_gt": gt,
        "aggregate": gt.aggregate("dynamic"),
        "twfe": did.twfe(data, "y", "unit", "year", "treated"),
        "event_study": did.event_study(data, "y", "unit", "year", "cohort"),
        "imputation": did.imputation(data, "y", "unit", "year", "cohort"),
        "sun_abraham": did.sun_abraham(data, "y", "unit", "year", "cohort"),
        "efficient": did.efficient(data, "y", "unit", "year", "cohort", estimand="simple"),
    }


@pytest.mark.parametrize("name", ["att_gt", "aggregate", "twfe", "event_study", "imputation", "sun_abraham",
                                  "efficient"])
def test_old_attribute_names_read_the_estimate_and_are_read_only(results, name):
    res = results[name]
    for column in did.VALUE_COLUMNS:
        assert getattr(res, column) is getattr(res.values, column)
        with pytest.raises(AttributeError):
            setattr(res, column, getattr(res, column))
    # the tidy table's value columns are the Estimate's, row by row
    tidy = res.tidy()
    np.testing.assert_array_equal(tidy["estimate"].to_numpy(), np.atleast_1d(res.values.estimate))
    np.testing.assert_array_equal(tidy["std_error"].to_numpy(), np.atleast_1d(res.values.std_error))


def test_a_changed_copy_replaces_the_estimate_and_leaves_the_original(results):
    res = results["att_gt"]
    wider = dataclasses.replace(res, values=dataclasses.replace(res.values, conf_low=res.conf_low - 1))
    np.testing.assert_array_equal(wider.conf_low, res.conf_low - 1)
    np.testing.assert_array_equal(wider.tidy()["conf_low"].to_numpy(), res.tidy()["conf_low"].to_numpy() - 1)
    with pytest.raises(TypeError):
        dataclasses.replace(res, conf_low=res.conf_low)  # the old field is gone: replace the values instead
