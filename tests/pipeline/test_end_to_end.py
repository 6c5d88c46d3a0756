"""One institution-month through the real Dagster graph into a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.defs.privacy.cleartext_scan import scan, warehouse_texts
from etl.infra.database import get_engine
from tests.pipeline.helpers import count, ingest, refresh, table_checksums, truth_rows, upload


def _personal_values(path: Path, institution: str, period: str) -> list[str]:
    from etl.defs.intake.validate import validate_extract

    result = validate_extract(institution, period, path.read_bytes(), path.name)
    values = [v for r in result.records for v in r.personal_values()]
    assert len(values) > 20
    return values


def test_one_partition_end_to_end(pipeline_env: str, shared_samples: Path, caplog) -> None:
    caplog.set_level("DEBUG")
    path = shared_samples / "MP" / "2025-04.csv"
    outcome = upload(path)
    assert outcome.accepted and outcome.is_new

    instance = dg.DagsterInstance.ephemeral()
    result = ingest("MP", "2025-04", instance)
    assert result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"raw_extract", "staging_victim_record", "core_victim_record"}
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks)

    expected = len(truth_rows(shared_samples, "MP", "2025-04"))
    assert count("SELECT count(*) FROM staging.victim_record") == expected
    assert count("SELECT count(*) FROM core.fact_victim_record") == expected
    assert count("SELECT count(*) FROM core.fact_extract WHERE status = 'loaded' AND is_current") == 1
    assert 0 < count("SELECT count(*) FROM core.dim_person") <= expected

    assert refresh().success
    assert count("SELECT count(*) FROM mart.person_profile") == count("SELECT count(*) FROM core.dim_person")
    assert count("SELECT count(*) FROM publication.release WHERE is_current AND audit_passed") == 1

    # No name, document, phone or birth date of the input anywhere in the warehouse.
    with get_engine().connect() as conn:
        texts = warehouse_texts(conn)
    assert len(texts) > 100
    personal = _personal_values(path, "MP", "2025-04")
    assert scan(texts, personal) == []
    # ... nor in Dagster's event log of the run, nor in anything logged while it ran.
    events = [str(r) for r in instance.all_logs(result.run_id)]
    assert len(events) > 20
    assert scan(events, personal) == []
    assert scan([r.getMessage() for r in caplog.records], personal) == []


def test_rerun_leaves_every_table_identical(pipeline_env: str, shared_samples: Path) -> None:
    for institution in ("MP", "PN"):
        upload(shared_samples / institution / "2025-05.csv" if institution == "MP" else shared_samples / "PN" / "2025-05.xlsx")
        assert ingest(institution, "2025-05").success
    assert refresh().success
    before = table_checksums()
    assert ingest("MP", "2025-05").success
    assert ingest("PN", "2025-05").success
    after = table_checksums()
    changed = {k for k in before if before[k] != after[k] and not k.startswith("publication.")}
    assert changed == set()


def test_missing_partition_fails_cleanly(pipeline_env: str) -> None:
    result = ingest("MINNA", "2025-01")
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "no tiene un archivo aceptado" in failure.step_failure_data.error.message
