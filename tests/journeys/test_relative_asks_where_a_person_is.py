"""Journey: a relative asks whether a person is detained, and whom to call (HTTP).

1. The administrator gives Mexico City's police and prosecutor's office their public
   contact (office, phone, hours, address).
2. The police's operator uploads a detention log where "José Ángel Núñez Peña" was
   taken to a civic court in 2011, previews and confirms it.
3. His sister types the name on a phone keyboard without accents or ñ, and with one
   letter wrong: the answer names him as she typed it, says the record is from 2011,
   that no release or transfer is on file, and gives the police's phone and address
   with what to do next. "José" alone, or initials, get no answer about him.
4. The operator uploads the release log with his transfer; asked again, the answer
   says a transfer is on file, and where to.
5. A family whose report the prosecutor's office filed opens its page: the office's
   phone, hours and address, and what to do now; the poster of a published case too.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registry.models import Agency, Case
from tests.journeys import scenario
from tests.journeys.test_from_report_to_family import signed_in, upload_and_confirm

pytestmark = pytest.mark.slow

POLICE_PHONE = "55 5242 5100"
PROSECUTOR_PHONE = "800 00 854 00"
DETENTIONS = (
    "NÚMERO DE REGISTRO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,SEXO,FECHA DE NACIMIENTO,"
    "FECHA DE DETENCIÓN,AUTORIDAD,LUGAR DE RECLUSIÓN,MOTIVO\r\n"
    "SSC-2011-000077,José Ángel,Núñez,Peña,Hombre,03/05/1990,04/07/2011,Policía Preventiva,"
    "Juzgado Cívico Coyoacán 1,Falta administrativa\r\n"
    "SSC-2011-000078,José,Nava,Pérez,Hombre,01/01/1985,05/07/2011,Policía Preventiva,"
    "Juzgado Cívico Tlalpan,Falta administrativa\r\n"
).encode()
RELEASES = (
    "FOLIO DE TRASLADO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,SEXO,FECHA DE NACIMIENTO,"
    "FECHA DE TRASLADO,AUTORIDAD,LUGAR DE DESTINO,LUGAR DE RECLUSIÓN\r\n"
    "TR-2011-0009,José Ángel,Núñez,Peña,Hombre,03/05/1990,06/07/2011,Policía Preventiva,,"
    "Reclusorio Preventivo Varonil Oriente\r\n"
).encode()
REPORT = (
    "FOLIO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,SEXO,FECHA DE NACIMIENTO,"
    "FECHA DE DESAPARICIÓN,SITUACIÓN,AUTORIZA PUBLICACIÓN\r\n"
    "FGJ/CDMX/DESAP/2025/0900,Rocío,Salazar,Núñez,Mujer,12/12/1979,02/12/2024,"
    "Desaparecida,SÍ\r\n"
).encode()
ACCESS_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def ask(client: Client, given: str, paternal: str, maternal: str = "") -> str:
    return client.post(reverse("public_site:detention_lookup"), {
        "given_names": given, "paternal_surname": paternal,
        "maternal_surname": maternal, "age": ""}).content.decode()


def test_a_relative_finds_the_detention_and_whom_to_call(db, django_capture_on_commit_callbacks):
    world = scenario.world_create()
    # 1. The administrator publishes the contacts.
    Agency.objects.filter(pk=world.agency_b.pk).update(
        contact_office="Centro de Atención a Familiares de Personas Detenidas",
        contact_phone=POLICE_PHONE, contact_hours="todos los días, 24 horas",
        contact_address="Calle Liverpool 136, Juárez, Cuauhtémoc")
    Agency.objects.filter(pk=world.agency_a.pk).update(
        contact_office="Unidad de Atención a Familias", contact_phone=PROSECUTOR_PHONE,
        contact_hours="lunes a viernes, 9:00 a 18:00",
        contact_address="Av. Coyoacán 1635, Del Valle")

    # 2. The police's detention log.
    operator_b = signed_in(world.operator_b)
    upload_and_confirm(operator_b, world.agency_b, "detention", DETENTIONS,
                       "detenciones_2011.csv", django_capture_on_commit_callbacks)

    # 3. His sister asks from her phone: no accents, no ñ, one letter wrong.
    sister = Client()
    answer = ask(sister, "Jose Angel", "Nunes", "Pena")
    assert "Nombre consultado: <strong>Jose Angel Nunes Pena</strong>" in answer
    assert "Juzgado Cívico Coyoacán 1" in answer and "04/07/2011" in answer
    assert "No hay una liberación ni un traslado registrados." in answer
    assert world.agency_b.name in answer and POLICE_PHONE in answer
    assert "Calle Liverpool 136" in answer and "Qué hacer ahora" in answer
    assert "Juzgado Cívico Tlalpan" not in answer  # another José, another record
    vague = ask(sister, "José", "Núñez")
    assert "Juzgado Cívico Coyoacán 1" not in vague and "No hay un registro" in vague
    refused = sister.post(reverse("public_site:detention_lookup"),
                          {"given_names": "J", "paternal_surname": "N"})
    assert refused.status_code == 400

    # 4. The transfer arrives; the same question now says where he was taken.
    upload_and_confirm(operator_b, world.agency_b, "release_transfer", RELEASES,
                       "traslados_2011.csv", django_capture_on_commit_callbacks)
    answer = ask(sister, "Jose Angel", "Nunez", "Pena")
    assert "Sí: hay un registro de «Liberación o traslado»" in answer
    assert "Reclusorio Preventivo Varonil Oriente" in answer
    assert "no dónde está hoy" not in answer

    # 5. A family of the prosecutor's office: its page and its poster give the contact.
    operator_a = signed_in(world.operator_a)
    upload_and_confirm(operator_a, world.agency_a, "missing_report", REPORT,
                       "reportes_diciembre.csv", django_capture_on_commit_callbacks)
    case = Case.objects.get(folio="FGJ/CDMX/DESAP/2025/0900")
    prosecutor = signed_in(world.prosecutor_a)
    issued = prosecutor.post(reverse("case_access_code", args=[case.pk]),
                             {"operation": "issue"}, follow=True).content.decode()
    (code,) = ACCESS_CODE.findall(issued)
    family = Client().post(reverse("public_site:family_lookup"),
                           {"folio": case.folio, "access_code": code}).content.decode()
    assert "Contacto de la fiscalía" in family and PROSECUTOR_PHONE in family
    assert "lunes a viernes, 9:00 a 18:00" in family and "Qué hacer ahora" in family
    assert POLICE_PHONE not in family
    case.refresh_from_db()
    poster = Client().get(reverse("public_site:entry", args=[case.public_key])).content.decode()
    assert "Rocío Salazar Núñez" in poster and PROSECUTOR_PHONE in poster
    assert "Av. Coyoacán 1635" in poster
