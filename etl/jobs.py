"""The two jobs: ingest one institution-month (raw → staging → core), refresh what is built on all months."""

from __future__ import annotations

import dagster as dg

from etl.partitions import institution_month_partitions

INGEST_MONTH = "ingest_month"
REFRESH_INDICATORS = "refresh_indicators"

ingest_month_job = dg.define_asset_job(
    INGEST_MONTH,
    selection=dg.AssetSelection.groups("raw", "staging", "core"),
    partitions_def=institution_month_partitions,
    description="Un mes de una institución: leer, validar, seudonimizar, enlazar, clasificar y cargar.",
)

refresh_indicators_job = dg.define_asset_job(
    REFRESH_INDICATORS,
    selection=dg.AssetSelection.groups("mart", "publication", "outputs"),
    description="Indicadores, publicación con control de divulgación y salidas (informe).",
)
