"""Validation reports as the portal shows them, rebuilt from what the register stored.

`core.fact_extract.report_json` is `ValidationReport.to_dict()`; rebuilding the report object
(rather than serving the stored messages) lets a report be read in either language and in the
intake's own HTML, and keeps one renderer for the CLI, e-mail and portal. The stored dict holds
rows, columns, rules and the rules' expected values only: never a value from the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from etl.defs.intake.findings import Finding
from etl.defs.intake.messages import describe
from etl.defs.intake.report import MAX_LISTED, ReportCounts, ValidationReport


@dataclass(frozen=True)
class FindingRow:
    """One line of the "what to fix" table."""

    severity: str
    row: int | None
    column: str | None
    text: str


def _param(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _finding(item: dict[str, Any]) -> Finding:
    params = {k: _param(v) for k, v in (item.get("params") or {}).items()}
    return Finding(item["severity"], item["rule"], item.get("row"), item.get("column"), item.get("record"), MappingProxyType(params))


def report_from_dict(stored: dict[str, Any]) -> ValidationReport:
    counts = stored.get("counts") or {}
    return ValidationReport(
        institution=stored["institution"],
        period=stored["period"],
        verdict=stored["verdict"],
        counts=ReportCounts(
            records_read=int(counts.get("records_read", 0)),
            duplicates_dropped=int(counts.get("duplicates_dropped", 0)),
            records_accepted=int(counts.get("records_accepted", 0)),
            rows_with_errors=int(counts.get("rows_with_errors", 0)),
        ),
        findings=tuple(_finding(item) for item in stored.get("findings") or ()),
        content_sha256=stored.get("content_sha256", ""),
        record_label=stored.get("record_label", "row"),
    )


def finding_rows(stored: dict[str, Any], lang: str) -> list[FindingRow]:
    """Errors first, then warnings and notices, at most MAX_LISTED (the JSON keeps them all)."""
    report = report_from_dict(stored)
    ordered = [*report.errors, *report.warnings, *report.notices][:MAX_LISTED]
    rows = []
    for item, original in zip(ordered, _originals(stored, ordered)):
        try:
            text = describe(item, lang, report.record_label)  # type: ignore[arg-type]
        except KeyError:
            # A rule retired since the report was stored: its stored message still says it.
            text = (original.get("message") or {}).get(lang, item.rule)
        rows.append(FindingRow(item.severity, item.row, item.column, text))
    return rows


def _originals(stored: dict[str, Any], ordered: list[Finding]) -> list[dict[str, Any]]:
    by_identity = {}
    for item in stored.get("findings") or ():
        by_identity.setdefault((item["severity"], item["rule"], item.get("row"), item.get("column")), item)
    return [by_identity.get((f.severity, f.rule, f.row, f.column), {}) for f in ordered]


def more_count(stored: dict[str, Any]) -> int:
    return max(0, len(stored.get("findings") or ()) - MAX_LISTED)
