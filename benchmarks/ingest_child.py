"""Run one streaming ingest in a process of its own, so its peak memory is its own (ru_maxrss).

    OBSERVATORIO_DATABASE_URL=... python -m benchmarks.ingest_child --path FILE --period YYYY-MM --landing DIR --out RESULT.json

The warehouse and the master secret come from the environment (never the command line, which any
local user can read): OBSERVATORIO_DATABASE_URL and OBSERVATORIO_SECRET_KEY, set by benchmarks.run.
The result file holds timings, counts and rule codes only: never a value from the extract.
Besides the process's peak, it records the peak reached before global linkage starts (the
streaming part alone, this process and its intake workers together), by wrapping the linker the
ingest calls: instrumentation of this benchmark process only.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import sqlalchemy as sa

from etl.config import ENV_DATABASE_URL
from etl.defs.ingest import ingest_large_extract, stream
from etl.defs.ingest.chunked_validation import STREAM_CHUNK_ROWS
from etl.defs.privacy.keys import load_keyring
from etl.infra.database import normalize_url

SAMPLE_SECONDS = 0.2


class PeakBeforeLinkage:
    """Samples this process's RSS; `before_linkage` is the peak seen until the linker was called."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = 0
        self.before_linkage: int | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _rss(self) -> int:
        """This process and its intake workers (`etl.defs.ingest.intake_worker`), at this moment."""
        try:
            children = self.process.children(recursive=True)
            return self.process.memory_info().rss + sum(c.memory_info().rss for c in children)
        except psutil.Error:  # a worker exiting between the listing and the reading
            return self.process.memory_info().rss

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakBeforeLinkage:
        original = stream.link_in_force_streamed

        def link(*args, **kwargs):
            if self.before_linkage is None:
                self.before_linkage = max(self.peak, self._rss())
            return original(*args, **kwargs)

        self._original = original
        stream.link_in_force_streamed = link
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        stream.link_in_force_streamed = self._original


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One streaming ingest, measured")
    parser.add_argument("--path", type=Path, required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--institution", default="MP")
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--chunk-rows", type=int, default=STREAM_CHUNK_ROWS)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    engine = sa.create_engine(normalize_url(os.environ[ENV_DATABASE_URL]))
    keyring = load_keyring()
    with PeakBeforeLinkage() as memory:
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
        # The intake workers (validation, pseudonymization): the larger one's peak.
        "max_rss_children_bytes": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
        "rss_before_linkage_bytes": memory.before_linkage,
    }), encoding="utf-8")
    return 0 if result.loaded else 1


if __name__ == "__main__":
    raise SystemExit(main())
