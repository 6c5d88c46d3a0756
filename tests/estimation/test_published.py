"""Reproduce published multiple systems estimates (sources in data/README.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl.defs.estimation import capture_table, estimate
from etl.defs.estimation.loglinear import check_existence, fit_model, pair_terms, statsmodels_fit
from etl.defs.estimation.selection import bic_select, hierarchical_models, stepwise_select

DATA = Path(__file__).parent / "data"


def table(name: str):
    return capture_table(pd.read_csv(DATA / name))


def pair(names: tuple[str, ...], a: str, b: str) -> int:
    return (1 << names.index(a)) | (1 << names.index(b))


@pytest.mark.parametrize(
    ("interactions", "code"),
    [
        ((), 0),
        (("AB",), 1),
        (("AC",), 0),
        (("BC",), 0),
        (("AB", "AC"), 1),
        (("AB", "BC"), 1),
        (("AC", "BC"), 0),
        (("AB", "AC", "BC"), 2),
    ],
)
def test_artificial_3_existence_and_identifiability_codes(interactions: tuple[str, ...], code: int) -> None:
    # CSV (2021) Table 3: 1 = no extended MLE (LP check), 2 = not identifiable.
    t = table("artificial_3.csv")
    terms = tuple(pair(t.list_names, p[0], p[1]) for p in interactions)
    assert check_existence(t, terms).code == code


def test_korea_stepwise_matches_mse_vignette_to_printed_precision() -> None:
    selection = stepwise_select(table("korea.csv"), 0.02)
    model = selection.model
    assert model.hierarchy() == "[12,3]"
    assert model.term_names() == ["b:c"]
    assert model.estimate == pytest.approx(268.7778, abs=5e-5)
    assert model.fit.deviance == pytest.approx(8.566946, abs=5e-7)
    assert model.aic == pytest.approx(44.90767, abs=5e-6)
    assert model.bic == pytest.approx(58.9686, abs=5e-5)
    # Printed coefficients: intercept, b, c, b:c, d (the vignette's column order).
    by_name = dict(zip(["(intercept)", "b", "c", "d", "b:c"], model.fit.beta, strict=True))
    assert by_name["(intercept)"] == pytest.approx(4.982083, abs=5e-7)
    assert by_name["b"] == pytest.approx(-2.832024, abs=5e-7)
    assert by_name["c"] == pytest.approx(-3.620482, abs=5e-7)
    assert by_name["b:c"] == pytest.approx(5.412241, abs=5e-7)
    assert by_name["d"] == pytest.approx(-1.268511, abs=5e-7)


def test_korea_bic_ranking_matches_mse_user_guide() -> None:
    selection = bic_select(table("korea.csv"))
    published = [
        ("[12,23]", 157.1667, 57.14081),
        ("[12,3]", 268.7778, 58.96860),
        ("[13,23]", 123.4630, 91.89711),
        ("[23,1]", 126.1944, 138.06368),
        ("[13,2]", 126.9394, 155.16018),
        ("[1,2,3]", 141.9926, 184.14431),
    ]
    assert selection.models_admissible == len(published)
    for row, (hierarchy, abundance, bic) in zip(selection.ranking, published, strict=True):
        assert row["hierarchy"] == hierarchy
        assert row["estimate"] == pytest.approx(abundance, abs=5e-5)
        assert row["bic"] == pytest.approx(bic, abs=5e-6)


@pytest.mark.parametrize(
    ("name", "pthresh", "model", "published", "tolerance"),
    [
        # Chan, Silverman and Vincent (2021), section 4.1-4.2, rounded to units.
        ("new_orleans_sparsemse.csv", 0.02, ["D:E"], 1184, 0.5),
        ("new_orleans_sparsemse.csv", 0.0, [], 997, 0.5),
        ("new_orleans_5_sparsemse.csv", 0.02, [], 1034, 0.5),
        ("western.csv", 0.02, ["A:E"], 2483.384, 5e-4),
        # MultipleSystemsEstimation 1.2.0 vignette on its revised New Orleans table.
        ("new_orleans_mse.csv", 0.02, ["D:E"], 1110.488, 5e-4),
        ("new_orleans_5_mse.csv", 0.02, [], 981.4314, 5e-5),
    ],
)
def test_stepwise_reproduces_published_estimates(
    name: str, pthresh: float, model: list[str], published: float, tolerance: float
) -> None:
    result = estimate(pd.read_csv(DATA / name), "stepwise", pthresh=pthresh)
    assert result.available
    assert result.model == model
    assert result.estimate == pytest.approx(published, abs=tolerance)


def test_western_fit_statistics_match_vignette() -> None:
    result = estimate(pd.read_csv(DATA / "western.csv"), "stepwise")
    assert result.diagnostics["deviance"] == pytest.approx(26.58423, abs=5e-6)
    assert result.diagnostics["aic"] == pytest.approx(91.8395, abs=5e-5)
    assert result.diagnostics["bic"] == pytest.approx(118.7443, abs=5e-5)
    assert result.diagnostics["hierarchy"] == "[15,2,3,4]"


def test_new_orleans_non_overlapping_pairs_are_recognised() -> None:
    # 28 pairs, 18 of which never overlap (CSV 2021 section 4.1).
    t = table("new_orleans_sparsemse.csv")
    assert sum(t.overlap(p) == 0 for p in pair_terms(t.n_lists)) == 18


@pytest.mark.parametrize(
    ("name", "max_order", "published", "admissible"),
    [
        ("kosovo.csv", 3, 10357, 113),  # SCV (2024) Table 6, "Kosovo all lists"
        ("kosovo.csv", 2, 14342, 64),  # "Kosovo maxorder 2"
        ("uk_2013_5.csv", 2, 22991, 1024),  # "UK5 maxorder 2"
        ("new_orleans_5_mse.csv", 2, 981, 1024),  # "NewOrl5 maxorder 2"
    ],
)
def test_bic_reproduces_published_estimates(name: str, max_order: int, published: int, admissible: int) -> None:
    selection = bic_select(table(name), max_order)
    assert round(selection.model.estimate) == published
    assert selection.models_admissible == admissible


def test_bic_all_orders_on_uk_five_lists() -> None:
    # SCV (2024) Table 6, "UK5 all models": 25311 (models up to order 4, 6893 candidates).
    selection = bic_select(table("uk_2013_5.csv"), 4)
    assert round(selection.model.estimate) == 25311
    assert selection.model.hierarchy() == "[123,25,34]"


def test_hierarchical_model_counts() -> None:
    # MSE's catalogue: 8 models for 3 lists (order 2); 113 for 4 lists (order 3) as Kosovo shows.
    assert sum(1 for _ in hierarchical_models(3, 2)) == 8
    assert sum(1 for _ in hierarchical_models(4, 3)) == 113
    assert sum(1 for _ in hierarchical_models(5, 2)) == 1024


def test_uk_2013_interval_matches_the_home_office_10000_to_13000() -> None:
    result = estimate(pd.read_csv(DATA / "uk_2013.csv"), "stepwise")
    assert result.available and result.interval_method == "profile"
    assert result.observed == 2744
    # Published to the nearest thousand.
    assert round(result.ci_lower, -3) == 10000
    assert round(result.ci_upper, -3) == 13000
    assert result.ci_lower < result.estimate < result.ci_upper


def test_uk_2013_silverman_aic_stepwise_picks_the_same_model() -> None:
    # Silverman (2014) / modslavmse::MSEfit: add the pair that lowers AIC most while its Wald
    # p-value is below 0.05. On these data it lands on the CSV stepwise model.
    t = table("uk_2013.csv")
    pairs = pair_terms(t.n_lists)
    chosen: list[int] = []
    current = fit_model(t, ())
    while True:
        fits = {p: fit_model(t, [*chosen, p]) for p in pairs if p not in chosen}
        if not fits:
            break
        best = min(fits, key=lambda p: (fits[p].aic, pairs.index(p)))
        candidate = fits[best]
        if candidate.aic >= current.aic or best in candidate.layout.neg_inf:
            break
        if statsmodels_fit(candidate).pvalues[candidate.layout.estimated.index(best)] > 0.05:
            break
        chosen.append(best)
        current = candidate
    assert current.interactions == stepwise_select(t, 0.02).model.interactions


def test_newton_solver_agrees_with_statsmodels_glm() -> None:
    for name in ("korea.csv", "western.csv", "uk_2013.csv", "new_orleans_sparsemse.csv"):
        model = stepwise_select(table(name), 0.02).model
        glm = statsmodels_fit(model)
        np.testing.assert_allclose(glm.params, model.fit.beta, rtol=1e-7, atol=1e-8)
        assert glm.deviance == pytest.approx(model.fit.deviance, rel=1e-9, abs=1e-9)
        assert glm.llf == pytest.approx(model.fit.loglik, rel=1e-10)
