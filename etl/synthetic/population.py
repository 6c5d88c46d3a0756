"""The simulated population: victims, their cases, and which institution records them when.

Truth first, records second. Each month new cases arise (one or several victims each) with a
latent exploitation form, ICT stage and platform. Institutions then capture cases with
probabilities that depend on each other (PN refers to MP, MINNA and MP refer children to each
other, MINMUJER receives referrals from MP/PN) and on a latent per-case visibility, so capture
histories overlap realistically and some persons are recorded by nobody. A capture becomes an
`Encounter`: one future row in one institution's monthly file.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from etl.synthetic import names, platforms
from etl.synthetic.months import add_months, age_on, first_day, month_index, random_day
from etl.synthetic.places import Place, draw_place
from etl.synthetic.spelling import strip_accents
from etl.synthetic.weighted import Weighted, between, pick

INSTITUTION_ORDER: tuple[str, ...] = ("MP", "PN", "MINNA", "MINMUJER")

# Average new cases per month at scale 1 (about 1.25 victims each: ~420 persons a year).
CASES_PER_MONTH = 28.0

MINOR_FORMS = Weighted(
    (
        ("CHILD_SEXUAL_EXPLOITATION", 0.40),
        ("GROOMING", 0.10),
        ("SEXTORTION", 0.10),
        ("ONLINE_SEXUAL_EXPLOITATION", 0.08),
        ("CHILD_LABOUR", 0.12),
        ("CRIADAZGO", 0.17),
        ("FORCED_MARRIAGE", 0.03),
    )
)
ADULT_FORMS = Weighted(
    (
        ("SEXUAL_EXPLOITATION", 0.62),
        ("SEXTORTION", 0.04),
        ("FORCED_LABOUR", 0.22),
        ("DOMESTIC_SERVITUDE", 0.09),
        ("FORCED_MARRIAGE", 0.03),
    )
)
# P(ICT stage | form): online forms are ICT by definition, the rest partly.
ICT_STAGE_BY_FORM: dict[str, Weighted[str]] = {
    "GROOMING": Weighted((("RECRUITMENT", 0.6), ("BOTH", 0.4))),
    "SEXTORTION": Weighted((("EXPLOITATION", 0.4), ("BOTH", 0.6))),
    "ONLINE_SEXUAL_EXPLOITATION": Weighted((("EXPLOITATION", 0.5), ("BOTH", 0.5))),
    "CHILD_SEXUAL_EXPLOITATION": Weighted(
        (("NONE", 0.45), ("RECRUITMENT", 0.35), ("BOTH", 0.1), ("EXPLOITATION", 0.1))
    ),
    "SEXUAL_EXPLOITATION": Weighted((("NONE", 0.4), ("RECRUITMENT", 0.4), ("BOTH", 0.12), ("EXPLOITATION", 0.08))),
    "FORCED_LABOUR": Weighted((("NONE", 0.6), ("RECRUITMENT", 0.4))),
    "CHILD_LABOUR": Weighted((("NONE", 0.75), ("RECRUITMENT", 0.25))),
    "DOMESTIC_SERVITUDE": Weighted((("NONE", 0.75), ("RECRUITMENT", 0.25))),
    "CRIADAZGO": Weighted((("NONE", 0.85), ("RECRUITMENT", 0.15))),
    "FORCED_MARRIAGE": Weighted((("NONE", 0.7), ("RECRUITMENT", 0.3))),
}
SEXUAL_FORMS = frozenset(
    {"CHILD_SEXUAL_EXPLOITATION", "SEXUAL_EXPLOITATION", "GROOMING", "SEXTORTION", "ONLINE_SEXUAL_EXPLOITATION"}
)
LABOUR_FORMS = frozenset({"FORCED_LABOUR", "CHILD_LABOUR"})
SERVITUDE_FORMS = frozenset({"DOMESTIC_SERVITUDE", "CRIADAZGO"})

DESTINATIONS_ADULT_SEXUAL = Weighted(
    (("PRY", 0.70), ("ARG", 0.12), ("ESP", 0.10), ("BRA", 0.04), ("ITA", 0.02), ("CHL", 0.02))
)
DESTINATIONS_ADULT_LABOUR = Weighted((("PRY", 0.65), ("ARG", 0.20), ("BRA", 0.10), ("ESP", 0.05)))
DESTINATIONS_MINOR = Weighted((("PRY", 0.90), ("ARG", 0.05), ("BRA", 0.05)))
NATIONALITIES = Weighted((("PRY", 0.92), ("BRA", 0.03), ("ARG", 0.03), ("BOL", 0.02)))

_MINOR_AGES = Weighted(zip(range(8, 18), (1, 1, 2, 3, 5, 8, 11, 13, 14, 13), strict=False))
_VICTIMS_PER_CASE = Weighted(((1, 80), (2, 13), (3, 5), (4, 2)))

MOBILE_PREFIXES = (
    "981",
    "982",
    "983",
    "984",
    "985",
    "986",
    "971",
    "972",
    "973",
    "974",
    "975",
    "976",
    "991",
    "992",
    "993",
    "994",
    "995",
    "961",
    "962",
    "963",
)


@dataclass(slots=True)
class Person:
    person_id: str
    first_period: str
    sex: str  # F, M, X
    birth_date: dt.date
    given_names: tuple[str, ...]
    surnames: tuple[str, ...]
    nationality: str  # ISO alpha-3
    ci_number: int | None  # Paraguayan cédula
    foreign_document: tuple[str, str] | None  # ("DNI" | "PASAPORTE", number)
    birth_certificate: str | None
    phone: str | None  # nine national digits, e.g. "981123456"
    handle: str | None  # social-media user name, without "@"
    department_code: str = ""
    ict_stage: str = "NONE"

    @property
    def is_ict(self) -> bool:
        return self.ict_stage != "NONE"


@dataclass(slots=True)
class Case:
    case_index: int
    first_period: str
    place: Place
    facts_date: dt.date
    form: str  # codelists `exploitation` code
    ict_stage: str  # RECRUITMENT, EXPLOITATION, BOTH, NONE
    recruitment_platform: str | None
    exploitation_platform: str | None
    offline_method: str | None  # codelists `recruitment_method`, when recruitment was not online
    destination: str  # ISO alpha-3
    minor_case: bool
    # Uniform numbers drawn once per case: what an agency decides once for a case (the
    # prosecutor, the police unit) stays the same in every month's file without seeding a
    # generator per case, which a million-row file could not afford.
    fixed_draws: tuple[float, ...] = ()
    victims: list[Person] = field(default_factory=list)

    def replay(self, offset: int) -> Replay:
        return Replay(self.fixed_draws, offset)

    @property
    def ict_recruitment(self) -> bool:
        return self.ict_stage in ("RECRUITMENT", "BOTH")

    @property
    def ict_exploitation(self) -> bool:
        return self.ict_stage in ("EXPLOITATION", "BOTH")


FIXED_DRAWS_PER_CASE = 10


class Replay:
    """Serves a case's fixed draws through `random()`, the only method the draw helpers use."""

    __slots__ = ("_draws", "_next")

    def __init__(self, draws: tuple[float, ...], offset: int) -> None:
        self._draws = draws
        self._next = offset

    def random(self) -> float:
        value = self._draws[self._next % len(self._draws)]
        self._next += 1
        return value


