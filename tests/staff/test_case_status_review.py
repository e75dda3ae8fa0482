"""Closing a case as found needs a second prosecutor; other status changes apply at once."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.models import CaseStatusRequest
from registry.services import (
    case_status_change,
    case_status_request_approve,
    case_status_update,
)
from tests.factories import prosecutor_for


@pytest.fixture
def second_reviewer(case_a):
    return prosecutor_for(case_a, username="fiscal_a2")


def test_found_alive_is_a_request_until_another_prosecutor_approves(client, reviewer,
                                                                    second_reviewer, case_a):
    client.force_login(reviewer)
    client.post(reverse("case_status", args=[case_a.pk]),
                {"to_status": "localizada_con_vida", "reason": "Se presentó en la fiscalía"})
    case_a.refresh_from_db()
    assert case_a.status == "desaparecida"
    request = CaseStatusRequest.objects.get(case=case_a)

    # The requester cannot approve their own request.
    client.post(reverse("case_status_request_review", args=[request.pk]), {"approve": "yes"})
    case_a.refresh_from_db()
    assert case_a.status == "desaparecida"

    client.force_login(second_reviewer)
    client.post(reverse("case_status_request_review", args=[request.pk]),
                {"approve": "yes", "note": "Identidad verificada"})
    case_a.refresh_from_db()
    assert case_a.status == "localizada_con_vida"
    change = case_a.status_changes.get()
    assert change.changed_by == reviewer and change.approved_by == second_reviewer


def test_not_located_applies_at_once(client, reviewer, case_a):
    client.force_login(reviewer)
    client.post(reverse("case_status", args=[case_a.pk]),
                {"to_status": "no_localizada", "reason": "Vencido el plazo"})
    case_a.refresh_from_db()
    assert case_a.status == "no_localizada"


def test_the_service_refuses_a_found_status_without_a_different_approver(reviewer, case_a):
    with pytest.raises(ValidationError):
        case_status_change(case=case_a, to_status="localizada_sin_vida", actor=reviewer,
                           reason="x")
    with pytest.raises(ValidationError):
        case_status_change(case=case_a, to_status="localizada_sin_vida", actor=reviewer,
                           reason="x", approved_by=reviewer)


def test_declining_keeps_the_status(reviewer, second_reviewer, case_a):
    from registry.services import case_status_request_decline

    request = case_status_update(case=case_a, to_status="localizada_sin_vida", actor=reviewer,
                                 reason="Dictamen forense")
    case_status_request_decline(request=request, actor=second_reviewer, note="Falta ADN")
    case_a.refresh_from_db()
    request.refresh_from_db()
    assert case_a.status == "desaparecida" and request.outcome == "declined"
    with pytest.raises(ValidationError):
        case_status_request_approve(request=request, actor=second_reviewer)


def test_outsider_cannot_request_or_approve(client, outsider, reviewer, case_a):
    request = case_status_update(case=case_a, to_status="localizada_con_vida", actor=reviewer,
                                 reason="x")
    client.force_login(outsider)
    assert client.post(reverse("case_status", args=[case_a.pk]),
                       {"to_status": "no_localizada", "reason": "x"}).status_code == 404
    assert client.post(reverse("case_status_request_review", args=[request.pk]),
                       {"approve": "yes"}).status_code == 404
    case_a.refresh_from_db()
    assert case_a.status == "desaparecida"
