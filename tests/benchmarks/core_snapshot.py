"""The content of the core tables, free of surrogate keys and times, for comparing two warehouses."""

from __future__ import annotations

import sqlalchemy as sa

# Surrogate keys and times differ between two warehouses holding the same data; the rest must not.
_IGNORED = {"victim_record_id", "person_id", "extract_id", "updated_at", "created_at", "received_at",
            "validated_at", "loaded_at", "stored_path", "uploader", "channel", "original_filename_ext"}


def _rows(conn: sa.Connection, query: str) -> list[tuple]:
    result = conn.execute(sa.text(query))
    keep = [i for i, name in enumerate(result.keys()) if name not in _IGNORED]
    return sorted(tuple(str(row[i]) for i in keep) for row in result)


def core_snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            "fact_victim_record": _rows(conn, "SELECT f.*, p.person_key FROM core.fact_victim_record f "
                                              "JOIN core.dim_person p USING (person_id)"),
            "dim_person": _rows(conn, "SELECT * FROM core.dim_person"),
            "bridge_platform": _rows(conn, "SELECT f.source_row, b.platform_id, b.ict_stage_code, b.evidence_source "
                                           "FROM core.bridge_victim_record_platform b "
                                           "JOIN core.fact_victim_record f USING (victim_record_id)"),
            "bridge_exploitation": _rows(conn, "SELECT f.source_row, b.exploitation_id "
                                               "FROM core.bridge_victim_record_exploitation b "
                                               "JOIN core.fact_victim_record f USING (victim_record_id)"),
            "fact_extract": _rows(conn, "SELECT * FROM core.fact_extract"),
            "record_person": _rows(conn, "SELECT source_row, person_key, key_id FROM staging.record_person"),
        }
