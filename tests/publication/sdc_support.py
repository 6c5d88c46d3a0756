"""Test support for the SDC library: an attacker written independently of the library.

The library's audit merges finest cells into classes, drops implied totals, uses witnesses
and warm-started HiGHS; the attacker here does none of that: one plain LP (or a brute-force
integer enumeration) over every finest cell of the full cross product, so that agreeing
results mean something.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from etl.defs.publication.sdc import TableSpec


@dataclass(frozen=True)
class WithheldCell:
    table: str
    group: tuple[Hashable, ...]
    reason: str | None
    members: np.ndarray  # finest cells (indices) it sums


@dataclass(frozen=True)
class AttackerView:
    """What the public sees, as linear equations over the finest cells."""

    finest: list[tuple[Hashable, ...]]
    equations: np.ndarray  # (n_published, n_finest) 0/1
    values: np.ndarray
    withheld: list[WithheldCell]


def attacker_view(
    tables: Mapping[str, pd.DataFrame], specs: Sequence[TableSpec], domains: Mapping[str, Sequence[Hashable]]
) -> AttackerView:
    attributes = list(domains)
    finest = list(itertools.product(*(domains[a] for a in attributes)))
    frame = pd.DataFrame(finest, columns=attributes)
    rows, values, withheld = [], [], []
    for spec in specs:
        for _, row in tables[spec.name].iterrows():
            member = np.ones(len(finest), dtype=bool)
            for attribute in spec.grouping:
                member &= (frame[attribute] == row[attribute]).to_numpy()
            group = tuple(row[a] for a in spec.grouping)
            if row["is_withheld"]:
                reason = row["withheld_reason"]
                withheld.append(
                    WithheldCell(spec.name, group, None if pd.isna(reason) else reason, np.flatnonzero(member))
                )
            else:
                rows.append(member.astype(float))
                values.append(float(row["count"]))
    equations = np.array(rows) if rows else np.zeros((0, len(finest)))
    return AttackerView(finest=finest, equations=equations, values=np.array(values), withheld=withheld)


def lp_interval(view: AttackerView, cell: WithheldCell) -> tuple[float, float]:
    """Attacker's LP interval, rounded inwards (integer counts)."""
    objective = np.zeros(len(view.finest))
    objective[cell.members] = 1.0
    equations = view.equations if len(view.values) else None
    values = view.values if len(view.values) else None
    low = linprog(objective, A_eq=equations, b_eq=values, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=equations, b_eq=values, bounds=(0, None), method="highs")
    assert low.status == 0, "published tables must be consistent"
    upper = np.inf if high.status == 3 else float(np.floor(-high.fun + 1e-7))
    return float(np.ceil(low.fun - 1e-7)), upper


def integer_intervals(view: AttackerView, cap: int) -> list[tuple[int, int]]:
    """Exact integer attacker by enumeration: every finest cell from 0 to ``cap``.

    Exact for every finest cell some published value bounds (published values are <= cap);
    others are capped, so an upper end equal to ``cap`` means "cap or more".
    """
    n = len(view.finest)
    grid = np.indices((cap + 1,) * n, dtype=np.int16).reshape(n, -1).T
    if len(view.values):
        feasible = np.all(grid @ view.equations.T.astype(np.int16) == view.values.astype(np.int16), axis=1)
        grid = grid[feasible]
    assert len(grid), "the true data must be among the solutions"
    intervals = []
    for cell in view.withheld:
        sums = grid[:, cell.members].sum(axis=1)
        intervals.append((int(sums.min()), int(sums.max())))
    return intervals


def sensitive(cell: WithheldCell) -> bool:
    return cell.reason != "secondary"


DEPARTMENTS = [f"{i:02d}" for i in range(18)]
# 2022 census population (thousands), so that counts are as lopsided as the country
DEPARTMENT_WEIGHTS = np.array([462, 206, 355, 268, 180, 432, 139, 450, 111, 200, 764, 1884, 77, 179, 191, 123, 71, 17])
AGE_BANDS = ["A00_11", "A12_17", "A18_24", "A25_34", "A35_PLUS", "UNKNOWN"]
ICT_STATUSES = ["RECRUITMENT", "EXPLOITATION", "BOTH", "NONE", "UNKNOWN"]
REALISTIC_DOMAINS = {
    "year": [2024, 2025],
    "month": list(range(1, 13)),
    "department_code": DEPARTMENTS,
    "sex_code": ["F", "M"],
    "age_band_code": AGE_BANDS,
    "ict_status_code": ICT_STATUSES,
}


def realistic_microdata(persons_per_year: int, seed: int) -> pd.DataFrame:
    """18 departments x 2 sexes x 6 age bands x 5 ICT statuses x 24 months, synthetic persons."""
    rng = np.random.default_rng(seed)
    frames = []
    for year in REALISTIC_DOMAINS["year"]:
        n = persons_per_year
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "month": rng.integers(1, 13, n),
                    "department_code": rng.choice(DEPARTMENTS, n, p=DEPARTMENT_WEIGHTS / DEPARTMENT_WEIGHTS.sum()),
                    "sex_code": rng.choice(["F", "M"], n, p=[0.8, 0.2]),
                    "age_band_code": rng.choice(AGE_BANDS, n, p=[0.1, 0.35, 0.25, 0.15, 0.1, 0.05]),
                    "ict_status_code": rng.choice(ICT_STATUSES, n, p=[0.3, 0.1, 0.15, 0.25, 0.2]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
