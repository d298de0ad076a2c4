"""Heterogeneity: for whom and under which conditions the GCIO post made a difference, and for how long.

Answers the impact and sustainability questions beyond the average effect:

* **Subgroup effects.** The Callaway-Sant'Anna estimator (``did.att_gt``, with
  the covariates of the impact report, ``resolve_covariates``) is run
  separately in each subgroup of a *dimension*: level of government, natural
  region, FURAG peer group, population terciles, IT-team-size terciles, and the
  alignment the entity's ICT office reported in the 2015 survey. Each subgroup's
  overall effect is the ``simple`` aggregation. Intervals are Bonferroni-adjusted
  over the subgroups of a dimension (each dimension is one family of
  comparisons), and a Wald test asks whether the subgroups' effects differ.
* **Persistence.** Effects by years since adoption (``dynamic`` aggregation):
  do they grow, persist or fade? The reading compares the early years after
  adoption with the latest years that enough adopters reach.

Two designs of comparison. For characteristics of the entity (level, region,
peer group, size, IT team), a subgroup is compared *within itself*: its adopters
against its own never-adopters (or not-yet-adopters), so that each subgroup
carries its own trends. Survey-based groups are too small for that (the survey
reached about a hundred entities), so their adopters are compared with *all*
never-adopters of the group of entities analysed ("shared" comparison; other
adopters are left out). A survey-based subgroup is formed from the answers of
the entities in it, so the surveys' small-group rule applies: when any subgroup
of a survey-based dimension would hold fewer than ``min_group_size`` entities
(5, :data:`evaluation.questions.surveys.MIN_GROUP_SIZE`), the whole dimension is
suppressed -- every subgroup, its counts and its median split -- since with two
subgroups the published one and a total would give back the other. Estimates that share comparison entities are
correlated; the difference test accounts for it through the estimates'
influence functions, aligned by entity: ``Cov(a, b) = sum over shared entities
of IF_a * IF_b / (n_a n_b)``.

Identifying assumptions, in every subgroup: parallel trends conditional on the
covariates, no anticipation, overlap (Callaway and Sant'Anna 2021). A subgroup
with too few adopters that have a year before adoption, or without a
comparison group, is kept as a labelled gap, never dropped.

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences with
multiple time periods. Journal of Econometrics 225(2), 200-230.

Numbers only: dimensions, subgroups, notes, comparisons and readings are codes
(with the numbers they need, e.g. a third's bounds); the words are in
:mod:`evaluation.text.heterogeneity`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.did.distributions import f_sf, t_quantile
from evaluation.load.contract import LEVELS
from evaluation.panel import ENTITY_GROUPS, analysis_panel, resolve_covariates, select_entities
from evaluation.questions import impact, surveys

#: Dimensions of heterogeneity (codes; their words are in ``evaluation.text.heterogeneity``).
DIMENSIONS = ("level", "region", "peer_group", "population", "it_team", "alignment", "commitment")
#: Survey-based dimensions: the survey and scale that form them.
SURVEY_DIMENSIONS = {"alignment": ("survey_ict_offices", "alignment"), "commitment": ("survey_directors", "alignment")}
DEFAULT_DIMENSIONS = tuple(DIMENSIONS)
#: Fewest adopters with a year before adoption a subgroup needs for an estimate.
MIN_ADOPTERS = 5
#: Below this many adopters the report names a subgroup as resting on a handful of entities. Its interval is
#: widened for so few (:func:`small_sample_interval`): in simulations with a known effect
#: (``benchmarks/coverage_few_adopters.py``; README, "Subgroups with few adopters") R did's analytic 95 %
#: interval covers it 78 % of the time with 5 adopters and 89 % with 10, the widened one 94-96 % from 5 to 100.
FEW_ADOPTERS = 10
#: Comparison codes: a subgroup's adopters against its own non-adopters, or against all non-adopters analysed.
WITHIN, SHARED = "within", "shared"
#: Subgroup codes of the thirds of a covariate and of the survey-based median split, and of rows standing for a
#: whole dimension (no subgroup could be formed; every subgroup suppressed).
THIRDS = ("third_1", "third_2", "third_3")
HIGHER, LOWER = "higher", "lower"
NO_SUBGROUP, SUPPRESSED = "(none)", "(suppressed)"
#: Codes of the ``note`` column (why a row has no estimate; ``detail`` carries the name or message it needs).
NOTES = ("no_values", "no_covariate", "too_few_values", "survey_missing", "too_few_linked", "no_subgroups",
         "too_few_adopters", "too_few_never_treated", "estimation_failed", "no_post_cell", "suppressed")


def parse_dimensions(text: str | list | tuple) -> list[str]:
    """``"level, region"`` -> ``["level", "region"]``; unknown names are refused with the valid ones."""
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown heterogeneity dimension(s) {unknown}; valid: {', '.join(DIMENSIONS)}.")
    return names


# ------------------------------------------------------------------ the panel


# ------------------------------------------------------------------ who is in which subgroup


@dataclass(frozen=True, eq=False)
class Assignment:
    """Which entities form each subgroup of a dimension, and how they are compared.

    ``groups`` maps entity_id to subgroup code (entities left out are absent);
    ``order`` lists the codes in reading order; ``bounds`` maps a code to the
    (lower, upper) values that define it (NaN for an open end: the thirds'
    edges, the median of a survey split); ``comparison`` says whom a
    subgroup's adopters are compared with (:data:`WITHIN` or :data:`SHARED`);
    ``note`` (a code of :data:`NOTES`) and ``detail`` say why a dimension
    could not be formed.
    """

    dimension: str
    groups: pd.Series = field(repr=False)
    order: tuple[str, ...]
    comparison: str
    note: str = ""
    bounds: dict = field(default_factory=dict)
    detail: str = ""


def _terciles(values: pd.Series) -> tuple[pd.Series, tuple[str, ...], dict]:
    values = values.dropna()
    if values.nunique() < 3:
        return pd.Series(dtype=object), (), {}
    codes, edges = pd.qcut(values, 3, labels=False, retbins=True, duplicates="drop")
    if len(edges) < 4:
        return pd.Series(dtype=object), (), {}
    nan = float("nan")
    bounds = {THIRDS[0]: (nan, float(edges[1])), THIRDS[1]: (float(edges[1]), float(edges[2])),
              THIRDS[2]: (float(edges[2]), nan)}
    return codes.map(dict(enumerate(THIRDS))).astype(object), THIRDS, bounds


def assign(dataset, dimension: str, *, entities: str = "territorial", size_covariate: str = "population_2018",
           it_team_covariate: str = "it_staff", min_group_size: int = surveys.MIN_GROUP_SIZE) -> Assignment:
    """Subgroups of ``dimension`` among the entities of ``entities`` (all levels for ``level``).

    Thirds (terciles) of a covariate are cut among the entities analysed; the
    survey-based groups (``alignment`` from the ICT offices' alignment scale,
    ``commitment`` from the directors') split the adopters linked to a survey
    answer at the median score.
    """
    parse_dimensions([dimension])
    ents = dataset.entities.set_index("entity_id")
    levels = ENTITY_GROUPS[entities]
    scope = ents if levels is None else ents[ents["level"].isin(levels)]
    empty = pd.Series(dtype=object)
    if dimension == "level":
        order = tuple(lv for lv in LEVELS if lv in set(ents["level"]))
        return Assignment(dimension, ents["level"].astype(object), order, WITHIN)
    if dimension in ("region", "peer_group"):
        column = scope[dimension]
        if column.isna().all():
            return Assignment(dimension, empty, (), WITHIN, "no_values", detail=dimension)
        groups = column.dropna().astype(object)
        return Assignment(dimension, groups, tuple(sorted(groups.unique())), WITHIN)
    if dimension in ("population", "it_team"):
        covariate = size_covariate if dimension == "population" else it_team_covariate
        if covariate not in dataset.covariates:
            return Assignment(dimension, empty, (), WITHIN, "no_covariate", detail=covariate)
        groups, order, bounds = _terciles(scope[covariate])
        note = "" if order else "too_few_values"
        return Assignment(dimension, groups, order, WITHIN, note, bounds, covariate)
    # survey-based: adopters with a survey answer, split at the median score
    survey, scale = SURVEY_DIMENSIONS[dimension]
    if getattr(dataset, survey) is None:
        return Assignment(dimension, empty, (), SHARED, "survey_missing", detail=survey)
    scores = surveys.entity_scores(dataset, scale, survey, min_group_size=min_group_size)
    adopters = set(dataset.adoption["entity_id"])
    scores = scores[scores.index.isin(scope.index) & scores.index.isin(adopters)]
    if len(scores) < 2:
        return Assignment(dimension, empty, (), SHARED, "too_few_linked", detail=survey)
    median = float(scores.median())
    groups = scores.map(lambda s: HIGHER if s >= median else LOWER).astype(object)
    nan = float("nan")
    return Assignment(dimension, groups, (HIGHER, LOWER), SHARED, bounds={HIGHER: (median, nan), LOWER: (nan, median)},
                      detail=survey)


# ------------------------------------------------------------------ estimation


TABLE_COLUMNS = ["dimension", "subgroup", "bound_low", "bound_high", "entities", "adopters", "estimate", "std_error",
                 "t_df", "conf_low", "conf_high", "adj_conf_low", "adj_conf_high", "n_treated", "n_control",
                 "identified", "true_effect", "comparison", "note", "detail"]
TEST_COLUMNS = ["dimension", "subgroups", "statistic", "df", "df_denominator", "p_value", "reading", "note"]
#: Codes of the tests' ``reading`` column.
TEST_READINGS = ("differ", "no_difference", "not_tested", "not_assessed")


@dataclass(frozen=True, eq=False)
class SubgroupEffects:
    """Overall effects by subgroup, with multiplicity-adjusted intervals and tests of difference.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per subgroup (:data:`TABLE_COLUMNS`): ``std_error`` is R
        did's analytic one; ``conf_low/high`` are pointwise and
        ``adj_conf_low/high`` Bonferroni-adjusted over the identified
        subgroups of the dimension (``adjust="none"``: pointwise), both with
        the small-sample correction of :func:`small_sample_interval`
        (Student's t with ``t_df`` = adopters in the estimate - 1);
        ``subgroup`` is a code (a level, :data:`THIRDS`, :data:`HIGHER`/
        :data:`LOWER`) or the data's own value (region, peer group), with
        ``bound_low``/``bound_high`` the values defining it;
        ``adopters`` counts adopters with a year before adoption;
        ``true_effect`` is the demo data's truth (NaN for real data); gaps have
        ``identified`` False, a ``note`` code (:data:`NOTES`) and a ``detail``.
    tests : pandas.DataFrame
        One row per dimension: Wald test that all its estimated subgroups have
        the same effect, read off ``F(df, df_denominator)`` (``df`` =
        subgroups - 1, ``df_denominator`` = fewest adopters - 1); ``reading`` a code of
        :data:`TEST_READINGS`, ``note`` why a dimension was not assessed.
    settings : dict
        The arguments the estimates were made with.
    """

    outcome: str
    alpha: float
    adjust: str
    table: pd.DataFrame = field(repr=False)
    tests: pd.DataFrame = field(repr=False)
    settings: dict = field(default_factory=dict, repr=False)

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def dimension(self, name: str) -> pd.DataFrame:
        return self.table[self.table["dimension"] == name].reset_index(drop=True)


def _adopters_with_pre_year(panel: pd.DataFrame) -> int:
    first = panel.groupby("entity_id")["year"].min()
    cohort = panel.groupby("entity_id")["cohort"].first()
    return int(((cohort > 0) & (first < cohort)).sum())


def _gap(dimension: str, subgroup: str, comparison: str, note: str, entities: int = 0, adopters: int = 0, *,
         detail: str = "", bounds: tuple = (np.nan, np.nan), n_control: int = 0) -> dict:
    row: dict[str, Any] = dict.fromkeys(TABLE_COLUMNS, np.nan)
    row.update(dimension=dimension, subgroup=subgroup, bound_low=bounds[0], bound_high=bounds[1], entities=entities,
               adopters=adopters, n_treated=0, n_control=n_control, identified=False, comparison=comparison,
               note=note, detail=str(detail))
    return row


def _no_test(dimension: str, note: str, *, subgroups: int = 0, reading: str = "not_assessed") -> dict:
    """A row of ``tests`` for a dimension whose subgroups were not compared, and why (``note``)."""
    return {"dimension": dimension, "subgroups": subgroups, "statistic": np.nan, "df": 0, "df_denominator": 0,
            "p_value": np.nan, "reading": reading, "note": note}


def subgroup_effects(dataset, outcome: str = "POL07", dimensions=DEFAULT_DIMENSIONS, *,
                     entities: str = "territorial", covariates: str = "default",
                     control_group: str = "never_treated", method: str = "dr", alpha: float = 0.05,
                     until_year: int | None = None, adjust: str = "bonferroni", min_adopters: int = MIN_ADOPTERS,
                     size_covariate: str = "population_2018", it_team_covariate: str = "it_staff",
                     min_group_size: int = surveys.MIN_GROUP_SIZE) -> SubgroupEffects:
    """Estimate the overall effect in every subgroup of each dimension.

    Parameters
    ----------
    dataset : evaluation.load.dataset.Dataset
    outcome : str
        Indicator code.
    dimensions : str or sequence of str
        Names from :data:`DIMENSIONS` (a comma-separated string is accepted).
    entities : str
        The group of entities analysed (``ENTITY_GROUPS``); the
        ``level`` dimension always covers every level.
    covariates, control_group, method, alpha
        As in the impact report (``resolve_covariates``, ``did.att_gt``);
        analytic standard errors.
    until_year : int, optional
        Last year of outcome data used.
    adjust : {"bonferroni", "none"}
        Multiplicity adjustment of the intervals within each dimension.
    min_adopters : int
        Fewest adopters with a year of data before adoption a subgroup needs.
    size_covariate, it_team_covariate : str
        Entity covariates cut into thirds for ``population`` and ``it_team``.
    min_group_size : int
        Survey small-group threshold: a survey-based dimension any of whose
        subgroups has fewer entities than this is suppressed as a whole (no
        subgroup, count or median shown), and survey groups smaller than this
        give no score (``surveys.read``).

    Returns
    -------
    SubgroupEffects
    """
    if adjust not in ("bonferroni", "none"):
        raise ValueError(f"adjust must be 'bonferroni' or 'none', not {adjust!r}")
    names = parse_dimensions(dimensions)
    rows, tests = [], []
    full = analysis_panel(dataset, outcome, "all", until_year)
    truth_known = dataset.synthetic and (dataset.folder / "truth.csv").is_file()
    for dimension in names:
        found = assign(dataset, dimension, entities=entities, size_covariate=size_covariate,
                       it_team_covariate=it_team_covariate, min_group_size=min_group_size)
        if found.note or not found.order:
            rows.append(_gap(dimension, NO_SUBGROUP, found.comparison, found.note or "no_subgroups",
                             detail=found.detail))
            tests.append(_no_test(dimension, found.note or "no_subgroups"))
            continue
        part_rows, influences = [], []
        for subgroup in found.order:
            bounds = found.bounds.get(subgroup, (np.nan, np.nan))
            members = set(found.groups.index[found.groups == subgroup])
            scope = subgroup if dimension == "level" else entities
            base = select_entities(full, scope)
            covs = resolve_covariates(dataset, covariates, scope)
            if found.comparison == WITHIN:
                panel = base[base["entity_id"].isin(members)].reset_index(drop=True)
            else:
                panel = base[base["entity_id"].isin(members) | (base["cohort"] == 0)].reset_index(drop=True)
            n_entities = int(panel.loc[panel["entity_id"].isin(members), "entity_id"].nunique())
            adopters = _adopters_with_pre_year(panel)
            never = int(panel.loc[panel["cohort"] == 0, "entity_id"].nunique())
            if adopters < min_adopters:
                part_rows.append(_gap(dimension, subgroup, found.comparison, "too_few_adopters", n_entities,
                                      adopters, detail=str(min_adopters), bounds=bounds, n_control=never))
                continue
            if control_group == "never_treated" and never < 2:
                part_rows.append(_gap(dimension, subgroup, found.comparison, "too_few_never_treated", n_entities,
                                      adopters, bounds=bounds, n_control=never))
                continue
            try:
                result, _ = impact.estimate(panel, covs, control_group=control_group, method=method, alpha=alpha)
            except (ValueError, np.linalg.LinAlgError) as exc:
                part_rows.append(_gap(dimension, subgroup, found.comparison, "estimation_failed", n_entities,
                                      adopters, detail=" ".join(str(exc).split()), bounds=bounds, n_control=never))
                continue
            simple = result.aggregate("simple")
            overall = simple.overall
            if not overall.identified or not np.isfinite(overall.std_error):
                part_rows.append(_gap(dimension, subgroup, found.comparison, "no_post_cell", n_entities,
                                      adopters, detail=_reasons(result), bounds=bounds, n_control=never))
                continue
            low, high = small_sample_interval(overall.estimate, overall.std_error, int(overall.n_treated), alpha)
            truth = impact.true_effects(dataset, outcome, panel, result, until_year or max(dataset.years),
                                        parts=("overall",)) if truth_known else None
            part_rows.append({"dimension": dimension, "subgroup": subgroup, "bound_low": bounds[0],
                              "bound_high": bounds[1], "entities": n_entities,
                              "adopters": adopters, "estimate": overall.estimate, "std_error": overall.std_error,
                              "t_df": int(overall.n_treated) - 1, "conf_low": low, "conf_high": high,
                              "adj_conf_low": np.nan, "adj_conf_high": np.nan, "n_treated": overall.n_treated,
                              "n_control": overall.n_control, "identified": True,
                              "true_effect": truth["overall"] if truth else np.nan, "comparison": found.comparison,
                              "note": "", "detail": ""})
            # scaled as the interval's standard error is
            influences.append(pd.Series(simple.influence[:, 0], index=simple.unit_ids)
                              * (small_sample_factor(int(overall.n_treated)) / simple.n_units))
        if dimension in SURVEY_DIMENSIONS and min(r["entities"] for r in part_rows) < min_group_size:
            # Complementary suppression: hiding only the small subgroup would leave it as the total minus the
            # other one, so every subgroup of the dimension goes, with its counts and its median split.
            rows.append(_gap(dimension, SUPPRESSED, found.comparison, "suppressed", detail=str(min_group_size)))
            tests.append(_no_test(dimension, "suppressed"))
            continue
        estimated = [r for r in part_rows if r["identified"]]
        level = alpha / (len(estimated) if adjust == "bonferroni" and estimated else 1)
        for row in estimated:
            row["adj_conf_low"], row["adj_conf_high"] = small_sample_interval(
                row["estimate"], row["std_error"], int(row["n_treated"]), level)
        rows += part_rows
        tests.append(_difference_test(dimension, [r["estimate"] for r in estimated], influences, alpha,
                                      min((int(r["n_treated"]) for r in estimated), default=0)))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["identified"] = table["identified"].astype(bool)
    settings = dict(entities=entities, covariates=covariates, control_group=control_group, method=method,
                    until_year=until_year, min_adopters=min_adopters, size_covariate=size_covariate,
                    it_team_covariate=it_team_covariate, min_group_size=min_group_size)
    return SubgroupEffects(outcome, alpha, adjust, table, pd.DataFrame(tests, columns=TEST_COLUMNS), settings)


def _reasons(result) -> str:
    """The kinds of reason cells were not identified ("too few units; overlap fails"), without the cell list."""
    cells = result.tidy()
    notes = cells.loc[~cells["identified"], "note"].astype(str)
    kinds = list(dict.fromkeys(n.split(":")[0].strip() for n in notes if n))
    return "; ".join(kinds) or "no identified cell"


def small_sample_interval(estimate: float, std_error: float, adopters: int, alpha: float) -> tuple[float, float]:
    """The ``1 - alpha`` interval of a subgroup estimate resting on ``adopters`` adopting entities.

    R did's analytic interval (``estimate +- z * std_error``) is too narrow when few entities adopted: the
    standard error is then driven by few treated units' changes, estimated with a divisor of ``G`` instead of
    ``G - 1`` and read off the normal distribution. As usual with few clusters (Cameron and Miller 2015,
    section VI; Donald and Lang 2007), the standard error is scaled by ``sqrt(G / (G - 1))`` and the critical
    value is Student's t with ``G - 1`` degrees of freedom, ``G`` the adopters in the estimate. For many
    adopters both corrections vanish. NaN below 2 adopters.

    References
    ----------
    Cameron, A. C. and Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. Journal of
    Human Resources 50(2), 317-372.
    Donald, S. G. and Lang, K. (2007). Inference with difference-in-differences and other panel data. Review
    of Economics and Statistics 89(2), 221-233.
    """
    if adopters < 2 or not np.isfinite(std_error):
        return float("nan"), float("nan")
    half = float(t_quantile(1 - alpha / 2, adopters - 1)) * std_error * small_sample_factor(adopters)
    return float(estimate - half), float(estimate + half)


def small_sample_factor(adopters: int) -> float:
    """``sqrt(G / (G - 1))``: what a standard error resting on ``G`` adopters is multiplied by (NaN below 2)."""
    return float(np.sqrt(adopters / (adopters - 1))) if adopters >= 2 else float("nan")


def subgroup_covariance(influences: list[pd.Series]) -> np.ndarray:
    """Covariance of subgroup estimates from influence functions aligned by entity id.

    Each series holds ``IF_i / n`` for the entities of one estimate, so that its
    variance is the sum of squares; estimates that share entities (a shared
    comparison group) covary through them, disjoint subgroups do not.
    """
    m = len(influences)
    cov = np.zeros((m, m))
    for a in range(m):
        for b in range(a, m):
            joint = influences[a].to_frame("a").join(influences[b].to_frame("b"), how="inner")
            cov[a, b] = cov[b, a] = float((joint["a"] * joint["b"]).sum())
    return cov


def _difference_test(dimension: str, estimates: list[float], influences: list[pd.Series], alpha: float,
                     fewest_adopters: int) -> dict:
    """Wald test that every estimated subgroup of a dimension has the same effect, read off an F distribution.

    ``influences`` carry the small-sample scaling of :func:`small_sample_interval`; the statistic ``W`` over
    its ``m - 1`` restrictions is referred to ``F(m - 1, G_min - 1)``, ``G_min`` the fewest adopters of a
    subgroup: conservative (in simulations of two subgroups with equal effects and 5-40 adopters it rejects
    0.5-4.2 % at 5 %, where the chi-square rejects 6-14 %: ``benchmarks/coverage_few_adopters.py
    --difference-test``), and the chi-square when every subgroup has many.
    """
    m = len(estimates)
    if m < 2:
        return _no_test(dimension, "fewer_than_two", subgroups=m, reading="not_tested")
    theta = np.asarray(estimates)
    contrast = np.hstack([-np.ones((m - 1, 1)), np.eye(m - 1)])  # each subgroup minus the first
    cov = subgroup_covariance(influences)
    diff = contrast @ theta
    try:
        statistic = float(diff @ np.linalg.solve(contrast @ cov @ contrast.T, diff))
    except np.linalg.LinAlgError:  # e.g. estimates with no variance: there is nothing to refer a difference to
        statistic = float("nan")
    if not (np.isfinite(statistic) and statistic >= 0):
        return _no_test(dimension, "singular", subgroups=m, reading="not_tested")
    p_value = float(f_sf(statistic / (m - 1), m - 1, fewest_adopters - 1))
    reading = "differ" if p_value < alpha else "no_difference"
    return {"dimension": dimension, "subgroups": m, "statistic": statistic, "df": m - 1,
            "df_denominator": fewest_adopters - 1, "p_value": p_value, "reading": reading, "note": ""}


# ------------------------------------------------------------------ persistence


@dataclass(frozen=True)
class Persistence:
    """Does the effect grow, persist or fade with years since adoption?

    ``early`` averages the effects of the first post-adoption years
    (``early_event_times``), ``late`` those of the last years that at least
    ``min_adopters`` adopters reach; ``difference = late - early`` with an
    interval from the event-time covariance (``std_error`` the analytic one),
    widened for the adopters the late years rest on. ``reading``: "grow" or
    "fade" when the difference's interval excludes zero; otherwise "persist"
    when the late effect's interval excludes zero, else "no lasting effect
    detected"; "not assessable" without separate early and late years (``note``
    is then the code ``no_early_late_years``). The readings are codes; their
    words are in ``evaluation.text.heterogeneity``.
    """

    reading: str
    early_event_times: tuple[int, ...]
    late_event_times: tuple[int, ...]
    early: float
    late: float
    late_conf_low: float
    late_conf_high: float
    difference: float
    std_error: float
    conf_low: float
    conf_high: float
    alpha: float
    note: str = ""

    def tidy(self) -> pd.DataFrame:
        return pd.DataFrame([{k: (", ".join(map(str, v)) if isinstance(v, tuple) else v)
                              for k, v in self.__dict__.items()}])


def persistence(dynamic, *, alpha: float = 0.05, early_event_times=(0, 1), late_count: int = 2,
                min_adopters: int = MIN_ADOPTERS) -> Persistence:
    """Read persistence from a ``dynamic`` aggregation (``GroupTimeResult.aggregate("dynamic")``).

    The late years are the last ``late_count`` identified event times that at
    least ``min_adopters`` adopters (and at least 2) reach (later ones rest on
    one or two cohorts). Uses the analytic covariance of the event-time
    estimates (``dynamic.vcov``), whatever inference the result carries; the
    intervals of the late effect and of the change are widened for the
    adopters the late years rest on, as the subgroups' are
    (:func:`small_sample_interval`, ``G`` the fewest adopters of a late year).
    """
    effects = dynamic.tidy()
    post = effects[(effects["event_time"] >= 0) & effects["identified"] & effects["std_error"].notna()]
    early = post[post["event_time"].isin(early_event_times)]
    late = post[(post["n_treated"] >= max(min_adopters, 2)) & ~post["event_time"].isin(early["event_time"])]
    late = late.tail(late_count)
    nan = float("nan")
    if early.empty or late.empty:
        return Persistence("not assessable", tuple(int(e) for e in early["event_time"]),
                           tuple(int(e) for e in late["event_time"]), nan, nan, nan, nan, nan, nan, nan, nan,
                           alpha, "no_early_late_years")
    cov = dynamic.vcov
    index = list(cov.index)
    c_early = np.zeros(len(index))
    c_late = np.zeros(len(index))
    for e in early["event_time"]:
        c_early[index.index(e)] = 1 / len(early)
    for e in late["event_time"]:
        c_late[index.index(e)] = 1 / len(late)
    values = cov.to_numpy()
    values = np.where(np.isfinite(values), values, 0.0)
    estimates = dynamic.coefficients.reindex(index).fillna(0).to_numpy()
    adopters = int(late["n_treated"].min())
    late_value, early_value = float(c_late @ estimates), float(c_early @ estimates)
    late_se = float(np.sqrt(c_late @ values @ c_late))
    contrast = c_late - c_early
    diff_se = float(np.sqrt(contrast @ values @ contrast))
    diff = late_value - early_value
    low, high = small_sample_interval(diff, diff_se, adopters, alpha)
    late_low, late_high = small_sample_interval(late_value, late_se, adopters, alpha)
    if low > 0:
        reading = "grow"
    elif high < 0:
        reading = "fade"
    elif late_low > 0 or late_high < 0:
        reading = "persist"
    else:
        reading = "no lasting effect detected"
    return Persistence(reading, tuple(int(e) for e in early["event_time"]), tuple(int(e) for e in late["event_time"]),
                       early_value, late_value, late_low, late_high, diff, diff_se, low, high, alpha)
