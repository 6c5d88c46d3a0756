from __future__ import annotations

import random
import secrets
import time
from collections import Counter

import numpy as np
import pytest

from etl.defs.privacy import linkage
from etl.defs.privacy.evaluation import Prediction, TruthRecord, evaluate
from etl.defs.privacy.keys import Keyring
from etl.defs.privacy.linkage import (
    LinkageConfig,
    estimate_log2_prior_odds,
    link,
    link_records,
    pair_scores,
    score_pair,
    shared_document_values,
    lowest_threshold,
    threshold,
)
from etl.defs.privacy.tokens import tokenize

from .bench_linkage import synthesize
from .fixtures import victim

KEYRING = Keyring.from_secrets([secrets.token_bytes(32)])


def _tokenized(records):
    return [tokenize(r, KEYRING) for r in records]


def _same(assignment, a, b) -> bool:
    return assignment[a.ref] == assignment[b.ref]


def test_threshold_grows_with_the_number_of_records() -> None:
    config = LinkageConfig()
    assert threshold(2, config) == config.min_threshold
    # log2 of the record count, rounded up to a power of two: 2**20 vs 2**10.
    assert threshold(1_000_000, config) - threshold(1_000, config) == pytest.approx(10.0)
    assert threshold(1_000, config) == threshold(1_024, config) < threshold(1_025, config)


def test_result_does_not_depend_on_input_order() -> None:
    records = _tokenized(synthesize(1500, seed=3)[0])
    expected = link(records, KEYRING)
    rng = random.Random(11)
    for _ in range(3):
        shuffled = records[:]
        rng.shuffle(shuffled)
        assert link(shuffled, KEYRING) == expected


def test_victims_of_one_case_are_never_merged_but_a_duplicate_row_is() -> None:
    twin_a = victim("MP", "2025-04", "12/2025", 1, given="Ana", surnames="Ríos Vera", birth="2010-05-05",
                    phone="0981 111222")
    twin_b = victim("MP", "2025-04", "12/2025", 2, given="Ana Belén", surnames="Ríos Vera", birth="2010-05-05",
                    phone="0981 111222")
    duplicate = victim("MP", "2025-04", "12/2025", 3, given="Ana", surnames="Ríos Vera", birth="2010-05-05",
                       phone="0981 111222")
    elsewhere = victim("PN", "2025-05", "DT-7", 1, given="Ana", surnames="Ríos Vera", age=14, phone="0981111222")
    records = _tokenized([twin_a, twin_b, duplicate, elsewhere])
    result = link_records(records, KEYRING)
    assignment = result.assignment
    assert result.duplicate_rows == 1
    assert _same(assignment, records[0], records[2])  # the repeated row
    assert not _same(assignment, records[0], records[1])  # two victims of one case
    assert result.merges_refused >= 1


def test_two_documents_of_one_type_never_end_up_in_one_person() -> None:
    # B links to A by name and birth year and to C by phone; A and C hold different cédulas.
    a = victim("MP", "2025-04", "1/2025", 1, given="Luis", surnames="Benítez Ayala", doc="1.234.567", age=30,
               sex="M")
    b = victim("PN", "2025-04", "DT-1", 1, given="Luis", surnames="Benitez Ayala", age=30, sex="M",
               phone="0971 555666")
    c = victim("MINNA", "2025-05", "M-1", 1, given="Luis", surnames="Benítez Ayala", doc="7654321", sex="M",
               phone="0971555666", age=30)
    records = _tokenized([a, b, c])
    assignment = link(records, KEYRING)
    assert not _same(assignment, records[0], records[2])
    assert _same(assignment, records[0], records[1]) or _same(assignment, records[1], records[2])


def test_incompatible_birth_years_block_a_transitive_merge() -> None:
    young = victim("MP", "2025-04", "1/2025", 1, given="Yanina", surnames="Brítez", age=20, phone="0976 533702")
    unknown = victim("PN", "2025-04", "DT-1", 1, given="Yanina", surnames="Britez", phone="0976533702")
    old = victim("MP", "2025-05", "2/2025", 1, given="Yanina", surnames="Britez", age=49)
    records = _tokenized([young, unknown, old])
    assignment = link(records, KEYRING)
    assert _same(assignment, records[0], records[1])
    assert not _same(assignment, records[0], records[2])


def test_vectorized_scores_equal_the_reference_pair_score() -> None:
    records = _tokenized(synthesize(800, seed=5)[0])
    frequencies = Counter(r.values[8 * i: 8 * i + 8] for r in records for i in range(len(r.kinds)))
    by_ref = {r.ref: r for r in records}
    scores = pair_scores(records)
    shared = shared_document_values(records)
    assert len(scores) > 100
    for a, b, score in scores:
        assert score == pytest.approx(
            score_pair(by_ref[a], by_ref[b], LinkageConfig(), frequencies, len(records), shared))


def test_common_tokens_propose_no_pairs_but_still_count() -> None:
    base = dict(given="María", surnames="González", age=30, sex="F")
    records = _tokenized(
        [victim("MP", "2025-04", f"{i}/2025", 1, dept=f"{i % 18:02d}", **base) for i in range(40)]
        + [victim("PN", "2025-04", "DT-1", 1, doc="4567890", dept="11", **base),
           victim("MINNA", "2025-05", "M-1", 1, doc="4567890", dept="11", **base)]
    )
    config = LinkageConfig(max_token_frequency=8, max_name_token_frequency=8)
    result = link_records(records, KEYRING, config)
    assert result.common_tokens_skipped > 0
    scores = {(a.institution, b.institution): s for a, b, s in pair_scores(records, config)
              if {a.institution, b.institution} == {"PN", "MINNA"}}
    (score,) = scores.values()
    # The shared name counts even though its token is too common to propose the pair.
    no_name = victim("PN", "2025-04", "DT-1", 1, doc="4567890", dept="11", sex="F", age=30)
    assert score > score_pair(tokenize(no_name, KEYRING), records[-1], config)


