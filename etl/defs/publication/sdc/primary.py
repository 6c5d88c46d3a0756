"""Primary suppression: cells withheld for what they themselves reveal.

Two rules, applied table by table:

* **small counts**: a count from 1 to k-1 is withheld (``primary``);
* **disclosive zeros** (group attribute disclosure): take a table and one of its
  non-time attributes ``a``; a *line* is the set of cells that share every other grouping
  value (e.g. the sexes of one department and year). If a line has at least two cells,
  holds at least one person, and exactly one of its cells is non-zero, then publishing it
  says "every victim of this group has a = v" (all victims in department X are girls).
  Every zero cell of that line is withheld (``disclosive_zero``), and so is the non-zero
  cell, its complement (``primary`` if it is also small, else ``disclosive_zero``): with
  both hidden, the line's total alone no longer tells how it splits.

Time attributes are exempt by default: "every victim of this group registered in March"
is not an attribute of a person worth hiding, and the rule there would blank most monthly
tables for nothing. Lines whose total is itself small are still covered (the small total is
withheld by the first rule; its zeros by this one), since a person known to be a victim
would otherwise be revealed by the zeros alone.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .cellspace import TableLayout
from .hierarchy import TIME_ATTRIBUTES

NOT_WITHHELD = 0
PRIMARY = 1
SECONDARY = 2
DISCLOSIVE_ZERO = 3
REASON_NAMES: dict[int, str | None] = {
    NOT_WITHHELD: None,
    PRIMARY: "primary",
    SECONDARY: "secondary",
    DISCLOSIVE_ZERO: "disclosive_zero",
}
REASON_CODES: dict[str, int] = {name: code for code, name in REASON_NAMES.items() if name is not None}
SENSITIVE_REASONS = frozenset({PRIMARY, DISCLOSIVE_ZERO})


def default_zero_rule_attributes(grouping: Collection[str]) -> tuple[str, ...]:
    return tuple(a for a in grouping if a not in TIME_ATTRIBUTES)


def disclosive_zero_cells(
    layout: TableLayout,
    counts: np.ndarray,
    zero_rule_attributes: Collection[str] | None = None,
    *,
    known: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask of the cells of one table that the disclosive-zero rule withholds.

    ``known`` (for auditing published tables) limits the rule to lines whose every cell is known.
    """
    grouping = layout.spec.grouping
    attributes = (
        default_zero_rule_attributes(grouping)
        if zero_rule_attributes is None
        else tuple(a for a in grouping if a in zero_rule_attributes)
    )
    flagged = np.zeros(layout.n_cells, dtype=bool)
    for attribute in attributes:
        line = _line_ids(layout, attribute)
        n_lines = int(line.max()) + 1 if len(line) else 0
        size = np.bincount(line, minlength=n_lines)
        total = np.bincount(line, weights=counts, minlength=n_lines)
        nonzero = np.bincount(line, weights=(counts > 0).astype(np.int64), minlength=n_lines)
        disclosive_line = (size >= 2) & (total >= 1) & (nonzero == 1)
        if known is not None:
            disclosive_line &= np.bincount(line, weights=(~known).astype(np.int64), minlength=n_lines) == 0
        flagged |= disclosive_line[line]
    return flagged


def primary_reasons(
    layout: TableLayout, counts: np.ndarray, k: int, zero_rule_attributes: Collection[str] | None = None
) -> np.ndarray:
    """Reason code per cell after primary suppression (NOT_WITHHELD, PRIMARY or DISCLOSIVE_ZERO)."""
    reasons = np.full(layout.n_cells, NOT_WITHHELD, dtype=np.int8)
    reasons[disclosive_zero_cells(layout, counts, zero_rule_attributes)] = DISCLOSIVE_ZERO
    reasons[(counts >= 1) & (counts <= k - 1)] = PRIMARY
    return reasons


def _line_ids(layout: TableLayout, attribute: str) -> np.ndarray:
    others = [a for a in layout.spec.grouping if a != attribute]
    if not others:
        return np.zeros(layout.n_cells, dtype=np.int64)
    return layout.keys.groupby(others, sort=False, dropna=False).ngroup().to_numpy(dtype=np.int64)
