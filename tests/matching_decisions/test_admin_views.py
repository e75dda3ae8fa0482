"""Merge decisions and status requests are visible to administrators only, read-only."""

from django.urls import reverse

from matching.services import match_candidate_confirm
from registry.models import CaseStatusRequest
from tests.factories import MatchCandidateFactory


def test_administrator_reads_decisions_and_requests(client, administrator, reviewer, case_a):
    decision = match_candidate_confirm(candidate=MatchCandidateFactory(), actor=reviewer,
                                       reason="misma CURP")
    request = CaseStatusRequest.objects.create(case=case_a, to_status="localizada_con_vida",
                                               reason="x", requested_by=reviewer)
    client.force_login(administrator)
    assert client.get(reverse("admin:matching_mergedecision_changelist")).status_code == 200
    page = client.get(reverse("admin:matching_mergedecision_change", args=[decision.pk]))
    assert page.status_code == 200
    assert client.post(reverse("admin:matching_mergedecision_delete", args=[decision.pk]),
                       {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:registry_casestatusrequest_change",
                              args=[request.pk])).status_code == 200


def test_prosecutors_and_outsiders_are_kept_out_of_the_admin(client, reviewer, outsider):
    for user in (reviewer, outsider):
        client.force_login(user)
        response = client.get(reverse("admin:matching_mergedecision_changelist"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
