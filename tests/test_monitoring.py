"""Monitoring: outputs against targets, posts by department, and the records checked against each other."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from contract_fixtures import valid_folder
from evaluation.load.dataset import load
from evaluation.plots import core, programme as programme_plots
from evaluation.questions import monitoring
from evaluation.text.format import Format
from evaluation.text.monitoring import MonitoringText
from evaluation.text.wording import Wording

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


def _text(data, language="en") -> MonitoringText:
    return MonitoringText(Format(language), Wording.for_dataset(data, language))


def test_delivery_ratios_and_running_totals(data):
    table = monitoring.delivery(data)
    posts = table[table["output"] == "cio_posts_created"].set_index("year")
    assert posts.loc[2017, "ratio"] == pytest.approx(1.2) and posts.loc[2018, "ratio"] == pytest.approx(0.6)
    assert pd.isna(posts.loc[2019, "ratio"])
    assert posts["cumulative_delivered"].tolist() == [12, 18, 23]
    assert posts["cumulative_target"].tolist() == [10, 20, 20]  # no target in 2019: the plan stays at 20
    assert posts["label"].iloc[0] == "CIO posts created"  # English, for questions.findings; reports use text/
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
    summary = monitoring.progress_summary(progress.reset_index())
    assert (summary.with_target, summary.met, summary.nearly_met, summary.short) == (3, 1, 2, 0)
    assert summary.worst_output is None


def test_progress_sentences_and_title_come_from_the_numbers(data):
    progress = monitoring.progress(data)
    t = _text(data)
    answer = t.answer(monitoring.progress_summary(progress))
    assert answer.startswith("1 of 3 outputs with a target met it and 3 reached at least 90% of it")
    items = "\n".join(t.progress_items(progress))
    assert "CIO posts created: 18 of 20 planned (90%, nearly met)" in items
    assert "A further 5 were delivered in years without a target" in items
    assert t.progress_figure(progress)["title"] == "Every output with a target reached at least 90% of it"
    shorter = load(valid_folder(data.folder.parent / "short", monitoring_csv=MONITORING.replace("95,100", "40,100")))
    short_progress = monitoring.progress(shorter)
    assert "IT leaders trained fell furthest short (40%)" in t.progress_figure(short_progress)["title"]
    assert t.answer(monitoring.progress_summary(short_progress)).endswith(
        "Furthest short: IT leaders trained, at 40% of target.")  # another number, another answer


def test_reconciliation_flags_records_that_disagree(data):
    # Territorial adoptions in the fixture: 05001 in 2018 and 05 in 2019; national ones are not counted.
    table = monitoring.posts_reconciliation(data).set_index("year")
    assert table.loc[2018, "adoption_records"] == 1 and table.loc[2017, "adoption_records"] == 0
    assert table.loc[2018, "difference"] == 5
    summary = monitoring.reconciliation_summary(table.reset_index())
    assert summary.years_differ == (2017, 2018, 2019) and summary.monitoring_total == 23
    assert "disagree in 3 years (2017–2019): 23 territorial CIO posts reported against 2" in \
        _text(data).reconciliation(summary)
    agreeing = MONITORING.replace("2017,cio_posts_created,12,10", "2017,cio_posts_created,0,10") \
        .replace("2018,cio_posts_created,6,10", "2018,cio_posts_created,1,10") \
        .replace("2019,cio_posts_created,5,", "2019,cio_posts_created,1,")
    same = load(valid_folder(data.folder.parent / "same", monitoring_csv=agreeing))
    agreed = monitoring.reconciliation_summary(monitoring.posts_reconciliation(same))
    assert agreed.agree and "agree year by year: 2 territorial CIO posts" in _text(same).reconciliation(agreed)


def test_posts_by_department(data):
    table = monitoring.posts_by_department(data).set_index("department")
    antioquia = table.loc["Antioquia"]  # the governorship and Medellín, both adopted
    assert antioquia["entities"] == 2 and antioquia["adopters"] == 2 and antioquia["share"] == 1.0
    assert antioquia["departmental_adopters"] == 1 and antioquia["municipal_adopters"] == 1
    assert table.loc["Valle del Cauca", "adopters"] == 0 and table.loc["Valle del Cauca", "municipal_adopters"] == 0
    early = monitoring.posts_by_department(data, until_year=2018).set_index("department")
    assert early.loc["Antioquia", "adopters"] == 1  # the governorship adopted in 2019
    assert "0% (Valle del Cauca) to 100% (Antioquia)" in _text(data).department_figure(table.reset_index())["title"]
    assert "0 % (Valle del Cauca) al 100 % (Antioquia)" in _text(data, "es").department_figure(table.reset_index())["title"]


def test_figures_carry_the_numbers_in_their_alt_text(data):
    progress = monitoring.progress(data)
    chart = programme_plots.delivery_progress(progress, **_text(data).progress_figure(progress))
    assert isinstance(chart, core.Chart) and "CIO posts created 90% (18 of 20)" in chart.alt
    spanish = programme_plots.delivery_progress(progress, **_text(data, "es").progress_figure(progress))
    assert "Cargos de Director de TI creados 90 % (18 de 20)" in spanish.alt
    deliveries = monitoring.delivery(data)
    by_year = programme_plots.delivery_by_year(deliveries, **_text(data).delivery_figure(deliveries))
    assert "2017: 12 delivered (target 10)" in by_year.alt and "2019: 5 delivered." in by_year.alt


def test_missing_monitoring_table_is_reported_not_fatal(tmp_path):
    data = load(valid_folder(tmp_path, monitoring_csv=None))
    assert not monitoring.available(data)
    assert monitoring.delivery(data).columns.tolist() == monitoring.DELIVERY_COLUMNS
    assert monitoring.progress(data).empty and monitoring.posts_reconciliation(data).empty
    t = _text(data)
    assert "no monitoring table" in t.answer(monitoring.progress_summary(monitoring.progress(data)),
                                             monitoring.available(data))
    figure = programme_plots.delivery_progress(monitoring.progress(data), **t.progress_figure(monitoring.progress(data)))
    assert not isinstance(figure, core.Chart) and "no monitoring records" in figure.text
    assert len(monitoring.posts_by_department(data)) == 2  # from the adoption records, still there


def test_caller_data_is_not_changed(data):
    before = data.monitoring.copy()
    monitoring.progress(data)
    monitoring.posts_reconciliation(data)
    pd.testing.assert_frame_equal(data.monitoring, before)


# ------------------------------------------------------------------ the layers: numbers, words, languages


def test_questions_module_computes_numbers_only():
    source = Path(monitoring.__file__).read_text(encoding="utf-8")
    assert "IPython" not in source and "Markdown(" not in source and "<p>" not in source
    for name in dir(monitoring):
        assert not name.endswith(("_text", "_title")), f"{name}: sentences belong in evaluation.text.monitoring"


def test_tables_hold_codes_and_numbers_not_markup(data):
    for table in (monitoring.delivery(data), monitoring.progress(data), monitoring.posts_reconciliation(data),
                  monitoring.posts_by_department(data)):
        text = table.to_csv()
        assert "<" not in text and "**" not in text


def test_every_message_of_the_report_exists_in_both_languages(data):
    progress = monitoring.progress(data)
    english, spanish = _text(data, "en"), _text(data, "es")
    assert english.title() != spanish.title() and "¿" in spanish.title()
    es_answer = spanish.answer(monitoring.progress_summary(progress))
    assert es_answer.startswith("1 de 3 productos con meta la cumplieron y 3 alcanzaron al menos el 90 % de ella")
    assert spanish.progress_table()["headers"]["progress"] == "Avance (% de lo planeado)"


class _Panel:
    """A converted panel's dataset (castle-doctrine states): labels of its own, no GCIO programme."""

    def __init__(self, folder):
        self.folder = folder
        self.synthetic = False
        self.metadata = {"name": "castle", "source": "Cheng and Hoekstra (2013)",
                         "labels": {"unit": "state", "units": "states", "treatment": "castle-doctrine law",
                                    "effect_unit": "log points"}}
        self.files = {}


def test_a_converted_panel_reads_in_its_own_words(tmp_path):
    castle = _Panel(tmp_path)
    words = Wording.for_dataset(castle, "en")
    t = MonitoringText(Format("en"), words)
    texts = [t.title(), t.introduction(), t.asked(), t.level_heading(), t.level_method(), t.department_heading(),
             t.department_method(), t.missing(), t.banner(castle)[1]]
    timeline = pd.DataFrame({"cohort": [2006], "departmental": [13], "all": [13], "cumulative": [13]})
    level = t.level_table(timeline)
    texts += [level["caption"], *level["headers"].values()]
    departments = pd.DataFrame({"department": [None], "entities": [50], "adopters": [21], "share": [0.42],
                                "first_year": [2005], "departmental_adopters": [21], "municipal_adopters": [0]})
    figure = t.department_figure(departments)
    texts += [figure["title"], figure["xlabel"], figure["alt"], t.department_table()["caption"]]
    joined = " ".join(texts)
    assert "states" in joined and "adopted the castle-doctrine law" in joined
    for word in ("GCIO", "CIO post", "programme", "index points", "departmental", "entities"):
        assert word not in joined, word
    assert level["headers"]["departmental"] == "state"  # a state is not a Colombian department
