"""Primary suppression: small counts and disclosive zeros, table by table."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.defs.publication.sdc import TableSpec, protect

from .sdc_support import attacker_view, lp_interval


def persons(
    rows: list[tuple[str, str, int]], columns: tuple[str, str] = ("department_code", "sex_code")
) -> pd.DataFrame:
    """(value a, value b, how many persons) -> one row per person."""
    return pd.DataFrame([(a, b) for a, b, n in rows for _ in range(n)], columns=list(columns))


def cell(publication, table: str, **group) -> pd.Series:
    frame = publication.tables[table]
    mask = pd.Series(True, index=frame.index)
    for column, value in group.items():
        mask &= frame[column] == value
    assert mask.sum() == 1
    return frame.loc[mask].iloc[0]


def test_counts_from_1_to_k_minus_1_are_withheld_and_larger_ones_published() -> None:
    microdata = persons([("00", "F", 12), ("00", "M", 10), ("11", "F", 30), ("11", "M", 3)])
    specs = [TableSpec("dep_sex", ("department_code", "sex_code"))]
    publication = protect(microdata, specs, k=10)
    assert cell(publication, "dep_sex", department_code="11", sex_code="M")["withheld_reason"] == "primary"
    published = cell(publication, "dep_sex", department_code="00", sex_code="F")
    assert not published["is_withheld"] and published["count"] == 12
    assert publication.audit.passed


def test_all_victims_of_a_department_being_girls_is_not_revealed() -> None:
    # Department 16 has 15 victims, all girls: "boys = 0, girls = total" would say so.
    microdata = persons([("00", "F", 40), ("00", "M", 20), ("16", "F", 15), ("11", "F", 25), ("11", "M", 12)])
    specs = [
        TableSpec("total", ()),
        TableSpec("by_department", ("department_code",)),
        TableSpec("dep_sex", ("department_code", "sex_code")),
    ]
    publication = protect(microdata, specs, k=10)
    girls = cell(publication, "dep_sex", department_code="16", sex_code="F")
    boys = cell(publication, "dep_sex", department_code="16", sex_code="M")
    assert (girls["withheld_reason"], boys["withheld_reason"]) == ("disclosive_zero", "disclosive_zero")
    assert pd.isna(girls["count"]) and pd.isna(boys["count"])
    # and nobody can recover "boys = 0" from the margins: the boys cell can reach k or more
    view = attacker_view(publication.tables, specs, {"department_code": ["00", "11", "16"], "sex_code": ["F", "M"]})
    boys_cell = next(c for c in view.withheld if c.table == "dep_sex" and c.group == ("16", "M"))
    lower, upper = lp_interval(view, boys_cell)
    assert lower == 0 and upper >= 10
    assert publication.audit.passed


def test_time_is_exempt_from_the_disclosive_zero_rule() -> None:
    # Every victim of 2025 registered in March: months are not attributes worth hiding.
    microdata = pd.DataFrame({"year": [2025] * 12, "month": [3] * 12})
    specs = [TableSpec("monthly", ("year", "month"))]
    publication = protect(microdata, specs, k=10, domains={"year": [2025], "month": [1, 2, 3]})
    table = publication.tables["monthly"]
    assert not table["is_withheld"].any()
    assert table["count"].tolist() == [0, 0, 12]


def test_zero_rule_attributes_can_be_narrowed() -> None:
    microdata = persons([("16", "F", 15), ("00", "F", 20), ("00", "M", 20)])
    specs = [TableSpec("dep_sex", ("department_code", "sex_code"))]
    strict = protect(microdata, specs, k=10)
    lax = protect(microdata, specs, k=10, zero_rule_attributes=())
    # all of 16 are girls (line along sex) and all boys are in 00 (line along department)
    withheld = strict.tables["dep_sex"].loc[lambda t: t["is_withheld"], ["department_code", "sex_code"]]
    assert sorted(map(tuple, withheld.to_numpy())) == [("00", "M"), ("16", "F"), ("16", "M")]
    assert not lax.tables["dep_sex"]["is_withheld"].any()


def test_domains_make_absent_categories_show_as_zero() -> None:
    microdata = persons([("00", "F", 12)])
    specs = [TableSpec("by_department", ("department_code",))]
    publication = protect(microdata, specs, k=10, domains={"department_code": ["00", "01", "02"]})
    assert publication.tables["by_department"]["department_code"].tolist() == ["00", "01", "02"]


def test_region_is_derived_from_department_without_impossible_cells() -> None:
    microdata = persons([("00", "F", 30), ("11", "F", 30), ("16", "F", 11), ("17", "F", 12)])
    specs = [TableSpec("by_region", ("region_code",)), TableSpec("by_department", ("department_code",))]
    publication = protect(microdata, specs, k=10, zero_rule_attributes=())
    regions = publication.tables["by_region"].set_index("region_code")["count"]
    assert regions.to_dict() == {"OCCIDENTAL": 23, "ORIENTAL": 60}
    assert publication.audit.passed


def test_errors_about_data_never_echo_the_value() -> None:
    microdata = pd.DataFrame({"department_code": ["00", "GONZALEZ BENITEZ 4567890"]})
    with pytest.raises(ValueError) as raised:
        protect(microdata, [TableSpec("d", ("department_code",))], domains={"department_code": ["00"]})
    assert "GONZALEZ" not in str(raised.value) and "4567890" not in str(raised.value)
    assert "department_code" in str(raised.value)


def test_null_attributes_are_refused_by_column_name() -> None:
    microdata = pd.DataFrame({"sex_code": ["F", None]})
    with pytest.raises(ValueError, match="sex_code"):
        protect(microdata, [TableSpec("s", ("sex_code",))])


def test_other_columns_of_the_microdata_never_reach_the_tables() -> None:
    microdata = persons([("00", "F", 12), ("00", "M", 11)])
    microdata["given_names"] = "MARIA JOSE"
    microdata["document_number"] = "4567890"
    publication = protect(microdata, [TableSpec("dep_sex", ("department_code", "sex_code"))])
    text = publication.tables["dep_sex"].to_csv() + publication.audit.to_frame().to_csv() + publication.audit.summary()
    assert "MARIA" not in text and "4567890" not in text
