"""Public detention consultation: one specific name, authority/facility/date only."""

from datetime import date

import pytest
from django.urls import reverse

from public_site.detention import DETENTION_LOOKUP_MAX_RESULTS
from registry.models import Agency, AuditEvent
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
    assert "01/06/2024" in body
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
    assert body.count('<article class="detention-answer">') == DETENTION_LOOKUP_MAX_RESULTS


def test_the_answer_echoes_the_name_asked_and_keeps_it_in_the_form(client, db):
    detained()
    body = ask(client, "Juan  Carlos", "Peña", "Ortíz").content.decode()
    assert "Nombre consultado: <strong>Juan Carlos Peña Ortíz</strong>" in body
    assert 'value="Ortíz"' in body


@pytest.mark.parametrize(("given", "paternal", "maternal"), [
    ("Jose Angel", "Nunez", "Pena"),        # no accents, no ñ
    ("JOSÉ ÁNGEL", "NÚÑEZ", "PEÑA"),         # capitals
    ("José Ángel", "Núñes", "Peña"),         # z/s
    ("José Angel", "Nuñez", ""),             # second surname not asked
    ("Jose Anjel", "Nuñez", "Peña"),         # g/j before e
])
def test_accents_enye_and_small_spelling_differences_are_forgiven(client, db, given,
                                                                    paternal, maternal):
    detained("José Ángel", "Núñez", "Peña", facility="Reclusorio Oriente")
    assert "Reclusorio Oriente" in ask(client, given, paternal, maternal).content.decode()


def test_one_slip_in_one_long_word_is_forgiven_but_not_two(client, db):
    detained("Francisco", "Gómes", "Uc", facility="CERESO Mérida")
    assert "CERESO Mérida" in ask(client, "Francisco", "Gomez", "Uc").content.decode()
    assert "CERESO Mérida" in ask(client, "Fracisco", "Gómez", "Uc").content.decode()
    assert "CERESO Mérida" not in ask(client, "Fracisco", "Gomz", "Uc").content.decode()


@pytest.mark.parametrize(("given", "paternal", "maternal"), [
    ("Francisco", "Gómez", ""),             # other given names
    ("Francisco Javier", "Gómez", "Ux"),     # a short word is not forgiven a slip
    ("Francisco Javier", "Gómez", "Pérez"),  # other second surname
    ("Francisco Javier", "Ramírez", "Uc"),   # other surname
])
def test_the_lookup_stays_specific(client, db, given, paternal, maternal):
    detained("Francisco Javier", "Gómez", "Uc", facility="CERESO Mérida")
    assert "CERESO Mérida" not in ask(client, given, paternal, maternal).content.decode()


def test_the_answer_says_when_the_record_arrived_and_that_no_release_is_on_file(client, db):
    detained(event_date=date(2011, 7, 4))
    body = ask(client, "Juan Carlos", "Peña").content.decode()
    assert "04/07/2011" in body
    assert "Recibido en el registro" in body
    assert "No hay una liberación ni un traslado registrados" in body
    assert "no dónde está hoy" in body


def test_a_release_of_the_same_person_is_reported(client, db):
    detention = detained(event_date=date(2024, 6, 1))
    RecordFactory(kind="release_transfer", agency=detention.agency, given_names="Juan Carlos",
                  paternal_surname="Peña", maternal_surname="Ortíz",
                  event_date=date(2024, 6, 3), facility="CEFERESO 5 Villa Aldama")
    body = ask(client, "Juan Carlos", "Peña").content.decode()
    assert "Sí: hay un registro de «Liberación o traslado»" in body
    assert "CEFERESO 5 Villa Aldama" in body
    assert "no dónde está hoy" not in body


def test_the_agency_contact_and_next_steps_are_shown(client, db):
    detention = detained()
    Agency.objects.filter(pk=detention.agency_id).update(
        contact_office="Unidad de Atención a Familias", contact_phone="+52 55 5346 0000",
        contact_hours="lunes a viernes, 9:00 a 18:00", contact_address="Av. Coyoacán 1635")
    body = ask(client, "Juan Carlos", "Peña").content.decode()
    assert "Unidad de Atención a Familias" in body and 'href="tel:+525553460000"' in body
    assert "Av. Coyoacán 1635" in body and "Qué hacer ahora" in body


def test_the_api_answers_the_same_with_spanish_keys(client, db):
    detained(event_date=date(2011, 7, 4))
    response = client.post(reverse("api:detention_lookup"),
                           {"given_names": "Juan Carlos", "paternal_surname": "Pena"},
                           content_type="application/json")
    data = response.json()
    assert data["consulta"] == "Juan Carlos Pena" and data["encontrado"] is True
    (match,) = data["registros"]
    assert match["fecha"] == "2011-07-04" and match["liberacion_o_traslado"] is None
    assert match["registrado"] and match["institucion"]


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
    # The name typed is echoed to whoever typed it; nothing else of the record may be.
    for typed in ("Canarygiven2", "Canarypaternal2", "Canarymaternal2"):
        body = body.replace(typed, "")
    assert_no_canaries(body, world, Audience.PUBLIC)


@pytest.mark.parametrize("kind", ["located", "unidentified_remains"])
def test_other_record_kinds_are_not_detentions(client, db, kind):
    RecordFactory(kind=kind, given_names="Pablo", paternal_surname="Luna", authority="Forense")
    assert "Forense" not in ask(client, "Pablo", "Luna").content.decode()
