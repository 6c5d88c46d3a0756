"""Property tests: whatever the microdata, ``protect`` publishes nothing an attacker can pin down."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.defs.publication.sdc import AuditSettings, TableSpec, audit_publication, protect, tabulate

from .sdc_support import attacker_view, integer_intervals, lp_interval, sensitive

DOMAINS = {
    "year": [2024, 2025],
    "department_code": ["00", "11", "16"],
    "sex_code": ["F", "M"],
    "age_band_code": ["A00_11", "A12_17", "A18_24"],
}
MENU = [
    TableSpec("total", ()),
    TableSpec("by_year", ("year",)),
    TableSpec("by_department", ("department_code",)),
    TableSpec("by_year_department", ("year", "department_code")),
    TableSpec("by_department_sex", ("department_code", "sex_code")),
    TableSpec("by_year_sex", ("year", "sex_code")),
    TableSpec("by_sex_age", ("sex_code", "age_band_code")),
    TableSpec("by_department_sex_age", ("department_code", "sex_code", "age_band_code")),
]


@st.composite
def publications(draw: st.DrawFn) -> tuple[pd.DataFrame, list[TableSpec], int]:
    n = draw(st.integers(0, 300))
    skew = draw(st.sampled_from([0.0, 0.6, 0.9]))  # how concentrated persons are (sparse tables)
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    columns = {}
    for attribute, values in DOMAINS.items():
        weights = np.array([1.0] + [1.0 - skew] * (len(values) - 1)) + 1e-3
        columns[attribute] = rng.choice(values, n, p=weights / weights.sum())
    microdata = pd.DataFrame(columns)
    microdata["year"] = microdata["year"].astype(int)
    chosen = draw(st.lists(st.sampled_from(MENU), min_size=1, max_size=5, unique_by=lambda s: s.name))
    k = draw(st.sampled_from([3, 5, 10]))
    return microdata, chosen, k


def used_domains(specs: list[TableSpec]) -> dict[str, list]:
    used = {a for spec in specs for a in spec.grouping}
    return {a: v for a, v in DOMAINS.items() if a in used}


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(publications())
def test_protect_never_publishes_small_counts_and_passes_its_audit(case: tuple) -> None:
    microdata, specs, k = case
    domains = used_domains(specs)
    publication = protect(microdata, specs, k, domains=domains)
    _, truth = tabulate(microdata, specs, domains=domains)
    for spec, true_counts in zip(specs, truth, strict=True):
        table = publication.tables[spec.name]
        published = table.loc[~table["is_withheld"], "count"].astype(int)
        assert not ((published >= 1) & (published <= k - 1)).any()
        assert table.loc[table["is_withheld"], "count"].isna().all()
        assert (
            table.loc[~table["is_withheld"], "count"].to_numpy() == true_counts[~table["is_withheld"].to_numpy()]
        ).all()
        assert table.loc[table["is_withheld"], "withheld_reason"].notna().all()
    assert publication.audit.passed, publication.audit.summary()
    assert len(publication.audit.cells) == sum(int(t["is_withheld"].sum()) for t in publication.tables.values())
    # the standalone audit (what the Dagster check runs on read-back tables) agrees
    assert audit_publication(publication.tables, specs, k, domains=domains).passed


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(publications())
def test_independent_lp_attacker_cannot_narrow_a_withheld_cell(case: tuple) -> None:
    microdata, specs, k = case
    domains = used_domains(specs)
    publication = protect(microdata, specs, k, domains=domains)
    view = attacker_view(publication.tables, specs, domains)
    for cell in view.withheld:
        lower, upper = lp_interval(view, cell)
        assert not (lower >= 1 and upper <= k - 1), f"{cell.table} pinned into 1..k-1"
        if sensitive(cell):
            assert upper - lower >= k, f"{cell.table} {cell.reason}: interval narrower than k"


TINY = {"department_code": ["00", "16", "17"], "sex_code": ["F", "M"]}
TINY_MENU = [
    TableSpec("total", ()),
    TableSpec("by_department", ("department_code",)),
    TableSpec("by_sex", ("sex_code",)),
    TableSpec("by_department_sex", ("department_code", "sex_code")),
]


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(TINY["department_code"]), st.sampled_from(TINY["sex_code"])), max_size=7),
    st.lists(st.sampled_from(TINY_MENU), min_size=2, max_size=4, unique_by=lambda s: s.name),
)
def test_brute_force_integer_attacker_agrees_with_the_audit(persons: list, specs: list) -> None:
    """Tiny cases: every integer table consistent with what was published is enumerated."""
    k = 3
    microdata = pd.DataFrame(persons, columns=["department_code", "sex_code"])
    publication = protect(microdata, specs, k, domains=TINY)
    view = attacker_view(publication.tables, specs, {a: TINY[a] for a in TINY})
    cap = 8  # above any published value (n <= 7): an enumerated max reaching it means unbounded
    audited = {(c.table, tuple(c.group.values())): c for c in publication.audit.cells}
    exact = audit_publication(publication.tables, specs, k, domains=TINY, settings=AuditSettings(exact_bounds=True))
    exact_cells = {(c.table, tuple(c.group.values())): c for c in exact.cells}
    assert len(exact_cells) == len(view.withheld)
    for cell, (lower, upper) in zip(view.withheld, integer_intervals(view, cap), strict=True):
        true_upper = np.inf if upper >= cap else upper
        assert not (lower >= 1 and true_upper <= k - 1)
        if sensitive(cell):
            assert true_upper - lower >= k
        # witnessed bounds lie inside the attacker's range; exact ones are that range
        reported = audited[(cell.table, cell.group)]
        assert lower <= reported.lower <= reported.upper <= true_upper
        solved = exact_cells[(cell.table, cell.group)]
        assert (solved.lower, solved.upper) == (lower, true_upper)
        assert solved.exact and solved.integer_checked


CUBE = {"a": ["0", "1"], "b": ["0", "1"], "c": ["0", "1"]}
CUBE_MENU = [
    TableSpec("total", ()),
    TableSpec("ab", ("a", "b")),
    TableSpec("bc", ("b", "c")),
    TableSpec("ac", ("a", "c")),
    TableSpec("a", ("a",)),
    TableSpec("c", ("c",)),
]


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(*(st.sampled_from(v) for v in CUBE.values())), max_size=4),
    st.lists(st.sampled_from(CUBE_MENU), min_size=2, max_size=4, unique_by=lambda s: s.name),
)
def test_brute_force_on_chains_and_cycles_of_tables(persons: list, specs: list) -> None:
    """Three attributes: chains (ab, bc) split into cliques; the cycle (ab, bc, ac), whose LP
    relaxation is famously not integral, is triangulated. Exact bounds must equal the integers'."""
    k = 3
    microdata = pd.DataFrame(persons, columns=list(CUBE))
    publication = protect(microdata, specs, k, domains=CUBE)
    assert publication.audit.passed
    view = attacker_view(publication.tables, specs, CUBE)
    cap = 5  # above any published value (n <= 4)
    exact = audit_publication(publication.tables, specs, k, domains=CUBE, settings=AuditSettings(exact_bounds=True))
    solved = {(c.table, tuple(c.group.values())): c for c in exact.cells}
    for cell, (lower, upper) in zip(view.withheld, integer_intervals(view, cap), strict=True):
        true_upper = np.inf if upper >= cap else upper
        if sensitive(cell):
            assert true_upper - lower >= k
        found = solved[(cell.table, cell.group)]
        assert (found.lower, found.upper) == (lower, true_upper)


