"""Poisson log-linear models over the observable cells of a capture table.

log mu_w = sum of alpha_theta over every parameter theta contained in cell w, where the
parameters are the intercept (theta = 0, whose exponential is the expected never-observed
count), one main effect per list and the chosen interactions. Terms are bitmasks over lists.

Sparse tables follow Chan, Silverman and Vincent (2021): a parameter whose lists never
appear together (N*_theta = 0) has extended maximum likelihood estimate minus infinity, so
its cells get fitted value zero and drop out of the fit; a model is admissible only if the
Fienberg-Rinaldo linear-programming check says the (extended) MLE exists and the remaining
parameters are identifiable.

Model search fits thousands of tiny GLMs, so it uses a vectorised Newton solver; the model
finally reported is refitted with statsmodels' GLM (see `statsmodels_fit`), and tests check
both agree.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import numpy as np
import statsmodels.api as sm
from scipy.optimize import linprog
from scipy.special import gammaln

from etl.defs.estimation.histories import CaptureTable

Term = int  # bitmask over lists; 0 is the intercept, one bit a main effect

_LP_POSITIVE = 1e-6  # LP optimum below this means no strictly positive table: MLE does not exist


def term_bits(term: Term) -> tuple[int, ...]:
    return tuple(i for i in range(term.bit_length()) if term >> i & 1)


def term_order(term: Term) -> int:
    return term.bit_count()


def term_key(term: Term) -> tuple[int, tuple[int, ...]]:
    """Canonical order: by interaction order, then by list position (as the R packages list pairs)."""
    return term.bit_count(), term_bits(term)


def term_name(term: Term, list_names: tuple[str, ...]) -> str:
    if term == 0:
        return "(intercept)"
    return ":".join(list_names[i] for i in term_bits(term))


def pair_terms(n_lists: int) -> list[Term]:
    return [(1 << i) | (1 << j) for i, j in combinations(range(n_lists), 2)]


def hierarchy_label(interactions: tuple[Term, ...], n_lists: int) -> str:
    """The R packages' notation for a hierarchical model, e.g. "[12,3]": its maximal terms, 1-based."""
    terms = set(interactions) | {1 << i for i in range(n_lists)}
    maximal = [t for t in terms if not any(t != u and (t & u) == t for u in terms)]
    # Same ordering as MultipleSystemsEstimation::convert_to_hierarchy (larger, earlier lists first).
    maximal.sort(key=lambda t: -(t.bit_count() + sum(0.5 ** (i + 1) for i in term_bits(t))))
    return "[" + ",".join("".join(str(i + 1) for i in term_bits(t)) for t in maximal) + "]"


def canonical(interactions: tuple[Term, ...] | list[Term]) -> tuple[Term, ...]:
    return tuple(sorted(set(interactions), key=term_key))


@dataclass(frozen=True, slots=True)
class Existence:
    """Outcome of the existence/identifiability check (SparseMSE `checkident` codes 0-3)."""

    exists: bool
    identifiable: bool

    @property
    def code(self) -> int:
        return int(not self.exists) + 2 * int(not self.identifiable)

    @property
    def admissible(self) -> bool:
        return self.exists and self.identifiable


@dataclass(frozen=True)
class ModelLayout:
    """Which parameters are estimated, which sit at minus infinity, and which cells remain."""

    parameters: tuple[Term, ...]  # intercept, main effects, interactions (canonical order)
    neg_inf: tuple[Term, ...]  # parameters with N* = 0
    estimated: tuple[Term, ...]
    cells: np.ndarray  # observable cells kept in the fit
    design: np.ndarray  # len(cells) x len(estimated), 0/1


def model_layout(table: CaptureTable, interactions: tuple[Term, ...]) -> ModelLayout:
    mains = tuple(1 << i for i in range(table.n_lists))
    parameters = (0, *mains, *canonical(interactions))
    neg_inf = tuple(t for t in parameters if t and table.overlap(t) == 0)
    estimated = tuple(t for t in parameters if t not in neg_inf)
    all_cells = np.arange(1, 1 << table.n_lists)
    keep = np.ones(all_cells.size, dtype=bool)
    for t in neg_inf:
        keep &= (all_cells & t) != t
    cells = all_cells[keep]
    design = np.array([[(c & t) == t for t in estimated] for c in cells], dtype=float).reshape(
        cells.size, len(estimated)
    )
    return ModelLayout(parameters, neg_inf, estimated, cells, design)


