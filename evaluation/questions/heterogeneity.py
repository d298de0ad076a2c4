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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from IPython.display import Markdown
from scipy import stats

from evaluation.questions import impact
from evaluation.questions import surveys
from evaluation.safe import escape_markdown
from evaluation.load.contract import LEVELS
from evaluation.panel import ENTITY_GROUPS, analysis_panel, resolve_covariates, select_entities

#: Dimensions of heterogeneity, with the words the report uses for them.
DIMENSIONS = {
    "level": "level of government",
    "region": "natural region",
    "peer_group": "FURAG peer group",
    "population": "population (thirds)",
    "it_team": "IT team size (thirds)",
    "alignment": "alignment (ICT offices, 2015 survey)",
    "commitment": "leadership commitment (directors, 2015 survey)",
}
#: Survey-based dimensions: the survey and scale that form them.
SURVEY_DIMENSIONS = {"alignment": ("survey_ict_offices", "alignment"), "commitment": ("survey_directors", "alignment")}
DEFAULT_DIMENSIONS = tuple(DIMENSIONS)
#: Fewest adopters with a year before adoption a subgroup needs for an estimate.
MIN_ADOPTERS = 5
WITHIN, SHARED = "within the subgroup", "all never-adopters of the group analysed"


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

    ``groups`` maps entity_id to subgroup label (entities left out are absent);
    ``order`` lists the labels in reading order; ``comparison`` says whom a
    subgroup's adopters are compared with (:data:`WITHIN` or :data:`SHARED`);
    ``note`` says why a dimension could not be formed.
    """

    dimension: str
    groups: pd.Series = field(repr=False)
    order: tuple[str, ...]
    comparison: str
    note: str = ""


def _terciles(values: pd.Series, unit: str) -> tuple[pd.Series, tuple[str, ...]]:
    values = values.dropna()
    if values.nunique() < 3:
        return pd.Series(dtype=object), ()
    codes, edges = pd.qcut(values, 3, labels=False, retbins=True, duplicates="drop")
    if len(edges) < 4:
        return pd.Series(dtype=object), ()
    labels = (f"smallest third (up to {edges[1]:,.0f} {unit})", f"middle third ({edges[1]:,.0f}–{edges[2]:,.0f})",
              f"largest third (over {edges[2]:,.0f} {unit})")
    return codes.map(dict(enumerate(labels))), labels


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
            return Assignment(dimension, empty, (), WITHIN, f"the entities table has no {dimension} values")
        groups = column.dropna().astype(object)
        return Assignment(dimension, groups, tuple(sorted(groups.unique())), WITHIN)
    if dimension in ("population", "it_team"):
        covariate = size_covariate if dimension == "population" else it_team_covariate
        if covariate not in dataset.covariates:
            return Assignment(dimension, empty, (), WITHIN, f"no covariate '{covariate}' in the entities table")
        unit = "inhabitants" if dimension == "population" else "IT staff"
        groups, order = _terciles(scope[covariate], unit)
        note = "" if order else f"'{covariate}' takes too few distinct values to cut into thirds"
        return Assignment(dimension, groups, order, WITHIN, note)
    # survey-based: adopters with a survey answer, split at the median score
    survey, scale = SURVEY_DIMENSIONS[dimension]
    if getattr(dataset, survey) is None:
        return Assignment(dimension, empty, (), SHARED, f"the {surveys.SURVEY_TITLES[survey]} is missing")
    scores = surveys.entity_scores(dataset, scale, survey, min_group_size=min_group_size)
    adopters = set(dataset.adoption["entity_id"])
    scores = scores[scores.index.isin(scope.index) & scores.index.isin(adopters)]
    if len(scores) < 2:
        return Assignment(dimension, empty, (), SHARED, "fewer than two adopters are linked to a survey answer")
    median = float(scores.median())
    word = "alignment" if dimension == "alignment" else "commitment"
    order = (f"higher {word} (score {median:.1f} or more)", f"lower {word} (score below {median:.1f})")
    groups = scores.map(lambda s: order[0] if s >= median else order[1]).astype(object)
    return Assignment(dimension, groups, order, SHARED)


# ------------------------------------------------------------------ estimation


TABLE_COLUMNS = ["dimension", "subgroup", "entities", "adopters", "estimate", "std_error", "conf_low", "conf_high",
                 "adj_conf_low", "adj_conf_high", "n_treated", "n_control", "identified", "true_effect",
                 "comparison", "note"]
TEST_COLUMNS = ["dimension", "subgroups", "statistic", "df", "p_value", "reading"]


@dataclass(frozen=True, eq=False)
class SubgroupEffects:
    """Overall effects by subgroup, with multiplicity-adjusted intervals and tests of difference.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per subgroup (:data:`TABLE_COLUMNS`): ``conf_low/high`` are
        pointwise, ``adj_conf_low/high`` Bonferroni-adjusted over the
        identified subgroups of the dimension (``adjust="none"``: pointwise);
        ``adopters`` counts adopters with a year before adoption;
        ``true_effect`` is the demo data's truth (NaN for real data); gaps have
        ``identified`` False and a ``note``.
    tests : pandas.DataFrame
        One row per dimension: Wald test that all its estimated subgroups have
        the same effect (``df`` = subgroups - 1).
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

    def display(self) -> pd.DataFrame:
        """The table for reading: one interval column (adjusted), who the subgroup was compared with, gaps' notes."""
        t = self.table
        out = pd.DataFrame({
            "dimension": t["dimension"].map(DIMENSIONS), "subgroup": t["subgroup"],
            "adopters": t["adopters"].astype("Int64"), "estimate": t["estimate"],
            "interval": [f"{lo:+.2f} to {hi:+.2f}" if np.isfinite(lo) else "–"
                         for lo, hi in zip(t["adj_conf_low"], t["adj_conf_high"])],
            "true effect (demo)": t["true_effect"],
            "compared with": t["comparison"].map({WITHIN: "non-adopters of the subgroup",
                                                  SHARED: "all non-adopters"}),
            "note": t["note"].fillna("")})
        return out.drop(columns=["true effect (demo)"]) if t["true_effect"].isna().all() else out

    def tests_display(self) -> pd.DataFrame:
        """The tests of difference for reading."""
        t = self.tests
        return pd.DataFrame({"dimension": t["dimension"].map(DIMENSIONS), "subgroups estimated": t["subgroups"],
                             "Wald statistic": t["statistic"], "df": t["df"],
                             "p-value": [p_text(p) if np.isfinite(p) else "–" for p in t["p_value"]],
                             "reading": t["reading"]})


