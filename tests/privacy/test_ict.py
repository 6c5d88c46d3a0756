from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from etl.defs.privacy.ict import (
    EXPLOITATION_ICT_STAGE,
    ICT_STATUSES,
    RECRUITMENT_METHOD_IS_ICT,
    classify_record,
    person_status,
)
from etl.defs.privacy.narrative import _PLATFORM_PATTERNS, NarrativeReading, read_narrative

from .fixtures import victim

CODELISTS = yaml.safe_load((Path(__file__).resolve().parents[2] / "schemas" / "codelists.yaml").read_text("utf-8"))


def test_code_tables_follow_the_codelists() -> None:
    methods = CODELISTS["recruitment_method"]
    assert RECRUITMENT_METHOD_IS_ICT == {code: spec["is_ict"] for code, spec in methods.items()}
    assert set(ICT_STATUSES) == set(CODELISTS["ict_status"])
    assert {code for code, _ in _PLATFORM_PATTERNS} <= set(CODELISTS["platform"])
    assert set(EXPLOITATION_ICT_STAGE) <= set(CODELISTS["exploitation"])


R, E = "RECRUITMENT", "EXPLOITATION"


@pytest.mark.parametrize(
    ("text", "recruitment", "exploitation", "platforms"),
    [
        ("Fue contactada a través de FB por un hombre que le ofreció trabajo.", True, None, {("FACEBOOK", R)}),
        ("La contactaron por Face y luego la llevaron.", True, None, {("FACEBOOK", R)}),
        ("Le escribió por wsp prometiéndole empleo.", True, None, {("WHATSAPP", R)}),
        ("Conoció al captor por Whats.", True, None, {("WHATSAPP", R)}),
        ("Fue contactado por IG con una oferta de modelaje.", True, None, {("INSTAGRAM", R)}),
        ("Una persona la agregó en Insta y la enamoró.", True, None, {("INSTAGRAM", R)}),
        ("Conoció al agresor jugando Free Fire.", True, None, {("FREE_FIRE", R)}),
        ("Fue contactada a través de Tik Tok.", True, None, {("TIKTOK", R)}),
        ("La invitó por Telegram a un grupo.", True, None, {("TELEGRAM", R)}),
        ("Lo contactaron por Messenger.", True, None, {("MESSENGER", R)}),
        ("Lo conoció en Roblox y después por Discord.", True, None, {("ROBLOX", R), ("DISCORD", R)}),
        ("Se conocieron por Tinder.", True, None, {("TINDER", R)}),
        ("Respondió a un aviso en internet de una página de empleos.", True, None, {("ONLINE_JOB_SITE", R)}),
        ("Fue captada por redes sociales.", True, None, set()),
        ("Le ofrecieron trabajo en línea.", True, None, set()),
        ("Fue obligada a realizar transmisiones en vivo por Instagram.", None, True, {("INSTAGRAM", E)}),
        ("La obligaban a hacer videollamadas con clientes.", None, True, set()),
        ("Le exigían enviar fotos íntimas bajo amenaza de difundirlas.", None, True, set()),
        ("Sus imágenes eran ofrecidas en grupos de WhatsApp.", None, True, {("WHATSAPP", E)}),
        ("Fue víctima de sextorsión.", None, True, set()),
        ("La explotaban frente a una webcam.", None, True, set()),
        ("La contactó por Facebook; luego la obligó a transmitir en vivo por TikTok.", True, True,
         {("FACEBOOK", R), ("TIKTOK", E)}),
    ],
)
def test_narrative_positive_evidence(text, recruitment, exploitation, platforms) -> None:
    reading = read_narrative(text)
    assert (reading.recruitment, reading.exploitation) == (recruitment, exploitation)
    assert set(reading.platforms) == platforms


@pytest.mark.parametrize(
    "text",
    [
        "No se registró contacto por redes sociales ni por teléfono.",
        "Fue captada sin uso de redes.",
        "La víctima niega contacto por internet.",
        "Nunca tuvo contacto por WhatsApp con el captor.",
    ],
)
def test_narrative_negation_is_evidence_of_no_ict(text: str) -> None:
    reading = read_narrative(text)
    assert reading.recruitment is False and reading.exploitation is None and reading.platforms == ()


@pytest.mark.parametrize(
    "text",
    [
        "La madre pidió ayuda al 911 y luego envió la ubicación por WhatsApp a la policía.",
        "La tía denunció por WhatsApp.",
        "Se comunicó con la fiscalía por teléfono y por Facebook.",
        "Su cuenta es @maria_ig_22.",
        "Tiene un perfil de Instagram.",
        "Fue víctima de explotación según refiere.",
        "",
    ],
)
def test_narrative_unrelated_mentions_are_not_evidence(text: str) -> None:
    assert read_narrative(text) == NarrativeReading()


