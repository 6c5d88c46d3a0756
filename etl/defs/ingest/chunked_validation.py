"""The intake's validation of a large CSV extract, one chunk at a time, judged as a whole file.

Per chunk this runs exactly the normal path's code: `prepare`, the institution's expectation suite
(`run_suite`, `findings_from_result`) and `map_row`. The rules that need the whole file are kept
across chunks by `cross_chunk`. The report is the one `validate_extract` gives for the same file
(tests/benchmarks compare them finding by finding), except for two limits of streaming: the
record cap is `STREAM_LIMITS.max_records`, and an over-long field is reported at the line where
its record starts.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.defs.ingest.cross_chunk import CONFLICT, CrossChunkChecks
from etl.defs.ingest.csv_chunks import CsvChunks, TextEncoding, detect_encoding
from etl.defs.ingest.timing import PhaseClock
from etl.defs.intake.cells import ymd
from etl.defs.intake.contracts import Contract, load_contract
from etl.defs.intake.findings import ExtractRejected, Finding
from etl.defs.intake.gx_findings import findings_from_result
from etl.defs.intake.gx_runtime import load_suite, run_suite
from etl.defs.intake.mapping import map_row
from etl.defs.intake.messages import LANGS, Lang
from etl.defs.intake.prepare import Period, prepare
from etl.defs.intake.readers.base import RawExtract, ReadLimits
from etl.defs.intake.records import VictimRecord
from etl.defs.intake.report import ReportCounts, ValidationReport
from etl.defs.intake.suites import PERIOD_FIRST, PERIOD_LAST, TODAY
from etl.defs.intake.validate import _declaration_findings, _report

# The record cap protects the whole-file path's memory; here memory does not grow with records.
STREAM_LIMITS = ReadLimits(max_records=20_000_000)
# Rows validated at once. Each intake worker holds about one chunk: 25,000 rows took the
# validation worker's peak from 613 to 459 MiB against 50,000, in the same time (200,000 rows).
STREAM_CHUNK_ROWS = 25_000
_HASH_BLOCK = 8 * 1024 * 1024

Checks = dict[str, tuple[bool, dict]]  # check name -> (passed, metadata without personal values)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class ChunkValidation:
    """Validation state of one file: findings so far, and the file-wide rules across chunks."""

    def __init__(self, contract: Contract, period: str, today: dt.date) -> None:
        self.contract = contract
        self.period = period
        month = Period.parse(period)
        self.parameters = {PERIOD_FIRST: ymd(month.first), PERIOD_LAST: ymd(month.last), TODAY: ymd(today)}
        self.display = {"first": month.first.isoformat(), "last": month.last.isoformat(), "today": today.isoformat()}
        self.order = [e.meta["check"] for e in load_suite(contract.institution).expectations]
        self.checks = CrossChunkChecks(contract, period)
        self.findings: list[Finding] = []  # row findings of every chunk (prepare, suite, mapping)
        self.suite_errors: list[Finding] = []
        self._rowless: list[Finding] = []  # file-level findings repeat in every chunk: kept once

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in (*self.findings, *self.suite_errors, *self._rowless))

    def chunk(self, raw: RawExtract) -> list[VictimRecord]:
        """Validate a chunk; returns its records (with personal data: stage them, then drop them)."""
        prepared = self.checks.drop_repeated(prepare(self.contract, raw, self.period))
        self.checks.track_keys(prepared)
        result = run_suite(self.contract.institution, prepared.frame, self.parameters)
        self.checks.add_checks(result)
        for found in findings_from_result(result, order=self.order, frame_columns=prepared.frame.columns,
                                          display=self.display):
            if found.rule == CONFLICT:
                continue  # judged over the whole file by cross_chunk
            if found.row is None:
                if found not in self._rowless:
                    self._rowless.append(found)
            else:
                self.suite_errors.append(found)
        self.findings += prepared.findings
        records = []
        resolved: dict = {}  # the chunk's coded and typed cells, resolved once each
        for record, warnings in (map_row(self.contract, row, self.period, resolved) for row in prepared.rows):
            records.append(record)
            self.findings += warnings
        return records

    def file_findings(self) -> list[Finding]:
        return [
            *self.findings,
            *self.checks.findings,
            *self.checks.period_findings(),
            *self._rowless,
            *self.suite_errors,
            *self.checks.conflict_findings(self.suite_errors),
        ]


@dataclass(frozen=True)
class Validated:
    findings: list[Finding]
    counts: ReportCounts
    checks: Checks


def validate_stream(
    contract: Contract,
    period: str,
    path: Path,
    encoding: TextEncoding,
    *,
    chunk_rows: int,
    today: dt.date,
    limits: ReadLimits = STREAM_LIMITS,
    clock: PhaseClock | None = None,
    on_records: Callable[[list[VictimRecord]], None] | None = None,
) -> Validated:
    """Validate the file chunk by chunk; hand each chunk's records to `on_records` while no error is known.

    Raises ExtractRejected when the file cannot be read as a whole (the reader's findings only, as
    `read_extract` reports them).
    """
    clock = clock or PhaseClock()
    reader = CsvChunks(contract, path, encoding, limits, chunk_rows)
    with clock.phase("validate"):  # the first use of Great Expectations imports it: seconds
        validation = ChunkValidation(contract, period, today)
    chunks = reader.chunks()
    kept = 0
    while True:
        with clock.phase("read"):
            raw = next(chunks, None)
        if raw is None:
            break
        if reader.state.rejected:
            continue  # unreadable as a whole: only the reader's errors will be reported
        with clock.phase("validate"):
            records = validation.chunk(raw)
        del raw
        kept += len(records)
        if on_records is not None and not validation.has_errors:
            on_records(records)  # a later error rolls it back with the caller's transaction
        del records
        gc.collect()  # the suite's frames are cyclic garbage: free them before the next chunk
    state = reader.state
    if state.rejected:
        raise ExtractRejected([*state.notices, *state.errors])
    findings = [*state.notices, *state.footer, *validation.file_findings()]
    validation.checks.release()
    accepted = not any(f.severity == "error" for f in findings)
    counts = ReportCounts(
        records_read=state.records,
        duplicates_dropped=validation.checks.duplicates_dropped,
        records_accepted=kept if accepted else 0,
        rows_with_errors=len({f.row for f in findings if f.severity == "error" and f.row is not None}),
    )
    return Validated(findings, counts, validation.checks.checks())


def validate_large_extract(
    institution: str,
    period: str,
    path: Path,
    chunk_rows: int = STREAM_CHUNK_ROWS,
    *,
    today: dt.date | None = None,
    lang: Lang = "es",
    limits: ReadLimits = STREAM_LIMITS,
) -> tuple[ValidationReport, Checks]:
    """The validation report (and per-expectation summary) of a large CSV extract; nothing is stored."""
    path = Path(path)
    today = today or dt.date.today()
    lang = lang if lang in LANGS else "es"
    sha = file_sha256(path)
    declared = _declaration_findings(institution, period, today)
    if declared:
        return _report(institution, period, declared, sha, lang), {}
    contract = load_contract(institution)
    if contract.format.kind != "csv":
        raise ValueError(f"{institution}: la validación por partes solo admite contratos CSV")
    label = contract.record_label
    try:
        validated = validate_stream(contract, period, path, detect_encoding(path, contract), chunk_rows=chunk_rows,
                                    today=today, limits=limits)
    except ExtractRejected as rejected:
        return _report(institution, period, rejected.findings, sha, lang, label), {}
    return _report(institution, period, validated.findings, sha, lang, label, validated.counts), validated.checks
