"""Password hashing with Argon2id, at argon2-cffi's default cost (RFC 9106's low-memory profile:
3 passes over 64 MiB, 4 lanes; about half a second on a small server, which is the point)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12

_HASHER = PasswordHasher()
_dummy_hashes: dict[tuple[int, int, int], str] = {}


class WeakPasswordError(ValueError):
    """The password does not meet the minimum; the message never repeats it."""


def _dummy_hash() -> str:
    key = (_HASHER.time_cost, _HASHER.memory_cost, _HASHER.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _HASHER.hash("observatorio-dummy-password")
    return _dummy_hashes[key]


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPasswordError(f"la contraseña debe tener al menos {MIN_LENGTH} caracteres")
    if len(set(password)) < 5:
        raise WeakPasswordError("la contraseña repite demasiado pocos caracteres distintos")


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """The same work whether or not the account exists, so timing does not reveal accounts."""
    try:
        return _HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)
