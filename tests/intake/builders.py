"""File builders and sample locations for the intake tests.

Builders write files the way each agency's system does (MP: cp1252, `;`, CRLF, TOTAL footer; PN:
an XLSX with a title block; MINNA: JSON; MINMUJER: UTF-8 CSV), from rows given as dicts, so a test
states only what it changes. The shared samples are located relative to the repository and their
absence fails loudly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from pathlib import Path

from openpyxl import Workbook

from etl.defs.intake.contracts import load_contract

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / ".." / "shared" / "agency-extracts" / "samples"
TODAY = dt.date(2025, 7, 15)
EXTENSIONS = {"MP": "csv", "PN": "xlsx", "MINNA": "json", "MINMUJER": "csv"}
PERIODS = ("2025-04", "2025-05", "2025-06")


def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        raise FileNotFoundError(f"agency samples missing: expected them at {SAMPLES.resolve()}")
    return SAMPLES


def sample_path(institution: str, period: str) -> Path:
    return samples_dir() / institution / f"{period}.{EXTENSIONS[institution]}"


def truth_rows() -> list[dict[str, str]]:
    with (samples_dir() / "truth_records.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def truth_counts() -> Counter[tuple[str, str]]:
    return Counter((r["institution"], r["period"]) for r in truth_rows())


# --- canonical good rows ---------------------------------------------------------------------

MP_ROW = {
    "NRO_CAUSA": "1532/2025",
    "FECHA_INGRESO": "10/04/2025",
    "FECHA_HECHO": "01/03/2025",
    "UNIDAD_FISCAL": "UNIDAD ESPECIALIZADA N° 1 - ASUNCION",
    "DEPARTAMENTO_HECHO": "ALTO PARANA",
    "DISTRITO_HECHO": "CIUDAD DEL ESTE",
    "HECHO_PUNIBLE": "TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL",
    "ETAPA_PROCESAL": "INVESTIGACION",
    "VICTIMA_NOMBRES": "ZULMA ITATÍ",
    "VICTIMA_APELLIDOS": "QUIÑÓNEZ ARGAÑA",
    "VICTIMA_DOC_TIPO": "CI",
    "VICTIMA_DOC_NRO": "4.321.098",
    "VICTIMA_FECHA_NAC": "",
    "VICTIMA_EDAD": "17",
    "VICTIMA_SEXO": "F",
    "VICTIMA_NACIONALIDAD": "PARAGUAYA",
    "VICTIMA_TELEFONO": "0981 765432",
    "MEDIO_CAPTACION": "FACEBOOK",
    "PAIS_DESTINO": "ARGENTINA",
    "RELATO": "Zulma Itatí fue contactada por Facebook; su cuenta @zulma_itati_07. Luego viajó.",
    "FISCAL": "ABG. GAUTO NILDA",
}

PN_ROW = {
    "N° Denuncia": "DT-2025-0412",
    "Fecha Denuncia": dt.datetime(2025, 4, 12),
    "Dependencia": "Comisaría 3ª Central",
    "Departamento": "Alto Paraná",
    "Ciudad": "Ciudad del Este",
    "Apellidos y Nombres de la Víctima": "YEGROS AQUINO, Mirna Araceli",
    "C.I. N°": 5678901.0,
    "Edad": "16 años",
    "Sexo": "Femenino",
    "Nacionalidad": "Paraguaya",
    "Teléfono de contacto": "0972 111222",
    "Medio / Red social utilizada": "Wsp",
    "Modalidad": "Explotación sexual",
    "Estado": "En investigación",
    "Observaciones": "Mirna Araceli denunció contacto por WhatsApp al 0972 111222.",
}

MINNA_CASE = {
    "id_caso": "MINNA-2025-00991",
    "fecha_ingreso": "2025-04-09",
    "departamento_codigo": "16",
    "distrito": "Mariscal Estigarribia",
    "nna": {
        "nombres": "Araceli Belén",
        "apellidos": "Ñamandú Ortellado",
        "documento": {"tipo": "CI", "numero": "6.123.456"},
        "fecha_nacimiento": "2010-02-03",
        "sexo": "F",
        "nacionalidad": "PRY",
    },
    "tipo_vulneracion": ["TRATA", "SEXTORSION"],
    "entorno_digital": {"hubo_contacto_digital": True, "plataformas": ["INSTAGRAM"], "etapas": ["CAPTACION", "EXPLOTACION"]},
    "derivaciones": [{"institucion": "MP", "fecha": "2025-04-09"}],
    "estado": "ABIERTO",
    "resumen": "Araceli Belén Ñamandú fue captada por Instagram, teléfono 0985 333444.",
}

MINMUJER_ROW = {
    "codigo_atencion": "DGT-2025-0101",
    "fecha_primera_atencion": "2025-04-11",
    "iniciales": "R.M.Z.Q.",
    "documento": "3987654",
    "edad": "29",
    "nacionalidad": "brasilera",
    "departamento_origen": "Itapúa",
    "forma_explotacion": "1",
    "medio_captacion": "02",
    "plataforma": "Wsp",
    "explotacion_en_linea": "SI",
    "pais_explotacion": "AR",
    "tipo_ingreso": "DERIVACION MP",
    "servicios": "PSICOLOGICO|JURIDICO",
}


# --- builders --------------------------------------------------------------------------------


def mp_csv(
    rows: list[dict[str, str]],
    *,
    columns: list[str] | None = None,
    encoding: str = "cp1252",
    footer: bool = True,
    trailing_blank_lines: int = 2,
) -> bytes:
    columns = columns or list(load_contract("MP").column_names)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    if footer:
        out.write(f"TOTAL;{len(rows)}\r\n")
    out.write("\r\n" * trailing_blank_lines)
    return out.getvalue().encode(encoding)


def minmujer_csv(rows: list[dict[str, str]], *, columns: list[str] | None = None, bom: bool = False) -> bytes:
    columns = columns or list(load_contract("MINMUJER").column_names)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=",", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def pn_xlsx(
    rows: list[dict[str, object]],
    *,
    title_rows: int = 3,
    blank_after_header: int = 1,
    columns: list[str] | None = None,
    sheet: str = "Denuncias",
    month_title: str = "04/2025",
) -> bytes:
    columns = columns or list(load_contract("PN").column_names)
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet
    titles = ["POLICÍA NACIONAL", "DEPARTAMENTO DE INVESTIGACIÓN DE TRATA DE PERSONAS", f"Denuncias registradas - {month_title}"]
    for i in range(title_rows):
        ws.append([titles[i] if i < len(titles) else None])
    ws.append(columns)
    for _ in range(blank_after_header):
        ws.append([])
    for row in rows:
        ws.append([row.get(c) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def minna_json(cases: list[dict], *, institution: str = "MINNA", period: str = "2025-04") -> bytes:
    document = {"institucion": institution, "periodo": period, "generado": "2025-05-03T10:00:00-03:00", "casos": cases}
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
