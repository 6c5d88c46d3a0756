"""Optional differential privacy for national annual totals, with an enforced epsilon budget.

When `OBSERVATORIO_DP_EPSILON` is set, each release also publishes the national total of
detected victims per year with discrete Laplace noise (OpenDP), charges the ledger in
`audit.dp_ledger`, and refuses (raises) when the total budget would be exceeded: the release
transaction then rolls back and the previous publication stays in force.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.defs.publication.sdc.dp import PrivacyLedger, noisy_totals
from warehouse import tables as t

STATISTIC = "national_annual_total"


def load_ledger(conn: sa.Connection, total_epsilon: float) -> PrivacyLedger:
    frame = pd.read_sql(
        sa.select(t.audit_dp_ledger.c.release_id, t.audit_dp_ledger.c.statistic, t.audit_dp_ledger.c.epsilon,
                  t.audit_dp_ledger.c.mechanism, t.audit_dp_ledger.c.scale, t.audit_dp_ledger.c.recorded_at),
        conn,
    )
    return PrivacyLedger.from_frame(total_epsilon, frame)


def publish_noisy_totals(conn: sa.Connection, release_id: int, epsilon: float, total_epsilon: float) -> dict[int, int]:
    # Serialize budget spending across concurrent publications.
    conn.execute(sa.text("LOCK TABLE audit.dp_ledger IN SHARE ROW EXCLUSIVE MODE"))
    ledger = load_ledger(conn, total_epsilon)
    before = len(ledger.entries)
    totals = {
        int(r.year): int(r.victims)
        for r in conn.execute(sa.text(
            "SELECT first_detection_year AS year, count(*) AS victims FROM mart.person_profile GROUP BY 1 ORDER BY 1"
        ))
    }
    noisy = noisy_totals(totals, epsilon, ledger, release_id=str(release_id), statistic=STATISTIC)
    for entry in ledger.entries[before:]:
        conn.execute(t.audit_dp_ledger.insert().values(
            release_id=entry.release_id, statistic=entry.statistic, epsilon=entry.epsilon,
            mechanism=entry.mechanism, scale=entry.scale, recorded_at=entry.recorded_at,
        ))
    if noisy:
        conn.execute(t.publication_noisy_total.insert(), [
            {"release_id": release_id, "year": year, "statistic": STATISTIC, "noisy_victims": value, "epsilon": epsilon}
            for year, value in noisy.items()
        ])
    return noisy
