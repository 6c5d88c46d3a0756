"""Every file of the generator's 24 months is accepted, with every record kept or a duplicate dropped."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from etl.defs.intake.validate import validate_extract
from etl.synthetic import generate


def test_generated_24_months_accepted(tmp_path: Path) -> None:
    summary = generate(tmp_path, months=24, start_period="2024-01")
    with (tmp_path / "truth_records.csv").open(encoding="utf-8") as fh:
        truth = Counter((r["institution"], r["period"]) for r in csv.DictReader(fh))
    files = sorted(p for p in tmp_path.glob("*/*") if p.is_file())
    assert len(files) == 96 == len(summary.files)
    for path in files:
        institution, period = path.parent.name, path.stem
        result = validate_extract(institution, period, path.read_bytes(), path.name)
        assert result.report.accepted, (institution, period, [(f.row, f.column, f.rule) for f in result.report.errors])
        counts = result.report.counts
        assert counts.records_accepted + counts.duplicates_dropped == truth[(institution, period)]
