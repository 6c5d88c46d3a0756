"""Places as each agency writes them.

The simulation picks a census district (the truth); each agency then writes the department and
the district its own way: MP in upper case without accents (`CAPITAL` for Asunción), PN in mixed
case with or without accents, MINNA as INE codes, MINMUJER in any spelling. Districts appear in
their common written forms (`Mariscal Estigarribia` for census `MCAL. ESTIGARRIBIA`,
`San Pedro del Ycuamandiyú` for census `SAN PEDRO`), which is what readers must map back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

from etl.synthetic import reference
from etl.synthetic.spelling import strip_accents, title_es
from etl.synthetic.weighted import Weighted, pick

# Accented forms of words that occur in district names, applied after title-casing.
_ACCENTED_WORDS: dict[str, str] = {
    "Asuncion": "Asunción",
    "Concepcion": "Concepción",
    "Capiata": "Capiatá",
    "Lambare": "Lambaré",
    "Itaugua": "Itauguá",
    "Aregua": "Areguá",
    "Ita": "Itá",
    "Ypacarai": "Ypacaraí",
    "Ypane": "Ypané",
    "Guarambare": "Guarambaré",
    "Encarnacion": "Encarnación",
    "Caaguazu": "Caaguazú",
    "Guazu": "Guazú",
    "Guaira": "Guairá",
    "Paraguari": "Paraguarí",
    "Caacupe": "Caacupé",
    "Tobati": "Tobatí",
    "Ybycui": "Ybycuí",
    "Yau": "Yaú",
    "Capitan": "Capitán",
    "Bahia": "Bahía",
    "Liberacion": "Liberación",
    "Union": "Unión",
    "Jose": "José",
    "Felix": "Félix",
    "Lopez": "López",
    "Resquin": "Resquín",
    "Atyra": "Atyrá",
    "Martinez": "Martínez",
    "Perez": "Pérez",
    "Numi": "Ñumí",
    "Simon": "Simón",
    "Bolivar": "Bolívar",
    "Joaquin": "Joaquín",
    "Moises": "Moisés",
    "Morinigo": "Morínigo",
    "Tavai": "Tavaí",
    "Pirapo": "Pirapó",
    "Jesus": "Jesús",
    "Tomas": "Tomás",
    "Otano": "Otaño",
    "Humaita": "Humaitá",
    "Cua": "Cuá",
    "Umbu": "Umbú",
    "Villalbin": "Villalbín",
    "Cora": "Corá",
    "Katuete": "Katueté",
    "Maracana": "Maracaná",
    "Ypehu": "Ypehú",
    "Cany": "Cañy",
    "Falcon": "Falcón",
    "Boqueron": "Boquerón",
    "Lazaro": "Lázaro",
    "Chore": "Choré",
    "Yrybucua": "Yrybucuá",
    "Pucu": "Pucú",
    "Iruna": "Iruña",
    "Leon": "León",
    "Pena": "Peña",
    "Raul": "Raúl",
    "Nacunday": "Ñacunday",
    "Yguazu": "Yguazú",
    "Cristobal": "Cristóbal",
    "Parana": "Paraná",
    "Saldivar": "Saldívar",
    "Caazapa": "Caazapá",
    "Abai": "Abaí",
    "Itape": "Itapé",
    "Yobai": "Yobái",
    "Quiindy": "Quiíndy",
    "Caapucu": "Caapucú",
    "Carapegua": "Carapeguá",
    "Pirayu": "Pirayú",
    "Mallorquin": "Mallorquín",
    "Mbaracayu": "Mbaracayú",
    "Alvarez": "Álvarez",
    "Cambyreta": "Cambyretá",
    "Diaz": "Díaz",
    "Ybytimi": "Ybytymí",
    "Itanara": "Itanará",
    "Aguaray": "Aguaray",
    "Baez": "Báez",
    "Ramon": "Ramón",
    "Ñeembucu": "Ñeembucú",
    "Belen": "Belén",
    "Vaqueria": "Vaquería",
    "Damian": "Damián",
    "Maria": "María",
    "Yaguaron": "Yaguarón",
    "Itacua": "Itacuá",
}

# Census abbreviations and how they are spelt out when typed.
_ABBREVIATIONS: dict[str, str] = {
    "Mcal.": "Mariscal",
    "Gral.": "General",
    "Cptan.": "Capitán",
    "Sta.": "Santa",
    "Tte.": "Teniente",
    "Pto.": "Puerto",
}

# Districts whose everyday name differs from the census label beyond accents and abbreviations.
_COMMON_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    ("02", "SAN PEDRO"): ("San Pedro del Ycuamandiyú", "San Pedro del Ycuamandyyú", "San Pedro"),
    ("16", "MCAL. ESTIGARRIBIA"): ("Mariscal Estigarribia", "Mcal. Estigarribia"),
    ("11", "J. AUGUSTO SALDIVAR"): ("J. Augusto Saldívar", "Julián Augusto Saldívar"),
    ("11", "MARIANO ROQUE ALONSO"): ("Mariano Roque Alonso", "Mariano R. Alonso"),
    ("10", "PRESIDENTE FRANCO"): ("Presidente Franco", "Pdte. Franco"),
    ("10", "CIUDAD DEL ESTE"): ("Ciudad del Este", "CDE"),
    ("05", "CORONEL OVIEDO"): ("Coronel Oviedo", "Cnel. Oviedo"),
    ("11", "FERNANDO DE LA MORA"): ("Fernando de la Mora", "Fdo. de la Mora"),
    ("13", "KARAPA'I"): ("Karapa'i", "Karapai"),
    ("05", "R. I. 3 CORRALES"): ("R.I. 3 Corrales", "Tres Corrales"),
    ("10", "DR.RAUL PENA"): ("Dr. Raúl Peña", "Doctor Raúl Peña"),
    ("09", "GRAL.BERNARDINO CABALLERO"): ("General Bernardino Caballero", "Gral. Bernardino Caballero"),
    ("10", "JUAN E. O'LEARY"): ("Juan E. O'Leary", "Juan Emiliano O'Leary"),
}

# Where trafficking cases concentrate beyond population (border and transit departments).
_DEPARTMENT_WEIGHT: dict[str, float] = {"00": 1.4, "10": 1.6, "13": 1.8, "14": 1.5, "07": 1.2, "16": 1.3}


@dataclass(frozen=True, slots=True)
class Place:
    ine_dep_code: str
    census_district: str
    common_names: tuple[str, ...]  # mixed case, accented; first is the usual one

    @property
    def usual_name(self) -> str:
        return self.common_names[0]


def _display_name(census_name: str) -> str:
    words = title_es(census_name).split(" ")
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    words = [_ACCENTED_WORDS.get(w, w) for w in words]
    return " ".join(words)


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    out = []
    for district in reference.districts():
        key = (district.ine_dep_code, district.census_name)
        names = _COMMON_NAMES.get(key) or (_display_name(district.census_name),)
        out.append(Place(district.ine_dep_code, district.census_name, names))
    return tuple(out)


@lru_cache(maxsize=1)
def _place_table() -> Weighted[Place]:
    return Weighted(
        (place, district.population * _DEPARTMENT_WEIGHT.get(district.ine_dep_code, 1.0))
        for place, district in zip(places(), reference.districts(), strict=False)
    )


def draw_place(rng: random.Random) -> Place:
    return _place_table().draw(rng)


def _some_name(place: Place, rng: random.Random) -> str:
    # The usual name most of the time; abbreviations and long forms now and then.
    if len(place.common_names) == 1 or rng.random() < 0.75:
        return place.common_names[0]
    return pick(rng, place.common_names[1:])


def typed_district(place: Place, rng: random.Random) -> str:
    """A mixed-case district as typed in PN and MINNA."""
    name = _some_name(place, rng)
    roll = rng.random()
    if roll < 0.12:
        return strip_accents(name, keep_enye=True)
    if roll < 0.16:
        return name.upper()
    return name


def mp_district(place: Place, rng: random.Random) -> str:
    """MP's upper-case district: mostly without accents, sometimes the census label itself."""
    roll = rng.random()
    if roll < 0.25:
        return place.census_district
    name = _some_name(place, rng).upper()
    if roll < 0.92:
        return strip_accents(name)
    return name


