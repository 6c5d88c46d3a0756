"""PN (Policía Nacional) monthly extract: XLSX, sheet `Denuncias`, title block above the header.

One row per victim; the victims of one complaint share `N° Denuncia`. Dates are Excel date cells
or sometimes `dd/mm/yyyy` text; the CI is text (with or without dots) or a number; the age is a
number or text such as `17 años`. The same complaint is sometimes entered twice.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

from etl.synthetic import narratives, places, platforms
from etl.synthetic.identity import write_name
from etl.synthetic.months import age_on, day_month_year, parse_period
from etl.synthetic.population import Case, Person
from etl.synthetic.rendering import KeyedEncounter, RenderContext, RenderedRecord
from etl.synthetic.spelling import ci_with_dots, format_ci, format_phone
from etl.synthetic.weighted import between, pick
from etl.synthetic.xlsx import save_deterministic

SHEET = "Denuncias"
COLUMNS: tuple[str, ...] = (
    "N° Denuncia",
    "Fecha Denuncia",
    "Dependencia",
    "Departamento",
    "Ciudad",
    "Apellidos y Nombres de la Víctima",
    "C.I. N°",
    "Edad",
    "Sexo",
    "Nacionalidad",
    "Teléfono de contacto",
    "Medio / Red social utilizada",
    "Modalidad",
    "Estado",
    "Observaciones",
)
SEXES: tuple[str, ...] = ("Femenino", "Masculino", "F", "M")
MODALITIES: tuple[str, ...] = (
    "Explotación sexual",
    "Explotación laboral",
    "Trabajo forzoso",
    "Servidumbre",
    "Criadazgo",
    "Matrimonio forzado",
    "Sextorsión",
    "Grooming",
    "Pornografía infantil",
)
STATUSES: tuple[str, ...] = ("En investigación", "Remitido a Fiscalía", "Archivado")
MEDIA: tuple[str, ...] = (
    "Facebook",
    "FB",
    "Face",
    "WhatsApp",
    "Wsp",
    "Instagram",
    "Insta",
    "TikTok",
    "Telegram",
    "Messenger",
    "Tinder",
    "Free Fire",
    "Presencial",
    "No",
)
NATIONALITY: dict[str, str] = {"PRY": "Paraguaya", "BRA": "Brasileña", "ARG": "Argentina", "BOL": "Boliviana"}

_UNIT_TOWN: dict[str, str] = {
    "00": "Metropolitana",
    "11": "Central",
    "10": "Ciudad del Este",
    "07": "Encarnación",
    "13": "Pedro Juan Caballero",
}


def modality(case: Case, rng: random.Random) -> str:
    form = case.form
    if form in ("SEXUAL_EXPLOITATION", "CHILD_SEXUAL_EXPLOITATION"):
        return "Explotación sexual"
    if form == "ONLINE_SEXUAL_EXPLOITATION":
        return "Pornografía infantil"
    if form == "SEXTORTION":
        return "Sextorsión"
    if form == "GROOMING":
        return pick(rng, ("Grooming", "Grooming", "Explotación sexual"))
    if form in ("FORCED_LABOUR", "CHILD_LABOUR"):
        return pick(rng, ("Explotación laboral", "Trabajo forzoso"))
    if form == "CRIADAZGO":
        return pick(rng, ("Criadazgo", "Criadazgo", "Servidumbre"))
    if form == "DOMESTIC_SERVITUDE":
        return "Servidumbre"
    return "Matrimonio forzado"


def _medium(case: Case, rng: random.Random) -> str | None:
    """PN's typed medium, never contradicting the truth; often blank."""
    if case.ict_recruitment:
        typed = platforms.pn_typed(case.recruitment_platform or "", rng)
        return typed if typed and rng.random() < 0.65 else None
    if case.ict_exploitation:
        typed = platforms.pn_typed(case.exploitation_platform or "", rng)
        if typed and rng.random() < 0.45:
            return typed
        return "Presencial" if rng.random() < 0.15 else None
    roll = rng.random()
    return "Presencial" if roll < 0.35 else "No" if roll < 0.5 else None


def _ci_cell(person: Person, rng: random.Random) -> str | int | None:
    # The column is for the Paraguayan cédula only: foreigners' documents are left out of it.
    if person.ci_number is not None and rng.random() < 0.55:
        roll = rng.random()
        if roll < 0.4:
            return ci_with_dots(person.ci_number)
        if roll < 0.65:
            return str(person.ci_number)
        return person.ci_number
    return None


def _age_cell(age: int, rng: random.Random) -> str | int | None:
    roll = rng.random()
    if roll < 0.55:
        return age
    if roll < 0.85:
        return f"{age} años"
    return None


