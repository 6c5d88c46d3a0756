"""publication_release: disclosure-controlled tables, audited before they can be read."""

import dagster as dg
import sqlalchemy as sa

from etl.config import load_settings
from etl.defs.publication.release import build_release
from etl.resources import WarehouseResource

RELEASE_KEY = dg.AssetKey("publication_release")


@dg.asset(
    group_name="publication",
    kinds={"postgres"},
    deps=["mart_indicators", "mart_prevalence_estimate"],
    check_specs=[
        dg.AssetCheckSpec("disclosure_audit", asset=RELEASE_KEY, blocking=True,
                          description="Programación lineal sobre todo lo publicado: ninguna celda reservada se puede acotar."),
        dg.AssetCheckSpec("differencing_check", asset=RELEASE_KEY, blocking=True,
                          description="Ninguna resta entre dos valores que los tableros permiten mostrar revela un conteo de 1 a k-1."),
    ],
    description=(
        "Tablas publicadas con control de divulgación (k configurable, por defecto 10): conteos de 1 a k-1 "
        "reservados, supresión secundaria y auditoría. Solo esto leen los tableros."
    ),
)
def publication_release(warehouse: WarehouseResource):
    settings = load_settings()
    k = settings.disclosure_k
    with warehouse.engine().begin() as conn:
        result = build_release(conn, k, settings.dp_epsilon, settings.dp_total_epsilon)
    yield dg.AssetCheckResult(
        check_name="disclosure_audit",
        passed=result.audit_passed,
        metadata={
            name: dg.MetadataValue.text(audit.summary()) for name, audit in result.audits.items()
        },
    )
    yield dg.AssetCheckResult(
        check_name="differencing_check",
        passed=result.differencing_passed,
        metadata={name: dg.MetadataValue.json(d) for name, d in result.differencing.items()},
    )
    if not result.is_current:
        raise dg.Failure(
            description=f"la publicación {result.release_id} no pasó la auditoría: sigue vigente la anterior",
            allow_retries=False,
        )
    yield dg.MaterializeResult(
        metadata={"release_id": result.release_id, "cells": result.cells, "withheld_cells": result.withheld, "k": k}
    )
