from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.defs.privacy.normalize import (
    Document,
    NameParts,
    YearRange,
    birth_year_range,
    document_number,
    fold,
    initials_readings,
    name_words,
    normalize_document,
    normalize_phone,
    parse_initials,
    person_name,
    police_name,
)

WORD = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=10)
ACCENTED = {"A": "ÁÀÂÄ", "E": "ÉÈÊË", "I": "ÍÌÎÏ", "O": "ÓÒÔÖ", "U": "ÚÙÛÜ", "N": "Ñ", "C": "Ç"}
SEPARATORS = st.sampled_from([" ", "  ", ". ", " .", "\t", " - ", ", "])


@st.composite
def rendered_name(draw) -> tuple[list[str], str]:
    """Words and one way an official might have typed them (accents, case, spacing, dots)."""
    words = draw(st.lists(WORD, min_size=1, max_size=4))
    pieces = []
    for word in words:
        chars = []
        for char in word:
            if char in ACCENTED and draw(st.booleans()):
                char = draw(st.sampled_from(ACCENTED[char]))
            chars.append(char.lower() if draw(st.booleans()) else char)
        pieces.append("".join(chars))
    rendered = draw(st.sampled_from(["", " ", "."])) + pieces[0]
    for piece in pieces[1:]:
        rendered += draw(SEPARATORS) + piece
    return words, rendered + draw(st.sampled_from(["", " ", ".", " ."]))


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(rendered_name())
def test_name_words_ignore_accents_case_spacing_and_dots(case: tuple[list[str], str]) -> None:
    words, rendered = case
    expected = tuple(w for w in words if w not in {"DE", "DEL", "LA", "LAS", "LO", "LOS", "Y", "DA", "DAS", "DO", "DOS"})
    assert name_words(rendered) == expected
    assert name_words(" ".join(name_words(rendered))) == name_words(rendered)


@given(st.integers(min_value=1000, max_value=99_999_999))
def test_cedula_is_insensitive_to_dots_and_spreadsheet_floats(number: int) -> None:
    digits = str(number)
    if len(set(digits)) == 1:
        assert document_number(digits) is None
        return
    dotted = f"{number:,}".replace(",", ".")
    renderings = [digits, dotted, f" {dotted} ", f"{number}.0", float(number), number, digits.replace("", " ").strip()]
    assert {document_number(r) for r in renderings} == {digits}
    assert document_number(document_number(digits)) == digits


@given(st.sampled_from(["961", "971", "972", "973", "975", "976", "981", "982", "983", "984", "985", "991", "992"]),
       st.integers(min_value=0, max_value=999_999))
def test_phone_is_insensitive_to_format(prefix: str, line: int) -> None:
    national = f"{prefix}{line:06d}"
    renderings = [f"0{prefix} {line:06d}", f"+595 {prefix} {line:06d}", national, f"0{national}",
                  f"+595{national}", f"(0{prefix}) {line // 1000:03d}-{line % 1000:03d}", f"{national}.0"]
    normalized = {normalize_phone(r) for r in renderings}
    assert normalized == {f"+595{national}"}
    assert normalize_phone(f"+595{national}") == f"+595{national}"


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2025, 12, 31)),
       st.integers(min_value=0, max_value=40_000))
def test_age_at_registration_range_contains_the_birth_year(birth: dt.date, days_later: int) -> None:
    registered = birth + dt.timedelta(days=days_later)
    age = registered.year - birth.year - ((registered.month, registered.day) < (birth.month, birth.day))
    years = birth_year_range(None, age, registered)
    if age > 110:
        assert years is None
        return
    assert years is not None and years.width == 2 and birth.year in years.years()
    assert birth_year_range(birth, age, registered) == YearRange(birth.year, birth.year)


def test_police_form_is_split_into_surnames_and_given_names() -> None:
    assert police_name("GONZÁLEZ BENÍTEZ, María José") == NameParts(("MARIA", "JOSE"), ("GONZALEZ", "BENITEZ"))
    # Without the comma the officer's capitals still tell surnames apart.
    assert police_name("GONZÁLEZ BENÍTEZ María José") == NameParts(("MARIA", "JOSE"), ("GONZALEZ", "BENITEZ"))
    assert police_name("gonzalez maria") == NameParts((), ("GONZALEZ", "MARIA"))
    assert police_name("  ") is None


