"""Yearly prevalence estimates from the warehouse's capture histories (mart.capture_histories)."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from etl.defs.estimation.mse import MSEResult, estimate
from warehouse import tables as t

LISTS = ("mp", "pn", "minna", "minmujer")
LIST_NAMES = {"mp": "MP", "pn": "PN", "minna": "MINNA", "minmujer": "MINMUJER"}
POPULATIONS = ("ALL", "ICT")


def capture_histories(conn: sa.Connection) -> pd.DataFrame:
    return pd.read_sql(sa.text("SELECT * FROM mart.capture_histories"), conn)


def estimates_by_year(histories: pd.DataFrame, method: str = "stepwise") -> list[tuple[int, str, MSEResult]]:
    results = []
    for (year, population), frame in histories.groupby(["year", "population_code"], sort=True):
        table = frame[list(LISTS) + ["persons"]].rename(columns={**LIST_NAMES, "persons": "count"})
        results.append((int(year), str(population), estimate(table, method)))
    return results


def refresh_prevalence_estimates(conn: sa.Connection, method: str = "stepwise") -> list[tuple[int, str, MSEResult]]:
    results = estimates_by_year(capture_histories(conn), method)
    conn.execute(t.mart_prevalence_estimate.delete())
    if results:
        conn.execute(
            t.mart_prevalence_estimate.insert(),
            [
                {
                    "year": year,
                    "population_code": population,
                    "is_available": r.available,
                    "observed": r.observed,
                    "estimate": r.estimate,
                    "ci_lower": r.ci_lower,
                    "ci_upper": r.ci_upper,
                    "method": r.method,
                    "interval_method": r.interval_method,
                    "model_terms": ", ".join(r.model),
                    "lists_used": ", ".join(r.lists),
                    "reason_code": r.reason_code,
                    "reason_es": r.reason,
                    "diagnostics": r.to_json_dict().get("diagnostics", {}),
                }
                for year, population, r in results
            ],
        )
    return results
