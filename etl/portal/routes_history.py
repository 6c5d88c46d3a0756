"""An institution's months and its validation reports, for its own officials (and engineers)."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from etl.config import INSTITUTION_CODES
from etl.portal.audit import record_event
from etl.portal.history import StoredReport, institution_history, stored_report
from etl.portal.reports import report_from_dict
from etl.portal.i18n import institution_label
from etl.portal.routes_upload import result_page
from etl.portal.web import Ctx, context, finish, message_page, redirect, render

# The intake's own HTML report styles itself inline; it runs no script and loads nothing.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _deny(ctx: Ctx, kind: str, institution: str | None = None) -> None:
    user = ctx.user
    with ctx.portal.engine.begin() as conn:
        record_event(
            conn, "access_denied", kind, user_id=user.user_id if user else None,
            institution=user.institution_code if user else None, ip_hash=ctx.ip_hash,
        )


async def my_history(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    if ctx.user.institution_code is None:
        return redirect(ctx, "/estado")
    return redirect(ctx, f"/historial/{ctx.user.institution_code}")


async def history(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    institution = request.path_params["institution"]
    if institution not in INSTITUTION_CODES:
        return message_page(ctx, 404, "not_found_title", "not_found")
    if not ctx.user.may_see(institution):
        # Institutions are public; whether and what another one sent is not. Nothing is queried.
        await run_in_threadpool(_deny, ctx, "history")
        return message_page(ctx, 403, "forbidden_title", "forbidden")

    def load() -> list:
        with ctx.portal.engine.connect() as conn:
            return institution_history(conn, institution, ctx.portal.today())

    months = await run_in_threadpool(load)
    return render(
        ctx, "history.html", institution=institution, institution_label=institution_label(institution, ctx.lang), months=months,
        refresh=any(m.state == "processing" for m in months),
    )


async def _allowed_report(ctx: Ctx, extract_id: int) -> StoredReport | None:
    def load() -> StoredReport | None:
        with ctx.portal.engine.connect() as conn:
            return stored_report(conn, extract_id)

    found = await run_in_threadpool(load)
    if found is None:
        return None
    assert ctx.user is not None
    if not ctx.user.may_see(found.institution):
        # Same answer as for an id that does not exist: ids must not reveal other institutions' activity.
        await run_in_threadpool(_deny, ctx, "report")
        return None
    return found


def _audit_download(ctx: Ctx, found: StoredReport, fmt: str) -> None:
    assert ctx.user is not None
    with ctx.portal.engine.begin() as conn:
        record_event(
            conn, "report_download", fmt, user_id=ctx.user.user_id, institution=found.institution,
            period=found.period, extract_id=found.extract_id, ip_hash=ctx.ip_hash,
        )


async def report_view(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    found = await _allowed_report(ctx, request.path_params["extract_id"])
    if found is None:
        return message_page(ctx, 404, "not_found_title", "not_found")
    return result_page(ctx, found.extract_id, found.report, is_new=True)


async def report_download(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    fmt = request.path_params["fmt"]
    if fmt not in ("json", "html"):
        return message_page(ctx, 404, "not_found_title", "not_found")
    found = await _allowed_report(ctx, request.path_params["extract_id"])
    if found is None:
        return message_page(ctx, 404, "not_found_title", "not_found")
    await run_in_threadpool(_audit_download, ctx, found, fmt)
    name = f"informe-{found.institution}-{found.period}-{found.extract_id}.{fmt}"
    if fmt == "json":
        body = json.dumps(found.report, ensure_ascii=False, indent=2)
        response = Response(body, media_type="application/json")
    else:
        response = Response(report_from_dict(found.report).to_html(ctx.lang), media_type="text/html")
        response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return finish(ctx, response)
