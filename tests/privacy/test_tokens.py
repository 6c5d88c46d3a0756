from __future__ import annotations

import re
import secrets

import pytest

from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.leakscan import find_leaks
from etl.defs.privacy.tokens import (
    KIND_NAMES,
    CoarseFeatures,
    MatchToken,
    RecordRef,
    TokenizedRecord,
    identifiers,
    tokenize,
)

from .fixtures import victim

KEYRING = Keyring.from_secrets([secrets.token_bytes(32)])


def _by_kind(record: TokenizedRecord) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for token in record.tokens:
        kinds.setdefault(token.kind, set()).add(token.value)
    return kinds


def test_the_same_person_typed_differently_shares_tokens() -> None:
    prosecutor = victim("MP", "2025-04", "1/2025", 1, given="MARÍA JOSÉ", surnames="GONZÁLEZ BENÍTEZ",
                        doc="4.567.890", phone="0981 123456", birth="2008-03-01")
    police = victim("PN", "2025-05", "DT-1", 1, given="maria jose", surnames="Gonzalez  Benitez.",
                    doc="4567890", phone="+595 981 123 456", age=17)
    a, b = _by_kind(tokenize(prosecutor, KEYRING)), _by_kind(tokenize(police, KEYRING))
    for kind in ("doc_ci", "phone", "name_full", "name_short", "name_fuzzy", "initials",
                 "block_name_year", "block_name_dept", "block_initials_year_dept"):
        assert a[kind] & b[kind], kind


def test_one_typo_still_shares_a_fuzzy_token() -> None:
    right = _by_kind(tokenize(victim("PN", "2025-04", "DT-1", 1, given="Victor", surnames="Peralta"), KEYRING))
    typo = _by_kind(tokenize(victim("MP", "2025-04", "1/2025", 1, given="VICTOR", surnames="PERALA"), KEYRING))
    swapped = _by_kind(tokenize(victim("MP", "2025-04", "2/2025", 1, given="NEOLIA", surnames="RIOS"), KEYRING))
    noelia = _by_kind(tokenize(victim("PN", "2025-04", "DT-2", 1, given="NOELIA", surnames="RIOS"), KEYRING))
    assert right["name_fuzzy"] & typo["name_fuzzy"] and not right["name_short"] & typo["name_short"]
    assert swapped["name_fuzzy"] & noelia["name_fuzzy"]


def test_minmujer_initials_meet_full_names() -> None:
    full = tokenize(victim("MP", "2025-05", "9/2025", 1, given="Nancy José", surnames="Riveros Duarte", age=40,
                           dept="10"), KEYRING)
    initials = tokenize(victim("MINMUJER", "2025-06", "DGT-1", 1, initials="N.J.R.", age=40, dept="10"), KEYRING)
    a, b = _by_kind(full), _by_kind(initials)
    assert a["initials"] & b["initials"]
    assert a["block_initials_year_dept"] & b["block_initials_year_dept"]
    assert "name_short" not in b


def test_untyped_minmujer_document_is_a_cedula_for_paraguayans() -> None:
    typed = tokenize(victim("PN", "2025-04", "DT-1", 1, doc="5.168.901"), KEYRING)
    untyped = tokenize(victim("MINMUJER", "2025-05", "DGT-2", 1, doc="5168901", doc_type=None), KEYRING)
    assert _by_kind(typed)["doc_ci"] == _by_kind(untyped)["doc_ci"]


def test_coarse_features() -> None:
    adult = tokenize(victim("MP", "2025-04", "1/2025", 1, age=36, sex="M", dept="05"), KEYRING)
    assert adult.features == CoarseFeatures("M", "05", 1988, 1989)
    child = tokenize(victim("MINNA", "2025-04", "M-1", 1, given="Ana", surnames="Ríos"), KEYRING)
    assert (child.features.birth_year_min, child.features.birth_year_max) == (2007, 2025)  # under 18 on 2025-04-15
    assert "block_name_year" not in _by_kind(child)  # too wide a range to block on


def test_tokens_are_keyed_hex_of_known_kinds_and_round_trip() -> None:
    record = tokenize(victim("MP", "2025-04", "1/2025", 1, given="Ana", surnames="Ríos", doc="4567890",
                             phone="0981123456", age=20), KEYRING)
    assert all(t.kind in KIND_NAMES and re.fullmatch(r"[0-9a-f]{16}", t.value) for t in record.tokens)
    assert record.key_id == KEYRING.key_id
    again = TokenizedRecord.from_tokens(record.ref, reversed(record.tokens), record.features, record.key_id)
    assert set(again.tokens) == set(record.tokens)
    other_key = tokenize(victim("MP", "2025-04", "1/2025", 1, given="Ana", surnames="Ríos", doc="4567890",
                                phone="0981123456", age=20), Keyring.from_secrets([secrets.token_bytes(32)]))
    assert not {t.value for t in record.tokens} & {t.value for t in other_key.tokens}
    with pytest.raises(ValueError, match="desconocido"):
        TokenizedRecord.from_tokens(record.ref, [MatchToken("name", "00" * 8)], record.features, "x")


def test_a_tokenized_record_holds_no_cleartext() -> None:
    source = victim("MP", "2025-04", "1/2025", 1, given="Perla Guadalupe", surnames="Romero Fernández",
                    doc="7.754.581", phone="0961 775042", birth="1973-11-17",
                    narrative="La víctima Perla Guadalupe Romero Fernández fue contactada por Facebook.")
    record = tokenize(source, KEYRING)
    texts = [repr(record), str(record.tokens), repr(record.features), record.values.hex(), record.ref.canonical()]
    assert find_leaks(texts, source.personal_values()) == []


def test_record_ref_orders_by_period_first() -> None:
    later = RecordRef("MINMUJER", "2025-06", "A", 1)
    earlier = RecordRef("PN", "2025-04", "Z", 9)
    assert min([later, earlier], key=RecordRef.sort_key) == earlier
    assert earlier.case == ("PN", "2025-04", "Z")


def test_normalized_identifiers_do_not_print_themselves() -> None:
    source = victim("MP", "2025-04", "1/2025", 1, given="Perla Guadalupe", surnames="Romero", doc="7.754.581",
                    phone="0961 775042", birth="1973-11-17")
    ids = identifiers(source)
    texts = [repr(ids), repr(ids.name), repr(ids.document), str(ids.document)]
    assert find_leaks(texts, source.personal_values()) == []
    assert "PERLA" not in " ".join(texts)
