"""Publish the dashboards spec to a Metabase instance, idempotently.

Targets Metabase 0.50 to 0.56 (the API shapes of `metabase_bodies`). Every object is found again
by the marker its description carries (else by name in the collection) and updated only when what
Metabase holds differs from what the spec asks for: a second run with the same spec sends no
POST or PUT at all. Order matters: the database before the cards that query it, the custom map
before the map card, the cards before the dashboards that place them, permissions last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.defs.dashboards import metabase_bodies as bodies
from etl.defs.dashboards.metabase_bodies import DatabaseConnection
from etl.defs.dashboards.metabase_client import MetabaseClient, MetabaseError
from etl.defs.dashboards.spec import DashboardsSpec

__all__ = ["DatabaseConnection", "MetabaseError", "ProvisioningError", "PublishResult", "publish"]

ALL_USERS = "All Users"
_DASHCARD_FIELDS = ("card_id", "row", "col", "size_x", "size_y", "visualization_settings")


class ProvisioningError(RuntimeError):
    """Metabase holds something the spec cannot be reconciled with (e.g. two cards with one key)."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    database_id: int
    collection_id: int
    group_id: int
    card_ids: Mapping[str, int]
    dashboard_ids: Mapping[str, int]
    changes: tuple[str, ...] = field(default=())  # what this run created, updated or archived

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def publish(
    spec: DashboardsSpec,
    *,
    url: str,
    username: str,
    password: str,
    database: DatabaseConnection,
    geojson_url: str,
    update_database_password: bool = False,
    client_factory: Callable[..., MetabaseClient] = MetabaseClient,
) -> PublishResult:
    """Create or update the database connection, custom map, collection, cards, dashboards and permissions.

    ``geojson_url`` is where Metabase fetches `paraguay_departments.geojson` from (it proxies the
    file to browsers). The database password is only sent when the connection is created, when
    another connection detail changed, or when ``update_database_password`` asks for it (Metabase
    never returns it, so a changed password cannot be detected).
    """
    client = client_factory(url, username, password, secrets=[database.password])
    run = _Run(client, spec)
    database_id = run.database(database, update_database_password)
    run.custom_map(geojson_url)
    collection_id = run.collection()
    card_ids = run.cards(database_id, collection_id)
    dashboard_ids = run.dashboards(collection_id, card_ids)
    group_id = run.group()
    run.data_permissions(group_id, database_id)
    run.collection_permissions(group_id, collection_id)
    return PublishResult(database_id=database_id, collection_id=collection_id, group_id=group_id,
                         card_ids=card_ids, dashboard_ids=dashboard_ids, changes=tuple(run.changes))


