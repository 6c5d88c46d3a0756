"""The dashboards as data: spec.yaml and sql/*.sql, loaded into typed, validated objects.

One description serves Metabase provisioning (`metabase.py`), the static report (`report.py`)
and the latency benchmark (`bench.py`), so a card cannot say one thing in Metabase and another
in the report. Loading fails loudly on anything inconsistent: a filter a card's SQL uses but does
not declare, a chart column the SQL does not return, cards overlapping on a dashboard, a table
outside the `publication` schema.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from etl.defs.dashboards.sqltemplate import TagType, required_tags, tags_in
from etl.defs.intake.codelists import codelists
from warehouse import reference
from warehouse.tables import PUBLICATION, PUBLICATION_TABLES, PUBLICATION_VIEWS

Display = Literal["table", "bar", "line", "row", "map"]
DISPLAYS: tuple[Display, ...] = ("table", "bar", "line", "row", "map")
GRID_COLUMNS = 24  # Metabase's dashboard grid since 0.46
TEXT_BLOCKS = ("caveats",)
DEPARTMENTS_SOURCE = "departments"


class SpecError(ValueError):
    """spec.yaml or a card's SQL is inconsistent; the message names the card, filter or dashboard."""


@dataclass(frozen=True, slots=True)
class FilterSpec:
    key: str
    label: str
    type: TagType
    help: str
    # (code, Spanish label) of a dropdown, or empty for a free number
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ChartSpec:
    x: str
    y: tuple[str, ...]
    y_title: str
    series: str | None = None
    stacked: bool = False
    percent: bool = False
    interval: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class MapSpec:
    region: str
    metric: str
    name: str


@dataclass(frozen=True, slots=True)
class CardSpec:
    key: str
    title: str
    description: str
    display: Display
    sql: str
    filters: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (SQL column, Spanish title), in SQL order
    chart: ChartSpec | None = None
    map: MapSpec | None = None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    @property
    def column_titles(self) -> dict[str, str]:
        return dict(self.columns)


@dataclass(frozen=True, slots=True)
class DashcardSpec:
    row: int
    col: int
    size_x: int
    size_y: int
    card: str | None = None  # a card key, or None for a text block
    text: str | None = None  # the text block's key (TEXT_BLOCKS)


@dataclass(frozen=True, slots=True)
class DashboardSpec:
    key: str
    name: str
    description: str
    caveats: str
    filters: tuple[str, ...]
    layout: tuple[DashcardSpec, ...]

    @property
    def card_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.card for d in self.layout if d.card is not None))


@dataclass(frozen=True, slots=True)
class CollectionSpec:
    key: str
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class CustomMapSpec:
    key: str
    name: str
    region_key: str
    region_name: str


@dataclass(frozen=True, slots=True)
class DashboardsSpec:
    collection: CollectionSpec
    permission_group: str
    custom_map: CustomMapSpec
    database_name: str
    database_schema: str
    filters: Mapping[str, FilterSpec]
    cards: Mapping[str, CardSpec]
    dashboards: Mapping[str, DashboardSpec]

    def card_filters(self, card: CardSpec) -> tuple[FilterSpec, ...]:
        return tuple(self.filters[key] for key in card.filters)

    def tag_types(self, card: CardSpec) -> dict[str, TagType]:
        return {f.key: f.type for f in self.card_filters(card)}


def _package_file(name: str) -> str:
    return (resources.files(__package__) / name).read_text(encoding="utf-8")


@cache
def load_spec() -> DashboardsSpec:
    """The spec shipped with the package (cached: it is immutable)."""
    return parse_spec(yaml.safe_load(_package_file("spec.yaml")), lambda name: _package_file(f"sql/{name}.sql"))


def parse_spec(raw: Mapping[str, Any], read_sql: Any) -> DashboardsSpec:
    """Build and validate a spec from its YAML mapping; ``read_sql(card_key)`` returns a card's SQL."""
    filters = {key: _filter(key, body) for key, body in raw["filters"].items()}
    cards = {key: _card(key, body, read_sql(key), filters) for key, body in raw["cards"].items()}
    dashboards = {key: _dashboard(key, body, filters, cards) for key, body in raw["dashboards"].items()}
    unused = sorted(set(cards) - {c for d in dashboards.values() for c in d.card_keys})
    if unused:
        raise SpecError(f"cards on no dashboard: {unused}")
    return DashboardsSpec(
        collection=CollectionSpec(**raw["collection"]),
        permission_group=raw["permission_group"],
        custom_map=CustomMapSpec(**raw["custom_map"]),
        database_name=raw["database"]["name"],
        database_schema=raw["database"]["schema"],
        filters=filters,
        cards=cards,
        dashboards=dashboards,
    )


