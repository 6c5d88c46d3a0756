"""The benchmark's large MP extract: exact row count, valid format, bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
import synthetic_contract as contract
from synthetic_files import in_month, parse_dmy, read_mp

from etl.synthetic import large_mp, write_large_mp_extract


def _count_data_rows(path: Path) -> tuple[int, str]:
    """Counts records by streaming (a record may span lines inside quotes)."""
    import csv

    rows = 0
    footer = ""
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        assert header[0] == "NRO_CAUSA" and len(header) == 21
        for row in reader:
            if not row:
                continue
            if row[0] == "TOTAL":
                footer = row[1]
                continue
            assert not footer, "no data after the TOTAL footer"
            rows += 1
    return rows, footer


def test_small_large_extract_is_a_valid_mp_file(tmp_path: Path, samples: Path) -> None:
    path = tmp_path / "mp.csv"
    write_large_mp_extract(path, 2_345, period="2024-02", seed=5)
    header, rows, total = read_mp(path)
    sample_header, _, _ = read_mp(samples / "MP" / "2025-04.csv")
    assert header == sample_header
    assert len(rows) == 2_345 and total == 2_345
    for row in rows:
        assert in_month(parse_dmy(row[1]), "2024-02")
        assert row[6] in contract.MP_OFFENCES and row[7] in contract.MP_STAGES
        assert row[17] in contract.MP_RECRUITMENT and row[10] in contract.MP_DOCUMENT_TYPES
    assert len({row[0] for row in rows}) < len(rows), "victims of one case share NRO_CAUSA"


def test_zero_rows_is_header_and_footer_only(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    write_large_mp_extract(path, 0)
    header, rows, total = read_mp(path)
    assert header[0] == "NRO_CAUSA" and rows == [] and total == 0


def test_negative_rows_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_large_mp_extract(tmp_path / "x.csv", -1)


def test_bytes_do_not_depend_on_the_number_of_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large_mp, "CHUNK_ROWS", 1_000)
    rows = 3 * 1_000 + 17
    monkeypatch.setattr(large_mp, "PARALLEL_MIN_ROWS", 10**12)
    write_large_mp_extract(tmp_path / "sequential.csv", rows, seed=3)
    monkeypatch.setattr(large_mp, "PARALLEL_MIN_ROWS", 1)
    write_large_mp_extract(tmp_path / "parallel.csv", rows, seed=3)
    assert (tmp_path / "sequential.csv").read_bytes() == (tmp_path / "parallel.csv").read_bytes()


def _peak_bytes(path: Path, rows: int) -> int:
    tracemalloc.start()
    try:
        write_large_mp_extract(path, rows, period="2025-06", seed=11)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_200k_rows_exactly_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    peak = _peak_bytes(path, 200_000)
    assert peak < 100 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MiB"
    rows, footer = _count_data_rows(path)
    assert rows == 200_000 and footer == "200000"


def test_rendering_memory_does_not_grow_with_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In one process (where tracemalloc sees every allocation), 4x the rows costs no more memory."""
    monkeypatch.setattr(large_mp, "PARALLEL_MIN_ROWS", 10**12)
    monkeypatch.setattr(large_mp, "CHUNK_ROWS", 500)
    write_large_mp_extract(tmp_path / "warm-up.csv", 10)  # fill lazy caches before measuring
    small = _peak_bytes(tmp_path / "small.csv", 1_000)
    large = _peak_bytes(tmp_path / "large.csv", 4_000)
    assert large < 100 * 1024 * 1024
    assert large < 1.5 * small, f"peak grew from {small / 2**20:.1f} to {large / 2**20:.1f} MiB"
