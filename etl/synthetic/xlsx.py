"""Saving an openpyxl workbook byte-for-byte reproducibly.

openpyxl stamps the save time into `docProps/core.xml` and into every zip entry's header; the
same seed must give the same bytes, so both are pinned to a date derived from the period.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

from etl.synthetic.months import add_months, first_day

_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def save_deterministic(workbook: Workbook, path: Path, period: str) -> None:
    produced = dt.datetime.combine(first_day(add_months(period, 1)) + dt.timedelta(days=2), dt.time(10, 0))
    workbook.properties.creator = "Policía Nacional"
    workbook.properties.created = produced
    buffer = io.BytesIO()
    workbook.save(buffer)
    stamp = produced.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(rb"<dcterms:modified\1>" + stamp + rb"</dcterms:modified>", data)
            pinned = zipfile.ZipInfo(info.filename, date_time=produced.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = info.external_attr
            target.writestr(pinned, data)
