"""Helpers of the portal tests: accounts, a logged-in client, form tokens, the shared samples."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa
from starlette.testclient import TestClient

from etl.portal.accounts import create_user

# The samples cover 2025-04..06: the portal's "today" is early July 2025, as when June's file is due.
TODAY = dt.date(2025, 7, 3)
PASSWORD = "correct horse battery staple"
REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "agency-extracts" / "samples"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def samples() -> Path:
    if not SAMPLES.is_dir():
        raise FileNotFoundError(f"shared agency samples not found at {SAMPLES}")
    return SAMPLES


def new_account(engine: sa.Engine, institution: str | None, role: str = "official") -> str:
    email = f"{(institution or 'eng').lower()}-{uuid.uuid4().hex[:10]}@test.observatorio.invalid"
    create_user(engine, email=email, institution=institution, role=role, password=PASSWORD)
    return email


def csrf_of(page: httpx.Response | str) -> str:
    text = page if isinstance(page, str) else page.text
    found = _CSRF.search(text)
    assert found, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, email: str, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/ingresar"))
    return client.post("/ingresar", data={"email": email, "password": password, "csrf_token": token})


def upload(client: TestClient, period: str, content: bytes, filename: str) -> httpx.Response:
    token = csrf_of(client.get("/enviar"))
    return client.post(
        "/enviar", data={"csrf_token": token, "period": period}, files={"file": (filename, content, "application/octet-stream")}
    )


def shifted_date_minmujer(period_file: Path, row: int, new_date: str) -> bytes:
    """The sample with one record's registration date moved out of its month (row = file row, header = 1)."""
    lines = period_file.read_text(encoding="utf-8").splitlines()
    cells = lines[row - 1].split(",")
    cells[1] = new_date
    lines[row - 1] = ",".join(cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


MP_PERSONAL_COLUMNS = (
    "VICTIMA_NOMBRES", "VICTIMA_APELLIDOS", "VICTIMA_DOC_NRO", "VICTIMA_FECHA_NAC", "VICTIMA_TELEFONO", "RELATO",
)


def mp_personal_values(content: bytes) -> list[str]:
    """Every name, document, birth date, phone and narrative (and its words) of an MP extract."""
    reader = csv.DictReader(io.StringIO(content.decode("cp1252")), delimiter=";")
    values: set[str] = set()
    for row in reader:
        for column in MP_PERSONAL_COLUMNS:
            value = (row.get(column) or "").strip()
            if len(value) >= 4:
                values.add(value)
            if column in ("VICTIMA_NOMBRES", "VICTIMA_APELLIDOS"):
                values.update(part for part in value.split() if len(part) >= 5)
    return sorted(values)
