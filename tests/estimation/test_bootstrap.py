"""BCa bootstrap intervals: exact jackknife acceleration, approximate published limits.

Replicates come from numpy's generator, not R's, so only the jackknife part can match the R
packages exactly; the limits agree within Monte Carlo error. Measured with 1000 replicates
(seed 0): Korea BIC [129.1, 346.4] vs published [128, 349]; Western stepwise [1210, 3685] vs
(1293, 3670); New Orleans five lists [619, 1607] vs (589, 1703); Kosovo BIC [6931, 17726] vs
[6947, 18010].
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.defs.estimation import capture_table, estimate
from etl.defs.estimation.intervals import bca_interval, jackknife_acceleration
from etl.defs.estimation.mse import point_estimate

DATA = Path(__file__).parent / "data"


def test_korea_jackknife_acceleration_matches_mse_package_exactly() -> None:
    # MultipleSystemsEstimation test suite: downhill_jackknifecal(Korea, maxorder = 2) = -0.008783628.
    table = capture_table(pd.read_csv(DATA / "korea.csv"))
    occupied = np.nonzero(table.counts)[0]
    estimates = []
    for cell in occupied:
        reduced = table.counts.copy()
        reduced[cell] -= 1
        estimates.append(point_estimate(table.with_counts(reduced), "bic", 0.02, None))
    acceleration = jackknife_acceleration(np.array(estimates), table.counts[occupied].astype(float))
    assert acceleration == pytest.approx(-0.008783628, abs=5e-10)


def test_korea_bic_bca_interval_is_close_to_published() -> None:
    # Silverman, Chan and Vincent (2024): 157 with BCa 95% interval [128, 349].
    # With 250 replicates, seeds 0-5 give lower limits 126-133 and upper limits 348-378.
    result = estimate(pd.read_csv(DATA / "korea.csv"), "bic", bootstrap=250, seed=0)
    assert result.available and result.interval_method == "bca"
    assert result.estimate == pytest.approx(157.1667, abs=5e-5)
    assert result.ci_lower == pytest.approx(128, rel=0.05)
    assert result.ci_upper == pytest.approx(349, rel=0.12)
    boot = result.diagnostics["bootstrap"]
    assert boot["replications"] == 250 and boot["failed_share"] == 0.0
    # Model selection uncertainty widens the interval beyond the fixed-model profile interval.
    assert result.ci_upper > result.diagnostics["profile_interval"]["upper"]


def test_bca_reduces_to_percentiles_without_bias_or_acceleration() -> None:
    replicates = np.arange(1.0, 1001.0)
    interval = bca_interval(replicates, point_estimate=500.5, acceleration=0.0, alpha=0.05)
    assert interval.bias_correction == pytest.approx(0.0, abs=1e-12)
    # R's quantile type 8: x[j] + g (x[j+1] - x[j]) with j + g = n p + (p + 1) / 3.
    assert interval.lower == pytest.approx(25 + 1.025 / 3, abs=1e-9)
    assert interval.upper == pytest.approx(975 + 1.975 / 3, abs=1e-9)


def test_bootstrap_is_reproducible_for_a_seed() -> None:
    frame = pd.read_csv(DATA / "korea.csv")
    first = estimate(frame, "stepwise", bootstrap=30, seed=7)
    second = estimate(frame, "stepwise", bootstrap=30, seed=7)
    other = estimate(frame, "stepwise", bootstrap=30, seed=8)
    assert (first.ci_lower, first.ci_upper) == (second.ci_lower, second.ci_upper)
    assert (first.ci_lower, first.ci_upper) != (other.ci_lower, other.ci_upper)
