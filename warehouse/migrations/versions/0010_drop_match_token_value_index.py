"""Drop the index on staging.match_token(token): nothing reads tokens by value.

Linkage is global (it reads every token of the extracts in force, by extract), and key rotation
reads the whole table; no query looks a token up by its value. The index cost the load most of
its time instead: about 35 tokens a record land in random places of a B-tree (a million-record
extract: 35 million random inserts, the largest share of its COPY time). Written out in full (not
from warehouse.tables) so this revision stays what it was when later code changes; IF EXISTS
because revision 0001 builds the staging tables from warehouse.tables, which no longer has it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS staging.ix_match_token_token")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_match_token_token ON staging.match_token (token)")
