"""What every page handler shares: the portal's state, the visitor's session and rendering."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from etl.config import Settings
from etl.portal import i18n
from etl.portal.accounts import User, get_user
from etl.portal.pipeline import PipelineLauncher
from etl.portal.secret import Hasher
from etl.portal.sessions import Session, SessionStore

log = logging.getLogger(__name__)

# __Host- makes the browser refuse the cookie unless it is Secure, host-only and for path "/".
COOKIE_NAME = "__Host-observatorio"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@dataclass
class Portal:
    engine: sa.Engine
    settings: Settings
    hasher: Hasher
    sessions: SessionStore
    launcher: PipelineLauncher
    store_factory: Callable[[], Any]  # -> LandingStore, built on first upload
    today: Callable[[], dt.date] = dt.date.today
    env: jinja2.Environment = field(default_factory=lambda: template_environment())
    _store: Any = None

    def store(self) -> Any:
        if self._store is None:
            self._store = self.store_factory()
        return self._store


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        # Every template is HTML whatever its name: escape everything, always.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["month_label"] = i18n.month_label
    env.globals["when"] = i18n.when
    return env


@dataclass
class Ctx:
    request: Request
    portal: Portal
    session: Session
    user: User | None
    set_cookie: bool = False

    @property
    def lang(self) -> str:
        return self.session.lang

    @property
    def ip_hash(self) -> str:
        client = self.request.client
        return self.portal.hasher.ip(client.host if client else "unknown")

    def t(self, key: str, **params: object) -> str:
        return i18n.text(self.lang, key, **params)


def portal_of(request: Request) -> Portal:
    return request.app.state.portal


def _load(portal: Portal, cookie: str | None, lang_param: str | None) -> tuple[Session, User | None, bool]:
    session = portal.sessions.load(cookie)
    fresh = session is None
    if session is None:
        session = portal.sessions.create(lang=lang_param or i18n.DEFAULT_LANG)
    user = None
    if session.user_id is not None:
        with portal.engine.connect() as conn:
            user = get_user(conn, session.user_id)
        if user is None or not user.is_active:
            portal.sessions.destroy(session)
            session, user, fresh = portal.sessions.create(lang=session.lang), None, True
    if lang_param in i18n.LANGS:
        session = portal.sessions.set_lang(session, lang_param)
    return session, user, fresh


async def context(request: Request) -> Ctx:
    portal = portal_of(request)
    lang_param = request.query_params.get("lang")
    session, user, fresh = await run_in_threadpool(_load, portal, request.cookies.get(COOKIE_NAME), lang_param)
    return Ctx(request, portal, session, user, set_cookie=fresh)


def finish(ctx: Ctx, response: Response) -> Response:
    if ctx.set_cookie:
        response.set_cookie(
            COOKIE_NAME,
            ctx.portal.sessions.cookie_value(ctx.session),
            secure=True,
            httponly=True,
            samesite="strict",
            path="/",
        )
    response.headers["Content-Language"] = ctx.lang
    return response


def render(ctx: Ctx, template: str, status_code: int = 200, **values: Any) -> Response:
    page = ctx.portal.env.get_template(template).render(
        lang=ctx.lang,
        t=i18n.translator(ctx.lang),
        user=ctx.user,
        account_label=_account_label(ctx),
        csrf_token=ctx.session.csrf_token,
        path=ctx.request.url.path,
        **values,
    )
    return finish(ctx, HTMLResponse(page, status_code=status_code))


def _account_label(ctx: Ctx) -> str:
    if ctx.user is None:
        return ""
    if ctx.user.institution_code:
        return i18n.institution_label(ctx.user.institution_code, ctx.lang)
    return ctx.t("engineer_account")


def redirect(ctx: Ctx, url: str) -> Response:
    return finish(ctx, RedirectResponse(url, status_code=303))


def message_page(ctx: Ctx, status_code: int, title_key: str, text_key: str, **params: object) -> Response:
    return render(ctx, "message.html", status_code, title=ctx.t(title_key), message=ctx.t(text_key, **params))


def safe_next(value: str | None) -> str:
    """Only a path of this site: never an absolute URL or a scheme-relative one (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def same_origin(request: Request) -> bool:
    """A browser's POST names its origin; one from another site is refused even with a token.

    Only the host is compared: behind a TLS proxy the scheme seen here may differ from the
    browser's.
    """
    origin = request.headers.get("origin")
    if origin is None:  # not a browser, or an old one: the CSRF token still has to match
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


async def checked_form(ctx: Ctx) -> dict[str, str] | None:
    """The posted urlencoded form when its CSRF token and origin check out, else None."""
    if not same_origin(ctx.request):
        return None
    form = await ctx.request.form(max_files=0, max_fields=10)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return values if ctx.session.csrf_matches(values.get("csrf_token")) else None
