"""The estimate() contract: input validation, refusals with reasons, JSON shape, invariances."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.defs.estimation import CaptureHistoryError, MSEResult, assumptions_es, capture_table, estimate

DATA = Path(__file__).parent / "data"
LISTS = ["MP", "PN", "MINNA", "MINMUJER"]
NUMBER_FIELDS = ("estimate", "ci_lower", "ci_upper", "hidden_estimate")


def histories(rows: list[tuple[int, int, int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*LISTS, "count"])


def assert_unavailable(result: MSEResult, code: str) -> None:
    assert not result.available
    assert result.reason_code == code
    assert result.reason  # plain-Spanish explanation
    assert all(getattr(result, f) is None for f in NUMBER_FIELDS)
    payload = result.to_json_dict()
    assert all(payload[f] is None for f in NUMBER_FIELDS)
    assert "profile_interval" not in payload["diagnostics"]
    assert "wald_log_interval" not in payload["diagnostics"]


def test_lists_that_never_overlap_have_no_estimate() -> None:
    frame = histories([(1, 0, 0, 0, 30), (0, 1, 0, 0, 20), (0, 0, 1, 0, 10), (0, 0, 0, 1, 5)])
    for method in ("stepwise", "bic"):
        assert_unavailable(estimate(frame, method), "mle_does_not_exist")


def test_no_observations_and_a_single_list_with_cases_are_refused() -> None:
    assert_unavailable(estimate(histories([(1, 0, 0, 0, 0), (0, 1, 0, 0, 0)])), "no_observations")
    assert_unavailable(estimate(histories([(1, 0, 0, 0, 12)])), "too_few_lists")


def test_barely_overlapping_lists_give_an_interval_too_wide_to_publish() -> None:
    frame = histories([(1, 0, 0, 0, 40), (0, 1, 0, 0, 35), (1, 1, 0, 0, 1)])
    assert_unavailable(estimate(frame), "interval_too_wide")


def test_an_empty_institution_is_dropped_and_reported() -> None:
    rng = np.random.default_rng(3)
    counts = rng.poisson(30, size=7)
    rows = [(c & 1, c >> 1 & 1, c >> 2 & 1, 0, int(n)) for c, n in zip(range(1, 8), counts, strict=True)]
    result = estimate(histories(rows))
    assert result.available
    assert result.diagnostics["lists_dropped_empty"] == ["MINMUJER"]
    assert result.diagnostics["lists_used"] == ["MP", "PN", "MINNA"]
    assert result.lists == LISTS


def test_missing_combinations_are_zero_and_repeated_rows_add_up() -> None:
    full = pd.read_csv(DATA / "korea.csv")
    reordered = full.sample(frac=1.0, random_state=1)
    split = pd.concat([full.assign(count=full["count"] // 2), full.assign(count=full["count"] - full["count"] // 2)])
    without_zero_rows = full[full["count"] > 0]
    reference = estimate(full)
    for variant in (reordered, split, without_zero_rows):
        other = estimate(variant)
        assert other.estimate == pytest.approx(reference.estimate, rel=1e-10)
        assert other.ci_upper == pytest.approx(reference.ci_upper, rel=1e-8)


def test_result_fields_and_json_round_trip() -> None:
    result = estimate(pd.read_csv(DATA / "western.csv"), "stepwise")
    assert result.available and result.reason is None
    assert result.observed == 345
    assert result.hidden_estimate == pytest.approx(result.estimate - result.observed)
    assert result.ci_lower < result.estimate < result.ci_upper
    assert result.model == ["A:E"] and result.method == "stepwise"
    payload = json.loads(json.dumps(result.to_json_dict(), allow_nan=False))
    for key in ("estimate", "ci_lower", "ci_upper", "model", "method", "available", "reason", "observed"):
        assert key in payload
    diagnostics = payload["diagnostics"]
    assert diagnostics["existence"]["code"] == 0
    assert diagnostics["converged"] is True
    assert diagnostics["iterations"] >= 1
    assert diagnostics["coefficients"]["A:E"]["p_value"] < 0.02
    assert diagnostics["selection_trace"][0]["added"] == "A:E"


def test_non_overlapping_pairs_in_a_chosen_model_are_reported_at_minus_infinity() -> None:
    # New Orleans 8 lists: the main-effects model leaves 18 pairs without overlap; none is chosen,
    # but candidates are evaluated with their cells removed (extended MLE).
    result = estimate(pd.read_csv(DATA / "new_orleans_sparsemse.csv"), "stepwise", pthresh=1.0)
    assert result.diagnostics["neg_inf_terms"], "full two-list model fixes never-overlapping pairs at -inf"
    assert all(result.diagnostics["coefficients"][t]["estimate"] is None for t in result.diagnostics["neg_inf_terms"])


@pytest.mark.parametrize(
    ("frame", "fragment"),
    [
        (pd.DataFrame({"MP": [1], "PN": [0]}), "falta la columna 'count'"),
        (pd.DataFrame({"MP": [1], "count": [3]}), "al menos dos columnas"),
        (pd.DataFrame({"MP": [1, 2], "PN": [0, 1], "count": [3, 4]}), "fila 2, columna 'MP'"),
        (pd.DataFrame({"MP": [1, 0], "PN": [0, 1], "count": [3, -4]}), "fila 2, columna 'count'"),
        (pd.DataFrame({"MP": [1, 0], "PN": [0, 1], "count": [3, 2.5]}), "fila 2, columna 'count'"),
        (pd.DataFrame({"MP": [1, 0], "PN": [0, 0], "count": [3, 7]}), "fila 2"),
    ],
)
def test_bad_tables_name_row_and_column_never_the_value(frame: pd.DataFrame, fragment: str) -> None:
    with pytest.raises(CaptureHistoryError) as raised:
        estimate(frame)
    message = str(raised.value)
    assert fragment in message
    assert "2.5" not in message and "-4" not in message


def test_bad_arguments_raise_value_errors() -> None:
    frame = pd.read_csv(DATA / "korea.csv")
    with pytest.raises(ValueError, match="método"):
        estimate(frame, "lasso")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="alpha"):
        estimate(frame, alpha=1.5)
    with pytest.raises(ValueError, match="bic"):
        estimate(pd.read_csv(DATA / "new_orleans_mse.csv"), "bic")


def test_alpha_controls_the_interval_level() -> None:
    frame = pd.read_csv(DATA / "kosovo.csv")
    wide, narrow = estimate(frame, alpha=0.05), estimate(frame, alpha=0.20)
    assert wide.ci_lower < narrow.ci_lower < narrow.ci_upper < wide.ci_upper


def test_four_list_estimates_are_fast() -> None:
    import time

    frame = pd.read_csv(DATA / "kosovo.csv")
    for method in ("stepwise", "bic"):
        started = time.perf_counter()
        estimate(frame, method)
        assert time.perf_counter() - started < 1.0


def test_capture_table_round_trip_keeps_counts() -> None:
    table = capture_table(pd.read_csv(DATA / "uk_2013.csv"))
    again = capture_table(table.to_frame())
    assert again.list_names == table.list_names
    np.testing.assert_array_equal(again.counts, table.counts)


def test_assumptions_text_covers_the_four_assumptions_in_spanish() -> None:
    text = assumptions_es()
    headings = ("Población cerrada", "Dependencia entre registros", "Probabilidades de registro", "Identificación")
    for heading in headings:
        assert heading in text
