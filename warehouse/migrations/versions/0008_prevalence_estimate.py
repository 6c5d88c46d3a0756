"""Mart table of Multiple Systems Estimation results per year (computed in Python).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from alembic import op

from warehouse import tables as t

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    t.metadata.create_all(op.get_bind(), tables=[t.mart_prevalence_estimate])
    op.execute("GRANT SELECT ON mart.prevalence_estimate TO observatorio_analyst")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON mart.prevalence_estimate TO observatorio_etl")


def downgrade() -> None:
    t.metadata.drop_all(op.get_bind(), tables=[t.mart_prevalence_estimate])
