"""The portal application: routes, middleware and error pages, built from the current settings."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from etl.config import Settings, load_settings
from etl.portal import routes_auth, routes_engineer, routes_history, routes_upload
from etl.portal.pipeline import PipelineLauncher, Runner, dagster_runner
from etl.portal.secret import Hasher, portal_key
from etl.portal.security import AccessLog, BodyLimit, SecurityHeaders
from etl.portal.sessions import SessionStore
from etl.portal.web import Portal, context, message_page

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
UPLOAD_PATH = "/enviar"


def routes() -> list[Route | Mount]:
    return [
        Route("/", routes_auth.home, methods=["GET"]),
        Route("/ingresar", routes_auth.login_form, methods=["GET"]),
        Route("/ingresar", routes_auth.login, methods=["POST"]),
        Route("/salir", routes_auth.logout, methods=["POST"]),
        Route("/idioma", routes_auth.switch_language, methods=["POST"]),
        Route(UPLOAD_PATH, routes_upload.upload_form, methods=["GET"]),
        Route(UPLOAD_PATH, routes_upload.upload, methods=["POST"]),
        Route("/historial", routes_history.my_history, methods=["GET"]),
        Route("/historial/{institution}", routes_history.history, methods=["GET"]),
        Route("/informes/{extract_id:int}", routes_history.report_view, methods=["GET"]),
        Route("/informes/{extract_id:int}/informe.{fmt}", routes_history.report_download, methods=["GET"]),
        Route("/estado", routes_engineer.status, methods=["GET"]),
        Route("/estado/procesar", routes_engineer.process_month, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        return PlainTextResponse("Método no permitido.", status_code=405)
    ctx = await context(request)
    if exc.status_code == 404:
        return message_page(ctx, 404, "not_found_title", "not_found")
    # Anything else raised by Starlette itself is a malformed request (e.g. a form too large).
    return message_page(ctx, exc.status_code, "error_title", "bad_form")


async def _server_error(request: Request, exc: Exception) -> Response:
    # The type only: an exception message could quote something it should not.
    log.error("portal error %s", type(exc).__name__)
    try:
        ctx = await context(request)
        return message_page(ctx, 500, "error_title", "error")
    except Exception:
        return PlainTextResponse("Ocurrió un error inesperado.", status_code=500)


class ErrorPage:
    """Unexpected errors become the portal's error page inside the middleware stack, so that page
    gets the security headers too (Starlette's own last-resort handler sits outside them)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = await _server_error(Request(scope, receive), exc)
            await response(scope, receive, send)


def create_app(
    *,
    engine: sa.Engine | None = None,
    settings: Settings | None = None,
    store_factory: Callable[[], Any] | None = None,
    runner: Runner = dagster_runner,
    today: Callable[[], dt.date] = dt.date.today,
) -> Starlette:
    """Everything is read now (settings, key, database), so a misconfiguration fails at start."""
    settings = settings or load_settings()
    if engine is None:
        from etl.infra.database import get_engine

        engine = get_engine(settings)
    if store_factory is None:
        from etl.resources.landing import landing_store

        store_factory = landing_store
    hasher = Hasher(portal_key())
    portal = Portal(
        engine=engine,
        settings=settings,
        hasher=hasher,
        sessions=SessionStore(engine, hasher, settings.portal_session_minutes),
        launcher=PipelineLauncher(engine, settings, runner),
        store_factory=store_factory,
        today=today,
    )
    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(AccessLog),
            Middleware(SecurityHeaders),
            Middleware(ErrorPage),
            Middleware(BodyLimit, exempt_paths=frozenset({UPLOAD_PATH})),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.portal = portal
    return app
