"""Known-truth checks: simulate closed populations, estimate them, measure coverage and bias.

A population of `n_total` victims is captured by four lists (the institutions) under one of
three scenarios:
* `independent`: each list catches each person independently with its own probability;
* `pairwise`: a true log-linear model with list dependence (PN referrals raise the chance of
  an MP case, odds ratio 3; MINNA and MINMUJER serve different ages, odds ratio 0.5), which
  the models can represent;
* `heterogeneous`: half the victims are much harder to reach on every list (capture
  probabilities x0.4 against x1.6), the failure mode no two-way model fully captures.
`coverage_study` repeats draw-and-estimate and reports how often the interval covers the true
total; `python -m etl.defs.estimation.simulate` runs every scenario for `make bench`.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from etl.defs.estimation.histories import COUNT_COLUMN
from etl.defs.estimation.mse import Method, estimate

Scenario = Literal["independent", "pairwise", "heterogeneous"]
SCENARIOS: tuple[Scenario, ...] = ("independent", "pairwise", "heterogeneous")
LIST_NAMES = ("MP", "PN", "MINNA", "MINMUJER")
DEFAULT_CAPTURE = (0.30, 0.25, 0.20, 0.15)
DEFAULT_TOTAL = 1000
PAIR_ODDS = {(0, 1): 3.0, (2, 3): 0.5}  # MP:PN and MINNA:MINMUJER in the `pairwise` scenario
HARD_TO_REACH_SHARE = 0.5
HARD_TO_REACH_FACTOR = 0.4
EASY_TO_REACH_FACTOR = 1.6


def cell_probabilities(capture: tuple[float, ...], scenario: Scenario) -> np.ndarray:
    """Probability of each capture history (cell bitmask, cell 0 = never seen) for one person."""
    n_lists = len(capture)
    cells = np.arange(1 << n_lists)
    bits = (cells[:, None] >> np.arange(n_lists)) & 1
    if scenario == "independent":
        return _independent(np.asarray(capture), bits)
    if scenario == "pairwise":
        logits = np.log(np.asarray(capture) / (1 - np.asarray(capture)))
        log_weight = bits @ logits
        for (i, j), odds in PAIR_ODDS.items():
            log_weight = log_weight + math.log(odds) * bits[:, i] * bits[:, j]
        weight = np.exp(log_weight)
        return weight / weight.sum()
    if scenario == "heterogeneous":
        hard = _independent(np.clip(np.asarray(capture) * HARD_TO_REACH_FACTOR, 0, 0.95), bits)
        easy = _independent(np.clip(np.asarray(capture) * EASY_TO_REACH_FACTOR, 0, 0.95), bits)
        return HARD_TO_REACH_SHARE * hard + (1 - HARD_TO_REACH_SHARE) * easy
    raise ValueError(f"escenario desconocido; use uno de: {', '.join(SCENARIOS)}")


def _independent(capture: np.ndarray, bits: np.ndarray) -> np.ndarray:
    return np.prod(np.where(bits == 1, capture, 1 - capture), axis=1)


def simulate_histories(
    n_total: int = DEFAULT_TOTAL,
    capture: tuple[float, ...] = DEFAULT_CAPTURE,
    *,
    scenario: Scenario = "independent",
    rng: np.random.Generator,
    list_names: tuple[str, ...] = LIST_NAMES,
) -> pd.DataFrame:
    """One draw of the observable capture histories of a closed population of `n_total`."""
    counts = rng.multinomial(n_total, cell_probabilities(capture, scenario))
    cells = np.arange(1, counts.size)
    frame = pd.DataFrame({name: (cells >> i) & 1 for i, name in enumerate(list_names)})
    frame[COUNT_COLUMN] = counts[1:]
    return frame


@dataclass(frozen=True)
class CoverageReport:
    scenario: str
    method: str
    n_total: int
    draws: int
    available: int
    coverage: float  # share of available estimates whose interval contains n_total
    coverage_counting_unavailable: float  # unavailable draws counted as misses
    relative_bias: float  # mean of (estimate - n_total) / n_total over available draws
    median_relative_error: float
    relative_rmse: float
    mean_relative_width: float  # mean of (upper - lower) / n_total
    mean_observed: float
    seconds: float
    seconds_per_estimate: float

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def coverage_study(
    draws: int = 1000,
    *,
    scenario: Scenario = "independent",
    method: Method = "stepwise",
    n_total: int = DEFAULT_TOTAL,
    capture: tuple[float, ...] = DEFAULT_CAPTURE,
    alpha: float = 0.05,
    pthresh: float = 0.02,
    seed: int = 0,
) -> CoverageReport:
    rng = np.random.default_rng(seed)
    estimates: list[float] = []
    covered = 0
    widths: list[float] = []
    observed: list[int] = []
    started = time.perf_counter()
    for _ in range(draws):
        result = estimate(
            simulate_histories(n_total, capture, scenario=scenario, rng=rng), method, alpha=alpha, pthresh=pthresh
        )
        observed.append(result.observed)
        if not result.available:
            continue
        assert result.estimate is not None and result.ci_lower is not None and result.ci_upper is not None
        estimates.append(result.estimate)
        widths.append((result.ci_upper - result.ci_lower) / n_total)
        covered += int(result.ci_lower <= n_total <= result.ci_upper)
    seconds = time.perf_counter() - started
    errors = (np.asarray(estimates) - n_total) / n_total
    available = len(estimates)
    return CoverageReport(
        scenario=scenario,
        method=method,
        n_total=n_total,
        draws=draws,
        available=available,
        coverage=covered / available if available else math.nan,
        coverage_counting_unavailable=covered / draws if draws else math.nan,
        relative_bias=float(errors.mean()) if available else math.nan,
        median_relative_error=float(np.median(errors)) if available else math.nan,
        relative_rmse=float(np.sqrt(np.mean(errors**2))) if available else math.nan,
        mean_relative_width=float(np.mean(widths)) if available else math.nan,
        mean_observed=float(np.mean(observed)) if observed else math.nan,
        seconds=seconds,
        seconds_per_estimate=seconds / draws if draws else math.nan,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coverage and bias of the MSE estimate on simulated populations")
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--n-total", type=int, default=DEFAULT_TOTAL)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=["stepwise", "bic"], choices=["stepwise", "bic"])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    reports = [
        coverage_study(args.draws, scenario=scenario, method=method, n_total=args.n_total, seed=args.seed)
        for scenario in args.scenarios
        for method in args.methods
    ]
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2))
        return 0
    header = (
        f"{'scenario':<14}{'method':<10}{'avail':>7}{'coverage':>10}{'rel.bias':>10}"
        f"{'rel.RMSE':>10}{'width':>8}{'s/est':>8}"
    )
    print(header)
    for r in reports:
        print(
            f"{r.scenario:<14}{r.method:<10}{r.available:>7}{r.coverage:>10.3f}{r.relative_bias:>10.3f}"
            f"{r.relative_rmse:>10.3f}{r.mean_relative_width:>8.3f}{r.seconds_per_estimate:>8.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
