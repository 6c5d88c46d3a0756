"""Months and dates of the simulated extracts.

Every extract covers one calendar month (`YYYY-MM`); registration dates are drawn inside it.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import random
import re
from functools import lru_cache

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@lru_cache(maxsize=4096)
def parse_period(period: str) -> tuple[int, int]:
    match = _PERIOD.match(period)
    if match is None:
        raise ValueError("periodo inválido: se espera el formato AAAA-MM")
    return int(match.group(1)), int(match.group(2))


def add_months(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def period_sequence(start_period: str, months: int) -> list[str]:
    if months < 1:
        raise ValueError("la cantidad de meses debe ser al menos 1")
    return [add_months(start_period, i) for i in range(months)]


def month_index(period: str) -> int:
    year, month = parse_period(period)
    return year * 12 + month - 1


def first_day(period: str) -> dt.date:
    year, month = parse_period(period)
    return dt.date(year, month, 1)


def days_in_month(period: str) -> int:
    year, month = parse_period(period)
    return _calendar.monthrange(year, month)[1]


def last_day(period: str) -> dt.date:
    year, month = parse_period(period)
    return dt.date(year, month, days_in_month(period))


def random_day(rng: random.Random, period: str, not_before: dt.date | None = None) -> dt.date:
    """A day inside `period`, optionally no earlier than `not_before` (clamped to the month)."""
    start, end = _bounds(period)
    if not_before is not None and start <= not_before <= end:
        start = not_before
    return start + dt.timedelta(days=int(rng.random() * ((end - start).days + 1)))


@lru_cache(maxsize=4096)
def _bounds(period: str) -> tuple[dt.date, dt.date]:
    return first_day(period), last_day(period)


def day_month_year(day: dt.date) -> str:
    """`dd/mm/yyyy`, the date format of MP and PN (faster than strftime in large files)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def age_on(birth_date: dt.date, day: dt.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
