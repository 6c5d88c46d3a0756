"""Without the key, stored tokens cannot be found by hashing every cédula and phone.

The attacker knows our message format exactly ("doc|CI|<n>", "tel|+595<n>"), hashes the whole
space of cédulas (1 to 8,000,000) with SHA-256 and every mobile number of the prefixes the
records use, and compares with the stored 64-bit tokens. Weaker guesses (raw digits; HMAC with
an empty key, the usual "forgot the key" bug) are swept over a window of 40,000 around each
real value: any unkeyed construction would be found there, so the window suffices. A positive
control runs the same sweep with the real key and must find every token, proving the harness.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.tokens import tokenize

from .fixtures import victim

CEDULAS = (4_567_890, 1_892_500, 7_754_581, 352_144, 6_148_213)
PHONES = ("0981 653892", "0983 506605", "0971 843741", "+595 981 515 304")
PREFIXES = ("981", "983", "971")


def _stored_tokens(keyring: Keyring) -> tuple[set[bytes], set[bytes]]:
    records = [
        victim("MP", "2025-04", f"{i}/2025", 1, given="Ana", surnames="Ríos", doc=f"{ci:,}".replace(",", "."),
               phone=PHONES[i % len(PHONES)], age=20)
        for i, ci in enumerate(CEDULAS)
    ]
    docs, phones = set(), set()
    for record in (tokenize(r, keyring) for r in records):
        for i, kind in enumerate(record.tokens):
            value = record.values[8 * i: 8 * i + 8]
            if kind.kind == "doc_ci":
                docs.add(value)
            elif kind.kind == "phone":
                phones.add(value)
    return docs, phones


def _sweep(prefix: bytes, numbers: range, targets: set[bytes], make=hashlib.sha256) -> set[bytes]:
    found = set()
    for n in numbers:
        digest = make(prefix + b"%d" % n).digest()[:8]
        if digest in targets:
            found.add(digest)
    return found


def _windows(values, radius: int = 20_000) -> list[range]:
    return [range(max(1, v - radius), v + radius) for v in values]


def test_tokens_resist_a_dictionary_attack_without_the_key() -> None:
    keyring = Keyring.from_secrets([secrets.token_bytes(32)])
    docs, phones = _stored_tokens(keyring)
    assert len(docs) == len(CEDULAS) and len(phones) == len(PHONES)
    targets = docs | phones
    started = time.perf_counter()

    # Every cédula, exact message format, SHA-256.
    assert _sweep(b"doc|CI|", range(1, 8_000_001), targets) == set()
    # Every mobile number of the prefixes in use, exact message format.
    for prefix in PREFIXES:
        assert _sweep(b"tel|+595" + prefix.encode(), range(1_000_000), targets) == set()

    # Weaker constructions, around the real values.
    empty_key_hmac = lambda message: hmac.new(b"", message, hashlib.sha256)  # noqa: E731
    national = [int(p.replace(" ", "").replace("+595", "").lstrip("0")[3:]) for p in PHONES]
    for window in _windows(CEDULAS):
        assert _sweep(b"", window, targets) == set()
        assert _sweep(b"doc|CI|", window, targets, empty_key_hmac) == set()
    for window in _windows(national):
        assert _sweep(b"tel|+595981", window, targets, empty_key_hmac) == set()
    elapsed = time.perf_counter() - started
    print(f"dictionary sweep: {elapsed:.1f}s")

    # Positive control: with the key, the same kind of sweep finds every document token.
    match_key = keyring.derived_keys(Purpose.MATCH)[0]
    with_key = lambda message: hmac.new(match_key, message, hashlib.sha256)  # noqa: E731
    found = set()
    for value in CEDULAS:
        found |= _sweep(b"doc|CI|", range(value - 50, value + 50), targets, with_key)
    assert found == docs
