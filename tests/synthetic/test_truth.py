"""The ground truth matches the files one to one and describes the whole population."""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter, defaultdict

import synthetic_contract as contract
from synthetic_files import read_minmujer, read_minna, read_mp, read_pn

from etl.synthetic import GenerationSummary
from etl.synthetic.generator import extract_path


def _truth_records(dataset: GenerationSummary) -> list[dict[str, str]]:
    with dataset.truth_records_path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _truth_persons(dataset: GenerationSummary) -> dict[str, dict[str, str]]:
    with dataset.truth_persons_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == contract.TRUTH_PERSON_COLUMNS
        return {row["person_id"]: row for row in reader}


def _file_keys(dataset: GenerationSummary, institution: str, period: str) -> list[str]:
    path = extract_path(dataset.out_dir, institution, period)
    if institution == "MP":
        return [row[0] for row in read_mp(path)[1]]
    if institution == "PN":
        return [row[0] for row in read_pn(path)[1]]
    if institution == "MINNA":
        return [entry["id_caso"] for entry in read_minna(path)["casos"]]
    return [row[0] for row in read_minmujer(path)[1]]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").upper()


def test_truth_records_match_data_rows_one_to_one(dataset: GenerationSummary) -> None:
    truth = _truth_records(dataset)
    by_file: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for record in truth:
        by_file[(record["institution"], record["period"])].append(record)
    for period in dataset.periods:
        for institution in ("MP", "PN", "MINNA", "MINMUJER"):
            keys = _file_keys(dataset, institution, period)
            records = by_file.get((institution, period), [])
            assert [int(r["row"]) for r in records] == list(range(1, len(keys) + 1)), f"{institution} {period}"
            assert [r["source_key"] for r in records] == keys, f"{institution} {period}"
    assert sum(dataset.records_by_institution.values()) == len(truth)


def test_identical_duplicate_rows_are_listed_twice(dataset: GenerationSummary) -> None:
    duplicates = 0
    truth = _truth_records(dataset)
    for period in dataset.periods:
        _, rows, _ = read_pn(extract_path(dataset.out_dir, "PN", period))
        records = [r for r in truth if r["institution"] == "PN" and r["period"] == period]
        for index in range(1, len(rows)):
            if rows[index] == rows[index - 1]:
                duplicates += 1
                assert records[index]["person_id"] == records[index - 1]["person_id"]
                assert records[index]["row"] != records[index - 1]["row"]
    assert duplicates > 0, "PN enters the same complaint twice now and then"


def test_every_record_points_at_a_known_person_with_consistent_ict(dataset: GenerationSummary) -> None:
    persons = _truth_persons(dataset)
    for record in _truth_records(dataset):
        person = persons[record["person_id"]]
        assert record["ict"] == person["is_ict"]
        assert record["period"] >= person["first_period"]


def test_truth_persons_describe_the_whole_population(dataset: GenerationSummary) -> None:
    persons = _truth_persons(dataset)
    seen: dict[str, set[str]] = defaultdict(set)
    for record in _truth_records(dataset):
        seen[record["person_id"]].add(record["institution"])
    assert len(persons) == dataset.total_persons
    never = [pid for pid, row in persons.items() if row["captured_by"] == ""]
    assert never and len(never) == dataset.never_captured_persons
    assert not any(seen[pid] for pid in never), "a never-captured person has a record"
    for pid, row in persons.items():
        listed = row["captured_by"].split("|") if row["captured_by"] else []
        assert set(listed) == seen[pid], pid
        assert listed == [i for i in ("MP", "PN", "MINNA", "MINMUJER") if i in listed], pid
        assert row["sex"] in {"F", "M", "X"}
        assert row["ict_stage"] in contract.ICT_STAGES
        assert row["is_ict"] == ("0" if row["ict_stage"] == "NONE" else "1")
        assert len(row["department_code"]) == 2 and 0 <= int(row["department_code"]) <= 17
        assert row["first_period"] in dataset.periods
        assert 1940 < int(row["birth_year"]) < 2025


