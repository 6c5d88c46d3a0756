"""Throwaway readers of the shared agency samples, for measuring linkage and ICT on them.

The product's readers live in etl/defs/intake (written separately); these exist so the
privacy core can be measured against samples/truth_records.csv independently of them.
They map each agency's fields the way the extract contract (README) describes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.normalize import fold, police_name
from warehouse.reference import departments

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "agency-extracts" / "samples"


def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        raise FileNotFoundError(f"shared agency samples not found at {SAMPLES.resolve()}")
    return SAMPLES


def _department_codes() -> dict[str, str]:
    codes = {fold(row["name"]): row["ine_code"] for row in departments()}
    codes.update({"CAPITAL": "00", "ASUNCION": "00"})
    return codes


DEPARTMENTS = _department_codes()


def department(text: str | None) -> str | None:
    return DEPARTMENTS.get(fold(text)) if text else None


def _date_dmy(text: str | None) -> dt.date | None:
    if not text or not text.strip():
        return None
    day, month, year = (int(p) for p in text.strip().split("/"))
    return dt.date(year, month, day)


def _iso(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    match = re.search(r"\d+", str(value))
    return int(match.group()) if match else None


def _age_at(birth: dt.date | None, on: dt.date | None) -> int | None:
    if birth is None or on is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _sex(text: str | None) -> str:
    folded = fold(text or "")
    return {"F": "F", "FEMENINO": "F", "M": "M", "MASCULINO": "M", "OTRO": "X"}.get(folded, "U")


PLATFORM_ALIASES = {
    "FACEBOOK": "FACEBOOK", "FB": "FACEBOOK", "FACE": "FACEBOOK", "WHATSAPP": "WHATSAPP", "WSP": "WHATSAPP",
    "INSTAGRAM": "INSTAGRAM", "INSTA": "INSTAGRAM", "TIKTOK": "TIKTOK", "TIK TOK": "TIKTOK",
    "TELEGRAM": "TELEGRAM", "MESSENGER": "MESSENGER", "TINDER": "TINDER", "FREE FIRE": "FREE_FIRE",
    "FREE_FIRE": "FREE_FIRE", "ROBLOX": "ROBLOX", "DISCORD": "DISCORD", "PAGINA WEB": "WEBSITE",
}
PLATFORM_METHOD = {
    "FACEBOOK": "SOCIAL_MEDIA", "INSTAGRAM": "SOCIAL_MEDIA", "TIKTOK": "SOCIAL_MEDIA",
    "WHATSAPP": "MESSAGING_APP", "TELEGRAM": "MESSAGING_APP", "MESSENGER": "MESSAGING_APP",
    "TINDER": "DATING_APP", "FREE_FIRE": "ONLINE_GAME", "ROBLOX": "ONLINE_GAME", "DISCORD": "ONLINE_GAME",
    "WEBSITE": "WEBSITE",
}

MP_METHOD = {
    "REDES SOCIALES": ("SOCIAL_MEDIA", []), "FACEBOOK": ("SOCIAL_MEDIA", ["FACEBOOK"]),
    "WHATSAPP": ("MESSAGING_APP", ["WHATSAPP"]), "INSTAGRAM": ("SOCIAL_MEDIA", ["INSTAGRAM"]),
    "TIK TOK": ("SOCIAL_MEDIA", ["TIKTOK"]), "TELEGRAM": ("MESSAGING_APP", ["TELEGRAM"]),
    "PAGINA WEB": ("WEBSITE", ["WEBSITE"]), "OFERTA LABORAL": ("JOB_OFFER", []),
    "OFERTA LABORAL EN INTERNET": ("ONLINE_JOB_OFFER", ["ONLINE_JOB_SITE"]),
    "PERSONALMENTE": ("IN_PERSON", []), "FAMILIAR": ("FAMILY_OR_PARTNER", []),
    "PAREJA": ("FAMILY_OR_PARTNER", []), "NO CONSTA": ("UNKNOWN", []),
}
MP_OFFENCE = {
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL": "SEXUAL_EXPLOITATION",
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION LABORAL": "FORCED_LABOUR",
    "TRATA DE PERSONAS CON FINES DE SERVIDUMBRE": "DOMESTIC_SERVITUDE",
    "PROXENETISMO": "SEXUAL_EXPLOITATION", "RUFIANERIA": "SEXUAL_EXPLOITATION",
    "PORNOGRAFIA RELATIVA A NINOS Y ADOLESCENTES": "ONLINE_SEXUAL_EXPLOITATION",
    "EXPLOTACION SEXUAL DE NINOS Y ADOLESCENTES": "CHILD_SEXUAL_EXPLOITATION",
    "COACCION SEXUAL": "OTHER",
}
PN_MODALITY = {
    "EXPLOTACION SEXUAL": "SEXUAL_EXPLOITATION", "EXPLOTACION LABORAL": "FORCED_LABOUR",
    "TRABAJO FORZOSO": "FORCED_LABOUR", "SERVIDUMBRE": "DOMESTIC_SERVITUDE", "CRIADAZGO": "CRIADAZGO",
    "MATRIMONIO FORZADO": "FORCED_MARRIAGE", "SEXTORSION": "SEXTORTION", "GROOMING": "GROOMING",
    "PORNOGRAFIA INFANTIL": "ONLINE_SEXUAL_EXPLOITATION",
}
MINNA_HARM = {
    "TRATA": "TRAFFICKING_UNSPECIFIED", "ESNNA": "CHILD_SEXUAL_EXPLOITATION", "GROOMING": "GROOMING",
    "SEXTORSION": "SEXTORTION", "PORNOGRAFIA_INFANTIL": "ONLINE_SEXUAL_EXPLOITATION",
    "TRABAJO_INFANTIL": "CHILD_LABOUR", "CRIADAZGO": "CRIADAZGO",
}
MINMUJER_METHOD = {
    "01": "SOCIAL_MEDIA", "02": "MESSAGING_APP", "03": "ONLINE_JOB_OFFER", "04": "DATING_APP",
    "05": "ONLINE_GAME", "06": "IN_PERSON", "07": "FAMILY_OR_PARTNER", "08": "EMPLOYMENT_AGENCY", "99": "UNKNOWN",
}
MINMUJER_FORM = {"1": "SEXUAL_EXPLOITATION", "2": "FORCED_LABOUR", "3": "DOMESTIC_SERVITUDE",
                 "4": "FORCED_MARRIAGE", "5": "OTHER"}
NATIONALITY = {"PARAGUAYA": "PRY", "PARAGUAY": "PRY", "BRASILENA": "BRA", "BRASILERA": "BRA",
               "ARGENTINA": "ARG", "BOLIVIANA": "BOL", "PRY": "PRY", "BRA": "BRA", "ARG": "ARG", "BOL": "BOL"}
DOC_TYPE = {"CI": "CI", "PASAPORTE": "PASSPORT", "DNI": "FOREIGN_ID", "SIN DOCUMENTO": "NONE",
            "CERTIFICADO_NACIMIENTO": "BIRTH_CERTIFICATE", "SIN_DOCUMENTO": "NONE"}


def _nationality(text: str | None) -> str:
    return NATIONALITY.get(fold(text or ""), "UNK" if not text else "OTH")


def _blank(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_mp(path: Path, period: str) -> list[VictimRecord]:
    text = path.read_bytes().decode("cp1252")
    rows = [r for r in csv.DictReader(io.StringIO(text, newline=""), delimiter=";") if r.get("FECHA_INGRESO") and fold(r.get("NRO_CAUSA") or "") != "TOTAL"]
    records = []
    for position, row in enumerate(rows, start=1):
        registered = _date_dmy(row["FECHA_INGRESO"])
        birth = _date_dmy(row["VICTIMA_FECHA_NAC"])
        method, platforms = MP_METHOD.get(fold(row["MEDIO_CAPTACION"]), ("OTHER", []))
        age = _age(row["VICTIMA_EDAD"]) if row["VICTIMA_EDAD"] else _age_at(birth, registered)
        records.append(VictimRecord(
            institution_code="MP", period=period, source_key=row["NRO_CAUSA"], source_row=position,
            registration_date=registered, department_code=department(row["DEPARTAMENTO_HECHO"]),
            sex_code=_sex(row["VICTIMA_SEXO"]), age_years=age,
            nationality_code=_nationality(row["VICTIMA_NACIONALIDAD"]),
            exploitation_codes=[MP_OFFENCE.get(fold(row["HECHO_PUNIBLE"]), "OTHER")],
            recruitment_method_code=method, platform_codes=platforms,
            given_names=_blank(row["VICTIMA_NOMBRES"]), surnames=_blank(row["VICTIMA_APELLIDOS"]),
            document_type=DOC_TYPE.get(row["VICTIMA_DOC_TIPO"].strip()), document_number=_blank(row["VICTIMA_DOC_NRO"]),
            birth_date=birth, phone=_blank(row["VICTIMA_TELEFONO"]), narrative=_blank(row["RELATO"]),
        ))
    return records


def read_pn(path: Path, period: str) -> list[VictimRecord]:
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True)["Denuncias"]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "N° Denuncia")
    header = rows[header_at]
    data = [dict(zip(header, r)) for r in rows[header_at + 1:] if any(c is not None for c in r)]
    records = []
    for position, row in enumerate(data, start=1):
        registered = row["Fecha Denuncia"]
        registered = registered.date() if isinstance(registered, dt.datetime) else _date_dmy(str(registered))
        name = police_name(row["Apellidos y Nombres de la Víctima"])
        medium = fold(str(row["Medio / Red social utilizada"] or ""))
        platform = PLATFORM_ALIASES.get(medium)
        if platform:
            method, platforms, ict_rec = PLATFORM_METHOD[platform], [platform], None
        elif medium == "PRESENCIAL":
            method, platforms, ict_rec = "IN_PERSON", [], None
        elif medium == "NO":
            method, platforms, ict_rec = "UNKNOWN", [], False
        else:
            method, platforms, ict_rec = "UNKNOWN", [], None
        ci = row["C.I. N°"]
        records.append(VictimRecord(
            institution_code="PN", period=period, source_key=str(row["N° Denuncia"]), source_row=position,
            registration_date=registered, department_code=department(row["Departamento"]),
            sex_code=_sex(row["Sexo"]), age_years=_age(row["Edad"]), nationality_code=_nationality(row["Nacionalidad"]),
            exploitation_codes=[PN_MODALITY.get(fold(row["Modalidad"] or ""), "OTHER")],
            recruitment_method_code=method, platform_codes=platforms, ict_recruitment=ict_rec,
            given_names=" ".join(name.given) if name else None, surnames=" ".join(name.surnames) if name else None,
            document_type="CI" if ci is not None else None, document_number=str(ci) if ci is not None else None,
            phone=_blank(row["Teléfono de contacto"]), narrative=_blank(row["Observaciones"]),
        ))
    return records


def read_minna(path: Path, period: str) -> list[VictimRecord]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    records = []
    for position, case in enumerate(payload["casos"], start=1):
        child = case["nna"]
        registered = _iso(case["fecha_ingreso"])
        birth = _iso(child.get("fecha_nacimiento"))
        digital = case.get("entorno_digital")
        ict_rec = ict_exp = None
        platforms: list[str] = []
        if digital is not None and digital.get("hubo_contacto_digital") is not None:
            if digital["hubo_contacto_digital"]:
                stages = digital.get("etapas") or []
                ict_rec = True if "CAPTACION" in stages else None
                ict_exp = True if "EXPLOTACION" in stages else None
                platforms = ["OTHER" if p == "OTRA" else p for p in digital.get("plataformas") or []]
            else:
                ict_rec = ict_exp = False
        document = child.get("documento") or {}
        records.append(VictimRecord(
            institution_code="MINNA", period=period, source_key=case["id_caso"], source_row=position,
            registration_date=registered, department_code=case.get("departamento_codigo"),
            sex_code=_sex(child.get("sexo")), age_years=_age_at(birth, registered),
            nationality_code=_nationality(child.get("nacionalidad")),
            exploitation_codes=[MINNA_HARM[h] for h in case.get("tipo_vulneracion") or []],
            platform_codes=platforms, ict_recruitment=ict_rec, ict_exploitation=ict_exp,
            given_names=child.get("nombres"), surnames=child.get("apellidos"),
            document_type=DOC_TYPE.get(document.get("tipo") or ""), document_number=document.get("numero"),
            birth_date=birth, narrative=case.get("resumen"),
        ))
    return records


def read_minmujer(path: Path, period: str) -> list[VictimRecord]:
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    records = []
    for position, row in enumerate(rows, start=1):
        typed_platform = PLATFORM_ALIASES.get(fold(row["plataforma"] or ""))
        online = {"SI": True, "NO": False}.get(row["explotacion_en_linea"].strip().upper())
        records.append(VictimRecord(
            institution_code="MINMUJER", period=period, source_key=row["codigo_atencion"], source_row=position,
            registration_date=_iso(row["fecha_primera_atencion"]),
            department_code=department(row["departamento_origen"]), sex_code="F",
            age_years=_age(row["edad"]), nationality_code=_nationality(row["nacionalidad"]),
            exploitation_codes=[MINMUJER_FORM.get(row["forma_explotacion"], "OTHER")],
            recruitment_method_code=MINMUJER_METHOD.get(row["medio_captacion"], "OTHER"),
            platform_codes=[typed_platform] if typed_platform else [], ict_exploitation=online,
            initials=_blank(row["iniciales"]), document_number=_blank(row["documento"]),
        ))
    return records


READERS = {"MP": ("csv", read_mp), "PN": ("xlsx", read_pn), "MINNA": ("json", read_minna),
           "MINMUJER": ("csv", read_minmujer)}


def load_samples(root: Path | None = None) -> list[VictimRecord]:
    base = root or samples_dir()
    records: list[VictimRecord] = []
    for institution, (extension, reader) in READERS.items():
        for path in sorted((base / institution).glob(f"*.{extension}")):
            records.extend(reader(path, path.stem))
    return records


@dataclass(frozen=True)
class TruthRow:
    institution: str
    period: str
    source_key: str
    row: int
    person_id: str
    ict: bool


def load_truth(root: Path | None = None) -> list[TruthRow]:
    base = root or samples_dir()
    with (base / "truth_records.csv").open(encoding="utf-8", newline="") as handle:
        return [
            TruthRow(r["institution"], r["period"], r["source_key"], int(r["row"]), r["person_id"], r["ict"] == "1")
            for r in csv.DictReader(handle)
        ]
