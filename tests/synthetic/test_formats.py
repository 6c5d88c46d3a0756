"""Every generated file parses with standard tools and follows the extract contract."""

from __future__ import annotations

import datetime as dt
import json
import re

import synthetic_contract as contract
from synthetic_files import in_month, parse_dmy, pn_date, read_minmujer, read_minna, read_mp, read_pn

from etl.synthetic import GenerationSummary

_CEDULA_TEXT = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)$")


def _files(dataset: GenerationSummary, institution: str) -> list[tuple[str, object]]:
    folder = dataset.out_dir / institution
    out = []
    for period in dataset.periods:
        matches = list(folder.glob(f"{period}.*"))
        assert len(matches) == 1, f"{institution} {period}: expected exactly one file"
        out.append((period, matches[0]))
    return out


def test_one_file_per_institution_and_month(dataset: GenerationSummary) -> None:
    assert len(dataset.periods) == 24
    assert dataset.periods[0] == "2024-01" and dataset.periods[-1] == "2025-12"
    assert len(dataset.files) == 24 * 4
    for institution, extension in (("MP", "csv"), ("PN", "xlsx"), ("MINNA", "json"), ("MINMUJER", "csv")):
        names = sorted(p.name for p in (dataset.out_dir / institution).iterdir())
        assert names == [f"{period}.{extension}" for period in dataset.periods]


def test_mp_files_follow_the_contract(dataset: GenerationSummary, samples) -> None:
    sample_header, _, _ = read_mp(samples / "MP" / "2025-04.csv")
    footers = 0
    for period, path in _files(dataset, "MP"):
        raw = path.read_bytes()
        assert raw.startswith(b"NRO_CAUSA;") and raw.split(b"\n", 1)[0].endswith(b"\r")
        header, rows, total = read_mp(path)
        assert header == sample_header
        if total is not None:
            footers += 1
            assert total == len(rows), f"MP {period}: TOTAL footer disagrees with the row count"
        for number, row in enumerate(rows, start=1):
            where = f"MP {period} row {number}"
            assert len(row) == len(header), where
            cells = dict(zip(header, row, strict=False))
            case_number, _, year = cells["NRO_CAUSA"].partition("/")
            assert case_number.isdigit() and len(year) == 4, where
            assert in_month(parse_dmy(cells["FECHA_INGRESO"]), period), where
            if cells["FECHA_HECHO"]:
                assert parse_dmy(cells["FECHA_HECHO"]) <= parse_dmy(cells["FECHA_INGRESO"]), where
            assert cells["DEPARTAMENTO_HECHO"] in contract.MP_DEPARTMENTS, where
            assert cells["DISTRITO_HECHO"] == cells["DISTRITO_HECHO"].upper(), where
            assert cells["HECHO_PUNIBLE"] in contract.MP_OFFENCES, where
            assert cells["ETAPA_PROCESAL"] in contract.MP_STAGES, where
            assert cells["VICTIMA_DOC_TIPO"] in contract.MP_DOCUMENT_TYPES, where
            assert cells["VICTIMA_SEXO"] in contract.MP_SEXES, where
            assert cells["MEDIO_CAPTACION"] in contract.MP_RECRUITMENT, where
            upper_names = cells["VICTIMA_NOMBRES"] == cells["VICTIMA_NOMBRES"].upper()
            assert upper_names, where
            assert not (cells["VICTIMA_FECHA_NAC"] and cells["VICTIMA_EDAD"]), where
            if cells["VICTIMA_FECHA_NAC"]:
                parse_dmy(cells["VICTIMA_FECHA_NAC"])
            if cells["VICTIMA_EDAD"]:
                assert 0 < int(cells["VICTIMA_EDAD"]) < 100, where
            assert cells["RELATO"], where
    assert 0 < footers < len(dataset.periods), "the TOTAL footer is a quirk: some months have it, some not"


def test_mp_relato_exercises_quoting(dataset: GenerationSummary) -> None:
    relatos = [row[19] for _, path in _files(dataset, "MP") for row in read_mp(path)[1]]
    assert any("\n" in text for text in relatos), "some narratives carry a line break inside quotes"
    assert any(";" in text for text in relatos), "some narratives carry the delimiter inside quotes"
    assert any('"' in text for text in relatos), "some narratives carry a double quote"


