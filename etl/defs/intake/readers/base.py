"""What every reader returns, the limits every reader enforces, and what they share.

A reader's only job is to turn bytes into a table of strings keyed by the agency's own column
names, with each record's row number as the official sees it. It interprets nothing (no dates, no
codes): that is prepare.py's job, so every format is validated by the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import ExtractRejected, Finding, finding
from etl.defs.intake.normalize import clean_cell, fold

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_file_bytes: int = 50 * MB
    max_field_chars: int = 10_000
    # An XLSX of legitimate extracts inflates 5-20x; anything past these is a decompression bomb.
    max_decompressed_bytes: int = 256 * MB
    max_compression_ratio: int = 200
    max_zip_members: int = 2_000
    max_records: int = 200_000


DEFAULT_LIMITS = ReadLimits()


@dataclass
class RawExtract:
    """An extract as read: strings (None for blank) under the agency's column names."""

    institution: str
    frame: pd.DataFrame  # one row per record, object dtype, only columns the contract knows
    file_rows: list[int]  # row (CSV line / Excel row / position in `casos`) where each record starts
    source_rows: list[int]  # record ordinal: 1 for the first record, blank rows and footers not counted
    notices: list[Finding] = field(default_factory=list)  # warnings and notices met while reading

    def __post_init__(self) -> None:
        if not (len(self.frame) == len(self.file_rows) == len(self.source_rows)):
            raise ValueError("frame, file_rows and source_rows must have one entry per record")

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.frame.columns)


def text_of(value: object) -> str | None:
    """A cell (from any format) as the string the official typed; numbers lose a spurious `.0`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        # A cédula stored as a number arrives as 4567890.0: the official typed 4567890.
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return clean_cell(str(value))


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    positions: dict[str, int]  # contract column -> position in the file's header
    unknown: list[tuple[int, str]]  # (position, header as written) not in the contract
    duplicates: list[str]  # contract columns named twice


def match_header(contract: Contract, header: Sequence[str | None]) -> HeaderMatch:
    by_key = {fold(name): name for name in contract.column_names}
    positions: dict[str, int] = {}
    unknown: list[tuple[int, str]] = []
    duplicates: list[str] = []
    for position, cell in enumerate(header):
        if cell is None or not cell.strip():
            continue
        name = by_key.get(fold(cell.lstrip("\ufeff")))
        if name is None:
            unknown.append((position, cell.strip()))
        elif name in positions:
            duplicates.append(name)
        else:
            positions[name] = position
    return HeaderMatch(positions, unknown, duplicates)


def looks_like_header(contract: Contract, match: HeaderMatch) -> bool:
    """At least half the contract's columns must be there, or this is not the header row at all."""
    return len(match.positions) * 2 >= len(contract.columns)


def header_findings(match: HeaderMatch) -> list[Finding]:
    found: list[Finding] = [finding("error", "COLUMN_DUPLICATE", column=name) for name in match.duplicates]
    # Column names are the file's structure, not its data: naming an ignored one helps the agency.
    found += [finding("warning", "COLUMN_UNKNOWN", column=name[:80]) for _, name in match.unknown]
    return found


def build_extract(
    contract: Contract,
    columns: Sequence[str],
    records: list[dict[str, str | None]],
    file_rows: list[int],
    findings: list[Finding],
) -> RawExtract:
    frame = pd.DataFrame.from_records(records, columns=list(columns)) if records else pd.DataFrame(columns=list(columns))
    frame = frame.astype(object).where(frame.notna(), None)
    return RawExtract(
        institution=contract.institution,
        frame=frame,
        file_rows=file_rows,
        source_rows=list(range(1, len(records) + 1)),
        notices=findings,
    )


def reject(*findings: Finding) -> ExtractRejected:
    return ExtractRejected(list(findings))
