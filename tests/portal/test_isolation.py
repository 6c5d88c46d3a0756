"""One institution never sees, uploads for, or learns about another's submissions."""

from __future__ import annotations

import re

import sqlalchemy as sa

from .helpers import csrf_of, login, new_account, samples, upload


def _mp_submission(portal) -> int:
    client = portal.client()
    login(client, new_account(portal.engine, "MP"))
    response = upload(client, "2025-06", (samples() / "MP" / "2025-06.csv").read_bytes(), "junio.csv")
    assert "ACEPTADO" in response.text
    text = response.text
    start = text.index("/informes/") + len("/informes/")
    return int(text[start:text.index("/", start)])


def test_another_institutions_reports_look_like_they_do_not_exist(portal) -> None:
    extract_id = _mp_submission(portal)
    pn = portal.client()
    pn_email = new_account(portal.engine, "PN")
    login(pn, pn_email)
    missing_id = extract_id + 10_000_000
    for suffix in ("", "/informe.json", "/informe.html"):
        foreign = pn.get(f"/informes/{extract_id}{suffix}")
        absent = pn.get(f"/informes/{missing_id}{suffix}")
        assert foreign.status_code == absent.status_code == 404
        # The same page but for the id in the language toggle's return path: nothing tells
        # "exists, not yours" from "does not exist".
        assert re.sub(r"/informes/\d+", "/informes/ID", foreign.text) == re.sub(r"/informes/\d+", "/informes/ID", absent.text)
        assert "MP" not in foreign.text.replace("MP3", "")
    with portal.engine.connect() as conn:
        denied = conn.execute(
            sa.text(
                "SELECT count(*) FROM audit.portal_event e JOIN audit.portal_user u USING (user_id) "
                "WHERE u.email = :e AND e.event_type = 'access_denied'"
            ),
            {"e": pn_email},
        ).scalar_one()
    assert denied == 3  # the three attempts on a real id; a missing id is just missing


def test_another_institutions_history_is_refused(portal) -> None:
    _mp_submission(portal)
    client = portal.client()
    login(client, new_account(portal.engine, "MINNA"))
    response = client.get("/historial/MP")
    assert response.status_code == 403
    assert "Su cuenta no tiene acceso a esta página." in response.text
    assert "/informes/" not in response.text and "Aceptado" not in response.text
    assert client.get("/historial/XX").status_code == 404
    own = client.get("/historial")
    assert own.status_code == 200 and str(own.url).endswith("/historial/MINNA")
    assert "/historial/MP" not in own.text


def test_the_institution_is_the_accounts_not_the_forms(portal) -> None:
    """A crafted form field cannot upload for another institution."""
    client = portal.client()
    login(client, new_account(portal.engine, "MINMUJER"))
    token = csrf_of(client.get("/enviar"))
    response = client.post(
        "/enviar",
        data={"csrf_token": token, "period": "2025-06", "institution": "MP"},
        files={"file": ("a.csv", (samples() / "MINMUJER" / "2025-06.csv").read_bytes(), "text/csv")},
    )
    assert "ACEPTADO" in response.text and "MINMUJER, junio de 2025" in response.text


def test_only_engineers_see_the_status_page(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "PN"))
    assert client.get("/estado").status_code == 403
    assert "/estado" not in client.get("/enviar").text
    token = csrf_of(client.get("/enviar"))
    assert client.post("/estado/procesar", data={"csrf_token": token, "period": "2025-06"}).status_code == 403
    assert portal.runner.calls == []


def test_an_engineer_sees_every_institution(portal) -> None:
    extract_id = _mp_submission(portal)
    client = portal.client()
    login(client, new_account(portal.engine, None, role="engineer"))
    assert client.get(f"/informes/{extract_id}").status_code == 200
    assert client.get("/historial/MP").status_code == 200
    assert client.get("/historial/MINNA").status_code == 200
