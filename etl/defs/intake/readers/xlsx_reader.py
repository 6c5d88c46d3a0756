"""Excel workbooks (PN's complaints spreadsheet).

Before openpyxl sees a byte, the archive is checked: it must be a zip holding a worksheet, its
declared and *actual* decompressed sizes must stay under the limits (every XML member is streamed
and counted, so a decompression bomb is refused without being inflated in memory), no text run may
exceed the field limit, and no DTD/entity declarations may appear (Excel never writes them).
Then openpyxl reads it in read-only mode. Formulas are read as their text, never evaluated.

Quirks handled: a title block of any length above the header, blank rows anywhere, Excel date cells
and typed dates, numbers stored as numbers or as text, columns in another order, unknown columns.
Row numbers are Excel's own row numbers.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import ExtractRejected, Finding, finding
from etl.defs.intake.normalize import fold
from etl.defs.intake.readers.base import (
    MB,
    RawExtract,
    ReadLimits,
    build_extract,
    header_findings,
    looks_like_header,
    match_header,
    reject,
    text_of,
)
from etl.defs.intake.readers.content import sniff

_CHUNK = 1 << 20
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
_TITLE_PERIOD = re.compile(r"\b(0?[1-9]|1[0-2])\s*[/-]\s*(\d{4})\b")
# Small members (styles, rels) compress far better than sheets; the ratio test is for big ones.
_RATIO_MIN_BYTES = 1 * MB
# XML escapes (&amp;, &#233;) inflate text, so the byte bound on a text run is generous.
_MAX_BYTES_PER_CHAR = 8


def read_xlsx(contract: Contract, data: bytes, limits: ReadLimits, period: str) -> RawExtract:
    kind = sniff(data)
    if kind != "zip":
        raise reject(finding("error", "XLSX_NOT_ZIP", found=kind))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile, struct errors, bad offsets: whatever it is, it is no workbook
        raise reject(finding("error", "XLSX_CORRUPT")) from None
    with archive:
        _check_archive(archive, limits)
    rows, notices = _load_rows(contract, data, limits)
    return _to_extract(contract, rows, notices, limits, period)


def _check_archive(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    members = archive.infolist()
    names = {m.filename for m in members}
    if len(members) > limits.max_zip_members:
        raise reject(finding("error", "XLSX_BOMB", limit_mb=limits.max_decompressed_bytes // MB))
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names or not any(_WORKSHEET.match(n) for n in names):
        raise reject(finding("error", "XLSX_NO_WORKSHEET"))
    bomb = finding("error", "XLSX_BOMB", limit_mb=limits.max_decompressed_bytes // MB)
    # Declared sizes first: refusing a bomb should cost nothing.
    if sum(m.file_size for m in members) > limits.max_decompressed_bytes:
        raise reject(bomb)
    for member in members:
        ratio_applies = member.file_size > _RATIO_MIN_BYTES
        if ratio_applies and member.file_size > limits.max_compression_ratio * max(member.compress_size, 1):
            raise reject(bomb)
    # Then actual sizes: a forged header may understate them, so every XML member is streamed.
    total = 0
    limit_bytes = limits.max_field_chars * _MAX_BYTES_PER_CHAR
    for member in members:
        if member.is_dir() or not member.filename.endswith((".xml", ".rels")):
            total += member.file_size
            continue
        total = _scan_member(archive, member, total, limits, limit_bytes)


def _scan_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, total: int, limits: ReadLimits, limit_bytes: int) -> int:
    run = 0  # bytes since the last "<": the length of the text node being read
    tail = b""
    read = 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                read += len(chunk)
                total += len(chunk)
                if read > member.file_size or total > limits.max_decompressed_bytes:
                    raise reject(finding("error", "XLSX_BOMB", limit_mb=limits.max_decompressed_bytes // MB))
                window = tail + chunk[:16]
                if any(marker in chunk or marker in window for marker in _DTD_MARKERS):
                    raise reject(finding("error", "XLSX_DTD"))
                tail = chunk[-16:]
                run = _longest_run(chunk, run, limit_bytes)
    except ExtractRejected:
        raise
    except Exception:
        # CRC mismatch, truncated or encrypted member, unsupported compression, corrupt deflate
        # stream (zlib.error): not a workbook we can trust.
        raise reject(finding("error", "XLSX_CORRUPT")) from None
    return total


def _longest_run(chunk: bytes, carried: int, limit_bytes: int) -> int:
    """Raise if a text run exceeds the limit; return the run still open at the chunk's end."""
    positions = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 0x3C)
    field_too_large = finding("error", "FIELD_TOO_LARGE", limit=limit_bytes // _MAX_BYTES_PER_CHAR)
    if len(positions) == 0:
        if carried + len(chunk) > limit_bytes:
            raise reject(field_too_large)
        return carried + len(chunk)
    if carried + int(positions[0]) > limit_bytes:
        raise reject(field_too_large)
    if len(positions) > 1 and int(np.max(np.diff(positions))) - 1 > limit_bytes:
        raise reject(field_too_large)
    return len(chunk) - int(positions[-1]) - 1


def _load_rows(contract: Contract, data: bytes, limits: ReadLimits) -> tuple[list[tuple[int, tuple]], list[Finding]]:
    # openpyxl is imported here: it is only needed for workbooks.
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell yields its formula text, an inert string (never evaluated).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises a zoo of types (KeyError, TypeError, InvalidFileException...)
        raise reject(finding("error", "XLSX_CORRUPT")) from None
    sheet_name = contract.format.sheet
    if sheet_name in workbook.sheetnames:
        sheet = workbook[sheet_name]
        notices: list[Finding] = []
    elif len(workbook.sheetnames) == 1:
        sheet = workbook[workbook.sheetnames[0]]
        notices = [finding("notice", "SHEET_SUBSTITUTED", sheet=sheet_name)]
    else:
        raise reject(finding("error", "SHEET_MISSING", sheet=sheet_name))
    try:
        # Read-only sheets yield empty tuples for missing rows, so enumerate gives Excel row numbers.
        rows = [(number, tuple(row)) for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        if len(rows) > limits.max_records + contract.format.header_search_rows:
            raise reject(finding("error", "TOO_MANY_RECORDS", limit=limits.max_records))
    except ExtractRejected:
        raise
    except Exception:
        raise reject(finding("error", "XLSX_CORRUPT")) from None
    finally:
        workbook.close()
    return rows, notices


def _excel_serial_date(value: object) -> str | None:
    """An Excel serial number in a date column (45763 = 2025-04-15), as an ISO date."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return from_excel(value).date().isoformat()
    return None


def _to_extract(
    contract: Contract, rows: list[tuple[int, tuple]], notices: list[Finding], limits: ReadLimits, period: str
) -> RawExtract:
    findings: list[Finding] = list(notices)
    marker = fold(contract.format.header_marker or contract.source_key)
    header_index = None
    for index, (_, row) in enumerate(rows[: contract.format.header_search_rows]):
        cells = [text_of(c) for c in row]
        if any(c is not None and fold(c) == marker for c in cells) and looks_like_header(contract, match_header(contract, cells)):
            header_index = index
            break
    if header_index is None:
        raise reject(
            finding(
                "error",
                "HEADER_NOT_FOUND",
                marker=contract.format.header_marker or contract.source_key,
                rows=contract.format.header_search_rows,
            )
        )
    findings += _title_period(rows[:header_index], period)
    header = [text_of(c) for c in rows[header_index][1]]
    match = match_header(contract, header)
    findings += header_findings(match)
    if match.duplicates:
        raise reject(*findings)

    date_columns = {name for name in match.positions if contract.column(name).kind == "date"}
    records: list[dict[str, str | None]] = []
    file_rows: list[int] = []
    unnamed_cells = 0
    for number, row in rows[header_index + 1 :]:
        cells = [text_of(c) for c in row]
        if all(c is None for c in cells):
            continue
        record: dict[str, str | None] = {}
        for name, position in match.positions.items():
            value = row[position] if position < len(row) else None
            serial = _excel_serial_date(value) if name in date_columns else None
            record[name] = serial or (cells[position] if position < len(cells) else None)
        oversized = [name for name, v in record.items() if v is not None and len(v) > limits.max_field_chars]
        if oversized:
            raise reject(finding("error", "FIELD_TOO_LARGE", row=number, column=oversized[0], limit=limits.max_field_chars))
        unnamed_cells += sum(1 for c in cells[len(header) :] if c is not None)
        records.append(record)
        file_rows.append(number)
    if unnamed_cells:
        findings.append(finding("warning", "UNNAMED_COLUMN_DATA", count=unnamed_cells))
    columns = [name for name in contract.column_names if name in match.positions]
    return build_extract(contract, columns, records, file_rows, findings)


def _title_period(title_rows: list[tuple[int, tuple]], period: str) -> list[Finding]:
    """The title block often says the month ("Denuncias registradas - 04/2025"): check it agrees."""
    for number, row in title_rows:
        for cell in row:
            if not isinstance(cell, str):
                continue
            found = _TITLE_PERIOD.search(cell)
            if found:
                title_period = f"{found.group(2)}-{int(found.group(1)):02d}"
                if title_period != period:
                    return [finding("warning", "TITLE_PERIOD_MISMATCH", row=number, declared=period, found=title_period)]
                return []
    return []
