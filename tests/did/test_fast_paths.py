"""The fast paths of randomization inference and the power simulation give att_gt's numbers.

``evaluation.did.estimate._Variants`` checks a panel once and re-estimates it with other adoption
dates or another outcome; ``evaluation.did.group_time.DesignCache`` keeps the cells' nuisance designs
across outcomes. Each is compared here with the plain call of ``att_gt`` on the changed data frame
(layer 3 of the style guide: fast and slow paths agree), over the estimation methods, comparison
groups, with and without covariates, on balanced and unbalanced panels; and a cache must refuse a
panel it was not computed on.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from evaluation import did
from evaluation.did.estimate import _Variants
from evaluation.did.group_time import DesignCache, estimate_cells
from evaluation.did.panel import build_panel

COLUMNS = dict(outcome="y", unit="unit", time="period", cohort="cohort")
SETTINGS = [(method, control, covs) for method in ("dr", "ipw", "reg")
            for control in ("never_treated", "not_yet_treated") for covs in (None, ["x", "z"])]


def _panel(seed: int, *, unbalanced: bool, n_units: int = 160) -> pd.DataFrame:
    """Periods 2..7, cohorts 4, 5, 6, never treated (0) and always treated (1, dropped by att_gt);
    string unit ids in shuffled row order; a binary and a continuous covariate that shift the trend."""
    rng = np.random.default_rng(seed)
    periods = np.arange(2, 8)
    cohort = rng.choice([0, 0, 1, 4, 5, 6], n_units)
    x = rng.integers(0, 2, n_units).astype(float)
    z = rng.normal(size=n_units) + 0.3 * (cohort > 0)
    y = (rng.normal(size=n_units)[:, None] + 0.2 * periods + 0.4 * (x + z)[:, None] * periods
         + 0.5 * ((cohort[:, None] > 0) & (periods >= cohort[:, None])) + rng.normal(size=(n_units, periods.size)))
    frame = pd.DataFrame({"unit": np.repeat([f"u{i:03d}" for i in range(n_units)], periods.size),
                          "period": np.tile(periods, n_units), "cohort": np.repeat(cohort, periods.size),
                          "x": np.repeat(x, periods.size), "z": np.repeat(z, periods.size), "y": y.ravel()})
    if unbalanced:
        frame.loc[rng.random(len(frame)) < 0.08, "y"] = np.nan  # missing outcomes
        frame = frame[rng.random(len(frame)) >= 0.05]  # absent rows
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _assert_same(fast, plain) -> None:
    pd.testing.assert_frame_equal(fast.tidy(), plain.tidy(), check_exact=False, rtol=0, atol=1e-10)
    np.testing.assert_allclose(fast.influence, plain.influence, rtol=0, atol=1e-10)
    pd.testing.assert_frame_equal(fast.aggregate("simple").tidy(), plain.aggregate("simple").tidy(),
                                  check_exact=False, rtol=0, atol=1e-10)
    assert fast.messages == plain.messages


@pytest.mark.parametrize("unbalanced", [False, True], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("method,control_group,covariates", SETTINGS)
def test_simulated_outcomes_give_att_gt_numbers(method, control_group, covariates, unbalanced):
    data = _panel(3, unbalanced=unbalanced)
    options = dict(method=method, control_group=control_group, covariates=covariates)
    variants = _quiet(_Variants, data, **COLUMNS, **options)
    rng = np.random.default_rng(11)
    observed = data["y"].notna().to_numpy()
    for _ in range(3):  # the designs computed for the first outcome serve the next ones
        y = np.where(observed, rng.normal(size=len(data)) + data["z"].to_numpy(), np.nan)
        fast = _quiet(variants.with_outcome, y)
        plain = _quiet(did.att_gt, data.assign(y=y), **COLUMNS, **options)
        _assert_same(fast, plain)
    assert variants.designs.designs or covariates is None  # with covariates, designs were kept


@pytest.mark.parametrize("unbalanced", [False, True], ids=["balanced", "unbalanced"])
@pytest.mark.parametrize("method,control_group,covariates", SETTINGS)
def test_reassigned_cohorts_give_att_gt_numbers(method, control_group, covariates, unbalanced):
    data = _panel(5, unbalanced=unbalanced)
    options = dict(method=method, control_group=control_group, covariates=covariates)
    variants = _quiet(_Variants, data, **COLUMNS, **options)
    codes, uniques = pd.factorize(data["unit"])
    per_unit = data.groupby(codes)["cohort"].first().sort_index().to_numpy()
    rng = np.random.default_rng(2)
    for _ in range(3):  # which units are always treated (and dropped) changes with the draw
        assigned = rng.permutation(per_unit)[codes]
        _assert_same(_quiet(variants.with_cohorts, assigned),
                     _quiet(did.att_gt, data.assign(cohort=assigned), **COLUMNS, **options))


@pytest.mark.parametrize("method,control_group,covariates", SETTINGS)
def test_post_adoption_cells_alone_give_the_simple_average(method, control_group, covariates):
    """Randomization inference and power read only the simple average: their variants estimate the
    post-adoption cells only, which must leave its estimate and standard error as att_gt's."""
    data = _panel(13, unbalanced=True)
    options = dict(method=method, control_group=control_group, covariates=covariates)
    variants = _quiet(_Variants, data, **COLUMNS, **options)
    codes, _ = pd.factorize(data["unit"])
    per_unit = data.groupby(codes)["cohort"].first().sort_index().to_numpy()
    rng = np.random.default_rng(6)
    observed = data["y"].notna().to_numpy()
    for _ in range(2):
        assigned = rng.permutation(per_unit)[codes]
        y = np.where(observed, rng.normal(size=len(data)) + data["x"].to_numpy(), np.nan)
        for fast, plain in (
            (_quiet(variants.with_cohorts, assigned, post_only=True), _quiet(did.att_gt, data.assign(cohort=assigned),
                                                                            **COLUMNS, **options)),
            (_quiet(variants.with_outcome, y, post_only=True), _quiet(did.att_gt, data.assign(y=y), **COLUMNS,
                                                                     **options)),
        ):
            got, want = fast.aggregate("simple").tidy(), plain.aggregate("simple").tidy()
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=0, atol=1e-10)
            pre = fast.tidy()["time"] < fast.tidy()["cohort"]
            assert not fast.tidy().loc[pre, "identified"].any()  # the pre-adoption cells were skipped


