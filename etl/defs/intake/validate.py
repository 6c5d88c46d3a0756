"""The intake's one entry point: bytes of an agency's file in, a verdict and records out.

    result = validate_extract("MP", "2025-04", data, "causas_abril.csv")
    result.report.to_text()      # for the official
    result.records               # VictimRecords, only when accepted
    result.gx_findings           # per expectation, for Dagster asset checks

Bad input never raises: an unreadable, malformed or invalid file is a rejected report. Only a
programming error raises, and even then the message carries no value from the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from etl.defs.intake.cells import ymd
from etl.defs.intake.contracts import load_contract
from etl.defs.intake.findings import ExtractRejected, Finding, finding
from etl.defs.intake.gx_findings import findings_by_expectation, findings_from_result
from etl.defs.intake.gx_runtime import load_suite, run_suite
from etl.defs.intake.mapping import map_row
from etl.defs.intake.messages import LANGS, Lang
from etl.defs.intake.prepare import Period, prepare
from etl.defs.intake.readers import DEFAULT_LIMITS, ReadLimits, read_extract
from etl.defs.intake.records import INSTITUTIONS, VictimRecord
from etl.defs.intake.report import ReportCounts, ValidationReport
from etl.defs.intake.suites import PERIOD_FIRST, PERIOD_LAST, TODAY

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class IntakeResult:
    report: ValidationReport
    records: list[VictimRecord] = field(default_factory=list)  # empty when rejected
    # check name -> (passed, metadata without personal values); empty when the file was unreadable
    gx_findings: dict[str, tuple[bool, dict]] = field(default_factory=dict)
    content_sha256: str = ""


def _declaration_findings(institution: str, period: str, today: dt.date) -> list[Finding]:
    found: list[Finding] = []
    if institution not in INSTITUTIONS:
        found.append(finding("error", "INSTITUTION_UNKNOWN", allowed=INSTITUTIONS))
    if not isinstance(period, str) or not _PERIOD.match(period):
        found.append(finding("error", "PERIOD_INVALID"))
    elif Period.parse(period).first > today:
        found.append(finding("error", "PERIOD_IN_FUTURE", declared=period))
    return found


def _report(
    institution: str,
    period: str,
    findings: list[Finding],
    sha: str,
    lang: Lang,
    record_label: str = "row",
    counts: ReportCounts | None = None,
) -> ValidationReport:
    verdict = "rejected" if any(f.severity == "error" for f in findings) else "accepted"
    ordered = tuple(sorted(findings, key=Finding.sort_key))
    return ValidationReport(
        institution=institution if institution in INSTITUTIONS else "?",
        period=period if isinstance(period, str) and _PERIOD.match(period) else "?",
        verdict=verdict,
        counts=counts or ReportCounts(),
        findings=ordered,
        content_sha256=sha,
        record_label=record_label,
        lang=lang,
    )


def validate_extract(
    institution: str,
    period: str,
    data: bytes,
    filename: str,
    *,
    today: dt.date | None = None,
    lang: Lang = "es",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IntakeResult:
    """Validate one monthly extract and, when it passes, turn it into VictimRecords.

    `filename` is only a hint (files are recognised by content) and never appears in the report:
    officials sometimes name files after a victim.
    """
    del filename  # the content decides the format; see the docstring
    lang = lang if lang in LANGS else "es"
    today = today or dt.date.today()
    sha = hashlib.sha256(data).hexdigest()
    declared = _declaration_findings(institution, period, today)
    if declared:
        return IntakeResult(_report(institution, period, declared, sha, lang), content_sha256=sha)

    contract = load_contract(institution)
    label = contract.record_label
    try:
        raw = read_extract(contract, data, period, limits)
    except ExtractRejected as rejected:
        return IntakeResult(_report(institution, period, rejected.findings, sha, lang, label), content_sha256=sha)

    prepared = prepare(contract, raw, period)
    month = Period.parse(period)
    parameters = {PERIOD_FIRST: ymd(month.first), PERIOD_LAST: ymd(month.last), TODAY: ymd(today)}
    display = {"first": month.first.isoformat(), "last": month.last.isoformat(), "today": today.isoformat()}
    result = run_suite(institution, prepared.frame, parameters)
    order = [e.meta["check"] for e in load_suite(institution).expectations]
    gx_errors = findings_from_result(result, order=order, frame_columns=prepared.frame.columns, display=display)
    gx_errors = [_with_conflicting_rows(f, prepared.conflicts) for f in gx_errors]

    resolved: dict = {}  # coded and typed cells repeat on every row: resolved once each
    mapped = [map_row(contract, row, period, resolved) for row in prepared.rows]
    findings = [*raw.notices, *prepared.findings, *gx_errors]
    for _, warnings in mapped:
        findings += warnings
    accepted = not any(f.severity == "error" for f in findings)
    records = [record for record, _ in mapped] if accepted else []
    counts = ReportCounts(
        records_read=prepared.records_read,
        duplicates_dropped=prepared.duplicates_dropped,
        records_accepted=len(records),
        rows_with_errors=len({f.row for f in findings if f.severity == "error" and f.row is not None}),
    )
    report = _report(institution, period, findings, sha, lang, label, counts)
    return IntakeResult(report, records, findings_by_expectation(result), sha)


def _with_conflicting_rows(found: Finding, conflicts: dict[int, tuple[int, ...]]) -> Finding:
    if found.rule != "DUPLICATE_CONFLICT" or found.row is None:
        return found
    others = conflicts.get(found.row, ())
    return finding(
        found.severity,
        found.rule,
        row=found.row,
        column=found.column,
        record=found.record,
        **{**found.params, "other_rows": others},
    )
