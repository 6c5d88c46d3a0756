"""`observatorio export htcds --year YYYY --out FILE.csv`: pseudonymized, k-anonymized records."""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.config import load_settings
from etl.infra.database import get_engine


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Exportaciones del almacén.")
    sub = parser.add_subparsers(dest="format", required=True)
    htcds = sub.add_parser("htcds", help="registros seudonimizados con nombres de campo HTCDS, k-anónimos, con libro de códigos")
    htcds.add_argument("--year", type=int, required=True)
    htcds.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    from etl.defs.marts.htcds import export_htcds

    k = load_settings().disclosure_k
    with get_engine().connect() as conn:
        result = export_htcds(conn, args.year, args.out, k)
    print(f"{result.rows} registros escritos en {result.path} (k = {k}; descartados por grupos pequeños: {result.dropped}; "
          f"generalizados: {', '.join(result.coarsened) or 'nada'}). Libro de códigos: {result.codebook_path}")
    return 0
