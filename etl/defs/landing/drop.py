"""Pull extracts from each institution's drop location (fsspec: a local folder or SFTP).

Files are named `YYYY-MM.<ext>` (e.g. `2025-06.csv`) in the institution's folder. Each new
file (by content hash) goes through the same intake as an upload; files already received are
skipped, so pulling is always safe to repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import fsspec
import sqlalchemy as sa

from etl.config import Settings
from etl.defs.landing.store import LandingStore, sha256_hex
from etl.defs.landing.upload import UploadOutcome, submit_extract
from warehouse import tables as t

_PERIOD_FILE = re.compile(r"^(\d{4}-(0[1-9]|1[0-2]))\.(csv|xlsx|json)$", re.IGNORECASE)


@dataclass(frozen=True)
class PulledFile:
    institution: str
    period: str
    name: str
    status: str  # received / already_received / too_large
    outcome: UploadOutcome | None = None


def open_drop(url: str, settings: Settings):
    options = {}
    if url.startswith("sftp://") and settings.drop_sftp_key_file:
        options["key_filename"] = settings.drop_sftp_key_file
    fs, root = fsspec.core.url_to_fs(url, **options)
    return fs, root


def _already_received(engine: sa.Engine, institution: str, period: str, sha: str) -> bool:
    fe, di, dm = t.fact_extract, t.dim_institution, t.dim_month
    with engine.connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(fe.join(di, fe.c.institution_id == di.c.institution_id).join(dm, fe.c.month_id == dm.c.month_id))
            .where(di.c.institution_code == institution, dm.c.period_code == period, fe.c.content_sha256 == sha)
        ).scalar_one() > 0


def pull_institution(engine: sa.Engine, store: LandingStore, settings: Settings, institution: str) -> list[PulledFile]:
    fs, root = open_drop(settings.drop_locations[institution], settings)
    if not fs.exists(root):
        return []
    pulled: list[PulledFile] = []
    for entry in sorted(fs.ls(root, detail=False)):
        name = PurePosixPath(entry).name
        match = _PERIOD_FILE.match(name)
        if not match or fs.isdir(entry):
            continue
        period = match.group(1)
        if fs.size(entry) > settings.max_upload_bytes:
            # Never read it whole; the agency is told through the pull report.
            pulled.append(PulledFile(institution, period, name, "too_large"))
            continue
        content = fs.cat_file(entry)
        if _already_received(engine, institution, period, sha256_hex(content)):
            pulled.append(PulledFile(institution, period, name, "already_received"))
            continue
        outcome = submit_extract(
            engine, store, institution=institution, period=period, content=content, filename=name,
            uploader=f"drop:{institution}", channel="drop",
        )
        pulled.append(PulledFile(institution, period, name, "received", outcome))
    return pulled
