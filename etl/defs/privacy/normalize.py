"""Normalization of personal identifiers before they are keyed into match tokens.

Every function here takes a value as an agency typed it and returns the canonical form that
linkage compares: names folded and split into given names and surnames, documents as
(type, number), phones in E.164, birth dates and ages as birth-year ranges. The outputs are
still personal data: they exist only in memory, are handed to `tokens.py` to be keyed, and are
never stored, logged or put in an exception message. Errors raised here name the rule, never
the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers

from etl.defs.intake.normalize import strip_accents

# Letters NFKD does not decompose into ASCII (Ñ does: N + combining tilde).
_NON_DECOMPOSING = str.maketrans(
    {"ß": "SS", "Æ": "AE", "æ": "AE", "Œ": "OE", "œ": "OE", "Ø": "O", "ø": "O", "Ł": "L", "ł": "L",
     "Đ": "D", "đ": "D", "Þ": "TH", "þ": "TH", "ı": "I"}
)
_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")

# Joining words inside Spanish and Portuguese names; they carry no identity and agencies
# drop or keep them at random ("GONZÁLEZ DE BENÍTEZ", "María de los Ángeles").
NAME_PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LO", "LOS", "Y", "DA", "DAS", "DO", "DOS"})

# Spellings agencies use for "we do not know" in a typed field.
_UNKNOWN_MARKERS = frozenset({"", "NO CONSTA", "NC", "NS", "N S", "S N", "SN", "SIN DATO", "SIN DATOS",
                              "NULL", "NONE", "NAN", "99", "0", "NO", "SIN DOCUMENTO", "NO TIENE", "X"})


def fold(text: str) -> str:
    """Upper case ASCII words: accents, case, punctuation and spacing removed.

    Idempotent, and insensitive to accents, case, spacing and dots by construction.
    """
    stripped = strip_accents(text.translate(_NON_DECOMPOSING))
    upper = stripped.upper().translate(_NON_DECOMPOSING)
    return _NOT_ALNUM.sub(" ", upper).strip()


def is_unknown_marker(text: str | None) -> bool:
    return text is None or fold(text) in _UNKNOWN_MARKERS


# --- names ------------------------------------------------------------------------------


def name_words(text: str | None) -> tuple[str, ...]:
    """The folded words of a name, particles removed."""
    if not text:
        return ()
    return tuple(w for w in fold(text).split() if w not in NAME_PARTICLES)


@dataclass(frozen=True, slots=True, repr=False)
class NameParts:
    """A person's name as matchable words. Never persisted; its repr shows no name."""

    given: tuple[str, ...]
    surnames: tuple[str, ...]

    def __repr__(self) -> str:
        return f"NameParts(given=<{len(self.given)} palabras>, surnames=<{len(self.surnames)} palabras>)"

    @property
    def first_given(self) -> str | None:
        return self.given[0] if self.given else None

    @property
    def first_surname(self) -> str | None:
        return self.surnames[0] if self.surnames else None

    @property
    def is_complete(self) -> bool:
        """Both a given name and a surname: comparable with another full name."""
        return bool(self.given and self.surnames)

    def initials(self) -> frozenset[str]:
        """Initials strings this name can be written as (at least 3 letters).

        Agencies that record initials drop second given names or second surnames at will, so
        the variants are: all initials, first given + all surnames, all given + first surname.
        """
        if not self.is_complete:
            return frozenset()
        return _initials_variants("".join(w[0] for w in self.given), "".join(w[0] for w in self.surnames))


def _initials_variants(given: str, surnames: str) -> frozenset[str]:
    candidates = {given + surnames, given[:1] + surnames, given + surnames[:1]}
    return frozenset(c for c in candidates if len(c) >= 3)


