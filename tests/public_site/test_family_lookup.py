"""Family status page: POST only, no-store, same answer for wrong folio or code,
rate limit before hashing (shared cache, fail closed), audited, notifications."""

from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from public_site import lookups
from registry import family
from registry.models import AuditEvent, CaseStatus
from registry.ratelimit import RateLimitUnavailable
from registry.redaction import Audience
from registry.services import case_access_code_issue, case_status_change
from tests.canaries import assert_no_canaries
from tests.factories import CaseFactory, MatchCandidateFactory, RecordFactory, UserFactory

LOOKUP = reverse("public_site:family_lookup")


@pytest.fixture
def fast_hasher(settings):
    # The real hasher costs ~0.5 s per check; the tests exercise logic, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield


@pytest.fixture
def issued(world, fast_hasher):
    code = case_access_code_issue(case=world.case, actor=None)
    world.case.refresh_from_db()
    return world, code


def lookup(client, folio, code):
    return client.post(LOOKUP, {"folio": folio, "access_code": code})


def test_right_folio_and_code_show_the_case_status(client, issued):
    world, code = issued
    response = lookup(client, world.case.folio, code.lower().replace("-", " "))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Situación actual" in body and "Desaparecida" in body
    assert "no-store" in response["Cache-Control"]
    assert_no_canaries(body, world, Audience.FAMILY)


def test_wrong_code_and_wrong_folio_get_the_same_answer(client, issued):
    world, code = issued
    wrong_code = lookup(client, world.case.folio, "AAAA-BBBB-CCCC")
    cache.clear()
    wrong_folio = lookup(client, "FGE/NO/EXISTE/1", code)
    assert wrong_code.status_code == wrong_folio.status_code == 200
    strip = lambda r: r.content.decode().split('name="csrfmiddlewaretoken"')[0]  # noqa: E731
    assert strip(wrong_code) == strip(wrong_folio)
    assert "Situación actual" not in wrong_code.content.decode()
    assert "no-store" in wrong_folio["Cache-Control"]


def test_unknown_folio_still_pays_for_one_hash_check(issued):
    with mock.patch("public_site.lookups.check_password", return_value=False) as check:
        lookups.family_case_lookup(folio="NO-EXISTE", access_code="X", ip_address="1.2.3.4")
    check.assert_called_once()
    assert check.call_args.args[1] == lookups._dummy_hash()


def test_a_case_without_code_cannot_be_opened(client, world, fast_hasher):
    assert world.case.access_code_hash == ""
    response = lookup(client, world.case.folio, "")
    assert "Situación actual" not in response.content.decode()


def test_get_with_folio_and_code_in_the_url_does_not_look_up(client, issued):
    world, code = issued
    response = client.get(LOOKUP, {"folio": world.case.folio, "access_code": code})
    assert "Situación actual" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FAMILY_LOOKUP).exists()


def test_every_lookup_is_audited(client, issued):
    world, code = issued
    lookup(client, world.case.folio, code)
    lookup(client, world.case.folio, "AAAA-BBBB-CCCC")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.FAMILY_LOOKUP).order_by("id")
    assert [e.details["result"] for e in events] == ["ok", "denied"]
    assert events[0].object_id == str(world.case.pk)
    assert events[0].ip_address == "127.0.0.1"


def test_folio_is_locked_after_five_attempts_before_any_hashing(client, issued):
    world, code = issued
    for index in range(5):
        lookup(client, world.case.folio, f"AAAA-BBBB-CCC{index}")
    with mock.patch("public_site.lookups.check_password") as check:
        response = lookup(client, world.case.folio, code)
    check.assert_not_called()
    assert response.status_code == 429
    assert "demasiados intentos" in response.content.decode().lower()
    assert "Situación actual" not in response.content.decode()


def test_one_address_is_limited_across_folios(client, issued):
    for index in range(10):
        lookup(client, f"FOLIO-{index}", "AAAA-BBBB-CCCC")
    assert lookup(client, "FOLIO-X", "AAAA-BBBB-CCCC").status_code == 429


def test_the_limit_fails_closed_when_the_cache_fails(client, issued):
    world, code = issued
    with mock.patch("registry.ratelimit.caches") as caches:
        caches.__getitem__.return_value.add.side_effect = ConnectionError("redis down")
        response = lookup(client, world.case.folio, code)
    assert response.status_code == 503
    assert "Situación actual" not in response.content.decode()


def test_a_per_process_cache_is_refused_in_production(settings, issued):
    world, code = issued
    settings.RATE_LIMIT_REQUIRE_SHARED_CACHE = True
    with pytest.raises(RateLimitUnavailable):
        lookups.family_case_lookup(folio=world.case.folio, access_code=code, ip_address=None)


def test_status_history_and_linked_record_without_details(client, issued, agency_b):
    world, code = issued
    prosecutor, second_reviewer = UserFactory(), UserFactory()
    case_status_change(case=world.case, to_status=CaseStatus.FOUND_ALIVE, actor=prosecutor,
                       approved_by=second_reviewer, reason="CanaryReasonOfChange")
    located = RecordFactory(agency=agency_b, kind="located", facility="CanaryLinkedFacility")
    MatchCandidateFactory(record_left=world.missing_report, record_right=located,
                          decision="confirmed")
    body = lookup(client, world.case.folio, code).content.decode()
    assert "Localizada con vida" in body
    assert "Un registro de otra institución fue vinculado" in body
    assert "CanaryLinkedFacility" not in body and "CanaryReasonOfChange" not in body


def test_no_link_is_reported_when_there_is_none(client, issued):
    world, code = issued
    assert "Todavía no" in lookup(client, world.case.folio, code).content.decode()


