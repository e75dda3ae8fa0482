"""Saved per-agency column mappings: the page, the agency boundary, and their use."""

from __future__ import annotations

from django.urls import reverse

from imports.models import ColumnMapping
from registry.models import Record
from tests.imports.files import csv_bytes

LINES = "NO. INTERNO = external_id\nNOMBRE COMPLETO = given_names\nCENTRO = facility"


def test_an_operator_saves_a_mapping_and_an_import_uses_it(client, owner, agency_a,
                                                           import_file):
    client.force_login(owner)

    response = client.post(reverse("imports:mapping_list"),
                           {"agency": agency_a.pk, "name": "penitenciario", "lines": LINES})

    assert response.status_code == 302
    mapping = ColumnMapping.objects.get(agency=agency_a)
    assert mapping.columns["CENTRO"] == "facility"
    content = csv_bytes([["NO. INTERNO", "NOMBRE COMPLETO", "CENTRO"], ["I-1", "Ana", "Cefereso"]])
    import_file(agency_a, content, mapping=mapping)
    assert Record.objects.get(agency=agency_a).facility == "Cefereso"


def test_an_unknown_field_is_a_form_error(client, owner, agency_a):
    client.force_login(owner)

    response = client.post(reverse("imports:mapping_list"),
                           {"agency": agency_a.pk, "name": "x", "lines": "CELDA = celda"})

    assert response.status_code == 400 and "no es un campo conocido" in response.content.decode()
    assert not ColumnMapping.objects.exists()


def test_the_outsider_can_neither_see_nor_save_mappings_of_another_agency(client, outsider,
                                                                        agency_a, owner):
    ColumnMapping.objects.create(agency=agency_a, name="secreta", columns={"A": "curp"})
    client.force_login(outsider)

    page = client.get(reverse("imports:mapping_list")).content.decode()
    response = client.post(reverse("imports:mapping_list"),
                           {"agency": agency_a.pk, "name": "intrusa", "lines": LINES})

    assert "secreta" not in page
    assert response.status_code == 400
    assert not ColumnMapping.objects.filter(name="intrusa").exists()
