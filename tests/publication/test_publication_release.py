"""Random microdata through the real warehouse SQL and publication: never a count from 1 to k-1.

Persons are written into the star schema, the marts are refreshed by their SQL, the release
is built, and what the dashboard role can read back from PostgreSQL is checked and re-audited
by an attacker's LP over every published table.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from etl.defs.publication.release import PUBLICATION_DERIVATIONS, VICTIM_TABLES, build_release
from etl.defs.publication.sdc import audit_publication
from etl.infra.database import as_role
from warehouse.marts import refresh_marts

K = 10
DEPARTMENTS = ["00", "10", "11", "16", "99"]
SEXES = ["F", "M", "U"]
AGES = ["A12_17", "A18_24", "A25_34", "UNKNOWN"]
STATUSES = ["RECRUITMENT", "EXPLOITATION", "BOTH", "NONE", "UNKNOWN"]
EXPLOITATION = ["SEXUAL_EXPLOITATION", "FORCED_LABOUR", "GROOMING"]
PERIODS = ["2024-03", "2024-11", "2025-02", "2025-07"]

person = st.tuples(
    st.sampled_from(DEPARTMENTS), st.sampled_from(SEXES), st.sampled_from(AGES), st.sampled_from(STATUSES),
    st.sampled_from(EXPLOITATION), st.sampled_from(PERIODS),
)

_EXTRACTS = """
INSERT INTO core.fact_extract (institution_id, month_id, status, is_current, content_sha256, byte_count, uploader,
                               channel, stored_path)
SELECT i.institution_id, m.month_id, 'loaded', true, repeat('a', 64), 1, 't', 'test', '/x'
FROM core.dim_institution i, core.dim_month m WHERE i.institution_code = 'MP' AND m.period_code = ANY(:periods)
"""
_INSERT = """
WITH p AS (
  INSERT INTO core.dim_person (person_key, key_id, first_month_id, last_month_id, capture_mask, institutions_seen,
                               record_count, sex_id, age_band_id, department_id, nationality_country_id,
                               exploitation_id, ict_status_id)
  SELECT md5(CAST(:n AS text)), 'k', m.month_id, m.month_id, 1, 'MP', 1, s.sex_id, a.age_band_id, d.department_id,
         c.country_id, e.exploitation_id, x.ict_status_id
  FROM core.dim_month m, core.dim_sex s, core.dim_age_band a, core.dim_department d, core.dim_country c,
       core.dim_exploitation e, core.dim_ict_status x
  WHERE m.period_code = :period AND s.sex_code = :sex AND a.age_band_code = :age AND d.ine_code = :dept
    AND c.country_code = 'PRY' AND e.exploitation_code = :expl AND x.ict_status_code = :status
  RETURNING *
)
INSERT INTO core.fact_victim_record (extract_id, institution_id, month_id, source_row, source_key_token, key_id,
    person_id, registration_date, department_id, sex_id, age_band_id, nationality_country_id, exploitation_id,
    recruitment_method_id, ict_status_id, ict_evidence_source, justice_stage_id, exploitation_country_id)
SELECT (SELECT extract_id FROM core.fact_extract fe JOIN core.dim_month m USING (month_id) WHERE m.period_code = :period),
       (SELECT institution_id FROM core.dim_institution WHERE institution_code = 'MP'), p.first_month_id, :n,
       md5(CAST(:n AS text)), 'k', p.person_id, to_date(:period || '-10', 'YYYY-MM-DD'), p.department_id, p.sex_id,
       p.age_band_id, p.nationality_country_id, p.exploitation_id,
       (SELECT recruitment_method_id FROM core.dim_recruitment_method WHERE recruitment_method_code = 'UNKNOWN'),
       p.ict_status_id, 'structured',
       (SELECT justice_stage_id FROM core.dim_justice_stage WHERE justice_stage_code = 'INVESTIGATION'),
       p.nationality_country_id
FROM p
"""


@pytest.fixture()
def warehouse(fresh_warehouse_url: str):
    engine = sa.create_engine(fresh_warehouse_url)
    yield engine
    engine.dispose()


def _reset(conn: sa.Connection) -> None:
    conn.execute(sa.text("TRUNCATE core.fact_victim_record, core.dim_person, core.fact_extract, publication.release CASCADE"))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persons=st.lists(person, min_size=1, max_size=160))
def test_random_microdata_never_publishes_small_counts(warehouse: sa.Engine, fresh_warehouse_url: str, persons) -> None:
    with warehouse.begin() as conn:
        _reset(conn)
        conn.execute(sa.text(_EXTRACTS), {"periods": PERIODS})
        # Fact rows need one extract per month; the MP extract of each month is created on first use.
        for n, (dept, sex, age, status, expl, period) in enumerate(persons, start=1):
            conn.execute(sa.text(_INSERT), dict(n=n, dept=dept, sex=sex, age=age, status=status, expl=expl, period=period))
        refresh_marts(conn)
        result = build_release(conn, K)
    assert result.audit_passed and result.differencing_passed and result.is_current

    dashboard = sa.create_engine(as_role(fresh_warehouse_url, "observatorio_dashboard"))
    with dashboard.connect() as conn:
        published = pd.read_sql(sa.text(
            "SELECT v.* FROM publication.victim_count v JOIN publication.release r USING (release_id) WHERE r.is_current"
        ), conn)
    dashboard.dispose()
    assert not published.empty
    shown = published.loc[~published["is_withheld"], "victims"]
    assert not shown.between(1, K - 1).any()
    assert published.loc[published["is_withheld"], "victims"].isna().all()

    # An attacker with every published table (as read back from PostgreSQL) pins no withheld cell.
    tables = {}
    for spec in VICTIM_TABLES:
        frame = published[published["table_code"] == spec.name].rename(columns={"victims": "count", "period_code": "period"})
        tables[spec.name] = frame[[*spec.grouping, "count", "is_withheld", "withheld_reason"]].reset_index(drop=True)
    tables = {name: frame.astype({"count": "Int64"}) for name, frame in tables.items()}
    audit = audit_publication(tables, VICTIM_TABLES, K, derivations=PUBLICATION_DERIVATIONS)
    assert audit.passed, audit.summary()
