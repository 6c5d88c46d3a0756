"""The spec loads, is consistent, and rejects what would break Metabase or leak other schemas."""

from __future__ import annotations

import copy

import pytest
import yaml

from etl.defs.dashboards import spec as spec_module
from etl.defs.dashboards.spec import GRID_COLUMNS, SpecError, load_spec, parse_spec, relations_named
from etl.defs.dashboards.sqltemplate import TemplateError, render, required_tags, tags_in
from etl.defs.intake.codelists import codelists
from warehouse import reference


def _raw() -> dict:
    return yaml.safe_load(spec_module._package_file("spec.yaml"))


def _sql(key: str) -> str:
    return spec_module._package_file(f"sql/{key}.sql")


def test_the_shipped_spec_covers_the_five_dashboards_the_policymakers_asked_for(spec):
    names = {d.name for d in spec.dashboards.values()}
    assert {"Panorama nacional", "Territorio", "Plataformas y etapas", "Cadena penal", "Calidad de los datos"} <= names
    assert spec.collection.name == "Observatorio TIC y trata"
    assert spec.permission_group == "Responsables de políticas"
    displays = {c.display for c in spec.cards.values()}
    assert displays == {"table", "bar", "line", "row", "map"}


def test_every_filter_the_brief_names_is_on_some_dashboard(spec):
    on_dashboards = {f for d in spec.dashboards.values() for f in d.filters}
    assert {"anio", "desde", "hasta", "departamento", "sexo", "edad", "explotacion", "estado_tic"} <= on_dashboards


def test_dropdowns_use_the_warehouse_code_lists_and_census_departments(spec):
    assert [code for code, _ in spec.filters["sexo"].choices] == list(codelists()["sex"])
    assert [code for code, _ in spec.filters["explotacion"].choices] == list(codelists()["exploitation"])
    assert dict(spec.filters["departamento"].choices) == {d["ine_code"]: d["name"] for d in reference.departments()}
    assert spec.filters["estado_tic"].choices[0] == ("RECRUITMENT", codelists()["ict_status"]["RECRUITMENT"]["label_es"])


def test_every_card_names_only_publication_tables_or_its_own_with_names(spec):
    for card in spec.cards.values():
        qualified = {(s, t) for s, t in relations_named(card.sql) if s is not None}
        assert qualified, card.key
        assert {s for s, _ in qualified} == {"publication"}, card.key
        # Tables kept per release are read through the views of the release in force (migration
        # 0011), or the release table itself filtered on is_current; never all releases at once.
        tables = {t for _, t in qualified}
        per_release = tables - {"department", "code_label", "release"} - {t for t in tables if t.startswith("current_")}
        assert not per_release, (card.key, per_release)
        assert any(t.startswith("current_") for t in tables) or "is_current" in card.sql, card.key
        if "release" in tables:
            assert "is_current" in card.sql, card.key


def test_layouts_fit_the_grid_and_text_blocks_carry_the_caveats(spec):
    for dashboard in spec.dashboards.values():
        assert all(d.col + d.size_x <= GRID_COLUMNS for d in dashboard.layout)
        assert any(d.text == "caveats" for d in dashboard.layout), dashboard.key
    panorama = spec.dashboards["panorama"].caveats
    assert "víctimas detectadas" in panorama and "Reservado" in panorama and "no reportado" in panorama


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw, sql: raw["cards"]["nacional_tendencia"].update(filters=["desde"]), "declares"),
        (lambda raw, sql: raw["cards"]["nacional_tendencia"].update(filters=["desde", "hasta", "nada"]), "unknown filters"),
        (lambda raw, sql: sql.update(nacional_tendencia=sql["nacional_tendencia"].replace(
            "FROM publication.current_victim_count v", "FROM core.fact_victim_record v")), "publication schema only"),
        (lambda raw, sql: sql.update(nacional_tendencia=sql["nacional_tendencia"].replace(
            "FROM publication.current_victim_count v", "FROM victim_count v")), "neither publication"),
        (lambda raw, sql: sql.update(nacional_tendencia=sql["nacional_tendencia"].replace(
            "[[AND v.year >= {{desde}}]]", "AND v.year >= {{desde}}")), "outside"),
        (lambda raw, sql: raw["dashboards"]["justicia"]["layout"].append(
            {"card": "justicia_tabla", "row": 3, "col": 0, "size_x": 4, "size_y": 2}), "overlap"),
        (lambda raw, sql: raw["dashboards"]["justicia"]["layout"].append(
            {"card": "justicia_tabla", "row": 40, "col": 20, "size_x": 8, "size_y": 2}), "grid"),
        (lambda raw, sql: raw["dashboards"]["justicia"]["filters"].append("sexo"), "applies to none"),
        (lambda raw, sql: raw["cards"]["nacional_tendencia"]["chart"].update(y="no_existe"), "does not return"),
        (lambda raw, sql: raw["filters"]["sexo"].update(values="no_such_list"), "code list"),
    ],
)
def test_inconsistent_specs_are_refused_with_a_message_naming_the_culprit(mutate, message):
    raw = _raw()
    sql = {key: _sql(key) for key in raw["cards"]}
    mutate(raw, sql)
    with pytest.raises(SpecError, match=message):
        parse_spec(raw, lambda key: sql[key])


def test_a_card_on_no_dashboard_is_refused():
    raw = _raw()
    raw["cards"]["huerfana"] = copy.deepcopy(raw["cards"]["calidad_publicacion"])
    with pytest.raises(SpecError, match="on no dashboard"):
        parse_spec(raw, lambda key: _sql("calidad_publicacion" if key == "huerfana" else key))


def test_template_rendering_follows_metabase_semantics():
    sql = "SELECT 1 WHERE true [[AND year >= {{desde}}]] [[AND dept = {{departamento}}]]"
    types = {"desde": "number", "departamento": "text"}
    assert tags_in(sql) == ["desde", "departamento"]
    assert required_tags(sql) == set()
    empty = render(sql, {}, types)
    assert "year" not in empty.statement.text and "dept" not in empty.statement.text and empty.params == {}
    one = render(sql, {"desde": 2024}, types)
    assert "CAST(:desde AS integer)" in one.statement.text and "dept" not in one.statement.text
    assert one.params == {"desde": 2024}
    # A value is bound, never spliced: a quote cannot change the statement.
    both = render(sql, {"desde": 2024, "departamento": "x' OR '1'='1"}, types)
    assert "OR '1'='1" not in both.statement.text and both.params["departamento"] == "x' OR '1'='1"


def test_template_rendering_refuses_missing_required_values_and_wrong_types():
    with pytest.raises(TemplateError, match="required"):
        render("SELECT {{anio}}", {}, {"anio": "number"})
    with pytest.raises(TemplateError, match="whole number"):
        render("SELECT 1 [[WHERE {{anio}} = 1]]", {"anio": "2024"}, {"anio": "number"})
    with pytest.raises(TemplateError, match="no declared type"):
        render("SELECT 1 [[WHERE {{anio}} = 1]]", {}, {})


def test_the_packaged_spec_is_cached_and_immutable():
    assert load_spec() is load_spec()
    with pytest.raises(AttributeError):
        load_spec().cards["nacional_cifras"].title = "otro"  # type: ignore[misc]
