"""Read millions of fixed-width rows from PostgreSQL straight into a numpy structured array.

Fetched as Python tuples, a million rows cost ~100 bytes of objects each, and binary COPY hands
them over one message per row (a Python call each). Here the query packs the rows itself, back
to back, into a few large `bytea` values (`int4send(a) || int2send(b) || decode(token, 'hex')`,
aggregated with `string_agg(..., ''::bytea)` per bucket of rows), and numpy reads each value as it
arrives through a server-side cursor:

    rows = fetch_packed(conn, '''
        SELECT string_agg(int4send(idx) || int8send(doc), ''::bytea ORDER BY idx)
        FROM t GROUP BY idx / 65536 ORDER BY idx / 65536''', [("idx", ">i4"), ("doc", ">i8")])
    rows["idx"]  # native-endian int32

`*send` functions write big-endian (">i4", ">i2", ">i8"); `decode(hex, 'hex')` writes the bytes in
their written order, which `etl.defs.privacy.linkage` reads as "<u8" (`np.frombuffer(digest, "<u8")`).
Every packed expression must be non-NULL (a NULL drops the row from string_agg): COALESCE it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa

# Rows per bucket, for the queries that build them: ~1 MB values at ~16 bytes a row.
BUCKET_ROWS = 65_536


def _native(dtype: str) -> np.dtype:
    return np.dtype(dtype).newbyteorder("=")


def fetch_packed(
    conn: sa.Connection,
    query: str,
    fields: Sequence[tuple[str, str]],
    params: Mapping[str, Any] | None = None,
    expected_rows: int | None = None,
) -> np.ndarray:
    """The rows packed by `query` (one bytea column; psycopg `%(name)s` parameters), native byte order.

    With `expected_rows` the result is filled in place (no second copy of it in memory at once)
    and must have exactly that many rows.
    """
    wire = np.dtype(list(fields))
    native = np.dtype([(name, _native(dtype)) for name, dtype in fields])
    parts: list[np.ndarray] = []
    out = np.empty(expected_rows, dtype=native) if expected_rows is not None else None
    filled = 0
    driver = conn.connection.driver_connection
    with driver.cursor(name=f"packed_{uuid.uuid4().hex[:12]}") as cur:
        cur.itersize = 1  # each row is a large value already
        cur.execute(query, params)
        for (blob,) in cur:
            if blob is None:
                continue
            if len(blob) % wire.itemsize:
                raise RuntimeError("filas empaquetadas de ancho inesperado")
            part = np.frombuffer(blob, dtype=wire).astype(native)
            if out is None:
                parts.append(part)
                continue
            if filled + len(part) > len(out):
                raise RuntimeError("más filas empaquetadas que las esperadas")
            out[filled:filled + len(part)] = part
            filled += len(part)
    if out is None:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=native)
    if filled != len(out):
        raise RuntimeError(f"se esperaban {len(out)} filas empaquetadas, llegaron {filled}")
    return out


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_COPY_HEADER = len(_COPY_SIGNATURE) + 8  # flags (int32) + header extension length (int32, 0)
_COPY_TRAILER = b"\xff\xff"
_COPY_BATCH_ROWS = 65_536


def copy_fixed_rows(
    conn: sa.Connection,
    query: str,
    fields: Sequence[tuple[str, str, str]],
    expected_rows: int,
    params: Mapping[str, Any] | None = None,
) -> dict[str, np.ndarray]:
    """Columns of `query`'s rows, in its order, read through binary COPY into arrays allocated once.

    For results too large to pack into values (tens of millions of rows, in an order PostgreSQL
    sorts on disk). `fields` are (name, wire dtype, stored dtype): each column lands in an array of
    its own, of the (smaller) dtype asked for. Every column must have a fixed width and never be
    NULL. COPY hands rows over one message each: they are joined by the batch before numpy reads them.
    """
    layout: list[tuple[str, str]] = [("_count", ">i2")]
    for name, wire_dtype, _ in fields:
        layout += [(f"_{name}_length", ">i4"), (name, wire_dtype)]
    wire = np.dtype(layout)
    out = {name: np.empty(expected_rows, dtype=stored) for name, _, stored in fields}
    filled = 0
    batch: list[bytes] = []

    def flush() -> None:
        nonlocal filled
        rows = np.frombuffer(b"".join(batch), dtype=wire)
        batch.clear()
        if filled + len(rows) > expected_rows:
            raise RuntimeError("más filas que las esperadas")
        if not (rows["_count"] == len(fields)).all():
            raise RuntimeError("COPY binario: cantidad de columnas inesperada")
        for name, wire_dtype, _ in fields:
            if not (rows[f"_{name}_length"] == np.dtype(wire_dtype).itemsize).all():
                raise RuntimeError(f"columna {name}: ancho inesperado (¿NULL?)")
            out[name][filled:filled + len(rows)] = rows[name]
        filled += len(rows)

    first = True
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY ({query}) TO STDOUT (FORMAT binary)", params) as copy:
            for data in copy:
                chunk = bytes(data)
                if first:
                    if chunk[: len(_COPY_SIGNATURE)] != _COPY_SIGNATURE or chunk[_COPY_HEADER - 4: _COPY_HEADER] != b"\0\0\0\0":
                        raise RuntimeError("COPY binario: encabezado inesperado")
                    chunk, first = chunk[_COPY_HEADER:], False
                    if not chunk:
                        continue
                if chunk == _COPY_TRAILER:
                    continue  # the end; psycopg finishes the COPY when the iteration does
                batch.append(chunk)
                if len(batch) >= _COPY_BATCH_ROWS:
                    flush()
    if batch:
        flush()
    if filled != expected_rows:
        raise RuntimeError(f"se esperaban {expected_rows} filas, llegaron {filled}")
    return out
