"""Re-key every stored pseudonym under a new secret, in one transaction, without changing a count.

Stored tokens are chained (new = HMAC(new key, old), see `pseudonym.rotate`), so equal tokens
stay equal; person keys are then recomputed by the same deterministic linkage. The numbers of
persons and records are measured before and after and recorded in `audit.key_rotation`; the
transaction is rolled back if any count differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from etl.defs.load.core_load import LOAD_LOCK_ID
from etl.defs.load.linking import link_in_force
from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.pseudonym import rotate
from warehouse import tables as t

_COUNTS = {
    "persons": "SELECT count(*) FROM core.dim_person",
    "records": "SELECT count(*) FROM core.fact_victim_record",
    "tokens": "SELECT count(DISTINCT token) FROM staging.match_token",
    "person_records": "SELECT string_agg(n::text, ',' ORDER BY n) FROM "
                      "(SELECT count(*) AS n FROM core.fact_victim_record GROUP BY person_id) s",
}


class RotationChangedCounts(RuntimeError):
    pass


@dataclass(frozen=True)
class RotationResult:
    old_key_id: str
    new_key_id: str
    persons: int
    records: int
    tokens_rekeyed: int


def _counts(conn: sa.Connection) -> dict[str, object]:
    return {name: conn.execute(sa.text(sql)).scalar() for name, sql in _COUNTS.items()}


def _remap(conn: sa.Connection, table: str, column: str, mapping: dict[str, str], key_id: str) -> None:
    if not mapping:
        return
    conn.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS rekey (old text PRIMARY KEY, new text) ON COMMIT DROP"))
    conn.execute(sa.text("TRUNCATE rekey"))
    from etl.defs.load.copy import copy_rows

    copy_rows(conn, sa.table("rekey", sa.column("old"), sa.column("new")), ["old", "new"], mapping.items())
    conn.execute(sa.text(f"UPDATE {table} x SET {column} = r.new, key_id = :k FROM rekey r WHERE x.{column} = r.old"),
                 {"k": key_id})


def rotate_warehouse(conn: sa.Connection, old: Keyring, new: Keyring) -> RotationResult:
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_ID})
    before = _counts(conn)
    match_tokens = conn.execute(sa.text("SELECT DISTINCT token FROM staging.match_token")).scalars().all()
    match_map = rotate(old, new, match_tokens, Purpose.MATCH)
    record_tokens = conn.execute(sa.text(
        "SELECT source_key_token FROM staging.victim_record UNION SELECT source_key_token FROM core.fact_victim_record"
    )).scalars().all()
    record_map = rotate(old, new, record_tokens, Purpose.RECORD)
    # Match tokens are part of the primary key: replace rows rather than update in place.
    conn.execute(sa.text("CREATE TEMP TABLE rekeyed_tokens ON COMMIT DROP AS SELECT * FROM staging.match_token"))
    conn.execute(sa.text("TRUNCATE staging.match_token"))
    _remap(conn, "rekeyed_tokens", "token", match_map, new.key_id)
    conn.execute(sa.text("INSERT INTO staging.match_token SELECT * FROM rekeyed_tokens"))
    _remap(conn, "staging.victim_record", "source_key_token", record_map, new.key_id)
    _remap(conn, "core.fact_victim_record", "source_key_token", record_map, new.key_id)

    # Persons: relink under the new keyring, then rename each person by its records' new key.
    # The files whose rows core holds (a corrected file still waiting for its load is not one).
    loaded = conn.execute(sa.text("SELECT DISTINCT extract_id FROM core.fact_victim_record")).scalars().all()
    assignment = link_in_force(conn, sorted(loaded), new)
    conn.execute(sa.text("CREATE TEMP TABLE new_person (extract_id int, source_row int, person_key text) ON COMMIT DROP"))
    from etl.defs.load.copy import copy_rows

    copy_rows(conn, sa.table("new_person", sa.column("extract_id"), sa.column("source_row"), sa.column("person_key")),
              ["extract_id", "source_row", "person_key"], ((e, r, key) for (e, r), (key, _) in assignment.items()))
    conn.execute(sa.text(
        """UPDATE core.dim_person p SET person_key = m.person_key, key_id = :k
           FROM (SELECT DISTINCT f.person_id, n.person_key FROM core.fact_victim_record f
                 JOIN new_person n USING (extract_id, source_row)) m
           WHERE p.person_id = m.person_id"""
    ), {"k": new.key_id})
    conn.execute(sa.text(
        """UPDATE staging.record_person rp SET person_key = n.person_key, key_id = :k
           FROM new_person n WHERE rp.extract_id = n.extract_id AND rp.source_row = n.source_row"""
    ), {"k": new.key_id})
    after = _counts(conn)
    if after != before:
        changed = sorted(k for k in before if before[k] != after[k])
        raise RotationChangedCounts(f"la rotación cambiaría conteos ({', '.join(changed)}): se revierte")
    conn.execute(t.audit_key_rotation.insert().values(
        old_key_id=old.key_id, new_key_id=new.key_id, persons_before=before["persons"], persons_after=after["persons"]
    ))
    return RotationResult(old.key_id, new.key_id, int(after["persons"]), int(after["records"]), len(match_map) + len(record_map))
