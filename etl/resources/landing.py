from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.config import load_settings
from etl.defs.landing.store import LandingStore


class LandingZoneResource(dg.ConfigurableResource):
    """Encrypted landing zone and quarantine (default: $OBSERVATORIO_HOME/landing-zone)."""

    root: str | None = None

    def store(self, keyring) -> LandingStore:
        settings = load_settings()
        root = Path(self.root) if self.root else settings.home / "landing-zone"
        return LandingStore(root, keyring.fernet_key("landing"))
