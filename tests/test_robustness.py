"""The robustness report's helpers: the estimator table, generated readings (no hard-coded conclusions),
and the figures."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation import did, paths, runner
from evaluation.questions import comparisons
from evaluation.load import dataset
from evaluation.questions import robustness
from evaluation.plots import robustness as robustness_plots
from evaluation.plots.core import Chart
from evaluation.panel import PANEL_KEYS, add_treated, analysis_panel, resolve_covariates, select_entities

REFERENCE = Path(__file__).resolve().parent / "reference"


@pytest.fixture(scope="module")
def demo():
    data = dataset.load(paths.resolve_data_dir(""))
    panel = select_entities(data.panel("POL07"), "territorial")
    return data, panel, resolve_covariates(data, "default", "territorial")


@pytest.fixture(scope="module")
def castle_panel() -> pd.DataFrame:
    """castle.csv in the analysis-panel shape (entity_id, year, value, cohort), cohort = first year of `post`."""
    c = pd.read_csv(REFERENCE / "castle.csv")
    first = c[c["post"] == 1].groupby("state")["year"].min()
    return pd.DataFrame({"entity_id": c["state"], "year": c["year"], "value": c["l_homicide"],
                         "cohort": c["state"].map(first).fillna(0).astype(int)})


@pytest.fixture(scope="module")
def demo_comparison(demo):
    _, panel, covs = demo
    return robustness.estimator_comparison(panel, covs)


def _md(obj) -> str:
    return obj.data if hasattr(obj, "data") else str(obj)


# ---------------------------------------------------------------------------- estimator table


def test_estimator_comparison_rows_and_sources(demo, demo_comparison):
    _, panel, covs = demo
    table = demo_comparison
    assert list(table.columns) == robustness.COMPARISON_COLUMNS
    assert list(table["estimator"]) == ["Naive before/after (adopters only)", robustness.TWFE_ESTIMATOR,
                                        robustness.REFERENCE_ESTIMATOR, "Callaway-Sant'Anna, not-yet-treated controls",
                                        robustness.IMPUTATION_ESTIMATOR, robustness.SUN_ABRAHAM_ESTIMATOR]
    assert table["estimate"].notna().all()
    t = table.set_index("estimator")
    assert t.loc[robustness.TWFE_ESTIMATOR, "estimate"] == pytest.approx(
        comparisons.twfe(add_treated(panel), "value", "entity_id", "year", "treated")["estimate"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imp = did.imputation(panel, **PANEL_KEYS, covariates=covs).overall
        cs = did.att_gt(panel, **PANEL_KEYS, covariates=covs).aggregate("simple").overall
    assert t.loc[robustness.IMPUTATION_ESTIMATOR, "estimate"] == pytest.approx(imp.estimate)
    assert t.loc[robustness.REFERENCE_ESTIMATOR, "estimate"] == pytest.approx(cs.estimate)
    sa = did.sun_abraham(panel, **PANEL_KEYS, covariates=covs).overall  # the demo has never-treated entities
    assert t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, "estimate"] == pytest.approx(sa.estimate)
    assert "never-treated controls, conditional on" in t.loc[robustness.SUN_ABRAHAM_ESTIMATOR, "reading"]


def test_castle_through_the_report_helpers(castle_panel):
    table = robustness.estimator_comparison(castle_panel, []).set_index("estimator")
    assert round(table.loc[robustness.TWFE_ESTIMATOR, "estimate"], 4) == 0.0818  # the published TWFE
    decomposition = robustness.bacon(castle_panel)
    assert decomposition.twfe == pytest.approx(table.loc[robustness.TWFE_ESTIMATOR, "estimate"], abs=1e-8)
    profiles = robustness.event_time_profiles(castle_panel, [])
    assert len(profiles) == 4 and "Sun-Abraham" in profiles


def test_balanced_panel_keeps_complete_entities(demo):
    _, panel, _ = demo
    balanced = robustness.balanced_panel(panel)
    counts = balanced.groupby("entity_id")["year"].nunique()
    assert (counts == panel["year"].nunique()).all()
    full = panel.groupby("entity_id")["year"].nunique()
    assert len(counts) == int((full == panel["year"].nunique()).sum())


def test_units_label():
    class Fake:
        metadata = {"labels": {"outcomes": {"l_homicide": "log homicides per 100,000 inhabitants",
                                            "rate": "homicides per 100,000"}}}
    assert robustness.units_label(Fake(), "POL07") == "points"
    assert robustness.units_label(Fake(), "l_homicide") == "log points"
    assert robustness.units_label(Fake(), "rate") == "units of rate"


# ---------------------------------------------------------------------------- generated readings


def _table(estimates, ses, twfe=None):
    rows = [{"estimator": "Naive before/after (adopters only)", "estimate": 9.0, "std_error": 0.2,
             "conf_low": 8.6, "conf_high": 9.4, "reading": ""}]
    if twfe is not None:
        rows.append({"estimator": robustness.TWFE_ESTIMATOR, "estimate": twfe, "std_error": 0.2,
                     "conf_low": twfe - 0.4, "conf_high": twfe + 0.4, "reading": ""})
    names = [robustness.REFERENCE_ESTIMATOR, "Callaway-Sant'Anna, not-yet-treated controls",
             robustness.IMPUTATION_ESTIMATOR]
    for name, est, se in zip(names, estimates, ses):
        rows.append({"estimator": name, "estimate": est, "std_error": se, "conf_low": est - 1.96 * se,
                     "conf_high": est + 1.96 * se, "reading": ""})
    return pd.DataFrame(rows, columns=robustness.COMPARISON_COLUMNS)


def test_comparison_reading_follows_the_numbers():
    agree = _md(robustness.comparison_reading(_table([4.0, 4.1, 4.2], [0.2, 0.2, 0.2], twfe=3.0), "POL07", 0.05))
    assert "agree within sampling error" in agree and "below their midpoint" in agree and "3 of 3 exclude zero" in agree
    disagree = _md(robustness.comparison_reading(_table([1.0, 4.0, 6.0], [0.2, 0.2, 0.2], twfe=4.0), "POL07", 0.05))
    assert "do not all overlap" in disagree and "inside that range" in disagree
    signs = _md(robustness.comparison_reading(_table([-0.5, 0.1, 0.4], [0.5, 0.5, 0.5]), "POL07", 0.05, truth=0.2))
    assert "do not even agree on the sign" in signs and "0 of 3 exclude zero" in signs
    assert "true average effect is +0.20" in signs


def test_bacon_reading_follows_the_numbers(castle_panel):
    decomposition = robustness.bacon(castle_panel)
    text = _md(robustness.bacon_reading(decomposition, castle_panel, "l_homicide"))
    assert "+0.082" in text and "3% of the weight sits on comparisons that use already-treated" in text
    no_bad = did.BaconResult(outcome="y", treated="d", twfe=1.0, variance_of_treatment=0.1, n_units=10, n_periods=4,
                             frame=pd.DataFrame({"comparison": ["treated vs never treated"], "treated_cohort": [3],
                                                 "control_cohort": [pd.NA], "estimate": [1.0], "weight": [1.0]}))
    assert "No comparison uses already-treated" in _md(robustness.bacon_reading(no_bad, castle_panel, "y"))


def _honest(lo, hi, breakdown, method="relative_magnitude", pre=(-3, -2), post=(0, 1)):
    frame = pd.DataFrame([{"parameter": np.nan, "conf_low": lo, "conf_high": hi, "id_low": (lo + hi) / 2,
                           "id_high": (lo + hi) / 2, "method": "original"},
                          {"parameter": 0.0, "conf_low": lo, "conf_high": hi, "id_low": np.nan, "id_high": np.nan,
                           "method": "C-LF"},
                          {"parameter": 2.0, "conf_low": lo - 5, "conf_high": hi + 5, "id_low": 0.0, "id_high": 1.0,
                           "method": "C-LF"}])
    return did.HonestResult(method=method, target="average", alpha=0.05, estimate=(lo + hi) / 2,
                            std_error=(hi - lo) / 3.92, breakdown=breakdown, frame=frame, pre_event_times=pre,
                            post_event_times=post)


def test_sensitivity_reading_follows_the_numbers():
    robust = _md(robustness.sensitivity_reading(_honest(1.0, 3.0, 1.6), None, "POL07"))
    assert "1.6 times" in robust and "larger than any seen" in robust
    fragile = _md(robustness.sensitivity_reading(_honest(1.0, 3.0, 0.4), None, "POL07"))
    assert "0.4 times" in fragile and "fragile" in fragile
    nothing = _md(robustness.sensitivity_reading(_honest(-1.0, 3.0, 0.0), None, "POL07"))
    assert "no finding to overturn" in nothing
    smooth = _honest(1.0, 3.0, 0.0, "smoothness")
    beyond = _md(robustness.sensitivity_reading(_honest(1.0, 3.0, np.inf), smooth, "POL07"))
    assert "every Mbar tried" in beyond and "already includes zero" in beyond
    assert "not significant even" in robustness.sensitivity_title(_honest(-1.0, 3.0, 0.0), "POL07")


def test_placebo_and_power_readings_follow_the_numbers():
    placebos = did.PlaceboResult({}, pd.DataFrame([
        {"shift": 1, "estimate": 0.9, "std_error": 0.2, "conf_low": 0.5, "conf_high": 1.3, "p_value": 0.0001,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""},
        {"shift": 2, "estimate": 0.1, "std_error": 0.2, "conf_low": -0.3, "conf_high": 0.5, "p_value": 0.6,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""}]))
    ri = did.RandomizationResult(estimate=1.0, p_value=0.3, permuted=np.linspace(-2, 2, 9), draws=9, seed=1)
    text = _md(robustness.placebo_reading(placebos, ri, 0.05, "POL07"))
    assert "1 of 2 placebo dates find an 'effect'" in text and "**different from zero**" in text
    assert "not rare enough to rule out chance" in text and "p = 0.300" in text
    # |-2|, |-1.5|, |-1|, 1, 1.5 and 2 are at least as large as 1.0
    assert robustness.placebo_title(ri, "POL07").startswith("6 of 9 random reassignments")
    pw = did.PowerResult(mde=0.5, mde_analytic=0.55, size=0.05, alpha=0.05, target_power=0.8, simulations=200, seed=0,
                         null_estimates=np.zeros(3), null_std_errors=np.ones(3))
    weak = _md(robustness.power_reading(pw, _table([0.2, 0.2, 0.2], [0.2, 0.2, 0.2]), "POL07"))
    assert "not evidence of absence" in weak and "**0.50 points**" in weak and "about right" in weak
    strong = _md(robustness.power_reading(pw, _table([3.0, 3.0, 3.0], [0.2, 0.2, 0.2]), "POL07"))
    assert "is larger than that" in strong
    oversized = did.PowerResult(mde=0.5, mde_analytic=0.55, size=0.12, alpha=0.05, target_power=0.8, simulations=200,
                                seed=0, null_estimates=np.zeros(3), null_std_errors=np.ones(3))
    assert "too small" in _md(robustness.power_reading(oversized, _table([3.0, 3.0, 3.0], [0.2] * 3), "POL07"))


# ---------------------------------------------------------------------------- figures


def test_figures_carry_titles_units_and_numbers(castle_panel):
    decomposition = robustness.bacon(castle_panel)
    charts = [
        robustness_plots.bacon_scatter(decomposition.tidy(), "Bacon title", twfe=decomposition.twfe,
                                       units="log points"),
        robustness_plots.event_time_comparison(robustness.event_time_profiles(castle_panel, []), "ES title"),
    ]
    dynamic = robustness.dynamic_effects(castle_panel, [])
    rm = did.honest(dynamic, grid=[0, 0.5, 1])
    sd = did.honest(dynamic, "smoothness", grid=[0, 0.1])
    charts.append(robustness_plots.sensitivity([rm, sd], "Sensitivity title", units="log points"))
    ri = did.randomization_inference(castle_panel, **PANEL_KEYS, draws=20, seed=0)
    charts.append(robustness_plots.placebo_distribution(ri, "Placebo title"))
    pw = did.power(castle_panel, **PANEL_KEYS, simulations=20, seed=0)
    charts.append(robustness_plots.power_curve(pw, "Power title", estimate=0.1))
    for chart, title in zip(charts, ["Bacon title", "ES title", "Sensitivity title", "Placebo title", "Power title"]):
        assert isinstance(chart, Chart) and chart.png.startswith(b"\x89PNG") and chart.title == title
    assert "0.082" in charts[0].alt and "treated vs never treated: 5 comparisons" in charts[0].alt
    assert f"{rm.breakdown:.3g}" in charts[2].alt
    assert f"{ri.p_value:.3f}" in charts[3].alt
    assert "Minimum detectable effect" in charts[4].alt


def test_notebook_declares_the_robustness_parameters():
    notebook = next(p for p in runner.discover_notebooks() if p.stem == "03_robustness")
    declared = runner.declared_parameters(notebook)
    for name in ("year", "data_dir", "output_dir", "outcome", "entities", "covariates", "placebo_draws",
                 "power_simulations", "seed", "alpha"):
        assert name in declared


def test_profiles_title_names_the_extremes_at_the_longest_common_horizon():
    def frame(values):
        return pd.DataFrame({"event_time": list(range(len(values))), "estimate": values,
                             "identified": [True] * len(values)})
    profiles = {"A (note)": frame([1.0, 2.0, 3.0]), "B": frame([1.0, 2.5]), "C": frame([0.5, 1.5, 9.0])}
    title = robustness.profiles_title(profiles, "POL07")
    assert title.startswith("1 years after adoption") and "+1.5 (C)" in title and "+2.5 points (B)" in title


def test_pretrend_power_reading_follows_the_numbers(castle_panel):
    dynamic = robustness.dynamic_effects(castle_panel, [])
    pp = robustness.pretrend_power(dynamic)
    assert pp.power == pytest.approx(0.5, abs=1e-5) and np.isfinite(pp.likelihood_ratio)
    rm = did.honest(dynamic, "relative_magnitude", seed=1)
    text = _md(robustness.pretrend_power_reading(pp, rm, "l_homicide"))
    assert f"would detect a linear trend of {pp.slope:.{robustness._digits(pp.slope)}f}" in text
    assert "only half the time" in text and f"{pp.size:.0%} of the time" in text
    post = [t for t in rm.post_event_times if t >= 0]
    bias = pp.slope * np.mean([t + 1 for t in post])
    assert f"add {bias:.{robustness._digits(bias)}f}" in text
    # the verdict depends on how the implied bias compares with the estimate
    assert ("could produce most of the effect" in text) == (abs(bias) >= 0.5 * abs(rm.estimate))
    too_many = robustness.pretrend_power(dynamic, target_power=0.01)
    assert isinstance(too_many, str) and "rejection rate under parallel trends" in too_many
    assert "could not be computed" in _md(robustness.pretrend_power_reading(too_many, rm, "l_homicide"))
    placebos = did.PlaceboResult({}, pd.DataFrame([
        {"shift": 1, "estimate": 0.1, "std_error": 0.2, "conf_low": -0.3, "conf_high": 0.5, "p_value": 0.6,
         "n_treated": 10, "n_control": 20, "identified": True, "note": ""}]))
    table = robustness.estimator_comparison(castle_panel, [])
    check = robustness.check_text(robustness.bacon(castle_panel), table, rm, placebos, pp)
    assert f"Pre-test detects a linear trend of {pp.slope:.2f} a year 50% of the time" in check
    sa = table.set_index("estimator").loc[robustness.SUN_ABRAHAM_ESTIMATOR]
    assert f"{robustness.SUN_ABRAHAM_ESTIMATOR}: {sa['estimate']:+.2f} (s.e. {sa['std_error']:.2f})" in check


def test_pretrend_table_says_why_when_there_is_no_power_calculation():
    assert robustness.pretrend_table("no pre-adoption coefficient")["note"].str.contains("not computed").all()


def test_first_cohort_synthetic_did_on_demo_data():
    """POL07 starts in 2018, after the first national heads of sector adopted (2016): the section says so and
    uses the first indicator measured twice before (GEL, 2014-2017); the rows come from did.synthetic_did."""
    data = dataset.load(paths.resolve_data_dir(""))
    fc = robustness.first_cohort_synthetic_did(data, "POL07", replications=50)
    assert fc.outcome == "GEL" and fc.cohort == 2016
    assert "POL07" in fc.note and "2018" in fc.note
    table = fc.tidy()
    assert list(table.columns) == robustness.COMPARISON_COLUMNS
    assert list(table["estimator"]) == list(robustness.SDID_LABELS.values())
    assert table[["estimate", "std_error"]].notna().all().all()
    r = fc.result
    panel = analysis_panel(data, "GEL", "national")
    heads = panel[(panel["head_of_sector"] == 1) & (panel["cohort"] == 2016)]["entity_id"].unique()
    assert 0 < r.n_treated <= len(heads)
    assert set(r.unit_weights.index).isdisjoint(heads)
    text = robustness.first_cohort_reading(fc, 0.05, data).data
    assert f"{r.estimate:+.1f}" in text and "GEL" in text and "POL07" in text


def test_first_cohort_synthetic_did_without_heads_of_sector(castle_panel):
    """Data without entity levels (a config panel): one unidentified row saying why, never an empty table."""

    class Panelled:
        indicators = ["l_homicide"]

        @staticmethod
        def panel(outcome, until_year=None):
            return castle_panel.assign(level="state")

    fc = robustness.first_cohort_synthetic_did(Panelled(), "l_homicide")
    table = fc.tidy()
    assert len(table) == 1 and table["estimate"].isna().all()
    assert "heads of sector" in table["reading"].iloc[0]
    assert "not estimable" in robustness.first_cohort_reading(fc).data


# ---------------------------------------------------------------------------- few clusters: national entities by sector


@pytest.fixture(scope="module")
def by_sector():
    data = dataset.load(paths.resolve_data_dir(""))
    covs = resolve_covariates(data, "default", "national")
    return data, covs, robustness.wild_by_sector(data, "POL07", covs, until_year=max(data.years))


def test_wild_by_sector_on_demo_data(by_sector):
    """National entities clustered by sector: the rows are att_gt's analytic and wild (999 draws) results."""
    data, covs, sw = by_sector
    panel = analysis_panel(data, "POL07", "national", until_year=max(data.years))
    assert sw.n_sectors == panel["sector"].nunique() >= 20 and sw.no_sector == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analytic = did.att_gt(panel, **PANEL_KEYS, covariates=covs, cluster="sector")
        wild = did.att_gt(panel, **PANEL_KEYS, covariates=covs, cluster="sector", cluster_bootstrap="wild",
                          bootstrap=999, seed=2016)
    # the clusters are the sectors of the entities the estimate uses (those adopted before 2018 drop out)
    used = panel[panel["entity_id"].isin(wild.unit_ids)]
    assert sw.n_clusters == used["sector"].nunique() == wild.inference.n_clusters
    assert sw.wild.inference.cluster_bootstrap == "wild" and sw.wild.inference.bootstrap == 999
    table = sw.tidy()
    assert list(table.columns) == robustness.WILD_COLUMNS
    overall = table.iloc[0]
    assert overall["effect"] == robustness.OVERALL_EFFECT and overall["identified"]
    a, w = analytic.aggregate("simple").overall, wild.aggregate("simple").overall
    assert overall["estimate"] == pytest.approx(a.estimate) and overall["std_error"] == pytest.approx(a.std_error)
    assert (overall["analytic_low"], overall["analytic_high"]) == pytest.approx((a.conf_low, a.conf_high))
    assert (overall["wild_low"], overall["wild_high"]) == pytest.approx((w.conf_low, w.conf_high))
    assert overall["wild_high"] - overall["wild_low"] > overall["analytic_high"] - overall["analytic_low"]
    # adopters' sectors: those of the cohorts with an identified cell since adoption
    cells = wild.tidy()
    cohorts = cells.loc[cells["identified"] & (cells["event_time"] >= 0), "cohort"].unique()
    assert overall["treated_sectors"] == used.loc[used["cohort"].isin(cohorts), "sector"].nunique()
    es = table.iloc[1:]
    da, dw = analytic.aggregate("dynamic").tidy(), wild.aggregate("dynamic").tidy()
    assert list(es["event_time"]) == list(dw["event_time"])
    np.testing.assert_allclose(es["analytic_low"], da["conf_low"])
    np.testing.assert_allclose(es["wild_high"], dw["conf_high"])
    assert list(es["identified"]) == list(dw["identified"])
    text = _md(robustness.wild_by_sector_reading(sw, data))
    assert f"**{sw.n_clusters} sectors**" in text and f"({sw.n_sectors} among all national" in text
    assert f"interval {w.conf_low:+.2f} to {w.conf_high:+.2f}" in text and "999 draws" in text
    assert f"{robustness.WILD_COVERAGE[24]['wild']:.1%}" in text and "between the two designs" in text
    assert f"in {overall['treated_sectors']} of the {sw.n_clusters} sectors" in text
    check = robustness.check_text(robustness.bacon(panel), robustness.estimator_comparison(panel, covs),
                                  did.honest(robustness.dynamic_effects(panel, covs), "relative_magnitude", seed=1),
                                  did.PlaceboResult({}, pd.DataFrame(columns=["identified"])), wild=sw)
    assert (f"{sw.n_clusters} clusters, {overall['treated_sectors']} with adopters; overall {a.estimate:+.2f}, "
            f"analytic {a.conf_low:+.2f} to {a.conf_high:+.2f}, wild {w.conf_low:+.2f} to {w.conf_high:+.2f}") in check


