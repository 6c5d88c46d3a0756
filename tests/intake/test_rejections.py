"""Bad input is rejected with a message an official can act on, naming row and column, no values."""

from __future__ import annotations

import io
import json
import random
import struct
import tracemalloc
import zipfile
import zlib

import pytest

from etl.defs.intake.readers import ReadLimits
from etl.defs.intake.readers.base import MB
from etl.defs.intake.validate import IntakeResult, validate_extract

from .builders import MINMUJER_ROW, MINNA_CASE, MP_ROW, PN_ROW, TODAY, minmujer_csv, minna_json, mp_csv, pn_xlsx, sample_path

# Every personal value the builders' rows hold: none may reach a report.
PERSONAL = [
    "ZULMA", "ITATÍ", "QUIÑÓNEZ", "ARGAÑA", "4.321.098", "4321098", "0981 765432", "zulma_itati",
    "YEGROS", "Mirna", "5678901", "0972 111222", "Araceli", "Ñamandú", "6.123.456", "6123456", "2010-02-03",
    "0985 333444", "R.M.Z.Q.", "3987654", "GAUTO",
]


def validate(institution: str, data: bytes, filename: str = "extracto", period: str = "2025-04", **kwargs) -> IntakeResult:
    return validate_extract(institution, period, data, filename, today=kwargs.pop("today", TODAY), **kwargs)


def assert_rejected(result: IntakeResult, rule: str, *, column: str | None = None, row: int | None = None) -> None:
    report = result.report
    assert report.verdict == "rejected"
    assert result.records == []
    matching = [f for f in report.errors if f.rule == rule and (column is None or f.column == column)]
    assert matching, f"expected {rule} on {column}; got {[(f.rule, f.row, f.column) for f in report.errors]}"
    if row is not None:
        assert any(f.row == row for f in matching)
    texts = [report.to_json(), report.to_text("es"), report.to_text("en"), report.to_html("es"), report.to_html("en")]
    if column is not None:
        assert all(column in t or column.replace("°", "&#176;") in t for t in texts[1:3])
    for text in texts:
        for secret in PERSONAL:
            assert secret not in text


def test_empty_file_is_rejected():
    for data in (b"", b"  \r\n\r\n"):
        assert_rejected(validate("MP", data), "FILE_EMPTY")
    assert "vacío" in validate("MINMUJER", b"").report.to_text()


@pytest.mark.parametrize("institution", ["MP", "PN", "MINNA", "MINMUJER"])
def test_random_bytes_are_rejected(institution: str):
    noise = random.Random(20250401).randbytes(4096)
    result = validate(institution, noise)
    assert result.report.verdict == "rejected" and result.records == []
    assert result.report.errors[0].rule in {"FILE_TYPE", "XLSX_NOT_ZIP", "ENCODING_INVALID"}


def _png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def test_png_named_csv_is_rejected():
    result = validate("MP", _png(), "causas.csv")
    assert_rejected(result, "FILE_TYPE")
    assert "imagen PNG" in result.report.to_text("es")
    assert "PNG image" in result.report.to_text("en")


def test_csv_named_xlsx_is_rejected():
    result = validate("PN", mp_csv([MP_ROW]), "denuncias.xlsx")
    assert_rejected(result, "XLSX_NOT_ZIP")
    assert "no es un libro de Excel" in result.report.to_text()


def test_zip_without_worksheet_is_rejected():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hola")
    assert_rejected(validate("PN", out.getvalue(), "denuncias.xlsx"), "XLSX_NO_WORKSHEET")


