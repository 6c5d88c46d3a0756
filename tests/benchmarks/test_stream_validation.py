"""Streamed validation reports exactly what validate_extract reports, whatever the chunk size."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from benchmarks.large_extract import write_benchmark_extract
from etl.defs.ingest import validate_large_extract
from etl.defs.intake.validate import validate_extract
from etl.synthetic import mp_extract

PERIOD = "2025-06"
TODAY = dt.date(2025, 11, 1)


def assert_same_verdict(institution: str, period: str, path: Path, chunk_rows: int) -> None:
    whole = validate_extract(institution, period, path.read_bytes(), path.name, today=TODAY)
    report, checks = validate_large_extract(institution, period, path, chunk_rows, today=TODAY)
    assert report.verdict == whole.report.verdict
    assert report.counts == whole.report.counts
    assert report.content_sha256 == whole.report.content_sha256
    assert sorted(map(repr, report.findings)) == sorted(map(repr, whole.report.findings))
    assert report.to_dict() == whole.report.to_dict()
    assert checks == whole.gx_findings


@pytest.mark.parametrize("institution", ["MP", "MINMUJER"])
def test_agency_samples(shared_samples: Path, institution: str) -> None:
    files = sorted((shared_samples / institution).glob("*.csv"))
    assert files, f"no {institution} samples"
    for path in files:
        assert_same_verdict(institution, path.stem, path, 50_000)


def test_agency_sample_in_chunks_of_eight(shared_samples: Path) -> None:
    # Each chunk runs the whole expectation suite (about half a second): a few chunks suffice.
    assert_same_verdict("MP", "2025-05", shared_samples / "MP" / "2025-05.csv", 8)


def _rows(path: Path) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Header, records, and what follows them (footer, blank lines)."""
    with path.open(encoding=mp_extract.ENCODING, newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        header = next(reader)
        records, tail = [], []
        for row in reader:
            (tail if tail or (row and row[0] == "TOTAL") or not row else records).append(row)
    return header, records, tail


def _write(path: Path, header: list[str], records: list[list[str]], tail: list[list[str]], encoding: str = "cp1252") -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, **mp_extract.CSV_FORMAT)
    writer.writerow(header)
    writer.writerows(records)
    writer.writerows(tail)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def valid_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "MP.csv"
    write_benchmark_extract(path, 300, PERIOD, seed=7)
    return path


AGE = mp_extract.COLUMNS.index("VICTIMA_EDAD")


def test_duplicates_and_conflicts_across_chunks(tmp_path: Path, valid_extract: Path) -> None:
    header, records, tail = _rows(valid_extract)
    identical = [list(records[3]), list(records[3])]  # the same row twice more, far from the first
    conflicting = list(records[10])
    conflicting[AGE] = "" if conflicting[AGE] else "30"  # same case and victim, different content
    edited = records[:150] + identical + records[150:250] + [conflicting] + records[250:]
    path = _write(tmp_path / "dup.csv", header, edited, tail)
    for chunk_rows in (120, 100_000):
        assert_same_verdict("MP", PERIOD, path, chunk_rows)
    report, _ = validate_large_extract("MP", PERIOD, path, 120, today=TODAY)
    assert not report.accepted
    assert {f.rule for f in report.findings} >= {"DUPLICATE_DROPPED", "DUPLICATE_CONFLICT"}


def test_only_identical_duplicates_are_accepted(tmp_path: Path, valid_extract: Path) -> None:
    header, records, tail = _rows(valid_extract)
    path = _write(tmp_path / "dup.csv", header, records + [list(records[0]), list(records[1])], tail)
    assert_same_verdict("MP", PERIOD, path, 200)
    report, _ = validate_large_extract("MP", PERIOD, path, 200, today=TODAY)
    assert report.accepted and report.counts.duplicates_dropped == 2


def test_rows_of_the_wrong_shape_and_data_after_the_footer(tmp_path: Path, valid_extract: Path) -> None:
    header, records, tail = _rows(valid_extract)
    short = records[250][:-3]
    path = _write(tmp_path / "shape.csv", header, records[:250] + [short] + records[250:], tail[:1] + [records[5]])
    assert_same_verdict("MP", PERIOD, path, 100)
    report, _ = validate_large_extract("MP", PERIOD, path, 100, today=TODAY)
    assert {f.rule for f in report.errors} == {"ROW_SHAPE", "DATA_AFTER_FOOTER"}


def test_a_file_of_another_month(valid_extract: Path) -> None:
    assert_same_verdict("MP", "2025-07", valid_extract, 200)
    report, _ = validate_large_extract("MP", "2025-07", valid_extract, 200, today=TODAY)
    assert "PERIOD_DATES_MISMATCH" in {f.rule for f in report.errors}


def test_utf8_with_bom_where_windows_1252_was_promised(tmp_path: Path, valid_extract: Path) -> None:
    header, records, tail = _rows(valid_extract)
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _write(tmp_path / "u.csv", header, records, tail, "utf-8").read_bytes())
    assert_same_verdict("MP", PERIOD, path, 200)
    report, _ = validate_large_extract("MP", PERIOD, path, 200, today=TODAY)
    assert report.accepted and "ENCODING_FALLBACK" in {f.rule for f in report.notices}


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + bytes(200), b"NRO_CAUSA;X\r\n\x00\x01\x02"])
def test_files_that_are_not_extracts(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    assert_same_verdict("MP", PERIOD, path, 100)


def test_declaration_errors_come_first(valid_extract: Path) -> None:
    assert_same_verdict("XX", PERIOD, valid_extract, 100)
    assert_same_verdict("MP", "2025-13", valid_extract, 100)


def test_a_line_too_long_for_any_record_is_refused_before_it_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.defs.ingest import csv_chunks

    monkeypatch.setattr(csv_chunks, "BLOCK_BYTES", 256)
    monkeypatch.setattr(csv_chunks, "MAX_LINE_BYTES", 1024)
    path = tmp_path / "long.csv"
    path.write_bytes(";".join(mp_extract.COLUMNS).encode() + b"\r\n" + b"7" * 5000 + b"\r\n")
    report, _ = validate_large_extract("MP", PERIOD, path, 100, today=TODAY)
    assert [(f.rule, f.row) for f in report.errors] == [("FIELD_TOO_LARGE", 2)]
