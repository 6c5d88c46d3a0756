"""A realistic synthetic `publication` schema for dashboard tests and the card benchmark.

Synthetic victims (no real person) are drawn per year with department, sex, age band, form of
exploitation, ICT status, month and platforms; every published table the lead will produce is
aggregated from them, with the full cell space (zeros included), and cells of 1..k-1 are withheld
(plus one secondary cell where a lone primary could be recovered from its margin). The release
before the current one carries different numbers, so a card that forgets `is_current` shows it.
Coverage marks the last months as not yet reported, and one of them even has a month row of 0.

`Published` keeps what was inserted so tests derive their expectations from it, not from
constants.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from itertools import product

import sqlalchemy as sa

from etl.defs.intake.codelists import codelists
from etl.defs.publication.sdc.hierarchy import REGION_OF_DEPARTMENT
from warehouse import reference
from warehouse import tables as t

K = 10
YEARS = (2023, 2024, 2025)
INSTITUTIONS = ("MP", "PN", "MINNA", "MINMUJER")
ICT_GROUP_OF_STATUS = {"RECRUITMENT": "LINKED", "EXPLOITATION": "LINKED", "BOTH": "LINKED",
                       "NONE": "NOT_LINKED", "UNKNOWN": "UNKNOWN"}
ICT_GROUP_LABELS = {"LINKED": "Vinculadas a las TIC", "NOT_LINKED": "Sin vínculo con las TIC",
                    "UNKNOWN": "Vínculo con las TIC no consta"}
UNRECORDED_DEPARTMENT = "99"
PLATFORMS = ("FACEBOOK", "WHATSAPP", "INSTAGRAM", "TIKTOK", "TELEGRAM", "FREE_FIRE", "TINDER", "ONLYFANS")
JUSTICE_STEPS = ("COMPLAINT", "INVESTIGATION", "CHARGED", "INDICTED", "TRIAL", "CONVICTION")

TABLES: dict[str, tuple[str, ...]] = {
    "national_year": ("year",),
    "ict_group_year": ("year", "ict_group_code"),
    "ict_status_year": ("year", "ict_status_code"),
    "month": ("period_code",),
    "month_ict_group": ("period_code", "ict_group_code"),
    "department_year": ("year", "department_code"),
    "department_sex_year": ("year", "department_code", "sex_code"),
    "department_ict_group_year": ("year", "department_code", "ict_group_code"),
    "region_year": ("year", "region_code"),
    "sex_age_year": ("year", "sex_code", "age_band_code"),
    "age_ict_group_year": ("year", "age_band_code", "ict_group_code"),
    "exploitation_year": ("year", "exploitation_code"),
    "exploitation_ict_group_year": ("year", "exploitation_code", "ict_group_code"),
}


@dataclass
class Published:
    """What the current release holds, as inserted."""

    release_id: int
    old_release_id: int
    years: tuple[int, ...]
    # (table_code, ((column, value), ...)) -> victims, None when withheld
    cells: dict[tuple[str, tuple[tuple[str, object], ...]], int | None] = field(default_factory=dict)
    unreported_periods: set[str] = field(default_factory=set)  # every institution missing
    partial_periods: set[str] = field(default_factory=set)  # some institution missing/rejected/processing
    periods_with_zero_row: set[str] = field(default_factory=set)
    # (year, platform_code, ict_stage_code) -> victims, None when withheld
    platform_cells: dict[tuple[int, str, str], int | None] = field(default_factory=dict)

    def cell(self, table_code: str, **dims: object) -> int | None:
        key = (table_code, tuple(sorted(dims.items())))
        return self.cells[key]

    def has_cell(self, table_code: str, **dims: object) -> bool:
        return (table_code, tuple(sorted(dims.items()))) in self.cells


def _codes(name: str) -> list[str]:
    return list(codelists()[name])


def _draw_people(rng: random.Random, year: int, n: int, months: list[str]) -> list[dict[str, object]]:
    departments = [d["ine_code"] for d in reference.departments()]
    weights = [int(d["population_2022"]) for d in reference.departments()]
    people = []
    for _ in range(n):
        status = rng.choices(list(ICT_GROUP_OF_STATUS), weights=[30, 15, 10, 35, 10])[0]
        department = UNRECORDED_DEPARTMENT if rng.random() < 0.03 else rng.choices(departments, weights=weights)[0]
        people.append({
            "year": year,
            "period_code": rng.choice(months),
            "department_code": department,
            "region_code": REGION_OF_DEPARTMENT.get(department, "UNKNOWN"),
            "sex_code": rng.choices(["F", "M", "X", "U"], weights=[70, 26, 1, 3])[0],
            "age_band_code": rng.choices(_codes("age_band"), weights=[10, 35, 25, 15, 10, 5])[0],
            "exploitation_code": rng.choices(_codes("exploitation"), weights=[30, 20, 8, 8, 8, 10, 3, 4, 3, 1, 3, 1, 1])[0],
            "ict_status_code": status,
            "ict_group_code": ICT_GROUP_OF_STATUS[status],
            "platforms": rng.sample(PLATFORMS, rng.choice([1, 1, 2])) if ICT_GROUP_OF_STATUS[status] == "LINKED" else [],
            "platform_stage_unknown": rng.random() < 0.15,
            "stage": status,
        })
    return people


def _cell_space(table_code: str, year: int, months: list[str]) -> list[dict[str, object]]:
    departments = [d["ine_code"] for d in reference.departments()] + [UNRECORDED_DEPARTMENT]
    domains: dict[str, list[object]] = {
        "year": [year], "period_code": months, "department_code": departments,
        "region_code": ["ORIENTAL", "OCCIDENTAL", "UNKNOWN"], "sex_code": _codes("sex"),
        "age_band_code": _codes("age_band"), "exploitation_code": _codes("exploitation"),
        "ict_status_code": _codes("ict_status"), "ict_group_code": list(ICT_GROUP_LABELS),
    }
    grouping = TABLES[table_code]
    return [dict(zip(grouping, combo)) for combo in product(*(domains[c] for c in grouping))]


def _withhold(counts: list[int]) -> list[str | None]:
    """Primary for 1..k-1; a lone primary also takes down the smallest other non-zero cell."""
    reasons: list[str | None] = ["primary" if 0 < c < K else None for c in counts]
    if reasons.count("primary") == 1:
        others = [(c, i) for i, c in enumerate(counts) if reasons[i] is None and c > 0]
        if others:
            reasons[min(others)[1]] = "secondary"
    return reasons


def _year_counts(people: list[dict[str, object]], year: int, months: list[str]) -> dict[str, list[tuple[dict, int]]]:
    """Per table, every cell of the year's cell space with its count (computed once, reused per release)."""
    out = {}
    for table_code, grouping in TABLES.items():
        counter = Counter(tuple(p[c] for c in grouping) for p in people)
        out[table_code] = [(cell, counter[tuple(cell[c] for c in grouping)]) for cell in _cell_space(table_code, year, months)]
    return out


