import pytest

from demo.synthetic import SyntheticRecord, generate_linkage_dataset
from matching.incremental import IncrementalIndex
from matching.linker import Linker
from matching.model import LinkageModel
from matching.records import Vocabulary


def as_input(record: SyntheticRecord) -> dict[str, str]:
    return record.as_row()


@pytest.fixture(scope="module")
def linkage():
    left, right = generate_linkage_dataset(seed=99, n_left=1500, n_right=4000, overlap=0.5)
    truth = set()
    by_person = {}
    for record in right:
        by_person.setdefault(record.person_id, []).append(record.record_id)
    for record in left:
        truth.update((record.record_id, other) for other in by_person.get(record.person_id, []))
    result = Linker().link([as_input(r) for r in left], [as_input(r) for r in right])
    return left, right, truth, result


def test_unsupervised_linkage_finds_the_shared_people(linkage):
    _, _, truth, result = linkage
    links = {(a, b) for a, b, _ in result.links()}
    true_positives = len(links & truth)
    precision, recall = true_positives / len(links), true_positives / len(truth)
    assert precision > 0.97
    assert recall > 0.93


def test_the_model_says_how_it_was_made_and_round_trips_through_json(linkage, tmp_path):
    _, _, _, result = linkage
    path = tmp_path / "model.json"
    result.model.save(path)
    loaded = LinkageModel.load(path)
    assert loaded.m == result.model.m and loaded.u == result.model.u
    assert loaded.prior == result.model.prior
    assert [r.name for r in loaded.blocking_rules] == [r.name for r in result.model.blocking_rules]
    assert loaded.upper_threshold == result.model.upper_threshold
    assert loaded.notes["em_sessions"]


def test_a_loaded_model_scores_pairs_exactly_as_the_trained_one(linkage, tmp_path):
    left, right, _, result = linkage
    path = tmp_path / "model.json"
    result.model.save(path)
    again = Linker(LinkageModel.load(path)).link(
        [as_input(r) for r in left[:300]], [as_input(r) for r in right]
    )
    before = {(a, b): p for a, b, p in result.links()}
    after = {(a, b): p for a, b, p in again.links()}
    shared = before.keys() & after.keys()
    assert len(shared) > 50
    assert all(after[k] == pytest.approx(before[k], abs=1e-6) for k in shared)


def test_incremental_index_matches_a_new_record_against_the_stored_ones(linkage):
    left, right, truth, result = linkage
    index = IncrementalIndex(result.model)
    index.add_many(as_input(r) for r in right)
    linked_left = dict(truth)
    hits = 0
    queries = [r for r in left if r.record_id in linked_left][:200]
    for record in queries:
        matches = index.match(as_input(record))
        if matches and matches[0][0] == linked_left[record.record_id]:
            hits += 1
    assert hits / len(queries) > 0.9
    best = index.match(as_input(queries[0]))[0]
    assert set(best[2]) == {c.name for c in result.model.comparisons}  # explains every field


def test_a_record_added_to_the_index_is_found_at_once(linkage):
    left, _, _, result = linkage
    index = IncrementalIndex(result.model)
    record = as_input(left[0])
    assert index.match(record) == []
    index.add({**record, "record_id": "new-1"})
    matches = index.match(record)
    assert matches[0][0] == "new-1"
    assert matches[0][1] > 0.99


def test_records_loaded_in_bulk_match_as_records_added_one_by_one(linkage):
    left, right, _, result = linkage
    bulk, single = IncrementalIndex(result.model), IncrementalIndex(result.model)
    bulk.add_many((as_input(r) for r in right[:1500]), batch=400)
    for record in right[:1500]:
        single.add(as_input(record))
    found = 0
    for record in left[:150]:
        matches = bulk.match(as_input(record))
        assert matches == single.match(as_input(record))
        found += bool(matches)
    assert found > 20


def test_the_index_refuses_an_untrained_model():
    with pytest.raises(ValueError, match="trained model"):
        IncrementalIndex(LinkageModel())


def test_chunked_linkage_gives_the_same_links_as_one_chunk(linkage):
    left, right, _, result = linkage
    chunked = Linker(pairs_per_chunk=20_000).link([as_input(r) for r in left],
                                                  [as_input(r) for r in right])
    assert chunked.n_candidates == result.n_candidates
    assert {(a, b) for a, b, _ in chunked.links()} == {(a, b) for a, b, _ in result.links()}


def test_blocking_report_counts_every_pass(linkage):
    _, _, _, result = linkage
    rows = result.blocking.as_rows()
    assert [r["rule"] for r in rows] == [r.name for r in result.model.blocking_rules]
    assert sum(r["new_pairs"] for r in rows) == result.n_candidates
    assert all(r["pairs"] >= r["new_pairs"] for r in rows)


def test_two_worker_processes_give_exactly_the_result_of_one(linkage, monkeypatch):
    import matching.records

    left, right, _, result = linkage
    monkeypatch.setattr(matching.records, "PARALLEL_MIN_RECORDS", 1000)  # fork the preparation
    parallel = Linker(workers=2, pairs_per_chunk=20_000).link(
        [as_input(r) for r in left], [as_input(r) for r in right]
    )
    assert parallel.n_candidates == result.n_candidates
    assert parallel.links() == result.links()  # same pairs, same probabilities, same order
    assert parallel.model.to_json() == result.model.to_json()


def test_term_frequencies_belong_to_their_own_vocabulary_when_an_earlier_one_is_freed(linkage):
    # A freed vocabulary's id() is soon reused by a new one; its strings must not be
    # read as the new vocabulary's (this made bulk and one-by-one indexes disagree).
    model = linkage[3].model
    common = max(model.tf_tables["given"], key=model.tf_tables["given"].get)
    for round_ in range(50):
        vocabulary = Vocabulary()
        vocabulary.ids([f"nombre raro {round_}"] * (round_ % 3) + [common])
        expected = [model.tf_tables["given"].get(s, model.tf_floor["given"])
                    for s in vocabulary.strings]
        assert model.tf_by_id("given", vocabulary).tolist() == expected
        del vocabulary
