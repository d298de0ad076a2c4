"""Result objects of the staggered-adoption estimator, and the one ``tidy()`` schema.

Every table an estimator in this package hands out has the columns in
:data:`TIDY_SCHEMA`, in that order, minus the index columns that do not apply
(a group-time table has ``cohort, time, event_time``; an event study only
``event_time``; the overall ``simple`` effect none). Comparing estimators is then
``pd.concat([r.tidy().assign(estimator=...) for r in results])``.

The value columns are declared once, in the frozen :class:`Estimate`; every result
with a table in this schema composes one as its field ``values`` and reads the
columns from it as read-only attributes (:class:`WithEstimate`).

Results are frozen dataclasses. Nothing here estimates: a result only formats,
or recombines influence functions it already holds (``with_inference``,
``aggregate``), so changing the inference never re-runs the 2x2 regressions.

This module imports nothing from the package, so every estimator can import it
without an import circle. The methods ``aggregate`` and ``with_inference``
delegate to free functions (:func:`evaluation.did.aggregate.aggregate`,
:func:`evaluation.did.with_inference.with_inference`) that register themselves
here with :func:`operation` when ``evaluation.did`` is imported.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pandas as pd
from scipy import sparse, special

#: The free functions the result methods delegate to, by method name (see :func:`operation`).
_OPERATIONS: dict[str, Callable[..., Any]] = {}


def operation(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated free function as the implementation of the result method ``name``.

    The module defining it imports this one, never the reverse: that keeps the import graph
    free of circles while ``result.aggregate(...)`` keeps working.
    """

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        _OPERATIONS[name] = function
        return function

    return register


def _operation(name: str) -> Callable[..., Any]:
    try:
        return _OPERATIONS[name]
    except KeyError:  # only if this module was loaded without its package (importing evaluation.did loads all)
        raise RuntimeError(f"the {name} operation is not loaded: import evaluation.did first") from None


def cluster_sums(matrix: np.ndarray, codes: np.ndarray | None, n_clusters: int) -> np.ndarray:
    """Sum the rows of ``matrix`` within clusters (returns ``matrix`` itself when unclustered)."""
    if codes is None:
        return matrix
    n = codes.shape[0]
    indicator = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_clusters, n))
    return np.asarray(indicator @ matrix)


def covariance(if_rows: np.ndarray, codes: np.ndarray | None, n_clusters: int, n_units: int) -> np.ndarray:
    """Covariance of estimates from their influence functions: ``sum_c S_c S_c' / n^2`` over clusters ``c``."""
    sums = cluster_sums(if_rows, codes, n_clusters)
    return (sums.T @ sums) / n_units**2


#: The index columns, in the fixed order in which they lead every tidy table.
INDEX_COLUMNS: tuple[str, ...] = ("cohort", "time", "event_time")

#: The value columns every tidy table carries, after its index columns.
VALUE_COLUMNS: tuple[str, ...] = (
    "estimate",
    "std_error",
    "conf_low",
    "conf_high",
    "n_treated",
    "n_control",
    "identified",
    "note",
)

#: The single tidy schema: column -> (dtype, meaning). Index columns first.
TIDY_SCHEMA: dict[str, tuple[str, str]] = {
    "cohort": ("number", "Adoption period of the cohort (first period treated)."),
    "time": ("number", "Calendar period of the effect."),
    "event_time": ("number", "Periods since adoption, time - cohort (negative = before adoption)."),
    "estimate": ("float", "Point estimate (NaN when not identified)."),
    "std_error": ("float", "Standard error: analytic from influence functions, or multiplier-bootstrap."),
    "conf_low": ("float", "Lower confidence limit: pointwise, or a uniform band when the result says band='uniform'."),
    "conf_high": ("float", "Upper confidence limit, as conf_low."),
    "n_treated": ("int", "Distinct treated units that entered the estimate."),
    "n_control": ("int", "Distinct comparison units that entered the estimate."),
    "identified": ("bool", "False when the data cannot identify the effect; the row stays, with NaN."),
    "note": ("str", "Why a row is not identified, or what was left out of it; empty when nothing to say."),
}


