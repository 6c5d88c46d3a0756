"""What a failed run leaves to read: its error chain, checked for the values it must never carry."""

from __future__ import annotations

from pathlib import Path


def error_chain(error) -> list:
    """A Dagster SerializableErrorInfo and its causes, outermost first."""
    chain = []
    while error is not None:
        chain.append(error)
        error = error.cause or error.context
    return chain


def root_cause(error) -> str:
    return error_chain(error)[-1].cls_name


def error_texts(error) -> list[str]:
    return [e.message for e in error_chain(error)] + ["".join(e.stack) for e in error_chain(error)]


def personal_values(path: Path, institution: str, period: str) -> list[str]:
    """Every name, document, phone, handle and birth date in the file (to search outputs for them)."""
    from etl.defs.intake.validate import validate_extract

    records = validate_extract(institution, period, path.read_bytes(), path.name).records
    values = [value for record in records for value in record.personal_values()]
    assert len(values) > 20  # a search for nothing would prove nothing
    return values
