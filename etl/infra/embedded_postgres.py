"""The embedded PostgreSQL (the `pgserver` package) used when no server is configured.

It lives under `$OBSERVATORIO_HOME/pgdata`, starts on first use, keeps running between
commands so that later commands reuse it (pgserver finds the running postmaster through
its pid file), and stops only when asked (`observatorio db stop`). It listens on a Unix
socket only, never on a network address.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "observatorio"

_log = logging.getLogger(__name__)


def _quiet_platformdirs() -> None:
    # pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR it warns on every
    # start, which would be noise in every command's output.
    os.environ.setdefault("XDG_RUNTIME_DIR", "/tmp")
    warnings.filterwarnings("ignore", module="platformdirs")


def _server(pgdata: Path):
    _quiet_platformdirs()
    import pgserver  # imported lazily: it starts processes and takes locks on import paths

    pgdata.mkdir(parents=True, exist_ok=True)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    # pgserver caches one handle per pgdata per process; after a stop that handle is stale.
    if not is_running(pgdata):
        pgserver.PostgresServer._instances.pop(pgdata.resolve(), None)
    return pgserver.get_server(pgdata, cleanup_mode=None)


def ensure_running(pgdata: Path, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the server and make sure `database` exists; return its SQLAlchemy URL."""
    server = _server(pgdata)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return f"postgresql+psycopg://postgres@/{database}?host={quote(socket_dir, safe='/')}"


def is_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop(pgdata: Path) -> bool:
    """Stop the server cleanly (fast shutdown: in-flight transactions roll back). True if one ran."""
    if not is_running(pgdata):
        return False
    _quiet_platformdirs()
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    except subprocess.CalledProcessError:
        _log.warning("embedded PostgreSQL did not stop through pg_ctl; it may already be down")
    return True