def department_name(ine_code: str) -> str:
    return reference.department_by_code()[ine_code].name


@lru_cache(maxsize=32)
def mp_department(ine_code: str) -> str:
    if ine_code == "00":
        return "CAPITAL"
    return strip_accents(department_name(ine_code)).upper()


def pn_department(ine_code: str, rng: random.Random) -> str:
    name = department_name(ine_code)
    if ine_code == "00":
        return pick(rng, ("Capital", "Asunción", "CAPITAL", "ASUNCIÓN"))
    roll = rng.random()
    if roll < 0.45:
        return name
    if roll < 0.75:
        return name.upper()
    if roll < 0.92:
        return strip_accents(name).upper()
    return strip_accents(name)


_MINMUJER_ALIASES: dict[str, tuple[str, ...]] = {
    "00": ("Asunción", "Asuncion", "Capital", "asuncion"),
    "15": ("Presidente Hayes", "Pdte. Hayes", "Pte. Hayes"),
    "12": ("Ñeembucú", "Neembucu", "ÑEEMBUCU"),
}


def minmujer_department(ine_code: str, rng: random.Random) -> str:
    if ine_code in _MINMUJER_ALIASES and rng.random() < 0.6:
        return pick(rng, _MINMUJER_ALIASES[ine_code])
    name = department_name(ine_code)
    roll = rng.random()
    if roll < 0.40:
        return name
    if roll < 0.60:
        return strip_accents(name)
    if roll < 0.80:
        return name.lower()
    if roll < 0.90:
        return strip_accents(name).upper()
    return strip_accents(name).lower()
