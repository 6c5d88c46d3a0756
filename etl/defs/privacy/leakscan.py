"""Search texts for personal values that must never be there (warehouse columns, event logs).

Each secret is expanded into the forms it may take once written somewhere else: accents,
case, punctuation and spacing folded; name particles dropped; a document with or without
dots; a phone as E.164, with or without the country code or the trunk 0; a date as
YYYY-MM-DD or DD/MM/YYYY. Texts are folded the same way and searched by word sequences and
digit runs, so the cost grows with the size of the texts, not with texts x secrets.

A hit reports where (location label, position in the folded text), which secret (its index
in the list given) and a fingerprint: the first 8 hex digits of an HMAC under a random key
drawn for each index, enough to group the hits of one scan and useless to anyone without
that key. The secret itself is never in a hit, its text or its repr.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets as random_source
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from etl.defs.privacy.normalize import NAME_PARTICLES, fold, normalize_phone

MIN_DIGITS = 6  # shorter digit strings (ages, years, counts) are everywhere
MIN_WORD_CHARS = 3
MAX_DIGIT_GROUPS = 6
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TOKEN = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class LeakHit:
    location: str
    position: int  # character offset in the folded text
    secret_index: int
    fingerprint: str
    variant: str  # "texto" or "dígitos"

    def __str__(self) -> str:
        return (
            f"posible filtración en {self.location} (posición {self.position}): secreto n.º "
            f"{self.secret_index}, huella {self.fingerprint}, variante {self.variant}"
        )


def _date_variants(secret: str) -> list[str]:
    try:
        day = dt.date.fromisoformat(secret.strip())
    except ValueError:
        return []
    return [day.strftime("%d/%m/%Y"), day.strftime("%d-%m-%Y"), day.strftime("%d/%m/%y")]


def _digit_variants(secret: str) -> set[str]:
    digits = re.sub(r"\D", "", secret)
    letters = sum(c.isalpha() for c in secret)
    if letters > 2 or len(digits) < MIN_DIGITS:
        return set()
    variants = {digits, digits.lstrip("0")}
    e164 = normalize_phone(secret)
    if e164 is not None:
        number = phonenumbers.parse(e164)
        national = str(number.national_number)
        variants |= {e164.lstrip("+"), national, "0" + national}
    return {v for v in variants if len(v) >= MIN_DIGITS}


def _word_variants(secret: str) -> set[tuple[str, ...]]:
    variants: set[tuple[str, ...]] = set()
    for form in [secret, *_date_variants(secret)]:
        words = tuple(fold(form).split())
        stripped = tuple(w for w in words if w not in NAME_PARTICLES)
        for candidate in (words, stripped):
            if candidate and sum(len(w) for w in candidate) >= MIN_WORD_CHARS:
                variants.add(candidate)
    return variants


class LeakIndex:
    """The secrets' variants, built once and used to scan any number of texts."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._key = random_source.token_bytes(32)
        self._words: dict[tuple[str, ...], int] = {}
        self._digits: dict[str, int] = {}
        self._fingerprints: list[str] = []
        for index, secret in enumerate(secrets):
            folded = fold(secret or "")
            self._fingerprints.append(hmac.new(self._key, folded.encode(), hashlib.sha256).hexdigest()[:8])
            if not folded:
                continue
            for words in _word_variants(secret):
                self._words.setdefault(words, index)
            for digits in _digit_variants(secret):
                self._digits.setdefault(digits, index)
        self._lengths = sorted({len(w) for w in self._words})

    def __repr__(self) -> str:
        return f"LeakIndex(secrets={len(self._fingerprints)})"

    def scan(self, location: str, text: str) -> list[LeakHit]:
        if "\\u" in text:
            text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
        folded = fold(text)
        tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(folded)]
        words = [t for _, t in tokens]
        hits: dict[tuple[int, int], LeakHit] = {}
        for i in range(len(tokens)):
            for length in self._lengths:
                index = self._words.get(tuple(words[i:i + length]))
                if index is not None:
                    hits.setdefault((tokens[i][0], index), self._hit(location, tokens[i][0], index, "texto"))
        self._scan_digits(location, folded, tokens, hits)
        return sorted(hits.values(), key=lambda h: (h.position, h.secret_index))

    def _scan_digits(self, location: str, folded: str, tokens: list[tuple[int, str]], hits: dict) -> None:
        runs = [(m.start(), m.group()) for m in re.finditer(r"\d+", folded)]
        for i, (start, _) in enumerate(runs):
            joined = ""
            for j in range(i, min(i + MAX_DIGIT_GROUPS, len(runs))):
                if j > i and folded[runs[j - 1][0] + len(runs[j - 1][1]): runs[j][0]] != " ":
                    break
                joined += runs[j][1]
                index = self._digits.get(joined)
                if index is not None:
                    hits.setdefault((start, index), self._hit(location, start, index, "dígitos"))

    def _hit(self, location: str, position: int, index: int, variant: str) -> LeakHit:
        return LeakHit(location, position, index, self._fingerprints[index], variant)


def find_leaks_labeled(items: Iterable[tuple[str, str]], secrets: Iterable[str]) -> list[LeakHit]:
    """Scan (location label, text) pairs, e.g. ("core.fact_victim_record.ict_evidence_source#12", text)."""
    index = LeakIndex(secrets)
    return [hit for location, text in items if text for hit in index.scan(location, text)]


def find_leaks(texts: Iterable[str], secrets: Iterable[str]) -> list[LeakHit]:
    """Scan texts; a hit's location is `texto #<position of the text in the iterable>`."""
    return find_leaks_labeled(((f"texto #{i}", t) for i, t in enumerate(texts)), secrets)
