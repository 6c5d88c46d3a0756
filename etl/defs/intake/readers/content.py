"""What a file really is, whatever its name says, and how its text is decoded.

The extension an official gives a file is a hint at best: a PNG renamed `.csv` or a CSV renamed
`.xlsx` must be refused with a message saying what the file actually is. Text is decoded strictly
(never with replacement characters, which would silently corrupt names).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np

from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.readers.base import reject

ContentKind = Literal["empty", "png", "jpeg", "gif", "pdf", "zip", "ole2", "gzip", "utf16", "binary", "text"]

_MAGIC: tuple[tuple[bytes, ContentKind], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # empty archive
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"\x1f\x8b", "gzip"),
    (b"\xff\xfe", "utf16"),
    (b"\xfe\xff", "utf16"),
)
# C0 controls other than tab, line feed, form feed and carriage return never occur in a text export.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ENCODING_LABELS = {"utf-8": "UTF-8", "cp1252": "Windows-1252"}


def sniff(data: bytes) -> ContentKind:
    if not data or data.isspace():  # no .strip(): it would copy a 50 MB upload
        return "empty"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:65536]
    if _CONTROL_BYTES.search(head):
        return "binary"
    return "text"


@dataclass(frozen=True, slots=True)
class DecodedText:
    text: str
    encoding: str  # "utf-8" or "cp1252"
    findings: tuple[Finding, ...]


def _label(encoding: str) -> str:
    return _ENCODING_LABELS.get(encoding, encoding)


def decode_text(data: bytes, expected: str, kind: str) -> DecodedText:
    """Decode an export: UTF-8 when it is UTF-8 (BOM or clean multibyte), else Windows-1252.

    A cp1252 file almost never decodes as UTF-8 by accident once it holds an accented letter, and a
    UTF-8 file read as cp1252 turns "Ñ" into "Ã‘": so strict UTF-8 first, whatever the contract says.
    """
    expected = codecs.lookup(expected).name.replace("_", "-")
    expected = "cp1252" if expected in ("cp1252", "windows-1252") else expected
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            raise reject(finding("error", "ENCODING_INVALID", expected=_label(expected))) from None
    else:
        try:
            text = data.decode("utf-8")
            encoding = "utf-8" if not text.isascii() else expected
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                encoding = "cp1252"
            except UnicodeDecodeError:
                raise reject(finding("error", "ENCODING_INVALID", expected=_label(expected))) from None
    if _CONTROL_CHARS.search(text):
        raise reject(finding("error", "FILE_TYPE", found="binary", expected=kind))
    notices: tuple[Finding, ...] = ()
    if encoding != expected:
        notices = (finding("notice", "ENCODING_FALLBACK", found=_label(encoding), expected=_label(expected)),)
    return DecodedText(text, encoding, notices)


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of a byte offset (cheap: counts newlines, decodes nothing)."""
    return data.count(b"\n", 0, offset) + 1


_SCAN_CHUNK = 8 * 1024 * 1024


def oversized_csv_field(data: bytes, delimiter: str, quotechar: str, limit_bytes: int) -> int | None:
    """Offset of the first CSV field longer than `limit_bytes`, found without decoding the file.

    Field boundaries are delimiters and line feeds outside quotes; "inside quotes" is the parity of
    the quotes seen so far (a doubled quote flips it twice). Vectorised and chunked, so a 60 MB
    field is found in a fraction of a second, never becomes a Python string, and the scan's own
    memory stays bounded.
    """
    if len(data) <= limit_bytes:
        return None
    view = memoryview(data)
    parity = 0  # quotes seen before the chunk, modulo 2
    field_start = 0
    for offset in range(0, len(data), _SCAN_CHUNK):
        raw = np.frombuffer(view[offset : offset + _SCAN_CHUNK], dtype=np.uint8)
        # uint8 wraps at 256, an even number, so the running count keeps its parity.
        quote_parity = (np.cumsum(raw == ord(quotechar), dtype=np.uint8) + parity) & 1
        boundaries = np.flatnonzero(((raw == ord(delimiter)) | (raw == 0x0A)) & (quote_parity == 0)) + offset
        if len(boundaries):
            starts = np.concatenate(([field_start], boundaries[:-1] + 1))
            lengths = boundaries - starts
            longest = int(np.argmax(lengths))
            if lengths[longest] > limit_bytes:
                return int(starts[longest])
            field_start = int(boundaries[-1]) + 1
        if offset + len(raw) - field_start > limit_bytes:
            return field_start
        parity = int(quote_parity[-1])
    return None


def oversized_json_string(data: bytes, limit_bytes: int) -> int | None:
    """Offset of the first JSON string longer than `limit_bytes`, found without parsing the file."""
    if len(data) <= limit_bytes:
        return None
    view = memoryview(data)
    opening: int | None = None  # offset of the quote that opened the current string
    for offset in range(0, len(data), _SCAN_CHUNK):
        raw = np.frombuffer(view[offset : offset + _SCAN_CHUNK], dtype=np.uint8)
        for position in (np.flatnonzero(raw == 0x22) + offset).tolist():
            if _is_escaped(data, position):
                continue
            if opening is None:
                opening = position
            else:
                if position - opening > limit_bytes:
                    return opening
                opening = None
        if opening is not None and offset + len(raw) - opening > limit_bytes:
            return opening
    return None


def _is_escaped(data: bytes, position: int) -> bool:
    """A quote preceded by an odd run of backslashes is part of the string, not its end."""
    run = 0
    while position - run - 1 >= 0 and data[position - run - 1] == 0x5C:
        run += 1
    return run % 2 == 1