def _adopters_with_pre_year(panel: pd.DataFrame) -> int:
    first = panel.groupby("entity_id")["year"].min()
    cohort = panel.groupby("entity_id")["cohort"].first()
    return int(((cohort > 0) & (first < cohort)).sum())


def _gap(dimension: str, subgroup: str, comparison: str, note: str, entities: int = 0, adopters: int = 0) -> dict:
    row = dict.fromkeys(TABLE_COLUMNS, np.nan)
    row.update(dimension=dimension, subgroup=subgroup, entities=entities, adopters=adopters, n_treated=0,
               n_control=0, identified=False, comparison=comparison, note=note)
    return row


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
            rows.append(_gap(dimension, "(none)", found.comparison, found.note or "no subgroups"))
            tests.append({"dimension": dimension, "subgroups": 0, "statistic": np.nan, "df": 0, "p_value": np.nan,
                          "reading": f"not assessed: {found.note or 'no subgroups'}"})
            continue
        part_rows, influences = [], []
        for subgroup in found.order:
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
                part_rows.append(_gap(dimension, subgroup, found.comparison,
                                      f"not estimable: {_adopters_text(adopters)} with a year of {outcome} before "
                                      f"adoption (needs {min_adopters})", n_entities, adopters))
                continue
            if control_group == "never_treated" and never < 2:
                part_rows.append(_gap(dimension, subgroup, found.comparison,
                                      f"not estimable: {never} entit{'y' if never == 1 else 'ies'} that never "
                                      "adopted to compare with", n_entities, adopters))
                continue
            try:
                result, _ = impact.estimate(panel, covs, control_group=control_group, method=method, alpha=alpha)
            except (ValueError, np.linalg.LinAlgError) as exc:
                part_rows.append(_gap(dimension, subgroup, found.comparison, f"not estimable: {exc}", n_entities,
                                      adopters))
                continue
            simple = result.aggregate("simple")
            overall = simple.overall
            if not overall.identified or not np.isfinite(overall.std_error):
                part_rows.append(_gap(dimension, subgroup, found.comparison,
                                      f"not estimable: no post-adoption cell could be estimated "
                                      f"({_reasons(result)})", n_entities, adopters))
                continue
            truth = impact.true_effects(dataset, outcome, panel, result, until_year or max(dataset.years)) \
                if truth_known else None
            part_rows.append({"dimension": dimension, "subgroup": subgroup, "entities": n_entities,
                              "adopters": adopters, "estimate": overall.estimate, "std_error": overall.std_error,
                              "conf_low": overall.conf_low, "conf_high": overall.conf_high,
                              "adj_conf_low": np.nan, "adj_conf_high": np.nan, "n_treated": overall.n_treated,
                              "n_control": overall.n_control, "identified": True,
                              "true_effect": truth["overall"] if truth else np.nan, "comparison": found.comparison,
                              "note": ""})
            influences.append(pd.Series(simple.influence[:, 0], index=simple.unit_ids) / simple.n_units)
        if dimension in SURVEY_DIMENSIONS and min(r["entities"] for r in part_rows) < min_group_size:
            # Complementary suppression: hiding only the small subgroup would leave it as the total minus the
            # other one, so every subgroup of the dimension goes, with its counts and its median split.
            note = (f"suppressed: a subgroup formed from survey answers would hold fewer than {min_group_size} "
                    "entities, so no subgroup of this dimension is shown")
            rows.append(_gap(dimension, "(suppressed)", found.comparison, note))
            tests.append({"dimension": dimension, "subgroups": 0, "statistic": np.nan, "df": 0, "p_value": np.nan,
                          "reading": f"not assessed: survey subgroup under {min_group_size} entities"})
            continue
        estimated = [r for r in part_rows if r["identified"]]
        critical = _critical_value(alpha, len(estimated), adjust)
        for row in estimated:
            row["adj_conf_low"] = row["estimate"] - critical * row["std_error"]
            row["adj_conf_high"] = row["estimate"] + critical * row["std_error"]
        rows += part_rows
        tests.append(_difference_test(dimension, [r["estimate"] for r in estimated], influences, alpha))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    table["identified"] = table["identified"].astype(bool)
    settings = dict(entities=entities, covariates=covariates, control_group=control_group, method=method,
                    until_year=until_year, min_adopters=min_adopters, size_covariate=size_covariate,
                    it_team_covariate=it_team_covariate, min_group_size=min_group_size)
    return SubgroupEffects(outcome, alpha, adjust, table, pd.DataFrame(tests, columns=TEST_COLUMNS), settings)


