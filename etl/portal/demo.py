"""Demo accounts for `make demo`: one official per institution and one data engineer.

Only the demo may print these passwords; they are random on every call, and calling again
gives every demo account a new one (so printed credentials always work).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from etl.config import INSTITUTION_CODES
from etl.portal.accounts import ENGINEER, OFFICIAL, create_user, set_active, set_password
from etl.portal.tables import portal_user

DEMO_DOMAIN = "demo.observatorio.invalid"  # .invalid: can never be a real mailbox
NO_INSTITUTION = "—"


def create_demo_accounts(engine: sa.Engine) -> list[tuple[str, str, str]]:
    """(email, institution, password) for MP, PN, MINNA, MINMUJER and the engineer ("—")."""
    wanted = [(f"{code.lower()}@{DEMO_DOMAIN}", code, OFFICIAL) for code in INSTITUTION_CODES]
    wanted.append((f"ingenieria@{DEMO_DOMAIN}", None, ENGINEER))
    created: list[tuple[str, str, str]] = []
    for email, institution, role in wanted:
        password = secrets.token_urlsafe(12)
        with engine.connect() as conn:
            exists = conn.execute(sa.select(portal_user.c.user_id).where(portal_user.c.email == email)).first()
        if exists:
            set_password(engine, email, password)
            set_active(engine, email, True)
        else:
            create_user(engine, email=email, institution=institution, role=role, password=password)
        created.append((email, institution or NO_INSTITUTION, password))
    return created


def demo_lines(accounts: list[tuple[str, str, str]], url: str = "http://127.0.0.1:8080/") -> list[str]:
    """What the demo prints: how to start the portal and whom to log in as."""
    lines = [
        f"  Portal de envíos:     .venv/bin/observatorio portal --port 8080  → {url}",
        "  Cuentas de demostración (contraseñas nuevas en cada demo; no las use con datos reales):",
    ]
    width = max(len(email) for email, _, _ in accounts)
    for email, institution, password in accounts:
        who = "ingeniería de datos" if institution == NO_INSTITUTION else institution
        lines.append(f"    {who:<20} {email:<{width}}  {password}")
    return lines
