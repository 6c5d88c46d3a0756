"""Dagster's instance: sqlite under $OBSERVATORIO_HOME/dagster by default, PostgreSQL when set.

`observatorio` commands and `dagster dev` (through DAGSTER_HOME, which the Makefile sets)
share this instance, so runs started from the CLI show in the UI.
"""

from __future__ import annotations

import os

import yaml

from etl.config import Settings


def dagster_yaml(settings: Settings) -> dict:
    config: dict = {
        "telemetry": {"enabled": False},
        # Nothing personal flows through Dagster's IO managers (assets write to PostgreSQL and
        # return metadata only), but keep compute logs off: a library warning could carry data.
        "compute_logs": {"module": "dagster._core.storage.noop_compute_log_manager", "class": "NoOpComputeLogManager"},
    }
    if settings.dagster_storage_url:
        # Referenced, not copied: the URL may carry a password, which must not sit in a file.
        config["storage"] = {"postgres": {"postgres_url": {"env": "OBSERVATORIO_DAGSTER_STORAGE_URL"}}}
    return config


def ensure_dagster_home(settings: Settings) -> str:
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(dagster_yaml(settings), sort_keys=False), encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return str(home)


def get_instance(settings: Settings):
    import dagster as dg

    ensure_dagster_home(settings)
    return dg.DagsterInstance.get()
