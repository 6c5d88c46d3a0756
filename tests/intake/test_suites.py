"""The stored expectation suites are exactly what the contracts generate, and load in GX."""

from __future__ import annotations

import json
import re

import pytest

from etl.defs.intake.contracts import load_contract
from etl.defs.intake.gx_findings import findings_by_expectation
from etl.defs.intake.gx_runtime import load_suite, run_suite, suite_path
from etl.defs.intake.messages import rules
from etl.defs.intake.prepare import prepare
from etl.defs.intake.readers import read_extract
from etl.defs.intake.records import INSTITUTIONS
from etl.defs.intake.suites import PERIOD_FIRST, PERIOD_LAST, TODAY, suite_json

from .builders import MP_ROW, mp_csv


@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_stored_suite_equals_what_the_builder_produces(institution: str):
    stored = json.loads(suite_path(institution).read_text(encoding="utf-8"))
    assert stored == suite_json(load_contract(institution)), (
        f"expectations/{institution}.json is stale: run `python -m etl.defs.intake.suites`"
    )


@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_suite_loads_and_every_expectation_is_described(institution: str):
    suite = load_suite(institution)
    checks = [e.meta["check"] for e in suite.expectations]
    assert len(checks) == len(set(checks))
    assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in checks)  # valid Dagster asset check names
    assert {e.meta["rule"] for e in suite.expectations} <= rules()
    contract = load_contract(institution)
    assert {e.meta["column"] for e in suite.expectations} - {None} <= set(contract.column_names)
    covered = {e.meta["rule"] for e in suite.expectations}
    assert {"COLUMN_MISSING", "REQUIRED", "KEY_FORMAT", "DATE_INVALID", "DATE_IN_FUTURE", "DATE_OUTSIDE_PERIOD",
            "CODE_UNKNOWN", "AGE_IMPLAUSIBLE", "DUPLICATE_CONFLICT"} <= covered
    if institution in ("MP", "PN", "MINNA"):
        assert "CEDULA_FORMAT" in covered


def test_population_age_rules_are_in_the_suites():
    assert any(e.meta["rule"] == "AGE_NOT_MINOR" for e in load_suite("MINNA").expectations)
    assert any(e.meta["rule"] == "AGE_NOT_ADULT" for e in load_suite("MINMUJER").expectations)


def test_allowed_codes_in_the_suite_come_from_the_contract():
    suite = load_suite("MP")
    hecho = next(e for e in suite.expectations if e.meta["check"] == "hecho_punible__code_unknown")
    assert "EXPLOTACION SEXUAL DE NINOS Y ADOLESCENTES" in hecho.value_set
    assert "NO CONSTA" in hecho.value_set  # unknown markers are valid values, mapped to UNKNOWN


def test_findings_by_expectation_has_one_entry_per_expectation_and_no_values():
    contract = load_contract("MP")
    bad = {**MP_ROW, "DEPARTAMENTO_HECHO": "ATLANTIDA", "VICTIMA_EDAD": "150", "NRO_CAUSA": "9/2025"}
    prepared = prepare(contract, read_extract(contract, mp_csv([MP_ROW, bad]), "2025-04"), "2025-04")
    result = run_suite("MP", prepared.frame, {PERIOD_FIRST: 20250401, PERIOD_LAST: 20250430, TODAY: 20250715})
    checks = findings_by_expectation(result)
    assert set(checks) == {e.meta["check"] for e in load_suite("MP").expectations}
    department = checks["departamento_hecho__code_unknown"]
    assert department[0] is False
    assert department[1]["unexpected_rows"] == [3] and department[1]["unexpected_count"] == 1
    assert checks["victima_edad__age_implausible"][1]["unexpected_rows"] == [3]
    assert checks["fecha_ingreso__date_outside_period"][0] is True
    dumped = json.dumps(checks)
    for value in ("ATLANTIDA", "150", "ZULMA", "4321098", "4.321.098", "0981 765432"):
        assert value not in dumped.replace('"unexpected_rows": [3]', "")
