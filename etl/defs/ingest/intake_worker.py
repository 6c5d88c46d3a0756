"""Read, validate and pseudonymize a large extract in a worker process; the caller COPYs what it sends.

    worker = IntakeWorker.start(job, keyring)
    for staged in worker.staged():      # StagedBatch: pseudonyms and codes only
        copy_rows(...)
    validated = worker.result()         # the validation (raises ExtractRejected as validate_stream does)

Why a process of its own: the intake makes millions of short-lived Python objects (rows, frames,
Great Expectations results). CPython keeps the memory they fragment, so the process that ran the
intake of a million rows stays about 500 MB larger for the rest of the ingest, through global
linkage, which needs memory of its own. A worker's memory goes back to the system when it exits.
The worker also runs on the other core while this process COPYs its batches into staging.

The worker is forked: it inherits the keyring in memory (no secret crosses a pipe) and never uses
the parent's database connection. It sends staged batches (exactly what staging stores: tokens
and codes), then the validation result (findings hold rule codes, rows and columns, no values)
and its phase times. If the parent dies, the worker's next send fails and it exits.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from etl.defs.ingest.chunked_validation import Validated, validate_stream
from etl.defs.ingest.csv_chunks import TextEncoding
from etl.defs.ingest.timing import PhaseClock
from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import ExtractRejected
from etl.defs.intake.readers.base import ReadLimits
from etl.defs.intake.records import VictimRecord
from etl.defs.load.copy import plain_copy_text
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.staging_rows import TOKEN_COLUMNS, stage_records

# Records per stage_records call and per message: bounds the token tuples (about 35 a record, ~200
# bytes each as Python objects) held at once on either side of the pipe.
STAGE_BATCH = 2_000


@dataclass(frozen=True)
class StagedBatch:
    """What the worker sends per batch: staging rows as tuples, and the match tokens (35 a record)
    already in COPY's text format, so that the ingest process never holds them as Python objects."""

    rows: list[tuple[Any, ...]]
    token_copy_text: bytes  # TOKEN_COLUMNS
    ict_linked: int


@dataclass(frozen=True)
class IntakeJob:
    contract: Contract
    period: str
    path: Path
    encoding: TextEncoding
    chunk_rows: int
    today: dt.date
    limits: ReadLimits
    extract_id: int


class IntakeWorkerFailed(RuntimeError):
    """The worker failed (its error type and traceback: code locations, no values) or died."""


def _work(send: Connection, job: IntakeJob, keyring: Keyring) -> None:
    clock = PhaseClock()

    def stage(records: list[VictimRecord]) -> None:
        for start in range(0, len(records), STAGE_BATCH):
            with clock.phase("pseudonymize"):
                staged = stage_records(records[start:start + STAGE_BATCH], job.extract_id, keyring)
            with clock.phase("format tokens"):
                batch = StagedBatch(staged.rows, plain_copy_text(staged.tokens, len(TOKEN_COLUMNS)), staged.ict_linked)
            del staged
            with clock.phase("send"):
                send.send(("staged", batch))

    try:
        validated = validate_stream(
            job.contract, job.period, job.path, job.encoding, chunk_rows=job.chunk_rows, today=job.today,
            limits=job.limits, clock=clock, on_records=stage,
        )
        send.send(("validated", validated, clock.seconds))
    except ExtractRejected as rejected:
        send.send(("rejected", rejected.findings, clock.seconds))
    except BrokenPipeError:
        pass  # the parent is gone: nobody to tell
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises it
        # The type and the stack of code locations; an exception's message is left out, in case
        # some library put a value from the file in it.
        stack = "".join(traceback.format_tb(error.__traceback__))
        send.send(("failed", f"{type(error).__module__}.{type(error).__qualname__}\n{stack}", clock.seconds))
    finally:
        send.close()


class IntakeWorker:
    def __init__(self, process: multiprocessing.process.BaseProcess, receive: Connection) -> None:
        self._process = process
        self._receive = receive
        self._outcome: tuple[Any, ...] | None = None
        self.seconds: dict[str, float] = {}  # the worker's phase times, once it has finished

    @classmethod
    def start(cls, job: IntakeJob, keyring: Keyring) -> IntakeWorker:
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=_work, args=(send, job, keyring), name="observatorio-intake", daemon=True)
        process.start()
        send.close()  # the worker's end: once it exits, receive sees end of file
        return cls(process, receive)

    def staged(self) -> Iterator[StagedBatch]:
        """The worker's staged batches, as it makes them (each arrives whole, one at a time)."""
        while True:
            try:
                message = self._receive.recv()
            except EOFError:
                self._process.join()
                raise IntakeWorkerFailed(
                    f"el proceso de validación terminó sin resultado (código {self._process.exitcode})"
                ) from None
            if message[0] != "staged":
                self._outcome = message
                self.seconds = dict(message[-1])
                return
            yield message[1]

    def result(self) -> Validated:
        """The validation, once `staged()` is exhausted; raises what validate_stream would have."""
        if self._outcome is None:
            raise RuntimeError("result() antes de recibir todos los lotes")
        kind = self._outcome[0]
        if kind == "validated":
            return self._outcome[1]
        if kind == "rejected":
            raise ExtractRejected(self._outcome[1])
        raise IntakeWorkerFailed(f"la validación falló en el proceso de trabajo: {self._outcome[1]}")

    def close(self) -> None:
        """Stop the worker if it still runs (the caller failed), and reap it."""
        self._receive.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
