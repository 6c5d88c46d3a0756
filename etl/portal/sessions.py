"""Server-side sessions: the browser holds a random token (signed), the database its keyed hash.

A stolen database therefore yields no usable cookie, and a forged or truncated cookie is
refused before any query. Every visitor gets a session (anonymous until login) because the
login form needs a CSRF token too; logging in replaces the session (no fixation).
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from etl.portal.secret import Hasher
from etl.portal.tables import portal_session

# Even an active session ends after this long: a shared office computer is not logged in for days.
ABSOLUTE_HOURS = 12
LANGS = ("es", "en")


@dataclass(frozen=True)
class Session:
    session_hash: str
    token: str  # the cookie's token: only in memory for this request
    user_id: int | None
    csrf_token: str
    lang: str
    is_new: bool = False

    def csrf_matches(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(submitted.encode(), self.csrf_token.encode())


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class SessionStore:
    def __init__(self, engine: sa.Engine, hasher: Hasher, idle_minutes: int) -> None:
        self.engine = engine
        self.hasher = hasher
        self.idle = dt.timedelta(minutes=idle_minutes)

    def _expiry(self, created: dt.datetime, now: dt.datetime) -> dt.datetime:
        return min(now + self.idle, created + dt.timedelta(hours=ABSOLUTE_HOURS))

    def create(self, *, user_id: int | None = None, lang: str = "es") -> Session:
        token = secrets.token_urlsafe(32)
        session_hash = self.hasher.session_id(token)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(
                portal_session.insert().values(
                    session_hash=session_hash, user_id=user_id, csrf_token=csrf, lang=lang if lang in LANGS else "es",
                    created_at=now, last_seen_at=now, expires_at=self._expiry(now, now),
                )
            )
            # Housekeeping on the side: expired rows are useless and hold nothing worth keeping.
            if secrets.randbelow(20) == 0:
                conn.execute(portal_session.delete().where(portal_session.c.expires_at < now))
        return Session(session_hash, token, user_id, csrf, lang if lang in LANGS else "es", is_new=True)

    def load(self, cookie_value: str | None) -> Session | None:
        if not cookie_value:
            return None
        token = self.hasher.unsign_cookie(cookie_value)
        if token is None:
            return None
        session_hash = self.hasher.session_id(token)
        now = _now()
        s = portal_session
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(s.c.user_id, s.c.csrf_token, s.c.lang, s.c.created_at).where(
                    s.c.session_hash == session_hash, s.c.expires_at > now
                )
            ).first()
            if row is None:
                return None
            conn.execute(
                s.update().where(s.c.session_hash == session_hash).values(
                    last_seen_at=now, expires_at=self._expiry(row.created_at, now)
                )
            )
        return Session(session_hash, token, row.user_id, row.csrf_token, row.lang)

    def cookie_value(self, session: Session) -> str:
        return self.hasher.sign_cookie(session.token)

    def login(self, previous: Session | None, user_id: int) -> Session:
        lang = previous.lang if previous else "es"
        if previous is not None:
            self.destroy(previous)
        return self.create(user_id=user_id, lang=lang)

    def destroy(self, session: Session) -> None:
        with self.engine.begin() as conn:
            conn.execute(portal_session.delete().where(portal_session.c.session_hash == session.session_hash))

    def set_lang(self, session: Session, lang: str) -> Session:
        if lang not in LANGS or lang == session.lang:
            return session
        with self.engine.begin() as conn:
            conn.execute(
                portal_session.update().where(portal_session.c.session_hash == session.session_hash).values(lang=lang)
            )
        return Session(session.session_hash, session.token, session.user_id, session.csrf_token, lang, session.is_new)