@dataclass(slots=True)
class Encounter:
    """One victim as one institution records it in one month: a future row of that file."""

    institution: str
    period: str
    registration_date: dt.date
    case: Case
    person: Person
    episode: int  # 0 = first record of this person here, 1+ = a later stage or new complaint
    group_key: tuple[int, int]  # victims sharing it share the agency's key (MP case, PN complaint)
    mp_stage_step: int = 0  # how far an MP case has advanced at a recurrence


@dataclass(slots=True)
class Population:
    periods: list[str]
    persons: list[Person]
    cases: list[Case]
    encounters: list[Encounter]

    def captured_by(self) -> dict[str, list[str]]:
        seen: dict[str, list[str]] = {p.person_id: [] for p in self.persons}
        for encounter in self.encounters:
            institutions = seen[encounter.person.person_id]
            if encounter.institution not in institutions:
                institutions.append(encounter.institution)
        return {pid: [i for i in INSTITUTION_ORDER if i in insts] for pid, insts in seen.items()}


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 60:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _capture_probability(base: float, visibility: float) -> float:
    # Visibility > 1 makes a case easier to capture everywhere: heterogeneity MSE must handle.
    return 1.0 - (1.0 - base) ** visibility


def _draw(rng: random.Random, table: Weighted[str]) -> str:
    return table.draw(rng)


