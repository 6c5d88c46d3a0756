"""staging_victim_record: read → validate (GX, blocking checks) → pseudonymize → classify ICT.

The decrypted file and the canonical records (personal data) live only inside this function;
what it writes to `staging` and returns to Dagster is tokens, codes and counts.
"""


import datetime as dt
from collections import defaultdict
from pathlib import Path

import dagster as dg
import sqlalchemy as sa

from etl.defs.landing.submissions import current_submission
from etl.defs.privacy.cleartext_scan import scan, warehouse_texts
from etl.defs.load.copy import copy_rows
from etl.defs.privacy.staging_rows import STAGING_COLUMNS, TOKEN_COLUMNS, stage_records
from etl.partitions import institution_month_partitions, split_partition_key
from etl.resources import LandingZoneResource, SecretsResource, WarehouseResource
from warehouse import tables as t

# GX expectations grouped into the checks a data engineer reads in the Dagster UI. Each is
# blocking: a failed check stops the run before anything reaches `core`.
CHECK_RULES: dict[str, set[str]] = {
    "required_columns": {"COLUMN_MISSING", "REQUIRED", "HEADER_INVALID", "HEADER_NOT_FOUND"},
    "allowed_codes": {"CODE_UNKNOWN", "VALUE_UNMATCHED", "KEY_FORMAT"},
    "registration_date_in_month": {"DATE_INVALID", "DATE_IN_FUTURE", "DATE_OUTSIDE_PERIOD", "DATE_AFTER_REGISTRATION"},
    "plausible_ages": {"AGE_IMPLAUSIBLE", "AGE_NOT_MINOR", "AGE_NOT_ADULT", "NUMBER_INVALID"},
    "document_format": {"CEDULA_FORMAT", "DOCUMENT_FORMAT"},
    "unique_source_keys": {"DUPLICATE_CONFLICT"},
}
OTHER_CHECK = "other_expectations"
NO_CLEARTEXT_CHECK = "no_cleartext"
CHECK_NAMES = [*CHECK_RULES, OTHER_CHECK]
_CATEGORY_OF_RULE = {rule: name for name, rules in CHECK_RULES.items() for rule in rules}

STAGING_KEY = dg.AssetKey("staging_victim_record")
STAGING_LOCK_CLASS = 0x0B5E


def check_results(gx_findings: dict[str, tuple[bool, dict]]) -> list[dg.AssetCheckResult]:
    grouped: dict[str, list[tuple[bool, dict]]] = defaultdict(list)
    for passed, metadata in gx_findings.values():
        grouped[_CATEGORY_OF_RULE.get(str(metadata.get("rule")), OTHER_CHECK)].append((passed, metadata))
    results = []
    for name in CHECK_NAMES:
        items = grouped.get(name, [])
        failed = [m for ok, m in items if not ok]
        results.append(
            dg.AssetCheckResult(
                asset_key=STAGING_KEY,
                check_name=name,
                passed=not failed,
                metadata={
                    "expectations": len(items),
                    "failed": len(failed),
                    # rule and column names as the agency writes them, plus row numbers: never values
                    "failures": [
                        {"rule": m.get("rule"), "column": m.get("column"), "rows": m.get("unexpected_rows", [])[:20]}
                        for m in failed
                    ][:20],
                },
            )
        )
    return results


@dg.asset(
    partitions_def=institution_month_partitions,
    group_name="staging",
    kinds={"postgres"},
    deps=["raw_extract"],
    check_specs=[
        *(dg.AssetCheckSpec(name, asset=STAGING_KEY, blocking=True) for name in CHECK_NAMES),
        dg.AssetCheckSpec(
            NO_CLEARTEXT_CHECK, asset=STAGING_KEY, blocking=True,
            description="Ningún nombre, documento, teléfono, usuario ni fecha de nacimiento del archivo aparece "
            "en las filas escritas ni en el registro de eventos de esta ejecución.",
        ),
    ],
    description=(
        "Filas seudonimizadas del extracto vigente: tokens HMAC, códigos y estado TIC. "
        "Ningún nombre, documento, teléfono, fecha de nacimiento ni relato."
    ),
)
def staging_victim_record(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    secrets: SecretsResource,
    landing: LandingZoneResource,
):
    from etl.defs.intake.validate import validate_extract

    institution, period = split_partition_key(context.partition_key)
    engine = warehouse.engine()
    with engine.connect() as conn:
        submission = current_submission(conn, institution, period)
    if submission is None:
        raise dg.Failure(description=f"{institution} {period}: no hay archivo vigente", allow_retries=False)
    content = landing.store().read(Path(submission.stored_path))
    # Re-validated with today's rules: a file accepted under older rules is checked again.
    result = validate_extract(institution, period, content, f"extract.{_ext(submission.stored_path)}", today=dt.date.today())
    del content
    yield from check_results(result.gx_findings)
    if not result.report.accepted:
        raise dg.Failure(
            description=f"{institution} {period}: el archivo ya no pasa la validación ({len(result.report.errors)} errores)",
            metadata={"errors": [f.rule for f in result.report.errors][:50]},
            allow_retries=False,
        )
    keyring = secrets.keyring()
    staged = stage_records(result.records, submission.extract_id, keyring)
    personal = [value for record in result.records for value in record.personal_values()]
    result.records.clear()
    with engine.begin() as conn:
        # Two runs of the same partition at once: the second waits, then replaces identically.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:a, :b)"), {"a": STAGING_LOCK_CLASS, "b": submission.extract_id})
        for table in (t.staging_match_token, t.staging_victim_record):
            conn.execute(table.delete().where(table.c.extract_id == submission.extract_id))
        copy_rows(conn, t.staging_victim_record, STAGING_COLUMNS, staged.rows)
        copy_rows(conn, t.staging_match_token, TOKEN_COLUMNS, staged.tokens)
        # Verified inside the transaction: a leak means nothing of this extract is committed.
        hits = scan(warehouse_texts(conn, where_extract=submission.extract_id) + _run_log_texts(context), personal)
        del personal
        if hits:
            yield dg.AssetCheckResult(check_name=NO_CLEARTEXT_CHECK, passed=False,
                                      metadata={"hits": len(hits), "where": sorted({h.location for h in hits})[:10]})
            raise dg.Failure(description="se detectaron datos personales en claro: no se escribió nada", allow_retries=False)
    yield dg.AssetCheckResult(check_name=NO_CLEARTEXT_CHECK, passed=True, metadata={"hits": 0})
    yield dg.MaterializeResult(
        metadata={
            "records": len(staged.rows),
            "match_tokens": len(staged.tokens),
            "ict_linked_records": staged.ict_linked,
            "ict_known_records": staged.ict_known,
            "warnings": len(result.report.warnings),
            "key_id": keyring.key_id,
        }
    )


def _run_log_texts(context: dg.AssetExecutionContext) -> list[str]:
    """This run's event log so far (messages and metadata), as Dagster stored it."""
    records = context.instance.all_logs(context.run_id)
    return [str(r.dagster_event.event_specific_data) if r.dagster_event else "" for r in records] + [
        r.user_message or "" for r in records
    ]


def _ext(stored_path: str) -> str:
    # stored as <sha256><.ext>.enc
    suffixes = Path(stored_path).suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 else "bin"
