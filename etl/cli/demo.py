"""`observatorio demo` (what `make demo` runs): everything, from nothing, on synthetic data."""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from etl.config import ENV_SECRET_KEY, ENV_SECRET_KEY_FILE, load_settings

LAYER_COUNTS = {
    "staging": ["staging.victim_record", "staging.match_token"],
    "core": ["core.fact_extract", "core.fact_victim_record", "core.dim_person", "core.bridge_victim_record_platform"],
    "mart": ["mart.person_profile", "mart.victims_by_month", "mart.capture_histories", "mart.coverage"],
    "publication": ["publication.victim_count"],
}


def ensure_demo_secret(console: Console) -> None:
    """Only the demo may invent a key, and it says so: production sets its own secret."""
    if os.environ.get(ENV_SECRET_KEY) or os.environ.get(ENV_SECRET_KEY_FILE):
        return
    from etl.defs.privacy.keys import generate_secret

    key_file = load_settings().home / "keys" / "demo-master.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_text(generate_secret() + "\n", encoding="utf-8")
        console.print(f"[yellow]Clave maestra de DEMOSTRACIÓN generada en {key_file}: no la use con datos reales.[/]")
    os.environ[ENV_SECRET_KEY_FILE] = str(key_file)


def _counts(engine: sa.Engine) -> list[tuple[str, str, int]]:
    rows = []
    with engine.connect() as conn:
        for layer, relations in LAYER_COUNTS.items():
            for relation in relations:
                try:
                    n = conn.execute(sa.text(f"SELECT count(*) FROM {relation}")).scalar_one()
                except sa.exc.ProgrammingError:
                    conn.rollback()
                    continue
                rows.append((layer, relation, n))
    return rows


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Demostración completa con datos sintéticos.")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--start", default="2024-01")
    args = parser.parse_args(argv)
    # Long lines (paths, accounts) must stay copyable: never hard-wrap them.
    console = Console(soft_wrap=True)
    started = time.perf_counter()
    settings = load_settings()
    ensure_demo_secret(console)

    from etl.cli.run import run_with_progress
    from etl.defs.landing.upload import submit_extract
    from etl.infra.database import get_engine, resolve_database_url
    from etl.resources.landing import landing_store
    from etl.synthetic import generate
    from warehouse import migrate

    console.rule("1. Base de datos")
    url = resolve_database_url(settings)
    console.print("PostgreSQL " + ("configurado" if settings.database_url else f"embebido en {settings.embedded_pgdata}"))
    engine = get_engine(settings)
    migrate.upgrade(engine)
    console.print(f"Esquema migrado a la revisión {migrate.current_revision(engine)}")

    console.rule(f"2. Extractos sintéticos ({args.months} meses)")
    out = settings.home / "demo-extracts"
    summary = generate(out, months=args.months, start_period=args.start)
    by_institution = ", ".join(f"{k} {v}" for k, v in summary.records_by_institution.items())
    console.print(f"{len(summary.files)} archivos en {out}: {by_institution} registros; "
                  f"{summary.captured_persons} personas registradas de {summary.total_persons} simuladas")

    console.rule("3. Recepción y validación")
    store = landing_store()
    accepted = rejected = 0
    files = sorted(p for p in out.glob("*/*") if p.is_file())
    for path in files:
        outcome = submit_extract(
            engine, store, institution=path.parent.name, period=path.stem, content=path.read_bytes(),
            filename=path.name, uploader="demo", channel="demo",
        )
        accepted += outcome.accepted
        rejected += not outcome.accepted
    console.print(f"{accepted} archivos aceptados, {rejected} rechazados")

    console.rule("4. Pipeline (Dagster)")
    from etl.orchestration import pending_partitions

    ok = run_with_progress(pending_partitions(settings), console)

    console.rule("5. Resumen")
    table = Table("capa", "tabla", "filas")
    for layer, relation, n in _counts(engine):
        table.add_row(layer, relation, f"{n:,}")
    console.print(table)
    console.print(f"Tiempo total: {time.perf_counter() - started:.0f} s")
    console.print("\n[bold]Qué abrir ahora[/]")
    console.print(f"  Interfaz de Dagster:  export {ENV_SECRET_KEY_FILE}={os.environ[ENV_SECRET_KEY_FILE]}; make dev  → http://127.0.0.1:3000")
    console.print("  Indicadores:          .venv/bin/observatorio indicators --year 2025")
    report = settings.home / "report.html"
    if report.exists():
        console.print(f"  Informe (sin Metabase): {report}")
    from etl.portal.demo import create_demo_accounts, demo_lines

    console.print("  Portal de las instituciones (cuentas de demostración, contraseñas nuevas en cada demo):")
    for line in demo_lines(create_demo_accounts(engine)):
        console.print(f"    {line}")
    console.print("  Publicar en Metabase (≥ 0.50): .venv/bin/observatorio dashboards publish --help  (docs/dashboards.md)")
    return 0 if ok and rejected == 0 else 1
