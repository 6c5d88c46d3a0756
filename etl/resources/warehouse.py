from __future__ import annotations

import dagster as dg
import sqlalchemy as sa

from etl.config import load_settings
from etl.infra.database import get_engine, normalize_url, _engine_for


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL warehouse. Without a URL: OBSERVATORIO_DATABASE_URL, else the embedded server."""

    database_url: str | None = None

    def engine(self) -> sa.Engine:
        if self.database_url:
            return _engine_for(normalize_url(self.database_url))
        return get_engine(load_settings())
