"""A corrected MP file for a month already loaded: rows removed, rows changed, same format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

REMOVED_ROWS = (3, 10, 20)  # 1-based record ordinals in the original file
# (record ordinal, column, new value): a later procedural stage and a different recruitment channel
CHANGES = ((1, "ETAPA_PROCESAL", "IMPUTACION"), (5, "ETAPA_PROCESAL", "ACUSACION"), (7, "MEDIO_CAPTACION", "FACEBOOK"))


def corrected_mp_extract(original: Path, target: Path) -> Path:
    """Write the agency's corrected file (cp1252, `;`, CRLF, `TOTAL` footer kept in step)."""
    text = original.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], [r for r in rows[1:] if r and r[0] != "TOTAL"]
    columns = {name: i for i, name in enumerate(header)}
    for ordinal, column, value in CHANGES:
        body[ordinal - 1][columns[column]] = value
    kept = [r for i, r in enumerate(body, start=1) if i not in REMOVED_ROWS]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(kept)
    out.write(f"TOTAL;{len(kept)}\r\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(out.getvalue().encode("cp1252"))
    return target
