"""Build one publication release from the marts: protect, audit, write, and switch atomically.

A release is written in one transaction and becomes the one in force (`is_current`) only if
its disclosure audit (and the differencing check) passed; otherwise it is kept, marked as not
current, for inspection, and the previous release stays in force.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from etl.defs.load.copy import copy_rows
from etl.defs.publication.sdc import AuditReport, Publication, TableSpec, audit_publication, protect
from etl.defs.publication.sdc.hierarchy import DERIVATIONS, Derivation, region_of_department
from warehouse import tables as t
from warehouse.codelists import codelists

ICT_GROUP = {
    "RECRUITMENT": "LINKED", "EXPLOITATION": "LINKED", "BOTH": "LINKED", "NONE": "NOT_LINKED", "UNKNOWN": "UNKNOWN",
}

UNKNOWN_DEPARTMENT = "99"
# Year derives from period and region from department, so the audit links months to years and
# departments to regions (an attacker knows both). Persons of unknown department have an
# unknown region.
PUBLICATION_DERIVATIONS = {
    **DERIVATIONS,
    "region_code": Derivation(
        "department_code", lambda code: "UNKNOWN" if code == UNKNOWN_DEPARTMENT else region_of_department(code)
    ),
    # The ICT group is a function of the ICT status: one attribute for the audit, not two.
    "ict_group_code": Derivation("ict_status_code", lambda code: ICT_GROUP[code]),
}

# The published count tables of persons: name -> grouping. Dashboards filter `table_code`.
VICTIM_TABLES: tuple[TableSpec, ...] = (
    TableSpec("national_year", ("year",)),
    TableSpec("ict_group_year", ("year", "ict_group_code")),
    TableSpec("ict_status_year", ("year", "ict_status_code")),
    TableSpec("month", ("period",)),
    TableSpec("month_ict_group", ("period", "ict_group_code")),
    TableSpec("department_year", ("year", "department_code")),
    TableSpec("department_sex_year", ("year", "department_code", "sex_code")),
    TableSpec("department_ict_group_year", ("year", "department_code", "ict_group_code")),
    TableSpec("region_year", ("year", "region_code")),
    TableSpec("sex_age_year", ("year", "sex_code", "age_band_code")),
    TableSpec("age_ict_group_year", ("year", "age_band_code", "ict_group_code")),
    TableSpec("exploitation_year", ("year", "exploitation_code")),
    TableSpec("exploitation_ict_group_year", ("year", "exploitation_code", "ict_group_code")),
)
PLATFORM_TABLES = (TableSpec("platform_year", ("year", "platform_code", "ict_stage_code")),)
# Persons per platform whatever the stage: a person seen at both stages counts once here, so
# these are not sums of the rows above and are protected as their own family.
PLATFORM_ALL_TABLES = (TableSpec("platform_all_year", ("year", "platform_code")),)
JUSTICE_TABLES = (
    TableSpec("justice_year", ("year", "institution_code")),
    TableSpec("justice_step_year", ("year", "institution_code", "furthest_step_code")),
)
JUSTICE_STEPS = {  # furthest step reached, from the stage rank of codelists.yaml
    "COMPLAINT": (1, "Denuncia"), "INVESTIGATION": (2, "Investigación"), "CHARGED": (3, "Imputación"),
    "TRIAL": (4, "Juicio oral"), "CONVICTION": (5, "Condena"), "OTHER_OUTCOME": (6, "Otra conclusión"),
}
COVERAGE_LABELS = {
    "accepted": "Recibido", "zero_report": "Sin casos (reporte en cero)", "rejected": "Rechazado, sin corregir",
    "missing": "No reportado", "processing": "En proceso",
}

_PERSONS = """
SELECT first_detection_period AS period, department_code, sex_code,
       age_band_code, exploitation_code, ict_status_code
