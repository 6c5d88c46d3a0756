"""A warm-started HiGHS linear program: one constraint matrix, many objectives.

The audit solves hundreds of LPs that differ only in their objective. ``scipy.optimize.linprog``
rebuilds the model on every call and then walks every column in Python to report bound
multipliers, which costs more than the solve itself here; keeping one HiGHS instance per
block and only changing costs lets the primal simplex restart from the previous optimal basis
(still feasible: the constraints did not change) and finish in a few iterations.

HiGHS comes from the ``highspy`` package when installed, else from the copy SciPy (>= 1.15)
bundles, which exposes the same class.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np
from scipy import sparse


def _highs_module() -> ModuleType:
    try:
        import highspy._core as core  # noqa: PLC0415 - optional dependency
    except ImportError:  # pragma: no cover - exercised by a test that hides highspy
        from scipy.optimize._highspy import _core as core  # noqa: PLC0415
    return core


_core = _highs_module()
_OPTIMAL = (_core.HighsModelStatus.kOptimal,)
_UNBOUNDED = (_core.HighsModelStatus.kUnbounded, _core.HighsModelStatus.kUnboundedOrInfeasible)


class LPSolveError(RuntimeError):
    """HiGHS did not reach an optimum (with equality data from one microdata set: contradiction)."""


@dataclass(frozen=True, slots=True)
class LPSolution:
    value: float  # objective value, minimisation sense (-inf when unbounded)
    x: np.ndarray  # empty when unbounded
    row_duals: np.ndarray

    @property
    def unbounded(self) -> bool:
        return self.value == -np.inf


class WarmLP:
    """min c.x  s.t.  A x = b, 0 <= x <= upper, re-solved for successive sparse objectives c."""

    def __init__(self, matrix: sparse.spmatrix, rhs: np.ndarray, upper: float | None = None) -> None:
        csc = sparse.csc_matrix(matrix)
        n_rows, n_cols = csc.shape
        self.n_cols = n_cols
        self._highs = _core._Highs()
        for option, value in (("output_flag", False), ("presolve", "off"), ("simplex_strategy", 4)):
            self._highs.setOptionValue(option, value)
        rhs = np.asarray(rhs, dtype=float)
        self._highs.addRows(n_rows, rhs, rhs, 0, np.zeros(n_rows, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self._highs.addCols(
            n_cols,
            np.zeros(n_cols),
            np.zeros(n_cols),
            np.full(n_cols, _core.kHighsInf if upper is None else float(upper)),
            csc.nnz,
            csc.indptr[:-1].astype(np.int32),
            csc.indices.astype(np.int32),
            csc.data.astype(float),
        )
        self._costed = np.zeros(0, dtype=np.int32)

    def solve(self, columns: np.ndarray, costs: np.ndarray) -> LPSolution:
        """Minimise ``sum(costs * x[columns])``; all other costs are zero."""
        if len(self._costed):
            self._highs.changeColsCost(len(self._costed), self._costed, np.zeros(len(self._costed)))
        columns = np.asarray(columns, dtype=np.int32)
        self._highs.changeColsCost(len(columns), columns, np.asarray(costs, dtype=float))
        self._costed = columns
        status = self._run()
        if status not in _OPTIMAL + _UNBOUNDED:
            # A warm start can stall on numerics; a cold start settles it or proves infeasibility.
            self._highs.clearSolver()
            status = self._run()
        if status in _UNBOUNDED and self._feasible():
            return LPSolution(value=-np.inf, x=np.zeros(0), row_duals=np.zeros(0))
        if status not in _OPTIMAL:
            raise LPSolveError("HiGHS found no optimum for the attacker's program")
        solution = self._highs.getSolution()
        return LPSolution(
            value=float(self._highs.getInfo().objective_function_value),
            x=np.asarray(solution.col_value, dtype=float),
            row_duals=np.asarray(solution.row_dual, dtype=float),
        )

    def _run(self):  # noqa: ANN202 - a HighsModelStatus
        self._highs.run()
        return self._highs.getModelStatus()

    def _feasible(self) -> bool:
        """Unbounded-or-infeasible is settled by solving without an objective."""
        if self._highs.getModelStatus() == _core.HighsModelStatus.kUnbounded:
            return True
        columns = self._costed
        self._highs.changeColsCost(len(columns), columns, np.zeros(len(columns)))
        feasible = self._run() in _OPTIMAL
        self._costed = np.zeros(0, dtype=np.int32)
        return feasible
