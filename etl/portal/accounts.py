"""Portal accounts: one institution each (officials), or none (data engineers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from etl.config import INSTITUTION_CODES
from etl.portal import passwords
from etl.portal.tables import ROLES, portal_user

OFFICIAL, ENGINEER = "official", "engineer"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A bad request about an account; messages name the field, never the e-mail or password."""


@dataclass(frozen=True)
class User:
    user_id: int
    email: str
    institution_code: str | None
    role: str
    is_active: bool

    @property
    def is_engineer(self) -> bool:
        return self.role == ENGINEER

    def may_see(self, institution: str) -> bool:
        return self.is_engineer or self.institution_code == institution


def normalize_email(email: str) -> str:
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise AccountError("el correo electrónico no tiene un formato válido")
    return value


def _user(row: sa.Row) -> User:
    return User(row.user_id, row.email, row.institution_code, row.role, row.is_active)


def create_user(engine: sa.Engine, *, email: str, institution: str | None, role: str, password: str) -> User:
    if role not in ROLES:
        raise AccountError(f"rol desconocido; use uno de {', '.join(ROLES)}")
    if institution is not None and institution not in INSTITUTION_CODES:
        raise AccountError(f"institución desconocida; use una de {', '.join(INSTITUTION_CODES)}")
    if role == OFFICIAL and institution is None:
        raise AccountError("una cuenta de institución necesita --institution")
    address = normalize_email(email)
    try:
        password_hash = passwords.hash_password(password)
    except passwords.WeakPasswordError as exc:
        raise AccountError(str(exc)) from None
    try:
        with engine.begin() as conn:
            row = conn.execute(
                portal_user.insert()
                .values(email=address, institution_code=institution, role=role, password_hash=password_hash)
                .returning(*portal_user.c)
            ).one()
    except sa.exc.IntegrityError:
        # The only constraint the checks above leave open: the e-mail's uniqueness.
        raise AccountError("ya existe una cuenta con ese correo") from None
    return _user(row)


def get_user(conn: sa.Connection, user_id: int) -> User | None:
    row = conn.execute(sa.select(portal_user).where(portal_user.c.user_id == user_id)).first()
    return _user(row) if row else None


def credentials(conn: sa.Connection, email: str) -> tuple[User | None, str | None]:
    """The active account for an e-mail and its password hash (None, None when there is none)."""
    try:
        address = normalize_email(email)
    except AccountError:
        return None, None
    row = conn.execute(
        sa.select(portal_user).where(portal_user.c.email == address, portal_user.c.is_active)
    ).first()
    return (_user(row), row.password_hash) if row else (None, None)


def set_password(engine: sa.Engine, email: str, password: str) -> None:
    try:
        password_hash = passwords.hash_password(password)
    except passwords.WeakPasswordError as exc:
        raise AccountError(str(exc)) from None
    _update(engine, email, password_hash=password_hash)


def set_active(engine: sa.Engine, email: str, active: bool) -> None:
    _update(engine, email, is_active=active)
    if not active:
        from etl.portal.tables import portal_session

        with engine.begin() as conn:
            conn.execute(
                portal_session.delete().where(
                    portal_session.c.user_id
                    == sa.select(portal_user.c.user_id).where(portal_user.c.email == normalize_email(email)).scalar_subquery()
                )
            )


def _update(engine: sa.Engine, email: str, **values: object) -> None:
    with engine.begin() as conn:
        updated = conn.execute(
            portal_user.update().where(portal_user.c.email == normalize_email(email)).values(**values)
        ).rowcount
    if not updated:
        raise AccountError("no hay una cuenta con ese correo")


def list_users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(portal_user).order_by(portal_user.c.institution_code, portal_user.c.email))
        return [_user(r) for r in rows]


def rehash_if_needed(conn: sa.Connection, user_id: int, stored_hash: str, password: str) -> None:
    if passwords.needs_rehash(stored_hash):
        conn.execute(
            portal_user.update().where(portal_user.c.user_id == user_id).values(password_hash=passwords.hash_password(password))
        )

