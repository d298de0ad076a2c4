"""The 2015 diagnosis surveys: item distributions, scale reliability and group comparisons.

Answers the relevance question (did the design answer the needs the diagnosis
found?) from the two optional survey tables: the skills and perception survey
of ICT offices and the alignment survey of directors. Items are the ``q_``
columns, coded 1 (strongly disagree) to 5 (strongly agree).

Two rules hold for everything this module hands out:

* **Free text never leaves it.** :func:`read` keeps respondent and entity codes
  and the Likert items only; the ``comment`` column is dropped on reading, so
  no table, figure or sentence can carry it.
* **Small groups are suppressed.** Any group of respondents -- the respondents
  behind a bar of a figure, a row or cell of a table, an arm of a comparison --
  smaller than ``min_group_size`` (5 by default) is replaced by a suppression
  marker: its numbers become missing and ``suppressed`` is True. Answer
  categories *inside* a group large enough to show are not suppressed: the
  group, not the category, is what could identify a respondent. Respondent
  counts of suppressed groups are not shown either (only "fewer than 5").
* **Suppression cannot be undone by subtraction** (complementary
  suppression). A pooled figure minus the published groups would give back a
  suppressed group ("18 % of 95 offices" minus the national and territorial
  rows is the 4 offices not linked to an entity). So :func:`read` leaves the
  respondents of every group smaller than ``min_group_size`` out of the
  survey altogether, and blanks a group's answers to an item that fewer than
  ``min_group_size`` of its members answered: every total, share, scale score,
  reliability and comparison is then a sum over published groups only, and no
  difference of published numbers isolates a small group.

Scales are sets of items named by a prefix (``q_skill_`` -> skills,
``q_align_`` -> alignment); reverse-keyed items (``q_align_support_only``: "IT
is mainly technical support") are recoded ``6 - answer`` before scoring. A
respondent's scale score is the mean of the items answered, if at least half
were answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

# scipy.stats is imported by the tests that use it (the heterogeneity report imports this module too;
# see evaluation.did.distributions), as statsmodels already is below.

#: The survey tables of the contract, with the English word for their respondents (``Survey.respondents``;
#: kept for the modules that still read it: a report takes its words from ``evaluation.text.surveys``).
SURVEYS = {"survey_ict_offices": "ICT offices", "survey_directors": "directors"}
#: What each survey is called in the programme's documents (English; same remark).
SURVEY_TITLES = {"survey_ict_offices": "skills and perception survey of ICT offices",
                 "survey_directors": "alignment survey of directors"}
#: The code of each survey's respondents, used as an arm of a comparison (``perception_gap``).
RESPONDENT_CODES = {"survey_ict_offices": "ict_offices", "survey_directors": "directors"}
ITEM_PREFIX = "q_"
#: Scale name -> prefix of its items.
SCALES = {"skills": "q_skill_", "alignment": "q_align_"}
#: Items worded against their scale (agreeing means less of the trait).
REVERSE_KEYED = frozenset({"q_align_support_only"})
ANSWERS = (1, 2, 3, 4, 5)
NEUTRAL = 3
#: Groups smaller than this are suppressed in every table and figure.
MIN_GROUP_SIZE = 5
SUPPRESSED = "suppressed"
#: Respondent groups (codes; their words are in ``evaluation.text.surveys``), from the level of the entity
#: they answered for; ``unlinked``: the entity code is blank or not in the entities table.
NATIONAL, TERRITORIAL, UNLINKED = "national", "territorial", "unlinked"
ALL = "all"
# ------------------------------------------------------------------ reading


@dataclass(frozen=True, eq=False)
class Survey:
    """One survey's answers, without free text.

    Attributes
    ----------
    name : str
        The contract table, ``survey_ict_offices`` or ``survey_directors``.
    respondents : str
        Who answered, in English (``SURVEYS``); a report takes its words from ``evaluation.text.surveys``.
    answers : pandas.DataFrame
        ``respondent_id, entity_id, level, group`` and the ``q_`` items
        (Int64, missing when blank). Never a ``comment`` column. Empty when the
        table is missing.
    available : bool
        False when the dataset has no such table.
    left_out : tuple of str
        Groups with fewer than ``min_group_size`` respondents: their answers are
        not in ``answers`` (nor in any total computed from it).
    blanked : tuple of (item, group)
        Items a published group's members answered fewer than
        ``min_group_size`` times: those answers are blanked.
    min_group_size : int
        The threshold the survey was read with.
    """

    name: str
    respondents: str
    answers: pd.DataFrame = field(repr=False)
    available: bool
    left_out: tuple[str, ...] = ()
    blanked: tuple[tuple[str, str], ...] = ()
    min_group_size: int = MIN_GROUP_SIZE

    @property
    def items(self) -> list[str]:
        return likert_items(self.answers)

    @property
    def size(self) -> int:
        return len(self.answers)

    def __repr__(self) -> str:
        state = f"{self.size} respondents, {len(self.items)} items" if self.available else "missing"
        return f"<Survey {self.name}: {state}>"


def likert_items(frame: pd.DataFrame) -> list[str]:
    """The Likert item columns (``q_...``) of a survey table, in file order."""
    return [c for c in frame.columns if str(c).startswith(ITEM_PREFIX)]


def read(dataset, name: str, *, min_group_size: int = MIN_GROUP_SIZE) -> Survey:
    """A survey table of ``dataset`` as a :class:`Survey`, free text dropped, small groups left out.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    name : {"survey_ict_offices", "survey_directors"}
    min_group_size : int
        Respondents of a group (``national``, ``territorial``, ``unlinked``) smaller than this are left out, and a group's answers to an
        item answered by fewer than this many of its members are blanked, so
        that no pooled number includes them (complementary suppression; see
        the module's docstring).

    Returns
    -------
    Survey
        ``group`` is ``national`` or ``territorial`` from the level of the
        respondent's entity, or ``unlinked`` when the entity code
        is blank or not in the entities table. The caller's table is not changed.
    """
    if not isinstance(min_group_size, (int, np.integer)) or isinstance(min_group_size, bool) or min_group_size < 1:
        raise ValueError(f"min_group_size must be a whole number of respondents, at least 1, not {min_group_size!r}.")
    if name not in SURVEYS:
        raise ValueError(f"{name!r} is not a survey table; use one of {', '.join(SURVEYS)}.")
    frame = getattr(dataset, name)
    columns = ["respondent_id", "entity_id", "level", "group"]
    if frame is None:
        return Survey(name, SURVEYS[name], pd.DataFrame(columns=columns), available=False)
    items = likert_items(frame)
    levels = dataset.entities.set_index("entity_id")["level"]
    level = frame["entity_id"].map(levels)
    group = level.map(lambda lv: NATIONAL if lv == "national" else TERRITORIAL if isinstance(lv, str) else UNLINKED)
    answers = pd.DataFrame({"respondent_id": frame["respondent_id"].to_numpy(),
                            "entity_id": frame["entity_id"].to_numpy(),
                            "level": level.to_numpy(), "group": group.to_numpy()})
    for item in items:  # the comment column is never copied
        answers[item] = pd.array(frame[item], dtype="Int64")
    answers, left_out, blanked = _publishable(answers, items, int(min_group_size))
    return Survey(name, SURVEYS[name], answers, available=True, left_out=left_out, blanked=blanked,
                  min_group_size=int(min_group_size))


def _publishable(answers: pd.DataFrame, items: list[str], min_group_size: int):
    """Drop groups smaller than ``min_group_size`` and blank item answers of groups too few to show them.

    Returns the new frame, the groups left out, and the ``(item, group)`` pairs blanked.
    """
    sizes = answers["group"].value_counts()
    left_out = tuple(g for g in _ordered_groups(answers["group"]) if sizes.get(g, 0) < min_group_size)
    kept = answers[~answers["group"].isin(left_out)].reset_index(drop=True)
    blanked = []
    for item in items:
        answered = kept[item].notna().groupby(kept["group"]).sum()
        for group, count in answered.items():
            if 0 < count < min_group_size:
                kept.loc[kept["group"] == group, item] = pd.NA
                blanked.append((item, group))
    return kept, left_out, tuple(blanked)


def scale_items(items: list[str], scales: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Scale name -> its items, by prefix; scales without items are left out."""
    scales = SCALES if scales is None else scales
    found = {scale: [i for i in items if i.startswith(prefix)] for scale, prefix in scales.items()}
    return {scale: members for scale, members in found.items() if members}


def keyed(answers: pd.DataFrame, items: list[str], reverse=REVERSE_KEYED) -> pd.DataFrame:
    """The items as floats, reverse-keyed ones recoded ``6 - answer`` (a new frame)."""
    out = answers[items].astype("float64")
    for item in items:
        if item in reverse:
            out[item] = (ANSWERS[0] + ANSWERS[-1]) - out[item]
    return out


# ------------------------------------------------------------------ distributions


def _group_column(answers: pd.DataFrame, by: str | None) -> pd.Series:
    return pd.Series(ALL, index=answers.index) if by is None else answers[by]


DISTRIBUTION_COLUMNS = ["item", "group", "answer", "count", "share", "respondents", "suppressed"]


def item_distribution(survey: Survey, by: str | None = "group", *,
                      min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Answers to each item by group: one row per item, group and answer (1-5).

    Parameters
    ----------
    survey : Survey
    by : str or None
        Column of ``survey.answers`` that forms the groups (``group`` or
        ``level``); None pools all respondents.
    min_group_size : int
        A group (the respondents who answered the item in that group) smaller
        than this is suppressed: ``count``, ``share`` and ``respondents`` are
        missing and ``suppressed`` is True.

    Returns
    -------
    pandas.DataFrame
        ``item, group, answer, count, share, respondents, suppressed``;
        ``share`` is the share of the group's answers to that item (0-1).
    """
    if not survey.available or not survey.items:
        return pd.DataFrame(columns=DISTRIBUTION_COLUMNS)
    answers = survey.answers
    groups = _group_column(answers, by)
    rows = []
    for group in _ordered_groups(groups):
        members = answers[groups == group]
        for item in survey.items:
            given = members[item].dropna()
            n = len(given)
            counts = given.value_counts().reindex(ANSWERS, fill_value=0)
            hidden = n < min_group_size
            for answer in ANSWERS:
                rows.append({"item": item, "group": group, "answer": answer,
                             "count": np.nan if hidden else float(counts[answer]),
                             "share": np.nan if hidden else counts[answer] / n,
                             "respondents": np.nan if hidden else float(n), "suppressed": hidden})
    if by == "group":  # groups read() left out still get their (empty) rows, so tables and figures say so
        for group in survey.left_out:
            rows += [{"item": item, "group": group, "answer": answer, "count": np.nan,
                      "share": np.nan, "respondents": np.nan, "suppressed": True}
                     for item in survey.items for answer in ANSWERS]
    out = pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)
    out["count"], out["respondents"] = out["count"].astype("Int64"), out["respondents"].astype("Int64")
    return out


def _ordered_groups(groups: pd.Series) -> list[str]:
    order = [ALL, NATIONAL, TERRITORIAL, "national", "departmental", "municipal", UNLINKED]
    present = list(dict.fromkeys(str(g) for g in groups.fillna(UNLINKED)))
    return sorted(present, key=lambda g: order.index(g) if g in order else len(order))


def agreement(distribution: pd.DataFrame) -> pd.DataFrame:
    """Disagree (1-2), neutral (3) and agree (4-5) shares per item and group, from ``item_distribution``."""
    columns = ["item", "group", "respondents", "disagree", "neutral", "agree", "suppressed"]
    if distribution.empty:
        return pd.DataFrame(columns=columns)
    keys = ["item", "group"]
    wide = distribution.pivot_table(index=keys, columns="answer", values="share", aggfunc="first", dropna=False)
    meta = distribution.groupby(keys, sort=False).agg(respondents=("respondents", "first"),
                                                      suppressed=("suppressed", "first"))
    out = meta.join(wide)
    out["disagree"] = out.get(1) + out.get(2)
    out["neutral"] = out.get(3)
    out["agree"] = out.get(4) + out.get(5)
    return out.reset_index()[columns]


# ------------------------------------------------------------------ reliability


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha of a set of items, over respondents who answered them all.

    ``alpha = k / (k - 1) * (1 - sum of item variances / variance of the total)``
    with sample variances (Cronbach 1951). Missing answers: listwise deletion.

    Returns
    -------
    float
        NaN with fewer than two items, fewer than two complete respondents, or
        a total score that does not vary.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. Psychometrika 16(3), 297-334.
    """
    complete = items.astype("float64").dropna()
    k = complete.shape[1]
    if k < 2 or len(complete) < 2:
        return float("nan")
    total_variance = complete.sum(axis=1).var(ddof=1)
    if not total_variance > 0:
        return float("nan")
    return float(k / (k - 1) * (1 - complete.var(ddof=1).sum() / total_variance))


def alpha_interval(alpha_value: float, respondents: int, items: int, level: float = 0.05) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha.

    ``(1 - alpha_hat) / (1 - alpha)`` follows an F distribution with
    ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom under the model of
    Feldt, Woodruff and Salih (1987). Applied Psychological Measurement 11(1), 93-103.
    """
    if not np.isfinite(alpha_value) or respondents < 3 or items < 2:
        return float("nan"), float("nan")
    from scipy import stats

    df1, df2 = respondents - 1, (respondents - 1) * (items - 1)
    low = 1 - (1 - alpha_value) * stats.f.ppf(1 - level / 2, df1, df2)
    high = 1 - (1 - alpha_value) * stats.f.ppf(level / 2, df1, df2)
    return float(low), float(high)


RELIABILITY_COLUMNS = ["scale", "items", "respondents", "cronbach_alpha", "conf_low", "conf_high",
                       "weakest_item", "weakest_item_rest_r", "suppressed", "note"]
#: Codes of ``reliability()['note']``: too few complete answers, a one-item scale, an item against the rest.
SUPPRESSED_NOTE, ONE_ITEM, NEGATIVE_ITEM = "suppressed", "one_item", "negative_item_rest"


def reliability(survey: Survey, *, scales: dict[str, str] | None = None, reverse=REVERSE_KEYED,
                alpha: float = 0.05, min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Cronbach's alpha per scale with Feldt's interval, and its weakest item.

    The weakest item has the lowest corrected item-rest correlation (the item
    against the sum of the scale's other items); a negative one usually means an
    item is reverse-keyed and not recoded. Respondents with every item of the
    scale answered count; fewer than ``min_group_size`` of them: suppressed.
    ``note`` is a code: ``suppressed``, ``one_item`` (a scale needs two items),
    ``negative_item_rest`` (the weakest item correlates negatively with the
    rest: is it reverse-keyed?), or empty.
    """
    if not survey.available:
        return pd.DataFrame(columns=RELIABILITY_COLUMNS)
    rows = []
    for scale, members in scale_items(survey.items, scales).items():
        values = keyed(survey.answers, members, reverse).dropna()
        n, k = len(values), len(members)
        row = {"scale": scale, "items": k, "respondents": float(n), "cronbach_alpha": np.nan, "conf_low": np.nan,
               "conf_high": np.nan, "weakest_item": "", "weakest_item_rest_r": np.nan, "suppressed": False,
               "note": ""}
        if n < min_group_size:
            row.update(respondents=np.nan, suppressed=True, note=SUPPRESSED_NOTE)
        elif k < 2:
            row["note"] = ONE_ITEM
        else:
            value = cronbach_alpha(values)
            low, high = alpha_interval(value, n, k, alpha)
            rest = item_rest_correlations(values)
            row.update(cronbach_alpha=value, conf_low=low, conf_high=high, weakest_item=rest.idxmin(),
                       weakest_item_rest_r=float(rest.min()))
            if rest.min() < 0:
                row["note"] = NEGATIVE_ITEM
        rows.append(row)
    out = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    out["respondents"] = out["respondents"].astype("Int64")
    return out


def item_rest_correlations(values: pd.DataFrame) -> pd.Series:
    """Correlation of each item with the sum of the other items (complete answers)."""
    total = values.sum(axis=1)
    return pd.Series({item: values[item].corr(total - values[item]) for item in values.columns})


# ------------------------------------------------------------------ scale scores


def scale_scores(survey: Survey, *, scales: dict[str, str] | None = None, reverse=REVERSE_KEYED,
                 items: dict[str, list[str]] | None = None, min_answered: float = 0.5) -> pd.DataFrame:
    """One row per respondent and scale: the mean of the (keyed) items answered.

    A respondent who answered fewer than ``min_answered`` of a scale's items
    gets no score on it. These are individual answers: summarise them (with
    :func:`score_summary`) before showing anything.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id, entity_id, level, group, scale, score, items_answered``.
    """
    columns = ["respondent_id", "entity_id", "level", "group", "scale", "score", "items_answered"]
    if not survey.available:
        return pd.DataFrame(columns=columns)
    members_by_scale = items if items is not None else scale_items(survey.items, scales)
    frames = []
    for scale, members in members_by_scale.items():
        values = keyed(survey.answers, members, reverse)
        answered = values.notna().sum(axis=1)
        score = values.mean(axis=1).where(answered >= min_answered * len(members))
        part = survey.answers[["respondent_id", "entity_id", "level", "group"]].copy()
        part["scale"], part["score"], part["items_answered"] = scale, score, answered
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).dropna(subset=["score"]).reset_index(drop=True)[columns]


SUMMARY_COLUMNS = ["scale", "group", "respondents", "mean", "median", "q1", "q3", "above_neutral", "suppressed"]


def score_summary(scores: pd.DataFrame, by: str | None = "group", *,
                  min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Scale scores summarised per group: mean, median, quartiles, share above neutral (> 3).

    Groups smaller than ``min_group_size`` are suppressed (numbers missing).
    """
    if scores.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    groups = _group_column(scores, by)
    rows = []
    for scale in dict.fromkeys(scores["scale"]):
        for group in _ordered_groups(groups):
            values = scores.loc[(scores["scale"] == scale) & (groups == group), "score"].to_numpy(float)
            hidden = len(values) < min_group_size
            numbers = (dict.fromkeys(["respondents", "mean", "median", "q1", "q3", "above_neutral"], np.nan)
                       if hidden else
                       {"respondents": float(len(values)), "mean": values.mean(), "median": np.median(values),
                        "q1": np.quantile(values, 0.25), "q3": np.quantile(values, 0.75),
                        "above_neutral": float(np.mean(values > NEUTRAL))})
            rows.append({"scale": scale, "group": group, **numbers, "suppressed": hidden})
    out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    out["respondents"] = out["respondents"].astype("Int64")
    return out


# ------------------------------------------------------------------ comparisons


def rank_biserial(first: np.ndarray, second: np.ndarray) -> float:
    """Rank-biserial correlation: P(first > second) - P(first < second) over all pairs.

    Equals ``2 U / (n1 n2) - 1`` with ``U`` the Mann-Whitney statistic of
    ``first`` (ties counted one half); +1 when every answer of ``first`` is
    higher (Kerby 2014, Comprehensive Psychology 3, 11.IT.3.1).
    """
    first, second = np.asarray(first, float), np.asarray(second, float)
    return float(np.sign(first[:, None] - second[None, :]).mean())


def _bootstrap_rank_biserial(first, second, draws: int, seed: int, alpha: float) -> tuple[float, float]:
    """Percentile interval of the rank-biserial correlation, resampling within each group."""
    signs = np.sign(np.asarray(first, float)[:, None] - np.asarray(second, float)[None, :])
    rng = np.random.default_rng(seed)
    n1, n2 = signs.shape
    w1 = rng.multinomial(n1, np.full(n1, 1 / n1), size=draws)
    w2 = rng.multinomial(n2, np.full(n2, 1 / n2), size=draws)
    # counts times signs: whole numbers, so the matrix product (BLAS) is exact and equals the triple sum
    values = np.einsum("bj,bj->b", w1 @ signs, w2) / (n1 * n2)
    return float(np.quantile(values, alpha / 2)), float(np.quantile(values, 1 - alpha / 2))


COMPARISON_COLUMNS = ["scale", "comparison", "first", "second", "n_first", "n_second", "median_first",
                      "median_second", "u_statistic", "p_value", "p_holm", "rank_biserial", "conf_low",
                      "conf_high", "suppressed", "note", "shared_items"]


@dataclass(frozen=True)
class Comparison:
    """Two groups of respondents compared on one scale (Mann-Whitney U, rank-biserial r).

    ``first`` and ``second`` are codes (groups ``national``/``territorial``, or respondents
    ``directors``/``ict_offices``); ``note`` is ``suppressed`` when an arm is too small;
    ``shared_items`` is the number of items both surveys ask (perception gap only).
    """

    scale: str
    first: str
    second: str
    n_first: float
    n_second: float
    median_first: float
    median_second: float
    u_statistic: float
    p_value: float
    rank_biserial: float
    conf_low: float
    conf_high: float
    suppressed: bool
    note: str = ""
    shared_items: float = float("nan")

    def row(self) -> dict:
        return {"scale": self.scale, "comparison": f"{self.first} vs {self.second}", "first": self.first,
                "second": self.second, "n_first": self.n_first, "n_second": self.n_second,
                "median_first": self.median_first, "median_second": self.median_second,
                "u_statistic": self.u_statistic, "p_value": self.p_value, "p_holm": self.p_value,
                "rank_biserial": self.rank_biserial, "conf_low": self.conf_low, "conf_high": self.conf_high,
                "suppressed": self.suppressed, "note": self.note, "shared_items": self.shared_items}


def compare(first: np.ndarray, second: np.ndarray, *, scale: str, names: tuple[str, str],
            min_group_size: int = MIN_GROUP_SIZE, alpha: float = 0.05, draws: int = 2000,
            seed: int = 2016) -> Comparison:
    """Mann-Whitney U test and rank-biserial correlation between two groups' scale scores.

    Scale scores are means of 1-5 answers: ordinal, bounded, with many ties, in
    small groups, so a rank test fits better than a t test. The effect size is
    the rank-biserial correlation (positive: ``first`` tends to score higher),
    with a percentile bootstrap interval (resampling within groups, ``draws``
    draws). An arm smaller than ``min_group_size`` suppresses the comparison.

    References
    ----------
    Mann, H. B. and Whitney, D. R. (1947). Annals of Mathematical Statistics 18(1), 50-60.
    Kerby, D. S. (2014). The simple difference formula. Comprehensive Psychology 3, 11.IT.3.1.
    """
    first, second = np.asarray(first, float), np.asarray(second, float)
    if min(len(first), len(second)) < min_group_size:
        return Comparison(scale, names[0], names[1], np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                          np.nan, np.nan, True, SUPPRESSED_NOTE)
    from scipy import stats

    test = stats.mannwhitneyu(first, second, alternative="two-sided", method="auto")
    low, high = _bootstrap_rank_biserial(first, second, draws, seed, alpha)
    return Comparison(scale, names[0], names[1], float(len(first)), float(len(second)), float(np.median(first)),
                      float(np.median(second)), float(test.statistic), float(test.pvalue),
                      rank_biserial(first, second), low, high, False)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values (missing values stay missing), by statsmodels' ``multipletests``."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def compare_groups(survey: Survey, *, groups: tuple[str, str] = (NATIONAL, TERRITORIAL), by: str = "group",
                   min_group_size: int = MIN_GROUP_SIZE, alpha: float = 0.05, seed: int = 2016) -> pd.DataFrame:
    """National vs territorial respondents (or any two groups) on every scale, Holm-adjusted across scales."""
    scores = scale_scores(survey)
    rows = []
    for scale in dict.fromkeys(scores["scale"]):
        part = scores[scores["scale"] == scale]
        result = compare(part.loc[part[by] == groups[0], "score"], part.loc[part[by] == groups[1], "score"],
                         scale=scale, names=groups, min_group_size=min_group_size, alpha=alpha, seed=seed)
        rows.append(result.row())
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    table["p_holm"] = holm(table["p_value"])
    return _counts_as_integers(table)


def _counts_as_integers(table: pd.DataFrame) -> pd.DataFrame:
    for column in ("n_first", "n_second", "shared_items"):
        table[column] = table[column].astype("Int64")
    return table


def perception_gap(directors: Survey, offices: Survey, *, scale: str = "alignment", reverse=REVERSE_KEYED,
                   min_group_size: int = MIN_GROUP_SIZE, alpha: float = 0.05, seed: int = 2016) -> pd.DataFrame:
    """Directors vs ICT offices on the items of ``scale`` that both surveys ask.

    Scored on the shared items only, so the two scores measure the same thing
    (``shared_items`` says how many); the arms are ``directors`` and ``ict_offices``.
    """
    prefix = SCALES[scale]
    shared = [i for i in directors.items if i.startswith(prefix) and i in set(offices.items)]
    if not (directors.available and offices.available) or len(shared) < 2:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    first = scale_scores(directors, items={scale: shared}, reverse=reverse)["score"]
    second = scale_scores(offices, items={scale: shared}, reverse=reverse)["score"]
    result = compare(first, second, scale=scale,
                     names=(RESPONDENT_CODES[directors.name], RESPONDENT_CODES[offices.name]),
                     min_group_size=min_group_size, alpha=alpha, seed=seed)
    result = replace(result, shared_items=float(len(shared)))
    return _counts_as_integers(pd.DataFrame([result.row()], columns=COMPARISON_COLUMNS))


# ------------------------------------------------------------------ needs and linked entities


def wilson_interval(successes: float, trials: float, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927, JASA 22(158), 209-212), by statsmodels."""
    from statsmodels.stats.proportion import proportion_confint

    if not trials:
        return float("nan"), float("nan")
    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)


@dataclass(frozen=True)
class Need:
    """How many respondents already report a condition the design targets.

    ``share`` is the share agreeing (4-5) with an item, or scoring above
    neutral (> 3) on a scale. A share well below one half means most
    respondents lacked the condition: a need the design could answer.
    """

    survey: str
    measure: str
    label: str  # the measure's code (an item or a scale); its words are in evaluation.text.surveys
    respondents: int
    share: float
    conf_low: float
    conf_high: float
    suppressed: bool

    @property
    def kind(self) -> str:
        """``item`` (share agreeing) or ``scale`` (share above neutral)."""
        return "item" if self.measure.startswith(ITEM_PREFIX) else "scale"

    @property
    def reading(self) -> str:
        """A code (its words are in ``evaluation.text.surveys``): ``need confirmed`` (the whole interval
        below one half), ``no widespread need`` (above it), ``unclear``, or ``not assessable``."""
        if self.suppressed or not np.isfinite(self.share):
            return "not assessable"
        if self.conf_high < 0.5:
            return "need confirmed"
        if self.conf_low > 0.5:
            return "no widespread need"
        return "unclear"


def need(survey: Survey, *, scale: str | None = None, item: str | None = None, alpha: float = 0.05,
         min_group_size: int = MIN_GROUP_SIZE) -> Need:
    """Share of respondents agreeing with ``item`` (4-5), or above neutral on ``scale``, with a Wilson interval.

    Give exactly one of ``scale`` and ``item``. A missing survey or item, or
    fewer than ``min_group_size`` answers, gives a suppressed (not assessable) Need.
    """
    if (scale is None) == (item is None):
        raise ValueError("give exactly one of scale= and item=")
    if item is not None:
        label = item
        values = (survey.answers[item].dropna().to_numpy(float) if survey.available and item in survey.items
                  else np.array([]))
        favourable = values >= NEUTRAL + 1
    else:
        assert scale is not None  # exactly one of scale and item is given (checked above)
        label = scale
        scores = scale_scores(survey)
        values = scores.loc[scores["scale"] == scale, "score"].to_numpy(float)
        favourable = values > NEUTRAL
    measure = label
    if len(values) < min_group_size:
        return Need(survey.name, measure, label, len(values), np.nan, np.nan, np.nan, True)
    low, high = wilson_interval(float(favourable.sum()), len(values), alpha)
    return Need(survey.name, measure, label, len(values), float(favourable.mean()), low, high, False)


def entity_scores(dataset, scale: str = "alignment", survey: str = "survey_ict_offices", *,
                  min_group_size: int = MIN_GROUP_SIZE) -> pd.Series:
    """Mean scale score per entity (entities with several respondents averaged), indexed by entity_id.

    Respondents of groups left out by :func:`read` (fewer than ``min_group_size``) give no score.
    """
    scores = scale_scores(read(dataset, survey, min_group_size=min_group_size))
    scores = scores[(scores["scale"] == scale) & (scores["group"] != UNLINKED)]
    return scores.groupby("entity_id")["score"].mean().rename(f"{scale}_score")


# ------------------------------------------------------------------ the numbers the report states


@dataclass(frozen=True)
class Overview:
    """Who answered a survey, counting only the groups that are published.

    Attributes
    ----------
    available : bool
        False when the dataset has no such table.
    threshold : int
        The smallest group shown (the larger of the survey's and the report's ``min_group_size``).
    groups : tuple of (str, int)
        Published groups (codes) and their respondents, in report order.
    hidden : tuple of str
        Groups below the threshold: left out of every number, their size not given.
    items : int
        Likert items of the survey.
    scales : tuple of (str, int)
        Scales and their number of items.
    """

    name: str
    available: bool
    threshold: int
    groups: tuple[tuple[str, int], ...] = ()
    hidden: tuple[str, ...] = ()
    items: int = 0
    scales: tuple[tuple[str, int], ...] = ()

    @property
    def respondents(self) -> int:
        """Respondents in the published groups (never includes a hidden group)."""
        return int(sum(n for _, n in self.groups))

    def tidy(self) -> pd.DataFrame:
        rows = [{"group": g, "respondents": n, "suppressed": False} for g, n in self.groups]
        rows += [{"group": g, "respondents": pd.NA, "suppressed": True} for g in self.hidden]
        return pd.DataFrame(rows, columns=["group", "respondents", "suppressed"]).astype({"respondents": "Int64"})


def overview(survey: Survey, *, min_group_size: int = MIN_GROUP_SIZE) -> Overview:
    """Respondents by published group, the groups hidden, the items and the scales of ``survey``."""
    threshold = max(int(min_group_size), survey.min_group_size)
    if not survey.available:
        return Overview(survey.name, False, threshold)
    counts = survey.answers["group"].value_counts()
    order = _ordered_groups(survey.answers["group"])
    shown = tuple((g, int(counts[g])) for g in order if counts[g] >= threshold)
    hidden = tuple(g for g in order if counts[g] < threshold) + tuple(survey.left_out)
    scales = tuple((scale, len(items)) for scale, items in scale_items(survey.items).items())
    return Overview(survey.name, True, threshold, shown, hidden, len(survey.items), scales)


def suppressed_labels(table: pd.DataFrame) -> list[str]:
    """The groups (or comparisons, or scales) a table suppressed, as codes, sorted."""
    if table is None or table.empty or "suppressed" not in table:
        return []
    rows = table[table["suppressed"].astype(bool)]
    key = "group" if "group" in rows else "comparison" if "comparison" in rows else "scale"
    return sorted(set(rows[key].astype(str)))


@dataclass(frozen=True)
class Agreement:
    """On how many items a majority of the published respondents agreed (4-5), weighting groups by size."""

    majority: int
    items: int

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{"majority": self.majority, "items": self.items}])


