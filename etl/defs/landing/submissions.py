"""The register of submissions (`core.fact_extract`): which file is in force for each month.

Rules: a rejected file never changes which file is in force; an accepted file becomes the
one in force for its institution and month (its rows replace the older file's rows when the
load step runs, in one transaction); uploading the same bytes again is a no-op.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from warehouse import tables as t


@dataclass(frozen=True)
class Submission:
    extract_id: int
    institution_code: str
    period_code: str
    status: str
    content_sha256: str
    stored_path: str
    is_zero_report: bool


def _dim_id(conn: sa.Connection, table: sa.Table, code_col: str, code: str) -> int:
    key_col = table.primary_key.columns.values()[0]
    found = conn.execute(sa.select(key_col).where(table.c[code_col] == code)).scalar()
    if found is None:
        raise ValueError(f"código desconocido en {table.name}")
    return int(found)


def institution_id(conn: sa.Connection, code: str) -> int:
    return _dim_id(conn, t.dim_institution, "institution_code", code)


def month_id(conn: sa.Connection, period: str) -> int:
    return _dim_id(conn, t.dim_month, "period_code", period)


def record_submission(
    conn: sa.Connection,
    *,
    institution: str,
    period: str,
    accepted: bool,
    sha256: str,
    byte_count: int,
    stored_path: str,
    filename_ext: str,
    uploader: str,
    channel: str,
    report_json: dict[str, Any],
    row_count: int | None,
    record_count: int | None,
    error_count: int,
    warning_count: int,
    is_zero_report: bool,
) -> tuple[int, bool]:
    """Register one submission inside the caller's transaction. Returns (extract_id, is_new)."""
    inst, month = institution_id(conn, institution), month_id(conn, period)
    # Serialize submissions for the same institution and month (two uploads at once).
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": inst, "b": month})
    fe = t.fact_extract
    if accepted:
        current = conn.execute(
            sa.select(fe.c.extract_id, fe.c.content_sha256).where(
                fe.c.institution_id == inst, fe.c.month_id == month, fe.c.is_current
            )
        ).first()
        if current is not None and current.content_sha256 == sha256:
            return int(current.extract_id), False
        conn.execute(
            fe.update()
            .where(fe.c.institution_id == inst, fe.c.month_id == month, fe.c.is_current)
            .values(is_current=False, status="superseded")
        )
    now = dt.datetime.now(dt.timezone.utc)
    extract_id = conn.execute(
        fe.insert()
        .values(
            institution_id=inst,
            month_id=month,
            status="accepted" if accepted else "rejected",
            is_current=accepted,
            is_zero_report=is_zero_report,
            content_sha256=sha256,
            original_filename_ext=filename_ext,
            byte_count=byte_count,
            row_count=row_count,
            record_count=record_count,
            error_count=error_count,
            warning_count=warning_count,
            uploader=uploader,
            channel=channel,
            stored_path=stored_path,
            report_json=report_json,
            received_at=now,
            validated_at=now,
        )
        .returning(fe.c.extract_id)
    ).scalar_one()
    return int(extract_id), True


_SUBMISSION_COLUMNS = (
    t.fact_extract.c.extract_id,
    t.dim_institution.c.institution_code,
    t.dim_month.c.period_code,
    t.fact_extract.c.status,
    t.fact_extract.c.content_sha256,
    t.fact_extract.c.stored_path,
    t.fact_extract.c.is_zero_report,
)


def _joined() -> sa.Select:
    fe = t.fact_extract
    return sa.select(*_SUBMISSION_COLUMNS).select_from(
        fe.join(t.dim_institution, fe.c.institution_id == t.dim_institution.c.institution_id).join(
            t.dim_month, fe.c.month_id == t.dim_month.c.month_id
        )
    )


def current_submission(conn: sa.Connection, institution: str, period: str) -> Submission | None:
    row = conn.execute(
        _joined().where(
            t.dim_institution.c.institution_code == institution,
            t.dim_month.c.period_code == period,
            t.fact_extract.c.is_current,
        )
    ).first()
    return Submission(*row) if row else None


def submissions_in_force(conn: sa.Connection, *, pending_only: bool = False) -> list[Submission]:
    """Every file in force; with pending_only, those not yet loaded (new or corrected months)."""
    query = _joined().where(t.fact_extract.c.is_current)
    if pending_only:
        query = query.where(t.fact_extract.c.status == "accepted")
    rows = conn.execute(query.order_by(t.dim_month.c.period_code, t.dim_institution.c.institution_code))
    return [Submission(*r) for r in rows]


def mark_loaded(conn: sa.Connection, extract_id: int) -> None:
    # loaded_at keeps the first load: re-running a loaded month must leave the row identical.
    conn.execute(
        t.fact_extract.update()
        .where(t.fact_extract.c.extract_id == extract_id, t.fact_extract.c.status != "loaded")
        .values(status="loaded", loaded_at=dt.datetime.now(dt.timezone.utc))
    )