def test_mp_victims_of_one_case_share_the_case_columns(dataset: GenerationSummary) -> None:
    shared_cases = 0
    for period, path in _files(dataset, "MP"):
        header, rows, _ = read_mp(path)
        by_case: dict[tuple[str, str], list[list[str]]] = {}
        for row in rows:
            by_case.setdefault((row[0], row[1]), []).append(row)
        for _key, victims in by_case.items():
            if len(victims) > 1:
                shared_cases += 1
                for column in ("UNIDAD_FISCAL", "DEPARTAMENTO_HECHO", "HECHO_PUNIBLE", "ETAPA_PROCESAL", "FISCAL"):
                    index = header.index(column)
                    assert len({v[index] for v in victims}) == 1, f"MP {period}: {column} differs within one case"
    assert shared_cases >= 10


def test_pn_files_follow_the_contract(dataset: GenerationSummary, samples) -> None:
    sample_header, _, _ = read_pn(samples / "PN" / "2025-04.xlsx")
    title_lengths, text_dates, cell_dates, numeric_ci, dotted_ci, text_ages = set(), 0, 0, 0, 0, 0
    for period, path in _files(dataset, "PN"):
        header, rows, above = read_pn(path)
        assert header == sample_header
        title_lengths.add(above)
        for number, row in enumerate(rows, start=1):
            where = f"PN {period} row {number}"
            cells = dict(zip(header, row, strict=False))
            assert str(cells["N° Denuncia"]).startswith(f"DT-{pn_date(cells['Fecha Denuncia']).year}-"), where
            if isinstance(cells["Fecha Denuncia"], str):
                text_dates += 1
            else:
                cell_dates += 1
            assert in_month(pn_date(cells["Fecha Denuncia"]), period), where
            assert cells["Sexo"] in contract.PN_SEXES, where
            assert cells["Modalidad"] in contract.PN_MODALITIES, where
            assert cells["Estado"] in contract.PN_STATUSES, where
            medium = cells["Medio / Red social utilizada"]
            assert medium is None or medium.strip().lower() in contract.PN_MEDIA, where
            surnames, comma, given = cells["Apellidos y Nombres de la Víctima"].partition(", ")
            well_formed = bool(comma and given) and surnames == surnames.upper()
            assert well_formed, where
            ci = cells["C.I. N°"]
            cedula_like = ci is None or isinstance(ci, int) or bool(_CEDULA_TEXT.match(ci))
            assert cedula_like, f"{where}: C.I. N° holds only a cédula"
            numeric_ci += isinstance(ci, int)
            dotted_ci += isinstance(ci, str) and "." in ci
            age = cells["Edad"]
            if isinstance(age, str):
                text_ages += 1
                assert age.endswith(" años") and age.split()[0].isdigit(), where
            else:
                assert age is None or isinstance(age, int), where
    assert len(title_lengths) > 1, "the title block's length varies between months"
    assert text_dates and cell_dates and numeric_ci and dotted_ci and text_ages


