"""The standalone audit, as the Dagster asset check runs it on tables read back from the database."""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.defs.publication.sdc import AuditSettings, TableSpec, audit_publication, protect


def table(rows: list[dict], reasons: dict[int, str] | None = None) -> pd.DataFrame:
    """Rows with their true counts; ``reasons`` withholds rows by position."""
    frame = pd.DataFrame(rows)
    reasons = reasons or {}
    frame["is_withheld"] = [i in reasons for i in range(len(frame))]
    frame["withheld_reason"] = pd.array([reasons.get(i) for i in range(len(frame))], dtype="string")
    frame["count"] = pd.array(frame["count"], dtype="Int64")
    frame.loc[frame["is_withheld"], "count"] = pd.NA
    return frame


SEX_SPECS = [TableSpec("by_department", ("department_code",)), TableSpec("dep_sex", ("department_code", "sex_code"))]


def sex_tables(dep_sex_reasons: dict[int, str]) -> dict[str, pd.DataFrame]:
    return {
        "by_department": table([{"department_code": "00", "count": 30}, {"department_code": "11", "count": 40}]),
        "dep_sex": table(
            [
                {"department_code": "00", "sex_code": "F", "count": 27},
                {"department_code": "00", "sex_code": "M", "count": 3},
                {"department_code": "11", "sex_code": "F", "count": 20},
                {"department_code": "11", "sex_code": "M", "count": 20},
            ],
            dep_sex_reasons,
        ),
    }


def test_a_cell_recoverable_by_subtraction_fails_the_audit() -> None:
    report = audit_publication(sex_tables({1: "primary"}), SEX_SPECS, k=10)
    assert not report.passed
    (bad,) = report.unprotected
    assert (bad.table, bad.group, bad.lower, bad.upper) == ("dep_sex", {"department_code": "00", "sex_code": "M"}, 3, 3)
    assert bad.exact


def test_a_suppressed_rectangle_passes() -> None:
    report = audit_publication(sex_tables({0: "secondary", 1: "primary", 2: "secondary", 3: "secondary"}), SEX_SPECS)
    assert report.passed, report.summary()
    primary = next(c for c in report.cells if c.reason == "primary")
    assert primary.upper - primary.lower >= 10


def test_a_month_is_recovered_from_the_year_total_and_the_other_months() -> None:
    months = [{"year": 2025, "month": m, "count": 11} for m in range(1, 12)] + [{"year": 2025, "month": 12, "count": 4}]
    tables = {
        "by_year": table([{"year": 2025, "count": 125}]),
        "by_month": table(months, {11: "primary"}),
    }
    specs = [TableSpec("by_year", ("year",)), TableSpec("by_month", ("year", "month"))]
    report = audit_publication(tables, specs, k=10)
    assert [(c.group["month"], c.lower, c.upper) for c in report.unprotected] == [(12, 4, 4)]


def test_shape_problems_are_reported_without_values() -> None:
    tables = sex_tables({1: "primary", 3: "secondary"})
    leaky = tables["dep_sex"].copy()
    leaky.loc[1, "count"] = 3  # a withheld row still carrying its count
    leaky.loc[2, "count"] = 4  # a published small count
    tables["dep_sex"] = leaky
    tables["by_department"] = tables["by_department"].iloc[:1]  # a missing row
    report = audit_publication(tables, SEX_SPECS, k=10)
    text = " | ".join(report.problems)
    assert "withheld rows still carry their count" in text
    assert "between 1 and k-1" in text
    assert "have no row" in text
    assert not report.passed


def test_a_fully_published_disclosive_zero_line_is_a_problem() -> None:
    tables = {
        "dep_sex": table(
            [
                {"department_code": "16", "sex_code": "F", "count": 15},
                {"department_code": "16", "sex_code": "M", "count": 0},
                {"department_code": "00", "sex_code": "F", "count": 20},
                {"department_code": "00", "sex_code": "M", "count": 20},
            ]
        )
    }
    report = audit_publication(tables, [SEX_SPECS[1]], k=10)
    assert any("disclosive zeros" in p for p in report.problems)


def test_inconsistent_tables_are_a_problem_not_a_crash() -> None:
    tables = sex_tables({1: "primary", 3: "secondary"})
    tables["by_department"].loc[0, "count"] = 20  # below its published part (27 girls): no counts fit
    report = audit_publication(tables, SEX_SPECS, k=10)
    assert not report.passed and any("contradict" in p for p in report.problems)


def test_audit_of_read_back_tables_agrees_with_protect() -> None:
    rng = np.random.default_rng(3)
    microdata = pd.DataFrame(
        {
            "period": rng.choice([f"2025-{m:02d}" for m in range(1, 7)], 400),
            "department_code": rng.choice(["00", "10", "11", "15", "16"], 400, p=[0.3, 0.2, 0.4, 0.05, 0.05]),
            "sex_code": rng.choice(["F", "M"], 400, p=[0.8, 0.2]),
        }
    )
    specs = [
        TableSpec("by_year", ("year",)),
        TableSpec("by_period", ("period",)),
        TableSpec("by_department_sex", ("department_code", "sex_code")),
        TableSpec("by_period_region", ("period", "region_code")),
    ]
    publication = protect(microdata, specs, k=10)
    assert publication.audit.passed
    # what comes back from PostgreSQL through pandas: float counts with NaN, object reasons
    read_back = {
        name: frame.assign(
            count=frame["count"].astype("Float64").astype(float),
            withheld_reason=frame["withheld_reason"].astype(object),
        )
        for name, frame in publication.tables.items()
    }
    report = audit_publication(read_back, specs, k=10)
    assert report.passed, report.summary()
    assert len(report.cells) == len(publication.audit.cells)
    # year comes from period: 2025 = sum of the six months, so the LP links them
    assert publication.tables["by_year"]["year"].tolist() == [2025]


def test_witnessed_bounds_lie_inside_the_exact_ones() -> None:
    rng = np.random.default_rng(5)
    microdata = pd.DataFrame(
        {
            "department_code": rng.choice(["00", "10", "11", "16", "17"], 250, p=[0.3, 0.2, 0.4, 0.05, 0.05]),
            "sex_code": rng.choice(["F", "M"], 250, p=[0.75, 0.25]),
            "age_band_code": rng.choice(["A00_11", "A12_17", "A18_24"], 250),
        }
    )
    specs = [
        TableSpec("total", ()),
        TableSpec("dep", ("department_code",)),
        TableSpec("dep_sex", ("department_code", "sex_code")),
        TableSpec("sex_age", ("sex_code", "age_band_code")),
        TableSpec("dep_age", ("department_code", "age_band_code")),
    ]
    publication = protect(microdata, specs, k=10)
    witnessed = audit_publication(publication.tables, specs)
    exact = audit_publication(publication.tables, specs, settings=AuditSettings(exact_bounds=True))
    assert witnessed.passed and exact.passed
    assert all(c.exact for c in exact.cells)
    for seen, solved in zip(witnessed.cells, exact.cells, strict=True):
        assert (seen.table, seen.group) == (solved.table, solved.group)
        assert solved.lower <= seen.lower <= seen.upper <= solved.upper
