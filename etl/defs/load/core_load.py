"""Load one accepted extract (one institution, one month) into the star schema, atomically.

Everything happens in the caller's single transaction, under one advisory lock, so that:
- a crash (or SIGKILL) anywhere leaves the month exactly as it was before: PostgreSQL rolls
  the whole transaction back;
- two loads never interleave: linkage is global (a new month can merge persons seen in
  earlier months), so loads are serialized rather than risking deadlocks or double inserts;
- re-running the same extract yields identical tables (facts replaced, persons recomputed
  deterministically from the set of records).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from etl.defs.landing.submissions import mark_loaded
from etl.defs.load.copy import copy_rows
from warehouse import tables as t

LOAD_LOCK_ID = 0x0B5E_10AD

# record ref (extract_id, source_row) -> (person_key, key_id)
PersonAssignment = Mapping[tuple[int, int], tuple[str, str]]
Linker = Callable[[sa.Connection, list[int]], PersonAssignment]


@dataclass(frozen=True)
class LoadResult:
    extract_id: int
    records: int
    persons_total: int
    persons_changed: int


def _extracts_in_force(conn: sa.Connection, including: int) -> list[int]:
    """The extract being loaded, and for every other institution-month the one whose rows core holds.

    Not "the current file": a corrected file waiting for its own load is current but not in core
    yet, and until then the version core still holds must stay in the linkage, or loading any
    other partition would drop its records from `staging.record_person` and relink without them.
    """
    fe, fv = t.fact_extract, t.fact_victim_record
    target = sa.select(fe.c.institution_id, fe.c.month_id).where(fe.c.extract_id == including).subquery()
    # one index probe per submission, not a scan of the facts
    held = sa.select(fe.c.extract_id).where(
        sa.exists().where(fv.c.extract_id == fe.c.extract_id),
        sa.tuple_(fe.c.institution_id, fe.c.month_id).not_in(sa.select(target.c.institution_id, target.c.month_id)),
    )
    return sorted({including, *conn.execute(held).scalars()})


def _analyze(conn: sa.Connection, *tables: sa.Table) -> None:
    """Sample statistics of tables this transaction has just filled (ANALYZE sees its own rows)."""
    conn.execute(sa.text("ANALYZE " + ", ".join(table.fullname for table in tables)))


def _replace_person_assignment(conn: sa.Connection, assignment: PersonAssignment) -> int:
    """Store the new assignment; returns how many records changed person.

    The comparison with the old assignment happens in PostgreSQL: read back into Python, a
    million-record assignment cost a quarter of a gigabyte. The temporary table lives and dies
    with the transaction.
    """
    rp = t.staging_record_person
    conn.execute(sa.text(
        "CREATE TEMP TABLE new_record_person (LIKE staging.record_person) ON COMMIT DROP"
    ))
    new = sa.Table("new_record_person", sa.MetaData(), *(sa.Column(c.name, c.type) for c in rp.columns))
    copy_rows(
        conn, new, ["extract_id", "source_row", "person_key", "key_id"],
        ((ref[0], ref[1], key, key_id) for ref, (key, key_id) in assignment.items()),
    )
    changed = conn.execute(sa.text(
        "SELECT count(*) FROM new_record_person n LEFT JOIN staging.record_person o "
        "USING (extract_id, source_row) WHERE o.person_key IS DISTINCT FROM n.person_key"
    )).scalar_one()
    conn.execute(rp.delete())
    # In key order, as before: the table's physical order is part of what a re-run must reproduce.
    conn.execute(sa.text(
        "INSERT INTO staging.record_person SELECT * FROM new_record_person ORDER BY extract_id, source_row"
    ))
    conn.execute(sa.text("DROP TABLE new_record_person"))
    return int(changed)


_UPSERT_PERSONS = """
INSERT INTO core.dim_person (person_key, key_id, first_month_id, last_month_id, capture_mask,
                             institutions_seen, record_count, sex_id, age_band_id, department_id,
                             nationality_country_id, exploitation_id, ict_status_id)
