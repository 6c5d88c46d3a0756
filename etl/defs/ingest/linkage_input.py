"""Global linkage of every record in force, for a million records and more, in bounded memory.

`etl.defs.load.linking.link_in_force` builds a `TokenizedRecord` per record (its ~35 tokens as
Python objects, then packed): about 600 bytes a record before linkage even starts, and linkage
then sorts every token. Here PostgreSQL does the bookkeeping and Python receives arrays only,
packed by PostgreSQL into a few large values (`etl.infra.packed_rows`):

1. `link_record`, a temporary table numbering the records in ref order (`RecordRef.sort_key`,
   byte order as Python compares these ASCII codes) and their cases;
2. per record: coarse features as codes, which kinds of token it has, its document token;
3. exact duplicate rows of one case (same tokens, same features): their representative;
4. every token with its record number, sorted by value by PostgreSQL (binary COPY into arrays
   allocated once: Python holds no unsorted copy).

The linkage is then the same code as for `TokenizedRecord`s (`LinkageInput` → `cluster_roots`),
so the persons are the ones `link_in_force` finds (tests/benchmarks/test_stream_equivalence.py).
Person keys are computed streaming the records in order, and kept as bytes in an array.
Nothing here reads a personal value: staging holds tokens and codes only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import sqlalchemy as sa

from etl.defs.load.core_load import PersonAssignment
from etl.defs.privacy.keys import Keyring, Purpose
from etl.defs.privacy.linkage import (
    LinkageInput,
    RecordDocuments,
    cluster_roots,
    person_key_of,
    record_flags,
    sorted_token_groups,
)
from etl.defs.privacy.pseudonym import TOKEN_BYTES
from etl.defs.privacy.tokens import KIND_NAMES, KINDS, RecordRef
from etl.infra.packed_rows import BUCKET_ROWS, copy_fixed_rows, fetch_packed

FETCH_ROWS = 10_000
UNKNOWN_DEPARTMENT = "99"
_KINDS_SQL = "(VALUES " + ", ".join(
    f"('{name}', {i}, {'true' if KINDS[name].group == 'doc' else 'false'})" for i, name in enumerate(KIND_NAMES)
) + ") AS k(token_kind, kind_index, is_doc)"

_NUMBER_RECORDS = """
CREATE TEMP TABLE link_record ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY period_code COLLATE "C", institution_code COLLATE "C",
                                    source_key_token COLLATE "C", source_row) - 1)::int4 AS idx,
       (dense_rank() OVER (ORDER BY period_code COLLATE "C", institution_code COLLATE "C",
                                   source_key_token COLLATE "C") - 1)::int4 AS case_idx,
       extract_id, source_row, institution_code, period_code, source_key_token,
       sex_code, department_code, birth_year_min, birth_year_max
FROM staging.victim_record WHERE extract_id = ANY(%(ids)s)
"""

_TWO_EXTRACTS = """
SELECT institution_code, period_code FROM link_record
GROUP BY institution_code, period_code HAVING count(DISTINCT extract_id) > 1 LIMIT 1
"""

_BAD_TOKENS = f"""
SELECT count(*) FILTER (WHERE k.kind_index IS NULL) AS unknown_kinds,
       count(*) FILTER (WHERE m.token !~ '^[0-9a-f]{{16}}$') AS malformed
FROM staging.match_token m LEFT JOIN {_KINDS_SQL} USING (token_kind)
WHERE m.extract_id = ANY(%(ids)s)
"""

_RECORD_FIELDS = [
    ("idx", ">i4"), ("case_idx", ">i4"), ("extract_id", ">i4"), ("source_row", ">i4"), ("sex", ">i2"),
    ("department", ">i4"), ("low", ">i4"), ("high", ">i4"), ("kinds", ">i4"), ("doc_kind", ">i2"),
    ("doc_value", "<u8"),
]
_RECORDS = f"""
SELECT string_agg(int4send(idx) || int4send(case_idx) || int4send(extract_id) || int4send(source_row)
                  || int2send(sex) || int4send(department) || int4send(low) || int4send(high) || int4send(kinds)
                  || int2send(doc_kind) || doc_value, ''::bytea ORDER BY idx)
