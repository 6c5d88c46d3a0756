"""How officials type the same value differently: accents, case, typos, number formats.

Every function takes the caller's `random.Random` so a given seed always yields the same text.
"""

from __future__ import annotations

import random
import unicodedata

from etl.synthetic.weighted import between, pick

# Letters officials swap when typing by ear (Paraguayan Spanish: s/z/c, b/v, y/i/ll).
_SOUND_ALIKE: dict[str, tuple[str, ...]] = {
    "s": ("z", "c"),
    "z": ("s",),
    "c": ("s",),
    "b": ("v",),
    "v": ("b",),
    "y": ("i", "ll"),
    "i": ("y",),
    "n": ("m",),
    "r": ("rr",),
}


def _accent_table(keep_enye: bool) -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):  # Latin-1 Supplement and Latin Extended-A/B
        char = chr(code)
        if keep_enye and char in "Ññ":
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
        if base and base != char:
            table[code] = base
    return table


_STRIP_ALL = _accent_table(keep_enye=False)
_STRIP_KEEP_ENYE = _accent_table(keep_enye=True)


def strip_accents(text: str, keep_enye: bool = False) -> str:
    """Drop diacritics; `keep_enye` keeps Ñ/ñ as keyboards without accents still have it."""
    return text.translate(_STRIP_KEEP_ENYE if keep_enye else _STRIP_ALL)


def title_es(text: str) -> str:
    """Title case that keeps Spanish connectors in lower case ("Fernando de la Mora")."""
    small = {"de", "del", "la", "las", "los", "y", "e"}
    words = text.lower().split(" ")
    out = []
    for index, word in enumerate(words):
        if index > 0 and word in small:
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def typo(word: str, rng: random.Random) -> str:
    """One keyboard or by-ear slip in a word of four letters or more; shorter words are kept."""
    if len(word) < 4:
        return word
    position = between(rng, 1, len(word) - 2)
    kind = rng.random()
    if kind < 0.35:  # a letter left out: "Gracila"
        return word[:position] + word[position + 1 :]
    if kind < 0.65:  # two letters swapped: "Oritz"
        return word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    lower = word[position].lower()
    if lower in _SOUND_ALIKE:
        replacement = pick(rng, _SOUND_ALIKE[lower])
        if word[position].isupper():
            replacement = replacement.upper()
        return word[:position] + replacement + word[position + 1 :]
    return word[:position] + word[position] + word[position:]  # a doubled letter


def typo_in_phrase(phrase: str, rng: random.Random) -> str:
    words = phrase.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4]
    if not candidates:
        return phrase
    index = pick(rng, candidates)
    words[index] = typo(words[index], rng)
    return " ".join(words)


def ci_with_dots(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def format_ci(number: int, rng: random.Random, dotted_share: float) -> str:
    return ci_with_dots(number) if rng.random() < dotted_share else str(number)


def format_phone(national_number: str, rng: random.Random) -> str:
    """`national_number` is the nine digits after the 0, e.g. "981123456"."""
    prefix, rest = national_number[:3], national_number[3:]
    style = rng.random()
    if style < 0.30:
        return f"0{prefix} {rest}"
    if style < 0.50:
        return f"+595 {prefix} {rest[:3]} {rest[3:]}"
    if style < 0.70:
        return national_number
    if style < 0.88:
        return f"0{national_number}"
    if style < 0.95:
        return f"0{prefix}-{rest[:3]}-{rest[3:]}"
    return f"(0{prefix}) {rest[:3]} {rest[3:]}"
