"""Alerts inbox: the user's cases only; unhandled first, then most serious and newest;
paged and filtered; the case and the new record side by side with why they matched;
handled with a note (audited); the home page's count is the inbox's count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry.models import Alert, AuditEvent
from staff.selectors import ALERTS_PER_PAGE
from tests.factories import AgencyFactory, CaseFactory, MatchCandidateFactory, RecordFactory, state


def _alert(case, record, **kwargs) -> Alert:
    return Alert.objects.create(case=case, record=record,
                                **Alert.kind_and_priority(record.kind), **kwargs)


@pytest.fixture
def alerts(case_a, agency_b):
    now = timezone.now()
    older = _alert(case_a, RecordFactory(kind="detention"), created_at=now - timedelta(days=2))
    newer = _alert(case_a, RecordFactory(kind="detention"),
                   created_at=now - timedelta(hours=1))
    foreign = _alert(CaseFactory(agency=agency_b), RecordFactory(kind="detention"))
    return older, newer, foreign


def _listed(response) -> list[int]:
    return [item.alert.pk for item in response.context["items"]]


def _home_badge(client) -> int:
    home = client.get(reverse("staff_home"))
    return next(link["badge"] for link in home.context["links"] if link["key"] == "alerts")


def test_inbox_lists_own_alerts_newest_first_with_count(client, reviewer, alerts):
    older, newer, _foreign = alerts
    client.force_login(reviewer)
    response = client.get(reverse("alerts_inbox"))
    assert _listed(response) == [newer.pk, older.pk]
    assert response.context["unhandled"] == 2 == _home_badge(client)


def test_most_serious_first_then_newest(client, reviewer, case_a):
    now = timezone.now()
    release = _alert(case_a, RecordFactory(kind="release_transfer"), created_at=now)
    detention = _alert(case_a, RecordFactory(kind="detention"),
                       created_at=now - timedelta(days=1))
    remains = _alert(case_a, RecordFactory(kind="unidentified_remains"),
                     created_at=now - timedelta(days=3))
    client.force_login(reviewer)
    response = client.get(reverse("alerts_inbox"))
    assert _listed(response) == [remains.pk, detention.pk, release.pk]


def test_marking_handled_needs_a_note_is_audited_and_moves_it_down(client, reviewer, alerts):
    older, newer, _ = alerts
    client.force_login(reviewer)
    refused = client.post(reverse("alert_handle", args=[newer.pk]), {"note": "  "},
                          follow=True)
    assert "Escriba qué se hizo con la alerta" in refused.content.decode()
    newer.refresh_from_db()
    assert newer.handled_at is None

    client.post(reverse("alert_handle", args=[newer.pk]), {"note": "Se llamó al penal"})
    newer.refresh_from_db()
    assert newer.handled_by == reviewer and newer.handled_at is not None
    assert newer.handled_note == "Se llamó al penal"
    event = AuditEvent.objects.get(object_type="registry.alert", object_id=str(newer.pk),
                                   action=AuditEvent.Action.CHANGE)
    assert event.purpose == "Se llamó al penal"
    response = client.get(reverse("alerts_inbox"))
    assert _listed(response) == [older.pk, newer.pk]
    assert response.context["unhandled"] == 1 == _home_badge(client)
    body = response.content.decode()
    assert "Se llamó al penal" in body and "atendida" in body


def test_handling_returns_to_the_same_filters(client, reviewer, alerts):
    _older, newer, _ = alerts
    client.force_login(reviewer)
    response = client.post(reverse("alert_handle", args=[newer.pk]),
                           {"note": "Revisado", "filters": "tipo=detention&x=<script>"})
    assert response.status_code == 302
    assert response["Location"] == reverse("alerts_inbox") + "?tipo=detention"


def test_filters_by_kind_agency_state_and_attention(client, reviewer, case_a):
    police = AgencyFactory(code="ssp-gto", name="Seguridad Pública de Guanajuato",
                           kind="police", state=state("11"))
    in_guanajuato = _alert(case_a, RecordFactory(kind="detention", agency=police,
                                                 event_state=state("11")))
    remains = _alert(case_a, RecordFactory(kind="unidentified_remains",
                                           event_state=state("09")))
    handled = _alert(case_a, RecordFactory(kind="located"))
    handled.handled_at, handled.handled_by = timezone.now(), reviewer
    handled.save()
    client.force_login(reviewer)
    url = reverse("alerts_inbox")
    assert _listed(client.get(url, {"tipo": "unidentified_remains"})) == [remains.pk]
    assert _listed(client.get(url, {"institucion": police.pk})) == [in_guanajuato.pk]
    guanajuato = state("11")
    assert _listed(client.get(url, {"entidad": guanajuato.pk})) == [in_guanajuato.pk]
    assert _listed(client.get(url, {"situacion": "atendidas"})) == [handled.pk]
    assert set(_listed(client.get(url, {"situacion": "pendientes"}))) == {
        in_guanajuato.pk, remains.pk}
    # A filter never changes the unhandled count, which stays the home page's.
    filtered = client.get(url, {"tipo": "located"})
    assert filtered.context["unhandled"] == 2 == _home_badge(client)
    # Nonsense in a filter is ignored, not an error.
    assert client.get(url, {"tipo": "nada", "entidad": "x"}).status_code == 200


def test_paged_and_the_count_covers_every_page(client, reviewer, case_a):
    for _number in range(ALERTS_PER_PAGE + 3):
        _alert(case_a, RecordFactory(kind="detention"))
    client.force_login(reviewer)
    first = client.get(reverse("alerts_inbox"))
    assert len(first.context["items"]) == ALERTS_PER_PAGE
    assert first.context["unhandled"] == ALERTS_PER_PAGE + 3 == _home_badge(client)
    second = client.get(reverse("alerts_inbox"), {"pagina": 2})
    assert len(second.context["items"]) == 3
    assert "Página 2 de 2" in second.content.decode()
    assert not set(_listed(first)) & set(_listed(second))


def test_case_and_new_record_side_by_side_with_the_reason(client, reviewer, case_a):
    report = case_a.missing_report
    report.given_names, report.paternal_surname = "María Guadalupe", "Hernández"
    report.save()
    detention = RecordFactory(kind="detention", given_names="Maria Guadalupe",
                              paternal_surname="Hernandes", facility="Juzgado Cívico 3")
    pair = MatchCandidateFactory(record_left=report, record_right=detention,
                                 explanation={"paternal_surname": {
                                     "level": "jaro-winkler paternal >= 0.92", "weight": 4.0}})
    _alert(case_a, detention, match_candidate=pair)
    client.force_login(reviewer)
    body = client.get(reverse("alerts_inbox")).content.decode()
    assert "El caso" in body and "El registro nuevo" in body
    assert "Hernández" in body and "Hernandes" in body and "Juzgado Cívico 3" in body
    assert "primer apellido casi igual (una errata)" in body
    assert reverse("candidate_detail", args=[pair.pk]) in body
    assert "Detención" in body and ">detention<" not in body


def test_inbox_query_count_does_not_grow_with_the_page(client, reviewer, case_a):
    client.force_login(reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("alerts_inbox")).status_code == 200
        return len(captured)

    _alert(case_a, RecordFactory(kind="detention"))
    few = queries()
    for _number in range(ALERTS_PER_PAGE):
        _alert(case_a, RecordFactory(kind="detention"))
    assert queries() == few


def test_alerts_of_other_cases_are_404(client, reviewer, outsider, alerts):
    _, newer, foreign = alerts
    client.force_login(reviewer)
    assert client.post(reverse("alert_handle", args=[foreign.pk]),
                       {"note": "x"}).status_code == 404
    assert foreign.case.folio not in client.get(reverse("alerts_inbox")).content.decode()
    client.force_login(outsider)
    assert client.get(reverse("alerts_inbox")).status_code == 404
    assert client.post(reverse("alert_handle", args=[newer.pk]),
                       {"note": "x"}).status_code == 404
    newer.refresh_from_db()
    assert newer.handled_at is None
