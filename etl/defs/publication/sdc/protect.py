"""``protect``: from person-level microdata to a publication that is safe to show."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .audit import DEFAULT_AUDIT, AuditReport, AuditSettings
from .cellspace import CellSpace, build_cell_space, cell_counts, finest_counts, observed_domains
from .hierarchy import DERIVATIONS, Derivation
from .primary import NOT_WITHHELD, REASON_NAMES, primary_reasons
from .secondary import suppress_secondary
from .specs import DEFAULT_K, ProtectionRule, TableSpec


@dataclass(frozen=True, slots=True)
class Publication:
    """Protected tables (grouping columns, ``count``, ``is_withheld``, ``withheld_reason``) and their audit."""

    tables: dict[str, pd.DataFrame]
    audit: AuditReport
    specs: tuple[TableSpec, ...]
    k: int
    rounds: int = 0

    def withheld_share(self, name: str) -> float:
        """Share of the informative cells (withheld or published non-zero) that are withheld.

        Published zeros are left out: a monthly department table full of empty months would
        otherwise look healthy while every cell with a victim in it is hidden.
        """
        table = self.tables[name]
        withheld = int(table["is_withheld"].sum())
        informative = withheld + int(((~table["is_withheld"]) & (table["count"] > 0)).sum())
        return withheld / informative if informative else 0.0


def protect(
    microdata: pd.DataFrame,
    specs: Sequence[TableSpec],
    k: int = DEFAULT_K,
    *,
    width: int | None = None,
    domains: Mapping[str, Sequence[Hashable]] | None = None,
    zero_rule_attributes: Collection[str] | None = None,
    derivations: Mapping[str, Derivation] = DERIVATIONS,
    settings: AuditSettings = DEFAULT_AUDIT,
    max_rounds: int = 10_000,
) -> Publication:
    """Tabulate ``microdata`` (one row per person) into ``specs`` and withhold what must be withheld.

    ``domains`` lists the values of each attribute that tables must show (pass the code
    lists: values absent from the data then appear as 0 instead of vanishing). Derived
    attributes (``region_code``, ``year`` from ``period``) are computed when missing.
    """
    if not specs:
        raise ValueError("a publication needs at least one table")
    rule = ProtectionRule(k=k, width=width)
    space = build_cell_space(specs, observed_domains(microdata, specs, domains, derivations), derivations)
    finest = finest_counts(space, microdata)
    counts = cell_counts(space, finest)
    reasons = [
        primary_reasons(layout, table_counts, k, zero_rule_attributes)
        for layout, table_counts in zip(space.layouts, counts, strict=True)
    ]
    result = suppress_secondary(
        space, counts, reasons, rule, reference=finest, settings=settings, max_rounds=max_rounds
    )
    tables = {
        layout.spec.name: _table_frame(layout.keys, table_counts, table_reasons)
        for layout, table_counts, table_reasons in zip(space.layouts, counts, result.reasons, strict=True)
    }
    return Publication(tables=tables, audit=result.audit, specs=tuple(specs), k=k, rounds=result.rounds)


def tabulate(
    microdata: pd.DataFrame,
    specs: Sequence[TableSpec],
    *,
    domains: Mapping[str, Sequence[Hashable]] | None = None,
    derivations: Mapping[str, Derivation] = DERIVATIONS,
) -> tuple[CellSpace, list[np.ndarray]]:
    """Unprotected counts (for internal use and tests only: never publish these)."""
    space = build_cell_space(specs, observed_domains(microdata, specs, domains, derivations), derivations)
    return space, cell_counts(space, finest_counts(space, microdata))


def _table_frame(keys: pd.DataFrame, counts: np.ndarray, reasons: np.ndarray) -> pd.DataFrame:
    withheld = reasons != NOT_WITHHELD
    frame = keys.copy()
    frame["count"] = pd.array(np.where(withheld, 0, counts), dtype="Int64")
    frame.loc[withheld, "count"] = pd.NA
    frame["is_withheld"] = withheld
    frame["withheld_reason"] = pd.array([REASON_NAMES[int(r)] for r in reasons], dtype="string")
    return frame
