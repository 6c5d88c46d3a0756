"""The upload form and its answer: accepted, or rejected with the rows and columns to fix."""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from etl.portal import i18n
from etl.portal.audit import record_event
from etl.portal.history import recent_periods
from etl.portal.reports import finding_rows, more_count
from etl.portal.uploadform import MalformedForm, UploadTooLarge, read_upload_form
from etl.portal.web import Ctx, context, message_page, redirect, render, same_origin

log = logging.getLogger(__name__)


def _mb(ctx: Ctx) -> int:
    return max(1, ctx.portal.settings.max_upload_bytes // (1024 * 1024))


def _periods(ctx: Ctx) -> list[str]:
    return recent_periods(ctx.portal.today())


def _default_period(periods: list[str]) -> str:
    # The file usually arrives in the first days of the month after the one it covers.
    return periods[1] if len(periods) > 1 else periods[0]


def _form(ctx: Ctx, status_code: int = 200, error: str | None = None, selected: str | None = None) -> Response:
    institution = ctx.user.institution_code if ctx.user else None
    periods = _periods(ctx)
    return render(
        ctx, "upload.html", status_code,
        institution=institution,
        institution_label=i18n.institution_label(institution, ctx.lang) if institution else "",
        periods=periods,
        selected=selected if selected in periods else _default_period(periods),
        file_format=i18n.file_format(institution, ctx.lang) if institution else "",
        max_mb=_mb(ctx),
        error=error,
    )


async def upload_form(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    if not ctx.user.institution_code:
        return message_page(ctx, 403, "forbidden_title", "upload_engineer_only")
    return _form(ctx)


def _audit(ctx: Ctx, outcome: str, period: str | None = None, extract_id: int | None = None) -> None:
    user = ctx.user
    with ctx.portal.engine.begin() as conn:
        record_event(
            conn, "upload", outcome, user_id=user.user_id if user else None,
            institution=user.institution_code if user else None, period=period, extract_id=extract_id,
            ip_hash=ctx.ip_hash,
        )


def _submit(ctx: Ctx, period: str, content: bytes, filename: str) -> Any:
    from etl.defs.landing.upload import submit_extract

    assert ctx.user is not None and ctx.user.institution_code is not None
    return submit_extract(
        ctx.portal.engine,
        ctx.portal.store(),
        institution=ctx.user.institution_code,
        period=period,
        content=content,
        filename=filename,
        # An id, not the official's e-mail: core tables hold no personal data of anyone.
        uploader=f"portal-user-{ctx.user.user_id}",
        channel="portal",
        lang=ctx.lang,
        today=ctx.portal.today(),
    )


async def upload(request: Request) -> Response:
    ctx = await context(request)
    if ctx.user is None:
        return redirect(ctx, "/ingresar")
    if not ctx.user.institution_code:
        return message_page(ctx, 403, "forbidden_title", "upload_engineer_only")
    if not same_origin(request):
        return message_page(ctx, 403, "csrf_title", "csrf")
    try:
        form = await read_upload_form(
            request.headers.get("content-type", ""), request.headers.get("content-length"), request.stream(),
            ctx.portal.settings.max_upload_bytes,
        )
    except UploadTooLarge:
        await run_in_threadpool(_audit, ctx, "too_large")
        response = message_page(ctx, 413, "result_title", "too_large", mb=_mb(ctx))
        response.headers["Connection"] = "close"
        return response
    except MalformedForm:
        return message_page(ctx, 400, "result_title", "bad_form")
    if not ctx.session.csrf_matches(form.fields.get("csrf_token")):
        return message_page(ctx, 403, "csrf_title", "csrf")
    period = form.fields.get("period", "")
    if period not in _periods(ctx):
        return _form(ctx, 400, ctx.t("bad_month"))
    if form.file_field != "file" or (not form.filename and not form.content):
        return _form(ctx, 400, ctx.t("no_file"), selected=period)
    try:
        outcome = await run_in_threadpool(_submit, ctx, period, form.content, form.filename)
    except Exception as exc:
        # The type only: the landing store and the database say nothing personal, but be sure.
        log.error("portal upload failed: %s", type(exc).__name__)
        await run_in_threadpool(_audit, ctx, "error", period)
        return message_page(ctx, 500, "error_title", "error")
    await run_in_threadpool(_audit, ctx, "accepted" if outcome.accepted else "rejected", period, outcome.extract_id)
    return result_page(ctx, outcome.extract_id, outcome.report.to_dict(), is_new=outcome.is_new)


def result_page(ctx: Ctx, extract_id: int, stored: dict[str, Any], *, is_new: bool = True, status_code: int = 200) -> Response:
    rows = finding_rows(stored, ctx.lang)
    counts = stored.get("counts") or {}
    is_case = stored.get("record_label") == "case"
    return render(
        ctx, "result.html", status_code,
        extract_id=extract_id,
        institution=stored["institution"],
        period=stored["period"],
        accepted=stored["verdict"] == "accepted",
        zero=stored["verdict"] == "accepted" and int(counts.get("records_read", 0)) == 0,
        is_new=is_new,
        counts_text=ctx.t(
            "counts", read=counts.get("records_read", 0), accepted=counts.get("records_accepted", 0),
            dropped=counts.get("duplicates_dropped", 0), errors=counts.get("errors", 0), warnings=counts.get("warnings", 0),
        ),
        errors=[r for r in rows if r.severity == "error"],
        warnings=[r for r in rows if r.severity == "warning"],
        notices=[r for r in rows if r.severity == "notice"],
        more=more_count(stored),
        row_word=ctx.t("col_case" if is_case else "col_row"),
        column_word=ctx.t("col_field" if is_case else "col_column"),
    )
