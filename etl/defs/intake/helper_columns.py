"""Names of the helper columns the expectation suites check.

Great Expectations never sees a personal value: agency columns reach it only as "present or
blank" (the source key, a case number, excepted), and everything it checks (a coded value's
normalized form, a cédula's shape, an age derived from a birth date, a hash of the victim's
identity) arrives as a derived, non-identifying helper column named here. The suite
builder and prepare.py both use these names, so they cannot drift apart.
"""

from __future__ import annotations

FILE_ROW = "__file_row"
SOURCE_ROW = "__source_row"
KEY = "__key"
IDENTITY = "__identity"
PRESENT = "•"  # what a non-blank agency cell becomes in the validation frame

OK = "OK"
INVALID = "INVALID"


def code(column: str) -> str:
    """Normalized value of a coded column (case, accents and punctuation folded)."""
    return f"__code__{column}"


def date_check(column: str) -> str:
    """OK / INVALID / null for a date column."""
    return f"__datecheck__{column}"


def date_number(column: str) -> str:
    """A non-personal date as YYYYMMDD (float, NaN when blank or invalid)."""
    return f"__ymd__{column}"


def number_check(column: str) -> str:
    """OK / INVALID / null for an age column."""
    return f"__numcheck__{column}"


def age(column: str) -> str:
    """Age in years from an age column, or at registration from a birth-date column."""
    return f"__age__{column}"


def cedula_shape(column: str) -> str:
    """Shape (9 per digit) of a document number that must be a cédula; null otherwise."""
    return f"__cedula__{column}"


def document_shape(column: str) -> str:
    """Shape of any other document number; null when it must be a cédula or is blank."""
    return f"__docshape__{column}"


def is_numeric(name: str) -> bool:
    """Helper columns Great Expectations compares as numbers (the rest are strings or null)."""
    return name.startswith(("__ymd__", "__age__")) or name in (FILE_ROW, SOURCE_ROW)
