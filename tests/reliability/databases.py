"""Throw-away copies of a prepared warehouse: every crash iteration starts from the same state."""

from __future__ import annotations

import sqlalchemy as sa

from etl.infra.database import _engine_for, normalize_url
from tests.conftest import create_database, drop_database


def release_connections(url: str) -> None:
    """Close the pooled connections this process holds to `url` (a template must have none)."""
    _engine_for(normalize_url(url)).dispose()


def clone_database(template_url: str, prefix: str = "obs_clone") -> str:
    """A new database with the template's content (PostgreSQL copies it; no migration, no reload)."""
    release_connections(template_url)
    return create_database(template_url, prefix, template=sa.make_url(template_url).database)


def drop_clone(url: str) -> None:
    release_connections(url)
    drop_database(url)
