"""Model selection: CSV (2021) stepwise and exhaustive BIC over hierarchical models.

Stepwise follows SparseMSE `stepwisefit` / MultipleSystemsEstimation `.stepwise_estimate`
(Chan, Silverman and Vincent 2021, section 3.2): start from main effects; for every pair not
yet in the model, compare the observed overlap N*_ij with its expected value under the
current model by a Poisson tail probability; a pair whose addition would make the MLE not
exist or the model not identifiable gets p = 1; add the smallest p while it is below the
threshold. BIC follows MultipleSystemsEstimation `assemble_bic` (Silverman, Chan and Vincent
2024): every admissible hierarchical model up to a maximum interaction order, ranked by BIC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from scipy.stats import poisson

from etl.defs.estimation.histories import CaptureTable
from etl.defs.estimation.loglinear import (
    Existence,
    FittedModel,
    Term,
    assess_model,
    canonical,
    check_existence,
    fit_model,
    hierarchy_label,
    pair_terms,
    term_name,
)

# MultipleSystemsEstimation's default maximum interaction order by number of lists.
DEFAULT_MAX_ORDER = {2: 1, 3: 2, 4: 3, 5: 3, 6: 2}
MAX_LISTS_BIC = 6


class EstimateUnavailable(Exception):
    """No trustworthy estimate exists for these data; `code` is stable, `message` plain Spanish."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class Selection:
    model: FittedModel
    method: str
    trace: list[dict[str, Any]] = field(default_factory=list)
    ranking: list[dict[str, Any]] = field(default_factory=list)
    models_considered: int = 0
    models_admissible: int = 0


class _ExistenceCache:
    def __init__(self, table: CaptureTable) -> None:
        self._table = table
        self._seen: dict[tuple[Term, ...], Existence] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def __call__(self, interactions: tuple[Term, ...]) -> Existence:
        key = canonical(interactions)
        if key not in self._seen:
            self._seen[key] = check_existence(self._table, key)
        return self._seen[key]


def require_main_effects(table: CaptureTable, existence: _ExistenceCache | None = None) -> None:
    check = (existence or _ExistenceCache(table))(())
    if not check.exists:
        raise EstimateUnavailable(
            "mle_does_not_exist",
            "No existe una estimación: las fuentes no comparten suficientes casos entre sí "
            "para estimar cuántas víctimas no registró ninguna.",
        )
    if not check.identifiable:
        raise EstimateUnavailable(
            "not_identifiable",
            "No es posible estimar: con estas fuentes el modelo no está determinado.",
        )


def stepwise_select(table: CaptureTable, pthresh: float = 0.02) -> Selection:
    existence = _ExistenceCache(table)
    require_main_effects(table, existence)
    pairs = pair_terms(table.n_lists)
    if pthresh == 1 and existence(tuple(pairs)).admissible:
        # SparseMSE treats pthresh = 1 as "all two-list effects" when that model is admissible.
        return _converged(Selection(fit_model(table, pairs), "stepwise"))
    current = fit_model(table, ())
    selection = Selection(current, "stepwise")
    if pthresh == 0:
        return _converged(selection)
    observed_overlap = {p: table.overlap(p) for p in pairs}
    chosen: list[Term] = []
    for cycle in range(1, len(pairs) + 1):
        candidates: dict[Term, float] = {}
        report: dict[str, dict[str, Any]] = {}
        for pair in pairs:
            if pair in chosen:
                continue
            expected = current.expected_overlap(pair)
            n_star = observed_overlap[pair]
            p_value = float(min(poisson.cdf(n_star, expected), poisson.sf(n_star - 1, expected)))
            check = existence((*chosen, pair))
            candidates[pair] = p_value if check.admissible else 1.0
            report[term_name(pair, table.list_names)] = {
                "p_value": p_value,
                "admissible": check.admissible,
                "existence_code": check.code,
            }
        if not candidates:
            break
        # Ties go to the earliest pair, as `min(which(pval == pvmin))` does in R.
        best = min(candidates, key=lambda p: (candidates[p], pairs.index(p)))
        step = {"cycle": cycle, "candidates": report, "added": None, "p_value": candidates[best]}
        selection.trace.append(step)
        if candidates[best] >= pthresh:
            break
        chosen.append(best)
        step["added"] = term_name(best, table.list_names)
        current = fit_model(table, chosen)
        selection.model = current
    selection.models_considered = len(existence)
    return _converged(selection)


def hierarchical_models(n_lists: int, max_order: int) -> Iterator[tuple[Term, ...]]:
    """Every hierarchical model with all main effects and interactions up to `max_order`.

    Built level by level: a term of order k may enter only if all its (k-1)-subterms are in.
    """

    def extend(chosen: tuple[Term, ...], previous_level: frozenset[Term], order: int) -> Iterator[tuple[Term, ...]]:
        if order > max_order:
            yield chosen
            return
        if order == 2:
            eligible = [(1 << i) | (1 << j) for i, j in combinations(range(n_lists), 2)]
        else:
            eligible = [
                sum(1 << i for i in subset)
                for subset in combinations(range(n_lists), order)
                if all(sum(1 << i for i in sub) in previous_level for sub in combinations(subset, order - 1))
            ]
        if not eligible:
            yield chosen
            return
        for size in range(len(eligible) + 1):
            for level in combinations(eligible, size):
                if not level:
                    yield chosen
                    continue
                yield from extend(chosen + level, frozenset(level), order + 1)

    yield from extend((), frozenset(), 2)


def bic_select(table: CaptureTable, max_order: int | None = None, *, keep_ranking: int = 10) -> Selection:
    if table.n_lists > MAX_LISTS_BIC:
        raise ValueError(f"el método 'bic' admite como máximo {MAX_LISTS_BIC} listas")
    order = DEFAULT_MAX_ORDER[table.n_lists] if max_order is None else max_order
    require_main_effects(table)
    ranked: list[tuple[float, int, FittedModel]] = []
    considered = 0
    for index, interactions in enumerate(hierarchical_models(table.n_lists, order)):
        considered += 1
        check, model = assess_model(table, interactions)
        if check.admissible and model is not None and model.fit.converged:
            ranked.append((model.bic, index, model))
    if not ranked:
        raise EstimateUnavailable(
            "no_admissible_model",
            "No existe una estimación: ningún modelo es estimable con estos datos.",
        )
    ranked.sort(key=lambda item: (item[0], item[1]))
    selection = Selection(ranked[0][2], "bic", models_considered=considered, models_admissible=len(ranked))
    selection.ranking = [
        {
            "model": model.term_names(),
            "hierarchy": hierarchy_label(model.interactions, table.n_lists),
            "bic": bic,
            "estimate": model.estimate,
        }
        for bic, _, model in ranked[:keep_ranking]
    ]
    return selection


def _converged(selection: Selection) -> Selection:
    if not selection.model.fit.converged:
        raise EstimateUnavailable(
            "not_converged",
            "No se obtuvo una estimación: el ajuste del modelo no convergió.",
        )
    return selection
