"""Every record kind imports: reports, detentions, releases and transfers, located persons
and unidentified remains (forensic metadata: folio, date and place found, estimated age
range, sex, clothing and marks; never genetic data), by upload, API and command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from imports.forms import IMPORTABLE_KINDS
from imports.models import ImportBatch, RowIssue
from registry.models import Record, RecordKind
from tests.factories import AgencyFactory, operator_of
from tests.imports.files import csv_bytes

REMAINS_HEADER = ["FOLIO FORENSE", "FECHA DE HALLAZGO", "LUGAR DEL HALLAZGO", "ENTIDAD",
                  "MUNICIPIO", "SEXO", "EDAD ESTIMADA", "VESTIMENTA", "SEÑAS PARTICULARES"]


def remains_row(n: int, **overrides: str) -> list[str]:
    row = {"FOLIO FORENSE": f"SEMEFO/2025/{n:04d}", "FECHA DE HALLAZGO": "14/02/2025",
           "LUGAR DEL HALLAZGO": "Barranca, km 12 carretera libre", "ENTIDAD": "Jalisco",
           "MUNICIPIO": "Tlajomulco de Zúñiga", "SEXO": "Mujer", "EDAD ESTIMADA": "25-30",
           "VESTIMENTA": "Blusa roja, pantalón de mezclilla",
           "SEÑAS PARTICULARES": "Tatuaje de una golondrina en el hombro izquierdo"}
    row.update(overrides)
    return [row[h] for h in REMAINS_HEADER]


@pytest.fixture
def forensic(db):
    return AgencyFactory(code="semefo-jal", name="Instituto Jalisciense de Ciencias Forenses",
                         kind="forensic")


@pytest.fixture
def forensic_operator(forensic):
    return operator_of(forensic, username="perito_jal")


def _upload(client, agency, content, kind, name="hallazgos.csv"):
    return client.post(reverse("imports:batch_upload"), {
        "agency": agency.pk, "record_kind": kind, "file": SimpleUploadedFile(name, content),
        "sex_codes": "",
    })


def test_every_kind_is_offered_on_the_form_the_api_and_the_command():
    assert {value for value, _label in IMPORTABLE_KINDS} == set(RecordKind.values)


def test_a_forensic_service_uploads_unidentified_remains(client, forensic, forensic_operator):
    client.force_login(forensic_operator)
    content = csv_bytes([REMAINS_HEADER, remains_row(1),
                         remains_row(2, **{"EDAD ESTIMADA": "40 aprox.", "SEXO": "Hombre"})])

    response = _upload(client, forensic, content, RecordKind.UNIDENTIFIED_REMAINS)
    batch = ImportBatch.objects.get()
    client.post(reverse("imports:batch_commit", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.rows_rejected == 0
    first, second = Record.objects.order_by("external_id")
    assert first.kind == RecordKind.UNIDENTIFIED_REMAINS
    assert (first.external_id, first.given_names, first.paternal_surname) == (
        "SEMEFO/2025/0001", "", "")  # no name: that is why they are recorded
    assert str(first.event_date) == "2025-02-14" and first.event_state_id == "14"
    assert first.event_municipality_id and first.place.startswith("Barranca")
    assert (first.age_min, first.age_max, first.age) == (25, 30, None)
    assert first.clothing == "Blusa roja, pantalón de mezclilla"
    assert first.marks.startswith("Tatuaje de una golondrina")
    assert (second.age_min, second.age_max, second.sex) == (40, 40, "H")


def test_an_age_range_that_makes_no_sense_rejects_the_row(import_file, forensic,
                                                           forensic_operator):
    batch = import_file(forensic, csv_bytes([REMAINS_HEADER,
                                             remains_row(1, **{"EDAD ESTIMADA": "30-25"}),
                                             remains_row(2, **{"EDAD ESTIMADA": "joven"})]),
                        kind=RecordKind.UNIDENTIFIED_REMAINS, actor=forensic_operator)

    assert batch.rows_rejected == 2
    assert set(RowIssue.objects.values_list("column", flat=True)) == {"EDAD ESTIMADA"}


def test_a_file_with_genetic_data_is_refused_before_anything_is_stored(client, forensic,
                                                                       forensic_operator):
    client.force_login(forensic_operator)
    header = [*REMAINS_HEADER, "PERFIL GENÉTICO (STR)"]
    content = csv_bytes([header, [*remains_row(1), "D8S1179:13,14"]])

    response = _upload(client, forensic, content, RecordKind.UNIDENTIFIED_REMAINS)

    assert response.status_code == 400
    assert "no admite datos genéticos" in response.content.decode()
    assert not ImportBatch.objects.exists() and not Record.objects.exists()


def test_the_api_imports_located_persons_and_refuses_genetic_columns(forensic,
                                                                      forensic_operator):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=forensic_operator)}")
    located = {"FOLIO": "LOC-1", "NOMBRE(S)": "Rosa", "APELLIDO PATERNO": "Luna",
               "SEXO": "Mujer", "FECHA DE LOCALIZACIÓN": "2025-03-01",
               "LUGAR DE LOCALIZACIÓN": "Albergue temporal", "ENTIDAD": "Jalisco"}

    response = api.post("/importaciones/api/lotes/", {
        "agency": forensic.code, "kind": "located", "records": [located]}, format="json")
    refused = api.post("/importaciones/api/lotes/", {
        "agency": forensic.code, "kind": "located",
        "records": [{**located, "FOLIO": "LOC-2", "MUESTRA DE ADN": "sí"}]}, format="json")

    assert response.status_code == 201
    record = Record.objects.get()
    assert (record.kind, record.place, str(record.event_date)) == (
        "located", "Albergue temporal", "2025-03-01")
    assert refused.status_code == 400 and "genéticos" in refused.json()["detail"]
    assert Record.objects.count() == 1


def test_the_command_imports_releases_and_transfers(tmp_path, agency_b):
    header = ["FOLIO", "NOMBRE(S)", "APELLIDO PATERNO", "SEXO", "FECHA DE TRASLADO",
              "LUGAR DE DESTINO", "AUTORIDAD"]
    path = tmp_path / "traslados.csv"
    path.write_bytes(csv_bytes([header, ["T-1", "Juan", "Pérez", "Hombre", "03/01/2025",
                                         "CEFERESO 1", "Guardia Nacional"]]))

    call_command("import_records", str(path), agency=agency_b.code, kind="release_transfer")

    record = Record.objects.get()
    assert (record.kind, record.place, record.authority) == (
        "release_transfer", "CEFERESO 1", "Guardia Nacional")
    assert str(record.event_date) == "2025-01-03"
