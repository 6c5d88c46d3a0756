"""Benchmark (e): the Multiple Systems Estimation coverage study, run as its own command.

`python -m etl.defs.estimation.simulate --draws N --json` simulates closed populations of known
size under three scenarios and estimates them with both model-selection methods. Coverage of the
95% interval and relative bias are accuracy figures: compared with the nominal 95% and with zero,
not with a speed baseline; the seconds per estimate are given for context.
"""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.table import Row

NOMINAL = 0.95
_SHARED_FAILURE = "heterogeneous"  # capture heterogeneity: the failure mode no two-way model captures


def run(draws: int) -> list[Row]:
    command = [sys.executable, "-m", "etl.defs.estimation.simulate", "--draws", str(draws), "--json"]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    rows = []
    for study in json.loads(completed.stdout):
        label = f"{study['scenario']} / {study['method']}"
        context = (f"{study['draws']} draws of N={study['n_total']:,}, {study['available']} estimable; "
                   f"{study['seconds_per_estimate'] * 1000:,.0f} ms per estimate")
        if study["scenario"] == _SHARED_FAILURE:
            context += "; heterogeneous capture is expected to under-cover"
        rows.append(Row("(e) MSE coverage study", f"coverage of 95% interval, {label}", study["coverage"],
                        f"nominal {NOMINAL:.0%}", study["coverage"] / NOMINAL, note=context))
        rows.append(Row("(e) MSE coverage study", f"relative bias, {label}", study["relative_bias"],
                        note=f"relative RMSE {study['relative_rmse']:.3f}, mean interval width "
                             f"{study['mean_relative_width']:.3f} of N"))
    return rows
