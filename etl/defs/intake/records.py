"""The canonical victim record: what every institution's reader produces.

Readers turn four very different files into this one shape so that validation,
pseudonymization, ICT classification and loading never care which agency wrote the file.
Fields under "personal data" exist only in memory during one run: the privacy step turns
them into keyed tokens and the record object is then dropped. Nothing here is persisted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from etl.config import INSTITUTION_CODES

InstitutionCode = Literal["MP", "PN", "MINNA", "MINMUJER"]
INSTITUTIONS: tuple[str, ...] = INSTITUTION_CODES

# Where a derived code came from: the agency's structured field or the narrative text.
EvidenceSource = Literal["structured", "narrative"]


@dataclass(slots=True, repr=False)
class VictimRecord:
    # --- identity of the record in the agency's own file (not personal data) ---
    institution_code: str
    period: str  # "YYYY-MM", the month the file covers
    source_key: str  # NRO_CAUSA / N° Denuncia / id_caso / codigo_atencion
    source_row: int  # 1-based ordinal of the record in its file (blank rows and TOTAL footer not counted)
    registration_date: dt.date | None

    # --- coded attributes, already mapped to schemas/codelists.yaml codes ---
    facts_date: dt.date | None = None
    department_code: str | None = None  # INE "00".."17"; None = unknown
    district_name: str | None = None  # census spelling (districts_census2022.csv) or None
    sex_code: str = "U"  # F, M, X, U
    age_years: int | None = None  # at registration; derived from birth date when absent
    nationality_code: str = "UNK"  # ISO alpha-3, OTH, UNK
    exploitation_codes: list[str] = field(default_factory=list)  # codelists.exploitation
    recruitment_method_code: str = "UNKNOWN"  # codelists.recruitment_method
    # Platforms named in structured fields, codelists.platform
    platform_codes: list[str] = field(default_factory=list)
    # Structured ICT evidence: True/False/None (None = the agency did not say)
    ict_recruitment: bool | None = None
    ict_exploitation: bool | None = None
    justice_stage_code: str = "UNKNOWN"  # codelists.justice_stage
    exploitation_country_code: str = "UNK"  # ISO alpha-3, OTH, UNK

    # --- personal data: memory only, never persisted, logged or raised ---
    given_names: str | None = None
    surnames: str | None = None
    initials: str | None = None  # MINMUJER only, e.g. "M.J.G.B."
    document_type: str | None = None  # CI, PASSPORT, FOREIGN_ID, BIRTH_CERTIFICATE, NONE
    document_number: str | None = None
    birth_date: dt.date | None = None
    phone: str | None = None
    narrative: str | None = None  # RELATO / Observaciones / resumen

    def __repr__(self) -> str:
        # Never the personal fields: a repr can end up in a traceback, a log or a test report.
        return (
            f"VictimRecord({self.institution_code} {self.period} row {self.source_row}, "
            f"department={self.department_code}, sex={self.sex_code}, personal data hidden)"
        )

    def personal_values(self) -> list[str]:
        """Every personal value of the record, for leak scans in tests and asset checks."""
        values = [self.given_names, self.surnames, self.initials, self.document_number, self.phone]
        if self.birth_date:
            values.append(self.birth_date.isoformat())
        return [v for v in values if v]
