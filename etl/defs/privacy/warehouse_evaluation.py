"""Evaluate linkage and ICT classification of data already loaded, against a truth file.

The truth file names records in clear (institution, period, case key, row); the warehouse
holds only keyed case keys, so each truth case key is pseudonymized with the same keyring to
find its record. Nothing from the truth file is written anywhere.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa

from etl.defs.privacy.evaluation import EvaluationReport, Prediction, RecordKey, TruthRecord, evaluate
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.pseudonym import source_key_pseudonym

_LOADED = """
SELECT i.institution_code, m.period_code, f.source_row, f.source_key_token, p.person_key, s.ict_status_code
FROM core.fact_victim_record f
JOIN core.dim_institution i USING (institution_id)
JOIN core.dim_month m USING (month_id)
JOIN core.dim_person p USING (person_id)
JOIN core.dim_ict_status s ON s.ict_status_id = f.ict_status_id
"""


def read_truth(path: Path) -> list[TruthRecord]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            TruthRecord((r["institution"], r["period"], r["source_key"], int(r["row"])), r["person_id"], r["ict"] == "1")
            for r in csv.DictReader(fh)
        ]


def predictions(conn: sa.Connection, truth: list[TruthRecord], keyring: Keyring) -> dict[RecordKey, Prediction]:
    loaded = {
        (r.institution_code, r.period_code, r.source_row): r for r in conn.execute(sa.text(_LOADED))
    }
    predicted: dict[RecordKey, Prediction] = {}
    for record in truth:
        institution, period, source_key, row = record.key
        found = loaded.get((institution, period, row))
        if found is None or found.source_key_token != source_key_pseudonym(keyring, institution, source_key).value:
            continue
        predicted[record.key] = Prediction(found.person_key, found.ict_status_code)
    return predicted


def evaluate_loaded(conn: sa.Connection, truth_path: Path, keyring: Keyring) -> EvaluationReport:
    truth = read_truth(truth_path)
    return evaluate(truth, predictions(conn, truth, keyring))
