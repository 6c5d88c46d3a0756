"""Differential privacy for national annual totals, with a privacy-loss ledger.

Suppression protects small cells; a national annual total is large and published anyway,
but repeated exact releases (each revision, each dashboard refresh of a partial year) can
still be differenced. For those totals the observatory may publish a noisy count instead:
discrete Laplace noise (OpenDP's ``make_laplace`` on integers, which samples the discrete
Laplace / two-sided geometric distribution with a cryptographically secure generator).

* Neighbouring data sets differ by one person (added or removed); a person counts in at
  most ``contributions`` of the released totals (1 when totals are per year and each
  person is counted in the year of registration), so the L1 sensitivity is ``contributions``
  and the noise scale is ``contributions / epsilon``.
* Every release is charged to a ``PrivacyLedger`` *before* noise is drawn; a release that
  would take the spent epsilon beyond the ledger's total is refused (``BudgetExceededError``)
  and draws nothing. Composition is basic (epsilons add), the conservative choice.
* Negative noisy values are clamped to 0: post-processing, no privacy cost.

Do not publish the exact total next to its noisy version (e.g. as the grand total of a
suppressed table): the noise would protect nothing. The ledger is a plain dataclass for the
lead to persist in a table (``to_frame`` / ``from_frame``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import pandas as pd

MECHANISM = "discrete_laplace(opendp)"
_EPSILON_SLACK = 1e-9  # float rounding in the sum of charges must not refuse an exact fit


class BudgetExceededError(RuntimeError):
    """The release would spend more privacy-loss budget than the ledger allows."""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    release_id: str
    statistic: str
    epsilon: float
    mechanism: str
    scale: float
    recorded_at: str  # ISO timestamp, UTC


@dataclass(slots=True)
class PrivacyLedger:
    total_epsilon: float
    entries: list[LedgerEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not (self.total_epsilon > 0 and math.isfinite(self.total_epsilon)):
            raise ValueError("the total epsilon budget must be a positive finite number")

    @property
    def spent(self) -> float:
        return math.fsum(entry.epsilon for entry in self.entries)

    @property
    def remaining(self) -> float:
        return max(self.total_epsilon - self.spent, 0.0)

    def charge(self, release_id: str, statistic: str, epsilon: float, *, mechanism: str, scale: float) -> LedgerEntry:
        if not (epsilon > 0 and math.isfinite(epsilon)):
            raise ValueError("epsilon must be a positive finite number")
        if self.spent + epsilon > self.total_epsilon + _EPSILON_SLACK:
            raise BudgetExceededError(
                f"release {release_id!r} asks epsilon={epsilon:g}, only {self.remaining:g} of "
                f"{self.total_epsilon:g} left"
            )
        entry = LedgerEntry(
            release_id=release_id,
            statistic=statistic,
            epsilon=float(epsilon),
            mechanism=mechanism,
            scale=float(scale),
            recorded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        self.entries.append(entry)
        return entry

    def to_frame(self) -> pd.DataFrame:
        columns = ["release_id", "statistic", "epsilon", "mechanism", "scale", "recorded_at"]
        return pd.DataFrame([{c: getattr(e, c) for c in columns} for e in self.entries], columns=columns)

    @classmethod
    def from_frame(cls, total_epsilon: float, frame: pd.DataFrame) -> PrivacyLedger:
        entries = [
            LedgerEntry(
                release_id=str(row.release_id),
                statistic=str(row.statistic),
                epsilon=float(row.epsilon),
                mechanism=str(row.mechanism),
                scale=float(row.scale),
                recorded_at=str(row.recorded_at),
            )
            for row in frame.itertuples(index=False)
        ]
        ledger = cls(total_epsilon=total_epsilon, entries=entries)
        if ledger.spent > total_epsilon + _EPSILON_SLACK:
            raise BudgetExceededError("the persisted ledger already exceeds its total budget")
        return ledger


def noisy_totals(
    totals: Mapping[Hashable, int],
    epsilon: float,
    ledger: PrivacyLedger,
    *,
    release_id: str,
    statistic: str = "national_annual_total",
    contributions: int = 1,
) -> dict[Hashable, int]:
    """Release ``totals`` (e.g. {2024: n, 2025: m}) with discrete Laplace noise at ``epsilon``."""
    if contributions < 1:
        raise ValueError("contributions must be at least 1")
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError("epsilon must be a positive finite number")
    keys = list(totals)
    values = [int(totals[key]) for key in keys]
    if any(v < 0 for v in values):
        raise ValueError("totals must be non-negative counts")
    scale = contributions / epsilon
    measurement = _laplace(scale)
    realised = measurement.map(contributions)
    if realised > epsilon * (1 + 1e-9):
        raise RuntimeError("the mechanism's privacy loss exceeds the requested epsilon")
    ledger.charge(release_id, statistic, epsilon, mechanism=MECHANISM, scale=scale)
    noisy = measurement(values) if values else []
    return {key: max(int(value), 0) for key, value in zip(keys, noisy, strict=True)}


def _laplace(scale: float):  # noqa: ANN202 - an OpenDP Measurement
    import opendp.prelude as dp  # noqa: PLC0415 - heavy import, only when releasing

    dp.enable_features("contrib")
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)
