"""Known-truth checks on simulated closed populations (quick form of `coverage_study`)."""

from __future__ import annotations

import numpy as np
import pytest

from etl.defs.estimation import coverage_study, simulate_histories
from etl.defs.estimation.simulate import cell_probabilities


@pytest.mark.parametrize("scenario", ["independent", "pairwise", "heterogeneous"])
def test_cell_probabilities_form_a_distribution(scenario: str) -> None:
    probabilities = cell_probabilities((0.3, 0.25, 0.2, 0.15), scenario)  # type: ignore[arg-type]
    assert probabilities.shape == (16,)
    assert probabilities.min() > 0
    assert probabilities.sum() == pytest.approx(1.0)


def test_independent_lists_have_the_product_probabilities() -> None:
    probabilities = cell_probabilities((0.5, 0.2), "independent")
    # cells: none, first only, second only, both
    np.testing.assert_allclose(probabilities, [0.4, 0.4, 0.1, 0.1])


def test_simulated_histories_have_every_observable_cell() -> None:
    frame = simulate_histories(500, rng=np.random.default_rng(1))
    assert list(frame.columns) == ["MP", "PN", "MINNA", "MINMUJER", "count"]
    assert len(frame) == 15
    assert 0 < frame["count"].sum() <= 500


def test_quick_coverage_of_the_95_interval_on_independent_lists() -> None:
    report = coverage_study(100, scenario="independent", method="stepwise", n_total=1000, seed=20260101)
    assert report.available == 100
    assert report.coverage >= 0.90
    assert abs(report.relative_bias) < 0.02
    assert report.seconds < 20


def test_heterogeneous_capture_is_underestimated_as_documented() -> None:
    # The limitation assumptions_es.md warns about: a hard-to-reach half of the victims.
    report = coverage_study(25, scenario="heterogeneous", method="stepwise", n_total=1000, seed=5)
    assert report.relative_bias < -0.15