def tidy_columns(index: tuple[str, ...]) -> list[str]:
    """Column order of a tidy table whose applicable index columns are ``index``."""
    unknown = set(index) - set(INDEX_COLUMNS)
    if unknown:
        raise ValueError(f"unknown index columns {sorted(unknown)}")
    return [c for c in INDEX_COLUMNS if c in index] + list(VALUE_COLUMNS)


def _tidy_values(result: Any) -> dict[str, Any]:
    """The value columns of the shared schema, read from a result's attributes of the same names."""
    return {k: list(getattr(result, k)) if k == "note" else getattr(result, k) for k in VALUE_COLUMNS}


def _tidy_frame(index: dict[str, np.ndarray], values: dict[str, Any]) -> pd.DataFrame:
    cols = tidy_columns(tuple(index))
    frame = pd.DataFrame({**index, **values})
    frame["identified"] = frame["identified"].astype(bool)
    frame["n_treated"] = frame["n_treated"].astype("int64")
    frame["n_control"] = frame["n_control"].astype("int64")
    frame["note"] = frame["note"].astype(object).fillna("").astype(str)
    return frame[cols]


class EventTimeCoefficients:
    """``coefficients`` and ``vcov`` by event time, for event-study results with ``event_time``,
    ``estimate`` and ``covariance`` (the reference event time included, with zero variance):
    the form :func:`evaluation.did.honest` and :func:`evaluation.did.pretrend_power` read."""

    event_time: np.ndarray
    covariance: np.ndarray
    estimate: Any  # the value property of WithEstimate, which every user of this class also is

    @property
    def coefficients(self) -> pd.Series:
        return pd.Series(self.estimate, index=pd.Index(self.event_time, name="event_time"), name="estimate")

    @property
    def vcov(self) -> pd.DataFrame:
        idx = pd.Index(self.event_time, name="event_time")
        return pd.DataFrame(self.covariance, index=idx, columns=idx)


@dataclass(frozen=True)
class Settings:
    """The arguments a result was made with (so a saved result explains itself)."""

    outcome: str
    unit: str
    time: str
    cohort: str
    control_group: str
    covariates: tuple[str, ...]
    method: str
    anticipation: int
    base_period: str
    cluster: str | None
    weights: str | None
    bootstrap: int | None
    seed: int | None
    alpha: float
    bootstrap_weights: str
    panel: bool = True  # False: repeated cross-sections (att_gt(panel=False))
    cluster_bootstrap: str | None = None  # "wild": wild cluster bootstrap-t (evaluation.did.wild_bootstrap)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class Inference:
    """How the uncertainty of a result was computed."""

    alpha: float
    cluster: str | None
    n_clusters: int
    bootstrap: int | None
    seed: int | None
    bootstrap_weights: str
    band: str  # "pointwise" or "uniform"
    critical_value: float
    cluster_bootstrap: str | None = None  # "wild": Webb-weight wild cluster bootstrap-t limits


@dataclass(frozen=True)
class Estimate:
    """The value columns of the tidy schema, declared once: one estimate or one per row.

    Every result composes one of these as its ``values`` (scalars for one summary
    number such as ``agg.overall``; aligned arrays, and a tuple of notes, for a
    table of rows) and reads ``estimate``, ``std_error``, ``conf_low``,
    ``conf_high``, ``n_treated``, ``n_control``, ``identified`` and ``note`` from
    it through read-only properties (:class:`WithEstimate`). The field names are
    :data:`VALUE_COLUMNS`, in that order.
    """

    estimate: Any
    std_error: Any
    conf_low: Any
    conf_high: Any
    n_treated: Any
    n_control: Any
    identified: Any
    note: Any = ""

    def tidy(self) -> pd.DataFrame:
        """One row (a scalar estimate) or one row per entry (arrays), value columns only."""
        values = {k: getattr(self, k) for k in VALUE_COLUMNS}
        if np.ndim(values["estimate"]) == 0:
            values = {k: [v] for k, v in values.items()}
        else:
            values["note"] = list(values["note"])
        return _tidy_frame({}, values)


#: One summary number with its uncertainty (``agg.overall``): an :class:`Estimate` of scalars.
OverallEstimate = Estimate


