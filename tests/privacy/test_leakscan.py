from __future__ import annotations

import json

from etl.defs.privacy.leakscan import LeakIndex, find_leaks, find_leaks_labeled

SECRETS = ["María José", "González de Benítez", "4.567.890", "0981 123456", "2008-11-11", "M.J.G.B.", "AB123456"]


def test_each_written_form_is_found() -> None:
    texts = {
        "accents and case": "registro de MARIA  jose",
        "particles and punctuation": "apellidos: gonzález-benítez",
        "document without dots": "ci=4567890;",
        "document with dots": "C.I. N° 4.567.890",
        "phone in E.164": "tel +595981123456",
        "phone national": "llamar al 0981-123-456",
        "date as typed": "nacida el 11/11/2008",
        "initials": "iniciales M. J. G. B.",
        "passport": "pasaporte ab-123456",
        "json escaped": json.dumps({"nombre": "María José"}),
    }
    hits = find_leaks_labeled(texts.items(), SECRETS)
    assert {h.location for h in hits} == set(texts)


def test_unrelated_text_is_clean() -> None:
    texts = ["caso 45678901 derivado", "edad 17, año 2008", "María Josefina", "tel 0981 123457", "RECRUITMENT"]
    assert find_leaks(texts, SECRETS) == []


def test_hits_name_location_and_fingerprint_never_the_secret() -> None:
    hits = find_leaks(["x", "la víctima María José, CI 4.567.890"], SECRETS)
    assert [(h.location, h.secret_index) for h in hits] == [("texto #1", 0), ("texto #1", 2)]
    assert {h.variant for h in hits} <= {"texto", "dígitos"}
    rendered = " ".join(str(h) + repr(h) for h in hits)
    for secret in SECRETS:
        assert secret not in rendered
    assert "4567890" not in rendered and "MARIA" not in rendered.upper()
    assert all(len(h.fingerprint) == 8 for h in hits)
    assert "María" not in repr(LeakIndex(SECRETS))


def test_index_scans_many_texts_quickly() -> None:
    secrets = [f"{n:07d}" for n in range(1_000_000, 1_020_000)] + [f"Nombre{n} Apellido{n}" for n in range(5000)]
    index = LeakIndex(secrets)
    texts = [f"fila {i}: estado RECRUITMENT, fuente narrative, departamento 11" for i in range(20_000)]
    texts.append("observación con 1.019.999 adentro")
    hits = [h for i, t in enumerate(texts) for h in index.scan(f"#{i}", t)]
    assert [(h.location, h.secret_index) for h in hits] == [("#20000", 19_999)]
