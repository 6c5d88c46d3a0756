"""Login throttling kept in the database, so it holds across restarts and several workers.

An account is blocked after N failures since its last success within the window; an address
after N failures within the window whatever the account (guessing many accounts from one place).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from etl.portal.tables import login_attempt as la


def is_blocked(
    conn: sa.Connection, *, account_hash: str, ip_hash: str, max_failures: int, window_minutes: int
) -> bool:
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=window_minutes)
    last_success = (
        sa.select(sa.func.max(la.c.attempted_at))
        .where(la.c.account_hash == account_hash, la.c.succeeded)
        .scalar_subquery()
    )
    account_failures = conn.execute(
        sa.select(sa.func.count()).where(
            la.c.account_hash == account_hash,
            ~la.c.succeeded,
            la.c.attempted_at > since,
            la.c.attempted_at > sa.func.coalesce(last_success, since),
        )
    ).scalar_one()
    if account_failures >= max_failures:
        return True
    ip_failures = conn.execute(
        sa.select(sa.func.count()).where(la.c.ip_hash == ip_hash, ~la.c.succeeded, la.c.attempted_at > since)
    ).scalar_one()
    return ip_failures >= max_failures


def record_attempt(conn: sa.Connection, *, account_hash: str, ip_hash: str, succeeded: bool) -> None:
    conn.execute(la.insert().values(account_hash=account_hash, ip_hash=ip_hash, succeeded=succeeded))


def purge_older_than(conn: sa.Connection, days: int) -> int:
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    return conn.execute(la.delete().where(la.c.attempted_at < cutoff)).rowcount