def person_name(given_names: str | None, surnames: str | None) -> NameParts | None:
    """Name parts from separate given-name and surname fields (MP, MINNA).

    A given-name field holding the police's `SURNAMES, Given Names` form (no surname field)
    is split as such.
    """
    if given_names and not surnames and "," in given_names:
        return police_name(given_names)
    if surnames and not given_names and "," in surnames:
        return police_name(surnames)
    parts = NameParts(name_words(given_names), name_words(surnames))
    return parts if parts.given or parts.surnames else None


def police_name(text: str | None) -> NameParts | None:
    """Split the police's one-field `SURNAMES, Given Names` form.

    Without a comma the officer's capitalisation decides: words typed in capitals are the
    surnames, the rest the given names; when every word has the same case the split is
    unknown and all words are kept as surnames (still matchable as a full name).
    """
    if not text or not text.strip():
        return None
    if "," in text:
        surname_part, _, given_part = text.partition(",")
        parts = NameParts(name_words(given_part), name_words(surname_part))
    else:
        raw = [w for w in re.split(r"\s+", text.strip()) if any(c.isalpha() for c in w)]
        caps = [w for w in raw if w.isupper()]
        rest = [w for w in raw if not w.isupper()]
        if caps and rest:
            parts = NameParts(name_words(" ".join(rest)), name_words(" ".join(caps)))
        else:
            parts = NameParts((), name_words(text))
    return parts if parts.given or parts.surnames else None


def parse_initials(text: str | None) -> str | None:
    """MINMUJER initials (`M.J.G.B.`, `M. J. G. B.`, `mjgb`) as a letter string (`MJGB`)."""
    if not text or not text.strip():
        return None
    pieces = [p for p in re.split(r"[.\s]+", fold_keep_dots(text)) if p]
    if len(pieces) == 1 and "." not in text and " " not in text.strip():
        letters = pieces[0]
    else:
        letters = "".join(p[0] for p in pieces if p not in NAME_PARTICLES)
    letters = "".join(c for c in letters if c.isalpha())
    return letters or None


def fold_keep_dots(text: str) -> str:
    """Like `fold` but keeps dots as separators (initials are dot-delimited)."""
    return " ".join(fold(piece) for piece in text.split(".")).strip()


def initials_readings(letters: str) -> frozenset[str]:
    """Initials variants of an initials-only record, for every plausible given/surname split.

    `NJR` may be Nancy José Riveros (2 given, 1 surname) or Nancy Jara Ruiz (1 given,
    2 surnames); both readings are emitted so either full name can meet it.
    """
    variants: set[str] = {letters} if len(letters) >= 3 else set()
    for given_count in range(1, len(letters)):
        surname_count = len(letters) - given_count
        if given_count > 3 or surname_count > 2:
            continue
        variants |= _initials_variants(letters[:given_count], letters[given_count:])
    return frozenset(variants)


# --- documents --------------------------------------------------------------------------

DOCUMENT_TYPES = ("CI", "PASSPORT", "FOREIGN_ID", "BIRTH_CERTIFICATE")
_DOCUMENT_TYPE_ALIASES = {
    "CI": "CI", "C I": "CI", "CEDULA": "CI", "CEDULA DE IDENTIDAD": "CI", "CIPY": "CI",
    "PASSPORT": "PASSPORT", "PASAPORTE": "PASSPORT",
    "FOREIGN ID": "FOREIGN_ID", "DNI": "FOREIGN_ID", "RG": "FOREIGN_ID", "CI EXTRANJERA": "FOREIGN_ID",
    "CEDULA EXTRANJERA": "FOREIGN_ID", "DOCUMENTO EXTRANJERO": "FOREIGN_ID",
    "BIRTH CERTIFICATE": "BIRTH_CERTIFICATE", "CERTIFICADO NACIMIENTO": "BIRTH_CERTIFICATE",
    "CERTIFICADO DE NACIMIENTO": "BIRTH_CERTIFICATE", "PARTIDA DE NACIMIENTO": "BIRTH_CERTIFICATE",
}
_SPREADSHEET_FLOAT = re.compile(r"^(\d+)\.0+$")
_THOUSANDS_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")


