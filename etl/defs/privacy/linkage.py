"""Probabilistic record linkage over keyed match tokens (Fellegi–Sunter), deterministic.

Input: `TokenizedRecord`s only (record ref, keyed tokens, coarse features); no cleartext is
needed nor accepted. Output: a person key per record, an HMAC under the "person" purpose of
the earliest record of the person's cluster, so that a person keeps their key when later
months arrive. Stored: person keys (with the key id). Never produced: any personal value.

Method:
1. Blocking: two records are a candidate pair when they share a token. Tokens held by more
   than `max_token_frequency` records (`max_name_token_frequency` for bare names) propose no
   pairs; they still count when scoring.
2. Scoring: the log2 likelihood ratio of the pair. Token kinds of one group (doc, phone,
   name, initials) are alternatives: only the strongest agreeing kind of a group counts. A
   token value's u is its frequency among the records, shrunk towards the kind's u (few
   records: the kind's u; many: rare values are strong evidence, common ones weak). A
   document value two of whose holders have names that cannot be one person's is shared
   (a parent's or placeholder number): its u is its frequency. Then disagreements: another
   document of the same type, other phones, comparable names sharing no token, second
   surnames differing beyond a typo, sex, department, birth-year ranges. "block" kinds are
   never scored; "surnames" kinds only count when they disagree.
3. Decision: a pair is accepted when its posterior odds reach 2**margin. The prior odds of a
   random pair being one person are estimated from the data (EM on the match proportion,
   weights fixed), rounded down to a quarter bit: the threshold grows with log2(n) and
   falls as the data shows more records per person. Counts enter rounded up to powers of
   two, so that a new or corrected month changes the weights only of tokens whose count
   crosses a power of two.
4. Clustering: accepted pairs, strongest first, merge clusters unless the merge would put in
   one person two different documents of the same type, both sexes, birth years more than
   `max_year_spread` apart, or two rows of the same case (several victims of one case are
   different persons; an exact duplicate row is collapsed beforehand).

Same set of records, same persons, whatever the input order. Nothing personal is logged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.pseudonym import pseudonymize
from etl.defs.privacy.tokens import KIND_NAMES, KINDS, CoarseFeatures, RecordRef, TokenizedRecord

# "block" kinds only propose candidate pairs; they are never scored.
# "surnames" kinds are compared only for disagreement (see KINDS).
GROUPS: tuple[str, ...] = ("doc", "phone", "name", "initials", "block", "surnames")
_GROUP_OF_KIND = np.array([GROUPS.index(KINDS[k].group) for k in KIND_NAMES], dtype=np.int8)
_M_OF_KIND = np.array([KINDS[k].m for k in KIND_NAMES])
_U_OF_KIND = np.array([KINDS[k].u for k in KIND_NAMES])
_DOC_BIT = {i: 1 << n for n, i in enumerate(i for i, k in enumerate(KIND_NAMES) if KINDS[k].group == "doc")}
_IS_DOC = np.array([KINDS[k].group == "doc" for k in KIND_NAMES])
_IS_PHONE = np.array([KINDS[k].group == "phone" for k in KIND_NAMES])
_IS_NAME = np.array([KINDS[k].group == "name" for k in KIND_NAMES])
_IS_INITIALS = np.array([KINDS[k].group == "initials" for k in KIND_NAMES])
_IS_SURNAMES = np.array([KINDS[k].group == "surnames" for k in KIND_NAMES])
_DOC_BITS = np.array([_DOC_BIT.get(i, 0) for i in range(len(KIND_NAMES))], dtype=np.int64)
DOC, PHONE, NAME, INITIALS, BLOCK, SURNAMES = range(6)
_FULL_NAME_KIND = KIND_NAMES.index("name_full")
_SEX_CODE = {"F": 1, "M": 2}


def _log2_ratio(m: float, u: float) -> float:
    return math.log2(m / u)


@dataclass(frozen=True)
class LinkageConfig:
    """Weights are log2 likelihood ratios log2(m/u) from the m and u stated beside each."""

    # A pair is accepted when its posterior log2 odds reach `margin`: score + log2(prior odds)
    # >= margin, the prior odds of a random pair being one person being about
    # expected_duplicates_per_record / n_records. The threshold thus grows with log2(n).
    margin: float = 5.0
    expected_duplicates_per_record: float = 1.0
    min_threshold: float = 10.0
    # The prior is then estimated from the data (see `estimate_log2_prior_odds`), within
    # this bound on the matching pairs per record, in steps of `prior_resolution` bits.
    estimate_prior: bool = True
    max_duplicates_per_record: float = 4.0
    prior_resolution: float = 0.25
    prior_iterations: int = 50
    # Frequency of a token value: a Beta prior with mean u(kind) worth `pseudo_count` records,
    # updated by the records holding the value. Small data sets keep u(kind); large ones learn
    # that a rare value is rare and a common one common.
    pseudo_count: float = 2.0
    # Tokens held by more records than this propose no pairs (they are still scored). Bare
    # names and initials are common, so they propose pairs only while rare; their
    # year- and department-qualified "block" tokens take over in large data sets.
    max_token_frequency: int = 64
    max_name_token_frequency: int = 16
    max_year_spread: int = 2
    doc_conflict: float = _log2_ratio(0.03, 0.999)  # same type, different number
    phone_disagree: float = _log2_ratio(0.5, 0.99999)
    name_disagree: float = _log2_ratio(0.05, 0.999)
    initials_disagree: float = _log2_ratio(0.2, 0.99)
    # Both records name two surnames and the second ones differ beyond a typo: a namesake, or
    # a married woman's "de <husband>" read as her second surname.
    surnames_disagree: float = _log2_ratio(0.1, 0.97)
    sex_agree: float = _log2_ratio(0.98, 0.5)
    sex_disagree: float = _log2_ratio(0.02, 0.5)
    department_agree: float = _log2_ratio(0.8, 0.15)
    department_disagree: float = _log2_ratio(0.2, 0.85)
    year_agree: float = _log2_ratio(0.95, 0.05)  # both ranges narrow and overlapping
    # Overlapping where one range is wide (a MINNA child without birth date): a random
    # victim falls in such a range about half the time.
    year_compatible: float = _log2_ratio(0.99, 0.5)
    # Ranges apart by 1, 2, 3 or more years (ages are mistyped by a year more than by three).
    year_gap: tuple[float, ...] = field(default=(-1.0, -4.0, -10.0))


@dataclass(frozen=True)
class LinkageResult:
    assignment: dict[RecordRef, str]
    key_id: str
    records: int
    persons: int
    candidate_pairs: int
    accepted_pairs: int
    merges_refused: int
    common_tokens_skipped: int
    duplicate_rows: int
    threshold: float = 0.0  # the score a pair needed
    shared_documents: int = 0  # document values found held by more than one person


# --- pair scoring, one pair at a time (reference implementation, and for explanations) ---


def feature_weight(a: CoarseFeatures, b: CoarseFeatures, config: LinkageConfig) -> float:
    weight = 0.0
    if a.sex in _SEX_CODE and b.sex in _SEX_CODE:
        weight += config.sex_agree if a.sex == b.sex else config.sex_disagree
    if a.department is not None and b.department is not None:
        weight += config.department_agree if a.department == b.department else config.department_disagree
    ya, yb = a.years, b.years
    if ya is not None and yb is not None:
        gap = ya.gap(yb)
        if gap == 0:
            narrow = ya.width <= 2 and yb.width <= 2
            weight += config.year_agree if narrow else config.year_compatible
        else:
            weight += config.year_gap[min(gap, len(config.year_gap)) - 1]
    return weight


def _power_of_two_above(count):
    """Counts enter the model rounded up to a power of two (conservatively), so that adding or
    correcting a month changes no weight unless some count crosses a power of two: persons
    away from the changed records keep their clusters, and so their keys."""
    return np.exp2(np.ceil(np.log2(np.maximum(count, 1))))


def threshold(n_records: int, config: LinkageConfig, log2_prior_odds: float | None = None) -> float:
    """Score a pair needs among `n_records` records (see LinkageConfig.margin).

    Without `log2_prior_odds` the prior is the configured one, about one other record of the
    same person per record; `estimate_log2_prior_odds` gives the data's own.
    """
    if log2_prior_odds is None:
        prior = math.log2(float(_power_of_two_above(max(n_records, 2))) / config.expected_duplicates_per_record)
        return max(config.min_threshold, prior + config.margin)
    return max(config.min_threshold, config.margin - log2_prior_odds)


def lowest_threshold(n_records: int, config: LinkageConfig) -> float:
    """A bound below every threshold `threshold` can give for `n_records` records, whatever the
    prior's estimate: that estimate never exceeds the odds of `max_duplicates_per_record`
    matching records per record. Pairs scoring below it are never accepted."""
    all_pairs = n_records * (n_records - 1) / 2
    configured = threshold(n_records, config)
    if all_pairs < 1 or config.max_duplicates_per_record <= 0:
        return min(configured, config.min_threshold)
    ceiling = math.log2(config.max_duplicates_per_record * n_records / 2 / all_pairs)
    return min(configured, max(config.min_threshold, config.margin - ceiling))


def estimate_log2_prior_odds(
    scores: np.ndarray, n_records: int, config: LinkageConfig, counts: np.ndarray | None = None
) -> float:
    """Log2 prior odds that a random pair of records is one person, estimated from the scores.

    Fellegi–Sunter's EM for the match proportion with the weights held fixed: the expected
    number of matching pairs is the sum of the candidates' match probabilities under the
    current prior, and the prior is that number over all pairs (pairs that are not candidates
    share no token and count as non-matches). It starts from the configured prior, is
    bounded by `max_duplicates_per_record`, and is rounded down to `prior_resolution` bits
    (conservatively, and so that a new month rarely moves the threshold at all).
    With `counts`, `scores` are distinct scores and `counts` how many pairs have each.
    """
    all_pairs = n_records * (n_records - 1) / 2
    if all_pairs < 1 or not len(scores):
        return math.log2(config.expected_duplicates_per_record / float(_power_of_two_above(max(n_records, 2))))
    floor = math.log2(1.0 / all_pairs)
    ceiling = math.log2(config.max_duplicates_per_record * n_records / 2 / all_pairs)
    log2_odds = math.log2(config.expected_duplicates_per_record / float(_power_of_two_above(n_records)))
    for _ in range(config.prior_iterations):
        probability = 1.0 / (1.0 + np.exp2(-np.clip(scores + log2_odds, -60.0, 60.0)))
        expected = float(probability.sum() if counts is None else probability @ counts)
        share = min(expected / all_pairs, 0.5)
        updated = min(ceiling, max(floor, math.log2(share / (1.0 - share)) if share > 0 else floor))
        if abs(updated - log2_odds) < 1e-6:
            log2_odds = updated
            break
        log2_odds = updated
    return math.floor(log2_odds / config.prior_resolution) * config.prior_resolution


def value_u(kind_u: np.ndarray | float, frequency: np.ndarray | int, n_records: int, config: LinkageConfig):
    """u of one token value: P(a random other record holds it), shrunk towards u(kind)."""
    return (_power_of_two_above(frequency) + config.pseudo_count) / (
        _power_of_two_above(n_records) + config.pseudo_count / kind_u
    )


def _token_weight(kind: int, frequency: int, population: int, config: LinkageConfig) -> float:
    u = value_u(float(_U_OF_KIND[kind]), frequency, population, config)
    return math.log2(float(_M_OF_KIND[kind]) / u)


def shared_document_weight(kind: np.ndarray | int, frequency: np.ndarray | int, population: int):
    """Weight of agreeing on a document value held by more than one person: its u is its
    frequency among the records (see `_shared_document_weights`)."""
    u = _power_of_two_above(frequency) / _power_of_two_above(population)
    return np.maximum(np.log2(_M_OF_KIND[kind] / u), 0.0)


def score_pair(
    a: TokenizedRecord,
    b: TokenizedRecord,
    config: LinkageConfig = LinkageConfig(),
    frequencies: dict[bytes, int] | None = None,
    population: int = 0,
    shared_documents: frozenset[bytes] = frozenset(),
) -> float:
    """Log2 likelihood ratio that `a` and `b` are the same person.

    `shared_documents`: document token values found held by more than one person among the
    records (`shared_document_values`); they weigh by their frequency.
    """
    tokens_a = {a.values[8 * i: 8 * i + 8]: k for i, k in enumerate(a.kinds)}
    tokens_b = {b.values[8 * i: 8 * i + 8]: k for i, k in enumerate(b.kinds)}
    best = [0.0] * len(GROUPS)
    agree = [False] * len(GROUPS)
    for value in tokens_a.keys() & tokens_b.keys():
        kind = tokens_a[value]
        group = int(_GROUP_OF_KIND[kind])
        frequency = (frequencies or {}).get(value, 2)
        if value in shared_documents:
            weight = float(shared_document_weight(kind, frequency, population))
        else:
            weight = _token_weight(kind, frequency, population, config)
        best[group] = max(best[group], weight)
        agree[group] = True
    flags_a, flags_b = _flags(a.kinds), _flags(b.kinds)
    return _combine(best, agree, flags_a, flags_b, config) + feature_weight(a.features, b.features, config)


def _flags(kinds: bytes) -> tuple[int, bool, bool, bool, bool]:
    doc_mask = 0
    phone = full_name = initials = surnames = False
    for k in kinds:
        doc_mask |= _DOC_BIT.get(k, 0)
        phone |= bool(_IS_PHONE[k])
        full_name |= bool(_IS_NAME[k])
        initials |= bool(_IS_INITIALS[k])
        surnames |= bool(_IS_SURNAMES[k])
    return doc_mask, phone, full_name, initials, surnames


def _combine(best, agree, flags_a, flags_b, config: LinkageConfig) -> float:
    doc_a, phone_a, full_a, init_a, surnames_a = flags_a
    doc_b, phone_b, full_b, init_b, surnames_b = flags_b
    both_full = full_a and full_b
    score = best[DOC] + best[PHONE] + best[NAME]
    if not both_full:
        score += best[INITIALS]
    if not agree[DOC] and doc_a & doc_b:
        score += config.doc_conflict
    if not agree[PHONE] and phone_a and phone_b:
        score += config.phone_disagree
    if both_full and not agree[NAME]:
        score += config.name_disagree
    elif not both_full and init_a and init_b and not agree[INITIALS] and not agree[NAME]:
        score += config.initials_disagree
    if surnames_a and surnames_b and not agree[SURNAMES]:
        score += config.surnames_disagree
    return score


# --- the whole linkage, vectorized -------------------------------------------------------


@dataclass
class _Arrays:
    """Token groups: for each token value, the records holding it.

    Per token only its record is kept (4 bytes); kind and value are per group. With ~35 tokens a
    record, that is what lets a million records be linked in bounded memory.
    """

    rec: np.ndarray  # int32; group g's records are rec[starts[g]:starts[g] + sizes[g]], ascending
    starts: np.ndarray  # int64, per group
    sizes: np.ndarray  # int32, per group
    kind: np.ndarray  # uint8, per group
    value: np.ndarray  # uint64, per group

    def members(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(group, record) of every token of `groups`, group by group."""
        sizes = self.sizes[groups]
        return np.repeat(groups, sizes), self.rec[np.repeat(self.starts[groups], sizes) + _ranks_within(sizes)]


