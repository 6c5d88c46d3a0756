"""`observatorio dashboards publish` and `observatorio report` as the lead will wire them."""

from __future__ import annotations

import pytest

from etl.defs.dashboards.cli import DEFAULT_DB_PASSWORD_ENV, DEFAULT_PASSWORD_ENV, dashboards_command, report_command
from tests.dashboards.fake_metabase import FakeMetabase

DB_PASSWORD = "clave-base-cli"


@pytest.fixture()
def fake(httpserver) -> FakeMetabase:
    server = FakeMetabase()
    server.url = server.install(httpserver)  # type: ignore[attr-defined]
    return server


def _argv(fake: FakeMetabase, *extra: str) -> list[str]:
    return ["publish", "--url", fake.url, "--user", fake.username, "--db-host", "warehouse.internal",
            "--db-name", "observatorio", "--geojson-url", "https://datos.example.org/py.geojson", *extra]


def test_publish_reads_passwords_from_the_environment_and_is_idempotent(fake, monkeypatch, capsys):
    monkeypatch.setenv(DEFAULT_PASSWORD_ENV, fake.password)
    monkeypatch.setenv(DEFAULT_DB_PASSWORD_ENV, DB_PASSWORD)
    assert dashboards_command(_argv(fake)) == 0
    first = capsys.readouterr().out
    assert "Tableros publicados en" in first
    assert "tarjeta nacional_cifras: creada" in first and "tablero panorama: creado" in first
    assert "permisos de la colección: actualizados" in first and DB_PASSWORD not in first
    assert dashboards_command(_argv(fake)) == 0
    assert "no hubo cambios" in capsys.readouterr().out
    assert len(fake.cards) == 24


def test_a_custom_password_variable_is_honoured(fake, monkeypatch, capsys):
    monkeypatch.setenv("MI_CLAVE_METABASE", fake.password)
    monkeypatch.setenv("MI_CLAVE_BASE", DB_PASSWORD)
    monkeypatch.delenv(DEFAULT_PASSWORD_ENV, raising=False)
    argv = _argv(fake, "--password-env", "MI_CLAVE_METABASE", "--db-password-env", "MI_CLAVE_BASE")
    assert dashboards_command(argv) == 0
    assert fake.databases[1]["details"]["password"] == DB_PASSWORD


def test_a_missing_password_variable_is_a_usage_error(fake, monkeypatch, capsys):
    monkeypatch.delenv(DEFAULT_PASSWORD_ENV, raising=False)
    monkeypatch.setenv(DEFAULT_DB_PASSWORD_ENV, DB_PASSWORD)
    assert dashboards_command(_argv(fake)) == 2
    err = capsys.readouterr().err
    assert DEFAULT_PASSWORD_ENV in err and DB_PASSWORD not in err
    assert fake.writes() == []


def test_a_metabase_refusal_exits_1_and_says_where(fake, monkeypatch, capsys):
    monkeypatch.setenv(DEFAULT_PASSWORD_ENV, "incorrecta")
    monkeypatch.setenv(DEFAULT_DB_PASSWORD_ENV, DB_PASSWORD)
    assert dashboards_command(_argv(fake)) == 1
    err = capsys.readouterr().err
    assert "/api/session" in err and "401" in err and "incorrecta" not in err


def test_report_command_writes_the_html(dashboard_warehouse_url, published, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OBSERVATORIO_DATABASE_URL", dashboard_warehouse_url)
    out = tmp_path / "salida" / "informe.html"
    assert report_command(["--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(out) in capsys.readouterr().out


def test_report_command_requires_an_output_path(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report_command([])
    assert exit_info.value.code == 2
