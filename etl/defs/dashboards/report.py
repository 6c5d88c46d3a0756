"""`observatorio report`: the dashboards as one self-contained HTML file, in Spanish.

The same cards and the same SQL as Metabase (run with their default filters, as the dashboard
role), drawn as inline SVG: matplotlib for bar and line charts, the GeoJSON's own paths for the
department map. No script, font or image is loaded from anywhere: the file can be mailed or
archived as the record of one release. Withheld cells read "Reservado"; the tables behind every
chart are in the page too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from etl.defs.dashboards.charts import chart_svg
from etl.defs.dashboards.choropleth import choropleth_svg
from etl.defs.dashboards.formatting import cell_es
from etl.defs.dashboards.queries import CardResult, dashboard_connection, run_card
from etl.defs.dashboards.spec import CardSpec, DashboardSpec, DashboardsSpec, load_spec
from warehouse import reference

TITLE = "Observatorio de trata y explotación de personas vinculadas a las TIC"
TIMEZONE = ZoneInfo("America/Asuncion")
HALF_WIDTH = 12  # a card up to half the Metabase grid sits beside another one

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
header{background:#0f3d57;color:#fff;padding:24px 32px}header h1{margin:0 0 6px;font-size:24px}
header p{margin:2px 0;opacity:.9}nav{padding:12px 32px;background:#fff;border-bottom:1px solid #ddd}
nav a{margin-right:16px;color:#0f3d57}main{padding:8px 32px 32px}
section.tablero{margin-top:28px}section.tablero>h2{border-bottom:2px solid #0f3d57;padding-bottom:4px}
.advertencia{background:#fff8e5;border-left:4px solid #e0a100;padding:8px 16px;margin:12px 0}
.rejilla{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
article.tarjeta{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;overflow:auto}
article.ancha{grid-column:1/-1}article h3{margin:0 0 4px;font-size:16px}
article p.descripcion{margin:0 0 8px;color:#555;font-size:13px}
article svg{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:13px;width:100%}th,td{border-bottom:1px solid #e4e4e4;
padding:4px 6px;text-align:left;vertical-align:top}th{background:#f0f3f6}
td.reservado{color:#8a4b00;font-style:italic}details{margin-top:8px}summary{cursor:pointer;color:#0f3d57}
footer{padding:16px 32px;color:#555;font-size:12px}
"""


def card_results(engine: sa.Engine, spec: DashboardsSpec) -> dict[str, CardResult]:
    """Every card with its default filters, as the dashboard role, in one read-only transaction."""
    with dashboard_connection(engine) as conn:
        return {key: run_card(conn, spec, card) for key, card in spec.cards.items()}


def write_report(engine: sa.Engine, out_path: Path | str) -> Path:
    """Render the report of the current release to ``out_path`` (UTF-8 HTML) and return the path."""
    spec = load_spec()
    html = render_report(spec, card_results(engine, spec), generated_at=datetime.now(TIMEZONE))
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def render_report(spec: DashboardsSpec, results: Mapping[str, CardResult], *, generated_at: datetime) -> str:
    release = results.get("calidad_publicacion")
    published = release.records()[0]["publicada"] if release and release.rows else None
    subtitle = f"Publicación vigente del {published}" if published else "No hay una publicación vigente"
    nav = "".join(f'<a href="#{escape(d.key)}">{escape(d.name)}</a>' for d in spec.dashboards.values())
    sections = "".join(_dashboard(spec, d, results) for d in spec.dashboards.values())
    return (
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(TITLE)}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>{escape(TITLE)}</h1><p>{escape(subtitle)}</p>"
        f"<p>Informe generado el {generated_at:%d/%m/%Y a las %H:%M}. {escape(_collection_blurb(spec))}</p></header>"
        f"<nav>{nav}</nav><main>{sections}</main>"
        "<footer>Fuentes: Ministerio Público, Policía Nacional, Ministerio de la Niñez y la Adolescencia y "
        "Ministerio de la Mujer; población: INE, Censo Nacional de Población y Viviendas 2022. Las cifras "
        "«Reservado» no se publican para que ninguna víctima pueda ser identificada.</footer>"
        "</body></html>"
    )


def _collection_blurb(spec: DashboardsSpec) -> str:
    return " ".join(spec.collection.description.split())


def _dashboard(spec: DashboardsSpec, dashboard: DashboardSpec, results: Mapping[str, CardResult]) -> str:
    cards = []
    for item in sorted((i for i in dashboard.layout if i.card), key=lambda i: (i.row, i.col)):
        assert item.card is not None
        card = spec.cards[item.card]
        cards.append(_card(dashboard, card, results[card.key], wide=item.size_x > HALF_WIDTH or card.display == "map"))
    return (
        f'<section class="tablero" id="{escape(dashboard.key)}"><h2>{escape(dashboard.name)}</h2>'
        f"<p>{escape(dashboard.description)}</p>"
        f'<div class="advertencia">{_markdown(dashboard.caveats)}</div>'
        f'<div class="rejilla">{"".join(cards)}</div></section>'
    )


def _card(dashboard: DashboardSpec, card: CardSpec, result: CardResult, *, wide: bool) -> str:
    if card.display == "table":
        body = _table(card, result)
    elif card.display == "map":
        body = _map(card, result) + _details(card, result)
    else:
        body = chart_svg(card, result) + _details(card, result)
    return (
        f'<article class="tarjeta{" ancha" if wide else ""}" id="{escape(dashboard.key)}-{escape(card.key)}" '
        f'data-card="{escape(card.key)}" data-display="{card.display}">'
        f"<h3>{escape(card.title)}</h3><p class=\"descripcion\">{escape(card.description)}</p>{body}</article>"
    )


def _table(card: CardSpec, result: CardResult) -> str:
    percent = set(card.chart.y) if card.chart and card.chart.percent else set()
    head = "".join(f"<th>{escape(title)}</th>" for _, title in card.columns)
    rows = []
    for row in result.rows:
        cells = []
        for column, value in zip(result.columns, row):
            text = cell_es(value, column, percent=column in percent)
            css = ' class="reservado"' if text == "Reservado" else ""
            cells.append(f"<td{css}>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(card.columns)}">Sin datos publicados para esta selección.</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _details(card: CardSpec, result: CardResult) -> str:
    """The chart's numbers, with the state of each ("Reservado", "No reportado") spelled out."""
    shown = _with_states(card, result)
    return f"<details><summary>Ver los datos</summary>{_table(card, shown)}</details>"


def _with_states(card: CardSpec, result: CardResult) -> CardResult:
    if "estado" not in result.columns or card.chart is None:
        return result
    state_at = result.columns.index("estado")
    value_at = [result.columns.index(y) for y in card.chart.y]
    rows = []
    for row in result.rows:
        row = list(row)
        for i in value_at:
            if row[i] is None and row[state_at] not in ("Publicado", "Completo", "Parcial"):
                row[i] = row[state_at]
        rows.append(tuple(row))
    return CardResult(card=result.card, columns=result.columns, rows=tuple(rows))


def _map(card: CardSpec, result: CardResult) -> str:
    assert card.map is not None
    values = {r[card.map.region]: (float(r[card.map.metric]) if r[card.map.metric] is not None else None)
              for r in result.records()}
    return choropleth_svg(reference.department_geojson(), values, key="iso_3166_2", name="name",
                          unit="por 100.000 hab.", title=card.title)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    return _BOLD.sub(r"<strong>\1</strong>", escape(text))


def _markdown(text: str) -> str:
    """The subset of Markdown the caveats use: paragraphs, '- ' lists, **bold**."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "".join(blocks)
