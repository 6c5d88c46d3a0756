"""The file-wide rules of the intake, kept across chunks so that a streamed file is judged as a whole.

`prepare` and the expectation suite see one chunk at a time. Four of their rules look at the
whole file, and are completed here with the same outcome as the whole-file path:

- identical duplicate rows: a row identical to one of an earlier chunk is dropped (warning
  `DUPLICATE_DROPPED`, naming that earlier row), before validation and mapping, as `prepare` does;
- one source key per victim (`DUPLICATE_CONFLICT`): every row of a (key, victim) group with more
  than one row is an error naming the group's other rows, wherever they are in the file; a cell
  that already failed an earlier check of the suite keeps that finding (the suite reports the
  first failing check per cell, and this check is the suite's last, see `intake.suites`);
- registration dates mostly outside the month (`PERIOD_DATES_MISMATCH`), from the file's months;
- the asset-check summary of every expectation, summed over chunks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from etl.defs.ingest.first_seen import DIGEST_BYTES, FirstSeen, digest, digests
from etl.defs.intake import helper_columns as h
from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import Finding, finding
from etl.defs.intake.gx_findings import MAX_ROWS_IN_METADATA, findings_by_expectation
from etl.defs.intake.prepare import PreparedExtract, _period_findings, fingerprint

CONFLICT = "DUPLICATE_CONFLICT"
DROPPED = "DUPLICATE_DROPPED"
PERIOD_MISMATCH = "PERIOD_DATES_MISMATCH"
_ROW_BITS = 32  # payload = file_row << 32 | source_row


@dataclass(frozen=True, slots=True)
class _MonthOnly:
    """Stands for the rows of one month when `_period_findings` counts months (it reads only `dates`)."""

    dates: dict[str, dt.date]


@dataclass
class CrossChunkChecks:
    contract: Contract
    period: str
    duplicates_dropped: int = 0
    findings: list[Finding] = field(default_factory=list)  # cross-chunk duplicates dropped
    _rows: FirstSeen = field(default_factory=FirstSeen)
    _keys: FirstSeen = field(default_factory=FirstSeen)
    _groups: dict[bytes, list[tuple[int, int]]] = field(default_factory=dict)  # repeated (key, victim)
    _months: Counter[str] = field(default_factory=Counter)
    _checks: dict[str, tuple[bool, dict[str, Any]]] = field(default_factory=dict)

    def drop_repeated(self, prepared: PreparedExtract) -> PreparedExtract:
        """The chunk without rows identical to a row of an earlier chunk; also counts its months."""
        contract = self.contract
        rows = prepared.rows
        own = np.array([r.file_row for r in rows], dtype=np.int64)
        fingerprints = digests(fingerprint(contract, row) for row in rows)
        first = self._rows.observe(fingerprints, own)
        keep = first == own
        first_of_dropped = {int(row): int(at) for row, at in zip(own[~keep], first[~keep], strict=True)}
        findings = [self._rebased(f, first_of_dropped) for f in prepared.findings
                    if f.rule != PERIOD_MISMATCH and f.row not in first_of_dropped]
        for row in (r for r, kept in zip(rows, keep, strict=True) if not kept):
            self.findings.append(
                finding("warning", DROPPED, row=row.file_row, record=row.source_row, first_row=first_of_dropped[row.file_row])
            )
        kept_rows = [r for r, kept in zip(rows, keep, strict=True) if kept]
        self.duplicates_dropped += prepared.duplicates_dropped + len(first_of_dropped)
        registration = contract.registration_date
        self._months.update(r.dates[registration].strftime("%Y-%m") for r in kept_rows if registration in r.dates)
        frame = prepared.frame if keep.all() else prepared.frame[keep].reset_index(drop=True)
        return replace(prepared, rows=kept_rows, frame=frame, findings=findings, conflicts={})

    @staticmethod
    def _rebased(found: Finding, first_of_dropped: dict[int, int]) -> Finding:
        """A duplicate of a row that is itself a repeat of an earlier chunk's row names the earliest one."""
        first_row = found.params.get("first_row") if found.rule == DROPPED else None
        if first_row not in first_of_dropped:
            return found
        params = {**found.params, "first_row": first_of_dropped[first_row]}  # type: ignore[index]
        return finding(found.severity, found.rule, row=found.row, column=found.column, record=found.record, **params)

    def track_keys(self, prepared: PreparedExtract) -> None:
        """Remember each row's (source key, victim) pair; pairs seen twice become conflict groups."""
        frame = prepared.frame
        keys = frame[h.KEY].tolist()
        identities = frame[h.IDENTITY].tolist()
        rows = frame[h.FILE_ROW].to_numpy(dtype=np.int64)
        records = frame[h.SOURCE_ROW].to_numpy(dtype=np.int64)
        with_key = np.array([k is not None for k in keys], dtype=bool)
        if not with_key.any():
            return
        pairs = [digest((k, i)) for k, i, keyed in zip(keys, identities, with_key, strict=True) if keyed]
        own = (rows[with_key] << _ROW_BITS) | records[with_key]
        first = self._keys.observe(np.array(pairs, dtype=f"S{DIGEST_BYTES}"), own)
        for index in np.flatnonzero(first != own).tolist():
            group = self._groups.setdefault(pairs[index], [_unpack(int(first[index]))])
            group.append(_unpack(int(own[index])))

    def add_checks(self, result: Any) -> None:
        """Sum one chunk's validation result into the per-expectation summary."""
        for check, (passed, metadata) in findings_by_expectation(result).items():
            if check not in self._checks:
                self._checks[check] = (passed, dict(metadata))
                continue
            was_passed, merged = self._checks[check]
            for count in ("element_count", "unexpected_count"):
                if count in metadata:
                    merged[count] = merged.get(count, 0) + metadata[count]
            if metadata.get("unexpected_rows"):
                rows = merged.get("unexpected_rows", []) + metadata["unexpected_rows"]
                merged["unexpected_rows"] = rows[:MAX_ROWS_IN_METADATA]
            if metadata.get("missing_columns"):
                merged["missing_columns"] = sorted(set(merged.get("missing_columns", [])) | set(metadata["missing_columns"]))
            merged["evaluated"] = merged["evaluated"] and metadata["evaluated"]
            self._checks[check] = (was_passed and passed, merged)

    def conflict_findings(self, suite_errors: list[Finding]) -> list[Finding]:
        """Every row of every repeated (key, victim) group, unless an earlier check already flagged its cell."""
        column = self.contract.source_key
        flagged = {(f.row, f.column) for f in suite_errors if f.rule != CONFLICT}
        found: list[Finding] = []
        for group in self._groups.values():
            for file_row, source_row in group:
                if (file_row, column) in flagged:
                    continue
                others = tuple(r for r, _ in group if r != file_row)
                found.append(
                    finding("error", CONFLICT, row=file_row, column=column, record=source_row, key_column=column, other_rows=others)
                )
        return found

    def period_findings(self) -> list[Finding]:
        registration = self.contract.registration_date
        stand_ins = [
            item
            for month, count in self._months.items()
            for item in [_MonthOnly({registration: dt.date.fromisoformat(f"{month}-01")})] * count
        ]
        return _period_findings(self.contract, stand_ins, self.period)  # type: ignore[arg-type]

    def checks(self) -> dict[str, tuple[bool, dict[str, Any]]]:
        """Per expectation: passed over the whole file, and its metadata (counts and rows, no values)."""
        merged = dict(self._checks)
        conflict_check = next((c for c, (_, m) in merged.items() if m.get("rule") == CONFLICT), None)
        if conflict_check is not None:
            _, metadata = merged[conflict_check]
            rows = sorted(r for group in self._groups.values() for r, _ in group)
            metadata = {**metadata, "unexpected_count": len(rows)}
            metadata.pop("unexpected_rows", None)
            if rows:
                metadata["unexpected_rows"] = rows[:MAX_ROWS_IN_METADATA]
            merged[conflict_check] = (not rows and metadata["evaluated"], metadata)
        return merged

    def release(self) -> None:
        """Drop the per-row state (tens of MB for a million rows) once the file has been read."""
        self._rows = FirstSeen()
        self._keys = FirstSeen()


def _unpack(payload: int) -> tuple[int, int]:
    return payload >> _ROW_BITS, payload & ((1 << _ROW_BITS) - 1)
