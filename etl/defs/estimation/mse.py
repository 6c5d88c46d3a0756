"""Multiple systems estimation: how many victims in total, seen by some institution or by none.

`estimate` takes capture histories (one 0/1 column per list + `count`), selects a Poisson
log-linear model by the stepwise method of Chan, Silverman and Vincent (2021) or by BIC over
hierarchical models (Silverman, Chan and Vincent 2024), and returns the total with a profile
likelihood interval (optionally a BCa bootstrap interval that repeats the model selection).
When the data cannot support an estimate (MLE does not exist, model not identifiable, fit not
converged, interval unbounded or too wide) the result says so with `available=False`, a stable
`reason_code` and a plain-Spanish `reason`, and carries no number for the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from etl.defs.estimation.histories import CaptureTable, capture_table
from etl.defs.estimation.intervals import (
    bca_interval,
    jackknife_acceleration,
    profile_interval,
    wald_log_interval,
)
from etl.defs.estimation.loglinear import statsmodels_fit, term_name
from etl.defs.estimation.selection import (
    MAX_LISTS_BIC,
    EstimateUnavailable,
    Selection,
    bic_select,
    stepwise_select,
)

Method = Literal["stepwise", "bic"]
METHODS: tuple[Method, ...] = ("stepwise", "bic")

# An interval wider than twice the estimate says more about the model than about the population.
MAX_RELATIVE_WIDTH = 2.0
# Share of bootstrap replicates allowed to have no estimate before the BCa interval is refused.
MAX_BOOTSTRAP_FAILURES = 0.10
_NUMBERS_OF_A_REFUSED_ESTIMATE = frozenset(
    {"profile_interval", "profile_maximum", "wald_log_interval", "bootstrap", "ranking", "relative_width"}
)


@dataclass
class MSEResult:
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    observed: int
    hidden_estimate: float | None
    model: list[str]
    method: str
    available: bool
    reason: str | None = None  # plain Spanish, for dashboards and the CLI
    reason_code: str | None = None  # stable English code for programs
    alpha: float = 0.05
    interval_method: str | None = None  # "profile" or "bca"
    lists: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return _json_safe(
            {
                "estimate": self.estimate,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
                "observed": self.observed,
                "hidden_estimate": self.hidden_estimate,
                "model": list(self.model),
                "method": self.method,
                "available": self.available,
                "reason": self.reason,
                "reason_code": self.reason_code,
                "alpha": self.alpha,
                "interval_method": self.interval_method,
                "lists": list(self.lists),
                "diagnostics": self.diagnostics,
            }
        )


def estimate(
    histories: pd.DataFrame,
    method: Method = "stepwise",
    *,
    alpha: float = 0.05,
    pthresh: float = 0.02,
    bootstrap: int | None = None,
    seed: int = 0,
    max_order: int | None = None,
    max_relative_width: float = MAX_RELATIVE_WIDTH,
) -> MSEResult:
    """Estimate the total population (observed + never observed) from capture histories.

    Raises `CaptureHistoryError` (a ValueError) for a malformed table and ValueError for bad
    arguments; every data-driven failure is returned as a result with `available=False`.
    `max_order` applies to the BIC method only (default: as MultipleSystemsEstimation).
    """
    _check_arguments(method, alpha, pthresh, bootstrap)
    table = capture_table(histories)
    if method == "bic" and table.n_lists > MAX_LISTS_BIC:
        raise ValueError(f"el método 'bic' admite como máximo {MAX_LISTS_BIC} listas")
    base = {"method": method, "alpha": alpha, "observed": table.observed, "lists": list(table.list_names)}
    try:
        return _estimate(table, method, alpha, pthresh, bootstrap, seed, max_order, max_relative_width)
    except EstimateUnavailable as unavailable:
        return _unavailable(base, unavailable, {})


def point_estimate(table: CaptureTable, method: Method, pthresh: float, max_order: int | None) -> float:
    """Model selection and point estimate only (what each bootstrap replicate repeats); NaN if none."""
    try:
        usable, _ = _usable_table(table)
        return _select(usable, method, pthresh, max_order).model.estimate
    except EstimateUnavailable:
        return math.nan


def _estimate(
    table: CaptureTable,
    method: Method,
    alpha: float,
    pthresh: float,
    bootstrap: int | None,
    seed: int,
    max_order: int | None,
    max_relative_width: float,
) -> MSEResult:
    base = {"method": method, "alpha": alpha, "observed": table.observed, "lists": list(table.list_names)}
    usable, dropped = _usable_table(table)
    selection = _select(usable, method, pthresh, max_order)
    model = selection.model
    diagnostics = _diagnostics(selection, dropped, pthresh if method == "stepwise" else None, max_order)
    if not diagnostics["converged"]:
        raise EstimateUnavailable(
            "not_converged", "No se obtuvo una estimación: el ajuste del modelo no convergió."
        )

    profile = profile_interval(model, alpha)
    diagnostics["profile_interval"] = {"lower": profile.lower, "upper": profile.upper}
    diagnostics["profile_maximum"] = profile.profile_maximum
    wald = wald_log_interval(model, alpha)
    diagnostics["wald_log_interval"] = {"lower": wald.lower, "upper": wald.upper}
    if math.isinf(profile.upper):
        return _unavailable(
            base,
            EstimateUnavailable(
                "interval_unbounded",
                "No se publica una estimación: los datos no permiten acotar el número de víctimas no registradas.",
            ),
            diagnostics,
        )
    lower, upper, interval_method = profile.lower, profile.upper, "profile"

    if bootstrap:
        bca = _bootstrap(usable, model.estimate, method, pthresh, max_order, alpha, bootstrap, seed)
        diagnostics["bootstrap"] = bca
        if bca["failed_share"] > MAX_BOOTSTRAP_FAILURES or not np.isfinite([bca["lower"], bca["upper"]]).all():
            return _unavailable(
                base,
                EstimateUnavailable(
                    "bootstrap_unstable",
                    "No se publica una estimación: el remuestreo muestra que el resultado es inestable.",
                ),
                diagnostics,
            )
        lower, upper, interval_method = bca["lower"], bca["upper"], "bca"

    relative_width = (upper - lower) / model.estimate
    diagnostics["relative_width"] = relative_width
    if relative_width > max_relative_width:
        return _unavailable(
            base,
            EstimateUnavailable(
                "interval_too_wide",
                "No se publica una estimación: la incertidumbre es demasiado grande para que la cifra sea útil.",
            ),
            diagnostics,
        )
    return MSEResult(
        estimate=model.estimate,
        ci_lower=lower,
        ci_upper=upper,
        observed=table.observed,
        hidden_estimate=model.hidden,
        model=model.term_names(),
        method=method,
        available=True,
        alpha=alpha,
        interval_method=interval_method,
        lists=list(table.list_names),
        diagnostics=diagnostics,
    )


def _usable_table(table: CaptureTable) -> tuple[CaptureTable, tuple[str, ...]]:
    if table.observed == 0:
        raise EstimateUnavailable(
            "no_observations", "No hay estimación: ninguna fuente registró casos en el periodo."
        )
    usable, dropped = table.drop_empty_lists()
    if usable.n_lists < 2:
        raise EstimateUnavailable(
            "too_few_lists",
            "No hay estimación: se necesitan al menos dos fuentes con casos registrados.",
        )
    return usable, dropped


def _select(table: CaptureTable, method: Method, pthresh: float, max_order: int | None) -> Selection:
    if method == "stepwise":
        return stepwise_select(table, pthresh)
    return bic_select(table, max_order)


def _diagnostics(
    selection: Selection, dropped: tuple[str, ...], pthresh: float | None, max_order: int | None
) -> dict[str, Any]:
    model = selection.model
    names = model.table.list_names
    glm = statsmodels_fit(model)
    coefficients: dict[str, dict[str, Any]] = {}
    for index, term in enumerate(model.layout.estimated):
        coefficients[term_name(term, names)] = {
            "estimate": float(glm.params[index]),
            "std_error": float(glm.bse[index]),
            "p_value": float(glm.pvalues[index]),
        }
    for term in model.layout.neg_inf:
        # Extended MLE at minus infinity: these lists never appear together.
        coefficients[term_name(term, names)] = {"estimate": None, "std_error": None, "p_value": None}
    newton_agrees = bool(np.allclose(glm.params, model.fit.beta, rtol=1e-6, atol=1e-6))
    return {
        "deviance": float(glm.deviance),
        "df_residual": model.df_residual,
        "log_likelihood": float(glm.llf),
        "aic": 2.0 * model.n_parameters - 2.0 * float(glm.llf),
        "bic": model.n_parameters * math.log(model.table.observed) - 2.0 * float(glm.llf),
        "n_parameters": model.n_parameters,
        "coefficients": coefficients,
        "neg_inf_terms": [term_name(t, names) for t in model.layout.neg_inf],
        "hierarchy": model.hierarchy(),
        "existence": {"exists": True, "identifiable": True, "code": 0},
        "converged": bool(glm.converged) and model.fit.converged and newton_agrees,
        "iterations": int(glm.fit_history["iteration"]),
        "newton_iterations": model.fit.iterations,
        "lists_used": list(names),
        "lists_dropped_empty": list(dropped),
        "pthresh": pthresh,
        "max_order": max_order,
        "selection_trace": selection.trace,
        "ranking": selection.ranking,
        "models_considered": selection.models_considered,
        "models_admissible": selection.models_admissible,
    }


def _bootstrap(
    table: CaptureTable,
    point: float,
    method: Method,
    pthresh: float,
    max_order: int | None,
    alpha: float,
    replications: int,
    seed: int,
) -> dict[str, Any]:
    """Multinomial resampling of the observed persons, repeating the whole model selection."""
    rng = np.random.default_rng(seed)
    counts = table.counts
    n = table.observed
    replicates = np.array(
        [
            point_estimate(table.with_counts(rng.multinomial(n, counts / n)), method, pthresh, max_order)
            for _ in range(replications)
        ]
    )
    occupied = np.nonzero(counts)[0]
    jackknife = np.empty(occupied.size)
    for k, cell in enumerate(occupied):
        reduced = counts.copy()
        reduced[cell] -= 1
        jackknife[k] = point_estimate(table.with_counts(reduced), method, pthresh, max_order)
    failed_share = float(np.mean(~np.isfinite(replicates)))
    if not np.isfinite(jackknife).all():
        return {"replications": replications, "failed_share": failed_share, "lower": math.nan, "upper": math.nan}
    acceleration = jackknife_acceleration(jackknife, counts[occupied].astype(float))
    bca = bca_interval(replicates, point, acceleration, alpha)
    return {
        "replications": replications,
        "seed": seed,
        "failed_share": failed_share,
        "lower": bca.lower,
        "upper": bca.upper,
        "acceleration": bca.acceleration,
        "bias_correction": bca.bias_correction,
    }


def _unavailable(base: dict[str, Any], why: EstimateUnavailable, diagnostics: dict[str, Any]) -> MSEResult:
    # A refused estimate must not leak its number through the diagnostics either.
    kept = {k: v for k, v in diagnostics.items() if k not in _NUMBERS_OF_A_REFUSED_ESTIMATE}
    return MSEResult(
        estimate=None,
        ci_lower=None,
        ci_upper=None,
        observed=base["observed"],
        hidden_estimate=None,
        model=[],
        method=base["method"],
        available=False,
        reason=why.message,
        reason_code=why.code,
        alpha=base["alpha"],
        interval_method=None,
        lists=base["lists"],
        diagnostics=kept,
    )


def _check_arguments(method: str, alpha: float, pthresh: float, bootstrap: int | None) -> None:
    if method not in METHODS:
        raise ValueError(f"método desconocido; use uno de: {', '.join(METHODS)}")
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha debe estar entre 0 y 1")
    if not 0.0 <= pthresh <= 1.0:
        raise ValueError("pthresh debe estar entre 0 y 1")
    if bootstrap is not None and (isinstance(bootstrap, bool) or bootstrap < 0):
        raise ValueError("bootstrap debe ser un entero positivo")


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    return value
