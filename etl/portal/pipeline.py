"""Start the pipeline for one month from the portal, in a background thread.

One run at a time per portal process: Dagster's in-process executor and the load step's
month-by-month replacement are not meant to race each other. Each run is a row of
`audit.portal_pipeline_run`, which is what makes the pages say "procesando" (in any worker).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from etl.config import Settings
from etl.portal.tables import portal_pipeline_run as runs

log = logging.getLogger(__name__)

# (partitions, settings) -> number of failed runs. The default runs Dagster in-process.
Runner = Callable[[Sequence[tuple[str, str]], Settings], int]


def dagster_runner(partitions: Sequence[tuple[str, str]], settings: Settings) -> int:
    from etl.orchestration import run_pipeline

    summary = run_pipeline(partitions, settings=settings)
    return sum(not o.success for o in summary.outcomes)


class PipelineLauncher:
    def __init__(self, engine: sa.Engine, settings: Settings, runner: Runner = dagster_runner) -> None:
        self.engine = engine
        self.settings = settings
        self.runner = runner
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, period: str, institutions: Sequence[str], user_id: int | None) -> int | None:
        """The run's id, or None when a run is already going on."""
        with self._lock:
            if self.busy:
                return None
            with self.engine.begin() as conn:
                run_id = conn.execute(
                    runs.insert()
                    .values(period_code=period, institutions=list(institutions), started_by=user_id)
                    .returning(runs.c.run_id)
                ).scalar_one()
            partitions = [(inst, period) for inst in institutions]
            self._thread = threading.Thread(
                target=self._run, args=(run_id, partitions), name=f"portal-pipeline-{run_id}", daemon=True
            )
            self._thread.start()
            return run_id

    def _run(self, run_id: int, partitions: list[tuple[str, str]]) -> None:
        failed: int | None = None
        try:
            failed = self.runner(partitions, self.settings)
        except Exception as exc:  # the thread must always close its row
            # Only the type: a pipeline error message may quote more than it should.
            log.error("portal pipeline run %s failed: %s", run_id, type(exc).__name__)
        finally:
            with self.engine.begin() as conn:
                conn.execute(
                    runs.update()
                    .where(runs.c.run_id == run_id)
                    .values(
                        finished_at=dt.datetime.now(dt.timezone.utc),
                        succeeded=failed == 0,
                        failed_runs=failed if failed is not None else len(partitions) + 1,
                    )
                )

    def wait(self, timeout: float | None = None) -> bool:
        """For tests and shutdown: True when no run is left going."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.busy


def recent_runs(conn: sa.Connection, limit: int = 10) -> list[sa.Row]:
    return list(conn.execute(sa.select(runs).order_by(runs.c.started_at.desc(), runs.c.run_id.desc()).limit(limit)))
