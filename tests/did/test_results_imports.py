"""did/results.py is a leaf: it imports nothing from the package, and its methods delegate to free functions."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation import did
from evaluation.did.aggregate import aggregate
from evaluation.did.with_inference import with_inference

RESULTS = Path(did.__file__).with_name("results.py")


def test_results_imports_nothing_from_the_package():
    imports = []
    for node in ast.walk(ast.parse(RESULTS.read_text(encoding="utf-8"))):  # inside functions too
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("evaluation")):
            imports.append(f"line {node.lineno}: from {'.' * node.level}{node.module or ''}")
        elif isinstance(node, ast.Import):
            imports += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.startswith("evaluation")]
    assert not imports, imports


def _panel(seed=3):
    rng = np.random.default_rng(seed)
    units, years = 60, range(2010, 2016)
    cohort = rng.choice([0, 2012, 2013, 2014], units)
    rows = [{"unit": u, "year": t, "cohort": cohort[u],
             "y": rng.normal() + 0.5 * u % 3 + (1.0 if cohort[u] and t >= cohort[u] else 0.0),
             "region": u % 6} for u in range(units) for t in years]
    return pd.DataFrame(rows)


def test_methods_and_free_functions_give_the_same_results():
    data = _panel()
    res = did.att_gt(data, outcome="y", unit="unit", time="year", cohort="cohort")
    for kind in did.AGGREGATIONS:
        pd.testing.assert_frame_equal(res.aggregate(kind).tidy(), aggregate(res, kind).tidy())
    clusters = data.groupby("unit")["region"].first()
    by_method = res.with_inference(cluster=clusters, alpha=0.1)
    by_function = with_inference(res, cluster=clusters, alpha=0.1)
    pd.testing.assert_frame_equal(by_method.tidy(), by_function.tidy())
    assert by_method.settings == by_function.settings and by_method.settings.cluster == "region"
    # The original is unchanged; only the uncertainty moved.
    np.testing.assert_array_equal(by_method.estimate, res.estimate)
    assert res.settings.cluster is None and res.settings.alpha == 0.05
