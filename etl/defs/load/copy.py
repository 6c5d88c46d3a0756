"""COPY rows into PostgreSQL inside the caller's SQLAlchemy transaction (target-postgres style)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa


def copy_rows(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Stream `rows` with COPY FROM STDIN on the same connection and transaction; returns the count."""
    driver = conn.connection.driver_connection  # psycopg 3 connection
    qualified = f'{table.schema}."{table.name}"' if table.schema else f'"{table.name}"'
    column_list = ", ".join(f'"{c}"' for c in columns)
    count = 0
    with driver.cursor() as cur:
        with cur.copy(f"COPY {qualified} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count