def test_particles_and_compound_names() -> None:
    parts = person_name("María de los Ángeles", "Fernández de la Cruz")
    assert parts == NameParts(("MARIA", "ANGELES"), ("FERNANDEZ", "CRUZ"))
    assert parts.first_given == "MARIA" and parts.first_surname == "FERNANDEZ"
    assert person_name("Rocío-Belén", "Duarte Y Ríos").given == ("ROCIO", "BELEN")
    assert person_name(None, "PERALTA, Victor Andres") == NameParts(("VICTOR", "ANDRES"), ("PERALTA",))


@pytest.mark.parametrize("text", ["M.J.G.B.", "M. J. G. B.", "mjgb", "M.J.G.de B.", " m.j.g.b "])
def test_initials_forms(text: str) -> None:
    assert parse_initials(text) == "MJGB"


def test_initials_of_full_names_meet_initials_readings() -> None:
    nancy = NameParts(("NANCY", "JOSE"), ("RIVEROS", "DUARTE"))
    assert nancy.initials() == {"NJRD", "NRD", "NJR"}
    assert "NJR" in initials_readings("NJR") and nancy.initials() & initials_readings("NJR")
    mabel = NameParts(("MABEL",), ("FLORENTIN", "MARTINEZ"))
    assert mabel.initials() & initials_readings("MIFM")  # MINMUJER knew a second given name
    assert all(len(v) >= 3 for v in initials_readings("MIFM"))


@pytest.mark.parametrize(
    ("doc_type", "number", "expected"),
    [
        ("CI", "4.567.890", Document("CI", "4567890")),
        ("CI", 4567890.0, Document("CI", "4567890")),
        ("CI", "4567890.0", Document("CI", "4567890")),
        ("CI", "4.000", Document("CI", "4000")),
        ("C.I.", "004567890", Document("CI", "4567890")),
        ("PASAPORTE", "ab-123 456", Document("PASSPORT", "AB123456")),
        ("DNI", "6.395.269", Document("FOREIGN_ID", "6395269")),
        ("CERTIFICADO_NACIMIENTO", "528971", Document("BIRTH_CERTIFICATE", "528971")),
        ("SIN DOCUMENTO", "4567890", None),
        ("CI", "0", None),
        ("CI", "99", None),
        ("CI", "S/N", None),
        ("CI", "1111111", None),
        ("CI", "NO CONSTA", None),
        ("CI", "12a45", None),
        (None, "4567890", None),
    ],
)
def test_documents(doc_type, number, expected) -> None:
    assert normalize_document(doc_type, number) == expected


def test_foreign_documents_are_kept_apart_from_cedulas() -> None:
    assert normalize_document("DNI", "4567890") != normalize_document("CI", "4567890")
    assert normalize_document("PASAPORTE", "4567890") != normalize_document("DNI", "4567890")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0981 123456", "+595981123456"),
        ("+595 981 123 456", "+595981123456"),
        ("981123456", "+595981123456"),
        (981123456.0, "+595981123456"),
        ("021 123456", "+59521123456"),
        ("+54 9 11 1234 5678", "+5491112345678"),
        ("12345", None),
        ("sin teléfono", None),
        ("", None),
        (None, None),
    ],
)
def test_phones(text, expected) -> None:
    assert normalize_phone(text) == expected


def test_year_ranges() -> None:
    registered = dt.date(2025, 4, 10)
    assert birth_year_range(None, 17, registered) == YearRange(2007, 2008)
    assert birth_year_range(None, None, registered) is None
    assert birth_year_range(None, 17, None) is None
    assert YearRange(2007, 2008).gap(YearRange(2010, 2011)) == 2
    assert YearRange(2007, 2008).gap(YearRange(2008, 2008)) == 0
    with pytest.raises(ValueError):
        YearRange(2010, 2000)
