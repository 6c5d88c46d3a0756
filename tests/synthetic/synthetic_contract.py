"""The agencies' extract contract, transcribed independently of the generator.

Tests compare generated files with these lists (copied from the contract's README), not with
the generator's own constants, so a wrong constant in the generator cannot pass unnoticed.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED_SAMPLES = REPO / ".." / "shared" / "agency-extracts" / "samples"
PERIODS_IN_SAMPLES = ("2025-04", "2025-05", "2025-06")

MP_OFFENCES = {
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL",
    "TRATA DE PERSONAS CON FINES DE EXPLOTACION LABORAL",
    "TRATA DE PERSONAS CON FINES DE SERVIDUMBRE",
    "PROXENETISMO",
    "RUFIANERIA",
    "PORNOGRAFIA RELATIVA A NIÑOS Y ADOLESCENTES",
    "EXPLOTACION SEXUAL DE NIÑOS Y ADOLESCENTES",
    "COACCION SEXUAL",
}
MP_STAGES = {
    "DENUNCIA",
    "INVESTIGACION",
    "IMPUTACION",
    "ACUSACION",
    "JUICIO ORAL",
    "SENTENCIA CONDENATORIA",
    "SENTENCIA ABSOLUTORIA",
    "SOBRESEIMIENTO",
    "DESESTIMACION",
    "SALIDA ALTERNATIVA",
}
MP_DOCUMENT_TYPES = {"CI", "PASAPORTE", "DNI", "SIN DOCUMENTO"}
MP_SEXES = {"F", "M", ""}
MP_RECRUITMENT = {
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
}
MP_ONLINE_RECRUITMENT = {
    "REDES SOCIALES",
    "FACEBOOK",
    "WHATSAPP",
    "INSTAGRAM",
    "TIK TOK",
    "TELEGRAM",
    "PAGINA WEB",
    "OFERTA LABORAL EN INTERNET",
}
MP_OFFLINE_RECRUITMENT = {"OFERTA LABORAL", "PERSONALMENTE", "FAMILIAR", "PAREJA"}
MP_DEPARTMENTS = {
    "CAPITAL",
    "CONCEPCION",
    "SAN PEDRO",
    "CORDILLERA",
    "GUAIRA",
    "CAAGUAZU",
    "CAAZAPA",
    "ITAPUA",
    "MISIONES",
    "PARAGUARI",
    "ALTO PARANA",
    "CENTRAL",
    "NEEMBUCU",
    "AMAMBAY",
    "CANINDEYU",
    "PRESIDENTE HAYES",
    "BOQUERON",
    "ALTO PARAGUAY",
}

PN_SHEET = "Denuncias"
PN_SEXES = {"Femenino", "Masculino", "F", "M", None}
PN_MEDIA = {
    "facebook",
    "fb",
    "face",
    "whatsapp",
    "wsp",
    "instagram",
    "insta",
    "tiktok",
    "telegram",
    "messenger",
    "tinder",
    "free fire",
    "presencial",
    "no",
}
PN_ONLINE_MEDIA = PN_MEDIA - {"presencial", "no"}
PN_MODALITIES = {
    "Explotación sexual",
    "Explotación laboral",
    "Trabajo forzoso",
    "Servidumbre",
    "Criadazgo",
    "Matrimonio forzado",
    "Sextorsión",
    "Grooming",
    "Pornografía infantil",
}
PN_STATUSES = {"En investigación", "Remitido a Fiscalía", "Archivado"}

MINNA_TOP_KEYS = ["institucion", "periodo", "generado", "casos"]
MINNA_DOCUMENT_TYPES = {"CI", "CERTIFICADO_NACIMIENTO", "SIN_DOCUMENTO"}
MINNA_SEXES = {"F", "M", "OTRO", None}
MINNA_NATIONALITIES = {"PRY", "BRA", "ARG", "BOL"}
MINNA_VIOLATIONS = {"TRATA", "ESNNA", "GROOMING", "SEXTORSION", "PORNOGRAFIA_INFANTIL", "TRABAJO_INFANTIL", "CRIADAZGO"}
MINNA_PLATFORMS = {
    "FACEBOOK",
    "WHATSAPP",
    "INSTAGRAM",
    "TIKTOK",
    "TELEGRAM",
    "MESSENGER",
    "DISCORD",
    "ROBLOX",
    "FREE_FIRE",
    "OTRA",
}
MINNA_STAGES = {"CAPTACION", "EXPLOTACION"}
MINNA_STATES = {"ABIERTO", "EN_SEGUIMIENTO", "CERRADO"}
MINNA_REFERRAL_INSTITUTIONS = {"MP", "PN", "MINNA", "MINMUJER"}

MINMUJER_FORMS = {"1", "2", "3", "4", "5"}
MINMUJER_RECRUITMENT = {"01", "02", "03", "04", "05", "06", "07", "08", "99"}
MINMUJER_ONLINE = {"SI", "NO", "NS"}
MINMUJER_INTAKE = {"DERIVACION MP", "DERIVACION PN", "DEMANDA ESPONTANEA", "CONSULADO", "OTRO"}

TRUTH_RECORD_COLUMNS = ["institution", "period", "source_key", "row", "person_id", "ict"]
TRUTH_PERSON_COLUMNS = [
    "person_id",
    "first_period",
    "sex",
    "birth_year",
    "department_code",
    "is_ict",
    "ict_stage",
    "captured_by",
]
ICT_STAGES = {"RECRUITMENT", "EXPLOITATION", "BOTH", "NONE"}


def require_shared_samples() -> Path:
    """The shared samples folder; a missing folder is a broken checkout, so fail, never skip."""
    samples = SHARED_SAMPLES.resolve()
    if not (samples / "truth_records.csv").is_file():
        raise AssertionError(f"shared agency samples not found at {samples}: the comparison tests need them")
    return samples
