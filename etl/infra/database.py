"""Where the warehouse is: the configured server, or the embedded one started on demand."""

from __future__ import annotations

from functools import lru_cache

import sqlalchemy as sa

from etl.config import Settings, load_settings
from etl.infra import embedded_postgres


def normalize_url(url: str) -> str:
    """Accept libpq-style URLs and make SQLAlchemy use psycopg 3 (not the psycopg2 default)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def resolve_database_url(settings: Settings | None = None) -> str:
    settings = settings or load_settings()
    if settings.database_url:
        return normalize_url(settings.database_url)
    return embedded_postgres.ensure_running(settings.embedded_pgdata)


@lru_cache(maxsize=8)
def _engine_for(url: str) -> sa.Engine:
    return sa.create_engine(url, pool_pre_ping=True, future=True)


def get_engine(settings: Settings | None = None) -> sa.Engine:
    return _engine_for(resolve_database_url(settings))


def libpq_dsn(url: str) -> str:
    """The same URL for psycopg.connect (which does not know the +psycopg driver suffix)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def as_role(url: str, role: str, password: str | None = None) -> str:
    """The same database, logged in as another role (dashboards, analysts, the pipeline)."""
    return sa.make_url(url).set(username=role, password=password).render_as_string(hide_password=False)
