"""Publication layer: disclosure-controlled aggregates, the only relations dashboards read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

from warehouse import tables as t

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t.metadata.create_all(op.get_bind(), tables=t.PUBLICATION_TABLES)
    # Default privileges from 0004 grant SELECT to the dashboard and analyst roles.
    op.execute("GRANT SELECT ON ALL TABLES IN SCHEMA publication TO observatorio_dashboard, observatorio_analyst")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA publication TO observatorio_etl")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA publication TO observatorio_etl")


def downgrade() -> None:
    t.metadata.drop_all(op.get_bind(), tables=t.PUBLICATION_TABLES)
