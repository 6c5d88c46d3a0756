"""Ingest one very large extract (a million rows and more) in bounded memory, in one transaction.

    result = ingest_large_extract(engine, keyring, "MP", "2025-06", Path("causas.csv"))
    result.report.to_text()     # the same report validate_extract gives for the same file
    result.loaded               # True: staged, linked and loaded into core; False: nothing changed

`validate_extract` holds the whole file in memory and refuses files over 50 MB or 200,000 records.
This path validates the file in chunks (`chunked_validation`: the normal path's intake code, per
chunk) and pseudonymizes each chunk with the normal path's `stage_records`, in two worker
processes one after the other (`intake_worker`), while this process COPYs the staged batches
into staging; then it calls
`load_extract` (global linkage, core tables), all inside ONE transaction opened by registering the
submission. A file that fails validation, or any error on the way, rolls the
transaction back: the warehouse is as it was, and a rejected submission is registered with its
report, as an upload would be.

The file is landed encrypted frame by frame (`sealed`), as `<sha256>.csv.fenc`, and placed before
the commit (a registered submission always has its file). The Dagster partition of such a month
cannot be re-run from the landing zone: its staging asset reads whole `.enc` files only.
Unlike the Dagster staging asset, no cleartext scan runs over the staged rows: that scan expands
every personal value of the file into its variants (phone numbers parsed), minutes for a million
records; the staged rows come from the same `stage_records` as on the normal path.
Only CSV contracts (MP, MINMUJER) can be streamed.
"""

from __future__ import annotations

import ctypes
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from etl.config import load_settings
from etl.defs.ingest.chunked_validation import STREAM_CHUNK_ROWS, STREAM_LIMITS, Checks, Validated, file_sha256
from etl.defs.ingest.csv_chunks import TextEncoding, detect_encoding
from etl.defs.ingest.intake_worker import IntakeJob, IntakeWorker
from etl.defs.ingest.linkage_input import link_in_force_streamed
from etl.defs.ingest.sealed import SUFFIX, SealedFile, discard, place, seal
from etl.defs.ingest.timing import PhaseClock
from etl.defs.intake.contracts import Contract, load_contract
from etl.defs.intake.findings import ExtractRejected, Finding
from etl.defs.intake.messages import LANGS, Lang
from etl.defs.intake.readers.base import ReadLimits
from etl.defs.intake.report import ReportCounts, ValidationReport
from etl.defs.intake.validate import _declaration_findings, _report
from etl.defs.landing.store import ACCEPTED, QUARANTINE
from etl.defs.landing.submissions import record_submission
from etl.defs.load.copy import copy_rows, copy_text
from etl.defs.load.core_load import PersonAssignment, load_extract
from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.staging_rows import STAGING_COLUMNS, TOKEN_COLUMNS
from warehouse import tables as t


@dataclass(frozen=True)
class StreamResult:
    report: ValidationReport
    extract_id: int | None  # the registered submission (accepted or rejected), None if not registered
    loaded: bool  # staged and loaded into core (the transaction committed)
    records_loaded: int = 0
    persons_total: int = 0
    ict_linked: int = 0
    stored_path: Path | None = None
    gx_findings: Checks = field(default_factory=dict)  # as IntakeResult.gx_findings
    seconds: dict[str, float] = field(default_factory=dict)  # phase -> wall time


