"""From canonical records (personal data, in memory) to staging rows (tokens and codes only).

This is the one place where personal values are turned into what the warehouse keeps: keyed
match tokens, a keyed case key, coarse birth-year ranges for linkage, and codes. The
narrative is read by the ICT classifier here and never leaves this function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.ict import IctAssessment, classify_record
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.pseudonym import source_key_pseudonym
from etl.defs.privacy.tokens import KIND_NAMES, tokenize
from warehouse.codelists import codelists

STAGING_COLUMNS = (
    "extract_id", "source_row", "institution_code", "period_code", "source_key_token", "key_id",
    "registration_date", "department_code", "district_name", "sex_code", "age_years", "age_band_code",
    "birth_year_min", "birth_year_max", "nationality_code", "exploitation_codes", "recruitment_method_code",
    "ict_status_code", "ict_evidence_source", "platforms", "has_transfer_stage", "justice_stage_code",
    "exploitation_country_code",
)
TOKEN_COLUMNS = ("extract_id", "source_row", "token_kind", "token", "key_id")
UNKNOWN_DEPARTMENT = "99"


def age_band(age: int | None) -> str:
    if age is None:
        return "UNKNOWN"
    for code, band in codelists()["age_band"].items():
        if band["age_min"] is not None and band["age_min"] <= age <= band["age_max"]:
            return code
    return "UNKNOWN"


@dataclass(frozen=True)
class StagedExtract:
    rows: list[tuple[Any, ...]]
    tokens: list[tuple[Any, ...]]
    ict_linked: int
    ict_known: int


def stage_records(
    records: Sequence[VictimRecord], extract_id: int, keyring: Keyring,
    assessments: Sequence[IctAssessment] | None = None,
) -> StagedExtract:
    """Staging rows and match tokens of the records. `assessments`: their ICT classification made
    beforehand (`classify_record`, one per record, same order), so that the narratives need not
    come along; by default each record is classified here."""
    if assessments is not None and len(assessments) != len(records):
        raise ValueError("stage_records: una clasificación TIC por registro")
    rows: list[tuple[Any, ...]] = []
    tokens: list[tuple[Any, ...]] = []
    linked = known = 0
    # Digests of this batch's messages (names repeat): personal, so it dies with this call.
    memo: dict[bytes, bytes] = {}
    key_id = keyring.key_id
    for position, record in enumerate(records):
        case_key = source_key_pseudonym(keyring, record.institution_code, record.source_key)
        tokenized = tokenize(record, keyring, source_key=case_key.value, memo=memo)
        ict = classify_record(record) if assessments is None else assessments[position]
        linked += ict.is_ict_linked is True
        known += ict.is_ict_linked is not None
        features = tokenized.features
        rows.append(
            (
                extract_id, record.source_row, record.institution_code, record.period, case_key.value,
                keyring.key_id, record.registration_date, record.department_code or UNKNOWN_DEPARTMENT,
                record.district_name, record.sex_code, record.age_years, age_band(record.age_years),
                features.birth_year_min, features.birth_year_max, record.nationality_code,
                list(record.exploitation_codes) or ["UNKNOWN"], record.recruitment_method_code, ict.status,
                ict.evidence_source, _json(ict.platforms_json()), has_transfer_stage(record, ict), record.justice_stage_code,
                record.exploitation_country_code,
            )
        )
        # `tokenize` keeps each digest once, so (kind, token) is unique per record as the key wants.
        hexed, row_number = tokenized.values.hex(), record.source_row
        tokens.extend(
            (extract_id, row_number, KIND_NAMES[kind], hexed[16 * i: 16 * i + 16], key_id)
            for i, kind in enumerate(tokenized.kinds)
        )
    memo.clear()
    return StagedExtract(rows, tokens, linked, known)


def has_transfer_stage(record: VictimRecord, ict) -> bool | None:
    """Whether the victim was moved (TEDIC: ICT can remove the transfer stage).

    No extract records the transfer as a field, so it is derived conservatively: exploited in
    another country means moved; exploited through ICT while in Paraguay (online exploitation)
    means no transfer was needed; anything else stays unknown, never "no".
    """
    country = record.exploitation_country_code
    if country not in ("PRY", "UNK", "OTH", None):
        return True
    if country == "PRY" and ict.exploitation.value is True:
        return False
    return None


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
