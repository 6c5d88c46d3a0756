"""The attacker's linear program: what the published tables imply about a withheld cell.

Unknowns are the counts of the cliques' cells (``cellspace``: the finest cells, or their
junction-tree margins, which give the same optima); every published cell is an equality
(its cells sum to the published value), adjacent cliques agree on their shared attributes
(separator equalities) and every count is >= 0. The attacker's interval for a withheld cell
is [min, max] of its sum under those constraints.

Exact reductions make the LP small and shared by all cells:

1. *zeros*: the cells of a published zero are fixed at 0 and leave the LP (and so do the
   cells of other cliques that a separator ties to them);
2. *implied totals*: a published cell that is exactly partitioned by published cells of a
   finer table adds nothing (e.g. the grand total when every year is published) and is
   dropped, which is what lets independent years or departments fall apart into blocks;
3. *classes*: cells that lie in the same equalities are interchangeable, so they are merged
   into one unknown. For a withheld cell, max uses every class that meets it (all of the
   class's mass can be put inside) and min uses the classes it contains entirely (mass of
   the others can be put outside): both exact;
4. *blocks*: connected components of the class/constraint graph are solved separately; a
   class no equality constrains is *free* (unbounded above).

**Witnesses.** Solving two LPs per withheld cell is what costs; most cells are far from
the limit. Any feasible point of the LP shows values the cell can take, so the interval
spanned by a few points (the true data when known, and optima of LPs with random
objectives over many cells at once) is an *inner* bound of the attacker's interval. A cell
whose inner interval already satisfies the rule is protected without its own LP; the others
get the exact LPs. Inner bounds are reported as such (``CellBounds.exact`` false).

**LP relaxation.** Real counts are integers, the LP lets them be fractions. The relaxation's
interval contains the integer one, so an attacker who solves integer programs can know a
bit more than the LP says: an audit by LP alone can call a cell protected when an integer
attacker would narrow it further. We narrow back: bounds are rounded inwards block by block
(floor of the max, ceiling of the min); when an LP optimum is fractional in a block small
enough (``integer_check_max_classes``) the bound is recomputed by mixed-integer programming
(HiGHS branch and bound, time-limited; on time-out its proven bound is used, still valid),
and in such blocks only integral points serve as witnesses. Large blocks keep the rounded
LP bound: that residual gap is the documented limitation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil, floor, inf

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from .cellspace import CellSpace, refinement_parent
from .highs import LPSolution, LPSolveError, WarmLP

_DUAL_TOLERANCE = 1e-9
_INTEGRALITY_TOLERANCE = 1e-6


class AttackerModelError(RuntimeError):
    """The published tables are inconsistent with each other (the LP has no solution)."""


def refinements(space: CellSpace) -> list[tuple[int, int, np.ndarray]]:
    """(t, finer, parent) for every table ``finer`` whose cells each sit inside one cell of ``t``.

    Decided on the tables' keys (an attribute, or its parent, present in the finer table),
    so it holds across cliques: their agreement on shared attributes carries the equation.
    Equal partitions count once (the later table refines the earlier), so that dropping
    implied cells never goes round in a circle.
    """
    layouts = space.layouts
    found = []
    for t, coarse in enumerate(layouts):
        for tp, fine in enumerate(layouts):
            if tp == t or fine.n_cells < coarse.n_cells:
                continue
            if fine.n_cells == coarse.n_cells and tp < t:
                continue
            parent = refinement_parent(space, t, tp)
            if parent is not None:
                found.append((t, tp, parent))
    return found


@dataclass(frozen=True, slots=True)
class CellBounds:
    lower: float  # integer, attacker's smallest value (or a witnessed value >= it when not exact)
    upper: float  # integer or inf, attacker's largest value (or a witnessed value <= it)
    lower_rows: tuple[int, ...] = ()  # constraint rows holding the bound (duals != 0)
    upper_rows: tuple[int, ...] = ()
    exact: bool = True  # optima of the attacker's programs, not witnessed inner bounds
    integer_checked: bool = True  # no fractional LP optimum was left unchecked


@dataclass(slots=True)
class _Block:
    rows: np.ndarray  # global row ids
    classes: np.ndarray  # global class ids, sorted
    matrix: sparse.csr_matrix  # rows x classes of this block
    rhs: np.ndarray


class AttackerModel:
    """The attacker's constraints for one state of a publication (which cells are published)."""

    def __init__(
        self,
        space: CellSpace,
        published: Sequence[np.ndarray],
        values: Sequence[np.ndarray],
        *,
        reference: np.ndarray | None = None,
        integer_check_max_classes: int = 400,
        integer_time_limit: float = 2.0,
        refinement_pairs: Sequence[tuple[int, int, np.ndarray]] | None = None,
    ) -> None:
        """``reference``: true count of every finest cell when known (a feasible point for free)."""
        self.space = space
        self.published = list(published)
        self.values = [np.asarray(v, dtype=np.int64) for v in values]
        self.integer_check_max_classes = integer_check_max_classes
        self.integer_time_limit = integer_time_limit
        self.n_lp_solves = 0
        self.n_milp_solves = 0
        pairs = refinement_pairs if refinement_pairs is not None else refinements(space)
        self._build_rows_and_classes(pairs)
        self._build_blocks()
        self._incidence: dict[int, tuple[sparse.csr_matrix, sparse.csr_matrix]] = {}
        self._cache: dict[tuple[int, bytes, bool], tuple[float, tuple[int, ...], bool, np.ndarray | None]] = {}
        self._points: list[list[np.ndarray]] = [[] for _ in self.blocks]
        self._solvers: dict[tuple[int, bool], WarmLP] = {}
        self._seen: dict[int, dict[int, _TableWitness]] = {}
        if reference is not None:
            live = self.var_class >= 0
            point = np.bincount(self.var_class[live], weights=reference[live], minlength=self.n_classes)
            for b, block in enumerate(self.blocks):
                self._points[b].append(point[block.classes])

    # ---------------------------------------------------------------- structure

    def _build_rows_and_classes(self, pairs: Sequence[tuple[int, int, np.ndarray]]) -> None:
        space = self.space
        layouts = space.layouts
        n_vars = space.n_vars
        self.fixed_zero = np.zeros(n_vars, dtype=bool)
        for t, (layout, pub, val) in enumerate(zip(layouts, self.published, self.values, strict=True)):
            self.fixed_zero[space.span(t)] |= (pub & (val == 0))[layout.var_cell]
        self._propagate_zeros()
        active = [pub & (val > 0) for pub, val in zip(self.published, self.values, strict=True)]
        for t, tp, parent in pairs:
            covered = np.ones(layouts[t].n_cells, dtype=bool)
            covered[parent[~self.published[tp]]] = False
            active[t] &= ~covered
        n_columns = len(layouts) + len(space.separators) + 1
        signature = np.full((n_vars, n_columns), -1, dtype=np.int32)
        offset = 0
        tables, cells, values = [], [], []
        for t, act in enumerate(active):
            ids = np.full(len(act), -1, dtype=np.int64)
            where = np.flatnonzero(act)
            ids[where] = offset + np.arange(len(where))
            offset += len(where)
            signature[space.span(t), t] = ids[layouts[t].var_cell]
            tables.append(np.full(len(where), t, dtype=np.int64))
            cells.append(where)
            values.append(self.values[t][where])
        n_published = offset
        self.separator_sign: list[tuple[int, int]] = []  # (column, left clique) per separator
        for s_index, separator in enumerate(space.separators):
            left = space.cliques[separator.left].span
            right = space.cliques[separator.right].span
            live_left = np.bincount(separator.left_cell, weights=~self.fixed_zero[left], minlength=separator.n_cells)
            live_right = np.bincount(separator.right_cell, weights=~self.fixed_zero[right], minlength=separator.n_cells)
            both = (live_left > 0) & (live_right > 0)
            ids = np.full(separator.n_cells, -1, dtype=np.int64)
            where = np.flatnonzero(both)
            ids[where] = offset + np.arange(len(where))
            offset += len(where)
            column = len(layouts) + s_index
            signature[left, column] = ids[separator.left_cell]
            signature[right, column] = ids[separator.right_cell]
            self.separator_sign.append((column, separator.left))
        for c, clique in enumerate(space.cliques):
            signature[clique.span, -1] = c
        self.row_table = np.concatenate(tables + [np.full(offset - n_published, -1, dtype=np.int64)])
        self.row_cell = np.concatenate(cells + [np.full(offset - n_published, -1, dtype=np.int64)])
        self.row_value = np.concatenate(values + [np.zeros(offset - n_published)]).astype(float)
        self.n_published_rows = n_published
        live = np.flatnonzero(~self.fixed_zero)
        self.var_class = np.full(n_vars, -1, dtype=np.int64)
        if len(live):
            class_signature, inverse = np.unique(signature[live], axis=0, return_inverse=True)
            self.var_class[live] = inverse.reshape(-1)
        else:
            class_signature = np.zeros((0, n_columns), dtype=np.int64)
        self.class_size = np.bincount(self.var_class[live], minlength=len(class_signature))
        entry_class, entry_column = np.nonzero(class_signature[:, :-1] >= 0)
        entry_row = class_signature[entry_class, entry_column]
        entry_value = np.ones(len(entry_row))
        class_clique = class_signature[:, -1]
        for column, left in self.separator_sign:
            # left clique's cells count +1, right clique's -1: their difference must be 0
            on_right = (entry_column == column) & (class_clique[entry_class] != left)
            entry_value[on_right] = -1.0
        self.matrix = sparse.csr_matrix((entry_value, (entry_row, entry_class)), shape=(offset, len(class_signature)))
        if n_published and (np.diff(self.matrix.indptr)[:n_published] == 0).any():
            raise AttackerModelError(
                "the published tables contradict each other: a positive count covers only published zeros"
            )
        self.class_free = np.diff(self.matrix.tocsc().indptr) == 0

    def _propagate_zeros(self) -> None:
        """A separator cell forced to 0 on one side is 0 on the other side too."""
        space = self.space
        changed = True
        while changed:
            changed = False
            for separator in space.separators:
                left = space.cliques[separator.left].span
                right = space.cliques[separator.right].span
                for here, there, here_cell, there_cell in (
                    (left, right, separator.left_cell, separator.right_cell),
                    (right, left, separator.right_cell, separator.left_cell),
                ):
                    live = np.bincount(here_cell, weights=~self.fixed_zero[here], minlength=separator.n_cells)
                    forced = (live == 0)[there_cell] & ~self.fixed_zero[there]
                    if forced.any():
                        self.fixed_zero[there] |= forced
                        changed = True

    def _build_blocks(self) -> None:
        n_rows, n_classes = self.matrix.shape
        graph = sparse.bmat([[None, self.matrix], [self.matrix.T, None]], format="csr")
        _, labels = connected_components(graph, directed=False) if n_rows + n_classes else (0, np.zeros(0, int))
        row_label, class_label = labels[:n_rows], labels[n_rows:]
        bounded = ~self.class_free
        unique_labels, block_of_label = np.unique(class_label[bounded], return_inverse=True)
        self.class_block = np.full(n_classes, -1, dtype=np.int64)
        self.class_block[bounded] = block_of_label.reshape(-1)
        row_block = np.searchsorted(unique_labels, row_label)
        self.blocks: list[_Block] = []
        rows_sorted = np.argsort(row_block, kind="stable")
        row_starts = np.searchsorted(row_block[rows_sorted], np.arange(len(unique_labels) + 1))
        classes_sorted = np.argsort(self.class_block, kind="stable")
        class_starts = np.searchsorted(self.class_block[classes_sorted], np.arange(len(unique_labels) + 1))
        csc = self.matrix.tocsc()
        for b in range(len(unique_labels)):
            rows = np.sort(rows_sorted[row_starts[b] : row_starts[b + 1]])
            classes = np.sort(classes_sorted[class_starts[b] : class_starts[b + 1]])
            sub = csc[:, classes][rows].tocsr()
            self.blocks.append(_Block(rows=rows, classes=classes, matrix=sub, rhs=self.row_value[rows]))

    @property
    def n_classes(self) -> int:
        return len(self.class_size)

    @property
    def n_rows(self) -> int:
        return len(self.row_value)

    def incidence(self, table: int) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(meet, inside): cells x classes, 1 where the class meets / lies inside the cell."""
        if table not in self._incidence:
            layout = self.space.layouts[table]
            classes_here = self.var_class[self.space.span(table)]
            live = classes_here >= 0
            n = max(self.n_classes, 1)
            pairs, counts = np.unique(layout.var_cell[live] * n + classes_here[live], return_counts=True)
            cells, classes = pairs // n, pairs % n
            inside = counts == self.class_size[classes]
            shape = (layout.n_cells, self.n_classes)
            meet = sparse.csr_matrix((np.ones(len(cells)), (cells, classes)), shape=shape)
            within = sparse.csr_matrix((np.ones(int(inside.sum())), (cells[inside], classes[inside])), shape=shape)
            self._incidence[table] = (meet, within)
        return self._incidence[table]

    # ---------------------------------------------------------------- exact bounds

    def bounds(self, table: int, cell: int) -> CellBounds:
        meet, inside = self.incidence(table)
        meeting = meet.indices[meet.indptr[cell] : meet.indptr[cell + 1]]
        contained = inside.indices[inside.indptr[cell] : inside.indptr[cell + 1]]
        upper, upper_rows, upper_checked = self._optimum(meeting, maximize=True)
        lower, lower_rows, lower_checked = self._optimum(contained, maximize=False)
        return CellBounds(
            lower=lower,
            upper=upper,
            lower_rows=lower_rows,
            upper_rows=upper_rows,
            exact=True,
            integer_checked=upper_checked and lower_checked,
        )

    def _optimum(self, classes: np.ndarray, *, maximize: bool) -> tuple[float, tuple[int, ...], bool]:
        if len(classes) == 0:
            return 0.0, (), True
        if maximize and self.class_free[classes].any():
            return inf, (), True
        classes = classes[~self.class_free[classes]]
        total = 0.0
        rows: set[int] = set()
        checked = True
        block_of = self.class_block[classes]
        for block_id in np.unique(block_of):
            chosen = np.sort(classes[block_of == block_id])
            key = (int(block_id), chosen.tobytes(), maximize)
            if key not in self._cache:
                self._cache[key] = self._solve_exact(int(block_id), chosen, maximize)
            value, binding, block_checked, _ = self._cache[key]
            total += value
            rows.update(binding)
            checked &= block_checked
        return total, tuple(sorted(rows)), checked

    def _solve_exact(
        self, block_id: int, chosen: np.ndarray, maximize: bool
    ) -> tuple[float, tuple[int, ...], bool, np.ndarray | None]:
        block = self.blocks[block_id]
        objective = np.zeros(len(block.classes))
        objective[np.searchsorted(block.classes, chosen)] = -1.0 if maximize else 1.0
        result = self._lp(block_id, objective)
        if result.unbounded:
            return inf, (), True, None
        raw = -result.value if maximize else result.value
        marginals = result.row_duals
        binding = tuple(int(r) for r in block.rows[np.abs(marginals) > _DUAL_TOLERANCE])
        point = np.asarray(result.x)
        fractional = _is_fractional(point)
        small = len(block.classes) <= self.integer_check_max_classes
        checked = not fractional
        if fractional and small:
            raw, checked = self._integer_optimum(block, objective, raw, maximize)
        self._add_point(block_id, point)
        value = floor(raw + _INTEGRALITY_TOLERANCE) if maximize else ceil(raw - _INTEGRALITY_TOLERANCE)
        return float(value), binding, checked, point

    def _lp(self, block_id: int, objective: np.ndarray, *, capped: bool = False) -> LPSolution:
        """Minimise ``objective`` over one block (warm-started from the block's previous solve).

        ``capped`` bounds every unknown by more than all published values together: no finite
        optimum is cut, and witness LPs, which only need feasible points, never run off to
        infinity (separator equalities alone can leave directions unbounded).
        """
        self.n_lp_solves += 1
        key = (block_id, capped)
        if key not in self._solvers:
            block = self.blocks[block_id]
            cap = 1.0 + 2.0 * float(self.row_value.sum()) if capped else None
            self._solvers[key] = WarmLP(block.matrix, block.rhs, upper=cap)
        columns = np.flatnonzero(objective)
        try:
            return self._solvers[key].solve(columns, objective[columns])
        except LPSolveError:
            raise AttackerModelError(
                "the published tables contradict each other: no non-negative counts reproduce them"
            ) from None

    def _integer_optimum(
        self, block: _Block, objective: np.ndarray, relaxed: float, maximize: bool
    ) -> tuple[float, bool]:
        self.n_milp_solves += 1
        result = milp(
            objective,
            constraints=LinearConstraint(block.matrix, block.rhs, block.rhs),
            integrality=np.ones(len(objective)),
            bounds=Bounds(0, np.inf),
            options={"time_limit": self.integer_time_limit},
        )
        if result.status == 0:
            return (-result.fun if maximize else result.fun), True
        dual_bound = getattr(result, "mip_dual_bound", None)
        if dual_bound is None or not np.isfinite(dual_bound):
            return relaxed, False
        proven = -dual_bound if maximize else dual_bound
        return (min(relaxed, proven) if maximize else max(relaxed, proven)), False

    # ---------------------------------------------------------------- witnesses

    def _add_point(self, block_id: int, point: np.ndarray) -> None:
        small = len(self.blocks[block_id].classes) <= self.integer_check_max_classes
        if small and _is_fractional(point):
            return  # in integer-checked blocks only integral points may vouch for a value
        self._points[block_id].append(point)
        for parts in self._seen.values():
            if block_id in parts:
                parts[block_id].add(point)

    def cell_blocks(self, table: int, cell: int) -> np.ndarray:
        meet, _ = self.incidence(table)
        classes = meet.indices[meet.indptr[cell] : meet.indptr[cell + 1]]
        return np.unique(self.class_block[classes[~self.class_free[classes]]])

    def push_up(self, cells: Sequence[tuple[int, int]]) -> None:
        """One witness LP per block: maximise the sum of the given cells (pushing them all up)."""
        objective = np.zeros(self.n_classes)
        for table, cell in cells:
            meet, _ = self.incidence(table)
            objective[meet.indices[meet.indptr[cell] : meet.indptr[cell + 1]]] += 1.0
        objective[self.class_free] = 0.0
        for block_id in np.unique(self.class_block[np.flatnonzero(objective)]):
            block = self.blocks[block_id]
            result = self._lp(int(block_id), -objective[block.classes], capped=True)
            self._add_point(int(block_id), result.x)

    def witnessed(self, table: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner bounds (lowest, highest value over the witness points) for every cell of a table.

        A cell in a block with no witness yet gets an empty interval (lowest > highest).
        """
        if table not in self._seen:
            meet, inside = self.incidence(table)
            meet_csc, inside_csc = meet.tocsc(), inside.tocsc()
            parts: dict[int, _TableWitness] = {}
            for block_id, block in enumerate(self.blocks):
                part = _TableWitness(meet_csc[:, block.classes].tocsr(), inside_csc[:, block.classes].tocsr())
                if len(part.touched):
                    for point in self._points[block_id]:
                        part.add(point)
                    parts[block_id] = part
            self._seen[table] = parts
        meet, _ = self.incidence(table)
        n_cells = meet.shape[0]
        highest = np.zeros(n_cells)
        lowest = np.zeros(n_cells)
        for part in self._seen[table].values():
            highest[part.touched] += part.highest
            lowest[part.touched] += part.lowest
        highest[meet @ self.class_free.astype(float) > 0] = inf
        return lowest, highest


class _TableWitness:
    """Running extremes of one table's cells over the witness points of one block."""

    def __init__(self, meet: sparse.csr_matrix, inside: sparse.csr_matrix) -> None:
        self.touched = np.flatnonzero(np.diff(meet.indptr))
        self._meet = meet[self.touched]
        self._inside = inside[self.touched]
        self.highest = np.full(len(self.touched), -inf)
        self.lowest = np.full(len(self.touched), inf)

    def add(self, point: np.ndarray) -> None:
        # Rounded inwards block by block, like the exact bounds.
        high = np.floor(self._meet @ point + _INTEGRALITY_TOLERANCE)
        low = np.ceil(self._inside @ point - _INTEGRALITY_TOLERANCE)
        np.maximum(self.highest, high, out=self.highest)
        np.minimum(self.lowest, low, out=self.lowest)


def _is_fractional(point: np.ndarray) -> bool:
    return bool(np.abs(point - np.round(point)).max(initial=0.0) > _INTEGRALITY_TOLERANCE)
