"""The mart layer: materialized views defined in warehouse/sql/mart, refreshed in file order."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

MART_SQL_DIR = Path(__file__).resolve().parent / "sql" / "mart"
_VIEW_NAME = re.compile(r"CREATE MATERIALIZED VIEW (mart\.\w+)", re.IGNORECASE)


def mart_sql_files() -> list[Path]:
    return sorted(MART_SQL_DIR.glob("*.sql"))


def mart_views() -> list[str]:
    """Qualified view names in dependency (file) order."""
    return [_VIEW_NAME.search(p.read_text(encoding="utf-8")).group(1) for p in mart_sql_files()]


def create_marts(conn: sa.Connection) -> None:
    for path in mart_sql_files():
        conn.exec_driver_sql(path.read_text(encoding="utf-8"))


def drop_marts(conn: sa.Connection) -> None:
    for view in reversed(mart_views()):
        conn.exec_driver_sql(f"DROP MATERIALIZED VIEW IF EXISTS {view} CASCADE")


def refresh_marts(conn: sa.Connection) -> dict[str, int]:
    """Refresh every mart inside the caller's transaction; returns row counts per view."""
    counts: dict[str, int] = {}
    for view in mart_views():
        conn.exec_driver_sql(f"REFRESH MATERIALIZED VIEW {view}")
        counts[view] = conn.exec_driver_sql(f"SELECT count(*) FROM {view}").scalar_one()
    return counts
