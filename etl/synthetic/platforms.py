"""Online platforms: the latent truth (codelists `platform` codes) and each agency's wording.

Structured fields only ever carry values from the agency's own list (MP `MEDIO_CAPTACION`,
MINNA `plataformas`, MINMUJER `medio_captacion`); free text uses the aliases people say.
"""

from __future__ import annotations

import random

from etl.synthetic.weighted import Weighted, pick

# Platforms used to recruit, with how often they appear in Paraguayan case files (relative).
RECRUITMENT_PLATFORMS_MINOR = Weighted(
    (
        ("FACEBOOK", 3.0),
        ("WHATSAPP", 2.5),
        ("INSTAGRAM", 2.0),
        ("TIKTOK", 2.0),
        ("MESSENGER", 1.0),
        ("FREE_FIRE", 1.5),
        ("ROBLOX", 0.6),
        ("DISCORD", 0.5),
        ("TELEGRAM", 0.5),
    )
)
RECRUITMENT_PLATFORMS_ADULT = Weighted(
    (
        ("FACEBOOK", 4.0),
        ("WHATSAPP", 2.5),
        ("INSTAGRAM", 1.5),
        ("TIKTOK", 1.0),
        ("MESSENGER", 1.0),
        ("TELEGRAM", 0.5),
        ("TINDER", 0.8),
        ("ONLINE_JOB_SITE", 1.5),
        ("WEBSITE", 0.4),
    )
)
EXPLOITATION_PLATFORMS = Weighted(
    (
        ("WHATSAPP", 3.0),
        ("TELEGRAM", 1.5),
        ("INSTAGRAM", 1.5),
        ("FACEBOOK", 1.5),
        ("TIKTOK", 0.8),
        ("ONLYFANS", 0.6),
        ("WEBSITE", 0.8),
        ("DISCORD", 0.3),
    )
)

GAMES = ("FREE_FIRE", "ROBLOX", "DISCORD")

# What people write in narratives and in PN's typed field.
ALIASES: dict[str, tuple[str, ...]] = {
    "FACEBOOK": ("Facebook", "FB", "Face", "facebook"),
    "MESSENGER": ("Messenger", "el Messenger de Facebook"),
    "WHATSAPP": ("WhatsApp", "wsp", "Whatsapp", "WhatsApp"),
    "INSTAGRAM": ("Instagram", "Insta", "IG"),
    "TIKTOK": ("TikTok", "Tik Tok", "tiktok"),
    "TELEGRAM": ("Telegram",),
    "TINDER": ("Tinder",),
    "FREE_FIRE": ("Free Fire", "el juego Free Fire"),
    "ROBLOX": ("Roblox", "el juego Roblox"),
    "DISCORD": ("Discord",),
    "ONLINE_JOB_SITE": ("una página de empleos", "una página de empleos en internet", "un sitio de clasificados"),
    "WEBSITE": ("una página web", "un sitio web de anuncios"),
    "ONLYFANS": ("OnlyFans", "una página para adultos"),
}

# PN's "Medio / Red social utilizada" values, as the contract lists them (with the usual slips).
_PN_TYPED: dict[str, tuple[str, ...]] = {
    "FACEBOOK": ("Facebook", "FB", "Face", "facebook"),
    "MESSENGER": ("Messenger",),
    "WHATSAPP": ("WhatsApp", "Wsp", "whatsapp", "WhatsApp "),
    "INSTAGRAM": ("Instagram", "Insta"),
    "TIKTOK": ("TikTok",),
    "TELEGRAM": ("Telegram",),
    "TINDER": ("Tinder",),
    "FREE_FIRE": ("Free Fire",),
}

_MP_SPECIFIC: dict[str, str] = {
    "FACEBOOK": "FACEBOOK",
    "MESSENGER": "FACEBOOK",
    "WHATSAPP": "WHATSAPP",
    "INSTAGRAM": "INSTAGRAM",
    "TIKTOK": "TIK TOK",
    "TELEGRAM": "TELEGRAM",
    "WEBSITE": "PAGINA WEB",
    "ONLINE_JOB_SITE": "OFERTA LABORAL EN INTERNET",
}

