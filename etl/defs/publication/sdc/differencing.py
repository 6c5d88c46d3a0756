"""Differencing: can two values a dashboard shows be subtracted to reveal a small count?

A dashboard lets the public filter: any contiguous range of months or years, and for each
categorical dimension (department, sex, age band, form of exploitation, ICT status) either
everything or one value. Every filter combination is a *query*; its value is the number of
persons matching. If query B selects a subset of query A in every dimension (Jan-Jun vs
Jan-May; all sexes vs girls), then value(A) - value(B) counts the persons in A but not in B:
if that difference is between 1 and k-1 the pair discloses a small group, even though both
values are large.

``check_differences`` examines every nested pair of a set of published query values (up to
a cap, and says how many it checked). It does not look at combinations of three or more
values, nor at non-nested pairs (whose difference mixes two groups); the audit's LP covers
such combinations for the tables themselves.

How the dashboards must publish (the rule that makes this check pass by construction):

1. **Compose, never recount.** Every value shown is a published cell of the protected
   publication, or the sum of published cells of one table. If any cell the filter needs
   is withheld, the value is shown as withheld ("reservado"). Then any difference of two
   nested values is itself a sum of published cells, each 0 or >= k, so it is 0 or >= k.
   A value computed afresh from the warehouse for an arbitrary range breaks this.
2. Cumulative series (year to date, Jan-Jun) follow the same rule: a cumulative value is
   the sum of the published months; if one month is withheld the cumulative value from that
   month on is withheld too, unless the coarser table (the year) publishes it directly and
   the audit passed with both tables in the publication.
3. Revisions: a period re-published with late registrations differs from its earlier value
   by the late persons. Freeze periods once published, or check successive releases with
   ``check_revisions`` and withhold revised values whose change is between 1 and k-1.
4. Run ``check_differences`` on the materialised dashboard values (the lead's asset check)
   as a second line of defence.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .specs import DEFAULT_K

DEFAULT_MAX_QUERIES = 200_000
DEFAULT_MAX_PAIRS = 5_000_000
_MAX_VALUES_PER_DIMENSION = 64  # selections are bit masks in one unsigned 64-bit word


@dataclass(frozen=True, slots=True)
class FilterDimension:
    """A filter the dashboard offers: ``range`` = any contiguous run of ``values`` (in order);
    ``choice`` = all values, or exactly one."""

    name: str
    values: tuple[Hashable, ...]
    kind: Literal["range", "choice"] = "choice"

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ValueError(f"filter dimension {self.name!r} has no values")
        if len(self.values) > _MAX_VALUES_PER_DIMENSION:
            raise ValueError(f"filter dimension {self.name!r} has more than {_MAX_VALUES_PER_DIMENSION} values")
        if len(set(self.values)) != len(self.values):
            raise ValueError(f"filter dimension {self.name!r} repeats a value")
        if self.kind not in ("range", "choice"):
            raise ValueError(f"filter dimension {self.name!r}: kind must be 'range' or 'choice'")

    def selections(self) -> list[tuple[Hashable, ...]]:
        n = len(self.values)
        if self.kind == "range":
            return [self.values[i:j] for i in range(n) for j in range(i + 1, n + 1)]
        return [self.values] + [(value,) for value in self.values]


@dataclass(frozen=True, slots=True)
class FilterQuery:
    """One filter combination: the selected values of each dimension, in dimension order."""

    selections: tuple[tuple[str, tuple[Hashable, ...]], ...]

    def selected(self, dimension: str) -> tuple[Hashable, ...]:
        for name, values in self.selections:
            if name == dimension:
                return values
        raise KeyError(dimension)

    def describe(self, dimensions: Sequence[FilterDimension] | None = None) -> str:
        full = {d.name: d.values for d in dimensions or ()}
        parts = []
        for name, values in self.selections:
            if full.get(name) == values:
                continue
            parts.append(f"{name}={values[0]}" if len(values) == 1 else f"{name}={values[0]}..{values[-1]}")
        return "; ".join(parts) or "(all)"


@dataclass(frozen=True, slots=True)
class DifferencingViolation:
    larger: FilterQuery
    smaller: FilterQuery | None  # None: the value itself is between 1 and k-1

    def describe(self, dimensions: Sequence[FilterDimension] | None = None) -> str:
        if self.smaller is None:
            return f"[{self.larger.describe(dimensions)}] is a count between 1 and k-1"
        return (
            f"[{self.larger.describe(dimensions)}] minus [{self.smaller.describe(dimensions)}] "
            "is a count between 1 and k-1"
        )


@dataclass(frozen=True, slots=True)
class DifferencingReport:
    queries_checked: int
    pairs_checked: int
    truncated: bool  # the pair cap was reached: not every nested pair was examined
    violations: tuple[DifferencingViolation, ...]

    @property
    def passed(self) -> bool:
        return not self.violations and not self.truncated


def enumerate_queries(
    dimensions: Sequence[FilterDimension], max_queries: int = DEFAULT_MAX_QUERIES
) -> tuple[list[FilterQuery], bool]:
    """Every filter combination the dashboard allows, up to ``max_queries`` (and whether cut)."""
    names = [d.name for d in dimensions]
    product = itertools.product(*(d.selections() for d in dimensions))
    queries = [FilterQuery(tuple(zip(names, combo, strict=True))) for combo in itertools.islice(product, max_queries)]
    truncated = next(product, None) is not None
    return queries, truncated


def evaluate_queries(microdata: pd.DataFrame, queries: Iterable[FilterQuery]) -> dict[FilterQuery, int]:
    """True counts for queries (internal use: these are not safe to publish as such)."""
    found: dict[FilterQuery, int] = {}
    for query in queries:
        mask = np.ones(len(microdata), dtype=bool)
        for name, values in query.selections:
            mask &= microdata[name].isin(values).to_numpy()
        found[query] = int(mask.sum())
    return found


def compose_from_table(table: pd.DataFrame, query: FilterQuery) -> int | None:
    """The safe dashboard value: sum of the published cells of one protected table, or None.

    Every filtered dimension must be a column of the table; dimensions not in the table must
    be unfiltered (their selection is everything), which the caller guarantees by choosing a
    table whose grouping covers the filters.
    """
    mask = np.ones(len(table), dtype=bool)
    for name, values in query.selections:
        if name in table.columns:
            mask &= table[name].isin(values).to_numpy()
    needed = table.loc[mask]
    if bool(needed["is_withheld"].any()):
        return None
    return int(needed["count"].sum())


def check_differences(
    published: Mapping[FilterQuery, int | None],
    dimensions: Sequence[FilterDimension],
    k: int = DEFAULT_K,
    *,
    max_queries: int = DEFAULT_MAX_QUERIES,
    max_pairs: int = DEFAULT_MAX_PAIRS,
) -> DifferencingReport:
    """Flag published values in 1..k-1 and nested pairs whose difference is in 1..k-1.

    ``None`` values (withheld) take part in no pair. Work is bounded: beyond ``max_queries``
    values or ``max_pairs`` nested pairs the check stops and reports itself truncated.
    """
    queries = [q for q, v in published.items() if v is not None]
    truncated = len(queries) > max_queries
    queries = queries[:max_queries]
    values = np.array([published[q] for q in queries], dtype=np.int64)
    masks = _masks(queries, dimensions)
    violations = [DifferencingViolation(q, None) for q, v in zip(queries, values, strict=True) if 1 <= v <= k - 1]
    pairs = 0
    for i in range(len(queries)):
        # j is nested in i when j selects nothing outside i, dimension by dimension
        nested = np.all((masks & ~masks[i]) == 0, axis=1)
        nested[i] = False
        inside = np.flatnonzero(nested)
        cut = pairs + len(inside) > max_pairs
        if cut:
            inside = inside[: max_pairs - pairs]
        pairs += len(inside)
        difference = values[i] - values[inside]
        for j in inside[(difference >= 1) & (difference <= k - 1)]:
            violations.append(DifferencingViolation(queries[i], queries[int(j)]))
        if cut:
            truncated = True
            break
    return DifferencingReport(
        queries_checked=len(queries), pairs_checked=pairs, truncated=truncated, violations=tuple(violations)
    )


def check_revisions(
    previous: Mapping[FilterQuery, int | None], current: Mapping[FilterQuery, int | None], k: int = DEFAULT_K
) -> list[FilterQuery]:
    """Queries whose published value changed between two releases by 1..k-1 persons."""
    flagged = []
    for query, before in previous.items():
        after = current.get(query)
        if before is not None and after is not None and 1 <= abs(after - before) <= k - 1:
            flagged.append(query)
    return flagged


def _masks(queries: Sequence[FilterQuery], dimensions: Sequence[FilterDimension]) -> np.ndarray:
    masks = np.zeros((len(queries), len(dimensions)), dtype=np.uint64)
    positions = [{value: bit for bit, value in enumerate(d.values)} for d in dimensions]
    for row, query in enumerate(queries):
        for column, dimension in enumerate(dimensions):
            mask = 0
            for value in query.selected(dimension.name):
                mask |= 1 << positions[column][value]
            masks[row, column] = np.uint64(mask)
    return masks
