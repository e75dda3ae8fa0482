"""The reviewer's explanation in plain Spanish, strongest evidence first."""

from __future__ import annotations

import pytest

from matching.comparisons import default_comparisons
from matching.phrases import describe_pair, percent, phrase_for

# Twins' report and detention: weights in bits as the core writes them.
EXPLANATION = {
    "given_names": {"level": "else", "weight": -4.3},
    "paternal_surname": {"level": "exact paternal", "weight": 7.7},
    "maternal_surname": {"level": "maternal swapped with paternal", "weight": 2.3},
    "birth_date": {"level": "day and month swapped", "weight": 10.2},
    "sex": {"level": "null", "weight": 0.0},
    "id_number": {"level": "exact id_number", "weight": 15.9},
    "relatives": {"level": "possible relatives", "weight": -12.0},
    "hold": {"level": "possible_relatives", "weight": 0.0},
}


def test_a_pair_reads_as_spanish_phrases_strongest_first():
    assert describe_pair(EXPLANATION, 0.934) == [
        "probabilidad de que sean la misma persona: 93 %",
        "posibles parientes: mismos apellidos, nombres distintos",  # why it waits for review
        "CURP idéntica",  # 15.9
        "podrían ser parientes: lo que comparten también lo comparte una familia",  # -12.0
        "fecha de nacimiento con día y mes invertidos",  # 10.2
        "mismo primer apellido",  # 7.7
        "nombres distintos",  # -4.3
        "apellidos invertidos",  # 2.3; the sex is unknown on one side: no phrase
    ]


def test_the_phrases_translate_where_they_are_shown():
    english = {"probabilidad de que sean la misma persona: %(percent)s": "same person: %(percent)s",
               "CURP idéntica": "identical CURP"}
    phrases = describe_pair({"id_number": {"level": "exact id_number", "weight": 15.9}}, 0.5,
                            translate=lambda text: english.get(text, text))
    assert phrases == ["same person: 50 %", "identical CURP"]


@pytest.mark.parametrize(("probability", "text"), [
    (0.934, "93 %"), (0.5, "50 %"), (0.996, "> 99 %"), (0.999999, "> 99 %"), (0.004, "< 1 %"),
])
def test_the_probability_is_a_percentage_that_never_claims_certainty(probability, text):
    assert percent(probability) == text


def test_every_level_of_the_default_comparisons_has_a_phrase():
    missing = [(c.name, level.label) for c in default_comparisons() for level in c.levels
               if level.kind not in ("null", "null_unless_one_curp")
               and phrase_for(c.name, level.label) is None]
    assert missing == []
