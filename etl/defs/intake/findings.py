"""One problem found in an extract: where (the agency's row and column), which rule, how serious.

A finding never holds a value from the file. Its `params` carry only what the rule expected (allowed
codes, limits, formats), counts and row numbers, so a report built from findings can be sent back
to an agency, shown on a dashboard or logged without exposing a victim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Severity = Literal["error", "warning", "notice"]
ParamValue = str | int | tuple[int, ...] | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    rule: str  # stable code, e.g. CODE_UNKNOWN; messages.py holds its text
    row: int | None = None  # row (or case) number as the agency sees it in its own file
    column: str | None = None  # column (or field) as the agency names it
    record: int | None = None  # ordinal of the record (source_row), when the finding is about one
    params: Mapping[str, ParamValue] = field(default_factory=lambda: MappingProxyType({}))

    def sort_key(self) -> tuple[int, int, str, str]:
        return (self.row if self.row is not None else -1, 0, self.column or "", self.rule)

    def __reduce__(self):  # a read-only params view does not pickle (the streaming ingest's worker sends findings)
        return (_unpickle_finding, (self.severity, self.rule, self.row, self.column, self.record, dict(self.params)))


def _unpickle_finding(severity: Severity, rule: str, row: int | None, column: str | None, record: int | None,
                      params: dict[str, ParamValue]) -> Finding:
    return Finding(severity, rule, row, column, record, MappingProxyType(params))


def finding(
    severity: Severity,
    rule: str,
    *,
    row: int | None = None,
    column: str | None = None,
    record: int | None = None,
    **params: ParamValue,
) -> Finding:
    return Finding(severity, rule, row, column, record, MappingProxyType(dict(params)))


class ExtractRejected(Exception):
    """Raised inside the intake when a file cannot be read at all; carries findings, never values."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(", ".join(sorted({f.rule for f in findings})))
        self.findings = findings
