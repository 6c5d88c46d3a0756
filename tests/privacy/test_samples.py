"""Linkage and ICT measured on the shared synthetic samples against truth_records.csv.

Targets: linkage precision >= 0.98 and F1 >= 0.95; ICT precision >= 0.90 and recall >= 0.85.
The samples must be present (the test fails, it does not skip, when they are missing).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import pytest

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.evaluation import EvaluationReport, Prediction, TruthRecord, evaluate
from etl.defs.privacy.ict import IctAssessment, classify_record
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.leakscan import find_leaks_labeled
from etl.defs.privacy.linkage import LinkageResult, link_records
from etl.defs.privacy.tokens import TokenizedRecord, tokenize

from .sample_loader import load_samples, load_truth, samples_dir


@dataclass
class Run:
    records: list[VictimRecord]
    tokenized: list[TokenizedRecord]
    linkage: LinkageResult
    ict: dict[tuple, IctAssessment]
    report: EvaluationReport


def _key(record: VictimRecord) -> tuple[str, str, str, int]:
    return (record.institution_code, record.period, record.source_key, record.source_row)


@pytest.fixture(scope="module")
def run() -> Run:
    samples_dir()  # raises when the shared samples are missing
    records = load_samples()
    keyring = Keyring.from_secrets([secrets.token_bytes(32)])
    tokenized = [tokenize(r, keyring) for r in records]
    linkage = link_records(tokenized, keyring)
    ict = {_key(r): classify_record(r) for r in records}
    predicted = {
        (ref.institution, ref.period, ref.source_key, ref.source_row): Prediction(
            person, ict[(ref.institution, ref.period, ref.source_key, ref.source_row)].status)
        for ref, person in linkage.assignment.items()
    }
    truth = [TruthRecord((t.institution, t.period, t.source_key, t.row), t.person_id, t.ict) for t in load_truth()]
    report = evaluate(truth, predicted)
    print("\n" + str(report))
    return Run(records, tokenized, linkage, ict, report)


def test_every_sample_record_is_read_and_evaluated(run: Run) -> None:
    assert run.report.records_evaluated == 182
    assert run.report.records_without_prediction == run.report.records_without_truth == 0
    assert run.linkage.duplicate_rows == 2  # the repeated police rows


def test_linkage_meets_its_targets(run: Run) -> None:
    assert run.report.linkage_precision >= 0.98
    assert run.report.linkage_f1 >= 0.95


def test_ict_meets_its_targets(run: Run) -> None:
    assert run.report.ict_precision >= 0.90
    assert run.report.ict_recall >= 0.85


def test_nothing_personal_reaches_the_outputs(run: Run) -> None:
    secrets_: list[str] = []
    for record in run.records:
        secrets_ += record.personal_values()
        # Handles, phones and cédulas written only in the narrative are personal too.
        narrative = record.narrative or ""
        secrets_ += re.findall(r"@\w+", narrative)
        secrets_ += re.findall(r"(?:\+595|0)?9\d{2}[ \d]{6,8}", narrative)
        secrets_ += re.findall(r"C\.I\. N° ([\d.]+)", narrative)
    outputs = []
    # Keyed values are random hex: their digit runs collide with document numbers by chance, so
    # they are checked by shape (nothing but hex of the token size), and the rest by content.
    hex16, hex32 = re.compile(r"^[0-9a-f]{16}$"), re.compile(r"^[0-9a-f]{32}$")
    for record in run.tokenized:
        assert all(hex16.match(token.value) for token in record.tokens)
        outputs.append((f"tokens {record.ref.canonical()}", f"{record.ref.canonical()} {record.features!r} "
                        + " ".join(token.kind for token in record.tokens)))
    for key, assessment in run.ict.items():
        outputs.append((f"ict {key}", repr(assessment) + str(assessment.platforms_json())))
    assert all(hex32.match(person_key) for person_key in run.linkage.assignment.values())
    outputs.append(("report", str(run.report) + run.report.to_json()))
    assert find_leaks_labeled(outputs, secrets_) == []
    control = next(r for r in run.records if r.given_names)
    assert find_leaks_labeled([("control", f"x {control.given_names} {control.surnames} x")], secrets_)
