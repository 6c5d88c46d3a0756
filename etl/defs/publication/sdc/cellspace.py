"""The cells a publication is built from, and each table's view of them.

A publication's tables all count the same persons. Conceptually the unknowns are the
*finest cells*: the combinations of values of every attribute used by any table (the union
of groupings), every published count being a sum of them. Derived attributes (region of a
department, year of a period) are attached to their parent instead of multiplying the space,
so impossible combinations never exist (see ``hierarchy``).

The full cross product grows fast (7 attributes: ~700,000 cells) while tables are low-order
margins. So the space is split into **cliques**: sets of attributes from a junction tree of
the tables' attribute sets (triangulated by greedy min-fill elimination). Each table lives in
one clique that contains its attributes; adjacent cliques must agree on the counts of their
shared attributes (*separators*). By Vorob'ev's theorem (1962), margins on the cliques of a
junction tree that agree along its edges always extend to a full table, with non-negative
real counts and, going clique by clique through transportation problems, with integer counts
too: the attacker's programs over the cliques have exactly the optima of those over the full
cross product, at a fraction of its size. When the cliques would not be smaller, one clique
holds every attribute (the full cross product itself).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from math import prod

import numpy as np
import pandas as pd

from .hierarchy import DERIVATIONS, Derivation
from .specs import TableSpec

# Above this many cells in all cliques together the publication crosses too many attributes
# in its tables for an LP audit; it is a modelling mistake, refused rather than attempted.
MAX_FINEST_CELLS = 2_000_000


@dataclass(frozen=True, slots=True)
class Clique:
    attributes: tuple[str, ...]  # base attributes, crossed
    offset: int  # index of its first cell among all cliques' cells
    n_vars: int
    var_codes: Mapping[str, np.ndarray]  # attribute (base or derived from one) -> (n_vars,) domain code

    @property
    def span(self) -> slice:
        return slice(self.offset, self.offset + self.n_vars)


@dataclass(frozen=True, slots=True)
class Separator:
    """Adjacent cliques must have the same counts over their shared attributes."""

    left: int
    right: int
    attributes: tuple[str, ...]
    left_cell: np.ndarray  # (left clique's n_vars,) separator cell of each cell
    right_cell: np.ndarray
    n_cells: int


@dataclass(frozen=True, slots=True)
class TableLayout:
    spec: TableSpec
    keys: pd.DataFrame  # one row per cell, the grouping columns, in the order cells are numbered
    clique: int  # the clique whose cells this table sums
    var_cell: np.ndarray  # (clique's n_vars,) index of the table cell each clique cell falls in

    @property
    def n_cells(self) -> int:
        return len(self.keys)


@dataclass(frozen=True, slots=True)
class CellSpace:
    base: tuple[str, ...]  # attributes that are no function of another used attribute
    derived: Mapping[str, str]  # derived attribute -> its parent (a base attribute)
    domains: Mapping[str, pd.Index]
    cliques: tuple[Clique, ...]
    separators: tuple[Separator, ...]
    layouts: tuple[TableLayout, ...]
    derivations: Mapping[str, Derivation]

    @property
    def n_vars(self) -> int:
        return sum(clique.n_vars for clique in self.cliques)

    def span(self, table: int) -> slice:
        """Positions, among all cliques' cells, of the cells of the clique a table lives in."""
        return self.cliques[self.layouts[table].clique].span

    def layout(self, name: str) -> TableLayout:
        for layout in self.layouts:
            if layout.spec.name == name:
                return layout
        raise KeyError(f"no table named {name!r} in this publication")

    def base_of(self, grouping: Sequence[str]) -> frozenset[str]:
        return frozenset(self.derived.get(a, a) for a in grouping)

    def clique_counts(self, frame: pd.DataFrame) -> np.ndarray:
        """Persons (one row each) counted in every cell of every clique, cliques one after another."""
        codes = {}
        for attribute in self.base:
            column = _column_or_derived(frame, attribute, self.derivations)
            code = self.domains[attribute].get_indexer(column)
            outside = int((code < 0).sum())
            if outside:
                raise ValueError(
                    f"column {attribute!r}: {outside} row(s) hold a value that is null or outside the "
                    "declared domain"
                )
            codes[attribute] = code
        counts = []
        for clique in self.cliques:
            if clique.attributes:
                shape = tuple(len(self.domains[a]) for a in clique.attributes)
                index = np.ravel_multi_index(tuple(codes[a] for a in clique.attributes), shape)
            else:
                index = np.zeros(len(frame), dtype=np.int64)
            counts.append(np.bincount(index, minlength=clique.n_vars))
        return np.concatenate(counts).astype(np.int64)


