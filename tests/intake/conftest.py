"""Fixtures of the intake tests (builders live in builders.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .builders import samples_dir


@pytest.fixture(scope="session")
def samples() -> Path:
    return samples_dir()
