"""Text folding shared by contracts, lookups and readers, so that a spelling is compared one way.

`fold` is what makes "Alto Paraná", "ALTO PARANA" and " alto  parana " the same key: upper case,
accents removed, punctuation turned into spaces. It is for matching only: the values a record keeps
(names, narratives) are never folded here.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

# Ordinal and degree signs would otherwise fold to letters ("Nº" -> "NO").
_ORDINAL_SIGNS = str.maketrans({"°": " ", "º": " ", "ª": " "})
_APOSTROPHES = re.compile(r"['’`´]")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """Every combining character of this Python's Unicode, as one character class.

    Built once (a pass over the code points, ~0.2 s): `sub` then strips marks at C speed, where a
    per-character `unicodedata.combining` test cost most of the time of reading narratives.
    """
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


def strip_accents(text: str) -> str:
    """NFKD without its combining marks ("Ñandú" -> "Nandu"); ASCII comes back unchanged."""
    if text.isascii():
        return text
    return _combining_marks().sub("", unicodedata.normalize("NFKD", text))


def fold(text: str) -> str:
    """Matching key of a spelling: upper case, no accents, punctuation as single spaces."""
    upper = strip_accents(text.translate(_ORDINAL_SIGNS)).upper()
    joined = _APOSTROPHES.sub("", upper)
    return _NON_ALNUM.sub(" ", joined).strip()


# Coded values repeat on every row (departments, offences, stages): fold each spelling once.
# Only for coded, non-personal columns, so names never linger in the cache after a run.
fold_code = lru_cache(maxsize=16384)(fold)


def fold_compact(text: str) -> str:
    """`fold` without spaces, for names written with or without them ("TIK TOK", "TIKTOK")."""
    return fold(text).replace(" ", "")


def expand_abbreviations(folded: str, abbreviations: Mapping[str, str]) -> str:
    return " ".join(abbreviations.get(word, word) for word in folded.split())


def fold_numeric_code(text: str, width: int = 0) -> str:
    """Numeric codes compare as numbers: "01", "1" and "1.0" are the same code."""
    folded = fold(text)
    compact = folded.replace(" ", "")
    if re.fullmatch(r"\d+( 0+)?", folded):
        number = int(folded.split()[0])
        return f"{number:0{width}d}" if width else str(number)
    return compact if compact.isdigit() else folded


def clean_cell(value: str) -> str | None:
    """A cell as the intake keeps it: surrounding whitespace gone, blank as None."""
    cleaned = value.replace("\u00a0", " ").strip()
    return cleaned or None


def collapse_spaces(value: str) -> str:
    return _SPACES.sub(" ", value).strip()
