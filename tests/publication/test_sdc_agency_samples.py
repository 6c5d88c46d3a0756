"""Independent check on the agencies' synthetic samples: persons of the truth file, tabulated."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.defs.publication.sdc import TableSpec, audit_publication, protect

from .sdc_support import attacker_view, lp_interval, sensitive

TRUTH = Path(__file__).resolve().parents[2] / ".." / "shared" / "agency-extracts" / "samples" / "truth_records.csv"


def test_sample_persons_publish_safely() -> None:
    assert TRUTH.is_file(), f"agency samples missing: {TRUTH}"
    records = pd.read_csv(TRUTH, dtype=str)
    # one row per person: their first record (institution and month they were first seen)
    persons = records.sort_values(["period", "institution", "row"]).drop_duplicates("person_id")
    microdata = persons[["institution", "period", "ict"]].rename(columns={"institution": "institution_code"})
    specs = [
        TableSpec("total", ()),
        TableSpec("by_period", ("period",)),
        TableSpec("by_institution", ("institution_code",)),
        TableSpec("by_institution_period", ("institution_code", "period")),
        TableSpec("by_period_ict", ("period", "ict")),
    ]
    publication = protect(microdata, specs, k=10)
    assert publication.audit.passed
    assert audit_publication(publication.tables, specs, k=10).passed
    domains = {a: sorted(microdata[a].unique()) for a in ("period", "institution_code", "ict")}
    view = attacker_view(publication.tables, specs, domains)
    assert view.withheld, "three months of four agencies must have small cells"
    for cell in view.withheld:
        lower, upper = lp_interval(view, cell)
        assert not (lower >= 1 and upper <= 9)
        if sensitive(cell):
            assert upper - lower >= 10
