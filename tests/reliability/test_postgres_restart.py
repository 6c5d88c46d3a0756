"""PostgreSQL restarted while a corrected month is being loaded: clean failure, then Dagster's retry.

The test runs its own embedded server, so stopping it disturbs no other test. It holds the load's
advisory lock so that the run is provably inside the load step when the server goes down, keeps
the server down past the first retry (which must fail cleanly too), checks that the month is
still wholly the old version, and lets the second retry finish the load.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa

from etl.defs.privacy.cleartext_scan import scan
from etl.infra import embedded_postgres
from tests.conftest import REPO_ROOT
from tests.pipeline.helpers import ingest, upload
from tests.reliability.conftest import MONTH, point_at
from tests.reliability.corrections import corrected_mp_extract
from tests.reliability.databases import clone_database, drop_clone, release_connections
from tests.reliability.evidence import error_texts, personal_values, root_cause
from tests.reliability.locks import hold_load_lock, wait_until_waiting
from tests.reliability.state import snapshot

# core_victim_record's RetryPolicy(max_retries=2, delay=2, EXPONENTIAL): retries 2 s and then 6 s
# after each failure. Down for this long, the server misses the first retry and is back for the second.
DOWN_SECONDS = 4.5


def test_postgres_restart_during_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_samples: Path) -> None:
    from warehouse import migrate

    # Not under pytest's tmp_path: pytest (of this or a parallel session) resets its root to 0700,
    # and the server, which runs as another user when tests run as root, must reach its data to restart.
    pgdata = REPO_ROOT / ".observatorio" / f"reliability-pg-{uuid.uuid4().hex[:8]}"
    url = embedded_postgres.ensure_running(pgdata, database="observatorio")
    try:
        engine = sa.create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        home = tmp_path / "home"
        point_at(monkeypatch, url, home)
        original = shared_samples / "MP" / "2025-05.csv"
        assert upload(original, *MONTH).accepted and ingest(*MONTH).success
        corrected = corrected_mp_extract(original, tmp_path / "corrected.csv")
        assert upload(corrected, *MONTH).accepted
        old, _ = snapshot(url)

        reference = clone_database(url, prefix="obs_rel_restart_ref")
        try:
            point_at(monkeypatch, reference, home)
            assert ingest(*MONTH).success
            new, _ = snapshot(reference)
        finally:
            drop_clone(reference)
        point_at(monkeypatch, url, home)
        assert new != old

        blocker = hold_load_lock(url)
        outcome: dict[str, object] = {}

        def work() -> None:
            # Disposed in the thread that made it: its in-memory sqlite must not be finalized elsewhere.
            with dg.DagsterInstance.ephemeral() as instance:
                outcome["result"] = result = ingest(*MONTH, instance)
                outcome["log"] = [str(r) for r in instance.all_logs(result.run_id)]

        run = threading.Thread(target=work, daemon=True)
        run.start()
        wait_until_waiting(url, "advisory", 1)

        assert embedded_postgres.stop(pgdata)  # fast shutdown: every session, the load's too, is cut
        stopped = time.monotonic()
        blocker.invalidate()
        time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - stopped)))
        assert embedded_postgres.ensure_running(pgdata, database="observatorio") == url
        release_connections(url)  # the pooled connections died with the old server
        blocker = hold_load_lock(url)  # the second retry waits here while the month is inspected
        try:
            state, broken = snapshot(url)
            assert state == old, f"partial month after the restart: {sorted(k for k in state if state[k] != old[k])}"
            assert broken == {}
        finally:
            blocker.close()

        run.join(timeout=120)
        assert not run.is_alive(), "the run did not finish after the server came back"
        result = outcome["result"]
        events = [e for e in result.all_events if e.step_key == "core_victim_record"]
        retries = [e for e in events if e.event_type_value == "STEP_UP_FOR_RETRY"]
        restarts = [e for e in events if e.event_type_value == "STEP_RESTARTED"]
        print(f"\npostgres restart: server down {DOWN_SECONDS:.1f} s; core_victim_record up for retry "
              f"{len(retries)}x, restarted {len(restarts)}x; run success={result.success}")
        causes = [root_cause(e.event_specific_data.error) for e in retries]
        print(f"  attempt failures: {causes}")
        assert len(retries) == 2 and len(restarts) == 2
        # the first attempt cut by the shutdown, the first retry refused by the server being down
        assert causes == ["AdminShutdown", "OperationalError"]
        # failures and retries wrote nothing personal into Dagster's event log
        texts = outcome["log"] + [t for e in retries for t in error_texts(e.event_specific_data.error)]
        assert scan(texts, personal_values(corrected, *MONTH)) == []
        assert result.success
        state, broken = snapshot(url)
        assert state == new and broken == {}
    finally:
        release_connections(url)
        embedded_postgres.stop(pgdata)
        shutil.rmtree(pgdata, ignore_errors=True)
