"""Migration 0007 adds the indexes the cards use, and the planner uses them on a large publication."""

from __future__ import annotations

import sqlalchemy as sa

from etl.defs.dashboards.spec import load_spec
from etl.defs.dashboards.sqltemplate import render
from warehouse import migrate

INDEXES = {"ix_coverage_release_year", "ix_justice_chain_release_year", "ix_prevalence_estimate_release_population_year"}


def _indexes(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = 'publication'")).scalars())


def test_migration_0007_creates_and_drops_the_dashboard_indexes(empty_database_url):
    engine = sa.create_engine(empty_database_url)
    try:
        migrate.upgrade(engine, "0007")
        assert INDEXES <= _indexes(engine)
        migrate.downgrade(engine, "0006")
        assert not INDEXES & _indexes(engine)
        migrate.upgrade(engine)
        assert INDEXES <= _indexes(engine)
    finally:
        engine.dispose()


def test_coverage_cards_read_the_current_release_through_the_index(dashboard_warehouse_url, published):
    spec = load_spec()
    card = spec.cards["cobertura_resumen"]
    query = render(card.sql, {}, spec.tag_types(card))
    engine = sa.create_engine(dashboard_warehouse_url)
    try:
        with engine.begin() as conn:
            # The seeded publication is small: make a sequential scan look as costly as it is on a large one.
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(conn.execute(sa.text("EXPLAIN " + query.statement.text), query.params).scalars())
    finally:
        engine.dispose()
    assert "ix_coverage_release_year" in plan
