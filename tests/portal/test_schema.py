"""Migration 0006 against etl.portal.tables, the pipeline role's grants, and the stored shapes."""

from __future__ import annotations

import sqlalchemy as sa

from etl.portal.tables import PORTAL_TABLES


def test_the_migration_creates_what_the_portal_queries(warehouse_url: str) -> None:
    engine = sa.create_engine(warehouse_url)
    inspector = sa.inspect(engine)
    for table in PORTAL_TABLES:
        reflected = {c["name"]: c for c in inspector.get_columns(table.name, schema=table.schema)}
        assert set(reflected) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert reflected[column.name]["nullable"] == column.nullable, (table.name, column.name)
    with engine.connect() as conn:
        for table in PORTAL_TABLES:
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE"):
                assert conn.execute(
                    sa.text("SELECT has_table_privilege('observatorio_etl', :t, :p)"),
                    {"t": f"{table.schema}.{table.name}", "p": privilege},
                ).scalar_one(), (table.name, privilege)
            assert not conn.execute(
                sa.text("SELECT has_table_privilege('observatorio_dashboard', :t, 'SELECT')"),
                {"t": f"{table.schema}.{table.name}"},
            ).scalar_one()
    engine.dispose()


def test_constraints_refuse_what_must_never_be_stored(warehouse_url: str) -> None:
    engine = sa.create_engine(warehouse_url)
    bad_rows = [
        "INSERT INTO audit.portal_user (email, institution_code, role, password_hash) VALUES ('a@b.py', 'MP', 'official', 'plaintext')",
        "INSERT INTO audit.portal_user (email, institution_code, role, password_hash) VALUES ('A@b.py', 'MP', 'official', '$argon2id$x')",
        "INSERT INTO audit.portal_user (email, institution_code, role, password_hash) VALUES ('c@b.py', NULL, 'official', '$argon2id$x')",
        "INSERT INTO audit.portal_user (email, institution_code, role, password_hash) VALUES ('d@b.py', 'XX', 'official', '$argon2id$x')",
        "INSERT INTO audit.portal_user (email, institution_code, role, password_hash) VALUES ('e@b.py', 'MP', 'admin', '$argon2id$x')",
        "INSERT INTO audit.portal_event (event_type, outcome) VALUES ('file_name', 'x')",
    ]
    for statement in bad_rows:
        with engine.connect() as conn:
            try:
                conn.execute(sa.text(statement))
            except sa.exc.IntegrityError:
                conn.rollback()
            else:
                raise AssertionError(f"accepted: {statement}")
    engine.dispose()
