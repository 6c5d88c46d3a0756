"""Linkage and ICT measured the way the warehouse measures them, without a database.

Mirrors the pipeline step by step: the product's intake (`validate_extract`) reads each file;
records are tokenized with their case key pseudonymized (as `staging_rows.stage_records`
does); the coarse features are those staging stores (`sex_code`, `department_code` with the
unknown '99' read back as None, the birth-year range), and each record is rebuilt from its
tokens with `TokenizedRecord.from_tokens` (as `load/linking.link_in_force` does) before
linkage; predictions are keyed by the clear case key, as `warehouse_evaluation` keys them.
"""

from __future__ import annotations

import csv
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from etl.defs.intake.contracts import load_contract
from etl.defs.intake.mapping import map_row
from etl.defs.intake.prepare import prepare
from etl.defs.intake.readers import DEFAULT_LIMITS, read_extract
from etl.defs.intake.records import VictimRecord
from etl.defs.intake.validate import validate_extract
from etl.defs.privacy.evaluation import EvaluationReport, Prediction, RecordKey, TruthRecord, evaluate
from etl.defs.privacy.ict import classify_record
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.linkage import LinkageResult, link_records
from etl.defs.privacy.pseudonym import source_key_pseudonym
from etl.defs.privacy.staging_rows import UNKNOWN_DEPARTMENT
from etl.defs.privacy.tokens import CoarseFeatures, RecordRef, TokenizedRecord, tokenize

EXTENSIONS = {"MP": "csv", "PN": "xlsx", "MINNA": "json", "MINMUJER": "csv"}


@dataclass(frozen=True)
class PipelineRun:
    records: list[VictimRecord]
    tokenized: list[TokenizedRecord]
    linkage: LinkageResult
    report: EvaluationReport
    truth: list[TruthRecord]
    predicted: dict[RecordKey, Prediction]
    clear_key: dict[RecordRef, RecordKey]


def read_extracts(root: Path, validate: bool = True) -> list[VictimRecord]:
    """Every `<INSTITUTION>/<YYYY-MM>.<ext>` file under `root`, through the product's intake.

    `validate=False` skips the expectation suite (about 20 times slower than reading): the
    records are the same ones the intake maps from an accepted file, by the same readers.
    """
    records: list[VictimRecord] = []
    for institution, extension in EXTENSIONS.items():
        contract = load_contract(institution)
        for path in sorted((root / institution).glob(f"*.{extension}")):
            data = path.read_bytes()
            if validate:
                result = validate_extract(institution, path.stem, data, path.name)
                if not result.records and result.report.counts.records_read:
                    raise AssertionError(f"{institution} {path.stem}: extract rejected by intake")
                records.extend(result.records)
            else:
                prepared = prepare(contract, read_extract(contract, data, path.stem, DEFAULT_LIMITS), path.stem)
                records.extend(map_row(contract, row, path.stem)[0] for row in prepared.rows)
    return records


def read_truth(path: Path) -> list[TruthRecord]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TruthRecord((r["institution"], r["period"], r["source_key"], int(r["row"])), r["person_id"], r["ict"] == "1")
            for r in csv.DictReader(handle)
        ]


def staged(record: VictimRecord, keyring: Keyring) -> TokenizedRecord:
    """The record as linkage sees it after a round trip through staging."""
    case_key = source_key_pseudonym(keyring, record.institution_code, record.source_key).value
    tokenized = tokenize(record, keyring, source_key=case_key)
    department = record.department_code or UNKNOWN_DEPARTMENT
    features = CoarseFeatures(
        sex=record.sex_code,
        department=None if department == UNKNOWN_DEPARTMENT else department,
        birth_year_min=tokenized.features.birth_year_min,
        birth_year_max=tokenized.features.birth_year_max,
    )
    return TokenizedRecord.from_tokens(tokenized.ref, tokenized.tokens, features, keyring.key_id)


def run_pipeline(records: Iterable[VictimRecord], truth: list[TruthRecord], keyring: Keyring | None = None) -> PipelineRun:
    keyring = keyring or Keyring.from_secrets([secrets.token_bytes(32)])
    records = list(records)
    tokenized = [staged(r, keyring) for r in records]
    clear_key = {
        t.ref: (r.institution_code, r.period, r.source_key, r.source_row) for r, t in zip(records, tokenized)
    }
    status = {clear_key[t.ref]: classify_record(r).status for r, t in zip(records, tokenized)}
    linkage = link_records(tokenized, keyring)
    predicted = {clear_key[ref]: Prediction(person, status[clear_key[ref]]) for ref, person in linkage.assignment.items()}
    return PipelineRun(records, tokenized, linkage, evaluate(truth, predicted), truth, predicted, clear_key)


def run_directory(root: Path, keyring: Keyring | None = None, validate: bool = True) -> PipelineRun:
    return run_pipeline(read_extracts(root, validate), read_truth(root / "truth_records.csv"), keyring)
