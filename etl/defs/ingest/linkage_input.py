"""The linkage input (every record in force, as tokens), read in a memory a million records can afford.

`etl.defs.load.linking.link_in_force` reads every match token as its own Python object (a tuple
of two fresh strings, about 180 bytes) before packing them per record: with about 25 tokens a
record, several gigabytes for a million records. This reads
one row per record (its tokens aggregated by PostgreSQL), through a server-side cursor, and packs
each record at once with the same `TokenizedRecord.from_tokens`; repeated strings (codes, the key
id) and coarse features are shared, not copied per record. The linkage itself is the same
`etl.defs.privacy.linkage.link`, so the persons are the same as `link_in_force` finds.
"""

from __future__ import annotations

import sys

import sqlalchemy as sa

from etl.defs.load.core_load import PersonAssignment
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.linkage import link
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
"""


def tokenized_in_force(
    conn: sa.Connection, extract_ids: list[int], keyring: Keyring
) -> tuple[list[TokenizedRecord], dict[tuple[str, str], int]]:
    """Every staged record of the extracts, packed; and the extract of each (institution, period)."""
    records: list[TokenizedRecord] = []
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
    return records, extract_of


def link_in_force_streamed(conn: sa.Connection, extract_ids: list[int], keyring: Keyring) -> PersonAssignment:
    """Same contract and result as `etl.defs.load.linking.link_in_force`, at a fraction of the memory."""
    records, extract_of = tokenized_in_force(conn, extract_ids, keyring)
    assignment = link(records, keyring)
    del records
    key_id = keyring.key_id
    return {
        (extract_of[(ref.institution, ref.period)], ref.source_row): (person_key, key_id)
        for ref, person_key in assignment.items()
    }
