"""Throw-away copies of a prepared warehouse: every crash iteration starts from the same state."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from etl.infra.database import _engine_for, normalize_url


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def release_connections(url: str) -> None:
    """Close the pooled connections this process holds to `url` (a template must have none)."""
    _engine_for(normalize_url(url)).dispose()


def clone_database(template_url: str, prefix: str = "obs_clone") -> str:
    """A new database with the template's content (PostgreSQL copies it; no migration, no reload)."""
    release_connections(template_url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    template = sa.make_url(template_url).database
    admin = _admin(template_url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.dispose()
    return sa.make_url(template_url).set(database=name).render_as_string(hide_password=False)


def drop_clone(url: str) -> None:
    release_connections(url)
    name = sa.make_url(url).database
    admin = _admin(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()
