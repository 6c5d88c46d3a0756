"""Contracts load, use only code-list codes, and map every coded value the agencies' README lists."""

from __future__ import annotations

import pytest
import yaml

from etl.defs.intake.codelists import codes
from etl.defs.intake.contracts import ContractError, load_contract, parse_contract
from etl.defs.intake.lookups import lookups
from etl.defs.intake.mapping import resolve_coded, resolve_typed
from etl.defs.intake.paths import SCHEMAS_DIR
from etl.defs.intake.records import INSTITUTIONS

# The coded values of /work/shared/agency-extracts/README.md, copied as the agencies wrote them.
README_CODED_VALUES = {
    ("MP", "MEDIO_CAPTACION"): ["REDES SOCIALES", "FACEBOOK", "WHATSAPP", "INSTAGRAM", "TIK TOK", "TELEGRAM", "PAGINA WEB",
                                "OFERTA LABORAL", "OFERTA LABORAL EN INTERNET", "PERSONALMENTE", "FAMILIAR", "PAREJA", "NO CONSTA"],
    ("MP", "HECHO_PUNIBLE"): ["TRATA DE PERSONAS CON FINES DE EXPLOTACION SEXUAL", "TRATA DE PERSONAS CON FINES DE EXPLOTACION LABORAL",
                              "TRATA DE PERSONAS CON FINES DE SERVIDUMBRE", "PROXENETISMO", "RUFIANERIA",
                              "PORNOGRAFIA RELATIVA A NIÑOS Y ADOLESCENTES", "EXPLOTACION SEXUAL DE NIÑOS Y ADOLESCENTES", "COACCION SEXUAL"],
    ("MP", "ETAPA_PROCESAL"): ["DENUNCIA", "INVESTIGACION", "IMPUTACION", "ACUSACION", "JUICIO ORAL", "SENTENCIA CONDENATORIA",
                               "SENTENCIA ABSOLUTORIA", "SOBRESEIMIENTO", "DESESTIMACION", "SALIDA ALTERNATIVA"],
    ("MP", "VICTIMA_DOC_TIPO"): ["CI", "PASAPORTE", "DNI", "SIN DOCUMENTO"],
    ("MP", "VICTIMA_SEXO"): ["F", "M", ""],
    ("MP", "DEPARTAMENTO_HECHO"): ["ALTO PARANA", "NEEMBUCU", "CAPITAL"],
    ("PN", "Departamento"): ["Alto Paraná", "ALTO PARANA", "Capital", "Asunción"],
    ("PN", "Sexo"): ["Femenino", "Masculino", "F", "M"],
    ("PN", "Modalidad"): ["Explotación sexual", "Explotación laboral", "Trabajo forzoso", "Servidumbre", "Criadazgo",
                          "Matrimonio forzado", "Sextorsión", "Grooming", "Pornografía infantil"],
    ("PN", "Estado"): ["En investigación", "Remitido a Fiscalía", "Archivado"],
    ("MINNA", "departamento_codigo"): [f"{n:02d}" for n in range(18)],
    ("MINNA", "nna.documento.tipo"): ["CI", "CERTIFICADO_NACIMIENTO", "SIN_DOCUMENTO"],
    ("MINNA", "nna.sexo"): ["F", "M", "OTRO", None],
    ("MINNA", "tipo_vulneracion"): ["TRATA", "ESNNA", "GROOMING", "SEXTORSION", "PORNOGRAFIA_INFANTIL", "TRABAJO_INFANTIL", "CRIADAZGO"],
    ("MINNA", "entorno_digital.hubo_contacto_digital"): ["true", "false", None],
    ("MINNA", "entorno_digital.plataformas"): ["FACEBOOK", "WHATSAPP", "INSTAGRAM", "TIKTOK", "TELEGRAM", "MESSENGER", "DISCORD",
                                               "ROBLOX", "FREE_FIRE", "OTRA"],
    ("MINNA", "entorno_digital.etapas"): ["CAPTACION", "EXPLOTACION"],
    ("MINNA", "estado"): ["ABIERTO", "EN_SEGUIMIENTO", "CERRADO"],
    ("MINMUJER", "forma_explotacion"): ["1", "2", "3", "4", "5"],
    ("MINMUJER", "medio_captacion"): ["01", "02", "03", "04", "05", "06", "07", "08", "99"],
    ("MINMUJER", "explotacion_en_linea"): ["SI", "NO", "NS"],
    ("MINMUJER", "tipo_ingreso"): ["DERIVACION MP", "DERIVACION PN", "DEMANDA ESPONTANEA", "CONSULADO", "OTRO"],
}
README_TYPED_VALUES = {
    ("PN", "Medio / Red social utilizada"): ["Facebook", "FB", "Face", "WhatsApp", "Wsp", "Instagram", "Insta", "TikTok",
                                             "Telegram", "Messenger", "Tinder", "Free Fire", "Presencial", "No", None],
    ("MP", "VICTIMA_NACIONALIDAD"): ["PARAGUAYA", "BRASILEÑA", "ARGENTINA", "BOLIVIANA"],
    ("MP", "PAIS_DESTINO"): ["PARAGUAY", "ARGENTINA", "ESPAÑA", "BRASIL"],
    ("PN", "Nacionalidad"): ["Paraguaya", "Brasileña"],
    ("MINNA", "nna.nacionalidad"): ["PRY", "BRA", "ARG", "BOL"],
    ("MINMUJER", "nacionalidad"): ["paraguaya", "Paraguay", "brasilera"],
    ("MINMUJER", "pais_explotacion"): ["Paraguay", "España", "PY", "BR", "ES", "AR"],
}


