"""`observatorio pull [--institution I]`: fetch new extracts from the configured drop locations."""

from __future__ import annotations

import argparse

from etl.config import load_settings
from etl.defs.intake.records import INSTITUTIONS
from etl.defs.landing.drop import pull_institution
from etl.infra.database import get_engine
from etl.resources.landing import landing_store

_STATUS_ES = {
    "received": "recibido",
    "already_received": "ya recibido antes (sin cambios)",
    "too_large": "demasiado grande: no se leyó; pida a la institución un archivo menor",
}


def command(argv: list[str], prog: str) -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Trae extractos de las ubicaciones de entrega.")
    parser.add_argument("--institution", choices=INSTITUTIONS)
    args = parser.parse_args(argv)
    settings = load_settings()
    engine, store = get_engine(settings), landing_store()
    rejected = 0
    for institution in [args.institution] if args.institution else INSTITUTIONS:
        for pulled in pull_institution(engine, store, settings, institution):
            verdict = _STATUS_ES[pulled.status]
            if pulled.outcome is not None:
                verdict = "aceptado" if pulled.outcome.accepted else "RECHAZADO"
                rejected += not pulled.outcome.accepted
            print(f"{institution} {pulled.period} ({pulled.name}): {verdict}")
            if pulled.outcome is not None and not pulled.outcome.accepted:
                print(pulled.outcome.report.to_text("es"))
    return 1 if rejected else 0
