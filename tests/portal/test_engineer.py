"""The engineers' status page and the button that processes a month in the background."""

from __future__ import annotations

import time

import sqlalchemy as sa

from .helpers import csrf_of, login, new_account, samples, upload


def _wait_for(predicate, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_processing_a_month_runs_in_the_background_and_shows_processing(portal) -> None:
    official = portal.client()
    login(official, new_account(portal.engine, "MINMUJER"))
    assert "ACEPTADO" in upload(official, "2025-06", (samples() / "MINMUJER" / "2025-06.csv").read_bytes(), "j.csv").text
    engineer = portal.client()
    engineer_email = new_account(portal.engine, None, role="engineer")
    login(engineer, engineer_email)

    page = engineer.get("/estado")
    assert page.status_code == 200
    assert 'name="period" value="2025-06"' in page.text  # a month with a file in force can be processed
    assert "Procesar junio de 2025" in page.text
    # No token, no run.
    assert engineer.post("/estado/procesar", data={"period": "2025-06"}).status_code == 403
    assert portal.runner.calls == []

    started = engineer.post("/estado/procesar", data={"csrf_token": csrf_of(page), "period": "2025-06"})
    assert started.status_code == 200 and str(started.url).endswith("/estado?aviso=started&mes=2025-06")
    assert "Procesando junio de 2025. Esta página se actualiza sola." in started.text
    assert '<meta http-equiv="refresh" content="5">' in started.text
    _wait_for(lambda: portal.runner.calls)
    assert ("MINMUJER", "2025-06") in portal.runner.calls[0]
    assert all(period == "2025-06" for _, period in portal.runner.calls[0])
    history = official.get("/historial/MINMUJER").text
    assert '<span class="state state-processing">Procesando</span>' in history

    # A second press while the first run goes on does not start another.
    again = engineer.post("/estado/procesar", data={"csrf_token": csrf_of(started), "period": "2025-06"})
    assert "Ya hay un procesamiento en curso" in again.text
    assert len(portal.runner.calls) == 1

    portal.runner.release.set()
    assert portal.app.state.portal.launcher.wait(10)
    with portal.engine.connect() as conn:
        run = conn.execute(sa.text("SELECT * FROM audit.portal_pipeline_run ORDER BY run_id DESC LIMIT 1")).one()
        events = conn.execute(
            sa.text(
                "SELECT outcome FROM audit.portal_event e JOIN audit.portal_user u USING (user_id) "
                "WHERE u.email = :e AND event_type = 'pipeline_start' ORDER BY event_id"
            ),
            {"e": engineer_email},
        ).scalars().all()
    assert run.finished_at is not None and run.succeeded and run.failed_runs == 0
    assert events == ["started", "busy"]
    after = engineer.get("/estado").text
    assert "terminado sin errores" in after and 'http-equiv="refresh"' not in after
    assert "Procesando</span>" not in official.get("/historial/MINMUJER").text


def test_a_month_without_files_has_nothing_to_process(portal) -> None:
    engineer = portal.client()
    login(engineer, new_account(portal.engine, None, role="engineer"))
    page = engineer.get("/estado")
    response = engineer.post("/estado/procesar", data={"csrf_token": csrf_of(page), "period": "2023-09"})
    assert "No hay archivos vigentes para septiembre de 2023" in response.text
    assert portal.runner.calls == []


def test_a_failing_run_is_recorded_as_failed(portal) -> None:
    def broken_runner(partitions, settings):
        raise RuntimeError("boom with text that must not be stored")

    launcher = portal.app.state.portal.launcher
    launcher.runner = broken_runner
    run_id = launcher.start("2025-05", ["MP"], None)
    assert run_id is not None and launcher.wait(10)
    with portal.engine.connect() as conn:
        run = conn.execute(sa.text("SELECT * FROM audit.portal_pipeline_run WHERE run_id = :r"), {"r": run_id}).one()
    assert run.succeeded is False and run.failed_runs == 2 and run.finished_at is not None
