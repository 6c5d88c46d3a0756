"""Each institution's own record keys, numbered in registration order within a year.

MP numbers a case once (`1532/2025`) and keeps the number when the case reappears in a later
month; PN numbers complaints (`DT-2025-0412`), shared by the victims of one complaint; MINNA
(`MINNA-2025-00031`) and MINMUJER (`DGT-2025-0007`) number each person's intake. Numbers skip
values, as the agencies' series also hold cases outside the trafficking units' remit.
"""

from __future__ import annotations

import random
from collections import defaultdict

from etl.synthetic.population import Encounter
from etl.synthetic.rendering import KeyedEncounter
from etl.synthetic.weighted import between

# (first number of a year: low, high), (step between consecutive keys: low, high)
_SERIES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "MP": ((900, 1500), (1, 4)),
    "PN": ((1, 40), (1, 3)),
    "MINNA": ((1, 25), (1, 2)),
    "MINMUJER": ((1, 6), (1, 2)),
}


def _format(institution: str, year: int, number: int) -> str:
    if institution == "MP":
        return f"{number}/{year}"
    if institution == "PN":
        return f"DT-{year}-{number:04d}"
    if institution == "MINNA":
        return f"MINNA-{year}-{number:05d}"
    return f"DGT-{year}-{number:04d}"


class _Counter:
    def __init__(self, institution: str, rng: random.Random) -> None:
        self._rng = rng
        self._start, self._step = _SERIES[institution]
        self._last: dict[int, int] = {}

    def next(self, year: int) -> int:
        if year not in self._last:
            self._last[year] = between(self._rng, *self._start)
        else:
            self._last[year] += between(self._rng, *self._step)
        return self._last[year]


def assign(encounters: list[Encounter], rng: random.Random) -> list[KeyedEncounter]:
    """Key every encounter; `encounters` must be in (period, registration date) order."""
    counters = {institution: _Counter(institution, rng) for institution in _SERIES}
    group_numbers: dict[tuple[str, tuple[int, int]], tuple[int, int]] = {}
    positions: dict[tuple[str, str, tuple[int, int], int], int] = defaultdict(int)
    keyed: list[KeyedEncounter] = []
    ordered = sorted(encounters, key=lambda e: (e.period, e.registration_date))
    for encounter in ordered:
        institution = encounter.institution
        if institution in ("MP", "PN"):
            group = (institution, encounter.group_key)
            if group not in group_numbers:
                year = encounter.registration_date.year
                group_numbers[group] = (year, counters[institution].next(year))
            year, number = group_numbers[group]
        else:
            year = encounter.registration_date.year
            number = counters[institution].next(year)
        slot = (institution, encounter.period, encounter.group_key, number)
        position = positions[slot]
        positions[slot] += 1
        keyed.append(KeyedEncounter(encounter, _format(institution, year, number), (year, number, position)))
    return keyed