MINNA_PLATFORMS = (
    "FACEBOOK",
    "WHATSAPP",
    "INSTAGRAM",
    "TIKTOK",
    "TELEGRAM",
    "MESSENGER",
    "DISCORD",
    "ROBLOX",
    "FREE_FIRE",
)

_MINMUJER_MEDIO: dict[str, str] = {
    "FACEBOOK": "01",
    "INSTAGRAM": "01",
    "TIKTOK": "01",
    "WHATSAPP": "02",
    "TELEGRAM": "02",
    "MESSENGER": "02",
    "ONLINE_JOB_SITE": "03",
    "TINDER": "04",
    "FREE_FIRE": "05",
    "ROBLOX": "05",
    "DISCORD": "05",
    "WEBSITE": "01",
}
_MINMUJER_TYPED: dict[str, tuple[str, ...]] = {
    "FACEBOOK": ("Facebook", "facebook", "FB"),
    "INSTAGRAM": ("Instagram", "instagram"),
    "TIKTOK": ("TikTok", "Tiktok"),
    "WHATSAPP": ("WhatsApp", "whatsapp", "wsp"),
    "TELEGRAM": ("Telegram",),
    "MESSENGER": ("Messenger",),
    "ONLINE_JOB_SITE": ("página de empleos", "clasificados"),
    "TINDER": ("Tinder",),
    "FREE_FIRE": ("Free Fire",),
    "ROBLOX": ("Roblox",),
    "DISCORD": ("Discord",),
    "WEBSITE": ("página web",),
    "ONLYFANS": ("OnlyFans",),
}

# Non-ICT recruitment methods (codelists `recruitment_method`) in each agency's coding.
OFFLINE_METHODS = Weighted(
    (
        ("IN_PERSON", 4.0),
        ("JOB_OFFER", 2.0),
        ("FAMILY_OR_PARTNER", 3.0),
        ("EMPLOYMENT_AGENCY", 0.6),
    )
)
_MP_OFFLINE: dict[str, tuple[str, ...]] = {
    "IN_PERSON": ("PERSONALMENTE",),
    "JOB_OFFER": ("OFERTA LABORAL",),
    "FAMILY_OR_PARTNER": ("FAMILIAR", "PAREJA"),
    "EMPLOYMENT_AGENCY": ("OFERTA LABORAL",),
}
_MINMUJER_OFFLINE: dict[str, str] = {
    "IN_PERSON": "06",
    "JOB_OFFER": "06",
    "FAMILY_OR_PARTNER": "07",
    "EMPLOYMENT_AGENCY": "08",
}


def draw_weighted(rng: random.Random, table: Weighted[str]) -> str:
    return table.draw(rng)


def alias(platform: str, rng: random.Random) -> str:
    return pick(rng, ALIASES[platform])


def pn_typed(platform: str, rng: random.Random) -> str | None:
    options = _PN_TYPED.get(platform)
    return pick(rng, options) if options else None


def mp_recruitment_code(
    ict_recruitment: bool, platform: str | None, offline_method: str | None, rng: random.Random
) -> str:
    """MP `MEDIO_CAPTACION`: consistent with the truth, with `NO CONSTA` gaps."""
    roll = rng.random()
    if ict_recruitment:
        if roll < 0.35:
            return "NO CONSTA"
        if platform in _MP_SPECIFIC and roll < 0.75:
            return _MP_SPECIFIC[platform]
        if platform == "ONLINE_JOB_SITE":
            return "OFERTA LABORAL EN INTERNET"
        return "REDES SOCIALES"
    if roll < 0.40 or offline_method is None:
        return "NO CONSTA"
    return pick(rng, _MP_OFFLINE[offline_method])


def minna_platform(platform: str) -> str:
    return platform if platform in MINNA_PLATFORMS else "OTRA"


def minmujer_medio(ict_recruitment: bool, platform: str | None, offline_method: str | None, rng: random.Random) -> str:
    if rng.random() < 0.2:
        return "99"
    if ict_recruitment:
        return _MINMUJER_MEDIO.get(platform or "", "01")
    if offline_method is None:
        return "99"
    return _MINMUJER_OFFLINE[offline_method]


def minmujer_typed(platform: str, rng: random.Random) -> str:
    return pick(rng, _MINMUJER_TYPED[platform])
