"""The Dagster code location: `dagster dev -w workspace.yaml` serves this.

One defs module per domain (intake, privacy, load, marts, publication, dashboards); resources,
partitions, jobs and sensors in their own modules. Nothing here reads settings at import
time: resources resolve them when a run needs them.
"""

from __future__ import annotations

import dagster as dg

from etl.defs.dashboards import assets as dashboard_assets
from etl.defs.estimation import assets as estimation_assets
from etl.defs.intake import assets as intake_assets
from etl.defs.load import assets as load_assets
from etl.defs.marts import assets as mart_assets
from etl.defs.privacy import assets as privacy_assets
from etl.defs.publication import assets as publication_assets
from etl.jobs import ingest_month_job, refresh_indicators_job
from etl.resources import LandingZoneResource, SecretsResource, WarehouseResource
from etl.sensors import indicators_refresh_sensor, landed_extracts_sensor

ASSET_MODULES = [intake_assets, privacy_assets, load_assets, mart_assets, estimation_assets, publication_assets, dashboard_assets]


def build_definitions() -> dg.Definitions:
    assets = dg.load_assets_from_modules(ASSET_MODULES)
    checks = dg.load_asset_checks_from_modules(ASSET_MODULES)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        jobs=[ingest_month_job, refresh_indicators_job],
        sensors=[landed_extracts_sensor, indicators_refresh_sensor],
        resources={
            "warehouse": WarehouseResource(),
            "secrets": SecretsResource(),
            "landing": LandingZoneResource(),
        },
    )


defs = build_definitions()