SELECT DISTINCT rp.person_key, rp.key_id, m.month_id, m.month_id, 1, '', 0,
       (SELECT sex_id FROM core.dim_sex WHERE sex_code = 'U'),
       (SELECT age_band_id FROM core.dim_age_band WHERE age_band_code = 'UNKNOWN'),
       (SELECT department_id FROM core.dim_department WHERE ine_code = '99'),
       (SELECT country_id FROM core.dim_country WHERE country_code = 'UNK'),
       (SELECT exploitation_id FROM core.dim_exploitation WHERE exploitation_code = 'UNKNOWN'),
       (SELECT ict_status_id FROM core.dim_ict_status WHERE ict_status_code = 'UNKNOWN')
FROM staging.record_person rp
JOIN core.dim_month m ON m.period_code = '2015-01'
ON CONFLICT (person_key) DO UPDATE SET key_id = EXCLUDED.key_id
    WHERE core.dim_person.key_id IS DISTINCT FROM EXCLUDED.key_id
"""

_INSERT_FACTS = """
INSERT INTO core.fact_victim_record (
    extract_id, institution_id, month_id, source_row, source_key_token, key_id, person_id,
    registration_date, department_id, district_id, sex_id, age_band_id, age_years,
    nationality_country_id, exploitation_id, recruitment_method_id, ict_status_id,
    ict_evidence_source, has_transfer_stage, justice_stage_id, exploitation_country_id)
SELECT s.extract_id, fe.institution_id, fe.month_id, s.source_row, s.source_key_token, s.key_id,
       p.person_id, s.registration_date, d.department_id, dd.district_id, sx.sex_id, ab.age_band_id,
       s.age_years, nat.country_id, ex.exploitation_id, rm.recruitment_method_id, ic.ict_status_id,
       s.ict_evidence_source, s.has_transfer_stage, js.justice_stage_id, ec.country_id
FROM staging.victim_record s
JOIN core.fact_extract fe ON fe.extract_id = s.extract_id
JOIN staging.record_person rp ON rp.extract_id = s.extract_id AND rp.source_row = s.source_row
JOIN core.dim_person p ON p.person_key = rp.person_key
JOIN core.dim_department d ON d.ine_code = s.department_code
LEFT JOIN core.dim_district dd ON dd.department_id = d.department_id AND dd.district_name = s.district_name
JOIN core.dim_sex sx ON sx.sex_code = s.sex_code
JOIN core.dim_age_band ab ON ab.age_band_code = s.age_band_code
JOIN core.dim_country nat ON nat.country_code = s.nationality_code
JOIN core.dim_exploitation ex ON ex.exploitation_code = coalesce(s.exploitation_codes[1], 'UNKNOWN')
JOIN core.dim_recruitment_method rm ON rm.recruitment_method_code = s.recruitment_method_code
JOIN core.dim_ict_status ic ON ic.ict_status_code = s.ict_status_code
JOIN core.dim_justice_stage js ON js.justice_stage_code = s.justice_stage_code
JOIN core.dim_country ec ON ec.country_code = s.exploitation_country_code
WHERE s.extract_id = :extract_id
-- Upsert on the natural key keeps surrogate ids stable, so a re-run changes nothing at all.
ON CONFLICT (institution_id, month_id, source_row) DO UPDATE SET
    extract_id = EXCLUDED.extract_id, source_key_token = EXCLUDED.source_key_token,
    key_id = EXCLUDED.key_id, person_id = EXCLUDED.person_id,
    registration_date = EXCLUDED.registration_date, department_id = EXCLUDED.department_id,
    district_id = EXCLUDED.district_id, sex_id = EXCLUDED.sex_id, age_band_id = EXCLUDED.age_band_id,
    age_years = EXCLUDED.age_years, nationality_country_id = EXCLUDED.nationality_country_id,
    exploitation_id = EXCLUDED.exploitation_id, recruitment_method_id = EXCLUDED.recruitment_method_id,
    ict_status_id = EXCLUDED.ict_status_id, ict_evidence_source = EXCLUDED.ict_evidence_source,
    has_transfer_stage = EXCLUDED.has_transfer_stage, justice_stage_id = EXCLUDED.justice_stage_id,
    exploitation_country_id = EXCLUDED.exploitation_country_id
"""

_INSERT_PLATFORMS = """
INSERT INTO core.bridge_victim_record_platform (victim_record_id, platform_id, ict_stage_code, evidence_source)
SELECT DISTINCT ON (f.victim_record_id, pl.platform_id, x.stage)
       f.victim_record_id, pl.platform_id, x.stage, x.source
