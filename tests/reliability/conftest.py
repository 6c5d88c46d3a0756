"""Fixtures of the reliability tests: a prepared warehouse to clone, the process to kill."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_SECRET, create_database, drop_database
from tests.reliability.corrections import corrected_mp_extract
from tests.reliability.databases import clone_database, drop_clone, release_connections
from tests.reliability.kill_client import KillTarget
from tests.reliability.state import snapshot

MONTH = ("MP", "2025-05")
# Loaded before the corrected file arrives: a neighbour month and another institution, so a
# correction relinks persons across months and institutions, not only inside its own file.
LOADED = (("MP", "2025-04", "MP/2025-04.csv"), ("MP", "2025-05", "MP/2025-05.csv"), ("PN", "2025-05", "PN/2025-05.xlsx"))


def pipeline_environment(url: str, home: Path) -> dict[str, str]:
    return {
        "OBSERVATORIO_HOME": str(home),
        "OBSERVATORIO_DATABASE_URL": url,
        "OBSERVATORIO_SECRET_KEY": TEST_SECRET,
        "DAGSTER_HOME": str(home / "dagster"),
    }


def point_at(monkeypatch: pytest.MonkeyPatch, url: str, home: Path) -> None:
    monkeypatch.delenv("OBSERVATORIO_SECRET_KEY_FILE", raising=False)
    for name, value in pipeline_environment(url, home).items():
        monkeypatch.setenv(name, value)
    (home / "dagster").mkdir(parents=True, exist_ok=True)


def state_after_one_ingest(monkeypatch: pytest.MonkeyPatch, url: str, institution: str, period: str,
                           prefix: str) -> dict[str, str]:
    """What one ordinary in-process run of the partition leaves, measured on a copy of `url`
    (the reference a concurrent or multiprocess run is compared with); `url` is left untouched."""
    from tests.pipeline.helpers import ingest

    home = Path(os.environ["OBSERVATORIO_HOME"])
    reference = clone_database(url, prefix=prefix)
    try:
        point_at(monkeypatch, reference, home)
        assert ingest(institution, period).success
        state, _ = snapshot(reference)
    finally:
        drop_clone(reference)
    point_at(monkeypatch, url, home)
    return state


@dataclass(frozen=True)
class PreparedWarehouse:
    loaded_url: str  # the three months loaded, nothing else
    registered_url: str  # the same, plus the corrected MP 2025-05 accepted and in force (not loaded)
    home: Path
    corrected: Path


@pytest.fixture(scope="module")
def prepared_warehouse(pg_server_url: str, shared_samples: Path, tmp_path_factory) -> Iterator[PreparedWarehouse]:
    from tests.pipeline.helpers import ingest, upload
    from warehouse import migrate

    home = tmp_path_factory.mktemp("prepared") / "home"
    corrected = corrected_mp_extract(shared_samples / "MP" / "2025-05.csv", home.parent / "corrected" / "MP" / "2025-05.csv")
    loaded_url = create_database(pg_server_url, prefix="obs_rel_loaded")
    registered_url = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            engine = sa.create_engine(loaded_url)
            migrate.upgrade(engine)
            engine.dispose()
            point_at(mp, loaded_url, home)
            for institution, period, relative in LOADED:
                assert upload(shared_samples / relative, institution, period).accepted
                assert ingest(institution, period).success, f"{institution} {period} did not load"
            # The two databases differ only by the correction (same landing zone, same extract ids).
            registered_url = clone_database(loaded_url, prefix="obs_rel_registered")
            point_at(mp, registered_url, home)
            assert upload(corrected, *MONTH).accepted
        release_connections(registered_url)
        yield PreparedWarehouse(loaded_url, registered_url, home, corrected)
    finally:
        drop_database(loaded_url)
        if registered_url:
            drop_database(registered_url)


@pytest.fixture(scope="module")
def kill_target(shared_samples: Path) -> Iterator[KillTarget]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OBSERVATORIO_")}
    env["OBSERVATORIO_SECRET_KEY"] = TEST_SECRET
    target = KillTarget(env)
    target.warm("MP", "2025-05", shared_samples / "MP" / "2025-05.csv")
    yield target
    target.close()
