"""The warehouse code lists (schemas/codelists.yaml), loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CODELISTS_PATH = Path(__file__).resolve().parents[1] / "schemas" / "codelists.yaml"


@lru_cache(maxsize=1)
def codelists() -> dict[str, dict[str, dict[str, Any]]]:
    return yaml.safe_load(CODELISTS_PATH.read_text(encoding="utf-8"))


def codes(kind: str) -> list[str]:
    return list(codelists()[kind])
