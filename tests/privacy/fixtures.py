"""Builders of synthetic VictimRecords for the privacy tests (no real person anywhere)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from etl.defs.intake.records import VictimRecord


def victim(
    institution: str,
    period: str,
    source_key: str,
    row: int,
    *,
    given: str | None = None,
    surnames: str | None = None,
    initials: str | None = None,
    doc: str | None = None,
    doc_type: str | None = "CI",
    birth: str | None = None,
    age: int | None = None,
    phone: str | None = None,
    sex: str = "F",
    dept: str | None = "11",
    registered: str | None = None,
    **coded: Any,
) -> VictimRecord:
    registration = dt.date.fromisoformat(registered or f"{period}-15")
    return VictimRecord(
        institution_code=institution,
        period=period,
        source_key=source_key,
        source_row=row,
        registration_date=registration,
        department_code=dept,
        sex_code=sex,
        age_years=age,
        given_names=given,
        surnames=surnames,
        initials=initials,
        document_type=doc_type if doc else None,
        document_number=doc,
        birth_date=dt.date.fromisoformat(birth) if birth else None,
        phone=phone,
        nationality_code="PRY",
        **coded,
    )