FROM (
    SELECT r.idx, r.case_idx, r.extract_id, r.source_row,
           (CASE r.sex_code WHEN 'F' THEN 1 WHEN 'M' THEN 2 ELSE 0 END)::int2 AS sex,
           (CASE WHEN r.department_code = '{UNKNOWN_DEPARTMENT}' THEN 0
                 ELSE dense_rank() OVER (ORDER BY r.department_code COLLATE "C") END)::int4 AS department,
           (CASE WHEN r.birth_year_min IS NOT NULL AND r.birth_year_max IS NOT NULL
                 THEN r.birth_year_min ELSE -1 END)::int4 AS low,
           (CASE WHEN r.birth_year_min IS NOT NULL AND r.birth_year_max IS NOT NULL
                 THEN r.birth_year_max ELSE -1 END)::int4 AS high,
           coalesce(t.kinds, 0)::int4 AS kinds, coalesce(t.doc_kind, -1)::int2 AS doc_kind,
           coalesce(decode(t.doc_token, 'hex'), '\\x0000000000000000'::bytea) AS doc_value
    FROM link_record r
    LEFT JOIN (
        SELECT m.extract_id, m.source_row, bit_or(1 << k.kind_index) AS kinds,
               max(k.kind_index) FILTER (WHERE k.is_doc) AS doc_kind,
               max(m.token) FILTER (WHERE k.is_doc) AS doc_token
        FROM staging.match_token m JOIN {_KINDS_SQL} USING (token_kind)
        WHERE m.extract_id = ANY(%(ids)s)
        GROUP BY m.extract_id, m.source_row
    ) t USING (extract_id, source_row)
) x
GROUP BY idx / {BUCKET_ROWS} ORDER BY idx / {BUCKET_ROWS}
"""

# Rows of one case with the same tokens and features stand for one record (`_collapse_duplicates`).
_DUPLICATE_FIELDS = [("idx", ">i4"), ("rep", ">i4")]
_DUPLICATES = """
SELECT string_agg(int4send(idx) || int4send(rep), ''::bytea) FROM (
    SELECT d.idx, min(d.idx) OVER (PARTITION BY d.case_idx, d.sex_code, d.department_code, d.birth_year_min,
                                                d.birth_year_max, d.tokens) AS rep
    FROM (
        SELECT r.idx, r.case_idx, r.sex_code, r.department_code, r.birth_year_min, r.birth_year_max,
               (SELECT string_agg(m.token_kind || ':' || m.token, ',' ORDER BY m.token_kind, m.token)
                FROM staging.match_token m WHERE m.extract_id = r.extract_id AND m.source_row = r.source_row) AS tokens
        FROM link_record r
        WHERE r.case_idx IN (SELECT case_idx FROM link_record GROUP BY case_idx HAVING count(*) > 1)
    ) d
) x WHERE rep <> idx
"""

_TOKEN_FIELDS = [("value", "<u8", "<u8"), ("kind", ">i2", "u1"), ("idx", ">i4", "i4")]
# Every token, grouped by value (PostgreSQL sorts them, on disk if need be: Python then holds the
# sorted arrays once, instead of the arrays and their sorted copies).
_TOKENS = f"""
SELECT ('x' || m.token)::bit(64)::int8, k.kind_index::int2, r.idx
FROM staging.match_token m
JOIN link_record r USING (extract_id, source_row)
JOIN {_KINDS_SQL} USING (token_kind)
WHERE m.extract_id = ANY(%(ids)s)
ORDER BY m.token COLLATE "C", r.idx
"""
# Sorting tens of millions of tokens: memory of the server's, for this transaction only.
_SORT_MEMORY = "SET LOCAL work_mem = '256MB'"

_REFS = "SELECT idx, institution_code, period_code, source_key_token, source_row FROM link_record ORDER BY idx"


class ArrayAssignment(Mapping[tuple[int, int], tuple[str, str]]):
    """A PersonAssignment held as arrays: a dict of a million tuples cost ~200 MB."""

    def __init__(self, extract_ids: np.ndarray, source_rows: np.ndarray, person: np.ndarray, keys: np.ndarray,
                 key_id: str) -> None:
        # record i: (extract_ids[i], source_rows[i]) -> keys[person[i]]
        self._extract_ids, self._source_rows, self._person, self._keys = extract_ids, source_rows, person, keys
        self._key_id = key_id
        self._index: dict[tuple[int, int], int] | None = None

    def __len__(self) -> int:
        return len(self._person)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._extract_ids.tolist(), self._source_rows.tolist())

    def items(self):  # what the load reads, in one pass: no index built
        keys = self._keys
        for ref, person in zip(self, self._person.tolist()):
            yield ref, (keys[person].decode("ascii"), self._key_id)

    def __getitem__(self, ref: tuple[int, int]) -> tuple[str, str]:
        if self._index is None:
            self._index = {r: i for i, r in enumerate(self)}
        return self._keys[self._person[self._index[ref]]].decode("ascii"), self._key_id


def _kind_pairs(kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(record, kind) of every kind in each record's bit mask."""
    recs, found = [], []
    for index in range(len(KIND_NAMES)):
        holders = np.flatnonzero((kinds >> index) & 1)
        recs.append(holders)
        found.append(np.full(len(holders), index, dtype=np.uint8))
    return np.concatenate(recs), np.concatenate(found)


