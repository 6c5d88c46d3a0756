"""MINNA (Ministerio de la Niñez y la Adolescencia) monthly extract: one JSON object with `casos`.

Only children (under 18 at intake). `entorno_digital` is missing in records exported by the
older system version; when present it never contradicts the truth but is often incomplete.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from etl.synthetic import narratives, places, platforms
from etl.synthetic.identity import write_name
from etl.synthetic.months import add_months, age_on, first_day
from etl.synthetic.population import Case, Person
from etl.synthetic.rendering import KeyedEncounter, RenderContext, RenderedRecord
from etl.synthetic.spelling import format_ci, format_phone
from etl.synthetic.weighted import between, pick

ENTRY_FIELDS: tuple[str, ...] = (
    "id_caso",
    "fecha_ingreso",
    "departamento_codigo",
    "distrito",
    "nna",
    "tipo_vulneracion",
    "derivaciones",
    "estado",
    "resumen",
)
CHILD_FIELDS: tuple[str, ...] = ("nombres", "apellidos", "documento", "fecha_nacimiento", "sexo", "nacionalidad")
DOCUMENT_TYPES: tuple[str, ...] = ("CI", "CERTIFICADO_NACIMIENTO", "SIN_DOCUMENTO")
SEXES: tuple[str, ...] = ("F", "M", "OTRO")
NATIONALITIES: tuple[str, ...] = ("PRY", "BRA", "ARG", "BOL")
VIOLATIONS: tuple[str, ...] = (
    "TRATA",
    "ESNNA",
    "GROOMING",
    "SEXTORSION",
    "PORNOGRAFIA_INFANTIL",
    "TRABAJO_INFANTIL",
    "CRIADAZGO",
)
PLATFORMS: tuple[str, ...] = platforms.MINNA_PLATFORMS + ("OTRA",)
STAGES: tuple[str, ...] = ("CAPTACION", "EXPLOTACION")
STATES: tuple[str, ...] = ("ABIERTO", "EN_SEGUIMIENTO", "CERRADO")
REFERRAL_INSTITUTIONS: tuple[str, ...] = ("MP", "PN")


def violations(case: Case, rng: random.Random) -> list[str]:
    form = case.form
    core = {
        "CHILD_SEXUAL_EXPLOITATION": ["ESNNA"],
        "SEXUAL_EXPLOITATION": ["ESNNA"],
        "ONLINE_SEXUAL_EXPLOITATION": ["ESNNA", "PORNOGRAFIA_INFANTIL"]
        if rng.random() < 0.6
        else ["PORNOGRAFIA_INFANTIL"],
        "SEXTORTION": ["ESNNA", "SEXTORSION"] if rng.random() < 0.5 else ["SEXTORSION"],
        "GROOMING": ["GROOMING"] if rng.random() < 0.6 else ["ESNNA", "GROOMING"],
        "CHILD_LABOUR": ["TRABAJO_INFANTIL"],
        "FORCED_LABOUR": ["TRABAJO_INFANTIL"],
        "CRIADAZGO": ["CRIADAZGO"],
        "DOMESTIC_SERVITUDE": ["CRIADAZGO"],
        "FORCED_MARRIAGE": ["TRATA"],
    }[form]
    if "TRATA" not in core and (case.destination != "PRY" or rng.random() < 0.45):
        core = ["TRATA", *core]
    return core


def _document(person: Person, rng: random.Random) -> dict[str, str | None]:
    if person.ci_number is not None and rng.random() < 0.85:
        return {"tipo": "CI", "numero": format_ci(person.ci_number, rng, dotted_share=0.6)}
    if person.birth_certificate is not None and rng.random() < 0.85:
        return {"tipo": "CERTIFICADO_NACIMIENTO", "numero": person.birth_certificate}
    return {"tipo": "SIN_DOCUMENTO", "numero": None}


def _sex(person: Person, rng: random.Random) -> str | None:
    if rng.random() < 0.02:
        return None
    return "OTRO" if person.sex == "X" else person.sex


def _digital(case: Case, rng: random.Random) -> dict[str, Any]:
    if case.ict_stage == "NONE":
        known = rng.random() < 0.7
        return {"hubo_contacto_digital": False if known else None, "plataformas": [], "etapas": []}
    if rng.random() < 0.15:
        return {"hubo_contacto_digital": None, "plataformas": [], "etapas": []}
    named: list[str] = []
    for platform in (case.recruitment_platform, case.exploitation_platform):
        if platform and rng.random() < 0.85:
            code = platforms.minna_platform(platform)
            if code not in named:
                named.append(code)
    if case.ict_recruitment and rng.random() < 0.1:
        extra = "WHATSAPP"  # contact moved to WhatsApp after the first approach, as it often does
        if extra not in named:
            named.append(extra)
    stages = [s for s, used in (("CAPTACION", case.ict_recruitment), ("EXPLOTACION", case.ict_exploitation)) if used]
    if len(stages) == 2 and rng.random() < 0.25:
        stages = stages[:1]  # recorded incompletely, never wrongly
    if rng.random() < 0.1:
        stages = []
    return {"hubo_contacto_digital": True, "plataformas": named, "etapas": stages}


def _referrals(case: Case, intake: dt.date, context: RenderContext, rng: random.Random) -> list[dict[str, str]]:
    recorded = context.case_institutions.get(case.case_index, ())
    out = []
    for institution, share in (("MP", 0.8), ("PN", 0.3)):
        if institution in recorded and rng.random() < share:
            out.append(
                {"institucion": institution, "fecha": (intake + dt.timedelta(days=between(rng, 0, 5))).isoformat()}
            )
    return out


def _entry(item: KeyedEncounter, context: RenderContext, rng: random.Random) -> dict[str, Any]:
    encounter = item.encounter
    case, person = encounter.case, encounter.person
    name = write_name(person, rng, accent_share=0.85, drop_second_given=0.08)
    given, surnames = name.given_text, name.surname_text
    if rng.random() < 0.1:
        given, surnames = given.upper(), surnames.upper()
    age = age_on(person.birth_date, encounter.registration_date)
    district = places.typed_district(case.place, rng)
    facts = narratives.NarrativeFacts(
        full_name=name.full,
        sex=person.sex,
        age=age,
        district=district,
        minor=True,
        phone=format_phone(person.phone, rng) if person.phone else None,
        ci=format_ci(person.ci_number, rng, 0.6) if person.ci_number else None,
        handle=person.handle,
    )
    entry: dict[str, Any] = {
        "id_caso": item.source_key,
        "fecha_ingreso": encounter.registration_date.isoformat(),
        "departamento_codigo": case.place.ine_dep_code,
        "distrito": district,
        "nna": {
            "nombres": given,
            "apellidos": surnames,
            "documento": _document(person, rng),
            "fecha_nacimiento": person.birth_date.isoformat() if rng.random() < 0.8 else None,
            "sexo": _sex(person, rng),
            "nacionalidad": person.nationality,
        },
        "tipo_vulneracion": violations(case, rng),
        "derivaciones": _referrals(case, encounter.registration_date, context, rng),
        "estado": pick(rng, STATES),
        "resumen": narratives.compose("MINNA", case, facts, rng),
    }
    if rng.random() >= context.legacy_share:
        entry["entorno_digital"] = _digital(case, rng)
    return entry


def render(keyed: Iterable[KeyedEncounter], context: RenderContext, rng: random.Random) -> list[RenderedRecord]:
    return [
        RenderedRecord(
            _entry(item, context, rng),
            item.encounter.person.person_id,
            item.source_key,
            int(item.encounter.person.is_ict),
        )
        for item in sorted(keyed, key=lambda k: k.sort_key)
    ]


def generated_at(period: str, rng: random.Random) -> str:
    """Export timestamp: a few days after the month closes, during office hours (never 'now')."""
    day = first_day(add_months(period, 1)) + dt.timedelta(days=between(rng, 1, 6))
    return f"{day.isoformat()}T{between(rng, 8, 17):02d}:{pick(rng, (0, 15, 30, 45)):02d}:00-03:00"


def write(path: Path, period: str, rows: list[RenderedRecord], rng: random.Random) -> None:
    document = {
        "institucion": "MINNA",
        "periodo": period,
        "generado": generated_at(period, rng),
        "casos": [row.values for row in rows],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
