import numpy as np

from matching.clustering import constrained_clusters, curps_conflict
from matching.linker import ScoredPairs
from matching.records import RecordTable, Vocabularies


def _scored(pairs_with_weights):
    li = np.array([p[0] for p in pairs_with_weights])
    ri = np.array([p[1] for p in pairs_with_weights])
    weights = np.array([p[2] for p in pairs_with_weights], dtype=float)
    n = len(pairs_with_weights)
    return ScoredPairs(li, ri, np.zeros((n, 1), np.int8), np.zeros((n, 1)), weights, np.ones(n))


def test_one_bad_link_cannot_chain_two_people_with_different_curps():
    # A (CURP 1) ~ B (no CURP) is strong; B ~ C (CURP 2) is weaker. Plain connected
    # components would make A, B and C one person; the second link must go to review.
    records = [
        {"record_id": "A", "id_number": "HEGG560427MVZRRL04"},
        {"record_id": "B"},
        {"record_id": "C", "id_number": "BEML920313HCMLNS09"},
    ]
    table = RecordTable.from_records(records, Vocabularies())
    scored = _scored([(0, 1, 20.0), (1, 2, 12.0)])
    decision = np.array(["link", "link"], dtype=object)
    assert constrained_clusters(table, table, scored, decision, dedupe=True).tolist() == [
        "link",
        "review",
    ]


def test_clusters_refuse_both_sexes():
    records = [{"record_id": "A", "sex": "H"}, {"record_id": "B"}, {"record_id": "C", "sex": "M"}]
    table = RecordTable.from_records(records, Vocabularies())
    scored = _scored([(1, 2, 9.0), (0, 1, 10.0)])
    decision = np.array(["link", "link"], dtype=object)
    # The stronger A~B goes first, so B~C is the link refused.
    assert constrained_clusters(table, table, scored, decision, dedupe=True).tolist() == [
        "review",
        "link",
    ]


def test_a_curp_typo_that_keeps_a_valid_check_digit_is_not_a_conflict():
    # E -> V at position 4 changes the weighted sum by 18*15 = 270: same check digit.
    assert not curps_conflict("MELE620801HNLDPM71", "MELV620801HNLDPM71")
    assert curps_conflict("HEGG560427MVZRRL04", "BEML920313HCMLNS09")


def test_compatible_links_all_stay():
    records = [
        {"record_id": "A", "id_number": "HEGG560427MVZRRL04", "sex": "M"},
        {"record_id": "B", "sex": "M"},
        {"record_id": "C", "id_number": "HEGG560427MVZRRL04"},
    ]
    table = RecordTable.from_records(records, Vocabularies())
    decision = np.array(["link", "link"], dtype=object)
    result = constrained_clusters(
        table, table, _scored([(0, 1, 5.0), (1, 2, 4.0)]), decision, dedupe=True
    )
    assert result.tolist() == ["link", "link"]
