"""Independent check on the agencies' synthetic samples: persons linked across institutions.

`truth_records.csv` says which person each sample record belongs to; turning that into capture
histories over the four institutions must give an estimate at least as large as the persons seen.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.defs.estimation import estimate

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "agency-extracts" / "samples"
INSTITUTIONS = ["MP", "PN", "MINNA", "MINMUJER"]


def sample_histories() -> pd.DataFrame:
    truth_path = SAMPLES / "truth_records.csv"
    assert truth_path.exists(), f"agency samples missing: expected {truth_path}"
    truth = pd.read_csv(truth_path, dtype=str)
    seen = truth.groupby("person_id")["institution"].agg(frozenset)
    flags = pd.DataFrame({inst: seen.map(lambda s, i=inst: int(i in s)) for inst in INSTITUTIONS})
    return flags.value_counts().rename("count").reset_index()


def test_sample_capture_histories_give_an_estimate_above_the_persons_seen() -> None:
    frame = sample_histories()
    persons = int(frame["count"].sum())
    for method in ("stepwise", "bic"):
        result = estimate(frame, method)
        assert result.observed == persons
        assert result.available, result.reason_code
        assert persons <= result.ci_lower <= result.estimate <= result.ci_upper
