"""Linkage and ICT on the shared samples through the product's intake and staging path.

`test_samples.py` measures the privacy core with its own throwaway readers; this measures what
the warehouse would report (`observatorio evaluate`): the intake's records, the coarse
features staging stores, records rebuilt from stored tokens. Same targets. The samples must
be present (the test fails, it does not skip, when they are missing).
"""

from __future__ import annotations

import pytest

from etl.defs.privacy.keys import Keyring

from .pipeline_harness import PipelineRun, read_extracts, read_truth, run_pipeline
from .sample_loader import samples_dir

KEYRING = Keyring.from_secrets([b"samples-pipeline-test-key-32byte"])


@pytest.fixture(scope="module")
def run() -> PipelineRun:
    root = samples_dir()  # raises when the shared samples are missing
    records = read_extracts(root, validate=True)
    run = run_pipeline(records, read_truth(root / "truth_records.csv"), KEYRING)
    print("\n" + str(run.report))
    return run


def test_the_fast_reading_path_yields_the_validated_records(run: PipelineRun) -> None:
    fast = read_extracts(samples_dir(), validate=False)
    assert len(fast) == len(run.records) == 180
    fields = type(fast[0]).__slots__
    assert all(all(getattr(a, f) == getattr(b, f) for f in fields) for a, b in zip(fast, run.records))


def test_linkage_meets_its_targets_through_the_pipeline(run: PipelineRun) -> None:
    assert run.report.records_without_truth == 0
    assert run.report.records_without_prediction == 2  # the repeated police rows, dropped by intake
    assert run.report.linkage_precision >= 0.98
    assert run.report.linkage_f1 >= 0.95


def test_ict_meets_its_targets_through_the_pipeline(run: PipelineRun) -> None:
    assert run.report.ict_precision >= 0.90
    assert run.report.ict_recall >= 0.85
