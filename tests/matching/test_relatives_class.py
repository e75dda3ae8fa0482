"""The relatives class: shared surnames explained by a family, not only by one person.

Hand-made model (weights in bits, log2 of ratios):

    prior P(match) 0.01, P(relatives) 0.005, P(strangers) 0.985
    given    m [exact .9, else .1]   u [.01, .99]   r [.02, .98]
    paternal m [.9, .1]              u [.001, .999] r = m (relatives share surnames)
    maternal m [.9, .1]              u [.001, .999] r = m
    birth    m [.8, .2]              u [.001, .999] r [.01, .99]
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from matching.blocking import block_on
from matching.comparisons import Comparison, PairContext, else_, exact, null
from matching.linker import explain, score
from matching.model import EMSession, LinkageModel
from matching.records import RecordTable, Vocabularies
from matching.scoring import LatentClass, expectation_maximisation, mixture_em


def _model(**overrides) -> LinkageModel:
    values = {
        "comparisons": [
            Comparison("given_names", [null("given"), exact("given"), else_()]),
            Comparison("paternal_surname", [null("paternal"), exact("paternal"), else_()]),
            Comparison("maternal_surname", [null("maternal"), exact("maternal"), else_()]),
            Comparison("birth_date", [null("birth"), exact("birth"), else_()]),
        ],
        "blocking_rules": block_on("paternal_ph") | block_on("given_sig"),
        "em_sessions": [EMSession(block_on("birth"), ("birth_date",)),
                     EMSession(block_on("paternal"), ("paternal_surname", "maternal_surname"))],
        "m": [[1, 0.9, 0.1], [1, 0.9, 0.1], [1, 0.9, 0.1], [1, 0.8, 0.2]],
        "u": [[1, 0.01, 0.99], [1, 0.001, 0.999], [1, 0.001, 0.999], [1, 0.001, 0.999]],
        "r": [[1, 0.02, 0.98], [1, 0.9, 0.1], [1, 0.9, 0.1], [1, 0.01, 0.99]],
        "prior": 0.01,
        "relatives_prior": 0.005,
    }
    values.update(overrides)
    return LinkageModel(**values)


def _scored(model, left, right):
    vocabularies = Vocabularies()
    left_table = RecordTable.from_records(left, vocabularies)
    right_table = RecordTable.from_records(right, vocabularies)
    rows = np.arange(len(left))
    return score(model, PairContext(left_table, right_table, rows, rows))


SIBLINGS = (
    [{"record_id": "L", "given_names": "Juana", "paternal_surname": "Martínez",
      "maternal_surname": "Urrutia", "birth_date": "1990-05-01"}],
    [{"record_id": "R", "given_names": "Dalia", "paternal_surname": "Martínez",
      "maternal_surname": "Urrutia"}],
)


def test_siblings_probability_falls_to_what_the_given_names_say():
    # Against strangers only: -6.63 (prior) + 9.81 + 9.81 (surnames) - 3.31 (given
    # else) = 9.68 bits. Against relatives the surnames say nothing (r = m) and the
    # different given names say log2(.1 / .98) = -3.29; with the priors' ratio
    # log2(.01 / .005) = 1: about -2.29 bits, probability 0.17.
    scored = _scored(_model(), *SIBLINGS)
    assert scored.probability[0] == pytest.approx(0.17, abs=0.01)
    two_class = _scored(_model(r=None, relatives_prior=0.0), *SIBLINGS)
    assert two_class.probability[0] == pytest.approx(0.9988, abs=1e-4)


def test_the_explanation_shows_the_relatives_weight_and_still_adds_up():
    model = _model()
    scored = _scored(model, *SIBLINGS)
    explanation = explain(model, scored, 0)
    # relatives log-odds: log2(.005/.985) + (9.68 + 6.63) + log2(.98/.1) = 11.98;
    # the weight taken off is log2(1 + 2 ** 11.98) = 11.98.
    assert explanation["relatives"]["level"] == "possible relatives"
    assert explanation["relatives"]["weight"] == pytest.approx(-11.98, abs=0.02)
    total = model.prior_weight() + sum(e["weight"] for e in explanation.values())
    assert total == pytest.approx(scored.total_weight[0], abs=0.01)


def test_a_person_with_a_birth_date_is_not_taken_for_a_relative():
    left, right = SIBLINGS
    same = [{**right[0], "given_names": "Juana", "birth_date": "1990-05-01"}]
    # Two rare surnames leave two explanations, one person or relatives; against
    # relatives: priors log2(.01 / .005) = 1, the same given name log2(.9 / .02) =
    # 5.49, the same birth date log2(.8 / .01) = 6.32: 12.81 bits, 0.99986.
    scored = _scored(_model(), left, same)
    assert scored.probability[0] == pytest.approx(0.99986, abs=1e-5)


def test_a_format_1_model_loads_and_scores_with_two_classes():
    data = _model(r=None, relatives_prior=0.0, relatives=None).to_json()
    for key in ("relatives", "r", "relatives_prior", "population"):
        data.pop(key)
    data["format_version"] = 1
    loaded = LinkageModel.from_json(json.loads(json.dumps(data)))
    assert not loaded.has_relatives
    assert _scored(loaded, *SIBLINGS).probability[0] == pytest.approx(0.9988, abs=1e-4)


def test_a_model_file_of_an_unknown_format_fails_saying_what_to_do():
    data = _model().to_json()
    data["format_version"] = 7
    with pytest.raises(ValueError, match=r"format_version 7.*reads 1, 2.*Retrain"):
        LinkageModel.from_json(data)


def test_the_model_round_trips_the_relatives_class_through_json(tmp_path):
    model = _model(population=1234)
    model.save(tmp_path / "model.json")
    loaded = LinkageModel.load(tmp_path / "model.json")
    assert loaded.r == model.r and loaded.relatives_prior == 0.005
    assert loaded.relatives == model.relatives and loaded.population == 1234


def _expected_patterns(classes: list[tuple[list[np.ndarray], float]]):
    """Return every level pattern of four yes/no comparisons and its expected count."""
    patterns = np.array(list(itertools.product([1, 2], repeat=4)), dtype=np.int8)
    counts = np.zeros(len(patterns))
    for shares, size in classes:
        for column, share in enumerate(shares):
            size = size * share[patterns[:, column]]
        counts += size
    return patterns, counts


def test_three_classes_keep_twins_out_of_the_matches_m():
    # Pairs blocked on the same birth date; comparisons given name, both
    # surnames, place (level 1 agrees, 2 differs). 200 matches (agree on all
    # with 5% slips, place 80%), 200 twins (surnames like matches, given names
    # differ 98%, same place 90%), 10,000 strangers (u).
    u = [np.array([1, .01, .99])] * 3 + [np.array([1, .05, .95])]
    m = [np.array([1, .95, .05])] * 3 + [np.array([1, .8, .2])]
    twins = [np.array([1, .02, .98]), m[1], m[2], np.array([1, .9, .1])]
    patterns, counts = _expected_patterns([(m, 200), (twins, 200), (u, 10_000)])
    start = [np.array([1, .9, .1])] * 4
    two = expectation_maximisation(patterns, [3] * 4, m_start=start, u_start=u, fixed_u=True,
                                   counts=counts)
    # Two classes: the twins are matches whose given names differ, half of them.
    assert two.m[0][2] > 0.45
    three = mixture_em(patterns, [3] * 4, [
        LatentClass("match", start, (True,) * 4),
        LatentClass("relatives", [u[0], *start[1:]], (True,) * 4, (None, 0, 0, None)),
        LatentClass("strangers", u, (False,) * 4),
    ], [0.1, 0.05, 0.85], counts=counts)
    assert three.shares[0][0][2] < 0.2  # matches' given names seldom differ (truth .05)
    assert three.shares[1][0][2] > 0.95  # relatives' nearly always
    assert math.isclose(sum(three.proportions), 1.0)
