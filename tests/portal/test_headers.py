"""Security headers on every kind of response, HSTS only behind TLS, nothing fetched from elsewhere."""

from __future__ import annotations

import re

from .helpers import login, new_account

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _check(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "script-src" not in directives  # falls back to default-src 'none': no script runs at all
    assert "unsafe-inline" not in directives.get("script-src", "")
    assert "camera=()" in response.headers["permissions-policy"]


def test_every_response_carries_the_security_headers(portal) -> None:
    client = portal.client()
    responses = [
        client.get("/ingresar"),
        client.get("/static/portal.css"),
        client.get("/no-such-page"),
        client.post("/ingresar", data={}),  # CSRF refusal
        client.post("/ingresar", content=b"x" * 100_000, headers={"Content-Type": "application/x-www-form-urlencoded"}),
    ]
    login(client, new_account(portal.engine, "MP"))
    responses += [client.get("/enviar"), client.get("/historial/PN"), client.get("/informes/999999999")]
    assert [r.status_code for r in responses] == [200, 200, 404, 403, 413, 200, 403, 404]
    for response in responses:
        _check(response)
        assert response.headers["strict-transport-security"].startswith("max-age=")
    assert responses[0].headers["cache-control"] == "no-store"


def test_hsts_only_when_served_over_tls(portal) -> None:
    plain = portal.client(https=False).get("/ingresar")
    assert plain.status_code == 200
    assert "strict-transport-security" not in plain.headers
    _check(plain)


def test_pages_load_nothing_from_another_site(portal) -> None:
    client = portal.client()
    login(client, new_account(portal.engine, "MINNA"))
    for path in ("/ingresar", "/enviar", "/historial/MINNA"):
        page = client.get(path).text
        assert "<script" not in page and " style=" not in page
        for url in re.findall(r'(?:href|src|action)="([^"]+)"', page):
            assert url.startswith(("/", "#")) and not url.startswith("//"), url

