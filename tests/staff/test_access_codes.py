"""Family access codes from the case workspace: shown once, stored hashed, rotate, revoke."""

from django.contrib.auth.hashers import check_password
from django.urls import reverse

from registry.models import AuditEvent


def test_issue_shows_the_code_once_and_stores_only_its_hash(client, reviewer, case_a):
    client.force_login(reviewer)
    client.post(reverse("case_access_code", args=[case_a.pk]), {"operation": "issue"})
    first = client.get(reverse("case_workspace", args=[case_a.pk]))
    code = first.context["new_access_code"]
    assert code and code in first.content.decode()
    case_a.refresh_from_db()
    assert code not in case_a.access_code_hash
    assert check_password(code, case_a.access_code_hash)
    second = client.get(reverse("case_workspace", args=[case_a.pk]))
    assert second.context["new_access_code"] is None
    assert code not in second.content.decode()


def test_rotating_invalidates_the_old_code_and_revoke_clears_it(client, reviewer, case_a):
    client.force_login(reviewer)
    url = reverse("case_access_code", args=[case_a.pk])
    client.post(url, {"operation": "issue"})
    old = client.get(reverse("case_workspace", args=[case_a.pk])).context["new_access_code"]
    client.post(url, {"operation": "issue"})
    case_a.refresh_from_db()
    assert not check_password(old, case_a.access_code_hash)
    client.post(url, {"operation": "revoke"})
    case_a.refresh_from_db()
    assert case_a.access_code_hash == "" and case_a.access_code_issued_at is None
    operations = list(AuditEvent.objects.filter(action="access_code").order_by("id")
                      .values_list("details__operation", flat=True))
    assert operations == ["issue", "issue", "revoke"]


def test_outsider_and_operator_cannot_issue(client, outsider, owner, case_a):
    for user in (outsider, owner):
        client.force_login(user)
        response = client.post(reverse("case_access_code", args=[case_a.pk]),
                               {"operation": "issue"})
        assert response.status_code == 404
    case_a.refresh_from_db()
    assert case_a.access_code_hash == ""
