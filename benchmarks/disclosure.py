"""Benchmark (f): disclosure control and its audit on a realistic warehouse.

`build_release` (protect every published table, audit it by linear programming, check
differencing, write it) runs on the warehouse benchmark (c) left behind, in a transaction that is
rolled back. The baseline, in the same transaction, is tabulation alone: the same person
microdata counted into the same victim tables, with no protection and no audit.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from benchmarks.table import Row
from etl.config import load_settings


def _tabulate(conn: sa.Connection) -> tuple[float, int]:
    from etl.defs.publication.release import PUBLICATION_DERIVATIONS, VICTIM_TABLES, person_microdata

    started = time.perf_counter()
    persons = person_microdata(conn)
    for name, derivation in PUBLICATION_DERIVATIONS.items():
        if name not in persons.columns and derivation.parent in persons.columns:
            persons[name] = persons[derivation.parent].map(derivation.derive)
    cells = 0
    for spec in VICTIM_TABLES:
        grouping = [c for c in spec.grouping if c in persons.columns]
        cells += len(persons.groupby(grouping, dropna=False).size()) if grouping else 1
    return time.perf_counter() - started, len(persons)


def run(url: str, months: int) -> list[Row]:
    from etl.defs.publication.release import build_release

    k = load_settings().disclosure_k
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                tabulation, persons = _tabulate(conn)
                started = time.perf_counter()
                release = build_release(conn, k)
                seconds = time.perf_counter() - started
            finally:
                transaction.rollback()
    finally:
        engine.dispose()
    return [
        Row("(f) Disclosure control + audit (build_release)", f"wall s, {persons:,} persons, {months} months, k={k}",
            seconds, f"tabulation alone {tabulation:,.2f} s", seconds / tabulation,
            note=f"{release.cells:,} cells, {release.withheld:,} withheld; audit passed: {release.audit_passed}, "
                 f"differencing passed: {release.differencing_passed}"),
    ]
