"""The demo data generator: determinism, the programme's facts, and a design with a known right answer."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from evaluation import paths
from evaluation.demo import (
    DEFAULTS,
    MUNICIPALITIES_CSV,
    REPORTING_DATE,
    TABLE_ORDER,
    generate,
    load_truth,
    true_effects,
    write_demo,
)
from evaluation.demo.outcomes import TARGETS
from evaluation.load.checks import check

#: SHA-256 of shared/data/colombia/municipalities.csv, which data/colombia must copy byte for byte.
MUNICIPALITIES_SHA256 = "f144889a1ef7f39278d8729f26a6cbd507625d8162ca02afa3d42c97cbf7df29"
PUBLISHED_POL07 = {("national", 2018): 77.0, ("national", 2019): 81.3, ("national", 2020): 81.4,
                   ("national", 2021): 85.5, ("territorial", 2018): 57.4, ("territorial", 2019): 62.1,
                   ("territorial", 2020): 62.9, ("territorial", 2021): 65.3}
PUBLISHED_IDI_2022 = {"national": 81.4, "territorial": 57.9}


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    """The default dataset, in memory."""
    return generate()


@pytest.fixture(scope="module")
def untreated() -> dict[str, pd.DataFrame]:
    """The default dataset with no effect: every score is an untreated potential outcome."""
    return generate(effect_scale=0.0)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _group(entities: pd.DataFrame) -> pd.Series:
    return entities.set_index("entity_id")["level"].map(lambda lv: "national" if lv == "national" else "territorial")


# --- files -----------------------------------------------------------------------------------------------------

def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path):
    first = _digest(write_demo(tmp_path / "a", municipalities=80))
    second = _digest(write_demo(tmp_path / "b", municipalities=80))
    other = _digest(write_demo(tmp_path / "c", municipalities=80, seed=7))
    assert first == second
    assert set(first) == {f"{name}.csv" for name in TABLE_ORDER} | {"dataset.yml", "README.md"}
    for name in ("entities.csv", "adoption.csv", "outcomes.csv", "truth.csv", "survey_ict_offices.csv"):
        assert first[name] != other[name], name


def test_committed_demo_folder_is_a_fresh_default_write(tmp_path):
    fresh = _digest(write_demo(tmp_path / "demo", **DEFAULTS))
    committed = _digest(paths.DEMO_DIR)
    assert committed == fresh, (
        "data/demo differs from write_demo() with default arguments: regenerate it with "
        "`python -m evaluation.demo` instead of editing it by hand")


def test_files_use_unix_line_endings_iso_dates_and_fixed_decimals():
    outcomes = (paths.DEMO_DIR / "outcomes.csv").read_bytes()
    assert b"\r" not in outcomes
    first_rows = outcomes.decode("utf-8").splitlines()[1:50]
    assert all(len(row.rsplit(",", 1)[1].split(".")[1]) == 2 for row in first_rows if not row.endswith(","))
    dates = pd.read_csv(paths.DEMO_DIR / "adoption.csv", dtype=str)["adoption_date"]
    assert dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_dataset_yml_says_synthetic_and_records_the_arguments():
    meta = yaml.safe_load((paths.DEMO_DIR / "dataset.yml").read_text(encoding="utf-8"))
    assert meta["synthetic"] is True
    assert meta["name"] and meta["source"] and meta["description"]
    assert meta["seed"] == 2016 and meta["effect_scale"] == 1.0
    assert meta["reporting_date"] == REPORTING_DATE.isoformat()
    assert meta["territorial_adopters_at_reporting_date"] == 286


def test_demo_folder_passes_the_suite_checks():
    problems = check(paths.DEMO_DIR)
    assert problems.ok, str(problems)


def test_municipal_frame_is_the_shared_file_copied_unchanged():
    data = MUNICIPALITIES_CSV.read_bytes()
    frame = pd.read_csv(MUNICIPALITIES_CSV)
    assert len(frame) == 1122 and frame["divipola"].is_unique
    assert (MUNICIPALITIES_CSV.parent / "README.md").is_file()
    assert hashlib.sha256(data).hexdigest() == MUNICIPALITIES_SHA256


# --- entities and adoption -------------------------------------------------------------------------------------

def test_entities_are_the_real_frame_plus_departments_and_national_sectors(demo):
    entities = demo["entities"]
    counts = entities["level"].value_counts()
    assert counts["municipal"] == 1122 and counts["departmental"] == 32
    assert 150 <= counts["national"] <= 200
    national = entities[entities["level"] == "national"]
    assert national["sector"].nunique() == 24
    assert (national.groupby("sector")["head_of_sector"].sum() == 1).all()
    row = entities.set_index("entity_id").loc["05001"]
    assert row["name"] == "Alcaldía de Medellín" and row["divipola"] == 5001 and row["population_2018"] == 2529403
    assert entities.set_index("entity_id").loc["D05", "name"] == "Gobernación de Antioquia"
    assert entities["entity_id"].is_unique and entities["entity_id"].is_monotonic_increasing
    numeric = entities.columns[entities.columns.get_loc("population_2018"):]
    assert not entities[numeric].isna().any().any(), "covariates must be complete (imputed where missing)"
    assert (entities["it_staff"] >= 1).all()


def test_exactly_286_territorial_adopters_by_the_reporting_date(demo):
    adoption = demo["adoption"]
    level = adoption["entity_id"].map(demo["entities"].set_index("entity_id")["level"])
    by_report = adoption["adoption_date"] <= pd.Timestamp(REPORTING_DATE)
    assert int((by_report & (level != "national")).sum()) == 286
    later = adoption.loc[~by_report & (level != "national"), "adoption_date"]
    assert len(later) > 50 and later.dt.year.max() == 2023
    assert adoption["adoption_date"].min() > pd.Timestamp(dt.date(2016, 3, 9))
    assert (adoption["adoption_date"].dt.day_of_week < 5).all()
    never = len(demo["entities"]) - len(adoption)
    assert never > len(demo["entities"]) / 3, "many entities never adopt"


def test_heads_of_sector_adopt_first_and_large_entities_earlier(demo):
    entities = demo["entities"].set_index("entity_id")
    adoption = demo["adoption"].set_index("entity_id")
    year = adoption["adoption_date"].dt.year.reindex(entities.index).fillna(2030)  # never = late
    head = entities["head_of_sector"] == 1
    national = entities["level"] == "national"
    assert year[head].mean() < year[national & ~head].mean() - 2
    assert year[head].isin([2016, 2017]).mean() >= 0.8
    municipal = entities["level"] == "municipal"
    big = entities["population_2018"] >= entities.loc[municipal, "population_2018"].median()
    assert year[municipal & big].mean() < year[municipal & ~big].mean()


def test_subset_keeps_departments_and_national_entities_and_scales_the_target():
    small = generate(municipalities=60)
    counts = small["entities"]["level"].value_counts()
    assert counts["municipal"] == 60 and counts["departmental"] == 32 and counts["national"] >= 150
    level = small["adoption"]["entity_id"].map(small["entities"].set_index("entity_id")["level"])
    by_report = small["adoption"]["adoption_date"] <= pd.Timestamp(REPORTING_DATE)
    assert int((by_report & (level != "national")).sum()) == round(286 * 92 / 1154)


# --- outcomes and truth ----------------------------------------------------------------------------------------

def test_outcomes_panel_years_indicators_and_missingness(demo):
    outcomes = demo["outcomes"]
    years = outcomes.groupby("indicator")["year"].agg(["min", "max"])
    assert tuple(years.loc["GEL"]) == (2014, 2017)
    for indicator in ("POL07", "POL08", "IDI"):
        assert tuple(years.loc[indicator]) == (2018, 2025)
    assert not outcomes.duplicated(["entity_id", "year", "indicator"]).any()
    pol07 = outcomes[outcomes["indicator"] == "POL07"]
    per_entity = pol07.groupby("entity_id").size()
    assert (per_entity < 8).sum() > 50, "some entities skip some years: the panel is unbalanced"
    special = demo["entities"].loc[demo["entities"]["special_regime"] == 1, "entity_id"]
    pol08 = outcomes[outcomes["indicator"] == "POL08"]
    assert pol08.loc[pol08["entity_id"].isin(special), "value"].isna().all()
    assert pol08.loc[~pol08["entity_id"].isin(special), "value"].notna().all()


@pytest.mark.parametrize("effect_scale", [0.0, 1.0, 3.4])
def test_scores_stay_strictly_inside_0_100_without_clipping(effect_scale):
    tables = generate(effect_scale=effect_scale, municipalities=300, first_year=2005, last_year=2035)
    value = tables["outcomes"]["value"].dropna()
    assert value.min() > 1 and value.max() < 100


def test_mean_pol07_and_idi_match_the_published_averages(demo):
    outcomes = demo["outcomes"].copy()
    outcomes["group"] = outcomes["entity_id"].map(_group(demo["entities"]))
    means = outcomes.groupby(["indicator", "group", "year"])["value"].mean()
    for (group, year), published in PUBLISHED_POL07.items():
        assert means[("POL07", group, year)] == pytest.approx(published, abs=0.05)
    for group, published in PUBLISHED_IDI_2022.items():
        assert means[("IDI", group, 2022)] == pytest.approx(published, abs=0.05)
    assert set(TARGETS) == {"POL07", "POL08", "IDI", "GEL"}


def test_truth_is_zero_without_effect_and_doubles_with_twice_the_effect(untreated):
    assert (untreated["truth"]["effect"] == 0).all()
    once, twice = generate(municipalities=200), generate(municipalities=200, effect_scale=2.0)
    key = ["entity_id", "year", "indicator"]
    merged = once["truth"].merge(twice["truth"], on=key, suffixes=("_1", "_2"))
    assert len(merged) == len(once["truth"]) == len(twice["truth"])
    assert np.allclose(merged["effect_2"], 2 * merged["effect_1"], atol=0.011)  # both rounded to 0.01
    assert merged["effect_1"].max() > 5


def test_effect_scale_changes_only_treated_scores(demo, untreated):
    key = ["entity_id", "year", "indicator"]
    both = demo["outcomes"].merge(untreated["outcomes"], on=key, suffixes=("", "_0"))
    both = both.merge(demo["truth"][key + ["effect"]], on=key, how="left")
    untreated_cells = both["effect"].isna()
    assert both.loc[untreated_cells, "value"].equals(both.loc[untreated_cells, "value_0"])
    treated = both[~untreated_cells & both["value"].notna()]
    assert np.allclose(treated["value"] - treated["value_0"], treated["effect"], atol=1e-9)
    for name in ("entities", "adoption", "survey_ict_offices", "monitoring"):
        pd.testing.assert_frame_equal(demo[name], untreated[name])


def test_effects_grow_with_event_time_and_are_larger_for_municipalities(demo):
    truth = demo["truth"]
    pol07 = truth[truth["indicator"] == "POL07"]
    assert (truth.loc[truth["event_time"] == 0, "effect"] == 0).all()
    assert (truth["effect"] >= 0).all()
    dynamic = true_effects(truth, "event_time", indicator="POL07").set_index("event_time")["effect"]
    assert dynamic[0] == 0 and dynamic[1] < dynamic[2] < dynamic[3]
    level = pol07["entity_id"].map(demo["entities"].set_index("entity_id")["level"])
    mean = pol07[pol07["event_time"] >= 3].groupby(level[pol07["event_time"] >= 3])["effect"].mean()
    assert mean["municipal"] > 1.5 * mean["national"]


def test_true_effects_aggregate_like_callaway_santanna(demo):
    truth = demo["truth"]
    before = truth.copy()
    cells = true_effects(truth, "cohort_year", indicator="POL07", cohorts=range(2019, 2024))
    overall = true_effects(truth, "overall", indicator="POL07", cohorts=range(2019, 2024))
    weighted = (cells["effect"] * cells["entities"]).sum() / cells["entities"].sum()
    assert overall["effect"].iloc[0] == pytest.approx(weighted)
    # With every treated cell present, the cohort-size weights make it the mean over entity-years.
    subset = truth[(truth["indicator"] == "POL07") & truth["cohort"].between(2019, 2023)]
    assert overall["effect"].iloc[0] == pytest.approx(subset["effect"].mean())
    by_cohort = true_effects(truth, "cohort", indicator="POL07").set_index("cohort")
    assert by_cohort.loc[2019, "effect"] == pytest.approx(cells[cells["cohort"] == 2019]["effect"].mean())
    assert set(true_effects(truth, "year", indicator=["POL07", "IDI"])["indicator"]) == {"POL07", "IDI"}
    pd.testing.assert_frame_equal(truth, before)
    with pytest.raises(ValueError, match="by must be one of"):
        true_effects(truth, "dynamic")


def test_truth_file_round_trips(tmp_path):
    folder = write_demo(tmp_path / "d", municipalities=40)
    truth = load_truth(folder)
    assert list(truth.columns) == ["entity_id", "year", "indicator", "cohort", "event_time", "effect", "reported"]
    assert truth["entity_id"].str.fullmatch(r"\d{5}|D\d{2}|N\d{4}").all()  # leading zeros kept


# --- the design: conditional, not unconditional, parallel trends -----------------------------------------------

def _ols(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    sigma2 = resid @ resid / (len(y) - X.shape[1])
    return beta, np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))


def test_untreated_trends_differ_by_cohort_unconditionally_but_not_given_covariates(untreated):
    """Y(0) change 2018-2025 of territorial entities: early adopters gain more, but only through covariates."""
    entities = untreated["entities"].set_index("entity_id")
    territorial = entities[entities["level"] != "national"]
    pol07 = untreated["outcomes"].query("indicator == 'POL07'").pivot(index="entity_id", columns="year",
                                                                       values="value")
    change = (pol07[2025] - pol07[2018]).reindex(territorial.index).dropna()
    cohort = untreated["adoption"].set_index("entity_id")["adoption_date"].dt.year.reindex(change.index)
    early = cohort.le(2018).to_numpy(float)
    late = cohort.between(2019, 2023).to_numpy(float)
    base = np.column_stack([np.ones(len(change)), early, late])
    covariates = territorial.loc[change.index, ["urban_share_2014", "multidim_poverty_2005"]].to_numpy()
    naive, naive_se = _ols(base, change.to_numpy())
    adjusted, adjusted_se = _ols(np.column_stack([base, covariates]), change.to_numpy())
    assert naive[1] > 1.0 and naive[1] / naive_se[1] > 5, "early adopters' untreated trend is steeper"
    assert abs(adjusted[1]) < 2.5 * adjusted_se[1] and abs(adjusted[1]) < 0.5
    assert abs(adjusted[2]) < 2.5 * adjusted_se[2] and abs(adjusted[2]) < 0.5


def test_covariate_adjusted_did_recovers_the_truth_and_unadjusted_did_overstates_it(demo):
    """Outcome-regression DiD per cohort and year (CS with never-treated controls), territorial POL07."""
    entities = demo["entities"].set_index("entity_id")
    territorial = entities[entities["level"] != "national"].index
    pol07 = demo["outcomes"].query("indicator == 'POL07'").pivot(index="entity_id", columns="year", values="value")
    cohort = demo["adoption"].set_index("entity_id")["adoption_date"].dt.year
    truth = demo["truth"].query("indicator == 'POL07'")
    rows = []
    for g in range(2019, 2024):
        for t in range(g, 2026):
            change = (pol07[t] - pol07[g - 1]).reindex(territorial).dropna()
            c = cohort.reindex(change.index)
            treated, control = (c == g).to_numpy(), c.isna().to_numpy()
            X = np.column_stack([np.ones(len(change)), entities.loc[change.index, ["urban_share_2014",
                                                                                 "multidim_poverty_2005"]]])
            beta = np.linalg.lstsq(X[control], change.to_numpy()[control], rcond=None)[0]
            y = change.to_numpy()
            true = truth[(truth["cohort"] == g) & (truth["year"] == t)
                         & truth["entity_id"].isin(change.index[treated])]["effect"].mean()
            rows.append((treated.sum(), y[treated].mean() - y[control].mean(),
                         np.mean(y[treated] - X[treated] @ beta), true))
    n, unadjusted, adjusted, true = (np.array(col, dtype=float) for col in zip(*rows))
    att = {name: np.sum(n * v) / n.sum() for name, v in (("unadjusted", unadjusted), ("adjusted", adjusted),
                                                           ("truth", true))}
    assert att["truth"] > 3
    assert att["unadjusted"] - att["truth"] > 0.4, att
    assert abs(att["adjusted"] - att["truth"]) < 0.35, att


# --- surveys, monitoring, costs --------------------------------------------------------------------------------

def test_surveys_have_the_reported_respondents_and_likert_answers(demo):
    entity_ids = set(demo["entities"]["entity_id"])
    for name, size in (("survey_ict_offices", 96), ("survey_directors", 21)):
        survey = demo[name]
        assert len(survey) == size and survey["respondent_id"].is_unique
        items = survey.filter(like="q_")
        assert items.shape[1] >= 5
        answers = items.to_numpy(dtype=float)
        answers = answers[~np.isnan(answers)]
        assert np.isin(answers, [1, 2, 3, 4, 5]).all()
        assert 0 < items.isna().to_numpy().mean() < 0.1
        linked = survey["entity_id"][survey["entity_id"] != ""]
        assert set(linked) <= entity_ids and linked.is_unique
        assert (survey["comment"] != "").any()
    offices = demo["survey_ict_offices"]
    level = offices["entity_id"].map(demo["entities"].set_index("entity_id")["level"])
    assert (level == "national").sum() > 30 and level.isin(["municipal", "departmental"]).sum() > 20


def test_skills_items_hang_together_more_than_with_alignment(demo):
    items = demo["survey_ict_offices"].filter(like="q_").astype(float)
    corr = items.corr()
    skills = [c for c in corr if c.startswith("q_skill")]
    within = corr.loc[skills, skills].to_numpy()[np.triu_indices(len(skills), 1)].mean()
    align = ["q_align_committee", "q_align_plan", "q_align_consulted", "q_align_budget"]
    across = corr.loc[skills, align].to_numpy().mean()
    assert within > 0.25 and within > across + 0.1
    assert corr.loc["q_align_support_only", align].mean() < 0  # reverse-keyed


def test_monitoring_totals_and_posts_agree_with_adoption(demo):
    monitoring = demo["monitoring"]
    total = monitoring.groupby("output")["value"].sum()
    assert total["bulletins"] == 59 and total["magazine_issues"] == 6 and total["leaders_trained"] == 160
    assert 110 <= total["workshop_participants"] <= 130
    posts = monitoring[monitoring["output"] == "cio_posts_created"].set_index("year")["value"]
    assert posts.loc[:REPORTING_DATE.year].sum() == 286
    level = demo["adoption"]["entity_id"].map(demo["entities"].set_index("entity_id")["level"])
    per_year = demo["adoption"].loc[level != "national", "adoption_date"].dt.year.value_counts().sort_index()
    assert posts.to_dict() == per_year.to_dict()


def test_costs_sum_exactly_to_the_budget_over_two_years(demo):
    costs = demo["costs"]
    assert int(costs["amount_cop"].sum()) == 4_510_909_699
    assert costs["year"].nunique() == 2 and (costs["amount_cop"] > 0).all()
    outputs = set(costs["output"]) - {""}
    assert outputs <= set(demo["monitoring"]["output"])


@pytest.mark.parametrize("kwargs, message", [
    ({"effect_scale": -1}, "effect_scale"), ({"effect_scale": 5}, "effect_scale"),
    ({"municipalities": 0}, "municipalities"), ({"first_year": 2018}, "first_year"),
    ({"last_year": 2018}, "last_year"), ({"seed": -3}, "seed"),
])
def test_invalid_arguments_are_refused_in_words(kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate(**kwargs)
