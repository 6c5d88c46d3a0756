"""`observatorio indicators --year YYYY [--json]`: headline figures from the marts."""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from etl.defs.marts.headline import headline
from etl.infra.database import get_engine


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Indicadores principales de un año (marts).")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--json", action="store_true", help="salida JSON para otras herramientas")
    args = parser.parse_args(argv)
    with get_engine().connect() as conn:
        h = headline(conn, args.year)
    if args.json:
        print(json.dumps(h.to_dict(), ensure_ascii=False, indent=2))
        return 0
    console = Console()
    console.print(f"[bold]Indicadores {h.year}[/] (víctimas detectadas, personas únicas por año de primera detección)")
    console.print(f"Víctimas: {h.victims}   vinculadas a TIC: {h.ict_linked_victims}   "
                  f"con estado TIC conocido: {h.ict_known_victims}   proporción TIC: {_pct(h.ict_share)}   "
                  f"tasa por 100.000: {h.rate_per_100k if h.rate_per_100k is not None else '—'}")
    for title, rows, key in (("Departamento", h.by_department, "department_code"), ("Sexo", h.by_sex, "sex_code"),
                             ("Edad", h.by_age_band, "age_band_code")):
        table = Table(title=title)
        for col in ("", "víctimas", "TIC", "TIC conocida", "proporción TIC"):
            table.add_column(col)
        for r in rows:
            table.add_row(str(r["label"] or r[key]), str(r["victims"]), str(r["ict_linked_victims"]),
                          str(r["ict_known_victims"]), _pct(r["ict_share"]))
        console.print(table)
    return 0
