"""A stateful fake of Metabase's REST API (0.50-0.56 shapes), served by pytest-httpserver.

It behaves like the real server where provisioning depends on it:
- `POST /api/session` checks the password and issues a token; every other call needs it (401);
- objects get server-assigned ids; `GET` listings answer `{"data": [...]}` like Metabase does;
- `PUT /api/dashboard/:id` with `dashcards` replaces the whole set: new dashcards come with
  negative ids and get real ones, dashcards not listed are deleted, mappings must name existing
  dashboard parameters and template tags of the mapped card;
- the database password is never returned (`**MetabasePass**`), and extra default details appear;
- new databases grant "All Users" native SQL, new collections inherit "write" from the root, as
  Metabase's defaults do, so provisioning has to lower them;
- the permission graphs are versioned (a stale revision answers 409);
- removed endpoints (`POST /api/dashboard/:id/cards`, ...) and unknown ones answer 404 with
  Metabase's "API endpoint does not exist."; invalid bodies answer 400 with an `errors` body.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PROTECTED_PASSWORD = "**MetabasePass**"
BUILTIN_MAPS = {
    "us_states": {"name": "United States", "url": "app/assets/geojson/us-states.json", "region_key": "STATE",
                  "region_name": "NAME", "builtin": True},
    "world_countries": {"name": "World", "url": "app/assets/geojson/world.json", "region_key": "ISO_A2",
                        "region_name": "NAME", "builtin": True},
}
_TAG = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class HttpError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def _bad_request(field_name: str, message: str) -> HttpError:
    return HttpError(400, {"errors": {field_name: message}, "specific-errors": {field_name: [message]}})


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    body: Any


@dataclass
class FakeMetabase:
    username: str = "admin@observatorio.test"
    password: str = "clave-de-prueba-metabase"
    sessions: set[str] = field(default_factory=set)
    next_id: dict[str, int] = field(default_factory=lambda: {"database": 1, "collection": 2, "card": 1, "dashboard": 1,
                                                              "dashcard": 1, "group": 3})
    databases: dict[int, dict[str, Any]] = field(default_factory=dict)
    collections: dict[int, dict[str, Any]] = field(default_factory=lambda: {
        1: {"id": 1, "name": "Colección personal de Admin", "description": None, "location": "/", "archived": False,
            "personal_owner_id": 1, "entity_id": "personal00000000000001"},
    })
    cards: dict[int, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[int, dict[str, Any]] = field(default_factory=dict)
    custom_geojson: dict[str, Any] = field(default_factory=dict)
    groups: dict[int, dict[str, Any]] = field(default_factory=lambda: {
        1: {"id": 1, "name": "All Users"}, 2: {"id": 2, "name": "Administrators"},
    })
    data_graph: dict[int, dict[int, dict[str, Any]]] = field(default_factory=lambda: {1: {}, 2: {}})
    data_revision: int = 1
    collection_graph: dict[int, dict[Any, str]] = field(default_factory=lambda: {1: {"root": "write"}, 2: {"root": "write"}})
    collection_revision: int = 1
    log: list[Recorded] = field(default_factory=list)
    fail_next: dict[tuple[str, str], tuple[int, Any]] = field(default_factory=dict)

    # --- wiring ---------------------------------------------------------------------------
    def install(self, server: HTTPServer) -> str:
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.handle)
        return server.url_for("/").rstrip("/")

    def writes(self) -> list[Recorded]:
        return [r for r in self.log if r.method in ("POST", "PUT", "DELETE") and r.path != "/api/session"]

    def snapshot(self) -> dict[str, Any]:
        """Everything a user could see, for comparing two runs."""
        return copy.deepcopy({
            "databases": self.databases, "collections": self.collections, "cards": self.cards,
            "dashboards": self.dashboards, "custom_geojson": self.custom_geojson, "groups": self.groups,
            "data_graph": self.data_graph, "collection_graph": self.collection_graph,
        })

    def handle(self, request: Request) -> Response:
        body = request.get_json(silent=True) if request.data else None
        self.log.append(Recorded(request.method, request.path, request.query_string.decode(), copy.deepcopy(body)))
        planned = self.fail_next.pop((request.method, request.path), None)
        if planned is not None:
            return self._json(planned[0], planned[1])
        try:
            if request.path == "/api/session" and request.method == "POST":
                return self._json(200, self._login(body))
            if request.headers.get("X-Metabase-Session") not in self.sessions:
                return Response("Unauthenticated", status=401)
            for method, pattern, handler in self._routes():
                match = re.fullmatch(pattern, request.path)
                if match and method == request.method:
                    result = handler(request, body, *match.groups())
                    return Response(status=204) if result is None else self._json(200, result)
            return Response("API endpoint does not exist.", status=404, content_type="text/plain")
        except HttpError as error:
            return self._json(error.status, error.body)

    @staticmethod
    def _json(status: int, payload: Any) -> Response:
        return Response(json.dumps(payload), status=status, content_type="application/json")

    def _routes(self) -> list[tuple[str, str, Callable[..., Any]]]:
        return [
            ("GET", r"/api/user/current", lambda r, b: {"id": 1, "email": self.username, "is_superuser": True}),
            ("GET", r"/api/database", self._list_databases),
            ("POST", r"/api/database", self._create_database),
            ("GET", r"/api/database/(\d+)", self._get_database),
            ("PUT", r"/api/database/(\d+)", self._update_database),
            ("GET", r"/api/setting/custom-geojson", lambda r, b: {**self.custom_geojson, **BUILTIN_MAPS}),
            ("PUT", r"/api/setting/custom-geojson", self._set_custom_geojson),
            ("GET", r"/api/collection", self._list_collections),
            ("POST", r"/api/collection", self._create_collection),
            ("PUT", r"/api/collection/(\d+)", self._update_collection),
            ("GET", r"/api/collection/(\d+)/items", self._collection_items),
            ("GET", r"/api/collection/graph", lambda r, b: self._graph(self.collection_graph, self.collection_revision)),
            ("PUT", r"/api/collection/graph", self._put_collection_graph),
            ("POST", r"/api/card", self._create_card),
            ("GET", r"/api/card/(\d+)", self._get_card),
            ("PUT", r"/api/card/(\d+)", self._update_card),
            ("POST", r"/api/dashboard", self._create_dashboard),
            ("GET", r"/api/dashboard/(\d+)", self._get_dashboard),
            ("PUT", r"/api/dashboard/(\d+)", self._update_dashboard),
            ("GET", r"/api/permissions/group", lambda r, b: list(self.groups.values())),
            ("POST", r"/api/permissions/group", self._create_group),
            ("GET", r"/api/permissions/graph", lambda r, b: self._graph(self.data_graph, self.data_revision)),
            ("PUT", r"/api/permissions/graph", self._put_data_graph),
        ]

    def _new_id(self, kind: str) -> int:
        value = self.next_id[kind]
        self.next_id[kind] += 1
        return value

    # --- session ----------------------------------------------------------------------------
    def _login(self, body: Any) -> dict[str, str]:
        if not isinstance(body, dict) or body.get("username") != self.username or body.get("password") != self.password:
            raise HttpError(401, {"errors": {"password": "did not match stored password"}})
        token = secrets.token_hex(16)
        self.sessions.add(token)
        return {"id": token}

    # --- databases --------------------------------------------------------------------------
    @staticmethod
    def _public_database(db: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(db)
        if "password" in out["details"]:
            out["details"]["password"] = PROTECTED_PASSWORD
        return out

    def _list_databases(self, request: Request, body: Any) -> dict[str, Any]:
        rows = [self._public_database(d) for d in self.databases.values()]
        return {"data": rows, "total": len(rows)}

    def _create_database(self, request: Request, body: Any) -> dict[str, Any]:
        for name in ("engine", "name", "details"):
            if not body or not body.get(name):
                raise _bad_request(name, "value must be a non-blank string." if name != "details" else "value must be a map.")
        if body["engine"] != "postgres":
            raise _bad_request("engine", "unsupported engine in this fake")
        database_id = self._new_id("database")
        details = {"tunnel-enabled": False, "advanced-options": False, **body["details"]}
        self.databases[database_id] = {"id": database_id, "name": body["name"], "engine": body["engine"],
                                       "details": details, "is_full_sync": body.get("is_full_sync", True)}
        # Metabase's default: everybody may query a new database, natively too.
        for group_id in self.groups:
            if group_id == 1:
                self.data_graph[group_id][database_id] = {"view-data": "unrestricted",
                                                          "create-queries": "query-builder-and-native",
                                                          "download": {"schemas": "full"}}
            elif group_id != 2:
                self.data_graph[group_id][database_id] = {"view-data": "unrestricted", "create-queries": "no"}
        self.data_revision += 1
        return self._public_database(self.databases[database_id])

    def _get_database(self, request: Request, body: Any, database_id: str) -> dict[str, Any]:
        return self._public_database(self._find(self.databases, database_id, "database"))

    def _update_database(self, request: Request, body: Any, database_id: str) -> dict[str, Any]:
        db = self._find(self.databases, database_id, "database")
        for key in ("name", "engine", "is_full_sync"):
            if key in body:
                db[key] = body[key]
        if "details" in body:
            details = dict(body["details"])
            if details.get("password") == PROTECTED_PASSWORD:
                details["password"] = db["details"].get("password")
            db["details"] = {"tunnel-enabled": False, "advanced-options": False, **details}
        return self._public_database(db)

    # --- settings ---------------------------------------------------------------------------
    def _set_custom_geojson(self, request: Request, body: Any) -> None:
        value = (body or {}).get("value")
        if not isinstance(value, dict):
            raise HttpError(400, {"message": "Invalid custom GeoJSON"})
        value = {k: v for k, v in value.items() if k not in BUILTIN_MAPS}
        for entry in value.values():
            if not isinstance(entry, dict) or set(entry) - {"name", "url", "region_key", "region_name", "builtin"} \
                    or not entry.get("name") or not entry.get("url"):
                raise HttpError(400, {"message": "Invalid custom GeoJSON"})
            if not re.match(r"^https?://", entry["url"]):
                raise HttpError(400, {"message": "Invalid GeoJSON file location: must start with http:// or https://. "
                                                 "URLs referring to hosts that supply internal hosting metadata are prohibited."})
        self.custom_geojson = value
        return None

    # --- collections ------------------------------------------------------------------------
    def _list_collections(self, request: Request, body: Any) -> list[dict[str, Any]]:
        root = {"id": "root", "name": "Our analytics", "location": None, "description": None}
        return [root, *[copy.deepcopy(c) for c in self.collections.values() if not c["archived"]]]

    def _create_collection(self, request: Request, body: Any) -> dict[str, Any]:
        if not body or not body.get("name"):
            raise _bad_request("name", "value must be a non-blank string.")
        if body.get("parent_id") is not None and body["parent_id"] not in self.collections:
            raise HttpError(404, "Not found.")
        collection_id = self._new_id("collection")
        self.collections[collection_id] = {
            "id": collection_id, "name": body["name"], "description": body.get("description"),
            "location": "/", "archived": False, "personal_owner_id": None,
            "entity_id": f"collection{collection_id:012d}",
        }
        # A new collection inherits its parent's (the root's) permissions.
        for group_id, perms in self.collection_graph.items():
            perms[collection_id] = perms.get("root", "none")
        self.collection_revision += 1
        return copy.deepcopy(self.collections[collection_id])

    def _update_collection(self, request: Request, body: Any, collection_id: str) -> dict[str, Any]:
        collection = self._find(self.collections, collection_id, "collection")
        for key in ("name", "description", "archived"):
            if key in body:
                collection[key] = body[key]
        return copy.deepcopy(collection)

    def _collection_items(self, request: Request, body: Any, collection_id: str) -> dict[str, Any]:
        self._find(self.collections, collection_id, "collection")
        models = request.args.getlist("models") or ["card", "dashboard"]
        items = []
        for model, store in (("card", self.cards), ("dashboard", self.dashboards)):
            if model not in models:
                continue
            for obj in store.values():
                if obj["collection_id"] == int(collection_id) and not obj["archived"]:
                    items.append({"id": obj["id"], "name": obj["name"], "description": obj["description"],
                                  "model": model, "entity_id": obj["entity_id"]})
        return {"data": items, "total": len(items), "models": models}

    # --- cards ------------------------------------------------------------------------------
    def _check_card(self, card: dict[str, Any]) -> None:
        for name in ("name", "dataset_query", "display", "visualization_settings"):
            if card.get(name) in (None, ""):
                raise _bad_request(name, "value must be a non-blank string." if name in ("name", "display") else "value must be a map.")
        query = card["dataset_query"]
        if query.get("database") not in self.databases:
            raise _bad_request("dataset_query", "database does not exist")
        if card.get("collection_id") is not None and card["collection_id"] not in self.collections:
            raise HttpError(404, "Not found.")
        if query.get("type") == "native":
            tags = query["native"].get("template-tags") or {}
            used = set(_TAG.findall(query["native"].get("query", "")))
            if used - set(tags):
                raise _bad_request("dataset_query", f"template tags not defined: {sorted(used - set(tags))}")
            for tag in tags.values():
                if tag.get("type") not in ("text", "number", "date", "dimension", "snippet", "card"):
                    raise _bad_request("dataset_query", "invalid template tag type")
            for parameter in card.get("parameters") or []:
                target = parameter.get("target") or []
                if len(target) != 2 or target[1][0] != "template-tag" or target[1][1] not in tags:
                    raise _bad_request("parameters", "parameter targets an unknown template tag")

    def _create_card(self, request: Request, body: Any) -> dict[str, Any]:
        card = dict(body or {})
        self._check_card(card)
        card_id = self._new_id("card")
        card.update(id=card_id, archived=False, entity_id=f"card{card_id:017d}", parameters=card.get("parameters") or [],
                    description=card.get("description"), collection_id=card.get("collection_id"))
        self.cards[card_id] = card
        return copy.deepcopy(card)

    def _get_card(self, request: Request, body: Any, card_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._find(self.cards, card_id, "card"))

    def _update_card(self, request: Request, body: Any, card_id: str) -> dict[str, Any]:
        card = self._find(self.cards, card_id, "card")
        updated = {**card, **(body or {})}
        self._check_card(updated)
        self.cards[int(card_id)] = updated
        return copy.deepcopy(updated)

    # --- dashboards -------------------------------------------------------------------------
    def _create_dashboard(self, request: Request, body: Any) -> dict[str, Any]:
        if not body or not body.get("name"):
            raise _bad_request("name", "value must be a non-blank string.")
        if body.get("collection_id") is not None and body["collection_id"] not in self.collections:
            raise HttpError(404, "Not found.")
        dashboard_id = self._new_id("dashboard")
        self.dashboards[dashboard_id] = {
            "id": dashboard_id, "name": body["name"], "description": body.get("description"),
            "collection_id": body.get("collection_id"), "parameters": body.get("parameters") or [],
            "dashcards": [], "tabs": [], "archived": False, "entity_id": f"dashboard{dashboard_id:012d}",
        }
        return copy.deepcopy(self.dashboards[dashboard_id])

    def _get_dashboard(self, request: Request, body: Any, dashboard_id: str) -> dict[str, Any]:
        dashboard = copy.deepcopy(self._find(self.dashboards, dashboard_id, "dashboard"))
        for d in dashboard["dashcards"]:
            d["card"] = copy.deepcopy(self.cards[d["card_id"]]) if d["card_id"] is not None else None
        return dashboard

    def _update_dashboard(self, request: Request, body: Any, dashboard_id: str) -> dict[str, Any]:
        dashboard = self._find(self.dashboards, dashboard_id, "dashboard")
        body = body or {}
        parameters = body.get("parameters", dashboard["parameters"])
        if "dashcards" in body:
            dashcards = self._replace_dashcards(dashboard, body["dashcards"], {p["id"] for p in parameters})
        else:
            dashcards = dashboard["dashcards"]
        for key in ("name", "description", "collection_id", "archived"):
            if key in body:
                dashboard[key] = body[key]
        dashboard["parameters"] = parameters
        dashboard["dashcards"] = dashcards
        return self._get_dashboard(request, None, dashboard_id)

    def _replace_dashcards(self, dashboard: dict[str, Any], wanted: list[dict[str, Any]], parameter_ids: set[str]) -> list:
        ids = [d.get("id") for d in wanted]
        if any(not isinstance(i, int) for i in ids) or len(set(ids)) != len(ids):
            raise _bad_request("dashcards", "value must be seq of maps in which ids are unique")
        own = {d["id"] for d in dashboard["dashcards"]}
        out = []
        for d in wanted:
            if d["id"] > 0 and d["id"] not in own:
                raise HttpError(400, {"message": "Dashcard does not belong to this dashboard"})
            card_id = d.get("card_id")
            if card_id is None:
                if "virtual_card" not in (d.get("visualization_settings") or {}):
                    raise _bad_request("dashcards", "a dashcard without card_id must be a virtual card")
            elif card_id not in self.cards:
                raise HttpError(404, "Not found.")
            for name in ("row", "col", "size_x", "size_y"):
                if not isinstance(d.get(name), int) or d[name] < 0:
                    raise _bad_request("dashcards", f"{name} must be a non-negative integer")
            if d["col"] + d["size_x"] > 24:
                raise _bad_request("dashcards", "dashcard does not fit the 24-column grid")
            for mapping in d.get("parameter_mappings") or []:
                if mapping.get("parameter_id") not in parameter_ids:
                    raise _bad_request("dashcards", "parameter mapping names an unknown dashboard parameter")
                if mapping.get("card_id") != card_id:
                    raise _bad_request("dashcards", "parameter mapping card_id differs from the dashcard's")
                tags = self.cards[card_id]["dataset_query"]["native"]["template-tags"] if card_id else {}
                if mapping["target"][1][1] not in tags:
                    raise _bad_request("dashcards", "parameter mapping targets an unknown template tag")
            new_id = d["id"] if d["id"] > 0 else self._new_id("dashcard")
            out.append({
                "id": new_id, "dashboard_id": dashboard["id"], "card_id": card_id, "row": d["row"], "col": d["col"],
                "size_x": d["size_x"], "size_y": d["size_y"],
                "parameter_mappings": copy.deepcopy(d.get("parameter_mappings") or []),
                "visualization_settings": copy.deepcopy(d.get("visualization_settings") or {}),
                "series": copy.deepcopy(d.get("series") or []), "dashboard_tab_id": d.get("dashboard_tab_id"),
            })
        return out

    # --- permissions ------------------------------------------------------------------------
    def _create_group(self, request: Request, body: Any) -> dict[str, Any]:
        name = (body or {}).get("name")
        if not name:
            raise _bad_request("name", "value must be a non-blank string.")
        if any(g["name"] == name for g in self.groups.values()):
            raise HttpError(400, {"message": "A group with that name already exists."})
        group_id = self._new_id("group")
        self.groups[group_id] = {"id": group_id, "name": name}
        self.data_graph[group_id] = {db: {"view-data": "unrestricted", "create-queries": "no"} for db in self.databases}
        self.collection_graph[group_id] = {c: "none" for c in self.collections} | {"root": "none"}
        self.data_revision += 1
        self.collection_revision += 1
        return dict(self.groups[group_id])

    @staticmethod
    def _graph(graph: dict[int, dict[Any, Any]], revision: int) -> dict[str, Any]:
        return {"revision": revision,
                "groups": {str(g): {str(k): copy.deepcopy(v) for k, v in perms.items()} for g, perms in graph.items()}}

    def _put_graph(self, graph: dict[int, dict[Any, Any]], revision: int, body: Any, valid: Callable[[Any], bool]) -> None:
        if not isinstance(body, dict) or "revision" not in body or "groups" not in body:
            raise _bad_request("body", "value must be a map with revision and groups")
        if body["revision"] != revision:
            raise HttpError(409, "Looks like someone else edited the permissions and your data is out of date. "
                                 "Please fetch new data and try again.")
        for group, perms in body["groups"].items():
            if int(group) not in self.groups:
                raise _bad_request("groups", "unknown group")
            for target, value in perms.items():
                if not valid(value):
                    raise _bad_request("groups", "invalid permission value")
                key = target if target == "root" else int(target)
                graph[int(group)][key] = copy.deepcopy(value)

    def _put_data_graph(self, request: Request, body: Any) -> dict[str, Any]:
        def valid(value: Any) -> bool:
            return (isinstance(value, dict) and value.get("view-data") in ("unrestricted", "blocked", "legacy-no-self-service")
                    and value.get("create-queries") in ("query-builder-and-native", "query-builder", "no"))
        for perms in (body or {}).get("groups", {}).values():
            for db in perms:
                if int(db) not in self.databases:
                    raise _bad_request("groups", "unknown database")
        self._put_graph(self.data_graph, self.data_revision, body, valid)
        self.data_revision += 1
        return self._graph(self.data_graph, self.data_revision)

    def _put_collection_graph(self, request: Request, body: Any) -> dict[str, Any]:
        for perms in (body or {}).get("groups", {}).values():
            for collection in perms:
                if collection != "root" and int(collection) not in self.collections:
                    raise _bad_request("groups", "unknown collection")
        self._put_graph(self.collection_graph, self.collection_revision, body, lambda v: v in ("read", "write", "none"))
        self.collection_revision += 1
        return self._graph(self.collection_graph, self.collection_revision)

    @staticmethod
    def _find(store: dict[int, dict[str, Any]], object_id: str, kind: str) -> dict[str, Any]:
        if int(object_id) not in store:
            raise HttpError(404, "Not found.")
        return store[int(object_id)]
