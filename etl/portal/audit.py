"""The portal's audit trail: who did what, when, with which outcome; never what was in a file.

Rows carry a user id, an institution code, a month, an extract id and a keyed hash of the IP
address: enough to answer "who uploaded MP's June file and from where", nothing to identify a
victim or to recover the address.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from etl.portal.tables import EVENT_TYPES, portal_event

log = logging.getLogger(__name__)


def record_event(
    conn: sa.Connection,
    event_type: str,
    outcome: str,
    *,
    user_id: int | None = None,
    institution: str | None = None,
    period: str | None = None,
    extract_id: int | None = None,
    ip_hash: str | None = None,
) -> None:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"tipo de evento de auditoría desconocido: {event_type}")
    conn.execute(
        portal_event.insert().values(
            event_type=event_type, outcome=outcome, user_id=user_id, institution_code=institution,
            period_code=period, extract_id=extract_id, ip_hash=ip_hash,
        )
    )
    log.info("portal event %s %s user=%s institution=%s", event_type, outcome, user_id, institution)
