"""Bounded blocks: an oversized block is linked by sort-and-window, in linear time.

Pathological files (one person repeated, thousands of namesakes without a birth date)
used to cost the square of their block; the sizes here are small but show the bound:
doubling the records doubles the pairs. ``bench/matching_adapter`` runs the full sizes.
"""

from __future__ import annotations

from functools import lru_cache

from demo.synthetic import generate_linkage_dataset
from matching.blocking import WINDOW, CandidateChunks, candidate_pairs, default_blocking_rules
from matching.linker import Linker
from matching.records import RecordTable, Vocabularies


def one_person(n: int, prefix: str = "r") -> list[dict]:
    return [{"record_id": f"{prefix}{i}", "given_names": "José Luis",
             "paternal_surname": "Hernández", "maternal_surname": "Ñúñez",
             "birth_date": "1980-03-04", "sex": "H", "state": "09"} for i in range(n)]


def namesakes(n: int) -> list[dict]:
    # Different people, one common name, no birth date: only the name blocks them.
    return [{"record_id": f"j{i}", "given_names": "Juan", "paternal_surname": "Hernández",
             "maternal_surname": "", "sex": "H", "event_date": f"2025-01-{1 + i % 28:02d}",
             "municipality": "09007", "address": f"Calle Zaragoza {i}"}
            for i in range(n)]


def _pair_count(records: list[dict]) -> tuple[int, int]:
    table = RecordTable.from_records(records)
    left_rows, _, report = candidate_pairs(default_blocking_rules(), table)
    return int(left_rows.size), report.capped_blocks


def test_one_person_repeated_costs_linear_pairs_and_reports_the_capped_blocks():
    small, capped = _pair_count(one_person(1500))
    large, _ = _pair_count(one_person(3000))
    assert capped >= 1  # reported per run
    assert small <= 1500 * WINDOW  # each record meets at most WINDOW records after it
    assert large <= 2.05 * small  # linear, not quadratic (all pairs: 4.5 million)


def test_namesakes_without_birth_dates_cost_linear_pairs():
    small, _ = _pair_count(namesakes(1500))
    large, _ = _pair_count(namesakes(3000))
    assert small <= 1500 * WINDOW
    assert large <= 2.05 * small


def test_blocks_under_the_cap_still_give_every_pair():
    table = RecordTable.from_records(one_person(40))
    chunks = CandidateChunks(default_blocking_rules(), table, max_block=500)
    pairs = {(int(a), int(b)) for left, right in chunks for a, b in zip(left, right, strict=True)}
    assert len(pairs) == 40 * 39 // 2
    assert chunks.report().capped_blocks == 0


def test_a_new_record_meets_its_near_twin_inside_an_oversized_stored_block():
    vocabularies = Vocabularies()
    stored = namesakes(2000)
    twin = {**stored[1234], "record_id": "twin", "maternal_surname": ""}
    stored_table = RecordTable.from_records(stored, vocabularies)
    new_table = RecordTable.from_records([twin], vocabularies)
    left_rows, right_rows, report = candidate_pairs(default_blocking_rules(), new_table,
                                                    stored_table)
    assert report.capped_blocks >= 1
    assert left_rows.size <= 2 * WINDOW * len(default_blocking_rules())
    assert "j1234" in {stored_table.record_ids[r] for r in right_rows}


def test_windowed_blocks_are_deterministic_whatever_the_input_order():
    records = one_person(1200) + namesakes(1200)
    forward = RecordTable.from_records(records)
    backward = RecordTable.from_records(list(reversed(records)))

    def named(table):
        li, ri, _ = candidate_pairs(default_blocking_rules(), table)
        return {tuple(sorted((table.record_ids[a], table.record_ids[b])))
                for a, b in zip(li, ri, strict=True)}

    assert len(named(forward)) == len(named(backward))


@lru_cache(maxsize=1)
def _model():
    left, right = generate_linkage_dataset(seed=3, n_left=800, n_right=800, overlap=0.5)
    return Linker().link([r.as_row() for r in left], [r.as_row() for r in right]).model


def test_one_person_repeated_still_ends_as_one_cluster():
    model = _model()
    model.upper_threshold = min(model.upper_threshold, 0.99)
    result = Linker(model, retrain=False).dedupe(one_person(1500))
    linked = {record for pair in result.links() for record in pair[:2]}
    assert len(linked) == 1500  # every copy linked (chained through its neighbours)
    assert result.blocking.capped_blocks >= 1
    assert result.n_candidates <= 1500 * WINDOW
