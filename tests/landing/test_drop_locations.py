"""Extracts pulled from drop locations: a local folder and a real SFTP server on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

from etl.config import load_settings
from etl.defs.landing.drop import pull_institution
from etl.infra.database import get_engine
from etl.resources.landing import landing_store
from tests.landing.sftp_server import sftp_server
from tests.pipeline.helpers import count


def test_local_drop_folder(pipeline_env: str, shared_samples: Path) -> None:
    settings = load_settings()
    folder = Path(settings.drop_locations["MINMUJER"].removeprefix("file://"))
    folder.mkdir(parents=True)
    shutil.copy(shared_samples / "MINMUJER" / "2025-04.csv", folder / "2025-04.csv")
    (folder / "notas personales.txt").write_text("ignored: not a period file")
    pulled = pull_institution(get_engine(), landing_store(), settings, "MINMUJER")
    assert [(p.period, p.status, p.outcome.accepted) for p in pulled] == [("2025-04", "received", True)]
    # Pulling again is safe: nothing new.
    again = pull_institution(get_engine(), landing_store(), settings, "MINMUJER")
    assert [(p.period, p.status) for p in again] == [("2025-04", "already_received")]
    assert count("SELECT count(*) FROM core.fact_extract") == 1


def test_sftp_drop_location(pipeline_env: str, shared_samples: Path, tmp_path: Path, monkeypatch) -> None:
    with sftp_server(tmp_path / "sshd") as (port, user, key, root):
        (root / "mp").mkdir()
        shutil.copy(shared_samples / "MP" / "2025-05.csv", root / "mp" / "2025-05.csv")
        (root / "mp" / "2025-06.csv").write_bytes(b"\x89PNG\r\n\x1a\n not an extract")
        monkeypatch.setenv("OBSERVATORIO_DROP_MP", f"sftp://{user}@127.0.0.1:{port}{root / 'mp'}")
        monkeypatch.setenv("OBSERVATORIO_DROP_SFTP_KEY_FILE", str(key))
        settings = load_settings()
        pulled = pull_institution(get_engine(), landing_store(), settings, "MP")
    verdicts = {p.period: (p.status, p.outcome.accepted) for p in pulled}
    assert verdicts == {"2025-05": ("received", True), "2025-06": ("received", False)}
    rejected = next(p for p in pulled if p.period == "2025-06")
    assert "2025-06" in rejected.outcome.report.to_text("es")
    assert count("SELECT count(*) FROM core.fact_extract WHERE status = 'rejected'") == 1
