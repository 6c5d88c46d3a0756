"""`observatorio purge-raw [--older-than-days N]`: the retention policy for raw (encrypted) files."""

from __future__ import annotations

import argparse
import datetime as dt

import sqlalchemy as sa

from etl.config import load_settings
from etl.infra.database import get_engine
from etl.resources.landing import landing_store
from warehouse import tables as t


def command(argv: list[str], prog: str) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(prog=prog, description="Borra archivos crudos más antiguos que la retención.")
    parser.add_argument("--older-than-days", type=int, default=settings.raw_retention_days,
                        help=f"días de retención (por defecto {settings.raw_retention_days}, OBSERVATORIO_RAW_RETENTION_DAYS)")
    args = parser.parse_args(argv)
    if args.older_than_days < 1:
        parser.error("--older-than-days debe ser al menos 1")
    deleted = landing_store().purge_older_than(args.older_than_days)
    if deleted:
        with get_engine(settings).begin() as conn:
            conn.execute(
                t.fact_extract.update()
                .where(t.fact_extract.c.stored_path.in_([str(p) for p in deleted]))
                .values(purged_at=dt.datetime.now(dt.timezone.utc))
            )
    print(f"{len(deleted)} archivo(s) crudo(s) borrado(s) (más de {args.older_than_days} días)")
    return 0
