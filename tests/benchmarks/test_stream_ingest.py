"""The streaming ingest writes all or nothing, registers every submission and lands the file encrypted."""

from __future__ import annotations

import csv
import io
import os
import signal
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from benchmarks.large_extract import write_benchmark_extract
from etl.defs.ingest import ingest_large_extract, intake_worker, sealed
from etl.defs.ingest.first_seen import FirstSeen, digests
from etl.defs.landing.store import LandingError
from etl.defs.load.copy import plain_copy_text
from etl.defs.privacy.keys import Purpose, load_keyring
from etl.infra.database import get_engine
from etl.synthetic import mp_extract

PERIOD = "2025-06"


def _count(engine: sa.Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(sql)).scalar_one())


@pytest.fixture()
def extract(tmp_path: Path) -> Path:
    path = tmp_path / "MP.csv"
    write_benchmark_extract(path, 400, PERIOD, seed=11)
    return path


def _with_conflict(source: Path, target: Path) -> Path:
    """The same file plus a second, different row for the victim of the first row of its first case."""
    with source.open(encoding=mp_extract.ENCODING, newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    age = mp_extract.COLUMNS.index("VICTIMA_EDAD")
    changed = list(rows[1])
    changed[age] = "" if changed[age] else "40"
    footer = next(i for i, row in enumerate(rows) if row and row[0] == "TOTAL")
    buffer = io.StringIO()
    writer = csv.writer(buffer, **mp_extract.CSV_FORMAT)
    writer.writerows(rows[:footer] + [changed] + rows[footer:])
    target.write_bytes(buffer.getvalue().encode(mp_extract.ENCODING))
    return target


def test_accepted_file_is_loaded_and_landed_encrypted(pipeline_env: str, tmp_path: Path, extract: Path) -> None:
    engine = get_engine()
    keyring = load_keyring()
    result = ingest_large_extract(engine, keyring, "MP", PERIOD, extract, chunk_rows=150, landing_root=tmp_path / "landing")
    assert result.loaded and result.report.accepted
    assert result.records_loaded == 400 == _count(engine, "SELECT count(*) FROM core.fact_victim_record")
    assert _count(engine, "SELECT count(*) FROM core.fact_extract WHERE status = 'loaded' AND is_current") == 1
    assert result.stored_path is not None and result.stored_path.name.endswith(".csv.fenc")
    assert "landing" in result.stored_path.parts
    stored = result.stored_path.read_bytes()
    assert b"NRO_CAUSA" not in stored and stored.startswith(sealed.MAGIC)
    plain = b"".join(sealed.read_sealed(result.stored_path, keyring.fernet_keys(Purpose.LANDING)))
    assert plain == extract.read_bytes()
    assert not list((tmp_path / "landing").glob(".incoming-*"))
    assert {"read", "validate", "pseudonymize", "link", "load"} <= set(result.seconds)


def test_rejected_file_changes_nothing_but_is_registered(pipeline_env: str, tmp_path: Path, extract: Path) -> None:
    engine = get_engine()
    keyring = load_keyring()
    first = ingest_large_extract(engine, keyring, "MP", PERIOD, extract, chunk_rows=150, landing_root=tmp_path / "l")
    assert first.loaded
    before = _count(engine, "SELECT count(*) FROM staging.match_token")
    bad = _with_conflict(extract, tmp_path / "bad.csv")
    # The conflicting row is the last one: every earlier chunk was already staged when it was found.
    result = ingest_large_extract(engine, keyring, "MP", PERIOD, bad, chunk_rows=150, landing_root=tmp_path / "l")
    assert not result.loaded and not result.report.accepted
    assert "DUPLICATE_CONFLICT" in {f.rule for f in result.report.errors}
    assert _count(engine, "SELECT count(*) FROM staging.match_token") == before
    assert _count(engine, "SELECT count(*) FROM staging.victim_record") == 400
    assert _count(engine, "SELECT count(*) FROM core.fact_victim_record") == 400
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT extract_id, status, is_current, error_count FROM core.fact_extract ORDER BY extract_id")).all()
    assert [(r.status, r.is_current) for r in rows] == [("loaded", True), ("rejected", False)]
    assert rows[1].extract_id == result.extract_id and rows[1].error_count == len(result.report.errors)
    assert result.stored_path is not None and "quarantine" in result.stored_path.parts


def test_sealed_file_refuses_tampering(tmp_path: Path) -> None:
    keys = [sealed.Fernet.generate_key()]
    source = tmp_path / "plain.bin"
    source.write_bytes(bytes(range(256)) * 50_000)  # 12.8 MB: several frames
    landed = sealed.seal(source, tmp_path, keys)
    target = sealed.place(landed, tmp_path / "landing" / "x.csv.fenc")
    assert b"".join(sealed.read_sealed(target, keys)) == source.read_bytes()
    data = bytearray(target.read_bytes())
    truncated = tmp_path / "truncated.fenc"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(LandingError):
        b"".join(sealed.read_sealed(truncated, keys))
    data[len(data) // 3] ^= 0x01
    flipped = tmp_path / "flipped.fenc"
    flipped.write_bytes(bytes(data))
    with pytest.raises(LandingError):
        b"".join(sealed.read_sealed(flipped, keys))
    with pytest.raises(LandingError):
        b"".join(sealed.read_sealed(target, [sealed.Fernet.generate_key()]))


def test_first_seen_remembers_first_occurrences_across_batches() -> None:
    seen = FirstSeen()
    first = seen.observe(digests(["a", "b", "a"]), np.array([1, 2, 3]))
    assert first.tolist() == [1, 2, 1]
    second = seen.observe(digests(["c", "b", "c", "a"]), np.array([4, 5, 6, 7]))
    assert second.tolist() == [4, 2, 4, 1]
    assert len(seen) == 3
    assert seen.observe(digests([]), np.array([], dtype=np.int64)).tolist() == []


def _nothing_written(engine: sa.Engine, landing: Path) -> None:
    for table in ("core.fact_extract", "core.fact_victim_record", "staging.victim_record", "staging.match_token"):
        assert _count(engine, f"SELECT count(*) FROM {table}") == 0, table
    assert not [p for p in landing.rglob("*") if p.is_file()]


def test_worker_failure_is_reported_by_type_without_its_message(
    pipeline_env: str, tmp_path: Path, extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker is forked, so it sees this monkeypatch; its error's message might hold a value."""

    def failing(records, extract_id, keyring, assessments=None):
        raise ValueError("VALOR" + str(12345 * 2) + (records[0].given_names or ""))

    monkeypatch.setattr(intake_worker, "stage_records", failing)
    engine = get_engine()
    with pytest.raises(intake_worker.IntakeWorkerFailed) as raised:
        ingest_large_extract(engine, load_keyring(), "MP", PERIOD, extract, chunk_rows=150,
                             landing_root=tmp_path / "landing")
    assert "builtins.ValueError" in str(raised.value) and "in failing" in str(raised.value)
    assert "VALOR24690" not in str(raised.value)  # the message, as it was made at run time
    _nothing_written(engine, tmp_path / "landing")


def test_worker_killed_midway_fails_the_ingest_and_changes_nothing(
    pipeline_env: str, tmp_path: Path, extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged_batches = []
    real = intake_worker.stage_records

    def dying(records, extract_id, keyring, assessments=None):
        if staged_batches:  # the first batch went through to the ingest process and its COPY
            os.kill(os.getpid(), signal.SIGKILL)
        staged_batches.append(1)
        return real(records, extract_id, keyring, assessments)

    monkeypatch.setattr(intake_worker, "stage_records", dying)
    monkeypatch.setattr(intake_worker, "STAGE_BATCH", 100)
    engine = get_engine()
    with pytest.raises(intake_worker.IntakeWorkerFailed, match="código -9"):
        ingest_large_extract(engine, load_keyring(), "MP", PERIOD, extract, chunk_rows=150,
                             landing_root=tmp_path / "landing")
    _nothing_written(engine, tmp_path / "landing")


def test_validation_worker_killed_midway_fails_the_ingest_and_changes_nothing(
    pipeline_env: str, tmp_path: Path, extract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other worker: it dies after its first records reached pseudonymization and staging."""
    real = intake_worker.validate_stream

    def dying(*args, on_records, **kwargs):
        def once_then_die(records):
            on_records(records)
            os.kill(os.getpid(), signal.SIGKILL)

        return real(*args, on_records=once_then_die, **kwargs)

    monkeypatch.setattr(intake_worker, "validate_stream", dying)
    engine = get_engine()
    with pytest.raises(intake_worker.IntakeWorkerFailed, match="validación: código -9"):
        ingest_large_extract(engine, load_keyring(), "MP", PERIOD, extract, chunk_rows=150,
                             landing_root=tmp_path / "landing")
    _nothing_written(engine, tmp_path / "landing")


def test_plain_copy_text_refuses_what_would_need_escaping() -> None:
    good = [(7, 1, "name_full", "0a1b2c3d4e5f6071", "k1"), (7, 2, "doc_ci", "ffffffffffffffff", "k1")]
    assert plain_copy_text(good, 5) == b"7\t1\tname_full\t0a1b2c3d4e5f6071\tk1\n7\t2\tdoc_ci\tffffffffffffffff\tk1\n"
    for bad in ([(7, 1, "a\tb", "c", "d")], [(7, 1, "a\\b", "c", "d")], [(7, 1, "á", "c", "d")],
                [(7, 1, "a", "c")], [(7, None, "a", "c", "d")], [(7, 1.5, "a", "c", "d")]):
        with pytest.raises((ValueError, TypeError)):
            plain_copy_text(bad, 5)
