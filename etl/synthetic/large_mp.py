"""A very large MP extract for the ingest benchmark, streamed in constant memory.

Rows are simulated and rendered a chunk at a time, each chunk from its own seeded stream, so
nothing grows with the number of rows and the bytes do not depend on how many processes
rendered them. On machines that can fork, chunks of big files are rendered by a small pool of
worker processes while this process only writes them out in order.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from etl.synthetic import mp_extract
from etl.synthetic.months import parse_period, random_day
from etl.synthetic.population import Encounter, PersonFactory, new_case
from etl.synthetic.rendering import KeyedEncounter, RenderContext, stream
from etl.synthetic.weighted import between

CHUNK_ROWS = 10_000
PARALLEL_MIN_ROWS = 100_000
MAX_WORKERS = 4
# Case numbers reserved per chunk: a chunk's cases (1-4 victims, steps of 1-3) never reach it.
_NUMBERS_PER_CHUNK = 3 * CHUNK_ROWS


def _chunk_bytes(task: tuple[int, str, int, int]) -> bytes:
    seed, period, index, rows = task
    year, _ = parse_period(period)
    rng = stream(seed, "large-MP", period, index)
    factory = PersonFactory(rng)
    context = RenderContext(seed=seed)
    number = between(stream(seed, "large-MP", period), 900, 1500) + index * _NUMBERS_PER_CHUNK
    chunk: list[KeyedEncounter] = []
    case_index = index * CHUNK_ROWS
    while len(chunk) < rows:
        case = new_case(rng, factory, period, case_index)
        case_index += 1
        number += between(rng, 1, 3)
        day = random_day(rng, period)
        for position, person in enumerate(case.victims[: rows - len(chunk)]):
            encounter = Encounter("MP", period, day, case, person, 0, (case.case_index, 0))
            chunk.append(KeyedEncounter(encounter, f"{number}/{year}", (year, number, position)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, **mp_extract.CSV_FORMAT)
    writer.writerows(record.values for record in mp_extract.render(chunk, context, rng))
    return buffer.getvalue().encode(mp_extract.ENCODING)


def _tasks(rows: int, period: str, seed: int) -> Iterator[tuple[int, str, int, int]]:
    for index, start in enumerate(range(0, rows, CHUNK_ROWS)):
        yield seed, period, index, min(CHUNK_ROWS, rows - start)


def _worker_init() -> None:
    # A parent measuring its own allocations must not slow its workers down with tracing.
    if tracemalloc.is_tracing():
        tracemalloc.stop()


def _single_threaded() -> bool:
    # Forking a process that runs other threads (a test runner, a web server, Dagster) can copy a
    # lock some thread holds, and the child then waits on it forever: fork only when alone.
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _workers(rows: int) -> int:
    if rows < PARALLEL_MIN_ROWS or "fork" not in multiprocessing.get_all_start_methods() or not _single_threaded():
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def write_large_mp_extract(path: Path, rows: int, period: str = "2025-06", seed: int = 1) -> None:
    """Write a valid MP extract of exactly `rows` victim rows for `period` (plus `TOTAL;<rows>`)."""
    if rows < 0:
        raise ValueError("la cantidad de filas no puede ser negativa")
    parse_period(period)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workers = _workers(rows)
    with path.open("wb") as handle:
        header = io.StringIO()
        csv.writer(header, **mp_extract.CSV_FORMAT).writerow(mp_extract.COLUMNS)
        handle.write(header.getvalue().encode(mp_extract.ENCODING))
        if workers == 1:
            for task in _tasks(rows, period, seed):
                handle.write(_chunk_bytes(task))
        else:
            # fork: workers inherit the loaded modules, and scripts need no __main__ guard.
            with multiprocessing.get_context("fork").Pool(workers, initializer=_worker_init) as pool:
                for data in pool.imap(_chunk_bytes, _tasks(rows, period, seed)):
                    handle.write(data)
        footer = io.StringIO()
        mp_extract.write_footer(footer, rows, stream(seed, "large-MP-footer", period), always=True)
        handle.write(footer.getvalue().encode(mp_extract.ENCODING))
