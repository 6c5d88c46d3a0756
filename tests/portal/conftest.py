"""Fixtures of the portal tests: the real app on the session's migrated warehouse."""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from argon2 import PasswordHasher, profiles

from etl.config import Settings
from etl.portal import passwords
from etl.portal.app import create_app

from .helpers import TODAY


@dataclass
class RecordingRunner:
    """Stands in for Dagster in the HTTP tests (the pipeline has its own tests): it records what
    it was asked to run and holds the run open until released, so "procesando" can be seen."""

    release: threading.Event = field(default_factory=threading.Event)
    calls: list[list[tuple[str, str]]] = field(default_factory=list)

    def __call__(self, partitions: Sequence[tuple[str, str]], settings: Settings) -> int:
        self.calls.append(list(partitions))
        self.release.wait(30)
        return 0


@dataclass
class PortalHarness:
    app: object
    engine: sa.Engine
    runner: RecordingRunner

    def client(self, https: bool = True) -> TestClient:
        return TestClient(self.app, base_url="https://testserver" if https else "http://testserver")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id still, at its cheapest cost: the production cost (~0.7 s a hash on this machine)
    would make the login tests slow without testing anything more. test_passwords checks the
    production parameters."""
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))


@pytest.fixture()
def portal(obs_env, monkeypatch: pytest.MonkeyPatch, warehouse_url: str) -> Iterator[PortalHarness]:
    # A key of its own per test: login throttling is keyed by a hash of the client address, and
    # every TestClient request comes from the same "address".
    monkeypatch.setenv("OBSERVATORIO_PORTAL_SECRET", base64.b64encode(secrets.token_bytes(32)).decode())
    engine = sa.create_engine(warehouse_url)
    runner = RecordingRunner()
    app = create_app(engine=engine, runner=runner, today=lambda: TODAY)
    yield PortalHarness(app, engine, runner)
    runner.release.set()
    app.state.portal.launcher.wait(10)
    engine.dispose()