def test_junction_cliques_split_chains_and_keep_cycles_whole() -> None:
    from etl.defs.publication.sdc.cellspace import junction_cliques

    sizes = {"a": 10, "b": 10, "c": 10, "d": 10}
    chain = junction_cliques("abcd", [frozenset("ab"), frozenset("bc"), frozenset("cd")], sizes)
    assert sorted(chain) == [("a", "b"), ("b", "c"), ("c", "d")]
    square = junction_cliques("abcd", [frozenset("ab"), frozenset("bc"), frozenset("cd"), frozenset("da")], sizes)
    assert all(len(c) == 3 for c in square) and len(square) == 2  # one chord added
    triangle = junction_cliques("abc", [frozenset("ab"), frozenset("bc"), frozenset("ac")], sizes)
    assert triangle == [("a", "b", "c")]  # cliques no smaller than the cross product: kept whole


SQUARE = {"a": ["0", "1", "2"], "b": ["0", "1"], "c": ["0", "1", "2"], "d": ["0", "1"]}
SQUARE_MENU = [
    TableSpec("total", ()),
    TableSpec("ab", ("a", "b")),
    TableSpec("bc", ("b", "c")),
    TableSpec("cd", ("c", "d")),
    TableSpec("da", ("d", "a")),
    TableSpec("a", ("a",)),
    TableSpec("c", ("c",)),
]


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(*(st.sampled_from(v) for v in SQUARE.values())), max_size=60),
    st.lists(st.sampled_from(SQUARE_MENU), min_size=2, max_size=6, unique_by=lambda s: s.name),
)
def test_cliques_give_the_same_lp_bounds_as_the_full_cross_product(persons: list, specs: list) -> None:
    """Chains and the square a-b-c-d-a split into cliques; the LP over them must bound every
    withheld cell exactly as the LP over all 36 finest cells does (Vorob'ev)."""
    microdata = pd.DataFrame(persons, columns=list(SQUARE))
    publication = protect(microdata, specs, 5, domains=SQUARE)
    lp_only = AuditSettings(exact_bounds=True, integer_check_max_classes=0)
    report = audit_publication(publication.tables, specs, 5, domains=SQUARE, settings=lp_only)
    solved = {(c.table, tuple(c.group.values())): c for c in report.cells}
    view = attacker_view(publication.tables, specs, SQUARE)
    for cell in view.withheld:
        found = solved[(cell.table, cell.group)]
        assert (found.lower, found.upper) == lp_interval(view, cell)
