"""From a RawExtract to what validation needs: parsed cells, duplicates dropped, the GX frame.

Identical duplicate rows (same content once formatting is normalized: an Excel date and the same
date typed as text are one value) are dropped here with a warning, before validation. Rows that
share the source key and the victim but differ in content are kept: the suite's uniqueness
expectation fails them, since the intake cannot know which one is right.

The victim identity behind that key is the victim's document number when there is one, else her
names (and birth date): for MP the case number alone is shared by every victim of a case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.defs.intake import helper_columns as h
from etl.defs.intake.cells import age_on, compact_document, document_shape, parse_age, parse_date, ymd
from etl.defs.intake.contracts import ColumnSpec, Contract
from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.normalize import collapse_spaces, fold
from etl.defs.intake.readers.base import RawExtract


@dataclass(repr=False)
class PreparedRow:
    file_row: int
    source_row: int
    cells: dict[str, str | None]  # every contract column (None when blank or absent from the file)
    dates: dict[str, dt.date] = field(default_factory=dict)  # date columns that parsed
    ages: dict[str, int] = field(default_factory=dict)  # age columns that parsed
    invalid: set[str] = field(default_factory=set)  # date/age columns that did not parse
    # Every column's canonical value (`fingerprint`): what "identical rows" compares, within a
    # file and across a large file's chunks (`etl.defs.ingest.cross_chunk`). Personal data.
    fingerprint: tuple = ()

    def __repr__(self) -> str:
        # Never the cells: a repr can end up in a traceback, a log or a test report.
        return f"PreparedRow(file row {self.file_row}, record {self.source_row}, personal data hidden)"


@dataclass
class PreparedExtract:
    rows: list[PreparedRow]  # duplicates removed
    frame: pd.DataFrame  # what the expectation suite validates
    findings: list[Finding]
    records_read: int
    duplicates_dropped: int
    conflicts: dict[int, tuple[int, ...]]  # file row -> other file rows with the same key and victim


@dataclass(frozen=True, slots=True)
class Period:
    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, period: str) -> Period:
        first = dt.date.fromisoformat(f"{period}-01")
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return cls(first, following - dt.timedelta(days=1))


def _parse_row(
    contract: Contract, raw: dict[str, str | None], file_row: int, source_row: int, dates: dict[str, dt.date | None]
) -> PreparedRow:
    """`dates`: the chunk's cells already parsed as dates (a month's registration dates repeat
    by the thousand; strptime is the costliest part of parsing). Personal data: it dies with the chunk."""
    cells = {name: raw.get(name) for name in contract.column_names}
    row = PreparedRow(file_row, source_row, cells)
    for spec in contract.columns:
        value = cells[spec.name]
        if value is None:
            continue
        if spec.kind == "date":
            if value in dates:
                parsed = dates[value]
            else:
                parsed = dates[value] = parse_date(value, contract.date_formats)
            if parsed is None:
                row.invalid.add(spec.name)
            else:
                row.dates[spec.name] = parsed
        elif spec.kind == "age":
            years = parse_age(value)
            if years is None:
                row.invalid.add(spec.name)
            else:
                row.ages[spec.name] = years
    return row


def fingerprint(contract: Contract, row: PreparedRow) -> tuple:
    """The row's canonical values, computed once and kept on the row."""
    if not row.fingerprint:
        row.fingerprint = tuple(_canonical(spec, row) for spec in contract.columns)
    return row.fingerprint


def _canonical(spec: ColumnSpec, row: PreparedRow) -> object:
    value = row.cells[spec.name]
    if value is None:
        return None
    if spec.name in row.dates:
        return row.dates[spec.name]
    if spec.name in row.ages:
        return row.ages[spec.name]
    if spec.kind == "document":
        return compact_document(value)
    return collapse_spaces(value)


def _identity(contract: Contract, row: PreparedRow) -> str:
    if not contract.key_shared_by_victims:
        return ""
    document = row.cells.get(contract.identity_document) if contract.identity_document else None
    if document and compact_document(document):
        basis = "d:" + compact_document(document)
    else:
        parts = []
        for name in contract.identity_names:
            if name in row.dates:
                parts.append(row.dates[name].isoformat())
            else:
                parts.append(fold(row.cells.get(name) or ""))
        basis = "n:" + "|".join(parts)
    # A digest, so the validation frame never holds the identity itself.
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _is_cedula(spec: ColumnSpec, row: PreparedRow) -> bool:
    rule = spec.cedula
    if rule is None or rule.mode == "digits_only":
        return False
    if rule.mode == "always":
        return True
    selector = row.cells.get(rule.column or "")
    return selector is not None and fold(selector) in rule.values


def _code_value(spec: ColumnSpec, value: str | None) -> str | None:
    if value is None:
        return None
    if spec.multi:
        return "|".join(spec.code_key(part) for part in value.split("|") if part.strip()) or None
    return spec.code_key(value)


def _registration_age(contract: Contract, row: PreparedRow, column: str) -> int | None:
    birth = row.dates.get(column)
    registered = row.dates.get(contract.registration_date)
    return age_on(birth, registered) if birth and registered else None


