"""How one record writes a person's name: what is kept, dropped, misspelt.

The same person must look different across institutions and months (a second given name
dropped, a maternal surname missing, accents lost, a slip of the keyboard) so that record
linkage is tested on realistic variation rather than on exact copies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from etl.synthetic.population import Person
from etl.synthetic.spelling import strip_accents, typo


@dataclass(slots=True)
class WrittenName:
    given: tuple[str, ...]
    surnames: tuple[str, ...]

    @property
    def given_text(self) -> str:
        return " ".join(self.given)

    @property
    def surname_text(self) -> str:
        return " ".join(self.surnames)

    @property
    def full(self) -> str:
        return f"{self.given_text} {self.surname_text}"

    def initials(self) -> str:
        letters = [strip_accents(word[0]).upper() for word in (*self.given, *self.surnames)]
        return "".join(f"{letter}." for letter in letters)


def write_name(
    person: Person,
    rng: random.Random,
    *,
    accent_share: float,
    drop_second_given: float = 0.15,
    drop_maternal: float = 0.08,
    typo_share: float = 0.04,
) -> WrittenName:
    given = list(person.given_names)
    surnames = list(person.surnames)
    if len(given) > 1 and rng.random() < drop_second_given:
        given = given[:1]
    if len(surnames) > 1 and rng.random() < drop_maternal:
        surnames = surnames[:1]
    if rng.random() >= accent_share:
        given = [strip_accents(w, keep_enye=rng.random() < 0.5) for w in given]
        surnames = [strip_accents(w, keep_enye=rng.random() < 0.5) for w in surnames]
    if rng.random() < typo_share:
        words = given + surnames
        index = rng.randrange(len(words))
        words[index] = typo(words[index], rng)
        given, surnames = words[: len(given)], words[len(given) :]
    return WrittenName(tuple(given), tuple(surnames))
