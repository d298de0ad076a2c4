"""Paths taken only at the real-data scale (issue 14, section 5): many indicators in the coverage heat map."""

from __future__ import annotations

import itertools

import pandas as pd

from evaluation import plots
from evaluation.plots import core


def test_the_coverage_heat_map_of_many_indicators_is_one_panel_with_every_indicator_and_level():
    indicators = [f"I{i:02d}" for i in range(1, core.COVERAGE_PANELS_UP_TO + 9)]
    rows = [{"indicator": i, "year": y, "level": lv, "reporting": 1, "entities": 2, "share": 0.5}
            for i, y, lv in itertools.product(indicators, (2020, 2021), ("national", "municipal"))]
    chart = plots.coverage_heatmap(pd.DataFrame(rows), title="Coverage")
    assert chart.png.startswith(b"\x89PNG")
    assert f"for {len(indicators)} indicators (I01 to {indicators[-1]})" in chart.alt
    assert "Years 2020 to 2021" in chart.alt
