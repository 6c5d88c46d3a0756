"""Typed district names to the census spelling (warehouse/reference/districts_census2022.csv).

Officials type districts as they say them ("MARISCAL ESTIGARRIBIA", "Ñemby", "San Pedro del
Ycuamandiyú"); the census writes "MCAL. ESTIGARRIBIA", "ÑEMBY", "SAN PEDRO". Matching, in order:
the same place key (accents, case, punctuation and abbreviations folded on both sides), an alias of
schemas/lookups.yaml, then a bounded fuzzy match (rapidfuzz, high threshold) for typos. Within the
record's department when it is known, since many names repeat across departments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from rapidfuzz import fuzz, process

from etl.defs.intake.lookups import Lookups, lookups

# Typos within one department ("HERNANDARIA"); across the country the bar is higher, as more
# similar names compete.
FUZZY_WITHIN_DEPARTMENT = 90
FUZZY_NATIONWIDE = 94

MatchStatus = Literal["matched", "unmatched", "other_department", "ambiguous"]


@dataclass(frozen=True, slots=True)
class DistrictMatch:
    name: str | None  # census spelling, or None
    department_code: str | None  # the district's department, when matched
    status: MatchStatus


class DistrictMatcher:
    def __init__(self, tables: Lookups) -> None:
        self._tables = tables
        self._by_department: dict[str, dict[str, str]] = {}
        self._nationwide: dict[str, list[tuple[str, str]]] = {}
        for district in tables.districts:
            key = tables.place_key(district.name)
            self._by_department.setdefault(district.department_code, {})[key] = district.name
            self._nationwide.setdefault(key, []).append((district.department_code, district.name))

    def _within(self, key: str, department: str) -> str | None:
        names = self._by_department.get(department, {})
        if key in names:
            return names[key]
        alias = self._tables.district_aliases.get(department, {}).get(key)
        if alias:
            return alias
        best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=FUZZY_WITHIN_DEPARTMENT)
        return names[best[0]] if best else None

    def match(self, typed: str, department: str | None) -> DistrictMatch:
        key = self._tables.place_key(typed)
        if not key:
            return DistrictMatch(None, None, "unmatched")
        if department is not None:
            name = self._within(key, department)
            if name:
                return DistrictMatch(name, department, "matched")
            elsewhere = self._nationwide.get(key, [])
            return DistrictMatch(None, None, "other_department" if elsewhere else "unmatched")
        candidates = self._nationwide.get(key)
        if candidates is None:
            for code, aliases in self._tables.district_aliases.items():
                if key in aliases:
                    return DistrictMatch(aliases[key], code, "matched")
            best = process.extractOne(key, list(self._nationwide), scorer=fuzz.ratio, score_cutoff=FUZZY_NATIONWIDE)
            candidates = self._nationwide[best[0]] if best else []
        if len(candidates) == 1:
            code, name = candidates[0]
            return DistrictMatch(name, code, "matched")
        return DistrictMatch(None, None, "ambiguous" if candidates else "unmatched")


@cache
def district_matcher() -> DistrictMatcher:
    return DistrictMatcher(lookups())
