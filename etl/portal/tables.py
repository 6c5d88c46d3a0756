"""The portal's tables in the `audit` schema, as migration 0006 creates them.

They live apart from warehouse.tables (the analytical star schema): the portal reads and
writes them, the pipeline never does. tests/portal checks this description against the
migrated database, so the two cannot drift apart silently.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

AUDIT = "audit"
ROLES = ("official", "engineer")
EVENT_TYPES = ("login", "logout", "upload", "report_download", "pipeline_start", "access_denied")

metadata = sa.MetaData()

portal_user = sa.Table(
    "portal_user",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("institution_code", sa.Text, nullable=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    schema=AUDIT,
)

portal_session = sa.Table(
    "portal_session",
    metadata,
    sa.Column("session_hash", sa.Text, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey(f"{AUDIT}.portal_user.user_id"), nullable=True),
    sa.Column("csrf_token", sa.Text, nullable=False),
    sa.Column("lang", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    schema=AUDIT,
)

portal_event = sa.Table(
    "portal_event",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("user_id", sa.Integer, nullable=True),
    sa.Column("institution_code", sa.Text, nullable=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("period_code", sa.Text, nullable=True),
    sa.Column("extract_id", sa.Integer, nullable=True),
    sa.Column("ip_hash", sa.Text, nullable=True),
    schema=AUDIT,
)

login_attempt = sa.Table(
    "login_attempt",
    metadata,
    sa.Column("attempt_id", sa.BigInteger, primary_key=True),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("account_hash", sa.Text, nullable=False),
    sa.Column("ip_hash", sa.Text, nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    schema=AUDIT,
)

portal_pipeline_run = sa.Table(
    "portal_pipeline_run",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True),
    sa.Column("period_code", sa.Text, nullable=False),
    sa.Column("institutions", pg.ARRAY(sa.Text), nullable=False),
    sa.Column("started_by", sa.Integer, nullable=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("succeeded", sa.Boolean, nullable=True),
    sa.Column("failed_runs", sa.Integer, nullable=True),
    schema=AUDIT,
)

PORTAL_TABLES = (portal_user, portal_session, portal_event, login_attempt, portal_pipeline_run)
