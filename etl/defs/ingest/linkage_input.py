"""Global linkage of every record in force, for a million records and more, in bounded memory.

`etl.defs.load.linking.link_in_force` builds a `TokenizedRecord` per record (its ~35 tokens as
Python objects, then packed): about 600 bytes a record before linkage even starts, and linkage
then sorts every token. Here PostgreSQL does the bookkeeping and Python receives arrays only,
packed by PostgreSQL into a few large values (`etl.infra.packed_rows`):

1. `link_record`, a temporary table numbering the records in ref order (`RecordRef.sort_key`,
   byte order as Python compares these ASCII codes) and their cases;
2. per record: coarse features as codes;
3. exact duplicate rows of one case (same tokens, same features): their representative;
4. every token with its record number, sorted by value by PostgreSQL, reduced part by part as
   it arrives to token groups (`TokenGroupBuilder`: per token only its record number, 4 bytes;
   value and kind once per group). Which kinds of identifier a record has, and its document,
   follow from its tokens.

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
    TokenGroupBuilder,
    cluster_roots,
    person_key_of,
    record_flags,
)
from etl.defs.privacy.pseudonym import TOKEN_BYTES
from etl.defs.privacy.staging_rows import UNKNOWN_DEPARTMENT
from etl.defs.privacy.tokens import KIND_NAMES, KINDS, RecordRef
from etl.infra.packed_rows import BUCKET_ROWS, fetch_packed, iter_packed

FETCH_ROWS = 10_000
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

# One scan: how many tokens, and whether any is not what staging writes (a kind linkage does not
# know, or not 16 characters; a character that is not hex makes decode() fail the query).
_TOKEN_COUNTS = """
SELECT count(*), count(*) FILTER (WHERE token_kind <> ALL(%(kinds)s) OR length(token) <> 16)
FROM staging.match_token WHERE extract_id = ANY(%(ids)s)
"""

_RECORD_FIELDS = [
    ("idx", ">i4", "i4"), ("case_idx", ">i4", "i8"), ("extract_id", ">i4", "i8"), ("source_row", ">i4", "i8"),
    ("sex", ">i2", "i1"), ("department", ">i4", "i4"), ("low", ">i4", "i4"), ("high", ">i4", "i4"),
]
_RECORDS = f"""
SELECT string_agg(int4send(idx) || int4send(case_idx) || int4send(extract_id) || int4send(source_row)
                  || int2send(sex) || int4send(department) || int4send(low) || int4send(high), ''::bytea ORDER BY idx)
FROM (
    SELECT r.idx, r.case_idx, r.extract_id, r.source_row,
           (CASE r.sex_code WHEN 'F' THEN 1 WHEN 'M' THEN 2 ELSE 0 END)::int2 AS sex,
           (CASE WHEN r.department_code = '{UNKNOWN_DEPARTMENT}' THEN 0
                 ELSE dense_rank() OVER (ORDER BY r.department_code COLLATE "C") END)::int4 AS department,
           (CASE WHEN r.birth_year_min IS NOT NULL AND r.birth_year_max IS NOT NULL
                 THEN r.birth_year_min ELSE -1 END)::int4 AS low,
           (CASE WHEN r.birth_year_min IS NOT NULL AND r.birth_year_max IS NOT NULL
                 THEN r.birth_year_max ELSE -1 END)::int4 AS high
    FROM link_record r
) x
GROUP BY idx / {BUCKET_ROWS} ORDER BY idx / {BUCKET_ROWS}
"""

# Rows of one case with the same tokens and features stand for one record (`_collapse_duplicates`).
_DUPLICATE_FIELDS = [("idx", ">i4", "i8"), ("rep", ">i4", "i8")]
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
# Every token with its record, sorted by value (then record) by PostgreSQL: in buckets of the
# first three hex digits, each sorted inside, the buckets in order. Python then holds the sorted
# arrays once, never an unsorted copy beside them.
_TOKENS = f"""
SELECT string_agg(decode(m.token, 'hex') || int2send(k.kind_index::int2) || int4send(r.idx), ''::bytea
                  ORDER BY m.token COLLATE "C", r.idx)
FROM staging.match_token m
JOIN link_record r USING (extract_id, source_row)
JOIN {_KINDS_SQL} USING (token_kind)
WHERE m.extract_id = ANY(%(ids)s)
GROUP BY substr(m.token, 1, 3) COLLATE "C" ORDER BY substr(m.token, 1, 3) COLLATE "C"
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


def _token_count(conn: sa.Connection, params: dict) -> int:
    driver = conn.connection.driver_connection
    two = driver.execute(_TWO_EXTRACTS).fetchone()
    if two is not None:
        raise RuntimeError(f"dos extractos vigentes para {two[0]} {two[1]}: no se puede enlazar")
    count, invalid = driver.execute(_TOKEN_COUNTS, {**params, "kinds": list(KIND_NAMES)}).fetchone()
    if invalid:
        raise ValueError(f"{invalid} tokens de coincidencia inválidos en staging (tipo desconocido o mal formados)")
    return int(count)


def link_in_force_streamed(conn: sa.Connection, extract_ids: list[int], keyring: Keyring) -> PersonAssignment:
    """Same contract and result as `etl.defs.load.linking.link_in_force`, in a fraction of the memory."""
    params = {"ids": list(extract_ids)}
    driver = conn.connection.driver_connection
    driver.execute("DROP TABLE IF EXISTS link_record")
    driver.execute(_NUMBER_RECORDS, params)
    driver.execute("CREATE UNIQUE INDEX ON link_record (extract_id, source_row)")
    driver.execute("ANALYZE link_record")
    token_count = _token_count(conn, params)

    n = driver.execute("SELECT count(*) FROM link_record").fetchone()[0]
    records = fetch_packed(conn, _RECORDS, _RECORD_FIELDS, params, expected_rows=n)
    if not np.array_equal(records["idx"], np.arange(n)):
        raise RuntimeError("numeración de registros inesperada")
    rep_of = np.arange(n, dtype=np.int64)
    duplicates = fetch_packed(conn, _DUPLICATES, _DUPLICATE_FIELDS)
    rep_of[duplicates["idx"]] = duplicates["rep"]
    is_rep = rep_of == np.arange(n)
    rank = np.cumsum(is_rep) - 1  # a representative's index among representatives
    r = int(is_rep.sum())

    driver.execute(_SORT_MEMORY)
    # Each part is reduced as it arrives (`TokenGroupBuilder`): per token only its record is kept.
    builder = TokenGroupBuilder(token_count)
    for part in iter_packed(conn, _TOKENS, _TOKEN_FIELDS, params):
        idx = part["idx"]
        held = is_rep[idx]  # tokens of collapsed duplicate rows are not the linkage's
        builder.add(part["value"][held], rank[idx[held]], part["kind"][held])
    tokens = builder.finish()
    del builder  # it holds the parts finish() joined, and the token records' buffer
    features = {"sex": records["sex"][is_rep], "department": records["department"][is_rep],
                "low": records["low"][is_rep], "high": records["high"][is_rep]}
    inputs = LinkageInput(r, tokens, record_flags(tokens, r), RecordDocuments.of(tokens, r),
                          features, records["case_idx"][is_rep])
    del tokens
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
    return ArrayAssignment(records["extract_id"], records["source_row"], person, keys, keyring.key_id)
