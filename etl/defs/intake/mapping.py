"""From prepared rows to VictimRecords, through the contract's value mappings.

Coded values map by the contract's tables; typed values (nationalities, countries, platforms,
districts) through the shared lookups, tolerating case, accents, spacing, known aliases and small
typos. A typed value that still matches nothing becomes the contract's `unmatched` code (OTH,
OTHER) with a warning naming row and column, never the value. An unknown marker (blank, NO CONSTA,
NS, 99, null) maps to the column's explicit `unknown` targets: nothing becomes None by accident.

When several columns speak about the same thing, their evidence is combined: lists are merged,
a True ICT flag from any column wins over False (evidence of ICT use from one field is not undone
by another field's silence), and a specific code wins over UNKNOWN/OTHER.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from etl.defs.intake.cells import age_on, compact_document
from etl.defs.intake.contracts import BOOLEAN_TARGETS, LIST_TARGETS, ColumnSpec, Contract, Targets
from etl.defs.intake.districts import district_matcher
from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.lookups import lookups
from etl.defs.intake.normalize import collapse_spaces, fold, fold_code, fold_compact
from etl.defs.intake.prepare import PreparedRow
from etl.defs.intake.records import VictimRecord

# "Facebook y WhatsApp", "FB/Wsp", "Insta, Tiktok": one cell may name several platforms.
_PLATFORM_SEPARATORS = re.compile(r"\s*(?:[/,;+&|]|\s-\s|\by\b|\be\b)\s*", re.IGNORECASE)
_PLACEHOLDERS = frozenset({None, "UNKNOWN", "UNK", "U", "OTHER", "OTH"})
_CEDULA = re.compile(r"^\d{5,8}$")
FUZZY_PLATFORM = 85
FUZZY_COUNTRY = 88
_FUZZY_MIN_LENGTH = 5

_TARGET_FIELDS = {
    "exploitation": "exploitation_codes",
    "method": "recruitment_method_code",
    "platforms": "platform_codes",
    "justice_stage": "justice_stage_code",
    "sex": "sex_code",
    "nationality": "nationality_code",
    "exploitation_country": "exploitation_country_code",
    "department": "department_code",
    "document_type": "document_type",
    "ict_recruitment": "ict_recruitment",
    "ict_exploitation": "ict_exploitation",
}


@dataclass
class Evidence:
    """The targets gathered for one record from all its columns."""

    values: dict[str, object] = field(default_factory=dict)

    def add(self, targets: Targets) -> None:
        for target, value in targets.items():
            current = self.values.get(target)
            if target in LIST_TARGETS:
                merged = list(current or [])
                merged += [code for code in value if code not in merged]  # type: ignore[union-attr]
                self.values[target] = merged
            elif target in BOOLEAN_TARGETS:
                if value is True or (value is False and current is None):
                    self.values[target] = value
                elif target not in self.values:
                    self.values[target] = value
            elif target not in self.values or (current in _PLACEHOLDERS and value not in _PLACEHOLDERS):
                self.values[target] = value


@dataclass(frozen=True, slots=True)
class Resolution:
    targets: Targets
    matched: bool  # False: a typed value that matched nothing (warn) or an invalid code


def _fuzzy(key: str, choices: Mapping[str, str], cutoff: int) -> str | None:
    if len(key) < _FUZZY_MIN_LENGTH:
        return None
    candidates = [c for c in choices if len(c) >= _FUZZY_MIN_LENGTH]
    best = process.extractOne(key, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
    return choices[best[0]] if best else None


def _is_unknown(value: str | None) -> bool:
    # Called on coded and typed (non-personal) columns only, hence the cached fold.
    return value is None or lookups().is_unknown(fold_code(value))


def resolve_coded(spec: ColumnSpec, value: str | None) -> Resolution:
    """Targets of a coded value; `matched` False when the value is not in the contract."""
    tables = lookups()
    parts = [p for p in value.split("|") if p.strip()] if (value is not None and spec.multi) else [value]
    evidence = Evidence()
    matched = True
    for part in parts or [None]:
        key = spec.code_key(part) if part is not None else None
        if key is not None and key in spec.values:
            evidence.add(spec.values[key])
        elif _is_unknown(part):
            evidence.add(spec.unknown or {})
        elif spec.lookup == "departments" and key in tables.departments:
            evidence.add({spec.target or "department": tables.departments[key]})
        elif spec.lookup == "department_codes" and key in tables.department_names:
            evidence.add({spec.target or "department": key})
        else:
            matched = False
    return Resolution(evidence.values, matched)


def _country(value: str) -> str | None:
    tables = lookups()
    code = tables.country(value, demonyms=True)
    if code:
        return code
    if tables.is_other_country(value):
        return "OTH"
    key = fold(value)
    return _fuzzy(key, tables.nationalities, FUZZY_COUNTRY) or _fuzzy(key, tables.countries, FUZZY_COUNTRY)


def _platform(value: str) -> str | None:
    tables = lookups()
    return tables.platform(value) or _fuzzy(fold_compact(value), tables.platforms, FUZZY_PLATFORM)


def resolve_typed(spec: ColumnSpec, value: str | None) -> Resolution:
    if _is_unknown(value):
        return Resolution(spec.unknown or {}, True)
    assert value is not None
    key = spec.code_key(value)
    if key in spec.values:
        return Resolution(spec.values[key], True)
    if spec.lookup in ("countries", "nationalities"):
        code = _country(value)
        if code:
            return Resolution({spec.target or "nationality": code, **spec.on_lookup}, True)
        return Resolution(spec.unmatched or {}, False)
    if spec.lookup == "platforms":
        evidence = Evidence()
        matched = True
        for part in (p for p in _PLATFORM_SEPARATORS.split(value) if p and p.strip()):
            code = _platform(part)
            if code is None:
                matched = False
                continue
            evidence.add({"platforms": (code,), **spec.on_lookup})
            if spec.platform_sets_method:
                evidence.add({"method": lookups().method_for_platform(code)})
        if not matched:
            evidence.add(spec.unmatched or {})
        return Resolution(evidence.values, matched)
    return Resolution(spec.unmatched or {}, False)


def _finish_codes(values: dict[str, object], contract: Contract) -> None:
    exploitation = list(values.get("exploitation") or [])
    specific = [c for c in exploitation if c not in ("UNKNOWN", "TRAFFICKING_UNSPECIFIED")]
    # "Trafficking, purpose not specified" and "unknown" say nothing once a purpose is known.
    if specific:
        exploitation = specific
    elif "TRAFFICKING_UNSPECIFIED" in exploitation:
        exploitation = ["TRAFFICKING_UNSPECIFIED"]
    values["exploitation"] = exploitation or ["UNKNOWN"]
    if contract.recruitment_method_from_platforms and values.get("ict_recruitment") is True:
        methods = {lookups().method_for_platform(p) for p in values.get("platforms") or []}  # type: ignore[union-attr]
        if len(methods) == 1 and values.get("method") in _PLACEHOLDERS:
            values["method"] = methods.pop()


def _document(spec: ColumnSpec, value: str | None, values: dict[str, object]) -> str | None:
    if value is None:
        return None
    number = compact_document(value)
    if spec.document_type and not values.get("document_type"):
        values["document_type"] = spec.document_type
    if spec.cedula is not None and spec.cedula.mode == "digits_only" and not values.get("document_type"):
        values["document_type"] = "CI" if _CEDULA.match(number) else "FOREIGN_ID"
    return number or None


def map_row(
    contract: Contract, row: PreparedRow, period: str, resolved: dict[tuple[str, str | None], Resolution] | None = None
) -> tuple[VictimRecord, list[Finding]]:
    """The record of one prepared row, and its warnings. `resolved`: resolutions of coded and
    typed cells already made for earlier rows of the same chunk (they repeat on every row); the
    caller drops it with the chunk."""
    warnings: list[Finding] = []
    evidence = Evidence()
    evidence.add(contract.defaults)

    def warn(rule: str, column: str, **params: object) -> None:
        warnings.append(finding("warning", rule, row=row.file_row, column=column, record=row.source_row, **params))  # type: ignore[arg-type]

    for spec in contract.columns:
        if spec.kind not in ("coded", "typed"):
            continue
        value = row.cells[spec.name]
        resolution = resolved.get((spec.name, value)) if resolved is not None else None
        if resolution is None:
            resolution = resolve_coded(spec, value) if spec.kind == "coded" else resolve_typed(spec, value)
            if resolved is not None:
                resolved[(spec.name, value)] = resolution
        evidence.add(resolution.targets)
        if spec.kind == "typed" and not resolution.matched:
            warn("VALUE_UNMATCHED", spec.name, target=spec.target or "")

    values = evidence.values
    personal: dict[str, object] = {}
    for spec in contract.columns:
        value = row.cells[spec.name]
        role = spec.role
        if spec.kind == "document":
            personal["document_number"] = _document(spec, value, values)
        elif value is None:
            continue
        elif role in ("given_names", "surnames", "initials", "phone"):
            personal[role] = collapse_spaces(value)
        elif role == "narrative":
            personal["narrative"] = value
        elif role == "full_name_surnames_first":
            surnames, comma, given = value.partition(",")
            personal["surnames"] = collapse_spaces(surnames) or None
            personal["given_names"] = collapse_spaces(given) or None
            if not comma:
                warn("NAME_NOT_SPLIT", spec.name)

    district_name: str | None = None
    for spec in contract.columns:
        value = row.cells[spec.name]
        if spec.kind != "district" or _is_unknown(value):
            continue
        assert value is not None
        match = district_matcher().match(value, values.get("department"))  # type: ignore[arg-type]
        district_name = match.name
        if match.status == "unmatched":
            warn("DISTRICT_UNMATCHED", spec.name)
        elif match.status == "other_department":
            warn("DISTRICT_OTHER_DEPARTMENT", spec.name, department_column=spec.department_column or "")
        elif match.status == "ambiguous":
            warn("DISTRICT_AMBIGUOUS", spec.name)

    _finish_codes(values, contract)
    registration = row.dates.get(contract.registration_date)
    birth_specs = contract.columns_with_role("birth_date")
    birth = row.dates.get(birth_specs[0].name) if birth_specs else None
    facts_specs = contract.columns_with_role("facts_date")
    age_specs = contract.columns_with_role("age")
    if birth and registration:
        age: int | None = age_on(birth, registration)
    else:
        age = row.ages.get(age_specs[0].name) if age_specs else None

    record = VictimRecord(
        institution_code=contract.institution,
        period=period,
        source_key=str(row.cells[contract.source_key]),
        source_row=row.source_row,
        registration_date=registration,
        facts_date=row.dates.get(facts_specs[0].name) if facts_specs else None,
        district_name=district_name,
        age_years=age,
        birth_date=birth,
        **{_TARGET_FIELDS[k]: (list(v) if k in LIST_TARGETS else v) for k, v in values.items()},  # type: ignore[arg-type]
        **personal,  # type: ignore[arg-type]
    )
    return record, warnings
