"""`observatorio users` and `observatorio portal`, and the demo accounts."""

from __future__ import annotations

import sqlalchemy as sa

from etl.cli.main import COMMANDS, main
from etl.portal.demo import create_demo_accounts, demo_lines

from .helpers import login


def _row(engine: sa.Engine, email: str) -> sa.Row | None:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM audit.portal_user WHERE email = :e"), {"e": email}).first()


def test_commands_are_registered() -> None:
    assert COMMANDS["portal"][0] == "etl.cli.portal" and COMMANDS["users"][0] == "etl.cli.users"


def test_users_add_list_disable_and_password(portal, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NEW_PORTAL_PASSWORD", "una frase bastante larga")
    assert main(["users", "add", "--institution", "PN", "--email", "Oficial.PN@Policia.Gov.Py",
                 "--password-env", "NEW_PORTAL_PASSWORD"]) == 0
    output = capsys.readouterr()
    assert "Cuenta creada" in output.out and "una frase" not in output.out + output.err
    row = _row(portal.engine, "oficial.pn@policia.gov.py")
    assert row is not None and row.institution_code == "PN" and row.role == "official"
    assert row.password_hash.startswith("$argon2id$") and "una frase" not in row.password_hash
    assert login(portal.client(), "oficial.pn@policia.gov.py", "una frase bastante larga").status_code == 200

    # The same e-mail twice, an official without institution, a weak password: refused, exit 1.
    assert main(["users", "add", "--institution", "PN", "--email", "oficial.pn@policia.gov.py", "--password-env", "NEW_PORTAL_PASSWORD"]) == 1
    assert main(["users", "add", "--email", "x@policia.gov.py", "--password-env", "NEW_PORTAL_PASSWORD"]) == 1
    monkeypatch.setenv("WEAK", "corta")
    assert main(["users", "add", "--institution", "MP", "--email", "y@fiscalia.gov.py", "--password-env", "WEAK"]) == 1
    assert main(["users", "add", "--institution", "MP", "--email", "y@fiscalia.gov.py", "--password-env", "UNSET_VARIABLE_X"]) == 1
    errors = capsys.readouterr().err
    assert "corta" not in errors and "ya existe una cuenta" in errors

    assert main(["users", "add", "--role", "engineer", "--email", "datos@observatorio.invalid", "--password-env", "NEW_PORTAL_PASSWORD"]) == 0
    assert _row(portal.engine, "datos@observatorio.invalid").institution_code is None

    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "oficial.pn@policia.gov.py" in listing and "$argon2" not in listing

    assert main(["users", "disable", "--email", "oficial.pn@policia.gov.py"]) == 0
    assert login(portal.client(), "oficial.pn@policia.gov.py", "una frase bastante larga").status_code == 401
    assert main(["users", "enable", "--email", "oficial.pn@policia.gov.py"]) == 0
    monkeypatch.setenv("NEW_PORTAL_PASSWORD", "otra frase también larga")
    assert main(["users", "password", "--email", "oficial.pn@policia.gov.py", "--password-env", "NEW_PORTAL_PASSWORD"]) == 0
    assert login(portal.client(), "oficial.pn@policia.gov.py", "otra frase también larga").status_code == 200
    assert main(["users", "disable", "--email", "nobody@nowhere.invalid"]) == 1


def test_demo_accounts_work_and_can_be_recreated(portal) -> None:
    first = create_demo_accounts(portal.engine)
    assert [institution for _, institution, _ in first] == ["MP", "PN", "MINNA", "MINMUJER", "—"]
    for email, institution, password in first:
        response = login(portal.client(), email, password)
        assert response.status_code == 200
        assert str(response.url).endswith("/enviar" if institution != "—" else "/estado")
    second = create_demo_accounts(portal.engine)
    assert [e for e, _, _ in second] == [e for e, _, _ in first]
    assert all(a[2] != b[2] for a, b in zip(first, second))  # fresh passwords, old ones stop working
    assert login(portal.client(), first[0][0], first[0][2]).status_code == 401
    lines = demo_lines(second)
    assert "observatorio portal" in lines[0] and all(password in "\n".join(lines) for _, _, password in second)


def test_the_portal_refuses_to_start_on_an_unmigrated_database(empty_database_url, monkeypatch, capsys) -> None:
    monkeypatch.setenv("OBSERVATORIO_DATABASE_URL", empty_database_url)
    assert main(["portal", "--port", "0"]) == 1
    assert "observatorio db upgrade" in capsys.readouterr().err
