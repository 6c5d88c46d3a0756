"""Export of pseudonymized, k-anonymized victim records in HTCDS / CTDC field names.

One row per person first detected in the year. Field names follow the Counter Trafficking Data
Collaborative's global dataset codebook, which implements IOM's Human Trafficking Case Data
Standard (HTCDS): verify them against the official HTCDS v2.0 template before an exchange.

Disclosure control (the CTDC practice): every combination of the quasi-identifiers must be
shared by at least k records. Quasi-identifiers are coarsened in a fixed order (department to
region; country of exploitation to domestic/abroad; recruitment to ICT/non-ICT; exploitation
to broad type; age band to minor/adult; nationality to Paraguayan/foreign) until every
record's group reaches k; the quasi-identifiers of records still in smaller groups are
then suppressed (blanked to "Suppressed"), and records alone even then are dropped and
counted in the codebook. Record ids are fresh per export (shuffled), so rows cannot be linked back.
"""

from __future__ import annotations

import csv
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

_RECORDS = """
SELECT pp.first_detection_year AS year, pp.department_code, d.region_code, pp.sex_code, pp.age_band_code,
       pp.is_minor, pp.nationality_code, pp.exploitation_code, ex.htcds_label AS exploitation_htcds,
       pp.ict_status_code, pp.institutions_seen,
       rm.recruitment_method_code, rm.htcds_label AS recruitment_htcds, rm.is_ict AS recruitment_is_ict,
       ec.country_code AS exploitation_country_code
FROM mart.person_profile pp
JOIN core.dim_department d ON d.ine_code = pp.department_code
JOIN LATERAL (
    SELECT f.recruitment_method_id, f.exploitation_country_id FROM core.fact_victim_record f
    WHERE f.person_id = pp.person_id ORDER BY f.registration_date, f.victim_record_id LIMIT 1
) first_record ON true
JOIN core.dim_recruitment_method rm ON rm.recruitment_method_id = first_record.recruitment_method_id
JOIN core.dim_country ec ON ec.country_id = first_record.exploitation_country_id
JOIN core.dim_exploitation ex ON ex.exploitation_code = pp.exploitation_code
WHERE pp.first_detection_year = :year
"""

GENDER = {"F": "Female", "M": "Male", "X": "Other", "U": "Unknown"}
AGE_BROAD = {"A00_11": "0--8/9--17", "A12_17": "9--17", "A18_24": "18--20/21--23", "A25_34": "24--26/27--29/30--38",
             "A35_PLUS": "30--38/39--47/48+", "UNKNOWN": "Unknown"}
# Coarsening steps: (column, function). Applied cumulatively until every group has k records.
QUASI_IDENTIFIERS = ("Department", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
                     "typeOfExploitConcatenated", "recruitmentMethod", "dataSource")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    codebook_path: Path
    rows: int
    dropped: int
    coarsened: tuple[str, ...]


def _frame(conn: sa.Connection, year: int) -> pd.DataFrame:
    raw = pd.read_sql(sa.text(_RECORDS), conn, params={"year": year})
    status = raw["ict_status_code"]
    return pd.DataFrame({
        "yearOfRegistration": raw["year"],
        "Department": raw["department_code"],
        "gender": raw["sex_code"].map(GENDER),
        "ageBroad": raw["age_band_code"].map(AGE_BROAD),
        "majorityStatus": raw["is_minor"].map({True: "Minor", False: "Adult"}).fillna("Unknown"),
        "citizenship": raw["nationality_code"],
        "CountryOfExploitation": raw["exploitation_country_code"],
        "typeOfExploitConcatenated": raw["exploitation_htcds"],
        "recruitmentMethod": raw["recruitment_htcds"],
        "isIctRecruitment": status.isin(["RECRUITMENT", "BOTH"]).astype("Int64").where(status != "UNKNOWN"),
        "isIctExploitation": status.isin(["EXPLOITATION", "BOTH"]).astype("Int64").where(status != "UNKNOWN"),
        "dataSource": raw["institutions_seen"],
        "_region": raw["region_code"],
        "_recruitment_is_ict": raw["recruitment_is_ict"],
    })


