"""`observatorio run [--institution I] [--period YYYY-MM] [--all]`: process landed months through Dagster."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from etl.defs.intake.records import INSTITUTIONS
from etl.orchestration import RunOutcome, landed_partitions, pending_partitions, run_pipeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--institution", choices=INSTITUTIONS, help="solo esta institución")
    parser.add_argument("--period", help="solo este mes (YYYY-MM)")
    parser.add_argument("--all", action="store_true", help="reprocesar todos los meses vigentes, no solo los nuevos")


def run_with_progress(partitions: list[tuple[str, str]], console: Console) -> bool:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as progress:
        task = progress.add_task("procesando", total=len(partitions) + 1)

        def advance(outcome: RunOutcome) -> None:
            mark = "[green]✓" if outcome.success else "[red]✗"
            progress.console.print(f"{mark}[/] {outcome.label} ({outcome.seconds:.1f} s)"
                                   + (f": {outcome.failure}" if outcome.failure else ""))
            progress.advance(task)

        summary = run_pipeline(partitions, on_progress=advance)
    return summary.success


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Procesa con Dagster los meses recibidos.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    console = Console()
    candidates = landed_partitions() if (args.all or args.period or args.institution) else pending_partitions()
    selected = [
        (i, p) for i, p in candidates
        if (args.institution is None or i == args.institution) and (args.period is None or p == args.period)
    ]
    if args.period and not selected:
        console.print(f"No hay un archivo aceptado para {args.institution or 'ninguna institución'} en {args.period}.")
        return 1
    if not selected:
        console.print("No hay meses nuevos o corregidos: se actualizan solo los indicadores.")
    return 0 if run_with_progress(selected, console) else 1
