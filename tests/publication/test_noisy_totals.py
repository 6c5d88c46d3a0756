"""Optional DP totals: each release's epsilon is in the ledger, and the budget cap is enforced."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from etl.defs.publication.noisy_totals import publish_noisy_totals
from etl.defs.publication.sdc.dp import BudgetExceededError
from warehouse.marts import refresh_marts


def test_ledger_records_and_caps(fresh_warehouse_url: str) -> None:
    engine = sa.create_engine(fresh_warehouse_url)
    with engine.begin() as conn:
        refresh_marts(conn)
        rid = conn.execute(sa.text(
            "INSERT INTO publication.release (k, is_current, audit_passed, differencing_passed, cell_count, "
            "withheld_count, audit_summary) VALUES (10, false, true, true, 0, 0, '{}') RETURNING release_id"
        )).scalar_one()
        publish_noisy_totals(conn, rid, epsilon=0.6, total_epsilon=1.0)
        assert conn.execute(sa.text("SELECT sum(epsilon) FROM audit.dp_ledger")).scalar() == pytest.approx(0.6)
    with engine.begin() as conn, pytest.raises(BudgetExceededError):
        publish_noisy_totals(conn, rid, epsilon=0.6, total_epsilon=1.0)
    with engine.connect() as conn:  # the refused release spent nothing
        assert conn.execute(sa.text("SELECT count(*) FROM audit.dp_ledger")).scalar() == 1
    engine.dispose()
