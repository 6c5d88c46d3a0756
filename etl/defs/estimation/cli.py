"""`observatorio mse`: estimate the total number of victims from a capture-histories CSV.

The CSV has one 0/1 column per list (institution) and a `count` column. Text output is in
Spanish for analysts and policymakers; `--json` prints a machine-readable object whose
numbers are null when no estimate can be published. Exit 0 whenever the data were read
(even if no estimate is available), 2 for usage or input errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

import pandas as pd

from etl.defs.estimation.histories import CaptureHistoryError
from etl.defs.estimation.mse import METHODS, MSEResult, estimate

EXIT_OK = 0
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="observatorio mse",
        description="Estimación por sistemas múltiples (MSE) del total de víctimas, registradas o no.",
    )
    parser.add_argument("--input", required=True, type=Path, help="CSV: una columna 0/1 por lista y 'count'")
    parser.add_argument("--method", choices=METHODS, default="stepwise")
    parser.add_argument("--json", action="store_true", help="imprime un objeto JSON")
    parser.add_argument("--bootstrap", type=int, default=None, metavar="N", help="intervalo BCa con N réplicas")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--pthresh", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def mse_command(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except _UsageError as problem:
        print(f"observatorio mse: error de uso: {problem}", file=err)
        return EXIT_USAGE
    except SystemExit as stop:  # --help
        return int(stop.code or 0)
    if args.bootstrap is not None and args.bootstrap < 1:
        print("observatorio mse: --bootstrap debe ser un entero positivo", file=err)
        return EXIT_USAGE
    try:
        histories = pd.read_csv(args.input)
    except FileNotFoundError:
        print("observatorio mse: no se encontró el archivo de entrada", file=err)
        return EXIT_USAGE
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, IsADirectoryError):
        print("observatorio mse: el archivo de entrada no es un CSV legible", file=err)
        return EXIT_USAGE
    try:
        result = estimate(
            histories,
            args.method,
            alpha=args.alpha,
            pthresh=args.pthresh,
            bootstrap=args.bootstrap,
            seed=args.seed,
        )
    except CaptureHistoryError as problem:
        print(f"observatorio mse: entrada inválida: {problem}", file=err)
        return EXIT_USAGE
    except ValueError as problem:
        print(f"observatorio mse: error de uso: {problem}", file=err)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        print(render_text(result), file=out)
    return EXIT_OK


def render_text(result: MSEResult) -> str:
    confidence = round(100 * (1 - result.alpha))
    lines = [
        f"Listas: {', '.join(result.lists)}",
        f"Método de selección: {result.method}",
        f"Víctimas registradas (en al menos una lista): {result.observed}",
    ]
    if not result.available:
        lines.append("Estimación: NO DISPONIBLE.")
        lines.append(f"Motivo: {result.reason}")
        return "\n".join(lines)
    assert result.estimate is not None and result.ci_lower is not None and result.ci_upper is not None
    assert result.hidden_estimate is not None
    interval = "perfil de verosimilitud" if result.interval_method == "profile" else "bootstrap BCa"
    d = result.diagnostics
    lines += [
        f"Modelo elegido (interacciones): {', '.join(result.model) if result.model else 'solo efectos principales'}",
        f"Total estimado de víctimas: {_number(result.estimate)}",
        f"Intervalo de confianza al {confidence}% ({interval}): "
        f"{_number(result.ci_lower)} a {_number(result.ci_upper)}",
        f"Víctimas no registradas estimadas: {_number(result.hidden_estimate)}",
        "Diagnóstico:",
        f"  devianza {d['deviance']:.3f} con {d['df_residual']} g.l.; AIC {d['aic']:.2f}; BIC {d['bic']:.2f}",
        f"  iteraciones del ajuste: {d['iterations']}; convergió: {'sí' if d['converged'] else 'no'}",
    ]
    if d.get("neg_inf_terms"):
        lines.append(f"  listas que nunca coinciden (efecto fijado en -infinito): {', '.join(d['neg_inf_terms'])}")
    if d.get("lists_dropped_empty"):
        lines.append(f"  listas sin casos, excluidas: {', '.join(d['lists_dropped_empty'])}")
    for name, coefficient in d["coefficients"].items():
        if coefficient["estimate"] is None:
            lines.append(f"  {name}: -infinito")
        else:
            lines.append(
                f"  {name}: {coefficient['estimate']:.4f} "
                f"(e.e. {coefficient['std_error']:.4f}, p = {coefficient['p_value']:.3g})"
            )
    return "\n".join(lines)


def _number(value: float) -> str:
    # Paraguayan convention: dot as the thousands separator.
    return f"{value:,.0f}".replace(",", ".")


def main() -> None:
    raise SystemExit(mse_command())


if __name__ == "__main__":
    main()
