"""Linkage at scale: synthetic victims with deliberately few names, tokenized, linked, scored.

Not a test (pytest does not collect it): run
    .venv/bin/python tests/privacy/bench_linkage.py 1000000
to measure tokenization and linkage time, peak memory and precision/recall. The name lists
are small on purpose so that namesakes born the same year in the same department abound.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from etl.defs.intake.records import VictimRecord
from etl.defs.privacy.evaluation import Prediction, TruthRecord, evaluate
from etl.defs.privacy.keys import Keyring, decode_secret
from etl.defs.privacy.linkage import link_records
from etl.defs.privacy.tokens import TokenizedRecord, tokenize

SECRET = "YmVuY2htYXJrLXNlY3JldC1mb3ItbGlua2FnZS1vbmx5LW5vdC1wcm9k"  # 42 bytes, benchmark only
GIVEN_F = ("MARIA ANA ROCIO FATIMA BELEN JAZMIN SOFIA CAMILA VALERIA LOURDES LIZ NANCY MIRIAN GLADYS RAMONA "
           "CELESTE LETICIA NATALIA TAMARA NOELIA YANINA PERLA MILAGROS AYLEN DAHIANA ELENA GRACIELA CARMEN "
           "ROSA PAOLA MABEL NILDA SONIA JUANA LIDIA MARIELA ARACELI JOHANA ROMINA TATIANA").split()
GIVEN_M = ("JUAN JOSE CARLOS LUIS DERLIS FABIAN MATIAS VICTOR OSCAR RUBEN RAMON ARNALDO NELSON ALCIDES "
           "GUSTAVO MARCOS LUCAS HUGO RICHARD EDGAR ANIBAL BLAS CRISTIAN DIEGO FRANCISCO").split()
SURNAMES = ("GONZALEZ BENITEZ VILLALBA GIMENEZ ORTIZ DUARTE CACERES AYALA MARTINEZ LOPEZ RODRIGUEZ FERNANDEZ "
            "BAEZ CARDOZO ACOSTA ROMERO RAMIREZ VERA ESCOBAR FRANCO SANABRIA NUNEZ PAREDES ROJAS OJEDA MENDOZA "
            "RIOS CABRERA INSFRAN CHAMORRO ZARATE BRITEZ ESPINOLA GALEANO MORINIGO OVELAR CRISTALDO VILLASBOA "
            "RECALDE PERALTA ALVARENGA FLORENTIN AQUINO CANDIA MEZA SOSA ARANDA AMARILLA ARCE").split()
SURNAME_WEIGHTS = [1 / (i + 1) ** 0.6 for i in range(len(SURNAMES))]
DEPARTMENTS = [f"{i:02d}" for i in range(18)]
DEPT_WEIGHTS = [6, 2, 3, 3, 2, 4, 1, 5, 1, 2, 8, 20, 1, 2, 2, 1, 1, 0.3]
INSTITUTIONS = ("MP", "PN", "MINNA", "MINMUJER")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word))
    choice = rng.random()
    if choice < 0.4:
        return word[:i] + word[i + 1:]
    if choice < 0.7:
        return word[:i] + rng.choice("AEIOURSTLN") + word[i + 1:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1:]


def synthesize(n_records: int, seed: int = 7) -> tuple[list[VictimRecord], dict[tuple, str]]:
    rng = random.Random(seed)
    records: list[VictimRecord] = []
    truth: dict[tuple, str] = {}
    next_ci = 1_000_000
    person = 0
    while len(records) < n_records:
        person += 1
        sex = rng.choice("FFFM")
        given = [rng.choice(GIVEN_F if sex == "F" else GIVEN_M) for _ in range(rng.choice((1, 2, 2)))]
        surnames = rng.choices(SURNAMES, SURNAME_WEIGHTS, k=2)
        birth = dt.date(rng.randint(1965, 2012), rng.randint(1, 12), rng.randint(1, 28))
        dept = rng.choices(DEPARTMENTS, DEPT_WEIGHTS)[0]
        ci = str(next_ci + rng.randint(0, 50)) if rng.random() < 0.7 else None
        next_ci += 100
        phone = f"09{rng.choice('6789')}{rng.randint(1, 9)}{rng.randint(0, 999999):06d}" if rng.random() < 0.5 else None
        for _ in range(min(1 + int(rng.expovariate(0.7)), 6)):
            institution = rng.choice(INSTITUTIONS)
            month = rng.randint(1, 12)
            registered = dt.date(2025, month, rng.randint(1, 28))
            key = f"K{len(records)}"
            g = list(given) if rng.random() > 0.3 else given[:1]
            s = list(surnames) if rng.random() > 0.15 else surnames[:1]
            if rng.random() < 0.08:
                which = rng.randrange(2)
                if which == 0:
                    g[0] = _typo(g[0], rng)
                else:
                    s[0] = _typo(s[0], rng)
            age = registered.year - birth.year - ((registered.month, registered.day) < (birth.month, birth.day))
            initials_only = institution == "MINMUJER"
            record = VictimRecord(
                institution_code=institution, period=f"2025-{month:02d}", source_key=key, source_row=1,
                registration_date=registered,
                department_code=dept if rng.random() < 0.85 else rng.choice(DEPARTMENTS),
                sex_code=sex if rng.random() < 0.9 else "U",
                age_years=age,
                given_names=None if initials_only else " ".join(g),
                surnames=None if initials_only else " ".join(s),
                initials=".".join(w[0] for w in g + s) + "." if initials_only else None,
                document_type="CI" if ci and rng.random() < 0.6 else None,
                birth_date=birth if rng.random() < 0.4 else None,
                phone=phone if phone and rng.random() < 0.4 else None,
                nationality_code="PRY",
            )
            if record.document_type:
                record.document_number = ci
            records.append(record)
            truth[(institution, record.period, key, 1)] = f"P{person}"
    return records[:n_records], truth


def _tokenize_chunk(chunk: list[VictimRecord]) -> list[TokenizedRecord]:
    keyring = Keyring.from_secrets([decode_secret(SECRET)])
    return [tokenize(r, keyring) for r in chunk]


def main(n_records: int) -> None:
    started = time.perf_counter()
    records, truth = synthesize(n_records)
    print(f"synthesized {len(records)} records in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    size = 20_000
    chunks = [records[i:i + size] for i in range(0, len(records), size)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        tokenized = [t for part in pool.map(_tokenize_chunk, chunks) for t in part]
    print(f"tokenized in {time.perf_counter() - started:.1f}s "
          f"({sum(len(t.kinds) for t in tokenized) / len(tokenized):.1f} tokens/record)", flush=True)
    del records
    keyring = Keyring.from_secrets([decode_secret(SECRET)])
    started, cpu_started = time.perf_counter(), time.process_time()
    result = link_records(tokenized, keyring)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"linked in {elapsed:.1f}s wall, {cpu:.1f}s CPU: {result.persons} persons, {result.candidate_pairs} candidate pairs, "
          f"{result.accepted_pairs} accepted, {result.merges_refused} merges refused, "
          f"{result.common_tokens_skipped} common tokens", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak_mb:.0f} MB")
    report = evaluate(
        [TruthRecord(k, p, False) for k, p in truth.items()],
        {(r.institution, r.period, r.source_key, r.source_row): Prediction(key, "UNKNOWN")
         for r, key in result.assignment.items()},
    )
    print(report)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
