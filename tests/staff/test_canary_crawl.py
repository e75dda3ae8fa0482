"""Walk every staff page and export as every audience; no restricted canary may appear.

This test grows with every new page: it fails if a URL of ``registry/urls.py`` is
neither crawled (GET) nor exercised as an action (POST) below.
"""

import pytest
from django.test import Client
from django.urls import reverse

from matching.services import match_candidate_confirm
from registry import roles
from registry.models import Alert, CaseStatusRequest
from registry.redaction import Audience
from staff.urls import urlpatterns
from tests.canaries import assert_no_canaries, seed_canary_world
from tests.factories import (
    AgencyFactory,
    MatchCandidateFactory,
    UserFactory,
    operator_of,
    prosecutor_for,
)


@pytest.fixture
def world(db):
    world = seed_canary_world()
    candidate = MatchCandidateFactory(
        record_left=world.missing_report, record_right=world.detention, probability=0.8,
        explanation={name: {"level": "exact", "weight": 2.0,
                            "left": getattr(world.missing_report, name),
                            "right": getattr(world.detention, name)}
                     for name in ("given_names", "curp", "address", "reporter_contact")},
    )
    Alert.objects.create(case=world.case, record=world.detention, match_candidate=candidate)
    admin = UserFactory(username="canary_admin", role=roles.ADMINISTRATOR)
    world.pending_candidate = candidate
    decision = match_candidate_confirm(candidate=candidate, actor=admin, reason="prueba")
    world.person = decision.person
    world.decision = decision
    world.second_candidate = MatchCandidateFactory(record_left=world.missing_report,
                                                   record_right__agency=world.case.agency,
                                                   record_right__kind="detention")
    world.request = CaseStatusRequest.objects.create(
        case=world.case, to_status="localizada_con_vida", reason="prueba", requested_by=admin)
    world.alert = Alert.objects.get(case=world.case)
    return world


@pytest.fixture
def audiences(world):
    """Every kind of visitor, with the audience whose policy column applies to them."""
    other_agency = AgencyFactory(code="otra", name="Otra institución")
    return {
        "prosecutor": (prosecutor_for(world.case, username="canary_fiscal"),
                       Audience.PROSECUTOR),
        "operator": (operator_of(world.case.agency, username="canary_operador"),
                     Audience.AGENCY),
        "ngo": (UserFactory(username="canary_ong", role=roles.NGO_ANALYST), Audience.NGO),
        "admin": (UserFactory(username="canary_admin"), Audience.ADMIN),
        "outsider": (operator_of(other_agency, username="canary_ajeno"), Audience.PUBLIC),
        "anonymous": (None, Audience.PUBLIC),
    }


def _pages(world) -> dict[str, list[str]]:
    return {
        "staff_home": [reverse("staff_home")],
        "review_queue": [reverse("review_queue")],
        "candidate_detail": [reverse("candidate_detail", args=[world.pending_candidate.pk]),
                             reverse("candidate_detail", args=[world.second_candidate.pk])],
        "person_detail": [reverse("person_detail", args=[world.person.pk])],
        "record_detail": [reverse("record_detail", args=[world.missing_report.pk]),
                          reverse("record_detail", args=[world.detention.pk])],
        "record_correct": [reverse("record_correct", args=[world.detention.pk])],
        "agency_records": [reverse("agency_records")],
        "case_list": [reverse("case_list")],
        "case_open": [reverse("case_open")],
        "case_workspace": [reverse("case_workspace", args=[world.case.pk])],
        "case_publication": [reverse("case_publication", args=[world.case.pk])],
        "case_crosscheck": [reverse("case_crosscheck", args=[world.case.pk]),
                            reverse("case_crosscheck", args=[world.case.pk])
                            + "?q=Canarygiven2"],
        "alerts_inbox": [reverse("alerts_inbox")],
        "export_form": [reverse("export_form")],
        "export_file_download": [reverse("export_file_download", args=["0" * 32 + ".csv"])],
        "export_progress": [reverse("export_progress")],
        "quality_dashboard": [reverse("quality_dashboard"),
                              reverse("quality_dashboard") + f"?agency={world.case.agency_id}"],
    }


def _actions(world) -> dict[str, tuple[str, dict]]:
    return {
        "merge_decision_undo": (reverse("merge_decision_undo", args=[world.decision.pk]),
                                {"reason": ""}),
        "case_status": (reverse("case_status", args=[world.case.pk]), {}),
        "case_open": (reverse("case_open"), {"folio": world.case.folio}),
        "case_publication": (reverse("case_publication", args=[world.case.pk]),
                             {"publication": "publicar", "decided_by": "", "reason": ""}),
        "case_access_code": (reverse("case_access_code", args=[world.case.pk]), {}),
        "case_family_lookup_unlock": (reverse("case_family_lookup_unlock",
                                              args=[world.case.pk]), {}),
        "case_status_request_review": (
            reverse("case_status_request_review", args=[world.request.pk]), {}),
        "alert_handle": (reverse("alert_handle", args=[world.alert.pk]), {"note": ""}),
        "export_form": (reverse("export_form"), {"format": "csv", "purpose": "canario",
                                                 "k_anonymity": "1", "confirm": "1"}),
    }


EXTRA_PAGES = ["/admin/", "/admin/registry/record/", "/admin/registry/case/",
               "/trabajo/no-existe/", "/cuenta/login/"]


def test_every_staff_url_is_crawled():
    crawled = set(_pages.__code__.co_consts) | set(_actions.__code__.co_consts)
    names = {pattern.name for pattern in urlpatterns}
    assert names - crawled == set(), "add the new page to the canary crawl"


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("visitor", ["prosecutor", "operator", "ngo", "admin", "outsider",
                                     "anonymous"])
def test_no_page_shows_a_value_the_policy_hides(world, audiences, visitor):
    user, audience = audiences[visitor]
    client = Client()
    if user is not None:
        client.force_login(user)
    seen = []
    for urls in _pages(world).values():
        for url in [*urls, *EXTRA_PAGES]:
            response = client.get(url)
            assert response.status_code in (200, 302, 404), (url, response.status_code)
            body = _body(response)
            assert_no_canaries(body, world, audience)
            seen.append(body)
    for url, data in _actions(world).values():
        response = client.post(url, data)
        # 400: a form sent incomplete, shown again with its errors.
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
        body = _body(response)
        assert_no_canaries(body, world, audience)
        seen.append(body)
    everything = b"".join(seen).decode(errors="replace")
    # The crawl really rendered data for those who may see it (it cannot pass empty).
    expected = {"prosecutor": "CanaryNotes1", "admin": "CanaryNotes1",
                "operator": "CanaryAddress1", "ngo": "CanaryFacility1"}
    if visitor in expected:
        assert expected[visitor] in everything


def test_the_operator_sees_only_their_agencys_records_of_a_person(world, audiences):
    foreign_agency = AgencyFactory(code="penal-ajeno", name="Penal ajeno")
    from tests.factories import RecordFactory
    foreign = RecordFactory(agency=foreign_agency, kind="detention", person=world.person,
                            address="ForeignCanaryAddress")
    user, _ = audiences["operator"]
    client = Client()
    client.force_login(user)
    body = client.get(reverse("person_detail", args=[world.person.pk])).content.decode()
    assert "ForeignCanaryAddress" not in body
    assert reverse("record_detail", args=[foreign.pk]) not in body
