"""Survey tables: Cronbach's alpha, rank comparisons, suppression of small groups, and no free text anywhere."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import papermill
import pytest
from scipy import stats

from contract_fixtures import valid_folder
from evaluation import paths
from evaluation.demo import write_demo
from evaluation.load.dataset import load
from evaluation.plots import core, programme as programme_plots
from evaluation.questions import surveys
from evaluation.text.format import Format
from evaluation.text.surveys import SurveysText
from evaluation.text.wording import Wording


def _text(language: str = "en", min_group_size: int = 5) -> SurveysText:
    return SurveysText(Format(language), Wording.for_dataset(None, language), min_group_size=min_group_size)


def _survey(groups: dict[str, int], seed: int = 0) -> surveys.Survey:
    """A Survey with ``groups`` (group -> respondents), two scales of Likert items."""
    rng = np.random.default_rng(seed)
    rows = []
    for group, n in groups.items():
        for i in range(n):
            trait = rng.normal()
            row = {"respondent_id": f"{group[:3]}{i}", "entity_id": f"E{group[:3]}{i}", "level": group,
                   "group": group}
            for item in ("q_skill_a", "q_skill_b", "q_skill_c", "q_align_x", "q_align_y"):
                row[item] = int(np.clip(np.round(3 + trait + rng.normal(scale=0.7)), 1, 5))
            rows.append(row)
    answers = pd.DataFrame(rows)
    for item in surveys.likert_items(answers):
        answers[item] = answers[item].astype("Int64")
    return surveys.Survey("survey_ict_offices", "ICT offices", answers, available=True)


# ------------------------------------------------------------------ reliability


def test_cronbach_alpha_matches_a_hand_computation():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 4, 4, 5], "c": [2, 3, 3, 5, 4]})
    # Item variances 2.5 + 1.8 + 1.3 = 5.6; totals 5, 7, 10, 13, 14 have variance 14.7;
    # alpha = 3/2 * (1 - 5.6/14.7) = 13/14.
    assert surveys.cronbach_alpha(items) == pytest.approx(13 / 14, abs=1e-12)


def test_cronbach_alpha_of_identical_items_is_one_and_ignores_incomplete_rows():
    item = pd.Series([1, 3, 2, 5, 4, 4], dtype=float)
    assert surveys.cronbach_alpha(pd.DataFrame({"a": item, "b": item, "c": item})) == pytest.approx(1.0)
    with_gap = pd.DataFrame({"a": [*item, np.nan], "b": [*item, 2.0], "c": [*item, 5.0]})
    assert surveys.cronbach_alpha(with_gap) == pytest.approx(1.0)
    assert np.isnan(surveys.cronbach_alpha(pd.DataFrame({"a": item})))  # one item: undefined


def test_reverse_keyed_item_is_recoded_before_scoring():
    survey = _survey({"national": 40})
    answers = survey.answers.copy()
    answers["q_align_y"] = (6 - answers["q_align_y"]).astype("Int64")  # worded against the scale
    flipped = surveys.Survey(survey.name, survey.respondents, answers, True)
    plain = surveys.reliability(flipped, reverse=frozenset()).set_index("scale")
    recoded = surveys.reliability(flipped, reverse=frozenset({"q_align_y"})).set_index("scale")
    assert plain.loc["alignment", "cronbach_alpha"] < 0 < recoded.loc["alignment", "cronbach_alpha"]
    assert plain.loc["alignment", "note"] == surveys.NEGATIVE_ITEM
    words = _text().reliability(plain.reset_index(), "survey_ict_offices")
    assert any("is it reverse-keyed?" in line for line in words)


def test_feldt_interval_contains_alpha_and_narrows_with_more_respondents():
    low, high = surveys.alpha_interval(0.8, 30, 5)
    assert low < 0.8 < high
    low_big, high_big = surveys.alpha_interval(0.8, 300, 5)
    assert high_big - low_big < high - low


# ------------------------------------------------------------------ comparisons


def test_rank_biserial_is_the_mann_whitney_u_rescaled():
    rng = np.random.default_rng(3)
    first, second = rng.integers(1, 6, 40).astype(float), rng.integers(1, 6, 25).astype(float)
    u = stats.mannwhitneyu(first, second).statistic
    assert surveys.rank_biserial(first, second) == pytest.approx(2 * u / (40 * 25) - 1)
    assert surveys.rank_biserial([4, 5, 5], [1, 2, 2]) == 1.0
    assert surveys.rank_biserial([1, 2], [4, 5]) == -1.0


def test_compare_detects_a_shift_and_orients_the_effect_size():
    rng = np.random.default_rng(1)
    high, low = rng.normal(4, 0.5, 40), rng.normal(3, 0.5, 40)
    result = surveys.compare(high, low, scale="s", names=("a", "b"), draws=500)
    assert result.p_value < 0.001 and result.rank_biserial > 0.5
    assert result.conf_low <= result.rank_biserial <= result.conf_high
    text = _text().comparisons(pd.DataFrame([result.row()]))[0]
    assert "a scored higher than b, a large difference" in text


def test_holm_adjustment():
    adjusted = surveys.holm([0.01, 0.04, np.nan, 0.03])
    assert adjusted[0] == pytest.approx(0.03) and adjusted[3] == pytest.approx(0.06)
    assert adjusted[1] == pytest.approx(0.06) and np.isnan(adjusted[2])


# ------------------------------------------------------------------ suppression


def test_groups_below_the_minimum_are_suppressed_in_every_table_and_figure():
    survey = _survey({"national": 20, "territorial": 3})
    dist = surveys.item_distribution(survey, min_group_size=5)
    small = dist[dist["group"] == "territorial"]
    assert small["suppressed"].all()
    assert small[["count", "share", "respondents"]].isna().all().all()
    assert not dist.loc[dist["group"] == "national", "suppressed"].any()

    agree = surveys.agreement(dist)
    assert agree.loc[agree["group"] == "territorial", ["agree", "disagree", "respondents"]].isna().all().all()
    shown = _text().readable(agree)
    row = shown[shown["group"] == "territorial"].iloc[0]
    assert row["agree"] == "suppressed" and row["respondents"] == "fewer than 5"
    assert _text("es").readable(agree).loc[shown["group"] == "territorial", "respondents"].eq("menos de 5").all()

    summary = surveys.score_summary(surveys.scale_scores(survey), min_group_size=5)
    assert summary.loc[summary["group"] == "territorial", "median"].isna().all()
    assert summary.loc[summary["group"] == "territorial", "suppressed"].all()

    comparison = surveys.compare_groups(survey, min_group_size=5)
    assert comparison["suppressed"].all() and comparison["p_value"].isna().all()

    chart = programme_plots.likert_bars(dist, **_text().likert_figure(dist, agree, survey.name))
    assert isinstance(chart, core.Chart)
    territorial_alt = chart.alt.split("territorial:")[1]
    assert "suppressed" in territorial_alt and "%" not in territorial_alt

    statement = _text().suppression({survey.name: surveys.suppressed_labels(dist)})
    assert "ICT offices: territorial" in statement and "smaller than 5" in statement


def test_a_group_at_the_minimum_is_shown():
    dist = surveys.item_distribution(_survey({"national": 5}), min_group_size=5)
    assert not dist["suppressed"].any() and dist["respondents"].eq(5).all()


# ------------------------------------------------------------------ free text and missing tables


def test_read_drops_free_text_and_leaves_the_dataset_unchanged(tmp_path):
    data = load(valid_folder(tmp_path))
    before = data.survey_ict_offices.copy()
    survey = surveys.read(data, "survey_ict_offices", min_group_size=1)  # the fixture's groups are tiny
    assert "comment" not in survey.answers.columns
    assert "sin comentarios" not in survey.answers.to_csv()
    pd.testing.assert_frame_equal(data.survey_ict_offices, before)
    assert survey.answers.set_index("respondent_id").loc["R2", "group"] == surveys.UNLINKED
    assert survey.answers.set_index("respondent_id").loc["R1", "group"] == surveys.NATIONAL


def test_missing_survey_gives_empty_tables_and_says_so(tmp_path):
    data = load(valid_folder(tmp_path, survey_ict_offices_csv=None))
    survey = surveys.read(data, "survey_ict_offices")
    assert not survey.available
    assert surveys.item_distribution(survey).empty and surveys.reliability(survey).empty
    assert surveys.compare_groups(survey).empty
    assert surveys.need(survey, scale="alignment").reading == "not assessable"
    assert "missing" in _text().overview(surveys.overview(survey))
    empty = surveys.item_distribution(survey)
    figure = programme_plots.likert_bars(empty, **_text("es").likert_figure(empty, surveys.agreement(empty), survey.name))
    assert not isinstance(figure, core.Chart) and "Sin gráfico" in figure.text


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def test_no_comment_reaches_the_executed_surveys_notebook(tmp_path):
    data = write_demo(tmp_path / "data", municipalities=40)
    comments = set()
    for name in ("survey_ict_offices", "survey_directors"):
        table = pd.read_csv(data / f"{name}.csv", dtype=str)
        comments |= {c for c in table["comment"].dropna() if c.strip()}
    assert len(comments) > 5  # the demo does carry free text, so the check below means something
    out = tmp_path / "out"
    executed = tmp_path / "06_surveys.ipynb"
    papermill.execute_notebook(str(paths.NOTEBOOKS_DIR / "06_surveys.ipynb"), str(executed),
                               parameters={"data_dir": str(data), "output_dir": str(out)},
                               cwd=str(paths.NOTEBOOKS_DIR), kernel_name="python3", progress_bar=False)
    nb = json.loads(executed.read_text(encoding="utf-8"))
    texts = [s for cell in nb["cells"] for output in cell.get("outputs", []) for s in _strings(output)]
    texts += [p.read_text(encoding="utf-8") for p in (out / "tables").glob("*.csv")]
    assert texts and any("suppressed" in t.lower() for t in texts)
    leaked = [c for c in comments if any(c in t for t in texts)]
    assert not leaked, f"free text reached the report: {leaked[:3]}"


# ------------------------------------------------------------------ the layers: numbers, words, languages


def test_questions_module_computes_numbers_only():
    from pathlib import Path

    source = Path(surveys.__file__).read_text(encoding="utf-8")
    assert "IPython" not in source and "Markdown(" not in source and "<p>" not in source
    for name in dir(surveys):
        assert not name.endswith(("_text", "_title")), f"{name}: sentences belong in evaluation.text.surveys"
    survey = _survey({"national": 20, "territorial": 3})
    tables = [surveys.item_distribution(survey), surveys.reliability(survey), surveys.compare_groups(survey),
              surveys.score_summary(surveys.scale_scores(survey))]
    for table in tables:
        assert "<" not in table.to_csv() and "fewer than" not in table.to_csv()


def test_the_answer_box_follows_the_numbers_in_both_languages():
    survey = _survey({"national": 30, "territorial": 30}, seed=4)
    needs = [surveys.need(survey, scale=scale) for scale in ("skills", "alignment")]
    gap = surveys.compare_groups(survey).iloc[:0]
    english, spanish = _text("en").answer(needs, gap), _text("es").answer(needs, gap)
    share = needs[0].share
    assert english.startswith(f"Of 60 ICT offices in the published groups, {Format('en').percent(share)} scored above")
    assert spanish.startswith(f"De 60 oficinas de TI en los grupos publicados, el {Format('es').percent(share)} puntuó")
    assert "intervalo de confianza del 95 %" in spanish
    other = [surveys.Need("survey_ict_offices", "skills", "skills", 60, 0.9, 0.8, 0.95, False), needs[1]]
    assert "90%" in _text("en").answer(other, gap) and "90%" not in english  # another number, another answer


def test_the_overview_states_only_published_groups_in_both_languages():
    survey = surveys.Survey("survey_ict_offices", "ICT offices", _survey({"national": 20, "territorial": 9}).answers,
                            available=True, left_out=(surveys.UNLINKED,))
    overview = surveys.overview(survey, min_group_size=10)
    assert overview.respondents == 20 and overview.hidden == ("territorial", surveys.UNLINKED)
    english = _text("en", 10).overview(overview)
    assert english.startswith("20 ICT offices in groups of at least 10 answered") and "By group: national 20." in english
    assert "29" not in english and "9" not in english.replace("at least 10", "")
    spanish = _text("es", 10).overview(overview)
    assert spanish.startswith("20 oficinas de TI en grupos de al menos 10") and "territorial, sin entidad" not in spanish
    assert "(territorial y sin entidad asociada)" in spanish


def test_a_converted_panel_is_not_called_the_programme():
    castle = type("Panel", (), {"metadata": {"labels": {"unit": "state", "units": "states"}}, "folder": None})()
    words = Wording.for_dataset(castle, "en")
    t = SurveysText(Format("en"), words)
    assert "programme" not in t.introduction() and "GCIO" not in t.introduction()
    assert t.group("departmental") == "state" and "index points" not in t.introduction()

# ------------------------------------------------------------------ Holm and Wilson come from statsmodels


def _holm_by_hand(p_values):
    """The step-down loop surveys.holm used before it called statsmodels (kept here as the reference)."""
    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    order = ok[np.argsort(p[ok])]
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[idx]))
        out[idx] = running
    return out


def _wilson_by_hand(successes, trials, alpha=0.05):
    """The closed form surveys.wilson_interval used before it called statsmodels (the reference)."""
    from scipy import stats

    z = stats.norm.ppf(1 - alpha / 2)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return centre - half, centre + half


def test_holm_equals_the_previous_hand_computation():
    rng = np.random.default_rng(10)
    for size in (1, 2, 5, 12, 40):
        p = rng.uniform(0, 0.2, size) ** rng.uniform(0.5, 2)
        p[rng.random(size) < 0.2] = np.nan
        p[: size // 3] = p[0]  # ties
        np.testing.assert_allclose(surveys.holm(p), _holm_by_hand(p), rtol=1e-14, atol=0)
    assert np.isnan(surveys.holm([np.nan, np.nan])).all()


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_wilson_equals_the_previous_hand_computation(alpha):
    for trials in (1, 5, 23, 400):
        for successes in sorted({0, 1, trials // 3, trials - 1, trials}):
            got = surveys.wilson_interval(successes, trials, alpha)
            np.testing.assert_allclose(got, _wilson_by_hand(successes, trials, alpha), rtol=1e-12, atol=1e-15)
    assert all(np.isnan(surveys.wilson_interval(0, 0)))


def test_bootstrap_interval_is_the_triple_sum_over_pairs():
    """The bootstrap's matrix product equals the weighted sum over every resampled pair, exactly
    (counts times signs are whole numbers), on groups of unequal size with ties."""
    rng = np.random.default_rng(11)
    first, second = rng.integers(1, 6, 37).astype(float), rng.integers(1, 6, 23).astype(float)
    draws, seed, alpha = 300, 5, 0.1
    low, high = surveys._bootstrap_rank_biserial(first, second, draws, seed, alpha)
    draw = np.random.default_rng(seed)
    w1 = draw.multinomial(37, np.full(37, 1 / 37), size=draws)
    w2 = draw.multinomial(23, np.full(23, 1 / 23), size=draws)
    values = [sum(w1[b, i] * w2[b, j] * np.sign(first[i] - second[j]) for i in range(37) for j in range(23))
              / (37 * 23) for b in range(draws)]
    assert (low, high) == (float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2)))
    assert low < surveys.rank_biserial(first, second) < high
