"""The power of the pre-trend test (Roth 2022).

Passing a pre-trend test is weak evidence when the test could not have
detected a violation of parallel trends large enough to matter. Roth (2022)
asks two questions of an event study's pre-adoption coefficients:

- how steep a *linear* violation of parallel trends would the pre-test detect
  with a given probability (say half the time)? (``slope``)
- against a hypothesised violation, how often would the pre-test detect it
  (``power``); how much more likely is it to pass the test under parallel
  trends than under the violation (the Bayes factor, ``(1 - power) / (1 -
  size)``); and how much more likely are the estimated coefficients under the
  violation than under parallel trends (``likelihood_ratio``)?

The pre-test is the one most readers apply: "some pre-adoption coefficient is
individually significant", i.e. ``|beta_j / se_j| > 1.96`` for some ``j``. The
estimated pre-adoption coefficients are treated as normal with the estimated
covariance; under a violation ``delta`` their mean is ``delta``, so power is one
minus a multivariate normal probability of a rectangle.

The numbers reproduce R ``pretrends`` (Roth's package): ``slope_for_power``
and ``pretrends(...)$df_power``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .distributions import normal_cdf

# scipy.optimize and scipy.stats are imported where used (see evaluation.did.distributions).

#: The t-statistic above which a pre-adoption coefficient counts as significant (as R pretrends).
CRITICAL_VALUE = 1.96


@dataclass(frozen=True, eq=False)
class PretrendPowerResult:
    """Power of the pre-trend test (:func:`pretrend_power`).

    Attributes
    ----------
    settings : dict
        ``source`` (the kind of event study read), ``reference``,
        ``target_power``, ``critical_value`` and ``trend`` (as given).
    event_time, beta, std_error : ndarray
        The pre-adoption coefficients tested, their estimates and standard errors.
    sigma : ndarray
        Their covariance.
    shape : ndarray
        What a linear violation of slope 1 (one outcome unit per period, in
        event time) does to each pre-adoption coefficient: ``event_time -
        reference`` for coefficients measured from one reference period; 1
        for one-period changes (``att_gt`` with a varying base period); the
        exact response of the imputation estimator's pre-trend regression.
    slope : float
        The slope of a linear violation detected with probability ``target_power``.
    size : float
        Probability that the pre-test rejects under exact parallel trends.
    violation : ndarray or None
        The hypothesised violation at each pre-adoption coefficient (``trend``).
    power, bayes_factor, likelihood_ratio : float
        Against ``violation`` (NaN when no ``trend`` was given, with ``note`` saying so).
    """

    settings: dict[str, Any]
    event_time: np.ndarray
    beta: np.ndarray
    std_error: np.ndarray
    sigma: np.ndarray = field(repr=False)
    shape: np.ndarray = field(repr=False)
    slope: float = np.nan
    size: float = np.nan
    violation: np.ndarray | None = None
    power: float = np.nan
    bayes_factor: float = np.nan
    likelihood_ratio: float = np.nan
    notes: tuple[str, ...] = ()

    @property
    def target_power(self) -> float:
        return float(self.settings["target_power"])

    def against(self, slope: float) -> PretrendPowerResult:
        """A new result with the power, Bayes factor and likelihood ratio against a linear trend of ``slope``
        (the slope for the target power is kept; nothing is re-estimated)."""
        violation = float(slope) * self.shape
        power, bf, lr, more = _against(self.beta, self.sigma, violation, self.size, self.settings["critical_value"])
        return replace(self, settings={**self.settings, "trend": float(slope)}, violation=violation, power=power,
                       bayes_factor=bf, likelihood_ratio=lr, notes=tuple(n for n in self.notes if "singular" not in n)
                       + tuple(more))

    def tidy(self) -> pd.DataFrame:
        """One row per pre-adoption coefficient: ``event_time, estimate, std_error, violation_at_target_power,
        hypothesised_violation`` (the last NaN without a ``trend``)."""
        hyp = self.violation if self.violation is not None else np.full(self.beta.size, np.nan)
        return pd.DataFrame({"event_time": self.event_time, "estimate": self.beta, "std_error": self.std_error,
                             "violation_at_target_power": self.slope * self.shape,
                             "hypothesised_violation": hyp})

    def summary(self) -> pd.DataFrame:
        """One row: ``slope, target_power, size, power, bayes_factor, likelihood_ratio``."""
        return pd.DataFrame([{"slope": self.slope, "target_power": self.target_power, "size": self.size,
                              "power": self.power, "bayes_factor": self.bayes_factor,
                              "likelihood_ratio": self.likelihood_ratio}])

    def _repr_html_(self) -> str:
        rows = [("pre-adoption coefficients", ", ".join(str(t) for t in self.event_time)),
                ("pre-test", f"some |t| > {self.settings['critical_value']:g}"),
                (f"slope detected {self.target_power:.0%} of the time", f"{self.slope:.4g} per period"),
                ("rejection rate under parallel trends", f"{self.size:.4f}")]
        if self.violation is not None:
            rows += [("hypothesised trend", html.escape(str(self.settings["trend"]))),
                     ("power against it", f"{self.power:.4f}"), ("Bayes factor", f"{self.bayes_factor:.4f}"),
                     ("likelihood ratio", f"{self.likelihood_ratio:.4f}")]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<div><strong>Power of the pre-trend test (Roth 2022)</strong><table>{body}</table>{notes}</div>"


def _rejection_probability(mean: np.ndarray, sigma: np.ndarray, critical_value: float) -> float:
    """P(some |b_j| > c se_j) for b ~ N(mean, sigma)."""
    se = np.sqrt(np.diag(sigma))
    bound = critical_value * se
    if mean.size == 1:
        return float(1 - (normal_cdf((bound[0] - mean[0]) / se[0]) - normal_cdf((-bound[0] - mean[0]) / se[0])))
    # Genz's quasi-Monte Carlo (as R's mvtnorm::pmvnorm), with a fixed seed so that results are reproducible;
    # absolute error about 1e-6 (1e-5 beyond six coefficients, where tighter costs minutes)
    from scipy import stats

    inside = stats.multivariate_normal.cdf(bound, mean=mean, cov=sigma, allow_singular=True, lower_limit=-bound,
                                           abseps=1e-6 if mean.size <= 6 else 1e-5, releps=0,
                                           rng=np.random.default_rng(2022))
    return float(1 - inside)


def _check_sigma(sigma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    sigma = np.asarray(sigma, dtype=float)
    if sigma.ndim != 2 or sigma.shape != (beta.size, beta.size):
        raise ValueError(f"sigma must be a {beta.size} x {beta.size} covariance matrix (one row and column per "
                         f"coefficient), not of shape {sigma.shape}")
    if not (np.all(np.isfinite(sigma)) and np.all(np.isfinite(beta))):
        raise ValueError("the pre-adoption coefficients or their covariance contain missing values; leave out the "
                         "event times that were not identified")
    scale = float(np.abs(sigma).max()) or 1.0
    if not np.allclose(sigma, sigma.T, rtol=0, atol=1e-10 * scale):
        raise ValueError("sigma is not symmetric: pass the covariance matrix of the coefficients (e.g. result.vcov)")
    eig = np.linalg.eigvalsh((sigma + sigma.T) / 2)
    if eig.min() < -1e-10 * max(eig.max(), 0.0) or eig.max() <= 0:
        raise ValueError(f"the covariance of the pre-adoption coefficients is not positive semi-definite (smallest "
                         f"eigenvalue {eig.min():.3g}); pass the estimated covariance matrix itself (e.g. "
                         "result.vcov), not standard errors, a correlation matrix or a hand-edited copy")
    if np.any(np.diag(sigma) <= 0):
        raise ValueError("a pre-adoption coefficient has zero variance: leave out the reference period")
    return (sigma + sigma.T) / 2


def _from_result(result) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str, int | None, list[str]]:
    """Pre-adoption event times, coefficients, covariance and the response to a unit linear trend."""
    from .imputation import ImputationResult

    notes: list[str] = []
    if isinstance(result, ImputationResult):
        if result.pretrend_vcov is None or result.pretrend_shape is None or not result.pretrend_vcov.size:
            raise ValueError("this imputation result has no pre-trend coefficients (pretrends=0 or no adopter "
                             "observed before adoption); estimate with pretrends >= 1")
        pre = result.event_time < 0
        notes.append("Imputation: the pre-adoption coefficients are Borusyak-Jaravel-Spiess test-1 coefficients "
                     "(relative to earlier untreated years); a linear trend's effect on them is computed exactly "
                     "from the same regression.")
        return (result.event_time[pre], result.estimate[pre], result.pretrend_vcov, result.pretrend_shape,
                "imputation", None, notes)
    if not hasattr(result, "coefficients") or not hasattr(result, "vcov"):
        raise TypeError("pretrend_power() needs an event-study result (att_gt(...).aggregate('dynamic'), "
                        "did.event_study, did.sun_abraham, did.imputation) or beta=, sigma=, event_times=")
    if getattr(result, "index_name", "event_time") != "event_time":
        raise ValueError("pretrend_power() needs event-time coefficients: use aggregate('dynamic')")
    settings = getattr(result, "settings", None)
    coef, vcov = result.coefficients, result.vcov
    times = np.asarray(coef.index, dtype=float)
    if settings is not None and hasattr(settings, "base_period"):  # att_gt aggregation
        antic = int(settings.anticipation)
        if settings.base_period == "universal":
            reference = -1 - antic
            pre = times < reference
            shape = times[pre] - reference
            source = "att_gt, universal base period"
        else:
            reference = None
            pre = times < -antic
            shape = np.ones(int(pre.sum()))
            source = "att_gt, varying base period"
            notes.append("With a varying base period each pre-adoption coefficient is a one-period change, so a "
                         "linear violation of slope s shifts every one of them by s.")
        if getattr(result, "band", "pointwise") == "uniform":
            notes.append("The covariance is the analytic one from the influence functions (the bootstrap draws "
                         "are not used).")
    else:
        reference = int(getattr(result, "reference", -1))
        pre = times < reference
        shape = times[pre] - reference
        source = type(result).__name__
    v = vcov.to_numpy(dtype=float)
    beta = coef.to_numpy(dtype=float)
    keep = pre & np.isfinite(beta) & np.isfinite(np.diag(v))
    reported = getattr(result, "std_error", None)
    if reported is not None and np.shape(reported) == beta.shape and (keep & ~np.isfinite(reported)).any():
        # the result set these standard errors to NaN because they are numerically zero (R did's rule;
        # e.g. a single cluster): a covariance of ~1e-32 would give a meaningless slope of ~1e-17
        inference = getattr(result, "inference", None)
        n_clusters = getattr(inference, "n_clusters", getattr(result, "n_clusters", None))
        raise ValueError("the standard errors of the pre-adoption coefficients are missing in this result (numerically "
                         "zero" + (f"; it has {n_clusters} cluster(s)" if n_clusters is not None else "") + "), so the "
                         "power of the pre-test cannot be computed: re-estimate with at least two clusters (cluster="
                         "None clusters by unit)")
    if (pre & ~keep).any():
        notes.append(f"Event times {times[pre & ~keep].astype(int).tolist()} are not identified and were left out.")
        shape = shape[keep[pre]]
    return (times[keep].astype(int), beta[keep], v[np.ix_(keep, keep)], np.asarray(shape, dtype=float), source,
            reference, notes)


def pretrend_power(event_study=None, target_power: float = 0.5, *, trend=None, beta=None, sigma=None,
                   event_times=None, reference: int = -1,
                   critical_value: float = CRITICAL_VALUE) -> PretrendPowerResult:
    """Power of the pre-trend test against linear (or given) violations of parallel trends (Roth 2022).

    Parameters
    ----------
    event_study : result, optional
        An event study of this package: ``att_gt(...).aggregate("dynamic")``,
        :func:`event_study`, :func:`sun_abraham` or :func:`imputation`. Its
        pre-adoption coefficients and their covariance are read.
    target_power : float
        The probability of detection for which the slope is found (0.5: "half
        the time"; Roth's default).
    trend : float or sequence, optional
        The hypothesised violation: a slope per period (a linear trend in event
        time through the reference period), or -- for coefficients measured
        from one reference period -- the violation at each event time given
        (R pretrends' ``deltatrue``; only the pre-adoption entries matter).
    beta, sigma, event_times, reference : optional
        Raw input instead of a result: all event-study coefficients, their
        covariance and event times (the reference period left out), and the
        reference period. Coefficients at event times before ``reference`` are tested.
    critical_value : float
        A pre-adoption coefficient is significant when ``|t|`` exceeds it (1.96, as R pretrends).

    Returns
    -------
    PretrendPowerResult

    Notes
    -----
    The calculation conditions on the estimated covariance, as the paper and
    the R package do. Only the pre-adoption coefficients enter the power,
    Bayes factor and likelihood ratio.

    References
    ----------
    Roth, J. (2022). Pretest with caution: event-study estimates after testing
    for parallel trends. American Economic Review: Insights 4(3), 305-322.
    """
    if not 0 < target_power < 1:
        raise ValueError(f"target_power must be between 0 and 1, not {target_power}")
    if event_study is not None:
        if beta is not None or sigma is not None:
            raise ValueError("give either an event-study result or beta= and sigma=, not both")
        times, b, s, shape, source, ref, notes = _from_result(event_study)
    else:
        if beta is None or sigma is None or event_times is None:
            raise ValueError("give an event-study result, or beta=, sigma= and event_times= (and reference=)")
        all_b = np.asarray(beta, dtype=float).ravel()
        all_t = np.asarray(event_times, dtype=float).ravel()
        if all_t.size != all_b.size:
            raise ValueError(f"event_times has {all_t.size} entries and beta {all_b.size}; they must match")
        all_s = _check_sigma(sigma, all_b)
        pre = all_t < reference
        times, b, s = all_t[pre], all_b[pre], all_s[np.ix_(pre, pre)]
        shape = times - reference
        source, ref, notes = "coefficients given", reference, []
        if np.all(np.mod(times, 1) == 0):
            times = times.astype(int)
    if b.size == 0:
        raise ValueError("there is no pre-adoption coefficient before the reference period to test")
    s = _check_sigma(s, b)
    se = np.sqrt(np.diag(s))
    size = _rejection_probability(np.zeros(b.size), s, critical_value)
    if target_power <= size:
        raise ValueError(f"target_power {target_power} is not above the test's rejection rate under parallel trends "
                         f"({size:.3f}); choose a larger one")

    def gap(slope: float) -> float:
        return _rejection_probability(slope * shape, s, critical_value) - target_power

    upper = 8 * float(se.max())  # R pretrends' search interval, widened below if needed
    while gap(upper) < 0:
        upper *= 2
        if upper > 1e6 * float(se.max()):
            raise ValueError("no linear violation reaches the target power: the pre-adoption coefficients do not "
                             "respond to a linear trend")
    from scipy import optimize

    slope = float(optimize.brentq(gap, 0.0, upper, xtol=1e-10 * upper))

    violation = None
    if trend is not None:
        if np.ndim(trend) == 0:
            violation = float(trend) * shape
        else:
            if ref is None or source == "imputation":
                raise ValueError("a violation per event time needs coefficients measured from one reference period; "
                                 "for this result give trend as a slope")
            arr = np.asarray(trend, dtype=float).ravel()
            given_times = (np.asarray(event_times, dtype=float).ravel() if event_study is None
                           else np.asarray(event_study.coefficients.index, dtype=float))
            if arr.size != given_times.size:
                raise ValueError(f"trend has {arr.size} entries; give one per event-study coefficient "
                                 f"({given_times.size}) or a single slope")
            lookup = dict(zip(given_times.tolist(), arr.tolist()))
            violation = np.array([lookup[float(t)] for t in times])
    power, bf, lr, more = _against(b, s, violation, size, critical_value)
    settings = {"source": source, "reference": ref, "target_power": target_power, "critical_value": critical_value,
                "trend": trend if trend is None or np.ndim(trend) == 0 else tuple(np.asarray(trend).tolist())}
    return PretrendPowerResult(settings=settings, event_time=np.asarray(times), beta=b, std_error=se, sigma=s,
                               shape=np.asarray(shape, dtype=float), slope=slope, size=size, violation=violation,
                               power=power, bayes_factor=bf, likelihood_ratio=lr, notes=tuple(notes + more))


def _against(beta: np.ndarray, sigma: np.ndarray, violation: np.ndarray | None, size: float,
             critical_value: float) -> tuple[float, float, float, list[str]]:
    """Power, Bayes factor and likelihood ratio of the pre-test against ``violation`` (NaN without one)."""
    if violation is None:
        return np.nan, np.nan, np.nan, []
    power = _rejection_probability(violation, sigma, critical_value)
    bayes_factor = (1 - power) / (1 - size)
    try:
        chol = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return power, bayes_factor, np.nan, ["The covariance is singular, so the likelihood ratio is not defined."]
    z_alt = np.linalg.solve(chol, beta - violation)
    z_null = np.linalg.solve(chol, beta)
    return power, bayes_factor, float(np.exp(-0.5 * (z_alt @ z_alt) + 0.5 * (z_null @ z_null))), []
