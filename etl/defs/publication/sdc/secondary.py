"""Secondary suppression: withhold more cells until no withheld cell can be recovered.

Two stages, both deterministic.

**1. Equations (cheap, structural).** Whenever a table refines another (department x sex
refines department; month refines year), each coarse cell is the sum of its fine cells: an
equation. In an equation whose total is published, a withheld cell can move at most by
the total of the withheld cells beside it, so for every equation holding a sensitive
withheld cell we require that the withheld members add up to at least the protection
width; likewise for a sensitive withheld total and its withheld parts. When short, the
smallest published non-zero member that closes the gap is withheld (else the largest; if
none is left, the published total itself). Repeated until no equation changes. This is
the classic "at least two per line, with enough mass" rule and settles most cases at
almost no cost.

**2. The audit loop (exact).**

1. audit the sensitive withheld cells still in doubt (first round: all of them);
2. for each cell that is not protected, the *candidates* are the published cells whose
   equalities hold its bound in place: constraints with a non-zero dual value in the LP
   that found the bound (removing such an equality is what can move the bound); when the
   bound is held only by published zeros, the published zero cells overlapping it; failing
   both, the published cells sharing a line or persons' profiles with it;
3. each unprotected cell gets one candidate, the cheapest by ``value / multiplicity``
   (multiplicity = how many unprotected cells list it, so cells that unlock several win),
   then by smaller value, table order and cell order; a cell whose candidates include a
   pick of this round is skipped; picks are withheld as ``secondary``;
4. withholding only removes equalities, so the attacker's intervals only widen: a cell
   found protected stays protected (its bounds, still attainable, are kept as inner bounds)
   and is not audited again. The loop stops when no cell is in doubt; the secondary cells
   are then audited once for the report.

Each round withholds at least one more cell, so the loop ends: at worst everything is
withheld, and a cell that no published equality touches is unbounded above, hence protected.
It is a greedy heuristic, not the minimum-loss pattern of tau-ARGUS' optimal method; tables
it blanks are the coarsening step's business (``coarsening``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from .attacker import AttackerModel, CellBounds, refinements
from .audit import (
    DEFAULT_AUDIT,
    AuditReport,
    AuditSettings,
    PublicationState,
    assemble_report,
    bound_cells,
    build_model,
)
from .cellspace import CellSpace, overlapping
from .primary import NOT_WITHHELD, SECONDARY, SENSITIVE_REASONS
from .specs import ProtectionRule

Cell = tuple[int, int]  # (table index, cell index)
_SENSITIVE = list(SENSITIVE_REASONS)


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    reasons: list[np.ndarray]
    audit: AuditReport
    rounds: int
    secondary_cells: int


def suppress_secondary(
    space: CellSpace,
    counts: Sequence[np.ndarray],
    reasons: Sequence[np.ndarray],
    rule: ProtectionRule,
    *,
    reference: np.ndarray | None = None,
    settings: AuditSettings = DEFAULT_AUDIT,
    max_rounds: int = 10_000,
) -> SuppressionResult:
    started = time.perf_counter()
    reasons = [r.copy() for r in reasons]
    pairs = refinements(space)
    close_equations(counts, reasons, rule.required_width, pairs)
    doubtful: list[Cell] = [(t, int(c)) for t, r in enumerate(reasons) for c in np.flatnonzero(np.isin(r, _SENSITIVE))]
    settled: dict[Cell, CellBounds] = {}  # protected sensitive cells and the bounds that showed it
    rounds = lp_solves = milp_solves = 0
    while True:
        state = PublicationState(space=space, values=counts, reasons=reasons, reference=reference)
        model = build_model(state, settings, pairs)
        if not doubtful:
            break
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError("secondary suppression did not converge within max_rounds")
        bounds = bound_cells(model, rule, doubtful, [True] * len(doubtful), settings)
        lp_solves += model.n_lp_solves
        milp_solves += model.n_milp_solves
        unprotected: list[tuple[Cell, CellBounds]] = []
        for cell, cell_bounds in zip(doubtful, bounds, strict=True):
            if rule.is_protected(cell_bounds.lower, cell_bounds.upper, sensitive=True):
                settled[cell] = cell_bounds
            else:
                unprotected.append((cell, cell_bounds))
        if not unprotected:
            break  # nothing withheld this round: `model` is the final state's model
        picks = _pick(model, reasons, counts, unprotected)
        if not picks:
            # Cannot happen while the published tables are consistent (a bounded cell always
            # shares an equality with some published cell); refuse rather than spin.
            raise RuntimeError("secondary suppression found nothing left to withhold for an unprotected cell")
        for t, c in picks:
            reasons[t][c] = SECONDARY
        doubtful = [cell for cell, _ in unprotected]
    # Withholding only removes equalities, so every interval seen in an earlier round is
    # still attainable now: earlier bounds stay valid inner bounds (no longer exact ones).
    last_round = set(doubtful)
    carried = {
        cell: b if cell in last_round else replace(b, exact=False, lower_rows=(), upper_rows=())
        for cell, b in settled.items()
    }
    secondary = [(t, int(c)) for t, r in enumerate(reasons) for c in np.flatnonzero(r == SECONDARY)]
    secondary_bounds = bound_cells(model, rule, secondary, [False] * len(secondary), settings)
    carried.update(zip(secondary, secondary_bounds, strict=True))
    cells = sorted(carried)
    report = assemble_report(
        state,
        rule,
        model,
        cells,
        [carried[cell] for cell in cells],
        started=started,
        lp_solves=lp_solves + model.n_lp_solves,
        milp_solves=milp_solves + model.n_milp_solves,
    )
    return SuppressionResult(reasons=reasons, audit=report, rounds=rounds, secondary_cells=len(secondary))


def close_equations(
    counts: Sequence[np.ndarray],
    reasons: list[np.ndarray],
    width: int,
    pairs: Sequence[tuple[int, int, np.ndarray]],
) -> None:
    """Stage 1: give every equation around a sensitive cell enough withheld mass (in place)."""
    members = [(t, tp, parent, np.argsort(parent, kind="stable")) for t, tp, parent in pairs]
    changed = True
    while changed:
        changed = False
        for t, tp, parent, order in members:
            n_coarse = len(reasons[t])
            withheld = reasons[tp] != NOT_WITHHELD
            mass = np.bincount(parent, weights=np.where(withheld, counts[tp], 0), minlength=n_coarse)
            has_sensitive = np.bincount(parent, weights=np.isin(reasons[tp], _SENSITIVE), minlength=n_coarse) > 0
            total_published = reasons[t] == NOT_WITHHELD
            total_sensitive = np.isin(reasons[t], _SENSITIVE)
            short = ((total_published & has_sensitive) | total_sensitive) & (mass < width)
            if not short.any():
                continue
            starts = np.searchsorted(parent[order], np.arange(n_coarse + 1))
            for p in np.flatnonzero(short):
                children = order[starts[p] : starts[p + 1]]
                open_ = children[(reasons[tp][children] == NOT_WITHHELD) & (counts[tp][children] > 0)]
                if len(open_):
                    gap = width - mass[p]
                    values = counts[tp][open_]
                    enough = open_[values >= gap]
                    pick = enough[np.argmin(counts[tp][enough])] if len(enough) else open_[np.argmax(values)]
                    reasons[tp][pick] = SECONDARY
                    changed = True
                elif total_published[p]:
                    reasons[t][p] = SECONDARY
                    changed = True


def _pick(
    model: AttackerModel,
    reasons: Sequence[np.ndarray],
    counts: Sequence[np.ndarray],
    unprotected: Sequence[tuple[Cell, CellBounds]],
) -> list[Cell]:
    options: list[list[Cell]] = []
    multiplicity: dict[Cell, int] = {}
    for (t, c), bounds in unprotected:
        rows = set(bounds.upper_rows) | (set(bounds.lower_rows) if bounds.lower > 0 else set())
        found: list[Cell] = [
            (int(model.row_table[r]), int(model.row_cell[r])) for r in sorted(rows) if r < model.n_published_rows
        ]
        if not found:
            # Held only by zeros (published zero cells, eliminated before the LP): free one.
            found = _overlapping(model.space, reasons, counts, t, c, zeros_only=True)
        if not found:
            found = _neighbourhood(model.space, reasons, counts, t, c)
        options.append(found)
        for cell in set(found):
            multiplicity[cell] = multiplicity.get(cell, 0) + 1
    chosen: set[Cell] = set()
    for found in options:
        if not found or chosen.intersection(found):
            continue
        best = min(
            found,
            key=lambda cell: (
                counts[cell[0]][cell[1]] / multiplicity[cell],
                counts[cell[0]][cell[1]],
                -multiplicity[cell],
                cell,
            ),
        )
        chosen.add(best)
    return sorted(chosen)


def _overlapping(
    space: CellSpace,
    reasons: Sequence[np.ndarray],
    counts: Sequence[np.ndarray],
    table: int,
    cell: int,
    *,
    zeros_only: bool,
) -> list[Cell]:
    """Published cells of the other tables that share persons' profiles with ``cell``."""
    found: list[Cell] = []
    for t in range(len(space.layouts)):
        if t == table:
            continue
        for other in overlapping(space, table, cell, t):
            if reasons[t][other] == NOT_WITHHELD and (counts[t][other] == 0 or not zeros_only):
                found.append((t, int(other)))
    return found


def _neighbourhood(
    space: CellSpace, reasons: Sequence[np.ndarray], counts: Sequence[np.ndarray], table: int, cell: int
) -> list[Cell]:
    """Published cells sharing a line (same table) or persons' profiles (other tables) with ``cell``."""
    found = set(_overlapping(space, reasons, counts, table, cell, zeros_only=False))
    grouping = list(space.layouts[table].spec.grouping)
    if grouping:
        keys = space.layouts[table].keys[grouping]
        differing = (keys != keys.iloc[cell]).sum(axis=1).to_numpy()
        for other in np.flatnonzero((differing == 1) & (reasons[table] == NOT_WITHHELD)):
            found.add((table, int(other)))
    return sorted(found)
