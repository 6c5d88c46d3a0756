"""Scan the warehouse (and any other texts) for a run's personal values: zero hits required.

Place names and code labels are public reference data; a person named Belén who lives in
Belén legitimately has `BELEN` in a district column. Values that are exactly a reference
term (district, department, code label) are therefore not searched; everything else is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import sqlalchemy as sa

from etl.defs.privacy.leakscan import LeakHit, find_leaks
from etl.defs.privacy.normalize import fold
from warehouse import reference
from warehouse.codelists import codelists

SCANNED_SCHEMAS = ("staging", "core", "mart", "publication", "audit")
TEXT_TYPES = ("text", "character varying", "jsonb", "ARRAY", "json")


@lru_cache(maxsize=1)
def reference_vocabulary() -> frozenset[str]:
    terms: set[str] = set()
    for row in reference.districts():
        terms.update({row["distrito"], row["departamento"]})
    for row in reference.departments():
        terms.add(row["name"])
    for entries in codelists().values():
        for code, entry in entries.items():
            terms.add(str(code))
            terms.update(str(v) for k, v in entry.items() if k.startswith("label"))
    return frozenset(fold(t) for t in terms if t)


def searchable(secrets: Iterable[str]) -> list[str]:
    vocabulary = reference_vocabulary()
    return [s for s in secrets if s and fold(s) not in vocabulary]


def warehouse_texts(conn: sa.Connection, where_extract: int | None = None) -> list[str]:
    """Every text value of every layer (or only the rows of one staged extract)."""
    columns = conn.execute(
        sa.text(
            "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = ANY(:schemas) AND c.data_type = ANY(:types)"
        ),
        {"schemas": list(SCANNED_SCHEMAS), "types": list(TEXT_TYPES)},
    ).all()
    texts: list[str] = []
    for schema, table, column in columns:
        if where_extract is not None and schema != "staging":
            continue
        query = f'SELECT "{column}"::text FROM {schema}."{table}"'
        params = {}
        if where_extract is not None:
            query += " WHERE extract_id = :e"
            params = {"e": where_extract}
        texts.extend(v for v in conn.execute(sa.text(query), params).scalars() if v)
    return texts


def scan(texts: Sequence[str], secrets: Iterable[str]) -> list[LeakHit]:
    return find_leaks(texts, searchable(secrets))
