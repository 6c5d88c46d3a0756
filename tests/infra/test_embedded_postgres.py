"""The embedded PostgreSQL starts on demand, is reused by later commands, and stops cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from etl.infra import embedded_postgres


def test_start_reuse_stop(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    assert not embedded_postgres.is_running(pgdata)
    url = embedded_postgres.ensure_running(pgdata)
    assert embedded_postgres.is_running(pgdata)
    pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT current_database()")).scalar() == embedded_postgres.DATABASE_NAME
        conn.execute(sa.text("CREATE TABLE kept (x int)"))
        conn.commit()
    engine.dispose()

    # A later command (another process) reuses the same server: same postmaster, same data.
    code = (
        "from pathlib import Path; from etl.infra import embedded_postgres as e; "
        f"print(e.ensure_running(Path({str(pgdata)!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == url
    assert int((pgdata / "postmaster.pid").read_text().splitlines()[0]) == pid

    assert embedded_postgres.stop(pgdata) is True
    assert not embedded_postgres.is_running(pgdata)
    assert embedded_postgres.stop(pgdata) is False

    # Restarted, the data is still there.
    engine = sa.create_engine(embedded_postgres.ensure_running(pgdata))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM kept")).scalar() == 0
    engine.dispose()
    embedded_postgres.stop(pgdata)


def test_settings_read_at_call_time(monkeypatch, tmp_path: Path) -> None:
    from etl.config import load_settings

    monkeypatch.setenv("OBSERVATORIO_HOME", str(tmp_path / "h1"))
    monkeypatch.delenv("OBSERVATORIO_DATABASE_URL", raising=False)
    first = load_settings()
    assert first.database_url is None and first.embedded_pgdata == (tmp_path / "h1" / "pgdata").resolve()
    monkeypatch.setenv("OBSERVATORIO_DATABASE_URL", "postgresql://u@h/db")
    assert load_settings().database_url == "postgresql://u@h/db"
    assert first.dagster_home.name == "dagster"
