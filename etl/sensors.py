"""Sensors: start one run per newly landed institution-month, then refresh the indicators.

Run keys carry the file's SHA-256, so a tick never starts the same work twice: a second tick
over the same landed files yields nothing new, and a corrected file (new hash) runs again.
"""


import hashlib
import json

import dagster as dg

from etl.defs.landing.submissions import submissions_in_force
from etl.jobs import ingest_month_job, refresh_indicators_job
from etl.partitions import partition_key
from etl.resources import WarehouseResource


def _run_key(s) -> str:
    return f"{s.institution_code}|{s.period_code}|{s.content_sha256}"


@dg.sensor(job=ingest_month_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def landed_extracts_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    with warehouse.engine().connect() as conn:
        pending = submissions_in_force(conn, pending_only=True)
    # The cursor remembers what was already requested, so a tick never requests it twice even
    # before the run finishes (Dagster's run keys deduplicate too, across cursor resets).
    requested = set(json.loads(context.cursor)) if context.cursor else set()
    new = [s for s in pending if _run_key(s) not in requested]
    context.update_cursor(json.dumps(sorted(requested & {_run_key(s) for s in pending} | {_run_key(s) for s in new})))
    if not new:
        return dg.SkipReason("no hay extractos nuevos aceptados")
    return [
        dg.RunRequest(
            run_key=_run_key(s),
            partition_key=partition_key(s.institution_code, s.period_code),
            tags={"observatorio/extract_id": str(s.extract_id)},
        )
        for s in new
    ]


@dg.sensor(job=refresh_indicators_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def indicators_refresh_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    """Refresh marts and publication once every landed file is loaded (nothing pending)."""
    with warehouse.engine().connect() as conn:
        if submissions_in_force(conn, pending_only=True):
            return dg.SkipReason("hay meses pendientes de carga")
        loaded = [s for s in submissions_in_force(conn) if s.status == "loaded"]
    if not loaded:
        return dg.SkipReason("todavía no hay meses cargados")
    # The set of files in force names the state the indicators must reflect.
    state = hashlib.sha256(",".join(sorted(s.content_sha256 for s in loaded)).encode()).hexdigest()
    if context.cursor == state:
        return dg.SkipReason("los indicadores ya reflejan los archivos vigentes")
    context.update_cursor(state)
    return dg.RunRequest(run_key=state)
