"""One partition per institution and calendar month: the unit an agency submits."""

from __future__ import annotations

import dagster as dg

from etl.defs.intake.records import INSTITUTIONS

FIRST_PERIOD = "2020-01"

institution_partitions = dg.StaticPartitionsDefinition(list(INSTITUTIONS))
# end_offset=1 admits the current month: an agency may close and send it on its last day.
month_partitions = dg.MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, fmt="%Y-%m", end_offset=1)
institution_month_partitions = dg.MultiPartitionsDefinition(
    {"institution": institution_partitions, "month": month_partitions}
)


def partition_key(institution: str, period: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"institution": institution, "month": period})


def split_partition_key(key: str | dg.MultiPartitionKey) -> tuple[str, str]:
    if isinstance(key, dg.MultiPartitionKey):
        dims = key.keys_by_dimension
    else:
        institution, month = key.split("|")
        dims = {"institution": institution, "month": month}
    return dims["institution"], dims["month"]