def _victim_rows(release_id: int, year_counts: dict[str, list[tuple[dict, int]]], bump: int) -> tuple[list[dict], dict]:
    rows, cells = [], {}
    for table_code, space in year_counts.items():
        grouping = TABLES[table_code]
        counts = [count + bump for _, count in space]
        # Withholding works within each set of siblings that share all but the last dimension.
        groups: dict[tuple, list[int]] = {}
        for i, (cell, _) in enumerate(space):
            groups.setdefault(tuple(cell[c] for c in grouping[:-1]), []).append(i)
        reasons: list[str | None] = [None] * len(space)
        for indexes in groups.values():
            for i, reason in zip(indexes, _withhold([counts[i] for i in indexes])):
                reasons[i] = reason
        for (cell, _), count, reason in zip(space, counts, reasons):
            row = dict.fromkeys(t._DIMENSIONS)
            row.update(cell)
            row.update(release_id=release_id, table_code=table_code, victims=None if reason else count,
                       is_withheld=reason is not None, withheld_reason=reason)
            rows.append(row)
            cells[(table_code, tuple(sorted(cell.items())))] = row["victims"]
    return rows, cells


def _stage_rows(release_id: int, people: list[dict[str, object]], year: int, bump: int) -> list[dict[str, object]]:
    labels = {code: attrs["label_es"] for code, attrs in codelists()["platform"].items()}
    rows = []
    for platform in PLATFORMS:
        mentioned = [p for p in people if platform in p["platforms"]]
        counts = {
            "RECRUITMENT": sum(p["stage"] in ("RECRUITMENT", "BOTH") for p in mentioned) + bump,
            "EXPLOITATION": sum(p["stage"] in ("EXPLOITATION", "BOTH") for p in mentioned) + bump,
            "UNSPECIFIED": sum(p["platform_stage_unknown"] for p in mentioned) + bump,
            "ALL": len(mentioned) + bump,
        }
        for stage, count in counts.items():
            withheld = 0 < count < K
            rows.append({"release_id": release_id, "year": year, "platform_code": platform,
                         "platform_label": labels[platform], "ict_stage_code": stage,
                         "victims": None if withheld else count, "is_withheld": withheld,
                         "withheld_reason": "primary" if withheld else None})
    return rows


