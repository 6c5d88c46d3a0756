"""JSON exports (MINNA): `{"institucion", "periodo", "generado", "casos": [...]}`.

The file says which institution and month it covers: both must match what the upload declares,
or the file is refused before any case is looked at. Nested objects are flattened to dotted field
names (`nna.documento.numero`), lists of codes joined with `|`. A record's row number is its
position in `casos` (1-based). Quirks handled: `entorno_digital` missing in older cases, document
numbers with dots (left to prepare.py), a BOM, fields the contract does not know (warned, dropped).
"""

from __future__ import annotations

import json
import re
from collections import Counter

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.readers.base import RawExtract, ReadLimits, build_extract, reject, text_of
from etl.defs.intake.readers.content import decode_text, line_of, oversized_json_string, sniff
from etl.defs.intake.records import INSTITUTIONS

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# JSON escapes (\u00e9) take up to 6 bytes per character.
_MAX_BYTES_PER_CHAR = 6


def read_json(contract: Contract, data: bytes, limits: ReadLimits, period: str) -> RawExtract:
    fmt = contract.format
    kind = sniff(data)
    if kind != "text":
        raise reject(finding("error", "FILE_TYPE", found=kind, expected="json"))
    oversized_at = oversized_json_string(data, limits.max_field_chars * _MAX_BYTES_PER_CHAR)
    if oversized_at is not None:
        raise reject(finding("error", "FIELD_TOO_LARGE", row=line_of(data, oversized_at), limit=limits.max_field_chars))
    decoded = decode_text(data, "utf-8", "json")
    findings: list[Finding] = list(decoded.findings)
    try:
        document = json.loads(decoded.text)
    except json.JSONDecodeError as error:
        raise reject(finding("error", "JSON_INVALID", line=error.lineno, col=error.colno)) from None
    except RecursionError:
        raise reject(finding("error", "JSON_TOO_DEEP")) from None
    except ValueError:
        # e.g. an integer of thousands of digits, which Python refuses to convert
        raise reject(finding("error", "JSON_UNREADABLE_VALUE")) from None

    records_field = fmt.records_field or "casos"
    required = (fmt.institution_field, fmt.period_field, records_field)
    if not isinstance(document, dict) or any(f not in document for f in required if f) or not isinstance(document.get(records_field), list):
        raise reject(finding("error", "JSON_STRUCTURE", fields=tuple(f for f in required if f), records_field=records_field))

    declared_institution = document.get(fmt.institution_field) if fmt.institution_field else contract.institution
    if declared_institution != contract.institution:
        # Echo what the file claims only when it is an institution code, never free text.
        found = declared_institution if declared_institution in INSTITUTIONS else "otra institución / another institution"
        raise reject(finding("error", "INSTITUTION_MISMATCH", declared=contract.institution, found=found))
    declared_period = document.get(fmt.period_field) if fmt.period_field else period
    if declared_period != period:
        found = declared_period if isinstance(declared_period, str) and _PERIOD.match(declared_period) else "?"
        raise reject(finding("error", "PERIOD_MISMATCH", declared=period, found=found))

    cases = document[records_field]
    if len(cases) > limits.max_records:
        raise reject(finding("error", "TOO_MANY_RECORDS", limit=limits.max_records))
    known = set(contract.column_names)
    records: list[dict[str, str | None]] = []
    unknown_fields: Counter[str] = Counter()
    errors: list[Finding] = []
    for position, case in enumerate(cases, start=1):
        if not isinstance(case, dict):
            errors.append(finding("error", "RECORD_NOT_OBJECT", row=position))
            continue
        flat = _flatten(case)
        for name in flat.keys() - known:
            unknown_fields[name] += 1
        record = {name: flat.get(name) for name in contract.column_names}
        oversized = [name for name, v in record.items() if v is not None and len(v) > limits.max_field_chars]
        if oversized:
            errors.append(finding("error", "FIELD_TOO_LARGE", row=position, column=oversized[0], limit=limits.max_field_chars))
        records.append(record)
    if errors:
        raise reject(*findings, *errors)
    # Field names are the export's structure, not its data: naming an ignored one helps the agency.
    findings += [finding("warning", "FIELD_UNKNOWN", column=name[:80], count=n) for name, n in sorted(unknown_fields.items())]

    # A field counts as present when any case carries it; a zero report carries all of them.
    seen = {name for case in cases if isinstance(case, dict) for name in _flatten(case)}
    columns = [name for name in contract.column_names if name in seen or not cases or _has_present_parent(name, seen)]
    records = [{name: r[name] for name in columns} for r in records]
    return build_extract(contract, columns, records, list(range(1, len(records) + 1)), findings)


def _has_present_parent(name: str, seen: set[str]) -> bool:
    """`nna.documento.numero` is present when `nna.documento` was written as null."""
    parts = name.split(".")
    return any(".".join(parts[:i]) in seen for i in range(1, len(parts)))


def _flatten(value: dict, prefix: str = "") -> dict[str, str | None]:
    flat: dict[str, str | None] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            nested = _flatten(item, f"{name}.")
            if nested:
                flat.update(nested)
            else:
                flat[name] = None
        elif isinstance(item, list):
            if all(not isinstance(v, (dict, list)) for v in item):
                parts = [text_of(v) for v in item]
                flat[name] = "|".join(p for p in parts if p) or None
            else:
                flat[name] = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        else:
            flat[name] = text_of(item)
    return flat