def test_minna_files_follow_the_contract(dataset: GenerationSummary, samples) -> None:
    sample = read_minna(samples / "MINNA" / "2025-04.json")
    sample_entry_keys = list(sample["casos"][0].keys())
    sample_child_keys = list(sample["casos"][0]["nna"].keys())
    missing_digital = 0
    for period, path in _files(dataset, "MINNA"):
        document = read_minna(path)
        assert list(document) == contract.MINNA_TOP_KEYS
        assert document["institucion"] == "MINNA" and document["periodo"] == period
        generated = dt.datetime.fromisoformat(document["generado"])
        assert generated.date() > dt.date.fromisoformat(f"{period}-01")
        for position, entry in enumerate(document["casos"], start=1):
            where = f"MINNA {period} entry {position}"
            keys = [k for k in entry if k != "entorno_digital"]
            assert keys == [k for k in sample_entry_keys if k != "entorno_digital"], where
            assert list(entry["nna"]) == sample_child_keys, where
            assert entry["id_caso"].startswith("MINNA-") and len(entry["id_caso"]) == len("MINNA-2025-00001"), where
            intake = dt.date.fromisoformat(entry["fecha_ingreso"])
            assert in_month(intake, period), where
            assert len(entry["departamento_codigo"]) == 2 and 0 <= int(entry["departamento_codigo"]) <= 17, where
            child = entry["nna"]
            assert child["documento"]["tipo"] in contract.MINNA_DOCUMENT_TYPES, where
            assert (child["documento"]["numero"] is None) == (child["documento"]["tipo"] == "SIN_DOCUMENTO"), where
            assert child["sexo"] in contract.MINNA_SEXES, where
            assert child["nacionalidad"] in contract.MINNA_NATIONALITIES, where
            if child["fecha_nacimiento"]:
                born = dt.date.fromisoformat(child["fecha_nacimiento"])
                age = intake.year - born.year - ((intake.month, intake.day) < (born.month, born.day))
                assert 0 <= age < 18, f"{where}: MINNA only takes in children"
            assert entry["tipo_vulneracion"] and set(entry["tipo_vulneracion"]) <= contract.MINNA_VIOLATIONS, where
            for referral in entry["derivaciones"]:
                assert referral["institucion"] in contract.MINNA_REFERRAL_INSTITUTIONS, where
                dt.date.fromisoformat(referral["fecha"])
            assert entry["estado"] in contract.MINNA_STATES, where
            if "entorno_digital" not in entry:
                missing_digital += 1
                continue
            digital = entry["entorno_digital"]
            assert digital["hubo_contacto_digital"] in (True, False, None), where
            assert set(digital["plataformas"]) <= contract.MINNA_PLATFORMS, where
            assert set(digital["etapas"]) <= contract.MINNA_STAGES, where
            if digital["hubo_contacto_digital"] is not True:
                assert not digital["plataformas"] and not digital["etapas"], where
    assert missing_digital > 0, "older records lack entorno_digital"


def test_minna_json_layout_matches_the_samples(dataset: GenerationSummary, samples) -> None:
    expected = (samples / "MINNA" / "2025-04.json").read_text(encoding="utf-8")
    generated = (dataset.out_dir / "MINNA" / "2025-04.json").read_text(encoding="utf-8")
    assert generated.startswith('{\n "institucion": "MINNA",\n "periodo": "2025-04",')
    assert expected.endswith("\n}") == generated.endswith("\n}")
    assert json.loads(generated)["periodo"] == "2025-04"


def test_minmujer_files_follow_the_contract(dataset: GenerationSummary, samples) -> None:
    sample_header, _ = read_minmujer(samples / "MINMUJER" / "2025-04.csv")
    for period, path in _files(dataset, "MINMUJER"):
        header, rows = read_minmujer(path)
        assert header == sample_header
        assert b"\r" not in path.read_bytes()
        for number, row in enumerate(rows, start=1):
            where = f"MINMUJER {period} row {number}"
            cells = dict(zip(header, row, strict=True))
            assert cells["codigo_atencion"].startswith("DGT-"), where
            assert in_month(dt.date.fromisoformat(cells["fecha_primera_atencion"]), period), where
            letters = cells["iniciales"].replace(".", "")
            well_formed = letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 6
            assert well_formed, where
            assert int(cells["edad"]) >= 18, f"{where}: MINMUJER attends adults only"
            assert cells["documento"] == "" or "." not in cells["documento"], where
            assert cells["forma_explotacion"] in contract.MINMUJER_FORMS, where
            assert cells["medio_captacion"] in contract.MINMUJER_RECRUITMENT, where
            assert cells["explotacion_en_linea"] in contract.MINMUJER_ONLINE, where
            assert cells["tipo_ingreso"] in contract.MINMUJER_INTAKE, where
            assert cells["servicios"], where


def test_truth_records_header_matches_the_samples(dataset: GenerationSummary, samples) -> None:
    expected = (samples / "truth_records.csv").read_text(encoding="utf-8").splitlines()[0]
    assert dataset.truth_records_path.read_text(encoding="utf-8").splitlines()[0] == expected
    assert expected.split(",") == contract.TRUTH_RECORD_COLUMNS
