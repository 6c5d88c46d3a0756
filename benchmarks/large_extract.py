"""The ingest benchmark's input: the synthetic generator's large MP file, made acceptable.

`etl.synthetic.write_large_mp_extract` now and then draws two victims of one case with the same
name and no document (about one row in 10,000). The intake rightly rejects such a file (one case
number, one victim, two different rows: `DUPLICATE_CONFLICT`), which would leave nothing to load.
The benchmark therefore gives the second such row a case number of its own, far above the
generator's numbering, and changes nothing else: the file keeps its rows, format and footer.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from etl.defs.intake.cells import compact_document
from etl.defs.intake.normalize import fold
from etl.synthetic import mp_extract, write_large_mp_extract

# Case numbers the generator never reaches (it numbers up to about 3 per row from 900).
FRESH_CASE_NUMBER = 9_000_000
_CASE, _GIVEN, _SURNAMES, _DOCUMENT = 0, 8, 9, 11


def _victim_keys(row: list[str]) -> list[int]:
    """What the intake may take for "the same victim of the same case": names, or the document."""
    keys = [("n", row[_CASE], fold(row[_GIVEN]), fold(row[_SURNAMES]))]
    document = compact_document(row[_DOCUMENT])
    if document:
        keys.append(("d", row[_CASE], document))
    return [int.from_bytes(hashlib.blake2b(repr(k).encode(), digest_size=8).digest(), "big") for k in keys]


@contextmanager
def rewrite_mp_csv(source: Path, target: Path) -> Iterator[tuple[Iterator[list[str]], Any]]:
    """A reader of `source`'s rows after its header, and a writer of `target` with the header
    already copied, both in the MP format (cp1252, `;`): records may span lines."""
    with source.open(encoding=mp_extract.ENCODING, newline="") as inp, target.open(
        "w", encoding=mp_extract.ENCODING, newline=""
    ) as out:
        reader = csv.reader(inp, delimiter=";", quotechar='"')
        writer = csv.writer(out, **mp_extract.CSV_FORMAT)
        writer.writerow(next(reader))
        yield reader, writer


def write_benchmark_extract(path: Path, rows: int, period: str, seed: int = 1) -> int:
    """Write an acceptable MP extract of exactly `rows` records; returns how many rows got a fresh case number."""
    path = Path(path)
    generated = path.with_name(path.name + ".generated")
    write_large_mp_extract(generated, rows, period=period, seed=seed)
    seen: set[int] = set()
    rekeyed = 0
    year = period[:4]
    try:
        with rewrite_mp_csv(generated, path) as (reader, writer):
            for row in reader:
                if len(row) == len(mp_extract.COLUMNS):
                    keys = _victim_keys(row)
                    if any(k in seen for k in keys):
                        rekeyed += 1
                        row[_CASE] = f"{FRESH_CASE_NUMBER + rekeyed}/{year}"
                        keys = _victim_keys(row)
                    seen.update(keys)
                writer.writerow(row)
    finally:
        generated.unlink(missing_ok=True)
    return rekeyed
