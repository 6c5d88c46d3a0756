"""Every shared sample file is accepted and yields the records truth_records.csv lists."""

from __future__ import annotations

import json
from functools import cache

import pytest

from etl.defs.intake.records import INSTITUTIONS
from etl.defs.intake.validate import IntakeResult, validate_extract

from .builders import PERIODS, TODAY, sample_path, truth_rows

CASES = [(institution, period) for institution in INSTITUTIONS for period in PERIODS]


@cache
def validated(institution: str, period: str) -> IntakeResult:
    path = sample_path(institution, period)
    return validate_extract(institution, period, path.read_bytes(), path.name, today=TODAY)


def truth_for(institution: str, period: str) -> dict[int, dict[str, str]]:
    return {int(r["row"]): r for r in truth_rows() if r["institution"] == institution and r["period"] == period}


def test_there_are_twelve_sample_files():
    assert len(CASES) == 12
    for institution, period in CASES:
        assert sample_path(institution, period).is_file()


@pytest.mark.parametrize(("institution", "period"), CASES)
def test_sample_is_accepted_with_the_truth_records(institution: str, period: str):
    result = validated(institution, period)
    truth = truth_for(institution, period)
    assert result.report.verdict == "accepted", result.report.to_text("en")
    assert not result.report.errors
    dropped = {f.record for f in result.report.warnings if f.rule == "DUPLICATE_DROPPED"}
    # truth_records.csv lists both copies of an identical duplicate; the intake keeps the first.
    assert len(result.records) + len(dropped) == len(truth)
    assert {r.source_row for r in result.records} | dropped == set(truth)
    for record in result.records:
        assert record.source_key == truth[record.source_row]["source_key"]
        assert record.institution_code == institution and record.period == period
        assert record.registration_date is not None and record.registration_date.strftime("%Y-%m") == period
    for row in dropped:
        twin = truth[row]
        assert any(
            r["source_key"] == twin["source_key"] and r["person_id"] == twin["person_id"] and n < row
            for n, r in truth.items()
        ), "a dropped row must repeat an earlier record of the same person"
    assert result.report.counts.records_read == len(truth)
    assert result.report.counts.records_accepted == len(result.records)


def test_only_the_known_identical_duplicates_are_dropped():
    dropped = {
        (institution, period): sorted(f.record for f in validated(institution, period).report.warnings if f.rule == "DUPLICATE_DROPPED")
        for institution, period in CASES
    }
    assert {k: v for k, v in dropped.items() if v} == {("PN", "2025-05"): [5, 9]}


@pytest.mark.parametrize(("institution", "period"), CASES)
def test_every_expectation_passes_on_samples(institution: str, period: str):
    checks = validated(institution, period).gx_findings
    assert checks, "the GX adapter must report every expectation"
    failing = {name: meta for name, (passed, meta) in checks.items() if not passed}
    assert failing == {}


def test_structured_ict_evidence_agrees_with_truth():
    """Where a structured field says ICT was (not) used to recruit, the truth file agrees."""
    said_yes = said_no = 0
    for institution, period in CASES:
        truth = truth_for(institution, period)
        for record in validated(institution, period).records:
            ict = truth[record.source_row]["ict"]
            if record.ict_recruitment or record.ict_exploitation:
                said_yes += 1
                assert ict == "1", (institution, period, record.source_row)
            elif record.ict_recruitment is False:
                said_no += 1
                assert ict == "0", (institution, period, record.source_row)
    assert said_yes > 50 and said_no > 30


def test_sample_records_carry_mapped_codes():
    by_key = {(r.source_key, r.source_row): r for r in validated("MP", "2025-04").records}
    boqueron = by_key[("1008/2025", 2)]
    assert boqueron.department_code == "16" and boqueron.district_name == "MCAL. ESTIGARRIBIA"
    alto_paraguay = by_key[("1037/2025", 11)]
    assert alto_paraguay.department_code == "17" and alto_paraguay.district_name == "BAHIA NEGRA"
    assert boqueron.age_years == 16  # from the birth date 11/11/2008 at registration 18/04/2025
    san_pedro = next(r for r in validated("MP", "2025-05").records if r.source_key == "1047/2025")
    assert san_pedro.district_name == "SAN PEDRO" and san_pedro.department_code == "02"

    pn = {r.source_key: r for r in validated("PN", "2025-04").records}
    assert pn["DT-2025-0010"].document_number == "3739348"  # stored as a number in the sheet
    assert pn["DT-2025-0010"].age_years == 36  # "36 años"
    assert pn["DT-2025-0016"].registration_date.isoformat() == "2025-04-24"  # typed date
    assert pn["DT-2025-0032"].platform_codes == ["FACEBOOK"]  # "Face"
    assert pn["DT-2025-0019"].exploitation_codes == ["SEXTORTION"] and pn["DT-2025-0019"].ict_exploitation is True
    assert pn["DT-2025-0004"].surnames == "VERA RAMÍREZ" and pn["DT-2025-0004"].given_names == "Aylén Fernanda"

    minna = {r.source_key: r for r in validated("MINNA", "2025-04").records}
    assert minna["MINNA-2025-00014"].ict_recruitment is None  # no entorno_digital: unknown, not "no"
    assert minna["MINNA-2025-00032"].sex_code == "X"
    assert minna["MINNA-2025-00024"].exploitation_codes == ["CHILD_SEXUAL_EXPLOITATION", "SEXTORTION"]
    assert minna["MINNA-2025-00029"].department_code == "17"

    mujer = {r.source_key: r for r in validated("MINMUJER", "2025-04").records}
    assert mujer["DGT-2025-0011"].exploitation_country_code == "BRA"  # alpha-2 "BR"
    assert mujer["DGT-2025-0005"].nationality_code == "BOL"
    assert mujer["DGT-2025-0005"].ict_exploitation is None  # NS
    assert mujer["DGT-2025-0001"].department_code == "07"  # "itapúa"
    assert all(r.sex_code == "F" and r.justice_stage_code == "NOT_APPLICABLE" for r in mujer.values())


@pytest.mark.parametrize(("institution", "period"), CASES)
def test_reports_of_samples_hold_no_personal_value(institution: str, period: str):
    result = validated(institution, period)
    rendered = [result.report.to_json(), result.report.to_text("es"), result.report.to_text("en"), result.report.to_html("es")]
    rendered.append(json.dumps(result.gx_findings, default=str))
    secrets = set()
    for record in result.records:
        secrets |= {v for v in record.personal_values() if len(v) >= 4}
        if record.narrative:
            secrets.add(record.narrative[:40])
    assert secrets
    for text in rendered:
        for secret in secrets:
            assert secret not in text