@dataclass(frozen=True, slots=True, repr=False)
class Document:
    """An identity document: a number only ever matches numbers of the same type.

    Its repr shows the type, never the number."""

    type: str  # one of DOCUMENT_TYPES
    number: str

    def __repr__(self) -> str:
        return f"Document(type={self.type!r}, number=<oculto>)"


def document_type(text: str | None) -> str | None:
    """Canonical document type, or None for 'no document' and unknown spellings."""
    if text is None:
        return None
    return _DOCUMENT_TYPE_ALIASES.get(fold(text))


def document_number(value: str | int | float | None, doc_type: str = "CI") -> str | None:
    """Canonical document number: digits only for a cédula, folded alphanumerics otherwise.

    Accepts `4.567.890`, `4567890`, a numeric spreadsheet cell (`4567890.0`, 4567890.0).
    Placeholders (`0`, `99`, `S/N`, a run of one digit) are unknown, not a number.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip()
    if is_unknown_marker(text):
        return None
    match = _SPREADSHEET_FLOAT.match(text)
    if match and not _THOUSANDS_GROUPED.match(text):
        text = match.group(1)
    if doc_type in ("CI", "BIRTH_CERTIFICATE"):
        digits = re.sub(r"[\s.,\-]", "", text)
        if not digits.isdigit():
            return None
        digits = digits.lstrip("0")
        if not 4 <= len(digits) <= 9 or len(set(digits)) == 1:
            return None
        return digits
    folded = fold(text).replace(" ", "")
    if len(folded) < 4 or len(set(folded)) == 1:
        return None
    return folded


def normalize_document(doc_type: str | None, number: str | int | float | None) -> Document | None:
    """Document from a type as written (CI, PASAPORTE, DNI, CERTIFICADO_NACIMIENTO...) and a number."""
    canonical_type = document_type(doc_type)
    if canonical_type is None:
        return None
    canonical_number = document_number(number, canonical_type)
    return Document(canonical_type, canonical_number) if canonical_number else None


# --- phones -----------------------------------------------------------------------------


def normalize_phone(text: str | int | float | None, region: str = "PY") -> str | None:
    """Phone in E.164 (`+595981123456`), or None when it is not a valid number."""
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, float):
        if not text.is_integer():
            return None
        text = int(text)
    raw = str(text).strip()
    match = _SPREADSHEET_FLOAT.match(raw)
    if match:
        raw = match.group(1)
    if not any(c.isdigit() for c in raw):
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- birth years ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class YearRange:
    """Closed range of possible birth years. Coarse: stored for linkage, not personal data."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("YearRange: low must not exceed high")

    @property
    def width(self) -> int:
        return self.high - self.low + 1

    def years(self) -> range:
        return range(self.low, self.high + 1)

    def gap(self, other: YearRange) -> int:
        """Years between the two ranges; 0 when they overlap."""
        return max(0, max(self.low, other.low) - min(self.high, other.high))


MAX_AGE = 110


def birth_year_range(
    birth_date: dt.date | None, age_years: int | None, registration_date: dt.date | None
) -> YearRange | None:
    """Birth years compatible with the record.

    A birth date gives its year. An age at the registration date gives two years: someone
    aged 17 on 2025-04-10 was born between 2007-04-11 and 2008-04-10.
    """
    if birth_date is not None:
        return YearRange(birth_date.year, birth_date.year)
    if age_years is None or registration_date is None or not 0 <= age_years <= MAX_AGE:
        return None
    year = registration_date.year - age_years
    return YearRange(year - 1, year)


def age_bounds_range(registration_date: dt.date | None, min_age: int, max_age: int) -> YearRange | None:
    """Birth years of someone whose age at registration is known only to lie in [min_age, max_age]."""
    if registration_date is None:
        return None
    return YearRange(registration_date.year - max_age - 1, registration_date.year - min_age)

