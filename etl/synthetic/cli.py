"""`observatorio generate-samples`: write a synthetic dataset and print what was written.

The summary shows counts only; the files themselves hold synthetic personal data and are
never echoed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.synthetic.generator import GenerationSummary, generate
from etl.synthetic.months import parse_period


def _period(text: str) -> str:
    try:
        parse_period(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("debe ser un entero positivo")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("debe ser un número positivo")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="observatorio generate-samples",
        description="Genera extractos mensuales sintéticos de MP, PN, MINNA y MINMUJER con su verdad de referencia.",
    )
    parser.add_argument("--months", type=_positive_int, required=True, help="cantidad de meses a generar")
    parser.add_argument("--out", type=Path, required=True, help="carpeta de salida")
    parser.add_argument("--start", type=_period, default="2024-01", help="primer mes, AAAA-MM (por defecto 2024-01)")
    parser.add_argument("--seed", type=int, default=20250601, help="semilla (misma semilla, mismos archivos)")
    parser.add_argument("--scale", type=_positive_float, default=1.0, help="multiplica el volumen de casos")
    return parser


def format_summary(summary: GenerationSummary) -> str:
    periods = f"{summary.periods[0]} a {summary.periods[-1]}"
    lines = [
        f"Extractos sintéticos escritos en {summary.out_dir} ({summary.months} meses, {periods}).",
        "Registros por institución: "
        + ", ".join(f"{institution} {count}" for institution, count in summary.records_by_institution.items()),
        f"Personas simuladas: {summary.total_persons}; registradas por al menos una institución: "
        f"{summary.captured_persons}; nunca registradas: {summary.never_captured_persons}.",
    ]
    if summary.zero_months:
        lines.append(
            "Meses informados sin casos: "
            + ", ".join(f"{institution} {period}" for institution, period in summary.zero_months)
        )
    lines.append(f"Verdad de referencia: {summary.truth_records_path.name}, {summary.truth_persons_path.name}.")
    return "\n".join(lines)


def generate_samples_command(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    summary = generate(args.out, months=args.months, start_period=args.start, seed=args.seed, scale=args.scale)
    print(format_summary(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(generate_samples_command())
