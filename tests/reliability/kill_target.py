"""The process the SIGKILL tests kill: run as `python -m tests.reliability.kill_target`.

Importing Dagster and the code location takes seconds, so this script does it once and then
forks one worker per command; the parent test kills the worker (a separate process with its
own database connections, opened after the fork) with SIGKILL. The worker never runs atexit
handlers: it ends with os._exit, as a killed process would.

Protocol, one JSON object per line:
  stdin   {"op": "ingest", "institution": "MP", "period": "2025-05", "env": {...}, "markers": "/path"}
          {"op": "upload", "institution": "MP", "period": "2025-05", "file": "/path", "env": {...}, "markers": "/path"}
          {"op": "reap"}  (after each command: the worker's pid stays reserved until then)
          {"op": "warm", "institution": "MP", "period": "2025-05", "file": "/path"}  (in this process, no fork)
          {"op": "quit"}
  stdout  {"ready": true} once, {"pid": N} per command, {"exit": code} per reap (negative: killed by that signal),
          {"warm": true} per warm

Instrumentation (test-only, installed in the worker): before every PostgreSQL statement, COPY,
commit and landing-zone file step, the worker appends a marker line naming the step (never a
value) to the markers file and sleeps `pause` seconds, so that kills land in every phase and
the parent can tell which phase a kill interrupted.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any


class StepMarkers:
    def __init__(self, path: str, pause: float):
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._pause = pause

    def __call__(self, label: str) -> None:
        # os.write: in the kernel at once, so a SIGKILL right after cannot lose it
        os.write(self._fd, (label + "\n").encode())
        time.sleep(self._pause)


def _sql_label(statement: Any) -> str:
    try:
        text = " ".join(str(statement).split())
    except Exception:  # some dialect-specific constructs do not compile without a dialect
        text = type(statement).__name__
    return "sql " + text[:70]


def _instrument(step: StepMarkers) -> None:
    import tempfile

    import sqlalchemy as sa

    import etl.defs.load.core_load as core_load
    import etl.defs.privacy.assets as privacy_assets

    execute = sa.engine.Connection.execute

    def marked_execute(self, statement, *args, **kwargs):
        if self.dialect.name == "postgresql":  # Dagster's own in-memory storage is sqlite
            step(_sql_label(statement))
        return execute(self, statement, *args, **kwargs)

    sa.engine.Connection.execute = marked_execute

    commit = sa.engine.Transaction.commit

    def marked_commit(self):
        postgres = self.connection.dialect.name == "postgresql"
        if postgres:
            step("commit")
        commit(self)
        if postgres:
            step("committed")

    sa.engine.Transaction.commit = marked_commit

    for module in (core_load, privacy_assets):
        copy = module.copy_rows

        def marked_copy(conn, table, columns, rows, _copy=copy):
            step(f"copy {table.schema}.{table.name}")
            return _copy(conn, table, columns, rows)

        module.copy_rows = marked_copy

    mkstemp, fdopen, fsync, replace = tempfile.mkstemp, os.fdopen, os.fsync, os.replace

    def marked_mkstemp(*args, **kwargs):
        step("file mkstemp")
        return mkstemp(*args, **kwargs)

    class HalvedWrites:
        """Writes in two halves with a step between: a kill there leaves a half-written temp file."""

        def __init__(self, fh):
            self._fh = fh

        def write(self, data: bytes) -> int:
            half = len(data) // 2
            self._fh.write(data[:half])
            self._fh.flush()
            step("file half-written")
            return half + self._fh.write(data[half:])

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._fh.__exit__(*exc)

    def marked_fdopen(fd, mode="r", *args, **kwargs):
        handle = fdopen(fd, mode, *args, **kwargs)
        return HalvedWrites(handle) if mode == "wb" else handle

    def marked_fsync(fd):
        step("file fsync")
        return fsync(fd)

    def marked_replace(src, dst):
        step("file replace")
        replace(src, dst)
        step("file replaced")

    tempfile.mkstemp, os.fdopen, os.fsync, os.replace = marked_mkstemp, marked_fdopen, marked_fsync, marked_replace


def _work(command: dict[str, Any]) -> int:
    os.dup2(2, 1)  # stdout is the protocol pipe to the parent: whatever the run prints goes to stderr
    os.environ.update(command["env"])
    step = StepMarkers(command["markers"], float(command.get("pause", 0.0)))
    _instrument(step)
    step("start")
    from tests.pipeline import helpers

    if command["op"] == "ingest":
        ok = helpers.ingest(command["institution"], command["period"]).success
    else:
        from pathlib import Path

        ok = helpers.upload(Path(command["file"]), command["institution"], command["period"]).accepted
    step("done" if ok else "failed")
    return 0 if ok else 1


def _warm(command: dict[str, Any]) -> None:
    """Pay the first-use costs (validation suites, job resolution) once, not in every worker."""
    from pathlib import Path

    from etl.definitions import defs
    from etl.defs.intake.validate import validate_extract
    from etl.jobs import INGEST_MONTH

    try:  # tqdm (progress bars of the validation library) would otherwise start a monitor thread
        import tqdm

        tqdm.tqdm.monitor_interval = 0
    except ImportError:
        pass
    path = Path(command["file"])
    validate_extract(command["institution"], command["period"], path.read_bytes(), path.name)
    defs.resolve_job_def(INGEST_MONTH)


def _reply(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()


def main() -> None:
    import tests.pipeline.helpers  # noqa: F401  (the expensive imports, once)

    # fork() copies only the calling thread: a thread started by an import would vanish in the worker
    if threading.active_count() != 1:
        raise SystemExit("kill_target: a library started a thread; forking would be unsafe")
    _reply({"ready": True})
    worker: int | None = None
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        if command["op"] == "warm":
            _warm(command)
            if threading.active_count() != 1:
                raise SystemExit("kill_target: warming up started a thread; forking would be unsafe")
            _reply({"warm": True})
            continue
        if command["op"] == "reap":
            assert worker is not None
            _, status = os.waitpid(worker, 0)
            worker = None
            _reply({"exit": os.waitstatus_to_exitcode(status)})
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 2
            try:
                code = _work(command)
            except BaseException as exc:  # a failure is a result; report its kind, never its text
                os.write(2, f"worker failed: {type(exc).__name__}\n".encode())
            finally:
                os._exit(code)
        worker = pid
        _reply({"pid": pid})


if __name__ == "__main__":
    main()
