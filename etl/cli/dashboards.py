"""`observatorio dashboards publish …`: provision Metabase from the dashboards-as-data spec."""

from __future__ import annotations


def command(argv: list[str], prog: str) -> int:
    from etl.defs.dashboards.cli import dashboards_command

    return dashboards_command(argv, prog=prog)