def _bomb(member_bytes: int) -> bytes:
    """A real workbook plus one sheet that inflates to `member_bytes` (kept small on disk)."""
    base = zipfile.ZipFile(io.BytesIO(pn_xlsx([PN_ROW])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in base.infolist():
            archive.writestr(item, base.read(item.filename))
        block = b" " * MB
        with archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as member:
            for _ in range(member_bytes // MB):
                member.write(block)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb_300mb() -> bytes:
    return _bomb(300 * MB)


def test_decompression_bomb_is_refused_without_inflating(bomb_300mb: bytes):
    assert len(bomb_300mb) < 2 * MB  # small on disk
    tracemalloc.start()
    try:
        result = validate("PN", bomb_300mb, "denuncias.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_rejected(result, "XLSX_BOMB")
    assert peak < 32 * MB


def test_highly_compressed_member_is_refused_by_ratio():
    # Under the total-size limit, but a 1000:1 ratio is no spreadsheet.
    assert_rejected(validate("PN", _bomb(40 * MB), "denuncias.xlsx"), "XLSX_BOMB")


def test_bomb_with_understated_sizes_is_caught_while_streaming():
    # A limit below the member's real size, with ratio checks off: only actual counting catches it.
    limits = ReadLimits(max_decompressed_bytes=4 * MB, max_compression_ratio=10**9)
    bomb = _bomb(8 * MB)
    assert_rejected(validate("PN", bomb, "denuncias.xlsx", limits=limits), "XLSX_BOMB")


def test_corrupt_or_encrypted_xlsx_is_rejected():
    data = bytearray(pn_xlsx([PN_ROW]))
    directory = data.find(b"PK\x01\x02")
    while directory != -1:
        data[directory + 8] |= 0x01  # flag every member as encrypted
        directory = data.find(b"PK\x01\x02", directory + 4)
    assert_rejected(validate("PN", bytes(data)), "XLSX_CORRUPT")
    workbook = pn_xlsx([PN_ROW])
    assert_rejected(validate("PN", workbook[: len(workbook) // 2]), "XLSX_CORRUPT")
    protected = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024  # Excel's password-protected container
    result = validate("PN", protected)
    assert_rejected(result, "XLSX_NOT_ZIP")
    assert "protegido con contraseña" in result.report.to_text()


def test_xlsx_with_dtd_is_refused():
    base = zipfile.ZipFile(io.BytesIO(pn_xlsx([PN_ROW])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in base.infolist():
            body = base.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
            archive.writestr(item, body)
    assert_rejected(validate("PN", out.getvalue()), "XLSX_DTD")


def test_truncated_json_is_rejected():
    data = sample_path("MINNA", "2025-04").read_bytes()
    result = validate("MINNA", data[: len(data) // 2])
    assert_rejected(result, "JSON_INVALID")
    assert "no es JSON válido" in result.report.to_text()


def test_json_with_unreadable_numbers_or_nesting_is_rejected():
    huge_number = minna_json([MINNA_CASE]).replace(b'"16"', b"1" * 5000)
    assert_rejected(validate("MINNA", huge_number), "JSON_UNREADABLE_VALUE")
    deep = minna_json([MINNA_CASE]).replace(b'"16"', b"[" * 100_000 + b"]" * 100_000)
    assert_rejected(validate("MINNA", deep), "JSON_TOO_DEEP")


def test_json_of_another_institution_is_rejected():
    result = validate("MINNA", minna_json([MINNA_CASE], institution="PN"))
    assert_rejected(result, "INSTITUTION_MISMATCH")
    assert "PN" in result.report.to_text()


def test_json_of_another_period_is_rejected():
    result = validate("MINNA", minna_json([MINNA_CASE], period="2025-03"))
    assert_rejected(result, "PERIOD_MISMATCH")
    assert "2025-03" in result.report.to_text() and "2025-04" in result.report.to_text()


def test_json_with_wrong_structure_is_rejected():
    assert_rejected(validate("MINNA", json.dumps({"institucion": "MINNA", "periodo": "2025-04", "casos": {}}).encode()), "JSON_STRUCTURE")
    assert_rejected(validate("MINNA", b"[1, 2, 3]"), "JSON_STRUCTURE")


def test_missing_required_column_is_rejected():
    columns = [c for c in MP_ROW if c != "VICTIMA_SEXO"]
    result = validate("MP", mp_csv([MP_ROW], columns=columns))
    assert_rejected(result, "COLUMN_MISSING", column="VICTIMA_SEXO")
    assert "Columna `VICTIMA_SEXO`: falta esta columna obligatoria" in result.report.to_text()

    pn_columns = [c for c in PN_ROW if c != "Fecha Denuncia"]
    assert_rejected(validate("PN", pn_xlsx([PN_ROW], columns=pn_columns)), "COLUMN_MISSING", column="Fecha Denuncia")


def test_unknown_department_is_rejected():
    result = validate("MP", mp_csv([MP_ROW, {**MP_ROW, "NRO_CAUSA": "1533/2025", "DEPARTAMENTO_HECHO": "ALTO PARANAA"}]))
    assert_rejected(result, "CODE_UNKNOWN", column="DEPARTAMENTO_HECHO", row=3)
    assert (
        "Fila 3, columna `DEPARTAMENTO_HECHO`: departamento no reconocido. "
        "Use uno de los 18 departamentos (p. ej. ALTO PARANA) o CAPITAL." in result.report.to_text("es")
    )
    assert "Row 3, column `DEPARTAMENTO_HECHO`: department not recognised." in result.report.to_text("en")
    minna = validate("MINNA", minna_json([{**MINNA_CASE, "departamento_codigo": "18"}]))
    assert_rejected(minna, "CODE_UNKNOWN", column="departamento_codigo", row=1)
    assert "Caso 1, campo `departamento_codigo`" in minna.report.to_text()


@pytest.mark.parametrize(
    ("institution", "data", "bad"),
    [
        (
            "MP",
            lambda: mp_csv(
                [
                    {**MP_ROW, "NRO_CAUSA": "1/2025", "HECHO_PUNIBLE": "HOMICIDIO"},
                    {**MP_ROW, "NRO_CAUSA": "2/2025", "MEDIO_CAPTACION": "PALOMA MENSAJERA"},
                    {**MP_ROW, "NRO_CAUSA": "3/2025", "ETAPA_PROCESAL": "APELACION"},
                    {**MP_ROW, "NRO_CAUSA": "4/2025", "VICTIMA_SEXO": "Q"},
                ]
            ),
            {(2, "HECHO_PUNIBLE"), (3, "MEDIO_CAPTACION"), (4, "ETAPA_PROCESAL"), (5, "VICTIMA_SEXO")},
        ),
        ("PN", lambda: pn_xlsx([{**PN_ROW, "Modalidad": "Estafa"}]), {(6, "Modalidad")}),
        ("MINNA", lambda: minna_json([{**MINNA_CASE, "tipo_vulneracion": ["TRATA", "ROBO"]}]), {(1, "tipo_vulneracion")}),
        (
            "MINMUJER",
            lambda: minmujer_csv(
                [
                    {**MINMUJER_ROW, "forma_explotacion": "7"},
                    {**MINMUJER_ROW, "codigo_atencion": "DGT-2025-0102", "medio_captacion": "10"},
                ]
            ),
            {(2, "forma_explotacion"), (3, "medio_captacion")},
        ),
    ],
)
def test_unknown_code_is_rejected(institution: str, data, bad: set[tuple[int, str]]):
    result = validate(institution, data())
    for row, column in sorted(bad):
        assert_rejected(result, "CODE_UNKNOWN", column=column, row=row)
    assert {(f.row, f.column) for f in result.report.errors} == bad
    if institution != "MINNA":
        assert "valor no reconocido. Use uno de:" in result.report.to_text()


def test_registration_date_outside_the_month_is_rejected():
    result = validate("MP", mp_csv([MP_ROW, {**MP_ROW, "NRO_CAUSA": "9/2025", "FECHA_INGRESO": "02/05/2025"}]))
    assert_rejected(result, "DATE_OUTSIDE_PERIOD", column="FECHA_INGRESO", row=3)
    assert "del 2025-04-01 al 2025-04-30" in result.report.to_text()


def test_registration_date_in_the_future_is_rejected():
    row = {**MP_ROW, "FECHA_INGRESO": "20/07/2025", "FECHA_HECHO": ""}
    result = validate("MP", mp_csv([row]), period="2025-07")
    assert_rejected(result, "DATE_IN_FUTURE", column="FECHA_INGRESO", row=2)
    assert "posterior a hoy (2025-07-15)" in result.report.to_text()


def test_invalid_and_missing_dates_are_rejected():
    result = validate("MP", mp_csv([{**MP_ROW, "FECHA_INGRESO": "31/02/2025"}, {**MP_ROW, "NRO_CAUSA": "7/2025", "FECHA_INGRESO": ""}]))
    assert_rejected(result, "DATE_INVALID", column="FECHA_INGRESO", row=2)
    assert_rejected(result, "REQUIRED", column="FECHA_INGRESO", row=3)
    # One finding per cell: the blank date is "required", not also "outside the month".
    assert [f.rule for f in result.report.errors if f.row == 3] == ["REQUIRED"]


def test_period_in_the_future_or_malformed_is_rejected():
    assert_rejected(validate("MP", mp_csv([MP_ROW]), period="2025-09"), "PERIOD_IN_FUTURE")
    assert_rejected(validate("MP", mp_csv([MP_ROW]), period="2025-13"), "PERIOD_INVALID")
    assert_rejected(validate("SENAD", mp_csv([MP_ROW])), "INSTITUTION_UNKNOWN")


def test_wrong_month_file_is_flagged_as_a_whole():
    data = sample_path("MP", "2025-05").read_bytes()
    result = validate("MP", data, period="2025-04")
    assert_rejected(result, "PERIOD_DATES_MISMATCH")
    assert "son de 2025-05, no de 2025-04" in result.report.to_text()


def test_age_of_150_is_rejected():
    assert_rejected(validate("MP", mp_csv([{**MP_ROW, "VICTIMA_EDAD": "150"}])), "AGE_IMPLAUSIBLE", column="VICTIMA_EDAD", row=2)
    result = validate("PN", pn_xlsx([{**PN_ROW, "Edad": "150 años"}]))
    assert_rejected(result, "AGE_IMPLAUSIBLE", column="Edad", row=6)
    assert "entre 0 y 110 años" in result.report.to_text()
    assert_rejected(validate("MP", mp_csv([{**MP_ROW, "VICTIMA_EDAD": "diecisiete"}])), "NUMBER_INVALID", column="VICTIMA_EDAD")


def test_adult_in_minna_is_rejected():
    adult = {**MINNA_CASE, "nna": {**MINNA_CASE["nna"], "fecha_nacimiento": "2000-01-01"}}
    result = validate("MINNA", minna_json([MINNA_CASE, adult]))
    assert_rejected(result, "AGE_NOT_MINOR", column="nna.fecha_nacimiento", row=2)
    assert "niñas, niños y adolescentes" in result.report.to_text()
    # A birth date of 150 years ago is implausible before it is "not a minor".
    ancient = {**MINNA_CASE, "nna": {**MINNA_CASE["nna"], "fecha_nacimiento": "1875-01-01"}}
    assert_rejected(validate("MINNA", minna_json([ancient])), "AGE_IMPLAUSIBLE", column="nna.fecha_nacimiento")


def test_minor_in_minmujer_is_rejected():
    result = validate("MINMUJER", minmujer_csv([{**MINMUJER_ROW, "edad": "16"}]))
    assert_rejected(result, "AGE_NOT_ADULT", column="edad", row=2)


def test_malformed_cedula_and_key_are_rejected():
    assert_rejected(validate("MP", mp_csv([{**MP_ROW, "VICTIMA_DOC_NRO": "45.67"}])), "CEDULA_FORMAT", column="VICTIMA_DOC_NRO")
    assert_rejected(validate("MP", mp_csv([{**MP_ROW, "NRO_CAUSA": "causa 12"}])), "KEY_FORMAT", column="NRO_CAUSA")


def test_conflicting_duplicates_are_rejected():
    conflicting = {**MP_ROW, "ETAPA_PROCESAL": "IMPUTACION"}
    other_victim = {**MP_ROW, "VICTIMA_NOMBRES": "ROSA", "VICTIMA_DOC_NRO": "3.111.222"}
    result = validate("MP", mp_csv([MP_ROW, other_victim, conflicting]))
    assert_rejected(result, "DUPLICATE_CONFLICT", column="NRO_CAUSA")
    rows = sorted(f.row for f in result.report.errors if f.rule == "DUPLICATE_CONFLICT")
    assert rows == [2, 4]  # the other victim of the same case (row 3) is fine
    assert "aparecen también en la fila 4 con datos distintos" in result.report.to_text()


def test_shifted_and_unquoted_rows_are_rejected():
    data = mp_csv([MP_ROW]).replace(b"ABG. GAUTO NILDA", b"ABG. GAUTO; NILDA")
    assert_rejected(validate("MP", data), "ROW_SHAPE", row=2)
    unclosed = mp_csv([MP_ROW], footer=False, trailing_blank_lines=0) + b'2/2025;"10/04/2025;\r\n'
    assert_rejected(validate("MP", unclosed), "CSV_MALFORMED")


def test_header_in_the_wrong_format_is_rejected():
    comma = mp_csv([MP_ROW]).replace(b";", b",")
    assert_rejected(validate("MP", comma), "HEADER_INVALID")
    assert_rejected(validate("PN", pn_xlsx([PN_ROW], title_rows=60)), "HEADER_NOT_FOUND")


def test_workbook_without_the_sheet_is_rejected():
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(pn_xlsx([PN_ROW], sheet="Hoja1")))
    book.create_sheet("Otra")
    out = io.BytesIO()
    book.save(out)
    assert_rejected(validate("PN", out.getvalue()), "SHEET_MISSING")


def _csv_with_field(size: int) -> bytes:
    data = mp_csv([{**MP_ROW, "RELATO": "@@CAMPO@@"}])
    return data.replace(b"@@CAMPO@@", b"x" * size)


def test_60_mb_field_is_rejected_by_default_limits():
    result = validate("MP", _csv_with_field(60 * MB))
    assert_rejected(result, "FILE_TOO_LARGE")


def test_60_mb_field_is_rejected_without_loading_it():
    data = _csv_with_field(60 * MB)
    limits = ReadLimits(max_file_bytes=100 * MB)
    tracemalloc.start()
    try:
        result = validate("MP", data, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_rejected(result, "FIELD_TOO_LARGE", row=2)
    assert peak < 48 * MB  # the 60 MB field never became a string (nor a copy of the input)
    assert "10000 caracteres" in result.report.to_text()


def test_oversized_fields_in_other_formats_are_rejected():
    limits = ReadLimits(max_field_chars=1_000)
    long_text = "y" * 5_000
    assert_rejected(validate("MINNA", minna_json([{**MINNA_CASE, "resumen": long_text}]), limits=limits), "FIELD_TOO_LARGE")
    assert_rejected(validate("PN", pn_xlsx([{**PN_ROW, "Observaciones": long_text}]), limits=limits), "FIELD_TOO_LARGE")
    assert_rejected(validate("MINMUJER", minmujer_csv([{**MINMUJER_ROW, "servicios": long_text}]), limits=limits), "FIELD_TOO_LARGE")


def test_binary_noise_inside_text_is_rejected():
    data = mp_csv([MP_ROW]).replace(b"ABG.", b"AB\x01G.")
    assert_rejected(validate("MP", data), "FILE_TYPE")
