"""Plain parsers for the four extract formats, written with standard tools only.

They follow the contract's wording (not the generator's code) so the tests check that a reader
written from the contract can read what the generator wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl


def read_mp(path: Path) -> tuple[list[str], list[list[str]], int | None]:
    """(header, data rows, TOTAL footer value or None); fails on anything after the footer."""
    text = path.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
    header, body = rows[0], rows[1:]
    while body and body[-1] == []:
        body.pop()
    total = None
    if body and body[-1] and body[-1][0] == "TOTAL":
        total = int(body[-1][1])
        body.pop()
    if any(row == [] for row in body):
        raise AssertionError("blank line among MP data rows")
    return header, body, total


def read_pn(path: Path) -> tuple[list[Any], list[list[Any]], int]:
    """(header, data rows without blank rows, number of rows above the header)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Denuncias"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "N° Denuncia")
    header = rows[header_index]
    data = [row for row in rows[header_index + 1 :] if any(cell is not None for cell in row)]
    return header, data, header_index


def read_minna(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def read_minmujer(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def parse_dmy(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def pn_date(cell: Any) -> dt.date:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    return parse_dmy(cell)


def in_month(day: dt.date, period: str) -> bool:
    return day.strftime("%Y-%m") == period
