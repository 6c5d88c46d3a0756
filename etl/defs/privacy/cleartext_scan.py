"""Scan the warehouse (and any other texts) for a run's personal values: zero hits required.

Place names and code labels are public reference data; a person named Belén who lives in
Belén legitimately has `BELEN` in a district column, and Juan appears in SAN JUAN BAUTISTA.
Values that are a reference term, or whole words of one, are therefore not searched on their
own (a full name or surname pair that contains them still is); everything else is.
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
# Keyed pseudonyms are random hex: digit runs inside them would collide with document numbers
# by chance. They are checked by shape instead (only lowercase hex of the expected length),
# which a cleartext value could never pass.
PSEUDONYM_COLUMNS = {
    "token": r"^[0-9a-f]{16}$",
    "source_key_token": r"^[0-9a-f]{32}$",
    "person_key": r"^[0-9a-f]{32}$",
    "key_id": r"^[0-9a-f]{8}$",
    "content_sha256": r"^[0-9a-f]{64}$",
}


class PseudonymShapeError(AssertionError):
    """A pseudonym column holds something that is not a pseudonym."""


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


@lru_cache(maxsize=1)
def _vocabulary_text() -> str:
    return " | ".join(sorted(reference_vocabulary()))


def searchable(secrets: Iterable[str]) -> list[str]:
    """The secrets worth searching: not a reference term nor whole words of one (JUAN in SAN JUAN)."""
    text = f" {_vocabulary_text()} "
    keep = []
    for secret in secrets:
        folded = fold(secret or "")
        if folded and f" {folded} " not in text:
            keep.append(secret)
    return keep


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
        where, params = ("WHERE extract_id = :e", {"e": where_extract}) if where_extract is not None else ("", {})
        if column in PSEUDONYM_COLUMNS:
            bad = conn.execute(
                sa.text(f'SELECT count(*) FROM {schema}."{table}" {where} {"AND" if where else "WHERE"} '
                        f'"{column}" IS NOT NULL AND "{column}" !~ :shape'),
                {**params, "shape": PSEUDONYM_COLUMNS[column]},
            ).scalar_one()
            if bad:
                raise PseudonymShapeError(f"{schema}.{table}.{column}: {bad} valores no son seudónimos")
            continue
        query = f'SELECT "{column}"::text FROM {schema}."{table}" {where}'
        texts.extend(v for v in conn.execute(sa.text(query), params).scalars() if v)
    return texts


def scan(texts: Sequence[str], secrets: Iterable[str]) -> list[LeakHit]:
    return find_leaks(texts, searchable(secrets))
