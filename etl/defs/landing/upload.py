"""Receive one extract: validate it at once, land it (or quarantine it), register it.

Order matters for "nothing is lost, nothing half-done": the file is written (encrypted,
atomically) before the submission is registered, so a crash between the two leaves an
unreferenced but complete file and no registration; a failure to write registers nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath

import sqlalchemy as sa

from etl.defs.landing.store import ACCEPTED, QUARANTINE, LandingStore
from etl.defs.landing.submissions import record_submission


@dataclass(frozen=True)
class UploadOutcome:
    accepted: bool
    extract_id: int
    is_new: bool
    report: object  # etl.defs.intake.report.ValidationReport

    @property
    def exit_code(self) -> int:
        return 0 if self.accepted else 1


def file_extension(filename: str) -> str:
    # Only the extension is kept: agencies name files after people or cases.
    suffix = PurePath(filename).suffix.lower()
    return suffix if suffix in {".csv", ".xlsx", ".json", ".txt", ".xls"} else ""


def submit_extract(
    engine: sa.Engine,
    store: LandingStore,
    *,
    institution: str,
    period: str,
    content: bytes,
    filename: str,
    uploader: str,
    channel: str,
    lang: str = "es",
    today: dt.date | None = None,
) -> UploadOutcome:
    from etl.defs.intake.validate import validate_extract

    result = validate_extract(institution, period, content, filename, today=today, lang=lang)
    report = result.report
    accepted = report.accepted
    stored = store.put(ACCEPTED if accepted else QUARANTINE, institution, period, content, file_extension(filename))
    with engine.begin() as conn:
        extract_id, is_new = record_submission(
            conn,
            institution=institution,
            period=period,
            accepted=accepted,
            sha256=stored.sha256,
            byte_count=stored.byte_count,
            stored_path=str(stored.path),
            filename_ext=file_extension(filename),
            uploader=uploader,
            channel=channel,
            report_json=report.to_dict(),
            row_count=report.counts.records_read,
            record_count=report.counts.records_accepted,
            error_count=len(report.errors),
            warning_count=len(report.warnings),
            is_zero_report=accepted and report.counts.records_read == 0,
        )
    return UploadOutcome(accepted, extract_id, is_new, report)
