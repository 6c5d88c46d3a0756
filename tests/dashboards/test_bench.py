"""The card latency benchmark runs every card as the dashboard role and reports a p95 per card."""

from __future__ import annotations

import pytest

from etl.defs.dashboards.bench import card_latencies, p95
from etl.defs.dashboards.spec import load_spec


def test_p95_is_the_nearest_rank_value():
    assert p95([5.0]) == 5.0
    assert p95([float(v) for v in range(1, 21)]) == 19.0  # ceil(0.95 * 20) = 19th value
    assert p95([float(v) for v in range(1, 101)]) == 95.0
    with pytest.raises(ValueError):
        p95([])


def test_card_latencies_cover_every_card(dashboard_engine, published):
    latencies = card_latencies(dashboard_engine, repeats=3)
    assert set(latencies) == set(load_spec().cards)
    assert all(0 < ms < 5000 for ms in latencies.values())


def test_card_latencies_switch_a_superuser_engine_to_the_dashboard_role(dashboard_warehouse_url, published):
    import sqlalchemy as sa

    engine = sa.create_engine(dashboard_warehouse_url)
    try:
        assert set(card_latencies(engine, repeats=1)) == set(load_spec().cards)
    finally:
        engine.dispose()
    with pytest.raises(ValueError):
        card_latencies(engine, repeats=0)