def _filter(key: str, body: Mapping[str, Any]) -> FilterSpec:
    tag_type = body["type"]
    if tag_type not in ("number", "text"):
        raise SpecError(f"filter {key!r}: type must be number or text")
    source = body.get("values")
    choices = _choices(key, source) if source else ()
    if choices and tag_type != "text":
        raise SpecError(f"filter {key!r}: only text filters take a list of values")
    return FilterSpec(key=key, label=body["label"], type=tag_type, help=body.get("help", ""), choices=choices)


def _choices(key: str, source: str) -> tuple[tuple[str, str], ...]:
    if source == DEPARTMENTS_SOURCE:
        return tuple((d["ine_code"], d["name"]) for d in reference.departments())
    lists = codelists()
    if source not in lists:
        raise SpecError(f"filter {key!r}: values {source!r} is neither 'departments' nor a code list")
    return tuple((code, attrs["label_es"]) for code, attrs in lists[source].items())


def _card(key: str, body: Mapping[str, Any], sql: str, filters: Mapping[str, FilterSpec]) -> CardSpec:
    display = body["display"]
    if display not in DISPLAYS:
        raise SpecError(f"card {key!r}: display must be one of {DISPLAYS}")
    declared = tuple(body.get("filters") or ())
    unknown = sorted(set(declared) - set(filters))
    if unknown:
        raise SpecError(f"card {key!r}: unknown filters {unknown}")
    used = tags_in(sql)
    if set(used) != set(declared):
        raise SpecError(f"card {key!r}: SQL uses filters {sorted(used)} but declares {sorted(declared)}")
    # Every filter is optional: the SQL must fall back (all values, latest year) when it is empty.
    if required_tags(sql):
        raise SpecError(f"card {key!r}: filters {sorted(required_tags(sql))} are used outside [[ ... ]]")
    _check_schemas(key, sql)
    columns = tuple((str(name), str(title)) for name, title in body["columns"].items())
    names = {name for name, _ in columns}
    chart = _chart(key, body.get("chart"), names)
    map_spec = _map(key, body.get("map"), names)
    if display in ("bar", "line", "row") and chart is None:
        raise SpecError(f"card {key!r}: a {display} card needs a chart section")
    if display == "map" and map_spec is None:
        raise SpecError(f"card {key!r}: a map card needs a map section")
    return CardSpec(
        key=key, title=body["title"], description=" ".join(body["description"].split()), display=display,
        sql=sql, filters=declared, columns=columns, chart=chart, map=map_spec,
    )


def _chart(key: str, body: Mapping[str, Any] | None, names: set[str]) -> ChartSpec | None:
    if body is None:
        return None
    y = body["y"]
    chart = ChartSpec(
        x=body["x"], y=tuple(y) if isinstance(y, list) else (y,), y_title=body["y_title"],
        series=body.get("series"), stacked=bool(body.get("stacked", False)), percent=bool(body.get("percent", False)),
        interval=tuple(body["interval"]) if body.get("interval") else None,  # type: ignore[arg-type]
    )
    referenced = {chart.x, *chart.y, *(c for c in (chart.series,) if c), *(chart.interval or ())}
    missing = sorted(referenced - names)
    if missing:
        raise SpecError(f"card {key!r}: chart names columns the card does not return: {missing}")
    if chart.series and len(chart.y) != 1:
        raise SpecError(f"card {key!r}: a chart split by series has exactly one y column")
    return chart


def _map(key: str, body: Mapping[str, Any] | None, names: set[str]) -> MapSpec | None:
    if body is None:
        return None
    map_spec = MapSpec(region=body["region"], metric=body["metric"], name=body["name"])
    missing = sorted({map_spec.region, map_spec.metric, map_spec.name} - names)
    if missing:
        raise SpecError(f"card {key!r}: map names columns the card does not return: {missing}")
    return map_spec