def test_person_keys_are_stable_when_months_arrive_and_local_when_one_is_corrected() -> None:
    records, truth = synthesize(3000, seed=9)
    early = [r for r in records if r.period <= "2025-08"]
    later = [r for r in records if r.period > "2025-08"]
    before = link(_tokenized(early), KEYRING)
    after = link(_tokenized(early + later), KEYRING)

    def clusters(assignment, refs):
        members = {}
        for ref in refs:
            members.setdefault(assignment[ref], set()).add(ref)
        return {ref: frozenset(members[assignment[ref]]) for ref in refs}

    early_refs = list(before)
    before_clusters, after_clusters = clusters(before, early_refs), clusters(after, early_refs)
    unchanged = [ref for ref in early_refs if before_clusters[ref] == after_clusters[ref]]

    def person(ref):
        return truth[(ref.institution, ref.period, ref.source_key, ref.source_row)]

    # A later record of a person rightly joins that person's early records: such a cluster
    # grows into one true person. Anything else is a disturbance: more data shifts value
    # frequencies and the prior, so a few borderline clusters change, and only a few.
    disturbed = [ref for ref in early_refs if before_clusters[ref] != after_clusters[ref]
                 and not (before_clusters[ref] < after_clusters[ref]
                          and len({person(r) for r in after_clusters[ref]}) == 1)]
    assert len(unchanged) > 0.85 * len(early_refs)
    assert len(disturbed) < 0.03 * len(early_refs)
    # Every cluster that did not change keeps its key.
    assert all(before[ref] == after[ref] for ref in unchanged)

    # Correct one month of one institution: persons away from its records keep their key.
    tokenized_early = _tokenized(early)
    in_month = [t for t in tokenized_early if t.ref.institution == "PN" and t.ref.period == "2025-03"]
    month_values = {t.values[8 * i: 8 * i + 8] for t in in_month for i in range(len(t.kinds))}
    touched = {before[t.ref] for t in in_month}
    touched |= {before[t.ref] for t in tokenized_early
                if month_values & {t.values[8 * i: 8 * i + 8] for i in range(len(t.kinds))}}
    near = set(touched)
    for a, b, _ in pair_scores(tokenized_early):
        if before[a] in touched or before[b] in touched:
            near |= {before[a], before[b]}
    relinked = link([t for t in tokenized_early if t not in in_month], KEYRING)
    untouched = [ref for ref in relinked if before[ref] not in near]
    assert len(untouched) > 0.5 * len(relinked)
    assert all(relinked[ref] == before[ref] for ref in untouched)


def test_linkage_of_ten_thousand_records_is_fast_and_precise() -> None:
    records, truth = synthesize(10_000, seed=21)
    tokenized = _tokenized(records)
    started = time.process_time()
    result = link_records(tokenized, KEYRING)
    elapsed = time.process_time() - started
    report = evaluate(
        [TruthRecord(key, person, False) for key, person in truth.items()],
        {(r.institution, r.period, r.source_key, r.source_row): Prediction(k, "UNKNOWN")
         for r, k in result.assignment.items()},
    )
    assert elapsed < 10
    assert report.linkage_precision >= 0.99
    # Names come from deliberately tiny lists and half the records carry neither document nor
    # phone: many true pairs are indistinguishable from namesakes, and must stay apart.
    assert report.linkage_recall >= 0.45


def test_repeated_ref_is_refused_without_naming_the_case_key() -> None:
    record = tokenize(victim("MP", "2025-04", "1532/2025", 3, given="Ana", surnames="Ríos"), KEYRING)
    with pytest.raises(ValueError) as error:
        link([record, record], KEYRING)
    assert "1532" not in str(error.value) and "fila 3" in str(error.value)


@pytest.mark.parametrize("n", [2, 3, 50, 1_000, 200_000, 1_000_000])
def test_no_threshold_is_below_the_lowest_one(n: int) -> None:
    """Linkage drops pairs scoring below `lowest_threshold` before the prior is estimated: no
    estimate may give a threshold under it, however many pairs look like matches."""
    config = LinkageConfig()
    rng = np.random.default_rng(n)
    lowest = lowest_threshold(n, config)
    assert threshold(n, config) >= lowest
    for scores in (np.zeros(0), np.full(5 * n, 80.0), np.full(n, -30.0), rng.normal(0.0, 25.0, 10 * n)):
        assert threshold(n, config, estimate_log2_prior_odds(scores, n, config)) >= lowest
        values, counts = np.unique(scores, return_counts=True)
        assert threshold(n, config, estimate_log2_prior_odds(values, n, config, counts)) >= lowest


def test_pairs_made_in_ranges_and_scored_in_blocks_link_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A million records are paired one range of first records at a time and scored in blocks;
    the persons, pairs and counts must not depend on how the work is cut."""
    records = _tokenized(synthesize(1500, seed=3)[0])
    whole = link_records(records, KEYRING)
    scores = pair_scores(records)
    monkeypatch.setattr(linkage, "_RANGE_PAIRS", 200)  # dozens of ranges
    monkeypatch.setattr(linkage, "_BLOCK_PAIRS", 37)  # blocks that end mid-range
    cut = link_records(records, KEYRING)
    assert cut == whole and whole.accepted_pairs > 0
    assert pair_scores(records) == scores
