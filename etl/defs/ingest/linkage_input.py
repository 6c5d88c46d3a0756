"""The linkage input (every record in force, as tokens), read in a memory a million records can afford.

`etl.defs.load.linking.link_in_force` reads every match token as its own Python object (a tuple
of two fresh strings, about 180 bytes) before packing them per record: with about 35 tokens a
record, several gigabytes for a million records. This reads one row per record (its tokens
aggregated by PostgreSQL), in the order linkage wants, through a server-side cursor, and packs
each record at once with the same `TokenizedRecord.from_tokens`; repeated strings (codes, the key
id) and coarse features are shared, not copied per record. The linkage itself is the same
(`etl.defs.privacy.linkage.person_keys_in_order`, `link` without its sorted copy), so the persons
are the same as `link_in_force` finds; they come back as arrays (`ArrayAssignment`), not a dict.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterator, Mapping

import sqlalchemy as sa

from etl.defs.load.core_load import PersonAssignment
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.linkage import person_keys_in_order
from etl.defs.privacy.tokens import CoarseFeatures, MatchToken, RecordRef, TokenizedRecord

FETCH_ROWS = 10_000
UNKNOWN_DEPARTMENT = "99"

_RECORDS = """
SELECT r.extract_id, r.source_row, r.institution_code, r.period_code, r.source_key_token, r.sex_code,
       r.department_code, r.birth_year_min, r.birth_year_max, t.kinds, t.tokens
FROM staging.victim_record r
LEFT JOIN (
    SELECT extract_id, source_row, array_agg(token_kind) AS kinds, array_agg(token) AS tokens
    FROM staging.match_token WHERE extract_id = ANY(:ids) GROUP BY extract_id, source_row
) t USING (extract_id, source_row)
WHERE r.extract_id = ANY(:ids)
-- RecordRef.sort_key order (byte order, as Python compares these ASCII codes), so linkage needs no sorted copy
ORDER BY r.period_code COLLATE "C", r.institution_code COLLATE "C", r.source_key_token COLLATE "C", r.source_row
"""


def tokenized_in_force(
    conn: sa.Connection, extract_ids: list[int], keyring: Keyring
) -> tuple[list[TokenizedRecord], array, dict[tuple[str, str], int]]:
    """Every staged record of the extracts, packed, in ref order; the extract of each record; and
    the extract of each (institution, period)."""
    records: list[TokenizedRecord] = []
    record_extract = array("i")
    extract_of: dict[tuple[str, str], int] = {}
    features_of: dict[tuple, CoarseFeatures] = {}
    key_id = keyring.key_id
    # Per statement: Connection.execution_options would switch the whole connection to server-side cursors.
    result = conn.execute(
        sa.text(_RECORDS), {"ids": extract_ids}, execution_options={"stream_results": True, "yield_per": FETCH_ROWS}
    )
    for row in result:
        institution, period = sys.intern(row.institution_code), sys.intern(row.period_code)
        if extract_of.setdefault((institution, period), row.extract_id) != row.extract_id:
            raise RuntimeError(f"dos extractos vigentes para {institution} {period}: no se puede enlazar")
        department = None if row.department_code == UNKNOWN_DEPARTMENT else row.department_code
        coarse = (row.sex_code, department, row.birth_year_min, row.birth_year_max)
        features = features_of.get(coarse)
        if features is None:
            features = features_of[coarse] = CoarseFeatures(
                sex=sys.intern(row.sex_code),
                department=sys.intern(department) if department else None,
                birth_year_min=row.birth_year_min,
                birth_year_max=row.birth_year_max,
            )
        tokens = [MatchToken(kind, value) for kind, value in zip(row.kinds or (), row.tokens or (), strict=True)]
        ref = RecordRef(institution, period, row.source_key_token, row.source_row)
        records.append(TokenizedRecord.from_tokens(ref, tokens, features, key_id))
        record_extract.append(row.extract_id)
    return records, record_extract, extract_of


class ArrayAssignment(Mapping[tuple[int, int], tuple[str, str]]):
    """A PersonAssignment held as parallel arrays: a dict of a million tuples cost ~200 MB."""

    def __init__(self, extract_ids: array, source_rows: array, person_keys: list[str], key_id: str) -> None:
        self._extract_ids, self._source_rows, self._keys, self._key_id = extract_ids, source_rows, person_keys, key_id
        self._index: dict[tuple[int, int], int] | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._extract_ids, self._source_rows)

    def items(self):  # what the load reads: no index needed
        return ((ref, (key, self._key_id)) for ref, key in zip(zip(self._extract_ids, self._source_rows), self._keys))

    def __getitem__(self, ref: tuple[int, int]) -> tuple[str, str]:
        if self._index is None:
            self._index = {r: i for i, r in enumerate(self)}
        return self._keys[self._index[ref]], self._key_id


def link_in_force_streamed(conn: sa.Connection, extract_ids: list[int], keyring: Keyring) -> PersonAssignment:
    """Same contract and result as `etl.defs.load.linking.link_in_force`, at a fraction of the memory."""
    records, record_extract, _ = tokenized_in_force(conn, extract_ids, keyring)
    source_rows = array("i", (record.ref.source_row for record in records))
    keys = person_keys_in_order(records, keyring)
    del records
    return ArrayAssignment(record_extract, source_rows, keys, keyring.key_id)