def majority_agreement(agree: pd.DataFrame) -> Agreement:
    """From :func:`agreement`: items whose pooled share agreeing (published groups only) exceeds one half."""
    pooled = agree[~agree["suppressed"].astype(bool)] if not agree.empty else agree
    if pooled.empty:
        return Agreement(0, 0)
    by_item = pooled.groupby("item").apply(
        lambda g: np.average(g["agree"].astype(float), weights=g["respondents"].astype(float)), include_groups=False)
    return Agreement(int((by_item > 0.5).sum()), int(len(by_item)))


def median_sides(summary: pd.DataFrame) -> dict[str, str]:
    """Scale -> ``above``, ``below`` or ``both``: where the published groups' medians sit against neutral (3)."""
    shown = summary[~summary["suppressed"].astype(bool)] if not summary.empty else summary
    sides = {}
    for scale, part in shown.groupby("scale", sort=False):
        sides[scale] = ("above" if (part["median"] > NEUTRAL).all() else
                        "below" if (part["median"] < NEUTRAL).all() else "both")
    return sides


def alpha_quality(value: float) -> str:
    """The usual rule of thumb for Cronbach's alpha, as a code, read on the value rounded to 2 decimals.

    ``good`` (>= 0.8), ``acceptable`` (>= 0.7), ``questionable`` (>= 0.6), ``poor``; the rounding makes
    the class agree with the number the reader sees (0.795 is shown as 0.80 and read as good).
    """
    if not np.isfinite(value):
        return ""
    shown = round(float(value), 2)
    return "good" if shown >= 0.8 else "acceptable" if shown >= 0.7 else "questionable" if shown >= 0.6 else "poor"


def effect_magnitude(rank_biserial_value: float) -> str:
    """``small`` (|r| < 0.3), ``moderate`` (< 0.5) or ``large``: the size of a rank-biserial correlation."""
    size = abs(float(rank_biserial_value))
    return "small" if size < 0.3 else "moderate" if size < 0.5 else "large"
