"""ICT use at recruitment and at exploitation, per record and per person.

A record's status (codelists `ict_status`) comes from its structured fields first and then
from its narrative, read by `narrative.read_narrative` in memory:

- structured: the agency's explicit stage flags (`ict_recruitment`, `ict_exploitation`), the
  recruitment method (codelists `recruitment_method.is_ict`), platforms named in structured
  fields (a platform without a stage is taken as the contact channel, i.e. recruitment),
  and forms of exploitation that are ICT by definition (sextortion and child sexual abuse
  material are exploitation through ICT, "recorded sexual exploitation"; online grooming is
  recruitment). A form of exploitation never overrides the agency's explicit "no" flag.
- narrative: adds what the structured fields did not say. Positive evidence for a stage wins
  over negative evidence for it from any source (a structured "job offer" does not contradict
  a narrative saying the offer came through TikTok).

Status: BOTH / RECRUITMENT / EXPLOITATION when a stage is known to be ICT; NONE when some
evidence says ICT was not used and none says it was; UNKNOWN when nothing is said either way
(unknown is never "no"). The evidence source is `structured` when a structured field carries
the decisive evidence, `narrative` when only the narrative does, `none` for UNKNOWN.

Returned and storable: codes and evidence sources. Never returned: any narrative text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.narrative import EXPLOITATION, RECRUITMENT, read_narrative

# codelists.yaml recruitment_method.is_ict (checked against the YAML by the tests).
RECRUITMENT_METHOD_IS_ICT: dict[str, bool | None] = {
    "SOCIAL_MEDIA": True,
    "MESSAGING_APP": True,
    "ONLINE_JOB_OFFER": True,
    "WEBSITE": True,
    "DATING_APP": True,
    "ONLINE_GAME": True,
    "JOB_OFFER": False,
    "IN_PERSON": False,
    "FAMILY_OR_PARTNER": False,
    "EMPLOYMENT_AGENCY": False,
    "OTHER": None,
    "UNKNOWN": None,
}
# Forms of exploitation (codelists `exploitation`) that are ICT use at a stage by definition.
EXPLOITATION_ICT_STAGE: dict[str, str] = {
    "SEXTORTION": EXPLOITATION,
    "ONLINE_SEXUAL_EXPLOITATION": EXPLOITATION,
    "GROOMING": RECRUITMENT,
}
ICT_STATUSES = ("RECRUITMENT", "EXPLOITATION", "BOTH", "NONE", "UNKNOWN")
ICT_LINKED = frozenset({"RECRUITMENT", "EXPLOITATION", "BOTH"})
STRUCTURED, NARRATIVE, NO_EVIDENCE = "structured", "narrative", "none"
UNSPECIFIED_STAGE = "UNSPECIFIED"


@dataclass(frozen=True, slots=True)
class PlatformUse:
    platform: str  # codelists platform
    stage: str  # RECRUITMENT, EXPLOITATION or UNSPECIFIED
    source: str  # structured / narrative


@dataclass(frozen=True, slots=True)
class StageEvidence:
    value: bool | None  # True: ICT used; False: not used; None: unknown
    source: str  # structured / narrative / none


@dataclass(frozen=True, slots=True)
class IctAssessment:
    status: str
    evidence_source: str
    recruitment: StageEvidence
    exploitation: StageEvidence
    platforms: tuple[PlatformUse, ...]

    @property
    def is_ict_linked(self) -> bool | None:
        if self.status in ICT_LINKED:
            return True
        return False if self.status == "NONE" else None

    def platforms_json(self) -> list[dict[str, str]]:
        """The `platforms` column of the staging table."""
        return [{"platform": p.platform, "stage": p.stage, "source": p.source} for p in self.platforms]


def _structured_stages(record: VictimRecord) -> tuple[bool | None, bool | None]:
    recruitment = record.ict_recruitment
    exploitation = record.ict_exploitation
    method = RECRUITMENT_METHOD_IS_ICT.get(record.recruitment_method_code)
    if method is not None and recruitment is not True:
        recruitment = True if method else (False if recruitment is None else recruitment)
    for code in record.exploitation_codes:
        stage = EXPLOITATION_ICT_STAGE.get(code)
        if stage == RECRUITMENT and recruitment is not False:
            recruitment = True
        elif stage == EXPLOITATION and exploitation is not False:
            exploitation = True
    if record.platform_codes and recruitment is not True and exploitation is not True:
        recruitment = True
    return recruitment, exploitation


def _structured_platform_stage(recruitment: bool | None, exploitation: bool | None) -> str:
    if recruitment is True and exploitation is not True:
        return RECRUITMENT
    if exploitation is True and recruitment is not True:
        return EXPLOITATION
    return UNSPECIFIED_STAGE


def _combine(structured: bool | None, narrative: bool | None) -> StageEvidence:
    if structured is True:
        return StageEvidence(True, STRUCTURED)
    if narrative is True:
        return StageEvidence(True, NARRATIVE)
    if structured is False:
        return StageEvidence(False, STRUCTURED)
    if narrative is False:
        return StageEvidence(False, NARRATIVE)
    return StageEvidence(None, NO_EVIDENCE)


def _status(recruitment: StageEvidence, exploitation: StageEvidence) -> tuple[str, str]:
    if recruitment.value and exploitation.value:
        sources = {recruitment.source, exploitation.source}
        return "BOTH", STRUCTURED if STRUCTURED in sources else NARRATIVE
    if recruitment.value:
        return "RECRUITMENT", recruitment.source
    if exploitation.value:
        return "EXPLOITATION", exploitation.source
    negatives = [e.source for e in (recruitment, exploitation) if e.value is False]
    if negatives:
        return "NONE", STRUCTURED if STRUCTURED in negatives else NARRATIVE
    return "UNKNOWN", NO_EVIDENCE


def classify_record(record: VictimRecord) -> IctAssessment:
    """ICT status, stage evidence and platforms of one record."""
    structured_recruitment, structured_exploitation = _structured_stages(record)
    reading = read_narrative(record.narrative)
    recruitment = _combine(structured_recruitment, reading.recruitment)
    exploitation = _combine(structured_exploitation, reading.exploitation)
    status, source = _status(recruitment, exploitation)

    platforms: dict[tuple[str, str], str] = {}
    structured_stage = _structured_platform_stage(structured_recruitment, structured_exploitation)
    for code in record.platform_codes:
        platforms.setdefault((code, structured_stage), STRUCTURED)
    for code, stage in reading.platforms:
        if (code, UNSPECIFIED_STAGE) not in platforms:
            platforms.setdefault((code, stage), NARRATIVE)
    uses = tuple(PlatformUse(code, stage, src) for (code, stage), src in sorted(platforms.items()))
    return IctAssessment(status, source, recruitment, exploitation, uses)


def person_status(statuses: Iterable[str]) -> str:
    """A person's ICT status from their records' statuses.

    ICT-linked if any record is (stages combined across records); NONE if some record is
    known not to be and none is linked; UNKNOWN only when every record is unknown.
    """
    seen = set(statuses)
    unknown_codes = seen - set(ICT_STATUSES)
    if unknown_codes:
        raise ValueError(f"códigos de estado TIC desconocidos: {sorted(unknown_codes)}")
    recruitment = bool(seen & {"RECRUITMENT", "BOTH"})
    exploitation = bool(seen & {"EXPLOITATION", "BOTH"})
    if recruitment and exploitation:
        return "BOTH"
    if recruitment:
        return "RECRUITMENT"
    if exploitation:
        return "EXPLOITATION"
    return "NONE" if "NONE" in seen else "UNKNOWN"
