"""`observatorio db upgrade|downgrade|current|url|status|stop`."""

from __future__ import annotations

import argparse

from etl.config import load_settings
from etl.infra import embedded_postgres
from etl.infra.database import get_engine, resolve_database_url


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Base de datos del almacén (Alembic, servidor embebido).")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("upgrade", help="crear o actualizar los esquemas (Alembic)").add_argument("--revision", default="head")
    sub.add_parser("downgrade", help="revertir migraciones").add_argument("--revision", default="base")
    sub.add_parser("current", help="revisión aplicada")
    sub.add_parser("url", help="URL de conexión (inicia el servidor embebido si hace falta)")
    sub.add_parser("status", help="estado del servidor embebido")
    sub.add_parser("stop", help="detener el servidor embebido")
    args = parser.parse_args(argv)
    settings = load_settings()
    from warehouse import migrate

    if args.action == "upgrade":
        migrate.upgrade(get_engine(settings), args.revision)
        print(f"esquema en la revisión {migrate.current_revision(get_engine(settings))}")
    elif args.action == "downgrade":
        migrate.downgrade(get_engine(settings), args.revision)
        print(f"esquema en la revisión {migrate.current_revision(get_engine(settings))}")
    elif args.action == "current":
        print(migrate.current_revision(get_engine(settings)) or "(sin migrar)")
    elif args.action == "url":
        print(resolve_database_url(settings))
    elif args.action == "status":
        if settings.database_url:
            print("servidor configurado por OBSERVATORIO_DATABASE_URL (no embebido)")
        else:
            running = embedded_postgres.is_running(settings.embedded_pgdata)
            print(f"PostgreSQL embebido en {settings.embedded_pgdata}: {'en marcha' if running else 'detenido'}")
    elif args.action == "stop":
        stopped = embedded_postgres.stop(settings.embedded_pgdata)
        print("PostgreSQL embebido detenido" if stopped else "PostgreSQL embebido no estaba en marcha")
    return 0