def _token_arrays(records: Sequence[TokenizedRecord]) -> _Arrays:
    counts = np.fromiter((len(r.kinds) for r in records), dtype=np.int64, count=len(records))
    kind = np.frombuffer(b"".join(r.kinds for r in records), dtype=np.uint8)
    val = np.frombuffer(b"".join(r.values for r in records), dtype="<u8")
    rec = np.repeat(np.arange(len(records), dtype=np.int64), counts)
    # Grouped by value, records ascending within a value, each (value, record) once.
    order = np.lexsort((rec, val))
    val, rec, kind = val[order], rec[order], kind[order]
    del order
    if len(val):
        keep = np.ones(len(val), dtype=bool)
        keep[1:] = (val[1:] != val[:-1]) | (rec[1:] != rec[:-1])
        if not keep.all():
            val, rec, kind = val[keep], rec[keep], kind[keep]
    builder = TokenGroupBuilder(len(val))
    builder.add(val, rec, kind)
    return builder.finish()


class TokenGroupBuilder:
    """`_Arrays` from tokens arriving in parts, already in order: equal values adjacent (values in
    any order), records strictly ascending within a value (PostgreSQL's ORDER BY token, record).

    Each part is reduced as it arrives: only its records (int32) and its groups are kept.
    """

    def __init__(self, capacity: int) -> None:
        self._rec = np.empty(capacity, dtype=np.int32)
        self._filled = 0
        self._starts: list[np.ndarray] = []
        self._sizes: list[np.ndarray] = []
        self._kinds: list[np.ndarray] = []
        self._values: list[np.ndarray] = []
        self._last: tuple[int, int] | None = None  # (value, record) of the last token added

    def add(self, val: np.ndarray, rec: np.ndarray, kind: np.ndarray) -> None:
        if not len(val):
            return
        if self._filled + len(val) > len(self._rec):
            raise RuntimeError("más tokens que los contados")
        out_of_order = val[1:] == val[:-1]
        out_of_order &= rec[1:] <= rec[:-1]
        continues = self._last is not None and int(val[0]) == self._last[0]
        if out_of_order.any() or (continues and int(rec[0]) <= self._last[1]):
            raise ValueError("tokens fuera de orden: se esperaba ORDER BY token, registro")
        del out_of_order
        boundary = np.ones(len(val), dtype=bool)
        boundary[1:] = val[1:] != val[:-1]
        local_starts = np.flatnonzero(boundary)
        sizes = np.diff(np.append(local_starts, len(val))).astype(np.int32)
        if continues:  # the first group goes on from the previous part's last group
            self._sizes[-1][-1] += sizes[0]
            local_starts, sizes = local_starts[1:], sizes[1:]
        self._starts.append(local_starts + self._filled)
        self._sizes.append(sizes)
        self._kinds.append(np.asarray(kind[local_starts], dtype=np.uint8))
        self._values.append(np.asarray(val[local_starts], dtype=np.uint64))
        self._rec[self._filled:self._filled + len(val)] = rec
        self._filled += len(val)
        self._last = (int(val[-1]), int(rec[-1]))

    def finish(self) -> _Arrays:
        def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

        return _Arrays(self._rec[:self._filled], joined(self._starts, np.int64), joined(self._sizes, np.int32),
                       joined(self._kinds, np.uint8), joined(self._values, np.uint64))


