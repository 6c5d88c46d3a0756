"""Numbers written the Paraguayan way: 1.234 and 12,5 %."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def number_es(value: float | int | Decimal, decimals: int = 0) -> str:
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent_es(share: float | Decimal, decimals: int = 1) -> str:
    return f"{number_es(float(share) * 100, decimals)} %"


PLAIN_COLUMNS = frozenset({"anio"})  # years are labels, not quantities: 2025, never 2.025


def cell_es(value: Any, column: str = "", *, percent: bool = False) -> str:
    """A table cell: text as it is, numbers in Spanish notation, NULL as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, int):
        return str(value) if column in PLAIN_COLUMNS else number_es(value)
    if isinstance(value, (float, Decimal)):
        return percent_es(value) if percent else number_es(value, 2)
    return str(value)
