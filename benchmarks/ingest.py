"""Benchmarks (a) and (b): a large MP extract through the streaming ingest, against two baselines.

- the physical limit, measured in the same run: a plain COPY of the same rows (the raw CSV
  columns, as text) into an UNLOGGED table, no validation, no pseudonymization, no indexes;
- a naive loader: pandas `read_csv` + `DataFrame.to_sql` (default method: row inserts), measured
  on a slice and scaled linearly to the full file.

The ingest runs in a child process (`benchmarks.ingest_child`) so its peak resident memory is its
own: the child's ru_maxrss, cross-checked by polling the child's RSS from here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import psutil
import psycopg
import sqlalchemy as sa

from benchmarks.database import scratch_warehouse
from benchmarks.large_extract import rewrite_mp_csv, write_benchmark_extract
from benchmarks.table import Row
from etl.config import ENV_DATABASE_URL
from etl.defs.ingest.chunked_validation import STREAM_CHUNK_ROWS
from etl.infra.database import libpq_dsn
from etl.synthetic import mp_extract

TARGET_COPY_RATIO = 5.0
TARGET_NAIVE_SPEEDUP = 20.0
TARGET_RSS_BYTES = 1024**3
POLL_SECONDS = 0.25
_BLOCK = 8 * 1024 * 1024
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class IngestSizes:
    rows: int
    naive_rows: int
    chunk_rows: int = STREAM_CHUNK_ROWS


def data_end(path: Path) -> int:
    """Offset where the records end: the `TOTAL;<n>` footer and the blank lines after it are not data."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - 65536))
        tail = handle.read()
    footer = tail.rfind(b"\nTOTAL;")
    return size if footer < 0 else size - len(tail) + footer + 1


def copy_limit(url: str, path: Path) -> tuple[float, int]:
    """Seconds to COPY the file's records as raw text into an UNLOGGED table, and the rows copied."""
    end = data_end(path)
    columns = ", ".join(f"c{i} text" for i in range(len(mp_extract.COLUMNS)))
    with psycopg.connect(libpq_dsn(url)) as conn:
        conn.execute(f"CREATE UNLOGGED TABLE bench_copy ({columns})")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur, path.open("rb") as handle:
            statement = "COPY bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
            with cur.copy(statement) as copy:
                remaining = end
                while remaining > 0:
                    block = handle.read(min(_BLOCK, remaining))
                    copy.write(block)
                    remaining -= len(block)
        conn.commit()
        seconds = time.perf_counter() - started
        rows = conn.execute("SELECT count(*) FROM bench_copy").fetchone()[0]
    return seconds, int(rows)


def write_slice(path: Path, target: Path, rows: int) -> int:
    """The header and the first `rows` records (records may span lines: cut with a CSV reader)."""
    written = 0
    with rewrite_mp_csv(path, target) as (reader, writer):
        for row in reader:
            if written == rows or (row and row[0] == "TOTAL"):
                break
            if row:
                writer.writerow(row)
                written += 1
    return written


def naive_load(url: str, path: Path) -> float:
    """Seconds for pandas read_csv + to_sql (default method: one INSERT per row, executemany)."""
    engine = sa.create_engine(url)
    try:
        started = time.perf_counter()
        frame = pd.read_csv(path, sep=";", encoding=mp_extract.ENCODING)
        frame.to_sql("bench_naive", engine, if_exists="replace", index=False)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def _tree_rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
    except psutil.Error:
        return 0


def run_child(url: str, path: Path, period: str, landing: Path, chunk_rows: int, out: Path) -> tuple[dict[str, Any], int]:
    """The child's result file, and the largest RSS seen while polling it (child and its children)."""
    command = [sys.executable, "-m", "benchmarks.ingest_child", "--path", str(path), "--period", period,
               "--landing", str(landing), "--chunk-rows", str(chunk_rows), "--out", str(out)]
    child = subprocess.Popen(command, cwd=REPO_ROOT, env={**os.environ, ENV_DATABASE_URL: url})
    watched = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss(watched))
        time.sleep(POLL_SECONDS)
    if not out.exists():
        raise RuntimeError(f"la ingesta de prueba terminó con código {child.returncode} sin resultado")
    return json.loads(out.read_text(encoding="utf-8")), peak


