import datetime

import pytest

from matching.normalize import (
    normalize_address,
    normalize_addresses,
    normalize_sex,
    parse_date,
    parse_date_int,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("H", "H"), ("mujer", "M"), ("M", "M"), ("Female", "M"), ("hombre", "H"), ("x", ""), ("", "")],
)
def test_normalize_sex(raw, expected):
    assert normalize_sex(raw) == expected


def test_dates_parse_from_common_forms_and_impossible_digit_dates_are_kept():
    expected = datetime.date(1985, 3, 7)
    assert parse_date("1985-03-07") == expected
    assert parse_date("07/03/1985") == expected
    assert parse_date("19850307") == expected
    assert parse_date("") is None
    assert parse_date_int("19870231") == 19870231  # a typo is still evidence
    assert parse_date_int("garbage") == 0


@pytest.mark.parametrize(("text", "expected"), [
    ("1985-03-07 00:00:00", datetime.date(1985, 3, 7)),  # a spreadsheet's timestamp
    ("1985-03-07T10:30", datetime.date(1985, 3, 7)),
    ("31113", datetime.date(1985, 3, 7)),  # Excel's serial: 31,113 days after 1899-12-30
    ("31113.0", datetime.date(1985, 3, 7)),
])
def test_dates_exported_from_spreadsheets_parse(text, expected):
    assert parse_date(text) == expected
    assert parse_date_int(text) == 19850307


@pytest.mark.parametrize(
    "texts",
    [
        ["Francisco Villa 796, Col. Las Palmas", "AV. JUÁREZ #12-B", "", "  Ñandú  3 "],
        ["Calle Ø 12 ç", "Plaza İstanbul Σ 4", "ÀÉÎÕÜ 5"],  # letters beyond the accent table
        ["Hidalgo 1\nCentro", "Morelos 2"],  # a line break inside a value
        [],
    ],
)
def test_a_column_of_addresses_normalises_as_each_one_alone(texts):
    assert normalize_addresses(texts) == [normalize_address(t) for t in texts]
