"""A large synthetic `publication` schema for the card latency benchmark, written directly.

Synthetic persons (no real person, nothing from an extract) are drawn per year, `volume` of them,
with a department weighted by the 2022 census, sex, age band, form of exploitation, ICT status,
month and platforms, and counted into every table the release step publishes (the table codes and
groupings of `etl.defs.publication.release`, over their full code lists, zeros included). Counts of
1..k-1 are withheld (primary suppression only: the cards' cost does not depend on which cells are
withheld). Several releases are written, only the last one current, as after years of publishing
(the release step keeps every release it wrote).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
import sqlalchemy as sa

from etl.defs.load.copy import copy_rows
from etl.defs.publication.release import (
    COVERAGE_LABELS,
    ICT_GROUP,
    JUSTICE_STEPS,
    VICTIM_TABLES,
    refresh_reference,
)
from etl.defs.publication.sdc.hierarchy import region_of_department
from warehouse import reference
from warehouse import tables as t
from warehouse.codelists import codelists

PARAGUAY_VICTIMS_PER_YEAR = 800  # persons detected a year by the four institutions (order of magnitude)
UNKNOWN_DEPARTMENT = "99"
PLATFORMS = ("FACEBOOK", "WHATSAPP", "INSTAGRAM", "TIKTOK", "TELEGRAM", "FREE_FIRE", "TINDER", "ONLYFANS")
STAGES = ("RECRUITMENT", "EXPLOITATION", "UNSPECIFIED")
VICTIM_COLUMNS = ["release_id", "table_code", "year", "period_code", "department_code", "region_code", "sex_code",
                  "age_band_code", "exploitation_code", "ict_status_code", "ict_group_code", "victims",
                  "is_withheld", "withheld_reason"]
_DIMENSION = {"period": "period_code"}  # release grouping name -> publication column


@dataclass(frozen=True)
class SeededPublication:
    release_id: int  # the current one
    years: tuple[int, ...]
    persons: int
    victim_rows: int  # per release
    releases: int


def _persons(rng: np.random.Generator, years: tuple[int, ...], volume: int) -> pd.DataFrame:
    departments = reference.departments()
    codes = [d["ine_code"] for d in departments] + [UNKNOWN_DEPARTMENT]
    weights = np.array([int(d["population_2022"]) for d in departments] + [0], dtype=float)
    weights[-1] = weights.sum() * 0.03 / 0.97  # 3% of records say nothing of the department
    cl = codelists()
    n = volume * len(years)
    year = np.repeat(np.array(years), volume)
    frame = pd.DataFrame({
        "year": year,
        "period": [f"{y}-{m:02d}" for y, m in zip(year, rng.integers(1, 13, n), strict=True)],
        "department_code": rng.choice(codes, n, p=weights / weights.sum()),
        "sex_code": rng.choice(list(cl["sex"]), n, p=[0.70, 0.26, 0.01, 0.03]),
        "age_band_code": rng.choice(list(cl["age_band"]), n, p=[0.10, 0.35, 0.25, 0.15, 0.10, 0.05]),
        "exploitation_code": rng.choice(list(cl["exploitation"]), n),
        "ict_status_code": rng.choice(list(cl["ict_status"]), n, p=[0.30, 0.15, 0.10, 0.35, 0.10]),
    })
    frame["region_code"] = frame["department_code"].map(
        lambda code: "UNKNOWN" if code == UNKNOWN_DEPARTMENT else region_of_department(code))
    frame["ict_group_code"] = frame["ict_status_code"].map(ICT_GROUP)
    return frame


def _domains(years: tuple[int, ...]) -> dict[str, list]:
    cl = codelists()
    departments = [d["ine_code"] for d in reference.departments()] + [UNKNOWN_DEPARTMENT]
    return {
        "year": list(years),
        "period": [f"{y}-{m:02d}" for y in years for m in range(1, 13)],
        "department_code": departments,
        "region_code": sorted({region_of_department(d) for d in departments[:-1]}) + ["UNKNOWN"],
        "sex_code": list(cl["sex"]),
        "age_band_code": list(cl["age_band"]),
        "exploitation_code": list(cl["exploitation"]),
        "ict_status_code": list(cl["ict_status"]),
        "ict_group_code": sorted(set(ICT_GROUP.values())),
    }


def _withheld(count: int, k: int) -> tuple[int | None, bool, str | None]:
    return (None, True, "primary") if 0 < count < k else (count, False, None)


def _victim_cells(persons: pd.DataFrame, years: tuple[int, ...]) -> list[tuple[str, tuple, int]]:
    """(table code, dimension values in publication column order, count) for every published cell."""
    domains = _domains(years)
    cells = []
    for spec in VICTIM_TABLES:
        grouping = list(spec.grouping)
        counts = persons.groupby(grouping).size()
        for combo in product(*(domains[c] for c in grouping)):
            count = int(counts.get(combo if len(combo) > 1 else combo[0], 0))
            values = dict.fromkeys(("year", "period_code", "department_code", "region_code", "sex_code",
                                    "age_band_code", "exploitation_code", "ict_status_code", "ict_group_code"))
            for column, value in zip(grouping, combo, strict=True):
                values[_DIMENSION.get(column, column)] = value
            if values["year"] is None and values["period_code"] is not None:
                values["year"] = int(str(values["period_code"])[:4])  # month rows carry their year
            cells.append((spec.name, tuple(values.values()), count))
    return cells


def _victim_rows(release_id: int, cells: list[tuple[str, tuple, int]], k: int, bump: int) -> list[tuple]:
    return [(release_id, table, *values, *_withheld(count + bump, k)) for table, values, count in cells]


def _platform_rows(release_id: int, rng: np.random.Generator, persons: pd.DataFrame, k: int) -> list[tuple]:
    labels = {code: entry["label_es"] for code, entry in codelists()["platform"].items()}
    linked = persons[persons["ict_group_code"] == "LINKED"]
    rows = []
    for year, of_year in linked.groupby("year"):
        for platform in PLATFORMS:
            share = rng.uniform(0.02, 0.35)
            mentioned = int(len(of_year) * share)
            for stage, count in zip((*STAGES, "ALL"), (*rng.multinomial(mentioned, [0.5, 0.35, 0.15]), mentioned)):
                rows.append((release_id, int(year), platform, labels[platform], stage, *_withheld(int(count), k)))
    return rows


def _justice_rows(release_id: int, rng: np.random.Generator, years: tuple[int, ...], volume: int, k: int) -> list[tuple]:
    rows = []
    for year in years:
        for institution in ("MP", "PN"):
            steps = list(JUSTICE_STEPS.items()) if institution == "MP" else list(JUSTICE_STEPS.items())[:1]
            counts = rng.multinomial(int(volume * rng.uniform(0.3, 0.6)), np.full(len(steps), 1 / len(steps)))
            for (step, (order, label)), count in zip(steps, counts, strict=True):
                rows.append((release_id, year, institution, step, order, label, *_withheld(int(count), k)))
            rows.append((release_id, year, institution, "ALL", 0, "Total", *_withheld(int(counts.sum()), k)))
    return rows


def seed(engine: sa.Engine, years: tuple[int, ...], volume: int, releases: int = 2, k: int = 10,
         seed: int = 20251128) -> SeededPublication:
    """Reference rows and `releases` releases of `volume` persons a year; only the last one is current.

    Older releases keep their rows, as the release step keeps them: the cards must find the current
    one among all of them.
    """
    rng = np.random.default_rng(seed)
    persons = _persons(rng, years, volume)
    cells = _victim_cells(persons, years)
    labels = {code: entry["label_es"] for code, entry in codelists()["institution"].items()}
    coverage = [(inst, labels[inst], f"{y}-{m:02d}", y, "accepted", COVERAGE_LABELS["accepted"])
                for y in years for m in range(1, 13) for inst in labels]
    with engine.begin() as conn:
        refresh_reference(conn)
        release_id = 0
        for index in range(releases):
            current = index == releases - 1
            release_id = conn.execute(t.publication_release.insert().values(
                k=k, is_current=current, audit_passed=True, differencing_passed=True, cell_count=0, withheld_count=0,
                audit_summary={}).returning(t.publication_release.c.release_id)).scalar_one()
            bump = 0 if current else releases - index  # older releases' figures differ
            rows = _victim_rows(release_id, cells, k, bump)
            copy_rows(conn, t.publication_victim_count, VICTIM_COLUMNS, rows)
            copy_rows(conn, t.publication_platform_count,
                      ["release_id", "year", "platform_code", "platform_label", "ict_stage_code", "victims",
                       "is_withheld", "withheld_reason"], _platform_rows(release_id, rng, persons, k))
            copy_rows(conn, t.publication_justice_chain,
                      ["release_id", "year", "institution_code", "furthest_step_code", "step_order", "label_es",
                       "victim_records", "is_withheld", "withheld_reason"],
                      _justice_rows(release_id, rng, years, volume, k))
            copy_rows(conn, t.publication_coverage,
                      ["release_id", "institution_code", "institution_label", "period_code", "year",
                       "coverage_status", "coverage_label_es"], [(release_id, *row) for row in coverage])
            copy_rows(conn, t.publication_prevalence_estimate,
                      ["release_id", "year", "population_code", "is_available", "observed", "estimate", "ci_lower",
                       "ci_upper", "method", "model_terms", "note_es"],
                      [(release_id, y, population, True, volume, volume * 2, int(volume * 1.5), volume * 3,
                        "loglinear", "MP:PN", "Estimación sintética para la prueba de rendimiento.")
                       for y in years for population in ("ALL", "ICT")])
            conn.execute(t.publication_release.update().where(t.publication_release.c.release_id == release_id)
                         .values(cell_count=len(rows), withheld_count=sum(r[-2] for r in rows)))
        conn.execute(sa.text("ANALYZE publication.victim_count, publication.platform_count, publication.coverage"))
    return SeededPublication(release_id, years, len(persons), len(cells), releases)
