"""Where the intake finds its contracts, expectation suites and reference data.

Contracts (`schemas/`) and suites (`expectations/`) live at the repository root, next to the
package, because agencies' contracts are reviewed documents rather than code. Reference data is
package data of `warehouse.reference` and is read through importlib.resources.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
SCHEMAS_DIR = REPO_ROOT / "schemas"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


def reference_file(name: str) -> Traversable:
    return resources.files("warehouse.reference") / name