def _check_tokens(conn: sa.Connection, params: dict) -> None:
    driver = conn.connection.driver_connection
    two = driver.execute(_TWO_EXTRACTS).fetchone()
    if two is not None:
        raise RuntimeError(f"dos extractos vigentes para {two[0]} {two[1]}: no se puede enlazar")
    unknown, malformed = driver.execute(_BAD_TOKENS, params).fetchone()
    if unknown or malformed:
        raise ValueError(f"tokens de coincidencia inválidos en staging: {unknown} de tipo desconocido, "
                         f"{malformed} mal formados")


def link_in_force_streamed(conn: sa.Connection, extract_ids: list[int], keyring: Keyring) -> PersonAssignment:
    """Same contract and result as `etl.defs.load.linking.link_in_force`, in a fraction of the memory."""
    params = {"ids": list(extract_ids)}
    driver = conn.connection.driver_connection
    driver.execute("DROP TABLE IF EXISTS link_record")
    driver.execute(_NUMBER_RECORDS, params)
    driver.execute("CREATE UNIQUE INDEX ON link_record (extract_id, source_row)")
    driver.execute("ANALYZE link_record")
    _check_tokens(conn, params)

    n = driver.execute("SELECT count(*) FROM link_record").fetchone()[0]
    records = fetch_packed(conn, _RECORDS, _RECORD_FIELDS, params, expected_rows=n)
    if not np.array_equal(records["idx"], np.arange(n)):
        raise RuntimeError("numeración de registros inesperada")
    rep_of = np.arange(n, dtype=np.int64)
    duplicates = fetch_packed(conn, _DUPLICATES, _DUPLICATE_FIELDS)
    rep_of[duplicates["idx"]] = duplicates["rep"]
    is_rep = rep_of == np.arange(n)
    rank = np.cumsum(is_rep) - 1  # a representative's index among representatives
    reps = records[is_rep]
    r = len(reps)

    token_count = driver.execute(
        "SELECT count(*) FROM staging.match_token WHERE extract_id = ANY(%(ids)s)", params).fetchone()[0]
    driver.execute(_SORT_MEMORY)
    columns = copy_fixed_rows(conn, _TOKENS, _TOKEN_FIELDS, token_count, params)
    value, kind, idx = columns["value"], columns["kind"], columns["idx"]
    del columns
    if not is_rep.all():  # tokens of collapsed duplicate rows are not the linkage's
        held = is_rep[idx]
        value, kind, idx = value[held], kind[held], idx[held]
    rec = rank[idx]
    del idx
    tokens = sorted_token_groups(value, rec, kind)
    del value, rec, kind
    flag_recs, flag_kinds = _kind_pairs(reps["kinds"])
    documents = RecordDocuments(reps["doc_kind"].astype(np.int16), reps["doc_value"].astype(np.uint64))
    features = {"sex": reps["sex"].astype(np.int8), "department": reps["department"].astype(np.int32),
                "low": reps["low"].astype(np.int32), "high": reps["high"].astype(np.int32)}
    inputs = LinkageInput(r, tokens, record_flags(flag_recs, flag_kinds, r), documents, features,
                          reps["case_idx"].astype(np.int64))
    del flag_recs, flag_kinds, tokens
    roots, _ = cluster_roots(inputs)
    del inputs

    # Person keys, records in order: a root is its cluster's earliest record, so its key is
    # made before any other record of the cluster asks for it.
    keys = np.zeros(r, dtype=f"S{2 * TOKEN_BYTES[Purpose.PERSON]}")  # hex
    is_root = roots == np.arange(r)
    result = conn.execute(sa.text(_REFS), execution_options={"stream_results": True, "yield_per": FETCH_ROWS})
    for row in result:
        if is_rep[row.idx] and is_root[rank[row.idx]]:
            ref = RecordRef(row.institution_code, row.period_code, row.source_key_token, row.source_row)
            keys[rank[row.idx]] = person_key_of(keyring, ref.canonical()).encode("ascii")
    driver.execute("DROP TABLE link_record")
    person = roots[rank[rep_of]]
    return ArrayAssignment(records["extract_id"].astype(np.int64), records["source_row"].astype(np.int64), person,
                           keys, keyring.key_id)
