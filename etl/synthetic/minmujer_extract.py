"""MINMUJER (Ministerio de la Mujer) monthly extract: UTF-8 `,` CSV of adult women attended.

The ministry records initials, not names, and numeric codes for the form of exploitation and
the recruitment channel.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path

from etl.synthetic import places, platforms
from etl.synthetic.identity import write_name
from etl.synthetic.months import age_on
from etl.synthetic.population import LABOUR_FORMS, SERVITUDE_FORMS, Case, Person
from etl.synthetic.rendering import KeyedEncounter, RenderContext, RenderedRecord
from etl.synthetic.weighted import between, pick

COLUMNS: tuple[str, ...] = (
    "codigo_atencion",
    "fecha_primera_atencion",
    "iniciales",
    "documento",
    "edad",
    "nacionalidad",
    "departamento_origen",
    "forma_explotacion",
    "medio_captacion",
    "plataforma",
    "explotacion_en_linea",
    "pais_explotacion",
    "tipo_ingreso",
    "servicios",
)
EXPLOITATION_FORMS: tuple[str, ...] = ("1", "2", "3", "4", "5")
RECRUITMENT_CODES: tuple[str, ...] = ("01", "02", "03", "04", "05", "06", "07", "08", "99")
ONLINE_EXPLOITATION: tuple[str, ...] = ("SI", "NO", "NS")
INTAKE_TYPES: tuple[str, ...] = ("DERIVACION MP", "DERIVACION PN", "DEMANDA ESPONTANEA", "CONSULADO", "OTRO")
SERVICES: tuple[str, ...] = ("PSICOLOGICO", "JURIDICO", "SOCIAL", "SALUD", "ALBERGUE", "REINSERCION")

_NATIONALITY: dict[str, tuple[str, ...]] = {
    "PRY": ("paraguaya", "Paraguaya", "Paraguay", "PARAGUAYA", "py"),
    "BRA": ("brasilera", "Brasileña", "Brasil"),
    "ARG": ("argentina", "Argentina"),
    "BOL": ("Boliviana", "boliviana", "Bolivia"),
}
_COUNTRY: dict[str, tuple[str, str]] = {
    "PRY": ("Paraguay", "PY"),
    "ARG": ("Argentina", "AR"),
    "ESP": ("España", "ES"),
    "BRA": ("Brasil", "BR"),
    "ITA": ("Italia", "IT"),
    "CHL": ("Chile", "CL"),
}


def exploitation_code(case: Case) -> str:
    if case.form in LABOUR_FORMS:
        return "2"
    if case.form in SERVITUDE_FORMS:
        return "3"
    if case.form == "FORCED_MARRIAGE":
        return "4"
    if case.form in ("SEXUAL_EXPLOITATION", "SEXTORTION", "CHILD_SEXUAL_EXPLOITATION", "ONLINE_SEXUAL_EXPLOITATION"):
        return "1"
    return "5"


def _document(person: Person, rng: random.Random) -> str:
    if person.ci_number is not None and rng.random() < 0.45:
        return str(person.ci_number)
    if person.foreign_document is not None and rng.random() < 0.4:
        return person.foreign_document[1]
    return ""


def _platform(case: Case, rng: random.Random) -> str:
    if case.ict_recruitment and case.recruitment_platform and rng.random() < 0.6:
        return platforms.minmujer_typed(case.recruitment_platform, rng)
    if case.ict_exploitation and case.exploitation_platform and rng.random() < 0.3:
        return platforms.minmujer_typed(case.exploitation_platform, rng)
    return ""


def _online_exploitation(case: Case, rng: random.Random) -> str:
    if case.ict_exploitation:
        return "SI" if rng.random() < 0.8 else "NS"
    return "NO" if rng.random() < 0.7 else "NS"


def _intake(case: Case, context: RenderContext, rng: random.Random) -> str:
    recorded = context.case_institutions.get(case.case_index, ())
    if "MP" in recorded and rng.random() < 0.75:
        return "DERIVACION MP"
    if "PN" in recorded and rng.random() < 0.7:
        return "DERIVACION PN"
    if case.destination != "PRY" and rng.random() < 0.5:
        return "CONSULADO"
    return "DEMANDA ESPONTANEA" if rng.random() < 0.75 else "OTRO"


def _services(rng: random.Random) -> str:
    return "|".join(rng.sample(SERVICES, k=between(rng, 1, 4)))


def render(keyed: Iterable[KeyedEncounter], context: RenderContext, rng: random.Random) -> list[RenderedRecord]:
    rows: list[RenderedRecord] = []
    for item in sorted(keyed, key=lambda k: k.sort_key):
        encounter = item.encounter
        case, person = encounter.case, encounter.person
        name = write_name(person, rng, accent_share=1.0, drop_second_given=0.2, typo_share=0.0)
        initials = name.initials()
        if rng.random() < 0.04:
            initials = initials.rstrip(".")
        age = age_on(person.birth_date, encounter.registration_date)
        country_name, country_code = _COUNTRY[case.destination]
        values = (
            item.source_key,
            encounter.registration_date.isoformat(),
            initials,
            _document(person, rng),
            str(age + (1 if rng.random() < 0.03 else 0)),
            pick(rng, _NATIONALITY[person.nationality]),
            places.minmujer_department(case.place.ine_dep_code, rng),
            exploitation_code(case),
            platforms.minmujer_medio(case.ict_recruitment, case.recruitment_platform, case.offline_method, rng),
            _platform(case, rng),
            _online_exploitation(case, rng),
            country_name if rng.random() < 0.6 else country_code,
            _intake(case, context, rng),
            _services(rng),
        )
        rows.append(RenderedRecord(values, person.person_id, item.source_key, int(person.is_ict)))
    return rows


def write(path: Path, rows: list[RenderedRecord]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(row.values for row in rows)
