"""Match tokens: what linkage compares instead of names, documents and phones.

For each record a set of keyed tokens is built from several identifier combinations
(document, phone, full name, first given name + first surname, their one-typo variants,
initials; both surnames with their one-typo variants, compared only for disagreement; and, for blocking only, first given name + first surname with the birth year or
the department, initials with birth year and department). Each token is `(kind, value)`
where `value` is a 64-bit HMAC (hex) under the "match" purpose key and `kind` says which
combination it is; kinds carry Fellegi–Sunter m/u probabilities.

Beside the tokens a record keeps coarse features (sex code, department code, a birth-year
range): they are not identifying by themselves and are stored coded, for comparisons.

Stored: the record ref, the tokens, the coarse features, the key id.
Never stored nor returned: the normalized identifiers the tokens are made from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.normalize import (
    Document,
    NameParts,
    YearRange,
    age_bounds_range,
    birth_year_range,
    document_number,
    initials_readings,
    normalize_document,
    normalize_phone,
    parse_initials,
    person_name,
)
from etl.defs.privacy.pseudonym import keyed_digest

# Ages the agencies' contracts guarantee when a record says nothing more precise.
INSTITUTION_AGE_BOUNDS: dict[str, tuple[int, int]] = {"MINNA": (0, 17), "MINMUJER": (18, 110)}
# Year-qualified tokens are emitted only for ranges this narrow (a birth date, or an age).
MAX_TOKEN_YEAR_SPAN = 2
# Words shorter than this get no one-deletion variants: "ANA" -> "NA" matches too much.
MIN_FUZZY_WORD = 4


@dataclass(frozen=True, slots=True)
class KindModel:
    """Fellegi–Sunter model of one token kind.

    group: comparisons in one group are alternatives (only the strongest agreeing kind of a
    group counts for a pair); level orders kinds within the name group.
    m: P(kind agrees | same person); u: P(kind agrees | different persons).
    """

    group: str
    level: int
    m: float
    u: float

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


# Scored kinds compare one identifier each (their value frequencies are meaningful); the
# "block" kinds combine a name with a birth year or department only to propose candidate
# pairs among large data sets, and are never scored (year and department are compared as
# coarse features, and must not count twice).
KINDS: dict[str, KindModel] = {
    "doc_ci": KindModel("doc", 1, 0.95, 1e-7),
    "doc_passport": KindModel("doc", 1, 0.95, 1e-7),
    "doc_foreign_id": KindModel("doc", 1, 0.95, 1e-7),
    "doc_birth_certificate": KindModel("doc", 1, 0.95, 1e-7),
    "phone": KindModel("phone", 1, 0.6, 1e-5),
    "name_full": KindModel("name", 3, 0.6, 1e-5),
    "name_short": KindModel("name", 2, 0.85, 1e-3),
    "name_fuzzy": KindModel("name", 1, 0.92, 3e-3),
    "initials": KindModel("initials", 1, 0.8, 5e-3),
    # Both surnames (and the one-typo variants of the second): compared only for disagreement,
    # since agreement on the first surname is already in the name kinds. Two namesakes
    # differ here; a person rarely does (m: P(agree | same person) when both are written).
    "surnames": KindModel("surnames", 1, 0.9, 0.03),
    "block_name_year": KindModel("block", 0, 1.0, 1.0),
    "block_name_dept": KindModel("block", 0, 1.0, 1.0),
    "block_initials_year_dept": KindModel("block", 0, 1.0, 1.0),
}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)
KIND_INDEX: dict[str, int] = {name: i for i, name in enumerate(KIND_NAMES)}


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record's identity in its agency file. `source_key` may be the key or its pseudonym."""

    institution: str
    period: str
    source_key: str
    source_row: int

    def sort_key(self) -> tuple[str, str, str, int]:
        # Period first: the earliest record of a person stays the earliest when months arrive.
        return (self.period, self.institution, self.source_key, self.source_row)

    @property
    def case(self) -> tuple[str, str, str]:
        return (self.institution, self.period, self.source_key)

    def canonical(self) -> str:
        return f"{self.institution}|{self.period}|{self.source_key}|{self.source_row}"


class MatchToken(NamedTuple):
    kind: str
    value: str  # hex HMAC


@dataclass(frozen=True, slots=True)
class CoarseFeatures:
    """Non-identifying features compared by linkage (codes, not values)."""

    sex: str = "U"  # F, M, X, U
    department: str | None = None  # INE code
    birth_year_min: int | None = None
    birth_year_max: int | None = None

    @property
    def years(self) -> YearRange | None:
        if self.birth_year_min is None or self.birth_year_max is None:
            return None
        return YearRange(self.birth_year_min, self.birth_year_max)


@dataclass(frozen=True, slots=True)
class TokenizedRecord:
    """What linkage sees of a record: its ref, its tokens, its coarse features. No cleartext.

    Tokens are held packed (one kind byte and 8 value bytes each) so a million records fit in
    memory; `tokens` unpacks them.
    """

    ref: RecordRef
    kinds: bytes
    values: bytes
    features: CoarseFeatures
    key_id: str

    @classmethod
    def from_tokens(
        cls, ref: RecordRef, tokens: Iterable[MatchToken], features: CoarseFeatures, key_id: str
    ) -> TokenizedRecord:
        unique = sorted(set(tokens))
        for token in unique:
            if token.kind not in KIND_INDEX:
                raise ValueError(f"tipo de token desconocido: {token.kind!r}")
            if len(token.value) != 16:
                raise ValueError(f"token de tipo {token.kind!r} con longitud inválida")
        return cls(
            ref,
            bytes(KIND_INDEX[t.kind] for t in unique),
            b"".join(bytes.fromhex(t.value) for t in unique),
            features,
            key_id,
        )

    @property
    def tokens(self) -> tuple[MatchToken, ...]:
        return tuple(
            MatchToken(KIND_NAMES[k], self.values[8 * i: 8 * i + 8].hex()) for i, k in enumerate(self.kinds)
        )


