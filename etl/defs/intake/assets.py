"""raw_extract: the file in force for one institution and month, as landed (encrypted)."""


from pathlib import Path

import dagster as dg

from etl.defs.landing.store import sha256_hex
from etl.defs.landing.submissions import current_submission
from etl.partitions import institution_month_partitions, split_partition_key
from etl.resources import LandingZoneResource, WarehouseResource


@dg.asset(
    partitions_def=institution_month_partitions,
    group_name="raw",
    kinds={"file"},
    description="El archivo vigente de una institución y un mes, tal como llegó (cifrado en la zona de aterrizaje).",
)
def raw_extract(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    landing: LandingZoneResource,
) -> dg.MaterializeResult:
    institution, period = split_partition_key(context.partition_key)
    with warehouse.engine().connect() as conn:
        submission = current_submission(conn, institution, period)
    if submission is None:
        raise dg.Failure(
            description=f"{institution} no tiene un archivo aceptado para {period}: súbalo con `observatorio upload`",
            allow_retries=False,
        )
    content = landing.store().read(Path(submission.stored_path))
    if sha256_hex(content) != submission.content_sha256:
        raise dg.Failure(description="el archivo guardado no coincide con su suma SHA-256 registrada", allow_retries=False)
    return dg.MaterializeResult(
        metadata={
            "extract_id": submission.extract_id,
            "content_sha256": submission.content_sha256,
            "byte_count": len(content),
            "is_zero_report": submission.is_zero_report,
        },
        data_version=dg.DataVersion(submission.content_sha256),
    )
