"""Delimited text exports (MP: cp1252 with `;`; MINMUJER: UTF-8 with `,`).

Quirks handled: UTF-8 BOM, a UTF-8 file where cp1252 was promised (and the reverse), quoted line
breaks and delimiters inside RELATO, CRLF or LF line ends, blank lines anywhere, a `TOTAL;<n>`
footer, stray whitespace, columns in another order, columns the contract does not know (ignored,
with a warning). Row numbers are the line where each record starts, as in a text editor.
"""

from __future__ import annotations

import csv
import io
import threading

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.normalize import clean_cell, fold
from etl.defs.intake.readers.base import (
    RawExtract,
    ReadLimits,
    build_extract,
    header_findings,
    looks_like_header,
    match_header,
    reject,
)
from etl.defs.intake.readers.content import decode_text, line_of, oversized_csv_field, sniff

# csv.field_size_limit is process-wide: hold it only while one file is parsed.
_FIELD_LIMIT_LOCK = threading.Lock()
# A UTF-8 character takes at most 4 bytes: a field within the character limit fits in 4x bytes.
_MAX_BYTES_PER_CHAR = 4


def _is_blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


def read_csv(contract: Contract, data: bytes, limits: ReadLimits) -> RawExtract:
    fmt = contract.format
    kind = sniff(data)
    if kind != "text":
        raise reject(finding("error", "FILE_TYPE", found=kind, expected="csv"))

    oversized_at = oversized_csv_field(data, fmt.delimiter, fmt.quotechar, limits.max_field_chars * _MAX_BYTES_PER_CHAR)
    if oversized_at is not None:
        raise reject(finding("error", "FIELD_TOO_LARGE", row=line_of(data, oversized_at), limit=limits.max_field_chars))

    decoded = decode_text(data, fmt.encoding, "csv")
    findings: list[Finding] = list(decoded.findings)
    with _FIELD_LIMIT_LOCK:
        previous_limit = csv.field_size_limit(limits.max_field_chars)
        try:
            rows = _parse(decoded.text, fmt.delimiter, fmt.quotechar)
        finally:
            csv.field_size_limit(previous_limit)
    return _to_extract(contract, rows, findings, limits)


def _parse(text: str, delimiter: str, quotechar: str) -> list[tuple[int, list[str]]]:
    """(first line of the record, fields) for every physical record, blank ones included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quotechar, strict=True)
    parsed: list[tuple[int, list[str]]] = []
    last_line = 0
    try:
        for row in reader:
            parsed.append((last_line + 1, row))
            last_line = reader.line_num
    except csv.Error as error:
        rule = "FIELD_TOO_LARGE" if "field larger than field limit" in str(error) else "CSV_MALFORMED"
        params = {"limit": csv.field_size_limit()} if rule == "FIELD_TOO_LARGE" else {}
        raise reject(finding("error", rule, row=last_line + 1, **params)) from None
    return parsed


def _to_extract(
    contract: Contract, rows: list[tuple[int, list[str]]], findings: list[Finding], limits: ReadLimits
) -> RawExtract:
    fmt = contract.format
    non_blank = [(line, row) for line, row in rows if not _is_blank(row)]
    if not non_blank:
        raise reject(finding("error", "FILE_EMPTY"))
    header_line, header = non_blank[0]
    match = match_header(contract, header)
    if not looks_like_header(contract, match):
        example = fmt.delimiter.join(contract.column_names[:3])
        raise reject(finding("error", "HEADER_INVALID", row=header_line, delimiter=fmt.delimiter, example=example))
    findings += header_findings(match)
    if match.duplicates:
        raise reject(*findings)

    footer_label = fold(fmt.footer_label) if fmt.footer_label else None
    footer_count: str | None = None
    footer_line: int | None = None
    records: list[dict[str, str | None]] = []
    file_rows: list[int] = []
    errors: list[Finding] = []
    for line, row in non_blank[1:]:
        if footer_label and fold(row[0]) == footer_label:
            footer_line = line
            footer_count = row[1].strip() if len(row) > 1 else ""
            continue
        if footer_line is not None:
            errors.append(finding("error", "DATA_AFTER_FOOTER", row=line))
            continue
        width = len(header)
        # Trailing empty fields (a `;` too many) are harmless; anything else means shifted columns.
        if len(row) != width and not (len(row) > width and _is_blank(row[width:])):
            errors.append(finding("error", "ROW_SHAPE", row=line, found=len(row), expected=width, delimiter=fmt.delimiter))
            continue
        records.append({name: clean_cell(row[pos]) for name, pos in match.positions.items()})
        file_rows.append(line)
        if len(records) > limits.max_records:
            raise reject(finding("error", "TOO_MANY_RECORDS", limit=limits.max_records))
    if errors:
        raise reject(*findings, *errors)

    if footer_line is not None:
        if footer_count and footer_count.isdigit():
            if int(footer_count) != len(records):
                findings.append(finding("warning", "TOTAL_MISMATCH", row=footer_line, declared=int(footer_count), found=len(records)))
        else:
            findings.append(finding("warning", "TOTAL_INVALID", row=footer_line))
    columns = [name for name in contract.column_names if name in match.positions]
    return build_extract(contract, columns, records, file_rows, findings)
