"""HMAC-SHA-256 with the key's two padded blocks hashed once, for tokenizing by the million.

`hmac.new(key).copy()` per message costs about 2.3 µs in CPython 3.11, most of it in the
`hmac.HMAC` wrapper's Python code; copying two `hashlib` states costs about 1.0 µs. A million
records make some 30 million match tokens, so the difference is about 40 s of a large ingest.
The construction is RFC 2104's, and `tests/privacy` checks it against `hmac.digest`.
"""

from __future__ import annotations

import hashlib

_BLOCK = 64  # SHA-256's block size in bytes
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


class PrekeyedHmacSha256:
    """HMAC-SHA-256 under one key; holds only the hash states after the padded key blocks."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        if len(key) > _BLOCK:
            key = hashlib.sha256(key).digest()
        block = key.ljust(_BLOCK, b"\0")
        self._inner = hashlib.sha256(block.translate(_INNER_PAD))
        self._outer = hashlib.sha256(block.translate(_OUTER_PAD))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def __repr__(self) -> str:
        return "PrekeyedHmacSha256(<clave oculta>)"
