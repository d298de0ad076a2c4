"""Change the inference of a group-time result without re-estimating it.

``GroupTimeResult.with_inference(...)`` delegates here; see :mod:`evaluation.did.results`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .estimate import _check_inference_args, _infer, _shorten
from .results import GroupTimeResult, operation


@operation("with_inference")
def with_inference(
    res: GroupTimeResult,
    *,
    alpha: float | None = None,
    cluster: Any = "keep",
    bootstrap: int | None | str = "keep",
    seed: int | None | str = "keep",
    bootstrap_weights: str | None = None,
) -> GroupTimeResult:
    """A new group-time result with other inference settings; ``res`` is unchanged.

    Parameters
    ----------
    res : GroupTimeResult
    alpha : 1 - confidence level (default: the result's).
    cluster : None (unit level), a ``pandas.Series`` mapping each unit id to its cluster, or
        ``"keep"`` (the current clustering).
    bootstrap, seed : multiplier-bootstrap draws and seed, or ``"keep"``.
    bootstrap_weights : the multiplier distribution (default: the result's).

    Only the standard errors, limits and draws are recomputed, from the stored influence
    functions; no 2x2 regression is re-run (as statsmodels' ``get_robustcov_results``).
    """
    settings = res.settings
    alpha = settings.alpha if alpha is None else alpha
    bootstrap = settings.bootstrap if bootstrap == "keep" else bootstrap
    seed = settings.seed if seed == "keep" else seed
    kind = settings.bootstrap_weights if bootstrap_weights is None else bootstrap_weights
    _check_inference_args(alpha, bootstrap, kind)
    assert not isinstance(bootstrap, str)  # _check_inference_args refuses any text but "keep"
    if isinstance(seed, str):
        raise ValueError(f"seed must be None, an integer or 'keep', not {seed!r}")
    codes = res.cluster_codes
    cluster_name = settings.cluster
    if cluster is None:
        codes, cluster_name = None, None
    elif isinstance(cluster, pd.Series):
        labels = cluster.reindex(pd.Index(res.unit_ids))
        if labels.isna().any():
            missing = labels.index[labels.isna()].tolist()
            raise ValueError(f"cluster has no value for unit(s) {_shorten([str(m) for m in missing], 5)}")
        codes = np.unique(pd.factorize(labels)[0], return_inverse=True)[1].astype(np.int64)
        cluster_name = cluster.name if cluster.name is not None else "custom"
    elif not (isinstance(cluster, str) and cluster == "keep"):
        raise TypeError("cluster must be None, a pandas Series indexed by unit id, or left out to keep the current one")
    new_settings = replace(settings, alpha=alpha, bootstrap=bootstrap, seed=seed, bootstrap_weights=kind, cluster=cluster_name)
    res2 = replace(res, settings=new_settings, cluster_codes=codes)
    return _infer(res2, alpha=alpha, bootstrap=bootstrap, seed=seed, kind=kind)


__all__ = ["with_inference"]
