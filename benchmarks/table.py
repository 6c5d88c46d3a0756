"""One benchmark figure per row, and the Markdown table BENCHMARKS.md shows them in.

A speed figure is always reported against a baseline measured in the same run, as a ratio (the
raw seconds beside it, for context): absolute seconds depend on the machine, ratios much less.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from benchmarks.machine import Machine


@dataclass(frozen=True)
class Row:
    benchmark: str
    figure: str  # what `value` measures, with its unit
    value: float
    baseline: str = ""  # what the ratio compares with, with its raw figure
    ratio: float | None = None  # value / baseline, or as `figure` says
    target: str = ""
    met: bool | None = None  # None: no target for this figure
    note: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"{self.benchmark}: the figure is not a number")


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def _met(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "**no**")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


HEADER = "| Benchmark | Figure | Value | Baseline | Ratio | Target | Met | Notes |\n|---|---|---:|---|---:|---|---|---|"


def markdown_table(rows: list[Row]) -> str:
    lines = [HEADER]
    for row in rows:
        ratio = "—" if row.ratio is None else f"{_number(row.ratio)}×"
        cells = [row.benchmark, row.figure, _number(row.value), row.baseline or "—", ratio, row.target or "—",
                 _met(row.met), row.note]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def section(mode: str, machine: Machine, rows: list[Row], seconds: float) -> str:
    return (
        f"<!-- bench:{mode}:start -->\n## Results ({mode} run)\n\n{machine.markdown()}\n"
        f"- Whole run: {seconds:,.0f} s\n\n{markdown_table(rows)}\n<!-- bench:{mode}:end -->"
    )


def write_section(path: Path, mode: str, text: str, preamble: str) -> None:
    """Replace this mode's section of the file (other modes' sections and prose stay as they are)."""
    current = path.read_text(encoding="utf-8") if path.exists() else preamble
    pattern = re.compile(rf"<!-- bench:{mode}:start -->.*?<!-- bench:{mode}:end -->", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text, current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")


_ROW = re.compile(r"^\| (?!Benchmark \||---)(.+) \|$")


def parse_rows(text: str) -> list[list[str]]:
    """The cells of every result row of a table written by `markdown_table` (for checks and tests)."""
    rows = []
    for line in text.splitlines():
        if _ROW.match(line):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
    return rows
