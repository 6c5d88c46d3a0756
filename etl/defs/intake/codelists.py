"""The warehouse code lists (schemas/codelists.yaml), read once per process."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from etl.defs.intake.paths import SCHEMAS_DIR


@cache
def codelists() -> dict[str, dict[str, dict[str, Any]]]:
    with (SCHEMAS_DIR / "codelists.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def codes(dimension: str) -> frozenset[str]:
    return frozenset(codelists()[dimension])
