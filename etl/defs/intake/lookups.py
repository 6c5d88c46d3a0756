"""Shared lookups (schemas/lookups.yaml plus the census reference): spellings to warehouse codes.

Built once per process. Every key is folded (normalize.fold) so a lookup is one dictionary access;
the code lists and the census reference are cross-checked here, so a wrong code in lookups.yaml
fails at load time rather than producing a wrong record.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache

import yaml

from etl.defs.intake.codelists import codelists, codes
from etl.defs.intake.normalize import expand_abbreviations, fold, fold_compact
from etl.defs.intake.paths import SCHEMAS_DIR, reference_file


class ReferenceDataError(ValueError):
    """schemas/lookups.yaml or the reference data contradict the code lists (a programming error)."""


@dataclass(frozen=True, slots=True)
class CensusDistrict:
    department_code: str
    name: str  # census spelling, as in districts_census2022.csv


@dataclass(frozen=True)
class Lookups:
    unknown_markers: frozenset[str]  # folded
    place_abbreviations: dict[str, str]
    departments: dict[str, str]  # place key -> INE code
    department_names: dict[str, str]  # INE code -> census name (for messages)
    countries: dict[str, str]  # folded -> alpha-3
    nationalities: dict[str, str]  # folded -> alpha-3
    other_countries: frozenset[str]  # folded
    platforms: dict[str, str]  # compact key -> platform code
    platform_kind_method: dict[str, str]
    districts: tuple[CensusDistrict, ...]
    district_aliases: dict[str, dict[str, str]]  # INE code -> place key -> census name

    def place_key(self, text: str) -> str:
        """Matching key of a place name: folded, abbreviations expanded ("MCAL." = "MARISCAL")."""
        return expand_abbreviations(fold(text), self.place_abbreviations)

    def is_unknown(self, folded: str) -> bool:
        return folded in self.unknown_markers

    def department(self, text: str) -> str | None:
        return self.departments.get(self.place_key(text))

    def country(self, text: str, *, demonyms: bool) -> str | None:
        key = fold(text)
        if demonyms and key in self.nationalities:
            return self.nationalities[key]
        return self.countries.get(key)

    def is_other_country(self, text: str) -> bool:
        return fold(text) in self.other_countries

    def platform(self, text: str) -> str | None:
        return self.platforms.get(fold_compact(text))

    def method_for_platform(self, platform_code: str) -> str:
        kind = codelists()["platform"][platform_code]["kind"]
        return self.platform_kind_method[kind]


def _read_reference_csv(name: str) -> list[dict[str, str]]:
    text = reference_file(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _check_codes(dimension: str, found: set[str], where: str) -> None:
    unknown = found - codes(dimension)
    if unknown:
        raise ReferenceDataError(f"{where}: codes not in codelists.{dimension}: {sorted(unknown)}")


def _invert(spellings: dict[str, list[str]], key_fn) -> dict[str, str]:
    inverted: dict[str, str] = {}
    for code, names in spellings.items():
        for name in names:
            key = key_fn(str(name))
            previous = inverted.setdefault(key, code)
            if previous != code:
                raise ReferenceDataError(f"lookups.yaml: spelling {key!r} maps to both {previous} and {code}")
    return inverted


@cache
def lookups() -> Lookups:
    with (SCHEMAS_DIR / "lookups.yaml").open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)

    abbreviations = {fold(k): fold(v) for k, v in raw["place_abbreviations"].items()}

    def place_key(text: str) -> str:
        return expand_abbreviations(fold(text), abbreviations)

    census_departments = _read_reference_csv("departments_census2022.csv")
    census_districts = _read_reference_csv("districts_census2022.csv")
    ine_codes = {row["ine_code"] for row in census_departments}
    department_spellings: dict[str, list[str]] = {str(code): list(names) for code, names in raw["departments"].items()}
    if set(department_spellings) != ine_codes:
        raise ReferenceDataError("lookups.yaml departments must list exactly the 18 INE codes of the census reference")
    # The census's own names join the typed spellings: both reference files use INE codes, so the
    # Boqueron (16) / Alto Paraguay (17) numbering comes from INE, never from ISO 3166-2 suffixes.
    for row in census_departments:
        department_spellings[row["ine_code"]].append(row["name"])
    for row in census_districts:
        department_spellings[row["ine_dep_code"]].append(row["departamento"])
    departments = _invert(department_spellings, place_key)

    countries = _invert({k: [str(n) for n in v] for k, v in raw["countries"].items()}, fold)
    nationalities = _invert({k: [str(n) for n in v] for k, v in raw["nationalities"].items()}, fold)
    _check_codes("country", set(countries.values()) | set(nationalities.values()), "lookups.yaml countries")

    platforms = _invert({k: [str(n) for n in v] for k, v in raw["platforms"].items()}, fold_compact)
    _check_codes("platform", set(platforms.values()), "lookups.yaml platforms")
    kind_method = {str(k): str(v) for k, v in raw["platform_kind_method"].items()}
    _check_codes("recruitment_method", set(kind_method.values()), "lookups.yaml platform_kind_method")
    platform_kinds = {entry["kind"] for entry in codelists()["platform"].values()}
    if not platform_kinds <= set(kind_method):
        raise ReferenceDataError("lookups.yaml platform_kind_method must cover every platform kind of codelists.yaml")

    districts = tuple(CensusDistrict(row["ine_dep_code"], row["distrito"]) for row in census_districts)
    census_names = {(d.department_code, d.name) for d in districts}
    aliases: dict[str, dict[str, str]] = {}
    for code, entries in (raw.get("district_aliases") or {}).items():
        for typed, census in entries.items():
            if (str(code), census) not in census_names:
                raise ReferenceDataError(f"lookups.yaml district alias target not in the census: {code} {census}")
            aliases.setdefault(str(code), {})[place_key(str(typed))] = census

    return Lookups(
        unknown_markers=frozenset(fold(str(m)) for m in raw["unknown_markers"]),
        place_abbreviations=abbreviations,
        departments=departments,
        department_names={row["ine_code"]: row["name"] for row in census_departments},
        countries=countries,
        nationalities=nationalities,
        other_countries=frozenset(fold(str(n)) for n in raw["other_countries"]),
        platforms=platforms,
        platform_kind_method=kind_method,
        districts=districts,
        district_aliases=aliases,
    )
