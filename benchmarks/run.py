"""`make bench`: run every benchmark and write its table into BENCHMARKS.md.

    python -m benchmarks.run            # full sizes (a 1,000,000-row extract: tens of minutes)
    python -m benchmarks.run --quick    # small sizes, for CI (a few minutes)

Every benchmark runs in scratch databases created beside the configured warehouse (see
benchmarks.database) and dropped afterwards, under a temporary home and a master secret made up
for the run: the benchmarks read and write no real data. A benchmark that fails leaves a row
saying so (and the exit code is 1); the others still run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks import dashboards, disclosure, estimation, ingest, month
from benchmarks.database import scratch_warehouse, server_url
from benchmarks.machine import describe
from benchmarks.table import Row, section, write_section

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO_ROOT / "BENCHMARKS.md"
PREAMBLE = "# Benchmarks\n\nWritten by `make bench` (`python -m benchmarks.run`); see the notes at the end.\n"
_SECRET_ENV = ("OBSERVATORIO_SECRET_KEY", "OBSERVATORIO_SECRET_KEY_FILE")


@dataclass(frozen=True)
class Sizes:
    ingest: ingest.IngestSizes
    month: month.MonthSizes
    dashboards: dashboards.DashboardSizes
    mse_draws: int


FULL = Sizes(
    ingest=ingest.IngestSizes(rows=1_000_000, naive_rows=20_000),
    month=month.MonthSizes(months=24),
    dashboards=dashboards.DashboardSizes(years=10, volume_factor=50, repeats=20, releases=120),
    mse_draws=1000,
)
QUICK = Sizes(
    ingest=ingest.IngestSizes(rows=20_000, naive_rows=20_000, chunk_rows=10_000),
    month=month.MonthSizes(months=1),
    dashboards=dashboards.DashboardSizes(years=2, volume_factor=1, repeats=5, releases=2),
    mse_draws=10,
)


def _failed(benchmark: str, error: BaseException) -> Row:
    # The exception type only: a message could carry anything.
    return Row(benchmark, "failed", 0.0, met=False, note=f"FAILED: {type(error).__name__} (see the console)")


class _Runner:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.failures = 0

    def step(self, benchmark: str, run: Callable[[], list[Row]]) -> bool:
        started = time.perf_counter()
        print(f"==> {benchmark}", flush=True)
        try:
            rows = run()
        except Exception as error:
            traceback.print_exc()
            self.rows.append(_failed(benchmark, error))
            self.failures += 1
            return False
        self.rows += rows
        print(f"    {time.perf_counter() - started:,.0f} s", flush=True)
        return True


def run_benchmarks(sizes: Sizes, server: str, workdir: Path) -> tuple[list[Row], int]:
    runner = _Runner()
    runner.step("(a)(b) ingest", lambda: ingest.run(server, workdir, sizes.ingest))
    with scratch_warehouse(server, "month") as url:
        if runner.step("(c) typical month", lambda: month.run(url, workdir, sizes.month)):
            runner.step("(f) disclosure audit", lambda: disclosure.run(url, month.warehouse_months(url)))
        else:
            runner.rows.append(_failed("(f) disclosure audit", RuntimeError("no warehouse from (c)")))
            runner.failures += 1
    with scratch_warehouse(server, "dashboards") as url:
        runner.step("(d) dashboard cards", lambda: dashboards.run(url, sizes.dashboards))
    runner.step("(e) MSE coverage", lambda: estimation.run(sizes.mse_draws))
    return runner.rows, runner.failures


def _with_benchmark_secret() -> dict[str, str | None]:
    """A secret made up for this run: benchmark files are encrypted and pseudonymized under it."""
    from etl.defs.privacy.keys import generate_secret

    saved = {name: os.environ.get(name) for name in _SECRET_ENV}
    os.environ.pop("OBSERVATORIO_SECRET_KEY_FILE", None)
    os.environ["OBSERVATORIO_SECRET_KEY"] = generate_secret()
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Markdown file to write (BENCHMARKS.md)")
    parser.add_argument("--database-url", help="PostgreSQL server for the scratch databases")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    sizes = QUICK if args.quick else FULL
    server = server_url(args.database_url)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    saved = _with_benchmark_secret()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="observatorio-bench-") as tmp:
            rows, failures = run_benchmarks(sizes, server, Path(tmp))
    finally:
        _restore(saved)
    admin = sa.create_engine(server)
    try:
        machine = describe(admin)
    finally:
        admin.dispose()
    write_section(args.output, mode, section(mode, machine, rows, time.perf_counter() - started), PREAMBLE)
    print(f"{len(rows)} rows written to {args.output} ({failures} benchmarks failed)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
