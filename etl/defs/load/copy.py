"""COPY rows into PostgreSQL inside the caller's SQLAlchemy transaction (target-postgres style)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa


def _copy_from_stdin(table: sa.Table, columns: Sequence[str]) -> str:
    qualified = f'{table.schema}."{table.name}"' if table.schema else f'"{table.name}"'
    column_list = ", ".join(f'"{c}"' for c in columns)
    return f"COPY {qualified} ({column_list}) FROM STDIN"


def copy_rows(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Stream `rows` with COPY FROM STDIN on the same connection and transaction; returns the count."""
    driver = conn.connection.driver_connection  # psycopg 3 connection
    count = 0
    with driver.cursor() as cur:
        with cur.copy(_copy_from_stdin(table, columns)) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def copy_text(conn: sa.Connection, table: sa.Table, columns: Sequence[str], payload: bytes) -> None:
    """COPY rows already in PostgreSQL's text format (`plain_copy_text`) on the caller's transaction."""
    driver = conn.connection.driver_connection
    with driver.cursor() as cur:
        with cur.copy(_copy_from_stdin(table, columns)) as copy:
            copy.write(payload)


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_.:\-\t\n]*")


def plain_copy_text(rows: Sequence[Sequence[int | str]], width: int) -> bytes:
    """Rows of `width` integers and plain identifiers (letters, digits, `_.:-`: codes, hex tokens,
    key ids) in COPY's text format, for rows of one shape made by one function (staging's match
    tokens). Such values need no escaping, so a row is one join; the types of the first row and
    the characters and shape of the whole text are checked, and anything else is refused rather
    than escaped (a None would otherwise read as the text "None")."""
    if rows and any(type(value) not in (int, str) for value in rows[0]):
        raise TypeError("COPY de texto sin escapar: solo enteros y textos")
    text = "".join("\t".join(map(str, row)) + "\n" for row in rows)
    if (not _PLAIN_TEXT.fullmatch(text) or text.count("\n") != len(rows)
            or text.count("\t") != len(rows) * (width - 1)):
        raise ValueError("filas no aptas para COPY de texto sin escapar")
    return text.encode("ascii")
