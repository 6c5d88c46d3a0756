"""Run one streaming ingest in a process of its own, so its peak memory is its own (ru_maxrss).

    OBSERVATORIO_DATABASE_URL=... python -m benchmarks.ingest_child --path FILE --period YYYY-MM --landing DIR --out RESULT.json

The warehouse and the master secret come from the environment (never the command line, which any
local user can read): OBSERVATORIO_DATABASE_URL and OBSERVATORIO_SECRET_KEY, set by benchmarks.run.
The result file holds timings, counts and rule codes only: never a value from the extract.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

from etl.config import ENV_DATABASE_URL
from etl.defs.ingest import ingest_large_extract
from etl.defs.privacy.keys import load_keyring
from etl.infra.database import normalize_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One streaming ingest, measured")
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--institution", default="MP")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    engine = sa.create_engine(normalize_url(os.environ[ENV_DATABASE_URL]))
    keyring = load_keyring()
    started = time.perf_counter()
    result = ingest_large_extract(
        engine, keyring, args.institution, args.period, args.path, args.chunk_rows,
        landing_root=args.landing, uploader="benchmark", channel="benchmark",
    )
    wall = time.perf_counter() - started
    engine.dispose()
    report = result.report
    args.out.write_text(json.dumps({
        "wall_seconds": wall,
        "phases": result.seconds,
        "accepted": report.accepted,
        "loaded": result.loaded,
        "records_read": report.counts.records_read,
        "records_loaded": result.records_loaded,
        "persons_total": result.persons_total,
        "ict_linked": result.ict_linked,
        "error_rules": dict(Counter(f.rule for f in report.errors)),
        "warnings": len(report.warnings),
        # Linux reports ru_maxrss in KiB.
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }), encoding="utf-8")
    return 0 if result.loaded else 1


if __name__ == "__main__":
    raise SystemExit(main())
