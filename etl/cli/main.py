"""`observatorio` — one entry point; each command lives in its own module of this package.

Exit codes follow the intake contract: 0 success / accepted, 1 failure / rejected, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# command name -> (module, one-line help). Modules are imported only when their command runs,
# so `observatorio --help` is instant and no command pays for Dagster or GX it does not use.
COMMANDS: dict[str, tuple[str, str]] = {
    "db": ("etl.cli.db", "migrar, consultar o detener la base del almacén"),
    "generate-samples": ("etl.cli.samples", "generar extractos sintéticos de las cuatro instituciones"),
    "upload": ("etl.cli.upload", "validar y recibir el extracto mensual de una institución"),
    "pull": ("etl.cli.pull", "traer extractos de las ubicaciones de entrega configuradas"),
    "run": ("etl.cli.run", "procesar las particiones recibidas con Dagster"),
    "demo": ("etl.cli.demo", "preparar todo y procesar 24 meses sintéticos"),
    "evaluate": ("etl.cli.evaluate", "medir la calidad del enlace de personas y de la clasificación TIC"),
    "indicators": ("etl.cli.indicators", "indicadores principales de un año"),
    "export": ("etl.cli.export", "exportar registros seudonimizados (HTCDS) con control de divulgación"),
    "mse": ("etl.cli.mse", "estimación por sistemas múltiples (MSE) desde un CSV de historias de captura"),
    "keys": ("etl.cli.keys", "generar o rotar la clave maestra de seudonimización"),
    "purge-raw": ("etl.cli.retention", "borrar archivos crudos más antiguos que la retención configurada"),
    "dashboards": ("etl.cli.dashboards", "publicar los tableros en Metabase (como código)"),
    "report": ("etl.cli.report", "escribir el informe HTML autónomo para quienes no usan Metabase"),
    "portal": ("etl.cli.portal", "servir el portal web donde las instituciones envían sus extractos"),
    "users": ("etl.cli.users", "crear y administrar las cuentas del portal"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="observatorio",
        description="Observatorio: datos de trata y explotación sexual vinculadas a las TIC en Paraguay.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="más detalle en los registros")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    known, rest = parser.parse_known_args(argv)
    if known.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.INFO if known.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # GX announces its temporary docs folder at INFO on every context: noise for an official.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    module = importlib.import_module(COMMANDS[known.command][0])
    try:
        return int(module.command(rest, prog=f"observatorio {known.command}") or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
