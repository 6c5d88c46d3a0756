"""The streaming ingest loads exactly what validate_extract + the normal (Dagster) load loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks.large_extract import write_benchmark_extract
from etl.defs.ingest import ingest_large_extract
from etl.defs.ingest.linkage_input import link_in_force_streamed
from etl.defs.load.linking import link_in_force
from etl.defs.privacy.keys import load_keyring
from etl.infra.database import get_engine
from tests.benchmarks.core_snapshot import core_snapshot
from tests.conftest import create_database, drop_database
from tests.pipeline.helpers import ingest, upload

PERIOD = "2025-06"
ROWS = 2_000


@pytest.fixture()
def second_warehouse(pg_server_url: str):
    from warehouse import migrate

    url = create_database(pg_server_url, prefix="obs_stream")
    engine = sa.create_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
    drop_database(url)


def test_streaming_and_normal_paths_give_identical_core_tables(
    tmp_path: Path, pipeline_env: str, second_warehouse: sa.Engine
) -> None:
    extract = tmp_path / "MP" / f"{PERIOD}.csv"
    extract.parent.mkdir()
    write_benchmark_extract(extract, ROWS, PERIOD, seed=1)

    assert upload(extract).accepted
    assert ingest("MP", PERIOD).success
    normal = core_snapshot(get_engine())

    # Chunks of 300 rows: every file-wide rule has to work across chunk boundaries.
    streamed = ingest_large_extract(second_warehouse, load_keyring(), "MP", PERIOD, extract, chunk_rows=300,
                                    landing_root=tmp_path / "stream-landing")
    assert streamed.loaded and streamed.report.accepted
    assert streamed.records_loaded == ROWS
    assert len(normal["fact_victim_record"]) == ROWS
    assert core_snapshot(second_warehouse) == normal


def test_streamed_linkage_input_gives_the_same_persons(tmp_path: Path, pipeline_env: str) -> None:
    extract = tmp_path / f"{PERIOD}.csv"
    write_benchmark_extract(extract, 500, PERIOD, seed=3)
    engine = get_engine()
    keyring = load_keyring()
    result = ingest_large_extract(engine, keyring, "MP", PERIOD, extract, chunk_rows=200, landing_root=tmp_path / "l")
    assert result.loaded
    with engine.connect() as conn:
        ids = [result.extract_id]
        streamed = link_in_force_streamed(conn, ids, keyring)
        assert len(streamed) == 500
        assert streamed == link_in_force(conn, ids, keyring)


SAMPLE_FILES = {"MP": "csv", "PN": "xlsx", "MINNA": "json", "MINMUJER": "csv"}


def test_streamed_linkage_equals_linkage_across_institutions_and_months(
    pipeline_env: str, shared_samples: Path
) -> None:
    """The agencies' samples: persons seen by several institutions in several months, exact
    duplicate police rows, shared and conflicting documents. Both linkers, same persons."""
    for institution, ext in SAMPLE_FILES.items():
        for period in ("2025-04", "2025-05", "2025-06"):
            assert upload(shared_samples / institution / f"{period}.{ext}").accepted
            assert ingest(institution, period).success
    keyring = load_keyring()
    with get_engine().connect() as conn:
        ids = conn.execute(sa.text("SELECT DISTINCT extract_id FROM core.fact_victim_record")).scalars().all()
        assert len(ids) == 12
        expected = link_in_force(conn, ids, keyring)
        streamed = link_in_force_streamed(conn, ids, keyring)
        assert len(set(key for key, _ in expected.values())) < len(expected)  # some persons merge records
        assert dict(streamed.items()) == dict(expected.items())
        # The temporary numbering is gone: a second call in the same transaction works too.
        assert dict(link_in_force_streamed(conn, ids, keyring).items()) == dict(expected.items())

        # An exact duplicate row of a case (the intake drops those, an old staging table may not):
        # both linkers collapse it onto its first row. Inside this uncommitted transaction only.
        first = conn.execute(sa.text(
            "SELECT extract_id, source_row FROM staging.victim_record ORDER BY extract_id, source_row LIMIT 1"
        )).one()
        copy_of = {"e": first.extract_id, "r": first.source_row, "new": 100_000}
        conn.execute(sa.text(
            "INSERT INTO staging.victim_record SELECT (jsonb_populate_record(v, jsonb_build_object('source_row', :new))).* "
            "FROM staging.victim_record v WHERE extract_id = :e AND source_row = :r"), copy_of)
        conn.execute(sa.text(
            "INSERT INTO staging.match_token SELECT extract_id, :new, token_kind, token, key_id "
            "FROM staging.match_token WHERE extract_id = :e AND source_row = :r"), copy_of)
        expected = link_in_force(conn, ids, keyring)
        streamed = dict(link_in_force_streamed(conn, ids, keyring).items())
        assert streamed == dict(expected.items())
        assert streamed[(first.extract_id, 100_000)] == streamed[(first.extract_id, first.source_row)]
