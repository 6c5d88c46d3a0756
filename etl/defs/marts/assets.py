"""mart_indicators: refresh every mart in one transaction after months were loaded."""


import dagster as dg

from etl.resources import WarehouseResource
from warehouse.marts import refresh_marts


@dg.asset(
    group_name="mart",
    kinds={"postgres"},
    deps=[dg.AssetDep("core_victim_record", partition_mapping=dg.AllPartitionMapping())],
    description=(
        "Indicadores: víctimas únicas (personas) por primera detección, tasas por 100.000 habitantes, "
        "modelo de etapas, cadena penal, historias de captura y cobertura de reportes."
    ),
)
def mart_indicators(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.engine().begin() as conn:
        counts = refresh_marts(conn)
    return dg.MaterializeResult(metadata={f"rows.{view}": n for view, n in counts.items()})
