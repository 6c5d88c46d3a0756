"""Pseudonymize records in this thread and COPY them into staging from a second one.

PostgreSQL indexes about 25 match tokens per record: while it ingests one batch, Python prepares
the next (psycopg releases the GIL while it waits on the server). The connection belongs to the
COPY thread until `finish()`; the queue holds one batch, so at most two batches of staged rows
exist at a time. Staging itself is the normal path's `stage_records` and `copy_rows`.
"""

from __future__ import annotations

import queue
import threading

import sqlalchemy as sa

from etl.defs.ingest.timing import PhaseClock
from etl.defs.intake.records import VictimRecord
from etl.defs.load.copy import copy_rows
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.staging_rows import STAGING_COLUMNS, TOKEN_COLUMNS, StagedExtract, stage_records
from warehouse import tables as t

# Records per stage_records call: bounds the token tuples (about 25 a record) held at once.
STAGE_BATCH = 10_000


class BackgroundStaging:
    def __init__(self, conn: sa.Connection, extract_id: int, keyring: Keyring, clock: PhaseClock) -> None:
        self.conn = conn
        self.clock = clock
        self.extract_id = extract_id
        self.keyring = keyring
        self.records = 0
        self.ict_linked = 0
        self._queue: queue.Queue[StagedExtract | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._copy_batches, name="staging-copy", daemon=True)
        self._thread.start()

    def _copy_batches(self) -> None:
        while (staged := self._queue.get()) is not None:
            if self._failure is not None:
                continue  # drain: the transaction is lost anyway
            try:
                with self.clock.phase("copy (background)"):
                    copy_rows(self.conn, t.staging_victim_record, STAGING_COLUMNS, staged.rows)
                    copy_rows(self.conn, t.staging_match_token, TOKEN_COLUMNS, staged.tokens)
            except BaseException as error:  # re-raised in the caller's thread by _check
                self._failure = error

    def _check(self) -> None:
        if self._failure is not None:
            raise self._failure

    def stage(self, records: list[VictimRecord]) -> None:
        for start in range(0, len(records), STAGE_BATCH):
            self._check()
            with self.clock.phase("pseudonymize"):
                staged = stage_records(records[start:start + STAGE_BATCH], self.extract_id, self.keyring)
            self.records += len(staged.rows)
            self.ict_linked += staged.ict_linked
            with self.clock.phase("wait for copy"):
                self._queue.put(staged)

    def finish(self) -> None:
        """Wait for the last COPY; the connection is the caller's again afterwards."""
        if self._thread.is_alive():
            with self.clock.phase("wait for copy"):
                self._queue.put(None)
                self._thread.join()
        self._check()
