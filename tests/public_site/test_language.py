"""Spanish first, English available: the switch in the base template sets the language."""

from django.urls import reverse


def test_pages_are_spanish_by_default(client, db):
    body = client.get(reverse("public_site:search")).content.decode()
    assert '<html lang="es">' in body and "Buscar a una persona desaparecida" in body


def test_language_switch_serves_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/buscar/"})
    assert response.status_code == 302
    body = client.get(reverse("public_site:search")).content.decode()
    assert '<html lang="en">' in body and "Search for a missing person" in body
    assert "Given name(s)" in client.get(reverse("public_site:detention_lookup")).content.decode()