def test_police_complainant_wording_is_not_a_report_by_ict() -> None:
    text = ("Se presenta la denunciante manifestando que su hija fue contactada a través de Free Fire por una "
            "persona que le prometió un trabajo de modelo.")
    assert read_narrative(text).recruitment is True


@pytest.mark.parametrize(
    "text",
    [
        "Fue captada personalmente por una vecina que le ofreció trabajo.",
        "Fue llevada por un familiar con la promesa de estudiar en la ciudad.",
        "Fue abordada en la terminal de ómnibus por un hombre que le ofreció empleo.",
    ],
)
def test_narrative_in_person_recruitment_is_not_ict(text: str) -> None:
    assert read_narrative(text).recruitment is False


def _status(**fields) -> tuple[str, str]:
    assessment = classify_record(victim("MP", "2025-04", "1/2025", 1, **fields))
    return assessment.status, assessment.evidence_source


def test_unknown_stays_unknown() -> None:
    assert _status() == ("UNKNOWN", "none")
    assert _status(narrative="Fue víctima de explotación según refiere.") == ("UNKNOWN", "none")
    assert _status(recruitment_method_code="OTHER") == ("UNKNOWN", "none")


def test_structured_evidence() -> None:
    assert _status(recruitment_method_code="SOCIAL_MEDIA") == ("RECRUITMENT", "structured")
    assert _status(recruitment_method_code="IN_PERSON") == ("NONE", "structured")
    assert _status(ict_recruitment=True, ict_exploitation=True) == ("BOTH", "structured")
    assert _status(ict_exploitation=True) == ("EXPLOITATION", "structured")
    assert _status(ict_recruitment=False, ict_exploitation=False) == ("NONE", "structured")
    assert _status(exploitation_codes=["SEXTORTION"]) == ("EXPLOITATION", "structured")
    assert _status(exploitation_codes=["GROOMING"]) == ("RECRUITMENT", "structured")
    assert _status(platform_codes=["TIKTOK"]) == ("RECRUITMENT", "structured")
    # The agency's explicit "no" at a stage is not overridden by the form of exploitation.
    assert _status(exploitation_codes=["ONLINE_SEXUAL_EXPLOITATION"], ict_exploitation=False) == ("NONE", "structured")


def test_narrative_completes_and_positive_evidence_wins() -> None:
    assert _status(recruitment_method_code="JOB_OFFER",
                   narrative="Fue contactada a través de TikTok por una persona que le ofreció empleo.") == (
        "RECRUITMENT", "narrative")
    assert _status(recruitment_method_code="SOCIAL_MEDIA",
                   narrative="Le exigían enviar fotos íntimas bajo amenaza de difundirlas.") == ("BOTH", "structured")
    assert _status(narrative="Fue captada personalmente por una vecina.") == ("NONE", "narrative")


def test_platforms_carry_stage_and_source() -> None:
    record = victim("PN", "2025-04", "DT-1", 1, recruitment_method_code="SOCIAL_MEDIA", platform_codes=["FACEBOOK"],
                    narrative="Posteriormente fue obligado a realizar transmisiones en vivo por Facebook.")
    assessment = classify_record(record)
    assert assessment.status == "BOTH"
    assert assessment.platforms_json() == [
        {"platform": "FACEBOOK", "stage": "EXPLOITATION", "source": "narrative"},
        {"platform": "FACEBOOK", "stage": "RECRUITMENT", "source": "structured"},
    ]
    minna = victim("MINNA", "2025-04", "M-1", 1, ict_recruitment=True, ict_exploitation=True,
                   platform_codes=["WHATSAPP"])
    assert classify_record(minna).platforms_json() == [
        {"platform": "WHATSAPP", "stage": "UNSPECIFIED", "source": "structured"}]


def test_assessment_keeps_no_narrative_text() -> None:
    narrative = ("La víctima Rocío Isabel Vera Romero fue captada por un conocido del barrio. Posteriormente "
                 "fue obligada a realizar transmisiones en vivo por Tinder. Su cuenta es @rocio_36.")
    assessment = classify_record(victim("MP", "2025-05", "1035/2025", 17, narrative=narrative))
    text = repr(assessment) + str(assessment.platforms_json())
    words = narrative.split()
    assert not any(" ".join(words[i:i + 2]) in text for i in range(len(words) - 1))
    assert "rocio" not in text.lower() and "@" not in text


def test_person_rollup() -> None:
    assert person_status(["UNKNOWN", "RECRUITMENT", "EXPLOITATION"]) == "BOTH"
    assert person_status(["NONE", "EXPLOITATION"]) == "EXPLOITATION"
    assert person_status(["NONE", "UNKNOWN"]) == "NONE"
    assert person_status(["UNKNOWN", "UNKNOWN"]) == "UNKNOWN"
    with pytest.raises(ValueError):
        person_status(["MAYBE"])
