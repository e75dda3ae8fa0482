"""A person's history page: split and undo through HTTP; outsiders get 404."""

import pytest
from django.urls import reverse

from matching.models import MergeDecision
from matching.services import match_candidate_confirm
from registry.models import Person, Record
from tests.factories import MatchCandidateFactory, RecordFactory


@pytest.fixture
def merged(case_a, reviewer):
    detention = RecordFactory(kind="detention")
    candidate = MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention)
    return match_candidate_confirm(candidate=candidate, actor=reviewer, reason="misma CURP")


def test_reviewer_sees_the_history_and_undoes_the_merge(client, reviewer, merged):
    client.force_login(reviewer)
    page = client.get(reverse("person_detail", args=[merged.person_id]))
    assert page.status_code == 200
    assert merged in page.context["decisions"]
    response = client.post(reverse("merge_decision_undo", args=[merged.pk]),
                           {"reason": "Eran homónimos"})
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.is_undone
    assert not Record.objects.filter(person__isnull=False).exists()
    assert not Person.objects.exists()


def test_reviewer_splits_a_record_off(client, reviewer, merged, case_a):
    detention_id = next(pk for pk in merged.after["records"] if int(pk) !=
                        case_a.missing_report_id)
    client.force_login(reviewer)
    client.post(reverse("person_detail", args=[merged.person_id]),
                {"records": [detention_id], "reason": "Edad incompatible"})
    split = MergeDecision.objects.get(operation="split")
    assert Record.objects.get(pk=detention_id).person_id == split.other_person_id


def test_outsider_gets_404_for_the_person_and_cannot_undo(client, outsider, merged):
    client.force_login(outsider)
    assert client.get(reverse("person_detail", args=[merged.person_id])).status_code == 404
    assert client.post(reverse("merge_decision_undo", args=[merged.pk]),
                       {"reason": "x"}).status_code == 404
    merged.refresh_from_db()
    assert not merged.is_undone


def test_an_operator_may_read_but_not_split_or_undo(client, owner, merged):
    client.force_login(owner)  # operator of the agency of the missing report
    assert client.get(reverse("person_detail", args=[merged.person_id])).status_code == 200
    assert client.post(reverse("merge_decision_undo", args=[merged.pk]),
                       {"reason": "x"}).status_code == 404
    assert client.post(reverse("person_detail", args=[merged.person_id]),
                       {"records": [1], "reason": "x"}).status_code == 404


def test_an_automatic_link_shows_as_such_and_a_reviewer_can_undo_it(client, reviewer, case_a):
    candidate = MatchCandidateFactory(record_left=case_a.missing_report,
                                      record_right=RecordFactory(kind="detention"))
    automatic = match_candidate_confirm(candidate=candidate, actor=None,
                                        reason="enlace automático (p ≥ umbral superior)")
    client.force_login(reviewer)
    page = client.get(reverse("person_detail", args=[automatic.person_id])).content.decode()
    assert "Vinculación automática" in page
    client.post(reverse("merge_decision_undo", args=[automatic.pk]), {"reason": "No es ella"})
    automatic.refresh_from_db()
    assert automatic.is_undone and automatic.undone_by == reviewer
