"""Capture histories: the aggregate table every estimate starts from.

A capture history says on which lists (institutions) a person was found; the table counts the
persons with each history. Cells are indexed by a bitmask over the lists in column order
(bit 0 = first list column), so cell 0 is the never-observed group the estimate is about.
Only counts live here: no person-level value ever reaches this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

COUNT_COLUMN = "count"
MAX_LISTS = 10  # 2**10 cells; beyond that the exhaustive checks stop being cheap


class CaptureHistoryError(ValueError):
    """The histories table breaks a rule; the message names row/column and rule, never a value."""


@dataclass(frozen=True)
class CaptureTable:
    list_names: tuple[str, ...]
    counts: np.ndarray  # length 2**t, integer counts per cell bitmask; counts[0] is always 0

    @property
    def n_lists(self) -> int:
        return len(self.list_names)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    def overlap(self, term: int) -> int:
        """Persons seen on every list of `term` (N* in Chan, Silverman and Vincent 2021)."""
        return int(self._overlaps[term])

    @cached_property
    def _overlaps(self) -> np.ndarray:
        # Superset sums over the subset lattice: one pass per list instead of one scan per term.
        sums = self.counts.astype(np.int64).copy()
        cells = np.arange(sums.size)
        for i in range(self.n_lists):
            without = cells[(cells >> i & 1) == 0]
            sums[without] += sums[without | (1 << i)]
        return sums

    def with_counts(self, counts: np.ndarray) -> CaptureTable:
        return CaptureTable(self.list_names, np.asarray(counts, dtype=np.int64))

    def drop_empty_lists(self) -> tuple[CaptureTable, tuple[str, ...]]:
        """Remove lists nobody was seen on: their main effect would be minus infinity."""
        keep = [i for i in range(self.n_lists) if self.overlap(1 << i) > 0]
        dropped = tuple(name for i, name in enumerate(self.list_names) if i not in keep)
        if not dropped:
            return self, ()
        counts = np.zeros(1 << len(keep), dtype=np.int64)
        for cell in np.nonzero(self.counts)[0]:
            new_cell = sum(1 << k for k, i in enumerate(keep) if cell >> i & 1)
            counts[new_cell] += self.counts[cell]
        return CaptureTable(tuple(self.list_names[i] for i in keep), counts), dropped

    def to_frame(self) -> pd.DataFrame:
        """All 2**t - 1 observable histories with their counts (zeros included)."""
        cells = np.arange(1, self.counts.size)
        data = {name: (cells >> i) & 1 for i, name in enumerate(self.list_names)}
        data[COUNT_COLUMN] = self.counts[1:]
        return pd.DataFrame(data)


def capture_table(histories: pd.DataFrame) -> CaptureTable:
    """Validate a histories frame (one 0/1 column per list + `count`) and aggregate it by cell.

    Missing combinations count as zero; repeated combinations are added up. A row with no list
    marked describes nobody observable: allowed only with a zero count.
    """
    if not isinstance(histories, pd.DataFrame):
        raise CaptureHistoryError("las historias de captura deben ser una tabla (DataFrame)")
    if COUNT_COLUMN not in histories.columns:
        raise CaptureHistoryError(f"falta la columna '{COUNT_COLUMN}'")
    list_names = tuple(str(c) for c in histories.columns if c != COUNT_COLUMN)
    if len(set(list_names)) != len(list_names):
        raise CaptureHistoryError("hay columnas de listas repetidas")
    if len(list_names) < 2:
        raise CaptureHistoryError("se necesitan al menos dos columnas de listas además de 'count'")
    if len(list_names) > MAX_LISTS:
        raise CaptureHistoryError(f"se admiten como máximo {MAX_LISTS} listas")

    counts = np.zeros(1 << len(list_names), dtype=np.int64)
    list_columns = [c for c in histories.columns if c != COUNT_COLUMN]
    flags = np.column_stack([_binary_column(histories[c], str(c)) for c in list_columns])
    row_counts = _count_column(histories[COUNT_COLUMN])
    cells = flags @ (1 << np.arange(len(list_names)))
    for row, (cell, count) in enumerate(zip(cells, row_counts, strict=True), start=1):
        if cell == 0 and count > 0:
            raise CaptureHistoryError(
                f"fila {row}: una historia sin ninguna lista marcada no puede tener casos observados"
            )
        counts[cell] += count
    counts[0] = 0
    return CaptureTable(list_names, counts)


def _binary_column(column: pd.Series, name: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    for row, value in enumerate(values, start=1):
        if np.isnan(value) or value not in (0.0, 1.0):
            raise CaptureHistoryError(f"fila {row}, columna '{name}': solo se admiten los valores 0 y 1")
    return values.astype(np.int64)


def _count_column(column: pd.Series) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    for row, value in enumerate(values, start=1):
        if np.isnan(value) or value < 0 or value != np.floor(value):
            raise CaptureHistoryError(
                f"fila {row}, columna '{COUNT_COLUMN}': debe ser un entero mayor o igual a cero"
            )
    return values.astype(np.int64)