def _value_property(name: str) -> property:
    def read(self: Any) -> Any:
        return getattr(self.values, name)

    read.__name__ = name
    read.__doc__ = f"{TIDY_SCHEMA[name][1]} Read-only: ``values.{name}`` (see :class:`Estimate`)."
    return property(read)


class WithEstimate:
    """Base of the results that compose an :class:`Estimate` as their field ``values``.

    Gives them the tidy value columns as read-only attributes (``result.estimate``
    is ``result.values.estimate``, and so on for every name in :data:`VALUE_COLUMNS`).
    A changed copy is ``dataclasses.replace(result, values=dataclasses.replace(result.values, ...))``.
    """

    values: Estimate

    if TYPE_CHECKING:
        # Set below as properties, one per name in VALUE_COLUMNS; declared here for the type checker.
        estimate: Any
        std_error: Any
        conf_low: Any
        conf_high: Any
        n_treated: Any
        n_control: Any
        identified: Any
        note: Any


for _name in VALUE_COLUMNS:
    setattr(WithEstimate, _name, _value_property(_name))
del _name


@dataclass(frozen=True)
class PretestResult:
    """Wald test that all pre-adoption group-time effects are zero.

    The statistic is ``b' V^{-1} b`` over the identified pre-adoption cells
    (``time < cohort - anticipation``), with ``V`` their covariance from the
    influence functions (cluster-robust when the result is clustered); under
    parallel trends and no anticipation it is chi-square with ``df`` degrees of
    freedom (Callaway and Sant'Anna 2021, section 4.2; R ``did``'s ``W``/``Wpval``).
    """

    statistic: float
    df: int
    p_value: float
    cells: tuple[tuple[Any, Any], ...]
    note: str = ""

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in (
                ("Wald statistic", f"{self.statistic:.4f}"),
                ("degrees of freedom", self.df),
                ("p-value", f"{self.p_value:.4f}"),
                ("pre-adoption cells", len(self.cells)),
                ("note", self.note),
            )
        )
        return f"<div><strong>Pre-trend test</strong><table>{rows}</table></div>"


def _fmt(x: Any) -> str:
    if isinstance(x, float | np.floating):
        return "" if np.isnan(x) else f"{x:.4f}"
    return html.escape(str(x))


def _html_table(frame: pd.DataFrame, caption: str, header: dict[str, Any], footer: str = "") -> str:
    head = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in header.items()
    )
    cols = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        style = "" if getattr(row, "identified", True) else " style='color:#888'"
        body.append(f"<tr{style}>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>")
    foot = f"<p>{html.escape(footer)}</p>" if footer else ""
    return (
        f"<div><strong>{html.escape(caption)}</strong><table>{head}</table>"
        f"<table><thead><tr>{cols}</tr></thead><tbody>{''.join(body)}</tbody></table>{foot}</div>"
    )


# --------------------------------------------------------------------------------------
# group-time result
# --------------------------------------------------------------------------------------


def _inference_header(settings: Settings, inference: Inference, n_units: int) -> dict[str, Any]:
    se_kind = (
        f"multiplier bootstrap, {inference.bootstrap} draws ({inference.bootstrap_weights}), seed {inference.seed}"
        if inference.bootstrap
        else "analytic (influence functions)"
    )
    if inference.cluster_bootstrap == "wild":
        se_kind = (
            f"analytic cluster-robust; limits from a wild cluster bootstrap-t, {inference.bootstrap} draws "
            f"(Webb weights), seed {inference.seed}"
        )
    return {
        "outcome": settings.outcome,
        "comparison group": settings.control_group,
        "method": settings.method,
        "covariates": ", ".join(settings.covariates) or "none",
        "base period": settings.base_period,
        "anticipation": settings.anticipation,
        "units": n_units,
        "standard errors": se_kind,
        "clustered by": inference.cluster or "unit",
        "intervals": f"{1 - inference.alpha:.0%} {inference.band}"
        + (f" (critical value {inference.critical_value:.3f})" if inference.band == "uniform" else ""),
    }


