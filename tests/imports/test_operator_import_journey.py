"""Journey of an agency's operator (issue 16, item 3), through the pages.

1. Downloads the detention template (XLSX with its dictionary sheet, CSV) and the data
   dictionary: every header is one the importer maps by itself.
2. Uploads the police's own file: the preview lists each column with examples of its
   values and the field it went to, in Spanish ("LUGAR DE DETENCIÓN" → Lugar).
3. Moves that column to "Lugar de reclusión" on the preview and saves it as the
   agency's mapping; the preview runs again and the confirmed records hold the facility.
4. The saved mapping reads in Spanish, and the mapping editor takes Spanish names.
5. Finds a record in "Registros de mi institución" by a piece of a surname or the folio,
   and reads its original row as a table of the file's columns.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from imports.file_templates import TEMPLATE_FIELDS, dictionary_rows, template_headers
from imports.mapping import build_plan
from imports.models import ColumnMapping, ImportBatch
from registry.models import Record

POLICE_FILE = (
    "NÚMERO DE REGISTRO,NOMBRE(S),APELLIDO PATERNO,APELLIDO MATERNO,FECHA DE DETENCIÓN,"
    "LUGAR DE DETENCIÓN,AUTORIDAD\r\n"
    "SSC-77,José Ángel,Núñez,Peña,04/07/2024,Juzgado Cívico Coyoacán 1,Policía Preventiva\r\n"
    "SSC-78,María Guadalupe,Hernández,López,05/07/2024,Juzgado Cívico Tlalpan,"
    "Policía Preventiva\r\n"
).encode()


@pytest.fixture
def operator(client, owner):
    client.force_login(owner)
    return client


@pytest.mark.parametrize("kind", list(TEMPLATE_FIELDS))
def test_every_template_header_maps_itself_to_its_field(kind):
    headers = template_headers(kind)
    plan = build_plan([header for header, _name in headers], record_kind=kind)
    assert {plan.headers[i]: name for i, name in plan.fields.items()} == dict(headers)
    assert len(dictionary_rows(kind)) == len(headers) + 1


def test_an_operator_maps_columns_on_the_preview_and_finds_the_records(operator, agency_a):
    # 1. The templates.
    page = operator.get(reverse("imports:batch_upload")).content.decode()
    xlsx_link = reverse("imports:import_template", args=["detention", "", "xlsx"])
    assert xlsx_link in page
    workbook = load_workbook(io.BytesIO(operator.get(xlsx_link).content))
    assert workbook.sheetnames == ["datos", "diccionario"]
    header = [cell.value for cell in workbook["datos"][1]]
    assert "LUGAR DE RECLUSIÓN" in header and "FECHA DE DETENCIÓN" in header
    dictionary = list(workbook["diccionario"].iter_rows(values_only=True))
    assert dictionary[0][:3] == ("Columna", "Campo del registro", "Obligatoria")
    template_csv = operator.get(reverse("imports:import_template",
                                        args=["detention", "", "csv"])).content
    assert template_csv.startswith("\ufeffFOLIO,NOMBRE(S)".encode())
    dictionary_csv = operator.get(reverse("imports:import_template",
                                          args=["detention", "-diccionario", "csv"]))
    assert "Juzgado Cívico Coyoacán 1" in dictionary_csv.content.decode("utf-8-sig")
    assert operator.get("/importaciones/plantilla/nada.csv").status_code == 404

    # 2. The police's own file: the preview shows how each column was read.
    response = operator.post(reverse("imports:batch_upload"), {
        "agency": agency_a.pk, "record_kind": "detention",
        "file": SimpleUploadedFile("detenciones_julio.csv", POLICE_FILE)})
    batch = ImportBatch.objects.get()
    preview = operator.get(response["Location"]).content.decode()
    assert "Columnas del archivo y campos del registro" in preview
    assert "Juzgado Cívico Coyoacán 1 · Juzgado Cívico Tlalpan" in preview  # examples
    assert batch.preview["mapped"]["LUGAR DE DETENCIÓN"] == "place"
    headers = batch.preview["headers"]
    place_column = headers.index("LUGAR DE DETENCIÓN")
    assert f'name="col_{place_column}"' in preview and ">Lugar de reclusión</option>" in preview

    # 3. The operator moves the column to the facility and keeps it for next time.
    choices = {f"col_{i}": batch.preview["mapped"].get(h, "") for i, h in enumerate(headers)}
    choices[f"col_{place_column}"] = "facility"
    response = operator.post(reverse("imports:batch_mapping", args=[batch.pk]),
                             {**choices, "save_as": "detenciones-ssc"}, follow=True)
    assert "Columnas guardadas" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert batch.preview["mapped"]["LUGAR DE DETENCIÓN"] == "facility"
    assert batch.mapping.name == "detenciones-ssc"
    # Two columns for one field are refused with a Spanish message; nothing changes.
    twice = {**choices, f"col_{headers.index('AUTORIDAD')}": "facility"}
    refused = operator.post(reverse("imports:batch_mapping", args=[batch.pk]), twice,
                            follow=True).content.decode()
    assert "Cada campo se llena con una sola columna" in refused
    operator.post(reverse("imports:batch_commit", args=[batch.pk]))
    record = Record.objects.get(external_id="SSC-77")
    assert record.facility == "Juzgado Cívico Coyoacán 1" and record.place == ""

    # 4. The saved mapping in Spanish; the editor takes Spanish field names.
    mappings = operator.get(reverse("imports:mapping_list")).content.decode()
    assert "LUGAR DE DETENCIÓN → Lugar de reclusión" in mappings
    operator.post(reverse("imports:mapping_list"), {
        "agency": agency_a.pk, "name": "reclusos", "sex_codes": "",
        "lines": "CENTRO = lugar de reclusion\nNOMBRE COMPLETO = Nombre(s)"})
    assert ColumnMapping.objects.get(name="reclusos").columns == {
        "CENTRO": "facility", "NOMBRE COMPLETO": "given_names"}

    # 5. The records: searched by a piece of a surname, by folio; the original row.
    found = operator.get(reverse("agency_records"), {"q": "hernan"}).content.decode()
    assert "María Guadalupe" in found and "José Ángel" not in found and "1 registro" in found
    by_folio = operator.get(reverse("agency_records"), {"q": "SSC-77"}).content.decode()
    assert "José Ángel" in by_folio and "María Guadalupe" not in by_folio
    detail = operator.get(reverse("record_detail", args=[record.pk])).content.decode()
    assert '<th scope="row">LUGAR DE DETENCIÓN</th><td>Juzgado Cívico Coyoacán 1</td>' in detail
    assert "{&#x27;" not in detail and "{'" not in detail
