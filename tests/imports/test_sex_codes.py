"""Sex codes per batch: M is read as the file's own convention, never guessed.

A column with H beside M is H/M (M = mujer); with F beside M, M/F (M =
masculino). A column with M and neither (or both) stops the batch with a
Spanish message until the operator says what M means: on the batch page, in
the upload form, in a saved mapping, in the API payload or on the command line.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from imports.models import ImportBatch
from imports.readers import ImportFileError
from imports.services import column_mapping_save
from registry.models import AuditEvent, Record
from tests.imports.files import csv_bytes, detention_row, detention_rows


def _rows(*sexes: str) -> bytes:
    header, *_ = detention_rows(0)
    return csv_bytes([header, *(detention_row(n, SEXO=sex) for n, sex in enumerate(sexes, 1))])


def _sexes(agency) -> list[str]:
    return list(Record.objects.filter(agency=agency).order_by("external_id")
                .values_list("sex", flat=True))


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def test_mf_file_reads_m_as_male(import_file, agency_a):
    import_file(agency_a, _rows("M", "F", "M"))

    assert _sexes(agency_a) == ["H", "M", "H"]


def test_hm_file_reads_m_as_female(import_file, agency_a):
    import_file(agency_a, _rows("H", "M"))

    assert _sexes(agency_a) == ["H", "M"]


@pytest.mark.parametrize(("sexes", "why"), [
    (("M", "M", ""), "sin H ni F"),
    (("H", "M", "F"), "mezcla H, M y F"),
])
def test_only_m_values_is_ambiguous(import_file, agency_a, sexes, why):
    with pytest.raises(ImportFileError):
        import_file(agency_a, _rows(*sexes))

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert "«SEXO»" in batch.error_message and why in batch.error_message
    assert "Códigos de sexo" in batch.error_message
    assert not Record.objects.exists()


def test_the_operator_chooses_on_the_batch_page_and_previews_again(owner_client, agency_a):
    owner_client.post(reverse("imports:batch_upload"), {
        "agency": agency_a.pk, "record_kind": "detention",
        "file": SimpleUploadedFile("d.csv", _rows("M", "M"))})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    page = owner_client.get(reverse("imports:batch_detail", args=[batch.pk])).content.decode()
    assert "M = masculino, F = femenino" in page

    owner_client.post(reverse("imports:batch_sex_codes", args=[batch.pk]), {"sex_codes": "MF"})
    batch.refresh_from_db()
    assert (batch.status, batch.sex_codes) == (ImportBatch.Status.PREVIEWED, "MF")
    assert AuditEvent.objects.filter(object_id=str(batch.pk),
                                     details__sex_codes__after="MF").exists()
    owner_client.post(reverse("imports:batch_commit", args=[batch.pk]))
    assert _sexes(agency_a) == ["H", "H"]


def test_an_outsider_cannot_set_a_batchs_sex_codes(client, outsider, import_file, agency_a):
    batch = import_file(agency_a, _rows("H", "M"), dry_run=True)
    client.force_login(outsider)

    response = client.post(reverse("imports:batch_sex_codes", args=[batch.pk]),
                           {"sex_codes": "MF"})

    assert response.status_code == 404
    batch.refresh_from_db()
    assert batch.sex_codes == ""


def test_the_upload_form_says_what_m_means(owner_client, agency_a):
    owner_client.post(reverse("imports:batch_upload"), {
        "agency": agency_a.pk, "record_kind": "detention", "sex_codes": "HM",
        "file": SimpleUploadedFile("d.csv", _rows("M"))})
    batch = ImportBatch.objects.get()
    owner_client.post(reverse("imports:batch_commit", args=[batch.pk]))

    assert _sexes(agency_a) == ["M"]


def test_a_saved_mapping_says_what_m_means(import_file, agency_a, owner):
    mapping = column_mapping_save(agency=agency_a, name="penal", columns={"SEXO": "sex"},
                                  actor=owner, sex_codes="MF")
    import_file(agency_a, _rows("M"), mapping=mapping)

    assert _sexes(agency_a) == ["H"]


def test_a_choice_the_file_contradicts_is_refused(import_file, agency_a):
    # H/M chosen, but F beside M says M/F: a stale choice would make every man a woman.
    with pytest.raises(ImportFileError):
        import_file(agency_a, _rows("M", "F"), sex_codes="HM")

    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert "H/M (M = mujer)" in batch.error_message and "F/M" in batch.error_message
    assert not Record.objects.exists()


def test_a_choice_settles_a_column_that_mixes_both_conventions(import_file, agency_a):
    import_file(agency_a, _rows("H", "M", "F"), sex_codes="HM")

    assert _sexes(agency_a) == ["H", "M", "M"]


def test_a_column_is_settled_across_chunks(import_file, agency_a, monkeypatch):
    # Read three rows at a time: H in the first chunk settles the M of the second.
    monkeypatch.setattr("imports.batch.CHUNK_ROWS", 3)
    import_file(agency_a, _rows("H", "H", "H", "M", "M"))

    assert _sexes(agency_a) == ["H", "H", "H", "M", "M"]


def test_the_api_asks_what_m_means_and_accepts_the_answer(owner, agency_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    payload = {"agency": agency_a.code, "kind": "detention", "records": [
        {"FOLIO": "A-1", "NOMBRE(S)": "Iván", "APELLIDO PATERNO": "Sol", "SEXO": "M"}]}

    refused = client.post("/importaciones/api/lotes/", payload, format="json")
    accepted = client.post("/importaciones/api/lotes/", {**payload, "sex_codes": "MF"},
                           format="json")

    assert refused.status_code == 400 and "Códigos de sexo" in refused.json()["detail"]
    assert accepted.status_code == 201
    assert _sexes(agency_a) == ["H"]


def test_the_command_takes_sex_codes(agency_a, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    path = tmp_path / "d.csv"
    path.write_bytes(_rows("M"))
    with pytest.raises(CommandError, match="Códigos de sexo"):
        call_command("import_records", str(path), agency=agency_a.code, kind="detention")

    call_command("import_records", str(path), agency=agency_a.code, kind="detention",
                 sex_codes="MF")

    assert _sexes(agency_a) == ["H"]
