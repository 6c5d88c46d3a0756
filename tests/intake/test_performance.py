"""Validation time for a 30-row and a 10,000-row extract (one GX context per process, reused)."""

from __future__ import annotations

import time

from etl.defs.intake.validate import validate_extract

from .builders import MP_ROW, TODAY, mp_csv


def _rows(count: int) -> list[dict[str, str]]:
    rows = []
    for n in range(count):
        rows.append(
            {
                **MP_ROW,
                "NRO_CAUSA": f"{n + 1}/2025",
                "FECHA_INGRESO": f"{n % 30 + 1:02d}/04/2025",
                "VICTIMA_DOC_NRO": f"{1_000_000 + n}",
                "VICTIMA_EDAD": str(n % 90),
                "DEPARTAMENTO_HECHO": ("ALTO PARANA", "CENTRAL", "ITAPUA", "CAPITAL")[n % 4],
                "DISTRITO_HECHO": ("CIUDAD DEL ESTE", "LUQUE", "ENCARNACION", "ASUNCION")[n % 4],
            }
        )
    return rows


def _timed(data: bytes) -> tuple[float, int, str]:
    validate_extract("MP", "2025-04", mp_csv(_rows(2)), "warm-up.csv", today=TODAY)  # GX set up before timing
    start = time.perf_counter()
    result = validate_extract("MP", "2025-04", data, "perf.csv", today=TODAY)
    return time.perf_counter() - start, len(result.records), result.report.verdict


def test_validation_time_30_and_10000_rows(record_property):
    small_seconds, small_records, small_verdict = _timed(mp_csv(_rows(30)))
    large_seconds, large_records, large_verdict = _timed(mp_csv(_rows(10_000)))
    record_property("validation_seconds_30_rows", round(small_seconds, 3))
    record_property("validation_seconds_10000_rows", round(large_seconds, 3))
    print(f"\nvalidation: 30 rows {small_seconds:.2f} s, 10,000 rows {large_seconds:.2f} s")
    assert (small_verdict, small_records) == ("accepted", 30)
    assert (large_verdict, large_records) == ("accepted", 10_000)
    # Generous bounds: a shared 2-core machine; the point is "seconds, not minutes".
    assert small_seconds < 5
    assert large_seconds < 45
