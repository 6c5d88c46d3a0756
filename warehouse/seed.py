"""Fill the reference dimensions from the code lists and the 2022 census. Idempotent (upserts).

Called by a migration so that `observatorio db upgrade` leaves a usable warehouse, and again
by later migrations whenever the code lists grow.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from warehouse import reference, tables as t
from warehouse.codelists import codelists

UNKNOWN_DEPARTMENT_CODE = "99"
UNKNOWN_DISTRICT_NAME = "NO CONSTA"
# The Chaco: Presidente Hayes, Boquerón, Alto Paraguay (INE numbering).
OCCIDENTAL_INE_CODES = frozenset({"15", "16", "17"})
FIRST_MONTH, LAST_MONTH = dt.date(2015, 1, 1), dt.date(2040, 12, 1)


def _upsert(conn: sa.Connection, table: sa.Table, rows: list[dict], key: str) -> None:
    if not rows:
        return
    stmt = insert(table).values(rows)
    update = {c: stmt.excluded[c] for c in rows[0] if c != key}
    conn.execute(stmt.on_conflict_do_update(index_elements=[key], set_=update))


def _months() -> list[dict]:
    rows, day = [], FIRST_MONTH
    while day <= LAST_MONTH:
        rows.append(
            {
                "period_code": day.strftime("%Y-%m"),
                "month_start_date": day,
                "year": day.year,
                "month_number": day.month,
            }
        )
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return rows


def seed_reference(conn: sa.Connection) -> None:
    cl = codelists()
    _upsert(conn, t.dim_month, _months(), "period_code")
    _upsert(
        conn,
        t.dim_institution,
        [{"institution_code": c, "label_es": v["label_es"], "label_en": v["label_en"]} for c, v in cl["institution"].items()],
        "institution_code",
    )
    _upsert(conn, t.dim_sex, [{"sex_code": c, "label_es": v["label_es"]} for c, v in cl["sex"].items()], "sex_code")
    _upsert(
        conn,
        t.dim_age_band,
        [
            {
                "age_band_code": c,
                "label_es": v["label_es"],
                "age_min": v["age_min"],
                "age_max": v["age_max"],
                "is_minor": v["is_minor"],
                "sort_order": i,
            }
            for i, (c, v) in enumerate(cl["age_band"].items())
        ],
        "age_band_code",
    )
    _upsert(
        conn,
        t.dim_country,
        [{"country_code": c, "label_es": v["label_es"], "alpha2_code": v["alpha2"]} for c, v in cl["country"].items()],
        "country_code",
    )
    _upsert(
        conn,
        t.dim_exploitation,
        [
            {"exploitation_code": c, "label_es": v["label_es"], "label_en": v["label_en"], "htcds_label": v["htcds"]}
            for c, v in cl["exploitation"].items()
        ],
        "exploitation_code",
    )
    _upsert(
        conn,
        t.dim_recruitment_method,
        [
            {
                "recruitment_method_code": c,
                "label_es": v["label_es"],
                "label_en": v["label_en"],
                "htcds_label": v["htcds"],
                "is_ict": v["is_ict"],
            }
            for c, v in cl["recruitment_method"].items()
        ],
        "recruitment_method_code",
    )
    _upsert(
        conn,
        t.dim_platform,
        [{"platform_code": c, "label_es": v["label_es"], "platform_kind": v["kind"]} for c, v in cl["platform"].items()],
        "platform_code",
    )
    _upsert(
        conn,
        t.dim_ict_status,
        [{"ict_status_code": c, "label_es": v["label_es"], "is_ict_linked": v["is_ict_linked"]} for c, v in cl["ict_status"].items()],
        "ict_status_code",
    )
    _upsert(
        conn,
        t.dim_justice_stage,
        [{"justice_stage_code": c, "label_es": v["label_es"], "stage_rank": v["stage_rank"]} for c, v in cl["justice_stage"].items()],
        "justice_stage_code",
    )
    departments = [
        {
            "ine_code": d["ine_code"],
            "iso_3166_2_code": d["iso_3166_2"],
            "department_name": d["name"],
            "region_code": "OCCIDENTAL" if d["ine_code"] in OCCIDENTAL_INE_CODES else "ORIENTAL",
            "population_2022": int(d["population_2022"]),
            "population_2022_male": int(d["population_2022_male"]),
            "population_2022_female": int(d["population_2022_female"]),
        }
        for d in reference.departments()
    ]
    departments.append(
        {
            "ine_code": UNKNOWN_DEPARTMENT_CODE,
            "iso_3166_2_code": None,
            "department_name": "No consta",
            "region_code": "UNKNOWN",
            "population_2022": None,
            "population_2022_male": None,
            "population_2022_female": None,
        }
    )
    _upsert(conn, t.dim_department, departments, "ine_code")
    dept_ids = dict(conn.execute(sa.select(t.dim_department.c.ine_code, t.dim_department.c.department_id)).all())
    district_rows = [
        {
            "department_id": dept_ids[d["ine_dep_code"]],
            "district_name": d["distrito"],
            "population_2022": int(d["poblacion_2022"]),
        }
        for d in reference.districts()
    ]
    district_rows.append(
        {"department_id": dept_ids[UNKNOWN_DEPARTMENT_CODE], "district_name": UNKNOWN_DISTRICT_NAME, "population_2022": None}
    )
    stmt = insert(t.dim_district).values(district_rows)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["department_id", "district_name"], set_={"population_2022": stmt.excluded.population_2022}
        )
    )
