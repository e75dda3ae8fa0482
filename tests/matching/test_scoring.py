import math

import numpy as np
import pytest

from matching.blocking import block_on
from matching.comparisons import Comparison, PairContext, else_, exact, null
from matching.linker import explain, score
from matching.model import EMSession, LinkageModel
from matching.records import RecordTable, Vocabularies
from matching.scoring import expectation_maximisation, expected_f1_threshold, level_frequencies


def _model() -> LinkageModel:
    comparisons = [
        Comparison("sex", [null("sex"), exact("sex"), else_()]),
        Comparison("paternal_surname", [null("paternal"), exact("paternal", tf=True), else_()]),
    ]
    return LinkageModel(
        comparisons=comparisons,
        blocking_rules=block_on("sex") | block_on("paternal"),
        em_sessions=[EMSession(block_on("birth"))],
        m=[[1.0, 0.95, 0.05], [1.0, 0.9, 0.1]],
        u=[[1.0, 0.5, 0.5], [1.0, 0.01, 0.99]],
        prior=0.01,
        tf_tables={"paternal": {"hernandez": 0.05}},
        tf_floor={"paternal": 0.0001},
    )


def _score(model, left, right):
    vocabularies = Vocabularies()
    left_table = RecordTable.from_records(left, vocabularies)
    right_table = RecordTable.from_records(right, vocabularies)
    rows = np.arange(len(left))
    return score(model, PairContext(left_table, right_table, rows, rows))


def test_weights_are_log2_m_over_u_plus_the_prior_by_hand():
    model = _model()
    scored = _score(model, [{"sex": "H"}], [{"sex": "H"}])
    # sex exact: log2(0.95 / 0.5) = 0.926; surname null: 0; prior: log2(0.01 / 0.99) = -6.629
    assert scored.field_weights[0].tolist() == pytest.approx([0.926, 0.0], abs=1e-3)
    assert scored.total_weight[0] == pytest.approx(-5.703, abs=1e-3)
    # probability = 1 / (1 + 2 ** 5.703) = 0.0189
    assert scored.probability[0] == pytest.approx(0.0189, abs=1e-4)


def test_disagreement_weighs_against():
    scored = _score(_model(), [{"sex": "H"}], [{"sex": "M"}])
    # log2(0.05 / 0.5) = -3.322
    assert scored.field_weights[0, 0] == pytest.approx(-3.322, abs=1e-3)


def test_term_frequency_makes_a_common_surname_worth_less_than_a_rare_one():
    model = _model()
    scored = _score(
        model,
        [{"paternal_surname": "Hernández"}, {"paternal_surname": "Xicoténcatl"}],
        [{"paternal_surname": "HERNANDEZ"}, {"paternal_surname": "xicotencatl"}],
    )
    # Hernández holds 5% of records: log2(0.9 / 0.05) = 4.170.
    # Xicoténcatl is unseen, so it gets the floor 0.0001: log2(0.9 / 0.0001) = 13.136.
    assert scored.field_weights[:, 1].tolist() == pytest.approx([4.170, 13.136], abs=1e-3)


def test_every_score_explains_itself_field_by_field():
    model = _model()
    scored = _score(
        model,
        [{"sex": "H", "paternal_surname": "Hernández"}],
        [{"sex": "M", "paternal_surname": "Hernández"}],
    )
    explanation = explain(model, scored, 0)
    assert explanation == {
        "sex": {"level": "else", "weight": -3.322, "phrase": "sexo distinto"},
        "paternal_surname": {"level": "exact paternal", "weight": 4.17,
                             "phrase": "mismo primer apellido"},
    }
    assert sum(e["weight"] for e in explanation.values()) + model.prior_weight() == pytest.approx(
        scored.total_weight[0], abs=1e-2
    )


def test_em_recovers_known_m_and_u_from_simulated_pairs():
    rng = np.random.default_rng(3)
    true_m = [
        np.array([0.05, 0.80, 0.10, 0.05]),
        np.array([0.1, 0.85, 0.05]),
        np.array([0.0, 0.9, 0.1]),
    ]
    true_u = [
        np.array([0.05, 0.02, 0.08, 0.85]),
        np.array([0.1, 0.10, 0.80]),
        np.array([0.0, 0.5, 0.5]),
    ]
    n, share = 40_000, 0.2
    is_match = rng.random(n) < share
    columns = []
    for m, u in zip(true_m, true_u, strict=True):
        from_m = rng.choice(len(m), n, p=m)
        from_u = rng.choice(len(u), n, p=u)
        columns.append(np.where(is_match, from_m, from_u))
    levels = np.stack(columns, axis=1).astype(np.int8)
    result = expectation_maximisation(levels, [4, 3, 3])
    assert result.proportion_matched == pytest.approx(share, abs=0.02)
    for estimated, m in zip(result.m, true_m, strict=True):
        non_null = m[1:] / m[1:].sum()  # m is estimated among non-null levels
        assert estimated[1:] == pytest.approx(non_null, abs=0.03)
    for estimated, u in zip(result.u_candidates, true_u, strict=True):
        assert estimated[1:] == pytest.approx(u[1:] / u[1:].sum(), abs=0.03)


def test_u_from_random_pairs_is_the_share_of_each_non_null_level():
    levels = np.array([[0], [1], [1], [2], [2], [2]], dtype=np.int8)
    # non-null counts 2 and 3, smoothed by 0.5: 2.5 / 6 and 3.5 / 6
    assert level_frequencies(levels, [3])[0].tolist() == pytest.approx([1.0, 2.5 / 6, 3.5 / 6])


def test_expected_f1_threshold_by_hand():
    # sorted p: .99 .98 .6 .1 .01; expected matches = 2.68
    # top 1: 2*.99/(1+2.68)=.538, top 2: 2*1.97/4.68=.842, top 3: 2*2.57/5.68=.905, top 4: .799
    assert expected_f1_threshold(np.array([0.1, 0.99, 0.01, 0.6, 0.98])) == 0.6
    assert math.isclose(expected_f1_threshold(np.array([])), 0.5)


def test_model_configuration_errors_say_the_right_call():
    from matching.blocking import block_on as rule

    sex = Comparison("sex", [null("sex"), exact("sex"), else_()])
    with pytest.raises(ValueError, match="unknown comparisons"):
        LinkageModel(comparisons=[sex], em_sessions=[EMSession(rule("birth"), ("given",))])
    with pytest.raises(ValueError, match="excluded from every EM session"):
        LinkageModel(comparisons=[sex], em_sessions=[EMSession(rule("birth"), ("sex",))])
    with pytest.raises(TypeError, match="rule_a \\| rule_b"):
        LinkageModel(comparisons=[sex], blocking_rules=[rule("birth")])
    with pytest.raises(ValueError, match="lower"):
        LinkageModel(comparisons=[sex], lower_threshold=0.9, upper_threshold=0.5)
    # Custom comparisons get the default sessions without the exclusions they lack.
    assert LinkageModel(comparisons=[sex]).em_sessions[0].exclude == ()
