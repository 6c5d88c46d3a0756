from __future__ import annotations

from pathlib import Path

import pytest
from synthetic_contract import require_shared_samples

from etl.synthetic import GenerationSummary, generate


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """The default 24-month dataset at scale 1, generated once for the whole folder."""
    return generate(tmp_path_factory.mktemp("synthetic") / "extracts")


@pytest.fixture(scope="session")
def samples() -> Path:
    return require_shared_samples()
