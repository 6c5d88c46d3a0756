"""Landing zone: encrypted at rest, immutable, rejected files quarantined, accepted months untouched."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import sqlalchemy as sa

from etl.cli.main import main
from etl.infra.database import get_engine
from tests.pipeline.helpers import count, ingest, table_checksums, upload


def test_files_encrypted_and_registered(pipeline_env: str, shared_samples: Path) -> None:
    path = shared_samples / "MP" / "2025-04.csv"
    outcome = upload(path)
    with get_engine().connect() as conn:
        row = conn.execute(sa.text("SELECT stored_path, content_sha256, byte_count, uploader, status FROM core.fact_extract")).one()
    stored = Path(row.stored_path).read_bytes()
    assert outcome.accepted and row.status == "accepted" and row.uploader == "test"
    assert row.byte_count == path.stat().st_size and len(row.content_sha256) == 64
    # Nothing of the file is readable at rest: not the header, not a case number.
    assert b"NRO_CAUSA" not in stored and b"/2025" not in stored and b"VICTIMA" not in stored
    assert not os.access(row.stored_path, os.W_OK) or os.geteuid() == 0  # mode 0400
    assert oct(Path(row.stored_path).stat().st_mode)[-3:] == "400"
    # The same bytes again: no new submission.
    again = upload(path)
    assert again.accepted and not again.is_new and again.extract_id == outcome.extract_id


def test_rejected_reupload_leaves_accepted_month_untouched(pipeline_env: str, shared_samples: Path) -> None:
    assert upload(shared_samples / "PN" / "2025-06.xlsx").accepted
    assert ingest("PN", "2025-06").success
    before = table_checksums()
    facts = count("SELECT count(*) FROM core.fact_victim_record")

    bad = upload(shared_samples / "MP" / "2025-06.csv", institution="PN", period="2025-06")  # a CSV named as PN's
    assert not bad.accepted
    with get_engine().connect() as conn:
        quarantined = conn.execute(sa.text("SELECT stored_path FROM core.fact_extract WHERE status = 'rejected'")).scalar_one()
    assert "/quarantine/" in quarantined and Path(quarantined).exists()
    assert ingest("PN", "2025-06").success  # the accepted file stays in force
    assert count("SELECT count(*) FROM core.fact_victim_record") == facts
    after = table_checksums()
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"core.fact_extract"}  # only the register gained the rejected submission
    assert count("SELECT count(*) FROM core.fact_extract WHERE is_current") == 1


def test_cli_upload_exit_codes(pipeline_env: str, shared_samples: Path, tmp_path: Path, capsys) -> None:
    ok = main(["upload", "--institution", "MINMUJER", "--period", "2025-05", str(shared_samples / "MINMUJER" / "2025-05.csv")])
    assert ok == 0 and "ACEPTADO" in capsys.readouterr().out
    junk = tmp_path / "extracto.csv"
    junk.write_bytes(os.urandom(2000))
    assert main(["upload", "--institution", "MINMUJER", "--period", "2025-05", str(junk)]) == 1
    assert "RECHAZADO" in capsys.readouterr().out
    try:
        main(["upload", "--institution", "XX", "--period", "2025-05", str(junk)])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("usage error must exit 2")


def test_retention_purges_old_raw_files(pipeline_env: str, shared_samples: Path, capsys) -> None:
    upload(shared_samples / "MINMUJER" / "2025-04.csv")
    upload(shared_samples / "MINMUJER" / "2025-05.csv")
    with get_engine().connect() as conn:
        paths = conn.execute(sa.text("SELECT stored_path FROM core.fact_extract ORDER BY extract_id")).scalars().all()
    old = (dt.datetime.now() - dt.timedelta(days=400)).timestamp()
    os.utime(paths[0], (old, old))
    assert main(["purge-raw", "--older-than-days", "365"]) == 0
    assert "1 archivo" in capsys.readouterr().out
    assert not Path(paths[0]).exists() and Path(paths[1]).exists()
    assert count("SELECT count(*) FROM core.fact_extract WHERE purged_at IS NOT NULL") == 1
