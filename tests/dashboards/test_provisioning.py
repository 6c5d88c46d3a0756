"""Provisioning against a stateful fake Metabase: golden bodies, idempotency, error surfacing."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path
from typing import Any

import pytest
import yaml
from metabase_api import Metabase_API

from etl.defs.dashboards import spec as spec_module
from etl.defs.dashboards.metabase import DatabaseConnection, MetabaseError, PublishResult, publish
from etl.defs.dashboards.metabase_bodies import marker_of
from etl.defs.dashboards.metabase_client import MetabaseClient
from etl.defs.dashboards.spec import DashboardsSpec, load_spec, parse_spec
from tests.dashboards.fake_metabase import FakeMetabase, Recorded

GOLDEN = Path(__file__).parent / "golden"
DB_PASSWORD = "clave-de-prueba-base"
DATABASE = DatabaseConnection(host="warehouse.internal", port=5432, dbname="observatorio", password=DB_PASSWORD)
GEOJSON_URL = "https://datos.example.org/reference/paraguay_departments.geojson"


@pytest.fixture()
def fake(httpserver) -> FakeMetabase:
    server = FakeMetabase()
    server.url = server.install(httpserver)  # type: ignore[attr-defined]
    return server


def _publish(fake: FakeMetabase, spec: DashboardsSpec | None = None, **kwargs: Any) -> PublishResult:
    options = {"database": DATABASE, "geojson_url": GEOJSON_URL, **kwargs}
    return publish(spec or load_spec(), url=fake.url, username=fake.username, password=fake.password, **options)


def _spec_with(change) -> DashboardsSpec:
    raw = yaml.safe_load(spec_module._package_file("spec.yaml"))
    change(raw)
    return parse_spec(raw, lambda key: spec_module._package_file(f"sql/{key}.sql"))


# --- golden request bodies ---------------------------------------------------------------------

def _normalizer(result: PublishResult, fake: FakeMetabase):
    tokens = {("card", v): f"<card:{k}>" for k, v in result.card_ids.items()}
    tokens |= {("dashboard", v): f"<dashboard:{k}>" for k, v in result.dashboard_ids.items()}
    tokens |= {("database", result.database_id): "<database>", ("collection", result.collection_id): "<collection>"}
    groups = {str(result.group_id): "<group:responsables>"} | {str(g["id"]): f"<group:{g['name']}>"
                                                                for g in fake.groups.values() if g["id"] != result.group_id}

    def endpoint(path: str) -> str:
        def swap(match: re.Match[str]) -> str:
            kind = match.group(1)
            return f"/api/{kind}/" + tokens.get((kind, int(match.group(2))), match.group(2))
        return re.sub(r"/api/(card|dashboard|database|collection)/(\d+)", swap, path)

    def walk(value: Any, path: str, key: str | None = None, depth: int = 0) -> Any:
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                name = k
                if path.endswith("/graph") and key == "groups":
                    name = groups.get(k, k)
                elif path.endswith("/graph") and depth == 2:
                    kind = "database" if "permissions" in path else "collection"
                    name = tokens.get((kind, int(k)), k) if k.isdigit() else k
                out[name] = walk(v, path, k, depth + 1)
            return out
        if isinstance(value, list):
            return [walk(v, path, key, depth + 1) for v in value]
        if key == "card_id" and isinstance(value, int):
            return tokens[("card", value)]
        if key == "collection_id" and isinstance(value, int):
            return tokens[("collection", value)]
        if key == "database" and isinstance(value, int):
            return tokens[("database", value)]
        if key == "id" and isinstance(value, int) and value > 0 and "/api/dashboard/" in path:
            return "<dashcard>"  # an existing dashcard's server-assigned id
        if key == "revision":
            return "<revision>"
        if key == "password" and value == DB_PASSWORD:
            return "<password>"
        if key == "url" and value == GEOJSON_URL:
            return "<geojson-url>"
        return value

    def normalize(record: Recorded) -> dict[str, Any]:
        normalized_path = endpoint(record.path)
        return {"method": record.method, "endpoint": normalized_path, "body": walk(record.body, normalized_path)}

    return normalize


def _golden_name(index: int, request: dict[str, Any]) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", request["endpoint"].lower().replace("/api/", "")).strip("_")
    body = request["body"] if isinstance(request["body"], dict) else {}
    marker = marker_of(body.get("description")) if request["method"] == "POST" else None
    suffix = f"_{marker[1]}" if marker and marker[0] != "collection" else ""
    return f"{index:02d}_{request['method'].lower()}_{slug}{suffix}.json"


def test_first_publication_sends_the_golden_request_bodies(fake):
    result = _publish(fake)
    normalize = _normalizer(result, fake)
    produced = {_golden_name(i, r): r for i, r in enumerate(map(normalize, fake.writes()), 1)}
    if os.environ.get("UPDATE_GOLDEN") == "1":
        for old in GOLDEN.glob("*.json"):
            old.unlink()
        for name, request in produced.items():
            (GOLDEN / name).write_text(json.dumps(request, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    stored = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in GOLDEN.glob("*.json")}
    assert stored, f"no golden files in {GOLDEN}: run once with UPDATE_GOLDEN=1 and review them"
    assert sorted(produced) == sorted(stored)
    for name, request in produced.items():
        assert request == stored[name], name
    # The golden bodies never carry a secret.
    text = json.dumps(list(produced.values()), ensure_ascii=False)
    assert DB_PASSWORD not in text and fake.password not in text


def test_the_golden_dashboard_update_replaces_all_dashcards_with_new_negative_ids():
    body = json.loads(next(GOLDEN.glob("*_put_dashboard_dashboard_territorio.json")).read_text(encoding="utf-8"))["body"]
    ids = [d["id"] for d in body["dashcards"]]
    assert ids == list(range(-1, -len(ids) - 1, -1))
    territory = load_spec().dashboards["territorio"]
    assert len(ids) == len(territory.layout)
    mapped = {(m["card_id"], m["target"][1][1]) for d in body["dashcards"] for m in d["parameter_mappings"]}
    assert ("<card:territorio_mapa>", "anio") in mapped and ("<card:territorio_mapa>", "sexo") in mapped
    assert ("<card:territorio_tendencia>", "departamento") in mapped


# --- what the first run builds ------------------------------------------------------------------

def test_first_publication_builds_collection_cards_dashboards_map_and_permissions(fake):
    spec = load_spec()
    result = _publish(fake)
    assert len(fake.databases) == 1 and len(fake.cards) == len(spec.cards) and len(fake.dashboards) == len(spec.dashboards)
    db = fake.databases[result.database_id]
    assert db["details"]["user"] == "observatorio_dashboard"
    assert db["details"]["schema-filters-patterns"] == "publication"
    for key, card_id in result.card_ids.items():
        card = fake.cards[card_id]
        assert card["collection_id"] == result.collection_id
        assert card["dataset_query"]["native"]["query"] == spec.cards[key].sql
        assert marker_of(card["description"]) == ("card", key)
    for key, dashboard_id in result.dashboard_ids.items():
        dashboard = fake.dashboards[dashboard_id]
        assert len(dashboard["dashcards"]) == len(spec.dashboards[key].layout)
        assert [p["slug"] for p in dashboard["parameters"]] == list(spec.dashboards[key].filters)
    map_card = fake.cards[result.card_ids["territorio_mapa"]]
    assert map_card["visualization_settings"]["map.region"] == spec.custom_map.key
    assert fake.custom_geojson[spec.custom_map.key]["region_key"] == "iso_3166_2"
    assert fake.groups[result.group_id]["name"] == "Responsables de políticas"
    # View only: the collection readable by the group, no native SQL for it nor for "All Users".
    assert fake.collection_graph[result.group_id][result.collection_id] == "read"
    assert fake.collection_graph[1][result.collection_id] == "none"
    assert fake.data_graph[result.group_id][result.database_id]["create-queries"] == "no"
    assert fake.data_graph[1][result.database_id]["create-queries"] == "no"


def test_second_publication_changes_nothing(fake):
    first = _publish(fake)
    before, writes = fake.snapshot(), len(fake.writes())
    second = _publish(fake)
    assert second.changes == () and not second.changed
    assert len(fake.writes()) == writes  # not a single POST or PUT
    assert fake.snapshot() == before
    assert (second.card_ids, second.dashboard_ids, second.collection_id, second.database_id, second.group_id) == (
        first.card_ids, first.dashboard_ids, first.collection_id, first.database_id, first.group_id)


def test_a_changed_spec_updates_in_place_and_archives_what_it_dropped(fake):
    first = _publish(fake)
    region_dashcard = next(d for d in fake.dashboards[first.dashboard_ids["territorio"]]["dashcards"]
                           if d["card_id"] == first.card_ids["territorio_region"])
    kept_ids = {d["id"] for d in fake.dashboards[first.dashboard_ids["territorio"]]["dashcards"]} - {region_dashcard["id"]}

    def change(raw: dict) -> None:
        raw["cards"]["territorio_tabla"]["title"] = "Tasas por departamento (censo 2022)"
        del raw["cards"]["territorio_region"]
        raw["dashboards"]["territorio"]["layout"] = [
            item for item in raw["dashboards"]["territorio"]["layout"] if item.get("card") != "territorio_region"]

    second = _publish(fake, _spec_with(change))
    assert set(second.changes) == {"card territorio_tabla: updated", "card territorio_region: archived",
                                   "dashboard territorio: updated"}
    assert second.card_ids["territorio_tabla"] == first.card_ids["territorio_tabla"]
    assert fake.cards[first.card_ids["territorio_region"]]["archived"] is True
    dashcards = fake.dashboards[first.dashboard_ids["territorio"]]["dashcards"]
    assert {d["id"] for d in dashcards} == kept_ids  # same dashcards kept their ids; the dropped one is gone
    assert _publish(fake, _spec_with(change)).changes == ()


def test_dashcards_added_by_hand_are_replaced_by_the_spec(fake):
    first = _publish(fake)
    dashboard = fake.dashboards[first.dashboard_ids["justicia"]]
    dashboard["dashcards"].append({"id": 999, "dashboard_id": dashboard["id"], "card_id": first.card_ids["calidad_matriz"],
                                   "row": 30, "col": 0, "size_x": 4, "size_y": 4, "parameter_mappings": [],
                                   "visualization_settings": {}, "series": [], "dashboard_tab_id": None})
    assert _publish(fake).changes == ("dashboard justicia: updated",)
    assert 999 not in {d["id"] for d in fake.dashboards[first.dashboard_ids["justicia"]]["dashcards"]}


def test_objects_that_lost_their_marker_are_found_by_name_not_duplicated(fake):
    first = _publish(fake)
    fake.cards[first.card_ids["justicia_tabla"]]["description"] = "editada a mano"
    second = _publish(fake)
    assert second.changes == ("card justicia_tabla: updated",)
    assert second.card_ids == first.card_ids and len(fake.cards) == len(first.card_ids)
    assert marker_of(fake.cards[first.card_ids["justicia_tabla"]]["description"]) == ("card", "justicia_tabla")


def test_other_custom_maps_are_kept_and_builtins_not_written(fake):
    other = {"name": "Otro mapa", "url": "https://example.org/otro.geojson", "region_key": "id", "region_name": "n"}
    fake.custom_geojson["otro"] = other
    _publish(fake)
    assert fake.custom_geojson["otro"] == other
    put = [r for r in fake.writes() if r.path == "/api/setting/custom-geojson"][0]
    assert set(put.body["value"]) == {"otro", load_spec().custom_map.key}


def test_the_database_password_is_sent_only_when_asked_or_needed(fake):
    first = _publish(fake)
    assert _publish(fake).changes == ()
    rotated = DatabaseConnection(host=DATABASE.host, port=DATABASE.port, dbname=DATABASE.dbname, password="nueva-clave")
    assert _publish(fake, database=rotated).changes == ()  # Metabase never shows it: nothing to compare
    assert _publish(fake, database=rotated, update_database_password=True).changes == ("database: updated",)
    assert fake.databases[first.database_id]["details"]["password"] == "nueva-clave"
    moved = DatabaseConnection(host="otro-servidor", port=5432, dbname="observatorio", password="nueva-clave")
    assert _publish(fake, database=moved).changes == ("database: updated",)


# --- errors surface, never swallowed -------------------------------------------------------------

def test_the_removed_per_card_endpoint_answers_404_and_the_client_raises(fake):
    _publish(fake)
    client = MetabaseClient(fake.url, fake.username, fake.password)
    with pytest.raises(MetabaseError) as error:
        client.post("/api/dashboard/1/cards", {"cardId": 1})
    assert (error.value.method, error.value.endpoint, error.value.status) == ("POST", "/api/dashboard/1/cards", 404)
    assert "API endpoint does not exist." in str(error.value)
    # metabase-api's own helper calls that endpoint and silently carries on: why it is not used.
    raw = Metabase_API(fake.url, email=fake.username, password=fake.password)
    assert raw.add_card_to_dashboard(card_id=1, dashboard_id=1) is None


def test_a_refused_card_raises_naming_endpoint_status_and_body(fake):
    fake.fail_next[("POST", "/api/card")] = (400, {"errors": {"display": "value must be a valid display"}})
    with pytest.raises(MetabaseError) as error:
        _publish(fake)
    assert error.value.endpoint == "/api/card" and error.value.status == 400
    assert "value must be a valid display" in error.value.body
    assert "/api/card" in str(error.value) and "400" in str(error.value)


def test_server_errors_on_reads_raise_too(fake):
    fake.fail_next[("GET", "/api/collection")] = (500, {"message": "Internal error"})
    with pytest.raises(MetabaseError, match=r"GET /api/collection answered 500"):
        _publish(fake)


def test_a_wrong_password_raises_on_the_session_endpoint(fake):
    with pytest.raises(MetabaseError) as error:
        publish(load_spec(), url=fake.url, username=fake.username, password="incorrecta", database=DATABASE,
                geojson_url=GEOJSON_URL)
    assert (error.value.endpoint, error.value.status) == ("/api/session", 401)
    assert "incorrecta" not in str(error.value)


def test_secrets_echoed_by_metabase_are_masked(fake):
    fake.fail_next[("POST", "/api/database")] = (400, {"message": f"could not connect with password {DB_PASSWORD}"})
    with pytest.raises(MetabaseError) as error:
        _publish(fake)
    assert DB_PASSWORD not in str(error.value) and "***" in str(error.value)


def test_a_stale_permission_graph_raises_409(fake):
    fake.fail_next[("PUT", "/api/permissions/graph")] = (409, "Looks like someone else edited the permissions")
    with pytest.raises(MetabaseError) as error:
        _publish(fake)
    assert (error.value.endpoint, error.value.status) == ("/api/permissions/graph", 409)


def test_a_geojson_location_metabase_refuses_is_reported(fake):
    with pytest.raises(MetabaseError) as error:
        _publish(fake, geojson_url="file:///srv/paraguay_departments.geojson")
    assert error.value.endpoint == "/api/setting/custom-geojson" and error.value.status == 400
    assert "http://" in error.value.body


def test_an_unreachable_metabase_raises_without_a_status():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MetabaseError) as error:
        publish(load_spec(), url=f"http://127.0.0.1:{port}", username="a", password="b", database=DATABASE,
                geojson_url=GEOJSON_URL)
    assert error.value.status is None and error.value.endpoint == "/api/session"


def test_the_database_connection_never_prints_its_password():
    assert DB_PASSWORD not in repr(DATABASE) and DB_PASSWORD not in str(DATABASE)
    assert "observatorio_dashboard" in repr(DATABASE)