def previous_month(today: Any = None) -> str:
    import datetime as dt

    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def run(server: str, workdir: Path, sizes: IngestSizes, seed: int = 1) -> list[Row]:
    period = previous_month()  # a complete month: no registration date lies in the future
    extract = workdir / "ingest" / f"MP-{sizes.rows}.csv"
    extract.parent.mkdir(parents=True, exist_ok=True)
    rekeyed = write_benchmark_extract(extract, sizes.rows, period, seed)
    file_mb = extract.stat().st_size / 2**20

    with scratch_warehouse(server, "copy") as url:
        copy_seconds, copied = copy_limit(url, extract)
        naive_path = workdir / "ingest" / f"MP-slice-{sizes.naive_rows}.csv"
        naive_rows = write_slice(extract, naive_path, sizes.naive_rows)
        naive_measured = naive_load(url, naive_path)
    if copied != sizes.rows:
        raise RuntimeError(f"COPY cargó {copied} filas de {sizes.rows}")
    scale = sizes.rows / naive_rows
    naive_seconds = naive_measured * scale

    with scratch_warehouse(server, "ingest") as url:
        child, polled_peak = run_child(url, extract, period, workdir / "ingest" / "landing", sizes.chunk_rows,
                                       workdir / "ingest" / "result.json")
    if not child["loaded"]:
        raise RuntimeError(f"la ingesta no cargó el archivo (errores: {child['error_rules']})")
    wall = child["wall_seconds"]
    # The ingest process and its two intake workers: polled together (their sum at each moment),
    # and each one's own exact peak (the workers' while streaming, the ingest's in global linkage).
    rss = max(child["max_rss_bytes"], child.get("max_rss_children_bytes", 0), polled_peak)
    size = f"{sizes.rows:,} MP rows ({file_mb:,.0f} MB)"
    phases = child["phases"]
    rows = [
        Row("(a) Ingest, streaming path", f"wall s, {size}, end to end", wall,
            f"plain COPY {copy_seconds:,.1f} s", wall / copy_seconds, f"≤ {TARGET_COPY_RATIO:g}× plain COPY",
            wall / copy_seconds <= TARGET_COPY_RATIO,
            f"read, validate (GX), pseudonymize, classify ICT, link, load; {child['records_loaded']:,} records, "
            f"{child['persons_total']:,} persons; {rekeyed} generator rows given a fresh case number"),
        Row("(a) Ingest throughput", "records per second", child["records_loaded"] / wall,
            f"plain COPY {sizes.rows / copy_seconds:,.0f} rows/s", (sizes.rows / copy_seconds) / (child["records_loaded"] / wall),
            note="ratio: how many times faster the physical limit is"),
        Row("(a) Physical limit: plain COPY", f"wall s, same {sizes.rows:,} rows", copy_seconds,
            note="raw CSV columns as text into an UNLOGGED table, no index; measured in this run"),
        Row("(a) Naive baseline: pandas read_csv + to_sql", f"wall s, scaled to {sizes.rows:,} rows", naive_seconds,
            f"streaming ingest {wall:,.0f} s", naive_seconds / wall, f"streaming ≥ {TARGET_NAIVE_SPEEDUP:g}× faster",
            naive_seconds / wall >= TARGET_NAIVE_SPEEDUP,
            f"measured {naive_measured:,.1f} s on a {naive_rows:,}-row slice, scaled linearly ×{scale:g}; "
            "default to_sql (row inserts), no validation"),
        Row("(b) Peak memory of the ingest", "peak RSS MiB (ingest process and its intake workers)", rss / 2**20,
            f"file {file_mb:,.0f} MB", rss / 2**20 / file_mb, "≤ 1,024 MiB", rss <= TARGET_RSS_BYTES,
            f"ru_maxrss: ingest process {child['max_rss_bytes'] / 2**20:,.0f} MiB, largest intake worker "
            f"{child.get('max_rss_children_bytes', 0) / 2**20:,.0f} MiB; all three polled together "
            f"{polled_peak / 2**20:,.0f} MiB"),
        Row("(b) Peak memory before global linkage", "peak RSS MiB (read, validate, stage)",
            child["rss_before_linkage_bytes"] / 2**20, f"file {file_mb:,.0f} MB",
            child["rss_before_linkage_bytes"] / 2**20 / file_mb, "≤ 1,024 MiB",
            child["rss_before_linkage_bytes"] <= TARGET_RSS_BYTES,
            "the streaming part alone (ingest process + intake workers, polled); linkage then needs every "
            "record in force at once"),
    ]
    for phase, seconds in phases.items():
        rows.append(Row("(a) Ingest phase", f"{phase} s", seconds, f"whole ingest {wall:,.0f} s", seconds / wall,
                        note="ratio: share of the wall time; the intake workers' phases (read, validate, "
                        "classify ICT, send records | wait for records, pseudonymize, format tokens, send) overlap "
                        "each other and this process's (copy, wait for intake)"))
    return rows
