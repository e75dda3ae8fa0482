"""Relatives and namesakes are never linked automatically, whatever their score.

A hand-made model in which shared surnames alone clear the upper threshold, so
that only the decision rules stand between siblings and a link:

    prior 0.01                      log2(0.01 / 0.99)  = -6.63
    paternal exact (m .9, u .001)   log2(0.9 / 0.001)  = +9.81
    maternal exact (m .9, u .001)   log2(0.9 / 0.001)  = +9.81
    given exact    (m .9, u .01)    log2(0.9 / 0.01)   = +6.49
    given else     (m .1, u .99)    log2(0.1 / 0.99)   = -3.31
    birth exact    (m .8, u .001)   log2(0.8 / 0.001)  = +9.64
    birth else     (m .2, u .999)   log2(0.2 / 0.999)  = -2.32

Siblings (same surnames, different given names, no birth date on one side):
-6.63 + 9.81 + 9.81 - 3.31 = 9.68 bits, probability 0.9988: above 0.5.
"""

from __future__ import annotations

import pytest

from matching.blocking import block_on
from matching.comparisons import Comparison, else_, exact, null
from matching.decisions import (
    NAMESAKES,
    POSSIBLE_RELATIVES,
    Identity,
    given_names_differ,
    hold_reason,
)
from matching.incremental import IncrementalIndex
from matching.linker import Linker
from matching.model import EMSession, LinkageModel


def _model(**overrides) -> LinkageModel:
    comparisons = [
        Comparison("given_names", [null("given"), exact("given"), else_()]),
        Comparison("paternal_surname", [null("paternal"), exact("paternal"), else_()]),
        Comparison("maternal_surname", [null("maternal"), exact("maternal"), else_()]),
        Comparison("birth_date", [null("birth"), exact("birth"), else_()]),
    ]
    values = {
        "comparisons": comparisons,
        "blocking_rules": block_on("paternal_ph") | block_on("given_sig"),
        "em_sessions": [EMSession(block_on("birth"), ("birth_date",)),
                     EMSession(block_on("paternal"), ("paternal_surname", "maternal_surname"))],
        "m": [[1, 0.9, 0.1], [1, 0.9, 0.1], [1, 0.9, 0.1], [1, 0.8, 0.2]],
        "u": [[1, 0.01, 0.99], [1, 0.001, 0.999], [1, 0.001, 0.999], [1, 0.001, 0.999]],
        "prior": 0.01,
        "relatives": None,
    }
    values.update(overrides)
    return LinkageModel(**values)


def _person(record_id, given, paternal, maternal, birth="", id_number=""):
    return {"record_id": record_id, "given_names": given, "paternal_surname": paternal,
            "maternal_surname": maternal, "birth_date": birth, "id_number": id_number}


def _decisions(left, right, model=None):
    result = Linker(model or _model()).link(left, right)
    ids_left, ids_right = result.left.record_ids, result.right.record_ids
    return {
        (ids_left[a], ids_right[b]): (decision, reason, round(float(p), 4))
        for a, b, decision, reason, p in zip(
            result.scored.left_rows, result.scored.right_rows, result.decision,
            result.reasons, result.scored.probability, strict=True)
    }


def test_siblings_are_never_auto_linked():
    left = [_person("L1", "Juana", "Martínez", "Urrutia", "1990-05-01")]
    right = [_person("R1", "DALIA", "MARTINEZ", "URRUTIA")]  # birth date unknown
    # -6.63 + 9.81 + 9.81 - 3.31 = 9.68 bits -> 0.9988, held for review.
    assert _decisions(left, right)[("L1", "R1")] == ("review", POSSIBLE_RELATIVES, 0.9988)


def test_the_same_pair_with_the_same_given_name_links():
    left = [_person("L1", "Juana", "Martínez", "Urrutia", "1990-05-01")]
    right = [_person("R1", "JUANA", "MARTINEZ", "URRUTIA")]
    # -6.63 + 6.49 + 9.81 + 9.81 = 19.48 bits -> 1.0000, linked.
    assert _decisions(left, right)[("L1", "R1")] == ("link", "", 1.0)


def test_siblings_of_both_sexes_are_held_whatever_the_spelling_of_the_surname():
    ana = Identity.of_record(_person("A", "Ana Laura", "Hidalgo", "Castillo", "1988-01-02"))
    bruno = Identity.of_record(_person("B", "Bruno", "HIDALGO", "CASTIYO", "1991-07-30"))
    assert hold_reason(ana, bruno) == POSSIBLE_RELATIVES


@pytest.mark.parametrize(("first", "second"), [
    ("Pepe", "José"),  # a nickname
    ("Beto", "Roberto"),  # a nickname several names share ("Beto" reads as Alberto)
    ("José Luis", "Luis"),  # a compound name cut short
    ("Ana Laura", "Laura"),  # the second name alone
    ("Ma. Guadalupe", "Lupita"),  # an abbreviation and a nickname
    ("Juan Carlos", "Jan Carlos"),  # a typo in the leading name
    ("Fernando", "Fer"),  # cut short
    ("Ezperanza", "Esperanza"),  # a typo
])
def test_one_persons_given_names_are_not_different_names(first, second):
    a = Identity.of_record(_person("A", first, "Ruiz", "Ortiz"))
    b = Identity.of_record(_person("B", second, "Ruiz", "Ortiz"))
    assert not given_names_differ(a, b)
    assert hold_reason(a, b) is None


