"""Where each institution stands, month by month: what the history and status pages show.

A month is, in this order of precedence: processing (a pipeline run started from the portal is
working on it), published (its file in force is loaded), zero report, accepted (in force, not
yet loaded), rejected (only rejected files so far), missing (the month is over and nothing
came) or open (the month is not over yet and nothing came).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from etl.portal.tables import portal_pipeline_run as runs
from warehouse import tables as t

PROCESSING, PUBLISHED, ZERO, ACCEPTED, REJECTED, MISSING, OPEN = (
    "processing", "published", "zero", "accepted", "rejected", "missing", "open",
)
# A run the portal lost track of (process killed) must not show "processing" forever.
STALE_RUN_HOURS = 6
MONTHS_SHOWN = 24


@dataclass(frozen=True)
class SubmissionSummary:
    extract_id: int
    period: str
    status: str  # fact_extract.status
    is_current: bool
    is_zero_report: bool
    received_at: dt.datetime
    error_count: int
    warning_count: int
    record_count: int | None


@dataclass
class MonthStatus:
    period: str
    state: str
    submissions: list[SubmissionSummary] = field(default_factory=list)
    zero: bool = False


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def recent_periods(today: dt.date, count: int = MONTHS_SHOWN) -> list[str]:
    """The current month and the `count - 1` before it, newest first."""
    year, month = today.year, today.month
    periods = []
    for _ in range(count):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return periods


def _submissions(conn: sa.Connection, institutions: list[str], periods: list[str]) -> dict[tuple[str, str], list[SubmissionSummary]]:
    fe, di, dm = t.fact_extract, t.dim_institution, t.dim_month
    rows = conn.execute(
        sa.select(
            di.c.institution_code, fe.c.extract_id, dm.c.period_code, fe.c.status, fe.c.is_current,
            fe.c.is_zero_report, fe.c.received_at, fe.c.error_count, fe.c.warning_count, fe.c.record_count,
        )
        .select_from(fe.join(di, fe.c.institution_id == di.c.institution_id).join(dm, fe.c.month_id == dm.c.month_id))
        .where(di.c.institution_code.in_(institutions), dm.c.period_code.in_(periods))
        .order_by(fe.c.received_at.desc(), fe.c.extract_id.desc())
    )
    found: dict[tuple[str, str], list[SubmissionSummary]] = {}
    for r in rows:
        found.setdefault((r.institution_code, r.period_code), []).append(
            SubmissionSummary(
                r.extract_id, r.period_code, r.status, r.is_current, r.is_zero_report, r.received_at,
                r.error_count, r.warning_count, r.record_count,
            )
        )
    return found


def running(conn: sa.Connection) -> set[tuple[str, str]]:
    """(institution, period) pairs a portal-started pipeline run is working on now."""
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=STALE_RUN_HOURS)
    rows = conn.execute(
        sa.select(runs.c.period_code, runs.c.institutions).where(runs.c.finished_at.is_(None), runs.c.started_at > since)
    )
    return {(inst, r.period_code) for r in rows for inst in r.institutions}


def _state(period: str, current_period: str, subs: list[SubmissionSummary], in_progress: bool) -> MonthStatus:
    current = next((s for s in subs if s.is_current), None)
    if current is not None:
        if in_progress:
            state = PROCESSING
        elif current.status == "loaded":
            state = PUBLISHED
        elif current.is_zero_report:
            state = ZERO
        else:
            state = ACCEPTED
        return MonthStatus(period, state, subs, current.is_zero_report)
    if subs:
        return MonthStatus(period, REJECTED, subs)
    return MonthStatus(period, MISSING if period < current_period else OPEN, subs)


def institution_history(conn: sa.Connection, institution: str, today: dt.date) -> list[MonthStatus]:
    periods = recent_periods(today)
    found = _submissions(conn, [institution], periods)
    active = running(conn)
    return [
        _state(p, periods[0], found.get((institution, p), []), (institution, p) in active) for p in periods
    ]


def status_grid(conn: sa.Connection, institutions: list[str], today: dt.date) -> list[tuple[str, list[MonthStatus]]]:
    """Rows of (period, one MonthStatus per institution in the given order), newest first."""
    periods = recent_periods(today)
    found = _submissions(conn, institutions, periods)
    active = running(conn)
    return [
        (p, [_state(p, periods[0], found.get((i, p), []), (i, p) in active) for i in institutions]) for p in periods
    ]


@dataclass(frozen=True)
class StoredReport:
    extract_id: int
    institution: str
    period: str
    report: dict[str, Any]


def stored_report(conn: sa.Connection, extract_id: int) -> StoredReport | None:
    fe, di, dm = t.fact_extract, t.dim_institution, t.dim_month
    row = conn.execute(
        sa.select(fe.c.extract_id, di.c.institution_code, dm.c.period_code, fe.c.report_json)
        .select_from(fe.join(di, fe.c.institution_id == di.c.institution_id).join(dm, fe.c.month_id == dm.c.month_id))
        .where(fe.c.extract_id == extract_id)
    ).first()
    if row is None or row.report_json is None:
        return None
    return StoredReport(row.extract_id, row.institution_code, row.period_code, row.report_json)


def landed_in_month(conn: sa.Connection, period: str) -> list[str]:
    """Institutions whose file in force for the month can be (re)processed."""
    fe, di, dm = t.fact_extract, t.dim_institution, t.dim_month
    rows = conn.execute(
        sa.select(di.c.institution_code)
        .select_from(fe.join(di, fe.c.institution_id == di.c.institution_id).join(dm, fe.c.month_id == dm.c.month_id))
        .where(dm.c.period_code == period, fe.c.is_current)
        .order_by(di.c.institution_code)
    )
    return [r.institution_code for r in rows]
