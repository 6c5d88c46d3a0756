"""Charts of bar, row and line cards as inline SVG (matplotlib, Agg backend, text kept as text).

A value that is NULL is drawn as nothing, never as zero, and its category is labelled with the
row's state ("Reservado", "No reportado") so a reader sees why a bar or a point is missing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from etl.defs.dashboards.formatting import number_es, percent_es  # noqa: E402
from etl.defs.dashboards.queries import CardResult  # noqa: E402
from etl.defs.dashboards.spec import CardSpec  # noqa: E402

PALETTE = ("#1b6a8f", "#e07b39", "#6a994e", "#8d5a97", "#c44536", "#7f7f7f", "#2a9d8f", "#b08968")
MISSING_COLOUR = "#8a8a8a"
STATE_COLUMN = "estado"
PUBLISHED_STATES = frozenset({"Publicado", "Completo", "Parcial"})

_STYLE = {
    "svg.fonttype": "none",  # text stays text: searchable, small, readable by screen readers
    "svg.hashsalt": "observatorio",  # stable ids: the same data renders the same file
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
}


def _float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, (int, float, Decimal)) else None


def _state(record: dict[str, Any]) -> str | None:
    state = record.get(STATE_COLUMN)
    return state if isinstance(state, str) and state not in PUBLISHED_STATES else None


def chart_svg(card: CardSpec, result: CardResult) -> str:
    """The card drawn as an SVG element (no XML prolog), sized by its viewBox."""
    chart = card.chart
    if chart is None:
        raise ValueError(f"card {card.key!r} has no chart section")
    records = result.records()
    drawable = any(_float(r[y]) is not None for r in records for y in chart.y)
    with plt.rc_context(_STYLE):
        height = 3.4 if card.display != "row" else max(2.6, 0.32 * len({r[chart.x] for r in records}) + 1.2)
        fig, ax = plt.subplots(figsize=(7.2, height if drawable else 1.2), dpi=100)
        try:
            if not drawable:
                _nothing_to_draw(ax, records)
            elif card.display == "line":
                _line(ax, card, records)
            else:
                _bars(ax, card, records, horizontal=card.display == "row")
            value_axis = ax.xaxis if card.display == "row" else ax.yaxis
            value_axis.set_major_formatter(FuncFormatter(
                (lambda v, _: percent_es(v, decimals=0)) if chart.percent else (lambda v, _: number_es(v))))
            fig.tight_layout()
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _nothing_to_draw(ax: Any, records: list[dict[str, Any]]) -> None:
    states = sorted({s for s in (_state(r) for r in records) if s})
    message = ("Sin datos publicados para esta selección" if not records or not states
               else "Todas las cifras de esta selección: " + ", ".join(states).lower())
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color=MISSING_COLOUR, wrap=True)


def _outside_legend(ax: Any, handles: list[Any] | None = None) -> None:
    # Outside the axes, on the right: a legend over the bars would hide the data it explains.
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _categories(records: Sequence[dict[str, Any]], column: str) -> list[Any]:
    return list(dict.fromkeys(r[column] for r in records))


def _bars(ax: Any, card: CardSpec, records: list[dict[str, Any]], *, horizontal: bool) -> None:
    chart = card.chart
    assert chart is not None
    y = chart.y[0]
    categories = _categories(records, chart.x)
    series = _categories(records, chart.series) if chart.series else [None]
    positions = {c: i for i, c in enumerate(categories)}
    width = 0.8 if chart.stacked or len(series) == 1 else 0.8 / len(series)
    base = [0.0] * len(categories)
    missing: dict[int, list[str]] = {}
    tops = [0.0] * len(categories)  # where the drawn bars of a category end: notes go beyond them
    handles: list[Any] = []
    for s_index, s in enumerate(series):
        values: list[float] = []
        offsets: list[float] = []
        bottoms: list[float] = []
        for r in records:
            if chart.series and r[chart.series] != s:
                continue
            i = positions[r[chart.x]]
            value = _float(r[y])
            if value is None:
                # One short word per category: which series it is, the table under the chart says.
                missing.setdefault(i, []).append(_state(r) or "Sin dato")
                continue
            shift = 0.0 if chart.stacked or len(series) == 1 else (s_index - (len(series) - 1) / 2) * width
            values.append(value)
            offsets.append(i + shift)
            bottoms.append(base[i] if chart.stacked else 0.0)
            if chart.stacked:
                base[i] += value
            tops[i] = max(tops[i], base[i] if chart.stacked else value)
        colour = PALETTE[s_index % len(PALETTE)]
        label = str(s) if s is not None else card.column_titles[y]
        handles.append(Patch(color=colour, label=label))  # also for a series whose every value is withheld
        if horizontal:
            ax.barh(offsets, values, height=width, left=bottoms, color=colour, label=label)
        else:
            ax.bar(offsets, values, width=width, bottom=bottoms, color=colour, label=label)
    labels = [str(c) for c in categories]
    if horizontal:
        ax.set_yticks(range(len(categories)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(chart.y_title)
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(range(len(categories)), labels, rotation=30 if max(map(len, labels)) > 6 else 0,
                      ha="right" if max(map(len, labels)) > 6 else "center")
        ax.set_ylabel(chart.y_title)
        ax.grid(axis="x", visible=False)
    crowded = len(categories) > 8
    for i, states in missing.items():
        text = ", ".join(sorted(set(states)))
        if horizontal:
            ax.annotate(text, (tops[i], i), xytext=(4, 0), textcoords="offset points", va="center", fontsize=7,
                        color=MISSING_COLOUR, style="italic")
        else:
            ax.annotate(text, (i, tops[i]), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                        rotation=90 if crowded else 0, fontsize=7, color=MISSING_COLOUR, style="italic")
    if missing:
        # room for the notes beyond the longest bar
        if horizontal:
            ax.margins(x=0.25)
        else:
            ax.margins(y=0.15)
    (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(nbins=6, integer=not chart.percent))
    if chart.series:
        _outside_legend(ax, handles)


def _line(ax: Any, card: CardSpec, records: list[dict[str, Any]]) -> None:
    chart = card.chart
    assert chart is not None
    categories = _categories(records, chart.x)
    xs = list(range(len(categories)))
    if chart.interval:
        lower, upper = chart.interval
        band = [(i, _float(r[lower]), _float(r[upper])) for i, r in enumerate(records)]
        band = [(i, lo, hi) for i, lo, hi in band if lo is not None and hi is not None]
        if band:
            ax.fill_between([b[0] for b in band], [b[1] for b in band], [b[2] for b in band], color=PALETTE[1],
                            alpha=0.18, linewidth=0, label="Intervalo de confianza")
    for index, y in enumerate(chart.y):
        if chart.interval and y in chart.interval:
            continue
        values = [_float(r[y]) for r in records]
        # NaN breaks the line: a gap where the value is withheld or not reported.
        ax.plot(xs, [v if v is not None else float("nan") for v in values], marker="o", markersize=3.5,
                color=PALETTE[index % len(PALETTE)], label=card.column_titles[y])
    for i, r in enumerate(records):
        state = _state(r)
        if state and all(_float(r[y]) is None for y in chart.y):
            ax.axvspan(i - 0.4, i + 0.4, color="#eeeeee", zorder=0)
            ax.annotate(state, (i, 0), xycoords=("data", "axes fraction"), xytext=(0, 4), textcoords="offset points",
                        rotation=90, ha="center", va="bottom", fontsize=7, color=MISSING_COLOUR, style="italic")
    step = max(1, len(categories) // 12)
    ax.set_xticks(xs[::step], [str(c) for c in categories][::step], rotation=30 if len(categories) > 8 else 0,
                  ha="right" if len(categories) > 8 else "center")
    ax.set_ylabel(chart.y_title)
    ax.set_ylim(bottom=0)
    if len(chart.y) > 1:
        _outside_legend(ax)