def _adopters_text(count: int) -> str:
    return "no adopter" if count == 0 else f"only {count} adopter{'' if count == 1 else 's'}"


def _reasons(result) -> str:
    """The kinds of reason cells were not identified ("too few units; overlap fails"), without the cell list."""
    cells = result.tidy()
    notes = cells.loc[~cells["identified"], "note"].astype(str)
    kinds = list(dict.fromkeys(n.split(":")[0].strip() for n in notes if n))
    return "; ".join(kinds) or "no identified cell"


def _critical_value(alpha: float, families: int, adjust: str) -> float:
    """Normal critical value, Bonferroni over ``families`` intervals when asked."""
    m = max(families, 1) if adjust == "bonferroni" else 1
    return float(stats.norm.ppf(1 - alpha / (2 * m)))


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


def _difference_test(dimension: str, estimates: list[float], influences: list[pd.Series], alpha: float) -> dict:
    """Wald test that every estimated subgroup of a dimension has the same effect."""
    m = len(estimates)
    if m < 2:
        return {"dimension": dimension, "subgroups": m, "statistic": np.nan, "df": 0, "p_value": np.nan,
                "reading": "not tested: fewer than two subgroups could be estimated"}
    theta = np.asarray(estimates)
    contrast = np.hstack([-np.ones((m - 1, 1)), np.eye(m - 1)])  # each subgroup minus the first
    cov = subgroup_covariance(influences)
    diff = contrast @ theta
    statistic = float(diff @ np.linalg.solve(contrast @ cov @ contrast.T, diff))
    p_value = float(stats.chi2.sf(statistic, m - 1))
    reading = "the subgroups differ" if p_value < alpha else "no difference between subgroups detected"
    return {"dimension": dimension, "subgroups": m, "statistic": statistic, "df": m - 1, "p_value": p_value,
            "reading": reading}