def _rows(answer: Any) -> list[dict[str, Any]]:
    """Listing endpoints answer a list, or {"data": [...]} since 0.40."""
    if isinstance(answer, dict):
        return list(answer.get("data") or [])
    return list(answer or [])


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _differs(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    return sorted(k for k, v in desired.items() if _canonical(existing.get(k)) != _canonical(v))


class _Run:
    def __init__(self, client: MetabaseClient, spec: DashboardsSpec) -> None:
        self.client, self.spec = client, spec
        self.changes: list[str] = []

    # --- database -------------------------------------------------------------------------
    def database(self, connection: DatabaseConnection, update_password: bool) -> int:
        desired = bodies.database_body(self.spec, connection)
        found = [d for d in _rows(self.client.get("/api/database")) if d.get("name") == desired["name"]]
        if len(found) > 1:
            raise ProvisioningError(f"Metabase has {len(found)} databases named {desired['name']!r}")
        if not found:
            created = self.client.post("/api/database", desired)
            self.changes.append("database: created")
            return int(created["id"])
        database_id = int(found[0]["id"])
        existing = self.client.get(f"/api/database/{database_id}")
        details = {k: v for k, v in desired["details"].items() if k != "password"}
        stale = _differs(existing.get("details") or {}, details) + _differs(existing, {"engine": desired["engine"]})
        if stale or update_password:
            self.client.put(f"/api/database/{database_id}", desired)
            self.changes.append("database: updated")
        return database_id

    # --- custom region map ------------------------------------------------------------------
    def custom_map(self, geojson_url: str) -> None:
        key = self.spec.custom_map.key
        entry = bodies.custom_map_entry(self.spec, geojson_url)
        current = self.client.get("/api/setting/custom-geojson") or {}
        if _canonical(current.get(key)) == _canonical(entry):
            return
        # The setting is one JSON object: keep every other user-defined map, drop the built-ins
        # (Metabase merges those in on read and refuses them on write).
        value = {k: v for k, v in current.items() if not (isinstance(v, dict) and v.get("builtin"))}
        value[key] = entry
        self.client.put("/api/setting/custom-geojson", {"value": value})
        self.changes.append(f"custom map {key}: {'updated' if key in current else 'created'}")

    # --- collection -------------------------------------------------------------------------
    def collection(self) -> int:
        desired = bodies.collection_body(self.spec)
        collections = [c for c in _rows(self.client.get("/api/collection"))
                       if isinstance(c.get("id"), int) and not c.get("archived") and c.get("personal_owner_id") is None]
        key = self.spec.collection.key
        found = [c for c in collections if bodies.marker_of(c.get("description")) == ("collection", key)] or [
            c for c in collections if c.get("name") == desired["name"] and c.get("location", "/") == "/"
        ]
        if len(found) > 1:
            raise ProvisioningError(f"Metabase has {len(found)} collections for {key!r}")
        if not found:
            created = self.client.post("/api/collection", desired)
            self.changes.append("collection: created")
            return int(created["id"])
        collection = found[0]
        stale = _differs(collection, {"name": desired["name"], "description": desired["description"]})
        if stale:
            self.client.put(f"/api/collection/{collection['id']}", {"name": desired["name"],
                                                                    "description": desired["description"]})
            self.changes.append("collection: updated")
        return int(collection["id"])

    def _items(self, collection_id: int, model: str) -> dict[str, dict[str, Any]]:
        """Objects of one model in the collection, by spec key (from the marker, else the name)."""
        items = [i for i in _rows(self.client.get(f"/api/collection/{collection_id}/items", models=model))
                 if i.get("model") == model]
        by_key: dict[str, dict[str, Any]] = {}
        for item in items:
            marker = bodies.marker_of(item.get("description"))
            if marker and marker[0] == model:
                if marker[1] in by_key:
                    raise ProvisioningError(f"two {model}s in the collection carry the key {marker[1]!r}")
                by_key[marker[1]] = item
        return by_key | {f"name:{i['name']}": i for i in items if not bodies.marker_of(i.get("description"))}

    # --- cards ------------------------------------------------------------------------------
    def cards(self, database_id: int, collection_id: int) -> dict[str, int]:
        existing = self._items(collection_id, "card")
        ids: dict[str, int] = {}
        for key, card in self.spec.cards.items():
            desired = bodies.card_body(self.spec, card, database_id=database_id, collection_id=collection_id)
            item = existing.pop(key, None) or existing.pop(f"name:{desired['name']}", None)
            if item is None:
                ids[key] = int(self.client.post("/api/card", desired)["id"])
                self.changes.append(f"card {key}: created")
                continue
            ids[key] = int(item["id"])
            current = self.client.get(f"/api/card/{ids[key]}")
            if _differs(current, desired) or current.get("archived"):
                self.client.put(f"/api/card/{ids[key]}", {**desired, "archived": False})
                self.changes.append(f"card {key}: updated")
        for key, item in existing.items():
            if not key.startswith("name:"):  # ours, but no longer in the spec
                self.client.put(f"/api/card/{item['id']}", {"archived": True})
                self.changes.append(f"card {key}: archived")
        return ids

    # --- dashboards -------------------------------------------------------------------------
    def dashboards(self, collection_id: int, card_ids: Mapping[str, int]) -> dict[str, int]:
        existing = self._items(collection_id, "dashboard")
        ids: dict[str, int] = {}
        for key, dashboard in self.spec.dashboards.items():
            create = bodies.dashboard_create_body(self.spec, dashboard, collection_id=collection_id)
            item = existing.pop(key, None) or existing.pop(f"name:{create['name']}", None)
            if item is None:
                dashboard_id = int(self.client.post("/api/dashboard", create)["id"])
                current: dict[str, Any] = {"dashcards": []}
                self.changes.append(f"dashboard {key}: created")
            else:
                dashboard_id = int(item["id"])
                current = self.client.get(f"/api/dashboard/{dashboard_id}")
            ids[key] = dashboard_id
            wanted = bodies.dashcards(self.spec, dashboard, card_ids)
            existing_cards = current.get("dashcards") or []
            if item is not None and not _differs(current, create) and _same_dashcards(existing_cards, wanted):
                continue
            body = bodies.dashboard_update_body(self.spec, dashboard, collection_id=collection_id,
                                                dashcards_with_ids=_assign_ids(existing_cards, wanted))
            self.client.put(f"/api/dashboard/{dashboard_id}", body)
            if item is not None:
                self.changes.append(f"dashboard {key}: updated")
        for key, item in existing.items():
            if not key.startswith("name:"):
                self.client.put(f"/api/dashboard/{item['id']}", {"archived": True})
                self.changes.append(f"dashboard {key}: archived")
        return ids

    # --- permissions ------------------------------------------------------------------------
    def group(self) -> int:
        name = self.spec.permission_group
        found = [g for g in _rows(self.client.get("/api/permissions/group")) if g.get("name") == name]
        if found:
            return int(found[0]["id"])
        created = self.client.post("/api/permissions/group", {"name": name})
        self.changes.append("permission group: created")
        return int(created["id"])

    def _all_users(self) -> int:
        for g in _rows(self.client.get("/api/permissions/group")):
            if g.get("name") == ALL_USERS:
                return int(g["id"])
        raise ProvisioningError("Metabase has no 'All Users' group")

    def data_permissions(self, group_id: int, database_id: int) -> None:
        # Permissions add up across groups: the policymakers' group must not write SQL, and
        # neither may "All Users" (every user is in it) on this database.
        graph = self.client.get("/api/permissions/graph")
        wanted = {group_id: bodies.VIEW_ONLY_DATA, self._all_users(): bodies.VIEW_ONLY_DATA}
        changes: dict[str, dict[str, Any]] = {}
        for gid, perms in wanted.items():
            current = (graph.get("groups") or {}).get(str(gid), {}).get(str(database_id), {})
            if _differs(current, perms):
                changes[str(gid)] = {str(database_id): {**current, **perms}}
        if changes:
            self.client.put("/api/permissions/graph", {"revision": graph["revision"], "groups": changes})
            self.changes.append("data permissions: updated")

    def collection_permissions(self, group_id: int, collection_id: int) -> None:
        graph = self.client.get("/api/collection/graph")
        wanted = {group_id: "read", self._all_users(): "none"}
        changes: dict[str, dict[str, str]] = {}
        for gid, perm in wanted.items():
            if (graph.get("groups") or {}).get(str(gid), {}).get(str(collection_id)) != perm:
                changes[str(gid)] = {str(collection_id): perm}
        if changes:
            self.client.put("/api/collection/graph", {"revision": graph["revision"], "groups": changes})
            self.changes.append("collection permissions: updated")


def _dashcard_signature(d: Mapping[str, Any]) -> str:
    mappings = sorted((_canonical(m.get("parameter_id")), _canonical(m.get("target")), _canonical(m.get("card_id")))
                      for m in d.get("parameter_mappings") or [])
    return _canonical({**{k: d.get(k) for k in _DASHCARD_FIELDS}, "parameter_mappings": mappings})


def _same_dashcards(existing: list[Mapping[str, Any]], wanted: list[Mapping[str, Any]]) -> bool:
    return sorted(map(_dashcard_signature, existing)) == sorted(map(_dashcard_signature, wanted))


def _assign_ids(existing: list[Mapping[str, Any]], wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the id of an existing dashcard showing the same card (text blocks: same place); new ones get -1, -2…"""
    free = list(existing)
    out, next_new = [], -1
    for d in wanted:
        match = next((e for e in free if e.get("card_id") == d["card_id"]
                      and (d["card_id"] is not None or (e.get("row"), e.get("col")) == (d["row"], d["col"]))), None)
        if match is not None:
            free.remove(match)
            out.append({"id": int(match["id"]), **d})
        else:
            out.append({"id": next_new, **d})
            next_new -= 1
    return out
