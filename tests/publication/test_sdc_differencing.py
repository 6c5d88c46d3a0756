"""Differencing: nested dashboard values must not differ by a small count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.defs.publication.sdc import (
    FilterDimension,
    TableSpec,
    check_differences,
    check_revisions,
    compose_from_table,
    enumerate_queries,
    evaluate_queries,
    protect,
)

MONTHS = FilterDimension("month", tuple(range(1, 7)), kind="range")
SEX = FilterDimension("sex_code", ("F", "M"), kind="choice")


def microdata(per_month: list[int], boys: int = 0) -> pd.DataFrame:
    months = [m for m, n in enumerate(per_month, start=1) for _ in range(n)]
    sex = ["M"] * boys + ["F"] * (len(months) - boys)
    return pd.DataFrame({"month": months, "sex_code": sex})


def test_query_enumeration_counts_ranges_and_choices() -> None:
    queries, truncated = enumerate_queries([MONTHS, SEX])
    assert len(queries) == 21 * 3 and not truncated  # 6*7/2 ranges x (all, F, M)
    capped, truncated = enumerate_queries([MONTHS, SEX], max_queries=10)
    assert len(capped) == 10 and truncated


def test_unsafe_cumulative_values_are_caught() -> None:
    # Jan-Jun minus Jan-May = June = 3 persons: both cumulative values are large.
    data = microdata([20, 15, 12, 18, 11, 3])
    cumulative = [q for q in enumerate_queries([MONTHS])[0] if q.selected("month")[0] == 1]
    values = evaluate_queries(data, cumulative)
    assert min(values.values()) >= 10
    report = check_differences(values, [MONTHS], k=10)
    assert not report.passed
    pairs = {(v.larger.describe([MONTHS]), v.smaller.describe([MONTHS])) for v in report.violations}
    assert ("(all)", "month=1..5") in pairs
    assert report.pairs_checked == 15  # the 6 cumulative values nest in 15 pairs
    assert all("3" not in v.describe([MONTHS]).split("is a count")[1] for v in report.violations)


def test_all_minus_girls_is_caught() -> None:
    data = microdata([30, 30, 30, 30, 30, 30], boys=4)
    queries, _ = enumerate_queries([MONTHS, SEX])
    values = evaluate_queries(data, queries)
    report = check_differences({q: (v if v >= 10 else None) for q, v in values.items()}, [MONTHS, SEX], k=10)
    assert any(
        v.smaller is not None
        and v.larger.selected("sex_code") == ("F", "M")
        and v.smaller.selected("sex_code") == ("F",)
        for v in report.violations
    )


def test_values_composed_from_a_protected_table_pass() -> None:
    rng = np.random.default_rng(11)
    data = pd.DataFrame({"month": rng.integers(1, 7, 220), "sex_code": rng.choice(["F", "M"], 220, p=[0.7, 0.3])})
    publication = protect(data, [TableSpec("month_sex", ("month", "sex_code"))], k=10)
    table = publication.tables["month_sex"]
    queries, _ = enumerate_queries([MONTHS, SEX])
    shown = {q: compose_from_table(table, q) for q in queries}
    assert any(v is None for v in shown.values()) and any(v is not None for v in shown.values())
    report = check_differences(shown, [MONTHS, SEX], k=10)
    assert report.passed and report.pairs_checked > 0


def test_the_pair_cap_is_reported() -> None:
    data = microdata([20, 20, 20, 20, 20, 20])
    queries, _ = enumerate_queries([MONTHS, SEX])
    report = check_differences(evaluate_queries(data, queries), [MONTHS, SEX], k=10, max_pairs=5)
    assert report.truncated and report.pairs_checked == 5 and not report.passed


def test_small_revisions_are_flagged() -> None:
    queries, _ = enumerate_queries([MONTHS])
    before = evaluate_queries(microdata([20, 15, 12, 18, 11, 30]), queries)
    after = evaluate_queries(microdata([20, 15, 14, 18, 11, 30]), queries)  # two late registrations in March
    flagged = check_revisions(before, after, k=10)
    assert flagged and all(3 in q.selected("month") for q in flagged)