# ------------------------------------------------------------------ persistence


@dataclass(frozen=True)
class Persistence:
    """Does the effect grow, persist or fade with years since adoption?

    ``early`` averages the effects of the first post-adoption years
    (``early_event_times``), ``late`` those of the last years that at least
    ``min_adopters`` adopters reach; ``difference = late - early`` with an
    analytic interval from the event-time covariance. ``reading``: "grow" or
    "fade" when the difference's interval excludes zero; otherwise "persist"
    when the late effect's interval excludes zero, else "no lasting effect
    detected"; "not assessable" without separate early and late years.
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
    least ``min_adopters`` adopters reach (later ones rest on one or two
    cohorts). Uses the analytic covariance of the event-time estimates
    (``dynamic.vcov``), whatever inference the result carries.
    """
    effects = dynamic.tidy()
    post = effects[(effects["event_time"] >= 0) & effects["identified"] & effects["std_error"].notna()]
    early = post[post["event_time"].isin(early_event_times)]
    late = post[(post["n_treated"] >= min_adopters) & ~post["event_time"].isin(early["event_time"])].tail(late_count)
    nan = float("nan")
    if early.empty or late.empty:
        return Persistence("not assessable", tuple(int(e) for e in early["event_time"]),
                           tuple(int(e) for e in late["event_time"]), nan, nan, nan, nan, nan, nan, nan, nan,
                           alpha, "no separate early and late post-adoption years with enough adopters")
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
    z = float(stats.norm.ppf(1 - alpha / 2))
    late_value, early_value = float(c_late @ estimates), float(c_early @ estimates)
    late_se = float(np.sqrt(c_late @ values @ c_late))
    contrast = c_late - c_early
    diff_se = float(np.sqrt(contrast @ values @ contrast))
    diff = late_value - early_value
    low, high = diff - z * diff_se, diff + z * diff_se
    late_low, late_high = late_value - z * late_se, late_value + z * late_se
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


# ------------------------------------------------------------------ sentences


