"""Sensors start one run per newly landed institution-month, never twice."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.resources import WarehouseResource
from etl.sensors import indicators_refresh_sensor, landed_extracts_sensor
from tests.pipeline.helpers import ingest, upload


def _tick(sensor, cursor: str | None):
    context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": WarehouseResource()})
    result = sensor(context)
    requests = result if isinstance(result, list) else []
    return requests, context.cursor, result


def test_landed_extracts_sensor_ticks(pipeline_env: str, shared_samples: Path) -> None:
    requests, cursor, result = _tick(landed_extracts_sensor, None)
    assert requests == [] and isinstance(result, dg.SkipReason)

    upload(shared_samples / "MINMUJER" / "2025-04.csv")
    upload(shared_samples / "MINNA" / "2025-04.json")
    requests, cursor, _ = _tick(landed_extracts_sensor, cursor)
    assert sorted(r.partition_key for r in requests) == ["MINMUJER|2025-04", "MINNA|2025-04"]
    assert all(r.run_key.endswith(tuple("0123456789abcdef")) for r in requests)

    # A second tick over the same landed files starts nothing.
    again, cursor, result = _tick(landed_extracts_sensor, cursor)
    assert again == [] and isinstance(result, dg.SkipReason)

    # A corrected file for one month (new hash) is requested again, and only it.
    original = (shared_samples / "MINMUJER" / "2025-04.csv").read_bytes()
    corrected = original.rstrip(b"\n").rsplit(b"\n", 1)[0] + b"\n"  # the same month, one record fewer
    from etl.config import load_settings

    target = load_settings().home / "MINMUJER" / "2025-04.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(corrected)
    assert upload(target).accepted
    requests, cursor, _ = _tick(landed_extracts_sensor, cursor)
    assert [r.partition_key for r in requests] == ["MINMUJER|2025-04"]


def test_indicators_refresh_sensor_waits_for_loads(pipeline_env: str, shared_samples: Path) -> None:
    upload(shared_samples / "MINMUJER" / "2025-05.csv")
    requests, cursor, result = _tick(indicators_refresh_sensor, None)
    assert isinstance(result, dg.SkipReason)  # one month landed but not loaded yet
    assert ingest("MINMUJER", "2025-05").success
    _, cursor, result = _tick(indicators_refresh_sensor, cursor)
    assert isinstance(result, dg.RunRequest)
    _, cursor, result = _tick(indicators_refresh_sensor, cursor)
    assert isinstance(result, dg.SkipReason)
