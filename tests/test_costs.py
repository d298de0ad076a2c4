"""Costs: prices, attribution of the budget, cost per output and per index point, in pesos and dollars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from contract_fixtures import valid_folder
from evaluation.did import OverallEstimate
from evaluation.load.dataset import load
from evaluation.plots import core, programme as programme_plots
from evaluation.questions import costs
from evaluation.text.costs import CostsText
from evaluation.text.format import Format
from evaluation.text.wording import Wording

ES = CostsText(Format("es"), Wording.for_dataset(None, "es"))
EN = CostsText(Format("en"), Wording.for_dataset(None, "en"))

# 300 million for posts, 100 million for leaders, 100 million shared (2017 pesos); 600 million in 2016.
COSTS = """\
year,budget_line,amount_cop,output
2016,Diseño,600000000,
2017,Acompañamiento,300000000,cio_posts_created
2017,Formación,100000000,leaders_trained
2017,Coordinación,100000000,
"""
MONITORING = """\
year,output,value,target
2017,cio_posts_created,10,10
2018,cio_posts_created,5,
2017,leaders_trained,40,40
"""
RATE = 3000.0


@pytest.fixture
def data(tmp_path):
    return load(valid_folder(tmp_path, costs_csv=COSTS, monitoring_csv=MONITORING))


def _overall(estimate, low, high, treated=3):
    return OverallEstimate(estimate, (high - low) / 3.92, low, high, treated, 10, True)


def test_price_factor_compounds_inflation_both_ways():
    inflation = {2016: 10.0, 2017: 5.0}
    assert costs.price_factor(2015, 2017, inflation) == pytest.approx(1.10 * 1.05)
    assert costs.price_factor(2017, 2015, inflation) == pytest.approx(1 / (1.10 * 1.05))
    assert costs.price_factor(2016, 2016, inflation) == 1.0
    with pytest.raises(ValueError, match="No consumer price inflation for 2018"):
        costs.price_factor(2016, 2018, inflation)


def test_price_year_zero_is_the_evaluation_year_capped_at_the_cpi_table(data):
    last = max(costs.COP_CPI_INFLATION)
    assert costs.resolve_price_year(0, 2019) == 2019 and not costs.price_year_capped(0, 2019)
    assert costs.resolve_price_year(0, last + 1) == last and costs.price_year_capped(0, last + 1)
    assert costs.resolve_price_year(2017, last + 1) == 2017  # a year given is used as given
    result = costs.cost_per_output(data, until_year=2018)
    assert result.price_year == 2018 and not result.price_year_capped
    assert result.budget_cop == pytest.approx(costs.total_budget(data, price_year=2018))
    assert result.deflators == {2017: costs.COP_CPI_INFLATION[2017], 2018: costs.COP_CPI_INFLATION[2018]}
    assert result.budget_years == (2016, 2017) and result.output_years == (2017, 2018)
    assert costs.CPI.source.startswith("DANE") and "2025" in costs.CPI.vintage


def test_budget_in_price_year_pesos(data):
    lines = costs.budget(data, price_year=2017).set_index("budget_line")
    assert lines.loc["Diseño", "amount_cop"] == 600e6
    assert lines.loc["Diseño", "amount_cop_price_year"] == pytest.approx(600e6 * (1 + costs.COP_CPI_INFLATION[2017] / 100))
    assert lines.loc["Formación", "amount_cop_price_year"] == 100e6
    assert lines["share"].sum() == pytest.approx(1.0)


def test_shared_lines_are_spread_in_proportion_to_direct_costs(data):
    table = costs.attribution(data, price_year=2017).set_index("output")
    total = costs.total_budget(data, price_year=2017)
    shared = total - 400e6
    assert table.loc["cio_posts_created", "attributed_cop"] == pytest.approx(300e6 + shared * 0.75)
    assert table.loc["leaders_trained", "attributed_cop"] == pytest.approx(100e6 + shared * 0.25)
    # Every peso is attributed once over the outputs with a line of their own.
    assert table.loc[["cio_posts_created", "leaders_trained"], "attributed_cop"].sum() == pytest.approx(total)
    assert table.loc["entities_reached", "share"] == 1.0
    assert set(table["basis"]) <= set(costs.BASES)


def test_cost_per_output_in_pesos_and_dollars(data):
    result = costs.cost_per_output(data, price_year=2017, exchange_rate=RATE)
    table = result.table.set_index("output")
    posts = table.loc["cio_posts_created"]
    assert posts["units"] == 15  # posts in years without a target still count as delivered
    assert posts["cost_per_unit_cop"] == pytest.approx(posts["attributed_cop"] / 15)
    assert posts["cost_per_unit_usd"] == pytest.approx(posts["cost_per_unit_cop"] / RATE)
    assert posts["whole_budget_per_unit_cop"] == pytest.approx(result.budget_cop / 15)
    assert table.loc["entities_reached", "units"] == 4  # adopters in the fixture
    assert table.loc["entities_reached", "cost_per_unit_cop"] == pytest.approx(result.budget_cop / 4)
    # Units counted up to the evaluation year only.
    early = costs.cost_per_output(data, price_year=2017, until_year=2017).table.set_index("output")
    assert early.loc["cio_posts_created", "units"] == 10


def test_a_share_set_by_the_evaluator_overrides_the_costs_table(data):
    result = costs.cost_per_output(data, price_year=2017, shares="cio_posts_created:0.5")
    posts = result.table.set_index("output").loc["cio_posts_created"]
    assert posts["share"] == pytest.approx(0.5)
    assert posts["cost_per_unit_cop"] == pytest.approx(0.5 * result.budget_cop / 15)
    assert posts["basis"] == "evaluator_share"
    assert "set by the evaluator" in EN.basis(posts) and "fijada por el evaluador" in ES.basis(posts)
    with pytest.raises(ValueError, match="unknown output 'posts'"):
        costs.parse_shares("posts:0.5")
    with pytest.raises(ValueError, match="between 0 and 1"):
        costs.parse_shares("leaders_trained:1.5")


def test_sensitivity_is_linear_in_the_share_and_marks_the_current_share(data):
    result = costs.cost_per_output(data, price_year=2017)
    table = result.sensitivity()
    posts = table[table["output"] == "cio_posts_created"]
    assert posts["share"].tolist() == pytest.approx(list(costs.SENSITIVITY_SHARES))
    np.testing.assert_allclose(posts["cost_per_unit_cop"], posts["share"] * result.budget_cop / 15)
    assert posts["current"].sum() == 1
    current_share = result.table.set_index("output").loc["cio_posts_created", "share"]
    assert abs(posts.loc[posts["current"], "share"].iloc[0] - current_share) <= 0.05 + 1e-9
    assert "entities_reached" not in set(table["output"])
    wide = costs.sensitivity_wide(table)
    assert wide.iloc[-1]["cio_posts_created"] == pytest.approx(result.budget_cop / 15)


def test_cost_per_point_interval_follows_the_effect_interval():
    bounded = costs.cost_per_point(1e9, _overall(2.0, 1.0, 4.0), 100, exchange_rate=RATE)
    assert bounded.cost_cop == pytest.approx(1e9 / 200)
    assert (bounded.cost_low_cop, bounded.cost_high_cop) == pytest.approx((1e9 / 400, 1e9 / 100))
    assert bounded.bounded and bounded.reading == "bounded"

    unbounded = costs.cost_per_point(1e9, _overall(1.0, -0.5, 2.5), 100)
    assert unbounded.cost_high_cop == float("inf") and not unbounded.bounded
    assert unbounded.reading == "unbounded"

    negative = costs.cost_per_point(1e9, _overall(-2.0, -3.0, -1.0), 100)
    assert np.isnan(negative.cost_cop) and negative.reading == "no_gain"


def test_per_point_table_and_text_say_when_the_cost_is_unbounded(data):
    table = costs.per_point_table(data, _overall(1.0, -0.5, 2.5, treated=2), entities="all", price_year=2017,
                                  exchange_rate=RATE)
    assert table["entities"].tolist() == [4, 2]  # all adopters; then only those measured
    assert table["scope"].tolist() == ["all_adopters", "evaluated"]
    assert table["cost_per_point_cop"].iloc[1] == pytest.approx(2 * table["cost_per_point_cop"].iloc[0])
    assert costs.key_per_point(table)["entities"] == 2  # the key number: the evaluated adopters
    items = EN.per_point_items(table, indicator="POL07", exchange_rate=RATE, alpha=0.05)
    assert "no upper limit" in items[0] and "includes zero" in items[0]
    assert items[0].startswith("Counting the 2 adopting entities whose effect was estimated (key number)")
    assert "extrapolation" in items[1]
    shown = ES.per_point_frame(table)
    assert "sin límite" in shown["cost_text"].iloc[0] and shown["scope"].iloc[0] == "evaluated"


def test_figures_state_units_and_numbers(data):
    result = costs.cost_per_output(data, price_year=2017, exchange_rate=RATE)
    chart = programme_plots.cost_per_unit(result.table, EN.cost_title(result), exchange_rate=RATE,
                                          price_year=2017, names=EN.names(result.table["output"]),
                                          alt=EN.cost_alt(result))
    assert isinstance(chart, core.Chart) and "Each CIO post created cost about COP" in chart.title
    posts = result.table.set_index("output").loc["cio_posts_created", "cost_per_unit_cop"]
    assert f"CIO posts created COP {posts:,.0f}" in chart.alt
    spanish = programme_plots.cost_per_unit(result.table, ES.cost_title(result), exchange_rate=RATE,
                                            price_year=2017, names=ES.names(result.table["output"]),
                                            alt=ES.cost_alt(result))
    assert Format("es").money(posts) in spanish.title and "Cada cargo de Director de TI creado" in spanish.title


def test_missing_costs_table_is_reported_not_fatal(tmp_path):
    data = load(valid_folder(tmp_path, costs_csv=None))
    assert not costs.available(data)
    result = costs.cost_per_output(data)
    assert not result.available and result.table.columns.tolist() == costs.OUTPUT_COLUMNS
    assert costs.per_point_table(data, _overall(2.0, 1.0, 3.0), entities="all").empty
    assert "missing" in EN.answer(result, costs.per_point_table(data, _overall(2.0, 1.0, 3.0), entities="all"),
                                  indicator="POL07", alpha=0.05)
    assert not isinstance(programme_plots.cost_per_unit(result.table, "t", exchange_rate=RATE, price_year=2016),
                          core.Chart)


def test_caller_data_is_not_changed(data):
    before = data.costs.copy()
    costs.cost_per_output(data, shares="leaders_trained:0.2")
    pd.testing.assert_frame_equal(data.costs, before)


# ------------------------------------------------------------------ the reader layer


def test_questions_module_holds_numbers_only():
    source = Path(costs.__file__).read_text(encoding="utf-8")
    assert "IPython" not in source and "Markdown" not in source and "<p>" not in source


def test_the_answer_follows_the_numbers_in_both_languages(data):
    result = costs.cost_per_output(data, price_year=2017, exchange_rate=RATE)
    wide = costs.per_point_table(data, _overall(2.0, 1.0, 4.0, treated=2), entities="all", price_year=2017,
                                 exchange_rate=RATE)
    narrow = costs.per_point_table(data, _overall(3.0, 2.0, 4.0, treated=2), entities="all", price_year=2017,
                                   exchange_rate=RATE)
    key = costs.key_per_point(wide)
    es = ES.answer(result, wide, indicator="POL07", alpha=0.05)
    en = EN.answer(result, wide, indicator="POL07", alpha=0.05)
    assert Format("es").money(key["cost_per_point_cop"]) in es and "por entidad adoptante" in es
    assert Format("en").money(key["cost_per_point_cop"]) in en and "per adopting entity" in en
    assert "2017" in es and "[+1,00; +4,00]" in es and "[+1.00, +4.00]" in en
    assert ES.answer(result, narrow, indicator="POL07", alpha=0.05) != es  # another estimate, another answer
    assert "Counting the 2 adopting" in en  # the key number is on the evaluated adopters, not all 4
    unbounded = costs.per_point_table(data, _overall(1.0, -0.5, 2.5, treated=2), entities="all", price_year=2017)
    assert "no tiene límite superior" in ES.answer(result, unbounded, indicator="POL07", alpha=0.05)


def test_the_page_states_the_years_and_the_price_table(data):
    result = costs.cost_per_output(data, until_year=2018)
    years = EN.years(result)
    assert "the budget covers 2016 and 2017" in years and "delivered in 2017 and 2018" in years
    assert "las vigencias 2016 y 2017" in ES.budget(result)
    notes = EN.assumptions(result)
    assert costs.CPI.source in notes and costs.CPI.vintage in notes and "2018 pesos" in notes
    capped = costs.cost_per_output(data, until_year=max(costs.COP_CPI_INFLATION) + 1)
    assert capped.price_year_capped and "has no consumer price figure" in EN.assumptions(capped)
    spanish = ES.assumptions(capped)
    assert "aún no tiene cifra de inflación" in spanish and "Amounts" not in spanish
