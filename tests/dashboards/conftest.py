"""Fixtures of the dashboard tests: a migrated warehouse of their own with a seeded publication."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from etl.defs.dashboards.queries import DASHBOARD_ROLE
from etl.defs.dashboards.spec import DashboardsSpec, load_spec
from etl.infra.database import as_role
from tests.conftest import create_database, drop_database
from tests.dashboards.publication_data import Published, seed_publication


@pytest.fixture(scope="session")
def dashboard_warehouse_url(pg_server_url: str) -> Iterator[str]:
    """Its own database: the publication holds one current release, which other suites must not see."""
    from warehouse import migrate

    url = create_database(pg_server_url, prefix="obs_dash")
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def published(dashboard_warehouse_url: str) -> Published:
    engine = sa.create_engine(dashboard_warehouse_url)
    try:
        return seed_publication(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def dashboard_engine(dashboard_warehouse_url: str, published: Published) -> Iterator[sa.Engine]:
    """Logged in as the dashboard role itself, as Metabase is."""
    engine = sa.create_engine(as_role(dashboard_warehouse_url, DASHBOARD_ROLE))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def spec() -> DashboardsSpec:
    return load_spec()
