"""Structured ICT fields agree with the truth (with gaps), and narratives carry realistic signals."""

from __future__ import annotations

import csv
import re
from collections import Counter

import synthetic_contract as contract
from synthetic_files import read_minmujer, read_minna, read_mp, read_pn

from etl.synthetic import GenerationSummary
from etl.synthetic.generator import extract_path

_PLATFORM_WORDS = re.compile(
    r"\b(facebook|fb|face|whatsapp|wsp|instagram|insta|ig|tik ?tok|telegram|messenger|tinder|free fire|roblox|"
    r"discord|onlyfans|página de empleos|página web|sitio web|clasificados|página para adultos)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(no se registró contacto|niega haber sido contactad|no refiere uso|sin intervención de medios)", re.I
)


def _stages(dataset: GenerationSummary) -> dict[str, str]:
    with dataset.truth_persons_path.open(encoding="utf-8", newline="") as handle:
        return {row["person_id"]: row["ict_stage"] for row in csv.DictReader(handle)}


def _records(dataset: GenerationSummary, institution: str):
    """(truth stage, the record) for every record of one institution."""
    stages = _stages(dataset)
    with dataset.truth_records_path.open(encoding="utf-8", newline="") as handle:
        truth = [r for r in csv.DictReader(handle) if r["institution"] == institution]
    cache: dict[str, list] = {}
    for record in truth:
        period = record["period"]
        if period not in cache:
            path = extract_path(dataset.out_dir, institution, period)
            if institution == "MP":
                header, rows, _ = read_mp(path)
                cache[period] = [dict(zip(header, row, strict=False)) for row in rows]
            elif institution == "PN":
                header, rows, _ = read_pn(path)
                cache[period] = [dict(zip(header, row, strict=False)) for row in rows]
            elif institution == "MINNA":
                cache[period] = read_minna(path)["casos"]
            else:
                header, rows = read_minmujer(path)
                cache[period] = [dict(zip(header, row, strict=False)) for row in rows]
        yield stages[record["person_id"]], cache[period][int(record["row"]) - 1]


def test_mp_recruitment_channel_never_contradicts_the_truth(dataset: GenerationSummary) -> None:
    seen = Counter()
    for stage, row in _records(dataset, "MP"):
        channel = row["MEDIO_CAPTACION"]
        online_recruitment = stage in ("RECRUITMENT", "BOTH")
        if channel in contract.MP_ONLINE_RECRUITMENT:
            assert online_recruitment
            seen["online"] += 1
        elif channel in contract.MP_OFFLINE_RECRUITMENT:
            assert not online_recruitment
            seen["offline"] += 1
        else:
            seen["unknown"] += 1
    assert seen["online"] and seen["offline"] and seen["unknown"], "filled partially, with NO CONSTA gaps"


def test_pn_medium_never_contradicts_the_truth(dataset: GenerationSummary) -> None:
    blanks = 0
    for stage, row in _records(dataset, "PN"):
        medium = row["Medio / Red social utilizada"]
        if medium is None:
            blanks += 1
        elif medium.strip().lower() in contract.PN_ONLINE_MEDIA:
            assert stage != "NONE"
        elif medium == "No":
            assert stage == "NONE"
    assert blanks > 0


def test_minna_digital_environment_never_contradicts_the_truth(dataset: GenerationSummary) -> None:
    seen = Counter()
    stage_names = {"RECRUITMENT": {"CAPTACION"}, "EXPLOITATION": {"EXPLOTACION"}, "BOTH": {"CAPTACION", "EXPLOTACION"}}
    for stage, entry in _records(dataset, "MINNA"):
        digital = entry.get("entorno_digital")
        if digital is None:
            seen["missing"] += 1
            continue
        contact = digital["hubo_contacto_digital"]
        seen[str(contact)] += 1
        if stage == "NONE":
            assert contact is not True
        else:
            assert contact is not False
            assert set(digital["etapas"]) <= stage_names[stage]
    assert seen["missing"] and seen["True"] and seen["False"] and seen["None"]


def test_minmujer_codes_never_contradict_the_truth(dataset: GenerationSummary) -> None:
    online_channels = {"01", "02", "03", "04", "05"}
    offline_channels = {"06", "07", "08"}
    seen = Counter()
    for stage, row in _records(dataset, "MINMUJER"):
        if row["medio_captacion"] in online_channels:
            assert stage in ("RECRUITMENT", "BOTH")
        if row["medio_captacion"] in offline_channels:
            assert stage in ("NONE", "EXPLOITATION")
        if row["explotacion_en_linea"] == "SI":
            assert stage in ("EXPLOITATION", "BOTH")
        if row["explotacion_en_linea"] == "NO":
            assert stage in ("NONE", "RECRUITMENT")
        seen[row["medio_captacion"] == "99"] += 1
    assert seen[True] and seen[False]


def test_narratives_carry_platforms_negations_and_distractors(dataset: GenerationSummary) -> None:
    counts = Counter()
    for institution, field in (("MP", "RELATO"), ("PN", "Observaciones"), ("MINNA", "resumen")):
        for stage, record in _records(dataset, institution):
            text = record[field]
            names_platform = bool(_PLATFORM_WORDS.search(text))
            negated = bool(_NEGATION.search(text))
            kind = "ict" if stage != "NONE" else "none"
            counts[(kind, "platform")] += names_platform
            counts[(kind, "negation")] += negated
            counts[(kind, "all")] += 1
            if negated:
                assert stage in ("NONE", "EXPLOITATION"), "a negation never denies what happened"
    assert counts[("ict", "platform")] > 0.6 * counts[("ict", "all")], "most ICT narratives name a platform"
    assert counts[("ict", "platform")] < counts[("ict", "all")], "some ICT narratives say nothing"
    assert counts[("none", "negation")] > 0.1 * counts[("none", "all")], "some non-ICT narratives deny it"
    assert 0 < counts[("none", "platform")] < 0.3 * counts[("none", "all")], "unrelated app mentions exist, rarely"


def test_narratives_contain_the_personal_data_the_scrubber_must_remove(dataset: GenerationSummary) -> None:
    texts = [row["RELATO"] for _, row in _records(dataset, "MP")]
    assert any(re.search(r"@[a-z0-9_.]+", t) for t in texts)
    assert any(re.search(r"C\.I\. N° [\d.]+", t) for t in texts)
    assert any(re.search(r"(\+595|09\d\d|\b9\d\d)[ \d-]{6,}", t) for t in texts)
    assert any(re.search(r"\d+ años", t) for t in texts)
