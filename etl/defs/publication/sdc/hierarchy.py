"""Attribute hierarchies: which attributes derive from which, and how tables coarsen.

Two hierarchies matter for disclosure control:

* time: ``period`` ("YYYY-MM") or ``month`` (1..12 within ``year``) -> ``year`` -> all years;
* geography: ``department_code`` (INE "00".."17") -> ``region_code`` -> national (no attribute).

Paraguay's two natural regions split the country along the Paraguay river: the Región
Oriental holds Asunción and the departments 01-14, the Región Occidental (the Chaco) holds
Presidente Hayes (15), Boquerón (16) and Alto Paraguay (17). The Chaco is where counts are
smallest (under 4% of the population in the 2022 census), so it is the first place where
department tables need folding into a region.

A *derived* attribute is a function of a *parent* attribute (region of a department, year of
a period). When both appear in one publication the attacker knows the function, so the
cell space must not contain impossible combinations such as (department 00, Chaco): the
audit builds cells from the parent only and attaches the derived value.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

# Attributes that are time and never carry a "disclosive zero" (a month without victims is
# not a fact about a person) and that coarsen towards the year.
TIME_ATTRIBUTES: frozenset[str] = frozenset({"year", "month", "period"})

REGION_ORIENTAL = "ORIENTAL"
REGION_OCCIDENTAL = "OCCIDENTAL"

REGION_LABELS_ES: Mapping[str, str] = MappingProxyType(
    {
        REGION_ORIENTAL: "Región Oriental",
        REGION_OCCIDENTAL: "Región Occidental (Chaco)",
    }
)

REGION_OF_DEPARTMENT: Mapping[str, str] = MappingProxyType(
    {
        **{f"{code:02d}": REGION_ORIENTAL for code in range(0, 15)},
        "15": REGION_OCCIDENTAL,  # Presidente Hayes
        "16": REGION_OCCIDENTAL,  # Boquerón
        "17": REGION_OCCIDENTAL,  # Alto Paraguay
    }
)


def region_of_department(department_code: Hashable) -> str:
    try:
        return REGION_OF_DEPARTMENT[str(department_code)]
    except KeyError:
        # The code itself is not personal data, but keep messages value-free by rule.
        raise ValueError("department_code outside the 18 INE codes: cannot derive region_code") from None


def year_of_period(period: Hashable) -> int:
    text = str(period)
    if len(text) != 7 or text[4] != "-" or not text[:4].isdigit():
        raise ValueError("period is not written YYYY-MM: cannot derive year")
    return int(text[:4])


@dataclass(frozen=True, slots=True)
class Derivation:
    parent: str
    derive: Callable[[Hashable], Hashable]


DERIVATIONS: Mapping[str, Derivation] = MappingProxyType(
    {
        "region_code": Derivation("department_code", region_of_department),
        "year": Derivation("period", year_of_period),
    }
)


@dataclass(frozen=True, slots=True)
class CoarseningStep:
    """Replace ``attribute`` by ``replacement`` (None: drop it, i.e. go national / all)."""

    attribute: str
    replacement: str | None
    label: str


# Tried in this order on a mostly-withheld table: time first (a year of counts is the
# coarsening that loses least for policy), then geography one level at a time.
COARSENING_HIERARCHY: tuple[CoarseningStep, ...] = (
    CoarseningStep("period", "year", "anual"),
    CoarseningStep("month", "year", "anual"),
    CoarseningStep("department_code", "region_code", "regional"),
    CoarseningStep("region_code", None, "nacional"),
)
