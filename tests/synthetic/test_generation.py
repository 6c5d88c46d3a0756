"""Determinism, zero months, places, the summary and the CLI."""

from __future__ import annotations

import csv
import random
import unicodedata
from pathlib import Path

import pytest
from synthetic_files import read_minmujer, read_minna, read_mp, read_pn

from etl.synthetic import generate, minmujer_extract, minna_extract, mp_extract, pn_extract
from etl.synthetic.cli import generate_samples_command
from etl.synthetic.places import places
from etl.synthetic.reference import REFERENCE_DIR


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_identical_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", months=4, start_period="2025-03", seed=7)
    second = generate(tmp_path / "b", months=4, start_period="2025-03", seed=7)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(a) == 4 * 4 + 2
    assert a == b
    assert first.records_by_institution == second.records_by_institution
    other = generate(tmp_path / "c", months=4, start_period="2025-03", seed=8)
    assert _tree(tmp_path / "c") != a
    assert other.total_persons != first.total_persons or other.records_by_institution != first.records_by_institution


def test_scale_multiplies_the_volume(tmp_path: Path) -> None:
    small = generate(tmp_path / "small", months=3, scale=0.5)
    large = generate(tmp_path / "large", months=3, scale=2.0)
    assert large.total_persons > 2.5 * small.total_persons


def test_invalid_arguments_are_refused_in_spanish(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="periodo inválido"):
        generate(tmp_path, months=2, start_period="2025-13")
    with pytest.raises(ValueError, match="meses"):
        generate(tmp_path, months=0)
    with pytest.raises(ValueError, match="escala"):
        generate(tmp_path, months=1, scale=0)


def test_zero_months_are_valid_empty_reports(tmp_path: Path) -> None:
    rng = random.Random(1)
    mp_extract.write(tmp_path / "mp.csv", [], rng)
    header, rows, total = read_mp(tmp_path / "mp.csv")
    assert header[0] == "NRO_CAUSA" and rows == [] and total in (None, 0)
    pn_extract.write(tmp_path / "pn.xlsx", "2025-02", [], rng)
    header, rows, _ = read_pn(tmp_path / "pn.xlsx")
    assert header[0] == "N° Denuncia" and rows == []
    minna_extract.write(tmp_path / "minna.json", "2025-02", [], rng)
    document = read_minna(tmp_path / "minna.json")
    assert document["periodo"] == "2025-02" and document["casos"] == []
    minmujer_extract.write(tmp_path / "minmujer.csv", [])
    header, rows = read_minmujer(tmp_path / "minmujer.csv")
    assert header[0] == "codigo_atencion" and rows == []


def test_generated_zero_months_are_reported_in_the_summary(dataset) -> None:
    for institution, period in dataset.zero_months:
        path = (
            dataset.out_dir
            / institution
            / f"{period}.{'json' if institution == 'MINNA' else 'csv' if institution != 'PN' else 'xlsx'}"
        )
        assert path.is_file()
    assert all(institution in ("MINNA", "MINMUJER") for institution, _ in dataset.zero_months)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").upper().replace("Ñ", "N")


def test_every_district_variant_maps_back_to_its_census_district() -> None:
    """Typed forms must differ from the census label only in ways a matcher can undo."""
    with (REFERENCE_DIR / "districts_census2022.csv").open(encoding="utf-8", newline="") as handle:
        census = {(row["ine_dep_code"], row["distrito"]) for row in csv.DictReader(handle)}
    assert {(p.ine_dep_code, p.census_district) for p in places()} == census
    expansions = {
        "MCAL.": "MARISCAL",
        "GRAL.": "GENERAL",
        "CPTAN.": "CAPITAN",
        "STA.": "SANTA",
        "TTE.": "TENIENTE",
        "PTO.": "PUERTO",
    }
    irregular = 0
    for place in places():
        census_words = [expansions.get(w, w) for w in _fold(place.census_district).split()]
        usual = _fold(place.usual_name).split()
        if usual != census_words:
            irregular += 1
    assert irregular <= 15, "only a handful of districts have an everyday name unlike the census label"


def test_cli_prints_counts_only_and_returns_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert generate_samples_command(["--months", "2", "--out", str(out), "--start", "2025-05", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "MP" in printed and "MINMUJER" in printed and "nunca registradas" in printed
    header, rows, _ = read_mp(out / "MP" / "2025-05.csv")
    personal = {value for row in rows for value in (row[8], row[9], row[11], row[16]) if value}
    assert personal and not any(value in printed for value in personal)
    assert (out / "truth_persons.csv").is_file() and (out / "PN" / "2025-06.xlsx").is_file()


def test_cli_rejects_bad_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        generate_samples_command(["--months", "0", "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "entero positivo" in capsys.readouterr().err