FROM staging.victim_record s
JOIN core.fact_victim_record f ON f.extract_id = s.extract_id AND f.source_row = s.source_row
CROSS JOIN LATERAL jsonb_to_recordset(s.platforms) AS x(platform text, stage text, source text)
JOIN core.dim_platform pl ON pl.platform_code = x.platform
WHERE s.extract_id = :extract_id
ORDER BY f.victim_record_id, pl.platform_id, x.stage, x.source DESC
"""

_INSERT_EXPLOITATION = """
INSERT INTO core.bridge_victim_record_exploitation (victim_record_id, exploitation_id)
SELECT DISTINCT f.victim_record_id, ex.exploitation_id
FROM staging.victim_record s
JOIN core.fact_victim_record f ON f.extract_id = s.extract_id AND f.source_row = s.source_row
CROSS JOIN LATERAL unnest(s.exploitation_codes) AS code
JOIN core.dim_exploitation ex ON ex.exploitation_code = code
WHERE s.extract_id = :extract_id
"""

# Re-point facts of other months whose person changed because this month added a link.
_REPOINT_FACTS = """
UPDATE core.fact_victim_record f SET person_id = p.person_id
FROM staging.record_person rp JOIN core.dim_person p ON p.person_key = rp.person_key
WHERE f.extract_id = rp.extract_id AND f.source_row = rp.source_row AND f.person_id <> p.person_id
"""

# Person attributes from their records: first detection wins for profile attributes (ties broken
# by institution and row so the result is deterministic), the capture history from all records.
_REFRESH_PERSONS = """
WITH rec AS (
    SELECT f.*, i.institution_code, m.period_code, ic.ict_status_code,
           row_number() OVER (PARTITION BY f.person_id
                              ORDER BY f.registration_date, i.institution_code, f.source_row) AS rn
    FROM core.fact_victim_record f
    JOIN core.dim_institution i USING (institution_id)
    JOIN core.dim_month m USING (month_id)
    JOIN core.dim_ict_status ic USING (ict_status_id)
), agg AS (
    SELECT person_id,
           min(month_id) AS first_month_id, max(month_id) AS last_month_id,
           bit_or(CASE institution_code WHEN 'MP' THEN 1 WHEN 'PN' THEN 2 WHEN 'MINNA' THEN 4 ELSE 8 END)::smallint AS capture_mask,
           string_agg(DISTINCT institution_code, '|' ORDER BY institution_code) AS institutions_seen,
           count(*) AS record_count,
           bool_or(ict_status_code IN ('RECRUITMENT', 'BOTH')) AS rec_ict,
           bool_or(ict_status_code IN ('EXPLOITATION', 'BOTH')) AS exp_ict,
           bool_or(ict_status_code = 'NONE') AS none_ict,
           -- the most specific known attribute over all records, when the first one is unknown
           (array_agg(sex_id ORDER BY (sex_id = (SELECT sex_id FROM core.dim_sex WHERE sex_code = 'U')), rn))[1] AS sex_id,
           (array_agg(department_id ORDER BY (department_id = (SELECT department_id FROM core.dim_department WHERE ine_code = '99')), rn))[1] AS department_id,
           (array_agg(age_band_id ORDER BY (age_band_id = (SELECT age_band_id FROM core.dim_age_band WHERE age_band_code = 'UNKNOWN')), rn))[1] AS age_band_id,
           (array_agg(nationality_country_id ORDER BY (nationality_country_id = (SELECT country_id FROM core.dim_country WHERE country_code = 'UNK')), rn))[1] AS nationality_country_id,
           (array_agg(exploitation_id ORDER BY (exploitation_id = (SELECT exploitation_id FROM core.dim_exploitation WHERE exploitation_code = 'UNKNOWN')), rn))[1] AS exploitation_id
    FROM rec GROUP BY person_id
)
UPDATE core.dim_person p SET
    first_month_id = a.first_month_id, last_month_id = a.last_month_id,
    capture_mask = a.capture_mask, institutions_seen = a.institutions_seen,
    record_count = a.record_count, sex_id = a.sex_id, department_id = a.department_id,
    age_band_id = a.age_band_id, nationality_country_id = a.nationality_country_id,
    exploitation_id = a.exploitation_id, ict_status_id = a.ict_status_id, updated_at = now()
