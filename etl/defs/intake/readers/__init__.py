"""Readers: one module per file format, all returning a RawExtract (see base.py)."""

from __future__ import annotations

from etl.defs.intake.contracts import Contract
from etl.defs.intake.findings import finding
from etl.defs.intake.readers.base import DEFAULT_LIMITS, MB, RawExtract, ReadLimits, reject
from etl.defs.intake.readers.csv_reader import read_csv
from etl.defs.intake.readers.json_reader import read_json
from etl.defs.intake.readers.xlsx_reader import read_xlsx

__all__ = ["DEFAULT_LIMITS", "RawExtract", "ReadLimits", "read_extract"]


def read_extract(contract: Contract, data: bytes, period: str, limits: ReadLimits = DEFAULT_LIMITS) -> RawExtract:
    """Read one extract in the format its contract promises, whatever the file is named.

    Raises ExtractRejected (with findings, never values) when the file cannot be read.
    """
    if not data or data.isspace():  # no .strip(): it would copy the whole upload
        raise reject(finding("error", "FILE_EMPTY"))
    if len(data) > limits.max_file_bytes:
        raise reject(
            finding(
                "error",
                "FILE_TOO_LARGE",
                size_mb=f"{len(data) / MB:.1f}",
                limit_mb=f"{limits.max_file_bytes / MB:.0f}",
            )
        )
    kind = contract.format.kind
    if kind == "csv":
        return read_csv(contract, data, limits)
    if kind == "xlsx":
        return read_xlsx(contract, data, limits, period)
    return read_json(contract, data, limits, period)
