"""Scratch warehouses for the benchmarks: created and migrated on the configured server, dropped after.

The server is `--database-url`, else OBSERVATORIO_BENCH_DATABASE_URL, else the warehouse's own
server (OBSERVATORIO_DATABASE_URL or the embedded one): the benchmarks never touch its data, they
only create databases named obs_bench_* beside it (the role needs CREATEDB).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from etl.infra.database import normalize_url, resolve_database_url

ENV_BENCH_DATABASE_URL = "OBSERVATORIO_BENCH_DATABASE_URL"


def server_url(explicit: str | None = None) -> str:
    configured = explicit or os.environ.get(ENV_BENCH_DATABASE_URL)
    return normalize_url(configured) if configured else resolve_database_url()


def _admin(server: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")


@contextmanager
def scratch_warehouse(server: str, label: str) -> Iterator[str]:
    """URL of a new, migrated warehouse database, dropped on exit whatever happens."""
    from warehouse import migrate

    name = f"obs_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = _admin(server)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
        engine = sa.create_engine(url)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
