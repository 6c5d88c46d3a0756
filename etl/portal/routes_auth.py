"""Logging in and out, and the language toggle."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from etl.portal import i18n, ratelimit
from etl.portal.accounts import User, credentials, rehash_if_needed
from etl.portal.audit import record_event
from etl.portal.passwords import verify_password
from etl.portal.web import Ctx, checked_form, context, message_page, redirect, render, safe_next

BLOCKED, FAILED, OK = "blocked", "failure", "success"


async def home(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    return redirect(ctx, "/enviar" if ctx.user.institution_code else "/estado")


async def login_form(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is not None:
        return redirect(ctx, "/")
    return render(ctx, "login.html", error=None, email="")


def _attempt(ctx: Ctx, email: str, password: str) -> tuple[str, User | None]:
    portal = ctx.portal
    settings = portal.settings
    account_hash, ip_hash = portal.hasher.account(email), ctx.ip_hash
    with portal.engine.begin() as conn:
        if ratelimit.is_blocked(
            conn, account_hash=account_hash, ip_hash=ip_hash,
            max_failures=settings.portal_login_max_failures, window_minutes=settings.portal_login_window_minutes,
        ):
            record_event(conn, "login", BLOCKED, ip_hash=ip_hash)
            return BLOCKED, None
        user, stored_hash = credentials(conn, email)
    # Hashing takes most of a second on purpose: not while holding a database connection.
    ok = verify_password(stored_hash, password) and user is not None and stored_hash is not None
    with portal.engine.begin() as conn:
        ratelimit.record_attempt(conn, account_hash=account_hash, ip_hash=ip_hash, succeeded=ok)
        if ok and user is not None and stored_hash is not None:
            rehash_if_needed(conn, user.user_id, stored_hash, password)
            record_event(conn, "login", OK, user_id=user.user_id, institution=user.institution_code, ip_hash=ip_hash)
            return OK, user
        record_event(
            conn, "login", FAILED, user_id=user.user_id if user else None,
            institution=user.institution_code if user else None, ip_hash=ip_hash,
        )
        return FAILED, None


async def login(request: Request) -> Response:
    ctx = await context(request)
    form = await checked_form(ctx)
    if form is None:
        return message_page(ctx, 403, "csrf_title", "csrf")
    email, password = form.get("email", "")[:254], form.get("password", "")[:1024]
    outcome, user = await run_in_threadpool(_attempt, ctx, email, password)
    if outcome == BLOCKED:
        error = ctx.t("login_blocked", minutes=ctx.portal.settings.portal_login_window_minutes)
        return render(ctx, "login.html", 429, error=error, email="")
    if outcome == FAILED or user is None:
        # The e-mail is not echoed back either: the page may be on a shared screen.
        return render(ctx, "login.html", 401, error=ctx.t("login_failed"), email="")
    ctx.session = await run_in_threadpool(ctx.portal.sessions.login, ctx.session, user.user_id)
    ctx.user, ctx.set_cookie = user, True
    return redirect(ctx, "/")


async def logout(request: Request) -> Response:
    ctx = await context(request)
    form = await checked_form(ctx)
    if form is None:
        return message_page(ctx, 403, "csrf_title", "csrf")
    user = ctx.user

    def end() -> None:
        with ctx.portal.engine.begin() as conn:
            if user is not None:
                record_event(conn, "logout", OK, user_id=user.user_id, institution=user.institution_code, ip_hash=ctx.ip_hash)
        ctx.portal.sessions.destroy(ctx.session)

    await run_in_threadpool(end)
    ctx.session = await run_in_threadpool(ctx.portal.sessions.create, lang=ctx.lang)
    ctx.user, ctx.set_cookie = None, True
    return render(ctx, "login.html", error=None, email="", notice=ctx.t("logged_out"))


async def switch_language(request: Request) -> Response:
    ctx = await context(request)
    form = await checked_form(ctx)
    if form is None:
        return message_page(ctx, 403, "csrf_title", "csrf")
    lang = form.get("lang", "")
    if lang in i18n.LANGS:
        ctx.session = await run_in_threadpool(ctx.portal.sessions.set_lang, ctx.session, lang)
    return redirect(ctx, safe_next(form.get("next")))
