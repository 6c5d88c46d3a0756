"""Agency portal: accounts, server-side sessions, login attempts, audit events, pipeline runs.

No table here holds a file name, a value from an extract or an IP address in clear: sessions
are keyed by a keyed hash of the cookie token, login attempts and events by keyed hashes of the
account and of the IP. Written out in full (not from etl.portal.tables) so this revision stays
what it was when later code changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AUDIT = "audit"
ROLES = ("official", "engineer")
EVENT_TYPES = ("login", "logout", "upload", "report_download", "pipeline_start", "access_denied")
TABLES = ("portal_pipeline_run", "login_attempt", "portal_event", "portal_session", "portal_user")


def _now() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "portal_user",
        sa.Column("user_id", sa.Integer, sa.Identity(always=False), primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column(
            "institution_code",
            sa.Text,
            sa.ForeignKey("core.dim_institution.institution_code", name="fk_portal_user_institution"),
            nullable=True,
        ),
        sa.Column("role", sa.Text, nullable=False, server_default="official"),
        sa.Column("password_hash", sa.Text, nullable=False),
        _now(),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("email", name="uq_portal_user_email"),
        sa.CheckConstraint("email = lower(email)", name="ck_portal_user_email_lower"),
        sa.CheckConstraint(f"role IN {ROLES!r}", name="ck_portal_user_role_known"),
        # An official always belongs to one institution; an engineer may belong to none.
        sa.CheckConstraint("role = 'engineer' OR institution_code IS NOT NULL", name="ck_portal_user_official_institution"),
        sa.CheckConstraint("password_hash LIKE '$argon2%'", name="ck_portal_user_argon2"),
        schema=AUDIT,
    )
    op.create_table(
        "portal_session",
        sa.Column("session_hash", sa.Text, primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey(f"{AUDIT}.portal_user.user_id", name="fk_portal_session_user", ondelete="CASCADE"),
            nullable=True,  # NULL: a visitor who has not logged in yet (the login form needs a CSRF token)
        ),
        sa.Column("csrf_token", sa.Text, nullable=False),
        sa.Column("lang", sa.Text, nullable=False, server_default="es"),
        _now(),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lang IN ('es', 'en')", name="ck_portal_session_lang_known"),
        schema=AUDIT,
    )
    op.create_index("ix_portal_session_expires_at", "portal_session", ["expires_at"], schema=AUDIT)
    op.create_index("ix_portal_session_user_id", "portal_session", ["user_id"], schema=AUDIT)
    op.create_table(
        "portal_event",
        sa.Column("event_id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{AUDIT}.portal_user.user_id", name="fk_portal_event_user"), nullable=True),
        sa.Column("institution_code", sa.Text, nullable=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("period_code", sa.Text, nullable=True),
        sa.Column("extract_id", sa.Integer, nullable=True),
        sa.Column("ip_hash", sa.Text, nullable=True),
        sa.CheckConstraint(f"event_type IN {EVENT_TYPES!r}", name="ck_portal_event_type_known"),
        schema=AUDIT,
    )
    op.create_index("ix_portal_event_occurred_at", "portal_event", ["occurred_at"], schema=AUDIT)
    op.create_table(
        "login_attempt",
        sa.Column("attempt_id", sa.BigInteger, sa.Identity(always=False), primary_key=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("account_hash", sa.Text, nullable=False),
        sa.Column("ip_hash", sa.Text, nullable=False),
        sa.Column("succeeded", sa.Boolean, nullable=False),
        schema=AUDIT,
    )
    op.create_index("ix_login_attempt_account", "login_attempt", ["account_hash", "attempted_at"], schema=AUDIT)
    op.create_index("ix_login_attempt_ip", "login_attempt", ["ip_hash", "attempted_at"], schema=AUDIT)
    op.create_table(
        "portal_pipeline_run",
        sa.Column("run_id", sa.Integer, sa.Identity(always=False), primary_key=True),
        sa.Column("period_code", sa.Text, nullable=False),
        sa.Column("institutions", pg.ARRAY(sa.Text), nullable=False),
        sa.Column(
            "started_by", sa.Integer, sa.ForeignKey(f"{AUDIT}.portal_user.user_id", name="fk_portal_pipeline_run_user"),
            nullable=True,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("succeeded", sa.Boolean, nullable=True),
        sa.Column("failed_runs", sa.Integer, nullable=True),
        schema=AUDIT,
    )
    op.create_index("ix_portal_pipeline_run_period", "portal_pipeline_run", ["period_code", "started_at"], schema=AUDIT)
    for table in TABLES:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {AUDIT}.{table} TO observatorio_etl")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {AUDIT} TO observatorio_etl")


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table, schema=AUDIT)
