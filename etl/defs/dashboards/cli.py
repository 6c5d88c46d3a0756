"""`observatorio dashboards publish ...` and `observatorio report --out report.html`.

Passwords are read from environment variables named on the command line, never taken as flag
values (which end up in shell history and process listings) and never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from etl.defs.dashboards.metabase import DatabaseConnection, MetabaseError, ProvisioningError, publish
from etl.defs.dashboards.spec import load_spec

DEFAULT_PASSWORD_ENV = "METABASE_PASSWORD"
DEFAULT_DB_PASSWORD_ENV = "OBSERVATORIO_DASHBOARD_DB_PASSWORD"
# subject in PublishResult.changes -> (Spanish noun, grammatical ending: a / o / os)
_SUBJECTS_ES = {
    "card": ("tarjeta", "a"), "dashboard": ("tablero", "o"), "database": ("conexión a la base de datos", "a"),
    "collection": ("colección", "a"), "custom map": ("mapa", "o"), "permission group": ("grupo de permisos", "o"),
    "data permissions": ("permisos sobre los datos", "os"), "collection permissions": ("permisos de la colección", "os"),
}
_VERBS_ES = {"created": "cread", "updated": "actualizad", "archived": "archivad"}


def _secret(env_var: str, what: str) -> str | None:
    value = os.environ.get(env_var)
    if not value:
        print(f"Falta la contraseña de {what}: defina la variable de entorno {env_var}.", file=sys.stderr)
        return None
    return value


def _change_es(change: str) -> str:
    """ "card nacional_cifras: created" -> "tarjeta nacional_cifras: creada" """
    subject, _, verb = change.rpartition(": ")
    for kind, (noun, ending) in sorted(_SUBJECTS_ES.items(), key=lambda item: -len(item[0])):
        if subject == kind or subject.startswith(kind + " "):
            return f"{noun}{subject[len(kind):]}: {_VERBS_ES.get(verb, verb)}{ending}"
    return change


def dashboards_command(argv: list[str], prog: str = "observatorio dashboards") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Publicar los tableros del Observatorio en Metabase.")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACCIÓN")
    p = sub.add_parser("publish", help="crear o actualizar la colección, las tarjetas, los tableros y los permisos")
    p.add_argument("--url", required=True, help="dirección de Metabase, p. ej. https://tableros.ejemplo.org")
    p.add_argument("--user", required=True, help="usuario administrador de Metabase (correo)")
    p.add_argument("--password-env", default=DEFAULT_PASSWORD_ENV, metavar="VAR",
                   help=f"variable de entorno con la contraseña de Metabase (por defecto {DEFAULT_PASSWORD_ENV})")
    p.add_argument("--db-host", required=True, help="servidor PostgreSQL del almacén, visto desde Metabase")
    p.add_argument("--db-port", type=int, default=5432)
    p.add_argument("--db-name", required=True, help="base de datos del almacén")
    p.add_argument("--db-user", default="observatorio_dashboard", help="rol de solo lectura de los tableros")
    p.add_argument("--db-password-env", default=DEFAULT_DB_PASSWORD_ENV, metavar="VAR",
                   help=f"variable de entorno con la contraseña de ese rol (por defecto {DEFAULT_DB_PASSWORD_ENV})")
    p.add_argument("--db-ssl", action="store_true", help="conectar a PostgreSQL con TLS")
    p.add_argument("--geojson-url", required=True,
                   help="dirección http(s) pública desde la que Metabase descarga paraguay_departments.geojson")
    p.add_argument("--update-db-password", action="store_true",
                   help="reenviar la contraseña de la base aunque nada más haya cambiado (tras rotarla)")
    args = parser.parse_args(argv)

    password = _secret(args.password_env, "Metabase")
    db_password = _secret(args.db_password_env, f"la base de datos ({args.db_user})")
    if password is None or db_password is None:
        return 2
    database = DatabaseConnection(host=args.db_host, port=args.db_port, dbname=args.db_name, user=args.db_user,
                                  password=db_password, ssl=args.db_ssl)
    try:
        result = publish(load_spec(), url=args.url, username=args.user, password=password, database=database,
                         geojson_url=args.geojson_url, update_database_password=args.update_db_password)
    except (MetabaseError, ProvisioningError) as exc:
        print(f"No se pudo publicar en Metabase: {exc}", file=sys.stderr)
        return 1
    if result.changed:
        print(f"Tableros publicados en {args.url}: {len(result.changes)} cambios.")
        for change in result.changes:
            print(f"  - {_change_es(change)}")
    else:
        print(f"Tableros al día en {args.url}: no hubo cambios.")
    return 0


def report_command(argv: list[str], prog: str = "observatorio report") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Informe HTML autocontenido de la publicación vigente.")
    parser.add_argument("--out", required=True, type=Path, help="archivo HTML a escribir, p. ej. informe.html")
    args = parser.parse_args(argv)
    # Imported here: matplotlib and the database stack are only needed by this command.
    from etl.defs.dashboards.queries import DashboardRoleError
    from etl.defs.dashboards.report import write_report
    from etl.infra.database import get_engine

    try:
        path = write_report(get_engine(), args.out)
    except DashboardRoleError as exc:
        print(f"No se pudo leer la publicación con el rol de los tableros: {exc}", file=sys.stderr)
        return 1
    print(f"Informe escrito en {path}")
    return 0
