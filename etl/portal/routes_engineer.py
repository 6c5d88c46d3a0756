"""For data engineers: every institution × month at a glance, and processing a month on demand."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from etl.config import INSTITUTION_CODES
from etl.portal.audit import record_event
from etl.portal.history import ACCEPTED, PUBLISHED, ZERO, landed_in_month, recent_periods, status_grid
from etl.portal.i18n import month_label
from etl.portal.pipeline import recent_runs
from etl.portal.web import Ctx, checked_form, context, message_page, redirect, render

# Query-string notices are fixed codes, never free text (the access log drops the query anyway).
PROCESSABLE = (ACCEPTED, ZERO, PUBLISHED)
NOTICES = {"started": "process_started", "busy": "process_busy", "nothing": "nothing_to_process"}


async def _engineer(request: Request) -> tuple[Ctx, Response | None]:
    ctx = await context(request)
    if ctx.user is None:
        return ctx, redirect(ctx, "/ingresar")
    user = ctx.user
    if not user.is_engineer:
        def deny() -> None:
            with ctx.portal.engine.begin() as conn:
                record_event(
                    conn, "access_denied", "status", user_id=user.user_id, institution=user.institution_code,
                    ip_hash=ctx.ip_hash,
                )

        await run_in_threadpool(deny)
        return ctx, message_page(ctx, 403, "forbidden_title", "forbidden")
    return ctx, None


async def status(request: Request) -> Response:
    ctx, refused = await _engineer(request)
    if refused is not None:
        return refused

    def load() -> tuple[list, list]:
        with ctx.portal.engine.connect() as conn:
            return status_grid(conn, list(INSTITUTION_CODES), ctx.portal.today()), recent_runs(conn)

    grid, runs = await run_in_threadpool(load)
    notice_key = NOTICES.get(request.query_params.get("aviso", ""))
    notice_month = request.query_params.get("mes", "")
    periods = recent_periods(ctx.portal.today())
    notice = (
        ctx.t(notice_key, month=month_label(notice_month, ctx.lang)) if notice_key and notice_month in periods else None
    )
    rows = [(period, cells, any(c.state in PROCESSABLE for c in cells)) for period, cells in grid]
    return render(
        ctx, "status.html", institutions=INSTITUTION_CODES, grid=rows, runs=runs, notice=notice,
        refresh=any(r.finished_at is None for r in runs), busy=ctx.portal.launcher.busy,
    )


async def process_month(request: Request) -> Response:
    ctx, refused = await _engineer(request)
    if refused is not None:
        return refused
    form = await checked_form(ctx)
    if form is None:
        return message_page(ctx, 403, "csrf_title", "csrf")
    period = form.get("period", "")
    if period not in recent_periods(ctx.portal.today()):
        return message_page(ctx, 400, "not_found_title", "not_found")
    user = ctx.user
    assert user is not None

    def start() -> str:
        with ctx.portal.engine.connect() as conn:
            institutions = landed_in_month(conn, period)
        if not institutions:
            outcome = "nothing"
        else:
            outcome = "started" if ctx.portal.launcher.start(period, institutions, user.user_id) else "busy"
        with ctx.portal.engine.begin() as conn:
            record_event(
                conn, "pipeline_start", outcome, user_id=user.user_id, institution=user.institution_code,
                period=period, ip_hash=ctx.ip_hash,
            )
        return outcome

    outcome = await run_in_threadpool(start)
    return redirect(ctx, f"/estado?aviso={outcome}&mes={period}")
