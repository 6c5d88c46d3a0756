"""Census reference data the simulation draws places from.

Read from the installed `warehouse/reference/` folder, located relative to this package, so the
generator never depends on the shared agency folder at run time.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "warehouse" / "reference"


@dataclass(frozen=True, slots=True)
class Department:
    ine_code: str  # "00".."17"
    name: str  # census spelling with accents, e.g. "Alto Paraná"


@dataclass(frozen=True, slots=True)
class District:
    ine_dep_code: str
    census_name: str  # upper case as in districts_census2022.csv, e.g. "MCAL. ESTIGARRIBIA"
    population: int


def _read_rows(file_name: str) -> list[dict[str, str]]:
    path = REFERENCE_DIR / file_name
    if not path.is_file():
        raise FileNotFoundError(f"falta el archivo de referencia {file_name} en warehouse/reference")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def departments() -> tuple[Department, ...]:
    return tuple(Department(row["ine_code"], row["name"]) for row in _read_rows("departments_census2022.csv"))


@lru_cache(maxsize=1)
def districts() -> tuple[District, ...]:
    return tuple(
        District(row["ine_dep_code"], row["distrito"], int(row["poblacion_2022"]))
        for row in _read_rows("districts_census2022.csv")
    )


@lru_cache(maxsize=1)
def department_by_code() -> dict[str, Department]:
    return {dep.ine_code: dep for dep in departments()}
