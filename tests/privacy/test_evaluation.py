from __future__ import annotations

import json

import pytest

from etl.defs.privacy.evaluation import Prediction, TruthRecord, evaluate


def _key(row: int) -> tuple[str, str, str, int]:
    return ("PN", "2025-05", f"DT-{row}", row)


def test_pairwise_linkage_and_person_level_ict() -> None:
    # Truth: P1 = rows 1, 2, 3 (ICT), P2 = rows 4, 5 (an identical duplicate row: two records),
    # P3 = row 6 (ICT).
    truth = [
        TruthRecord(_key(1), "P1", True), TruthRecord(_key(2), "P1", True), TruthRecord(_key(3), "P1", True),
        TruthRecord(_key(4), "P2", False), TruthRecord(_key(5), "P2", False),
        TruthRecord(_key(6), "P3", True),
    ]
    # Prediction: {1, 2}, {3, 4, 5}, {6}; ICT found on {1, 2} (record 2) and on {3, 4, 5} (record 3).
    predicted = {
        _key(1): Prediction("a", "UNKNOWN"), _key(2): Prediction("a", "RECRUITMENT"),
        _key(3): Prediction("b", "EXPLOITATION"), _key(4): Prediction("b", "NONE"), _key(5): Prediction("b", "NONE"),
        _key(6): Prediction("c", "UNKNOWN"),
        ("MP", "2025-05", "9/2025", 1): Prediction("d", "BOTH"),  # not in the truth: ignored
    }
    report = evaluate(truth, predicted)
    assert (report.true_pairs, report.predicted_pairs, report.correct_pairs) == (4, 4, 2)
    assert report.linkage_precision == pytest.approx(0.5) and report.linkage_recall == pytest.approx(0.5)
    assert report.linkage_f1 == pytest.approx(0.5)
    assert report.records_without_truth == 1 and report.records_evaluated == 6
    # Predicted persons: a -> P1 (positive, right), b -> P2 by majority (positive, wrong), c -> P3 (negative).
    assert report.ict_positive_persons_predicted == 2 and report.ict_true_positives == 1
    assert report.ict_precision == pytest.approx(0.5)
    assert report.ict_recall == pytest.approx(0.5)  # P1 found, P3 missed
    assert json.loads(report.to_json())["correct_pairs"] == 2
    assert "precisión 0.5000" in str(report)


def test_perfect_prediction_and_missing_records() -> None:
    truth = [TruthRecord(_key(i), f"P{i // 2}", i % 4 == 0) for i in range(10)]
    predicted = {t.key: Prediction(f"k{t.person_id}", "BOTH" if t.ict else "NONE") for t in truth[:-1]}
    report = evaluate(truth, predicted)
    assert report.linkage_precision == report.linkage_recall == report.linkage_f1 == 1.0
    assert report.ict_precision == report.ict_recall == 1.0
    assert report.records_without_prediction == 1


def test_contradictory_truth_is_refused() -> None:
    with pytest.raises(ValueError, match="fila 2"):
        evaluate([TruthRecord(_key(1), "P1", True), TruthRecord(_key(1), "P2", True)], {})
