"""Layers (staging, core, mart, publication, audit) and the star schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from alembic import op

from warehouse import tables as t

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The first revision builds from the table module; every later change is its own revision
# with explicit operations, so that this one keeps meaning what it meant when released.
TABLES = [
    t.dim_month, t.dim_institution, t.dim_department, t.dim_district, t.dim_sex, t.dim_age_band,
    t.dim_country, t.dim_exploitation, t.dim_recruitment_method, t.dim_platform, t.dim_ict_status,
    t.dim_justice_stage, t.dim_person, t.fact_extract, t.fact_victim_record,
    t.bridge_victim_record_platform, t.bridge_victim_record_exploitation,
    t.staging_victim_record, t.staging_match_token, t.staging_record_person, t.audit_key_rotation,
]


def upgrade() -> None:
    for schema in t.SCHEMAS:
        op.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    t.metadata.create_all(op.get_bind(), tables=TABLES)


def downgrade() -> None:
    # The table module no longer declares match_token's foreign key (revision 0012 replaced it
    # with triggers; its downgrade puts it back), so drop_all cannot see that it goes first.
    op.execute("DROP TABLE IF EXISTS staging.match_token")
    t.metadata.drop_all(op.get_bind(), tables=TABLES)
    for schema in reversed(t.SCHEMAS):
        op.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
