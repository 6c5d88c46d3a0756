"""Coarsening: mostly-withheld tables give way to coarser ones along the documented hierarchy."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pandas as pd

from etl.defs.publication.sdc import (
    REGION_OF_DEPARTMENT,
    TableSpec,
    coarsen_if_mostly_suppressed,
    coarser_spec,
    protect,
    protect_with_coarsening,
)


def test_hierarchy_steps_time_first_then_geography() -> None:
    monthly = TableSpec("m", ("year", "month", "department_code", "sex_code"))
    assert coarser_spec(monthly) == TableSpec("m_anual", ("year", "department_code", "sex_code"))
    assert coarser_spec(TableSpec("p", ("period", "sex_code"))) == TableSpec("p_anual", ("year", "sex_code"))
    regional = coarser_spec(TableSpec("d", ("year", "department_code", "sex_code")))
    assert regional == TableSpec("d_regional", ("year", "region_code", "sex_code"))
    assert coarser_spec(regional) == TableSpec("d_regional_nacional", ("year", "sex_code"))
    assert coarser_spec(TableSpec("s", ("year", "sex_code"))) is None


def test_regions_cover_exactly_the_18_ine_departments() -> None:
    reference = resources.files("warehouse") / "reference" / "departments_census2022.csv"
    with reference.open(encoding="utf-8") as handle:
        codes = {row["ine_code"] for row in csv.DictReader(handle)}
    assert set(REGION_OF_DEPARTMENT) == codes
    chaco = {code for code, region in REGION_OF_DEPARTMENT.items() if region == "OCCIDENTAL"}
    assert chaco == {"15", "16", "17"}  # Presidente Hayes, Boquerón, Alto Paraguay


def small_country(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    departments = [f"{i:02d}" for i in range(18)]
    weights = np.array([5, 2, 3, 2, 2, 4, 1, 4, 1, 2, 7, 18, 1, 2, 2, 1, 1, 0.5])
    return pd.DataFrame(
        {
            "year": 2025,
            "month": rng.integers(1, 13, n),
            "department_code": rng.choice(departments, n, p=weights / weights.sum()),
            "sex_code": rng.choice(["F", "M"], n, p=[0.8, 0.2]),
        }
    )


def test_a_mostly_withheld_monthly_table_is_replaced_by_its_annual_version() -> None:
    microdata = small_country(300, seed=1)
    specs = [
        TableSpec("total", ()),
        TableSpec("by_department", ("year", "department_code")),
        TableSpec("monthly_department_sex", ("year", "month", "department_code", "sex_code")),
    ]
    publication = protect(microdata, specs, k=10)
    assert publication.withheld_share("monthly_department_sex") > 0.5
    plan = coarsen_if_mostly_suppressed(publication, threshold=0.5)
    assert "monthly_department_sex" in plan.drop
    assert TableSpec("monthly_department_sex_anual", ("year", "department_code", "sex_code")) in plan.add
    assert "total" not in plan.drop


def test_protect_with_coarsening_ends_with_no_mostly_withheld_table() -> None:
    microdata = small_country(400, seed=2)
    domains = {"department_code": [f"{i:02d}" for i in range(18)], "sex_code": ["F", "M"]}
    specs = [
        TableSpec("by_year", ("year",)),
        TableSpec("monthly_department_sex", ("year", "month", "department_code", "sex_code")),
    ]
    publication, plans = protect_with_coarsening(microdata, specs, k=10, domains=domains)
    assert plans, "the fine monthly table must have been coarsened"
    assert publication.audit.passed
    for spec in publication.specs:
        assert publication.withheld_share(spec.name) <= 0.5 or coarser_spec(spec) is None
    names = [spec.name for spec in publication.specs]
    assert "monthly_department_sex" not in names
    regional = [s for s in publication.specs if "region_code" in s.grouping]
    for spec in regional:  # regions listed from the given departments, even if empty
        assert set(publication.tables[spec.name]["region_code"]) == {"ORIENTAL", "OCCIDENTAL"}
