"""Shared fixtures: a real PostgreSQL for every test that needs one, never a stand-in.

The server is OBSERVATORIO_TEST_DATABASE_URL when set (CI points it at the machine's
PostgreSQL), else the embedded `pgserver` one under .observatorio/test-pgdata. Each test
session works in a database of its own, created and migrated here and dropped at the end.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.config import ENV_TEST_DATABASE_URL
from etl.infra import embedded_postgres
from etl.infra.database import normalize_url

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_SAMPLES = REPO_ROOT.parent / "shared" / "agency-extracts" / "samples"
TEST_SECRET = base64.b64encode(b"observatorio-test-secret-not-for-production!!").decode()


def _server_url() -> str:
    configured = os.environ.get(ENV_TEST_DATABASE_URL)
    if configured:
        return normalize_url(configured)
    pgdata = REPO_ROOT / ".observatorio" / "test-pgdata"
    return embedded_postgres.ensure_running(pgdata, database="postgres")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    return _server_url()


def _admin_engine(server_url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_database(server_url: str, prefix: str = "obs_test", template: str | None = None) -> str:
    """A new empty database beside `server_url`'s, or a copy of `template` (a database name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_engine(server_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    admin.dispose()
    return sa.make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = sa.make_url(url).database
    admin = _admin_engine(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def warehouse_url(pg_server_url: str):
    """A migrated warehouse database for the whole session."""
    from warehouse import migrate

    url = create_database(pg_server_url)
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture()
def empty_database_url(pg_server_url: str):
    """A brand-new, unmigrated database for one test."""
    url = create_database(pg_server_url, prefix="obs_empty")
    yield url
    drop_database(url)


def _point_settings_at(monkeypatch: pytest.MonkeyPatch, home: Path, database_url: str) -> None:
    monkeypatch.setenv("OBSERVATORIO_HOME", str(home))
    monkeypatch.setenv("OBSERVATORIO_DATABASE_URL", database_url)
    monkeypatch.setenv("OBSERVATORIO_SECRET_KEY", TEST_SECRET)
    monkeypatch.delenv("OBSERVATORIO_SECRET_KEY_FILE", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    (home / "dagster").mkdir(parents=True, exist_ok=True)


@pytest.fixture()
def obs_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warehouse_url: str) -> Path:
    """Environment of one test: its own home (landing zone, Dagster instance), the session warehouse."""
    _point_settings_at(monkeypatch, tmp_path / "home", warehouse_url)
    return tmp_path / "home"


@pytest.fixture(scope="session")
def shared_samples() -> Path:
    if not SHARED_SAMPLES.is_dir():
        raise FileNotFoundError(f"shared agency samples not found at {SHARED_SAMPLES}")
    return SHARED_SAMPLES


def random_secret() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@contextmanager
def migrated_database(server_url: str, prefix: str):
    """A new database migrated to head, dropped on exit."""
    from warehouse import migrate

    url = create_database(server_url, prefix=prefix)
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture()
def fresh_warehouse_url(pg_server_url: str):
    """A migrated warehouse database of one test's own (pipeline tests mutate every layer)."""
    with migrated_database(pg_server_url, "obs_fresh") as url:
        yield url


@pytest.fixture()
def pipeline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_warehouse_url: str) -> str:
    """Environment of a pipeline test: own home, own migrated warehouse, a test secret."""
    _point_settings_at(monkeypatch, tmp_path / "home", fresh_warehouse_url)
    return fresh_warehouse_url