def _justice_rows(release_id: int, rng: random.Random, year: int, scale: int, bump: int) -> list[dict[str, object]]:
    stage_labels = {code: attrs["label_es"] for code, attrs in codelists()["justice_stage"].items()}
    rows = []
    for institution, steps in (("MP", JUSTICE_STEPS), ("PN", JUSTICE_STEPS[:1])):
        counts = [rng.randint(0, 60 * scale) + bump for _ in steps]
        counts[-1] = rng.randint(1, 9)  # convictions are few: withheld
        entries = [(step, order, stage_labels[step], count) for order, (step, count) in enumerate(zip(steps, counts), 1)]
        entries.append(("ALL", 99, "Total", sum(counts)))
        for step, order, label, count in entries:
            withheld = 0 < count < K
            rows.append({"release_id": release_id, "year": year, "institution_code": institution,
                         "furthest_step_code": step, "step_order": order, "label_es": label,
                         "victim_records": None if withheld else count, "is_withheld": withheld,
                         "withheld_reason": "primary" if withheld else None})
    return rows


COVERAGE_LABELS = {"accepted": "Recibido", "zero_report": "Reporte en cero", "rejected": "Rechazado",
                   "missing": "No reportado", "processing": "En proceso"}


def _coverage(release_id: int, rng: random.Random, periods: list[str], unreported: set[str]) -> tuple[list[dict], set[str]]:
    labels = {code: attrs["label_es"] for code, attrs in codelists()["institution"].items()}
    rows, partial = [], set()
    for period in periods:
        for institution in INSTITUTIONS:
            if period in unreported:
                status = "missing"
            elif period == periods[-len(unreported) - 1] and institution == "PN":
                status = "processing"
            elif institution == "MINMUJER" and rng.random() < 0.2:
                status = "zero_report"
            elif rng.random() < 0.04:
                status = rng.choice(["missing", "rejected"])
            else:
                status = "accepted"
            if status not in ("accepted", "zero_report") and period not in unreported:
                partial.add(period)
            rows.append({"release_id": release_id, "institution_code": institution,
                         "institution_label": labels[institution], "period_code": period,
                         "year": int(period[:4]), "coverage_status": status,
                         "coverage_label_es": COVERAGE_LABELS[status]})
    return rows, partial


def _estimates(release_id: int, people_by_year: dict[int, list], bump: int) -> list[dict[str, object]]:
    rows = []
    years = sorted(people_by_year)
    for year in years:
        for population in ("ALL", "ICT"):
            people = people_by_year[year]
            observed = len(people) if population == "ALL" else sum(p["ict_group_code"] == "LINKED" for p in people)
            observed += bump
            available = year != years[-1]  # the latest year has too little overlap yet
            estimate = round(observed * 1.8, -1)
            rows.append({
                "release_id": release_id, "year": year, "population_code": population, "is_available": available,
                "observed": observed, "estimate": int(estimate) if available else None,
                "ci_lower": int(round(observed * 1.4, -1)) if available else None,
                "ci_upper": int(round(observed * 2.6, -1)) if available else None,
                "method": "loglinear" if available else None, "model_terms": "MP:PN" if available else None,
                "note_es": ("Estimación con interacción entre Ministerio Público y Policía Nacional."
                            if available else "No disponible: pocas coincidencias entre registros este año."),
            })
    return rows


def _reference_rows() -> tuple[list[dict], list[dict]]:
    """As the publication step writes them: census departments plus "99" (not recorded); every code list."""
    departments = [{
        "department_code": d["ine_code"], "iso_3166_2_code": d["iso_3166_2"], "department_name": d["name"],
        "region_code": REGION_OF_DEPARTMENT[d["ine_code"]], "population_2022": int(d["population_2022"]),
        "population_2022_male": int(d["population_2022_male"]),
        "population_2022_female": int(d["population_2022_female"]),
    } for d in reference.departments()]
    departments.append({"department_code": UNRECORDED_DEPARTMENT, "iso_3166_2_code": None, "department_name": "No consta",
                        "region_code": "UNKNOWN", "population_2022": None, "population_2022_male": None,
                        "population_2022_female": None})
    labels = []
    for code_list, entries in codelists().items():
        for order, (code, attrs) in enumerate(entries.items()):
            labels.append({"code_list": code_list, "code": code, "label_es": attrs.get("label_es", code),
                           "sort_order": order})
    for order, (code, label) in enumerate(ICT_GROUP_LABELS.items()):
        labels.append({"code_list": "ict_group", "code": code, "label_es": label, "sort_order": order})
    # No "region" list: the cards must still say "Región Oriental", not "ORIENTAL".
    return departments, labels


