"""Alerts inbox: the user's cases only, unhandled and newest first, handling is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from registry.models import Alert, AuditEvent
from tests.factories import CaseFactory, RecordFactory


@pytest.fixture
def alerts(case_a, agency_b):
    now = timezone.now()
    older = Alert.objects.create(case=case_a, record=RecordFactory(kind="detention"),
                                 created_at=now - timedelta(days=2))
    newer = Alert.objects.create(case=case_a, record=RecordFactory(kind="detention"),
                                 created_at=now - timedelta(hours=1))
    foreign = Alert.objects.create(case=CaseFactory(agency=agency_b),
                                   record=RecordFactory(kind="detention"))
    return older, newer, foreign


def test_inbox_lists_own_alerts_newest_first_with_count(client, reviewer, alerts):
    older, newer, _foreign = alerts
    client.force_login(reviewer)
    response = client.get(reverse("alerts_inbox"))
    assert [alert.pk for alert, _ in response.context["alerts"]] == [newer.pk, older.pk]
    assert response.context["unhandled"] == 2
    home = client.get(reverse("staff_home"))
    assert [link["badge"] for link in home.context["links"] if "badge" in link] == [2]


def test_marking_handled_is_audited_and_moves_it_down(client, reviewer, alerts):
    older, newer, _ = alerts
    client.force_login(reviewer)
    client.post(reverse("alert_handle", args=[newer.pk]), {"note": "Se llamó al penal"})
    newer.refresh_from_db()
    assert newer.handled_by == reviewer and newer.handled_at is not None
    event = AuditEvent.objects.get(object_type="registry.alert", object_id=str(newer.pk))
    assert event.purpose == "Se llamó al penal"
    response = client.get(reverse("alerts_inbox"))
    assert [alert.pk for alert, _ in response.context["alerts"]] == [older.pk, newer.pk]
    assert response.context["unhandled"] == 1


def test_alerts_of_other_cases_are_404(client, reviewer, outsider, alerts):
    _, newer, foreign = alerts
    client.force_login(reviewer)
    assert client.post(reverse("alert_handle", args=[foreign.pk])).status_code == 404
    client.force_login(outsider)
    assert client.get(reverse("alerts_inbox")).status_code == 404
    assert client.post(reverse("alert_handle", args=[newer.pk])).status_code == 404
    newer.refresh_from_db()
    assert newer.handled_at is None
