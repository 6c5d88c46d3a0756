"""Ground truth files written next to the synthetic extracts.

`truth_records.csv` has exactly the columns of the shared sample's truth file and says which
person each record belongs to. `truth_persons.csv` describes the whole simulated population,
including persons no institution recorded, so Multiple Systems Estimation can be checked
against the true total. Neither holds names, documents, phones or birth dates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from etl.synthetic.population import Person

RECORD_COLUMNS: tuple[str, ...] = ("institution", "period", "source_key", "row", "person_id", "ict")
PERSON_COLUMNS: tuple[str, ...] = (
    "person_id",
    "first_period",
    "sex",
    "birth_year",
    "department_code",
    "is_ict",
    "ict_stage",
    "captured_by",
)


@dataclass(frozen=True, slots=True)
class TruthRecord:
    institution: str
    period: str
    source_key: str
    row: int  # 1-based ordinal in its file (MINNA: position in `casos`)
    person_id: str
    ict: int


def write_records(path: Path, records: Iterable[TruthRecord]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RECORD_COLUMNS)
        for r in records:
            writer.writerow((r.institution, r.period, r.source_key, r.row, r.person_id, r.ict))


def write_persons(path: Path, persons: Iterable[Person], captured_by: dict[str, list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PERSON_COLUMNS)
        for person in sorted(persons, key=lambda p: int(p.person_id[1:])):
            writer.writerow(
                (
                    person.person_id,
                    person.first_period,
                    person.sex,
                    person.birth_date.year,
                    person.department_code,
                    int(person.is_ict),
                    person.ict_stage,
                    "|".join(captured_by.get(person.person_id, [])),
                )
            )