def seed_publication(engine: sa.Engine, *, years: tuple[int, ...] = YEARS, scale: int = 1,
                     releases: int = 2, seed: int = 20251128) -> Published:
    """Insert reference rows and ``releases`` releases (the last one current); return the current one."""
    rng = random.Random(seed)
    months_by_year = {y: [f"{y}-{m:02d}" for m in range(1, 13)] for y in years}
    periods = [p for y in years for p in months_by_year[y]]
    unreported = set(periods[-2:])  # nobody has sent the last two months yet
    zero_row_period = periods[-1]  # ... yet the pipeline wrote a 0 for one of them: cards must not show it
    people_by_year = {
        y: _draw_people(rng, y, rng.randint(250, 400) * scale, [m for m in months_by_year[y] if m not in unreported])
        for y in years
    }
    counts_by_year = {y: _year_counts(people_by_year[y], y, months_by_year[y]) for y in years}
    departments, labels = _reference_rows()
    with engine.begin() as conn:
        conn.execute(t.publication_release.delete())
        conn.execute(t.publication_department.delete())
        conn.execute(t.publication_code_label.delete())
        conn.execute(t.publication_department.insert(), departments)
        conn.execute(t.publication_code_label.insert(), labels)
        release_ids: list[int] = []
        published: Published | None = None
        for index in range(releases):
            current = index == releases - 1
            bump = 0 if current else 1000 + index  # an old release's numbers are visibly different
            release_id = conn.execute(t.publication_release.insert().values(
                k=K, is_current=False, audit_passed=True, differencing_passed=True, cell_count=0,
                withheld_count=0, audit_summary={}).returning(t.publication_release.c.release_id)).scalar_one()
            release_ids.append(release_id)
            victim_rows, cells, stage_rows, justice_rows = [], {}, [], []
            for year in years:
                rows, year_cells = _victim_rows(release_id, counts_by_year[year], bump)
                victim_rows += rows
                cells.update(year_cells)
                stage_rows += _stage_rows(release_id, people_by_year[year], year, bump)
                justice_rows += _justice_rows(release_id, rng, year, scale, bump)
            kept = []
            for row in victim_rows:
                if row["table_code"] in ("month", "month_ict_group") and row["period_code"] in unreported:
                    cells.pop((row["table_code"], (("period_code", row["period_code"]),)
                               if row["table_code"] == "month" else
                               tuple(sorted({"period_code": row["period_code"],
                                             "ict_group_code": row["ict_group_code"]}.items()))), None)
                    if not (row["table_code"] == "month" and row["period_code"] == zero_row_period):
                        continue
                    row.update(victims=0, is_withheld=False, withheld_reason=None)
                    cells[("month", (("period_code", zero_row_period),))] = 0
                kept.append(row)
            coverage_rows, partial = _coverage(release_id, random.Random(seed + index), periods, unreported)
            conn.execute(t.publication_victim_count.insert(), kept)
            conn.execute(t.publication_platform_count.insert(), stage_rows)
            conn.execute(t.publication_justice_chain.insert(), justice_rows)
            conn.execute(t.publication_coverage.insert(), coverage_rows)
            conn.execute(t.publication_prevalence_estimate.insert(), _estimates(release_id, people_by_year, bump))
            conn.execute(t.publication_release.update().where(t.publication_release.c.release_id == release_id)
                         .values(cell_count=len(kept), withheld_count=sum(r["is_withheld"] for r in kept)))
            if current:
                published = Published(
                    release_id=release_id, old_release_id=release_ids[0], years=years, cells=cells,
                    unreported_periods=unreported, partial_periods=partial, periods_with_zero_row={zero_row_period},
                    platform_cells={(r["year"], r["platform_code"], r["ict_stage_code"]): r["victims"] for r in stage_rows},
                )
        conn.execute(t.publication_release.update().where(t.publication_release.c.release_id == release_ids[-1])
                     .values(is_current=True))
    assert published is not None
    return published