_FIELDS = 8  # pair key = pair id * _FIELDS + field
_MAX_BATCH_PAIRS = 1_000_000
_BLOCK_PAIRS = 250_000  # candidate pairs scored at once
_RANGE_PAIRS = 8_000_000  # token co-holdings made into pairs at once (before reduction per pair)


class _WeightCodes:
    """Weights as small integers, so that (pair, field, weight) packs into one int64 that sorts by
    pair, field, then weight: reducing to the best weight per (pair, field) is then one in-place
    sort of one array, not a lexsort of two plus their index."""

    def __init__(self, weights: np.ndarray, n: int) -> None:
        self.values = np.unique(weights)
        self.width = max(len(self.values), 1)
        if float(n) * n * _FIELDS * self.width >= 2.0**63:
            raise ValueError(f"demasiados registros para la vinculación en memoria: {n}")

    def encode(self, keys: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return keys * self.width + np.searchsorted(self.values, weights)

    def decode(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return codes // self.width, self.values[codes % self.width]


def _best_per_key(codes: np.ndarray, width: int, chunk: int = 4_000_000) -> np.ndarray:
    """The largest code of each key (code // width); sorts `codes` in place."""
    codes.sort()
    last = np.ones(len(codes), dtype=bool)
    for start in range(0, len(codes) - 1, chunk):  # in chunks: no second array of keys as large as codes
        stop = min(start + chunk, len(codes) - 1)
        last[start:stop] = codes[start + 1:stop + 1] // width != codes[start:stop] // width
    return codes[last]


def _agreements(
    arrays: _Arrays, proposing: np.ndarray, group_field: np.ndarray, group_weight: np.ndarray, n: int,
    coder: _WeightCodes, first_records: tuple[int, int],
) -> np.ndarray:
    """The best agreement per pair and field among proposing tokens, as sorted codes
    (`_WeightCodes`: key = pair key, (a * n + b) * _FIELDS + field), for the pairs whose first
    record a is in `first_records` (a half-open range).

    Pairs are generated one group size at a time and reduced at once, so a pair sharing many
    tokens (all the one-typo variants of a name) costs one entry per field, not one per token.
    """
    low, high = first_records
    parts = []
    sizes = arrays.sizes[proposing]
    for size in np.unique(sizes):
        i, j = np.triu_indices(int(size), 1)
        of_size = proposing[sizes == size]
        # Bounded batches keep memory flat however many records there are.
        batch = max(1, _MAX_BATCH_PAIRS // len(i))
        for start in range(0, len(of_size), batch):
            chosen = of_size[start:start + batch]
            base = arrays.starts[chosen][:, None]
            a = arrays.rec[base + i].ravel().astype(np.int64)
            b = arrays.rec[base + j].ravel().astype(np.int64)
            group = np.repeat(chosen, len(i))
            if low > 0 or high < n:
                inside = (a >= low) & (a < high)
                a, b, group = a[inside], b[inside], group[inside]
            parts.append(_best_per_key(coder.encode((a * n + b) * _FIELDS + group_field[group], group_weight[group]),
                                       coder.width))
    # Joined part by part into one array whose pages are touched as it fills: never the parts
    # and a full copy of them at once.
    codes = np.empty(sum(len(part) for part in parts), dtype=np.int64)
    filled = 0
    parts.reverse()
    while parts:
        part = parts.pop()
        codes[filled:filled + len(part)] = part
        filled += len(part)
        del part
    return _best_per_key(codes, coder.width)


def _ranks_within(sizes: np.ndarray) -> np.ndarray:
    """0..size-1 for each size, concatenated: [2, 3] -> [0, 1, 0, 1, 2]."""
    return np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)


class _CommonTokens:
    """Which too-common (or comparing-only) token groups each record holds, as one sorted int64
    array of record * groups + group: a record's groups are one contiguous run, and "does record
    b hold group g" is one binary search. 8 bytes per token, where separate index arrays cost 40."""

    def __init__(self, arrays: _Arrays, common: np.ndarray, chunk_tokens: int = 1_000_000) -> None:
        self.groups = np.int64(len(arrays.sizes))
        sizes = arrays.sizes[common].astype(np.int64)
        self.keys = np.empty(int(sizes.sum()), dtype=np.int64)
        filled = 0
        ends = np.cumsum(sizes)
        start = 0
        while start < len(common):
            stop = max(start + 1, int(np.searchsorted(ends, ends[start] - sizes[start] + chunk_tokens, side="right")))
            group, rec = arrays.members(common[start:stop])
            self.keys[filled:filled + len(group)] = rec.astype(np.int64) * self.groups + group
            filled += len(group)
            start = stop
        self.keys.sort()

    def apply(self, pa: np.ndarray, pb: np.ndarray, group_field: np.ndarray, group_weight: np.ndarray,
              best: np.ndarray, agree: np.ndarray, chunk: int = 50_000) -> None:
        """Add to `best`/`agree` every such group both records of a candidate pair hold."""
        keys, groups = self.keys, self.groups
        if not len(keys) or not len(pa):
            return
        for start in range(0, len(pa), chunk):
            a = pa[start:start + chunk].astype(np.int64)
            left = np.searchsorted(keys, a * groups)
            counts = np.searchsorted(keys, (a + 1) * groups) - left
            pair_index = np.repeat(np.arange(start, start + len(a)), counts)
            held = keys[np.repeat(left, counts) + _ranks_within(counts)] - np.repeat(a, counts) * groups
            wanted = pb[pair_index].astype(np.int64) * groups + held
            found = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
            hit = keys[found] == wanted
            pair_index, held = pair_index[hit], held[hit]
            np.maximum.at(best, (pair_index, group_field[held]), group_weight[held])
            agree[pair_index, group_field[held]] = True


def record_flags(arrays: _Arrays, n: int) -> dict[str, np.ndarray]:
    """Which kinds of identifier each record has (from all its tokens)."""
    flags = {}
    for name, mask in (("phone", _IS_PHONE), ("full", _IS_NAME), ("initials", _IS_INITIALS),
                       ("surnames", _IS_SURNAMES)):
        flags[name] = np.bincount(arrays.rec[np.repeat(mask[arrays.kind], arrays.sizes)], minlength=n) > 0
    group, rec = arrays.members(np.flatnonzero(_IS_DOC[arrays.kind]))
    doc_mask = np.zeros(n, dtype=np.int64)
    np.bitwise_or.at(doc_mask, rec, _DOC_BITS[arrays.kind[group]])
    flags["doc"] = doc_mask
    return flags


def _feature_arrays(records: Sequence[TokenizedRecord]) -> dict[str, np.ndarray]:
    sex = np.array([_SEX_CODE.get(r.features.sex, 0) for r in records], dtype=np.int8)
    departments = {d: i + 1 for i, d in enumerate(sorted({r.features.department for r in records} - {None}))}
    department = np.array([departments.get(r.features.department, 0) for r in records], dtype=np.int32)
    known = [r.features.birth_year_min is not None and r.features.birth_year_max is not None for r in records]
    low = np.array([r.features.birth_year_min if k else -1 for r, k in zip(records, known)], dtype=np.int32)
    high = np.array([r.features.birth_year_max if k else -1 for r, k in zip(records, known)], dtype=np.int32)
    return {"sex": sex, "department": department, "low": low, "high": high}


@dataclass
class LinkageInput:
    """What linkage needs of n records (representatives, in ref order), as arrays. No cleartext.

    `tokens` may leave out tokens held by one record only: they propose no pair and agree with
    nothing, and what they say of their record is in `flags` and `documents`. That lets a caller
    with a million records (`etl.defs.ingest.linkage_input`) hold only the shared ones.
    """

    n: int
    tokens: _Arrays
    flags: dict[str, np.ndarray]  # phone, full, initials, surnames (bool); doc (bit mask of doc kinds)
    documents: RecordDocuments
    features: dict[str, np.ndarray]  # sex (0 unknown, 1 F, 2 M), department (0 unknown), low/high (-1 unknown)
    case: np.ndarray  # case number of each record: rows of one case share it

    @classmethod
    def from_records(cls, records: Sequence[TokenizedRecord]) -> LinkageInput:
        """`records` in ref order, duplicates collapsed (`_collapse_duplicates`)."""
        n = len(records)
        tokens = _token_arrays(records)
        cases: dict[tuple[str, str, str], int] = {}
        case = np.fromiter((cases.setdefault(r.ref.case, len(cases)) for r in records), dtype=np.int64, count=n)
        return cls(n, tokens, record_flags(tokens, n), RecordDocuments.of(tokens, n), _feature_arrays(records), case)


def _feature_weights(features: dict[str, np.ndarray], a: np.ndarray, b: np.ndarray, config: LinkageConfig) -> np.ndarray:
    weight = np.zeros(len(a))
    sa, sb = features["sex"][a], features["sex"][b]
    known = (sa > 0) & (sb > 0)
    weight += np.where(known, np.where(sa == sb, config.sex_agree, config.sex_disagree), 0.0)
    da, db = features["department"][a], features["department"][b]
    known = (da > 0) & (db > 0)
    weight += np.where(known, np.where(da == db, config.department_agree, config.department_disagree), 0.0)
    la, ha, lb, hb = features["low"][a], features["high"][a], features["low"][b], features["high"][b]
    known = (la >= 0) & (lb >= 0)
    gap = np.maximum(0, np.maximum(la, lb) - np.minimum(ha, hb))
    narrow = (ha - la < 2) & (hb - lb < 2)
    gap_weights = np.array(config.year_gap)
    by_gap = gap_weights[np.clip(gap - 1, 0, len(gap_weights) - 1)]
    year = np.where(gap == 0, np.where(narrow, config.year_agree, config.year_compatible), by_gap)
    weight += np.where(known, year, 0.0)
    return weight


@dataclass
class _Scored:
    """Candidate pairs that may be accepted (score >= the `min_score` asked for), and the
    distribution of the scores of all candidate pairs, which the prior is estimated from."""

    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    candidates: int
    common_skipped: int
    score_values: np.ndarray  # distinct scores of all candidate pairs
    score_counts: np.ndarray  # how many pairs have each
    shared_documents: frozenset[bytes] = frozenset()


@dataclass
class _Kept:
    """Candidate pairs of one block kept past it: those that may reach `min_score`, and those
    agreeing on a document (their score may still change: `_shared_document_weights`)."""

    a: np.ndarray  # int32
    b: np.ndarray  # int32
    score: np.ndarray  # on tokens, without the shared-document correction nor the features
    features: np.ndarray
    doc_agree: np.ndarray
    names_conflict: np.ndarray
    doc_weight: np.ndarray  # the pair's best agreeing document weight (0 without one)

    @classmethod
    def joined(cls, blocks: list[_Kept]) -> _Kept:
        columns = ("a", "b", "score", "features", "doc_agree", "names_conflict", "doc_weight")
        if not blocks:
            dtypes = (np.int32, np.int32, np.float64, np.float64, bool, bool, np.float64)
            return cls(*(np.zeros(0, dtype=d) for d in dtypes))
        return cls(*(np.concatenate([getattr(block, c) for block in blocks]) for c in columns))


class _ScoreCounts:
    """How many candidate pairs have each score: all the prior's estimation needs of pairs that
    cannot be accepted. Scores are sums of a few dozen weights, so there are few distinct ones."""

    def __init__(self) -> None:
        self._values: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []

    def add(self, scores: np.ndarray) -> None:
        values, counts = np.unique(scores, return_counts=True)
        self._values.append(values)
        self._counts.append(counts)

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        if not self._values:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        values, inverse = np.unique(np.concatenate(self._values), return_inverse=True)
        return values, np.bincount(inverse, weights=np.concatenate(self._counts), minlength=len(values)).astype(np.int64)


def _score_block(
    inputs: LinkageInput, codes: np.ndarray, coder: _WeightCodes, common: _CommonTokens, group_field: np.ndarray,
    group_weight: np.ndarray, config: LinkageConfig, min_score: float, counts: _ScoreCounts,
) -> _Kept:
    n = inputs.n
    keys, weights = coder.decode(codes)
    pair_of_key = keys // _FIELDS
    first = np.ones(len(pair_of_key), dtype=bool)
    first[1:] = pair_of_key[1:] != pair_of_key[:-1]  # keys come sorted
    pair_index = np.cumsum(first) - 1
    unique_ids = pair_of_key[first]
    del pair_of_key, first
    ua, ub = unique_ids // n, unique_ids % n
    del unique_ids

    best = np.zeros((len(ua), len(GROUPS)))
    agree = np.zeros((len(ua), len(GROUPS)), dtype=bool)
    fields = keys % _FIELDS
    best[pair_index, fields] = np.maximum(weights, 0.0)  # one entry per (pair, field) already
    agree[pair_index, fields] = True
    del keys, weights, fields, pair_index
    common.apply(ua, ub, group_field, group_weight, best, agree)

    flags = inputs.flags
    both_full = flags["full"][ua] & flags["full"][ub]
    score = best[:, DOC] + best[:, PHONE] + best[:, NAME] + np.where(both_full, 0.0, best[:, INITIALS])
    score += np.where(~agree[:, DOC] & ((flags["doc"][ua] & flags["doc"][ub]) != 0), config.doc_conflict, 0.0)
    score += np.where(~agree[:, PHONE] & flags["phone"][ua] & flags["phone"][ub], config.phone_disagree, 0.0)
    score += np.where(both_full & ~agree[:, NAME], config.name_disagree, 0.0)
    initials_off = (~both_full & flags["initials"][ua] & flags["initials"][ub]
                    & ~agree[:, INITIALS] & ~agree[:, NAME])
    score += np.where(initials_off, config.initials_disagree, 0.0)
    surnames_off = flags["surnames"][ua] & flags["surnames"][ub] & ~agree[:, SURNAMES]
    score += np.where(surnames_off, config.surnames_disagree, 0.0)
    # Names that cannot be one person's: full names sharing no name token and no initials (a
    # typo in each of two fields still leaves the initials), or initials that disagree.
    names_conflict = (both_full & ~agree[:, NAME] & ~agree[:, INITIALS]) | initials_off
    features = _feature_weights(inputs.features, ua, ub, config)
    doc_agree = agree[:, DOC]
    final = score + features  # unless the pair agrees on a document (`_score_all`)
    counts.add(final[~doc_agree])
    kept = doc_agree | (final >= min_score)
    return _Kept(ua[kept].astype(np.int32), ub[kept].astype(np.int32), score[kept], features[kept], doc_agree[kept],
                 names_conflict[kept], best[kept, DOC])


def _score_all(
    inputs: LinkageInput, config: LinkageConfig, min_score: float | None = None, block_pairs: int | None = None
) -> _Scored:
    """Score every candidate pair; keep those scoring at least `min_score` (by default the lowest
    threshold a pair could need, `lowest_threshold`), count the others by score."""
    n = inputs.n
    min_score = lowest_threshold(n, config) if min_score is None else min_score
    block_pairs = block_pairs or _BLOCK_PAIRS
    arrays = inputs.tokens
    group_kind = arrays.kind
    u = value_u(_U_OF_KIND[group_kind], arrays.sizes, n, config)
    group_weight = np.log2(_M_OF_KIND[group_kind] / u)
    group_field = _GROUP_OF_KIND[group_kind]
    del u
    is_bare_name = np.isin(group_field, (NAME, INITIALS)) & (group_kind != _FULL_NAME_KIND)
    too_many = arrays.sizes > np.where(is_bare_name, config.max_name_token_frequency, config.max_token_frequency)
    del is_bare_name
    # Surnames tokens never propose pairs (siblings share them); they are looked up for
    # the pairs other tokens propose, like too common tokens.
    comparing_only = group_field == SURNAMES
    proposing = np.flatnonzero((arrays.sizes >= 2) & ~too_many & ~comparing_only)
    # Too common to propose pairs; still scored (block kinds never are, so they are dropped).
    common = np.flatnonzero((too_many | (comparing_only & (arrays.sizes >= 2))) & (group_field != BLOCK))
    too_common = int(np.count_nonzero(too_many & (group_field != BLOCK) & ~comparing_only))
    del too_many, comparing_only

    held = _CommonTokens(arrays, common)
    del common
    coder = _WeightCodes(group_weight, n)
    counts = _ScoreCounts()
    # Pairs are made for one range of first records at a time, and scored a block at a time
    # (codes come sorted by pair): what one pair costs while scored (~150 bytes) is paid for one
    # block only, and past it only the few pairs that may be accepted are kept; the others are
    # counted by score. Ranges in record order keep the pairs in (a, b) order.
    sizes = arrays.sizes[proposing].astype(np.int64)
    ranges = max(1, math.ceil(int((sizes * (sizes - 1) // 2).sum()) / _RANGE_PAIRS))
    del sizes
    bounds = [n * k // ranges for k in range(ranges + 1)]
    blocks = []
    per_pair = coder.width * _FIELDS
    for low, high in zip(bounds, bounds[1:]):
        codes = _agreements(arrays, proposing, group_field, group_weight, n, coder, (low, high))
        start = 0
        while start < len(codes):
            stop = min(start + block_pairs, len(codes))
            if stop < len(codes):  # end the block where a pair ends
                stop = int(np.searchsorted(codes, (codes[stop - 1] // per_pair + 1) * per_pair))
            blocks.append(_score_block(inputs, codes[start:stop], coder, held, group_field, group_weight, config,
                                       min_score, counts))
            start = stop
        del codes
    del held, proposing
    # A LinkageInput is scored once: its token record lists (4 bytes a token, the largest array)
    # have served once every pair is made.
    arrays.rec = np.zeros(0, dtype=np.int32)
    kept = _Kept.joined(blocks)
    del blocks

    shared = _shared_document_weights(arrays, inputs.documents, n, kept.a, kept.doc_agree, kept.names_conflict)
    score = kept.score
    score += np.where(shared.pairs, shared.weights - kept.doc_weight, 0.0)
    score += kept.features
    counts.add(score[kept.doc_agree])
    values, value_counts = counts.totals()
    accepted = score >= min_score
    return _Scored(kept.a[accepted], kept.b[accepted], score[accepted], int(value_counts.sum()), too_common,
                   values, value_counts, shared.values)


@dataclass
class _SharedDocuments:
    values: frozenset[bytes]  # document token values held by more than one person
    pairs: np.ndarray  # bool per candidate pair: it agrees on such a value
    weights: np.ndarray  # the pair's document weight, from the value's frequency


def _shared_document_weights(
    arrays: _Arrays, documents: RecordDocuments, n: int, ua: np.ndarray, doc_agree: np.ndarray,
    names_conflict: np.ndarray,
) -> _SharedDocuments:
    """Documents the data shows are not one person's: a parent's cédula written for a child, a
    placeholder number, a number typed into the wrong row.

    A document value is shared when two of its holders have names that cannot be one person's.
    Its u is then no longer u(kind) (a unique identifier) but its frequency among the records,
    as Fellegi–Sunter frequency-based matching estimates u of any common value: agreeing on it
    says as much as agreeing on any value that many records hold.
    """
    doc_of = documents.value
    contradicted = doc_agree & names_conflict
    values = np.unique(doc_of[ua[contradicted]])
    pairs = doc_agree & np.isin(doc_of[ua], values)
    weights = np.zeros(len(ua))
    if len(values):
        # Document groups by value (groups need not come sorted by value: `TokenGroupBuilder`).
        doc_groups = np.flatnonzero(_IS_DOC[arrays.kind])
        doc_values = arrays.value[doc_groups]
        by_value = np.argsort(doc_values, kind="stable")
        group = doc_groups[by_value[np.searchsorted(doc_values[by_value], doc_of[ua[pairs]])]]
        frequency = arrays.sizes[group]
        weights[pairs] = shared_document_weight(arrays.kind[group], frequency, n)
    return _SharedDocuments(frozenset(v.tobytes() for v in values.astype("<u8")), pairs, weights)


@dataclass
class _Summary:
    """What a cluster must stay consistent on."""

    docs: dict[int, int]  # doc kind -> token value
    sexes: set[int]  # sex codes of LinkageInput.features
    low_max: float
    high_min: float
    cases: set[int]


class _Clusters:
    """Union-find whose merges are refused when they would join incompatible records."""

    def __init__(self, inputs: LinkageInput, max_year_spread: int) -> None:
        self.inputs = inputs
        self.parent = list(range(inputs.n))
        self.max_year_spread = max_year_spread
        self.summaries: dict[int, _Summary] = {}

    def _summary(self, root: int) -> _Summary:
        summary = self.summaries.get(root)
        if summary is None:
            features = self.inputs.features
            sex, low, high = int(features["sex"][root]), int(features["low"][root]), int(features["high"][root])
            summary = _Summary(
                docs=self.inputs.documents.of_record(root),
                sexes={sex} - {0},
                low_max=low if low >= 0 else -math.inf,
                high_min=high if low >= 0 else math.inf,
                cases={int(self.inputs.case[root])},
            )
            self.summaries[root] = summary
        return summary

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def _compatible(self, x: _Summary, y: _Summary) -> bool:
        if any(y.docs.get(kind, value) != value for kind, value in x.docs.items()):
            return False
        if len(x.sexes | y.sexes) > 1:
            return False
        if max(x.low_max, y.low_max) - min(x.high_min, y.high_min) > self.max_year_spread:
            return False
        return not (x.cases & y.cases)

    def union(self, a: int, b: int) -> bool | None:
        """True if merged, False if refused, None if already together."""
        x, y = self.find(a), self.find(b)
        if x == y:
            return None
        if x > y:
            x, y = y, x
        keep, gone = self._summary(x), self._summary(y)
        if not self._compatible(keep, gone):
            return False
        self.parent[y] = x
        keep.docs = {**gone.docs, **keep.docs}
        keep.sexes |= gone.sexes
        keep.low_max = max(keep.low_max, gone.low_max)
        keep.high_min = min(keep.high_min, gone.high_min)
        keep.cases |= gone.cases
        del self.summaries[y]
        return True


@dataclass(frozen=True)
class RecordDocuments:
    """The document of each record, as arrays (a dict per record cost ~300 bytes a record)."""

    kind: np.ndarray  # int16 token kind, -1: no document
    value: np.ndarray  # uint64 token value

    @classmethod
    def of(cls, arrays: _Arrays, n: int) -> RecordDocuments:
        kind = np.full(n, -1, dtype=np.int16)
        value = np.zeros(n, dtype=np.uint64)
        group, rec = arrays.members(np.flatnonzero(_IS_DOC[arrays.kind]))
        # A record carries at most one document (`tokens.token_messages`).
        kind[rec] = arrays.kind[group]
        value[rec] = arrays.value[group]
        return cls(kind, value)

    def of_record(self, i: int) -> dict[int, int]:
        kind = int(self.kind[i])
        return {} if kind < 0 else {kind: int(self.value[i])}


def _collapse_duplicates(records: Sequence[TokenizedRecord]) -> tuple[list[TokenizedRecord], list[int]]:
    """Exact duplicate rows of one case (same tokens and features) stand for one record.

    `records` come in ref order (`RecordRef.sort_key`), so the rows of one case are adjacent.
    """
    representatives: list[TokenizedRecord] = []
    rep_of: list[int] = []
    run_case: tuple[str, str, str] | None = None
    same_case: list[int] = []
    for record in records:
        if record.ref.case != run_case:
            run_case, same_case = record.ref.case, []
        match = next(
            (i for i in same_case if (representatives[i].kinds, representatives[i].values, representatives[i].features)
             == (record.kinds, record.values, record.features)),
            None,
        )
        if match is None:
            match = len(representatives)
            representatives.append(record)
            same_case.append(match)
        rep_of.append(match)
    return representatives, rep_of


def _check_unique(ordered: Sequence[TokenizedRecord]) -> None:
    for previous, current in zip(ordered, ordered[1:]):
        if previous.ref == current.ref:
            raise ValueError(
                f"registro repetido en la entrada de la vinculación: institución {current.ref.institution}, "
                f"periodo {current.ref.period}, fila {current.ref.source_row}"
            )


def _link_ordered(
    ordered: Sequence[TokenizedRecord], keyring: Keyring, config: LinkageConfig
) -> tuple[list[str], dict[str, float | int]]:
    """The person key of each record (records in ref order), and the counts behind them."""
    representatives, rep_of = _collapse_duplicates(ordered)
    roots, stats = cluster_roots(LinkageInput.from_records(representatives), config)
    person_key: dict[int, str] = {}
    for root in np.unique(roots).tolist():
        person_key[root] = person_key_of(keyring, representatives[root].ref.canonical())
    stats["duplicate_rows"] = len(ordered) - len(representatives)
    return [person_key[int(roots[rep])] for rep in rep_of], stats


def person_key_of(keyring: Keyring, canonical_ref: str) -> str:
    """A person's key: the keyed pseudonym of the earliest record of their cluster (`RecordRef.canonical`)."""
    return pseudonymize(keyring, Purpose.PERSON, "person|" + canonical_ref).value


def cluster_roots(inputs: LinkageInput, config: LinkageConfig = LinkageConfig()) -> tuple[np.ndarray, dict[str, float | int]]:
    """The root of each record's cluster (its earliest record: records are in ref order), and
    the counts behind the clusters."""
    scored = _score_all(inputs, config)
    log2_prior_odds = (estimate_log2_prior_odds(scored.score_values, inputs.n, config, scored.score_counts)
                       if config.estimate_prior else None)
    cutoff = threshold(inputs.n, config, log2_prior_odds)
    accepted = scored.score >= cutoff
    a, b, score = scored.a[accepted], scored.b[accepted], scored.score[accepted]
    stats: dict[str, float | int] = {
        "candidate_pairs": scored.candidates,
        "accepted_pairs": int(accepted.sum()),
        "common_tokens_skipped": scored.common_skipped,
        "shared_documents": len(scored.shared_documents),
        "threshold": cutoff,
    }
    del scored, accepted
    order = np.lexsort((b, a, -score))
    clusters = _Clusters(inputs, config.max_year_spread)
    refused = 0
    for i in order:
        if clusters.union(int(a[i]), int(b[i])) is False:
            refused += 1
    # A cluster's root is its smallest index (`_Clusters.union`), so its earliest record.
    roots = np.fromiter((clusters.find(i) for i in range(inputs.n)), dtype=np.int64, count=inputs.n)
    stats.update(merges_refused=refused, persons=len(np.unique(roots)))
    return roots, stats


def link_records(
    records: Sequence[TokenizedRecord], keyring: Keyring, config: LinkageConfig = LinkageConfig()
) -> LinkageResult:
    """Link records into persons; see the module docstring. Deterministic."""
    ordered = sorted(records, key=lambda r: r.ref.sort_key())
    _check_unique(ordered)
    keys, stats = _link_ordered(ordered, keyring, config)
    return LinkageResult(
        assignment={record.ref: key for record, key in zip(ordered, keys)},
        key_id=keyring.key_id,
        records=len(ordered),
        persons=int(stats["persons"]),
        candidate_pairs=int(stats["candidate_pairs"]),
        accepted_pairs=int(stats["accepted_pairs"]),
        merges_refused=int(stats["merges_refused"]),
        common_tokens_skipped=int(stats["common_tokens_skipped"]),
        duplicate_rows=int(stats["duplicate_rows"]),
        threshold=float(stats["threshold"]),
        shared_documents=int(stats["shared_documents"]),
    )


def link(
    records: Sequence[TokenizedRecord], keyring: Keyring, config: LinkageConfig = LinkageConfig()
) -> dict[RecordRef, str]:
    """Person key of every record (see `link_records` for the counts behind it)."""
    return link_records(records, keyring, config).assignment


def shared_document_values(
    records: Sequence[TokenizedRecord], config: LinkageConfig = LinkageConfig()
) -> frozenset[bytes]:
    """Document token values the records show are held by more than one person (tokens only)."""
    representatives, _ = _collapse_duplicates(sorted(records, key=lambda r: r.ref.sort_key()))
    return _score_all(LinkageInput.from_records(representatives), config).shared_documents


def pair_scores(
    records: Sequence[TokenizedRecord], config: LinkageConfig = LinkageConfig()
) -> list[tuple[RecordRef, RecordRef, float]]:
    """Every candidate pair and its score (refs and numbers only), for diagnostics and tests."""
    representatives, _ = _collapse_duplicates(sorted(records, key=lambda r: r.ref.sort_key()))
    scored = _score_all(LinkageInput.from_records(representatives), config, min_score=-math.inf)
    return [
        (representatives[a].ref, representatives[b].ref, score)
        for a, b, score in zip(scored.a.tolist(), scored.b.tolist(), scored.score.tolist())
    ]
