import pytest

from matching.blocking import BlockingRules, block_on, candidate_pairs, swapped
from matching.records import RecordTable, Vocabularies

LEFT = [
    {
        "record_id": "a",
        "paternal_surname": "Hernández",
        "maternal_surname": "García",
        "birth_date": "1980-01-01",
    },
    {
        "record_id": "b",
        "paternal_surname": "López",
        "maternal_surname": "Cruz",
        "birth_date": "1990-05-05",
    },
]
RIGHT = [
    {
        "record_id": "x",
        "paternal_surname": "ERNANDEZ",
        "maternal_surname": "",
        "birth_date": "1980-02-02",
    },
    {
        "record_id": "y",
        "paternal_surname": "Cruz",
        "maternal_surname": "López",
        "birth_date": "1991-05-05",
    },
    {"record_id": "z", "paternal_surname": "Pérez", "maternal_surname": "", "birth_date": ""},
]


def _tables():
    vocabularies = Vocabularies()
    return RecordTable.from_records(LEFT, vocabularies), RecordTable.from_records(
        RIGHT, vocabularies
    )


def _pairs(rules, left, right=None):
    li, ri, report = candidate_pairs(rules, left, right)
    names = (right or left).record_ids
    return {(left.record_ids[i], names[j]) for i, j in zip(li, ri, strict=True)}, report


def test_phonetic_surname_and_birth_year_pass_meets_a_misspelt_surname():
    left, right = _tables()
    pairs, _ = _pairs(BlockingRules((block_on("paternal_ph", "birth_year"),)), left, right)
    assert pairs == {("a", "x")}


def test_swapped_surnames_pass_meets_reversed_surnames():
    left, right = _tables()
    rule = swapped(("paternal_ph", "maternal_ph"), ("maternal_ph", "paternal_ph"))
    pairs, _ = _pairs(BlockingRules((rule,)), left, right)
    assert pairs == {("b", "y")}


def test_rules_combine_and_the_report_counts_pairs_and_new_pairs_per_pass():
    left, right = _tables()
    rules = (
        block_on("paternal_ph", "birth_year")
        | block_on("paternal_ph")
        | swapped(("paternal_ph", "maternal_ph"), ("maternal_ph", "paternal_ph"))
    )
    pairs, report = _pairs(rules, left, right)
    assert pairs == {("a", "x"), ("b", "y")}
    assert report.pairs_per_rule == [1, 1, 1]
    assert report.new_pairs_per_rule == [1, 0, 1]
    assert report.total_pairs == 2


def test_and_requires_both_rules_features():
    rule = block_on("paternal_ph") & block_on("birth_year")
    assert rule.left_features == ("paternal_ph", "birth_year")


def test_missing_values_never_block_together():
    _, right = _tables()
    pairs, _ = _pairs(BlockingRules((block_on("maternal_ph"),)), right)
    assert pairs == set()  # x and z both lack a maternal surname


def test_dedupe_yields_each_unordered_pair_once():
    records = [{"record_id": str(i), "paternal_surname": "Soto"} for i in range(4)]
    table = RecordTable.from_records(records)
    pairs, report = _pairs(block_on("paternal_ph") | block_on("paternal"), table)
    assert pairs == {("0", "1"), ("0", "2"), ("0", "3"), ("1", "2"), ("1", "3"), ("2", "3")}
    assert report.total_pairs == 6


def test_rules_fail_at_construction_with_the_right_call():
    with pytest.raises(ValueError, match="block_on"):
        block_on("surname")
    with pytest.raises(ValueError, match="same non-zero number"):
        swapped(("paternal_ph",), ("maternal_ph", "given"))
