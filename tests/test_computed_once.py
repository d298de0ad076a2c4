"""Compute once, render many: the robustness checks the findings quote are computed once per run.

The findings (``findings.impact_evidence``) and the robustness report
(``robustness.dynamic_effects/sensitivity/pretrend_check/placebo/randomization/
minimum_detectable_effect``) ask for the same HonestDiD bounds (both
restrictions), pre-test power, placebos, randomization inference and minimum
detectable effect. Inside a run (``GCIO_CACHE_DIR`` set) the second asker reads
the first one's result; the numbers are those computed without the cache.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import cache
from evaluation.demo import write_demo
from evaluation.load.dataset import load
from evaluation.panel import analysis_panel, resolve_covariates
from evaluation.questions import findings, impact, robustness

DRAWS, SIMULATIONS, SEED, ALPHA = 9, 20, 2016, 0.05


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load(write_demo(tmp_path_factory.mktemp("once") / "data", municipalities=80))


def _report(data):
    """What the robustness notebook computes for the same outcome, entities and parameters as the findings."""
    year = int(data.outcomes["year"].max())
    covs = resolve_covariates(data, "default", "territorial")
    panel = analysis_panel(data, "POL07", "territorial", year)
    dynamic = robustness.dynamic_effects(panel, covs, method="dr", alpha=ALPHA)
    sens = robustness.sensitivity(dynamic=dynamic, alpha=ALPHA, seed=SEED)
    return {"sensitivity": sens.tidy(), "pretrend": robustness.pretrend_check(dynamic, sens).tidy(),
            "placebo": robustness.placebo(panel, covs, method="dr", alpha=ALPHA).tidy(),
            "ri": robustness.randomization(panel, covs, draws=DRAWS, seed=SEED, method="dr").permuted,
            "mde": robustness.minimum_detectable_effect(panel, covs, simulations=SIMULATIONS, seed=SEED,
                                                        alpha=ALPHA).mde}


def _findings(data):
    year = int(data.outcomes["year"].max())
    ev = findings.impact_evidence(data, year=year, placebo_draws=DRAWS, power_simulations=SIMULATIONS, seed=SEED)
    return dict(ev.robustness), ev.placebos, ev.pretest_calibration


def _same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_a_run_computes_each_robustness_check_the_findings_quote_once(data, tmp_path, monkeypatch):
    monkeypatch.delenv(cache.ENV, raising=False)
    plain_numbers, plain_placebos, plain_calibration = _findings(data)
    plain_report = _report(data)

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    before = cache.stats()
    numbers, placebos, calibrated = _findings(data)
    after_findings = cache.stats()
    report = _report(data)
    after_report = cache.stats()

    # the findings computed the impact estimate, the pre-test's calibration, the event study, three HonestDiD
    # analyses (relative magnitudes, smoothness, smoothness at the pre-period bound), the pre-test power, placebos,
    # RI and the MDE: all misses
    assert after_findings["misses"] - before["misses"] == 10 and after_findings["hits"] == before["hits"]
    # the report asks for seven of them again with the same parameters: all hits, nothing recomputed
    assert after_report["misses"] == after_findings["misses"]
    assert after_report["hits"] - after_findings["hits"] == 7

    # the impact report judges the pre-test by the same calibration: read, not recomputed
    year = int(data.outcomes["year"].max())
    covs = list(resolve_covariates(data, "default", "territorial"))
    calibration = impact.pretest_calibration(analysis_panel(data, "POL07", "territorial", year), covs, seed=SEED)
    assert cache.stats()["misses"] == after_report["misses"] and cache.stats()["hits"] == after_report["hits"] + 1
    assert calibration is calibrated or calibration.p_simulated == calibrated.p_simulated
    assert calibrated.p_simulated == plain_calibration.p_simulated

    # and nothing either report states changes
    assert numbers.keys() == plain_numbers.keys()
    for name in numbers:
        assert numbers[name] == plain_numbers[name] or (np.isnan(numbers[name]) and np.isnan(plain_numbers[name])), name
    _same(placebos, plain_placebos)
    for name in report:
        _same(report[name], plain_report[name])


def test_other_parameters_are_computed_afresh(data, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    year = int(data.outcomes["year"].max())
    covs = resolve_covariates(data, "default", "territorial")
    panel = analysis_panel(data, "POL07", "territorial", year)
    first = robustness.randomization(panel, covs, draws=DRAWS, seed=SEED)
    misses = cache.stats()["misses"]
    other = robustness.randomization(panel, covs, draws=DRAWS, seed=SEED + 1)
    assert cache.stats()["misses"] == misses + 1
    assert not np.array_equal(first.permuted, other.permuted)
