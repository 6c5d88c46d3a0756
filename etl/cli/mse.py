"""`observatorio mse --input FILE.csv [--method stepwise|bic] [--json]`: Multiple Systems Estimation."""

from __future__ import annotations


def command(argv: list[str], prog: str) -> int:
    from etl.defs.estimation.cli import mse_command

    return mse_command(argv)