@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_contract_loads_and_is_cached(institution: str):
    contract = load_contract(institution)
    assert contract.institution == institution
    assert load_contract(institution) is contract
    assert contract.registration_date in contract.column_names and contract.source_key in contract.column_names


@pytest.mark.parametrize(("institution", "column"), sorted(README_CODED_VALUES))
def test_every_coded_value_of_the_readme_maps(institution: str, column: str):
    spec = load_contract(institution).column(column)
    for value in README_CODED_VALUES[(institution, column)]:
        resolution = resolve_coded(spec, value)
        assert resolution.matched, (column, value)
        assert value in ("", None) or spec.code_key(value) in spec.allowed_keys()


@pytest.mark.parametrize(("institution", "column"), sorted(README_TYPED_VALUES))
def test_every_typed_value_of_the_readme_maps_without_warning(institution: str, column: str):
    spec = load_contract(institution).column(column)
    for value in README_TYPED_VALUES[(institution, column)]:
        assert resolve_typed(spec, value).matched, (column, value)


def test_coded_mappings_reach_the_right_codes():
    mp = load_contract("MP")
    assert resolve_coded(mp.column("MEDIO_CAPTACION"), "FACEBOOK").targets == {
        "method": "SOCIAL_MEDIA", "platforms": ["FACEBOOK"], "ict_recruitment": True
    }
    assert resolve_coded(mp.column("MEDIO_CAPTACION"), "PERSONALMENTE").targets["ict_recruitment"] is False
    assert resolve_coded(mp.column("MEDIO_CAPTACION"), "NO CONSTA").targets == {"method": "UNKNOWN", "ict_recruitment": None}
    assert resolve_coded(mp.column("ETAPA_PROCESAL"), "Juicio  oral").targets == {"justice_stage": "TRIAL"}
    mujer = load_contract("MINMUJER")
    assert resolve_coded(mujer.column("medio_captacion"), "1").targets["method"] == "SOCIAL_MEDIA"
    assert resolve_coded(mujer.column("explotacion_en_linea"), "SI").targets == {"ict_exploitation": True}
    assert resolve_coded(mujer.column("explotacion_en_linea"), "NO").targets == {"ict_exploitation": False}
    assert resolve_coded(mujer.column("explotacion_en_linea"), "NS").targets == {"ict_exploitation": None}
    assert resolve_coded(mujer.column("explotacion_en_linea"), "").targets == {"ict_exploitation": None}
    assert not resolve_coded(mujer.column("forma_explotacion"), "6").matched


def test_departments_follow_ine_numbering_not_iso():
    tables = lookups()
    assert tables.department("Boquerón") == "16" and tables.department("ALTO PARAGUAY") == "17"
    assert tables.department("Capital") == tables.department("Asunción") == "00"
    assert tables.department("Ñeembucú") == tables.department("NEEMBUCU") == "12"
    assert tables.department("Pte. Hayes") == "15"
    assert tables.department_names["16"] == "Boquerón" and tables.department_names["17"] == "Alto Paraguay"
    assert len(set(tables.departments.values())) == 18