def p_text(p: float) -> str:
    """``p = 0.013``, or ``p < 0.001``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _years(event_times: tuple[int, ...]) -> str:
    if not event_times:
        return "none"
    if len(event_times) == 1:
        return f"year {event_times[0]}"
    return f"years {event_times[0]}–{event_times[-1]}"


_HEADLINES = {"grow": "The effect on {indicator} grows with years since adoption",
              "fade": "The effect on {indicator} fades with years since adoption",
              "persist": "The effect on {indicator} persists: no growth or fading was detected",
              "no lasting effect detected": "No lasting effect on {indicator} was detected"}


def persistence_sentence(result: Persistence, indicator: str) -> str:
    """The persistence reading in plain text: headline, then the numbers behind it."""
    if result.reading == "not assessable":
        return f"Persistence cannot be assessed on {indicator}: {result.note}."
    level = f"{100 * (1 - result.alpha):.0f}%"
    return (f"{_HEADLINES[result.reading].format(indicator=indicator)}: the average effect is {result.early:+.2f} "
            f"points in {_years(result.early_event_times)} after adoption and {result.late:+.2f} in "
            f"{_years(result.late_event_times)} ({level} interval {result.late_conf_low:+.2f} to "
            f"{result.late_conf_high:+.2f}); the change is {result.difference:+.2f} points ({level} interval "
            f"{result.conf_low:+.2f} to {result.conf_high:+.2f}).")


def persistence_text(result: Persistence, indicator: str) -> Markdown:
    """The sustainability reading for the report, headline in bold."""
    sentence = persistence_sentence(result, indicator)
    head, _, rest = sentence.partition(": ")
    return Markdown(f"**{head}.** {rest[:1].upper() + rest[1:]} Year 0 is the year the post was created, usually "
                    "only partly after it.")


def persistence_title(result: Persistence, indicator: str) -> str:
    """A title for the persistence figure that states the reading."""
    if result.reading == "not assessable":
        return f"Persistence of the effect on {indicator} cannot be assessed"
    verb = {"grow": "grows", "fade": "fades", "persist": "persists",
            "no lasting effect detected": "is not detected"}[result.reading]
    return (f"The effect on {indicator} {verb}: {result.early:+.1f} points in {_years(result.early_event_times)}, "
            f"{result.late:+.1f} in {_years(result.late_event_times)} after adoption")


def subgroup_text(effects: SubgroupEffects) -> Markdown:
    """One bullet per dimension: where the effect is largest and smallest, and whether they differ."""
    lines = []
    level = f"{100 * (1 - effects.alpha):.0f}%"
    adjusted = "Bonferroni-adjusted" if effects.adjust == "bonferroni" else "unadjusted"
    for test in effects.tests.itertuples():
        part = effects.dimension(test.dimension)
        name = DIMENSIONS[test.dimension]
        done = part[part["identified"]]
        gaps = part[~part["identified"]]
        gap_text = ("; not estimable: " + "; ".join(f"{escape_markdown(g.subgroup)} "
                                                     f"({escape_markdown(g.note.removeprefix('not estimable: '))})"
                                                     for g in gaps.itertuples())) if len(gaps) else ""
        if done.empty:
            lines.append(f"- **{_capital(name)}**: no subgroup could be estimated{gap_text}.")
            continue
        top = done.loc[done["estimate"].idxmax()]
        if len(done) == 1:
            lines.append(f"- **{_capital(name)}**: only {escape_markdown(top['subgroup'])} could be estimated: "
                         f"{top['estimate']:+.2f} "
                         f"points ({level} interval {top['conf_low']:+.2f} to {top['conf_high']:+.2f}){gap_text}.")
            continue
        low = done.loc[done["estimate"].idxmin()]
        verdict = ("**the subgroups differ**" if test.p_value < effects.alpha
                   else "no difference between subgroups was detected")
        lines.append(
            f"- **{_capital(name)}**: {verdict} (Wald test {p_text(test.p_value)}, {test.df} df). Largest "
            f"estimate: {escape_markdown(top['subgroup'])}, {top['estimate']:+.2f} points "
            f"({adjusted} {level} interval "
            f"{top['adj_conf_low']:+.2f} to {top['adj_conf_high']:+.2f}); smallest: "
            f"{escape_markdown(low['subgroup'])}, "
            f"{low['estimate']:+.2f} ({low['adj_conf_low']:+.2f} to {low['adj_conf_high']:+.2f}){gap_text}.")
    return Markdown("\n".join(lines) or "No dimension was analysed.")


def subgroup_title(effects: SubgroupEffects) -> str:
    """Title for the subgroup figure: along which dimensions the effect differs."""
    tested = effects.tests[effects.tests["df"] > 0]
    if tested.empty:
        return f"Too few subgroups could be estimated to compare effects on {effects.outcome}"
    differ = [DIMENSIONS[d] for d in tested.loc[tested["p_value"] < effects.alpha, "dimension"]]
    same = [DIMENSIONS[d] for d in tested.loc[tested["p_value"] >= effects.alpha, "dimension"]]
    if differ and same:
        return (f"Effects on {effects.outcome} differ by {', '.join(differ)}; "
                f"no difference detected by {', '.join(same)}")
    if differ:
        return f"Effects on {effects.outcome} differ by {', '.join(differ)}"
    return f"No difference in effects on {effects.outcome} was detected by {', '.join(same)}"


def adjustment_note(effects: SubgroupEffects) -> str:
    """The caption's statement of how the intervals were adjusted."""
    level = f"{100 * (1 - effects.alpha):.0f}%"
    if effects.adjust == "none":
        return f"{level} pointwise intervals (not adjusted for multiple comparisons)"
    return f"{level} intervals Bonferroni-adjusted over the estimated subgroups of each dimension"


def band_label(effects: SubgroupEffects) -> str:
    """Legend words for the intervals drawn: "Bonferroni-adjusted 95% interval" or "pointwise 95% interval"."""
    kind = "Bonferroni-adjusted" if effects.adjust == "bonferroni" else "pointwise"
    return f"{kind} {100 * (1 - effects.alpha):.0f}% interval"
