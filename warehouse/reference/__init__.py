"""Reference data shipped with the product (copied from the project's shared reference folder).

- departments_census2022.csv, districts_census2022.csv: INE, Censo Nacional de Población y
  Viviendas 2022, final results (see README.md here for sources and the INE/ISO code trap).
- paraguay_departments.geojson: Natural Earth 1:10m admin-1, public domain.
"""

from __future__ import annotations

import csv
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


def path(name: str) -> Path:
    return Path(str(resources.files(__package__) / name))


@lru_cache(maxsize=None)
def departments() -> list[dict[str, str]]:
    with path("departments_census2022.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=None)
def districts() -> list[dict[str, str]]:
    with path("districts_census2022.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=None)
def department_geojson() -> dict[str, Any]:
    return json.loads(path("paraguay_departments.geojson").read_text(encoding="utf-8"))
