"""Request bodies for Metabase's REST API, built from the spec (pure functions, no I/O).

Shapes follow the current API (Metabase 0.50 to 0.56): native cards with template tags and
`parameters`; dashboards whose dashcards and parameters are replaced as a whole by
`PUT /api/dashboard/:id` (the per-card endpoints were removed in 0.47); data permissions with
`view-data` / `create-queries` (0.50's permission model).

Ids Metabase lets the client choose (template-tag ids, dashboard parameter ids) are derived from
the card and filter keys, so a second publication produces byte-identical bodies and the
provisioning can tell "unchanged" from "changed" by comparing them.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from etl.defs.dashboards.spec import CardSpec, DashboardSpec, DashboardsSpec, FilterSpec

_NAMESPACE = uuid.UUID("6f0c5d0e-5a63-4c1e-9d0b-0b5e7a4f2c11")  # fixed: ids must not change between runs
MARKER = re.compile(r"\[observatorio:(collection|card|dashboard):([A-Za-z0-9_]+)\]")
_MANAGED_NOTE = "Gestionado como código por el Observatorio: los cambios hechos a mano se reemplazan al publicar."


@dataclass(frozen=True, slots=True)
class DatabaseConnection:
    """How Metabase reaches the warehouse: always as the read-only dashboard role."""

    host: str
    port: int
    dbname: str
    password: str
    user: str = "observatorio_dashboard"
    ssl: bool = False

    def __repr__(self) -> str:  # never print the password
        return f"DatabaseConnection(host={self.host!r}, port={self.port}, dbname={self.dbname!r}, user={self.user!r})"


def described(text: str, kind: str, key: str) -> str:
    """A description carrying the marker that lets a later run find the object again."""
    return f"{text}\n\n{_MANAGED_NOTE} [observatorio:{kind}:{key}]"


def marker_of(description: str | None) -> tuple[str, str] | None:
    match = MARKER.search(description or "")
    return (match.group(1), match.group(2)) if match else None


def tag_id(card_key: str, filter_key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"tag:{card_key}:{filter_key}"))


def parameter_id(dashboard_key: str, filter_key: str) -> str:
    return hashlib.sha1(f"parameter:{dashboard_key}:{filter_key}".encode()).hexdigest()[:8]


def _column_key(column: str) -> str:
    return json.dumps(["name", column], separators=(",", ":"))


def _choices(f: FilterSpec) -> dict[str, Any]:
    if not f.choices:
        return {}
    return {
        "values_query_type": "list",
        "values_source_type": "static-list",
        "values_source_config": {"values": [[code, label] for code, label in f.choices]},
    }


def database_body(spec: DashboardsSpec, connection: DatabaseConnection) -> dict[str, Any]:
    return {
        "engine": "postgres",
        "name": spec.database_name,
        "details": database_details(spec, connection),
        "is_full_sync": True,
    }


def database_details(spec: DashboardsSpec, connection: DatabaseConnection) -> dict[str, Any]:
    return {
        "host": connection.host,
        "port": connection.port,
        "dbname": connection.dbname,
        "user": connection.user,
        "password": connection.password,
        "ssl": connection.ssl,
        # Metabase syncs (and offers to its query builder) only the publication schema.
        "schema-filters-type": "inclusion",
        "schema-filters-patterns": spec.database_schema,
    }


def collection_body(spec: DashboardsSpec) -> dict[str, Any]:
    c = spec.collection
    return {"name": c.name, "description": described(" ".join(c.description.split()), "collection", c.key),
            "parent_id": None}


def custom_map_entry(spec: DashboardsSpec, geojson_url: str) -> dict[str, Any]:
    m = spec.custom_map
    return {"name": m.name, "url": geojson_url, "region_key": m.region_key, "region_name": m.region_name}


def template_tags(spec: DashboardsSpec, card: CardSpec) -> dict[str, Any]:
    return {
        f.key: {"id": tag_id(card.key, f.key), "name": f.key, "display-name": f.label, "type": f.type, "required": False}
        for f in spec.card_filters(card)
    }


def card_parameters(spec: DashboardsSpec, card: CardSpec) -> list[dict[str, Any]]:
    return [
        {
            "id": tag_id(card.key, f.key),
            "type": "number/=" if f.type == "number" else "category",
            "target": ["variable", ["template-tag", f.key]],
            "name": f.label,
            "slug": f.key,
            **_choices(f),
        }
        for f in spec.card_filters(card)
    ]


def visualization_settings(spec: DashboardsSpec, card: CardSpec) -> dict[str, Any]:
    column_settings: dict[str, Any] = {_column_key(name): {"column_title": title} for name, title in card.columns}
    settings: dict[str, Any] = {}
    if card.display == "table":
        settings["table.pivot"] = False
    elif card.display == "map":
        assert card.map is not None
        settings.update({
            "map.type": "region",
            "map.region": spec.custom_map.key,
            "map.dimension": card.map.region,
            "map.metric": card.map.metric,
        })
    else:
        chart = card.chart
        assert chart is not None
        settings.update({
            "graph.dimensions": [chart.x, *([chart.series] if chart.series else [])],
            "graph.metrics": list(chart.y),
            "graph.x_axis.title_text": card.column_titles[chart.x],
            "graph.y_axis.title_text": chart.y_title,
            "graph.x_axis.scale": "ordinal",
        })
        if chart.stacked:
            settings["stackable.stack_type"] = "stacked"
        if card.display == "line":
            # A withheld or unreported value is a gap, never drawn as zero.
            settings["series_settings"] = {y: {"line.missing": "none"} for y in chart.y}
        if chart.percent:
            for y in chart.y:
                column_settings[_column_key(y)]["number_style"] = "percent"
    settings["column_settings"] = column_settings
    return settings


def card_body(spec: DashboardsSpec, card: CardSpec, *, database_id: int, collection_id: int) -> dict[str, Any]:
    return {
        "name": card.title,
        "description": described(card.description, "card", card.key),
        "collection_id": collection_id,
        "type": "question",
        "display": card.display,
        "dataset_query": {
            "database": database_id,
            "type": "native",
            "native": {"query": card.sql, "template-tags": template_tags(spec, card)},
        },
        "parameters": card_parameters(spec, card),
        "visualization_settings": visualization_settings(spec, card),
    }


def dashboard_parameters(spec: DashboardsSpec, dashboard: DashboardSpec) -> list[dict[str, Any]]:
    parameters = []
    for key in dashboard.filters:
        f = spec.filters[key]
        number = f.type == "number"
        parameters.append({
            "id": parameter_id(dashboard.key, key),
            "name": f.label,
            "slug": key,
            "type": "number/=" if number else "string/=",
            "sectionId": "number" if number else "string",
            **({} if number else {"isMultiSelect": False}),
            **_choices(f),
        })
    return parameters


def dashboard_create_body(spec: DashboardsSpec, dashboard: DashboardSpec, *, collection_id: int) -> dict[str, Any]:
    return {
        "name": dashboard.name,
        "description": described(dashboard.description, "dashboard", dashboard.key),
        "collection_id": collection_id,
        "parameters": dashboard_parameters(spec, dashboard),
    }


def _text_settings(text: str) -> dict[str, Any]:
    return {
        "virtual_card": {"name": None, "display": "text", "visualization_settings": {}, "dataset_query": {},
                         "archived": False},
        "text": text,
    }


def dashcards(spec: DashboardsSpec, dashboard: DashboardSpec, card_ids: Mapping[str, int]) -> list[dict[str, Any]]:
    """The dashboard's dashcards without ids (the caller assigns existing or negative ones)."""
    out = []
    for item in dashboard.layout:
        if item.card is None:
            card_id, mappings, settings = None, [], _text_settings(dashboard.caveats)
        else:
            card = spec.cards[item.card]
            card_id = card_ids[item.card]
            mappings = [
                {"parameter_id": parameter_id(dashboard.key, key), "card_id": card_id,
                 "target": ["variable", ["template-tag", key]]}
                for key in dashboard.filters if key in card.filters
            ]
            settings = {}
        out.append({
            "card_id": card_id, "row": item.row, "col": item.col, "size_x": item.size_x, "size_y": item.size_y,
            "parameter_mappings": mappings, "visualization_settings": settings, "series": [],
            "dashboard_tab_id": None,
        })
    return out


def dashboard_update_body(
    spec: DashboardsSpec, dashboard: DashboardSpec, *, collection_id: int, dashcards_with_ids: list[dict[str, Any]]
) -> dict[str, Any]:
    return {**dashboard_create_body(spec, dashboard, collection_id=collection_id), "dashcards": dashcards_with_ids}


# Data permissions of Metabase 0.50+: viewers may see saved questions' results, write no queries.
VIEW_ONLY_DATA = {"view-data": "unrestricted", "create-queries": "no"}
ALL_USERS_GROUP_ID = 1  # Metabase's magic "All Users" group; every user is in it
