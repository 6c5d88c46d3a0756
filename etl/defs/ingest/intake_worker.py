"""Read, validate and pseudonymize a large extract in two worker processes; the caller COPYs what they send.

    worker = IntakeWorker.start(job, keyring)
    for staged in worker.staged():      # StagedBatch: pseudonyms and codes only
        copy_rows(...)
    validated = worker.result()         # the validation (raises ExtractRejected as validate_stream does)

Two processes, one after the other on the records' way, each on a core of its own:

    validation (read, prepare, expectations, mapping, ICT classification)
        --records without narratives, and their ICT classification--> pseudonymization --staged--> caller

Why processes: the intake makes millions of short-lived Python objects (rows, frames, Great
Expectations results). CPython keeps the memory they fragment, so a process that ran the intake
of a million rows stays about 500 MB larger, through global linkage, which needs memory of its
own. A worker's memory goes back to the system when it exits. Why two: the caller's COPY leaves
its core mostly idle, and the intake splits into two halves of similar cost (200,000 records:
validation with ICT classification about 60 s, pseudonymization about 50 s).

Both workers are forked: the pseudonymization worker inherits the keyring in memory (no secret
crosses a pipe) and neither uses the caller's database connection. Records with personal data
cross only the pipe between the two workers (memory of this machine's kernel, never a file), only
after validation, and without their narratives (read by the ICT classifier in the validation
worker and dropped there); the caller receives staged batches (exactly what staging stores: tokens
and codes), then the validation result (findings hold rule codes, rows and columns, no values)
and the phase times. If the caller dies, the next send fails and the workers exit.
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
from etl.defs.privacy.ict import IctAssessment, classify_record
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.staging_rows import TOKEN_COLUMNS, stage_records

# Records per stage_records call and per staged message: bounds the token tuples (about 35 a
# record, ~200 bytes each as Python objects) held at once on either side of the caller's pipe.
STAGE_BATCH = 2_000


@dataclass(frozen=True)
class StagedBatch:
    """What the pseudonymization worker sends per batch: staging rows as tuples, and the match
    tokens (35 a record) already in COPY's text format, so that the ingest process never holds
    them as Python objects."""

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
    """A worker failed (its error type and traceback: code locations, no values) or died."""


def _failure(error: BaseException) -> str:
    # The type and the stack of code locations; an exception's message is left out, in case
    # some library put a value from the file in it.
    stack = "".join(traceback.format_tb(error.__traceback__))
    return f"{type(error).__module__}.{type(error).__qualname__}\n{stack}"


def _validate(send: Connection, job: IntakeJob, inherited: tuple[Connection, ...]) -> None:
    """The validation worker: sends ("records", chunk) while the file is valid so far, then its outcome."""
    for connection in inherited:  # the other processes' pipe ends: end of file must reach them
        connection.close()
    clock = PhaseClock()

    def send_records(records: list[VictimRecord]) -> None:
        # The ICT classification reads the narratives here, which balances the two workers' time
        # and keeps narrative text out of the pipe.
        with clock.phase("classify ICT"):
            assessments = [classify_record(record) for record in records]
            for record in records:
                record.narrative = None
        # The chunk whole, in one message: the pseudonymization worker takes it off the pipe at
        # once and stages it while this one validates the next chunk. Sent in slices, each send
        # waited for the previous slice's staging, and the two workers took turns.
        with clock.phase("send records"):
            send.send(("records", records, assessments))

    try:
        validated = validate_stream(
            job.contract, job.period, job.path, job.encoding, chunk_rows=job.chunk_rows, today=job.today,
            limits=job.limits, clock=clock, on_records=send_records,
        )
        send.send(("validated", validated, clock.seconds))
    except ExtractRejected as rejected:
        send.send(("rejected", rejected.findings, clock.seconds))
    except BrokenPipeError:
        pass  # the next process is gone: its failure reaches the caller its own way
    except BaseException as error:  # noqa: BLE001 - reported to the caller, which raises it
        send.send(("failed", _failure(error), clock.seconds))
    finally:
        send.close()


def _pseudonymize(
    receive: Connection, send: Connection, job: IntakeJob, keyring: Keyring, inherited: tuple[Connection, ...]
) -> None:
    """The pseudonymization worker: stages each chunk of records, then forwards the validation's outcome."""
    for connection in inherited:
        connection.close()
    clock = PhaseClock()
    try:
        while True:
            with clock.phase("wait for records"):
                message = receive.recv()  # EOFError: the validation worker died; the caller sees its code
            if message[0] != "records":
                clock.add(message[-1])  # the validation worker's phases, sent on with these
                send.send((*message[:-1], clock.seconds))
                return
            records: list[VictimRecord] = message[1]
            assessments: list[IctAssessment] = message[2]
            del message
            for start in range(0, len(records), STAGE_BATCH):
                end = start + STAGE_BATCH
                with clock.phase("pseudonymize"):
                    staged = stage_records(records[start:end], job.extract_id, keyring, assessments[start:end])
                with clock.phase("format tokens"):
                    batch = StagedBatch(staged.rows, plain_copy_text(staged.tokens, len(TOKEN_COLUMNS)),
                                        staged.ict_linked)
                del staged
                with clock.phase("send"):
                    send.send(("staged", batch))
                del batch
            del records, assessments
    except (BrokenPipeError, EOFError):
        pass  # the caller or the validation worker is gone: the caller reports exit codes
    except BaseException as error:  # noqa: BLE001 - reported to the caller, which raises it
        send.send(("failed", _failure(error), clock.seconds))
    finally:
        send.close()
        receive.close()


class IntakeWorker:
    def __init__(self, processes: dict[str, multiprocessing.process.BaseProcess], receive: Connection) -> None:
        self._processes = processes
        self._receive = receive
        self._outcome: tuple[Any, ...] | None = None
        self.seconds: dict[str, float] = {}  # the workers' phase times, once they have finished

    @classmethod
    def start(cls, job: IntakeJob, keyring: Keyring) -> IntakeWorker:
        context = multiprocessing.get_context("fork")
        receive, send_staged = context.Pipe(duplex=False)
        receive_records, send_records = context.Pipe(duplex=False)
        processes = {
            "validación": context.Process(
                target=_validate, args=(send_records, job, (receive, send_staged, receive_records)),
                name="observatorio-validation", daemon=True),
            "seudonimización": context.Process(
                target=_pseudonymize, args=(receive_records, send_staged, job, keyring, (receive, send_records)),
                name="observatorio-pseudonymization", daemon=True),
        }
        for process in processes.values():
            process.start()
        for end in (send_staged, receive_records, send_records):  # the workers' ends: closed here
            end.close()
        return cls(processes, receive)

    def _exit_codes(self) -> str:
        for process in self._processes.values():
            process.join()
        return ", ".join(f"{name}: código {process.exitcode}" for name, process in self._processes.items())

    def staged(self) -> Iterator[StagedBatch]:
        """The staged batches, as the workers make them (each arrives whole, one at a time)."""
        while True:
            try:
                message = self._receive.recv()
            except EOFError:
                raise IntakeWorkerFailed(
                    f"los procesos de la ingesta terminaron sin resultado ({self._exit_codes()})"
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
        raise IntakeWorkerFailed(f"la validación falló en un proceso de trabajo: {self._outcome[1]}")

    def close(self) -> None:
        """Stop the workers if they still run (the caller failed), and reap them."""
        self._receive.close()
        for process in self._processes.values():
            if process.is_alive():
                process.terminate()
        for process in self._processes.values():
            process.join()
