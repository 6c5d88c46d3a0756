"""Three synthetic months of the four institutions, loaded, refreshed, then loaded again in another
order: every staging, core and mart table identical, and the same pseudonymous persons."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.synthetic import generate
from tests.pipeline.helpers import count, ingest, refresh, table_checksums, upload
from tests.reliability.conftest import point_at
from tests.reliability.databases import clone_database, drop_clone
from tests.reliability.state import broken_invariants, core_state, person_keys, record_person_keys

MONTHS, START, SEED = 3, "2025-01", 20250607
COMPARED = ("staging.", "core.", "mart.")  # publication.* records each release's own time


def _partitions(files: list[Path]) -> list[tuple[str, str]]:
    # <out>/<INSTITUTION>/<YYYY-MM>.<ext>
    return [(f.parent.name, f.stem) for f in files]


def _linkage(url: str) -> tuple[dict[str, str], list[str], dict, dict[str, int]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return core_state(conn), person_keys(conn), record_person_keys(conn), broken_invariants(conn)
    finally:
        engine.dispose()


def test_reingest_in_another_order_changes_nothing(
    pipeline_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = Path(os.environ["OBSERVATORIO_HOME"])
    summary = generate(tmp_path / "extracts", months=MONTHS, start_period=START, seed=SEED)
    files = list(summary.files)
    partitions = _partitions(files)
    assert len(partitions) == MONTHS * 4
    for path, (institution, period) in zip(files, partitions):
        assert upload(path, institution, period).accepted, f"{institution} {period} rejected"
    # Same uploads, same extract ids: a second warehouse that will be built in another order.
    other = clone_database(pipeline_env, prefix="obs_rel_order")
    try:
        started = time.perf_counter()
        for partition in partitions:
            assert ingest(*partition).success, f"{partition} did not load"
        first_pass = time.perf_counter() - started
        assert refresh().success
        before = {k: v for k, v in table_checksums().items() if k.startswith(COMPARED)}
        state, persons, records, broken = _linkage(pipeline_env)
        assert broken == {}
        # every record intake accepted (identical duplicate rows are dropped there) is in core once
        assert len(records) == count("SELECT sum(record_count) FROM core.fact_extract WHERE is_current")
        assert len(records) > 150

        shuffled = random.Random(SEED).sample(partitions, len(partitions))
        assert shuffled != partitions
        for partition in shuffled:
            assert ingest(*partition).success
        assert refresh().success
        after = {k: v for k, v in table_checksums().items() if k.startswith(COMPARED)}
        assert sorted(k for k in before if before[k] != after[k]) == []
        assert len(before) > 20

        # Built from scratch in reverse order: the same rows, the same persons, each record with the same person.
        point_at(monkeypatch, other, home)
        for partition in reversed(partitions):
            assert ingest(*partition).success
        other_state, other_persons, other_records, other_broken = _linkage(other)
        assert other_broken == {}
        assert other_persons == persons
        assert other_records == records
        assert other_state == state
    finally:
        drop_clone(other)
    print(f"\nscale: {len(partitions)} partitions, {len(records)} records, {len(persons)} persons; "
          f"first pass {first_pass:.1f} s ({first_pass / len(partitions):.2f} s per partition)")
