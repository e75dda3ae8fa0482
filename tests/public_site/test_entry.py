"""The entry page ("ficha de búsqueda"): stable URL, what the policy allows, printable."""

from datetime import date

from django.urls import reverse

from registry.redaction import Audience, pseudonym
from tests.canaries import assert_no_canaries
from tests.factories import CaseFactory, RecordFactory


def test_entry_url_is_the_policy_pseudonym_of_the_case(world):
    assert world.case.public_key == pseudonym("registry.case.id", world.case.pk)
    response = reverse("public_site:entry", args=[world.case.public_key])
    assert response == f"/ficha/{world.case.public_key}/"


def test_entry_page_shows_the_poster_and_leaks_nothing(client, world):
    response = client.get(reverse("public_site:entry", args=[world.case.public_key]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Canarygiven1 Canarypaternal1 Canarymaternal1" in body
    assert "CanaryDescription1" in body  # consented adult: description is public
    assert "@media print" not in body and "site.css" in body
    assert_no_canaries(body, world, Audience.PUBLIC)


def test_entry_without_consent_hides_name_and_description(client, db):
    case = CaseFactory(publication_consent=False, missing_report__given_names="Ofelia",
                       missing_report__description="Cicatriz en la mano")
    body = client.get(reverse("public_site:entry", args=[case.public_key])).content.decode()
    assert "Ofelia" not in body and "Cicatriz" not in body
    assert "Nombre no publicado" in body


def test_minor_entry_shows_initials_month_and_state_only(client, db):
    case = CaseFactory(publication_consent=True, missing_report__given_names="Ximena",
                       missing_report__paternal_surname="Cabrera",
                       missing_report__birth_date=date(2014, 2, 2),
                       missing_report__event_date=date(2024, 8, 17))
    body = client.get(reverse("public_site:entry", args=[case.public_key])).content.decode()
    assert "Ximena" not in body and "Cabrera" not in body
    assert "X. C." in body
    assert "<dd>08/2024</dd>" in body and "17/08/2024" not in body


def test_unknown_key_and_non_public_cases_get_the_same_404(client, db):
    detention = RecordFactory(kind="detention")
    assert client.get("/ficha/0000000000deadbeef00/").status_code == 404
    assert client.get(f"/ficha/{detention.pk}/").status_code == 404


def test_not_found_page_leaks_nothing(client, world):
    response = client.get(f"/ficha/{world.case.folio}/")
    assert response.status_code == 404
    assert_no_canaries(response.content, world, Audience.PUBLIC)
    assert "Página no encontrada" in response.content.decode()


def test_entry_page_query_count_is_constant(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(reverse("public_site:entry", args=[world.case.public_key]))
