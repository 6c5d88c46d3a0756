"""`observatorio keys generate` / `observatorio keys rotate --new-secret-file F`."""

from __future__ import annotations

import argparse
from pathlib import Path

from etl.infra.database import get_engine


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Clave maestra de seudonimización.")
    sub = parser.add_subparsers(dest="action", required=True)
    gen = sub.add_parser("generate", help="escribir una clave nueva en un archivo (permisos 600)")
    gen.add_argument("--out", type=Path, required=True)
    rot = sub.add_parser("rotate", help="re-cifrar todos los seudónimos con una clave nueva, sin cambiar conteos")
    rot.add_argument("--new-secret-file", type=Path, required=True, help="archivo con la clave nueva (de `keys generate`)")
    args = parser.parse_args(argv)
    from etl.defs.privacy.keys import decode_secret, generate_secret, load_keyring

    if args.action == "generate":
        if args.out.exists():
            parser.error("el archivo ya existe: no se sobrescribe una clave")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.touch(mode=0o600)
        args.out.write_text(generate_secret() + "\n", encoding="utf-8")
        print(f"Clave escrita en {args.out}. Guárdela fuera del repositorio y de la base de datos.")
        return 0

    from etl.defs.privacy.rotation import rotate_warehouse

    old = load_keyring()
    new = old.extended(decode_secret(args.new_secret_file.read_text(encoding="utf-8")))
    with get_engine().begin() as conn:
        result = rotate_warehouse(conn, old, new)
    print(
        f"Rotación completa: clave {result.old_key_id} → {result.new_key_id}; {result.tokens_rekeyed} seudónimos "
        f"re-cifrados; {result.persons} personas y {result.records} registros, sin cambios.\n"
        "Ahora configure la cadena completa de claves (la anterior y la nueva, en ese orden, separadas por coma) "
        "en OBSERVATORIO_SECRET_KEY u OBSERVATORIO_SECRET_KEY_FILE (una por línea)."
    )
    return 0
