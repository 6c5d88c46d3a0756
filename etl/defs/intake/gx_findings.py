"""Adapter from a Great Expectations validation result to findings and asset-check results.

There is no dagster-ge for GX 1.x, so this is the bridge: `findings_from_result` turns failing
expectations into report findings (one per failing row, located by the agency's row number), and
`findings_by_expectation` gives one (passed, metadata) pair per expectation for Dagster asset
checks. Neither ever copies `unexpected_list`, `partial_unexpected_list` or any other value GX
collects: only counts and row numbers leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from etl.defs.intake import helper_columns as h
from etl.defs.intake.findings import Finding, finding

# Enough rows for an asset check to point at the problem; the report holds all of them.
MAX_ROWS_IN_METADATA = 100


def _raised(exception_info: Any) -> bool:
    if not isinstance(exception_info, Mapping):
        return False
    if exception_info.get("raised_exception"):
        return True
    return any(isinstance(v, Mapping) and v.get("raised_exception") for v in exception_info.values())


def _target_columns(config: Any) -> list[str]:
    kwargs = config.kwargs
    if "column" in kwargs:
        return [kwargs["column"]]
    return list(kwargs.get("column_list") or [])


def _missing_columns(result: Mapping[str, Any]) -> list[str]:
    """Columns a table-level column-set expectation found missing (contract names, not data)."""
    details = result.get("details") or {}
    mismatched = details.get("mismatched") or {} if isinstance(details, Mapping) else {}
    return sorted(str(c) for c in mismatched.get("missing") or [])


def _rows(result: Mapping[str, Any]) -> list[tuple[int, int]]:
    rows = []
    for entry in result.get("unexpected_index_list") or []:
        if isinstance(entry, Mapping) and h.FILE_ROW in entry:
            rows.append((int(entry[h.FILE_ROW]), int(entry[h.SOURCE_ROW])))
    return sorted(set(rows))


def findings_by_expectation(result: Any) -> dict[str, tuple[bool, dict]]:
    """Per expectation (keyed by its check name): passed?, and metadata without personal values."""
    checks: dict[str, tuple[bool, dict]] = {}
    for item in result.results:
        meta = item.expectation_config.meta or {}
        outcome = item.result or {}
        evaluated = not _raised(item.exception_info)
        rows = _rows(outcome)
        metadata: dict[str, Any] = {
            "rule": meta.get("rule"),
            "column": meta.get("column"),
            "expectation_type": item.expectation_config.type,
            "evaluated": evaluated,
        }
        if "element_count" in outcome:
            metadata["element_count"] = int(outcome["element_count"])
        if "unexpected_count" in outcome:
            metadata["unexpected_count"] = int(outcome["unexpected_count"])
        if rows:
            metadata["unexpected_rows"] = [file_row for file_row, _ in rows[:MAX_ROWS_IN_METADATA]]
        if _missing_columns(outcome):
            metadata["missing_columns"] = _missing_columns(outcome)
        checks[str(meta.get("check"))] = (bool(item.success) and evaluated, metadata)
    return checks


def findings_from_result(
    result: Any,
    *,
    order: Sequence[str],
    frame_columns: Iterable[str],
    display: Mapping[str, str],
) -> list[Finding]:
    """Error findings for every failing expectation, at most one per (row, column).

    `order` is the suite's check order: when several checks fail on one cell, the first one is the
    finding (a blank date is "missing", not also "invalid"). Expectations that could not run
    because their column is absent are skipped: the missing-column finding already says so.
    """
    present = set(frame_columns)
    rank = {check: index for index, check in enumerate(order)}
    items = sorted(result.results, key=lambda item: rank.get((item.expectation_config.meta or {}).get("check"), len(rank)))
    found: list[Finding] = []
    seen_cells: set[tuple[int | None, str | None]] = set()
    for item in items:
        if item.success:
            continue
        meta = item.expectation_config.meta or {}
        rule, column = str(meta.get("rule")), meta.get("column")
        if _raised(item.exception_info):
            if all(c in present for c in _target_columns(item.expectation_config)):
                found.append(finding("error", "GX_EVALUATION_ERROR", column=column, check=str(meta.get("check"))))
            continue
        params: dict[str, Any] = {}
        for key, value in (meta.get("params") or {}).items():
            params[key] = tuple(value) if isinstance(value, list) else value
        for key in meta.get("runtime_params") or []:
            params[key] = display[key]
        missing = _missing_columns(item.result or {})
        if missing:
            found += [finding("error", rule, column=name, **params) for name in missing]
            continue
        rows = _rows(item.result or {})
        if not rows:
            found.append(finding("error", rule, column=column, **params))
            continue
        for file_row, source_row in rows:
            if (file_row, column) in seen_cells:
                continue
            seen_cells.add((file_row, column))
            found.append(finding("error", rule, row=file_row, column=column, record=source_row, **params))
    return found