@dataclass(frozen=True, eq=False)
class GroupTimeResult(WithEstimate):
    """Group-time average treatment effects ATT(g, t) (Callaway and Sant'Anna 2021).

    Made by :func:`evaluation.did.att_gt`; see there for the estimator. Arrays
    are aligned by cell (cohort-major, time-minor, as R did orders them); the
    influence-function matrix is aligned by unit with :attr:`unit_ids`.

    Attributes
    ----------
    settings : Settings
        The arguments of the ``att_gt`` call.
    inference : Inference
        How standard errors and limits were computed (``band`` is
        ``"pointwise"`` or ``"uniform"``).
    cohort, time, event_time, base_time : ndarray
        Cell coordinates; ``base_time`` is the period each cell compares with.
    values : Estimate
        One entry per cell: ``estimate``, ``std_error``, ``conf_low``,
        ``conf_high``; ``n_treated``, ``n_control`` (units of the cohort / of the
        comparison group observed in both periods); ``identified``; ``note``
        (tuple of str). Each is also a read-only attribute of the result.
    reference : ndarray of bool
        Marks base-period cells fixed at 0 (universal base period).
    influence : ndarray (n_units, n_cells)
        Influence functions, scaled so that ``Var = sum(IF**2) / n_units**2``.
    unit_ids : ndarray (n_units,)
    """

    settings: Settings
    inference: Inference
    cohort: np.ndarray
    time: np.ndarray
    event_time: np.ndarray
    base_time: np.ndarray
    values: Estimate
    reference: np.ndarray
    influence: np.ndarray
    unit_ids: np.ndarray
    unit_cohort: np.ndarray
    unit_weights: np.ndarray
    cluster_codes: np.ndarray | None
    roles: np.ndarray = field(repr=False)
    share_cohorts: np.ndarray = field(repr=False)
    bootstrap_draws: np.ndarray | None = field(default=None, repr=False)
    messages: tuple[str, ...] = ()
    wild_multipliers: np.ndarray | None = field(default=None, repr=False)  # (draws, clusters) Webb weights

    # ---- basic facts -------------------------------------------------------------
    @property
    def n_units(self) -> int:
        return int(self.unit_ids.shape[0])

    @property
    def n_cells(self) -> int:
        return int(self.estimate.shape[0])

    @property
    def n_clusters(self) -> int:
        return self.n_units if self.cluster_codes is None else int(self.cluster_codes.max()) + 1

    @property
    def band(self) -> str:
        """``"pointwise"`` (analytic) or ``"uniform"`` (bootstrap sup-t band over the cells)."""
        return self.inference.band

    @property
    def usable(self) -> np.ndarray:
        """Cells with an estimate that has sampling variation (identified, not a reference)."""
        return self.identified & ~self.reference

    # ---- tables -----------------------------------------------------------------------
    def tidy(self) -> pd.DataFrame:
        """One row per (cohort, time) cell, in the shared :data:`TIDY_SCHEMA`."""
        index = {"cohort": _labels(self.cohort, self.time), "time": self.time,
                 "event_time": _labels(self.event_time, self.time)}
        return _tidy_frame(index, _tidy_values(self))

    @property
    def vcov(self) -> pd.DataFrame:
        """Analytic covariance of the cell estimates (cluster-robust when clustered)."""
        cov = covariance(self.influence, self.cluster_codes, self.n_clusters, self.n_units)
        bad = ~self.identified
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
        idx = pd.MultiIndex.from_arrays([_labels(self.cohort, self.time), self.time], names=["cohort", "time"])
        return pd.DataFrame(cov, index=idx, columns=idx)

    def influence_frame(self) -> pd.DataFrame:
        """The influence-function matrix labelled by unit id (rows) and (cohort, time) (columns)."""
        cols = pd.MultiIndex.from_arrays([_labels(self.cohort, self.time), self.time], names=["cohort", "time"])
        return pd.DataFrame(self.influence, index=pd.Index(self.unit_ids, name=self.settings.unit), columns=cols)

    # ---- derived results -----------------------------------------------------------------
    def pretest(self) -> PretestResult:
        """Wald pre-test of parallel trends over the pre-adoption cells.

        Uses the identified cells with ``time < cohort - anticipation`` that are
        not reference cells; R did's ``W`` and ``Wpval`` (R rounds the p-value
        to 5 decimals; this one is not rounded). With ``anticipation > 0`` R
        also includes the anticipation window ``cohort - anticipation <= time <
        cohort``; those cells may carry anticipated effects under the maintained
        assumptions, so they are left out here.
        """
        antic = self.settings.anticipation
        pre = self.usable & (self.time.astype(float) < self.cohort - antic) & np.isfinite(self.std_error)
        cells = tuple(zip(_labels(self.cohort, self.time)[pre].tolist(), self.time[pre].tolist()))
        n_skipped = int(((self.time.astype(float) < self.cohort - antic) & ~self.usable & ~self.reference).sum())
        skipped = f"; {n_skipped} unidentified pre-adoption cell(s) left out" if n_skipped else ""
        if not pre.any():
            return PretestResult(np.nan, 0, np.nan, (), "no identified pre-adoption cells to test" + skipped)
        cov = covariance(self.influence[:, pre], self.cluster_codes, self.n_clusters, self.n_units)
        b = self.estimate[pre]
        if np.linalg.cond(cov, 1) * np.finfo(float).eps >= 1:
            return PretestResult(np.nan, int(pre.sum()), np.nan, cells, "covariance of pre-adoption cells is singular" + skipped)
        stat = float(b @ np.linalg.solve(cov, b))
        df = int(pre.sum())
        # scipy.stats.chi2.sf(stat, df), from scipy.special without importing scipy.stats (evaluation.did.distributions
        # says why; this module imports nothing from the package): df >= 1 here, and a statistic rounded below 0 has
        # tail probability 1
        p_value = float(special.chdtrc(df, max(stat, 0.0)) if not np.isnan(stat) else np.nan)
        return PretestResult(stat, df, p_value, cells, "chi-square reference distribution" + skipped)

    def aggregate(
        self,
        type: str = "dynamic",
        *,
        min_event: float | None = None,
        max_event: float | None = None,
        balance: int | None = None,
    ) -> AggregateResult:
        """Aggregate the cells (Callaway and Sant'Anna 2021, section 3).

        Parameters
        ----------
        type : {"simple", "group", "dynamic", "calendar"}
            ``simple``: post-adoption cells weighted by cohort size;
            ``group``: by cohort, averaged over its post-adoption periods (overall
            weights cohorts by size); ``dynamic``: by event time (overall averages
            event times >= 0); ``calendar``: by period (overall averages periods).
        min_event, max_event : number, optional
            Event-time window (``dynamic``; ``simple`` and ``group`` use it to
            limit the post-adoption periods included). R's ``min_e``/``max_e``.
        balance : int, optional
            ``dynamic`` only: keep cohorts observed for at least ``balance``
            periods after adoption whose cells at event times 0..``balance`` are
            all identified, and event times up to ``balance``. R's ``balance_e``
            (which does not check that the cells are identified).

        Unidentified cells are skipped, and each row's ``note`` says which.
        Aggregation reuses the stored influence functions (and bootstrap draws);
        nothing is re-estimated. Same as :func:`evaluation.did.aggregate.aggregate`.
        """
        return _operation("aggregate")(self, type, min_event=min_event, max_event=max_event, balance=balance)

    def with_inference(
        self,
        *,
        alpha: float | None = None,
        cluster: Any = "keep",
        bootstrap: int | None | str = "keep",
        seed: int | None | str = "keep",
        bootstrap_weights: str | None = None,
    ) -> GroupTimeResult:
        """A new result with other inference settings; this one is unchanged.

        Same as :func:`evaluation.did.with_inference.with_inference` (``with_inference(result, ...)``).

        ``cluster`` may be ``None`` (unit level) or a ``pandas.Series`` mapping
        each unit id to its cluster; the default keeps the current clustering.
        """
        return _operation("with_inference")(
            self, alpha=alpha, cluster=cluster, bootstrap=bootstrap, seed=seed, bootstrap_weights=bootstrap_weights
        )

    def _repr_html_(self) -> str:
        footer = " ".join(self.messages)
        return _html_table(
            self.tidy(),
            "Group-time average treatment effects, ATT(g, t)",
            _inference_header(self.settings, self.inference, self.n_units),
            footer,
        )

    def __repr__(self) -> str:
        ident = int(self.identified.sum())
        return (
            f"GroupTimeResult({self.n_cells} cells, {ident} identified, {self.n_units} units, "
            f"method={self.settings.method!r}, control_group={self.settings.control_group!r}, band={self.inference.band!r})"
        )


