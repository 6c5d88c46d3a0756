"""`observatorio upload --institution MP --period 2025-06 FILE [--wait]`.

Validates at once and prints the report. Exit status: 0 accepted, 1 rejected, 2 usage error.
With --wait, an accepted file is also run through the whole pipeline before returning.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from pathlib import Path

from etl.config import load_settings
from etl.defs.intake.records import INSTITUTIONS
from etl.infra.database import get_engine

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2, as the intake contract says
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def command(argv: list[str], prog: str) -> int:
    parser = _Parser(prog=prog, description="Valida y recibe el extracto mensual de una institución.")
    parser.add_argument("--institution", required=True, choices=INSTITUTIONS, help="institución que envía")
    parser.add_argument("--period", required=True, help="mes que cubre el archivo (YYYY-MM)")
    parser.add_argument("--wait", action="store_true", help="procesar el mes completo antes de terminar")
    parser.add_argument("--lang", choices=("es", "en"), default="es", help="idioma del informe")
    parser.add_argument("--format", choices=("text", "json", "html"), default="text", help="formato del informe")
    parser.add_argument("--uploader", default=None, help="quién envía (por defecto, el usuario del sistema)")
    parser.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if not _PERIOD.match(args.period):
        parser.error("--period debe tener la forma YYYY-MM, por ejemplo 2025-06")
    if not args.file.is_file():
        parser.error("no se encontró el archivo indicado")
    settings = load_settings()
    if args.file.stat().st_size > settings.max_upload_bytes:
        print(f"RECHAZADO: el archivo supera el tamaño máximo de {settings.max_upload_bytes // (1024 * 1024)} MB.")
        return 1

    from etl.defs.landing.upload import submit_extract
    from etl.resources.landing import landing_store

    outcome = submit_extract(
        get_engine(settings),
        landing_store(),
        institution=args.institution,
        period=args.period,
        content=args.file.read_bytes(),
        filename=args.file.name,
        uploader=args.uploader or getpass.getuser(),
        channel="cli",
        lang=args.lang,
    )
    report = outcome.report
    if args.format == "json":
        print(report.to_json())
    elif args.format == "html":
        print(report.to_html(args.lang))
    else:
        print(report.to_text(args.lang))
        if outcome.accepted and not outcome.is_new:
            print("(Este mismo archivo ya estaba recibido: no se cambió nada.)")
    if outcome.accepted and args.wait:
        from rich.console import Console

        from etl.cli.run import run_with_progress

        if not run_with_progress([(args.institution, args.period)], Console()):
            return 1
    return outcome.exit_code
