"""Keyed pseudonyms (HMAC-SHA-256) and their rotation.

A pseudonym is HMAC(key_purpose, message), truncated, written in hex, stored with the
`key_id` of the keyring that made it. Without the secret it cannot be reversed, nor
recomputed from a dictionary of candidate values (there is no unkeyed hash anywhere here).
The message (a normalized identifier) is personal data and is never stored or returned.

Rotation ("token chaining"). An HMAC cannot be inverted, and the warehouse keeps no
cleartext, so stored tokens cannot be recomputed under a new key from their values. Instead a
rotation applies a keyed mapping to what is stored:

    new_token = HMAC(new_key_purpose, old_token)

to every stored token of a purpose, at once, in one transaction. Because the mapping is a
function of the old token, equal tokens stay equal and different tokens stay different (up
to negligible collisions), so every link, person and count is unchanged. From then on new
data is tokenized through the whole chain of generations, HMAC(k_n, ... HMAC(k_1, message)),
which yields exactly the chained values: old and new rows keep matching. Each generation's
secret therefore stays necessary; compromise of the old secret alone no longer lets anyone
test guesses against the stored tokens.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from etl.defs.privacy.keys import Keyring, Purpose

# Truncation per purpose, in bytes. Match tokens are compared by the million, so they are
# kept to 64 bits (collisions among 10^8 tokens stay below 10^-3 and only ever add a
# candidate pair that scoring then judges); keys that name rows are 128 bits.
TOKEN_BYTES: dict[str, int] = {
    Purpose.MATCH: 8,
    Purpose.PERSON: 16,
    Purpose.RECORD: 16,
}


@dataclass(frozen=True, slots=True)
class Pseudonym:
    value: str  # hex
    key_id: str


def keyed_digest(keyring: Keyring, purpose: Purpose | str, message: bytes) -> bytes:
    """HMAC through every generation of the keyring, truncated after each step."""
    size = TOKEN_BYTES[str(purpose)]
    value = message
    for base in keyring.hmac_bases(purpose):
        value = base.digest(value)[:size]
    return value


def pseudonymize(keyring: Keyring, purpose: Purpose | str, message: str) -> Pseudonym:
    return Pseudonym(keyed_digest(keyring, purpose, message.encode("utf-8")).hex(), keyring.key_id)


def source_key_pseudonym(keyring: Keyring, institution: str, source_key: str) -> Pseudonym:
    """Pseudonym of an agency's case key: case numbers lead to case files, so they are keyed too."""
    return pseudonymize(keyring, Purpose.RECORD, f"case|{institution}|{source_key.strip().upper()}")


class RotationError(ValueError):
    """The keyrings given to `rotate` are not one rotation apart."""


def rotate(
    old_keyring: Keyring, new_keyring: Keyring, tokens: Iterable[str], purpose: Purpose | str = Purpose.MATCH
) -> dict[str, str]:
    """Map every stored token of `purpose` to its value under the new keyring (token chaining).

    `new_keyring` must be `old_keyring` plus one newer generation (`Keyring.extended`).
    Returns {old_token: new_token}; apply it to every stored row of the purpose at once.
    """
    if new_keyring.key_ids[:-1] != old_keyring.key_ids or len(new_keyring.key_ids) != len(old_keyring.key_ids) + 1:
        raise RotationError(
            "la rotación requiere el llavero anterior más una generación nueva "
            f"(anterior: {old_keyring.key_ids}, nuevo: {new_keyring.key_ids})"
        )
    new_key = new_keyring.generations[-1].derived_key(purpose)
    size = TOKEN_BYTES[str(purpose)]
    mapping: dict[str, str] = {}
    for position, token in enumerate(tokens):
        if token in mapping:
            continue
        try:
            raw = bytes.fromhex(token)
        except ValueError:
            raise RotationError(f"el token n.º {position} no es hexadecimal") from None
        if len(raw) != size:
            raise RotationError(f"el token n.º {position} no tiene {size} bytes: no es de este propósito")
        mapping[token] = hmac.new(new_key, raw, "sha256").digest()[:size].hex()
    return mapping
