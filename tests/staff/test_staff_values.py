"""Staff pages write stored values as people read them: Spanish labels for codes, one
date format (dd/mm/aaaa), the original row as "Encabezado: valor", versions in words."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from registry.display import date_text, datetime_text, value_text
from tests.factories import RecordFactory


def test_a_record_page_shows_labels_dates_and_the_original_row(client, owner, agency_a):
    record = RecordFactory(agency=agency_a, kind="detention", given_names="José Ángel",
                           paternal_surname="Núñez", maternal_surname="Peña", sex="H",
                           event_date=date(2026, 3, 7), birth_date=date(1988, 11, 2),
                           raw_values={"NOMBRE(S)": "JOSE ANGEL", "FECHA": "07/03/2026"})
    client.force_login(owner)
    page = client.get(reverse("record_detail", args=[record.pk])).content.decode()
    assert "Detención" in page and "Hombre" in page
    assert "07/03/2026" in page and "02/11/1988" in page and "2026-03-07" not in page
    # PostgreSQL's jsonb keeps its own key order: each pair, in whatever order.
    # The original row is a table of the file's columns (issue 16, item 3).
    assert '<th scope="row">NOMBRE(S)</th><td>JOSE ANGEL</td>' in page
    assert '<th scope="row">FECHA</th><td>07/03/2026</td>' in page
    assert "{&#x27;NOMBRE(S)&#x27;" not in page and "{'NOMBRE(S)'" not in page
    assert ">detention<" not in page and ">H<" not in page
    assert "Alta" in page and "Created" not in page


def test_one_date_format_for_dates_and_times():
    assert date_text(date(2026, 3, 7)) == "07/03/2026"
    assert value_text(True) == "Sí" and value_text(None) == "—" and value_text({}) == "—"
    assert value_text([date(2026, 3, 7), "x"]) == "07/03/2026, x"
    assert datetime_text(None) == "" and date_text("2024-03") == "2024-03"


def test_the_login_error_is_plain_spanish(client, owner):
    response = client.post(reverse("login"), {"username": owner.username,
                                              "password": "no-es-la-clave"})
    body = response.content.decode()
    assert "Usuario o contraseña incorrectos." in body
    assert "Note que" not in body and "estrictos" not in body
