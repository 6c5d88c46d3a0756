"""`observatorio users add|list|disable|enable|password`: the portal's accounts.

    observatorio users add --institution MP --email oficial@fiscalia.gov.py
    observatorio users add --role engineer --email datos@observatorio.org.py --password-env NEW_PASSWORD

The password is asked twice at the terminal, or read from the environment variable named by
--password-env (for scripts); it is never an argument (shell history, process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from etl.config import INSTITUTION_CODES


def _password(env_name: str | None) -> str | None:
    if env_name:
        value = os.environ.get(env_name)
        if not value:
            print(f"La variable de entorno {env_name} no está definida o está vacía.", file=sys.stderr)
            return None
        return value
    first = getpass.getpass("Contraseña nueva: ")
    if first != getpass.getpass("Repita la contraseña: "):
        print("Las contraseñas no coinciden.", file=sys.stderr)
        return None
    return first


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Cuentas del portal de envíos.")
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACCIÓN")
    add = sub.add_parser("add", help="crear una cuenta")
    add.add_argument("--email", required=True)
    add.add_argument("--institution", choices=INSTITUTION_CODES, help="institución de la cuenta (obligatoria salvo para engineer)")
    add.add_argument("--role", choices=("official", "engineer"), default="official",
                     help="official: envía los archivos de su institución; engineer: ve el estado de todas y procesa meses")
    add.add_argument("--password-env", help="leer la contraseña de esta variable de entorno en vez de preguntarla")
    sub.add_parser("list", help="listar las cuentas")
    for name, text in (("disable", "desactivar una cuenta (cierra sus sesiones)"), ("enable", "reactivar una cuenta")):
        sub.add_parser(name, help=text).add_argument("--email", required=True)
    password = sub.add_parser("password", help="cambiar la contraseña de una cuenta")
    password.add_argument("--email", required=True)
    password.add_argument("--password-env")
    return parser


def command(argv: list[str], prog: str) -> int:
    args = build_parser(prog).parse_args(argv)

    from etl.infra.database import get_engine
    from etl.portal import accounts

    engine = get_engine()
    try:
        if args.action == "list":
            for user in accounts.list_users(engine):
                state = "activa" if user.is_active else "desactivada"
                print(f"{user.user_id:>4}  {user.email:<40} {user.institution_code or '—':<9} {user.role:<9} {state}")
            return 0
        if args.action in ("disable", "enable"):
            accounts.set_active(engine, args.email, args.action == "enable")
            print("Cuenta desactivada." if args.action == "disable" else "Cuenta reactivada.")
            return 0
        secret = _password(args.password_env)
        if secret is None:
            return 1
        if args.action == "password":
            accounts.set_password(engine, args.email, secret)
            print("Contraseña cambiada.")
            return 0
        user = accounts.create_user(engine, email=args.email, institution=args.institution, role=args.role, password=secret)
        print(f"Cuenta creada (n.º {user.user_id}, {user.institution_code or 'sin institución'}, {user.role}).")
        return 0
    except accounts.AccountError as exc:
        print(f"No se pudo: {exc}.", file=sys.stderr)
        return 1