def test_population_scale_and_overlap_are_realistic(dataset: GenerationSummary) -> None:
    months = len(dataset.periods)
    per_month = {k: v / months for k, v in dataset.records_by_institution.items()}
    assert 15 <= per_month["MP"] <= 32
    assert 12 <= per_month["PN"] <= 27
    assert 8 <= per_month["MINNA"] <= 20
    assert 4 <= per_month["MINMUJER"] <= 12
    assert 250 <= dataset.total_persons / (months / 12) <= 600, "a few hundred persons a year"
    patterns = Counter(row["captured_by"] for row in _truth_persons(dataset).values())
    assert (
        patterns["MP|PN"] > 0
        and patterns["MP|PN|MINNA"] > 0
        and patterns["MP|MINMUJER"] + patterns["MP|PN|MINMUJER"] > 0
    )
    single = patterns["MP"] + patterns["PN"] + patterns["MINNA"] + patterns["MINMUJER"]
    multiple = sum(n for p, n in patterns.items() if "|" in p)
    assert single > 0 and multiple > single / 2, "capture histories overlap"
    ict = sum(1 for row in _truth_persons(dataset).values() if row["is_ict"] == "1")
    assert 0.35 < ict / dataset.total_persons < 0.75


def test_persons_recur_in_later_months(dataset: GenerationSummary) -> None:
    periods_by_person_and_institution: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in _truth_records(dataset):
        periods_by_person_and_institution[(record["person_id"], record["institution"])].add(record["period"])
    recurring = Counter(inst for (pid, inst), periods in periods_by_person_and_institution.items() if len(periods) > 1)
    assert recurring["MP"] > 0, "MP cases reappear at a later stage"


def test_the_same_person_is_written_differently(dataset: GenerationSummary) -> None:
    """Names of one person vary across institutions and months: case, accents, dropped names, typos."""
    truth = _truth_records(dataset)
    names: dict[str, list[str]] = defaultdict(list)
    rows_by_file = {}
    for record in truth:
        key = (record["institution"], record["period"])
        if record["institution"] not in ("MP", "PN", "MINNA"):
            continue
        if key not in rows_by_file:
            path = extract_path(dataset.out_dir, *key)
            if record["institution"] == "MP":
                rows_by_file[key] = [f"{r[8]} {r[9]}" for r in read_mp(path)[1]]
            elif record["institution"] == "PN":
                rows_by_file[key] = [r[5].partition(", ")[2] + " " + r[5].partition(", ")[0] for r in read_pn(path)[1]]
            else:
                rows_by_file[key] = [
                    f"{e['nna']['nombres']} {e['nna']['apellidos']}" for e in read_minna(path)["casos"]
                ]
        names[record["person_id"]].append(rows_by_file[key][int(record["row"]) - 1])
    # Only counts reach the assertions: failure output must not print (even synthetic) names.
    multi = [spellings for spellings in names.values() if len(spellings) >= 3]
    total = len(multi)
    differ_raw = sum(1 for spellings in multi if len(set(spellings)) > 1)
    differ_folded = sum(1 for spellings in multi if len({_fold(s) for s in spellings}) > 1)
    assert total > 50
    assert differ_raw >= 0.95 * total, "case or accents differ across MP/PN/MINNA for almost everyone"
    assert differ_folded > 0.2 * total, "beyond case and accents: dropped names and typos"


def test_minmujer_initials_match_the_person(dataset: GenerationSummary) -> None:
    truth = _truth_records(dataset)
    mp_names: dict[str, str] = {}
    for record in truth:
        if record["institution"] == "MP" and record["person_id"] not in mp_names:
            rows = read_mp(extract_path(dataset.out_dir, "MP", record["period"]))[1]
            row = rows[int(record["row"]) - 1]
            mp_names[record["person_id"]] = _fold(f"{row[8]} {row[9]}")
    compared = agreeing = 0
    for record in truth:
        if record["institution"] != "MINMUJER" or record["person_id"] not in mp_names:
            continue
        rows = read_minmujer(extract_path(dataset.out_dir, "MINMUJER", record["period"]))[1]
        initials = rows[int(record["row"]) - 1][2].replace(".", "")
        full = mp_names[record["person_id"]].split()
        compared += 1
        agreeing += int(initials[0] == full[0][0])
    assert compared > 10 and agreeing / compared > 0.9