def _frame(contract: Contract, rows: list[PreparedRow], present: frozenset[str]) -> pd.DataFrame:
    columns: dict[str, list] = {
        h.FILE_ROW: [r.file_row for r in rows],
        h.SOURCE_ROW: [r.source_row for r in rows],
        h.KEY: [r.cells[contract.source_key] for r in rows],
        h.IDENTITY: [_identity(contract, r) for r in rows],
    }
    nan = float("nan")
    for spec in contract.columns:
        name = spec.name
        values = [r.cells[name] for r in rows]
        if name in present:
            # GX sees whether a cell is filled, not what it holds: every value it checks arrives
            # through a derived helper column. Only the source key (a case number) is passed as is.
            columns[name] = values if spec.kind == "key" else [h.PRESENT if v is not None else None for v in values]
        if spec.kind == "date":
            columns[h.date_check(name)] = [
                None if r.cells[name] is None else (h.INVALID if name in r.invalid else h.OK) for r in rows
            ]
            if spec.role == "birth_date":
                ages = [_registration_age(contract, r, name) for r in rows]
                columns[h.age(name)] = [float(a) if a is not None else nan for a in ages]
            else:
                columns[h.date_number(name)] = [float(ymd(r.dates[name])) if name in r.dates else nan for r in rows]
        elif spec.kind == "age":
            columns[h.number_check(name)] = [
                None if r.cells[name] is None else (h.INVALID if name in r.invalid else h.OK) for r in rows
            ]
            columns[h.age(name)] = [float(r.ages[name]) if name in r.ages else nan for r in rows]
        elif spec.kind == "coded":
            columns[h.code(name)] = [_code_value(spec, v) for v in values]
        elif spec.kind == "document":
            is_cedula = [_is_cedula(spec, r) for r in rows]
            shapes = [document_shape(v) if v is not None else None for v in values]
            columns[h.cedula_shape(name)] = [s if c else None for s, c in zip(shapes, is_cedula, strict=True)]
            columns[h.document_shape(name)] = [None if c else s for s, c in zip(shapes, is_cedula, strict=True)]
    integer = (h.FILE_ROW, h.SOURCE_ROW)
    return pd.DataFrame(
        {
            name: (
                np.asarray(values, dtype=np.int64 if name in integer else np.float64)
                if h.is_numeric(name)
                else pd.Series(values, dtype=object)
            )
            for name, values in columns.items()
        }
    )


def _drop_identical(contract: Contract, rows: list[PreparedRow]) -> tuple[list[PreparedRow], list[Finding]]:
    first_seen: dict[tuple, int] = {}
    kept: list[PreparedRow] = []
    findings: list[Finding] = []
    for row in rows:
        canonical = fingerprint(contract, row)
        if canonical in first_seen:
            findings.append(
                finding("warning", "DUPLICATE_DROPPED", row=row.file_row, record=row.source_row, first_row=first_seen[canonical])
            )
            continue
        first_seen[canonical] = row.file_row
        kept.append(row)
    return kept, findings


def _conflicts(contract: Contract, rows: list[PreparedRow], frame: pd.DataFrame) -> dict[int, tuple[int, ...]]:
    groups: dict[tuple[str | None, str], list[int]] = {}
    for row, identity in zip(rows, frame[h.IDENTITY], strict=True):
        groups.setdefault((row.cells[contract.source_key], identity), []).append(row.file_row)
    conflicts: dict[int, tuple[int, ...]] = {}
    for (key, _), file_rows in groups.items():
        if key is not None and len(file_rows) > 1:
            for file_row in file_rows:
                conflicts[file_row] = tuple(r for r in file_rows if r != file_row)
    return conflicts


def _period_findings(contract: Contract, rows: list[PreparedRow], period: str) -> list[Finding]:
    """Most registration dates in another month: the wrong month's file was probably uploaded."""
    months = Counter(
        r.dates[contract.registration_date].strftime("%Y-%m") for r in rows if contract.registration_date in r.dates
    )
    total = sum(months.values())
    outside = total - months.get(period, 0)
    if total and outside * 2 > total:
        found, count = max(((m, c) for m, c in months.items() if m != period), key=lambda item: item[1])
        return [finding("error", "PERIOD_DATES_MISMATCH", declared=period, found=found, share=round(100 * count / total))]
    return []


def _facts_findings(contract: Contract, rows: list[PreparedRow]) -> list[Finding]:
    found: list[Finding] = []
    for spec in contract.columns_with_role("facts_date"):
        for row in rows:
            facts, registered = row.dates.get(spec.name), row.dates.get(contract.registration_date)
            if facts and registered and facts > registered:
                found.append(
                    finding(
                        "warning",
                        "DATE_AFTER_REGISTRATION",
                        row=row.file_row,
                        column=spec.name,
                        record=row.source_row,
                        registration_column=contract.registration_date,
                    )
                )
    return found


def prepare(contract: Contract, raw: RawExtract, period: str) -> PreparedExtract:
    records = raw.frame.to_dict(orient="records")
    dates: dict[str, dt.date | None] = {}
    parsed = [
        _parse_row(contract, record, file_row, source_row, dates)
        for record, file_row, source_row in zip(records, raw.file_rows, raw.source_rows, strict=True)
    ]
    dates.clear()
    rows, findings = _drop_identical(contract, parsed)
    present = frozenset(raw.columns)
    frame = _frame(contract, rows, present)
    findings += _period_findings(contract, rows, period)
    findings += _facts_findings(contract, rows)
    return PreparedExtract(
        rows=rows,
        frame=frame,
        findings=findings,
        records_read=len(parsed),
        duplicates_dropped=len(parsed) - len(rows),
        conflicts=_conflicts(contract, rows, frame),
    )
