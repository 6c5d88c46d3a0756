"""Headline figures of one year, straight from the marts (`observatorio indicators`).

These are unprotected counts for analysts with access to `mart`; what the public sees goes
through `publication`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

NATIONAL_POPULATION_2022 = "SELECT sum(population_2022) FROM core.dim_department"


@dataclass
class Headline:
    year: int
    victims: int
    ict_linked_victims: int
    ict_known_victims: int
    ict_share: float | None  # among victims whose ICT status is known
    rate_per_100k: float | None
    by_department: list[dict] = field(default_factory=list)
    by_sex: list[dict] = field(default_factory=list)
    by_age_band: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _share(linked: int, known: int) -> float | None:
    return round(linked / known, 4) if known else None


def _breakdown(conn: sa.Connection, year: int, column: str, label_sql: str) -> list[dict]:
    rows = conn.execute(
        sa.text(
            f"""SELECT v.{column} AS code, {label_sql} AS label, sum(victims) AS victims,
                       sum(ict_linked_victims) AS ict_linked, sum(ict_known_victims) AS ict_known
                FROM mart.victims_by_month v WHERE year = :year GROUP BY 1, 2 ORDER BY 1"""
        ),
        {"year": year},
    )
    return [
        {
            column: r.code,
            "label": r.label,
            "victims": int(r.victims),
            "ict_linked_victims": int(r.ict_linked),
            "ict_known_victims": int(r.ict_known),
            "ict_share": _share(int(r.ict_linked), int(r.ict_known)),
        }
        for r in rows
    ]


def headline(conn: sa.Connection, year: int) -> Headline:
    totals = conn.execute(
        sa.text(
            """SELECT coalesce(sum(victims), 0) AS victims, coalesce(sum(ict_linked_victims), 0) AS linked,
                      coalesce(sum(ict_known_victims), 0) AS known
               FROM mart.victims_by_month WHERE year = :year"""
        ),
        {"year": year},
    ).one()
    population = conn.execute(sa.text(NATIONAL_POPULATION_2022)).scalar()
    departments = _breakdown(
        conn, year, "department_code",
        "(SELECT department_name FROM core.dim_department d WHERE d.ine_code = v.department_code)",
    )
    rates = {
        r.department_code: float(r.rate_per_100k)
        for r in conn.execute(
            sa.text("SELECT department_code, rate_per_100k FROM mart.rates_by_department_sex WHERE year = :y AND sex_code = 'ALL'"),
            {"y": year},
        )
    }
    for d in departments:
        d["rate_per_100k"] = rates.get(d["department_code"])
    return Headline(
        year=year,
        victims=int(totals.victims),
        ict_linked_victims=int(totals.linked),
        ict_known_victims=int(totals.known),
        ict_share=_share(int(totals.linked), int(totals.known)),
        rate_per_100k=round(int(totals.victims) * 100_000 / population, 3) if population else None,
        by_department=departments,
        by_sex=_breakdown(conn, year, "sex_code", "(SELECT label_es FROM core.dim_sex s WHERE s.sex_code = v.sex_code)"),
        by_age_band=_breakdown(
            conn, year, "age_band_code", "(SELECT label_es FROM core.dim_age_band a WHERE a.age_band_code = v.age_band_code)"
        ),
    )