def check_existence(table: CaptureTable, interactions: tuple[Term, ...]) -> Existence:
    """Fienberg-Rinaldo LP check as in SparseMSE `checkident` / MSE `check_extended_MLE`.

    The MLE exists iff some strictly positive table has the same sufficient statistics
    (A y = A n); we maximise the smallest cell of such a y by linear programming.
    """
    return assess_model(table, interactions)[0]


def assess_model(table: CaptureTable, interactions: tuple[Term, ...]) -> tuple[Existence, FittedModel | None]:
    """Existence/identifiability of a model and, when admissible, its fit (one Newton run for both)."""
    chosen = canonical(tuple(interactions))
    layout = model_layout(table, chosen)
    design = layout.design
    y = table.counts[layout.cells].astype(float)
    n_params = len(layout.estimated)
    identifiable = design.shape[0] >= n_params and np.linalg.matrix_rank(design) == n_params
    if y.size == 0:
        return Existence(exists=False, identifiable=identifiable), None
    if not identifiable:
        exists = bool(np.all(y > 0)) or _positive_table_exists(design.T, design.T @ y)
        return Existence(exists=exists, identifiable=False), None
    # A converged Newton fit is itself a strictly positive table with the observed sufficient
    # statistics, so it certifies existence without the (20x slower) LP. Where the MLE does not
    # exist Newton keeps stepping along the diverging direction and never meets its step
    # criterion, and the LP decides.
    trial = fit_poisson(design, y, max_iter=30)
    certified = trial.converged and trial.fitted.min() > _LP_POSITIVE
    if certified or np.all(y > 0) or _positive_table_exists(design.T, design.T @ y):
        fit = trial if trial.converged else fit_poisson(design, y)
        return Existence(exists=True, identifiable=True), FittedModel(table, chosen, layout, fit)
    return Existence(exists=False, identifiable=True), None


def _positive_table_exists(a_matrix: np.ndarray, sufficient: np.ndarray) -> bool:
    n_params, n_cells = a_matrix.shape
    objective = np.zeros(n_cells + 1)
    objective[-1] = -1.0  # maximise s
    a_eq = np.hstack([a_matrix, np.zeros((n_params, 1))])
    a_ub = np.hstack([-np.eye(n_cells), np.ones((n_cells, 1))])  # s - y_j <= 0
    result = linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.zeros(n_cells),
        A_eq=a_eq,
        b_eq=sufficient,
        bounds=[(0, None)] * (n_cells + 1),
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > _LP_POSITIVE)


@dataclass(frozen=True)
class PoissonFit:
    beta: np.ndarray
    fitted: np.ndarray
    loglik: float  # full Poisson log-likelihood, lgamma terms included (as R's logLik)
    deviance: float
    iterations: int
    converged: bool
    covariance: np.ndarray  # inverse Fisher information