def _labels(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Cohort and event-time labels in the dtype of the time column when they are whole."""
    values = np.asarray(values)
    if np.issubdtype(np.asarray(like).dtype, np.integer) and np.all(np.isfinite(values)) and np.all(np.mod(values, 1) == 0):
        return values.astype(np.int64)
    return values


# --------------------------------------------------------------------------------------
# aggregated result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AggregateResult(WithEstimate):
    """An aggregation of group-time effects (``GroupTimeResult.aggregate``).

    Attributes
    ----------
    type : str
        ``simple``, ``group``, ``dynamic`` or ``calendar``.
    index_name : str or None
        ``cohort`` (group), ``event_time`` (dynamic), ``time`` (calendar), None (simple).
    index : ndarray
        The row labels.
    values : Estimate
        One entry per row (empty for ``simple``); also read as ``estimate``,
        ``std_error``, ... attributes.
    overall : Estimate
        The summary number (R's ``overall.att``, ``overall.se``).
    influence : ndarray (n_units, n_rows)
        Influence functions of the rows (include the estimated cohort shares).
    skipped_cells : tuple
        Unidentified (cohort, time) cells that the aggregation left out.
    """

    settings: Settings
    inference: Inference
    type: str
    options: dict[str, Any]
    index_name: str | None
    index: np.ndarray
    values: Estimate
    overall: Estimate
    influence: np.ndarray = field(repr=False)
    unit_ids: np.ndarray = field(repr=False)
    cluster_codes: np.ndarray | None = field(repr=False)
    skipped_cells: tuple[tuple[Any, Any], ...] = ()
    bootstrap_draws: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_units(self) -> int:
        return int(self.unit_ids.shape[0])

    @property
    def band(self) -> str:
        """``"pointwise"``, or ``"uniform"`` when the rows' limits form a bootstrap sup-t band."""
        return self.inference.band

    @property
    def coefficients(self) -> pd.Series:
        """Row estimates labelled by the index (event times for ``dynamic``; the overall effect for ``simple``)."""
        if self.index_name is None:
            return pd.Series([self.overall.estimate], index=pd.Index(["overall"]), name="estimate")
        return pd.Series(self.estimate, index=pd.Index(self.index, name=self.index_name), name="estimate")

    @property
    def vcov(self) -> pd.DataFrame:
        """Analytic covariance of the row estimates from their influence functions.

        Cluster-robust when the result is clustered; rows that are not identified
        are NaN and a reference row (fixed at 0) is zero. This is the input an
        event-study sensitivity analysis (e.g. HonestDiD) needs with ``coefficients``.
        """
        n_clusters = self.n_units if self.cluster_codes is None else int(self.cluster_codes.max()) + 1
        cov = covariance(self.influence, self.cluster_codes, n_clusters, self.n_units)
        if self.index_name is None:  # simple: the overall effect alone
            return pd.DataFrame(cov, index=["overall"], columns=["overall"])
        bad = ~self.identified
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
        idx = pd.Index(self.index, name=self.index_name)
        return pd.DataFrame(cov, index=idx, columns=idx)

    def tidy(self) -> pd.DataFrame:
        """One row per event time / cohort / period (``simple``: the overall effect), shared schema."""
        if self.index_name is None:
            return self.overall.tidy()
        return _tidy_frame({self.index_name: self.index}, _tidy_values(self))

    def _repr_html_(self) -> str:
        o = self.overall
        header = _inference_header(self.settings, self.inference, self.n_units)
        header["aggregation"] = self.type + "".join(f", {k}={v}" for k, v in self.options.items() if v is not None)
        header["overall"] = (
            f"{o.estimate:.4f} (s.e. {o.std_error:.4f}; {1 - self.inference.alpha:.0%} CI "
            f"{o.conf_low:.4f} to {o.conf_high:.4f})"
        )
        if o.note:
            header["overall note"] = o.note
        return _html_table(self.tidy(), f"Aggregated effects: {self.type}", header)

    def __repr__(self) -> str:
        o = self.overall
        return (
            f"AggregateResult(type={self.type!r}, rows={len(self.index)}, overall={o.estimate:.6g} "
            f"(se {o.std_error:.6g}), band={self.inference.band!r})"
        )
