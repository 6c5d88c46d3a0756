"""Optional differential privacy: the epsilon ledger and noisy national annual totals.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from alembic import op

from warehouse import tables as t

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = [t.audit_dp_ledger, t.publication_noisy_total]


def upgrade() -> None:
    t.metadata.create_all(op.get_bind(), tables=TABLES)
    op.execute("GRANT SELECT ON publication.noisy_total TO observatorio_dashboard, observatorio_analyst")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON audit.dp_ledger, publication.noisy_total TO observatorio_etl")
    op.execute("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA audit TO observatorio_etl")


def downgrade() -> None:
    t.metadata.drop_all(op.get_bind(), tables=TABLES)