def fit_poisson(
    design: np.ndarray,
    y: np.ndarray,
    start: np.ndarray | None = None,
    *,
    max_iter: int = 100,
    tol: float = 1e-11,
) -> PoissonFit:
    """Newton-Raphson for a Poisson GLM with log link, with step halving on the deviance."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _newton(design, y, start, max_iter, tol)


def _newton(design: np.ndarray, y: np.ndarray, start: np.ndarray | None, max_iter: int, tol: float) -> PoissonFit:
    if start is None:
        # Same starting point as R's glm for the Poisson family (mu = y + 0.1).
        beta = np.linalg.lstsq(design, np.log(y + 0.1), rcond=None)[0]
    else:
        beta = start.copy()
    dev = _deviance(y, np.exp(design @ beta))
    converged = False
    iteration = 0
    for iteration in range(1, max_iter + 1):
        mu = np.exp(design @ beta)
        gradient = design.T @ (y - mu)
        hessian = (design.T * mu) @ design
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        new_beta, new_dev = beta + step, math.inf
        for _ in range(30):
            new_dev = _deviance(y, np.exp(design @ new_beta))
            if np.isfinite(new_dev) and new_dev <= dev + 1e-12 * (abs(dev) + 1):
                break
            step = step / 2
            new_beta = beta + step
        if not np.isfinite(new_dev):
            break
        change = abs(dev - new_dev)
        beta, dev = new_beta, new_dev
        if change <= tol * (abs(dev) + 0.1) and np.max(np.abs(step)) < 1e-7:
            converged = True
            break
    mu = np.exp(design @ beta)
    try:
        covariance = np.linalg.inv((design.T * mu) @ design)
    except np.linalg.LinAlgError:
        covariance = np.full((design.shape[1], design.shape[1]), np.nan)
        converged = False
    loglik = float(np.sum(_xlogy(y, mu) - mu - gammaln(y + 1)))
    return PoissonFit(beta, mu, loglik, _deviance(y, mu), iteration, converged, covariance)


def _xlogy(y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    return np.where(y > 0, y * np.log(np.where(y > 0, mu, 1.0)), 0.0)


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    ratio_term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / np.where(y > 0, mu, 1.0)), 0.0)
    return float(2.0 * np.sum(ratio_term - (y - mu)))


@dataclass(frozen=True)
class FittedModel:
    table: CaptureTable
    interactions: tuple[Term, ...]  # canonical order
    layout: ModelLayout
    fit: PoissonFit

    @property
    def hidden(self) -> float:
        """Expected never-observed count: exp(intercept)."""
        return float(math.exp(self.fit.beta[0]))

    @property
    def estimate(self) -> float:
        return self.table.observed + self.hidden

    @property
    def n_parameters(self) -> int:
        # Parameters at minus infinity still count, as in both R packages' AIC/BIC.
        return len(self.layout.parameters)

    @property
    def aic(self) -> float:
        return 2.0 * self.n_parameters - 2.0 * self.fit.loglik

    @property
    def bic(self) -> float:
        # MultipleSystemsEstimation::fit_hier_model: log of the number of persons observed.
        return self.n_parameters * math.log(self.table.observed) - 2.0 * self.fit.loglik

    @property
    def df_residual(self) -> int:
        return int(self.layout.cells.size - len(self.layout.estimated))

    @cached_property
    def cell_fitted(self) -> np.ndarray:
        """Fitted mean for every observable cell (zero where a minus-infinity term applies)."""
        full = np.zeros(1 << self.table.n_lists)
        full[self.layout.cells] = self.fit.fitted
        return full

    def expected_overlap(self, term: Term) -> float:
        """Expected number of persons on all lists of `term` under this model."""
        cells = np.arange(self.cell_fitted.size)
        return float(self.cell_fitted[(cells & term) == term].sum())

    def term_names(self) -> list[str]:
        return [term_name(t, self.table.list_names) for t in self.interactions]

    def hierarchy(self) -> str:
        return hierarchy_label(self.interactions, self.table.n_lists)


def fit_model(table: CaptureTable, interactions: tuple[Term, ...] | list[Term]) -> FittedModel:
    """Fit a model (main effects always included) by the fast Newton solver."""
    chosen = canonical(tuple(interactions))
    layout = model_layout(table, chosen)
    y = table.counts[layout.cells].astype(float)
    return FittedModel(table, chosen, layout, fit_poisson(layout.design, y))


def statsmodels_fit(model: FittedModel) -> sm.genmod.generalized_linear_model.GLMResultsWrapper:
    """The reported fit: statsmodels' GLM (Poisson family, log link) on the same layout."""
    layout = model.layout
    y = model.table.counts[layout.cells].astype(float)
    glm = sm.GLM(y, layout.design, family=sm.families.Poisson())
    with warnings.catch_warnings():
        # Saturated fits (no residual degrees of freedom) and near-zero fitted cells trigger
        # statsmodels heuristics; existence and convergence are checked explicitly instead.
        warnings.simplefilter("ignore")
        return glm.fit(start_params=model.fit.beta, maxiter=100, tol=1e-10)
