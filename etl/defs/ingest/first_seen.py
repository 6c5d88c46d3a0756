"""Where each digest was first seen, over a stream of batches, in a few bytes per digest.

A million-row file needs "was this row seen before, and where?" twice (identical duplicates,
repeated source keys). A Python dict of a million digests costs over 100 MB; two sorted numpy
arrays cost 24 bytes per digest. Digests are 128-bit (blake2b), so a collision between two
different rows is not a practical concern.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

DIGEST_BYTES = 16


def digest(value: object) -> bytes:
    """A 128-bit digest of a value's repr (tuples of str, int, date and None repr deterministically)."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=DIGEST_BYTES).digest()


def digests(values: Iterable[object]) -> np.ndarray:
    return np.array([digest(v) for v in values], dtype=f"S{DIGEST_BYTES}")


class FirstSeen:
    """Sorted digests and, beside each, a payload (e.g. a row number) of its first occurrence."""

    def __init__(self) -> None:
        self._digests = np.empty(0, dtype=f"S{DIGEST_BYTES}")
        self._payloads = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._digests)

    def observe(self, batch: np.ndarray, payloads: np.ndarray) -> np.ndarray:
        """Payload of each digest's first occurrence over every batch so far, this one included.

        An element whose result is its own payload is a first occurrence.
        """
        if len(batch) != len(payloads):
            raise ValueError("one payload per digest")
        if not len(batch):
            return np.empty(0, dtype=np.int64)
        unique, first_index, inverse = np.unique(batch, return_index=True, return_inverse=True)
        first = payloads[first_index].astype(np.int64)
        position = np.searchsorted(self._digests, unique)
        known = np.zeros(len(unique), dtype=bool)
        if len(self._digests):
            clipped = np.minimum(position, len(self._digests) - 1)
            known = self._digests[clipped] == unique
            first = np.where(known, self._payloads[clipped], first)
        new = ~known
        # Insert in sorted order: O(n) per batch, no re-sorting of what is already there.
        self._digests = np.insert(self._digests, position[new], unique[new])
        self._payloads = np.insert(self._payloads, position[new], first[new])
        return first[inverse]
