"""What every institution's renderer shares: the rendered row, the context, seeded streams."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from etl.synthetic.population import Encounter


@dataclass(slots=True)
class RenderedRecord:
    """One record as written in a file, with the truth that `truth_records.csv` needs."""

    values: Any  # a tuple of cells (MP, PN, MINMUJER) or a dict (a MINNA `casos` entry)
    person_id: str
    source_key: str
    ict: int


@dataclass(slots=True)
class KeyedEncounter:
    encounter: Encounter
    source_key: str
    sort_key: tuple[int, int, int]  # (year, number, victim position): the file's row order


@dataclass(slots=True)
class RenderContext:
    seed: int
    # Institutions that recorded each case anywhere in the window (for referrals and PN status).
    case_institutions: dict[int, list[str]] = field(default_factory=dict)
    # Share of MINNA records exported without `entorno_digital` (older system version).
    legacy_share: float = 0.0


def stream(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible random stream for one purpose (a file, a case...)."""
    label = ":".join(str(part) for part in (seed, *parts))
    return random.Random(f"observatorio-synthetic:{label}")
