"""Global person linkage over every record in force, from what staging stores (tokens only)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from etl.defs.load.core_load import PersonAssignment
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.linkage import link
from etl.defs.privacy.tokens import CoarseFeatures, MatchToken, RecordRef, TokenizedRecord

_RECORDS = """
SELECT extract_id, source_row, institution_code, period_code, source_key_token, sex_code,
       department_code, birth_year_min, birth_year_max
FROM staging.victim_record WHERE extract_id = ANY(:ids)
"""
_TOKENS = "SELECT extract_id, source_row, token_kind, token FROM staging.match_token WHERE extract_id = ANY(:ids)"


def link_in_force(conn: sa.Connection, extract_ids: list[int], keyring: Keyring) -> PersonAssignment:
    tokens: dict[tuple[int, int], list[MatchToken]] = defaultdict(list)
    for row in conn.execute(sa.text(_TOKENS), {"ids": extract_ids}):
        tokens[(row.extract_id, row.source_row)].append(MatchToken(row.token_kind, row.token))
    records: list[TokenizedRecord] = []
    ref_of: dict[RecordRef, tuple[int, int]] = {}
    for row in conn.execute(sa.text(_RECORDS), {"ids": extract_ids}):
        ref = RecordRef(row.institution_code, row.period_code, row.source_key_token, row.source_row)
        features = CoarseFeatures(
            sex=row.sex_code,
            department=None if row.department_code == "99" else row.department_code,
            birth_year_min=row.birth_year_min,
            birth_year_max=row.birth_year_max,
        )
        records.append(TokenizedRecord.from_tokens(ref, tokens[(row.extract_id, row.source_row)], features, keyring.key_id))
        ref_of[ref] = (row.extract_id, row.source_row)
    assignment = link(records, keyring)
    return {ref_of[ref]: (person_key, keyring.key_id) for ref, person_key in assignment.items()}