FROM (
    SELECT agg.*, ic.ict_status_id
    FROM agg JOIN core.dim_ict_status ic ON ic.ict_status_code =
        CASE WHEN agg.rec_ict AND agg.exp_ict THEN 'BOTH' WHEN agg.rec_ict THEN 'RECRUITMENT'
             WHEN agg.exp_ict THEN 'EXPLOITATION' WHEN agg.none_ict THEN 'NONE' ELSE 'UNKNOWN' END
) a
WHERE p.person_id = a.person_id
  -- only rows that change, so a re-run leaves the table byte-identical (updated_at included)
  AND (p.first_month_id, p.last_month_id, p.capture_mask, p.institutions_seen, p.record_count,
       p.sex_id, p.department_id, p.age_band_id, p.nationality_country_id, p.exploitation_id,
       p.ict_status_id)
      IS DISTINCT FROM
      (a.first_month_id, a.last_month_id, a.capture_mask, a.institutions_seen, a.record_count::int,
       a.sex_id, a.department_id, a.age_band_id, a.nationality_country_id, a.exploitation_id,
       a.ict_status_id)
"""


def load_extract(conn: sa.Connection, extract_id: int, link: Linker) -> LoadResult:
    """Replace the facts of the extract's institution and month with the extract's staged rows."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOAD_LOCK_ID})
    fe = t.fact_extract
    row = conn.execute(
        sa.select(fe.c.institution_id, fe.c.month_id, fe.c.is_current).where(fe.c.extract_id == extract_id)
    ).one()
    if not row.is_current:
        raise RuntimeError(f"el extracto {extract_id} ya no es el vigente para su mes: no se carga")
    same_month = sa.select(fe.c.extract_id).where(
        fe.c.institution_id == row.institution_id, fe.c.month_id == row.month_id
    )
    # The month's previous version goes as a whole (rows the new file no longer has are deleted,
    # the others upserted below); its staged rows with it.
    fv = t.fact_victim_record
    new_rows = sa.select(t.staging_victim_record.c.source_row).where(
        t.staging_victim_record.c.extract_id == extract_id
    )
    month_facts = sa.and_(fv.c.institution_id == row.institution_id, fv.c.month_id == row.month_id)
    conn.execute(fv.delete().where(month_facts, fv.c.source_row.not_in(new_rows)))
    for bridge in (t.bridge_victim_record_platform, t.bridge_victim_record_exploitation):
        conn.execute(
            bridge.delete().where(bridge.c.victim_record_id.in_(sa.select(fv.c.victim_record_id).where(month_facts)))
        )
    for staged in (t.staging_match_token, t.staging_victim_record):
        conn.execute(
            staged.delete().where(staged.c.extract_id.in_(same_month), staged.c.extract_id != extract_id)
        )

    # The rows staged in this transaction are invisible to autovacuum until it commits: without
    # fresh statistics the planner takes a million staged rows for a few dozen and joins them row
    # by row (200,000 records: linkage's token query 29 s instead of 14 s).
    _analyze(conn, t.staging_victim_record, t.staging_match_token)
    in_force = _extracts_in_force(conn, including=extract_id)
    assignment = link(conn, in_force)
    changed = _replace_person_assignment(conn, assignment)
    _analyze(conn, t.staging_record_person)
    conn.execute(sa.text(_UPSERT_PERSONS))
    records = conn.execute(sa.text(_INSERT_FACTS), {"extract_id": extract_id}).rowcount
    _analyze(conn, t.fact_victim_record, t.dim_person)
    conn.execute(sa.text(_INSERT_PLATFORMS), {"extract_id": extract_id})
    conn.execute(sa.text(_INSERT_EXPLOITATION), {"extract_id": extract_id})
    conn.execute(sa.text(_REPOINT_FACTS))
    conn.execute(
        sa.text(
            "DELETE FROM core.dim_person p WHERE NOT EXISTS "
            "(SELECT 1 FROM core.fact_victim_record f WHERE f.person_id = p.person_id)"
        )
    )
    conn.execute(sa.text(_REFRESH_PERSONS))
    mark_loaded(conn, extract_id)
    persons = conn.execute(sa.select(sa.func.count()).select_from(t.dim_person)).scalar_one()
    return LoadResult(extract_id, records, persons, changed)
