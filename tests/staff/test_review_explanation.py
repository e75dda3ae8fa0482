"""The review page explains a pair in plain words, in the reader's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.phrases import with_phrases
from tests.factories import MatchCandidateFactory, RecordFactory


@pytest.fixture
def twins(case_a):
    detention = RecordFactory(kind="detention", given_names="Dalia", paternal_surname="Pérez")
    explanation = with_phrases({
        "given_names": {"level": "else", "weight": -4.3},
        "birth_date": {"level": "day and month swapped", "weight": 10.2},
        "paternal_surname": {"level": "exact paternal", "weight": 7.7},
        "hold": {"level": "possible_relatives", "weight": 0.0},
    })
    return MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention,
                                 probability=0.934, explanation=explanation)


def test_the_reviewer_reads_the_pair_in_spanish(client, reviewer, twins):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[twins.pk])).content.decode()
    for text in ("probabilidad de que sean la misma persona: 93 %",
                 "posibles parientes: mismos apellidos, nombres distintos",
                 "fecha de nacimiento con día y mes invertidos", "nombres distintos",
                 "Fecha de nacimiento"):
        assert text in page, text
    queue = client.get(reverse("review_queue")).content.decode()
    assert "posibles parientes: mismos apellidos, nombres distintos" in queue


def test_an_english_reader_reads_it_in_english(client, reviewer, twins):
    client.force_login(reviewer)
    page = client.get(reverse("candidate_detail", args=[twins.pk]),
                      headers={"accept-language": "en"}).content.decode()
    assert "date of birth with day and month swapped" in page
    assert "possible relatives: same surnames, different given names" in page


def test_an_outsider_sees_no_explanation(client, outsider, twins):
    client.force_login(outsider)
    assert client.get(reverse("candidate_detail", args=[twins.pk])).status_code == 404
