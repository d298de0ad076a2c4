"""One input check for every long-panel estimator: the same bad panel gets the same message from each."""

import numpy as np
import pandas as pd
import pytest

from evaluation import did
from evaluation.did.checks import HEADER

YEARS = range(2010, 2016)


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    cohorts = [0, 0, 0, 0, 2012, 2012, 2012, 2013, 2013, 2013, 2014, 2014, 2014, 0, 0, 0]
    rows = []
    for unit, cohort in enumerate(cohorts):
        for year in YEARS:
            treated = int(bool(cohort) and year >= cohort)
            rows.append({"unit": unit, "year": year, "cohort": cohort, "treated": treated,
                         "y": rng.normal() + unit * 0.1 + 0.5 * treated})
    return pd.DataFrame(rows)


#: Every estimator that takes a long panel, called the same way (``uses`` says whether it reads the cohort).
ESTIMATORS = {
    "att_gt": (lambda d: did.att_gt(d, outcome="y", unit="unit", time="year", cohort="cohort"), "cohort"),
    "twfe": (lambda d: did.twfe(d, "y", "unit", "year", "treated"), "treated"),
    "event_study": (lambda d: did.event_study(d, "y", "unit", "year", "cohort"), "cohort"),
    "bacon": (lambda d: did.bacon(d, "y", "unit", "year", "treated"), "treated"),
    "imputation": (lambda d: did.imputation(d, "y", "unit", "year", "cohort"), "cohort"),
    "sun_abraham": (lambda d: did.sun_abraham(d, "y", "unit", "year", "cohort"), "cohort"),
    "power": (lambda d: did.power(d, "y", "unit", "year", "cohort", simulations=10), "cohort"),
}


def _missing_column(d):
    return d.drop(columns="y")


def _non_numeric_outcome(d):
    d = d.astype({"y": object})
    d.loc[3, "y"] = "n/a"
    return d


def _duplicate_rows(d):
    return pd.concat([d, d.iloc[[8]]], ignore_index=True)


def _infinite_outcome(d):
    d.loc[[5, 17], "y"] = np.inf
    return d


def _cohort_varies(d):
    d.loc[(d["unit"] == 5) & (d["year"] == 2015), "cohort"] = 2013
    return d


BAD = {  # how the panel is broken, what the message must name, and which estimators read that column
    "missing column": (_missing_column, ["'y'", "are not in the data", "Fix:"], None),
    "non-numeric outcome": (_non_numeric_outcome, ["outcome column 'y' must be numeric", "row 3", "'n/a'"], None),
    "duplicate unit-period rows": (_duplicate_rows, ["1 duplicate unit-time pair(s)", "unit=1 year=2012",
                                                     "rows 8, 96", "keep one row per unit and year"], None),
    "infinite outcome": (_infinite_outcome, ["outcome column 'y' has 2 infinite value(s), in rows 5, 17",
                                             "leave them blank"], None),
    "cohort not constant within unit": (_cohort_varies, ["1 unit(s) change cohort over time", "unit=5",
                                                         "[2012, 2013]"], "cohort"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_every_estimator_gives_the_same_message(case):
    breaks, names, only = BAD[case]
    messages = {}
    for name, (call, uses) in ESTIMATORS.items():
        if only is not None and uses != only:
            continue
        data = breaks(_panel())
        before = data.copy()
        with pytest.raises(ValueError) as err:
            call(data)
        pd.testing.assert_frame_equal(data, before)  # the caller's data are never modified
        messages[name] = str(err.value)
    assert len(set(messages.values())) == 1, "\n\n".join(f"{k}: {v}" for k, v in messages.items())
    text = next(iter(messages.values()))
    assert text.startswith(HEADER)
    for piece in names:
        assert piece in text, f"{piece!r} not in {text!r}"


def test_the_clean_panel_passes_every_estimator():
    for name, (call, _) in ESTIMATORS.items():
        call(_panel())