class _Rejected(Exception):
    """Rolls the ingest transaction back when the file turns out to be invalid."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"{report.institution} {report.period}: archivo rechazado")
        self.report = report


@dataclass(frozen=True)
class _Options:
    chunk_rows: int
    uploader: str
    channel: str
    today: dt.date
    lang: Lang
    limits: ReadLimits


def ingest_large_extract(
    engine: sa.Engine,
    keyring: Keyring,
    institution: str,
    period: str,
    path: Path,
    chunk_rows: int = STREAM_CHUNK_ROWS,
    *,
    landing_root: Path | None = None,
    uploader: str = "stream",
    channel: str = "stream",
    today: dt.date | None = None,
    lang: Lang = "es",
    limits: ReadLimits = STREAM_LIMITS,
) -> StreamResult:
    """Validate, pseudonymize, link and load one large CSV extract; see the module docstring.

    `landing_root` defaults to the configured landing zone ($OBSERVATORIO_HOME/landing).
    """
    path = Path(path)
    _return_large_frees_to_the_system()
    options = _Options(chunk_rows, uploader, channel, today or dt.date.today(), lang if lang in LANGS else "es", limits)
    declared = _declaration_findings(institution, period, options.today)
    if declared:
        return StreamResult(_report(institution, period, declared, file_sha256(path), options.lang), None, False)
    contract = load_contract(institution)
    if contract.format.kind != "csv":
        raise ValueError(f"{institution}: la ingesta por partes solo admite contratos CSV")
    clock = PhaseClock()
    root = landing_root or load_settings().landing_dir
    with clock.phase("seal"):
        sealed = seal(path, root, keyring.fernet_keys(Purpose.LANDING))
    try:
        return _Ingest(engine, keyring, contract, period, path, root, sealed, options, clock).run()
    finally:
        discard(sealed)  # a no-op once the file was placed


@dataclass
class _Ingest:
    engine: sa.Engine
    keyring: Keyring
    contract: Contract
    period: str
    path: Path
    root: Path
    sealed: SealedFile
    options: _Options
    clock: PhaseClock

    def report(self, findings: list[Finding], counts: ReportCounts | None = None) -> ValidationReport:
        return _report(self.contract.institution, self.period, findings, self.sealed.sha256, self.options.lang,
                       self.contract.record_label, counts)

    def target(self, area: str) -> Path:
        kind = self.contract.format.kind
        return self.root / area / self.contract.institution / self.period / f"{self.sealed.sha256}.{kind}{SUFFIX}"

    def register(self, conn: sa.Connection, report: ValidationReport, accepted: bool, stored: Path) -> int:
        extract_id, _ = record_submission(
            conn,
            institution=self.contract.institution,
            period=self.period,
            accepted=accepted,
            filename_ext=f".{self.contract.format.kind}",
            uploader=self.options.uploader,
            channel=self.options.channel,
            sha256=self.sealed.sha256,
            byte_count=self.sealed.byte_count,
            stored_path=str(stored),
            **_report_fields(report),
        )
        return extract_id

    def stage(self, conn: sa.Connection, extract_id: int, encoding: TextEncoding) -> tuple[Validated, int]:
        """Validate and pseudonymize in two worker processes (`intake_worker`), COPY their batches here.
        Returns the validation and how many staged records are ICT-linked."""
        job = IntakeJob(self.contract, self.period, self.path, encoding, self.options.chunk_rows, self.options.today,
                        self.options.limits, extract_id)
        worker = IntakeWorker.start(job, self.keyring)
        ict_linked = 0
        try:
            batches = worker.staged()
            while True:
                with self.clock.phase("wait for intake"):
                    batch = next(batches, None)
                if batch is None:
                    break
                with self.clock.phase("copy"):
                    copy_rows(conn, t.staging_victim_record, STAGING_COLUMNS, batch.rows)
                    copy_text(conn, t.staging_match_token, TOKEN_COLUMNS, batch.token_copy_text)
                ict_linked += batch.ict_linked
                del batch
            self.clock.add(worker.seconds)  # the workers' own phases
            return worker.result(), ict_linked
        finally:
            worker.close()

    def link(self, conn: sa.Connection, extract_ids: list[int]) -> PersonAssignment:
        with self.clock.phase("link"):
            return link_in_force_streamed(conn, extract_ids, self.keyring)

    def run(self) -> StreamResult:
        checks: Checks = {}
        try:
            try:
                encoding = detect_encoding(self.path, self.contract)
            except ExtractRejected as rejected:
                raise _Rejected(self.report(rejected.findings)) from None
            accepted_path = self.target(ACCEPTED)
            with self.engine.begin() as conn:
                # Registered as accepted at once (the staged rows need its id); a rejection rolls it back.
                extract_id = self.register(conn, self.report([]), True, accepted_path)
                for staged_table in (t.staging_match_token, t.staging_victim_record):
                    conn.execute(staged_table.delete().where(staged_table.c.extract_id == extract_id))
                try:
                    validated, ict_linked = self.stage(conn, extract_id, encoding)
                except ExtractRejected as rejected:
                    raise _Rejected(self.report(rejected.findings)) from None
                report, checks = self.report(validated.findings, validated.counts), validated.checks
                if not report.accepted:
                    raise _Rejected(report)
                fe = t.fact_extract
                conn.execute(fe.update().where(fe.c.extract_id == extract_id).values(**_report_fields(report)))
                with self.clock.phase("load+link"):
                    loaded = load_extract(conn, extract_id, self.link)
                stored = place(self.sealed, accepted_path)
            # load_extract calls the linker: report the two apart.
            self.clock.seconds["load"] = self.clock.seconds.pop("load+link") - self.clock.seconds.get("link", 0.0)
            return StreamResult(report, extract_id, True, loaded.records, loaded.persons_total, ict_linked,
                                stored, checks, dict(self.clock.seconds))
        except _Rejected as rejected:
            quarantined = place(self.sealed, self.target(QUARANTINE))
            with self.engine.begin() as conn:
                extract_id = self.register(conn, rejected.report, False, quarantined)
            return StreamResult(rejected.report, extract_id, False, stored_path=quarantined, gx_findings=checks,
                                seconds=dict(self.clock.seconds))


def _report_fields(report: ValidationReport) -> dict[str, Any]:
    """What fact_extract keeps of a report (counts, and the report itself: findings hold no values)."""
    return {
        "report_json": report.to_dict(),
        "row_count": report.counts.records_read,
        "record_count": report.counts.records_accepted,
        "error_count": len(report.errors),
        "warning_count": len(report.warnings),
        "is_zero_report": report.accepted and report.counts.records_read == 0,
    }


def _return_large_frees_to_the_system() -> None:
    """Linkage allocates and frees arrays of tens of megabytes in turn. glibc raises its mmap
    threshold after each such free (up to 32 MB), so later arrays come from the heap and, freed,
    stay resident. A fixed 1 MiB threshold keeps them mapped, and unmapped when freed. This
    process only; elsewhere than glibc it does nothing."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):
        pass


_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
