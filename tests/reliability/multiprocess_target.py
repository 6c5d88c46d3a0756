"""A reconstructable handle on the `ingest_month` job: what Dagster's multiprocess executor (and
any run launcher) imports in each step's own process to find the job again."""

from __future__ import annotations

import dagster as dg


def ingest_month_job() -> dg.JobDefinition:
    from etl.definitions import defs
    from etl.jobs import INGEST_MONTH

    return defs.resolve_job_def(INGEST_MONTH)
