"""The benchmark table: numbers formatted, sections replaced in place, rows readable back."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.machine import Machine, cpu_model
from benchmarks.table import Row, markdown_table, parse_rows, section, write_section

MACHINE = Machine(cores=2, ram_gib=8.0, cpu_model="Test CPU", python="3.11.7", postgresql="15.2", date="2026-01-01")


def test_rows_render_and_parse_back() -> None:
    rows = [Row("(a) x | y", "wall s", 1234.5, "COPY 2.0 s", 617.25, "≤ 5×", False, "note"),
            Row("(e) z", "relative bias", -0.0123)]
    parsed = parse_rows(markdown_table(rows))
    assert parsed[0] == ["(a) x \\| y", "wall s", "1,234", "COPY 2.0 s", "617×", "≤ 5×", "**no**", "note"]
    assert parsed[1][2] == "-0.0123" and parsed[1][4] == "—" and parsed[1][6] == "—"


def test_a_figure_must_be_a_number() -> None:
    with pytest.raises(ValueError):
        Row("(a)", "wall s", math.nan)


def test_each_mode_replaces_only_its_own_section(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\nNotes written by hand.\n", encoding="utf-8")
    write_section(path, "quick", section("quick", MACHINE, [Row("(a)", "wall s", 1.0)], 3.0), "")
    write_section(path, "full", section("full", MACHINE, [Row("(a)", "wall s", 2.0)], 4.0), "")
    write_section(path, "quick", section("quick", MACHINE, [Row("(a)", "wall s", 5.0)], 6.0), "")
    text = path.read_text(encoding="utf-8")
    assert text.count("<!-- bench:quick:start -->") == 1 and text.count("<!-- bench:full:start -->") == 1
    assert "Notes written by hand." in text
    assert [row[2] for row in parse_rows(text)] == ["5.00", "2.00"]


def test_cpu_model_comes_from_cpuinfo(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Example CPU @ 3.0GHz\n", encoding="utf-8")
    assert cpu_model(cpuinfo) == "Example CPU @ 3.0GHz"
