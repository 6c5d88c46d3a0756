"""Drawing from a fixed table of relative frequencies, fast enough for a million rows."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import Generic, Protocol, TypeVar

T = TypeVar("T")


class UniformSource(Protocol):
    """Anything with `random()` in [0, 1): a `random.Random`, or a case's replayed draws."""

    def random(self) -> float: ...


class Weighted(Generic[T]):
    """(value, relative frequency) pairs; cumulative weights are computed once."""

    __slots__ = ("values", "_cumulative", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        pairs = tuple(pairs)
        if not pairs or any(weight < 0 for _, weight in pairs):
            raise ValueError("a weighted table needs at least one value and no negative weight")
        self.values: tuple[T, ...] = tuple(value for value, _ in pairs)
        self._cumulative = tuple(accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def draw(self, rng: UniformSource) -> T:
        return self.values[bisect_right(self._cumulative, rng.random() * self._total)]


def pick(rng: UniformSource, options: Sequence[T]) -> T:
    """`rng.choice` without its rejection sampling: about twice as fast, equally reproducible."""
    return options[int(rng.random() * len(options))]


def between(rng: UniformSource, low: int, high: int) -> int:
    """An integer in [low, high], like `rng.randint` but cheaper in million-row loops."""
    return low + int(rng.random() * (high - low + 1))
