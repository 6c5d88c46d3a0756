"""Benchmark (c): a typical month of the four institutions through Dagster, in process.

The generator's month (scale 1) is uploaded as the agencies would (validate, land, register), then
its four `ingest_month` partitions and `refresh_indicators` run through `etl.orchestration.run_pipeline`
(Dagster's per-run overhead included). The baseline, measured in the same run on the same four
files, is validation alone (`validate_extract`). In a full run the month is the last of 24, added
to a warehouse that already holds the 23 before it (linkage runs over all of them); that warehouse
is then the one the disclosure benchmark publishes.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from benchmarks.table import Row

TARGET_SECONDS = 60.0
_ENV = ("OBSERVATORIO_HOME", "OBSERVATORIO_DATABASE_URL", "DAGSTER_HOME")


@dataclass(frozen=True)
class MonthSizes:
    months: int  # months generated and loaded; the benchmark times the last one
    scale: float = 1.0
    seed: int = 20250601


@contextmanager
def pipeline_environment(home: Path, url: str) -> Iterator[None]:
    """Point settings (home, warehouse, Dagster instance) at the benchmark's own, then restore them."""
    saved = {name: os.environ.get(name) for name in _ENV}
    os.environ.update({"OBSERVATORIO_HOME": str(home), "OBSERVATORIO_DATABASE_URL": url,
                       "DAGSTER_HOME": str(home / "dagster")})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


GENERATOR_START = "2024-01"  # the generator's default: its 24 months are tested to pass the intake


def start_period(months: int, today: dt.date | None = None) -> str:
    """The generator's default start when its months are all past, else the months ending last month."""
    today = today or dt.date.today()
    first = int(GENERATOR_START[:4]) * 12 + int(GENERATOR_START[5:]) - 1  # months since year 0
    latest = today.year * 12 + today.month - 2  # the previous month: no date lies in the future
    index = first if first + months - 1 <= latest else latest - months + 1
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _upload(files: list[Path]) -> int:
    from etl.defs.landing.upload import submit_extract
    from etl.infra.database import get_engine
    from etl.resources.landing import landing_store

    engine, store = get_engine(), landing_store()
    accepted = 0
    for path in files:
        outcome = submit_extract(engine, store, institution=path.parent.name, period=path.stem,
                                 content=path.read_bytes(), filename=path.name, uploader="benchmark", channel="benchmark")
        accepted += outcome.accepted
    return accepted


def _run(partitions: list[tuple[str, str]], refresh: bool) -> float:
    from etl.orchestration import run_pipeline

    started = time.perf_counter()
    summary = run_pipeline(partitions, refresh=refresh)
    seconds = time.perf_counter() - started
    failed = [o.label for o in summary.outcomes if not o.success]
    if failed:
        raise RuntimeError(f"ejecuciones fallidas: {', '.join(failed)}")
    return seconds


def _pending() -> list[tuple[str, str]]:
    from etl.orchestration import pending_partitions

    return pending_partitions()


def _validation_alone(files: list[Path]) -> tuple[float, int]:
    from etl.defs.intake.validate import validate_extract

    started = time.perf_counter()
    records = 0
    for path in files:
        result = validate_extract(path.parent.name, path.stem, path.read_bytes(), path.name)
        records += result.report.counts.records_read
    return time.perf_counter() - started, records


def run(url: str, workdir: Path, sizes: MonthSizes) -> list[Row]:
    from etl.synthetic import generate

    home = workdir / "month-home"
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    summary = generate(workdir / "extracts", months=sizes.months, start_period=start_period(sizes.months),
                       seed=sizes.seed, scale=sizes.scale)
    last = summary.periods[-1]
    month_files = [p for p in summary.files if p.stem == last]
    earlier = [p for p in summary.files if p.stem != last]
    rows: list[Row] = []
    with pipeline_environment(home, url):
        import etl.definitions  # noqa: F401  (the code location is loaded once, as a running Dagster has it)
        from etl.defs.intake.gx_runtime import load_suite

        for institution in ("MP", "PN", "MINNA", "MINMUJER"):
            load_suite(institution)  # GX set up once, outside every timing
        if earlier:
            accepted = _upload(earlier)
            history = _run(_pending(), refresh=False)
            rows.append(Row("(c) Preparation: earlier months through Dagster", f"wall s, {accepted} partitions",
                            history, note="not a target: builds the warehouse the month is added to"
                            + (f"; {len(earlier) - accepted} synthetic file(s) rejected by the intake, not loaded"
                               if accepted != len(earlier) else "")))
        validation, records = _validation_alone(month_files)
        started = time.perf_counter()
        if _upload(month_files) != len(month_files):
            raise RuntimeError("archivos del mes rechazados")
        upload = time.perf_counter() - started
        wall = _run([(p.parent.name, p.stem) for p in month_files], refresh=True)
    context = f"{last}, {records:,} records in 4 files" + (f", after {sizes.months - 1} months" if earlier else "")
    rows += [
        Row("(c) Typical month through Dagster", "wall s, 4 ingest_month runs + refresh_indicators", wall,
            f"validation alone {validation:,.1f} s", wall / validation, f"≤ {TARGET_SECONDS:g} s", wall <= TARGET_SECONDS,
            context + "; code location loaded beforehand"),
        Row("(c) Upload of the month", "wall s, validate + land (encrypted) + register", upload,
            f"validation alone {validation:,.1f} s", upload / validation, note="before the Dagster runs, not in their wall time"),
    ]
    return rows


def warehouse_months(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(
                "SELECT count(DISTINCT month_id) FROM core.fact_extract WHERE is_current")).scalar_one())
    finally:
        engine.dispose()
