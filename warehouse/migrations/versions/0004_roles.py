"""Database roles that enforce who reads what.

- observatorio_dashboard: LOGIN, reads `publication` only (Metabase and the report connect as it).
- observatorio_analyst: reads `mart` and `publication` (aggregates; never `core` or `staging`).
- observatorio_etl: writes every layer (the pipeline).

Roles are cluster-wide, so creation is idempotent and the downgrade only revokes what this
database granted (other databases on the server may still use the roles).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROLES = {
    "observatorio_dashboard": "LOGIN",
    "observatorio_analyst": "LOGIN",
    "observatorio_etl": "LOGIN",
}
LAYERS = ("staging", "core", "mart", "publication", "audit")


def upgrade() -> None:
    for role, options in ROLES.items():
        op.execute(
            f"""DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} {options};
                  END IF;
                EXCEPTION WHEN duplicate_object THEN NULL;  -- created concurrently by another database's migration
                END $$"""
        )
    op.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
    op.execute("DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()); END $$")
    for role in ROLES:
        op.execute(f"DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database()); END $$")
    # The dashboard role: publication only.
    op.execute("GRANT USAGE ON SCHEMA publication TO observatorio_dashboard")
    op.execute("GRANT SELECT ON ALL TABLES IN SCHEMA publication TO observatorio_dashboard")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA publication GRANT SELECT ON TABLES TO observatorio_dashboard")
    # The analyst: marts and publication.
    for schema in ("mart", "publication"):
        op.execute(f"GRANT USAGE ON SCHEMA {schema} TO observatorio_analyst")
        op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO observatorio_analyst")
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO observatorio_analyst")
    # The pipeline writes everything.
    for schema in LAYERS:
        op.execute(f"GRANT USAGE, CREATE ON SCHEMA {schema} TO observatorio_etl")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO observatorio_etl")
        op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO observatorio_etl")
        op.execute(
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO observatorio_etl"
        )
        op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO observatorio_etl")
    # Materialized views are refreshed by their owner; let the pipeline role own them.
    op.execute(
        """DO $$ DECLARE v record; BEGIN
             FOR v IN SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname = 'mart' LOOP
               EXECUTE format('ALTER MATERIALIZED VIEW %I.%I OWNER TO observatorio_etl', v.schemaname, v.matviewname);
             END LOOP; END $$"""
    )
    op.execute("GRANT SELECT ON ALL TABLES IN SCHEMA core TO observatorio_etl")


def downgrade() -> None:
    op.execute(
        """DO $$ DECLARE v record; BEGIN
             FOR v IN SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname = 'mart' LOOP
               EXECUTE format('ALTER MATERIALIZED VIEW %I.%I OWNER TO CURRENT_USER', v.schemaname, v.matviewname);
             END LOOP; END $$"""
    )
    for role in ROLES:
        for schema in LAYERS:
            op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON TABLES FROM {role}")
            op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE ALL ON SEQUENCES FROM {role}")
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}")
            op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}")
            op.execute(f"REVOKE ALL ON SCHEMA {schema} FROM {role}")
        op.execute(f"DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM {role}', current_database()); END $$")
    op.execute("GRANT ALL ON SCHEMA public TO PUBLIC")
    op.execute("DO $$ BEGIN EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$")
