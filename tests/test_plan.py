"""The locked analysis plan: init, validation, lock, edit detection, pre-specified vs exploratory."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluation import plan as plans
from evaluation.load.dataset import load


@pytest.fixture(scope="module")
def demo():
    return load(None)


def test_init_writes_every_key_with_its_default_and_refuses_to_overwrite(tmp_path):
    path = plans.init(tmp_path / "plan.yml")
    read = plans.read(path)
    assert read.values == {k: d for k, (d, _, _) in plans.FIELDS.items()}
    assert not read.locked
    with pytest.raises(plans.PlanError, match="already exists.*--force"):
        plans.init(path)
    plans.init(path, force=True, primary_outcome="IDI")
    assert plans.read(path).values["primary_outcome"] == "IDI"


def test_lock_records_hash_and_date_and_a_comment_edit_keeps_the_lock(tmp_path, demo):
    path = plans.init(tmp_path / "plan.yml")
    locked = plans.lock(path, demo, today=dt.date(2026, 3, 1))
    assert locked.locked and locked.locked_date == "2026-03-01" and not locked.edited_after_lock
    assert locked.locked_sha256 == plans.values_hash(locked.values)
    path.write_text(path.read_text(encoding="utf-8").replace("# Analysis plan", "# A comment\n# Analysis plan"),
                    encoding="utf-8")
    assert not plans.read(path).edited_after_lock
    with pytest.raises(plans.PlanError, match="already locked"):
        plans.lock(path, demo)


def test_an_edited_locked_plan_is_detected_and_not_relocked(tmp_path, demo):
    path = plans.init(tmp_path / "plan.yml")
    plans.lock(path, demo)
    path.write_text(path.read_text(encoding="utf-8").replace("method: dr", "method: ipw"), encoding="utf-8")
    edited = plans.read(path)
    assert edited.edited_after_lock
    with pytest.raises(plans.PlanError, match="edited since"):
        plans.lock(path, demo)
    assert plans.check(edited, {"method": "ipw"}).label == plans.EXPLORATORY


@pytest.mark.parametrize("key, value, message", [
    ("primary_outcome", "POL99", "not an indicator of outcomes.csv"),
    ("entities", "regional", "not a group"),
    ("control_group", "everyone", "never_treated or not_yet_treated"),
    ("method", "ols", "dr, ipw or reg"),
    ("covariates", "no_such_column", "not numeric columns"),
    ("event_window", [5, 5], "first negative"),
    ("min_effect", -1, "0 or more"),
    ("alpha", 0.9, "between 0 and 0.5"),
    ("bootstrap", 2.5, "whole number"),
    ("robustness", ["astrology"], "list drawn from"),
])
def test_lock_refuses_a_plan_whose_values_do_not_validate(tmp_path, demo, key, value, message):
    path = plans.init(tmp_path / "plan.yml", **{key: value})
    with pytest.raises(plans.PlanError, match=message) as err:
        plans.lock(path, demo)
    assert f"key '{key}'" in str(err.value) and "locked" not in path.read_text(encoding="utf-8").split("\n")[-2]
    assert not plans.read(path).locked


def test_unknown_keys_and_broken_files_are_named(tmp_path):
    path = tmp_path / "plan.yml"
    path.write_text("primary_outcom: POL07\n", encoding="utf-8")
    with pytest.raises(plans.PlanError, match="unknown key.*primary_outcom"):
        plans.read(path)
    path.write_text("primary_outcome: [\n", encoding="utf-8")
    with pytest.raises(plans.PlanError, match="not valid YAML"):
        plans.read(path)


def test_reports_are_pre_specified_only_when_their_parameters_follow_a_locked_plan(tmp_path, demo):
    path = plans.init(tmp_path / "plan.yml")
    unlocked = plans.read(path)
    assert plans.check(unlocked, {"outcome": "POL07"}).label == plans.EXPLORATORY
    locked = plans.lock(path, demo)
    assert plans.check(locked, {"outcome": "POL07", "alpha": 0.05, "covariates": "default"}).label == \
        plans.PRE_SPECIFIED
    exploratory = plans.check(locked, {"outcome": "POL08", "alpha": 0.05})
    assert exploratory.label == plans.EXPLORATORY and exploratory.differences == (("outcome", "POL07", "POL08"),)
    assert plans.check(locked, {"year": 2024}).label == plans.PRE_SPECIFIED  # a report without those parameters
    assert plans.check(None, {"outcome": "POL07"}).label == plans.NO_PLAN
