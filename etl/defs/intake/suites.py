"""Expectation suites generated from the contracts, so the two can never drift apart.

`build_suite(contract)` is the only way a suite is made; `python -m etl.defs.intake.suites` writes
expectations/<INSTITUTION>.json from it, and a test checks the stored files equal what the builder
produces. Every expectation carries in its `meta` the rule code, the agency's column name and the
parameters its message needs, so a failing expectation becomes a report finding with no value in it.

Checks run on the helper columns of helper_columns.py. Order matters: when several checks fail on
one cell, the report keeps the first (a missing date is reported as missing, not also as invalid).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from etl.defs.intake import helper_columns as h
from etl.defs.intake.contracts import Contract, load_contract
from etl.defs.intake.gx_runtime import import_gx, suite_path
from etl.defs.intake.normalize import fold
from etl.defs.intake.records import INSTITUTIONS

# Run-time expectation parameters (YYYYMMDD numbers), passed by validate.py for each file.
PERIOD_FIRST = "period_first_ymd"
PERIOD_LAST = "period_last_ymd"
TODAY = "today_ymd"


def check_name(column: str | None, rule: str) -> str:
    """Stable identifier of one expectation (usable as a Dagster asset check name)."""
    subject = fold(column).lower().replace(" ", "_") if column else "file"
    return f"{subject}__{rule.lower()}"


def _meta(rule: str, column: str | None, **params: Any) -> dict[str, Any]:
    runtime = params.pop("runtime", [])
    meta: dict[str, Any] = {"check": check_name(column, rule), "rule": rule, "column": column, "params": params}
    if runtime:
        meta["runtime_params"] = runtime
    return meta


def _allowed_regex(keys: Sequence[str]) -> str:
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return rf"^(?:{alternatives})(?:\|(?:{alternatives}))*$"


def _expectations(contract: Contract) -> list[Any]:
    gxe = import_gx().expectations
    # One expectation for all mandatory columns (each expectation costs GX a fixed overhead);
    # the adapter turns its list of missing columns into one finding per column.
    mandatory = [spec.name for spec in contract.columns if not spec.optional]
    out: list[Any] = [
        gxe.ExpectTableColumnsToMatchSet(column_set=mandatory, exact_match=False, meta=_meta("COLUMN_MISSING", None))
    ]

    limits = contract.age_limits
    population = contract.population_age
    for spec in contract.columns:
        name = spec.name
        if spec.required:
            out.append(gxe.ExpectColumnValuesToNotBeNull(column=name, meta=_meta("REQUIRED", name)))
        if spec.kind == "key" and spec.pattern:
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=name, regex=spec.pattern, meta=_meta("KEY_FORMAT", name, example=spec.example or "")
                )
            )
        elif spec.kind == "date":
            formats = list(contract.date_formats)
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=h.date_check(name), value_set=[h.OK], meta=_meta("DATE_INVALID", name, formats=formats)
                )
            )
            if spec.role == "birth_date":
                out.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=h.age(name),
                        min_value=limits.min,
                        max_value=limits.max,
                        meta=_meta(limits.rule, name, min=limits.min, max=limits.max, variant="derived"),
                    )
                )
                if population:
                    out.append(
                        gxe.ExpectColumnValuesToBeBetween(
                            column=h.age(name),
                            min_value=population.min,
                            max_value=population.max,
                            meta=_meta(population.rule, name, min=population.min, max=population.max, variant="derived"),
                        )
                    )
            else:
                out.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=h.date_number(name),
                        max_value={"$PARAMETER": TODAY},
                        meta=_meta("DATE_IN_FUTURE", name, runtime=["today"]),
                    )
                )
                if spec.role == "registration_date":
                    out.append(
                        gxe.ExpectColumnValuesToBeBetween(
                            column=h.date_number(name),
                            min_value={"$PARAMETER": PERIOD_FIRST},
                            max_value={"$PARAMETER": PERIOD_LAST},
                            meta=_meta("DATE_OUTSIDE_PERIOD", name, runtime=["first", "last"]),
                        )
                    )
        elif spec.kind == "age":
            out.append(
                gxe.ExpectColumnValuesToBeInSet(
                    column=h.number_check(name), value_set=[h.OK], meta=_meta("NUMBER_INVALID", name)
                )
            )
            out.append(
                gxe.ExpectColumnValuesToBeBetween(
                    column=h.age(name),
                    min_value=limits.min,
                    max_value=limits.max,
                    meta=_meta(limits.rule, name, min=limits.min, max=limits.max),
                )
            )
            if population:
                out.append(
                    gxe.ExpectColumnValuesToBeBetween(
                        column=h.age(name),
                        min_value=population.min,
                        max_value=population.max,
                        meta=_meta(population.rule, name, min=population.min, max=population.max),
                    )
                )
        elif spec.kind == "coded":
            allowed = spec.allowed_keys()
            if spec.lookup in ("departments", "department_codes"):
                params: dict[str, Any] = {"variant": spec.lookup}
            else:
                params = {"variant": "multi" if spec.multi else "values", "allowed": list(spec.value_labels)}
            meta = _meta("CODE_UNKNOWN", name, **params)
            if spec.multi:
                out.append(gxe.ExpectColumnValuesToMatchRegex(column=h.code(name), regex=_allowed_regex(allowed), meta=meta))
            else:
                out.append(gxe.ExpectColumnValuesToBeInSet(column=h.code(name), value_set=list(allowed), meta=meta))
        elif spec.kind == "document":
            if spec.cedula is not None and spec.cedula.mode != "digits_only":
                out.append(
                    gxe.ExpectColumnValuesToMatchRegex(
                        column=h.cedula_shape(name), regex=r"^9{5,8}$", meta=_meta("CEDULA_FORMAT", name)
                    )
                )
            out.append(
                gxe.ExpectColumnValuesToMatchRegex(
                    column=h.document_shape(name), regex=r"^[9A]{3,20}$", meta=_meta("DOCUMENT_FORMAT", name)
                )
            )

    out.append(
        gxe.ExpectCompoundColumnsToBeUnique(
            column_list=[h.KEY, h.IDENTITY],
            meta=_meta("DUPLICATE_CONFLICT", contract.source_key, key_column=contract.source_key),
        )
    )
    checks = [e.meta["check"] for e in out]
    if len(set(checks)) != len(checks):
        raise ValueError(f"{contract.institution}: two expectations share a check name")
    return out


def build_suite(contract: Contract):
    gx = import_gx()
    # Built in one go: add_expectation() would need an active data context to save into.
    return gx.ExpectationSuite(
        name=f"intake_{contract.institution.lower()}",
        expectations=_expectations(contract),
        meta={
            "institution": contract.institution,
            "generated_from": f"schemas/{contract.institution}.yaml",
            "generator": "python -m etl.defs.intake.suites",
        },
    )


def suite_json(contract: Contract) -> dict[str, Any]:
    """The suite as stored: GX's own serialization, round-tripped through JSON."""
    return json.loads(json.dumps(build_suite(contract).to_json_dict()))


def write_suites(institutions: Sequence[str] = INSTITUTIONS) -> list[Path]:
    written = []
    for institution in institutions:
        path = suite_path(institution)
        path.write_text(json.dumps(suite_json(load_contract(institution)), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_suites(sys.argv[1:] or INSTITUTIONS):
        print(written_path)
