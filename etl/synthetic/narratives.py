"""Spanish narratives (MP `RELATO`, PN `Observaciones`, MINNA `resumen`).

Narratives carry what structured fields often miss: the platform used to recruit or exploit,
with the aliases people use (FB, wsp, Insta…). They also carry what must never leave the
pipeline (names, ages, phones, CI numbers, @handles), negations ("no se registró contacto por
redes sociales") and unrelated mentions of apps (a mother sending her location by WhatsApp),
so the ICT classifier and the privacy scrubber are tested on realistic text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from etl.synthetic import platforms
from etl.synthetic.population import LABOUR_FORMS, SERVITUDE_FORMS, Case
from etl.synthetic.weighted import pick

_TOWNS = ("Asunción", "Ciudad del Este", "Encarnación", "Pedro Juan Caballero", "Buenos Aires", "Luque", "San Lorenzo")
_ABROAD = {"ARG": "Argentina", "ESP": "España", "BRA": "Brasil", "ITA": "Italia", "CHL": "Chile"}
_OFFERS = (
    "un trabajo de modelo",
    "un empleo en un restaurante",
    "trabajo como niñera",
    "una beca de estudios",
    "trabajo como {cajera} en un supermercado",
    "un empleo bien pagado",
    "ayudarl{a} a viajar",
)
_LABOUR_OFFERS = (
    "trabajo en una estancia",
    "un empleo en una fábrica",
    "trabajo en la construcción",
    "trabajo en una olería",
)


@dataclass(slots=True)
class NarrativeFacts:
    """What one record's narrative may mention, already written as that agency would."""

    full_name: str
    sex: str  # F, M, X
    age: int | None
    district: str
    minor: bool
    phone: str | None
    ci: str | None
    handle: str | None


def _gender_words(female: bool) -> dict[str, str]:
    return {
        "a": "a" if female else "o",
        "la": "la" if female else "lo",
        "La": "La" if female else "Lo",
        "ella": "ella" if female else "él",
        "hija": "hija" if female else "hijo",
        "cajera": "cajera" if female else "cajero",
        "empleada": "empleada" if female else "empleado",
    }


# Agreement follows the recorded sex; "X" (other) is written in the feminine of "la víctima".
_GENDER = {"F": _gender_words(True), "X": _gender_words(True), "M": _gender_words(False)}


def _gender(sex: str) -> dict[str, str]:
    return _GENDER[sex]


def _place(case: Case, rng: random.Random) -> str:
    if case.destination in _ABROAD:
        return _ABROAD[case.destination]
    return pick(rng, _TOWNS[:4] + _TOWNS[5:])


def _offer(case: Case, rng: random.Random) -> str:
    return pick(rng, _LABOUR_OFFERS if case.form in LABOUR_FORMS else _OFFERS)


def _recruitment_online(case: Case, rng: random.Random) -> str:
    platform = case.recruitment_platform or "FACEBOOK"
    said = platforms.alias(platform, rng)
    place = _place(case, rng)
    offer = _offer(case, rng)
    if platform in platforms.GAMES:
        return pick(
            rng,
            (
                f"mientras jugaba {said} un usuario le pidió su número y luego {{la}} citó en {place}",
                f"fue contactad{{a}} a través de {said} por una persona que le ofreció {offer} en {place}",
            ),
        )
    if platform == "ONLINE_JOB_SITE":
        return f"respondió a un aviso publicado en {said} que ofrecía {offer} en {place}"
    if platform == "WEBSITE":
        return f"vio en {said} un anuncio que ofrecía {offer} en {place}"
    return pick(
        rng,
        (
            f"fue contactad{{a}} a través de {said} por una persona que le ofreció {offer} en {place}",
            f"una persona {{la}} contactó por {said} ofreciéndole {offer}",
            f"conoció por {said} a una persona que inició una relación sentimental con {{ella}}"
            f" y {{la}} llevó a {place}",
            f"recibió por {said} una propuesta de {offer} en {place}",
            f"fue captad{{a}} por {said} con la promesa de {offer}",
        ),
    )


def _recruitment_offline(case: Case, rng: random.Random) -> str:
    method = case.offline_method
    if method == "FAMILY_OR_PARTNER":
        return pick(
            rng,
            (
                "fue llevad{a} por un familiar con la promesa de estudiar en la ciudad",
                f"su pareja {{la}} trasladó a {_place(case, rng)} con la promesa de un mejor trabajo",
                "fue entregad{a} por su tía a una familia de la capital",
            ),
        )
    if method == "EMPLOYMENT_AGENCY":
        return f"una agencia de empleos le ofreció viajar a {_place(case, rng)}"
    if method == "JOB_OFFER":
        return pick(
            rng,
            (
                "fue abordad{a} en la terminal de ómnibus por un hombre que le ofreció empleo",
                f"aceptó en persona una oferta de {_offer(case, rng)} en {_place(case, rng)}",
            ),
        )
    return pick(
        rng,
        (
            "fue captad{a} personalmente por una vecina que le ofreció trabajo como {empleada} doméstic{a}",
            "fue captad{a} por un conocido del barrio",
            "fue abordad{a} en la plaza por una mujer que le ofreció trabajo",
        ),
    )


