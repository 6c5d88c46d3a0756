"""`observatorio evaluate --truth FILE [--json]`: linkage and ICT quality of the loaded data."""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.infra.database import get_engine


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Precisión y exhaustividad del enlace y de la clasificación TIC.")
    parser.add_argument("--truth", type=Path, required=True, help="CSV: institution, period, source_key, row, person_id, ict")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.truth.is_file():
        parser.error("no se encontró el archivo de verdad")
    from etl.defs.privacy.keys import load_keyring
    from etl.defs.privacy.warehouse_evaluation import evaluate_loaded

    with get_engine().connect() as conn:
        report = evaluate_loaded(conn, args.truth, load_keyring())
    print(report.to_json() if args.json else str(report))
    return 0