def union_of_groupings(specs: Sequence[TableSpec]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for spec in specs:
        for attribute in spec.grouping:
            seen.setdefault(attribute, None)
    return tuple(seen)


def split_base_and_derived(
    attributes: Sequence[str], derivations: Mapping[str, Derivation] = DERIVATIONS
) -> tuple[tuple[str, ...], dict[str, str]]:
    present = set(attributes)
    derived = {a: derivations[a].parent for a in attributes if a in derivations and derivations[a].parent in present}
    base = tuple(a for a in attributes if a not in derived)
    return base, derived


def sorted_domain(values: Sequence[Hashable] | pd.Series | pd.Index, attribute: str) -> pd.Index:
    series = pd.Series(values)
    if series.isna().any():
        raise ValueError(f"attribute {attribute!r}: null values cannot be tabulated; code them (e.g. UNKNOWN)")
    unique = pd.unique(series)
    try:
        ordered = sorted(unique)
    except TypeError:
        ordered = sorted(unique, key=str)
    return pd.Index(ordered, dtype=series.dtype if len(series) else object)


def build_cell_space(
    specs: Sequence[TableSpec],
    domains: Mapping[str, Sequence[Hashable] | pd.Index],
    derivations: Mapping[str, Derivation] = DERIVATIONS,
) -> CellSpace:
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("two tables share a name")
    base, derived = split_base_and_derived(union_of_groupings(specs), derivations)
    resolved: dict[str, pd.Index] = {}
    for attribute in base:
        if attribute not in domains:
            raise ValueError(f"no domain given for attribute {attribute!r}")
        resolved[attribute] = sorted_domain(list(domains[attribute]), attribute)
        if len(resolved[attribute]) == 0:
            raise ValueError(f"attribute {attribute!r} has an empty domain")
    derived_codes: dict[str, np.ndarray] = {}  # derived attribute -> code per parent code
    for attribute, parent in derived.items():
        mapped = [derivations[attribute].derive(value) for value in resolved[parent]]
        resolved[attribute] = (
            sorted_domain(list(domains[attribute]), attribute)
            if attribute in domains
            else sorted_domain(mapped, attribute)
        )
        derived_codes[attribute] = resolved[attribute].get_indexer(pd.Index(mapped))
        if (derived_codes[attribute] < 0).any():
            raise ValueError(f"the domain given for {attribute!r} misses values derived from {parent!r}")
    sizes = {a: len(resolved[a]) for a in base}
    hyperedges = [frozenset(derived.get(a, a) for a in spec.grouping) for spec in specs]
    clique_sets = junction_cliques(base, hyperedges, sizes)
    total = sum(prod(sizes[a] for a in c) for c in clique_sets)
    if total > MAX_FINEST_CELLS:
        raise ValueError(
            f"the tables cross attributes into {total} cells (limit {MAX_FINEST_CELLS}): publish fewer crossings"
        )
    cliques: list[Clique] = []
    offset = 0
    for attributes in clique_sets:
        shape = tuple(sizes[a] for a in attributes)
        n_vars = int(prod(shape))
        var_codes: dict[str, np.ndarray] = {}
        if attributes:
            for attribute, codes in zip(attributes, np.unravel_index(np.arange(n_vars), shape), strict=True):
                var_codes[attribute] = codes.astype(np.int64)
        for attribute, parent in derived.items():
            if parent in var_codes:
                var_codes[attribute] = derived_codes[attribute][var_codes[parent]]
        cliques.append(Clique(attributes=attributes, offset=offset, n_vars=n_vars, var_codes=var_codes))
        offset += n_vars
    layouts = []
    for spec, edge in zip(specs, hyperedges, strict=True):
        home = min(
            (i for i, c in enumerate(cliques) if edge <= set(c.attributes)), key=lambda i: (cliques[i].n_vars, i)
        )
        layouts.append(_layout(spec, home, resolved, cliques[home]))
    return CellSpace(
        base=base,
        derived=derived,
        domains=resolved,
        cliques=tuple(cliques),
        separators=tuple(_separators(cliques, sizes)),
        layouts=tuple(layouts),
        derivations=derivations,
    )


def junction_cliques(
    base: Sequence[str], hyperedges: Sequence[frozenset[str]], sizes: Mapping[str, int]
) -> list[tuple[str, ...]]:
    """Cliques of a junction tree covering every hyperedge, in a deterministic order.

    Greedy elimination on the graph linking attributes that share a table: eliminate the
    attribute adding the fewest fill-in edges (then the smallest resulting clique, then the
    earliest attribute); the eliminated attribute and its neighbours form a clique. When the
    cliques are no smaller than the full cross product, the full cross product is returned.
    """
    order = {a: i for i, a in enumerate(base)}
    neighbours: dict[str, set[str]] = {a: set() for a in base}
    for edge in hyperedges:
        for a in edge:
            neighbours[a] |= edge - {a}
    remaining = set(base)
    found: list[frozenset[str]] = []
    while remaining:

        def cost(a: str) -> tuple[int, int, int]:
            near = neighbours[a] & remaining
            fill = sum(1 for x in near for y in near if x < y and y not in neighbours[x])
            return fill, prod(sizes[b] for b in near | {a}), order[a]

        chosen = min(remaining, key=cost)
        near = neighbours[chosen] & remaining
        for x in near:
            neighbours[x] |= near - {x}
        found.append(frozenset(near | {chosen}))
        remaining.discard(chosen)
    maximal = [c for c in found if not any(c < other for other in found)]
    unique = list(dict.fromkeys(maximal))
    cliques = [tuple(sorted(c, key=order.__getitem__)) for c in unique]
    full = prod(sizes[a] for a in base)
    if not cliques or sum(prod(sizes[a] for a in c) for c in cliques) >= full:
        return [tuple(base)]
    return cliques


def _separators(cliques: Sequence[Clique], sizes: Mapping[str, int]) -> list[Separator]:
    """Edges of a maximum-weight spanning tree (weight = shared attributes) over the cliques.

    Cliques that share nothing are still joined: then they must agree on the grand total.
    """
    candidates = sorted(

            (-len(set(cliques[i].attributes) & set(cliques[j].attributes)), i, j)
            for i in range(len(cliques))
            for j in range(i + 1, len(cliques))

    )
    component = list(range(len(cliques)))

    def root(i: int) -> int:
        while component[i] != i:
            component[i] = component[component[i]]
            i = component[i]
        return i

    separators = []
    for _, i, j in candidates:
        if root(i) == root(j):
            continue
        component[root(i)] = root(j)
        shared = tuple(a for a in cliques[i].attributes if a in cliques[j].attributes)
        shape = tuple(sizes[a] for a in shared)
        separators.append(
            Separator(
                left=i,
                right=j,
                attributes=shared,
                left_cell=_project(cliques[i], shared, shape),
                right_cell=_project(cliques[j], shared, shape),
                n_cells=int(prod(shape)),
            )
        )
    return separators


def _project(clique: Clique, attributes: tuple[str, ...], shape: tuple[int, ...]) -> np.ndarray:
    if not attributes:
        return np.zeros(clique.n_vars, dtype=np.int64)
    return np.ravel_multi_index(tuple(clique.var_codes[a] for a in attributes), shape).astype(np.int64)


def _layout(spec: TableSpec, home: int, domains: Mapping[str, pd.Index], clique: Clique) -> TableLayout:
    if not spec.grouping:
        return TableLayout(
            spec=spec,
            keys=pd.DataFrame(index=pd.RangeIndex(1)),
            clique=home,
            var_cell=np.zeros(clique.n_vars, np.int64),
        )
    shape = tuple(len(domains[a]) for a in spec.grouping)
    combined = np.ravel_multi_index(tuple(clique.var_codes[a] for a in spec.grouping), shape)
    cells, var_cell = np.unique(combined, return_inverse=True)
    key_codes = np.unravel_index(cells, shape)
    keys = pd.DataFrame({a: domains[a].take(codes) for a, codes in zip(spec.grouping, key_codes, strict=True)})
    return TableLayout(spec=spec, keys=keys.reset_index(drop=True), clique=home, var_cell=var_cell.astype(np.int64))


def _column_or_derived(frame: pd.DataFrame, attribute: str, derivations: Mapping[str, Derivation]) -> pd.Series:
    if attribute in frame.columns:
        return frame[attribute]
    derivation = derivations.get(attribute)
    if derivation is not None and derivation.parent in frame.columns:
        return frame[derivation.parent].map(derivation.derive)
    raise ValueError(f"column {attribute!r} is missing and cannot be derived")


def observed_domains(
    microdata: pd.DataFrame,
    specs: Sequence[TableSpec],
    given: Mapping[str, Sequence[Hashable]] | None = None,
    derivations: Mapping[str, Derivation] = DERIVATIONS,
) -> dict[str, Sequence[Hashable] | pd.Index]:
    """Domains for the base attributes: those given, else the values seen in ``microdata``.

    Seen values are a fallback only: a department with no victims at all would then vanish
    from the tables instead of showing 0, so callers should pass code lists when they can.
    """
    given = dict(given or {})
    base, _ = split_base_and_derived(union_of_groupings(specs), derivations)
    resolved: dict[str, Sequence[Hashable] | pd.Index] = dict(given)
    for attribute in base:
        if attribute in resolved:
            continue
        derivation = derivations.get(attribute)
        if derivation is not None and derivation.parent in given:
            # e.g. regions from the 18 given departments: a region without victims still shows 0
            derived = [derivation.derive(value) for value in given[derivation.parent]]
            resolved[attribute] = sorted_domain(derived, attribute)
        else:
            resolved[attribute] = sorted_domain(_column_or_derived(microdata, attribute, derivations), attribute)
    return resolved


def cell_counts(space: CellSpace, clique_counts: np.ndarray) -> list[np.ndarray]:
    """Count of every cell of every table, from the counts of the cliques' cells."""
    return [
        np.bincount(layout.var_cell, weights=clique_counts[space.span(t)], minlength=layout.n_cells)
        .round()
        .astype(np.int64)
        for t, layout in enumerate(space.layouts)
    ]


def finest_counts(space: CellSpace, microdata: pd.DataFrame) -> np.ndarray:
    """Counts of every clique cell (the LP's unknowns, true values), cliques one after another."""
    return space.clique_counts(microdata)


def key_codes(space: CellSpace, table: int) -> dict[str, np.ndarray]:
    """Domain code of every grouping value of every cell of a table."""
    layout = space.layouts[table]
    return {a: space.domains[a].get_indexer(layout.keys[a]) for a in layout.spec.grouping}


def parent_codes(space: CellSpace, attribute: str) -> tuple[str, np.ndarray]:
    """(base attribute, code of ``attribute`` for each code of the base attribute)."""
    parent = space.derived.get(attribute)
    if parent is None:
        return attribute, np.arange(len(space.domains[attribute]))
    mapped = [space.derivations[attribute].derive(v) for v in space.domains[parent]]
    return parent, space.domains[attribute].get_indexer(pd.Index(mapped))


def overlapping(space: CellSpace, table: int, cell: int, other: int) -> np.ndarray:
    """Cells of table ``other`` that share at least one person-profile with ``cell`` of ``table``."""
    mine = key_codes(space, table)
    theirs = key_codes(space, other)
    ok = np.ones(space.layouts[other].n_cells, dtype=bool)
    for attribute, codes in mine.items():
        base, to_mine = parent_codes(space, attribute)
        allowed = to_mine == codes[cell]  # base values compatible with this cell
        for other_attribute, other_codes in theirs.items():
            other_base, to_theirs = parent_codes(space, other_attribute)
            if other_base != base:
                continue
            reachable = np.zeros(len(space.domains[other_attribute]), dtype=bool)
            np.logical_or.at(reachable, to_theirs, allowed)
            ok &= reachable[other_codes]
    return np.flatnonzero(ok)


def refinement_parent(space: CellSpace, coarse: int, fine: int) -> np.ndarray | None:
    """For each cell of ``fine``, the cell of ``coarse`` containing it; None if ``fine`` does not refine it."""
    coarse_layout, fine_layout = space.layouts[coarse], space.layouts[fine]
    if not coarse_layout.spec.grouping:
        return np.zeros(fine_layout.n_cells, dtype=np.int64)
    columns = {}
    for attribute in coarse_layout.spec.grouping:
        if attribute in fine_layout.spec.grouping:
            columns[attribute] = fine_layout.keys[attribute]
            continue
        parent = space.derived.get(attribute)
        if parent is None or parent not in fine_layout.spec.grouping:
            return None
        columns[attribute] = fine_layout.keys[parent].map(space.derivations[attribute].derive)
    wanted = pd.MultiIndex.from_frame(pd.DataFrame(columns)[list(coarse_layout.spec.grouping)])
    parent_cells = pd.MultiIndex.from_frame(coarse_layout.keys[list(coarse_layout.spec.grouping)]).get_indexer(wanted)
    return None if (parent_cells < 0).any() else parent_cells.astype(np.int64)
