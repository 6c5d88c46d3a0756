"""Shared steps of pipeline tests: land files as an agency would, materialize as Dagster does."""

from __future__ import annotations

import csv
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from etl.definitions import defs
from etl.defs.landing.upload import UploadOutcome, submit_extract
from etl.infra.database import get_engine
from etl.jobs import INGEST_MONTH, REFRESH_INDICATORS
from etl.partitions import partition_key
from etl.resources.landing import landing_store

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def upload(path: Path, institution: str | None = None, period: str | None = None) -> UploadOutcome:
    return submit_extract(
        get_engine(), landing_store(), institution=institution or path.parent.name, period=period or path.stem,
        content=path.read_bytes(), filename=path.name, uploader="test", channel="test",
    )


def ingest(institution: str, period: str, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(INGEST_MONTH).execute_in_process(
        partition_key=partition_key(institution, period),
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        run_config=QUIET,
    )


def refresh(instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(REFRESH_INDICATORS).execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False, run_config=QUIET
    )


def count(sql: str, **params) -> int:
    with get_engine().connect() as conn:
        return int(conn.execute(sa.text(sql), params).scalar_one())


def truth_rows(samples: Path, institution: str, period: str) -> list[dict[str, str]]:
    with (samples / "truth_records.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["institution"] == institution and r["period"] == period]


def table_checksums() -> dict[str, str]:
    """md5 of every table's content in a stable order: equal checksums, identical tables."""
    sums = {}
    with get_engine().connect() as conn:
        relations = conn.execute(sa.text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema IN ('staging','core','mart','publication') AND table_type = 'BASE TABLE' "
            "UNION ALL SELECT schemaname || '.' || matviewname FROM pg_matviews WHERE schemaname = 'mart' ORDER BY 1"
        )).scalars().all()
        for relation in relations:
            sums[relation] = conn.execute(sa.text(
                f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {relation} t"
            )).scalar_one()
    return sums
