"""The publication page: the family's decision recorded by the case's prosecutor or an
administrator, with who decided, when and why; audited; outsiders get a 404."""

import pytest
from django.urls import reverse

from registry.models import AuditEvent, CasePublication, CasePublicationDecision
from tests.factories import CaseFactory, UserFactory, operator_of, prosecutor_for


def _decide(client, case, publication, **extra):
    data = {"publication": publication, "decided_by": "María López, madre",
            "reason": "Lo pidió por escrito el 3 de marzo", **extra}
    return client.post(reverse("case_publication", args=[case.pk]), data)


def test_the_prosecutor_records_a_veto_with_who_when_and_why(client, case_a, reviewer):
    client.force_login(reviewer)
    old_key = case_a.public_key
    response = _decide(client, case_a, CasePublication.WITHHOLD)
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.publication == CasePublication.WITHHOLD
    assert case_a.public_key != old_key and case_a.public_key_version == 1
    decision = CasePublicationDecision.objects.get(case=case_a)
    assert (decision.previous_publication, decision.publication) == ("sin_nombre",
                                                                     "no_publicar")
    assert decision.decided_by == "María López, madre" and decision.recorded_by == reviewer
    assert decision.recorded_at is not None and decision.key_rotated
    event = AuditEvent.objects.filter(action="change", object_type="registry.case",
                                      object_id=str(case_a.pk)).get()
    assert event.actor == reviewer and event.purpose == "Lo pidió por escrito el 3 de marzo"
    assert event.details == {"publication": {"from": "sin_nombre", "to": "no_publicar"},
                             "key_rotated": True, "decision": decision.pk}
    assert "María López" not in str(event.details)  # personal data stays on the decision
    # The case keeps every earlier value in its history too.
    assert [v.publication for v in case_a.history.order_by("history_id")][-2:] == [
        "sin_nombre", "no_publicar"]
    page = client.get(reverse("case_publication", args=[case_a.pk]))
    assert "María López, madre" in page.content.decode()
    assert "ninguna salida pública" in page.content.decode()


def test_publishing_more_keeps_the_key(client, case_a, reviewer):
    client.force_login(reviewer)
    key = case_a.public_key
    _decide(client, case_a, CasePublication.PUBLISH)
    case_a.refresh_from_db()
    assert case_a.publication == CasePublication.PUBLISH and case_a.public_key == key
    _decide(client, case_a, CasePublication.WITHOUT_NAME)  # withdrawing the name: new key
    case_a.refresh_from_db()
    assert case_a.public_key != key
    assert list(case_a.publication_decisions.values_list("key_rotated", flat=True)) == [
        True, False]  # newest first


@pytest.mark.parametrize("missing", ["decided_by", "reason"])
def test_who_and_why_are_required(client, case_a, reviewer, missing):
    client.force_login(reviewer)
    response = _decide(client, case_a, CasePublication.WITHHOLD, **{missing: "  "})
    assert response.status_code == 200
    case_a.refresh_from_db()
    assert case_a.publication == CasePublication.WITHOUT_NAME
    assert not CasePublicationDecision.objects.exists()


def test_an_administrator_may_record_it(client, case_a, administrator):
    client.force_login(administrator)
    assert _decide(client, case_a, CasePublication.PUBLISH).status_code == 302
    case_a.refresh_from_db()
    assert case_a.publication == CasePublication.PUBLISH


def test_everyone_else_gets_404(client, case_a, owner, outsider, agency_b):
    other_prosecutor = prosecutor_for(CaseFactory(agency=agency_b))
    ngo = UserFactory(role="ngo_analyst")
    for user in (owner, outsider, other_prosecutor, ngo, operator_of(case_a.agency)):
        client.force_login(user)
        assert client.get(reverse("case_publication", args=[case_a.pk])).status_code == 404
        assert _decide(client, case_a, CasePublication.WITHHOLD).status_code == 404
    client.logout()
    assert _decide(client, case_a, CasePublication.WITHHOLD).status_code == 302  # to login
    case_a.refresh_from_db()
    assert case_a.publication == CasePublication.WITHOUT_NAME


def test_the_admin_cannot_change_publication_behind_the_service(client, case_a,
                                                                 administrator):
    client.force_login(UserFactory(username="raiz", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:registry_case_change", args=[case_a.pk]))
    assert "publication" not in page.context["adminform"].form.fields
