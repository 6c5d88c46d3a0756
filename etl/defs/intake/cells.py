"""Parsing one cell: dates, ages, document numbers. Pure functions, no knowledge of agencies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from etl.defs.intake.normalize import fold

_AGE = re.compile(r"^(\d{1,3})(?: 0+)?(?: (ANOS?|A))?$")
_AGE_MONTHS = re.compile(r"^(\d{1,2}) (MESES|MES|DIAS|DIA|SEMANAS|SEMANA)$")
_DOCUMENT_SEPARATORS = re.compile(r"[.\s\-/]")


def parse_date(text: str, formats: Sequence[str]) -> dt.date | None:
    """The date in one of the contract's formats, or None when it is not a real date."""
    value = text.strip()
    for fmt in formats:
        try:
            parsed = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        # strptime reads "25" as the year 25 under %Y: every agency writes four-digit years.
        if parsed.year >= 1000:
            return parsed
    return None


def parse_age(text: str) -> int | None:
    """Whole years from "17", "17.0", "17 años"; a baby's "8 meses" is 0 years; else None."""
    folded = fold(text)
    match = _AGE.match(folded)
    if match:
        return int(match.group(1))
    if _AGE_MONTHS.match(folded):
        return 0
    return None


def age_on(birth: dt.date, on: dt.date) -> int:
    """Completed years at a date (negative when the birth date is after it)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def compact_document(text: str) -> str:
    """A document number without dots, spaces or dashes, upper case: "4.567.890" -> "4567890"."""
    return _DOCUMENT_SEPARATORS.sub("", text).upper()


def document_shape(text: str) -> str:
    """The shape of a document number (digits as 9, letters as A): checkable, and not personal."""
    shape = []
    for ch in compact_document(text):
        if ch.isdigit():
            shape.append("9")
        elif ch.isalpha():
            shape.append("A")
        else:
            shape.append("?")
    return "".join(shape)


def ymd(date: dt.date) -> int:
    """A date as the number YYYYMMDD, which compares like the date (Great Expectations ranges)."""
    return date.year * 10000 + date.month * 100 + date.day
