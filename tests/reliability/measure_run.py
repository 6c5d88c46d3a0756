"""Figures for sizing a deployment (docs/deploy.md): `python -m tests.reliability.measure_run [SCALE]`.

In a throw-away database on the test server: three synthetic months of the four institutions,
each partition ingested in-process (seconds each, peak RSS of this process), the indicators
refreshed, then one partition run under the multiprocess executor, once with `spawn` (a fresh
interpreter per step) and once with `forkserver` and the code location preloaded (seconds, peak
RSS of the step processes). Prints one JSON object. Not a test: it asserts nothing, it measures.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def _step_seconds(instance, run_id: str) -> dict[str, float]:
    """Each step's duration, from its STEP_START to its STEP_SUCCESS in the event log."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            started[event.step_key] = record.timestamp
        elif event.event_type_value == "STEP_SUCCESS":
            seconds[event.step_key] = record.timestamp - started[event.step_key]
    return seconds


def main(scale: float = 1.0) -> None:
    import sqlalchemy as sa

    from tests.conftest import TEST_SECRET, _server_url, create_database, drop_database
    from warehouse import migrate

    work = Path(tempfile.mkdtemp(prefix="obs-measure-"))
    url = create_database(_server_url(), prefix="obs_measure")
    os.environ.update({
        "OBSERVATORIO_HOME": str(work / "home"), "OBSERVATORIO_DATABASE_URL": url,
        "OBSERVATORIO_SECRET_KEY": TEST_SECRET, "DAGSTER_HOME": str(work / "home" / "dagster"),
    })
    (work / "home" / "dagster").mkdir(parents=True)
    figures: dict[str, object] = {"scale": scale, "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2)}
    try:
        engine = sa.create_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        started = time.perf_counter()
        from tests.pipeline.helpers import count, ingest, refresh, upload

        figures["import_seconds"] = round(time.perf_counter() - started, 2)
        from etl.synthetic import generate

        import dagster as dg

        summary = generate(work / "extracts", months=3, start_period="2025-01", seed=20250607, scale=scale)
        upload_seconds, ingest_seconds = [], []
        step_seconds: dict[str, list[float]] = {}
        for path in summary.files:
            institution, period = path.parent.name, path.stem
            started = time.perf_counter()
            assert upload(path, institution, period).accepted
            upload_seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            with dg.DagsterInstance.ephemeral() as instance:
                result = ingest(institution, period, instance)
                assert result.success
                ingest_seconds.append(time.perf_counter() - started)
                for step, seconds in _step_seconds(instance, result.run_id).items():
                    step_seconds.setdefault(step, []).append(seconds)
        started = time.perf_counter()
        assert refresh().success
        figures["refresh_seconds"] = round(time.perf_counter() - started, 2)
        figures["partitions"] = len(ingest_seconds)
        figures["records"] = count("SELECT count(*) FROM core.fact_victim_record")
        figures["persons"] = count("SELECT count(*) FROM core.dim_person")
        figures["upload_seconds_median"] = round(statistics.median(upload_seconds[1:]), 3)  # first one warms up
        figures["ingest_seconds_median"] = round(statistics.median(ingest_seconds[1:]), 3)
        figures["ingest_seconds_max"] = round(max(ingest_seconds[1:]), 3)
        figures["step_seconds_median"] = {k: round(statistics.median(v[1:]), 3) for k, v in step_seconds.items()}
        figures["in_process_peak_rss_mb"] = round(_rss_mb(resource.RUSAGE_SELF), 1)

        from etl.config import load_settings
        from etl.infra.dagster_instance import get_instance
        from etl.partitions import partition_key
        from tests.pipeline.helpers import QUIET
        from tests.reliability.multiprocess_target import ingest_month_job

        institution, period = summary.files[0].parent.name, summary.files[0].stem
        for name, start_method in (("spawn", {"spawn": {}}),
                                   ("forkserver", {"forkserver": {"preload_modules": ["etl.definitions"]}})):
            config = {**QUIET, "execution": {"config": {"multiprocess": {"start_method": start_method}}}}
            started = time.perf_counter()
            with get_instance(load_settings()) as instance:
                result = dg.execute_job(dg.reconstructable(ingest_month_job), instance=instance, run_config=config,
                                        tags={"dagster/partition": str(partition_key(institution, period))})
            assert result.success
            figures[f"multiprocess_{name}_seconds"] = round(time.perf_counter() - started, 2)
        figures["step_process_peak_rss_mb"] = round(_rss_mb(resource.RUSAGE_CHILDREN), 1)
    finally:
        drop_database(url)
    json.dump(figures, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
