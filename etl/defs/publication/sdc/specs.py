"""What a publication is made of: table definitions, withholding reasons, protection rule."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

DEFAULT_K = 10

WithheldReason = Literal["primary", "secondary", "disclosive_zero"]
WITHHELD_REASONS: tuple[WithheldReason, ...] = ("primary", "secondary", "disclosive_zero")

# For the dashboards' footnotes: what a withheld cell means, in the public's language.
WITHHELD_REASON_LABELS_ES: Mapping[str, str] = MappingProxyType(
    {
        "primary": "Reservado: menos casos que el umbral de publicación",
        "secondary": "Reservado para que no se pueda deducir otra celda reservada",
        "disclosive_zero": "Reservado: revelaría una característica común a todas las víctimas del grupo",
    }
)


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One published count table: persons counted per combination of ``grouping`` values.

    An empty grouping is the grand total.
    """

    name: str
    grouping: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("TableSpec.name must not be empty")
        object.__setattr__(self, "grouping", tuple(self.grouping))
        if len(set(self.grouping)) != len(self.grouping):
            raise ValueError(f"TableSpec {self.name!r}: an attribute appears twice in the grouping")
        reserved = {"count", "is_withheld", "withheld_reason"} & set(self.grouping)
        if reserved:
            raise ValueError(f"TableSpec {self.name!r}: grouping uses reserved column names {sorted(reserved)}")


@dataclass(frozen=True, slots=True)
class ProtectionRule:
    """When an attacker's knowledge about a withheld cell is acceptable.

    The attacker derives, from everything published, an interval [lower, upper] of integer
    values the cell can take (see ``attacker``). A withheld cell is:

    * *sensitive* if it was withheld for itself (``primary`` or ``disclosive_zero``, or no
      reason given). It is protected when ``upper - lower >= width`` (default ``width = k``)
      **and** the interval is not inside 1..k-1 (redundant when ``width >= k - 1``, kept so
      that a smaller configured width can never let a small count be pinned down);
    * *secondary* (withheld only to shield others; its true value is 0 or >= k). It is
      protected when the interval is not inside 1..k-1: learning it exactly reveals
      nothing the primary rule forbids.

    An unbounded upper end (a cell no published total constrains) is always protected.
    """

    k: int = DEFAULT_K
    width: int | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be at least 1")
        if self.width is not None and self.width < 0:
            raise ValueError("protection width must not be negative")

    @property
    def required_width(self) -> int:
        return self.k if self.width is None else self.width

    def pins_small_count(self, lower: float, upper: float) -> bool:
        return lower >= 1 and upper <= self.k - 1

    def is_protected(self, lower: float, upper: float, *, sensitive: bool) -> bool:
        if upper == math.inf:
            return True
        if self.pins_small_count(lower, upper):
            return False
        return (upper - lower) >= self.required_width if sensitive else True