@dataclass(frozen=True, slots=True, repr=False)
class Identifiers:
    """Normalized identifiers of one record: memory only, personal data (its repr hides them)."""

    document: Document | None
    phone: str | None
    name: NameParts | None
    initials: frozenset[str]
    years: YearRange | None
    department: str | None
    sex: str

    def __repr__(self) -> str:
        return "Identifiers(<datos personales ocultos>)"


def record_document(record: VictimRecord) -> Document | None:
    document = normalize_document(record.document_type, record.document_number)
    if document is None and not record.document_type and record.document_number is not None:
        # An untyped number (MINMUJER): a cédula for Paraguayans, a foreign document otherwise.
        doc_type = "CI" if record.nationality_code in ("PRY", "UNK") else "FOREIGN_ID"
        number = document_number(record.document_number, doc_type)
        document = Document(doc_type, number) if number else None
    return document


def record_years(record: VictimRecord) -> YearRange | None:
    years = birth_year_range(record.birth_date, record.age_years, record.registration_date)
    if years is None and record.institution_code in INSTITUTION_AGE_BOUNDS:
        low, high = INSTITUTION_AGE_BOUNDS[record.institution_code]
        years = age_bounds_range(record.registration_date, low, high)
    return years


def identifiers(record: VictimRecord) -> Identifiers:
    name = person_name(record.given_names, record.surnames)
    initials: frozenset[str] = frozenset()
    if name is not None and name.is_complete:
        initials = name.initials()
    elif record.initials:
        letters = parse_initials(record.initials)
        initials = initials_readings(letters) if letters else frozenset()
    return Identifiers(
        document=record_document(record),
        phone=normalize_phone(record.phone),
        name=name,
        initials=initials,
        years=record_years(record),
        department=record.department_code,
        sex=record.sex_code if record.sex_code in ("F", "M", "X") else "U",
    )


def deletion_variants(word: str) -> set[str]:
    """The word and every string obtained by deleting one of its letters."""
    variants = {word}
    if len(word) >= MIN_FUZZY_WORD:
        variants.update(word[:i] + word[i + 1:] for i in range(len(word)))
    return variants


def token_messages(ids: Identifiers) -> Iterator[tuple[str, str]]:
    """(kind, message) pairs; messages are personal data and only ever reach the HMAC."""
    if ids.document is not None:
        yield f"doc_{ids.document.type.lower()}", f"doc|{ids.document.type}|{ids.document.number}"
    if ids.phone is not None:
        yield "phone", f"tel|{ids.phone}"
    narrow_years = ids.years.years() if ids.years is not None and ids.years.width <= MAX_TOKEN_YEAR_SPAN else ()
    name = ids.name
    if name is not None and name.is_complete:
        given1, surname1 = name.first_given, name.first_surname
        yield "name_full", f"nf|{' '.join(name.given)}|{' '.join(name.surnames)}"
        yield "name_short", f"ns|{given1}|{surname1}"
        for variant in deletion_variants(given1):
            yield "name_fuzzy", f"nz|{variant}|{surname1}"
        for variant in deletion_variants(surname1):
            yield "name_fuzzy", f"nz|{given1}|{variant}"
        if len(name.surnames) >= 2:
            # One-typo variants of either surname, as for name_fuzzy: a typo is no namesake.
            surname2 = name.surnames[1]
            for variant in deletion_variants(surname1):
                yield "surnames", f"ss|{variant}|{surname2}"
            for variant in deletion_variants(surname2):
                yield "surnames", f"ss|{surname1}|{variant}"
        for year in narrow_years:
            yield "block_name_year", f"by|{given1}|{surname1}|{year}"
        if ids.department is not None:
            yield "block_name_dept", f"bd|{given1}|{surname1}|{ids.department}"
    for letters in sorted(ids.initials):
        yield "initials", f"in|{letters}"
        if ids.department is not None:
            for year in narrow_years:
                yield "block_initials_year_dept", f"biyd|{letters}|{year}|{ids.department}"


def coarse_features(ids: Identifiers) -> CoarseFeatures:
    return CoarseFeatures(
        sex=ids.sex,
        department=ids.department,
        birth_year_min=ids.years.low if ids.years else None,
        birth_year_max=ids.years.high if ids.years else None,
    )


def record_ref(record: VictimRecord, source_key: str | None = None) -> RecordRef:
    return RecordRef(record.institution_code, record.period, source_key or record.source_key, record.source_row)


def tokenize(
    record: VictimRecord, keyring: Keyring, source_key: str | None = None, memo: dict[bytes, bytes] | None = None
) -> TokenizedRecord:
    """Tokens and coarse features of one record.

    `source_key` replaces the record's own case key in the ref (pass its pseudonym when the
    ref is going to be stored). `memo` remembers digests across the records of one batch:
    names and their one-typo variants repeat from record to record. It holds personal
    messages, so its owner drops it with the batch (see `stage_records`).
    """
    ids = identifiers(record)
    seen: set[bytes] = set()
    kinds = bytearray()
    values = bytearray()
    for kind, text in token_messages(ids):
        message = text.encode("utf-8")
        digest = memo.get(message) if memo is not None else None
        if digest is None:
            digest = keyed_digest(keyring, Purpose.MATCH, message)
            if memo is not None:
                memo[message] = digest
        if digest in seen:
            continue
        seen.add(digest)
        kinds.append(KIND_INDEX[kind])
        values += digest
    return TokenizedRecord(record_ref(record, source_key), bytes(kinds), bytes(values), coarse_features(ids), keyring.key_id)
