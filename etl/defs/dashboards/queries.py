"""Run a card's SQL exactly as Metabase would, logged in as the dashboard role.

Whatever engine the caller hands over (the pipeline's, a superuser's in tests), card SQL runs in
a read-only transaction under `observatorio_dashboard`, the role Metabase connects as: a card
that only works with more privileges than Metabase has fails here first.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from etl.defs.dashboards.spec import CardSpec, DashboardsSpec
from etl.defs.dashboards.sqltemplate import render

DASHBOARD_ROLE = "observatorio_dashboard"


class DashboardRoleError(RuntimeError):
    """The connection can neither log in as nor switch to the dashboard role."""


class CardColumnsError(RuntimeError):
    """A card's SQL returned other columns than its spec declares."""


@dataclass(frozen=True, slots=True)
class CardResult:
    card: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


@contextmanager
def dashboard_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only transaction running as the dashboard role; rolled back on exit."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            if conn.exec_driver_sql("SELECT current_user").scalar() != DASHBOARD_ROLE:
                try:
                    conn.exec_driver_sql(f"SET LOCAL ROLE {DASHBOARD_ROLE}")
                except sa.exc.DBAPIError:
                    raise DashboardRoleError(
                        f"the connection can neither log in as nor SET ROLE to {DASHBOARD_ROLE}: connect as that "
                        f"role or GRANT {DASHBOARD_ROLE} to the connecting role"
                    ) from None
            yield conn
        finally:
            trans.rollback()


def run_card(
    conn: sa.Connection, spec: DashboardsSpec, card: CardSpec, values: Mapping[str, object | None] | None = None
) -> CardResult:
    """The card's rows for the given filter values (missing or None: the filter is empty)."""
    values = dict(values or {})
    unknown = sorted(set(values) - set(card.filters))
    if unknown:
        raise ValueError(f"card {card.key!r} has no filters {unknown}")
    query = render(card.sql, values, spec.tag_types(card))
    result = conn.execute(query.statement, query.params)
    columns = tuple(result.keys())
    if columns != card.column_names:
        raise CardColumnsError(f"card {card.key!r} returned columns {list(columns)}, spec declares {list(card.column_names)}")
    return CardResult(card=card.key, columns=columns, rows=tuple(tuple(row) for row in result.all()))
