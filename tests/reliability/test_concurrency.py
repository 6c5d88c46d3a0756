"""Loads at the same time: different partitions never deadlock or double-insert; the same
partition twice at once gives exactly the result of one run."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import dagster as dg
import pytest

from tests.pipeline.helpers import count, ingest, upload
from tests.reliability.evidence import root_cause
from tests.reliability.conftest import point_at, state_after_one_ingest
from tests.reliability.databases import clone_database, drop_clone
from tests.reliability.locks import hold_load_lock, hold_staging_writes, wait_until_waiting
from tests.reliability.state import snapshot

PARTITIONS = (("MP", "2025-05", "MP/2025-05.csv"), ("PN", "2025-05", "PN/2025-05.xlsx"), ("MINNA", "2025-05", "MINNA/2025-05.json"))


# Where the runs are held until all of them are there: the load's advisory lock, or the first
# write of the staging step. Either way they then go on at the same instant.
# At the staging gate the first run holds the extract's staging lock and waits for the table;
# the second waits for the extract's staging lock (advisory).
GATES = {"load": (hold_load_lock, "advisory"), "staging": (hold_staging_writes, ("relation", "advisory"))}


def _run_together(url: str, partitions: list[tuple[str, str]], gate: str) -> list[dg.ExecuteInProcessResult]:
    """One ingest run per partition, each in its own thread and Dagster instance, released together at `gate`."""
    results: list = [None] * len(partitions)
    hold, wait_event = GATES[gate]

    def work(i: int, institution: str, period: str) -> None:
        # Disposed in the thread that made it: its in-memory sqlite must not be finalized elsewhere.
        with dg.DagsterInstance.ephemeral() as instance:
            results[i] = ingest(institution, period, instance)

    blocker = hold(url)
    threads = [threading.Thread(target=work, args=(i, *p), daemon=True) for i, p in enumerate(partitions)]
    try:
        for thread in threads:
            thread.start()
        wait_until_waiting(url, wait_event, len(partitions))
    finally:
        blocker.close()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a run is stuck: deadlock or lost lock"
    return results


def test_different_partitions_at_once(pipeline_env: str, shared_samples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for institution, period, relative in PARTITIONS:
        assert upload(shared_samples / relative, institution, period).accepted
    home = Path(os.environ["OBSERVATORIO_HOME"])
    # Reference: the same files loaded one after the other, in a copy of this database.
    reference = clone_database(pipeline_env, prefix="obs_rel_conc_ref")
    try:
        point_at(monkeypatch, reference, home)
        for institution, period, _ in PARTITIONS:
            assert ingest(institution, period).success
        sequential, _ = snapshot(reference)
    finally:
        drop_clone(reference)
    point_at(monkeypatch, pipeline_env, home)

    started = time.perf_counter()
    results = _run_together(pipeline_env, [(i, p) for i, p, _ in PARTITIONS], gate="load")
    print(f"\n{len(PARTITIONS)} partitions at once: {time.perf_counter() - started:.1f} s, all queued at the load lock")
    assert all(r.success for r in results)
    state, broken = snapshot(pipeline_env)
    assert broken == {}
    assert state == sequential  # same rows, same persons as loading them one by one
    assert count("SELECT count(*) FROM core.fact_extract WHERE status = 'loaded'") == len(PARTITIONS)


@pytest.mark.parametrize("gate", ["staging", "load"])
def test_same_partition_twice_at_once(
    pipeline_env: str, shared_samples: Path, monkeypatch: pytest.MonkeyPatch, gate: str
) -> None:
    assert upload(shared_samples / "MP" / "2025-05.csv", "MP", "2025-05").accepted
    single = state_after_one_ingest(monkeypatch, pipeline_env, "MP", "2025-05", prefix="obs_rel_twice_ref")

    results = _run_together(pipeline_env, [("MP", "2025-05")] * 2, gate=gate)
    state, broken = snapshot(pipeline_env)
    assert broken == {}
    assert state == single  # exactly one result: what a single run leaves
    # The staging step serializes on the extract (advisory lock) and the load on the global
    # load lock: both runs succeed, the second replacing the first's rows identically.
    assert all(r.success for r in results), [
        root_cause(next(e for e in r.all_events if e.is_step_failure).step_failure_data.error)
        for r in results if not r.success
    ]