def test_cells_sharing_a_sample_equal_the_cell_estimated_alone():
    """On an unbalanced panel, a cell's design is shared with the cells whose sample is the same
    units: each post-adoption cell must still equal att_gt on that cell's two periods and units alone."""
    data = _panel(7, unbalanced=True)
    data = data[data["cohort"] != 1]
    res = _quiet(did.att_gt, data, **COLUMNS, covariates=["x", "z"], method="dr").tidy()
    post = res[res["identified"] & (res["time"] >= res["cohort"])]
    assert len(post) >= 5
    for row in post.itertuples():  # base period of a post-adoption cell: the year before adoption
        two = data[data["period"].isin([row.cohort - 1, row.time]) & data["cohort"].isin([0, row.cohort])]
        two = two[two["y"].notna()]
        two = two[two.groupby("unit")["period"].transform("size") == 2]
        alone = _quiet(did.att_gt, two, **COLUMNS, covariates=["x", "z"], method="dr").tidy()
        cell = alone[(alone["cohort"] == row.cohort) & (alone["time"] == row.time)].iloc[0]
        assert cell["n_treated"] == row.n_treated and cell["n_control"] == row.n_control
        assert cell["estimate"] == pytest.approx(row.estimate, abs=1e-10)


def test_a_design_cache_refuses_another_panel():
    data = _panel(3, unbalanced=True)
    kw = dict(control_group="never_treated", method="dr", anticipation=0, base_period="varying")
    panel = _quiet(build_panel, data, **COLUMNS, covariates=("x", "z"))
    cache = DesignCache()
    estimate_cells(panel, **kw, designs=cache)
    # the same structure with another outcome: served from the cache, same numbers as without it
    other_y = panel.outcome + np.arange(panel.n_units)[None, :] * 0.01
    same = type(panel)(**{**panel.__dict__, "outcome": other_y})
    np.testing.assert_allclose(estimate_cells(same, **kw, designs=cache).estimate,
                               estimate_cells(same, **kw).estimate, rtol=0, atol=1e-12)
    changed_covariate = panel.covariates.copy()
    changed_covariate[:, 0, 1] += 1.0  # one unit's covariate
    missing_more = panel.outcome.copy()
    missing_more[np.unravel_index(np.flatnonzero(np.isfinite(missing_more))[0], missing_more.shape)] = np.nan
    for different in ({"covariates": changed_covariate}, {"outcome": missing_more},
                      {"weights": panel.weights * np.r_[2.0, np.ones(panel.n_units - 1)]}):
        with pytest.raises(ValueError, match="another panel"):
            estimate_cells(type(panel)(**{**panel.__dict__, **different}), **kw, designs=cache)
    with pytest.raises(ValueError, match="another panel"):
        estimate_cells(panel, **{**kw, "method": "ipw"}, designs=cache)


