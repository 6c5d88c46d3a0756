"""Bad input never raises; GX stays out of imports and off the terminal."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.defs.intake.validate import validate_extract

from .builders import MINMUJER_ROW, MINNA_CASE, MP_ROW, PN_ROW, TODAY, minmujer_csv, minna_json, mp_csv, pn_xlsx

SEEDS = {
    "MP": mp_csv([MP_ROW, {**MP_ROW, "NRO_CAUSA": "2/2025"}]),
    "PN": pn_xlsx([PN_ROW]),
    "MINNA": minna_json([MINNA_CASE]),
    "MINMUJER": minmujer_csv([MINMUJER_ROW]),
}
NASTY = [b";", b",", b'"', b"\r\n", b"\n", b"\x00", b"\xff", b"\xc3", b"{", b"}", b"[", b"|", b"TOTAL;", b"99", b"\xef\xbb\xbf"]


@st.composite
def mutated(draw):
    institution = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[institution])
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "truncate", "flip"]))
        if action == "insert":
            data[position:position] = draw(st.sampled_from(NASTY))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        elif action == "truncate":
            del data[position:]
        elif data:
            index = min(position, len(data) - 1)
            data[index] = draw(st.integers(0, 255))
    return institution, bytes(data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated())
def test_mangled_files_get_a_verdict_never_an_exception(case):
    institution, data = case
    result = validate_extract(institution, "2025-04", data, "fuzz", today=TODAY)
    assert result.report.verdict in ("accepted", "rejected")
    assert (result.report.verdict == "accepted") == (not result.report.errors)
    if result.report.verdict == "rejected":
        assert result.records == []
    result.report.to_text()
    result.report.to_html("en")


def test_gx_is_imported_lazily():
    code = (
        "import sys; import etl.defs.intake.validate, etl.defs.intake.suites, etl.defs.intake.gx_findings; "
        "print('great_expectations' in sys.modules)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert output == "False"


def test_validation_prints_nothing(capfd):
    validate_extract("MP", "2025-04", SEEDS["MP"], "x.csv", today=TODAY)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""  # no progress bars, no analytics notices
