"""The marts against figures computed independently: the samples' ground truth and the census."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa

from etl.cli.main import main
from etl.infra.database import get_engine
from tests.pipeline.helpers import count, ingest, refresh, upload

FILES = {"MP": "csv", "PN": "xlsx", "MINNA": "json", "MINMUJER": "csv"}
# 2022 census (INE, final results), typed here from the published table, not read from the product.
CENSUS = {"11": 1_883_927, "10": 763_702}
LINKAGE_TOLERANCE = 0.05  # persons: within 5% of the truth (false merges and missed links)


def test_marts_match_ground_truth(pipeline_env: str, shared_samples: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("OBSERVATORIO_DP_EPSILON", "0.5")  # the optional DP national totals, on
    for institution, ext in FILES.items():
        for period in ("2025-04", "2025-05", "2025-06"):
            assert upload(shared_samples / institution / f"{period}.{ext}").accepted
            assert ingest(institution, period).success
    assert refresh().success

    with (shared_samples / "truth_records.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    true_persons = {r["person_id"] for r in truth}
    true_ict = {r["person_id"] for r in truth if r["ict"] == "1"}

    victims = count("SELECT count(*) FROM mart.person_profile WHERE first_detection_year = 2025")
    ict_linked = count("SELECT count(*) FROM mart.person_profile WHERE is_ict_linked")
    assert abs(victims - len(true_persons)) <= LINKAGE_TOLERANCE * len(true_persons)
    assert abs(ict_linked - len(true_ict)) <= LINKAGE_TOLERANCE * len(true_ict)

    # The CLI's headline JSON reads the same marts, with the contract's keys.
    assert main(["indicators", "--year", "2025", "--json"]) == 0
    headline = json.loads(capsys.readouterr().out)
    assert headline["victims"] == victims and headline["ict_linked_victims"] == ict_linked
    assert {"ict_known_victims", "ict_share", "rate_per_100k", "by_department", "by_sex", "by_age_band"} <= headline.keys()
    assert headline["ict_share"] == round(ict_linked / headline["ict_known_victims"], 4)

    # Two departments' rates, by hand.
    with get_engine().connect() as conn:
        for code, population in CENSUS.items():
            persons = conn.execute(sa.text(
                "SELECT count(*) FROM mart.person_profile WHERE department_code = :c AND first_detection_year = 2025"
            ), {"c": code}).scalar_one()
            rate = conn.execute(sa.text(
                "SELECT rate_per_100k FROM mart.rates_by_department_sex WHERE year = 2025 AND department_code = :c AND sex_code = 'ALL'"
            ), {"c": code}).scalar_one()
            assert persons > 0
            assert float(rate) == round(persons * 100_000 / population, 3)

    # DP: the noisy national total is published with its epsilon, and the ledger charged.
    assert count("SELECT count(*) FROM publication.noisy_total WHERE year = 2025 AND epsilon = 0.5") == 1
    assert count("SELECT count(*) FROM audit.dp_ledger") == 1

    # Coverage: every institution-month of the window is accounted for, none shown as zero by absence.
    assert count("SELECT count(*) FROM mart.coverage") == 12
    assert count("SELECT count(*) FROM mart.coverage WHERE coverage_status = 'accepted'") == 12

    # Evaluate against the truth file: the targets.
    assert main(["evaluate", "--truth", str(shared_samples / "truth_records.csv"), "--json"]) == 0
    quality = json.loads(capsys.readouterr().out)
    assert quality["linkage_precision"] >= 0.98 and quality["linkage_f1"] >= 0.95
    assert quality["ict_precision"] >= 0.90 and quality["ict_recall"] >= 0.85
