"""Evaluation of linkage and ICT classification against a ground truth (synthetic samples).

Linkage is scored pairwise: a pair of records is positive when both belong to the same
person; precision, recall and F1 compare the pairs of the truth with the pairs of the
prediction, over the records present in both. Two distinct rows of an identical duplicate
are two records, and so one true pair.

ICT is scored per person, since the truth's `ict` is person-level: a predicted person is
ICT-positive when any of its records is RECRUITMENT, EXPLOITATION or BOTH; it is mapped to
the truth person holding the majority of its records (ties to the smallest id). Precision
is over positive predicted persons; recall over positive truth persons, one counting as
found when some predicted person mapped to it is positive.

Works on record keys and codes only: no personal value is read or reported.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

ICT_LINKED = frozenset({"RECRUITMENT", "EXPLOITATION", "BOTH"})

# (institution, period, source_key, row)
RecordKey = tuple[str, str, str, int]


@dataclass(frozen=True)
class TruthRecord:
    key: RecordKey
    person_id: str
    ict: bool


@dataclass(frozen=True)
class Prediction:
    person_key: str
    ict_status: str  # codelists ict_status code, record- or person-level


@dataclass(frozen=True)
class EvaluationReport:
    records_evaluated: int
    records_without_prediction: int
    records_without_truth: int
    truth_persons: int
    predicted_persons: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    linkage_precision: float
    linkage_recall: float
    linkage_f1: float
    ict_positive_persons_truth: int
    ict_positive_persons_predicted: int
    ict_true_positives: int
    ict_precision: float
    ict_recall: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    def __str__(self) -> str:
        return "\n".join(
            [
                f"registros evaluados: {self.records_evaluated} "
                f"(sin predicción: {self.records_without_prediction}, sin verdad: {self.records_without_truth})",
                f"personas: verdad {self.truth_persons}, predichas {self.predicted_persons}",
                f"pares: verdaderos {self.true_pairs}, predichos {self.predicted_pairs}, correctos {self.correct_pairs}",
                f"vinculación: precisión {self.linkage_precision:.4f}, exhaustividad {self.linkage_recall:.4f}, "
                f"F1 {self.linkage_f1:.4f}",
                f"TIC (personas): positivas verdad {self.ict_positive_persons_truth}, predichas "
                f"{self.ict_positive_persons_predicted}, acertadas {self.ict_true_positives}; precisión "
                f"{self.ict_precision:.4f}, exhaustividad {self.ict_recall:.4f}",
            ]
        )


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _truth_by_key(truth: Iterable[TruthRecord]) -> dict[RecordKey, TruthRecord]:
    by_key: dict[RecordKey, TruthRecord] = {}
    for position, row in enumerate(truth, start=1):
        known = by_key.get(row.key)
        if known is not None and known.person_id != row.person_id:
            raise ValueError(f"la fila {position} de la verdad repite un registro con otra persona")
        by_key[row.key] = row
    return by_key


def evaluate(truth: Iterable[TruthRecord], predicted: Mapping[RecordKey, Prediction]) -> EvaluationReport:
    truth_by_key = _truth_by_key(truth)
    keys = sorted(truth_by_key.keys() & predicted.keys())

    cell: Counter[tuple[str, str]] = Counter()
    truth_sizes: Counter[str] = Counter()
    predicted_sizes: Counter[str] = Counter()
    for key in keys:
        person, guess = truth_by_key[key].person_id, predicted[key].person_key
        cell[(person, guess)] += 1
        truth_sizes[person] += 1
        predicted_sizes[guess] += 1
    correct = sum(_pairs(c) for c in cell.values())
    true_pairs = sum(_pairs(c) for c in truth_sizes.values())
    predicted_pairs = sum(_pairs(c) for c in predicted_sizes.values())
    precision, recall = _ratio(correct, predicted_pairs), _ratio(correct, true_pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    truth_ict: dict[str, bool] = defaultdict(bool)
    for key in keys:
        truth_ict[truth_by_key[key].person_id] |= truth_by_key[key].ict
    predicted_ict: dict[str, bool] = defaultdict(bool)
    for key in keys:
        predicted_ict[predicted[key].person_key] |= predicted[key].ict_status in ICT_LINKED
    best_vote: dict[str, tuple[int, str]] = {}
    for (person, guess), count in cell.items():
        vote = (-count, person)
        if guess not in best_vote or vote < best_vote[guess]:
            best_vote[guess] = vote
    majority = {guess: vote[1] for guess, vote in best_vote.items()}

    positive_guesses = [g for g in predicted_sizes if predicted_ict[g]]
    true_positive = sum(1 for g in positive_guesses if truth_ict[majority[g]])
    positive_truth = {p for p, is_ict in truth_ict.items() if is_ict}
    found = {majority[g] for g in positive_guesses} & positive_truth

    return EvaluationReport(
        records_evaluated=len(keys),
        records_without_prediction=len(truth_by_key.keys() - predicted.keys()),
        records_without_truth=len(predicted.keys() - truth_by_key.keys()),
        truth_persons=len(truth_sizes),
        predicted_persons=len(predicted_sizes),
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
        linkage_precision=precision,
        linkage_recall=recall,
        linkage_f1=f1,
        ict_positive_persons_truth=len(positive_truth),
        ict_positive_persons_predicted=len(positive_guesses),
        ict_true_positives=true_positive,
        ict_precision=_ratio(true_positive, len(positive_guesses)),
        ict_recall=_ratio(len(found), len(positive_truth)),
    )
