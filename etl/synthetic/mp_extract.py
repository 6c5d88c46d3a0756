"""MP (Ministerio Público) monthly extract: cp1252 `;` CSV, CRLF, optional `TOTAL;<n>` footer.

One row per (case, victim); the victims of one case share `NRO_CAUSA` and the case columns.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from etl.synthetic import names, narratives, places, platforms
from etl.synthetic.identity import write_name
from etl.synthetic.months import age_on, day_month_year
from etl.synthetic.population import Case, Person
from etl.synthetic.rendering import KeyedEncounter, RenderContext, RenderedRecord
from etl.synthetic.spelling import format_ci, format_phone
from etl.synthetic.weighted import UniformSource, Weighted, pick

COLUMNS: tuple[str, ...] = (
    "NRO_CAUSA",
    "FECHA_INGRESO",
    "FECHA_HECHO",
    "UNIDAD_FISCAL",
    "DEPARTAMENTO_HECHO",
    "DISTRITO_HECHO",
    "HECHO_PUNIBLE",
    "ETAPA_PROCESAL",
    "VICTIMA_NOMBRES",
    "VICTIMA_APELLIDOS",
    "VICTIMA_DOC_TIPO",
    "VICTIMA_DOC_NRO",
    "VICTIMA_FECHA_NAC",
    "VICTIMA_EDAD",
    "VICTIMA_SEXO",
    "VICTIMA_NACIONALIDAD",
    "VICTIMA_TELEFONO",
    "MEDIO_CAPTACION",
    "PAIS_DESTINO",
    "RELATO",
    "FISCAL",
)
OFFENCES: tuple[str, ...] = (
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL",
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION LABORAL",
    "TRATA DE PERSONAS CON FINES DE SERVIDUMBRE",
    "PROXENETISMO",
    "RUFIANERIA",
    "PORNOGRAFIA RELATIVA A NIÑOS Y ADOLESCENTES",
    "EXPLOTACION SEXUAL DE NIÑOS Y ADOLESCENTES",
    "COACCION SEXUAL",
)
STAGE_CHAIN: tuple[str, ...] = ("DENUNCIA", "INVESTIGACION", "IMPUTACION", "ACUSACION", "JUICIO ORAL")
OUTCOMES: tuple[str, ...] = (
    "SENTENCIA CONDENATORIA",
    "SENTENCIA ABSOLUTORIA",
    "SOBRESEIMIENTO",
    "DESESTIMACION",
    "SALIDA ALTERNATIVA",
)
STAGES: tuple[str, ...] = STAGE_CHAIN + OUTCOMES
RECRUITMENT_CODES: tuple[str, ...] = (
    "REDES SOCIALES",
    "FACEBOOK",
    "WHATSAPP",
    "INSTAGRAM",
    "TIK TOK",
    "TELEGRAM",
    "PAGINA WEB",
    "OFERTA LABORAL",
    "OFERTA LABORAL EN INTERNET",
    "PERSONALMENTE",
    "FAMILIAR",
    "PAREJA",
    "NO CONSTA",
)
DOCUMENT_TYPES: tuple[str, ...] = ("CI", "PASAPORTE", "DNI", "SIN DOCUMENTO")
NATIONALITY: dict[str, str] = {"PRY": "PARAGUAYA", "BRA": "BRASILEÑA", "ARG": "ARGENTINA", "BOL": "BOLIVIANA"}
DESTINATION: dict[str, str] = {
    "PRY": "PARAGUAY",
    "ARG": "ARGENTINA",
    "ESP": "ESPAÑA",
    "BRA": "BRASIL",
    "ITA": "ITALIA",
    "CHL": "CHILE",
}

_UNITS: dict[str, str] = {
    "10": "UNIDAD ESPECIALIZADA N° 3 - CIUDAD DEL ESTE",
    "14": "UNIDAD ESPECIALIZADA N° 3 - CIUDAD DEL ESTE",
    "07": "UNIDAD ESPECIALIZADA N° 4 - ENCARNACION",
    "08": "UNIDAD ESPECIALIZADA N° 4 - ENCARNACION",
    "13": "UNIDAD ESPECIALIZADA N° 5 - PEDRO JUAN CABALLERO",
}
_ASUNCION_UNITS = ("UNIDAD ESPECIALIZADA N° 1 - ASUNCION", "UNIDAD ESPECIALIZADA N° 2 - ASUNCION")


_ADULT_SEXUAL_OFFENCES = Weighted(
    (
        ("TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL", 0.75),
        ("PROXENETISMO", 0.15),
        ("RUFIANERIA", 0.10),
    )
)
_FIRST_STAGE = Weighted(((0, 0.35), (1, 0.55), (2, 0.10)))
_OUTCOMES = Weighted(
    (
        ("SENTENCIA CONDENATORIA", 0.45),
        ("SENTENCIA ABSOLUTORIA", 0.12),
        ("SOBRESEIMIENTO", 0.18),
        ("DESESTIMACION", 0.1),
        ("SALIDA ALTERNATIVA", 0.15),
    )
)


def offence(case: Case, rng: UniformSource) -> str:
    form = case.form
    if form == "ONLINE_SEXUAL_EXPLOITATION":
        return "PORNOGRAFIA RELATIVA A NIÑOS Y ADOLESCENTES"
    if form == "SEXTORTION":
        return (
            "COACCION SEXUAL"
            if not case.minor_case or rng.random() < 0.4
            else "PORNOGRAFIA RELATIVA A NIÑOS Y ADOLESCENTES"
        )
    if form in ("CHILD_SEXUAL_EXPLOITATION", "GROOMING"):
        return pick(
            rng, ("EXPLOTACION SEXUAL DE NIÑOS Y ADOLESCENTES", "TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL")
        )
    if form == "SEXUAL_EXPLOITATION":
        return _ADULT_SEXUAL_OFFENCES.draw(rng)
    if form in ("FORCED_LABOUR", "CHILD_LABOUR"):
        return "TRATA DE PERSONAS CON FINES DE EXPLOTACION LABORAL"
    return "TRATA DE PERSONAS CON FINES DE SERVIDUMBRE"


def stage(case_rng: UniformSource, step: int) -> str:
    """Procedural stage at the `step`-th appearance of a case: later appearances move it on."""
    start = _FIRST_STAGE.draw(case_rng)
    outcome = _OUTCOMES.draw(case_rng)
    early_end = case_rng.random() < 0.08
    if step == 0 and early_end:
        return pick(case_rng, ("DESESTIMACION", "SOBRESEIMIENTO", "SALIDA ALTERNATIVA"))
    position = start + 2 * step
    return STAGE_CHAIN[position] if position < len(STAGE_CHAIN) else outcome


def _document(person: Person, rng: random.Random) -> tuple[str, str]:
    if person.ci_number is not None and rng.random() < 0.75:
        text = format_ci(person.ci_number, rng, dotted_share=0.4)
        if rng.random() < 0.01:  # two digits swapped when typing
            digits = list(text)
            i = rng.randrange(len(digits) - 1)
            if digits[i].isdigit() and digits[i + 1].isdigit():
                digits[i], digits[i + 1] = digits[i + 1], digits[i]
            text = "".join(digits)
        return "CI", text
    if person.foreign_document is not None and rng.random() < 0.7:
        return person.foreign_document
    if person.ci_number is not None and rng.random() < 0.1:
        return "CI", ""
    return "SIN DOCUMENTO", ""


class _CaseColumns:
    """Columns shared by all victims of a case in one file, stable across months where real."""

    def __init__(self, case: Case, step: int, context: RenderContext, rng: random.Random) -> None:
        case_rng = case.replay(0)  # fixed draws 0-6 are MP's
        self.unit = _UNITS.get(case.place.ine_dep_code) or pick(case_rng, _ASUNCION_UNITS)
        self.prosecutor = pick(case_rng, names.PROSECUTORS)
        self.offence = offence(case, case_rng)
        self.stage = stage(case_rng, step)
        self.department = places.mp_department(case.place.ine_dep_code)
        self.district = places.mp_district(case.place, rng)
        self.facts_date = day_month_year(case.facts_date) if rng.random() < 0.55 else ""
        self.recruitment = platforms.mp_recruitment_code(
            case.ict_recruitment, case.recruitment_platform, case.offline_method, rng
        )
        self.destination = DESTINATION[case.destination]


def _relato(case: Case, person: Person, written: str, age: int, rng: random.Random) -> str:
    facts = narratives.NarrativeFacts(
        full_name=written,
        sex=person.sex,
        age=age if rng.random() < 0.95 else None,
        district=places.typed_district(case.place, rng),
        minor=age < 18,
        phone=format_phone(person.phone, rng) if person.phone else None,
        ci=format_ci(person.ci_number, rng, 0.5) if person.ci_number else None,
        handle=person.handle,
    )
    text = narratives.compose("MP", case, facts, rng)
    roll = rng.random()
    if roll < 0.06:  # a line break typed inside the field
        text = text.replace(". ", ".\n", 1)
    elif roll < 0.14:
        text = text.replace(". ", "; ", 1)
    elif roll < 0.17:
        text = text.replace(" fue ", ' fue "rescatada" y ', 1) if person.sex == "F" else text
    return text


def render(keyed: Iterable[KeyedEncounter], context: RenderContext, rng: random.Random) -> list[RenderedRecord]:
    rows: list[RenderedRecord] = []
    shared: dict[tuple[int, int], _CaseColumns] = {}
    for item in sorted(keyed, key=lambda k: k.sort_key):
        encounter = item.encounter
        case, person = encounter.case, encounter.person
        columns = shared.get((case.case_index, encounter.episode))
        if columns is None:
            columns = _CaseColumns(case, encounter.mp_stage_step, context, rng)
            shared[(case.case_index, encounter.episode)] = columns
        name = write_name(person, rng, accent_share=0.35)
        age = age_on(person.birth_date, encounter.registration_date)
        birth, age_text = "", ""
        if rng.random() < 0.45:
            birth = day_month_year(person.birth_date)
        elif rng.random() < 0.92:
            age_text = str(age + (pick(rng, (-1, 1)) if rng.random() < 0.05 else 0))
        doc_type, doc_number = _document(person, rng)
        sex = "" if person.sex == "X" or rng.random() < 0.04 else person.sex
        phone = format_phone(person.phone, rng) if person.phone and rng.random() < 0.5 else ""
        values = (
            item.source_key,
            day_month_year(encounter.registration_date),
            columns.facts_date,
            columns.unit,
            columns.department,
            columns.district,
            columns.offence,
            columns.stage,
            name.given_text.upper(),
            name.surname_text.upper(),
            doc_type,
            doc_number,
            birth,
            age_text,
            sex,
            NATIONALITY[person.nationality],
            phone,
            columns.recruitment,
            columns.destination,
            _relato(case, person, name.full, age, rng),
            columns.prosecutor,
        )
        rows.append(RenderedRecord(values, person.person_id, item.source_key, int(person.is_ict)))
    return rows


ENCODING = "cp1252"
# `;`-separated, double-quoted when needed, CRLF line ends: as MP's system exports.
CSV_FORMAT: dict[str, Any] = {
    "delimiter": ";",
    "quotechar": '"',
    "quoting": csv.QUOTE_MINIMAL,
    "lineterminator": "\r\n",
}


def write_footer(handle: TextIO, rows: int, rng: random.Random, always: bool = False) -> None:
    if always or rng.random() < 0.7:
        handle.write(f"TOTAL;{rows}\r\n")
    handle.write("\r\n" * pick(rng, (0, 0, 1, 2, 3)))


def write(path: Path, rows: list[RenderedRecord], rng: random.Random) -> None:
    with path.open("w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, **CSV_FORMAT)
        writer.writerow(COLUMNS)
        writer.writerows(row.values for row in rows)
        write_footer(handle, len(rows), rng)
