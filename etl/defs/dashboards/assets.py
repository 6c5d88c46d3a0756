"""out_report: the self-contained Spanish report, rebuilt from the publication in force."""

import dagster as dg

from etl.config import load_settings
from etl.resources import WarehouseResource


@dg.asset(
    group_name="outputs",
    kinds={"html"},
    deps=["publication_release"],
    description="Informe HTML autónomo (gráficos SVG y mapa) leído con el rol de los tableros: solo `publication`.",
)
def out_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    from etl.defs.dashboards.report import write_report

    path = write_report(warehouse.engine(), load_settings().home / "report.html")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "bytes": path.stat().st_size})
