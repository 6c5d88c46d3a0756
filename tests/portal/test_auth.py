"""Logging in and out: cookies, server-side sessions, CSRF, throttling and the audit trail."""

from __future__ import annotations

import sqlalchemy as sa

from etl.portal.accounts import set_active
from etl.portal.web import COOKIE_NAME

from .helpers import PASSWORD, csrf_of, login, new_account


def _events(engine: sa.Engine, user_id_or_none: object = None) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT event_type, outcome FROM audit.portal_event WHERE user_id IS NOT DISTINCT FROM :u ORDER BY event_id"),
            {"u": user_id_or_none},
        )
        return [(r.event_type, r.outcome) for r in rows]


def _user_id(engine: sa.Engine, email: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT user_id FROM audit.portal_user WHERE email = :e"), {"e": email}).scalar_one()


def test_login_sets_a_hardened_cookie_and_stores_only_its_hash(portal) -> None:
    email = new_account(portal.engine, "MP")
    client = portal.client()
    anonymous = client.get("/ingresar").headers["set-cookie"]
    response = login(client, email)
    assert response.status_code == 200 and str(response.url).endswith("/enviar")
    set_cookie = response.history[0].headers["set-cookie"]
    assert set_cookie.startswith(f"{COOKIE_NAME}=")
    attributes = {a.strip().lower() for a in set_cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=strict", "path=/"} <= attributes
    assert not any(a.startswith("domain") for a in attributes)
    # A new session id at login: the anonymous one cannot be fixed in advance by an attacker.
    assert anonymous.split(";")[0] != set_cookie.split(";")[0]
    token = client.cookies[COOKIE_NAME].split(".")[0]
    with portal.engine.connect() as conn:
        stored = [r[0] for r in conn.execute(sa.text("SELECT session_hash FROM audit.portal_session"))]
    assert portal.app.state.portal.hasher.session_id(token) in stored
    assert not any(token in s for s in stored)
    assert ("login", "success") in _events(portal.engine, _user_id(portal.engine, email))


def test_a_tampered_cookie_is_an_anonymous_visitor(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MP"))
    value = client.cookies[COOKIE_NAME]
    assert portal.client().get("/enviar", headers={"Cookie": f"{COOKIE_NAME}={value}"}).status_code == 200
    token, signature = value.split(".")
    for forged in (token[:-2] + "AA" + "." + signature, token + "." + signature[:-2] + "AA", token, token + "."):
        if forged == value:
            continue
        response = portal.client().get("/enviar", headers={"Cookie": f"{COOKIE_NAME}={forged}"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/ingresar"


def test_wrong_password_is_refused_without_echoing_the_email(portal) -> None:
    email = new_account(portal.engine, "PN")
    response = login(portal.client(), email, "not the password at all")
    assert response.status_code == 401
    assert "Correo o contraseña incorrectos." in response.text
    assert email not in response.text
    assert ("login", "failure") in _events(portal.engine, _user_id(portal.engine, email))


def test_pages_need_a_login(portal) -> None:
    client = portal.client()
    for path in ("/enviar", "/historial/MP", "/estado", "/informes/1", "/informes/1/informe.json"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/ingresar", path


def test_logout_ends_the_session_on_the_server(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MINNA"))
    old_cookie = client.cookies[COOKIE_NAME]
    page = client.get("/enviar")
    response = client.post("/salir", data={"csrf_token": csrf_of(page)})
    assert response.status_code == 200 and "Cerró la sesión." in response.text
    replay = portal.client().get("/enviar", headers={"Cookie": f"{COOKIE_NAME}={old_cookie}"}, follow_redirects=False)
    assert replay.status_code == 303


def test_forms_without_the_session_token_are_refused(portal) -> None:
    email = new_account(portal.engine, "MP")
    client = portal.client()
    client.get("/ingresar")
    for data in ({"email": email, "password": PASSWORD}, {"email": email, "password": PASSWORD, "csrf_token": "forged"}):
        response = client.post("/ingresar", data=data)
        assert response.status_code == 403 and "El formulario venció" in response.text
    # A token from another visitor's session is no better.
    other_token = csrf_of(portal.client().get("/ingresar"))
    response = client.post("/ingresar", data={"email": email, "password": PASSWORD, "csrf_token": other_token})
    assert response.status_code == 403
    login(client, email)
    assert client.post("/salir", data={}).status_code == 403
    assert client.post("/idioma", data={"lang": "en", "next": "/"}).status_code == 403
    assert client.get("/enviar").status_code == 200  # still logged in


def test_a_post_from_another_site_is_refused_even_with_the_token(portal) -> None:
    email = new_account(portal.engine, "MP")
    client = portal.client()
    token = csrf_of(client.get("/ingresar"))
    response = client.post(
        "/ingresar", data={"email": email, "password": PASSWORD, "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_repeated_failures_block_the_account_even_with_the_right_password(portal) -> None:
    email = new_account(portal.engine, "MINMUJER")
    client = portal.client()
    for _ in range(5):
        assert login(client, email, "wrong password, again").status_code == 401
    blocked = login(client, email)
    assert blocked.status_code == 429
    assert "Demasiados intentos fallidos" in blocked.text and "15 minutos" in blocked.text
    with portal.engine.connect() as conn:
        attempts = conn.execute(
            sa.text("SELECT count(*) FROM audit.login_attempt WHERE account_hash = :h"),
            {"h": portal.app.state.portal.hasher.account(email)},
        ).scalar_one()
        blocked_events = conn.execute(
            sa.text("SELECT count(*) FROM audit.portal_event WHERE event_type = 'login' AND outcome = 'blocked'")
        ).scalar_one()
    assert attempts == 5  # the blocked attempt never reached the password check
    assert blocked_events >= 1


def test_failures_from_one_address_block_it_for_every_account(portal) -> None:
    accounts = [new_account(portal.engine, "PN") for _ in range(3)]
    client = portal.client()
    for email in accounts[:2]:
        for _ in range(3 if email == accounts[0] else 2):
            assert login(client, email, "wrong password, again").status_code == 401
    # 5 failures from this address across two accounts: a third account cannot be tried from here.
    assert login(client, accounts[2]).status_code == 429


def test_a_success_resets_the_account_count(portal) -> None:
    email = new_account(portal.engine, "MP")
    first = portal.client()
    for _ in range(2):
        assert login(first, email, "wrong password, again").status_code == 401
    assert login(first, email).status_code == 200


def test_a_disabled_account_cannot_log_in_and_loses_its_sessions(portal) -> None:
    email = new_account(portal.engine, "MINNA")
    client = portal.client()
    login(client, email)
    set_active(portal.engine, email, False)
    assert client.get("/enviar", follow_redirects=False).status_code == 303
    assert login(portal.client(), email).status_code == 401


def test_language_toggle_is_kept_in_the_session(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MP"))
    page = client.get("/enviar")
    assert '<html lang="es">' in page.text and "Enviar el archivo del mes" in page.text
    response = client.post("/idioma", data={"csrf_token": csrf_of(page), "lang": "en", "next": "/enviar"})
    assert '<html lang="en">' in response.text and "Send the month&#39;s file" in response.text
    assert '<html lang="en">' in client.get("/historial/MP").text
    assert '<html lang="es">' in client.get("/enviar?lang=es").text
    assert '<html lang="es">' in client.get("/enviar").text


def test_the_toggle_never_redirects_off_site(portal) -> None:
    client = portal.client()
    page = client.get("/ingresar")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/idioma", data={"csrf_token": csrf_of(page), "lang": "en", "next": target}, follow_redirects=False)
        assert response.headers["location"] == "/"
