"""Monitoring: outputs against targets, posts by department, and the records checked against each other."""

from __future__ import annotations

import pandas as pd
import pytest

from contract_fixtures import valid_folder
from evaluation.questions import monitoring
from evaluation.load.dataset import load
from evaluation.plots import core
from evaluation.plots import programme as programme_plots

# Posts: the 2017 target is beaten, 2018 falls short, 2019 has no target. Leaders: 95% of target.
MONITORING = """\
year,output,value,target
2017,cio_posts_created,12,10
2018,cio_posts_created,6,10
2019,cio_posts_created,5,
2017,leaders_trained,95,100
2017,magazine_issues,2,2
2018,bulletins,20,
"""


@pytest.fixture
def data(tmp_path):
    return load(valid_folder(tmp_path, monitoring_csv=MONITORING))


def test_delivery_ratios_and_running_totals(data):
    table = monitoring.delivery(data)
    posts = table[table["output"] == "cio_posts_created"].set_index("year")
    assert posts.loc[2017, "ratio"] == pytest.approx(1.2) and posts.loc[2018, "ratio"] == pytest.approx(0.6)
    assert pd.isna(posts.loc[2019, "ratio"])
    assert posts["cumulative_delivered"].tolist() == [12, 18, 23]
    assert posts["cumulative_target"].tolist() == [10, 20, 20]  # no target in 2019: the plan stays at 20
    assert posts["label"].iloc[0] == "CIO posts created"
    assert monitoring.delivery(data, until_year=2017)["year"].max() == 2017


def test_progress_counts_only_years_with_a_target(data):
    progress = monitoring.progress(data).set_index("output")
    posts = progress.loc["cio_posts_created"]
    assert posts["delivered"] == 23 and posts["planned"] == 20 and posts["delivered_in_planned_years"] == 18
    assert posts["progress"] == pytest.approx(0.9) and posts["reading"] == "nearly met"
    assert posts["years_met"] == 1 and posts["years_planned"] == 2
    assert progress.loc["leaders_trained", "reading"] == "nearly met"
    assert progress.loc["magazine_issues", "reading"] == "met"
    assert progress.loc["bulletins", "reading"] == "no target" and pd.isna(progress.loc["bulletins", "progress"])


def test_progress_sentences_and_title_come_from_the_numbers(data):
    progress = monitoring.progress(data)
    text = monitoring.progress_text(progress).data
    assert "1 of 3 outputs with a target met it" in text
    assert "18 of 20 planned (90%" in text and "plus 5 in years without a target" in text
    assert monitoring.progress_title(progress) == "Every output with a target reached at least 90% of it"
    shorter = load(valid_folder(data.folder.parent / "short", monitoring_csv=MONITORING.replace("95,100", "40,100")))
    assert "IT leaders trained fell furthest short (40%)" in monitoring.progress_title(monitoring.progress(shorter))


def test_reconciliation_flags_records_that_disagree(data):
    # Territorial adoptions in the fixture: 05001 in 2018 and 05 in 2019; national ones are not counted.
    table = monitoring.posts_reconciliation(data).set_index("year")
    assert table.loc[2018, "adoption_records"] == 1 and table.loc[2017, "adoption_records"] == 0
    assert table.loc[2018, "difference"] == 5
    assert "disagree" in monitoring.reconciliation_text(table.reset_index()).data
    agreeing = MONITORING.replace("2017,cio_posts_created,12,10", "2017,cio_posts_created,0,10") \
        .replace("2018,cio_posts_created,6,10", "2018,cio_posts_created,1,10") \
        .replace("2019,cio_posts_created,5,", "2019,cio_posts_created,1,")
    same = load(valid_folder(data.folder.parent / "same", monitoring_csv=agreeing))
    assert "agree year by year" in monitoring.reconciliation_text(monitoring.posts_reconciliation(same)).data


def test_posts_by_department(data):
    table = monitoring.posts_by_department(data).set_index("department")
    antioquia = table.loc["Antioquia"]  # the governorship and Medellín, both adopted
    assert antioquia["entities"] == 2 and antioquia["adopters"] == 2 and antioquia["share"] == 1.0
    assert antioquia["adopters_by_level"] == "1 departmental, 1 municipal"
    assert table.loc["Valle del Cauca", "adopters"] == 0 and table.loc["Valle del Cauca", "adopters_by_level"] == "none"
    early = monitoring.posts_by_department(data, until_year=2018).set_index("department")
    assert early.loc["Antioquia", "adopters"] == 1  # the governorship adopted in 2019
    assert "0% (Valle del Cauca) to 100% (Antioquia)" in monitoring.department_title(table.reset_index())


def test_figures_carry_the_numbers_in_their_alt_text(data):
    progress = monitoring.progress(data)
    chart = programme_plots.delivery_progress(progress, monitoring.progress_title(progress))
    assert isinstance(chart, core.Chart) and "CIO posts created 90% (18 of 20)" in chart.alt
    by_year = programme_plots.delivery_by_year(monitoring.delivery(data), "t")
    assert "2017 12 delivered (target 10)" in by_year.alt and "2019 5 delivered." in by_year.alt


def test_missing_monitoring_table_is_reported_not_fatal(tmp_path):
    data = load(valid_folder(tmp_path, monitoring_csv=None))
    assert not monitoring.available(data)
    assert monitoring.delivery(data).columns.tolist() == monitoring.DELIVERY_COLUMNS
    assert monitoring.progress(data).empty and monitoring.posts_reconciliation(data).empty
    assert "missing" in monitoring.progress_text(monitoring.progress(data)).data
    assert not isinstance(programme_plots.delivery_progress(monitoring.progress(data), "t"), core.Chart)
    assert len(monitoring.posts_by_department(data)) == 2  # from the adoption records, still there


def test_caller_data_is_not_changed(data):
    before = data.monitoring.copy()
    monitoring.progress(data)
    monitoring.posts_reconciliation(data)
    pd.testing.assert_frame_equal(data.monitoring, before)
