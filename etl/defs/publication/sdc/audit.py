"""The audit: can anyone recover a withheld cell from what was published?

For every withheld cell the attacker's LP (``attacker``) over *all* tables of the publication
gives the interval of values the cell can take; ``ProtectionRule`` says whether that interval
is wide enough. Month and year tables, department and national tables are all in the same
LP, so recovery through margins, other tables and other periods is covered alike. Cells whose
witnessed inner bounds already satisfy the rule skip their own LPs (``bound_cells``).

``audit_publication`` runs on tables as published (read back from the database), knowing
nothing but what the public knows plus the ``withheld_reason`` labels; it also checks the
tables' own shape: no published count in 1..k-1, no count left in a withheld row, no
disclosive zero in a fully published line, every cell of each grouping present once.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .attacker import AttackerModel, AttackerModelError, CellBounds
from .cellspace import CellSpace, build_cell_space, sorted_domain, split_base_and_derived, union_of_groupings
from .hierarchy import DERIVATIONS, Derivation
from .primary import NOT_WITHHELD, REASON_CODES, REASON_NAMES, SECONDARY, disclosive_zero_cells
from .specs import DEFAULT_K, ProtectionRule, TableSpec


@dataclass(frozen=True, slots=True)
class CellAudit:
    table: str
    group: Mapping[str, Hashable]  # grouping attribute -> value (codes only, never personal data)
    reason: str | None
    lower: float  # attacker's smallest possible value (integer)
    upper: float  # attacker's largest possible value (integer or inf)
    protected: bool
    exact: bool  # lower/upper are the attacker's optima; else witnessed values inside them
    integer_checked: bool  # no fractional LP optimum left unchecked (see attacker: LP relaxation)


@dataclass(frozen=True, slots=True)
class AuditReport:
    cells: tuple[CellAudit, ...]
    problems: tuple[str, ...] = ()
    k: int = DEFAULT_K
    required_width: int = DEFAULT_K
    seconds: float = 0.0
    lp_solves: int = 0
    milp_solves: int = 0
    model_size: Mapping[str, int] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems and all(cell.protected for cell in self.cells)

    @property
    def unprotected(self) -> tuple[CellAudit, ...]:
        return tuple(cell for cell in self.cells if not cell.protected)

    def to_frame(self) -> pd.DataFrame:
        """One row per withheld cell, for persisting next to the publication."""
        return pd.DataFrame(
            {
                "table": [c.table for c in self.cells],
                "group": [_describe_group(c.group) for c in self.cells],
                "reason": pd.array([c.reason for c in self.cells], dtype="string"),
                "lower": [c.lower for c in self.cells],
                "upper": [c.upper for c in self.cells],
                "protected": [c.protected for c in self.cells],
                "exact": [c.exact for c in self.cells],
                "integer_checked": [c.integer_checked for c in self.cells],
            }
        )

    def summary(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"SDC audit {verdict}: {len(self.cells)} withheld cells, {len(self.unprotected)} unprotected, "
            f"{len(self.problems)} problems; k={self.k}, width>={self.required_width}; "
            f"{self.lp_solves} LP + {self.milp_solves} MILP solves in {self.seconds:.2f}s"
        )


def _describe_group(group: Mapping[str, Hashable]) -> str:
    return "; ".join(f"{name}={value}" for name, value in group.items()) or "(total)"


@dataclass(frozen=True, slots=True)
class PublicationState:
    """One publication as the audit sees it: layout, counts, which cells are withheld and why."""

    space: CellSpace
    values: Sequence[np.ndarray]  # count per cell (anything where withheld and unknown)
    reasons: Sequence[np.ndarray]  # reason code per cell (NOT_WITHHELD = published)
    audited: Sequence[np.ndarray] | None = None  # cells to audit; default every withheld cell
    reference: np.ndarray | None = None  # true finest counts, when the auditor has them

    def published(self) -> list[np.ndarray]:
        return [r == NOT_WITHHELD for r in self.reasons]

    def targets(self) -> list[tuple[int, int]]:
        found = []
        for t, reasons in enumerate(self.reasons):
            withheld = reasons != NOT_WITHHELD
            if self.audited is not None:
                withheld = withheld & self.audited[t]
            found.extend((t, int(c)) for c in np.flatnonzero(withheld))
        return found


@dataclass(frozen=True, slots=True)
class AuditSettings:
    integer_check_max_classes: int = 400
    exact_bounds: bool = False  # solve every cell's own LPs even when witnesses already vouch for it
    witness_batch: int = 20  # cells pushed up together by one witness LP per block
    witness_min_yield: float = 1.0  # stop witness rounds when an LP vouches for fewer cells than this
    recheck_every: int = 40  # exact solves between two re-readings of the witnesses
    seed: int = 20_240_601  # fixed: the same publication always gets the same audit


DEFAULT_AUDIT = AuditSettings()


def build_model(
    state: PublicationState,
    settings: AuditSettings,
    refinement_pairs: Sequence[tuple[int, int, np.ndarray]] | None = None,
) -> AttackerModel:
    return AttackerModel(
        state.space,
        state.published(),
        state.values,
        reference=state.reference,
        integer_check_max_classes=settings.integer_check_max_classes,
        refinement_pairs=refinement_pairs,
    )


def bound_cells(
    model: AttackerModel,
    rule: ProtectionRule,
    cells: Sequence[tuple[int, int]],
    sensitive: Sequence[bool],
    settings: AuditSettings,
) -> list[CellBounds]:
    """Bounds for each cell: witnessed inner bounds when those already protect it, else exact ones.

    Witness rounds: per block, a random batch of the cells still in doubt is pushed up by
    one LP; rounds go on while each LP vouches for enough cells to beat solving them one by one.
    """
    results: list[CellBounds | None] = [None] * len(cells)
    pending = list(range(len(cells)))
    if not settings.exact_bounds:
        pending = _vouch(model, rule, cells, sensitive, pending, results)
        rng = np.random.default_rng(settings.seed)
        blocks_of = {i: model.cell_blocks(*cells[i]) for i in pending}
        while pending:
            by_block: dict[int, list[int]] = {}
            for i in pending:
                for block in blocks_of[i]:
                    by_block.setdefault(int(block), []).append(i)
            if not by_block:
                break
            batch: list[tuple[int, int]] = []
            for members in by_block.values():
                chosen = rng.choice(len(members), min(settings.witness_batch, len(members)), replace=False)
                batch.extend(cells[members[j]] for j in chosen)
            solves_before = model.n_lp_solves
            model.push_up(sorted(set(batch)))
            before = len(pending)
            pending = _vouch(model, rule, cells, sensitive, pending, results)
            if before - len(pending) < settings.witness_min_yield * max(model.n_lp_solves - solves_before, 1):
                break
    solved = 0
    while pending:
        i = pending.pop(0)
        results[i] = model.bounds(*cells[i])
        solved += 1
        if not settings.exact_bounds and pending and solved % settings.recheck_every == 0:
            pending = _vouch(model, rule, cells, sensitive, pending, results)
    return [r for r in results if r is not None]


def _vouch(
    model: AttackerModel,
    rule: ProtectionRule,
    cells: Sequence[tuple[int, int]],
    sensitive: Sequence[bool],
    pending: list[int],
    results: list[CellBounds | None],
) -> list[int]:
    tables = sorted({cells[i][0] for i in pending})
    seen = {t: model.witnessed(t) for t in tables}
    still: list[int] = []
    for i in pending:
        t, c = cells[i]
        lowest, highest = seen[t][0][c], seen[t][1][c]
        if lowest <= highest and rule.is_protected(lowest, highest, sensitive=sensitive[i]):
            results[i] = CellBounds(lower=float(lowest), upper=float(highest), exact=False, integer_checked=True)
        else:
            still.append(i)
    return still


def audit_state(
    state: PublicationState,
    rule: ProtectionRule,
    *,
    settings: AuditSettings = DEFAULT_AUDIT,
    problems: Sequence[str] = (),
    refinement_pairs: Sequence[tuple[int, int, np.ndarray]] | None = None,
) -> AuditReport:
    started = time.perf_counter()
    try:
        model = build_model(state, settings, refinement_pairs)
        cells = state.targets()
        sensitive = [int(state.reasons[t][c]) != SECONDARY for t, c in cells]
        bounds = bound_cells(model, rule, cells, sensitive, settings)
    except AttackerModelError as error:
        return AuditReport(cells=(), problems=(*problems, str(error)), k=rule.k, required_width=rule.required_width)
    return assemble_report(state, rule, model, cells, bounds, problems=problems, started=started)


def assemble_report(
    state: PublicationState,
    rule: ProtectionRule,
    model: AttackerModel,
    cells: Sequence[tuple[int, int]],
    bounds: Sequence[CellBounds],
    *,
    problems: Sequence[str] = (),
    started: float,
    lp_solves: int | None = None,
    milp_solves: int | None = None,
) -> AuditReport:
    audits = [
        _cell_audit(state.space, rule, t, c, int(state.reasons[t][c]), b)
        for (t, c), b in zip(cells, bounds, strict=True)
    ]
    return AuditReport(
        cells=tuple(audits),
        problems=tuple(problems),
        k=rule.k,
        required_width=rule.required_width,
        seconds=time.perf_counter() - started,
        lp_solves=model.n_lp_solves if lp_solves is None else lp_solves,
        milp_solves=model.n_milp_solves if milp_solves is None else milp_solves,
        model_size={
            "cliques": len(state.space.cliques),
            "clique_cells": state.space.n_vars,
            "fixed_zero": int(model.fixed_zero.sum()),
            "classes": model.n_classes,
            "constraints": model.n_rows,
            "blocks": len(model.blocks),
            "exact_cells": sum(b.exact for b in bounds),
        },
    )


def _cell_audit(
    space: CellSpace, rule: ProtectionRule, table: int, cell: int, reason: int, bounds: CellBounds
) -> CellAudit:
    layout = space.layouts[table]
    return CellAudit(
        table=layout.spec.name,
        group={a: _plain(layout.keys[a].iloc[cell]) for a in layout.spec.grouping},
        reason=REASON_NAMES.get(reason),
        lower=bounds.lower,
        upper=bounds.upper,
        protected=rule.is_protected(bounds.lower, bounds.upper, sensitive=reason != SECONDARY),
        exact=bounds.exact,
        integer_checked=bounds.integer_checked,
    )


def _plain(value: Hashable) -> Hashable:
    return value.item() if isinstance(value, np.generic) else value


# ------------------------------------------------------------------ standalone audit

UNKNOWN_REASON = -1  # withheld with no or an unrecognised reason: audited as sensitive


def audit_publication(
    tables: Mapping[str, pd.DataFrame],
    specs: Sequence[TableSpec],
    k: int = DEFAULT_K,
    *,
    width: int | None = None,
    domains: Mapping[str, Sequence[Hashable]] | None = None,
    zero_rule_attributes: Collection[str] | None = None,
    derivations: Mapping[str, Derivation] = DERIVATIONS,
    settings: AuditSettings = DEFAULT_AUDIT,
) -> AuditReport:
    """Audit already-published tables (columns: grouping, ``count``, ``is_withheld``, ``withheld_reason``).

    Domains default to the values present in the tables: published tables list every cell,
    zeros included, so that is what the public sees.
    """
    rule = ProtectionRule(k=k, width=width)
    problems: list[str] = []
    present = [spec for spec in specs if spec.name in tables]
    for spec in specs:
        if spec.name not in tables:
            problems.append(f"table {spec.name!r} is missing from the publication")
    if not present:
        return AuditReport(cells=(), problems=tuple(problems), k=k, required_width=rule.required_width)
    space = build_cell_space(present, _domains_from_tables(tables, present, domains, derivations), derivations)
    values, reasons, audited = [], [], []
    for layout in space.layouts:
        value, reason, table_problems = _align(layout.spec, layout.keys, tables[layout.spec.name], rule)
        problems.extend(table_problems)
        values.append(value)
        reasons.append(reason)
        audited.append(reason != _MISSING)
        known = reason == NOT_WITHHELD
        disclosive = disclosive_zero_cells(layout, np.where(known, value, 0), zero_rule_attributes, known=known)
        if (disclosive & known).any():
            problems.append(
                f"table {layout.spec.name!r}: {int((disclosive & known).sum())} published cells form lines where "
                "all persons share one value (disclosive zeros)"
            )
    state = PublicationState(
        space=space,
        values=values,
        reasons=[np.where(r == _MISSING, SECONDARY, r).astype(np.int8) for r in reasons],
        audited=audited,
    )
    return audit_state(state, rule, settings=settings, problems=problems)


_MISSING = -2  # a cell of the grouping with no row: unknown to the public, flagged as a problem


def _domains_from_tables(
    tables: Mapping[str, pd.DataFrame],
    specs: Sequence[TableSpec],
    given: Mapping[str, Sequence[Hashable]] | None,
    derivations: Mapping[str, Derivation],
) -> dict[str, Sequence[Hashable] | pd.Index]:
    resolved: dict[str, Sequence[Hashable] | pd.Index] = dict(given or {})
    base, _ = split_base_and_derived(union_of_groupings(specs), derivations)
    for attribute in base:
        if attribute in resolved:
            continue
        columns = [tables[s.name][attribute] for s in specs if attribute in s.grouping]
        resolved[attribute] = sorted_domain(pd.concat(columns, ignore_index=True), attribute)
    return resolved


def _align(
    spec: TableSpec, keys: pd.DataFrame, table: pd.DataFrame, rule: ProtectionRule
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per layout cell: published value, reason code, and what is wrong with the table."""
    problems: list[str] = []
    name = spec.name
    missing_columns = [c for c in (*spec.grouping, "count", "is_withheld") if c not in table.columns]
    n_cells = len(keys)
    if missing_columns:
        problems.append(f"table {name!r} lacks columns {missing_columns}")
        return np.zeros(n_cells, np.int64), np.full(n_cells, _MISSING, np.int8), problems
    frame = table.reset_index(drop=True)
    if spec.grouping:
        position = pd.MultiIndex.from_frame(keys[list(spec.grouping)]).get_indexer(
            pd.MultiIndex.from_frame(frame[list(spec.grouping)])
        )
    else:
        position = np.zeros(len(frame), dtype=np.int64)
    if (position < 0).any():
        problems.append(f"table {name!r}: {int((position < 0).sum())} rows do not match a cell of its grouping")
    valid = position >= 0
    duplicated = np.bincount(position[valid], minlength=n_cells) > 1
    if duplicated.any():
        problems.append(f"table {name!r}: {int(duplicated.sum())} cells appear in more than one row")
    value = np.zeros(n_cells, np.int64)
    reason = np.full(n_cells, _MISSING, np.int8)
    withheld = frame["is_withheld"].fillna(True).astype(bool).to_numpy()
    count = pd.array(frame["count"], dtype="Int64")
    has_count = ~count.isna()
    leaked = withheld & has_count
    if leaked.any():
        problems.append(f"table {name!r}: {int(leaked.sum())} withheld rows still carry their count")
    blank = ~withheld & ~has_count
    if blank.any():
        problems.append(f"table {name!r}: {int(blank.sum())} published rows have no count")
    published = ~withheld & has_count
    published_values = count.to_numpy(dtype=np.int64, na_value=0)
    small = published & (published_values >= 1) & (published_values <= rule.k - 1)
    if small.any():
        problems.append(f"table {name!r}: {int(small.sum())} published cells hold a count between 1 and k-1")
    negative = published & (published_values < 0)
    if negative.any():
        problems.append(f"table {name!r}: {int(negative.sum())} published cells hold a negative count")
    labels = frame["withheld_reason"] if "withheld_reason" in frame.columns else pd.Series([None] * len(frame))
    codes = np.array(
        [REASON_CODES.get(label, UNKNOWN_REASON) if isinstance(label, str) else UNKNOWN_REASON for label in labels]
    )
    for row in np.flatnonzero(valid):
        cell = position[row]
        if published[row]:
            reason[cell] = NOT_WITHHELD
            value[cell] = published_values[row]
        else:
            reason[cell] = codes[row] if withheld[row] else UNKNOWN_REASON
    missing = reason == _MISSING
    if missing.any():
        problems.append(f"table {name!r}: {int(missing.sum())} cells of its grouping have no row")
    return value, reason, problems
