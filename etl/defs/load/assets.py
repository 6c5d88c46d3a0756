"""core_victim_record: one institution-month loaded into the star schema in one transaction."""


import dagster as dg

from etl.defs.landing.submissions import current_submission
from etl.defs.load.core_load import load_extract
from etl.defs.load.linking import link_in_force
from etl.partitions import institution_month_partitions, split_partition_key
from etl.resources import SecretsResource, WarehouseResource

RETRY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL)


@dg.asset(
    partitions_def=institution_month_partitions,
    group_name="core",
    kinds={"postgres"},
    deps=["staging_victim_record"],
    retry_policy=RETRY,
    description=(
        "Registros de víctimas del mes en el esquema estrella (core.fact_victim_record), con la persona "
        "seudónima enlazada entre instituciones y meses. Reemplaza el mes entero en una sola transacción."
    ),
)
def core_victim_record(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, secrets: SecretsResource
) -> dg.MaterializeResult:
    institution, period = split_partition_key(context.partition_key)
    keyring = secrets.keyring()
    with warehouse.engine().begin() as conn:
        submission = current_submission(conn, institution, period)
        if submission is None:
            raise dg.Failure(description=f"{institution} {period}: no hay archivo vigente", allow_retries=False)
        result = load_extract(conn, submission.extract_id, lambda c, ids: link_in_force(c, ids, keyring))
    return dg.MaterializeResult(
        metadata={
            "records": result.records,
            "persons_total": result.persons_total,
            "persons_changed": result.persons_changed,
        }
    )
