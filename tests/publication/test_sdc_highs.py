"""The warm-started HiGHS wrapper, with highspy and with the copy bundled in SciPy."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
from scipy import sparse

from etl.defs.publication.sdc import highs


def solve_both_ways(module) -> list[float]:
    # x0 + x1 = 5, x1 + x2 = 3: max x1 = 3, min x1 = 0, max x0 + x2 = 8 - 2 x1 = 8
    lp = module.WarmLP(sparse.csr_matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])), np.array([5.0, 3.0]))
    return [
        -lp.solve(np.array([1]), np.array([-1.0])).value,
        lp.solve(np.array([1]), np.array([1.0])).value,
        -lp.solve(np.array([0, 2]), np.array([-1.0, -1.0])).value,
    ]


def test_warm_lp_changes_only_the_objective() -> None:
    assert solve_both_ways(highs) == pytest.approx([3.0, 0.0, 8.0])


def test_scipy_bundled_highs_is_a_working_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    # A private copy of the module, loaded while highspy cannot be imported; the real one is untouched.
    monkeypatch.setitem(sys.modules, "highspy", None)
    monkeypatch.setitem(sys.modules, "highspy._core", None)
    spec = importlib.util.spec_from_file_location("sdc_highs_without_highspy", highs.__file__)
    fallback = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, fallback)
    spec.loader.exec_module(fallback)
    assert fallback._core.__name__.startswith("scipy.")
    assert solve_both_ways(fallback) == pytest.approx([3.0, 0.0, 8.0])


def test_unbounded_objectives_are_reported() -> None:
    # x0 - x1 = 0 only: both can grow together without end
    lp = highs.WarmLP(sparse.csr_matrix(np.array([[1.0, -1.0]])), np.array([0.0]))
    assert lp.solve(np.array([0]), np.array([-1.0])).unbounded
    capped = highs.WarmLP(sparse.csr_matrix(np.array([[1.0, -1.0]])), np.array([0.0]), upper=50.0)
    assert capped.solve(np.array([0]), np.array([-1.0])).value == pytest.approx(-50.0)


def test_infeasible_equalities_raise() -> None:
    lp = highs.WarmLP(sparse.csr_matrix(np.array([[1.0, 1.0], [1.0, 1.0]])), np.array([5.0, 3.0]))
    with pytest.raises(highs.LPSolveError):
        lp.solve(np.array([0]), np.array([1.0]))