def _dashboard(
    key: str, body: Mapping[str, Any], filters: Mapping[str, FilterSpec], cards: Mapping[str, CardSpec]
) -> DashboardSpec:
    layout = tuple(_dashcard(key, item, cards) for item in body["layout"])
    _check_layout(key, layout)
    dashboard = DashboardSpec(
        key=key, name=body["name"], description=" ".join(body["description"].split()),
        caveats=body["caveats"].strip(), filters=tuple(body.get("filters") or ()), layout=layout,
    )
    for filter_key in dashboard.filters:
        if filter_key not in filters:
            raise SpecError(f"dashboard {key!r}: unknown filter {filter_key!r}")
        if not any(filter_key in cards[c].filters for c in dashboard.card_keys):
            raise SpecError(f"dashboard {key!r}: filter {filter_key!r} applies to none of its cards")
    return dashboard


def _dashcard(dashboard: str, item: Mapping[str, Any], cards: Mapping[str, CardSpec]) -> DashcardSpec:
    card, text = item.get("card"), item.get("text")
    if (card is None) == (text is None):
        raise SpecError(f"dashboard {dashboard!r}: each layout item is either a card or a text block")
    if card is not None and card not in cards:
        raise SpecError(f"dashboard {dashboard!r}: unknown card {card!r}")
    if text is not None and text not in TEXT_BLOCKS:
        raise SpecError(f"dashboard {dashboard!r}: unknown text block {text!r}")
    return DashcardSpec(
        row=int(item["row"]), col=int(item["col"]), size_x=int(item["size_x"]), size_y=int(item["size_y"]),
        card=card, text=text,
    )


def _check_layout(dashboard: str, layout: tuple[DashcardSpec, ...]) -> None:
    taken: dict[tuple[int, int], int] = {}
    for index, d in enumerate(layout):
        if d.col < 0 or d.row < 0 or d.size_x < 1 or d.size_y < 1 or d.col + d.size_x > GRID_COLUMNS:
            raise SpecError(f"dashboard {dashboard!r}: layout item {index} is outside the {GRID_COLUMNS}-column grid")
        for r in range(d.row, d.row + d.size_y):
            for c in range(d.col, d.col + d.size_x):
                if (r, c) in taken:
                    raise SpecError(f"dashboard {dashboard!r}: layout items {taken[(r, c)]} and {index} overlap")
                taken[(r, c)] = index


_PUBLICATION_TABLE_NAMES = frozenset(t.name for t in PUBLICATION_TABLES) | frozenset(PUBLICATION_VIEWS)
_RELATION = re.compile(r"\b(?:FROM|JOIN)\s+(?!\()([A-Za-z_][\w]*)(?:\s*\.\s*([A-Za-z_][\w]*))?", re.IGNORECASE)
_CTE = re.compile(r"(?:\bWITH|,)\s*([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s+AS\s*\(", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")
_DISTINCT_FROM = re.compile(r"\bDISTINCT\s+FROM\b", re.IGNORECASE)  # a comparison, not a relation


def _code(sql: str) -> str:
    return _DISTINCT_FROM.sub("DISTINCT_FROM", _COMMENT.sub("", sql))


def relations_named(sql: str) -> set[tuple[str | None, str]]:
    """(schema, table) of every relation after FROM or JOIN; schema None when unqualified."""
    code = _code(sql)
    return {(m.group(1), m.group(2)) if m.group(2) else (None, m.group(1)) for m in _RELATION.finditer(code)}


def _check_schemas(key: str, sql: str) -> None:
    code = _code(sql)
    ctes = {m.group(1).lower() for m in _CTE.finditer(code)}
    for schema, table in relations_named(sql):
        if schema is None:
            if table.lower() not in ctes:
                raise SpecError(f"card {key!r}: relation {table!r} is neither publication.<table> nor a WITH name")
        elif schema != PUBLICATION or table not in _PUBLICATION_TABLE_NAMES:
            raise SpecError(f"card {key!r}: reads {schema}.{table}; cards read the publication schema only")


def spec_path() -> Path:
    """Where spec.yaml lives (for messages and docs)."""
    return Path(str(resources.files(__package__) / "spec.yaml"))