def test_family_can_subscribe_to_notices_and_unsubscribe(client, issued):
    world, code = issued
    lookup(client, world.case.folio, code)
    response = client.post(reverse("public_site:family_subscribe"),
                           {"email": "Familia@Example.org", "consent": "on"})
    assert "Le avisaremos" in response.content.decode()
    subscription = world.case.family_subscriptions.get()
    assert subscription.email == "familia@example.org" and subscription.consent_text_version

    assert family.family_notifications_send(case_id=world.case.pk) == 1
    assert len(mail.outbox) == 1
    assert world.case.folio not in mail.outbox[0].body
    assert_no_canaries(mail.outbox[0].body, world, Audience.PUBLIC)

    url = reverse("public_site:family_unsubscribe", args=[subscription.unsubscribe_token])
    assert "Confirmar" in client.get(url).content.decode()
    client.post(url)
    assert family.family_notifications_send(case_id=world.case.pk) == 0


def test_subscription_needs_consent_and_an_open_family_session(client, issued):
    world, code = issued
    response = client.post(reverse("public_site:family_subscribe"), {"email": "a@b.org"})
    assert response.status_code == 302  # no session: back to the lookup form
    lookup(client, world.case.folio, code)
    response = client.post(reverse("public_site:family_subscribe"), {"email": "a@b.org"})
    assert response.status_code == 400
    assert not world.case.family_subscriptions.exists()


def test_another_visitor_does_not_see_the_familys_session(client, issued):
    from django.test import Client

    world, code = issued
    lookup(client, world.case.folio, code)
    assert "Situación actual" in client.get(LOOKUP).content.decode()
    assert "Situación actual" not in Client().get(LOOKUP).content.decode()
    client.post(reverse("public_site:family_logout"))
    assert "Situación actual" not in client.get(LOOKUP).content.decode()


def test_status_change_notifies_subscribed_families(issued,
                                                    django_capture_on_commit_callbacks):
    world, _code = issued
    family.family_subscription_create(case=world.case, email="f@example.org",
                                        ip_address=None)
    with django_capture_on_commit_callbacks(execute=True):
        case_status_change(case=world.case, to_status=CaseStatus.NOT_LOCATED,
                           actor=UserFactory(), reason="revisión")
    assert [m.to for m in mail.outbox] == [["f@example.org"]]


@pytest.mark.django_db
def test_other_case_of_same_family_code_does_not_open(client, fast_hasher):
    one, other = CaseFactory(), CaseFactory()
    code = case_access_code_issue(case=one, actor=None)
    assert "Situación actual" not in lookup(client, other.folio, code).content.decode()


def test_a_link_within_the_same_agency_is_not_reported(client, issued):
    world, code = issued
    same_agency = RecordFactory(agency=world.case.agency, kind="detention")
    MatchCandidateFactory(record_left=world.missing_report, record_right=same_agency,
                          decision="confirmed")
    assert "Todavía no" in lookup(client, world.case.folio, code).content.decode()


def test_a_record_of_another_agency_in_the_same_person_is_reported(client, issued, agency_b):
    from tests.factories import PersonFactory

    world, code = issued
    person = PersonFactory()
    world.case.person = person
    world.case.save(update_fields=["person"])
    RecordFactory(agency=agency_b, kind="detention", person=person)
    assert "Un registro de otra institución" in lookup(client, world.case.folio,
                                                       code).content.decode()


def test_refusals_are_audited_once_per_lockout_window(client, issued):
    world, _code = issued
    for index in range(8):
        lookup(client, world.case.folio, f"AAAA-BBBB-CCC{index}")
    results = list(AuditEvent.objects.filter(action=AuditEvent.Action.FAMILY_LOOKUP)
                   .order_by("id").values_list("details__result", flat=True))
    assert results == ["denied"] * 5 + ["limited"]


@pytest.mark.slow
def test_wrong_folio_and_wrong_code_take_the_same_time_with_the_real_hasher(world, settings):
    """With the production hasher, an unknown folio costs one full hash check too."""
    import statistics
    import time

    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS

    code = case_access_code_issue(case=world.case, actor=None)
    assert code

    def timed(folio: str) -> float:
        cache.clear()
        started = time.perf_counter()
        outcome = lookups.family_case_lookup(folio=folio, access_code="AAAA-BBBB-CCCC",
                                              ip_address="10.0.0.1")
        assert outcome.result == lookups.LookupResult.DENIED
        return time.perf_counter() - started

    wrong_code = statistics.median(timed(world.case.folio) for _ in range(3))
    wrong_folio = statistics.median(timed("FGE/NO/EXISTE/9") for _ in range(3))
    assert 0.5 < wrong_folio / wrong_code < 2.0, (wrong_folio, wrong_code)
    assert min(wrong_code, wrong_folio) > 0.05  # a real hash check ran both times


def test_behind_a_trusted_proxy_each_family_has_its_own_limit(client, issued, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    for index in range(10):
        client.post(LOOKUP, {"folio": f"FOLIO-{index}", "access_code": "AAAA-BBBB-CCCC"},
                    HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.2")
    blocked = client.post(LOOKUP, {"folio": "FOLIO-X", "access_code": "AAAA-BBBB-CCCC"},
                          HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.2")
    other_family = client.post(LOOKUP, {"folio": "FOLIO-Y", "access_code": "AAAA-BBBB-CCCC"},
                               HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert blocked.status_code == 429
    assert other_family.status_code == 200  # denied, not limited: its own counter
    assert AuditEvent.objects.filter(ip_address="203.0.113.5").exists()
