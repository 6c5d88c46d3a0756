"""Data contracts: how each institution writes its extract (schemas/<INSTITUTION>.yaml).

A contract is data, not code: formats, columns, coded values and their mapping to warehouse codes
are all in the YAML, and this module turns it into typed, frozen dataclasses once per process.
Everything a contract names (codes, lookups, record fields) is checked here against the code lists,
so a typo in a contract is a loud load-time error, never a silently wrong record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Literal

import yaml

from etl.defs.intake.codelists import codes
from etl.defs.intake.lookups import lookups
from etl.defs.intake.normalize import fold, fold_numeric_code
from etl.defs.intake.paths import SCHEMAS_DIR
from etl.defs.intake.records import INSTITUTIONS

ColumnKind = Literal["key", "date", "age", "coded", "typed", "district", "document", "text"]
FormatKind = Literal["csv", "xlsx", "json"]
TargetValue = str | bool | None | tuple[str, ...]
Targets = Mapping[str, TargetValue]

# Record attributes a coded value may set, and the code list each one's codes come from.
TARGET_DIMENSIONS: Mapping[str, str | None] = MappingProxyType(
    {
        "exploitation": "exploitation",
        "method": "recruitment_method",
        "platforms": "platform",
        "justice_stage": "justice_stage",
        "sex": "sex",
        "nationality": "country",
        "exploitation_country": "country",
        "department": None,  # INE codes, checked against the census reference
        "document_type": None,
        "ict_recruitment": None,
        "ict_exploitation": None,
    }
)
LIST_TARGETS = frozenset({"exploitation", "platforms"})
BOOLEAN_TARGETS = frozenset({"ict_recruitment", "ict_exploitation"})
DOCUMENT_TYPES = frozenset({"CI", "PASSPORT", "FOREIGN_ID", "BIRTH_CERTIFICATE", "NONE"})
LOOKUPS = frozenset({"departments", "department_codes", "countries", "nationalities", "platforms"})
ROLES = frozenset(
    {
        "registration_date",
        "facts_date",
        "birth_date",
        "age",
        "document_number",
        "given_names",
        "surnames",
        "full_name_surnames_first",
        "initials",
        "phone",
        "narrative",
    }
)
RecordLabel = Literal["row", "case"]


class ContractError(ValueError):
    """A contract file contradicts itself or the code lists (a programming error, not bad input)."""


@dataclass(frozen=True, slots=True)
class CedulaRule:
    """When a document number must look like a cédula (5 to 8 digits once the dots are removed)."""

    mode: Literal["always", "digits_only", "when_column"]
    column: str | None = None
    values: frozenset[str] = frozenset()  # folded values of `column` that mean "cédula"


@dataclass(frozen=True)
class ColumnSpec:
    name: str  # as the agency writes it
    kind: ColumnKind
    required: bool = False  # value may not be blank
    optional: bool = False  # the column itself may be absent
    personal: bool = False
    role: str | None = None
    values: Mapping[str, Targets] = field(default_factory=dict)  # folded agency value -> targets
    value_labels: tuple[str, ...] = ()  # the agency's own spelling of each value, for messages
    unknown: Targets | None = None
    unmatched: Targets | None = None
    on_lookup: Targets = field(default_factory=dict)
    lookup: str | None = None
    target: str | None = None
    multi: bool = False
    numeric_codes: bool = False
    pattern: str | None = None
    example: str | None = None
    department_column: str | None = None
    cedula: CedulaRule | None = None
    document_type: str | None = None
    platform_sets_method: bool = False

    def code_key(self, value: str) -> str:
        """Normalized form of one value of a coded or typed column: the key `values` is indexed by."""
        return _code_key(self.lookup, self.numeric_codes, value)

    def allowed_keys(self) -> tuple[str, ...]:
        """Every normalized value a coded column accepts (unknown markers included), sorted."""
        allowed = set(self.values) | {m for m in lookups().unknown_markers if m}
        if self.lookup == "departments":
            allowed |= set(lookups().departments)
        elif self.lookup == "department_codes":
            allowed |= set(lookups().department_names)
        return tuple(sorted(allowed))


HeaderPlacement = Literal["first_line", "marker_row", "none"]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    kind: FormatKind
    # first_line: the first non-blank line (CSV); marker_row: the first row holding
    # `header_marker` (XLSX title blocks vary in length); none: self-describing (JSON).
    header: HeaderPlacement = "first_line"
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    footer_label: str | None = None
    sheet: str | None = None
    header_marker: str | None = None
    header_search_rows: int = 50
    institution_field: str | None = None
    period_field: str | None = None
    records_field: str | None = None


@dataclass(frozen=True, slots=True)
class AgeLimits:
    min: int
    max: int
    rule: str = "AGE_IMPLAUSIBLE"


@dataclass(frozen=True)
class Contract:
    institution: str
    name: str
    format: FormatSpec
    record_label: RecordLabel
    date_formats: tuple[str, ...]
    registration_date: str
    source_key: str
    key_shared_by_victims: bool
    identity_document: str | None
    identity_names: tuple[str, ...]
    age_limits: AgeLimits
    population_age: AgeLimits | None
    recruitment_method_from_platforms: bool
    defaults: Targets
    columns: tuple[ColumnSpec, ...]

    def column(self, name: str) -> ColumnSpec:
        for spec in self.columns:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.columns)

    def columns_with_role(self, role: str) -> tuple[ColumnSpec, ...]:
        return tuple(spec for spec in self.columns if spec.role == role)


@lru_cache(maxsize=16384)
def _code_key(lookup: str | None, numeric_codes: bool, value: str) -> str:
    # Cached: coded columns hold a handful of distinct, non-personal values repeated on every row.
    if lookup == "department_codes":
        return fold_numeric_code(value, width=2)
    if numeric_codes:
        return fold_numeric_code(value)
    if lookup == "departments":
        return lookups().place_key(value)
    return fold(value)


def _targets(raw: object, where: str) -> Targets:
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, dict):
        raise ContractError(f"{where}: targets must be a mapping")
    checked: dict[str, TargetValue] = {}
    for target, value in raw.items():
        if target not in TARGET_DIMENSIONS:
            raise ContractError(f"{where}: unknown target {target!r}")
        if target in LIST_TARGETS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ContractError(f"{where}: {target} must be a list of codes")
            value = tuple(value)
        elif target in BOOLEAN_TARGETS:
            if value not in (True, False, None):
                raise ContractError(f"{where}: {target} must be true, false or null")
        elif value is not None and not isinstance(value, str):
            raise ContractError(f"{where}: {target} must be a code")
        dimension = TARGET_DIMENSIONS[target]
        found = set(value) if isinstance(value, tuple) else ({value} if isinstance(value, str) else set())
        if dimension and not found <= codes(dimension):
            raise ContractError(f"{where}: {sorted(found - codes(dimension))} not in codelists.{dimension}")
        if target == "department" and value is not None and value not in lookups().department_names:
            raise ContractError(f"{where}: department {value!r} is not an INE code")
        if target == "document_type" and value is not None and value not in DOCUMENT_TYPES:
            raise ContractError(f"{where}: document_type {value!r} unknown")
        checked[target] = value
    return MappingProxyType(checked)


def _cedula_rule(raw: object, where: str) -> CedulaRule | None:
    if raw is None:
        return None
    if raw == "always":
        return CedulaRule("always")
    if raw == "digits_only":
        return CedulaRule("digits_only")
    if isinstance(raw, dict) and set(raw) == {"column", "values"}:
        return CedulaRule("when_column", str(raw["column"]), frozenset(fold(str(v)) for v in raw["values"]))
    raise ContractError(f"{where}: cedula_when must be always, digits_only or {{column, values}}")


def _column(raw: dict, where_prefix: str) -> ColumnSpec:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ContractError(f"{where_prefix}: every column needs a name")
    where = f"{where_prefix} column {name!r}"
    kind = raw.get("type")
    if kind not in ("key", "date", "age", "coded", "typed", "district", "document", "text"):
        raise ContractError(f"{where}: unknown type {kind!r}")
    role = raw.get("role")
    if role is not None and role not in ROLES:
        raise ContractError(f"{where}: unknown role {role!r}")
    lookup = raw.get("lookup")
    if lookup is not None and lookup not in LOOKUPS:
        raise ContractError(f"{where}: unknown lookup {lookup!r}")
    target = raw.get("target")
    if target is not None and target not in TARGET_DIMENSIONS:
        raise ContractError(f"{where}: unknown target {target!r}")

    spec_without_values = ColumnSpec(
        name=name,
        kind=kind,
        lookup=lookup,
        numeric_codes=bool(raw.get("numeric_codes", False)),
    )
    values: dict[str, Targets] = {}
    labels: list[str] = []
    for label, targets in (raw.get("values") or {}).items():
        if not isinstance(label, str):
            # YAML 1.1 reads an unquoted NO as false: quote such values in the contract.
            raise ContractError(f"{where}: value {label!r} must be a quoted string")
        key = spec_without_values.code_key(label)
        if key in values:
            raise ContractError(f"{where}: value {label!r} listed twice")
        values[key] = _targets(targets, f"{where} value {label!r}")
        labels.append(label)

    if kind in ("coded", "typed") and "unknown" not in raw:
        raise ContractError(f"{where}: coded and typed columns must say what an unknown marker maps to")
    if kind == "coded" and not values and lookup not in ("departments", "department_codes"):
        raise ContractError(f"{where}: a coded column needs values or a department lookup")
    if kind == "typed" and (lookup is None or "unmatched" not in raw):
        raise ContractError(f"{where}: a typed column needs a lookup and an `unmatched` mapping")
    if kind == "key" and not raw.get("pattern"):
        raise ContractError(f"{where}: a key column needs a pattern")

    return ColumnSpec(
        name=name,
        kind=kind,
        required=bool(raw.get("required", False)),
        optional=bool(raw.get("optional", False)),
        personal=bool(raw.get("personal", False)),
        role=role,
        values=MappingProxyType(values),
        value_labels=tuple(labels),
        unknown=_targets(raw["unknown"], f"{where} unknown") if "unknown" in raw else None,
        unmatched=_targets(raw["unmatched"], f"{where} unmatched") if "unmatched" in raw else None,
        on_lookup=_targets(raw.get("on_lookup"), f"{where} on_lookup"),
        lookup=lookup,
        target=target,
        multi=bool(raw.get("multi", False)),
        numeric_codes=bool(raw.get("numeric_codes", False)),
        pattern=raw.get("pattern"),
        example=str(raw["example"]) if "example" in raw else None,
        department_column=raw.get("department_column"),
        cedula=_cedula_rule(raw.get("cedula_when"), where),
        document_type=raw.get("document_type"),
        platform_sets_method=bool(raw.get("platform_sets_method", False)),
    )


def _age_limits(raw: object, where: str, default_rule: str) -> AgeLimits:
    if not isinstance(raw, dict) or not {"min", "max"} <= set(raw):
        raise ContractError(f"{where}: age limits need min and max")
    return AgeLimits(int(raw["min"]), int(raw["max"]), str(raw.get("rule", default_rule)))


def parse_contract(raw: dict, source: str) -> Contract:
    institution = raw.get("institution")
    if institution not in INSTITUTIONS:
        raise ContractError(f"{source}: unknown institution {institution!r}")
    fmt_raw = raw.get("format") or {}
    if fmt_raw.get("kind") not in ("csv", "xlsx", "json"):
        raise ContractError(f"{source}: format.kind must be csv, xlsx or json")
    fmt = FormatSpec(**fmt_raw)
    expected_header = {"csv": "first_line", "xlsx": "marker_row", "json": "none"}[fmt.kind]
    if fmt.header != expected_header:
        raise ContractError(f"{source}: a {fmt.kind} extract's header placement is {expected_header}")
    if fmt.kind == "xlsx" and not fmt.header_marker:
        raise ContractError(f"{source}: an xlsx contract needs the header_marker column")
    columns = tuple(_column(c, source) for c in raw.get("columns") or [])
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ContractError(f"{source}: a column is listed twice")
    by_name = {c.name: c for c in columns}

    def known(column: str | None, what: str) -> None:
        if column is not None and column not in by_name:
            raise ContractError(f"{source}: {what} names an unknown column {column!r}")

    known(raw.get("registration_date"), "registration_date")
    known(raw.get("source_key"), "source_key")
    identity = raw.get("victim_identity") or {}
    known(identity.get("document"), "victim_identity.document")
    for column in identity.get("names") or []:
        known(column, "victim_identity.names")
    for spec in columns:
        known(spec.department_column, f"column {spec.name!r} department_column")
        if spec.cedula and spec.cedula.column:
            known(spec.cedula.column, f"column {spec.name!r} cedula_when")
    if by_name[raw["registration_date"]].kind != "date" or not by_name[raw["registration_date"]].required:
        raise ContractError(f"{source}: the registration date must be a required date column")
    if by_name[raw["source_key"]].kind != "key":
        raise ContractError(f"{source}: the source key must be a key column")

    population = raw.get("population_age")
    return Contract(
        institution=institution,
        name=str(raw.get("name", institution)),
        format=fmt,
        record_label=raw.get("record_label", "row"),
        date_formats=tuple(raw.get("date_formats") or ()),
        registration_date=raw["registration_date"],
        source_key=raw["source_key"],
        key_shared_by_victims=bool(raw.get("key_shared_by_victims", False)),
        identity_document=identity.get("document"),
        identity_names=tuple(identity.get("names") or ()),
        age_limits=_age_limits(raw.get("age_limits"), source, "AGE_IMPLAUSIBLE"),
        population_age=_age_limits(population, source, "AGE_OUT_OF_POPULATION") if population else None,
        recruitment_method_from_platforms=bool(raw.get("recruitment_method_from_platforms", False)),
        defaults=_targets(raw.get("defaults"), f"{source} defaults"),
        columns=columns,
    )


@cache
def load_contract(institution: str) -> Contract:
    """The contract of one institution (MP, PN, MINNA, MINMUJER), parsed and checked once."""
    if institution not in INSTITUTIONS:
        raise KeyError(institution)
    path = SCHEMAS_DIR / f"{institution}.yaml"
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_contract(raw, path.name)
