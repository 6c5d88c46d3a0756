"""Views of the release in force, so each dashboard card does not restate how to find it.

Every card read "the current release" with the same CTE (`vigente`) and the same default year
(the latest year of national victims, of platforms, or of the justice chain); those lines stood in 23 SQL files. The
views below say it once. They are plain views (the planner inlines them: the cards keep using
the (release_id, table_code, year) indexes). Written out in full so this revision stays what it
was; a later column added to a base table needs the view recreated by that later revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("victim_count", "platform_count", "coverage", "justice_chain", "prevalence_estimate")
READERS = "observatorio_dashboard, observatorio_analyst"


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"CREATE VIEW publication.current_{table} AS "
            f"SELECT t.* FROM publication.{table} t "
            "JOIN publication.release r ON r.release_id = t.release_id WHERE r.is_current"
        )
    # The year a card shows when none is chosen: the latest of the release in force.
    op.execute(
        "CREATE VIEW publication.current_latest_year AS SELECT "
        "(SELECT max(year) FROM publication.current_victim_count WHERE table_code = 'national_year') AS victims_year, "
        "(SELECT max(year) FROM publication.current_platform_count) AS platforms_year, "
        "(SELECT max(year) FROM publication.current_justice_chain) AS justice_year"
    )
    views = ", ".join([*(f"publication.current_{t}" for t in TABLES), "publication.current_latest_year"])
    op.execute(f"GRANT SELECT ON {views} TO {READERS}")


def downgrade() -> None:
    op.execute("DROP VIEW publication.current_latest_year")
    for table in TABLES:
        op.execute(f"DROP VIEW publication.current_{table}")
