import numpy as np
import pytest

from matching.comparisons import (
    Comparison,
    PairContext,
    default_comparisons,
    else_,
    exact,
    jaro_winkler,
    null,
)
from matching.records import RecordTable, Vocabularies

COMPARISONS = {c.name: c for c in default_comparisons()}


def labels(name: str, pairs: list[tuple[dict, dict]]) -> list[str]:
    """Return the level label each (left, right) pair falls into."""
    vocabularies = Vocabularies()
    left = RecordTable.from_records([a for a, _ in pairs], vocabularies)
    right = RecordTable.from_records([b for _, b in pairs], vocabularies)
    rows = np.arange(len(pairs))
    comparison = COMPARISONS[name]
    levels = comparison.compute(PairContext(left, right, rows, rows))
    return [comparison.levels[k].label for k in levels]


def given(text):
    return {"given_names": text}


def test_given_name_levels_from_strong_to_weak():
    assert labels("given_names", [
        (given("José Luis"), given("JOSE LUIS")),             # accents and case only
        (given("Pepe"), given("José")),                       # nickname
        (given("José Luis"), given("Luis")),                  # part of a compound name
        (given("Ma. Guadalupe"), given("Lupita")),            # abbreviation + nickname
        (given("Gerardo"), given("Gerrardo")),                # typo: JW 0.98
        (given("Yesenia"), given("Llesenia")),                # sounds the same, JW 0.84
        (given("Marisol"), given("Maricela")),                # JW 0.87, not phonetic
        (given("Juan"), given("Pedro")),
        (given(""), given("Pedro")),
    ]) == [
        "exact given", "exact given", "same significant given name", "same significant given name",
        "jaro-winkler given >= 0.92", "exact given_ph", "jaro-winkler given >= 0.8", "else", "null",
    ]


def surnames(paternal, maternal):
    return {"paternal_surname": paternal, "maternal_surname": maternal}


def test_surname_levels_see_swapped_and_missing_surnames():
    assert labels("paternal_surname", [
        (surnames("Hernández", "García"), surnames("HERNANDEZ", "")),
        (surnames("Hernández", "García"), surnames("García", "Hernández")),
        (surnames("Hernández", "García"), surnames("Ernandes", "García")),
        (surnames("Muñoz", "Peña"), surnames("Munoz", "Pena")),
        (surnames("Lara", ""), surnames("García", "Lara")),  # swapped, one maternal missing
        (surnames("Pérez", "Lara"), surnames("García", "Pérez")),  # one surname shared: no swap
    ]) == [
        "exact paternal", "paternal swapped with maternal",
        "exact paternal_ph", "exact paternal_ph", "paternal swapped with maternal", "else",
    ]
    assert labels("maternal_surname", [
        (surnames("Hernández", "García"), surnames("HERNANDEZ", "")),
        (surnames("Hernández", "García"), surnames("García", "Hernández")),
        (surnames("Pérez", "Lara"), surnames("García", "Pérez")),
    ]) == ["null", "maternal swapped with paternal", "else"]


def test_a_record_with_only_a_maternal_surname_compares_it_as_paternal():
    assert labels("paternal_surname", [(surnames("", "Ortega"), surnames("Ortega", "Ruiz"))]) == [
        "exact paternal"]


def born(date="", age="", event=""):
    return {"birth_date": date, "age": age, "event_date": event}


def test_birth_date_levels_tolerate_clerical_errors():
    assert labels("birth_date", [
        (born("1985-03-07"), born("07/03/1985")),   # same date, another format
        (born("1985-03-07"), born("1985-07-03")),   # day and month swapped
        (born("1985-03-07"), born("1985-03-01")),   # one digit
        (born("1917-05-09"), born("1917-50-09")),   # two neighbouring digits swapped
        (born("1985-03-07"), born("1986-03-07")),   # year +1 is also one digit here
        (born("1989-03-07"), born("1990-03-07")),   # year +1 changing two digits
        (born("1985-03-07"), born("1985-04-02")),   # within 31 days
        (born("1985-03-07"), born(age="30", event="2015-06-01")),  # age says born 1985
        (born("1985-03-07"), born(age="28", event="2015-06-01")),  # age off by two years
        (born("1985-03-07"), born(age="26", event="2015-06-01")),  # four years
        (born("1985-03-07"), born("1985-09-30")),  # two precise dates of one year: two people
        (born("1985-03-07"), born("01/01/1985")),  # 1 January: often the year alone
        (born("1985-03-07"), born("1962-11-20")),
        (born("1985-03-07"), born()),
    ]) == [
        "exact birth", "day and month swapped", "one digit differs",
        "two neighbouring digits swapped", "one digit differs",
        "same day and month, year off by one", "birth within 31 days",
        "birth_year within 1 (a date not precise)", "birth_year within 2 (a date not precise)",
        "birth_year within 5 (a date not precise)", "else",
        "birth_year within 1 (a date not precise)", "else", "null",
    ]


