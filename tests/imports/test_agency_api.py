"""The agency API: a batch of records as JSON, with one token per agency account."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from imports.models import ImportBatch
from registry.models import Record

URL = "/importaciones/api/lotes/"


def _payload(agency, **extra):
    records = [
        {"FOLIO": "API-1", "NOMBRE(S)": "Rosa", "APELLIDO PATERNO": "Luna", "SEXO": "Mujer",
         "FECHA DE DETENCIÓN": "2024-05-12", "ENTIDAD": "Jalisco", "MUNICIPIO": "Zapopan"},
        {"FOLIO": "API-2", "NOMBRE(S)": "Iván", "APELLIDO PATERNO": "Sol", "SEXO": "?"},
    ]
    return {"agency": agency.code, "kind": "detention", "records": records, **extra}


def _client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_the_url_is_mounted_under_importaciones():
    assert reverse("imports:api_batch_create") == URL


def test_a_batch_is_stored_and_rejections_are_explained(owner, agency_a):
    response = _client(owner).post(URL, _payload(agency_a), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["total"], body["created"], body["rejected"]) == (2, 1, 1)
    assert body["rejected_rows"][0]["row"] == 2
    assert "Sexo" in body["rejected_rows"][0]["errors"][0]["message"]
    record = Record.objects.get(agency=agency_a)
    assert record.event_municipality_id == "14120" and record.source_row == 1
    batch = ImportBatch.objects.get()
    assert batch.source == ImportBatch.Source.API and len(batch.file_sha256) == 64


def test_dry_run_stores_nothing(owner, agency_a):
    response = _client(owner).post(URL, _payload(agency_a, dry_run=True), format="json")

    assert response.status_code == 200 and response.json()["created"] == 1
    assert not Record.objects.exists()


def test_posting_the_same_batch_twice_changes_nothing(owner, agency_a):
    client = _client(owner)
    client.post(URL, _payload(agency_a), format="json")

    body = client.post(URL, _payload(agency_a), format="json").json()

    assert (body["created"], body["unchanged"]) == (0, 1)


@pytest.mark.parametrize("header", ["Token 0123456789abcdef", "Token ", "Bearer x", None])
def test_a_bad_or_missing_token_is_refused(owner, agency_a, header):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.post(URL, _payload(agency_a), format="json")

    assert response.status_code == 401
    assert not ImportBatch.objects.exists()


def test_the_token_of_another_agency_gets_404(outsider, agency_a):
    response = _client(outsider).post(URL, _payload(agency_a), format="json")

    assert response.status_code == 404
    assert not ImportBatch.objects.exists()


def test_a_session_login_is_not_enough(client, owner, agency_a):
    client.force_login(owner)

    response = client.post(URL, _payload(agency_a), content_type="application/json")

    assert response.status_code == 401


def test_records_without_recognisable_fields_get_a_clear_400(owner, agency_a):
    payload = {"agency": agency_a.code, "kind": "detention", "records": [{"x": 1, "y": 2}]}

    response = _client(owner).post(URL, payload, format="json")

    assert response.status_code == 400 and "encabezados" in response.json()["detail"]
    assert not Record.objects.exists()


def test_nested_values_are_refused(owner, agency_a):
    payload = _payload(agency_a)
    payload["records"][0]["NOMBRE(S)"] = {"a": 1}

    assert _client(owner).post(URL, payload, format="json").status_code == 400
