"""Holding the pipeline at a known point: a lock the run must take, and who is waiting for it."""

from __future__ import annotations

import time

import sqlalchemy as sa

from etl.defs.load.core_load import LOAD_LOCK_ID


def _connect(url: str) -> sa.Connection:
    return sa.create_engine(url, poolclass=sa.pool.NullPool).connect()


def hold_load_lock(url: str) -> sa.Connection:
    """Every load waits at its first statement while this connection is open."""
    conn = _connect(url)
    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": LOAD_LOCK_ID})
    conn.commit()
    return conn


def hold_staging_writes(url: str) -> sa.Connection:
    """Staging writes (DELETE, COPY) wait while this transaction is open; reads go on."""
    conn = _connect(url)
    conn.execute(sa.text("LOCK TABLE staging.match_token IN SHARE MODE"))
    return conn


def waiting(url: str, wait_event: str | tuple[str, ...]) -> int:
    """Sessions of this database waiting for a lock of the kind(s) `wait_event` ('advisory', 'relation')."""
    events = (wait_event,) if isinstance(wait_event, str) else wait_event
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = ANY(:e)"
            ), {"e": list(events)}).scalar_one())
    finally:
        engine.dispose()


def wait_until_waiting(url: str, wait_event: str | tuple[str, ...], sessions: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while waiting(url, wait_event) < sessions:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sessions} session(s) never all waited for a {wait_event} lock")
        time.sleep(0.05)
