"""`observatorio report --out report.html`: the self-contained Spanish report (no Metabase needed)."""

from __future__ import annotations


def command(argv: list[str], prog: str) -> int:
    from etl.defs.dashboards.cli import report_command

    return report_command(argv, prog=prog)
