"""Multiple systems estimation of the total number of victims (detected and hidden)."""

from importlib.resources import files

from etl.defs.estimation.histories import CaptureHistoryError, CaptureTable, capture_table
from etl.defs.estimation.mse import METHODS, MSEResult, estimate
from etl.defs.estimation.simulate import CoverageReport, coverage_study, simulate_histories


def assumptions_es() -> str:
    """The MSE assumptions in plain Spanish, for dashboards to show next to the estimate."""
    return files(__package__).joinpath("assumptions_es.md").read_text(encoding="utf-8")


__all__ = [
    "METHODS",
    "CaptureHistoryError",
    "CaptureTable",
    "CoverageReport",
    "MSEResult",
    "assumptions_es",
    "capture_table",
    "coverage_study",
    "estimate",
    "simulate_histories",
]
