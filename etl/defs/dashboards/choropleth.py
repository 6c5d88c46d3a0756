"""The department choropleth as inline SVG paths drawn from the GeoJSON (no tiles, no scripts).

Departments are matched on `iso_3166_2` (INE numbers differ from ISO ones: Boquerón is INE 16 but
PY-19). A department without a value (withheld, or not computable) is grey and hatched, and the
legend says so: never the lightest colour, which would read as "few victims".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from etl.defs.dashboards.formatting import number_es

COLOURS = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_VALUE = "#d9d9d9"
WIDTH = 460.0
MIN_STEP_PX = 0.6  # drop vertices closer than this to the previous one: invisible, and heavy


def _rings(geometry: Mapping[str, Any]) -> list[Sequence[Sequence[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError("department geometry is neither Polygon nor MultiPolygon")


def class_breaks(values: Sequence[float], classes: int = len(COLOURS)) -> list[float]:
    """Upper bounds of up to ``classes`` quantile classes of the values."""
    ordered = sorted(set(values))
    if not ordered:
        return []
    if len(ordered) <= classes:
        return ordered
    return [ordered[min(len(ordered) - 1, math.ceil(len(ordered) * (i + 1) / classes) - 1)] for i in range(classes)]


def choropleth_svg(
    geojson: Mapping[str, Any], values: Mapping[str, float | None], *, key: str, name: str, unit: str, title: str
) -> str:
    """An <svg> of every feature, coloured by ``values[feature.properties[key]]``."""
    features = list(geojson["features"])
    points = [p for f in features for ring in _rings(f["geometry"]) for p in ring]
    min_lon, max_lon = min(p[0] for p in points), max(p[0] for p in points)
    min_lat, max_lat = min(p[1] for p in points), max(p[1] for p in points)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * x_scale)
    height = (max_lat - min_lat) * scale
    present = [v for v in values.values() if v is not None]
    breaks = class_breaks(present)

    def colour(value: float | None) -> str:
        if value is None:
            return "url(#sin-dato)"
        for bound, fill in zip(breaks, COLOURS[len(COLOURS) - len(breaks):]):
            if value <= bound:
                return fill
        return COLOURS[-1]

    paths = []
    for feature in features:
        props = feature["properties"]
        code = props[key]
        value = values.get(code)
        d = []
        for ring in _rings(feature["geometry"]):
            kept: list[tuple[float, float]] = []
            for lon, lat in ring:
                x, y = (lon - min_lon) * x_scale * scale, (max_lat - lat) * scale
                if not kept or math.hypot(x - kept[-1][0], y - kept[-1][1]) >= MIN_STEP_PX:
                    kept.append((x, y))
            d.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in kept) + "Z")
        label = f"{props[name]}: " + (f"{number_es(value, 2)} {unit}" if value is not None else "reservado o no calculable")
        paths.append(
            f'<path class="departamento" data-iso="{escape(code)}" d="{"".join(d)}" fill="{colour(value)}" '
            f'stroke="#ffffff" stroke-width="0.8"><title>{escape(label)}</title></path>'
        )
    legend = _legend(breaks, present, unit, top=height + 14)
    total_height = height + 14 + 18 * (len(breaks) + 1) + 8
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mapa" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {WIDTH:.0f} {total_height:.0f}" width="{WIDTH:.0f}" height="{total_height:.0f}">'
        '<defs><pattern id="sin-dato" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{NO_VALUE}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" '
        'stroke-width="2"/></pattern></defs>'
        f'<title>{escape(title)}</title><g>{"".join(paths)}</g>{legend}</svg>'
    )


def _legend(breaks: list[float], present: list[float], unit: str, *, top: float) -> str:
    items = []
    lower = min(present) if present else 0.0
    colours = COLOURS[len(COLOURS) - len(breaks):]
    for i, (bound, fill) in enumerate(zip(breaks, colours)):
        text = f"{number_es(lower, 2)} a {number_es(bound, 2)}" if i == 0 else f"más de {number_es(lower, 2)} a {number_es(bound, 2)}"
        items.append((fill, f"{text} {unit}"))
        lower = bound
    items.append(("url(#sin-dato)", "Reservado o no calculable"))
    rows = []
    for i, (fill, text) in enumerate(items):
        y = top + 18 * i
        rows.append(f'<rect x="4" y="{y:.0f}" width="14" height="12" fill="{fill}" stroke="#999999" stroke-width="0.5"/>'
                    f'<text x="24" y="{y + 10:.0f}" font-size="11" fill="#333333">{escape(text)}</text>')
    return f'<g class="leyenda">{"".join(rows)}</g>'
