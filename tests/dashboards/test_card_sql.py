"""Every card's SQL on real PostgreSQL, as the dashboard role, with every filter combination.

The publication is the synthetic one of `publication_data` (a current release with withheld
cells, an older release with different numbers, months not reported yet). Expectations are
derived from what was inserted, never typed in.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from etl.defs.dashboards.formatting import number_es, percent_es
from etl.defs.dashboards.queries import DashboardRoleError, dashboard_connection, run_card
from etl.defs.dashboards.spec import CardSpec, DashboardsSpec, load_spec
from etl.defs.dashboards.sqltemplate import render
from etl.defs.intake.codelists import codelists
from etl.infra.database import as_role
from tests.dashboards.publication_data import Published
from warehouse import reference

SPEC = load_spec()
# Filter -> the column that shows it and the label each code must read as.
SHOWN_AS = {
    "sexo": ("sexo", {c: a["label_es"] for c, a in codelists()["sex"].items()}),
    "edad": ("tramo_edad", {c: a["label_es"] for c, a in codelists()["age_band"].items()}),
    "explotacion": ("forma_explotacion", {c: a["label_es"] for c, a in codelists()["exploitation"].items()}),
    "estado_tic": ("estado_tic", {c: a["label_es"] for c, a in codelists()["ict_status"].items()}),
    "departamento": ("ambito", {d["ine_code"]: d["name"] for d in reference.departments()}),
}
POPULATION = {d["ine_code"]: d for d in reference.departments()}


def _domain(spec: DashboardsSpec, key: str, years: tuple[int, ...]) -> list[Any]:
    f = spec.filters[key]
    if f.type == "number":
        return [None, *years, years[0] - 5]  # a year with no data too
    return [None, *(code for code, _ in f.choices)]


def combinations(spec: DashboardsSpec, card: CardSpec, years: tuple[int, ...]) -> Iterator[dict[str, Any]]:
    """Every combination of the card's filters (each filter a dashboard can set, or left empty)."""
    domains = [_domain(spec, key, years) for key in card.filters]
    for values in itertools.product(*domains):
        yield dict(zip(card.filters, values))


def test_filter_enumeration_is_bounded_and_complete(published: Published):
    total = sum(sum(1 for _ in combinations(SPEC, c, published.years)) for c in SPEC.cards.values())
    assert 1000 < total < 5000
    on_dashboards = {(c, f) for d in SPEC.dashboards.values() for c in d.card_keys for f in d.filters
                     if f in SPEC.cards[c].filters}
    enumerated = {(c.key, f) for c in SPEC.cards.values() for f in c.filters}
    assert on_dashboards <= enumerated


@pytest.mark.parametrize("card_key", sorted(SPEC.cards))
def test_card_runs_with_every_filter_combination_as_the_dashboard_role(card_key: str, dashboard_engine, published):
    card = SPEC.cards[card_key]
    runs = 0
    with dashboard_connection(dashboard_engine) as conn:
        assert conn.exec_driver_sql("SELECT current_user").scalar() == "observatorio_dashboard"
        for values in combinations(SPEC, card, published.years):
            result = run_card(conn, SPEC, card, values)
            runs += 1
            assert result.columns == card.column_names
            _check_invariants(card, values, result.records())
    assert runs >= 1


def _check_invariants(card: CardSpec, values: dict[str, Any], records: list[dict[str, Any]]) -> None:
    context = f"{card.key} {values}"
    if card.chart is not None and "estado" in (records[0] if records else {}):
        for r in records:
            ys = [r[y] for y in card.chart.y]
            if r["estado"] in ("Reservado", "No reportado"):
                assert all(y is None for y in ys), context  # never a 0 in place of a withheld cell
            if all(y is None for y in ys):
                assert r["estado"] not in ("Publicado", "Completo"), context
            for y in ys:
                # the old release's numbers are all >= 1000: they must never show
                assert y is None or y < 1000, context
    for key, (column, labels) in SHOWN_AS.items():
        if values.get(key) is not None and records and column in records[0]:
            assert {r[column] for r in records} == {labels[values[key]]}, context
    if "anio" in (records[0] if records else {}):
        years = {r["anio"] for r in records}
        if values.get("anio") is not None:
            assert years == {values["anio"]}, context
        if values.get("desde") is not None:
            assert all(y >= values["desde"] for y in years), context
        if values.get("hasta") is not None:
            assert all(y <= values["hasta"] for y in years), context


def _text(value: int | None) -> str:
    return "Reservado" if value is None else number_es(value)


def _run(engine: sa.Engine, key: str, **values: Any) -> list[dict[str, Any]]:
    with dashboard_connection(engine) as conn:
        return run_card(conn, SPEC, SPEC.cards[key], values).records()


