"""Data-quality tables and the sentences made from them."""

import pandas as pd

from contract_fixtures import valid_folder
from evaluation.questions import data_quality
from evaluation.report import narrative
from evaluation.load.dataset import load


def _data(tmp_path):
    return load(valid_folder(tmp_path))


def test_overview_counts_adopters_by_level(tmp_path):
    table = data_quality.overview(_data(tmp_path)).set_index("level")
    assert table.loc["national", "entities"] == 3 and table.loc["national", "adopters"] == 2
    assert table.loc["municipal", "adopters"] == 1 and table.loc["departmental", "adopters"] == 1
    assert table.loc["all", "never_adopted"] == 2
    # Adoption after the evaluation year does not count yet.
    early = data_quality.overview(_data(tmp_path), until_year=2018).set_index("level")
    assert early.loc["all", "adopters"] == 3


def test_coverage_shares(tmp_path):
    cov = data_quality.coverage(_data(tmp_path))
    row = cov[(cov.indicator == "POL07") & (cov.year == 2016) & (cov.level == "national")].iloc[0]
    assert row.reporting == 3 and row.share == 1.0
    assert set(cov.indicator) == {"POL07", "IDI"}


def test_adoption_timeline_is_cumulative(tmp_path):
    timeline = data_quality.adoption_timeline(_data(tmp_path))
    assert timeline["cohort"].tolist() == [2017, 2018, 2019]
    assert timeline["all"].tolist() == [2, 1, 1]
    assert timeline["cumulative"].tolist() == [2, 3, 4]


def test_pre_adoption_years_flags_cohorts_without_a_year_before(tmp_path):
    data = _data(tmp_path)
    pre = data_quality.pre_adoption_years(data)
    row = pre[(pre.indicator == "POL07") & (pre.cohort == 2017)].iloc[0]
    assert row.pre_adoption_years == 1 and row.evaluable  # 2016 only
    # Take away 2016: the 2017 cohort can no longer be evaluated, and the text says so.
    outcomes = data.outcomes[data.outcomes.year >= 2017]
    trimmed = type(data)(**{**data.__dict__, "outcomes": outcomes})
    pre = data_quality.pre_adoption_years(trimmed)
    row = pre[(pre.indicator == "POL07") & (pre.cohort == 2017)].iloc[0]
    assert not row.evaluable and "cannot be estimated" in row.note
    text = narrative.evaluability(pre).data
    assert "Cohorts 2017" in text and "cannot be estimated" in text
    assert "POL07** is observed from 2017" in text


def test_data_banner_says_synthetic(tmp_path):
    assert "Synthetic" in narrative.data_banner(_data(tmp_path)).data


def test_save_table_is_a_no_op_without_output_dir(tmp_path):
    narrative.save_table(pd.DataFrame({"a": [1]}), "", "x.csv")
    narrative.save_table(pd.DataFrame({"a": [1]}), str(tmp_path), "x.csv")
    assert (tmp_path / "tables" / "x.csv").read_text().splitlines() == ["a", "1"]
