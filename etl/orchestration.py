"""Run the pipeline in-process through Dagster, as `observatorio run`, `upload --wait` and the demo do.

Each institution-month is one run of the `ingest_month` job, then one run of
`refresh_indicators` rebuilds what depends on every month. Runs are recorded in the shared
Dagster instance ($OBSERVATORIO_HOME/dagster), so they show in `dagster dev`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from etl.config import Settings, load_settings
from etl.infra.dagster_instance import get_instance


# The console logger would echo every Dagster event; the CLI shows its own progress, and the
# full event log stays in the instance for the UI.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RunOutcome:
    label: str
    success: bool
    seconds: float
    run_id: str
    failure: str | None = None


@dataclass
class PipelineSummary:
    outcomes: list[RunOutcome] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)


def _failure_text(result) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
            return event.step_failure_data.error.message.strip().splitlines()[0][:500]
    return "falló (ver la interfaz de Dagster)"


def pending_partitions(settings: Settings | None = None) -> list[tuple[str, str]]:
    from etl.defs.landing.submissions import submissions_in_force
    from etl.infra.database import get_engine

    with get_engine(settings).connect() as conn:
        return [(s.institution_code, s.period_code) for s in submissions_in_force(conn, pending_only=True)]


def landed_partitions(settings: Settings | None = None) -> list[tuple[str, str]]:
    from etl.defs.landing.submissions import submissions_in_force
    from etl.infra.database import get_engine

    with get_engine(settings).connect() as conn:
        return [(s.institution_code, s.period_code) for s in submissions_in_force(conn)]


def run_pipeline(
    partitions: Sequence[tuple[str, str]],
    *,
    refresh: bool = True,
    settings: Settings | None = None,
    on_progress: Callable[[RunOutcome], None] | None = None,
) -> PipelineSummary:
    from etl.definitions import defs
    from etl.jobs import INGEST_MONTH, REFRESH_INDICATORS
    from etl.partitions import partition_key

    settings = settings or load_settings()
    instance = get_instance(settings)
    summary = PipelineSummary()
    ingest = defs.resolve_job_def(INGEST_MONTH)
    for institution, period in partitions:
        started = time.perf_counter()
        result = ingest.execute_in_process(
            partition_key=partition_key(institution, period), instance=instance, raise_on_error=False,
            run_config=QUIET,
        )
        outcome = RunOutcome(
            f"{institution} {period}", result.success, time.perf_counter() - started, result.run_id,
            None if result.success else _failure_text(result),
        )
        summary.outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)
    if refresh:
        started = time.perf_counter()
        result = defs.resolve_job_def(REFRESH_INDICATORS).execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        outcome = RunOutcome(
            "indicadores y publicación", result.success, time.perf_counter() - started, result.run_id,
            None if result.success else _failure_text(result),
        )
        summary.outcomes.append(outcome)
        if on_progress:
            on_progress(outcome)
    return summary
