"""Pure parts of the portal: month states, periods, report round trips, form parsing, passwords."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from etl.defs.intake.validate import validate_extract
from etl.portal import passwords
from etl.portal.history import (
    ACCEPTED, MISSING, OPEN, PROCESSING, PUBLISHED, REJECTED, ZERO, SubmissionSummary, _state, recent_periods,
)
from etl.portal.i18n import month_label
from etl.portal.reports import finding_rows, report_from_dict
from etl.portal.secret import Hasher
from etl.portal.uploadform import MalformedForm, UploadTooLarge, read_upload_form
from etl.portal.web import safe_next

from .helpers import samples, shifted_date_minmujer

NOW = dt.datetime(2025, 7, 1, 12, tzinfo=dt.timezone.utc)


def _sub(status: str, current: bool, zero: bool = False) -> SubmissionSummary:
    return SubmissionSummary(1, "2025-05", status, current, zero, NOW, 0, 0, 4)


@pytest.mark.parametrize(
    ("subs", "running", "expected"),
    [
        ([], False, MISSING),
        ([_sub("rejected", False)], False, REJECTED),
        ([_sub("accepted", True), _sub("rejected", False)], False, ACCEPTED),
        ([_sub("accepted", True, zero=True)], False, ZERO),
        ([_sub("loaded", True)], False, PUBLISHED),
        ([_sub("loaded", True)], True, PROCESSING),
        ([_sub("superseded", False), _sub("rejected", False)], False, REJECTED),
    ],
)
def test_month_state_precedence(subs, running, expected) -> None:
    assert _state("2025-05", "2025-07", subs, running).state == expected


def test_the_current_month_is_open_not_missing() -> None:
    assert _state("2025-07", "2025-07", [], False).state == OPEN


def test_recent_periods_cross_years_newest_first() -> None:
    periods = recent_periods(dt.date(2025, 2, 10), 4)
    assert periods == ["2025-02", "2025-01", "2024-12", "2024-11"]
    assert len(recent_periods(dt.date(2025, 2, 10))) == 24


def test_month_labels_in_both_languages() -> None:
    assert month_label("2025-09", "es") == "septiembre de 2025"
    assert month_label("2025-09", "en") == "September 2025"


def test_a_stored_report_renders_like_the_original() -> None:
    content = shifted_date_minmujer(samples() / "MINMUJER" / "2025-04.csv", row=3, new_date="2025-05-17")
    report = validate_extract("MINMUJER", "2025-04", content, "x.csv").report
    rebuilt = report_from_dict(report.to_dict())
    for lang in ("es", "en"):
        assert rebuilt.to_html(lang) == report.to_html(lang)
        assert rebuilt.to_text(lang) == report.to_text(lang)
    rows = finding_rows(report.to_dict(), "es")
    assert [(r.severity, r.row, r.column) for r in rows] == [("error", 3, "fecha_primera_atencion")]
    assert rows[0].text.startswith("la fecha de registro debe estar dentro del mes declarado")


def test_a_retired_rule_still_shows_its_stored_message() -> None:
    stored = {
        "institution": "MP", "period": "2025-04", "verdict": "rejected", "record_label": "row", "counts": {},
        "findings": [{"severity": "error", "rule": "RULE_RETIRED_LONG_AGO", "row": 7, "column": "X", "record": 6,
                      "params": {}, "message": {"es": "Fila 7: algo", "en": "Row 7: something"}}],
    }
    assert [r.text for r in finding_rows(stored, "en")] == ["Row 7: something"]


async def _stream(parts: list[bytes]):
    for part in parts:
        yield part


def _multipart(file_bytes: bytes, boundary: str = "b0undary") -> tuple[str, bytes]:
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n2025-04\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n"
        f"Content-Type: text/csv\r\n\r\n"
    ).encode() + file_bytes + f"\r\n--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def test_the_upload_form_is_read_into_memory_within_limits() -> None:
    content_type, body = _multipart(b"a;b\r\n1;2\r\n")
    chunks = [body[i:i + 7] for i in range(0, len(body), 7)]
    form = asyncio.run(read_upload_form(content_type, str(len(body)), _stream(chunks), 1000))
    assert form.fields == {"csrf_token": "tok", "period": "2025-04"}
    assert (form.file_field, form.filename, form.content) == ("file", "x.csv", b"a;b\r\n1;2\r\n")
    with pytest.raises(UploadTooLarge):
        asyncio.run(read_upload_form(content_type, None, _stream([body]), 5))
    with pytest.raises(UploadTooLarge):
        asyncio.run(read_upload_form(content_type, str(10**9), _stream([body]), 1000))
    with pytest.raises(MalformedForm):
        asyncio.run(read_upload_form("application/json", None, _stream([b"{}"]), 1000))
    long_field = _multipart(b"")[1].replace(b"\r\n\r\ntok\r\n", b"\r\n\r\n" + b"t" * 5000 + b"\r\n")
    with pytest.raises(MalformedForm):
        asyncio.run(read_upload_form(content_type, None, _stream([long_field]), 10_000))


def test_keyed_hashes_and_signed_cookies() -> None:
    hasher = Hasher(b"k" * 32)
    other = Hasher(b"j" * 32)
    assert hasher.ip("10.0.0.1") != other.ip("10.0.0.1") and len(hasher.ip("10.0.0.1")) == 32
    assert hasher.account(" Ana@Example.org ") == hasher.account("ana@example.org")
    signed = hasher.sign_cookie("token123")
    assert hasher.unsign_cookie(signed) == "token123"
    assert other.unsign_cookie(signed) is None
    assert hasher.unsign_cookie("token123") is None and hasher.unsign_cookie("") is None


def test_only_local_paths_are_followed() -> None:
    assert safe_next("/historial/MP") == "/historial/MP"
    for bad in (None, "", "https://evil.example", "//evil.example", "/\\evil", "javascript:alert(1)"):
        assert safe_next(bad) == "/"


def test_production_password_hashing_is_argon2id_at_the_recommended_cost(monkeypatch) -> None:
    monkeypatch.undo()  # the suite runs with a cheap hasher (conftest); this checks the module's own
    hasher = passwords._HASHER
    assert hasher.memory_cost >= 64 * 1024 and hasher.time_cost >= 3
    stored = passwords.hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3")
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.needs_rehash(stored)
    with pytest.raises(passwords.WeakPasswordError):
        passwords.hash_password("short")
    with pytest.raises(passwords.WeakPasswordError):
        passwords.hash_password("aaaaaaaaaaaaaaaa")
