"""Every setting of Observatorio, read in one place and only when asked for.

Nothing reads the environment at import time: Dagster imports the code location in
several processes, and tests change settings per test. Call `load_settings()` where a
value is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE_URL = "OBSERVATORIO_DATABASE_URL"
ENV_HOME = "OBSERVATORIO_HOME"
ENV_SECRET_KEY = "OBSERVATORIO_SECRET_KEY"
ENV_SECRET_KEY_FILE = "OBSERVATORIO_SECRET_KEY_FILE"
ENV_LANDING_KEY = "OBSERVATORIO_LANDING_KEY"
ENV_DAGSTER_STORAGE_URL = "OBSERVATORIO_DAGSTER_STORAGE_URL"
ENV_DISCLOSURE_K = "OBSERVATORIO_DISCLOSURE_K"
# Optional differential privacy for national annual totals: epsilon per release (unset = off)
# and the total budget across releases.
ENV_DP_EPSILON = "OBSERVATORIO_DP_EPSILON"
ENV_DP_TOTAL_EPSILON = "OBSERVATORIO_DP_TOTAL_EPSILON"
ENV_RAW_RETENTION_DAYS = "OBSERVATORIO_RAW_RETENTION_DAYS"
ENV_MAX_UPLOAD_BYTES = "OBSERVATORIO_MAX_UPLOAD_BYTES"
ENV_TEST_DATABASE_URL = "OBSERVATORIO_TEST_DATABASE_URL"
# Per-institution drop location (fsspec URL): OBSERVATORIO_DROP_MP=sftp://user@host:22/out/mp
ENV_DROP_PREFIX = "OBSERVATORIO_DROP_"
ENV_DROP_SFTP_KEY_FILE = "OBSERVATORIO_DROP_SFTP_KEY_FILE"
# Agency portal. The session-signing secret is read only by etl.portal.secret (Settings holds no
# secret); without it the portal derives its key from the master secret (HKDF, purpose "portal").
ENV_PORTAL_SECRET = "OBSERVATORIO_PORTAL_SECRET"
ENV_PORTAL_SESSION_MINUTES = "OBSERVATORIO_PORTAL_SESSION_MINUTES"
ENV_PORTAL_LOGIN_MAX_FAILURES = "OBSERVATORIO_PORTAL_LOGIN_MAX_FAILURES"
ENV_PORTAL_LOGIN_WINDOW_MINUTES = "OBSERVATORIO_PORTAL_LOGIN_WINDOW_MINUTES"
INSTITUTION_CODES = ("MP", "PN", "MINNA", "MINMUJER")

DEFAULT_HOME = ".observatorio"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str | None  # None: use the embedded PostgreSQL under `home`
    dagster_storage_url: str | None  # None: Dagster keeps its instance in sqlite under `home`
    disclosure_k: int
    dp_epsilon: float | None
    dp_total_epsilon: float
    raw_retention_days: int
    max_upload_bytes: int
    drop_locations: dict[str, str]  # institution -> fsspec URL
    drop_sftp_key_file: str | None
    # Portal: idle minutes before a session ends; failed logins allowed per account and per IP
    # address within the window before further attempts are refused.
    portal_session_minutes: int = 60
    portal_login_max_failures: int = 5
    portal_login_window_minutes: int = 15

    @property
    def embedded_pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    home = Path(env.get(ENV_HOME) or DEFAULT_HOME).expanduser().resolve()
    return Settings(
        home=home,
        database_url=env.get(ENV_DATABASE_URL) or None,
        dagster_storage_url=env.get(ENV_DAGSTER_STORAGE_URL) or None,
        disclosure_k=int(env.get(ENV_DISCLOSURE_K) or 10),
        dp_epsilon=float(env[ENV_DP_EPSILON]) if env.get(ENV_DP_EPSILON) else None,
        dp_total_epsilon=float(env.get(ENV_DP_TOTAL_EPSILON) or 5.0),
        raw_retention_days=int(env.get(ENV_RAW_RETENTION_DAYS) or 365 * 2),
        max_upload_bytes=int(env.get(ENV_MAX_UPLOAD_BYTES) or 50 * 1024 * 1024),
        drop_locations={
            code: env.get(ENV_DROP_PREFIX + code) or (home / "drop" / code).as_uri() for code in INSTITUTION_CODES
        },
        drop_sftp_key_file=env.get(ENV_DROP_SFTP_KEY_FILE) or None,
        portal_session_minutes=int(env.get(ENV_PORTAL_SESSION_MINUTES) or 60),
        portal_login_max_failures=int(env.get(ENV_PORTAL_LOGIN_MAX_FAILURES) or 5),
        portal_login_window_minutes=int(env.get(ENV_PORTAL_LOGIN_WINDOW_MINUTES) or 15),
    )