def test_a_variant_refuses_an_outcome_missing_elsewhere():
    data = _panel(3, unbalanced=True)
    variants = _quiet(_Variants, data, **COLUMNS, covariates=["x", "z"])
    y = data["y"].to_numpy().copy()
    y[np.flatnonzero(np.isfinite(y))[0]] = np.nan
    with pytest.raises(ValueError, match="missing exactly where"):
        variants.with_outcome(y)
    y = data["y"].to_numpy().copy()
    y[np.flatnonzero(np.isfinite(y))[0]] = np.inf
    with pytest.raises(ValueError, match="finite"):
        variants.with_outcome(y)


def test_power_and_randomization_inference_equal_their_plain_loops():
    """The public functions against the loops they replace: att_gt on each changed data frame."""
    from evaluation.did import _fixed_effects as fe
    from evaluation.did.power import _Simulator

    data = _panel(9, unbalanced=True)
    covs = ["x", "z"]
    pw = did.power(data, **COLUMNS, simulations=12, seed=4, covariates=covs)
    frame = fe.prepare(data, outcome="y", unit="unit", time="period", cohort="cohort", columns=tuple(covs),
                       covariates=tuple(covs))
    sim = _Simulator(frame)
    work = pd.DataFrame({"unit": frame["unit"], "period": frame["time"],
                         "cohort": np.where(np.isfinite(frame["cohort"]), frame["cohort"], 0),
                         "x": frame["x"].to_numpy(), "z": frame["z"].to_numpy()})
    rng = np.random.default_rng(4)
    est, se = [], []
    for _ in range(12):
        o = _quiet(did.att_gt, work.assign(y=sim.draw(rng)), **COLUMNS, method="reg",
                   covariates=covs).aggregate("simple").overall
        est.append(o.estimate)
        se.append(o.std_error)
    np.testing.assert_allclose(pw.null_estimates, est, rtol=0, atol=1e-10)
    np.testing.assert_allclose(pw.null_std_errors, se, rtol=0, atol=1e-10)

    ri = _quiet(did.randomization_inference, data, **COLUMNS, draws=8, seed=3, covariates=covs, method="dr")
    codes, _ = pd.factorize(data["unit"].to_numpy())
    per_unit = (pd.Series(pd.to_numeric(data["cohort"]).fillna(0).to_numpy(), index=codes)
                .groupby(level=0).first().sort_index().to_numpy())
    rng = np.random.default_rng(3)
    expected = []
    for _ in range(8):
        assigned = rng.permutation(per_unit)[codes]
        try:
            expected.append(_quiet(did.att_gt, data.assign(cohort=assigned), **COLUMNS, covariates=covs,
                                   method="dr").aggregate("simple").overall.estimate)
        except ValueError:
            expected.append(np.nan)
    np.testing.assert_allclose(ri.permuted, expected, rtol=0, atol=1e-10)
