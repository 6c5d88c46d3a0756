"""Uploading: the answer at once, the register and audit rows, limits, and no personal data back."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from etl.portal.app import create_app

from .helpers import TODAY, csrf_of, login, mp_personal_values, new_account, samples, shifted_date_minmujer, upload


def _extract(engine: sa.Engine, extract_id: int) -> sa.Row:
    with engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT fe.status, fe.channel, fe.uploader, fe.original_filename_ext, fe.report_json, fe.stored_path, "
                "di.institution_code, dm.period_code FROM core.fact_extract fe "
                "JOIN core.dim_institution di USING (institution_id) JOIN core.dim_month dm USING (month_id) "
                "WHERE fe.extract_id = :id"
            ),
            {"id": extract_id},
        ).one()


def _upload_events(engine: sa.Engine, user_email: str) -> list[tuple[str, str | None, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT e.outcome, e.period_code, e.extract_id, e.ip_hash, e.institution_code FROM audit.portal_event e "
                "JOIN audit.portal_user u USING (user_id) WHERE u.email = :e AND e.event_type = 'upload' ORDER BY e.event_id"
            ),
            {"e": user_email},
        ).all()
    assert all(r.ip_hash and len(r.ip_hash) == 32 for r in rows)
    return [(r.outcome, r.period_code, r.extract_id) for r in rows]


def _extract_id(page_text: str) -> int:
    marker = '/informes/'
    start = page_text.index(marker) + len(marker)
    return int(page_text[start:page_text.index("/", start)])


def test_a_sample_extract_is_accepted_at_once(portal) -> None:
    email = new_account(portal.engine, "MINMUJER")
    client = portal.client()
    login(client, email)
    response = upload(client, "2025-04", (samples() / "MINMUJER" / "2025-04.csv").read_bytes(), "2025-04.csv")
    assert response.status_code == 200
    assert "ACEPTADO: el archivo de abril de 2025 fue recibido." in response.text
    assert "Registros leídos: 4. Aceptados: 4." in response.text
    extract_id = _extract_id(response.text)
    row = _extract(portal.engine, extract_id)
    assert (row.institution_code, row.period_code, row.channel) == ("MINMUJER", "2025-04", "portal")
    assert row.status == "accepted" and row.uploader.startswith("portal-user-") and email not in row.uploader
    assert ("accepted", "2025-04", extract_id) in _upload_events(portal.engine, email)

    history = client.get("/historial/MINMUJER")
    assert history.status_code == 200
    assert f'href="/informes/{extract_id}/informe.json"' in history.text
    assert "Aceptado" in history.text or "Publicado" in history.text

    downloaded = client.get(f"/informes/{extract_id}/informe.json")
    assert downloaded.status_code == 200 and downloaded.headers["content-type"].startswith("application/json")
    assert "attachment" in downloaded.headers["content-disposition"]
    assert json.loads(downloaded.text) == row.report_json
    html = client.get(f"/informes/{extract_id}/informe.html?lang=en")
    assert html.status_code == 200 and "ACCEPTED" in html.text and '<html lang="en">' in html.text
    assert "script" not in html.headers["content-security-policy"]


def test_sending_the_same_file_again_changes_nothing_and_says_so(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MINMUJER"))
    content = (samples() / "MINMUJER" / "2025-05.csv").read_bytes()
    first = upload(client, "2025-05", content, "mayo.csv")
    second = upload(client, "2025-05", content, "mayo.csv")
    assert "ACEPTADO" in first.text and "ACEPTADO" in second.text
    assert "ya estaba recibido" in second.text
    assert _extract_id(first.text) == _extract_id(second.text)


def test_a_bad_file_is_rejected_with_the_row_and_column_to_fix(portal) -> None:
    email = new_account(portal.engine, "MINMUJER")
    client = portal.client()
    login(client, email)
    bad = shifted_date_minmujer(samples() / "MINMUJER" / "2025-04.csv", row=3, new_date="2025-05-17")
    response = upload(client, "2025-04", bad, "abril-corregido.csv")
    assert response.status_code == 200
    assert "RECHAZADO: el archivo de abril de 2025 no se pudo aceptar." in response.text
    assert '<td class="num" data-label="Fila">3</td>' in response.text
    assert "<code>fecha_primera_atencion</code>" in response.text
    assert "debe estar dentro del mes declarado, del 2025-04-01 al 2025-04-30" in response.text
    extract_id = _extract_id(response.text)
    assert _extract(portal.engine, extract_id).status == "rejected"
    assert ("rejected", "2025-04", extract_id) in _upload_events(portal.engine, email)
    # The same report in English, re-rendered from what the register stored.
    english = client.get(f"/informes/{extract_id}?lang=en")
    assert "REJECTED" in english.text and "must fall inside the declared month" in english.text


def test_no_personal_value_or_file_name_comes_back(portal, caplog: pytest.LogCaptureFixture) -> None:
    """Names, documents, phones, birth dates and narratives of the input: in no page, report, table or log."""
    caplog.set_level(logging.DEBUG)
    email = new_account(portal.engine, "MP")
    client = portal.client()
    login(client, email)
    content = (samples() / "MP" / "2025-04.csv").read_bytes()
    secrets = mp_personal_values(content)
    assert len(secrets) > 40
    # A file named after a victim, the way agencies sometimes name them.
    victim_name = next(s for s in secrets if " " in s and s.isupper())
    filename = f"causa {victim_name}.csv"
    # A broken copy too: every registration date a month late, so its report points at rows that
    # hold personal data.
    broken = content.decode("cp1252").replace("/04/2025", "/05/2025").encode("cp1252")
    bodies, verdicts = [], []
    for data in (content, broken):
        response = upload(client, "2025-04", data, filename)
        bodies.append(response.text)
        verdicts.append("ACEPTADO" if "ACEPTADO" in response.text else "RECHAZADO" if "RECHAZADO" in response.text else "?")
        extract_id = _extract_id(response.text)
        for path in (f"/informes/{extract_id}", f"/informes/{extract_id}/informe.json", f"/informes/{extract_id}/informe.html"):
            bodies.append(client.get(path).text)
        row = _extract(portal.engine, extract_id)
        bodies.append(json.dumps(row.report_json, ensure_ascii=False))
        bodies.append(f"{row.uploader} {row.original_filename_ext} {row.stored_path}")
    assert verdicts == ["ACEPTADO", "RECHAZADO"]
    bodies.append(client.get("/historial/MP").text)
    with portal.engine.connect() as conn:
        bodies.append(str(conn.execute(sa.text("SELECT * FROM audit.portal_event")).all()))
    bodies.append(caplog.text)
    assert '<td class="num" data-label="Fila">2</td>' in bodies[6] and "FECHA_INGRESO" in bodies[6]
    leaked = sorted({s for s in [*secrets, filename, victim_name] for body in bodies if s in body})
    assert leaked == []


def test_an_oversized_file_is_refused_before_it_is_read(portal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBSERVATORIO_MAX_UPLOAD_BYTES", "2000")
    harness_app = create_app(engine=portal.engine, runner=portal.runner, today=lambda: TODAY)
    from starlette.testclient import TestClient

    client = TestClient(harness_app, base_url="https://testserver")
    email = new_account(portal.engine, "MP")
    login(client, email)
    content = (samples() / "MP" / "2025-04.csv").read_bytes()
    assert len(content) > 2000
    with portal.engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM core.fact_extract")).scalar_one()
    response = upload(client, "2025-04", content, "abril.csv")
    assert response.status_code == 413
    assert "supera el tamaño máximo" in response.text
    # Without a Content-Length (chunked), the limit applies while the body streams in.
    token = csrf_of(client.get("/enviar"))
    boundary = "----observatorio"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n2025-04\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
    ).encode() + content * 40 + f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        for i in range(0, len(body), 4096):
            yield body[i:i + 4096]

    streamed = client.post("/enviar", content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert streamed.status_code == 413
    with portal.engine.connect() as conn:
        after = conn.execute(sa.text("SELECT count(*) FROM core.fact_extract")).scalar_one()
    assert after == before
    assert [o for o, _, _ in _upload_events(portal.engine, email)] == ["too_large", "too_large"]
    harness_app.state.portal.launcher.wait(1)


def test_other_forms_have_a_small_body_limit(portal) -> None:
    client = portal.client()
    response = client.post("/ingresar", content=b"x" * (70 * 1024), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_the_month_must_come_from_the_list(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MINMUJER"))
    content = (samples() / "MINMUJER" / "2025-04.csv").read_bytes()
    for period in ("2031-01", "2025-4", "abril"):
        response = upload(client, period, content, "a.csv")
        assert response.status_code == 400 and "Elija un mes de la lista." in response.text


def test_the_form_offers_the_last_two_years_and_defaults_to_last_month(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "PN"))
    page = client.get("/enviar").text
    assert '<option value="2025-06" selected>junio de 2025</option>' in page
    assert '<option value="2025-07">' in page and '<option value="2023-08">' in page and "2023-07" not in page
    assert "Policía Nacional (PN)" in page and "hoja «Denuncias»" in page


def test_an_engineer_without_institution_cannot_upload(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, None, role="engineer"))
    assert client.get("/enviar").status_code == 403
    token = csrf_of(client.get("/estado"))
    response = client.post(
        "/enviar", data={"csrf_token": token, "period": "2025-04"}, files={"file": ("a.csv", b"x", "text/csv")}
    )
    assert response.status_code == 403