def _coarsening_steps(frame: pd.DataFrame):
    yield "Department", frame["_region"].map({"ORIENTAL": "Región Oriental", "OCCIDENTAL": "Región Occidental"}).fillna("Unknown")
    yield "CountryOfExploitation", frame["CountryOfExploitation"].map(
        lambda c: "Unknown" if c in ("UNK", None) else ("Paraguay" if c == "PRY" else "Abroad"))
    yield "recruitmentMethod", frame["_recruitment_is_ict"].map({True: "Online", False: "Offline"}).fillna("Unknown")
    yield "typeOfExploitConcatenated", frame["typeOfExploitConcatenated"].where(
        frame["typeOfExploitConcatenated"].isin(["Sexual exploitation", "Forced labour"]), "Other")
    yield "ageBroad", frame["majorityStatus"]
    yield "citizenship", frame["citizenship"].map(lambda c: "Paraguay" if c == "PRY" else ("Unknown" if c == "UNK" else "Foreign"))
    yield "dataSource", frame["dataSource"].map(lambda s: "Several institutions" if "|" in s else "One institution")


def k_anonymize(frame: pd.DataFrame, k: int) -> tuple[pd.DataFrame, tuple[str, ...], int]:
    coarsened: list[str] = []
    qis = list(QUASI_IDENTIFIERS) + ["isIctRecruitment", "isIctExploitation"]

    def small_groups(f: pd.DataFrame) -> pd.Series:
        sizes = f.groupby(qis, dropna=False)["yearOfRegistration"].transform("size")
        return sizes < k

    for column, coarser in _coarsening_steps(frame):
        if not small_groups(frame).any():
            break
        frame = frame.assign(**{column: coarser})
        coarsened.append(column)
    small = small_groups(frame)
    if small.any():
        # Local suppression: the quasi-identifiers of records still in small groups are blanked
        # (the ICT flags, the point of the export, are kept); whatever is still alone goes.
        frame = frame.copy()
        frame.loc[small, list(QUASI_IDENTIFIERS)] = "Suppressed"
        coarsened.append("local suppression")
        small = small_groups(frame)
    return frame.loc[~small], tuple(coarsened), int(small.sum())


def export_htcds(conn: sa.Connection, year: int, out: Path, k: int) -> ExportResult:
    frame, coarsened, dropped = k_anonymize(_frame(conn, year), k)
    frame = frame.drop(columns=["_region", "_recruitment_is_ict"]).sample(frac=1, random_state=secrets.randbits(32))
    frame.insert(0, "recordId", [f"OBS-{year}-{i:05d}" for i in range(1, len(frame) + 1)])
    out.parent.mkdir(parents=True, exist_ok=True)
    # QUOTE_ALL and no value starts with = + - @: nothing re-emerges as a spreadsheet formula.
    frame.to_csv(out, index=False, quoting=csv.QUOTE_ALL)
    codebook = out.with_suffix(".codebook.md")
    codebook.write_text(_codebook(year, k, coarsened, dropped, len(frame)), encoding="utf-8")
    return ExportResult(out, codebook, len(frame), dropped, coarsened)


def _codebook(year: int, k: int, coarsened: tuple[str, ...], dropped: int, rows: int) -> str:
    return f"""# Observatorio — HTCDS export {year}: codebook

One row per victim (person) first detected in {year} by MP, PN, MINNA or MINMUJER, deduplicated across
institutions by keyed-pseudonym linkage. No name, document, phone, handle, birth date or narrative.
Field names follow the CTDC global dataset codebook (an implementation of IOM's HTCDS); check them
against the official HTCDS v2.0 template before exchanging.

Disclosure control: every combination of quasi-identifiers is shared by at least k = {k} records.
Coarsened for this export: {", ".join(coarsened) or "nothing"}. Records dropped (groups still below k): {dropped}.
Rows: {rows}. `recordId` is fresh per export and links to nothing.

| field | meaning |
| --- | --- |
| recordId | export-local id |
| yearOfRegistration | year of first detection |
| Department | INE department code (00 Asunción … 17 Alto Paraguay, 99 unknown), or region when coarsened |
| gender | Female / Male / Other / Unknown |
| ageBroad | age band at first detection (CTDC bands approximated), or Minor/Adult when coarsened |
| majorityStatus | Minor / Adult / Unknown |
| citizenship | ISO 3166-1 alpha-3 (UNK unknown, OTH other), or Paraguay/Foreign when coarsened |
| CountryOfExploitation | ISO alpha-3, or Paraguay/Abroad when coarsened |
| typeOfExploitConcatenated | HTCDS TypeOfExploitation |
| recruitmentMethod | HTCDS MethodOfRecruitment, or Online/Offline when coarsened |
| isIctRecruitment | 1 ICT used to recruit, 0 not, blank unknown |
| isIctExploitation | 1 ICT used to exploit, 0 not, blank unknown |
| dataSource | institutions that recorded the person (capture history) |
"""
