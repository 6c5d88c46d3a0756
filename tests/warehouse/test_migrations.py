"""Alembic builds, downgrades and rebuilds the warehouse on a real PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from warehouse import migrate, tables as t
from warehouse.marts import mart_views


def _schema_objects(engine: sa.Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_schema IN ('staging','core','mart','publication','audit') "
                "UNION SELECT schemaname, matviewname FROM pg_matviews"
            )
        )
        return {(r[0], r[1]) for r in rows}


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    engine = sa.create_engine(empty_database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    created = _schema_objects(engine)
    for table in t.metadata.sorted_tables:
        assert (table.schema, table.name) in created
    for view in mart_views():
        assert tuple(view.split(".")) in created

    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert _schema_objects(engine) == set()

    migrate.upgrade(engine)
    assert _schema_objects(engine) == created
    engine.dispose()


def test_reference_dimensions_seeded(warehouse_url: str) -> None:
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        departments = conn.execute(
            sa.text("SELECT ine_code, iso_3166_2_code, population_2022 FROM core.dim_department ORDER BY ine_code")
        ).all()
        # 18 departments + the explicit "not recorded" member
        assert len(departments) == 19
        by_code = {d.ine_code: d for d in departments}
        # The INE/ISO trap: Boquerón is INE 16 but PY-19; Alto Paraguay INE 17 but PY-16.
        assert by_code["16"].iso_3166_2_code == "PY-19"
        assert by_code["17"].iso_3166_2_code == "PY-16"
        assert sum(d.population_2022 for d in departments if d.population_2022) == 6_109_903
        assert conn.execute(sa.text("SELECT count(*) FROM core.dim_district")).scalar() == 264
        assert conn.execute(sa.text("SELECT count(*) FROM core.dim_institution")).scalar() == 4
        assert conn.execute(
            sa.text("SELECT count(*) FROM core.dim_age_band WHERE age_band_code IN ('A00_11','A12_17') AND is_minor")
        ).scalar() == 2
        platforms = {r[0] for r in conn.execute(sa.text("SELECT platform_code FROM core.dim_platform"))}
        assert {"TIKTOK", "FREE_FIRE", "ROBLOX", "DISCORD", "TINDER", "ONLINE_JOB_SITE"} <= platforms
    engine.dispose()


def test_seed_is_idempotent(warehouse_url: str) -> None:
    from warehouse.seed import seed_reference

    engine = sa.create_engine(warehouse_url)
    with engine.begin() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM core.dim_month")).scalar()
        seed_reference(conn)
        after = conn.execute(sa.text("SELECT count(*) FROM core.dim_month")).scalar()
    assert before == after > 0
    engine.dispose()