def _sex_cell(person: Person, rng: random.Random) -> str | None:
    if person.sex == "X" or rng.random() < 0.03:
        return None
    long_form = rng.random() < 0.5
    if person.sex == "F":
        return "Femenino" if long_form else "F"
    return "Masculino" if long_form else "M"


def _unit(case: Case, context: RenderContext) -> str:
    case_rng = case.replay(7)  # fixed draws 7-8 are PN's
    if case_rng.random() < 0.4:
        return "Dpto. Trata de Personas"
    town = _UNIT_TOWN.get(case.place.ine_dep_code) or places.department_name(case.place.ine_dep_code)
    return f"Comisaría {between(case_rng, 1, 12)}ª {town}"


def _status(case: Case, context: RenderContext, rng: random.Random) -> str:
    referred = "MP" in context.case_institutions.get(case.case_index, ())
    if referred and rng.random() < 0.7:
        return "Remitido a Fiscalía"
    return pick(rng, ("En investigación", "En investigación", "Archivado", "Remitido a Fiscalía"))


def _observations(case: Case, person: Person, given: str, surnames: str, age: int, rng: random.Random) -> str:
    facts = narratives.NarrativeFacts(
        full_name=f"{given} {surnames}",
        sex=person.sex,
        age=age,
        district=places.typed_district(case.place, rng),
        minor=age < 18,
        phone=format_phone(person.phone, rng) if person.phone else None,
        ci=format_ci(person.ci_number, rng, 0.6) if person.ci_number else None,
        handle=person.handle,
    )
    return narratives.compose("PN", case, facts, rng)


def render(keyed: Iterable[KeyedEncounter], context: RenderContext, rng: random.Random) -> list[RenderedRecord]:
    rows: list[RenderedRecord] = []
    complaint_cells: dict[str, tuple] = {}
    for item in sorted(keyed, key=lambda k: k.sort_key):
        encounter = item.encounter
        case, person = encounter.case, encounter.person
        shared = complaint_cells.get(item.source_key)
        if shared is None:
            date_cell: dt.date | str = encounter.registration_date
            if rng.random() < 0.15:
                date_cell = day_month_year(encounter.registration_date)
            shared = (
                date_cell,
                _unit(case, context),
                places.pn_department(case.place.ine_dep_code, rng),
                places.typed_district(case.place, rng),
                modality(case, rng),
                _status(case, context, rng),
            )
            complaint_cells[item.source_key] = shared
        date_cell, unit, department, city, modality_text, status = shared
        name = write_name(person, rng, accent_share=0.8)
        given = name.given_text.upper() if rng.random() < 0.05 else name.given_text
        age = age_on(person.birth_date, encounter.registration_date)
        values = (
            item.source_key,
            date_cell,
            unit,
            department,
            city,
            f"{name.surname_text.upper()}, {given}",
            _ci_cell(person, rng),
            _age_cell(age, rng),
            _sex_cell(person, rng),
            NATIONALITY[person.nationality],
            format_phone(person.phone, rng) if person.phone and rng.random() < 0.45 else None,
            _medium(case, rng),
            modality_text,
            status,
            _observations(case, person, name.given_text, name.surname_text, age, rng),
        )
        record = RenderedRecord(values, person.person_id, item.source_key, int(person.is_ict))
        rows.append(record)
        if rng.random() < 0.03:  # the same complaint typed in twice
            rows.append(record)
    return rows


def _title_block(period: str, rng: random.Random) -> list[list[str | None]]:
    year, month = parse_period(period)
    block: list[list[str | None]] = [["POLICÍA NACIONAL"], ["DEPARTAMENTO DE INVESTIGACIÓN DE TRATA DE PERSONAS"]]
    if rng.random() < 0.3:
        block.insert(1, ["COMANDANCIA - DIRECCIÓN DE APOYO TÉCNICO"])
    block.append([f"Denuncias registradas - {month:02d}/{year}"])
    if rng.random() < 0.6:
        block.append([])
    return block


def write(path: Path, period: str, rows: list[RenderedRecord], rng: random.Random) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    for line in _title_block(period, rng):
        sheet.append(line)
    sheet.append(list(COLUMNS))
    for _ in range(pick(rng, (0, 0, 1, 1, 2))):
        sheet.append([])
    for row in rows:
        sheet.append(list(row.values))
        date_cell = sheet.cell(row=sheet.max_row, column=2)
        if isinstance(date_cell.value, dt.date | dt.datetime):
            date_cell.number_format = "dd/mm/yyyy"
    save_deterministic(workbook, path, period)
