"""mart_prevalence_estimate: how many victims, detected and hidden, each year (MSE)."""

import dagster as dg

from etl.defs.estimation.warehouse import refresh_prevalence_estimates
from etl.resources import WarehouseResource


@dg.asset(
    group_name="mart",
    kinds={"postgres", "statsmodels"},
    deps=["mart_indicators"],
    description=(
        "Estimación por sistemas múltiples (modelos log-lineales de Poisson) del total de víctimas por año, "
        "registradas y no registradas, para todas las víctimas y las vinculadas a TIC, con intervalo del 95 %."
    ),
)
def mart_prevalence_estimate(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.engine().begin() as conn:
        results = refresh_prevalence_estimates(conn)
    return dg.MaterializeResult(
        metadata={
            f"{year}.{population}": (
                f"{r.estimate:.0f} ({r.ci_lower:.0f}–{r.ci_upper:.0f}), observadas {r.observed}"
                if r.available else f"no disponible: {r.reason_code}"
            )
            for year, population, r in results
        }
    )
