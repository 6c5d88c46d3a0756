"""Coarsening: replace tables that secondary suppression has mostly blanked by coarser ones.

A table whose informative cells (withheld, or published and non-zero) are mostly withheld
tells the public little and costs the other tables many secondary suppressions. The plan
drops it and, one step up the hierarchy (``hierarchy.COARSENING_HIERARCHY``: time first,
month -> year; then department -> region -> national), proposes the coarser table instead.
The caller re-runs ``protect`` with the new list (``protect_with_coarsening`` does the loop).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .hierarchy import COARSENING_HIERARCHY
from .protect import Publication, protect
from .specs import DEFAULT_K, TableSpec

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class CoarseningPlan:
    drop: tuple[str, ...] = ()  # names of the tables to stop publishing
    add: tuple[TableSpec, ...] = ()  # coarser tables to publish instead (already de-duplicated)
    withheld_share: Mapping[str, float] = field(default_factory=dict)  # of every table looked at
    no_coarser: tuple[str, ...] = ()  # mostly withheld, but nothing coarser in the hierarchy: kept

    @property
    def is_empty(self) -> bool:
        return not self.drop

    def apply(self, specs: Sequence[TableSpec]) -> list[TableSpec]:
        return [spec for spec in specs if spec.name not in self.drop] + list(self.add)


def coarser_spec(spec: TableSpec) -> TableSpec | None:
    """The table one step up the hierarchy, or None when no step applies."""
    for step in COARSENING_HIERARCHY:
        if step.attribute not in spec.grouping:
            continue
        grouping: list[str] = []
        for attribute in spec.grouping:
            if attribute != step.attribute:
                grouping.append(attribute)
            elif step.replacement is not None and step.replacement not in spec.grouping:
                grouping.append(step.replacement)
        return TableSpec(name=f"{spec.name}_{step.label}", grouping=tuple(grouping))
    return None


def coarsen_if_mostly_suppressed(publication: Publication, threshold: float = DEFAULT_THRESHOLD) -> CoarseningPlan:
    """Which tables of ``publication`` to drop, and which coarser ones to publish instead.

    A proposed coarser grouping that is itself being dropped (mostly withheld too) is
    coarsened further; one already published, or already proposed, is not proposed twice.
    """
    shares = {spec.name: publication.withheld_share(spec.name) for spec in publication.specs}
    mostly = [spec for spec in publication.specs if shares[spec.name] > threshold]
    dropped_groupings = {frozenset(spec.grouping) for spec in mostly if coarser_spec(spec) is not None}
    kept_groupings = {frozenset(spec.grouping) for spec in publication.specs} - dropped_groupings
    drop: list[str] = []
    add: list[TableSpec] = []
    no_coarser: list[str] = []
    for spec in mostly:
        coarse = coarser_spec(spec)
        if coarse is None:
            no_coarser.append(spec.name)
            continue
        drop.append(spec.name)
        while coarse is not None and frozenset(coarse.grouping) in dropped_groupings:
            coarse = coarser_spec(coarse)
        if coarse is not None and frozenset(coarse.grouping) not in kept_groupings:
            kept_groupings.add(frozenset(coarse.grouping))
            add.append(coarse)
    return CoarseningPlan(drop=tuple(drop), add=tuple(add), withheld_share=shares, no_coarser=tuple(no_coarser))


def protect_with_coarsening(
    microdata: pd.DataFrame,
    specs: Sequence[TableSpec],
    k: int = DEFAULT_K,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    max_steps: int = 6,
    domains: Mapping[str, Sequence[Hashable]] | None = None,
    **protect_options: Any,
) -> tuple[Publication, list[CoarseningPlan]]:
    """``protect``, then coarsen and protect again until no table is mostly withheld.

    Returns the final publication and the plans applied, in order (for the run's metadata).
    """
    current = list(specs)
    plans: list[CoarseningPlan] = []
    publication = protect(microdata, current, k, domains=domains, **protect_options)
    for _ in range(max_steps):
        plan = coarsen_if_mostly_suppressed(publication, threshold)
        if plan.is_empty:
            break
        plans.append(plan)
        current = plan.apply(current)
        publication = protect(microdata, current, k, domains=domains, **protect_options)
    return publication, plans