def _exploitation_online(case: Case, rng: random.Random) -> str:
    platform = case.exploitation_platform or "WHATSAPP"
    said = platforms.alias(platform, rng)
    if platform in ("WEBSITE", "ONLYFANS"):
        return pick(
            rng,
            (
                f"Posteriormente {{la}} ofrecían en {said} de acompañantes.",
                f"Sus fotos eran publicadas en {said} para captar clientes.",
            ),
        )
    if case.form == "SEXTORTION":
        return pick(
            rng,
            (
                f"Le exigían enviar fotos íntimas por {said} bajo amenaza de difundirlas.",
                f"Sufrió sextorsión por {said}: amenazaban con publicar sus fotos.",
            ),
        )
    return pick(
        rng,
        (
            f"Posteriormente fue obligad{{a}} a realizar transmisiones en vivo por {said}.",
            f"{{La}} obligaban a hacer transmisiones en vivo por {said}.",
            f"Difundieron sus fotos íntimas en grupos de {said}.",
            f"Sus imágenes eran ofrecidas en grupos de {said}.",
            f"{{La}} grababan y vendían los videos por {said}.",
        ),
    )


def _exploitation_offline(case: Case, minor: bool, rng: random.Random) -> str:
    if case.form in LABOUR_FORMS:
        return pick(
            rng,
            (
                "Trabajaba en una chacra sin paga ni descanso.",
                f"Fue obligad{{a}} a trabajar en una olería de {_place(case, rng)} sin salario.",
            ),
        )
    if case.form in SERVITUDE_FORMS:
        if minor:
            return pick(
                rng,
                (
                    "Trabajaba en una casa de familia sin salario ni descanso y no asistía a la escuela.",
                    "Realizaba tareas domésticas a cambio de comida y techo; dejó de ir al colegio.",
                ),
            )
        return pick(
            rng,
            (
                "Trabajaba en una casa de familia sin salario ni descanso.",
                "Realizaba tareas domésticas a cambio de comida y techo.",
            ),
        )
    if case.form == "FORCED_MARRIAGE":
        return "Fue obligad{a} a convivir con un hombre mayor."
    return pick(
        rng,
        (
            f"Fue explotad{{a}} sexualmente en un local nocturno de {_place(case, rng)}.",
            "Era obligad{a} a atender clientes en una whiskería.",
            "Le retenían el documento y el dinero.",
        ),
    )


_NEGATIONS = (
    "No se registró contacto por redes sociales.",
    "Niega haber sido contactad{a} por internet.",
    "No refiere uso de celular ni redes sociales en la captación.",
    "Sin intervención de medios digitales según lo manifestado.",
)
_RECRUITMENT_NEGATIONS = ("No fue contactad{a} por redes sociales; {la} captó un conocido.",)
_UNRELATED_MENTIONS = (
    "La madre pidió ayuda al 911 y luego envió la ubicación por WhatsApp a la policía.",
    "La madre envió la ubicación por WhatsApp a la policía.",
    "Se comunicó con su hermana por celular para pedir ayuda.",
    "Un vecino compartió su foto en Facebook para pedir información sobre su paradero.",
    "La denuncia ingresó por la línea 147 Fono Ayuda.",
)
_SILENT = ("fue víctima de explotación según refiere", "refiere haber sido víctima de explotación")


def _intro(kind: str, facts: NarrativeFacts, g: dict[str, str], rng: random.Random) -> str:
    age = f", de {facts.age} años," if facts.age is not None else ","
    if kind == "PN":
        if facts.minor and rng.random() < 0.8:
            return f"Se presenta la denunciante manifestando que su {g['hija']} {facts.full_name}"
        return f"Se presenta {facts.full_name} manifestando que"
    if kind == "MINNA" and rng.random() < 0.4:
        noun = "La adolescente" if facts.sex != "M" else "El adolescente"
        if facts.age is not None and facts.age < 12:
            noun = "La niña" if facts.sex != "M" else "El niño"
        return f"{noun} {facts.full_name}{age} domiciliad{g['a']} en {facts.district},"
    if rng.random() < 0.2:
        return f"{facts.full_name}{age} residente en {facts.district},"
    return f"La víctima {facts.full_name}{age} domiciliad{g['a']} en {facts.district},"


def compose(kind: str, case: Case, facts: NarrativeFacts, rng: random.Random) -> str:
    """A narrative for one record; `kind` is "MP", "PN" or "MINNA"."""
    g = _gender(facts.sex)
    sentences: list[str] = []
    silent = rng.random() < 0.12
    if silent:
        recruitment = pick(rng, _SILENT)
    elif case.ict_recruitment and rng.random() < 0.8:
        recruitment = _recruitment_online(case, rng)
    elif not case.ict_recruitment:
        recruitment = _recruitment_offline(case, rng)
    else:
        recruitment = pick(rng, _SILENT)
    sentences.append(f"{_intro(kind, facts, g, rng)} {recruitment}.")
    if not silent:
        if case.ict_exploitation and rng.random() < 0.8:
            sentences.append(_exploitation_online(case, rng))
        elif not case.ict_exploitation and rng.random() < 0.5:
            sentences.append(_exploitation_offline(case, facts.minor, rng))
        if case.ict_stage == "NONE" and rng.random() < 0.3:
            sentences.append(pick(rng, _NEGATIONS))
        elif case.ict_stage == "EXPLOITATION" and rng.random() < 0.15:
            sentences.append(pick(rng, _RECRUITMENT_NEGATIONS))
    if rng.random() < 0.12:
        sentences.append(pick(rng, _UNRELATED_MENTIONS))
    if facts.phone and rng.random() < 0.4:
        sentences.append(f"Número de contacto: {facts.phone}.")
    if facts.ci and rng.random() < 0.3:
        sentences.append(f"C.I. N° {facts.ci}.")
    if facts.handle and rng.random() < 0.6:
        sentences.append(
            pick(rng, ("Su cuenta es @{h}.", "Usuario en redes: @{h}.", "Perfil @{h}.")).format(h=facts.handle)
        )
    text = " ".join(sentence.format(**g) for sentence in sentences)
    return text[0].upper() + text[1:]
