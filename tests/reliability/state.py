"""What "wholly the old month or wholly the new" means, as checksums and invariants.

Surrogate ids are left out on purpose: PostgreSQL sequences advance even inside a transaction
that is rolled back, so a killed load legitimately shifts the ids a later load hands out. Every
row is compared on its natural key instead (a fact by institution, month and row, a person by
its pseudonymous key), which is what "the same warehouse" means to anyone reading it.
"""

from __future__ import annotations

import sqlalchemy as sa

_DIGEST = "SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM ({rows}) s"

# fact natural key: institution, month, row in the file
_FACT_KEY = "jsonb_build_array(f.institution_id, f.month_id, f.source_row)"

CORE_STATE_QUERIES: dict[str, str] = {
    "facts": (
        "SELECT ((to_jsonb(f) - 'victim_record_id' - 'person_id') "
        "|| jsonb_build_object('person_key', p.person_key))::text AS x "
        "FROM core.fact_victim_record f JOIN core.dim_person p USING (person_id)"
    ),
    "platforms": (
        f"SELECT ((to_jsonb(b) - 'victim_record_id') || jsonb_build_object('fact', {_FACT_KEY}))::text AS x "
        "FROM core.bridge_victim_record_platform b JOIN core.fact_victim_record f USING (victim_record_id)"
    ),
    "exploitation": (
        f"SELECT ((to_jsonb(b) - 'victim_record_id') || jsonb_build_object('fact', {_FACT_KEY}))::text AS x "
        "FROM core.bridge_victim_record_exploitation b JOIN core.fact_victim_record f USING (victim_record_id)"
    ),
    # updated_at is a wall-clock stamp of whichever load last touched the person
    "persons": "SELECT (to_jsonb(p) - 'person_id' - 'updated_at')::text AS x FROM core.dim_person p",
    "record_person": "SELECT to_jsonb(r)::text AS x FROM staging.record_person r",
    "extracts": (
        "SELECT jsonb_build_array(extract_id, status, is_current, loaded_at IS NOT NULL)::text AS x "
        "FROM core.fact_extract"
    ),
}


def core_state(conn: sa.Connection) -> dict[str, str]:
    """Natural-key checksum of every core table a load writes (and of the person assignment)."""
    return {
        name: conn.execute(sa.text(_DIGEST.format(rows=rows))).scalar_one()
        for name, rows in CORE_STATE_QUERIES.items()
    }


def person_keys(conn: sa.Connection) -> list[str]:
    return list(conn.execute(sa.text("SELECT person_key FROM core.dim_person ORDER BY person_key")).scalars())


def record_person_keys(conn: sa.Connection) -> dict[tuple[str, str, int], str]:
    """Each record (institution, month, row in the file) and the pseudonymous person it belongs to."""
    rows = conn.execute(sa.text(
        "SELECT i.institution_code, m.period_code, f.source_row, p.person_key "
        "FROM core.fact_victim_record f JOIN core.dim_person p USING (person_id) "
        "JOIN core.dim_institution i USING (institution_id) JOIN core.dim_month m USING (month_id)"
    ))
    return {(r.institution_code, r.period_code, r.source_row): r.person_key for r in rows}


# Each query returns the number of offending rows; the name says which rule they break.
_STAGING_RULES: dict[str, str] = {
    # staged rows belong to the file in force, or to the file whose rows core still holds
    "staged_extract_neither_current_nor_loaded": """
        SELECT count(*) FROM (SELECT DISTINCT extract_id FROM staging.victim_record) s
        JOIN core.fact_extract fe USING (extract_id)
        WHERE NOT fe.is_current
          AND NOT EXISTS (SELECT 1 FROM core.fact_victim_record f WHERE f.extract_id = s.extract_id)""",
    # a staged extract is complete or absent: as many rows as the file's accepted records
    "staged_extract_incomplete": """
        SELECT count(*) FROM (SELECT extract_id, count(*) AS n FROM staging.victim_record GROUP BY extract_id) s
        JOIN core.fact_extract fe USING (extract_id) WHERE s.n <> fe.record_count""",
    "token_without_staged_row": """
        SELECT count(*) FROM staging.match_token t WHERE NOT EXISTS (
            SELECT 1 FROM staging.victim_record s WHERE s.extract_id = t.extract_id AND s.source_row = t.source_row)""",
    "assignment_without_staged_row": """
        SELECT count(*) FROM staging.record_person r WHERE NOT EXISTS (
            SELECT 1 FROM staging.victim_record s WHERE s.extract_id = r.extract_id AND s.source_row = r.source_row)""",
    "fact_without_assignment": """
        SELECT count(*) FROM core.fact_victim_record f WHERE NOT EXISTS (
            SELECT 1 FROM staging.record_person r WHERE r.extract_id = f.extract_id AND r.source_row = f.source_row)""",
    "fact_from_two_extracts_in_one_month": """
        SELECT count(*) FROM (SELECT institution_id, month_id FROM core.fact_victim_record
                              GROUP BY 1, 2 HAVING count(DISTINCT extract_id) > 1) m""",
    "person_without_fact": """
        SELECT count(*) FROM core.dim_person p WHERE NOT EXISTS (
            SELECT 1 FROM core.fact_victim_record f WHERE f.person_id = p.person_id)""",
    "facts_of_a_file_not_loaded": """
        SELECT count(*) FROM (SELECT DISTINCT extract_id FROM core.fact_victim_record) f
        JOIN core.fact_extract fe USING (extract_id) WHERE fe.status NOT IN ('loaded', 'superseded')""",
}


def broken_invariants(conn: sa.Connection) -> dict[str, int]:
    """Rules of a consistent staging/core pair that the current tables break (empty: none)."""
    found = {name: int(conn.execute(sa.text(sql)).scalar_one()) for name, sql in _STAGING_RULES.items()}
    return {name: n for name, n in found.items() if n}


def snapshot(url: str) -> tuple[dict[str, str], dict[str, int]]:
    """core_state and broken_invariants of the database at `url`, read on a connection of its own."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return core_state(conn), broken_invariants(conn)
    finally:
        engine.dispose()