FROM mart.person_profile
"""
_PLATFORM_PERSONS = """
SELECT DISTINCT pp.first_detection_year AS year, pl.platform_code, b.ict_stage_code, pp.person_id
FROM mart.person_profile pp
JOIN core.fact_victim_record f ON f.person_id = pp.person_id
JOIN core.bridge_victim_record_platform b ON b.victim_record_id = f.victim_record_id
JOIN core.dim_platform pl ON pl.platform_id = b.platform_id
"""
_JUSTICE_RECORDS = """
SELECT extract(year FROM f.registration_date)::int AS year, i.institution_code,
       CASE WHEN js.justice_stage_code = 'CONVICTION' THEN 'CONVICTION'
            WHEN js.justice_stage_code IN ('ACQUITTAL', 'DISMISSAL', 'ALTERNATIVE_OUTCOME') THEN 'OTHER_OUTCOME'
            WHEN js.stage_rank >= 5 THEN 'TRIAL'
            WHEN js.stage_rank >= 3 THEN 'CHARGED'
            WHEN js.stage_rank >= 2 THEN 'INVESTIGATION'
            ELSE 'COMPLAINT' END AS furthest_step_code
FROM core.fact_victim_record f
JOIN core.dim_institution i USING (institution_id)
JOIN core.dim_justice_stage js USING (justice_stage_id)
WHERE i.institution_code IN ('PN', 'MP')
"""


@dataclass(frozen=True)
class ReleaseResult:
    release_id: int
    is_current: bool
    audit_passed: bool
    differencing_passed: bool
    cells: int
    withheld: int
    audits: dict[str, AuditReport]
    differencing: dict[str, dict]


def person_microdata(conn: sa.Connection) -> pd.DataFrame:
    frame = pd.read_sql(sa.text(_PERSONS), conn)
    frame["ict_group_code"] = frame["ict_status_code"].map(ICT_GROUP)
    return frame


def victim_domains(years: Sequence[int]) -> dict[str, list]:
    """Every value a table must show, so an absent group is a published 0, not a missing row."""
    cl = codelists()
    return {
        "period": [f"{y}-{m:02d}" for y in sorted(set(years)) for m in range(1, 13)],
        "department_code": [d["ine_code"] for d in _departments()] + ["99"],
        "sex_code": list(cl["sex"]),
        "age_band_code": list(cl["age_band"]),
        "ict_status_code": list(cl["ict_status"]),
    }


def _departments() -> list[dict[str, str]]:
    from warehouse import reference

    return reference.departments()


def protect_all(conn: sa.Connection, k: int) -> dict[str, tuple[Publication, tuple[TableSpec, ...]]]:
    persons = person_microdata(conn)
    years = persons["period"].str[:4].astype(int).tolist()
    families: dict[str, tuple[Publication, tuple[TableSpec, ...]]] = {}
    if persons.empty:
        return families
    families["victims"] = (
        protect(persons, VICTIM_TABLES, k, domains=victim_domains(years), derivations=PUBLICATION_DERIVATIONS),
        VICTIM_TABLES,
    )
    platforms = pd.read_sql(sa.text(_PLATFORM_PERSONS), conn)
    if not platforms.empty:
        families["platforms"] = (protect(platforms, PLATFORM_TABLES, k), PLATFORM_TABLES)
        distinct = platforms.drop_duplicates(["year", "platform_code", "person_id"])
        families["platforms_all"] = (protect(distinct, PLATFORM_ALL_TABLES, k), PLATFORM_ALL_TABLES)
    justice = pd.read_sql(sa.text(_JUSTICE_RECORDS), conn)
    if not justice.empty:
        families["justice"] = (
            protect(justice, JUSTICE_TABLES, k, domains={"furthest_step_code": list(JUSTICE_STEPS)}),
            JUSTICE_TABLES,
        )
    return families


def audit_all(families: dict[str, tuple[Publication, tuple[TableSpec, ...]]], k: int) -> dict[str, AuditReport]:
    """Re-audit what will be published, from the published tables alone (an attacker's view)."""
    return {
        name: audit_publication(publication.tables, specs, k, derivations=PUBLICATION_DERIVATIONS)
        for name, (publication, specs) in families.items()
    }


def _none_if_na(value):
    return None if pd.isna(value) else value


def _victim_rows(release_id: int, publication: Publication) -> list[tuple]:
    dims = ("year", "period", "department_code", "region_code", "sex_code", "age_band_code",
            "exploitation_code", "ict_status_code", "ict_group_code")
    rows = []
    for name, frame in publication.tables.items():
        for record in frame.to_dict("records"):
            values = [_none_if_na(record.get(d)) for d in dims]
            if values[0] is None and values[1] is not None:
                values[0] = int(str(values[1])[:4])  # month rows carry their year for filtering
            if values[0] is not None:
                values[0] = int(values[0])
            count = _none_if_na(record["count"])
            rows.append((release_id, name, *values, None if count is None else int(count),
                         bool(record["is_withheld"]), _none_if_na(record["withheld_reason"])))
    return rows


def _write(conn: sa.Connection, release_id: int, families, labels: dict[str, str]) -> None:
    victim_columns = ["release_id", "table_code", "year", "period_code", "department_code", "region_code", "sex_code",
                      "age_band_code", "exploitation_code", "ict_status_code", "ict_group_code", "victims",
                      "is_withheld", "withheld_reason"]
    if "victims" in families:
        copy_rows(conn, t.publication_victim_count, victim_columns, _victim_rows(release_id, families["victims"][0]))
    platform_frames = []
    if "platforms" in families:
        platform_frames.append(families["platforms"][0].tables["platform_year"])
    if "platforms_all" in families:
        platform_frames.append(families["platforms_all"][0].tables["platform_all_year"].assign(ict_stage_code="ALL"))
    if platform_frames:
        frame = pd.concat(platform_frames, ignore_index=True)
        copy_rows(
            conn, t.publication_platform_count,
            ["release_id", "year", "platform_code", "platform_label", "ict_stage_code", "victims", "is_withheld",
             "withheld_reason"],
            (
                (release_id, int(r["year"]), r["platform_code"], labels.get(r["platform_code"], r["platform_code"]),
                 r["ict_stage_code"], None if pd.isna(r["count"]) else int(r["count"]), bool(r["is_withheld"]),
                 _none_if_na(r["withheld_reason"]))
                for r in frame.to_dict("records")
            ),
        )
    if "justice" in families:
        tables = families["justice"][0].tables
        rows = []
        for r in tables["justice_step_year"].to_dict("records"):
            order, label = JUSTICE_STEPS[r["furthest_step_code"]]
            rows.append((release_id, int(r["year"]), r["institution_code"], r["furthest_step_code"], order, label,
                         None if pd.isna(r["count"]) else int(r["count"]), bool(r["is_withheld"]),
                         _none_if_na(r["withheld_reason"])))
        for r in tables["justice_year"].to_dict("records"):
            rows.append((release_id, int(r["year"]), r["institution_code"], "ALL", 0, "Total",
                         None if pd.isna(r["count"]) else int(r["count"]), bool(r["is_withheld"]),
                         _none_if_na(r["withheld_reason"])))
        copy_rows(
            conn, t.publication_justice_chain,
            ["release_id", "year", "institution_code", "furthest_step_code", "step_order", "label_es",
             "victim_records", "is_withheld", "withheld_reason"],
            rows,
        )
    conn.execute(
        sa.text(
            """INSERT INTO publication.coverage (release_id, institution_code, institution_label, period_code, year,
                                                 coverage_status, coverage_label_es)
               SELECT :rid, c.institution_code, i.label_es, c.period_code, c.year, c.coverage_status,
                      (CAST(:labels AS jsonb) ->> c.coverage_status)
               FROM mart.coverage c JOIN core.dim_institution i USING (institution_code)"""
        ),
        {"rid": release_id, "labels": json.dumps(COVERAGE_LABELS, ensure_ascii=False)},
    )


ESTIMATE_ROUNDING = 10
ESTIMATE_NOTE_ES = (
    "Estimación del total de víctimas (registradas y no registradas) por sistemas múltiples. "
    "Supone población cerrada durante el año, enlace correcto de personas entre instituciones y que la "
    "dependencia entre listas se capta con interacciones; si algunas víctimas son mucho más difíciles de "
    "registrar que otras, el total real puede ser mayor."
)


def _round(value: float | None) -> int | None:
    return None if value is None else int(round(value / ESTIMATE_ROUNDING) * ESTIMATE_ROUNDING)


def _write_estimates(conn: sa.Connection, release_id: int, k: int) -> None:
    """Publish an estimate only when it exists and rests on at least k detected persons."""
    rows = conn.execute(sa.select(t.mart_prevalence_estimate)).mappings().all()
    for r in rows:
        publishable = r["is_available"] and r["observed"] >= k
        if publishable:
            note = ESTIMATE_NOTE_ES
        elif r["observed"] < k:
            note = "No se publica: muy pocas víctimas detectadas para estimar sin riesgo de identificación."
        else:
            note = f"No hay estimación confiable: {r['reason_es'] or 'el modelo no es identificable con estos datos'}."
        conn.execute(
            t.publication_prevalence_estimate.insert().values(
                release_id=release_id, year=r["year"], population_code=r["population_code"],
                is_available=bool(publishable),
                observed=r["observed"] if r["observed"] >= k else None,
                estimate=_round(r["estimate"]) if publishable else None,
                ci_lower=_round(r["ci_lower"]) if publishable else None,
                ci_upper=_round(r["ci_upper"]) if publishable else None,
                method=r["method"] if publishable else None,
                model_terms=r["model_terms"] if publishable else None,
                note_es=note,
            )
        )


def refresh_reference(conn: sa.Connection) -> None:
    """Public reference data (census, labels): replaced wholesale, identical on every run."""
    conn.execute(t.publication_department.delete())
    conn.execute(
        sa.text(
            """INSERT INTO publication.department
               SELECT ine_code, iso_3166_2_code, department_name, region_code, population_2022,
                      population_2022_male, population_2022_female FROM core.dim_department"""
        )
    )
    conn.execute(t.publication_code_label.delete())
    rows = [
        (code_list, code, entry.get("label_es", code), order)
        for code_list, entries in codelists().items()
        for order, (code, entry) in enumerate(entries.items())
    ]
    rows += [("ict_group", c, label, i) for i, (c, label) in enumerate(
        [("LINKED", "Vinculada a TIC"), ("NOT_LINKED", "Sin vínculo con TIC"), ("UNKNOWN", "No consta")])]
    rows += [("coverage_status", c, label, i) for i, (c, label) in enumerate(COVERAGE_LABELS.items())]
    copy_rows(conn, t.publication_code_label, ["code_list", "code", "label_es", "sort_order"], rows)


def differencing_all(families, k: int) -> dict[str, dict]:
    from etl.defs.publication.differencing_check import differencing_report

    results = {}
    for name, (publication, specs) in families.items():
        reports = differencing_report(publication.tables, specs, k)
        results[name] = {
            "passed": all(r.passed for r in reports),
            "queries": sum(r.queries_checked for r in reports),
            "pairs": sum(r.pairs_checked for r in reports),
            "violations": sum(len(r.violations) for r in reports),
        }
    return results


def build_release(
    conn: sa.Connection, k: int, dp_epsilon: float | None = None, dp_total_epsilon: float = 5.0
) -> ReleaseResult:
    """Protect, audit, check differencing and write a release inside the caller's transaction."""
    families = protect_all(conn, k)
    audits = audit_all(families, k)
    audit_passed = all(a.passed for a in audits.values())
    differencing = differencing_all(families, k)
    differencing_passed = all(d["passed"] for d in differencing.values())
    cells = sum(len(f) for p, _ in families.values() for f in p.tables.values())
    withheld = sum(int(f["is_withheld"].sum()) for p, _ in families.values() for f in p.tables.values())
    summary = {
        name: {"passed": a.passed, "withheld_cells": len(a.cells), "unprotected": len(a.unprotected),
               "problems": list(a.problems), "seconds": round(a.seconds, 3), "differencing": differencing[name]}
        for name, a in audits.items()
    }
    is_current = audit_passed and differencing_passed
    if is_current:
        conn.execute(t.publication_release.update().where(t.publication_release.c.is_current).values(is_current=False))
    release_id = conn.execute(
        t.publication_release.insert()
        .values(k=k, is_current=is_current, audit_passed=audit_passed, differencing_passed=differencing_passed,
                cell_count=cells, withheld_count=withheld, audit_summary=summary)
        .returning(t.publication_release.c.release_id)
    ).scalar_one()
    labels = {code: entry["label_es"] for code, entry in codelists()["platform"].items()}
    _write(conn, release_id, families, labels)
    _write_estimates(conn, release_id, k)
    if dp_epsilon is not None and is_current:
        from etl.defs.publication.noisy_totals import publish_noisy_totals

        publish_noisy_totals(conn, release_id, dp_epsilon, dp_total_epsilon)
    refresh_reference(conn)
    return ReleaseResult(release_id, is_current, audit_passed, differencing_passed, cells, withheld, audits, differencing)
