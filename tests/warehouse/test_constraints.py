"""The star schema rejects orphan and duplicate rows (named constraints, real PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from warehouse import tables as t


def _extract(conn: sa.Connection, **overrides) -> int:
    values = dict(
        institution_id=conn.execute(sa.text("SELECT institution_id FROM core.dim_institution WHERE institution_code='MP'")).scalar(),
        month_id=conn.execute(sa.text("SELECT month_id FROM core.dim_month WHERE period_code='2025-06'")).scalar(),
        status="accepted",
        is_current=True,
        content_sha256="a" * 64,
        byte_count=10,
        uploader="test",
        channel="cli",
        stored_path="/nowhere",
    )
    values.update(overrides)
    return conn.execute(t.fact_extract.insert().values(**values).returning(t.fact_extract.c.extract_id)).scalar_one()


@pytest.fixture(scope="module")
def constraints_db(pg_server_url: str):
    # A database of this module's own: other suites register submissions in the session one.
    from tests.conftest import migrated_database

    with migrated_database(pg_server_url, "obs_constraints") as url:
        yield url


@pytest.fixture()
def conn(constraints_db: str):
    engine = sa.create_engine(constraints_db)
    with engine.connect() as connection:
        trans = connection.begin()
        yield connection
        trans.rollback()
    engine.dispose()


def _violates(conn: sa.Connection, constraint: str, statement) -> None:
    savepoint = conn.begin_nested()
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(statement)
    savepoint.rollback()
    assert constraint in str(excinfo.value.orig.diag.constraint_name)


def test_orphan_fact_rejected(conn: sa.Connection) -> None:
    extract_id = _extract(conn)
    _violates(
        conn,
        "fk_fact_victim_record_person_id_dim_person",
        t.fact_victim_record.insert().values(
            extract_id=extract_id, institution_id=1, month_id=1, source_row=1, source_key_token="x", key_id="k",
            person_id=999_999, registration_date="2025-06-01", department_id=1, sex_id=1, age_band_id=1,
            nationality_country_id=1, exploitation_id=1, recruitment_method_id=1, ict_status_id=1,
            ict_evidence_source="none", justice_stage_id=1, exploitation_country_id=1,
        ),
    )


def test_two_current_extracts_for_one_month_rejected(conn: sa.Connection) -> None:
    _extract(conn)
    _violates(conn, "uq_fact_extract_current", t.fact_extract.insert().values(
        institution_id=conn.execute(sa.text("SELECT institution_id FROM core.dim_institution WHERE institution_code='MP'")).scalar(),
        month_id=conn.execute(sa.text("SELECT month_id FROM core.dim_month WHERE period_code='2025-06'")).scalar(),
        status="accepted", is_current=True, content_sha256="b" * 64, byte_count=1, uploader="t", channel="cli",
        stored_path="/x",
    ))


def test_bad_values_rejected_by_checks(conn: sa.Connection) -> None:
    _violates(conn, "ck_fact_extract_sha256_format", t.fact_extract.insert().values(
        institution_id=1, month_id=1, status="accepted", content_sha256="not-a-hash", byte_count=1,
        uploader="t", channel="cli", stored_path="/x",
    ))
    _violates(conn, "ck_fact_extract_status_known", t.fact_extract.insert().values(
        institution_id=1, month_id=1, status="maybe", content_sha256="c" * 64, byte_count=1,
        uploader="t", channel="cli", stored_path="/x",
    ))


def test_duplicate_dimension_code_rejected(conn: sa.Connection) -> None:
    _violates(conn, "uq_dim_platform_platform_code",
              t.dim_platform.insert().values(platform_code="TIKTOK", label_es="x", platform_kind="other"))


def test_duplicate_record_in_month_rejected(conn: sa.Connection) -> None:
    extract_id = _extract(conn)
    ids = {
        name: conn.execute(sa.text(sql)).scalar()
        for name, sql in {
            "person": "INSERT INTO core.dim_person (person_key, key_id, first_month_id, last_month_id, capture_mask, institutions_seen, record_count, sex_id, age_band_id, department_id, nationality_country_id, exploitation_id, ict_status_id) VALUES ('p1','k',1,1,1,'MP',1,1,1,1,1,1,1) RETURNING person_id",
        }.items()
    }
    row = dict(
        extract_id=extract_id, institution_id=1, month_id=1, source_row=1, source_key_token="x", key_id="k",
        person_id=ids["person"], registration_date="2025-06-01", department_id=1, sex_id=1, age_band_id=1,
        nationality_country_id=1, exploitation_id=1, recruitment_method_id=1, ict_status_id=1,
        ict_evidence_source="none", justice_stage_id=1, exploitation_country_id=1,
    )
    conn.execute(t.fact_victim_record.insert().values(**row))
    _violates(conn, "uq_fact_victim_record_institution_id_month_id_source_row",
              t.fact_victim_record.insert().values(**row))


def _token(extract_id: int, source_row: int = 1):
    return t.staging_match_token.insert().values(
        extract_id=extract_id, source_row=source_row, token_kind="phone", token="ab" * 8, key_id="k"
    )


def test_match_token_of_a_missing_extract_rejected(conn: sa.Connection) -> None:
    """Checked per statement (migration 0012), under the foreign key's name, for inserts and updates."""
    extract_id = _extract(conn)
    conn.execute(_token(extract_id))
    _violates(conn, "fk_match_token_extract_id_fact_extract", _token(extract_id + 1000))
    _violates(conn, "fk_match_token_extract_id_fact_extract", sa.text(
        f"INSERT INTO staging.match_token VALUES ({extract_id}, 2, 'phone', 'cd', 'k'), "
        f"({extract_id + 1000}, 3, 'phone', 'ef', 'k')"
    ))
    _violates(conn, "fk_match_token_extract_id_fact_extract", t.staging_match_token.update().values(
        extract_id=extract_id + 1000))
    assert conn.execute(sa.text("SELECT count(*) FROM staging.match_token")).scalar_one() == 1


def test_extract_with_staged_tokens_cannot_be_deleted_or_renumbered(conn: sa.Connection) -> None:
    held, free = _extract(conn), _extract(conn, is_current=False, content_sha256="c" * 64)
    conn.execute(_token(held))
    fe = t.fact_extract
    _violates(conn, "fk_match_token_extract_id_fact_extract", fe.delete().where(fe.c.extract_id == held))
    _violates(conn, "fk_match_token_extract_id_fact_extract",
              fe.update().where(fe.c.extract_id == held).values(extract_id=held + 1000))
    conn.execute(fe.update().where(fe.c.extract_id == held).values(uploader="otro"))  # other columns: free
    conn.execute(fe.delete().where(fe.c.extract_id == free))  # no tokens: nothing holds it
    assert conn.execute(sa.select(sa.func.count()).select_from(fe).where(fe.c.extract_id == held)).scalar_one() == 1
