"""The report: renderers for machines and people, both languages, escaped, and never a value."""

from __future__ import annotations

import json
import logging
from html.parser import HTMLParser

import pytest

from etl.defs.intake.findings import finding
from etl.defs.intake.messages import LANGS, render, rules
from etl.defs.intake.report import ReportCounts, ValidationReport
from etl.defs.intake.validate import validate_extract

from .builders import MINNA_CASE, MP_ROW, TODAY, minna_json, mp_csv

HOSTILE = {
    **MP_ROW,
    "NRO_CAUSA": "1534/2025",
    "VICTIMA_NOMBRES": "<b>ROSALBA</b> & \"CIA\"",
    "VICTIMA_APELLIDOS": "BRÍTEZ'; DROP TABLE x; --",
    "DEPARTAMENTO_HECHO": "<script>alert(1)</script>",
    "VICTIMA_EDAD": "150",
    "VICTIMA_TELEFONO": "+595 981 222 333",
    "RELATO": "Relato con ROSALBA y su número +595 981 222 333.",
}
SECRETS = ["ROSALBA", "BRÍTEZ", "DROP TABLE", "<script>", "alert(1)", "+595 981 222 333", "4.321.098", "4321098", "Relato con"]


@pytest.fixture(scope="module")
def rejected():
    return validate_extract("MP", "2025-04", mp_csv([MP_ROW, HOSTILE]), "ROSALBA BRITEZ.csv", today=TODAY)


def test_rejected_report_lists_errors_with_rows_columns_and_rules(rejected):
    report = rejected.report
    assert report.verdict == "rejected" and not report.accepted
    located = {(f.rule, f.row, f.column) for f in report.errors}
    assert ("CODE_UNKNOWN", 3, "DEPARTAMENTO_HECHO") in located
    assert ("AGE_IMPLAUSIBLE", 3, "VICTIMA_EDAD") in located
    assert report.counts == ReportCounts(records_read=2, duplicates_dropped=0, records_accepted=0, rows_with_errors=1)


def test_renderings_never_echo_values_or_the_file_name(rejected):
    report = rejected.report
    texts = [report.to_json(), *(report.to_text(lang) for lang in LANGS), *(report.to_html(lang) for lang in LANGS)]
    texts.append(json.dumps(rejected.gx_findings))
    for text in texts:
        for secret in SECRETS:
            assert secret not in text
        assert "ROSALBA BRITEZ.csv" not in text


def test_json_report_is_complete_and_machine_readable(rejected):
    data = json.loads(rejected.report.to_json())
    assert data["verdict"] == "rejected" and data["institution"] == "MP" and data["period"] == "2025-04"
    assert data["counts"]["errors"] == len(rejected.report.errors)
    assert len(data["content_sha256"]) == 64
    item = next(f for f in data["findings"] if f["rule"] == "CODE_UNKNOWN")
    assert item == {
        "severity": "error",
        "rule": "CODE_UNKNOWN",
        "row": 3,
        "column": "DEPARTAMENTO_HECHO",
        "record": 2,
        "params": {"variant": "departments"},
        "message": {
            "es": "Fila 3, columna `DEPARTAMENTO_HECHO`: departamento no reconocido. Use uno de los 18 departamentos (p. ej. ALTO PARANA) o CAPITAL.",
            "en": "Row 3, column `DEPARTAMENTO_HECHO`: department not recognised. Use one of the 18 departments (e.g. ALTO PARANA) or CAPITAL.",
        },
    }


def test_text_report_in_spanish_and_english(rejected):
    spanish = rejected.report.to_text()
    assert spanish.startswith("MP 2025-04: RECHAZADO\n")
    assert "Errores (deben corregirse para que el archivo se acepte):" in spanish
    assert "Fila 3, columna `VICTIMA_EDAD`: la edad debe estar entre 0 y 110 años." in spanish
    english = rejected.report.to_text("en")
    assert english.startswith("MP 2025-04: REJECTED\n")
    assert "Row 3, column `VICTIMA_EDAD`: the age must be between 0 and 110 years." in english


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_report_is_self_contained_and_escaped():
    report = ValidationReport(
        institution="PN",
        period="2025-04",
        verdict="rejected",
        counts=ReportCounts(records_read=1),
        findings=(finding("error", "COLUMN_UNKNOWN", column="<img src=x onerror=alert(1)>"),),
    )
    page = report.to_html("es")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "http" not in page and "<script" not in page and "<link" not in page  # nothing fetched
    parser = _Collector()
    parser.feed(page)
    assert "img" not in parser.tags and "h1" in parser.tags
    assert any("RECHAZADO" in t for t in parser.text)


def test_minna_report_speaks_of_cases_and_fields():
    case = {**MINNA_CASE, "nna": {**MINNA_CASE["nna"], "sexo": "Z"}}
    result = validate_extract("MINNA", "2025-04", minna_json([case]), "x.json", today=TODAY)
    assert "Caso 1, campo `nna.sexo`: valor no reconocido. Use uno de: F, M, OTRO" in result.report.to_text()
    assert "Case 1, field `nna.sexo`: value not recognised." in result.report.to_text("en")


def test_accepted_report_without_findings():
    result = validate_extract("MP", "2025-04", mp_csv([MP_ROW]), "x.csv", today=TODAY)
    assert result.report.accepted
    assert result.report.to_text() == (
        "MP 2025-04: ACEPTADO\nRegistros leídos: 1; aceptados: 1; duplicados idénticos descartados: 0; "
        "errores: 0; advertencias: 0.\n\nSin observaciones.\n"
    )
    assert result.content_sha256 == result.report.content_sha256


def test_every_rule_has_a_message_in_both_languages():
    for rule in rules():
        sample = finding("error", rule, row=1, column="COL", **_params_for(rule))
        for lang in LANGS:
            text = render(sample, lang)
            assert text.startswith(("Fila 1, columna `COL`: ", "Row 1, column `COL`: "))
            assert "{" not in text and "}" not in text


def _params_for(rule: str) -> dict:
    return {
        "allowed": ("A", "B"), "size_mb": "60.0", "limit_mb": "50", "found": "png", "expected": "csv", "limit": 10, "delimiter": ";",
        "example": "X", "rows": 50, "marker": "N° Denuncia", "sheet": "Denuncias", "line": 1, "col": 2, "fields": ("a",),
        "records_field": "casos", "declared": "2025-04", "share": 90, "count": 2, "formats": ("%d/%m/%Y",), "today": "2025-07-15",
        "first": "2025-04-01", "last": "2025-04-30", "registration_column": "FECHA_INGRESO", "min": 0, "max": 17,
        "key_column": "NRO_CAUSA", "other_rows": (4,), "first_row": 2, "target": "nationality", "department_column": "D", "check": "c",
    }


def test_validation_logs_no_personal_value(caplog):
    with caplog.at_level(logging.DEBUG):
        validate_extract("MP", "2025-04", mp_csv([MP_ROW, HOSTILE]), "x.csv", today=TODAY)
        validate_extract("MINNA", "2025-04", minna_json([MINNA_CASE])[:200], "x.json", today=TODAY)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in [*SECRETS, "ZULMA", "Araceli"]:
        assert secret not in logged
