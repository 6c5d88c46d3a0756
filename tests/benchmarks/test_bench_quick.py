"""`python -m benchmarks.run --quick` runs every benchmark and fills every row of the table with a number.

A smoke test of the benchmark harness (it takes a couple of minutes): it checks the output, never a
timing, since timings depend on the machine.
"""

from __future__ import annotations

import math
from pathlib import Path

from benchmarks.run import main
from benchmarks.table import parse_rows

BENCHMARKS = ("(a)", "(b)", "(c)", "(d)", "(e)", "(f)")


def _number(cell: str) -> float:
    return float(cell.replace(",", ""))


def test_quick_run_fills_every_row(tmp_path: Path, pg_server_url: str) -> None:
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\nProse the run must keep.\n", encoding="utf-8")
    assert main(["--quick", "--output", str(output), "--database-url", pg_server_url]) == 0

    text = output.read_text(encoding="utf-8")
    assert "Prose the run must keep." in text
    assert "<!-- bench:quick:start -->" in text and "<!-- bench:quick:end -->" in text
    for line in ("- CPU: ", "- RAM: ", "- Python: ", "- PostgreSQL: ", "- Date: "):
        assert line in text
    rows = parse_rows(text)
    assert {prefix for prefix in BENCHMARKS if any(row[0].startswith(prefix) for row in rows)} == set(BENCHMARKS)
    for benchmark, figure, value, _baseline, ratio, _target, met, note in rows:
        assert math.isfinite(_number(value)), benchmark
        assert figure != "failed" and "FAILED" not in note and "not run" not in note, benchmark
        if ratio != "—":
            assert math.isfinite(_number(ratio.rstrip("×"))), benchmark
        assert met in ("yes", "**no**", "—")
    speed_rows = [row for row in rows if row[1].startswith("wall s")]
    assert speed_rows and all(row[4] != "—" for row in speed_rows if not row[0].startswith("(a) Physical limit"))
