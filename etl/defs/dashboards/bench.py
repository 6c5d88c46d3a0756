"""How long each card takes: the 95th percentile of its SQL with default filters, as the dashboard role.

For `make bench`: a dashboard is as slow as its slowest card, and Metabase runs them all on open.
One warm-up run per card is not timed (plans and caches); each timed run fetches every row.
"""

from __future__ import annotations

import math
import time

import sqlalchemy as sa

from etl.defs.dashboards.queries import dashboard_connection, run_card
from etl.defs.dashboards.spec import DashboardsSpec, load_spec


def p95(samples_ms: list[float]) -> float:
    """Nearest-rank 95th percentile (no interpolation: a value that was actually observed)."""
    if not samples_ms:
        raise ValueError("no samples")
    ordered = sorted(samples_ms)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def card_latencies(engine: sa.Engine, repeats: int = 20, spec: DashboardsSpec | None = None) -> dict[str, float]:
    """Card key -> p95 latency in milliseconds over ``repeats`` timed runs."""
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    spec = spec or load_spec()
    latencies: dict[str, float] = {}
    with dashboard_connection(engine) as conn:
        for key, card in spec.cards.items():
            run_card(conn, spec, card)
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                run_card(conn, spec, card)
                samples.append((time.perf_counter() - start) * 1000.0)
            latencies[key] = round(p95(samples), 3)
    return latencies