class PersonFactory:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._count = 0

    def new(self, period: str, minor: bool, sex: str, surnames: tuple[str, ...] | None = None) -> Person:
        rng = self._rng
        self._count += 1
        age = _MINOR_AGES.draw(rng) if minor else min(64, 18 + int(rng.expovariate(1 / 11)))
        start = first_day(period)
        birth_date = dt.date(start.year - age - 1, start.month, 1) + dt.timedelta(days=between(rng, 1, 364))
        nationality = _draw(rng, NATIONALITIES)
        ci_number = foreign_document = birth_certificate = None
        if nationality == "PRY":
            has_ci = rng.random() < (0.92 if not minor else 0.6 if age >= 14 else 0.35)
            if has_ci:
                estimate = 1_000_000 + (birth_date.year - 1960) * 130_000 + between(rng, -400_000, 400_000)
                ci_number = min(7_999_999, max(1_000_000, estimate))
            if minor and rng.random() < 0.8:
                birth_certificate = str(between(rng, 100_000, 999_999))
        elif rng.random() < 0.75:
            if rng.random() < 0.2:
                letters = "".join(pick(rng, "ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
                foreign_document = ("PASAPORTE", f"{letters}{between(rng, 100_000, 999_999)}")
            elif nationality == "ARG":
                foreign_document = ("DNI", str(between(rng, 38_000_000, 52_000_000)))
            elif nationality == "BRA":
                foreign_document = ("DNI", str(between(rng, 100_000_000, 999_999_999)))
            else:
                foreign_document = ("DNI", str(between(rng, 3_000_000, 14_000_000)))
        phone = None
        if rng.random() < (0.45 if minor else 0.65):
            phone = pick(rng, MOBILE_PREFIXES) + f"{between(rng, 0, 999_999):06d}"
        given = names.draw_given_names(rng, sex)
        family = surnames if surnames is not None else names.draw_surnames(rng)
        handle = None
        if rng.random() < 0.25:
            base = strip_accents(given[0]).lower()
            style = rng.random()
            if style < 0.5:
                handle = f"{base}_{between(rng, 10, 99)}"
            elif style < 0.8:
                handle = f"{base}.{strip_accents(family[0]).lower()}"
            else:
                handle = f"{base}{birth_date.year % 100:02d}"
        return Person(
            person_id=f"P{self._count:05d}",
            first_period=period,
            sex=sex,
            birth_date=birth_date,
            given_names=given,
            surnames=family,
            nationality=nationality,
            ci_number=ci_number,
            foreign_document=foreign_document,
            birth_certificate=birth_certificate,
            phone=phone,
            handle=handle,
        )


def _draw_sex(rng: random.Random, form: str) -> str:
    if rng.random() < 0.005:
        return "X"
    female_share = (
        0.88 if form in SEXUAL_FORMS else 0.45 if form in LABOUR_FORMS else 0.97 if form == "FORCED_MARRIAGE" else 0.75
    )
    return "F" if rng.random() < female_share else "M"


def new_case(rng: random.Random, factory: PersonFactory, period: str, index: int) -> Case:
    minor = rng.random() < 0.5
    form = _draw(rng, MINOR_FORMS if minor else ADULT_FORMS)
    ict_stage = _draw(rng, ICT_STAGE_BY_FORM[form])
    recruitment_platform = exploitation_platform = offline_method = None
    if ict_stage in ("RECRUITMENT", "BOTH"):
        table = platforms.RECRUITMENT_PLATFORMS_MINOR if minor else platforms.RECRUITMENT_PLATFORMS_ADULT
        recruitment_platform = _draw(rng, table)
    else:
        offline_method = _draw(rng, platforms.OFFLINE_METHODS)
    if ict_stage in ("EXPLOITATION", "BOTH"):
        if recruitment_platform in ("WHATSAPP", "INSTAGRAM", "TELEGRAM") and rng.random() < 0.5:
            exploitation_platform = recruitment_platform
        else:
            exploitation_platform = _draw(rng, platforms.EXPLOITATION_PLATFORMS)
    if minor:
        destination = _draw(rng, DESTINATIONS_MINOR)
    elif form in SEXUAL_FORMS:
        destination = _draw(rng, DESTINATIONS_ADULT_SEXUAL)
    else:
        destination = _draw(rng, DESTINATIONS_ADULT_LABOUR)
    start = first_day(period)
    years_back = rng.random() < 0.1
    facts_date = start - dt.timedelta(days=between(rng, 400, 1500) if years_back else between(rng, 0, 400))
    case = Case(
        case_index=index,
        first_period=period,
        place=draw_place(rng),
        facts_date=facts_date,
        form=form,
        ict_stage=ict_stage,
        recruitment_platform=recruitment_platform,
        exploitation_platform=exploitation_platform,
        offline_method=offline_method,
        destination=destination,
        minor_case=minor,
        fixed_draws=tuple(rng.random() for _ in range(FIXED_DRAWS_PER_CASE)),
    )
    victims = _VICTIMS_PER_CASE.draw(rng)
    for number in range(victims):
        siblings = number > 0 and rng.random() < 0.3
        surnames = case.victims[0].surnames if siblings else None
        person = factory.new(period, minor, _draw_sex(rng, form), surnames)
        person.department_code = case.place.ine_dep_code
        person.ict_stage = ict_stage
        case.victims.append(person)
    return case


def _lag(rng: random.Random, weights: tuple[float, ...]) -> int:
    return rng.choices(range(len(weights)), weights=weights, k=1)[0]


def _child_at(person: Person, day: dt.date) -> bool:
    return age_on(person.birth_date, day) < 18


def _adult_woman_at(person: Person, day: dt.date) -> bool:
    return person.sex == "F" and age_on(person.birth_date, day) >= 18


class _Capture:
    """Decides, case by case, who records whom and when."""

    def __init__(self, rng: random.Random, periods: list[str]) -> None:
        self._rng = rng
        self._window = set(periods)
        self.encounters: list[Encounter] = []
        self._pn_complaints = 0

    def _in_window(self, period: str) -> bool:
        return period in self._window

    def _next_complaint(self) -> int:
        self._pn_complaints += 1
        return self._pn_complaints

    def case(self, case: Case) -> None:
        rng = self._rng
        visibility = math.exp(rng.gauss(0.0, 0.5))
        period = case.first_period
        pn_period = mp_period = None
        pn_date = mp_date = None
        if rng.random() < _capture_probability(0.45, visibility):
            pn_period = add_months(period, _lag(rng, (0.85, 0.15)))
            if self._in_window(pn_period):
                pn_date = random_day(rng, pn_period)
                group = (case.case_index, self._next_complaint())
                for person in case.victims:
                    self.encounters.append(Encounter("PN", pn_period, pn_date, case, person, 0, group))
        mp_base = 0.8 if pn_period is not None else 0.35
        if rng.random() < _capture_probability(mp_base, visibility):
            origin = pn_period or period
            mp_period = add_months(origin, _lag(rng, (0.65, 0.35) if pn_period else (0.8, 0.2)))
            if self._in_window(mp_period):
                mp_date = random_day(rng, mp_period, not_before=pn_date)
                for person in case.victims:
                    self.encounters.append(Encounter("MP", mp_period, mp_date, case, person, 0, (case.case_index, 0)))
                self._mp_recurrence(case, mp_period)
        for person in case.victims:
            self._person_level(case, person, visibility, pn_date, mp_date, mp_period is not None)
            self._pn_new_complaint(case, person, pn_period)

    def _mp_recurrence(self, case: Case, period: str) -> None:
        rng = self._rng
        step = 0
        while rng.random() < (0.18 if step == 0 else 0.3):
            step += 1
            period = add_months(period, between(rng, 1, 8))
            if not self._in_window(period):
                return
            day = random_day(rng, period)
            for person in case.victims:
                self.encounters.append(Encounter("MP", period, day, case, person, step, (case.case_index, 0), step))

    def _pn_new_complaint(self, case: Case, person: Person, pn_period: str | None) -> None:
        rng = self._rng
        if pn_period is None or rng.random() >= 0.05:
            return
        period = add_months(pn_period, between(rng, 1, 6))
        if self._in_window(period):
            group = (case.case_index, self._next_complaint())
            self.encounters.append(Encounter("PN", period, random_day(rng, period), case, person, 1, group))

    def _person_level(
        self,
        case: Case,
        person: Person,
        visibility: float,
        pn_date: dt.date | None,
        mp_date: dt.date | None,
        mp_captured: bool,
    ) -> None:
        rng = self._rng
        own_visibility = visibility * math.exp(rng.gauss(0.0, 0.3))
        start = first_day(case.first_period)
        if _child_at(person, start):
            if rng.random() < _capture_probability(0.82 if mp_captured else 0.62, own_visibility):
                period = add_months(case.first_period, _lag(rng, (0.75, 0.25)))
                self._minna(case, person, period, episode=0)
        elif _adult_woman_at(person, start):
            referred = mp_captured or pn_date is not None
            if rng.random() < _capture_probability(0.6 if referred else 0.22, own_visibility):
                period = add_months(case.first_period, _lag(rng, (0.5, 0.35, 0.15)))
                if self._in_window(period):
                    day = random_day(rng, period)
                    self.encounters.append(Encounter("MINMUJER", period, day, case, person, 0, (case.case_index, 0)))

    def _minna(self, case: Case, person: Person, period: str, episode: int) -> None:
        rng = self._rng
        if not self._in_window(period):
            return
        day = random_day(rng, period)
        if not _child_at(person, day):  # MINNA only takes in children: a new adult is not its case
            return
        self.encounters.append(Encounter("MINNA", period, day, case, person, episode, (case.case_index, 0)))
        if episode == 0 and rng.random() < 0.06:  # re-entry to the protection system
            self._minna(case, person, add_months(period, between(rng, 2, 10)), episode=1)


def simulate(periods: list[str], seed: int, scale: float) -> Population:
    """Simulate the whole population of the window, captured or not, for `seed` and `scale`."""
    if scale <= 0:
        raise ValueError("la escala debe ser positiva")
    rng = random.Random(f"observatorio-synthetic:{seed}:population")
    factory = PersonFactory(rng)
    capture = _Capture(rng, periods)
    cases: list[Case] = []
    for period in periods:
        for _ in range(_poisson(rng, CASES_PER_MONTH * scale)):
            case = new_case(rng, factory, period, len(cases))
            cases.append(case)
            capture.case(case)
    encounters = _drop_zero_months(rng, periods, capture.encounters)
    encounters.sort(key=lambda e: (month_index(e.period), INSTITUTION_ORDER.index(e.institution), e.registration_date))
    persons = [person for case in cases for person in case.victims]
    return Population(periods=periods, persons=persons, cases=cases, encounters=encounters)


# Small institutions occasionally report a month with no cases (staff leave, system migration).
_ZERO_MONTH_RATE = {"MINNA": 0.02, "MINMUJER": 0.05}


def _drop_zero_months(rng: random.Random, periods: list[str], encounters: list[Encounter]) -> list[Encounter]:
    empty = {
        (institution, period)
        for period in periods
        for institution, rate in _ZERO_MONTH_RATE.items()
        if rng.random() < rate
    }
    return [e for e in encounters if (e.institution, e.period) not in empty]
