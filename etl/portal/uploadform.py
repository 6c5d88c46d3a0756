"""Read the upload form (multipart) into memory, within a size limit, without touching disk.

Starlette's own parser spools files over 1 MB to a temporary file in clear; an extract full of
victims' data must only ever reach disk encrypted (the landing store does that). The body is
counted as it streams in, so an oversized upload is refused without being read to the end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

# Framing, the CSRF token and the month: small next to any file.
FORM_OVERHEAD_BYTES = 64 * 1024
MAX_FIELD_BYTES = 1024
MAX_PARTS = 8


class UploadTooLarge(Exception):
    """The body or the file is over the limit (carries no content)."""


class MalformedForm(Exception):
    """Not a multipart form this portal sends (carries no content)."""


@dataclass
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    file_field: str | None = None
    filename: str = ""
    content: bytes = b""


@dataclass
class _Part:
    disposition: bytes = b""
    name: str = ""
    filename: str | None = None
    data: bytearray = field(default_factory=bytearray)


class _Collector:
    def __init__(self, max_file_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.parts: list[_Part] = []
        self._part = _Part()
        self._header_name = b""
        self._header_value = b""

    def on_part_begin(self) -> None:
        if len(self.parts) >= MAX_PARTS:
            raise MalformedForm("too many parts")
        self._part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._part.disposition = self._header_value
        self._header_name = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._part.disposition)
        if b"name" not in options:
            raise MalformedForm("part without a name")
        self._part.name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            self._part.filename = options[b"filename"].decode("utf-8", "replace")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        limit = self.max_file_bytes if self._part.filename is not None else MAX_FIELD_BYTES
        if len(self._part.data) + (end - start) > limit:
            if self._part.filename is not None:
                raise UploadTooLarge()
            raise MalformedForm("field too long")
        self._part.data.extend(data[start:end])

    def on_part_end(self) -> None:
        self.parts.append(self._part)


async def read_upload_form(
    content_type: str, content_length: str | None, stream: AsyncIterator[bytes], max_file_bytes: int
) -> UploadForm:
    max_body = max_file_bytes + FORM_OVERHEAD_BYTES
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise MalformedForm("bad content-length") from None
        if declared > max_body:
            raise UploadTooLarge()
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        raise MalformedForm("not multipart")
    collector = _Collector(max_file_bytes)
    parser = MultipartParser(
        options[b"boundary"],
        {
            "on_part_begin": collector.on_part_begin,
            "on_header_field": collector.on_header_field,
            "on_header_value": collector.on_header_value,
            "on_header_end": collector.on_header_end,
            "on_headers_finished": collector.on_headers_finished,
            "on_part_data": collector.on_part_data,
            "on_part_end": collector.on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in stream:
            received += len(chunk)
            if received > max_body:
                raise UploadTooLarge()
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        raise MalformedForm("unparseable multipart") from None
    form = UploadForm()
    for part in collector.parts:
        if part.filename is not None:
            if form.file_field is not None:
                raise MalformedForm("more than one file")
            form.file_field, form.filename, form.content = part.name, part.filename, bytes(part.data)
        else:
            form.fields[part.name] = part.data.decode("utf-8", "replace")
    return form
