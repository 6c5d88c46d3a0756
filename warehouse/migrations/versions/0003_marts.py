"""Mart layer: materialized views over the star schema (warehouse/sql/mart).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from alembic import op

from warehouse.marts import create_marts, drop_marts

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_marts(op.get_bind())


def downgrade() -> None:
    drop_marts(op.get_bind())
