from __future__ import annotations

from pathlib import Path

import dagster as dg

from etl.config import load_settings
from etl.defs.landing.store import LandingStore


def landing_store(root: Path | None = None) -> LandingStore:
    """The landing store for the current settings (CLI, portal and assets share it)."""
    from etl.defs.privacy.keys import Purpose, load_keyring

    settings = load_settings()
    return LandingStore(root or settings.landing_dir, load_keyring().fernet_keys(Purpose.LANDING))


class LandingZoneResource(dg.ConfigurableResource):
    """Encrypted landing zone and quarantine (default: $OBSERVATORIO_HOME/landing)."""

    root: str | None = None

    def store(self) -> LandingStore:
        return landing_store(Path(self.root) if self.root else None)
