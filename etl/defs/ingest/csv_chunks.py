"""A delimited extract read as a stream of RawExtract chunks, with the intake reader's rules.

`etl.defs.intake.readers.csv_reader` reads a whole file (it needs the bytes in memory). This is
the same reader for files too large for that, built from the same pieces: content sniffing and
strict decoding (`content.decode_text`, applied to line-aligned blocks, which gives the whole
file's verdict because UTF-8 validity is local and a line feed never sits inside a character),
header matching (`base.match_header`, `looks_like_header`, `header_findings`), cell cleaning
(`normalize.clean_cell`) and `base.build_extract`. Row numbers are the line where each record
starts and record ordinals count from 1 over the whole file, as the whole-file reader numbers
them, so every finding points at the same place in the agency's file.

Only the row loop is streaming-specific: the TOTAL footer, data after it and rows of the wrong
width are checked as rows go by; these errors do not stop the stream (the whole-file reader
reports all of them at once too), fatal ones (no header, malformed quoting) raise ExtractRejected.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import ExtractRejected, Finding, finding
from etl.defs.intake.normalize import clean_cell, fold
from etl.defs.intake.readers.base import (
    DEFAULT_LIMITS,
    RawExtract,
    ReadLimits,
    build_extract,
    header_findings,
    looks_like_header,
    match_header,
    reject,
)
from etl.defs.intake.readers.content import _label, decode_text, sniff

BLOCK_BYTES = 8 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class TextEncoding:
    codec: str  # what to open the file with ("utf-8-sig" when it starts with a BOM)
    notices: tuple[Finding, ...]


def _expected(encoding: str) -> str:
    name = codecs.lookup(encoding).name.replace("_", "-")
    return "cp1252" if name in ("cp1252", "windows-1252") else name


def _line_blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks of about BLOCK_BYTES that end at a line feed (the last one may not).

    A line longer than MAX_LINE_BYTES cannot hold a record within the field limits: refused here,
    before it is held in memory whole.
    """
    carry = b""
    lines = 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            block = carry + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                if len(block) > MAX_LINE_BYTES:
                    raise reject(finding("error", "FIELD_TOO_LARGE", row=lines + 1, limit=DEFAULT_LIMITS.max_field_chars))
                carry = block
                continue
            carry = block[cut:]
            lines += block.count(b"\n", 0, cut)
            yield block[:cut]
    if carry:
        yield carry


def detect_encoding(path: Path, contract: Contract) -> TextEncoding:
    """The whole-file decoding verdict (`decode_text`), reached one line-aligned block at a time.

    Raises ExtractRejected: empty file, not text, or text in no encoding an agency uses.
    """
    expected = _expected(contract.format.encoding)
    bom = False
    found_utf8 = found_cp1252 = False
    if path.stat().st_size == 0:
        raise reject(finding("error", "FILE_EMPTY"))
    for number, block in enumerate(_line_blocks(path)):
        if number == 0:
            if block.isspace():
                raise reject(finding("error", "FILE_EMPTY"))
            kind = sniff(block)
            if kind != "text":
                raise reject(finding("error", "FILE_TYPE", found=kind, expected="csv"))
            bom = block.startswith(codecs.BOM_UTF8)
        decoded = decode_text(block, expected, "csv")
        found_utf8 |= decoded.encoding == "utf-8" and (number == 0 and bom or not block.isascii())
        found_cp1252 |= decoded.encoding == "cp1252" and not block.isascii()
        if bom and found_cp1252:
            # A BOM promises UTF-8: the whole-file reader refuses the file rather than guess.
            raise reject(finding("error", "ENCODING_INVALID", expected=_label(expected)))
    if bom:
        encoding, codec = "utf-8", "utf-8-sig"
    elif found_cp1252:
        encoding = codec = "cp1252"
    elif found_utf8:
        encoding = codec = "utf-8"
    else:
        encoding = codec = expected
    notices: tuple[Finding, ...] = ()
    if encoding != expected:
        notices = (finding("notice", "ENCODING_FALLBACK", found=_label(encoding), expected=_label(expected)),)
    return TextEncoding(codec, notices)


def _is_blank(row: list[str]) -> bool:
    return all(not cell.strip() for cell in row)


@dataclass
class StreamedRead:
    """What the reader learns while streaming; complete once the chunks are exhausted."""

    notices: list[Finding] = field(default_factory=list)  # decoding and header (warnings, notices)
    errors: list[Finding] = field(default_factory=list)  # rows that make the file unreadable as a whole
    footer: list[Finding] = field(default_factory=list)  # the TOTAL line disagrees (only for a readable file)
    records: int = 0

    @property
    def rejected(self) -> bool:
        return bool(self.errors)


