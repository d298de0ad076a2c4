"""Survey groups under the threshold cannot be recovered by subtraction (issue 13, item 6).

Before the fix, a pooled figure minus the published groups gave back a
suppressed group: the demo's 96 ICT offices minus its 55 national and 37
territorial ones are the 4 offices not linked to an entity, and "x% of 96
offices agreed" minus the two groups' agreeing counts gave those 4 offices'
answers. Survey-based heterogeneity subgroups of 1-2 entities were shown.

The boundary is a group of exactly 4 (the demo's unlinked offices; a
commitment subgroup of 4 entities built below). Each check uses the default
threshold of the code (``surveys.MIN_GROUP_SIZE``) or of the notebooks (their
``min_group_size`` parameter), so lowering either to 4 makes a test fail.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from conftest import dataset_dir
from evaluation import cli, paths
from evaluation.demo import write_demo
from evaluation.load import dataset
from evaluation.questions import findings, heterogeneity, surveys
from evaluation.text.format import Format
from evaluation.text.surveys import SurveysText
from evaluation.text.wording import Wording

YEAR = 2025
OFFICES, DIRECTORS = "survey_ict_offices", "survey_directors"
COMMITTEE = "q_align_committee"  # the item of the Relevance finding's "x% of N ICT offices agreed"


# ------------------------------------------------------------------ data with groups of exactly 4


def _demo_groups(data: Path, name: str) -> pd.Series:
    """Group of each respondent, computed here from the files (not by the code under test)."""
    answers = pd.read_csv(data / f"{name}.csv", dtype={"entity_id": str})
    levels = pd.read_csv(data / "entities.csv", dtype={"entity_id": str}).set_index("entity_id")["level"]
    level = answers["entity_id"].map(levels)
    return level.map(lambda lv: "national" if lv == "national" else
                     "territorial" if isinstance(lv, str) else surveys.UNLINKED)


def _with_a_commitment_subgroup_of_four(data: Path) -> None:
    """Add directors for 4 more territorial adopters, so that the 8 linked ones split 4 / 4 at the median.

    The small demo has directors for 4 territorial adopters (scores 2.0, 2.33, 2.8, 4.4); the added ones
    answer every alignment item k (the reverse-keyed one 6 - k), scoring 1, 3, 4 and 5.
    """
    directors = pd.read_csv(data / f"{DIRECTORS}.csv", dtype=str, keep_default_na=False)
    entities = pd.read_csv(data / "entities.csv", dtype=str, keep_default_na=False)
    adopters = set(pd.read_csv(data / "adoption.csv", dtype=str)["entity_id"])
    outcomes = pd.read_csv(data / "outcomes.csv", dtype={"entity_id": str})
    early = set(outcomes.loc[outcomes["year"] <= 2016, "entity_id"])
    candidates = [e for e in entities.loc[entities["level"] != "national", "entity_id"]
                  if e in adopters and e in early and e not in set(directors["entity_id"])]
    items = [c for c in directors.columns if c.startswith("q_")]
    new = []
    for number, (entity, k) in enumerate(zip(candidates[:4], (1, 3, 4, 5)), start=1):
        row = dict.fromkeys(directors.columns, "")
        row.update(respondent_id=f"DIRX{number}", entity_id=entity)
        for item in items:
            row[item] = str(6 - k if item in surveys.REVERSE_KEYED else k)
        new.append(row)
    assert len(new) == 4
    pd.concat([directors, pd.DataFrame(new)]).to_csv(data / f"{DIRECTORS}.csv", index=False)


@pytest.fixture(scope="module")
def boundary_data(tmp_path_factory) -> Path:
    data = write_demo(tmp_path_factory.mktemp("suppression") / "data", municipalities=60)
    _with_a_commitment_subgroup_of_four(data)
    return data


def test_the_fixture_has_groups_of_exactly_four(boundary_data):
    groups = _demo_groups(boundary_data, OFFICES)
    assert (groups == surveys.UNLINKED).sum() == 4
    d = dataset.load(boundary_data)
    shown = heterogeneity.subgroup_effects(d, "POL07", ["commitment"], min_group_size=1)
    assert sorted(shown.table["entities"]) == [4, 4]


# ------------------------------------------------------------------ the package, default threshold


def test_a_group_of_four_is_left_out_of_every_total(boundary_data):
    d = dataset.load(boundary_data)
    groups = _demo_groups(boundary_data, OFFICES)
    published = int((groups != surveys.UNLINKED).sum())
    offices = surveys.read(d, OFFICES)  # the code's default threshold
    assert offices.left_out == (surveys.UNLINKED,)
    assert offices.size == published
    distribution = surveys.item_distribution(offices)
    unlinked = distribution[distribution["group"] == surveys.UNLINKED]
    assert len(unlinked) and unlinked["suppressed"].all() and unlinked["respondents"].isna().all()
    shown = distribution[~distribution["suppressed"]]
    # Pooled minus the published groups is zero for every item: nothing is left to recover.
    need = surveys.need(offices, item=COMMITTEE)
    committee = shown[shown["item"] == COMMITTEE]
    by_group = committee.groupby("group").agg(n=("respondents", "first"),
                                              agree=("count", lambda c: c[committee.loc[c.index, "answer"] >= 4].sum()))
    assert need.respondents == by_group["n"].sum()
    assert round(need.share * need.respondents) == by_group["agree"].sum()
    scores = surveys.score_summary(surveys.scale_scores(offices))
    for scale, part in scores.groupby("scale"):
        pooled = surveys.need(offices, scale=scale)
        assert pooled.respondents == part.loc[~part["suppressed"], "respondents"].sum()
    reliability = surveys.reliability(offices)
    for row in reliability.itertuples():
        assert row.respondents <= published
    for language in ("en", "es"):
        text = SurveysText(Format(language), Wording.for_dataset(d, language)).overview(surveys.overview(offices))
        who = SurveysText(Format(language), Wording.for_dataset(d, language)).respondents(OFFICES)
        assert f"{len(groups)} {who}" not in text and text.startswith(f"{published} {who} ")


def test_findings_pool_only_published_groups(boundary_data):
    d = dataset.load(boundary_data)
    table = findings.needs_table(d)  # the Relevance finding's "x% of N" numbers
    groups = _demo_groups(boundary_data, OFFICES)
    answers = pd.read_csv(boundary_data / f"{OFFICES}.csv")
    answered = answers[COMMITTEE].notna() & (groups != surveys.UNLINKED)
    row = table[table["measure"] == COMMITTEE].iloc[0]
    assert row["respondents"] == int(answered.sum())


def test_an_item_answered_by_four_of_a_group_is_blanked_everywhere(boundary_data, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in boundary_data.iterdir():
        (data / path.name).write_bytes(path.read_bytes())
    answers = pd.read_csv(data / f"{OFFICES}.csv", dtype=str, keep_default_na=False)
    territorial = (_demo_groups(boundary_data, OFFICES) == "territorial").to_numpy()
    keep = answers.index[territorial][:4]
    answers.loc[territorial & ~answers.index.isin(keep), "q_skill_data"] = ""
    answers.to_csv(data / f"{OFFICES}.csv", index=False)
    offices = surveys.read(dataset.load(data), OFFICES)
    assert ("q_skill_data", "territorial") in offices.blanked
    national = int((_demo_groups(data, OFFICES) == "national").sum())
    need = surveys.need(offices, item="q_skill_data")
    assert need.respondents <= national  # the 4 territorial answers are in no pooled number
    shown = surveys.item_distribution(offices)
    cell = shown[(shown["item"] == "q_skill_data") & (shown["group"] == "territorial")]
    assert cell["respondents"].isna().all() or (cell["respondents"] == 0).all()


def test_survey_subgroups_of_four_entities_suppress_their_whole_dimension(boundary_data):
    d = dataset.load(boundary_data)
    effects = heterogeneity.subgroup_effects(d, "POL07", ["commitment", "it_team"])  # default threshold
    commitment = effects.dimension("commitment")
    assert list(commitment["subgroup"]) == ["(suppressed)"]
    assert (commitment["entities"] == 0).all() and not commitment["identified"].any()
    assert "suppressed" in commitment["note"].iloc[0]
    assert effects.tests.set_index("dimension").loc["commitment", "reading"] == "not_assessed"
    assert len(effects.dimension("it_team")) == 3  # other dimensions are not affected
    from evaluation.text.format import Format
    from evaluation.text.heterogeneity import HeterogeneityText
    from evaluation.text.wording import Wording

    for language, words in (("en", ("higher commitment", "lower commitment")), ("es", ("mayor compromiso",
                                                                                     "menor compromiso"))):
        t = HeterogeneityText(Format(language), Wording.for_dataset(d, language))
        text = "\n".join(t.subgroup_items(effects)) + t.readable_table(effects).to_csv()
        assert not any(w in text.lower() for w in words), (language, text)
    at_four = heterogeneity.subgroup_effects(d, "POL07", ["commitment"], min_group_size=4)
    assert sorted(at_four.table["entities"]) == [4, 4]  # the boundary: 4 is shown only from a threshold of 4


# ------------------------------------------------------------------ the notebooks, their own parameter


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.fixture(scope="module")
def run(boundary_data, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suppression-run")
    code = cli.main(["run", "--year", str(YEAR), "--data", str(boundary_data), "--output", str(out),
                     "--only", "findings", "heterogeneity", "surveys", "--jobs", "2"])
    assert code == 0
    return dataset_dir(out) / str(YEAR)


def _notebook_default(name: str, parameter: str) -> int:
    import nbformat

    nb = nbformat.read(paths.NOTEBOOKS_DIR / name, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return int(re.search(rf"^{parameter} = (\d+)", cell.source, re.MULTILINE).group(1))


@pytest.mark.slow
def test_no_table_or_page_of_the_run_reveals_a_group_of_four(run, boundary_data):
    threshold = _notebook_default("06_surveys.ipynb", "min_group_size")
    groups = _demo_groups(boundary_data, OFFICES)
    published = int((groups != surveys.UNLINKED).sum())
    tables = run / "tables"
    items = pd.read_csv(tables / f"{OFFICES}_items.csv")
    unlinked = items[items["group"] == surveys.UNLINKED]
    assert len(unlinked) and unlinked["suppressed"].all()
    assert unlinked[["respondents", "disagree", "neutral", "agree"]].isna().all().all()
    for table in tables.glob("survey_*.csv"):
        frame = pd.read_csv(table)
        if "group" in frame:
            shown = frame[~frame["suppressed"].astype(bool)]
            assert (shown["respondents"] >= threshold).all(), table.name
        for column in ("respondents", "n_first", "n_second"):
            if column in frame:
                assert not frame[column].dropna().between(1, threshold - 1).any(), (table.name, column)
                assert (frame[column].dropna() <= len(groups)).all()
    page = _page_text(run / "06_surveys.html")
    # The overview sentence in either report language (the run takes the dataset's, Spanish for the demo).
    match = (re.search(r"(\d+) ICT offices in groups of at least (\d+) answered .*? By group: national (\d+), "
                       r"territorial (\d+)\.", page)
             or re.search(r"(\d+) oficinas de TI en grupos de al menos (\d+) respondieron .*? Por grupo: nacional "
                          r"(\d+), territorial (\d+)\.", page))
    assert match, "the overview sentence changed; update this test"
    total, shown_threshold, national, territorial = map(int, match.groups())
    assert shown_threshold == threshold and total == national + territorial == published
    assert f"{len(groups)} ICT offices" not in page and f"{len(groups)} oficinas de TI" not in page
    findings_page = _page_text(run / "00_findings.html")
    pooled = [int(n) for n in re.findall(r"\d+\s?% (?:of|de) (\d+) (?:ICT offices|oficinas TIC)",
                                               findings_page)]
    assert pooled, "the Relevance finding no longer states its pooled number; update this test"
    committee = items[(items["item"] == COMMITTEE) & ~items["suppressed"].astype(bool)]
    assert pooled[0] == committee["respondents"].sum()  # pooled minus published groups = 0 offices
    assert all(n <= published for n in pooled)


@pytest.mark.slow
def test_heterogeneity_notebook_suppresses_the_commitment_subgroups_of_four(run):
    effects = pd.read_csv(run / "tables" / "subgroup_effects_POL07.csv")
    commitment = effects[effects["dimension"] == "commitment"]
    assert list(commitment["subgroup"]) == ["(suppressed)"], commitment
    for dimension in heterogeneity.SURVEY_DIMENSIONS:
        rows = effects[(effects["dimension"] == dimension) & (effects["subgroup"] != "(suppressed)")]
        assert (rows["entities"] >= _notebook_default("04_heterogeneity.ipynb", "min_group_size")).all()
    for page in ("04_heterogeneity.html", "00_findings.html"):
        text = _page_text(run / page)
        assert "higher commitment" not in text and "lower commitment" not in text, page
        assert "mayor compromiso" not in text and "menor compromiso" not in text, page  # the Spanish pages
