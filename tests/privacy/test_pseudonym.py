from __future__ import annotations

import secrets

import pytest

from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.linkage import link_records
from etl.defs.privacy.pseudonym import RotationError, pseudonymize, rotate, source_key_pseudonym
from etl.defs.privacy.tokens import TokenizedRecord, tokenize

from .fixtures import victim

OLD_SECRET, NEW_SECRET = secrets.token_bytes(32), secrets.token_bytes(32)


def test_pseudonyms_are_keyed_and_separated_by_purpose() -> None:
    ring, other = Keyring.from_secrets([OLD_SECRET]), Keyring.from_secrets([NEW_SECRET])
    message = "doc|CI|4567890"
    match = pseudonymize(ring, Purpose.MATCH, message)
    assert match == pseudonymize(ring, Purpose.MATCH, message)
    assert match.key_id == ring.key_id and len(match.value) == 16
    assert pseudonymize(other, Purpose.MATCH, message).value != match.value
    person = pseudonymize(ring, Purpose.PERSON, message)
    assert len(person.value) == 32 and not person.value.startswith(match.value)


def test_source_key_pseudonym_is_case_insensitive_and_per_institution() -> None:
    ring = Keyring.from_secrets([OLD_SECRET])
    assert source_key_pseudonym(ring, "MP", "1532/2025") == source_key_pseudonym(ring, "MP", " 1532/2025 ")
    assert source_key_pseudonym(ring, "MP", "1532/2025") != source_key_pseudonym(ring, "PN", "1532/2025")


def _records():
    return [
        victim("MP", "2025-04", "1/2025", 1, given="Ana María", surnames="Gómez Ríos", doc="4.567.890",
               birth="2008-03-01", phone="0981 123456"),
        victim("PN", "2025-05", "DT-1", 1, given="ANA MARIA", surnames="GOMEZ RIOS", doc="4567890", age=17),
        victim("MINNA", "2025-05", "M-1", 1, given="Ana", surnames="Gomez", birth="2008-03-01", phone="981123456"),
        victim("MP", "2025-05", "2/2025", 1, given="Luis", surnames="Benítez", doc="1.234.567", age=30),
        victim("PN", "2025-06", "DT-9", 1, given="Luis", surnames="Benitez Ayala", doc="1234567", age=30),
    ]


def test_rotation_chains_stored_tokens_to_what_the_new_keyring_computes() -> None:
    old = Keyring.from_secrets([OLD_SECRET])
    new = old.extended(NEW_SECRET)
    records = _records()
    before = [tokenize(r, old) for r in records]
    mapping = rotate(old, new, (t.value for rec in before for t in rec.tokens), Purpose.MATCH)
    rotated = [
        TokenizedRecord.from_tokens(rec.ref, [t._replace(value=mapping[t.value]) for t in rec.tokens],
                                    rec.features, new.key_id)
        for rec in before
    ]
    fresh = [tokenize(r, new) for r in records]
    assert [set(r.tokens) for r in rotated] == [set(f.tokens) for f in fresh]
    assert not set(mapping) & set(mapping.values())

    linked_before, linked_after = link_records(before, old), link_records(rotated, new)
    assert linked_before.persons == linked_after.persons == 2
    # Person keys are themselves rotated by the same chaining.
    person_map = rotate(old, new, set(linked_before.assignment.values()), Purpose.PERSON)
    assert {ref: person_map[key] for ref, key in linked_before.assignment.items()} == linked_after.assignment


def test_rotation_refuses_unrelated_keyrings_and_foreign_tokens() -> None:
    old = Keyring.from_secrets([OLD_SECRET])
    with pytest.raises(RotationError):
        rotate(old, Keyring.from_secrets([NEW_SECRET]), ["00" * 8])
    with pytest.raises(RotationError):
        rotate(old, old.extended(NEW_SECRET).extended(secrets.token_bytes(32)), ["00" * 8])
    with pytest.raises(RotationError, match="n.º 1"):
        rotate(old, old.extended(NEW_SECRET), ["00" * 8, "zz" * 8])
    with pytest.raises(RotationError, match="8 bytes"):
        rotate(old, old.extended(NEW_SECRET), ["00" * 16])


@pytest.mark.parametrize("key_size", [0, 1, 32, 64, 65, 200])
def test_prekeyed_hmac_is_rfc_2104_hmac_sha256(key_size: int) -> None:
    from hmac import digest as hmac_digest

    from etl.defs.privacy.prekeyed_hmac import PrekeyedHmacSha256

    key = secrets.token_bytes(key_size)
    mac = PrekeyedHmacSha256(key)
    for message in (b"", b"doc|CI|4567890", secrets.token_bytes(300)):
        assert mac.digest(message) == hmac_digest(key, message, "sha256")
    assert mac.digest(b"x") == mac.digest(b"x")  # the keyed states are copied, never consumed
    assert repr(mac) == "PrekeyedHmacSha256(<clave oculta>)"  # nothing of the key, whatever its bytes


def test_pseudonyms_equal_plain_hmac_through_every_generation() -> None:
    from hmac import digest as hmac_digest

    ring = Keyring.from_secrets([OLD_SECRET, NEW_SECRET])
    message = b"nz|ana|gomez"
    value = message
    for key in ring.derived_keys(Purpose.MATCH):
        value = hmac_digest(key, value, "sha256")[:8]
    assert pseudonymize(ring, Purpose.MATCH, message.decode()).value == value.hex()
