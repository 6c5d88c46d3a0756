"""Key rotation re-keys every pseudonym without changing any count, and later months still link."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import sqlalchemy as sa

from etl.defs.privacy.keys import load_keyring
from etl.defs.privacy.rotation import rotate_warehouse
from etl.infra.database import get_engine
from tests.conftest import TEST_SECRET
from tests.pipeline.helpers import count, ingest, refresh, upload

NEW_SECRET = base64.b64encode(b"a-completely-different-secret-for-rotation-42").decode()


def test_rotation_keeps_counts_and_links(pipeline_env: str, shared_samples: Path, monkeypatch) -> None:
    for inst, name in (("MP", "2025-04.csv"), ("PN", "2025-04.xlsx"), ("MINNA", "2025-04.json")):
        assert upload(shared_samples / inst / name).accepted
        assert ingest(inst, "2025-04").success
    persons = count("SELECT count(*) FROM core.dim_person")
    tokens_before = set(get_engine().connect().execute(sa.text("SELECT token FROM staging.match_token")).scalars())
    old = load_keyring()
    new = old.extended(base64.b64decode(NEW_SECRET))
    with get_engine().begin() as conn:
        result = rotate_warehouse(conn, old, new)
    assert result.persons == persons
    assert count("SELECT count(*) FROM core.dim_person") == persons
    assert count("SELECT count(DISTINCT key_id) FROM core.dim_person") == 1
    tokens_after = set(get_engine().connect().execute(sa.text("SELECT token FROM staging.match_token")).scalars())
    assert tokens_after and not (tokens_after & tokens_before)
    assert count("SELECT persons_before - persons_after FROM audit.key_rotation") == 0

    # With the chain configured, a new month links to the persons already known.
    monkeypatch.setenv("OBSERVATORIO_SECRET_KEY", f"{TEST_SECRET},{NEW_SECRET}")
    assert upload(shared_samples / "MP" / "2025-05.csv").accepted
    result = ingest("MP", "2025-05")
    assert result.success, [(c.check_name, c.metadata) for c in result.get_asset_check_evaluations() if not c.passed]
    linked_back = count(
        """SELECT count(DISTINCT f.person_id) FROM core.fact_victim_record f
           JOIN core.dim_month m USING (month_id) WHERE m.period_code = '2025-05'
           AND f.person_id IN (SELECT person_id FROM core.fact_victim_record f2 JOIN core.dim_month m2 USING (month_id)
                               WHERE m2.period_code = '2025-04')"""
    )
    assert linked_back > 0
    assert refresh().success
