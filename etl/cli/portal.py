"""`observatorio portal [--host 127.0.0.1] [--port 8080]`: the agencies' upload portal.

Serves plain HTTP on the given address; in production put it behind a TLS reverse proxy on the
same machine (the session cookie is Secure, and HSTS is sent when the proxy says https).
"""

from __future__ import annotations

import argparse
import sys

from etl.config import load_settings


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Portal web para que las instituciones envíen sus extractos.")
    parser.add_argument("--host", default="127.0.0.1", help="dirección en la que escuchar (por defecto 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="puerto (por defecto 8080)")
    args = parser.parse_args(argv)

    from etl.defs.privacy.keys import SecretConfigError
    from etl.infra.database import get_engine
    from etl.portal.app import create_app
    from etl.portal.server import build_server
    from warehouse import migrate

    settings = load_settings()
    engine = get_engine(settings)
    if migrate.current_revision(engine) != migrate.head_revision():
        print("La base del almacén no está al día: ejecute primero `observatorio db upgrade`.", file=sys.stderr)
        return 1
    try:
        app = create_app(engine=engine, settings=settings)
    except SecretConfigError as exc:
        print(f"No se pudo iniciar el portal: {exc}", file=sys.stderr)
        return 1
    print(f"Portal de envíos en http://{args.host}:{args.port}/ (Ctrl+C para detener)")
    build_server(app, args.host, args.port).run()
    return 0
