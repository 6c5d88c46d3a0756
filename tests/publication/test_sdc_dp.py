"""Differential privacy for national annual totals and its epsilon ledger."""

from __future__ import annotations

import numpy as np
import pytest

from etl.defs.publication.sdc import BudgetExceededError, PrivacyLedger, noisy_totals


def test_a_release_over_budget_is_refused_and_spends_nothing() -> None:
    ledger = PrivacyLedger(total_epsilon=1.0)
    noisy_totals({2024: 500, 2025: 620}, 0.6, ledger, release_id="2025-06")
    with pytest.raises(BudgetExceededError):
        noisy_totals({2024: 500, 2025: 640}, 0.5, ledger, release_id="2025-07")
    assert [e.release_id for e in ledger.entries] == ["2025-06"]
    assert ledger.spent == pytest.approx(0.6) and ledger.remaining == pytest.approx(0.4)
    noisy_totals({2025: 640}, 0.4, ledger, release_id="2025-07")  # an exact fit is allowed
    assert ledger.remaining == pytest.approx(0.0)


def test_ledger_records_mechanism_and_scale_and_round_trips() -> None:
    ledger = PrivacyLedger(total_epsilon=2.0)
    noisy_totals({2025: 300}, 0.5, ledger, release_id="r1", contributions=2)
    (entry,) = ledger.entries
    assert entry.scale == pytest.approx(4.0) and "laplace" in entry.mechanism
    again = PrivacyLedger.from_frame(2.0, ledger.to_frame())
    assert again.entries == ledger.entries
    with pytest.raises(BudgetExceededError):
        PrivacyLedger.from_frame(0.25, ledger.to_frame())


def test_noise_is_integer_non_negative_and_centred() -> None:
    ledger = PrivacyLedger(total_epsilon=1000.0)
    draws = np.array([noisy_totals({"y": 50}, 1.0, ledger, release_id=f"r{i}")["y"] for i in range(400)])
    assert draws.dtype.kind == "i" and (draws >= 0).all()
    # discrete Laplace, scale 1: variance about 2; the mean of 400 draws is within 0.5 of 50
    assert abs(draws.mean() - 50) < 0.5
    assert 0.5 < draws.var() < 4.0
    assert len(set(draws.tolist())) > 3  # it is noise, not the exact count


def test_invalid_epsilon_is_refused() -> None:
    ledger = PrivacyLedger(total_epsilon=1.0)
    for epsilon in (0.0, -1.0, float("inf")):
        with pytest.raises(ValueError):
            noisy_totals({2025: 10}, epsilon, ledger, release_id="bad")
    assert not ledger.entries
