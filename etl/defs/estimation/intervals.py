"""Confidence intervals for the total population N of a fitted model.

* `profile_interval`: the multinomial profile likelihood interval of Cormack (1992), the one
  Rcapture's `closedpCI.t` reports and Silverman (2014) used for the UK 10,000-13,000 figure.
  For each candidate N the never-observed cell gets count N - n, the log-linear model is fitted
  to the complete 2^t table, and the interval is every N whose profile log-likelihood is within
  chi-square(1) / 2 of the maximum. Continuous in N (Rcapture interpolates on integers).
* `wald_log_interval`: SparseMSE `estimatepopulation.0`'s interval, n + exp(intercept +- z se).
* `bca_interval`: BCa limits from bootstrap replicates and a count-weighted jackknife
  (SparseMSE `estimatepopulation` / `bcaconfvalues`, DiCiccio and Efron 1996).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import gammaln
from scipy.stats import chi2, norm

from etl.defs.estimation.loglinear import FittedModel, fit_poisson

UNBOUNDED_FACTOR = 1000.0  # an upper limit beyond 1000 x (observed + hidden) counts as unbounded


@dataclass(frozen=True, slots=True)
class Interval:
    lower: float
    upper: float  # math.inf when the likelihood never falls below the cut-off


@dataclass(frozen=True, slots=True)
class ProfileInterval(Interval):
    profile_maximum: float  # N maximising the multinomial profile likelihood


class _ProfileLikelihood:
    """Multinomial profile log-likelihood of N (constants in the observed counts dropped)."""

    def __init__(self, model: FittedModel) -> None:
        layout = model.layout
        self.observed = float(model.table.observed)
        intercept_row = np.zeros((1, layout.design.shape[1]))
        intercept_row[0, 0] = 1.0
        self.design = np.vstack([intercept_row, layout.design])
        self.counts = np.concatenate([[0.0], model.table.counts[layout.cells].astype(float)])
        self._start = model.fit.beta.copy()

    def __call__(self, total: float) -> float:
        y = self.counts.copy()
        y[0] = max(total - self.observed, 0.0)
        fit = fit_poisson(self.design, y, start=self._start)
        if fit.converged:
            self._start = fit.beta
        p = fit.fitted / total
        positive = y > 0
        return float(
            gammaln(total + 1) - gammaln(y[0] + 1) + np.sum(y[positive] * np.log(p[positive]))
        )


def profile_interval(model: FittedModel, alpha: float = 0.05) -> ProfileInterval:
    loglik = _ProfileLikelihood(model)
    n = loglik.observed
    scale = max(model.hidden, 1.0)
    search = minimize_scalar(
        lambda total: -loglik(total),
        bounds=(n, n + 4.0 * scale + 10.0),
        method="bounded",
        options={"xatol": 1e-6 * (n + scale)},
    )
    n_max = float(search.x)
    l_max = -float(search.fun)
    cut = l_max - chi2.ppf(1.0 - alpha, 1) / 2.0

    def above_cut(total: float) -> float:
        return loglik(total) - cut

    lower = n if above_cut(n) >= 0 else brentq(above_cut, n, n_max, xtol=1e-6 * n_max)
    step = scale
    high = n_max + step
    while above_cut(high) > 0:
        step *= 2.0
        high = n_max + step
        if high > UNBOUNDED_FACTOR * (n + model.hidden):
            return ProfileInterval(float(lower), math.inf, n_max)
    upper = brentq(above_cut, n_max, high, xtol=1e-6 * n_max)
    return ProfileInterval(float(lower), float(upper), n_max)


def wald_log_interval(model: FittedModel, alpha: float = 0.05) -> Interval:
    z = norm.ppf(1.0 - alpha / 2.0)
    intercept = float(model.fit.beta[0])
    se = float(math.sqrt(model.fit.covariance[0, 0]))
    n = model.table.observed
    return Interval(n + math.exp(intercept - z * se), n + math.exp(intercept + z * se))


@dataclass(frozen=True, slots=True)
class BCaInterval(Interval):
    acceleration: float
    bias_correction: float


def jackknife_acceleration(jackknife_estimates: np.ndarray, weights: np.ndarray) -> float:
    """BCa acceleration from delete-one-person estimates, one per observed cell, weighted by its count."""
    mean = np.sum(weights * jackknife_estimates) / np.sum(weights)
    residual = mean - jackknife_estimates
    denominator = 6.0 * np.sum(weights * residual**2) ** 1.5
    if denominator == 0:
        return 0.0
    return float(np.sum(weights * residual**3) / denominator)


def bca_interval(
    replicates: np.ndarray, point_estimate: float, acceleration: float, alpha: float = 0.05
) -> BCaInterval:
    """BCa limits as SparseMSE `bcaconfvalues`: R quantile type 8 of the replicates."""
    reps = np.asarray(replicates, dtype=float)
    reps = reps[np.isfinite(reps)]
    share_below = float(np.mean(reps < point_estimate))
    if reps.size == 0 or share_below in (0.0, 1.0):
        return BCaInterval(math.nan, math.nan, acceleration, math.nan)
    z0 = float(norm.ppf(share_below))
    z_alpha = norm.ppf([alpha / 2.0, 1.0 - alpha / 2.0])
    shifted = z0 + z_alpha
    levels = norm.cdf(z0 + shifted / (1.0 - acceleration * shifted))
    lower, upper = np.quantile(reps, levels, method="median_unbiased")
    return BCaInterval(float(lower), float(upper), acceleration, z0)