def ident(number, **names):
    return {"id_number": number, **names}


def test_id_number_levels_exact_one_off_two_off():
    assert labels("id_number", [
        (ident("HEGG560427MVZRRL04"), ident("hegg 560427 mvzrrl04")),
        (ident("HEGG560427MVZRRL04"), ident("HEGG560427MVZRRL05")),
        (ident("HEGG560427MVZRRL04"), ident("HEGG560428MVZRRL05")),
        (ident("HEGG560427MVZRRL04"), ident("BEML920313HCMLNS09")),
        (ident("HEGG560427MVZRRL04"), ident("")),
    ]) == [
        "exact id_number", "levenshtein id_number <= 1", "levenshtein id_number <= 2",
        "else", "null",
    ]


def test_a_curp_on_one_side_is_checked_against_the_other_sides_names_and_birth_date():
    person = {"given_names": "Gabriela", "paternal_surname": "Hernández",
              "maternal_surname": "García", "birth_date": "1956-04-27"}
    other_person = {**person, "birth_date": "1957-04-27"}
    assert labels("curp_vs_fields", [
        (ident("HEGG560427MVZRRL04"), person),
        (ident("HEGG560427MVZRRL04"), other_person),
        (ident("HEGG560427MVZRRL04"), ident("HEGG560427MVZRRL04", **person)),  # both have one
        (person, other_person),  # neither has one
    ]) == ["CURP agrees with the other record's names and birth date", "else", "null", "null"]


def test_comparisons_fail_at_construction_with_the_right_call():
    with pytest.raises(ValueError, match="first level must be null"):
        Comparison("given", [exact("given"), else_()])
    with pytest.raises(ValueError, match="last level must be else_"):
        Comparison("given", [null("given"), exact("given")])
    with pytest.raises(ValueError, match="strict to loose"):
        Comparison("given", [null("given"), jaro_winkler("given", 0.8), jaro_winkler("given", 0.92),
                             else_()])
    with pytest.raises(ValueError, match="unknown feature"):
        Comparison("given", [null("givn"), else_()])


@pytest.mark.parametrize(("pairs", "values"), [(150_000, 300), (150_000, 5_000), (500, 50)])
def test_distinct_value_pairs_are_found_alike_by_table_and_by_sort(pairs, values):
    from matching.comparisons import _distinct_pairs

    rng = np.random.default_rng(1)
    a = rng.integers(0, values, pairs).astype(np.int32)
    b = rng.integers(0, values, pairs).astype(np.int32)
    first, second, inverse = _distinct_pairs(a, b, values)
    unique, expected_inverse = np.unique(a.astype(np.int64) * values + b, return_inverse=True)
    assert first.tolist() == (unique // values).tolist()
    assert second.tolist() == (unique % values).tolist()
    assert np.array_equal(inverse, expected_inverse.reshape(-1))


@pytest.mark.parametrize("other_numbers", [0, 20_000])  # a batch; a few pairs in a large index
def test_identity_number_levels_on_many_pairs_match_the_edit_distance(other_numbers):
    from rapidfuzz.distance import Levenshtein

    rng = np.random.default_rng(5)
    alphabet = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789Ñ")

    def number():
        return "".join(rng.choice(alphabet, 18))

    def edited(text, edits):
        for _ in range(edits):
            position = int(rng.integers(0, len(text)))
            kind = rng.integers(0, 3)
            char = str(rng.choice(alphabet))
            if kind == 0:
                text = text[:position] + char + text[position + 1 :]
            elif kind == 1:
                text = text[:position] + char + text[position:]
            else:
                text = text[:position] + text[position + 1 :]
        return text

    pairs = []
    for k in range(3000):  # enough pairs for the pre-filtered path
        first = number()
        pairs.append((first, edited(first, k % 4) if k % 3 else number()))
    vocabularies = Vocabularies()
    left = RecordTable.from_records([{"id_number": a} for a, _ in pairs], vocabularies)
    right = RecordTable.from_records([{"id_number": b} for _, b in pairs], vocabularies)
    RecordTable.from_records([{"id_number": number()} for _ in range(other_numbers)], vocabularies)
    rows = np.arange(len(pairs))
    comparison = COMPARISONS["id_number"]
    levels = comparison.compute(PairContext(left, right, rows, rows))
    got = [comparison.levels[k].label for k in levels]
    expected = []
    for a, b in pairs:
        distance = Levenshtein.distance(a, b)
        expected.append(
            "exact id_number" if a == b
            else "levenshtein id_number <= 1" if distance <= 1
            else "levenshtein id_number <= 2" if distance <= 2
            else "else"
        )
    assert got == expected
    assert len(set(got)) == 4