@pytest.mark.parametrize(("first", "second"), [
    ("Juan Carlos", "Juan Pablo"),  # brothers share the leading name
    ("María Luisa", "María Guadalupe"),
    ("Jesús Alberto", "Rubén"),
])
def test_brothers_and_sisters_names_are_different_names(first, second):
    a = Identity.of_record(_person("A", first, "Ruiz", "Ortiz"))
    b = Identity.of_record(_person("B", second, "Ruiz", "Ortiz"))
    assert hold_reason(a, b) == POSSIBLE_RELATIVES


def test_an_identity_number_in_agreement_lifts_the_hold():
    # A CURP one typo apart on both sides says one person, whatever the names say.
    a = Identity.of_record(_person("A", "Juana", "Martínez", "Urrutia", "", "MAUJ900501MDFRRN08"))
    b = Identity.of_record(_person("B", "Dalia", "Martínez", "Urrutia", "", "MAUJ900501MDFRRN09"))
    assert hold_reason(a, b) is None


def test_one_shared_surname_alone_does_not_make_a_family():
    # FEBRL-like records with no maternal surname at all: a replaced given name
    # is left to the score.
    a = Identity.of_record(_person("A", "daniella", "boothroyd", "", "19600904"))
    b = Identity.of_record(_person("B", "lachlan", "boothroyd", "", "19600904"))
    assert hold_reason(a, b) is None


def test_common_full_name_with_a_different_birth_date_is_not_auto_linked():
    # "Juan Hernández García": given exact +6.49, both surnames +9.81 each, birth
    # else -2.32, prior -6.63: 17.16 bits -> 1.0000, but common (below) and born
    # eleven years apart: namesakes, held.
    model = _model(
        population=100_000,
        tf_tables={"given": {"juan": 0.03}, "paternal": {"hernandez": 0.05},
                   "maternal": {"garcia": 0.04}},
        tf_floor={"given": 1e-5, "paternal": 1e-5, "maternal": 1e-5},
    )
    # Expected namesakes: 100,000 x 0.03 x 0.05 x 0.04 = 6 >= 1: common.
    assert model.expected_namesakes("juan", "hernandez", "garcia") == pytest.approx(6.0)
    left = [_person("L1", "Juan", "Hernández", "García", "1990-02-02")]
    right = [_person("R1", "JUAN", "HERNANDEZ", "GARCIA", "1979-06-15")]
    assert _decisions(left, right, model)[("L1", "R1")][:2] == ("review", NAMESAKES)


def test_rare_full_name_with_a_different_birth_date_is_left_to_the_score():
    # "Xicoténcatl Ocelotl Tlapa": every name at the floor 1e-5, expected namesakes
    # 100,000 x 1e-15: not common, so a different birth date reads as a slip.
    model = _model(population=100_000, tf_floor={"given": 1e-5, "paternal": 1e-5,
                                                 "maternal": 1e-5})
    left = [_person("L1", "Xicoténcatl", "Ocelotl", "Tlapa", "1990-02-02")]
    right = [_person("R1", "Xicoténcatl", "Ocelotl", "Tlapa", "1979-06-15")]
    assert _decisions(left, right, model)[("L1", "R1")][:2] == ("link", "")


def test_a_birth_date_slip_is_not_a_different_birth_date():
    common = {"population": 100_000, "tf_tables": {"given": {"juan": 0.03},
                  "paternal": {"hernandez": 0.05}, "maternal": {"garcia": 0.04}}}
    a = Identity.of_record(_person("A", "Juan", "Hernández", "García", "1990-02-03"))
    for slip in ("1990-03-02", "1990-02-08", "1991-02-03", "1990-02-28"):
        b = Identity.of_record(_person("B", "Juan", "Hernández", "García", slip))
        assert hold_reason(a, b, _model(**common)) is None, slip


def test_a_cluster_cannot_join_two_siblings_through_a_third_record():
    # R1 carries only the surnames' family name and the given name of neither,
    # and links to both reports; once L1 ~ R1 is made, L2 ~ R1 would put Juana
    # and Dalia in one cluster.
    left = [_person("L1", "Juana", "Martínez", "Urrutia", "1990-05-01"),
            _person("L2", "Dalia", "Martínez", "Urrutia", "1993-09-12")]
    right = [_person("R1", "Juana", "Martínez", "Urrutia")]
    decisions = _decisions(left, right)
    assert decisions[("L1", "R1")][:2] == ("link", "")
    assert decisions[("L2", "R1")][:2] == ("review", POSSIBLE_RELATIVES)


def test_siblings_are_held_by_the_incremental_index_as_by_the_batch():
    model = _model()
    index = IncrementalIndex(model)
    index.add(_person("R1", "Dalia", "Martínez", "Urrutia"))
    index.add(_person("R2", "Juana", "Martínez", "Urrutia"))
    matches = {record_id: explanation for record_id, _, explanation in
               index.match(_person("Q", "Juana", "Martínez", "Urrutia", "1990-05-01"))}
    assert matches["R1"]["hold"] == {
        "level": POSSIBLE_RELATIVES, "weight": 0.0,
        "phrase": "posibles parientes: mismos apellidos, nombres distintos"}
    assert "hold" not in matches["R2"]