def test_platform_and_country_aliases():
    tables = lookups()
    assert {tables.platform(v) for v in ("FB", "Face", "facebook ")} == {"FACEBOOK"}
    assert {tables.platform(v) for v in ("Wsp", "WhatsApp", "whats app")} == {"WHATSAPP"}
    assert tables.platform("Insta") == "INSTAGRAM" and tables.platform("Tik Tok") == "TIKTOK"
    assert tables.country("BR", demonyms=False) == "BRA" and tables.country("España", demonyms=False) == "ESP"
    assert tables.country("brasilera", demonyms=True) == "BRA"


def test_every_target_code_of_every_contract_is_in_the_code_lists():
    dimension = {"exploitation": "exploitation", "method": "recruitment_method", "platforms": "platform",
                 "justice_stage": "justice_stage", "sex": "sex"}
    for institution in INSTITUTIONS:
        for spec in load_contract(institution).columns:
            for targets in [*spec.values.values(), spec.unknown or {}, spec.unmatched or {}]:
                for target, value in targets.items():
                    if target in dimension and value is not None:
                        values = value if isinstance(value, tuple) else (value,)
                        assert set(values) <= codes(dimension[target]), (institution, spec.name, target)


def _raw(institution: str) -> dict:
    return yaml.safe_load((SCHEMAS_DIR / f"{institution}.yaml").read_text(encoding="utf-8"))


def test_a_contract_with_an_unknown_code_fails_loudly():
    raw = _raw("MP")
    hecho = next(c for c in raw["columns"] if c["name"] == "HECHO_PUNIBLE")
    hecho["values"]["PROXENETISMO"] = {"exploitation": ["PIMPING"]}
    with pytest.raises(ContractError, match="not in codelists.exploitation"):
        parse_contract(raw, "MP.yaml")


def test_an_unquoted_yaml_no_fails_loudly():
    raw = yaml.safe_load("""
institution: MINMUJER
format: {kind: csv}
registration_date: f
source_key: k
age_limits: {min: 0, max: 110}
columns:
  - {name: k, type: key, required: true, pattern: '^x$'}
  - {name: f, type: date, required: true, role: registration_date}
  - name: c
    type: coded
    values:
      NO: {ict_exploitation: false}
    unknown: {}
""")
    with pytest.raises(ContractError, match="quoted string"):
        parse_contract(raw, "inline.yaml")


def test_coded_columns_must_say_what_unknown_means():
    raw = _raw("PN")
    sexo = next(c for c in raw["columns"] if c["name"] == "Sexo")
    del sexo["unknown"]
    with pytest.raises(ContractError, match="unknown marker"):
        parse_contract(raw, "PN.yaml")


@pytest.mark.parametrize(
    ("typed", "department", "census"),
    [
        ("MARISCAL ESTIGARRIBIA", "16", "MCAL. ESTIGARRIBIA"),
        ("Mcal. Estigarribia", None, "MCAL. ESTIGARRIBIA"),
        ("SAN PEDRO DEL YCUAMANDIYU", "02", "SAN PEDRO"),
        ("San Pedro del Ycuamandiyú", "02", "SAN PEDRO"),
        ("NEMBY", "11", "ÑEMBY"),
        ("Ñemby", "11", "ÑEMBY"),
        ("SANTA ROSA DEL MBUTUY", "05", "STA. ROSA DEL MBUTUY"),
        ("Pto. Pinasco", "15", "PTO. PINASCO"),
        ("Puerto Pinasco", "15", "PTO. PINASCO"),
        ("Doctor Raúl Peña", "10", "DR.RAUL PENA"),
        ("HERNANDARIA", "10", "HERNANDARIAS"),  # a typo, within the department
        ("Bahía Negra", "17", "BAHIA NEGRA"),  # INE 17 is Alto Paraguay
        ("Filadelfia", "16", "FILADELFIA"),  # INE 16 is Boquerón
        ("Asunción", "00", "ASUNCION"),
    ],
)
def test_districts_match_the_census_spelling(typed: str, department: str | None, census: str):
    from etl.defs.intake.districts import district_matcher

    match = district_matcher().match(typed, department)
    assert (match.status, match.name) == ("matched", census)


def test_district_mismatches_are_reported_not_guessed():
    from etl.defs.intake.districts import district_matcher

    matcher = district_matcher()
    assert matcher.match("ENCARNACION", "11").status == "other_department"
    assert matcher.match("VILLA IMAGINARIA", "11").status == "unmatched"
    # Several departments have a BELLA VISTA: without a department, no guess.
    assert matcher.match("BELLA VISTA", None).status == "ambiguous"
    assert matcher.match("HERNANDARIAS", "12").name is None
