"""Rule-based reading of a Spanish case narrative for ICT use at recruitment and exploitation.

The narrative (RELATO, Observaciones, resumen) is read in memory and dropped: only the
findings (True/False/None per stage and platform codes) leave this module. No excerpt, match
or position of the text is ever returned, logged or raised.

Rules, applied clause by clause (clauses end at punctuation and at pero/luego/aunque/...):
- a mention of ICT is a platform alias (FB, Face, wsp, Insta, Tik Tok, Free Fire...) or a
  generic term (redes sociales, internet, en línea, videollamada, fotos íntimas, sextorsión...);
- its stage comes from the term itself (transmisiones en vivo, fotos íntimas, difundir, webcam
  are exploitation; grooming is recruitment) or else from the nearest cue in the clause
  ("fue contactada", "le ofreció", "relación sentimental" -> recruitment; "sus imágenes eran
  ofrecidas", "obligada a realizar" -> exploitation); a bare mention ("su cuenta de
  Instagram") is not evidence;
- a negation shortly before the mention ("no se registró contacto por redes sociales",
  "sin uso de redes", "niega contacto por internet") makes it evidence of *no* ICT;
- a clause about reporting or reaching the authorities ("envió la ubicación por WhatsApp a
  la policía", "denunció por WhatsApp", "se comunicó con la fiscalía") is discounted;
- recruitment described as in person (personalmente, un familiar, una vecina, abordada en
  la terminal) is evidence of non-ICT recruitment when nothing says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.defs.intake.normalize import strip_accents

RECRUITMENT, EXPLOITATION = "RECRUITMENT", "EXPLOITATION"

_PLATFORM_PATTERNS: tuple[tuple[str, str], ...] = (
    ("MESSENGER", r"messenger"),
    ("FACEBOOK", r"facebook|face|fb|feis\w*"),
    ("WHATSAPP", r"whats\s?app|whatsap|whats|wsp|wpp|wasap|guasap|watsap"),
    ("INSTAGRAM", r"instagram|insta|ig"),
    ("TIKTOK", r"tik\s?tok"),
    ("TELEGRAM", r"telegram"),
    ("TWITTER_X", r"twitter"),
    ("SNAPCHAT", r"snapchat|snap"),
    ("TINDER", r"tinder"),
    ("OTHER_DATING", r"badoo|bumble|grindr|happn|(app|aplicacion|sitio|pagina) de citas"),
    ("FREE_FIRE", r"free\s?fire"),
    ("ROBLOX", r"roblox"),
    ("DISCORD", r"discord"),
    ("ONLINE_JOB_SITE", r"(pagina|sitio|portal|bolsa) de (empleos?|trabajos?)|(aviso|anuncio|oferta)s? (laboral(es)? )?"
                        r"(en|por|de) internet|clasificados (en linea|online)"),
    ("ONLYFANS", r"only\s?fans"),
    ("WEBSITE", r"pagina web|sitio web|web"),
)
_PLATFORMS = tuple((code, re.compile(rf"\b(?:{pattern})\b")) for code, pattern in _PLATFORM_PATTERNS)

# Generic ICT terms: (stage the term implies by itself, or None, pattern).
_GENERIC = tuple(
    (stage, re.compile(rf"\b(?:{pattern})"))
    for stage, pattern in (
        (EXPLOITATION, r"transmi\w* en vivo|en vivo por|videollamada\w*|video llamada\w*|webcam|camara web"),
        (EXPLOITATION, r"(fotos?|fotografias?|imagenes|videos?) (intim\w*|desnud\w*|sexual\w*)|desnud\w* por"),
        (EXPLOITATION, r"sextorsi\w*|difund\w*|difusion|viraliz\w*|(material|contenido) (sexual|intimo)\w*"),
        (RECRUITMENT, r"grooming"),
        (None, r"redes sociales|red social|internet|en linea|online|chat\w*|mensajes? de texto|sms\b"),
        # Bare "redes" means social networks, but "redes de trata" are trafficking rings.
        (None, r"redes\b(?! (de|del) (trata|explotacion|prostitucion|narcotrafico|delincuen\w*|crimen))"),
        (None, r"aplicaci\w+ (movil|de mensajeria)|videojuego\w*|juegos? en linea|perfil falso|perfiles falsos"),
    )
)

# Any platform or generic term at all: most clauses have none, and one search of the union
# answers that for them instead of one scan per pattern (the same alternatives, so the same answer).
_ANY_MENTION = re.compile("|".join(f"(?:{p.pattern})" for p in (*(p for _, p in _PLATFORMS), *(p for _, p in _GENERIC))))

_EXPLOITATION_CUES = re.compile(
    r"\b(?:(imagenes|fotos?|videos?|contenido)\b[\w ]{0,25}?\b(ofrecid|vendid|publicad|compartid|subid|difundid)\w*"
    r"|(ofrec|vend|public|compart|sub)\w* (sus |las |los )?(imagenes|fotos|videos)"
    r"|oblig\w* a (realizar|hacer|mostrar|grabar|transmitir|enviar|desnudarse)|exigi\w* (enviar|mostrar|grabar)"
    r"|exig\w* (que )?(enviara|mostrara|grabara)|grab\w*|explotad\w* (a traves|por medio|mediante)"
    r"|amenaza\w* de (publicar|difundir)|chantaj\w*|extorsi\w*|anunciad\w*|promocionad\w*|ofrecida en)"
)
_RECRUITMENT_CUES = re.compile(
    r"\b(?:contact\w*|captad\w*|capto|captacion|conoci\w*|agreg\w*|escribi\w*|ofreci\w*|ofrec\w*|propuest\w*"
    r"|promet\w*|promesa|oferta\w*|aviso\w*|anuncio\w*|enamor\w*|relacion sentimental|invit\w*|convenc\w*"
    r"|engan\w*|reclut\w*|a traves de|por medio de|mediante|acerc\w*|sedu\w*|chate\w*|le escrib\w*)"
)
_NEGATION = re.compile(
    r"\b(?:no|ni|sin|nunca|jamas|tampoco|niega\w*|nego|negaron|descart\w*|ningun\w*|inexistente)\b"
)
_NEGATION_WINDOW_WORDS = 5
# Verbs of reporting, not the nouns: "la denunciante manifestando que..." opens every police
# narrative and must not discount it.
_DISCOUNT = re.compile(
    r"\b(?:denunci(?:o|aron|ar|ado|ada|ando)\b|report(?:o|aron|ar|ado|ada)\b|avis(?:aron|ar)\b"
    r"|pidi\w* ayuda|ubicacion|rescat\w*|comunic\w* con"
    r"|(a|al|con|ante|para) (la |el |los |las )?(policia|fiscal\w*|comisaria|911|autoridad\w*|ministerio|juzgado"
    r"|codeni|defensoria|linea 147|147))"
)
_IN_PERSON = re.compile(
    r"\b(?:personalmente|presencial\w*|en persona|cara a cara|abordad\w*|terminal|vecin[oa]s?|familiar\w*"
    r"|conocid[oa]s? del barrio|pareja|padrastro|madrastra|tio|tia|amig[oa]s? de la familia)\b"
)
_IN_PERSON_ACTS = re.compile(r"\b(?:captad\w*|llevad\w*|abordad\w*|ofreci\w*|reclut\w*|engan\w*|convenc\w*|traslad\w*)")
_SENTENCE_BREAK = re.compile(r"[.!?\n\r]+")
_CLAUSE_BREAK = re.compile(r"[;:,]|\b(?:pero|aunque|sin embargo|mientras|luego|despues|posteriormente|ademas)\b")
_HANDLE = re.compile(r"@\w+")


@dataclass(frozen=True, slots=True)
class NarrativeReading:
    """What a narrative says about ICT; no text of it."""

    recruitment: bool | None = None
    exploitation: bool | None = None
    platforms: tuple[tuple[str, str], ...] = ()  # (platform code, stage)


def _fold_lower(text: str) -> str:
    return strip_accents(text).lower()


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    platform: str | None
    stage: str | None  # implied by the term itself


def _mentions(clause: str) -> list[_Mention]:
    if not _ANY_MENTION.search(clause):
        return []
    found: list[_Mention] = []
    taken: list[tuple[int, int]] = []
    for code, pattern in _PLATFORMS:
        for match in pattern.finditer(clause):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            found.append(_Mention(match.start(), match.end(), code, None))
    for stage, pattern in _GENERIC:
        for match in pattern.finditer(clause):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            taken.append(match.span())
            found.append(_Mention(match.start(), match.end(), None, stage))
    return sorted(found, key=lambda m: m.start)


def _cue_stage(clause: str, mention: _Mention, mentions: list[_Mention]) -> str | None:
    """Stage of the cue nearest to the mention, preferring cues before it.

    Terms that imply a stage ("transmisiones en vivo") are cues for the platforms near them.
    """
    cues: list[tuple[int, int, str]] = [(m.start(), m.end(), EXPLOITATION) for m in _EXPLOITATION_CUES.finditer(clause)]
    cues += [(m.start, m.end, m.stage) for m in mentions if m.stage is not None and m is not mention]
    for match in _RECRUITMENT_CUES.finditer(clause):
        if not any(s < match.end() and match.start() < e for s, e, _ in cues):
            cues.append((match.start(), match.end(), RECRUITMENT))
    for s, e, stage in cues:
        if s <= mention.start < e or s < mention.end <= e:
            return stage
    before = [c for c in cues if c[1] <= mention.start]
    if before:
        return max(before, key=lambda c: c[1])[2]
    after = [c for c in cues if c[0] >= mention.end]
    return min(after, key=lambda c: c[0])[2] if after else None


def _negated(clause: str, mention: _Mention) -> bool:
    for match in _NEGATION.finditer(clause[: mention.start]):
        words_between = len(clause[match.end(): mention.start].split())
        if words_between <= _NEGATION_WINDOW_WORDS:
            return True
    return False


def _merge(current: bool | None, new: bool) -> bool:
    return True if (current or new) else False


def _sentences(text: str) -> list[list[str]]:
    """Sentences, each a list of clauses (folded, handles removed)."""
    folded = _HANDLE.sub(" ", _fold_lower(text))
    result = []
    for sentence in _SENTENCE_BREAK.split(folded):
        parts = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c and c.strip()]
        if parts:
            result.append(parts)
    return result


def read_narrative(text: str | None) -> NarrativeReading:
    """ICT findings of one narrative. The text is not kept."""
    if not text or not text.strip():
        return NarrativeReading()
    stages: dict[str, bool | None] = {RECRUITMENT: None, EXPLOITATION: None}
    platforms: dict[tuple[str, str], None] = {}
    in_person = False
    for sentence in _sentences(text):
        # A clause with no cue of its own ("... y después por Discord") continues the stage of
        # the previous clause of the same sentence.
        sentence_stage: str | None = None
        for clause in sentence:
            if _DISCOUNT.search(clause):
                continue
            mentions = _mentions(clause)
            if not mentions:
                in_person |= bool(_IN_PERSON.search(clause) and _IN_PERSON_ACTS.search(clause))
                continue
            for mention in mentions:
                stage = mention.stage or _cue_stage(clause, mention, mentions)
                if _negated(clause, mention):
                    stages[stage or RECRUITMENT] = _merge(stages[stage or RECRUITMENT], False)
                    continue
                stage = stage or sentence_stage
                if stage is None:
                    continue  # a bare mention says nothing about how the victim was reached
                sentence_stage = stage
                stages[stage] = True
                if mention.platform:
                    platforms[(mention.platform, stage)] = None
    if in_person and stages[RECRUITMENT] is None:
        stages[RECRUITMENT] = False
    return NarrativeReading(stages[RECRUITMENT], stages[EXPLOITATION], tuple(platforms))
