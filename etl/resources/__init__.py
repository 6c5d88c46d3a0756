"""Dagster resources: the warehouse connection, the secrets, the landing zone."""

from etl.resources.landing import LandingZoneResource
from etl.resources.secrets import SecretsResource
from etl.resources.warehouse import WarehouseResource

__all__ = ["LandingZoneResource", "SecretsResource", "WarehouseResource"]
