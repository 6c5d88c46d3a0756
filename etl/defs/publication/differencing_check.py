"""The dashboards' filter combinations, checked for differencing on every publication.

Dashboards compose every value from published cells of one table (sum of cells; withheld if
any needed cell is withheld). This enumerates, per time granularity, every combination of the
filters they offer — a contiguous range of years (or months), and everything-or-one-value for
department, sex, age band, form of exploitation, ICT status and ICT group — over every table
that can answer it, and checks that no published value, and no difference of two nested
published values, is a count from 1 to k-1.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from etl.defs.publication.sdc import TableSpec
from etl.defs.publication.sdc.differencing import (
    DifferencingReport,
    FilterDimension,
    FilterQuery,
    check_differences,
    compose_from_table,
    enumerate_queries,
)

CHOICE_DIMENSIONS = (
    "department_code", "region_code", "sex_code", "age_band_code", "exploitation_code", "ict_status_code",
    "ict_group_code", "platform_code", "ict_stage_code", "institution_code", "furthest_step_code",
)


def _dimensions(tables: Mapping[str, pd.DataFrame], time: str, names: list[str]) -> list[FilterDimension]:
    values: dict[str, set] = {}
    for name in names:
        for column in [time, *CHOICE_DIMENSIONS]:
            if column in tables[name].columns:
                values.setdefault(column, set()).update(tables[name][column].dropna().tolist())
    dims = [FilterDimension(time, tuple(sorted(values.pop(time))), "range")]
    dims += [FilterDimension(c, tuple(sorted(v)), "choice") for c, v in values.items()]
    return dims


def differencing_report(tables: Mapping[str, pd.DataFrame], specs: tuple[TableSpec, ...], k: int) -> list[DifferencingReport]:
    reports = []
    for time in ("year", "period"):
        names = [s.name for s in specs if time in s.grouping and s.name in tables]
        if not names:
            continue
        dims = _dimensions(tables, time, names)
        published: dict[FilterQuery, int | None] = {}
        for name in names:
            grouping = set(next(s.grouping for s in specs if s.name == name))
            table_dims = [d for d in dims if d.name in grouping]
            queries, _ = enumerate_queries(table_dims)
            for query in queries:
                # dimensions the table does not have are unfiltered (everything) in the full query
                full = FilterQuery(tuple(
                    (d.name, query.selected(d.name) if d.name in grouping else d.values) for d in dims
                ))
                value = compose_from_table(tables[name], query)
                if full in published and published[full] is not None and value is not None:
                    continue  # two tables answer the same query; both are published sums of the same persons
                published[full] = value if full not in published else (published[full] or value)
        reports.append(check_differences(published, dims, k))
    return reports
