"""Read millions of fixed-width rows from PostgreSQL straight into a numpy structured array.

Fetched as Python tuples, a million rows cost ~100 bytes of objects each, and binary COPY hands
them over one message per row (a Python call each). Here the query packs the rows itself, back
to back, into a few large `bytea` values (`int4send(a) || int2send(b) || decode(token, 'hex')`,
aggregated with `string_agg(..., ''::bytea)` per bucket of rows), and numpy reads each value as it
arrives through a server-side cursor:

    columns = fetch_packed(conn, '''
        SELECT string_agg(int4send(idx) || int8send(doc), ''::bytea ORDER BY idx)
        FROM t GROUP BY idx / 65536 ORDER BY idx / 65536''', [("idx", ">i4", "i4"), ("doc", ">i8", "i8")])
    columns["idx"]  # a native-endian int32 array

`*send` functions write big-endian (">i4", ">i2", ">i8"); `decode(hex, 'hex')` writes the bytes in
their written order, which `etl.defs.privacy.linkage` reads as "<u8" (`np.frombuffer(digest, "<u8")`).
Every packed expression must be non-NULL (a NULL drops the row from string_agg): COALESCE it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

# Rows per bucket, for the queries that build them: ~1 MB values at ~16 bytes a row.
BUCKET_ROWS = 65_536


def iter_packed(
    conn: sa.Connection,
    query: str,
    fields: Sequence[tuple[str, str, str]],
    params: Mapping[str, Any] | None = None,
) -> Iterator[np.ndarray]:
    """The rows packed by `query`, one structured array (wire dtypes, read-only) per packed value,
    as they arrive: a caller that reduces each part never holds all the rows at once."""
    wire = np.dtype([(name, dtype) for name, dtype, _ in fields])
    driver = conn.connection.driver_connection
    with driver.cursor(name=f"packed_{uuid.uuid4().hex[:12]}") as cur:
        cur.itersize = 1  # each row is a large value already
        cur.execute(query, params)
        for (blob,) in cur:
            if blob is None:
                continue
            if len(blob) % wire.itemsize:
                raise RuntimeError("filas empaquetadas de ancho inesperado")
            yield np.frombuffer(blob, dtype=wire)


def fetch_packed(
    conn: sa.Connection,
    query: str,
    fields: Sequence[tuple[str, str, str]],
    params: Mapping[str, Any] | None = None,
    expected_rows: int | None = None,
) -> dict[str, np.ndarray]:
    """Columns of the rows packed by `query` (one bytea column; psycopg `%(name)s` parameters).

    `fields` are (name, wire dtype, stored dtype): each column lands in an array of its own, of the
    (often narrower) dtype asked for. With `expected_rows` the arrays are allocated once and filled
    in place (no second copy in memory at once), and the query must give exactly that many rows.
    """
    size = expected_rows if expected_rows is not None else 0
    out = {name: np.empty(size, dtype=stored) for name, _, stored in fields}
    parts: list[dict[str, np.ndarray]] = []
    filled = 0
    for rows in iter_packed(conn, query, fields, params):
        if expected_rows is None:
            parts.append({name: rows[name].astype(stored) for name, _, stored in fields})
            continue
        if filled + len(rows) > expected_rows:
            raise RuntimeError("más filas empaquetadas que las esperadas")
        for name, _, _ in fields:
            out[name][filled:filled + len(rows)] = rows[name]
        filled += len(rows)
    if expected_rows is None:
        return {name: np.concatenate([p[name] for p in parts]) if parts else out[name] for name, _, _ in fields}
    if filled != expected_rows:
        raise RuntimeError(f"se esperaban {expected_rows} filas empaquetadas, llegaron {filled}")
    return out
