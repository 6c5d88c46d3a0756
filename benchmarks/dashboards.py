"""Benchmark (d): dashboard card latency (p95 per card) on a large synthetic publication.

Cards run as the dashboard role through `etl.defs.dashboards.bench.card_latencies`. The baseline,
measured on the same connection path, is the p95 of a trivial `SELECT 1` (the round trip every
card pays): a card's ratio is how many round trips its query costs.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass

import sqlalchemy as sa

from benchmarks import publication_fixture
from benchmarks.table import Row

TARGET_MS = 100.0
BENCH_MODULE = "etl.defs.dashboards.bench"


@dataclass(frozen=True)
class DashboardSizes:
    years: int
    volume_factor: int  # times Paraguay's yearly volume
    repeats: int
    releases: int  # releases kept in the schema (one a month of publishing), the last one current
    last_year: int = 2025


def _round_trip_p95(engine: sa.Engine, repeats: int) -> float:
    from etl.defs.dashboards.bench import p95
    from etl.defs.dashboards.queries import dashboard_connection

    samples = []
    with dashboard_connection(engine) as conn:
        conn.execute(sa.text("SELECT 1")).all()
        for _ in range(repeats):
            started = time.perf_counter()
            conn.execute(sa.text("SELECT 1")).all()
            samples.append((time.perf_counter() - started) * 1000.0)
    return p95(samples)


def run(url: str, sizes: DashboardSizes) -> list[Row]:
    if importlib.util.find_spec(BENCH_MODULE) is None:
        return [Row("(d) Dashboard card latency", "p95 ms", 0.0, note=f"not run: module missing ({BENCH_MODULE})")]
    from etl.defs.dashboards.bench import card_latencies

    years = tuple(range(sizes.last_year - sizes.years + 1, sizes.last_year + 1))
    volume = publication_fixture.PARAGUAY_VICTIMS_PER_YEAR * sizes.volume_factor
    engine = sa.create_engine(url)
    try:
        seeded = publication_fixture.seed(engine, years, volume, releases=sizes.releases)
        latencies = card_latencies(engine, repeats=sizes.repeats)
        floor = _round_trip_p95(engine, sizes.repeats)
    finally:
        engine.dispose()
    size = (f"{sizes.years} years × {sizes.volume_factor}× Paraguay's volume ({seeded.persons:,} synthetic persons, "
            f"{seeded.victim_rows:,} victim_count rows per release, {seeded.releases} releases kept)")
    slowest = max(latencies, key=latencies.__getitem__)
    rows = [
        Row("(d) Dashboard cards, slowest", f"p95 ms ({slowest}), {sizes.repeats} runs", latencies[slowest],
            f"SELECT 1 p95 {floor:.2f} ms", latencies[slowest] / floor, f"≤ {TARGET_MS:g} ms",
            latencies[slowest] <= TARGET_MS, size),
    ]
    for key in sorted(latencies):
        rows.append(Row("(d) Dashboard card", f"p95 ms, {key}", latencies[key], f"SELECT 1 p95 {floor:.2f} ms",
                        latencies[key] / floor, f"≤ {TARGET_MS:g} ms", latencies[key] <= TARGET_MS))
    return rows