def test_key_figures_show_the_current_release_and_reserve_withheld_cells(dashboard_engine, published):
    latest = max(published.years)
    rows = {r["indicador"]: r["valor"] for r in _run(dashboard_engine, "nacional_cifras")}
    assert all(r["anio"] == latest for r in _run(dashboard_engine, "nacional_cifras"))
    assert rows["Víctimas detectadas"] == _text(published.cell("national_year", year=latest))
    for group, label in (("LINKED", "Víctimas detectadas vinculadas a las TIC"),
                         ("NOT_LINKED", "Víctimas detectadas sin vínculo con las TIC")):
        assert rows[label] == _text(published.cell("ict_group_year", year=latest, ict_group_code=group))
    linked = published.cell("ict_group_year", year=latest, ict_group_code="LINKED")
    not_linked = published.cell("ict_group_year", year=latest, ict_group_code="NOT_LINKED")
    share = rows["Proporción vinculada a las TIC (entre víctimas con vínculo conocido)"]
    if linked is None or not_linked is None:
        assert share == "Reservado"
    else:
        assert share == percent_es(Decimal(linked) / (linked + not_linked))
    estimate = [v for k, v in rows.items() if k.startswith("Total estimado")][0]
    assert estimate == "No disponible"  # the fixture's latest year has no estimate
    first = {r["indicador"]: r["valor"] for r in _run(dashboard_engine, "nacional_cifras", anio=published.years[0])}
    assert "intervalo de confianza" in [v for k, v in first.items() if k.startswith("Total estimado")][0]


def test_share_of_ict_is_only_computed_from_two_published_cells(dashboard_engine, published):
    rows = _run(dashboard_engine, "nacional_proporcion_tic")
    assert [r["anio"] for r in rows] == list(published.years)
    for r in rows:
        linked = published.cell("ict_group_year", year=r["anio"], ict_group_code="LINKED")
        not_linked = published.cell("ict_group_year", year=r["anio"], ict_group_code="NOT_LINKED")
        if linked is None or not_linked is None:
            assert (r["proporcion_tic"], r["estado"]) == (None, "Reservado")
        else:
            assert r["proporcion_tic"] == round(Decimal(linked) / (linked + not_linked), 4)


def test_trend_reads_the_current_release_only(dashboard_engine, published):
    labels = {"LINKED": "Vinculadas a las TIC", "NOT_LINKED": "Sin vínculo con las TIC",
              "UNKNOWN": "Vínculo con las TIC no consta"}
    rows = _run(dashboard_engine, "nacional_tendencia")
    assert len(rows) == 3 * len(published.years)
    for r in rows:
        group = next(code for code, label in labels.items() if label == r["vinculo_tic"])
        assert r["victimas"] == published.cell("ict_group_year", year=r["anio"], ict_group_code=group)


def test_months_not_reported_are_missing_never_zero(dashboard_engine, published):
    rows = {r["periodo"]: r for r in _run(dashboard_engine, "nacional_mensual")}
    assert published.unreported_periods and published.periods_with_zero_row
    assert published.periods_with_zero_row <= published.unreported_periods
    for period in published.unreported_periods:  # including the one the pipeline wrote as 0
        assert (rows[period]["victimas"], rows[period]["estado"]) == (None, "No reportado")
    for period, r in rows.items():
        if period in published.unreported_periods:
            continue
        cell = published.cell("month", period_code=period)
        assert r["victimas"] == cell
        expected = "Reservado" if cell is None else ("Parcial" if period in published.partial_periods else "Completo")
        assert r["estado"] == expected, period


def test_department_rates_use_census_populations_and_reserve_withheld_cells(dashboard_engine, published):
    latest = max(published.years)
    for sex, population_column in ((None, "population_2022"), ("F", "population_2022_female"),
                                   ("M", "population_2022_male"), ("X", None)):
        filters = {"sexo": sex} if sex else {}
        table = {r["departamento"]: r for r in _run(dashboard_engine, "territorio_tabla", **filters)}
        rates = {r["iso_3166_2"]: r["tasa_por_100000"] for r in _run(dashboard_engine, "territorio_mapa", **filters)}
        assert len(rates) == 18 and len(table) == 19
        for code, dept in POPULATION.items():
            if sex:
                victims = published.cell("department_sex_year", year=latest, department_code=code, sex_code=sex)
            else:
                victims = published.cell("department_year", year=latest, department_code=code)
            row = table[dept["name"]]
            assert row["victimas"] == _text(victims)
            if victims is None:
                assert row["tasa"] == "Reservado" and rates[dept["iso_3166_2"]] is None
            elif population_column is None:  # no census population for this sex
                assert row["tasa"] == "No calculable" and rates[dept["iso_3166_2"]] is None
            else:
                rate = round(Decimal(100000) * victims / int(dept[population_column]), 2)
                assert rates[dept["iso_3166_2"]] == rate
                assert row["tasa"] == number_es(rate, 2)
        unrecorded = table["No consta"]  # department "99": counted, but no population to divide by
        assert unrecorded["region"] == "Región no consta"
        assert unrecorded["poblacion"] == "—" and unrecorded["tasa"] in ("No calculable", "Reservado")
        assert {table[d["name"]]["region"] for d in POPULATION.values()} == {"Región Oriental", "Región Occidental (Chaco)"}


