"""The review queue and the decision page: order, decisions through HTTP, who may see what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import AuditEvent
from tests.factories import CaseFactory, MatchCandidateFactory, RecordFactory, prosecutor_for


@pytest.fixture
def pair(case_a):
    detention = RecordFactory(kind="detention", given_names="Juana", paternal_surname="Pérez")
    return MatchCandidateFactory(record_left=case_a.missing_report, record_right=detention,
                                 probability=0.7,
                                 explanation={"given_names": {"level": "jaro_winkler_0.92",
                                                              "weight": 3.1, "left": "Juana",
                                                              "right": "Juana"}})


def test_reviewer_sees_the_pair_with_its_explanation(client, reviewer, pair):
    client.force_login(reviewer)
    response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "jaro_winkler_0.92" in body
    assert "+3.1" in body
    assert f"Coincidencia {pair.pk}" in body


def test_open_cases_come_first_then_the_score(client, reviewer, case_a, pair):
    closed = CaseFactory(agency=case_a.agency, status="localizada_con_vida")
    reviewer_case_closed = closed
    reviewer_case_closed.prosecutors.add(reviewer)
    high_closed = MatchCandidateFactory(record_left=closed.missing_report, probability=0.99)
    low_open = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.5)
    client.force_login(reviewer)
    items = client.get(reverse("review_queue")).context["items"]
    order = [item.candidate.pk for item in items]
    assert order == [pair.pk, low_open.pk, high_closed.pk]


def test_outsider_gets_404_on_queue_and_pair(client, outsider, pair):
    client.force_login(outsider)
    assert client.get(reverse("review_queue")).status_code == 404
    assert client.get(reverse("candidate_detail", args=[pair.pk])).status_code == 404


def test_another_prosecutor_cannot_see_a_pair_outside_their_cases(client, pair, agency_b):
    stranger = prosecutor_for(CaseFactory(agency=agency_b), username="fiscal_b")
    client.force_login(stranger)
    assert client.get(reverse("candidate_detail", args=[pair.pk])).status_code == 404
    assert pair.pk not in [i.candidate.pk for i in
                           client.get(reverse("review_queue")).context["items"]]
    # Missing and forbidden look the same.
    assert client.get(reverse("candidate_detail", args=[999999])).status_code == 404


def test_confirming_through_the_page_merges_and_audits(client, reviewer, pair):
    client.force_login(reviewer)
    response = client.post(reverse("candidate_detail", args=[pair.pk]),
                           {"decision": "confirm", "reason": "misma CURP"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.decision == "confirmed"
    assert pair.record_left.person_id == pair.record_right.person_id is not None
    assert AuditEvent.objects.filter(action="merge", actor=reviewer).exists()
    assert client.get(reverse("review_queue")).context["items"] == []


def test_rejecting_without_reason_is_refused(client, reviewer, pair):
    client.force_login(reviewer)
    response = client.post(reverse("candidate_detail", args=[pair.pk]), {"decision": "reject"})
    assert response.status_code == 200
    pair.refresh_from_db()
    assert pair.decision == "pending"


def test_viewing_a_pair_is_audited(client, reviewer, pair):
    client.force_login(reviewer)
    client.get(reverse("candidate_detail", args=[pair.pk]))
    event = AuditEvent.objects.get(action="view", object_type="registry.matchcandidate")
    assert event.actor == reviewer
    assert event.ip_address == "127.0.0.1"


def test_the_queue_runs_the_same_number_of_queries_for_1_or_15_pairs(client, reviewer, case_a):
    client.force_login(reviewer)
    MatchCandidateFactory(record_left=case_a.missing_report)
    client.get(reverse("review_queue"))  # warm the content-type cache

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("review_queue"))
        return len(queries), len(response.context["items"])

    few, shown = count()
    assert shown == 1
    for _ in range(14):
        MatchCandidateFactory(record_left=case_a.missing_report)
    many, shown = count()
    assert shown == 15
    assert many == few
    assert many <= 12


def test_a_pair_with_another_prosecutors_missing_report_stays_out_of_reach(client, reviewer,
                                                                          case_a, agency_b):
    other_report = CaseFactory(agency=agency_b).missing_report
    pair = MatchCandidateFactory(record_left=case_a.missing_report, record_right=other_report)
    client.force_login(reviewer)
    assert client.get(reverse("candidate_detail", args=[pair.pk])).status_code == 404
    assert client.get(reverse("review_queue")).context["items"] == []


def test_the_administrators_queue_has_the_same_order(client, administrator, reviewer, case_a,
                                                     pair):
    closed = CaseFactory(agency=case_a.agency, status="localizada_con_vida")
    high_closed = MatchCandidateFactory(record_left=closed.missing_report, probability=0.99)
    low_open = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.5)
    unsure_open = MatchCandidateFactory(record_left=case_a.missing_report, probability=0.95,
                                        decision="unsure")
    client.force_login(administrator)
    order = [item.candidate.pk for item in client.get(reverse("review_queue")).context["items"]]
    assert order == [pair.pk, low_open.pk, unsure_open.pk, high_closed.pk]