class CsvChunks:
    """Iterate `chunks()` once; `state` then holds the reader's findings and the record count."""

    def __init__(self, contract: Contract, path: Path, encoding: TextEncoding, limits: ReadLimits, chunk_rows: int):
        if contract.format.kind != "csv":
            raise ValueError(f"{contract.institution}: la lectura por partes solo admite archivos CSV")
        if chunk_rows < 1:
            raise ValueError("chunk_rows debe ser al menos 1")
        self.contract = contract
        self.path = path
        self.encoding = encoding
        self.limits = limits
        self.chunk_rows = chunk_rows
        self.state = StreamedRead(notices=list(encoding.notices))

    def _rows(self, text: io.TextIOBase) -> Iterator[tuple[int, list[str]]]:
        fmt = self.contract.format
        reader = csv.reader(text, delimiter=fmt.delimiter, quotechar=fmt.quotechar, strict=True)
        last_line = 0
        limit = self.limits.max_field_chars
        try:
            for row in reader:
                line = last_line + 1
                last_line = reader.line_num
                # csv.field_size_limit is process-wide; the limit is checked here instead.
                if row and max(map(len, row)) > limit:
                    raise reject(finding("error", "FIELD_TOO_LARGE", row=line, limit=limit))
                yield line, row
        except csv.Error as error:
            rule = "FIELD_TOO_LARGE" if "field larger than field limit" in str(error) else "CSV_MALFORMED"
            params = {"limit": limit} if rule == "FIELD_TOO_LARGE" else {}
            raise reject(finding("error", rule, row=last_line + 1, **params)) from None

    def chunks(self) -> Iterator[RawExtract]:
        """RawExtracts of at most `chunk_rows` records; at least one, even for a file without records."""
        fmt = self.contract.format
        state = self.state
        with self.path.open("rb") as raw, io.TextIOWrapper(raw, encoding=self.encoding.codec, newline="") as text:
            rows = (item for item in self._rows(text) if not _is_blank(item[1]))
            first = next(rows, None)
            if first is None:
                raise reject(finding("error", "FILE_EMPTY"))
            header_line, header = first
            match = match_header(self.contract, header)
            if not looks_like_header(self.contract, match):
                example = fmt.delimiter.join(self.contract.column_names[:3])
                raise reject(finding("error", "HEADER_INVALID", row=header_line, delimiter=fmt.delimiter, example=example))
            state.notices += header_findings(match)
            if match.duplicates:
                raise ExtractRejected(state.notices)
            columns = [name for name in self.contract.column_names if name in match.positions]

            footer_label = fold(fmt.footer_label) if fmt.footer_label else None
            footer: tuple[int, str] | None = None
            width = len(header)
            records: list[dict[str, str | None]] = []
            file_rows: list[int] = []
            emitted = False
            for line, row in rows:
                if footer_label and fold(row[0]) == footer_label:
                    footer = (line, row[1].strip() if len(row) > 1 else "")
                    continue
                if footer is not None:
                    state.errors.append(finding("error", "DATA_AFTER_FOOTER", row=line))
                    continue
                # Trailing empty fields (a delimiter too many) are harmless; anything else shifts columns.
                if len(row) != width and not (len(row) > width and _is_blank(row[width:])):
                    state.errors.append(
                        finding("error", "ROW_SHAPE", row=line, found=len(row), expected=width, delimiter=fmt.delimiter)
                    )
                    continue
                records.append({name: clean_cell(row[pos]) for name, pos in match.positions.items()})
                file_rows.append(line)
                if state.records + len(records) > self.limits.max_records:
                    raise reject(finding("error", "TOO_MANY_RECORDS", limit=self.limits.max_records))
                if len(records) == self.chunk_rows:
                    yield self._chunk(columns, records, file_rows)
                    emitted = True
                    records, file_rows = [], []
            if records or not emitted:
                yield self._chunk(columns, records, file_rows)
        if footer is not None:
            line, count = footer
            if count.isdigit():
                if int(count) != state.records:
                    state.footer.append(finding("warning", "TOTAL_MISMATCH", row=line, declared=int(count), found=state.records))
            else:
                state.footer.append(finding("warning", "TOTAL_INVALID", row=line))

    def _chunk(self, columns: list[str], records: list[dict[str, str | None]], file_rows: list[int]) -> RawExtract:
        extract = build_extract(self.contract, columns, records, file_rows, [])
        first = self.state.records + 1
        self.state.records += len(records)
        # build_extract numbers records from 1; over the whole file they continue from the last chunk.
        extract.source_rows = list(range(first, first + len(records)))
        return extract
