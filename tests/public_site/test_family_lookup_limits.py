"""The family lookup's limits stop a guesser, not a family (issue 15, finding 6).

Five wrong codes lock a folio only for the address that typed them; the family with
its code, from its own phone, gets in. A connection used by a search collective for
several families is not locked out by its successful lookups. The family is told how
many tries remain, messages agree on the wait, and the case's prosecutor can lift the
lock from the case page.
"""

import pytest
from django.core.cache import cache
from django.urls import reverse

from registry.models import AuditEvent
from registry.services import case_access_code_issue
from tests.factories import CaseFactory

LOOKUP = reverse("public_site:family_lookup")
GUESSER, FAMILY = "198.51.100.7", "203.0.113.20"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def case_with_code(case_a):
    code = case_access_code_issue(case=case_a, actor=None)
    case_a.refresh_from_db()
    return case_a, code


def _lookup(client, folio, code, address):
    return client.post(LOOKUP, {"folio": folio, "access_code": code}, REMOTE_ADDR=address)


def test_a_guesser_locks_the_folio_for_itself_and_not_for_the_family(client, case_with_code):
    case, code = case_with_code
    for n in range(5):
        _lookup(client, case.folio, f"AAAA-BBBB-CCC{n}", GUESSER)
    assert _lookup(client, case.folio, code, GUESSER).status_code == 429
    family = _lookup(client, case.folio, code, FAMILY)
    assert family.status_code == 200 and "Situación actual" in family.content.decode()


def test_the_family_is_told_how_many_tries_remain_and_for_how_long_it_would_wait(
        client, case_with_code):
    case, _code = case_with_code
    first = _lookup(client, case.folio, "AAAA-BBBB-CCC0", FAMILY).content.decode()
    assert "Le quedan 4 intentos" in first and "esperar 15 minutos" in first
    for n in range(1, 4):
        _lookup(client, case.folio, f"AAAA-BBBB-CCC{n}", FAMILY)
    last = _lookup(client, case.folio, "AAAA-BBBB-CCC4", FAMILY).content.decode()
    assert "Le quedan 0 intentos" in last
    locked = _lookup(client, case.folio, "AAAA-BBBB-CCC5", FAMILY).content.decode()
    assert "espere 15 minutos" in locked  # the same wait the earlier message announced


def test_successful_lookups_do_not_count_against_a_shared_connection(client, agency_a):
    families = []
    for n in range(12):
        case = CaseFactory(agency=agency_a, folio=f"FGE/COLECTIVO/{n}")
        families.append((case.folio, case_access_code_issue(case=case, actor=None)))
    answers = [_lookup(client, folio, code, "192.0.2.50").status_code
               for folio, code in families]
    assert answers == [200] * 12


def test_the_prosecutor_lifts_the_lock_from_the_case_page(client, case_with_code, reviewer):
    case, code = case_with_code
    for n in range(6):
        _lookup(client, case.folio, f"AAAA-BBBB-CCC{n}", FAMILY)
    assert _lookup(client, case.folio, code, FAMILY).status_code == 429

    client.force_login(reviewer)
    page = client.get(reverse("case_workspace", args=[case.pk])).content.decode()
    assert reverse("case_family_lookup_unlock", args=[case.pk]) in page
    response = client.post(reverse("case_family_lookup_unlock", args=[case.pk]))
    assert response.status_code == 302
    client.logout()

    assert _lookup(client, case.folio, code, FAMILY).status_code == 200
    assert AuditEvent.objects.filter(object_id=str(case.pk),
                                     details__family_lookup_limits="reset").exists()


def test_the_outsider_cannot_lift_a_lock(client, case_with_code, outsider):
    case, _code = case_with_code
    client.force_login(outsider)
    response = client.post(reverse("case_family_lookup_unlock", args=[case.pk]))
    assert response.status_code == 404