def test_exploitation_table_reads_reservado_for_every_withheld_cell(dashboard_engine, published):
    latest = max(published.years)
    labels = {a["label_es"]: c for c, a in codelists()["exploitation"].items()}
    rows = _run(dashboard_engine, "perfil_explotacion_tabla")
    assert len(rows) == len(labels)
    withheld_seen = 0
    for r in rows:
        code = labels[r["forma_explotacion"]]
        total = published.cell("exploitation_year", year=latest, exploitation_code=code)
        linked = published.cell("exploitation_ict_group_year", year=latest, exploitation_code=code, ict_group_code="LINKED")
        assert r["victimas"] == _text(total)
        assert r["vinculadas_tic"] == _text(linked)
        withheld_seen += (total is None) + (linked is None)
    assert withheld_seen > 0  # the fixture does exercise withheld cells here


def test_platform_cards_show_each_stage_and_reserve_withheld_cells(dashboard_engine, published):
    latest = max(published.years)
    labels = {a["label_es"]: c for c, a in codelists()["platform"].items()}
    table = _run(dashboard_engine, "plataformas_tabla")
    platforms = {code for (year, code, _) in published.platform_cells if year == latest}
    assert {labels[r["plataforma"]] for r in table} == platforms
    for r in table:
        code = labels[r["plataforma"]]
        for column, stage in (("captacion", "RECRUITMENT"), ("explotacion", "EXPLOITATION"),
                              ("sin_etapa", "UNSPECIFIED"), ("total", "ALL")):
            assert r[column] == _text(published.platform_cells[(latest, code, stage)]), (code, stage)
    stages = {(r["plataforma"], r["etapa"]) for r in _run(dashboard_engine, "plataformas_etapa")}
    assert {etapa for _, etapa in stages} == {"Captación", "Explotación", "Etapa no especificada"}
    totals = _run(dashboard_engine, "plataformas_total")
    assert len(totals) == len(platforms)


def test_coverage_counts_add_up_per_institution(dashboard_engine, published):
    for values in ({}, {"desde": published.years[-1]}, {"desde": published.years[0], "hasta": published.years[0]}):
        rows = _run(dashboard_engine, "cobertura_resumen", **values)
        assert len(rows) == 4
        years = [y for y in published.years if y >= values.get("desde", 0) and y <= values.get("hasta", 9999)]
        for r in rows:
            assert r["meses"] == 12 * len(years)
            assert r["meses"] == r["recibidos"] + r["rechazados"] + r["faltantes"] + r["en_proceso"]
            assert r["faltantes"] >= 2 or published.years[-1] not in years


def _plan_schemas(node: Any) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if "Schema" in node:
            found.add(node["Schema"])
        for value in node.values():
            found |= _plan_schemas(value)
    elif isinstance(node, list):
        for value in node:
            found |= _plan_schemas(value)
    return found


@pytest.mark.parametrize("card_key", sorted(SPEC.cards))
def test_the_planner_reads_no_schema_but_publication(card_key: str, dashboard_engine, published):
    card = SPEC.cards[card_key]
    all_set = {key: _domain(SPEC, key, published.years)[1] for key in card.filters}
    with dashboard_connection(dashboard_engine) as conn:
        for values in ({}, all_set):
            query = render(card.sql, values, SPEC.tag_types(card))
            plan = conn.execute(sa.text("EXPLAIN (FORMAT JSON, VERBOSE) " + query.statement.text), query.params).scalar()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            assert _plan_schemas(plan) == {"publication"}, card_key


def test_the_dashboard_role_cannot_read_other_layers(dashboard_engine, published):
    with dashboard_engine.connect() as conn:
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            conn.exec_driver_sql("SELECT 1 FROM core.dim_department LIMIT 1")


def test_cards_refuse_a_connection_that_cannot_become_the_dashboard_role(dashboard_warehouse_url, published):
    engine = sa.create_engine(as_role(dashboard_warehouse_url, "observatorio_etl"))
    try:
        with pytest.raises(DashboardRoleError, match="observatorio_dashboard"):
            with dashboard_connection(engine):
                pass
    finally:
        engine.dispose()


def test_a_superuser_engine_is_switched_to_the_dashboard_role(dashboard_warehouse_url, published):
    engine = sa.create_engine(dashboard_warehouse_url)
    try:
        with dashboard_connection(engine) as conn:
            assert conn.exec_driver_sql("SELECT current_user").scalar() == "observatorio_dashboard"
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql("SELECT 1 FROM core.dim_department LIMIT 1")
    finally:
        engine.dispose()
