"""Public detention consultation: one specific name, authority/facility/date only."""

from datetime import date

import pytest
from django.urls import reverse

from public_site.detention import DETENTION_LOOKUP_MAX_RESULTS
from registry.models import AuditEvent
from registry.redaction import Audience
from tests.canaries import assert_no_canaries
from tests.factories import RecordFactory

LOOKUP = reverse("public_site:detention_lookup")


def detained(given="Juan Carlos", paternal="Peña", maternal="Ortíz", **fields):
    values = {"authority": "Guardia Nacional", "facility": "Estación Migratoria Siglo XXI",
              "event_date": date(2024, 6, 1), "birth_date": date(1990, 2, 2)} | fields
    return RecordFactory(kind="detention", given_names=given, paternal_surname=paternal,
                         maternal_surname=maternal, **values)


def ask(client, given="Juan Carlos", paternal="Peña", maternal="", age=""):
    return client.post(LOOKUP, {"given_names": given, "paternal_surname": paternal,
                                "maternal_surname": maternal, "age": age})


def test_a_detention_of_that_name_shows_authority_facility_and_date(client, db):
    detained(place="Calle CanaryPlace 9", reason="Motivo reservado")
    response = ask(client, "juan carlos", "PEÑA", "ortiz")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Guardia Nacional" in body and "Estación Migratoria Siglo XXI" in body
    assert "2024-06-01" in body
    assert "CanaryPlace" not in body and "Motivo reservado" not in body
    assert "no-store" in response["Cache-Control"]


def test_no_detention_says_so(client, db):
    detained()
    body = ask(client, "Juan", "Peña").content.decode()  # not the full given names
    assert "No hay un registro de detención" in body


def test_missing_person_reports_are_not_answered(client, db):
    RecordFactory(kind="missing_report", given_names="Rosa", paternal_surname="Díaz",
                  authority="CanaryAuthorityMissing")
    body = ask(client, "Rosa", "Díaz").content.decode()
    assert "No hay un registro de detención" in body


def test_wildcards_and_initials_are_refused(client, db):
    detained()
    for given, paternal in (("J*", "Peña"), ("Juan%", "Peña"), ("J", "P"), ("Juan", "")):
        response = ask(client, given, paternal)
        assert response.status_code == 400, (given, paternal)
        assert "Guardia Nacional" not in response.content.decode()


def test_age_narrows_when_known(client, db):
    detained(birth_date=date(1990, 2, 2))
    assert "Guardia Nacional" not in ask(client, age="60").content.decode()
    age_now = date.today().year - 1990 - (1 if date.today() < date(date.today().year, 2, 2) else 0)
    assert "Guardia Nacional" in ask(client, age=str(age_now)).content.decode()


def test_results_are_capped(client, db):
    for index in range(DETENTION_LOOKUP_MAX_RESULTS + 3):
        detained(facility=f"Centro {index}")
    body = ask(client).content.decode()
    assert body.count("<tr><td>") == DETENTION_LOOKUP_MAX_RESULTS


def test_the_name_asked_is_not_echoed(client, db):
    detained()
    body = ask(client, "Juan Carlos", "Peña", "Ortíz").content.decode()
    assert "Ortíz" not in body


def test_every_lookup_is_audited(client, db):
    detained()
    ask(client)
    event = AuditEvent.objects.get(action=AuditEvent.Action.DETENTION_LOOKUP)
    assert event.details["matches"] == 1 and event.ip_address == "127.0.0.1"


def test_lookups_are_rate_limited(client, db):
    for _ in range(20):
        ask(client, "Nadie", "Nunca")
    response = ask(client)
    assert response.status_code == 429
    assert "Guardia Nacional" not in response.content.decode()


def test_get_does_not_look_up(client, db):
    detained()
    body = client.get(LOOKUP, {"given_names": "Juan Carlos", "paternal_surname": "Peña"})
    assert "Guardia Nacional" not in body.content.decode()


def test_detention_lookup_leaks_nothing_but_what_the_public_may_see(client, world):
    response = ask(client, "Canarygiven2", "Canarypaternal2", "Canarymaternal2")
    body = response.content.decode()
    assert "CanaryAuthority2" in body and "CanaryFacility2" in body
    assert_no_canaries(body, world, Audience.PUBLIC)


@pytest.mark.parametrize("kind", ["located", "unidentified_remains"])
def test_other_record_kinds_are_not_detentions(client, db, kind):
    RecordFactory(kind=kind, given_names="Pablo", paternal_surname="Luna", authority="Forense")
    assert "Forense" not in ask(client, "Pablo", "Luna").content.decode()
