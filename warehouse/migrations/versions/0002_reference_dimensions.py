"""Seed the reference dimensions from schemas/codelists.yaml and the 2022 census.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

from warehouse import tables as t
from warehouse.seed import seed_reference

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEEDED = [
    t.dim_district, t.dim_department, t.dim_justice_stage, t.dim_ict_status, t.dim_platform,
    t.dim_recruitment_method, t.dim_exploitation, t.dim_country, t.dim_age_band, t.dim_sex,
    t.dim_institution, t.dim_month,
]


def upgrade() -> None:
    seed_reference(op.get_bind())


def downgrade() -> None:
    for table in SEEDED:
        op.execute(table.delete())
