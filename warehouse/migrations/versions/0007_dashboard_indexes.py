"""Indexes for the dashboard cards: every card filters on the current release first, then on years.

`victim_count` and `platform_count` already have (release_id, table_code, year) and
(release_id, year). Coverage, the justice chain and the estimates had none, so each card read
every release ever published (coverage grows by 48 rows a year per release: with monthly releases
kept, tens of thousands of rows scanned to keep a few hundred). Written out in full (not from
warehouse.tables) so this revision stays what it was when later code changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "publication"
INDEXES = {
    "ix_coverage_release_year": ("coverage", ["release_id", "year"]),
    "ix_justice_chain_release_year": ("justice_chain", ["release_id", "year"]),
    "ix_prevalence_estimate_release_population_year": ("prevalence_estimate", ["release_id", "population_code", "year"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, schema=SCHEMA)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table, schema=SCHEMA)