def test_wild_by_sector_leaves_out_and_counts_entities_without_a_sector(by_sector):
    data, covs, full = by_sector
    blank = sorted(data.entities.loc[data.entities["level"] == "national", "entity_id"])[:5]

    class Blanked:
        indicators = data.indicators

        @staticmethod
        def panel(outcome, until_year=None):
            p = data.panel(outcome, until_year=until_year)
            p.loc[p["entity_id"].isin(blank), "sector"] = np.nan
            return p

    sw = robustness.wild_by_sector(Blanked(), "POL07", covs, until_year=max(data.years))
    assert sw.no_sector == 5 and sw.n_entities == full.n_entities - 5
    assert not set(blank) & set(sw.wild.unit_ids)
    assert "5 national entities without a sector in entities.csv are left out" in _md(
        robustness.wild_by_sector_reading(sw))


def test_wild_by_sector_without_sectors_says_why(castle_panel):
    """A panel without national entities (castle), without a sector, or with one sector: one labelled row."""

    def fake(frame):
        class Panelled:
            indicators = ["l_homicide"]

            @staticmethod
            def panel(outcome, until_year=None):
                return frame.copy()
        return Panelled()

    castle_like = castle_panel.assign(level="departmental", sector=np.nan)
    national = castle_panel.assign(level="national")
    cases = {"no national entities": castle_like,
             "no sector for the national entities": national,  # no sector column at all
             "'sector' column is absent or blank": national.assign(sector=np.nan),
             "all belong to one sector (Interior)": national.assign(sector="Interior")}
    for expected, frame in cases.items():
        sw = robustness.wild_by_sector(fake(frame), "l_homicide", [])
        table = sw.tidy()
        assert list(table.columns) == robustness.WILD_COLUMNS
        assert len(table) == 1 and not table["identified"].any() and table["estimate"].isna().all()
        assert table["note"].iloc[0].startswith("not estimable: ") and expected in table["note"].iloc[0], expected
        assert "not estimable here" in _md(robustness.wild_by_sector_reading(sw))
        assert robustness.check_text(robustness.bacon(castle_panel), robustness.estimator_comparison(castle_panel, []),
                                     did.honest(robustness.dynamic_effects(castle_panel, []), "relative_magnitude",
                                                seed=1),
                                     did.PlaceboResult({}, pd.DataFrame(columns=["identified"])),
                                     wild=sw).endswith("Wild cluster bootstrap by sector (national entities): "
                                                       "not estimable")
    # two sectors, but one of them only holds states that adopted before the panel starts: att_gt's refusal
    # (fewer than two clusters) becomes the row's note
    early = castle_panel.groupby("entity_id")["cohort"].first()
    states = castle_panel["entity_id"].map(lambda s: "A" if s == early.index[0] else "B")
    two = national.assign(sector=states, cohort=np.where(states == "A", 1999, national["cohort"]))
    sw = robustness.wild_by_sector(fake(two), "l_homicide", [])
    assert sw.n_sectors == 2 and sw.wild is None and "at least two clusters" in sw.note


def test_wild_coverage_words_follow_the_number_of_clusters():
    def words(n, treated):
        return robustness._coverage_words(n, treated)
    assert "as many as the larger design" in words(30, 20) and "as few as in that design" not in words(30, 20)
    assert "between the two designs" in words(12, 8)
    assert "fewer than the smallest design simulated (10)" in words(6, 4)
    assert "as few as in that design: read both intervals as too narrow" in words(24, 3)


def test_wild_coverage_quoted_in_the_reading_is_the_readmes():
    """The reading quotes the README's coverage table; if a rerun changes the README, this fails until both agree."""
    readme = (paths.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    rows = {24: "| 24 clusters |", 10: "| 10 clusters |", "24, adopters in 3": "| 24 clusters, adopters in only 3 |"}
    for design, start in rows.items():
        line = next(ln for ln in readme.splitlines() if ln.strip().startswith(start))
        c = robustness.WILD_COVERAGE[design]
        assert f"| {100 * c['analytic']:.1f} % | {100 * c['wild']:.1f} % (" in line, line
        assert f"uniform band {100 * c['wild_band']:.1f} %" in line or f"(band {100 * c['wild_band']:.1f} %" in line, line
