import random
from collections import Counter

import pytest

from demo.synthetic import corrupt, generate_linkage_dataset, generate_people
from mxnames.curp import validate_curp


def test_it_is_deterministic_for_a_seed():
    assert generate_people(seed=7, count=50) == generate_people(seed=7, count=50)
    assert generate_people(seed=7, count=50) != generate_people(seed=8, count=50)


def test_clean_people_carry_valid_curps_and_consistent_fields():
    people = generate_people(seed=1, count=500)
    assert len({p.person_id for p in people}) == 500
    for person in people:
        assert validate_curp(person.curp), person.curp
        assert person.curp[4:10] == f"{person.birth_date:%y%m%d}"
        assert person.curp[10] == person.sex
        assert person.municipality_code[:2] == person.state_code


def test_common_names_are_much_more_frequent_than_rare_ones():
    surnames = Counter(p.paternal_surname for p in generate_people(seed=2, count=5000))
    assert surnames["Hernández"] > 20 * max(1, surnames["Xicoténcatl"])


def test_corrupt_keeps_the_identity_and_changes_something():
    rng = random.Random(0)
    people = generate_people(seed=3, count=200)
    variants = [corrupt(p, rng=rng, record_id=f"v{i}") for i, p in enumerate(people)]
    assert all(v.person_id == p.person_id for v, p in zip(variants, people, strict=False))
    assert (
        sum(
            v != p.__class__(**{**p.__dict__, "record_id": v.record_id})
            for v, p in zip(variants, people, strict=False)
        )
        > 190
    )


def test_linkage_dataset_has_the_requested_overlap_and_hard_non_matches():
    left, right = generate_linkage_dataset(seed=5, n_left=2000, n_right=5000, overlap=0.4)
    assert len(left) == 2000 and len(right) == 5000
    shared = {r.person_id for r in left} & {r.person_id for r in right}
    assert len(shared) == 800
    left_surnames = {
        (r.paternal_surname, r.maternal_surname, r.state_code): r.person_id for r in left
    }
    siblings = [
        r
        for r in right
        if (r.paternal_surname, r.maternal_surname, r.state_code) in left_surnames
        and left_surnames[(r.paternal_surname, r.maternal_surname, r.state_code)] != r.person_id
    ]
    assert len(siblings) > 50
    namesakes = [r for r in right if (r.given_names, r.paternal_surname) == ("Juan", "Hernández")]
    assert len({r.person_id for r in namesakes}) > 10


def test_it_rejects_bad_municipality_codes():
    with pytest.raises(ValueError, match="5-digit INEGI"):
        generate_people(seed=1, count=1, municipalities=["9007"])
